//! An acquirer whose failed calls are counted in the [`Metrics`] (by acquirer, call and kind of
//! error), so an operator sees a failing acquirer before the guests tell the restaurants.
//! [`super::acquirers`] wraps every acquirer it hands out in one, named by its kind's
//! descriptor (the metrics' `acquirer` label and the name stored with each payment).
//!
//! One acquirer of a restaurant also keeps the admin told about its credentials: a call refused
//! because the acquirer no longer accepts them (`AcquirerError::CredentialsRefused`: a token
//! revoked at monobank, LiqPay keys replaced) is noted with the credentials in the store, where
//! the admin API and the panel show it; a later call the acquirer accepts with them clears it.
//! Here, because every call to an acquirer passes here, whoever makes it.

use super::acquirer::{Acquirer, AcquirerError, AcquirerEvent, AcquirerFuture, ChargeRequest, ChargeStatus, Checkout};
use crate::metrics::Metrics;
use crate::store::Store;
use rahunok_protocol::Money;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An acquirer, its kind's name and the metrics its failures go to.
pub struct CountedAcquirer {
    kind: &'static str,
    inner: Arc<dyn Acquirer>,
    metrics: Arc<Metrics>,
    credentials: Option<Watched>,
}

/// The restaurant whose credentials an acquirer uses, watched for the acquirer's refusal.
pub struct Watched {
    /// Where the refusal is noted.
    pub store: Store,
    /// Whose credentials.
    pub resto_id: String,
    /// Whether a refusal is noted now (as read with the credentials): only then does an
    /// accepted call clear it, so calls that go well write nothing.
    pub refused: AtomicBool,
}

impl CountedAcquirer {
    /// Wraps `inner`, an acquirer of the kind named `kind`.
    pub fn new(kind: &'static str, inner: Arc<dyn Acquirer>, metrics: Arc<Metrics>) -> CountedAcquirer {
        CountedAcquirer { kind, inner, metrics, credentials: None }
    }

    /// Also notes the acquirer's refusal of the restaurant's credentials it uses (and clears it
    /// when it accepts them again).
    pub fn watching(mut self, credentials: Watched) -> CountedAcquirer {
        self.credentials = Some(credentials);
        self
    }

    /// `accepted`: whether a success of this call shows the acquirer accepts the credentials
    /// (a notification verified with a key kept from before shows nothing).
    fn counted<'a, T: Send + 'a>(
        &'a self,
        call: &'static str,
        accepted: bool,
        future: impl Future<Output = Result<T, AcquirerError>> + Send + 'a,
    ) -> AcquirerFuture<'a, T> {
        Box::pin(async move {
            let result = future.await;
            if let Err(error) = &result {
                self.metrics.acquirer_error(self.kind, call, error_kind(error));
            }
            if let Some(watched) = &self.credentials {
                let word = match &result {
                    Err(AcquirerError::CredentialsRefused(reason)) => Some(Err(reason.clone())),
                    Ok(_) if accepted => Some(Ok(())),
                    _ => None,
                };
                if let Some(word) = word {
                    self.watch(watched, word).await;
                }
            }
            result
        })
    }

    /// Notes a refusal of the credentials (`Err`, the acquirer's words), or clears one noted when
    /// the acquirer accepted them (`Ok`). A store failure here is logged, never the call's outcome.
    async fn watch(&self, watched: &Watched, word: Result<(), String>) {
        let (kind, resto_id) = (self.kind, watched.resto_id.as_str());
        let noted = match word {
            Err(reason) => {
                tracing::warn!(resto_id, acquirer = kind, reason, "the acquirer refuses the restaurant's credentials");
                watched.refused.store(true, Ordering::Relaxed);
                watched.store.note_credentials_refused(resto_id, kind, &reason).await
            }
            Ok(()) if watched.refused.swap(false, Ordering::Relaxed) => {
                tracing::info!(resto_id, acquirer = kind, "the acquirer accepts the restaurant's credentials again");
                watched.store.clear_credentials_refusal(resto_id, kind).await
            }
            _ => Ok(()),
        };
        if let Err(error) = noted {
            tracing::warn!(resto_id, acquirer = kind, %error, "could not note the acquirer's word on the credentials");
        }
    }
}

/// A short, stable name for each kind of error (a metric label).
fn error_kind(error: &AcquirerError) -> &'static str {
    match error {
        AcquirerError::UnknownCharge(_) => "unknown_charge",
        AcquirerError::BadSignature => "bad_signature",
        AcquirerError::Refused(_) => "refused",
        AcquirerError::CredentialsRefused(_) => "credentials_refused",
        AcquirerError::Unavailable(_) => "unavailable",
    }
}

impl Acquirer for CountedAcquirer {
    fn name(&self) -> &'static str {
        self.kind
    }

    fn files_under_our_reference(&self) -> bool {
        self.inner.files_under_our_reference()
    }

    fn create(&self, request: ChargeRequest) -> AcquirerFuture<'_, Checkout> {
        self.counted("create", true, self.inner.create(request))
    }

    fn status<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, ChargeStatus> {
        self.counted("status", true, self.inner.status(acquirer_ref))
    }

    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool> {
        self.counted("cancel", true, self.inner.cancel(acquirer_ref))
    }

    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, ext_ref: &'a str) -> AcquirerFuture<'a, ()> {
        self.counted("refund", true, self.inner.refund(acquirer_ref, amount, ext_ref))
    }

    fn verify_notification<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> AcquirerFuture<'a, AcquirerEvent> {
        self.counted("notification", false, self.inner.verify_notification(body, signature))
    }
}
