//! The closer: the background task that finishes payments. It sends `payBill` for every paid
//! payment until the POS closes the bill (a repeated `payBill` answered `ORDER_ALREADY_PAID`
//! counts as closed), backs off after failures (`paid_not_closed`, shown to the admin), asks the
//! acquirer about payments whose notification never came, and expires abandoned ones. It starts
//! with the server, so a crash at any step is resumed on restart.

use super::acquirer::AcquirerError;
use super::settle_with_acquirer;
use crate::gateway::LinkError;
use crate::state::AppState;
use crate::store::{now_ms, PaymentRecord, PaymentStatus, TransitionChanges};
use rahunok_protocol::envelope::substate;
use rahunok_protocol::ops::PayBill;
use rahunok_protocol::order::FiscalLine;
use std::time::Duration;

/// Runs forever: a pass every `tick`, or sooner when woken.
pub async fn run(state: AppState) {
    loop {
        if let Err(error) = pass(&state).await {
            tracing::error!(%error, "payment closer pass failed; retrying");
        }
        let tick = state.payments.timings.tick;
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = state.payments.wake.notified() => {}
        }
    }
}

/// One pass over the payments that need something. Closing runs in its own task per
/// payment, so one slow POS does not hold up the others.
pub async fn pass(state: &AppState) -> Result<(), super::PaymentError> {
    let now = now_ms();
    for payment in state.store.payments_in(&[PaymentStatus::Created]).await? {
        // One payment's trouble must not hold up the others.
        if let Err(error) = reconcile(state, &payment, now).await {
            tracing::warn!(payment = payment.id, %error, "could not reconcile a payment with the acquirer");
        }
    }
    let due = state
        .store
        .payments_in(&[PaymentStatus::Paid, PaymentStatus::ClosingOnPos, PaymentStatus::PaidNotClosed])
        .await?;
    for payment in due.into_iter().filter(|p| p.next_attempt_at.is_none_or(|at| at <= now)) {
        if !state.payments.start_closing(&payment.id) {
            continue;
        }
        let state = state.clone();
        tokio::spawn(async move {
            let id = payment.id.clone();
            if let Err(error) = close(&state, payment).await {
                tracing::error!(payment = id, %error, "closing a payment failed; retrying on the next pass");
            }
            state.payments.done_closing(&id);
        });
    }
    Ok(())
}

/// Asks the acquirer about a payment whose notification did not come, and expires it when the
/// guest never finished. A charge the acquirer never heard of (a crash between our insert and
/// the acquirer call) took no money: it waits for expiry like an unfinished one.
async fn reconcile(state: &AppState, payment: &PaymentRecord, now: i64) -> Result<(), super::PaymentError> {
    let timings = &state.payments.timings;
    let age = now - payment.created_at;
    if age < timings.reconcile_after.as_millis() as i64 {
        return Ok(());
    }
    let status = match settle_with_acquirer(state, payment).await {
        Err(super::PaymentError::Acquirer(AcquirerError::UnknownCharge(_))) => PaymentStatus::Created,
        other => other?,
    };
    if status == PaymentStatus::Created && age >= timings.expire_after.as_millis() as i64 {
        expire(state, payment).await?;
    }
    Ok(())
}

/// Cancels the acquirer's charge first, so a guest who comes back late cannot pay an expired
/// payment; if it was paid meanwhile, it is settled instead.
async fn expire(state: &AppState, payment: &PaymentRecord) -> Result<(), super::PaymentError> {
    let reference = payment.acquirer_ref.as_deref().unwrap_or(&payment.id);
    let cancelled = match state.payments.acquirer.cancel(reference).await {
        Err(AcquirerError::UnknownCharge(_)) => true,
        other => other?,
    };
    if !cancelled {
        settle_with_acquirer(state, payment).await?;
        return Ok(());
    }
    state
        .store
        .transition_payment(
            &payment.id,
            PaymentStatus::Created,
            PaymentStatus::Expired,
            "the guest did not finish paying",
            TransitionChanges::default(),
        )
        .await?;
    Ok(())
}

/// Sends `payBill` for one paid payment and records the outcome.
async fn close(state: &AppState, payment: PaymentRecord) -> Result<(), super::PaymentError> {
    let store = &state.store;
    if payment.status != PaymentStatus::ClosingOnPos {
        let changes = TransitionChanges { count_attempt: true, ..Default::default() };
        if !store
            .transition_payment(&payment.id, payment.status, PaymentStatus::ClosingOnPos, "payBill sent", changes)
            .await?
        {
            return Ok(());
        }
    }
    let fiscal_data: Vec<FiscalLine> =
        payment.fiscal.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_default();
    let request = PayBill { bill_id: payment.bill_id.clone(), sum: payment.sum, tips: payment.tips, fiscal_data };
    let outcome = state.link.request(&payment.resto_id, &request).await;
    let closed = match &outcome {
        Ok(_) => Some("the POS closed the bill"),
        Err(LinkError::PosFail { substate: s, .. }) if s == substate::ORDER_ALREADY_PAID => {
            Some("the POS already had the bill paid (a repeated payBill)")
        }
        Err(_) => None,
    };
    if let Some(note) = closed {
        let changes = TransitionChanges { next_attempt_at: Some(None), ..Default::default() };
        store
            .transition_payment(&payment.id, PaymentStatus::ClosingOnPos, PaymentStatus::Closed, note, changes)
            .await?;
        return Ok(());
    }
    let error = outcome.err().map(|e| e.to_string()).unwrap_or_default();
    let delay = backoff(state, payment.attempts.max(1));
    let changes = TransitionChanges {
        next_attempt_at: Some(Some(now_ms() + delay.as_millis() as i64)),
        last_error: Some(error.clone()),
        ..Default::default()
    };
    tracing::warn!(payment = payment.id, resto_id = payment.resto_id, error, "payBill failed; will retry");
    store
        .transition_payment(
            &payment.id,
            PaymentStatus::ClosingOnPos,
            PaymentStatus::PaidNotClosed,
            &format!("payBill failed: {error}"),
            changes,
        )
        .await?;
    Ok(())
}

fn backoff(state: &AppState, attempts: i64) -> Duration {
    let timings = &state.payments.timings;
    let factor = 2u32.saturating_pow(attempts.clamp(1, 16) as u32 - 1);
    timings.retry_base.saturating_mul(factor).min(timings.max_retry_delay)
}
