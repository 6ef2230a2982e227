//! Where a payment is in its life, and the one table of moves between those places.
//!
//! Why this exists: a payment is money, so every change of its status must be one the design
//! allows (`created → paid → closing_on_pos → closed`, with `failed`, `expired`, `cancelled`,
//! `paid_not_closed` and `refunded` beside them). The moves are declared once, in [`MOVES`];
//! the store refuses any other with [`ForbiddenMove`], whoever asks.
//!
//! Two places need an operator: `amount_mismatch` (the acquirer says it charged another amount
//! or currency than we asked: not paid, the POS is not told) and `late_charge` (the acquirer
//! took the money for a payment we had ended, and another payment holds the bill by then).
//! Neither holds the bill; each leaves only by a refund. A payment we had ended (`failed`,
//! `expired`, `cancelled`) moves again only when the acquirer confirms, asked about it, that it
//! took the money after all.

use serde::Serialize;

/// Declares [`PaymentStatus`] once: each status with its stored name, in one list that gives
/// the enum, [`PaymentStatus::ALL`] and [`PaymentStatus::as_str`].
macro_rules! payment_statuses {
    ($($(#[doc = $doc:literal])* $status:ident = $name:literal,)+) => {
        /// Where a payment is in its life.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum PaymentStatus {
            $($(#[doc = $doc])* $status,)+
        }

        impl PaymentStatus {
            /// Every status.
            pub const ALL: &'static [PaymentStatus] = &[$(PaymentStatus::$status,)+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(PaymentStatus::$status => $name,)+
                }
            }
        }
    };
}

payment_statuses! {
    /// Created; the guest is at the acquirer's page.
    Created = "created",
    /// The acquirer confirmed the charge.
    Paid = "paid",
    /// `payBill` was sent to the POS.
    ClosingOnPos = "closing_on_pos",
    /// The POS closed the bill.
    Closed = "closed",
    /// The acquirer declined, or the payment could not start.
    Failed = "failed",
    /// The guest never finished paying.
    Expired = "expired",
    /// The guest who started it cancelled it before paying (the charge was cancelled too).
    Cancelled = "cancelled",
    /// Charged but the POS did not close the bill yet; retried with backoff.
    PaidNotClosed = "paid_not_closed",
    /// Money returned to the guest.
    Refunded = "refunded",
    /// The acquirer says it charged another amount or currency than we asked: not paid, the POS
    /// is not told; an operator looks (and refunds).
    AmountMismatch = "amount_mismatch",
    /// The acquirer took the money for a payment we had ended, when another payment already
    /// held the bill: not paid, the POS is not told; an operator refunds it.
    LateCharge = "late_charge",
}

use PaymentStatus::*;

/// Every allowed move, once: `(from, to)`.
pub const MOVES: &[(PaymentStatus, PaymentStatus)] = &[
    // The acquirer took the charge: the checkout page is recorded, the status stays.
    (Created, Created),
    (Created, Paid),
    (Created, Failed),
    (Created, Expired),
    (Created, Cancelled),
    (Paid, ClosingOnPos),
    (PaidNotClosed, ClosingOnPos),
    // The answer to a payBill was never recorded (a crash): it is sent again.
    (ClosingOnPos, ClosingOnPos),
    (ClosingOnPos, Closed),
    (ClosingOnPos, PaidNotClosed),
    (Closed, Refunded),
    (PaidNotClosed, Refunded),
    // The acquirer's word on the amount or currency is not what we asked.
    (Created, AmountMismatch),
    // A payment we had ended that the acquirer, asked, says it charged after all: paid when the
    // bill is still free, held for an operator otherwise.
    (Failed, Paid),
    (Expired, Paid),
    (Cancelled, Paid),
    (Failed, AmountMismatch),
    (Expired, AmountMismatch),
    (Cancelled, AmountMismatch),
    (Failed, LateCharge),
    (Expired, LateCharge),
    (Cancelled, LateCharge),
    // What needs an operator ends when the money goes back.
    (AmountMismatch, Refunded),
    (LateCharge, Refunded),
];

/// A move the table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a payment cannot move from {} to {}", .from.as_str(), .to.as_str())]
pub struct ForbiddenMove {
    /// Where the payment is.
    pub from: PaymentStatus,
    /// Where it was asked to go.
    pub to: PaymentStatus,
}

impl PaymentStatus {
    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.iter().copied().find(|s| s.as_str() == name)
    }

    /// Checks a move against [`MOVES`].
    pub fn check_move(self, to: PaymentStatus) -> Result<(), ForbiddenMove> {
        if MOVES.contains(&(self, to)) {
            Ok(())
        } else {
            Err(ForbiddenMove { from: self, to })
        }
    }

    /// Whether the payment holds its bill (no other payment may start for it).
    pub fn holds_bill(self) -> bool {
        !matches!(self, Failed | Expired | Cancelled | Refunded | AmountMismatch | LateCharge)
    }

    /// Whether the guest's money was taken for the bill (the POS is told, or will be).
    pub fn is_charged(self) -> bool {
        matches!(self, Paid | ClosingOnPos | Closed | PaidNotClosed)
    }

    /// Whether [`MOVES`] lets this payment move to `to`.
    fn moves_to(self, to: PaymentStatus) -> bool {
        MOVES.contains(&(self, to))
    }

    /// Whether money can be returned from this payment: the table has a move from it to
    /// [`Refunded`].
    pub fn is_refundable(self) -> bool {
        self.moves_to(Refunded)
    }

    /// The statuses money can be returned from ([`PaymentStatus::is_refundable`]), in
    /// [`PaymentStatus::ALL`]'s order.
    pub fn refundable() -> Vec<PaymentStatus> {
        PaymentStatus::ALL.iter().copied().filter(|s| s.is_refundable()).collect()
    }

    /// Whether the payment waits for the closer to close its bill on the POS. The closer's
    /// steps toward a closed bill are the moves into [`ClosingOnPos`] (`payBill` sent) and into
    /// [`Closed`] (the POS closed the bill); a payment waits to be closed when the table gives
    /// it one of those moves: paid, `payBill` under way, or a `payBill` that failed and is
    /// retried.
    pub fn awaits_close(self) -> bool {
        self.moves_to(ClosingOnPos) || self.moves_to(Closed)
    }

    /// The statuses that wait to be closed ([`PaymentStatus::awaits_close`]), in
    /// [`PaymentStatus::ALL`]'s order: what the closer looks at on each pass and what the
    /// `closer_backlog` metric counts.
    pub fn awaiting_close() -> Vec<PaymentStatus> {
        PaymentStatus::ALL.iter().copied().filter(|s| s.awaits_close()).collect()
    }

    /// Whether an operator must look: money was taken that does not pay the bill.
    pub fn needs_operator(self) -> bool {
        matches!(self, AmountMismatch | LateCharge)
    }

    /// Whether we ended it before any money was taken, as far as we knew.
    pub fn ended_unpaid(self) -> bool {
        matches!(self, Failed | Expired | Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The moves as the design draws them, written out independently of [`MOVES`].
    fn drawn(from: PaymentStatus, to: PaymentStatus) -> bool {
        matches!(
            (from, to),
            (Created, Created | Paid | Failed | Expired | Cancelled | AmountMismatch)
                | (Paid, ClosingOnPos)
                | (ClosingOnPos, ClosingOnPos | Closed | PaidNotClosed)
                | (PaidNotClosed, ClosingOnPos | Refunded)
                | (Closed, Refunded)
                | (Failed | Expired | Cancelled, Paid | AmountMismatch | LateCharge)
                | (AmountMismatch | LateCharge, Refunded)
        )
    }

    #[test]
    fn every_pair_of_statuses_is_allowed_exactly_when_the_design_draws_it() {
        for &from in PaymentStatus::ALL {
            for &to in PaymentStatus::ALL {
                let checked = from.check_move(to);
                if drawn(from, to) {
                    assert_eq!(checked, Ok(()), "{} → {} should be allowed", from.as_str(), to.as_str());
                } else {
                    assert_eq!(checked, Err(ForbiddenMove { from, to }), "{} → {}", from.as_str(), to.as_str());
                }
            }
        }
    }

    #[test]
    fn refunded_payments_never_move_again() {
        for &to in PaymentStatus::ALL {
            assert!(Refunded.check_move(to).is_err(), "refunded → {}", to.as_str());
        }
    }

    #[test]
    fn an_ended_payment_moves_again_only_to_where_money_taken_after_all_is_seen() {
        for &from in PaymentStatus::ALL.iter().filter(|s| s.ended_unpaid()) {
            for &to in PaymentStatus::ALL {
                let allowed = from.check_move(to).is_ok();
                assert_eq!(allowed, to == Paid || to.needs_operator(), "{} → {}", from.as_str(), to.as_str());
            }
        }
    }

    #[test]
    fn money_taken_is_never_forgotten() {
        for &(from, to) in MOVES {
            if from.is_charged() || from.needs_operator() {
                let kept = to.is_charged() || to.needs_operator() || to == Refunded;
                assert!(kept, "{} → {} loses a charge", from.as_str(), to.as_str());
            }
        }
    }

    #[test]
    fn money_can_be_returned_from_a_closed_or_paid_but_not_closed_payment_and_from_one_held_for_an_operator() {
        assert_eq!(PaymentStatus::refundable(), [Closed, PaidNotClosed, AmountMismatch, LateCharge]);
        for &status in PaymentStatus::ALL {
            assert_eq!(status.is_refundable(), status.check_move(Refunded).is_ok(), "{}", status.as_str());
        }
    }

    #[test]
    fn a_payment_waits_to_be_closed_exactly_while_it_is_charged_and_its_bill_not_closed() {
        assert_eq!(PaymentStatus::awaiting_close(), [Paid, ClosingOnPos, PaidNotClosed]);
        for &status in PaymentStatus::ALL {
            assert_eq!(status.awaits_close(), status.is_charged() && status != Closed, "{}", status.as_str());
        }
    }

    #[test]
    fn what_needs_an_operator_never_holds_the_bill_and_leaves_only_by_a_refund() {
        for &status in PaymentStatus::ALL.iter().filter(|s| s.needs_operator()) {
            assert!(!status.holds_bill() && !status.is_charged(), "{}", status.as_str());
            for &to in PaymentStatus::ALL {
                assert_eq!(status.check_move(to).is_ok(), to == Refunded, "{} → {}", status.as_str(), to.as_str());
            }
        }
        assert_eq!(AmountMismatch.as_str(), "amount_mismatch");
    }

    #[test]
    fn every_status_reads_back_from_its_stored_name() {
        for &status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(PaymentStatus::from_name("paid "), None);
    }

    #[test]
    fn a_forbidden_move_says_which_one() {
        let error = Closed.check_move(Paid).unwrap_err();
        assert_eq!(error.to_string(), "a payment cannot move from closed to paid");
    }
}
