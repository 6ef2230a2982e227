//! The sandbox acquirer's own charges (`sandbox_charges`): what its card page shows and what it
//! answers when the platform asks about a charge.
//!
//! Why in the store: the sandbox plays an acquirer that keeps its charges in its own books; its
//! books are a table of this store, and every query of the store lives here, beside the others,
//! for SQLite and PostgreSQL alike. Card numbers are never stored, only their mask.

use super::{column, now_ms, Store, StoreError};
use rahunok_protocol::Money;

/// Where a sandbox charge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxChargeStatus {
    /// Waiting for a card.
    Pending,
    /// The card asked for a 3-D-Secure-style confirmation.
    NeedsConfirmation,
    /// Charged.
    Paid,
    /// The card was declined.
    Declined,
    /// Cancelled by the platform (an expiry or the guest's "cancel"): it can never be paid.
    Cancelled,
}

impl SandboxChargeStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxChargeStatus::Pending => "pending",
            SandboxChargeStatus::NeedsConfirmation => "needs_confirmation",
            SandboxChargeStatus::Paid => "paid",
            SandboxChargeStatus::Declined => "declined",
            SandboxChargeStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<SandboxChargeStatus, StoreError> {
        Ok(match text {
            "pending" => SandboxChargeStatus::Pending,
            "needs_confirmation" => SandboxChargeStatus::NeedsConfirmation,
            "paid" => SandboxChargeStatus::Paid,
            "declined" => SandboxChargeStatus::Declined,
            "cancelled" => SandboxChargeStatus::Cancelled,
            other => return Err(StoreError::Corrupt(format!("a sandbox charge in status {other}"))),
        })
    }

    /// Whether a card can still be tried on it.
    pub fn is_open(self) -> bool {
        matches!(self, SandboxChargeStatus::Pending | SandboxChargeStatus::NeedsConfirmation)
    }
}

/// A sandbox charge.
#[derive(Debug, Clone)]
pub struct SandboxCharge {
    /// Reference (the payment id).
    pub reference: String,
    /// Amount.
    pub amount: Money,
    /// What is paid for.
    pub description: String,
    /// Where to send the guest afterwards.
    pub return_url: String,
    /// Where it is.
    pub status: SandboxChargeStatus,
    /// The card's mask, once a card was tried.
    pub card_mask: Option<String>,
    /// The approval code, once paid.
    pub approval_code: Option<String>,
    /// The retrieval reference number, once paid.
    pub rrn: Option<String>,
}

impl Store {
    /// Opens a charge (a repeat of the same reference changes nothing).
    pub async fn create_sandbox_charge(
        &self,
        reference: &str,
        amount: Money,
        description: &str,
        return_url: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sandbox_charges (reference, amount_kop, description, return_url, status, refunded_kop, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) ON CONFLICT (reference) DO NOTHING",
        )
        .bind(reference)
        .bind(amount.kopiyky())
        .bind(description)
        .bind(return_url)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One charge.
    pub async fn sandbox_charge(&self, reference: &str) -> Result<Option<SandboxCharge>, StoreError> {
        let row = sqlx::query(
            "SELECT reference, amount_kop, description, return_url, status, card_mask, approval_code, rrn \
             FROM sandbox_charges WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SandboxCharge {
            reference: column(&row, "reference")?,
            amount: Money::from_kopiyky(column(&row, "amount_kop")?)
                .ok_or_else(|| StoreError::Corrupt("a negative sandbox charge".into()))?,
            description: column(&row, "description")?,
            return_url: column(&row, "return_url")?,
            status: SandboxChargeStatus::parse(&column::<String>(&row, "status")?)?,
            card_mask: column(&row, "card_mask")?,
            approval_code: column(&row, "approval_code")?,
            rrn: column(&row, "rrn")?,
        }))
    }

    /// Records what the card page decided, only while the charge is open; false if it had
    /// already ended.
    pub async fn settle_sandbox_charge(
        &self,
        reference: &str,
        status: SandboxChargeStatus,
        card_mask: &str,
        approval_code: Option<&str>,
        rrn: Option<&str>,
    ) -> Result<bool, StoreError> {
        let settled = sqlx::query(
            "UPDATE sandbox_charges SET status = $1, card_mask = $2, approval_code = $3, rrn = $4, updated_at = $5 \
             WHERE reference = $6 AND status IN ('pending', 'needs_confirmation')",
        )
        .bind(status.as_str())
        .bind(card_mask)
        .bind(approval_code)
        .bind(rrn)
        .bind(now_ms())
        .bind(reference)
        .execute(self.pool())
        .await?;
        Ok(settled.rows_affected() == 1)
    }

    /// Cancels an open charge (one cancelled already counts: a repeat of the same cancel); false
    /// when it was paid or declined meanwhile, or never opened.
    pub async fn cancel_sandbox_charge(&self, reference: &str) -> Result<bool, StoreError> {
        let cancelled = sqlx::query(
            "UPDATE sandbox_charges SET status = 'cancelled', updated_at = $1 \
             WHERE reference = $2 AND status IN ('pending', 'needs_confirmation', 'cancelled')",
        )
        .bind(now_ms())
        .bind(reference)
        .execute(self.pool())
        .await?;
        Ok(cancelled.rows_affected() == 1)
    }

    /// Returns `amount` of a paid charge; false when it is not paid or the refunds would exceed it.
    pub async fn refund_sandbox_charge(&self, reference: &str, amount: Money) -> Result<bool, StoreError> {
        let refunded = sqlx::query(
            "UPDATE sandbox_charges SET refunded_kop = refunded_kop + $1, updated_at = $2 \
             WHERE reference = $3 AND status = 'paid' AND refunded_kop + $1 <= amount_kop",
        )
        .bind(amount.kopiyky())
        .bind(now_ms())
        .bind(reference)
        .execute(self.pool())
        .await?;
        Ok(refunded.rows_affected() == 1)
    }

    /// How many charges the sandbox took money for, for one bill.
    pub async fn sandbox_paid_charges_for_bill(&self, resto_id: &str, bill_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sandbox_charges c JOIN payments p ON p.id = c.reference \
             WHERE p.resto_id = $1 AND p.bill_id = $2 AND c.status = 'paid'",
        )
        .bind(resto_id)
        .bind(bill_id)
        .fetch_one(self.pool())
        .await?;
        column(&row, "n")
    }
}
