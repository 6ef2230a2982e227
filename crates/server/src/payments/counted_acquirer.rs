//! An acquirer whose failed calls are counted in the [`Metrics`] (by acquirer, call and kind of
//! error), so an operator sees a failing acquirer before the guests tell the restaurants.
//! [`super::acquirers`] wraps every acquirer it hands out in one, named by its kind's
//! descriptor (the metrics' `acquirer` label and the name stored with each payment).

use super::acquirer::{Acquirer, AcquirerError, AcquirerEvent, AcquirerFuture, ChargeRequest, ChargeStatus, Checkout};
use crate::metrics::Metrics;
use rahunok_protocol::Money;
use std::future::Future;
use std::sync::Arc;

/// An acquirer, its kind's name and the metrics its failures go to.
pub struct CountedAcquirer {
    kind: &'static str,
    inner: Arc<dyn Acquirer>,
    metrics: Arc<Metrics>,
}

impl CountedAcquirer {
    /// Wraps `inner`, an acquirer of the kind named `kind`.
    pub fn new(kind: &'static str, inner: Arc<dyn Acquirer>, metrics: Arc<Metrics>) -> CountedAcquirer {
        CountedAcquirer { kind, inner, metrics }
    }

    fn counted<'a, T: Send + 'a>(
        &'a self,
        call: &'static str,
        future: impl Future<Output = Result<T, AcquirerError>> + Send + 'a,
    ) -> AcquirerFuture<'a, T> {
        Box::pin(async move {
            let result = future.await;
            if let Err(error) = &result {
                self.metrics.acquirer_error(self.kind, call, error_kind(error));
            }
            result
        })
    }
}

/// A short, stable name for each kind of error (a metric label).
fn error_kind(error: &AcquirerError) -> &'static str {
    match error {
        AcquirerError::UnknownCharge(_) => "unknown_charge",
        AcquirerError::BadSignature => "bad_signature",
        AcquirerError::Refused(_) => "refused",
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
        self.counted("create", self.inner.create(request))
    }

    fn status<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, ChargeStatus> {
        self.counted("status", self.inner.status(acquirer_ref))
    }

    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool> {
        self.counted("cancel", self.inner.cancel(acquirer_ref))
    }

    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, ext_ref: &'a str) -> AcquirerFuture<'a, ()> {
        self.counted("refund", self.inner.refund(acquirer_ref, amount, ext_ref))
    }

    fn verify_notification<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> AcquirerFuture<'a, AcquirerEvent> {
        self.counted("notification", self.inner.verify_notification(body, signature))
    }
}
