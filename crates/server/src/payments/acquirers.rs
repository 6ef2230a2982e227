//! Which acquirer charges for a restaurant: the one it chose (stored, the sandbox by default)
//! for a new payment, and for an existing payment the one it was made with — a restaurant that
//! switches acquirer keeps following and refunding its earlier payments. Adding an acquirer is
//! its module plus one arm here.

use super::acquirer::{Acquirer, AcquirerError};
use super::counted_acquirer::CountedAcquirer;
use super::monobank::{self, MonobankApi};
use super::sandbox::Sandbox;
use super::PaymentError;
use crate::metrics::Metrics;
use crate::store::{AcquirerChoice, MerchantToken, PaymentRecord, Store};
use std::sync::Arc;

/// Every acquirer the platform can charge through.
pub struct Acquirers {
    store: Store,
    sandbox: Sandbox,
    monobank: MonobankApi,
    metrics: Arc<Metrics>,
}

impl Acquirers {
    /// The acquirers, with monobank's API client; their failures are counted in `metrics`.
    pub fn new(store: Store, sandbox: Sandbox, monobank: MonobankApi, metrics: Arc<Metrics>) -> Acquirers {
        Acquirers { store, sandbox, monobank, metrics }
    }

    /// The sandbox (for its card pages).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The sandbox behind the seam every acquirer call goes through (for notifications that
    /// name no payment).
    pub fn sandbox_as_acquirer(&self) -> Arc<dyn Acquirer> {
        self.counted(Arc::new(self.sandbox.clone()))
    }

    /// monobank's client (to check a token before a restaurant chooses monobank).
    pub fn monobank(&self) -> &MonobankApi {
        &self.monobank
    }

    /// Makes monobank the restaurant's acquirer once monobank confirms the token (live, with
    /// `/api/merchant/details`); the merchant's name. A refused token changes nothing.
    pub async fn choose_monobank(&self, resto_id: &str, token: &MerchantToken) -> Result<String, PaymentError> {
        if token.expose().is_empty() {
            return Err(AcquirerError::Refused("the monobank token is empty".into()).into());
        }
        let details = match self.monobank.merchant_details(token).await {
            Ok(details) => details,
            Err(AcquirerError::Refused(_) | AcquirerError::UnknownCharge(_)) => {
                return Err(AcquirerError::Refused("monobank did not accept the token".into()).into())
            }
            Err(other) => return Err(other.into()),
        };
        self.store.choose_monobank(resto_id, token, &details.merchant_name).await?;
        tracing::info!(resto_id, merchant = details.merchant_name, "the restaurant now takes payments with monobank");
        if !self.monobank.webhooks_reach_us() {
            tracing::warn!(
                resto_id,
                "the public URL is not https: monobank's webhooks will not arrive, payments settle by status polling \
                 only (set --public-url https://…)"
            );
        }
        Ok(details.merchant_name)
    }

    /// The acquirer a new payment of this restaurant goes through.
    pub async fn for_new_payment(&self, resto_id: &str) -> Result<Arc<dyn Acquirer>, PaymentError> {
        match self.store.acquirer_choice(resto_id).await? {
            AcquirerChoice::Sandbox => Ok(self.counted(Arc::new(self.sandbox.clone()))),
            AcquirerChoice::Monobank { .. } => self.named(monobank::NAME, resto_id).await,
        }
    }

    /// The acquirer a payment was made with.
    pub async fn for_payment(&self, payment: &PaymentRecord) -> Result<Arc<dyn Acquirer>, PaymentError> {
        self.named(&payment.acquirer, &payment.resto_id).await
    }

    async fn named(&self, name: &str, resto_id: &str) -> Result<Arc<dyn Acquirer>, PaymentError> {
        match name {
            monobank::NAME => {
                let token = self.store.monobank_token(resto_id).await?.ok_or_else(|| {
                    AcquirerError::Refused("the restaurant has no monobank token; set it in the settings".into())
                })?;
                Ok(self.counted(Arc::new(self.monobank.for_restaurant(self.store.clone(), resto_id, token))))
            }
            _ => Ok(self.counted(Arc::new(self.sandbox.clone()))),
        }
    }

    fn counted(&self, acquirer: Arc<dyn Acquirer>) -> Arc<dyn Acquirer> {
        Arc::new(CountedAcquirer::new(acquirer, self.metrics.clone()))
    }
}
