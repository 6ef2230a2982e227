//! Payments: from the guest's "Pay" to the POS closing the bill.
//!
//! A payment is a durable state machine in the store (`created → paid → closing_on_pos →
//! closed`, with `failed`, `expired`, `paid_not_closed`, `refunded`). Every step is one
//! transaction, and the allowed moves are one table ([`status`]); [`closer`] drives paid payments
//! to `closed` with `payBill`, retrying with backoff, and on start-up resumes whatever a crash
//! interrupted. The acquirer sits behind [`acquirer::Acquirer`]; the built-in [`sandbox`] is the
//! one we ship.
//!
//! [`Payments`] is the service: it holds what payments need (the store, the POS link, the
//! acquirer, the timings) and nothing else, so the guest pages, the admin API, the panel and the
//! closer all go through the same named moves.

pub mod acquirer;
pub mod checkout_pages;
pub mod closer;
mod error;
pub mod sandbox;
pub mod status;

pub use crate::config::PaymentTimings;
pub use error::PaymentError;

use crate::gateway::PosLink;
use crate::store::{
    CreateOutcome, NewPayment, NextAttempt, PaymentRecord, PaymentStatus, Store, StoreError, TransitionChanges,
};
use acquirer::{Acquirer, AcquirerError, ChargeRequest, ChargeStatus};
use rahunok_protocol::order::FiscalLine;
use rahunok_protocol::{ops::ShowMessage, Money};
use rand::distributions::{Alphanumeric, DistString};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The payment service shared by the guest pages, the admin and the closer (see the module docs).
pub struct Payments {
    store: Store,
    link: Arc<PosLink>,
    acquirer: Arc<dyn Acquirer>,
    sandbox: sandbox::Sandbox,
    timings: PaymentTimings,
    /// Where the acquirer sends the guest back (no trailing slash).
    base_url: String,
    /// Wakes the closer early.
    wake: Notify,
    /// Payments being closed right now (one task each).
    closing: Mutex<HashSet<String>>,
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
}

impl Payments {
    /// The service, charging through the sandbox (the only acquirer built in so far).
    pub fn new(
        store: Store,
        link: Arc<PosLink>,
        sandbox: sandbox::Sandbox,
        timings: PaymentTimings,
        base_url: &str,
    ) -> Payments {
        Payments {
            store,
            link,
            acquirer: Arc::new(sandbox.clone()),
            sandbox,
            timings,
            base_url: base_url.trim_end_matches('/').to_string(),
            wake: Notify::new(),
            closing: Mutex::new(HashSet::new()),
        }
    }

    /// The sandbox acquirer, for its card pages.
    pub fn sandbox(&self) -> &sandbox::Sandbox {
        &self.sandbox
    }

    /// Makes the closer look for work now instead of at its next tick.
    pub fn wake_closer(&self) {
        self.wake.notify_one();
    }

    /// Starts a payment (or returns the one this idempotency key already started).
    pub async fn start(&self, request: PaymentRequest) -> Result<PaymentRecord, PaymentError> {
        let id = format!("pay_{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 20));
        let new = NewPayment {
            id: id.clone(),
            resto_id: request.resto_id.clone(),
            bill_id: request.bill_id.clone(),
            table_number: request.table_number.clone(),
            idempotency_key: request.idempotency_key.clone(),
            sum: request.sum,
            tips: request.tips,
            acquirer: self.acquirer.name().to_string(),
            receipt: request.receipt.clone(),
        };
        let created = match self.store.create_payment(&new).await? {
            CreateOutcome::Created(created) => created,
            CreateOutcome::Existing(existing) => return Ok(existing),
            CreateOutcome::BillHeld(holder) => return Err(PaymentError::BillHeld(Box::new(holder))),
        };
        let charge = ChargeRequest {
            reference: id.clone(),
            amount: created.amount(),
            description: format!("Рахунок {}", request.bill_id),
            return_url: format!("{}/p/{}", self.base_url, id),
        };
        match self.acquirer.create(charge).await {
            Ok(checkout) => self.mark_sent_to_acquirer(&id, checkout.acquirer_ref, checkout.url).await?,
            Err(error) => {
                self.mark_refused_by_acquirer(&id, &error).await?;
                return Err(PaymentError::Acquirer(error));
            }
        };
        Ok(self.store.payment_by_id(&id).await?.expect("the payment exists"))
    }

    /// A verified acquirer notification: settle the payment it names.
    pub async fn on_notification(&self, body: &[u8], signature: Option<&str>) -> Result<(), PaymentError> {
        let event = self.acquirer.verify_notification(body, signature)?;
        let payment = self.store.payment_by_id(&event.acquirer_ref).await?.ok_or(PaymentError::NotFound)?;
        self.settle_with_acquirer(&payment).await?;
        self.wake_closer();
        Ok(())
    }

    /// Asks the acquirer about a `created` payment and moves it to `paid` or `failed`.
    pub async fn settle_with_acquirer(&self, payment: &PaymentRecord) -> Result<PaymentStatus, PaymentError> {
        if payment.status != PaymentStatus::Created {
            return Ok(payment.status);
        }
        let reference = payment.acquirer_ref.as_deref().unwrap_or(&payment.id);
        match self.acquirer.status(reference).await? {
            ChargeStatus::Pending => Ok(PaymentStatus::Created),
            ChargeStatus::Paid(card) => {
                let fiscal = vec![
                    FiscalLine::new("Еквайр", self.acquirer.name()),
                    FiscalLine::new("Картка", card.card_mask),
                    FiscalLine::new("Код авторизації", card.approval_code),
                    FiscalLine::new("RRN", card.rrn),
                    FiscalLine::new("Платіж", &payment.id),
                ];
                self.mark_paid(&payment.id, &fiscal).await?;
                Ok(PaymentStatus::Paid)
            }
            ChargeStatus::Declined(reason) => {
                self.mark_declined(&payment.id, reason).await?;
                Ok(PaymentStatus::Failed)
            }
        }
    }

    /// Refunds a closed (or paid but not closed) payment, then tells the POS staff to reopen the bill.
    pub async fn refund(&self, resto_id: &str, payment_id: &str) -> Result<PaymentRecord, PaymentError> {
        let (payment, _) = self.store.payment(resto_id, payment_id).await?.ok_or(PaymentError::NotFound)?;
        if payment.status.check_move(PaymentStatus::Refunded).is_err() {
            return Err(PaymentError::NotRefundable(payment.status));
        }
        let reference = payment.acquirer_ref.clone().unwrap_or_else(|| payment.id.clone());
        self.acquirer.refund(&reference, payment.amount()).await?;
        if !self.mark_refunded(&payment).await? {
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
        if let Err(error) = self.link.send_message(resto_id, &message).await {
            tracing::warn!(resto_id, payment = payment.id, %error, "refund done; the POS could not be told");
        }
        Ok(self.store.payment_by_id(&payment.id).await?.expect("the payment exists"))
    }

    /// Makes the closer try a `paid_not_closed` payment now.
    pub async fn retry_close_now(&self, resto_id: &str, payment_id: &str) -> Result<PaymentRecord, PaymentError> {
        let (payment, _) = self.store.payment(resto_id, payment_id).await?.ok_or(PaymentError::NotFound)?;
        if payment.status != PaymentStatus::PaidNotClosed {
            return Err(PaymentError::NotRetryable(payment.status));
        }
        self.store.schedule_payment(&payment.id, 0).await?;
        self.wake_closer();
        Ok(payment)
    }

    /// Marks a payment as being closed; false if a task already closes it.
    fn start_closing(&self, id: &str) -> bool {
        self.closing.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_string())
    }

    /// Marks a payment's closing task as finished.
    fn done_closing(&self, id: &str) {
        self.closing.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// The named moves of a payment. Each is one row of the table in [`status`], written in one
/// transaction; false when the payment was no longer where the move starts (someone else moved
/// it first).
impl Payments {
    async fn mark_sent_to_acquirer(&self, id: &str, acquirer_ref: String, url: String) -> Result<bool, StoreError> {
        let changes = TransitionChanges { checkout: Some((acquirer_ref, url)), ..Default::default() };
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Created, "sent to the acquirer", changes)
            .await
    }

    async fn mark_refused_by_acquirer(&self, id: &str, error: &AcquirerError) -> Result<bool, StoreError> {
        let changes = TransitionChanges { last_error: Some(error.to_string()), ..Default::default() };
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Failed, "the acquirer refused", changes)
            .await
    }

    async fn mark_paid(&self, id: &str, fiscal: &[FiscalLine]) -> Result<bool, StoreError> {
        let changes = TransitionChanges {
            fiscal: Some(serde_json::to_string(fiscal).expect("fiscal lines serialise")),
            next_attempt: NextAttempt::Clear,
            ..Default::default()
        };
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Paid, "the acquirer confirmed", changes)
            .await
    }

    async fn mark_declined(&self, id: &str, reason: String) -> Result<bool, StoreError> {
        let changes = TransitionChanges { last_error: Some(reason), ..Default::default() };
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Failed, "the acquirer declined", changes)
            .await
    }

    async fn mark_expired(&self, id: &str) -> Result<bool, StoreError> {
        let note = "the guest did not finish paying";
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Expired, note, TransitionChanges::default())
            .await
    }

    async fn mark_closing(&self, payment: &PaymentRecord) -> Result<bool, StoreError> {
        let changes = TransitionChanges { count_attempt: true, ..Default::default() };
        self.store
            .transition_payment(&payment.id, payment.status, PaymentStatus::ClosingOnPos, "payBill sent", changes)
            .await
    }

    async fn mark_closed(&self, id: &str, note: &str) -> Result<bool, StoreError> {
        let changes = TransitionChanges { next_attempt: NextAttempt::Clear, ..Default::default() };
        self.store.transition_payment(id, PaymentStatus::ClosingOnPos, PaymentStatus::Closed, note, changes).await
    }

    async fn mark_close_failed(&self, id: &str, error: String, retry_at: i64) -> Result<bool, StoreError> {
        let note = format!("payBill failed: {error}");
        let changes = TransitionChanges {
            next_attempt: NextAttempt::At(retry_at),
            last_error: Some(error),
            ..Default::default()
        };
        self.store
            .transition_payment(id, PaymentStatus::ClosingOnPos, PaymentStatus::PaidNotClosed, &note, changes)
            .await
    }

    async fn mark_refunded(&self, payment: &PaymentRecord) -> Result<bool, StoreError> {
        let note = "refunded by the restaurant";
        let changes = TransitionChanges::default();
        self.store.transition_payment(&payment.id, payment.status, PaymentStatus::Refunded, note, changes).await
    }
}
