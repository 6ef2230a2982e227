//! Where a payment is in its life, and the one table of moves between those places.
//!
//! Why this exists: a payment is money, so every change of its status must be one the design
//! allows (`created → paid → closing_on_pos → closed`, with `failed`, `expired`, `cancelled`,
//! `paid_not_closed` and `refunded` beside them). The moves are declared once, in [`MOVES`];
//! the store refuses any other with [`ForbiddenMove`], whoever asks.

use serde::Serialize;

/// Where a payment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Created; the guest is at the acquirer's page.
    Created,
    /// The acquirer confirmed the charge.
    Paid,
    /// `payBill` was sent to the POS.
    ClosingOnPos,
    /// The POS closed the bill.
    Closed,
    /// The acquirer declined, or the payment could not start.
    Failed,
    /// The guest never finished paying.
    Expired,
    /// The guest who started it cancelled it before paying (the charge was cancelled too).
    Cancelled,
    /// Charged but the POS did not close the bill yet; retried with backoff.
    PaidNotClosed,
    /// Money returned to the guest.
    Refunded,
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
    /// Every status.
    pub const ALL: &'static [PaymentStatus] =
        &[Created, Paid, ClosingOnPos, Closed, Failed, Expired, Cancelled, PaidNotClosed, Refunded];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Created => "created",
            Paid => "paid",
            ClosingOnPos => "closing_on_pos",
            Closed => "closed",
            Failed => "failed",
            Expired => "expired",
            Cancelled => "cancelled",
            PaidNotClosed => "paid_not_closed",
            Refunded => "refunded",
        }
    }

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
        !matches!(self, Failed | Expired | Cancelled | Refunded)
    }

    /// Whether the guest's money was taken.
    pub fn is_charged(self) -> bool {
        matches!(self, Paid | ClosingOnPos | Closed | PaidNotClosed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The moves as the design draws them, written out independently of [`MOVES`].
    fn drawn(from: PaymentStatus, to: PaymentStatus) -> bool {
        matches!(
            (from, to),
            (Created, Created | Paid | Failed | Expired | Cancelled)
                | (Paid, ClosingOnPos)
                | (ClosingOnPos, ClosingOnPos | Closed | PaidNotClosed)
                | (PaidNotClosed, ClosingOnPos | Refunded)
                | (Closed, Refunded)
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
    fn ended_payments_never_move_again() {
        for &to in PaymentStatus::ALL {
            for ended in [Failed, Expired, Cancelled, Refunded] {
                assert!(ended.check_move(to).is_err(), "{} → {}", ended.as_str(), to.as_str());
            }
        }
    }

    #[test]
    fn money_taken_is_never_forgotten() {
        for &(from, to) in MOVES {
            if from.is_charged() {
                assert!(to.is_charged() || to == Refunded, "{} → {} loses a charge", from.as_str(), to.as_str());
            }
        }
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
