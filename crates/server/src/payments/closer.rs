//! The closer: the background task that finishes payments. It sends `payBill` for every paid
//! payment until the POS closes the bill (a repeated `payBill` answered `ORDER_ALREADY_PAID`
//! counts as closed), backs off after failures (`paid_not_closed`, shown to the admin), asks the
//! acquirer about payments whose notification never came, and expires abandoned ones. It starts
//! with the server, so a crash at any step is resumed on restart.

use super::acquirer::AcquirerError;
use super::{PaymentError, Payments};
use crate::gateway::LinkError;
use crate::shutdown::Shutdown;
use crate::store::{now_ms, HeldLease, PaymentRecord, PaymentStatus};
use rahunok_protocol::envelope::substate;
use rahunok_protocol::ops::{GetBill, PayBill};
use rahunok_protocol::order::FiscalLine;
use rahunok_protocol::order::OrderState;
use std::sync::Arc;
use std::time::Duration;

/// Runs until `shutdown`: a pass every `tick`, or sooner when woken. A shutdown is noticed
/// between passes, never in the middle of one, and closing tasks already started finish their
/// step (every step is one transaction, so whatever is cut short resumes on the next start).
pub async fn run(payments: Arc<Payments>, mut shutdown: Shutdown) {
    while !shutdown.is_shutdown() {
        if let Err(error) = pass(&payments).await {
            tracing::error!(%error, "payment closer pass failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(payments.timings.tick) => {}
            _ = payments.wake.notified() => {}
            _ = shutdown.recv() => {}
        }
    }
    tracing::info!("payment closer stopped");
}

/// One pass over the payments that need something. Closing runs in its own task per
/// payment, so one slow POS does not hold up the others.
pub async fn pass(payments: &Arc<Payments>) -> Result<(), PaymentError> {
    let now = now_ms();
    for payment in payments.store.payments_in(&[PaymentStatus::Created]).await? {
        // One payment's trouble must not hold up the others.
        if let Err(error) = reconcile(payments, &payment, now).await {
            tracing::warn!(payment = payment.id, %error, "could not reconcile a payment with the acquirer");
            let problem = format!("could not ask the acquirer: {error}");
            if let Err(error) = payments.store.note_payment_problem(&payment.id, &problem).await {
                tracing::warn!(payment = payment.id, %error, "could not note the problem on the payment");
            }
        }
    }
    // Only candidates: by the time one is looked at it may be closed, or closing in another
    // task or on another node. Each is taken and read again under its lease in one transaction
    // (`take_payment_to_close`), and closed from that fresh row.
    let due = payments.store.payments_in(&PaymentStatus::awaiting_close()).await?;
    for candidate in due.into_iter().filter(|p| p.next_attempt_at.is_none_or(|at| at <= now)) {
        // One task per payment on this node…
        if !payments.start_closing(&candidate.id) {
            continue;
        }
        // …and one node at a time: another takes over when the lease of a node that died runs
        // out. `None` when the payment moved on since the list was read. The lease runs from
        // now, not from the start of the pass: reconciling and reading the list can take longer
        // than a lease under load, and a lease born expired let a second node send `payBill`.
        let lease = lease_from_now(payments);
        let taken = payments.store.take_payment_to_close(&candidate.id, &lease.node, lease.now, lease.until).await;
        let payment = match taken {
            Ok(Some(payment)) => payment,
            Ok(None) => {
                payments.done_closing(&candidate.id);
                continue;
            }
            Err(error) => {
                payments.done_closing(&candidate.id);
                return Err(error.into());
            }
        };
        let payments = payments.clone();
        tokio::spawn(async move {
            let id = payment.id.clone();
            if let Err(error) = close(&payments, payment).await {
                tracing::error!(payment = id, %error, "closing a payment failed; retrying on the next pass");
            }
            if let Err(error) = payments.store.release_payment_lease(&id, &payments.node).await {
                tracing::warn!(payment = id, %error, "could not give the payment's lease back; it runs out by itself");
            }
            payments.done_closing(&id);
        });
    }
    Ok(())
}

/// How long a node may hold a payment: one `payBill` round trip with room to spare.
fn lease_length(payments: &Payments) -> Duration {
    payments.link.deadline() * 2 + Duration::from_secs(10)
}

/// This node's lease on a payment, from now for [`lease_length`]: what taking a payment sets,
/// and what a move that sends `payBill` requires still held and renews.
fn lease_from_now(payments: &Payments) -> HeldLease {
    let now = now_ms();
    HeldLease { node: payments.node.clone(), now, until: now + lease_length(payments).as_millis() as i64 }
}

/// Asks the acquirer about a payment whose notification did not come, and expires it when the
/// guest never finished.
///
/// A payment whose creator still holds it is left alone: the node is making the charge
/// (`PaymentTimings::create_charge_within`) or answering the guest (`Payments::hand_to_guest`).
/// Once nobody holds one that never reached its guest, it is an orphan ([`is_orphan`]) and is
/// expired — as soon as it is looked at when the acquirer had made its charge (its node died
/// after that, before answering the guest), once `reconcile_after` old otherwise. A payment with no
/// sign of the guest at the acquirer for `PaymentTimings::hold_without_activity` ends early for
/// the same reason. Expiring cancels any charge the acquirer did create first
/// (`Payments::withdraw_charge`), and a charge paid meanwhile is settled instead.
///
/// When the acquirer refuses the restaurant's credentials (revoked or replaced at the acquirer),
/// it can be neither asked nor told to cancel: the payment keeps its bill and is asked again with
/// the usual growing delay until its charge has lapsed at the acquirer (`created_at +
/// expire_after`, the validity the charge was made with, so no guest can pay it any more), and
/// is then failed, its bill free. Not sooner: a guest who paid on a page still open would
/// otherwise pay a bill another guest may pay again. The refusal is on the payment
/// (`last_error`), with the credentials for the admin, and in the failed payment's timeline.
async fn reconcile(payments: &Payments, payment: &PaymentRecord, now: i64) -> Result<(), PaymentError> {
    let refused = match follow_unfinished(payments, payment, now).await {
        Err(PaymentError::Acquirer(AcquirerError::CredentialsRefused(reason))) => reason,
        other => return other,
    };
    let lapses_at = charge_lapses_at(payment, &payments.timings);
    if now >= lapses_at {
        tracing::warn!(payment = payment.id, reason = refused, "the acquirer refuses the credentials: failed");
        payments.mark_failed_unaskable(&payment.id, &refused).await?;
        return Ok(());
    }
    let age = now - payment.created_at;
    payments.store.schedule_payment(&payment.id, (now + poll_delay(payments, age)).min(lapses_at)).await?;
    Err(AcquirerError::CredentialsRefused(refused).into())
}

/// Whether an unfinished payment is an orphan: its guest never got its page — a crash between
/// our insert and the guest's answer (after the charge was made, too) — and nobody is making it
/// any more (its creator's lease given back by a restart, or run out). No guest holds its
/// checkout page, so it only blocks the bill (everyone, the payer too, would see "someone is
/// already paying"). A payment made by a release that did not mark handing over is an orphan
/// only without any checkout, as that release decided.
pub fn is_orphan(payment: &PaymentRecord, now: i64) -> bool {
    let held = payment.lease_until.is_some_and(|until| until >= now);
    let never_sent = payment.acquirer_ref.is_none() && payment.checkout_url.is_none();
    !held && (payment.awaiting_guest || never_sent)
}

/// The closer's steps for an unfinished payment (see [`reconcile`]).
async fn follow_unfinished(payments: &Payments, payment: &PaymentRecord, now: i64) -> Result<(), PaymentError> {
    let timings = &payments.timings;
    if payment.lease_until.is_some_and(|until| until >= now) {
        return Ok(()); // its creator is still at work: making the charge, or answering the guest
    }
    let age = now - payment.created_at;
    let expire_at = hold_ends_at(payment, timings);
    let orphan = is_orphan(payment, now);
    // An orphan whose charge was made is released at once; one with none, once it is
    // `reconcile_after` old, as always (nothing at the acquirer to withdraw, and payments stored
    // by hand — tools, tests — are settled within that).
    let charged = payment.acquirer_ref.is_some() || payment.checkout_url.is_some();
    let young = age < timings.reconcile_after.as_millis() as i64 && now < expire_at;
    let not_yet = payment.next_attempt_at.is_some_and(|at| at > now);
    if (young && !(orphan && charged)) || not_yet {
        return Ok(());
    }
    // An orphan a guest may still be handed (another node answering a repeated pay form) is
    // claimed first: from then on nobody hands it to a guest, and a guest handed it first keeps it.
    if orphan && payment.awaiting_guest {
        // Seen free at `now` (the pass's start: never later than the truth); held from now on.
        let lease = lease_from_now(payments);
        if !payments.store.claim_orphan(&payment.id, &lease.node, now, lease.until).await? {
            return Ok(());
        }
    }
    let status = match payments.settle_with_acquirer(payment).await {
        Err(PaymentError::Acquirer(AcquirerError::UnknownCharge(_))) => PaymentStatus::Created,
        other => other?,
    };
    if status != PaymentStatus::Created {
        return Ok(());
    }
    if orphan || now >= expire_at {
        expire(payments, payment, orphan).await?;
    } else {
        payments.store.schedule_payment(&payment.id, (now + poll_delay(payments, age)).min(expire_at)).await?;
    }
    Ok(())
}

/// When an unfinished payment's charge lapses at the acquirer: the validity it was made with
/// (`PaymentTimings::expire_after`), after which no guest can pay it.
pub fn charge_lapses_at(payment: &PaymentRecord, timings: &super::PaymentTimings) -> i64 {
    payment.created_at + timings.expire_after.as_millis() as i64
}

/// When an unfinished payment stops holding its bill: its expiry, or sooner when the guest
/// shows no sign of life at the acquirer for `hold_without_activity`.
pub fn hold_ends_at(payment: &PaymentRecord, timings: &super::PaymentTimings) -> i64 {
    let expiry = payment.created_at + timings.expire_after.as_millis() as i64;
    let idle = payment.active_at.unwrap_or(payment.created_at) + timings.hold_without_activity.as_millis() as i64;
    expiry.min(idle)
}

/// How long until the acquirer is asked again about an unfinished payment: half its age, at
/// least one tick and at most the longest retry delay — often at first, then less and less.
fn poll_delay(payments: &Payments, age_ms: i64) -> i64 {
    let timings = &payments.timings;
    (age_ms / 2).clamp(timings.tick.as_millis() as i64, timings.max_retry_delay.as_millis() as i64)
}

/// Cancels the acquirer's charge first, so a guest who comes back late cannot pay an expired
/// payment; if it was paid (or is being paid) meanwhile, it is settled instead, and a charge
/// being paid counts as the guest's activity.
async fn expire(payments: &Payments, payment: &PaymentRecord, orphan: bool) -> Result<(), PaymentError> {
    if !payments.withdraw_charge(payment).await? {
        tracing::info!(payment = payment.id, "an expiring payment turned out paid (or being paid): it stands");
        payments.store.note_payment_activity(&payment.id).await?;
        payments.settle_with_acquirer(payment).await?;
        return Ok(());
    }
    if orphan {
        payments.mark_orphan_released(&payment.id).await?;
    } else {
        payments.mark_expired(&payment.id).await?;
    }
    Ok(())
}

/// Sends `payBill` for one payment, as just read under its lease, and records the outcome.
/// The move to `closing_on_pos` is made before the frame leaves; a payment already there was
/// left by a `payBill` whose answer was never recorded, and [`resume`] decides whether it is
/// sent again.
async fn close(payments: &Payments, payment: PaymentRecord) -> Result<(), PaymentError> {
    let send = match payment.status {
        // Each move that sends `payBill` is made only while this node's lease still holds (and
        // renews it): a node that was too slow, whose payment another node has taken over, sends
        // nothing.
        PaymentStatus::Paid | PaymentStatus::PaidNotClosed => {
            payments.mark_closing(&payment, lease_from_now(payments)).await?
        }
        PaymentStatus::ClosingOnPos => resume(payments, &payment).await?,
        _ => false,
    };
    if !send {
        return Ok(());
    }
    let fiscal_data: Vec<FiscalLine> =
        payment.fiscal.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_default();
    let request = PayBill { bill_id: payment.bill_id.clone(), sum: payment.sum, tips: payment.tips, fiscal_data };
    let outcome = payments.link.request(&payment.resto_id, &request).await;
    let closed = match &outcome {
        Ok(_) => Some("the POS closed the bill"),
        Err(LinkError::PosFail { substate: s, .. }) if s == substate::ORDER_ALREADY_PAID => {
            Some("the POS already had the bill paid (a repeated payBill)")
        }
        Err(_) => None,
    };
    if let Some(note) = closed {
        payments.mark_closed(&payment.id, note).await?;
        return Ok(());
    }
    let Err(failure) = outcome else { return Ok(()) };
    let error = failure.to_string();
    let retry_at = now_ms() + backoff(payments, payment.attempts.max(1)).as_millis() as i64;
    if fate_unknown(&failure) {
        // The POS may have closed the bill: the next attempt asks it first (`resume`).
        tracing::warn!(
            payment = payment.id,
            resto_id = payment.resto_id,
            error,
            "payBill got no usable answer; the POS is asked before any retry"
        );
        payments.mark_close_unanswered(&payment.id, error, retry_at).await?;
    } else {
        tracing::warn!(payment = payment.id, resto_id = payment.resto_id, error, "payBill failed; will retry");
        payments.mark_close_failed(&payment.id, error, retry_at).await?;
    }
    Ok(())
}

/// Whether a failed `payBill` may still have reached the POS and closed the bill: no answer in
/// time (here or through the node holding the socket, whose own answer may be what was lost),
/// or an answer we could not use. Only "not connected" (the frame never left) and the POS's
/// own refusal are known not to have closed it.
fn fate_unknown(failure: &LinkError) -> bool {
    match failure {
        LinkError::Offline | LinkError::PosFail { .. } => false,
        LinkError::Timeout(_) | LinkError::AnswerInvalid(_) | LinkError::Unreadable(_) => true,
    }
}

/// What the POS says of a bill whose `payBill` answer was never recorded.
enum BillOnPos {
    /// Paid (or closed): no second `payBill`.
    Paid,
    /// Still open: the first `payBill` never closed it.
    Open,
    /// It answered, and the answer does not tell (why).
    Unknown(String),
    /// It cannot be asked now (not connected, or no answer in time): asked again later, and
    /// `payBill` is not sent meanwhile — it could not get through either, or might close the
    /// bill a second time.
    NotNow(String),
}

/// A payment found in `closing_on_pos` under a lease just taken: its node sent `payBill` and
/// died (or could not record the answer) before the outcome was written. Before sending it
/// again, the POS is asked (`getBill` by `billId`) whether the bill is paid; if so, the payment
/// is closed without a second `payBill`. If the POS cannot be asked now (not connected, no
/// answer in time), it is asked again later and nothing is sent meanwhile. If its answer does
/// not tell (`ORDER_NOT_FOUND`: paid and gone, or removed — only `payBill` tells which),
/// `payBill` is sent again and the POS's own deduplication (`ORDER_ALREADY_PAID`) decides. Each way is
/// recorded in the payment's timeline. True when `payBill` is to be sent again.
async fn resume(payments: &Payments, payment: &PaymentRecord) -> Result<bool, PaymentError> {
    let asked = payments.link.request(&payment.resto_id, &GetBill::for_bill(payment.bill_id.clone())).await;
    let bill = match asked {
        Ok(answer) => match answer.body.orders.iter().find(|o| o.bill_id == payment.bill_id) {
            Some(order) if order.state == Some(OrderState::Payed) => BillOnPos::Paid,
            Some(_) => BillOnPos::Open,
            None => BillOnPos::Unknown("its getBill answer does not list the bill".into()),
        },
        Err(LinkError::PosFail { substate: s, .. }) if s == substate::ORDER_ALREADY_PAID => BillOnPos::Paid,
        Err(error @ (LinkError::Offline | LinkError::Timeout(_))) => BillOnPos::NotNow(error.to_string()),
        Err(error) => BillOnPos::Unknown(error.to_string()),
    };
    match bill {
        BillOnPos::Paid => {
            let note = "the POS reports the bill paid: closed without a second payBill (the answer to the first was never recorded)";
            payments.mark_closed(&payment.id, note).await?;
            Ok(false)
        }
        BillOnPos::Open => {
            let note = "payBill sent again: its earlier answer was never recorded and the POS reports the bill open";
            Ok(payments.mark_closing_again(payment, note, lease_from_now(payments)).await?)
        }
        BillOnPos::NotNow(why) => {
            let retry_at = now_ms() + backoff(payments, payment.attempts.max(1)).as_millis() as i64;
            let note =
                format!("the POS could not be asked whether the bill is paid ({why}); asking again before any payBill");
            payments.keep_closing(&payment.id, &note, why, retry_at).await?;
            Ok(false)
        }
        BillOnPos::Unknown(why) => {
            tracing::warn!(
                payment = payment.id,
                why,
                "the POS could not say whether the bill is paid; payBill is sent again"
            );
            let note = format!(
                "payBill sent again without knowing whether the first closed the bill: the POS could not be asked ({why}); \
                 it refuses a repeat as ORDER_ALREADY_PAID"
            );
            Ok(payments.mark_closing_again(payment, &note, lease_from_now(payments)).await?)
        }
    }
}

fn backoff(payments: &Payments, attempts: i64) -> Duration {
    let timings = &payments.timings;
    let factor = 2u32.saturating_pow(attempts.clamp(1, 16) as u32 - 1);
    timings.retry_base.saturating_mul(factor).min(timings.max_retry_delay)
}
