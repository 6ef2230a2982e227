//! Payments: from the guest's "Pay" to the POS closing the bill.
//!
//! A payment is a durable state machine in the store (`created → paid → closing_on_pos →
//! closed`, with `failed`, `expired`, `paid_not_closed`, `refunded`). Every step is one
//! transaction; [`closer`] drives paid payments to `closed` with `payBill`, retrying with backoff,
//! and on start-up resumes whatever a crash interrupted. The acquirer sits behind
//! [`acquirer::Acquirer`]; the built-in [`sandbox`] is the one we ship.

pub mod acquirer;
pub mod checkout_pages;
pub mod closer;
mod error;
pub mod sandbox;

pub use error::PaymentError;

use crate::state::AppState;
use crate::store::{CreateOutcome, NewPayment, PaymentRecord, PaymentStatus, TransitionChanges};
use acquirer::{Acquirer, ChargeRequest, ChargeStatus};
use rahunok_protocol::order::FiscalLine;
use rahunok_protocol::{ops::ShowMessage, Money};
use rand::distributions::{Alphanumeric, DistString};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Timings of the payment machinery (shortened in tests).
#[derive(Debug, Clone)]
pub struct PaymentTimings {
    /// How often the closer looks for work even when not woken.
    pub tick: Duration,
    /// First retry delay after a failed `payBill`; doubles up to `max_retry_delay`.
    pub retry_base: Duration,
    /// Longest delay between `payBill` retries.
    pub max_retry_delay: Duration,
    /// Ask the acquirer about a `created` payment with no notification after this long.
    pub reconcile_after: Duration,
    /// A payment the guest never finished expires after this long.
    pub expire_after: Duration,
}

impl Default for PaymentTimings {
    fn default() -> PaymentTimings {
        PaymentTimings {
            tick: Duration::from_secs(1),
            retry_base: Duration::from_secs(2),
            max_retry_delay: Duration::from_secs(300),
            reconcile_after: Duration::from_secs(20),
            expire_after: Duration::from_secs(15 * 60),
        }
    }
}

/// The payment service shared by the guest pages, the admin and the closer.
pub struct Payments {
    /// The acquirer in use.
    pub acquirer: Arc<dyn Acquirer>,
    /// The sandbox, for its card pages (also the acquirer when it is in use).
    pub sandbox: sandbox::Sandbox,
    /// Timings.
    pub timings: PaymentTimings,
    /// Wakes the closer early.
    pub wake: Notify,
    /// Payments being closed right now (one task each).
    pub closing: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Payments {
    /// Marks a payment as being closed; false if a task already closes it.
    pub fn start_closing(&self, id: &str) -> bool {
        self.closing.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_string())
    }

    /// Marks a payment's closing task as finished.
    pub fn done_closing(&self, id: &str) {
        self.closing.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// What the guest asked to pay.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    /// The restaurant.
    pub resto_id: String,
    /// The bill.
    pub bill_id: String,
    /// The table.
    pub table_number: Option<String>,
    /// Bill amount (as just re-fetched from the POS).
    pub sum: Money,
    /// Tip.
    pub tips: Money,
    /// The form's idempotency key.
    pub idempotency_key: String,
    /// Receipt JSON (restaurant, items, waiter).
    pub receipt: String,
    /// Where the guest comes back to.
    pub return_url_base: String,
}

/// Starts a payment (or returns the one this idempotency key already started).
pub async fn start(state: &AppState, request: PaymentRequest) -> Result<PaymentRecord, PaymentError> {
    let payments = &state.payments;
    let id = format!("pay_{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 20));
    let new = NewPayment {
        id: id.clone(),
        resto_id: request.resto_id.clone(),
        bill_id: request.bill_id.clone(),
        table_number: request.table_number.clone(),
        idempotency_key: request.idempotency_key.clone(),
        sum: request.sum,
        tips: request.tips,
        acquirer: payments.acquirer.name().to_string(),
        receipt: request.receipt.clone(),
    };
    let created = match state.store.create_payment(&new).await? {
        CreateOutcome::Created(created) => created,
        CreateOutcome::Existing(existing) => return Ok(existing),
        CreateOutcome::BillHeld(holder) => return Err(PaymentError::BillHeld(Box::new(holder))),
    };
    let charge = ChargeRequest {
        reference: id.clone(),
        amount: created.amount(),
        description: format!("Рахунок {}", request.bill_id),
        return_url: format!("{}/p/{}", request.return_url_base, id),
    };
    match payments.acquirer.create(charge).await {
        Ok(checkout) => {
            let changes =
                TransitionChanges { checkout: Some((checkout.acquirer_ref, checkout.url)), ..Default::default() };
            state
                .store
                .transition_payment(
                    &id,
                    PaymentStatus::Created,
                    PaymentStatus::Created,
                    "sent to the acquirer",
                    changes,
                )
                .await?;
        }
        Err(error) => {
            let changes = TransitionChanges { last_error: Some(error.to_string()), ..Default::default() };
            state
                .store
                .transition_payment(&id, PaymentStatus::Created, PaymentStatus::Failed, "the acquirer refused", changes)
                .await?;
            return Err(PaymentError::Acquirer(error));
        }
    }
    Ok(state.store.payment_by_id(&id).await?.expect("the payment exists"))
}

/// A verified acquirer notification: settle the payment it names.
pub async fn on_notification(state: &AppState, body: &[u8], signature: Option<&str>) -> Result<(), PaymentError> {
    let event = state.payments.acquirer.verify_notification(body, signature)?;
    let payment = state.store.payment_by_id(&event.acquirer_ref).await?.ok_or(PaymentError::NotFound)?;
    settle_with_acquirer(state, &payment).await?;
    state.payments.wake.notify_one();
    Ok(())
}

/// Asks the acquirer about a `created` payment and moves it to `paid` or `failed`.
pub async fn settle_with_acquirer(state: &AppState, payment: &PaymentRecord) -> Result<PaymentStatus, PaymentError> {
    if payment.status != PaymentStatus::Created {
        return Ok(payment.status);
    }
    let reference = payment.acquirer_ref.as_deref().unwrap_or(&payment.id);
    match state.payments.acquirer.status(reference).await? {
        ChargeStatus::Pending => Ok(PaymentStatus::Created),
        ChargeStatus::Paid(card) => {
            let fiscal = vec![
                FiscalLine::new("Еквайр", state.payments.acquirer.name()),
                FiscalLine::new("Картка", card.card_mask),
                FiscalLine::new("Код авторизації", card.approval_code),
                FiscalLine::new("RRN", card.rrn),
                FiscalLine::new("Платіж", &payment.id),
            ];
            let changes = TransitionChanges {
                fiscal: Some(serde_json::to_string(&fiscal).expect("fiscal lines serialise")),
                next_attempt_at: Some(None),
                ..Default::default()
            };
            state
                .store
                .transition_payment(
                    &payment.id,
                    PaymentStatus::Created,
                    PaymentStatus::Paid,
                    "the acquirer confirmed",
                    changes,
                )
                .await?;
            Ok(PaymentStatus::Paid)
        }
        ChargeStatus::Declined(reason) => {
            let changes = TransitionChanges { last_error: Some(reason), ..Default::default() };
            state
                .store
                .transition_payment(
                    &payment.id,
                    PaymentStatus::Created,
                    PaymentStatus::Failed,
                    "the acquirer declined",
                    changes,
                )
                .await?;
            Ok(PaymentStatus::Failed)
        }
    }
}

/// Refunds a closed (or paid but not closed) payment, then tells the POS staff to reopen the bill.
pub async fn refund(state: &AppState, resto_id: &str, payment_id: &str) -> Result<PaymentRecord, PaymentError> {
    let (payment, _) = state.store.payment(resto_id, payment_id).await?.ok_or(PaymentError::NotFound)?;
    if !matches!(payment.status, PaymentStatus::Closed | PaymentStatus::PaidNotClosed) {
        return Err(PaymentError::NotRefundable(payment.status));
    }
    let reference = payment.acquirer_ref.clone().unwrap_or_else(|| payment.id.clone());
    state.payments.acquirer.refund(&reference, payment.amount()).await?;
    let moved = state
        .store
        .transition_payment(
            &payment.id,
            payment.status,
            PaymentStatus::Refunded,
            "refunded by the restaurant",
            TransitionChanges::default(),
        )
        .await?;
    if !moved {
        return Err(PaymentError::NotRefundable(payment.status));
    }
    let message = ShowMessage {
        message: format!(
            "Оплату рахунку {} ({} грн) повернено гостю: позначте рахунок неоплаченим. / Payment for bill {} was refunded: mark it unpaid.",
            payment.bill_id,
            payment.amount(),
            payment.bill_id
        ),
        warning: true,
        bill_id: Some(payment.bill_id.clone()),
    };
    if let Err(error) = state.link.send_message(resto_id, &message).await {
        tracing::warn!(resto_id, payment = payment.id, %error, "refund done; the POS could not be told");
    }
    Ok(state.store.payment_by_id(&payment.id).await?.expect("the payment exists"))
}

/// Makes the closer try a `paid_not_closed` payment now.
pub async fn retry_close_now(
    state: &AppState,
    resto_id: &str,
    payment_id: &str,
) -> Result<PaymentRecord, PaymentError> {
    let (payment, _) = state.store.payment(resto_id, payment_id).await?.ok_or(PaymentError::NotFound)?;
    if payment.status != PaymentStatus::PaidNotClosed {
        return Err(PaymentError::NotRetryable(payment.status));
    }
    state.store.schedule_payment(&payment.id, 0).await?;
    state.payments.wake.notify_one();
    Ok(payment)
}
