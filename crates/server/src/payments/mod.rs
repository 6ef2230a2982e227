//! Payments: from the guest's "Pay" to the POS closing the bill.
//!
//! A payment is a durable state machine in the store (`created → paid → closing_on_pos →
//! closed`, with `failed`, `expired`, `paid_not_closed`, `refunded`, and `amount_mismatch`,
//! `late_charge` for an operator). Every step is one transaction, and the allowed moves are one
//! table (`crate::payment_status::MOVES`); [`closer`] drives paid payments to `closed` with
//! `payBill`, retrying with backoff, and on start-up resumes whatever a crash interrupted. The
//! acquirer sits behind [`acquirer::Acquirer`]; each kind of acquirer describes itself with an
//! [`acquirer_kind::AcquirerKind`], and [`acquirers`] lists them all (the built-in [`sandbox`],
//! the default, [`monobank`] and [`liqpay`]) and picks each restaurant's.
//!
//! One rule for every acquirer, here and nowhere else: a success (notified or answered to a
//! status question) counts as paid only when the acquirer says it took exactly the amount we
//! asked, in hryvnias ([`acquirer::Charged`]). Anything else is `amount_mismatch`: not paid, the
//! POS not told, the reason on the payment and in its timeline, counted in the metrics. A success
//! notified for a payment we had ended is looked at, never dropped: the acquirer is asked, and a
//! charge it confirms is paid when the bill is still free, or held as `late_charge` otherwise.
//!
//! [`Payments`] is the service: it holds what payments need (the store, the POS link, the
//! acquirer, the timings) and nothing else, so the guest pages, the admin API, the panel and the
//! closer all go through the same named moves.

pub mod acquirer;
pub mod acquirer_kind;
pub mod acquirers;
pub mod basket;
pub mod closer;
mod counted_acquirer;
mod error;
pub mod liqpay;
pub mod monobank;
pub mod receipt_data;
pub mod sandbox;

pub use crate::config::PaymentTimings;
pub use error::{notification_answer, PaymentError, UNKNOWN_ACQUIRER};

/// What the acquirers' own pages and notification routes use.
#[derive(Clone)]
pub struct PaymentsState {
    /// Payments and the acquirers.
    pub payments: Arc<Payments>,
    /// The store.
    pub store: Store,
}

/// The acquirers' routes, each kind's own (the sandbox's hosted card pages and notifications,
/// monobank's webhook, …).
pub fn routes(payments: &Payments) -> Router<PaymentsState> {
    payments.acquirers.kinds().iter().fold(Router::new(), |routes, kind| routes.merge(kind.routes()))
}

use crate::gateway::PosLink;
use crate::store::{
    CreateOutcome, HeldLease, NewPayment, NextAttempt, PaymentRecord, PaymentStatus, RefundReservation, Store,
    StoreError, TransitionChanges,
};
use acquirer::{AcquirerError, CardReceipt, ChargeRequest, ChargeStatus};
use acquirers::Acquirers;
use axum::Router;
use rahunok_protocol::order::FiscalLine;
use rahunok_protocol::{ops::ShowMessage, Money};
use rand::distributions::{Alphanumeric, DistString};
use receipt_data::ReceiptData;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The payment service shared by the guest pages, the admin and the closer (see the module docs).
pub struct Payments {
    store: Store,
    link: Arc<PosLink>,
    acquirers: Acquirers,
    timings: PaymentTimings,
    /// Where the acquirer sends the guest back (no trailing slash).
    base_url: String,
    /// Wakes the closer early.
    wake: Notify,
    /// Payments being closed right now (one task each).
    closing: Mutex<HashSet<String>>,
    /// This node's name: the holder of the leases its closer takes.
    node: String,
}

/// How long past [`PaymentTimings::create_charge_within`] a new payment stays held by its
/// creator: room for the writes that record the acquirer's answer. Once the charge is made,
/// the creator holds it this long for answering the guest ([`Payments::hand_to_guest`]), so a
/// node that dies in between leaves an orphan another node releases within seconds.
const CREATION_WRITES: std::time::Duration = std::time::Duration::from_secs(10);

/// How often a guest's page may make us ask the acquirer about an unfinished payment
/// ([`Payments::settle_for_guest`]), whichever node serves it.
pub const GUEST_ASKS_AT_MOST_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a payment failed when the acquirer did not make its charge in time.
fn too_slow(allowed: std::time::Duration) -> String {
    format!("the acquirer did not create the charge within {} s", allowed.as_secs_f64())
}

/// A refund the restaurant asks for.
#[derive(Debug, Clone, Default)]
pub struct RefundRequest {
    /// How much; everything left when `None`.
    pub amount: Option<Money>,
    /// The caller's key for this refund: asked again with the same key, nothing more is
    /// returned. A fresh key is made when `None`.
    pub key: Option<String>,
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
    /// The browser paying (SHA-256 hex of its guest cookie): only it may cancel.
    pub payer: Option<String>,
}

impl Payments {
    /// The service, charging through each restaurant's acquirer.
    pub fn new(
        store: Store,
        link: Arc<PosLink>,
        acquirers: Acquirers,
        timings: PaymentTimings,
        base_url: &str,
    ) -> Payments {
        Payments {
            store,
            link,
            acquirers,
            timings,
            base_url: base_url.trim_end_matches('/').to_string(),
            wake: Notify::new(),
            closing: Mutex::new(HashSet::new()),
            node: "node".to_string(),
        }
    }

    /// Names the node this service runs on (the holder of the payment leases it takes).
    pub fn on_node(mut self, node: &str) -> Payments {
        self.node = node.to_string();
        self
    }

    /// The name of the node this service runs on (the holder of its payment leases).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Every acquirer (to choose a restaurant's, and to read their descriptors).
    pub fn acquirers(&self) -> &Acquirers {
        &self.acquirers
    }

    /// Makes the closer look for work now instead of at its next tick.
    pub fn wake_closer(&self) {
        self.wake.notify_one();
    }

    /// Starts a payment (or returns the one this idempotency key already started).
    pub async fn start(&self, request: PaymentRequest) -> Result<PaymentRecord, PaymentError> {
        let id = format!("pay_{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 20));
        let acquirer = self.acquirers.for_new_payment(&request.resto_id).await?;
        let new = NewPayment {
            id: id.clone(),
            resto_id: request.resto_id.clone(),
            bill_id: request.bill_id.clone(),
            table_number: request.table_number.clone(),
            idempotency_key: request.idempotency_key.clone(),
            sum: request.sum,
            tips: request.tips,
            acquirer: acquirer.name().to_string(),
            receipt: request.receipt.clone(),
            payer: request.payer.clone(),
        };
        // Held as being created while the acquirer makes the charge (and a little longer, for
        // the writes after it), so the closer does not take it for an orphan meanwhile.
        let creating_until =
            crate::store::now_ms() + (self.timings.create_charge_within + CREATION_WRITES).as_millis() as i64;
        let created = match self.store.create_payment_held(&new, &self.node, creating_until).await? {
            CreateOutcome::Created(created) => created,
            CreateOutcome::Existing(existing) => return Ok(existing),
            CreateOutcome::BillHeld(holder) => return Err(PaymentError::BillHeld(Box::new(holder))),
        };
        let receipt: Option<ReceiptData> = serde_json::from_str(&request.receipt).ok();
        let charge = ChargeRequest {
            reference: id.clone(),
            amount: created.amount(),
            description: charge_description(&created),
            return_url: receipt_url(&self.base_url, &id),
            basket: basket::basket(receipt.as_ref(), created.sum, created.tips),
            validity: self.timings.expire_after,
        };
        let made = tokio::time::timeout(self.timings.create_charge_within, acquirer.create(charge))
            .await
            .unwrap_or_else(|_| Err(AcquirerError::Unavailable(too_slow(self.timings.create_charge_within))));
        match made {
            Ok(checkout) => {
                self.mark_sent_to_acquirer(&id, checkout.acquirer_ref, checkout.url).await?;
                self.answering_guest(&id).await;
            }
            Err(error) => {
                self.mark_refused_by_acquirer(&id, &error).await?;
                self.done_creating(&id).await;
                return Err(PaymentError::Acquirer(error));
            }
        }
        Ok(self.store.payment_by_id(&id).await?.expect("the payment exists"))
    }

    /// The charge is made; the creator keeps the payment only while the guest's answer is made
    /// ([`CREATION_WRITES`]), until [`Payments::hand_to_guest`] gives it back. If this fails the
    /// longer lease it was created with stands.
    async fn answering_guest(&self, id: &str) {
        let now = crate::store::now_ms();
        let until = now + CREATION_WRITES.as_millis() as i64;
        if let Err(error) = self.store.take_payment_lease(id, &self.node, now, until).await {
            tracing::warn!(payment = id, %error, "could not shorten a new payment's lease; it runs out by itself");
        }
    }

    /// The guest's answer sending them to the acquirer's page for this unfinished payment is
    /// being returned: from now on the guest has it (the payment no longer awaits its guest, see
    /// `closer`'s orphans), and this node, its creator, gives its lease back. Called at the very
    /// end of the pay handler, and again harmlessly for a repeated submit. False when the payment
    /// is no longer unfinished — released as an orphan because the answer took too long — so
    /// the guest must not be sent to pay it.
    pub async fn hand_to_guest(&self, payment_id: &str) -> Result<bool, PaymentError> {
        Ok(self.store.hand_payment_to_guest(payment_id, &self.node).await?)
    }

    /// Gives back the lease a payment was created under: with several nodes, another node's
    /// closer may then take it up at once. If that fails the lease runs out by itself.
    async fn done_creating(&self, id: &str) {
        if let Err(error) = self.store.release_payment_lease(id, &self.node).await {
            tracing::warn!(payment = id, %error, "could not give a new payment's lease back; it runs out by itself");
        }
    }

    /// The guest who started a payment takes it back before paying: the acquirer's charge is
    /// cancelled and the bill is free at once. Only the browser that started it (`payer`, the
    /// hash of its guest cookie) may. A charge the acquirer will not cancel because it is paid
    /// or being paid stands and is settled instead; a payment already past `created` is left as
    /// it is. Answers the payment as it now is.
    pub async fn cancel_by_guest(&self, payment_id: &str, payer: Option<&str>) -> Result<PaymentRecord, PaymentError> {
        let payment = self.store.payment_by_id(payment_id).await?.ok_or(PaymentError::NotFound)?;
        if payment.payer.is_none() || payment.payer.as_deref() != payer {
            return Err(PaymentError::NotYours);
        }
        if payment.status == PaymentStatus::Created {
            if self.withdraw_charge(&payment).await? {
                self.mark_cancelled(&payment.id).await?;
            } else {
                self.settle_with_acquirer(&payment).await?;
                self.wake_closer();
            }
        }
        self.store.payment_by_id(payment_id).await?.ok_or(PaymentError::NotFound)
    }

    /// Cancels an unfinished payment's charge at the acquirer so no guest can pay it any more:
    /// true when nobody can (cancelled now, or never created); false when it was paid or is
    /// being paid meanwhile, so the payment must be settled instead.
    pub(crate) async fn withdraw_charge(&self, payment: &PaymentRecord) -> Result<bool, PaymentError> {
        let acquirer = self.acquirers.for_payment(payment).await?;
        match charge_reference(payment, acquirer.as_ref()) {
            None => Ok(true),
            Some(reference) => match acquirer.cancel(reference).await {
                Err(AcquirerError::UnknownCharge(_)) => Ok(true),
                other => Ok(other?),
            },
        }
    }

    /// A notification from an acquirer of kind `kind`: once verified, settle the payment it
    /// names. `payment_id` is the payment the notification's address names (monobank's); `None`
    /// when only the verified body names it (the sandbox's). A payment of another kind is not
    /// this acquirer's to settle: `NotFound`.
    pub async fn on_notification(
        &self,
        kind: &str,
        payment_id: Option<&str>,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<(), PaymentError> {
        let acquirer = match payment_id {
            Some(id) => {
                let payment = self.store.payment_by_id(id).await?.filter(|p| p.acquirer == kind);
                self.acquirers.for_payment(&payment.ok_or(PaymentError::NotFound)?).await?
            }
            None => self.acquirers.shared(kind)?,
        };
        let event = acquirer.verify_notification(body, signature).await?;
        if payment_id.is_some_and(|id| id != event.reference) {
            return Err(PaymentError::Acquirer(AcquirerError::Refused(
                "the notification names another payment".into(),
            )));
        }
        let payment = self.store.payment_by_id(&event.reference).await?.filter(|p| p.acquirer == kind);
        let payment = payment.ok_or(PaymentError::NotFound)?;
        match event.status {
            // Money taken for a payment we had ended is looked at, never dropped: the acquirer is
            // asked (its answer, not the notification, decides) and the payment moves where that
            // answer says.
            Some(ChargeStatus::Paid(_)) if payment.status.ended_unpaid() => {
                tracing::warn!(
                    payment = payment.id,
                    status = payment.status.as_str(),
                    acquirer = kind,
                    "the acquirer notifies a charge for a payment we had ended; asking it for the status"
                );
                self.reconcile_ended(&payment, acquirer.as_ref()).await?;
            }
            Some(status) => {
                self.apply_charge_status(&payment, acquirer.name(), status).await?;
            }
            None => {
                self.settle_with_acquirer(&payment).await?;
            }
        };
        self.wake_closer();
        Ok(())
    }

    /// Asks the acquirer about a payment we had ended and applies its answer: a charge it
    /// confirms is taken (paid when the bill is still free, else held for an operator); any
    /// other answer changes nothing.
    async fn reconcile_ended(
        &self,
        payment: &PaymentRecord,
        acquirer: &dyn acquirer::Acquirer,
    ) -> Result<PaymentStatus, PaymentError> {
        let Some(reference) = charge_reference(payment, acquirer) else { return Ok(payment.status) };
        let status = acquirer.status(reference).await?;
        if !matches!(status, ChargeStatus::Paid(_)) {
            tracing::warn!(
                payment = payment.id,
                answer = ?status,
                "the acquirer's status does not confirm the charge it notified; the payment stays as it is"
            );
        }
        self.apply_charge_status(payment, acquirer.name(), status).await
    }

    /// Asks the acquirer about a `created` payment and moves it to `paid` or `failed`.
    pub async fn settle_with_acquirer(&self, payment: &PaymentRecord) -> Result<PaymentStatus, PaymentError> {
        if payment.status != PaymentStatus::Created {
            return Ok(payment.status);
        }
        let acquirer = self.acquirers.for_payment(payment).await?;
        let Some(reference) = charge_reference(payment, acquirer.as_ref()) else {
            return Ok(PaymentStatus::Created);
        };
        let status = acquirer.status(reference).await?;
        // The acquirer answered: a problem noted when it could not be asked is over.
        if payment.last_error.is_some() {
            self.store.clear_payment_problem(&payment.id).await?;
        }
        self.apply_charge_status(payment, acquirer.name(), status).await
    }

    /// [`Payments::settle_with_acquirer`] for a guest's page (the receipt refreshing itself
    /// while the guest pays): the acquirer is asked about an unfinished payment at most once per
    /// [`GUEST_ASKS_AT_MOST_EVERY`], whichever node serves the page and however many pages
    /// refresh — the turn is taken in the store. Otherwise the payment's status as it is.
    pub async fn settle_for_guest(&self, payment: &PaymentRecord) -> Result<PaymentStatus, PaymentError> {
        if payment.status != PaymentStatus::Created {
            return Ok(payment.status);
        }
        let now = crate::store::now_ms();
        let asked_before = now - GUEST_ASKS_AT_MOST_EVERY.as_millis() as i64;
        if payment.asked_at.is_some_and(|at| at > asked_before)
            || !self.store.claim_guest_question(&payment.id, now, asked_before).await?
        {
            return Ok(payment.status);
        }
        self.settle_with_acquirer(payment).await
    }

    /// Moves a payment where the acquirer's status says; a status that no longer applies (the
    /// payment moved on) changes nothing, so late and repeated news is harmless.
    async fn apply_charge_status(
        &self,
        payment: &PaymentRecord,
        acquirer: &str,
        status: ChargeStatus,
    ) -> Result<PaymentStatus, PaymentError> {
        use PaymentStatus::{AmountMismatch, Created, LateCharge};
        let moved = match (payment.status, status) {
            (Created, ChargeStatus::Paid(card)) => self.take_charge(payment, acquirer, &card).await?,
            (from, ChargeStatus::Paid(card)) if from.ended_unpaid() => {
                self.take_late_charge(payment, acquirer, &card).await?
            }
            (Created, ChargeStatus::Declined(reason)) => self.mark_declined(&payment.id, reason).await?,
            (Created, ChargeStatus::Reversed) => {
                self.mark_declined(&payment.id, "the acquirer reversed the charge".into()).await?
            }
            (Created, ChargeStatus::Expired) => self.mark_expired(&payment.id).await?,
            // The POS never heard of these: the money is back, nobody else is told.
            (AmountMismatch | LateCharge, ChargeStatus::Reversed) => {
                self.mark_refunded(payment, "the acquirer reports the charge returned").await?
            }
            (from, ChargeStatus::Reversed) if from.is_refundable() => self.reconcile_reversal(payment).await?,
            // Still on its way to a closed bill: the acquirer is to tell us again once it is closed.
            (from, ChargeStatus::Reversed) if from.awaits_close() => {
                return Err(PaymentError::NotYet("the charge was reversed while the POS closes the bill".into()))
            }
            _ => false,
        };
        if !moved {
            return Ok(payment.status);
        }
        Ok(self.store.payment_by_id(&payment.id).await?.map(|p| p.status).unwrap_or(payment.status))
    }

    /// A charge the acquirer reports for an unfinished payment: paid when it took exactly what
    /// we asked (amount and currency); otherwise held for an operator, the POS not told.
    async fn take_charge(
        &self,
        payment: &PaymentRecord,
        acquirer: &str,
        card: &CardReceipt,
    ) -> Result<bool, PaymentError> {
        let fiscal = self.fiscal_lines(acquirer, card, &payment.id);
        match card.charged.differs_from(payment.amount()) {
            None => Ok(self.mark_paid(&payment.id, payment.status, &fiscal, "the acquirer confirmed").await?),
            Some(reason) => {
                self.hold_for_operator(payment, PaymentStatus::AmountMismatch, acquirer, &fiscal, reason).await
            }
        }
    }

    /// A charge the acquirer confirms, asked, for a payment we had ended (a guest who paid on
    /// a page still open, a success after a failure): paid when it is exactly what we asked and
    /// no other payment holds the bill by now; otherwise held for an operator.
    async fn take_late_charge(
        &self,
        payment: &PaymentRecord,
        acquirer: &str,
        card: &CardReceipt,
    ) -> Result<bool, PaymentError> {
        let fiscal = self.fiscal_lines(acquirer, card, &payment.id);
        if let Some(reason) = card.charged.differs_from(payment.amount()) {
            return self
                .hold_for_operator(
                    payment,
                    PaymentStatus::AmountMismatch,
                    acquirer,
                    &fiscal,
                    format!("after the payment had ended, {reason}"),
                )
                .await;
        }
        let holder = self.store.payment_holding_bill(&payment.resto_id, &payment.bill_id).await?;
        if holder.is_none() {
            let note = "the acquirer charged it after the payment had ended; the bill was still free";
            match self.mark_paid(&payment.id, payment.status, &fiscal, note).await {
                Ok(moved) => return Ok(moved),
                // Another payment took the bill meanwhile (its unique lock): held below.
                Err(StoreError::Database(error))
                    if error.as_database_error().is_some_and(|e| e.is_unique_violation()) =>
                {
                    tracing::warn!(payment = payment.id, "a late charge found its bill taken meanwhile");
                }
                Err(other) => return Err(other.into()),
            }
        }
        let holder = holder.map(|h| h.id).unwrap_or_else(|| "another payment".into());
        let reason = format!("the acquirer charged it after the payment had ended, and {holder} holds the bill");
        self.hold_for_operator(payment, PaymentStatus::LateCharge, acquirer, &fiscal, reason).await
    }

    /// Holds money taken that does not pay the bill ([`PaymentStatus::needs_operator`]): a charge
    /// of another amount or currency than we asked (`AmountMismatch`), or one taken after the
    /// payment had ended while another holds the bill (`LateCharge`). Not paid, the POS not
    /// told, the reason on the payment and in its timeline, counted by acquirer.
    async fn hold_for_operator(
        &self,
        payment: &PaymentRecord,
        to: PaymentStatus,
        acquirer: &str,
        fiscal: &[FiscalLine],
        reason: String,
    ) -> Result<bool, PaymentError> {
        debug_assert!(to.needs_operator());
        let changes = TransitionChanges {
            fiscal: Some(serde_json::to_string(fiscal).expect("fiscal lines serialise")),
            last_error: Some(reason.clone()),
            next_attempt: NextAttempt::Clear,
            ..Default::default()
        };
        let moved = self.store.transition_payment(&payment.id, payment.status, to, &reason, changes).await?;
        if moved {
            let metrics = self.acquirers.metrics();
            match to {
                PaymentStatus::LateCharge => metrics.acquirer_late_charge(acquirer),
                _ => metrics.acquirer_amount_mismatch(acquirer),
            }
            tracing::warn!(
                payment = payment.id,
                acquirer,
                status = to.as_str(),
                reason,
                "money taken that does not pay the bill: not paid, the POS not told, an operator must look"
            );
        }
        Ok(moved)
    }

    /// The fiscal lines of a card charge, naming the acquirer as people call it.
    fn fiscal_lines(&self, acquirer: &str, card: &CardReceipt, payment_id: &str) -> Vec<FiscalLine> {
        let title = self.acquirers.kind(acquirer).map(|kind| kind.title()).unwrap_or(acquirer);
        fiscal_lines(title, card, payment_id)
    }

    /// The acquirer returned the whole charge. When the restaurant's own refunds account for it,
    /// their flow tells the POS; otherwise (a refund made in the acquirer's cabinet) the POS
    /// hears of what nobody here asked for.
    async fn reconcile_reversal(&self, payment: &PaymentRecord) -> Result<bool, PaymentError> {
        let moved = self.mark_refunded(payment, "the acquirer reports the charge returned").await?;
        let asked = self.store.refunds_asked(&payment.id).await?;
        if moved && asked < payment.amount() {
            self.tell_pos_refunded(payment, payment.amount() - asked).await;
        }
        Ok(moved)
    }

    /// Refunds all or part of a closed (or paid but not closed) payment through its acquirer,
    /// then tells the POS staff. The refund is reserved in the store first under its reference,
    /// so a retry (same key) sends the same reference and returns the money once; the POS hears
    /// of each refund once.
    pub async fn refund(
        &self,
        resto_id: &str,
        payment_id: &str,
        request: RefundRequest,
    ) -> Result<PaymentRecord, PaymentError> {
        let (payment, _) = self.store.payment(resto_id, payment_id).await?.ok_or(PaymentError::NotFound)?;
        let key = request.key.unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::thread_rng(), 16));
        let ext_ref = format!("{}-{}", payment.id, key);
        let previous = self.store.refund(&ext_ref).await?;
        if previous.as_ref().is_some_and(|r| r.state == "done") {
            return Ok(payment);
        }
        if previous.is_none() && !payment.status.is_refundable() {
            return Err(PaymentError::NotRefundable(payment.status));
        }
        let left = payment.amount() - self.store.refunded_amount(&payment.id).await?;
        let amount = request.amount.unwrap_or(left);
        let refund = match self.store.reserve_refund(&payment.id, &ext_ref, amount, payment.amount()).await? {
            RefundReservation::New(refund) | RefundReservation::Existing(refund) => refund,
            RefundReservation::TooMuch { left } => return Err(PaymentError::RefundTooLarge { asked: amount, left }),
        };
        let acquirer = self.acquirers.for_payment(&payment).await?;
        let reference = payment.acquirer_ref.clone().unwrap_or_else(|| payment.id.clone());
        if let Err(error) = acquirer.refund(&reference, refund.amount, &ext_ref).await {
            if matches!(error, AcquirerError::Refused(_) | AcquirerError::CredentialsRefused(_)) {
                self.store.drop_refund(&ext_ref).await?;
            }
            return Err(error.into());
        }
        if self.store.finish_refund(&ext_ref).await? {
            if self.store.refunded_amount(&payment.id).await? >= payment.amount() {
                self.mark_refunded(&payment, "refunded by the restaurant").await?;
            }
            // A charge held for an operator never reached the POS: nothing to tell it.
            if payment.status.is_charged() {
                self.tell_pos_refunded(&payment, refund.amount).await;
            }
        }
        self.store.payment_by_id(&payment.id).await?.ok_or(PaymentError::NotFound)
    }

    /// Tells the POS staff that money for a bill went back to the guest.
    async fn tell_pos_refunded(&self, payment: &PaymentRecord, amount: Money) {
        let message = ShowMessage {
            message: format!(
                "Оплату рахунку {} ({} грн з {} грн) повернено гостю: перевірте рахунок. / Payment for bill {} was refunded ({} of {}): check the bill.",
                payment.bill_id,
                amount,
                payment.amount(),
                payment.bill_id,
                amount,
                payment.amount()
            ),
            warning: true,
            bill_id: Some(payment.bill_id.clone()),
        };
        if let Err(error) = self.link.send_message(&payment.resto_id, &message).await {
            tracing::warn!(resto_id = payment.resto_id, payment = payment.id, %error, "refund done; the POS could not be told");
        }
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

    async fn mark_paid(
        &self,
        id: &str,
        from: PaymentStatus,
        fiscal: &[FiscalLine],
        note: &str,
    ) -> Result<bool, StoreError> {
        let changes = TransitionChanges {
            fiscal: Some(serde_json::to_string(fiscal).expect("fiscal lines serialise")),
            next_attempt: NextAttempt::Clear,
            ..Default::default()
        };
        self.store.transition_payment(id, from, PaymentStatus::Paid, note, changes).await
    }

    async fn mark_declined(&self, id: &str, reason: String) -> Result<bool, StoreError> {
        let changes = TransitionChanges { last_error: Some(reason), ..Default::default() };
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Failed, "the acquirer declined", changes)
            .await
    }

    /// The acquirer refuses the restaurant's credentials, so nobody can ask it whether this
    /// unfinished payment was paid nor cancel its charge; failed once the charge has lapsed at the
    /// acquirer (`closer`), the bill free again.
    async fn mark_failed_unaskable(&self, id: &str, reason: &str) -> Result<bool, StoreError> {
        let why = format!(
            "the acquirer refuses the restaurant's credentials and its charge has lapsed: failed without \
             asking it ({reason}); if a guest paid meanwhile, it shows in the acquirer's cabinet"
        );
        let changes = TransitionChanges { last_error: Some(why.clone()), ..Default::default() };
        self.store.transition_payment(id, PaymentStatus::Created, PaymentStatus::Failed, &why, changes).await
    }

    async fn mark_orphan_released(&self, id: &str) -> Result<bool, StoreError> {
        let note = "its guest never got its page (the node making it stopped before answering): released, \
                    its charge withdrawn at the acquirer";
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Expired, note, TransitionChanges::default())
            .await
    }

    async fn mark_expired(&self, id: &str) -> Result<bool, StoreError> {
        let note = "the guest did not finish paying";
        self.store
            .transition_payment(id, PaymentStatus::Created, PaymentStatus::Expired, note, TransitionChanges::default())
            .await
    }

    async fn mark_cancelled(&self, id: &str) -> Result<bool, StoreError> {
        let note = "the guest cancelled before paying";
        self.store
            .transition_payment(
                id,
                PaymentStatus::Created,
                PaymentStatus::Cancelled,
                note,
                TransitionChanges::default(),
            )
            .await
    }

    async fn mark_closing(&self, payment: &PaymentRecord, lease: HeldLease) -> Result<bool, StoreError> {
        let changes = TransitionChanges { count_attempt: true, under_lease: Some(lease), ..Default::default() };
        self.store
            .transition_payment(&payment.id, payment.status, PaymentStatus::ClosingOnPos, "payBill sent", changes)
            .await
    }

    /// `payBill` goes out again for a payment already in `closing_on_pos` (the answer to the
    /// last one was never recorded): counted, and said in the timeline.
    async fn mark_closing_again(
        &self,
        payment: &PaymentRecord,
        note: &str,
        lease: HeldLease,
    ) -> Result<bool, StoreError> {
        let changes = TransitionChanges { count_attempt: true, under_lease: Some(lease), ..Default::default() };
        let closing = PaymentStatus::ClosingOnPos;
        self.store.transition_payment(&payment.id, closing, closing, note, changes).await
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

    /// `payBill` got no usable answer (see `closer::fate_unknown`): the payment stays
    /// `closing_on_pos`, so its next attempt asks the POS whether the bill is paid first.
    async fn mark_close_unanswered(&self, id: &str, error: String, retry_at: i64) -> Result<bool, StoreError> {
        let note = format!(
            "payBill got no usable answer: {error}; the POS is asked whether the bill is paid before any retry"
        );
        self.keep_closing(id, &note, error, retry_at).await
    }

    /// The payment stays `closing_on_pos` until `retry_at`, with `note` in its timeline.
    async fn keep_closing(&self, id: &str, note: &str, error: String, retry_at: i64) -> Result<bool, StoreError> {
        let changes = TransitionChanges {
            next_attempt: NextAttempt::At(retry_at),
            last_error: Some(error),
            ..Default::default()
        };
        let closing = PaymentStatus::ClosingOnPos;
        self.store.transition_payment(id, closing, closing, note, changes).await
    }

    async fn mark_refunded(&self, payment: &PaymentRecord, note: &str) -> Result<bool, StoreError> {
        let changes = TransitionChanges::default();
        self.store.transition_payment(&payment.id, payment.status, PaymentStatus::Refunded, note, changes).await
    }
}

/// The acquirer's id for a payment's charge: the one it answered with, or — for an acquirer
/// that files charges under our payment id — the payment id. `None` when there is none to ask
/// about (the acquirer never answered).
pub(crate) fn charge_reference<'a>(payment: &'a PaymentRecord, acquirer: &dyn acquirer::Acquirer) -> Option<&'a str> {
    match &payment.acquirer_ref {
        Some(reference) => Some(reference),
        None if acquirer.files_under_our_reference() => Some(&payment.id),
        None => None,
    }
}

/// The fiscal lines of a card charge, sent with `payBill` and shown on the receipt; `acquirer`
/// as people call it (`LiqPay`, `monobank`).
fn fiscal_lines(acquirer: &str, card: &CardReceipt, payment_id: &str) -> Vec<FiscalLine> {
    let mut lines = vec![
        FiscalLine::new("Еквайр", acquirer),
        FiscalLine::new("Картка", &card.card_mask),
        FiscalLine::new("Код авторизації", &card.approval_code),
        FiscalLine::new("RRN", &card.rrn),
    ];
    if let Some(system) = card.payment_system.as_deref().filter(|s| !s.is_empty()) {
        lines.push(FiscalLine::new("Платіжна система", system));
    }
    lines.push(FiscalLine::new("Платіж", payment_id));
    lines
}

/// What the guest sees a payment's charge is for at the acquirer: restaurant, table and bill.
pub fn charge_description(payment: &PaymentRecord) -> String {
    let receipt: Option<ReceiptData> = serde_json::from_str(&payment.receipt).ok();
    let restaurant = receipt.as_ref().map(|r| r.restaurant.as_str()).unwrap_or("Rahunok");
    match &payment.table_number {
        Some(table) => format!("{restaurant}, стіл {table}, рахунок {}", payment.bill_id),
        None => format!("{restaurant}, рахунок {}", payment.bill_id),
    }
}

/// Where the acquirer sends the guest back after paying: the payment's receipt page.
pub fn receipt_url(base_url: &str, payment_id: &str) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), crate::web::paths::receipt(payment_id))
}
