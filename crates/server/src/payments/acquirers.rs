//! Every kind of acquirer the platform can charge through — the one list (`every_kind`) — and
//! which one charges for a restaurant: the one it chose (stored, the sandbox by default) for a
//! new payment, and for an existing payment the one it was made with, so a restaurant that
//! switches acquirer keeps following and refunding its earlier payments.
//!
//! Why one list: choosing an acquirer, checking and keeping its credentials, the admin API, the
//! panel's form, the notification routes and the metrics all go over it, reading each kind's
//! descriptor ([`AcquirerKind`]). A name that is not on it is refused ([`UnknownAcquirer`]),
//! never taken for the sandbox.

use super::acquirer::{Acquirer, AcquirerError};
use super::acquirer_kind::{
    flag_on, AcquirerKind, AcquirerSetup, CredentialField, FieldKind, UnknownAcquirer, FLAG_OFF, FLAG_ON,
};
use super::counted_acquirer::{CountedAcquirer, Watched};
use super::PaymentError;
use super::{liqpay, monobank, sandbox};
use crate::metrics::Metrics;
use crate::store::{AcquirerChoice, AcquirerCredentials, CredentialsRefusal, PaymentRecord, Store, StoreError};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Every kind of acquirer, started for this server. A new acquirer is one line here.
async fn every_kind(setup: &AcquirerSetup) -> Result<Vec<Arc<dyn AcquirerKind>>, StoreError> {
    Ok(vec![
        Arc::new(sandbox::SandboxKind::start(setup).await?), // built in, for demos and tests; the default
        Arc::new(monobank::MonobankKind::start(setup).await?), // monobank acquiring ("plata by mono")
        Arc::new(liqpay::LiqpayKind::start(setup).await?),   // LiqPay (PrivatBank)
    ])
}

/// The kind a restaurant that never chose takes payments with.
const DEFAULT_KIND: &str = sandbox::NAME;

/// Why a restaurant's choice of acquirer was not made; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum ChoiceError {
    /// No such kind of acquirer.
    #[error(transparent)]
    UnknownKind(#[from] UnknownAcquirer),
    /// The credentials do not fit the kind (a field missing, empty or not its own).
    #[error("{0}")]
    Invalid(String),
    /// The acquirer did not accept the credentials.
    #[error("{0}")]
    Refused(String),
    /// The acquirer could not be reached to check them.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every acquirer the platform can charge through (see the module docs).
pub struct Acquirers {
    store: Store,
    kinds: Vec<Arc<dyn AcquirerKind>>,
    metrics: Arc<Metrics>,
}

impl Acquirers {
    /// Starts every kind of acquirer; their failed calls are counted in `metrics`.
    pub async fn start(setup: &AcquirerSetup, metrics: Arc<Metrics>) -> Result<Acquirers, StoreError> {
        Ok(Acquirers { store: setup.store.clone(), kinds: every_kind(setup).await?, metrics })
    }

    /// Whether the acquirer of `kind` refuses the restaurant's credentials now (noted when a
    /// call was refused for them: `CountedAcquirer`), for the admin.
    pub async fn credentials_refusal(
        &self,
        resto_id: &str,
        kind: &str,
    ) -> Result<Option<CredentialsRefusal>, StoreError> {
        self.store.credentials_refusal(resto_id, kind).await
    }

    /// The metrics acquirers count in.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Every kind, in the list's order.
    pub fn kinds(&self) -> &[Arc<dyn AcquirerKind>] {
        &self.kinds
    }

    /// The kind named `name`.
    pub fn kind(&self, name: &str) -> Result<&Arc<dyn AcquirerKind>, UnknownAcquirer> {
        self.kinds.iter().find(|kind| kind.name() == name).ok_or_else(|| UnknownAcquirer {
            kind: name.to_string(),
            known: self.kinds.iter().map(|kind| kind.name()).collect(),
        })
    }

    /// The acquirer a restaurant takes payments with (the sandbox unless it chose another).
    pub async fn choice(&self, resto_id: &str) -> Result<AcquirerChoice, StoreError> {
        let chosen = self.store.acquirer_choice(resto_id).await?;
        Ok(chosen.unwrap_or_else(|| AcquirerChoice { kind: DEFAULT_KIND.to_string(), account_name: None }))
    }

    /// Makes `kind` the restaurant's acquirer once the credentials fit it and the acquirer
    /// accepts them (checked live); the choice as it now is. Anything refused changes nothing.
    pub async fn choose(
        &self,
        resto_id: &str,
        kind: &str,
        credentials: AcquirerCredentials,
    ) -> Result<AcquirerChoice, ChoiceError> {
        let kind = self.kind(kind)?;
        fitting(kind.as_ref(), &credentials)?;
        let account_name = match kind.check(resto_id, &credentials).await {
            Ok(name) => name,
            Err(unavailable @ AcquirerError::Unavailable(_)) => {
                return Err(ChoiceError::Unavailable(unavailable.to_string()))
            }
            Err(other) => return Err(ChoiceError::Refused(refusal(kind.as_ref(), other))),
        };
        self.store.choose_acquirer(resto_id, kind.name(), &credentials, account_name.as_deref()).await?;
        tracing::info!(resto_id, acquirer = kind.name(), account = account_name, "the restaurant chose its acquirer");
        Ok(AcquirerChoice { kind: kind.name().to_string(), account_name })
    }

    /// The acquirer a new payment of this restaurant goes through.
    pub async fn for_new_payment(&self, resto_id: &str) -> Result<Arc<dyn Acquirer>, PaymentError> {
        let choice = self.choice(resto_id).await?;
        self.for_restaurant(&choice.kind, resto_id).await
    }

    /// The acquirer a payment was made with.
    pub async fn for_payment(&self, payment: &PaymentRecord) -> Result<Arc<dyn Acquirer>, PaymentError> {
        self.for_restaurant(&payment.acquirer, &payment.resto_id).await
    }

    /// The acquirer of `kind` serving every restaurant alike (for notifications that name no
    /// payment).
    pub fn shared(&self, kind: &str) -> Result<Arc<dyn Acquirer>, PaymentError> {
        let kind = self.kind(kind)?;
        let shared = kind.shared().ok_or_else(|| {
            AcquirerError::Refused(format!("a notification of {} must name its payment", kind.name()))
        })?;
        Ok(self.counted(kind.as_ref(), shared))
    }

    async fn for_restaurant(&self, kind: &str, resto_id: &str) -> Result<Arc<dyn Acquirer>, PaymentError> {
        let kind = self.kind(kind)?;
        if kind.fields().is_empty() {
            return Ok(self.counted(kind.as_ref(), kind.acquirer(resto_id, AcquirerCredentials::new())?));
        }
        let (credentials, refusal) =
            self.store.acquirer_credentials_kept(resto_id, kind.name()).await?.ok_or_else(|| {
                AcquirerError::Refused(format!(
                    "the restaurant has no {} credentials; set them in the settings",
                    kind.name()
                ))
            })?;
        let watched = Watched {
            store: self.store.clone(),
            resto_id: resto_id.to_string(),
            refused: AtomicBool::new(refusal.is_some()),
        };
        let acquirer = CountedAcquirer::new(kind.name(), kind.acquirer(resto_id, credentials)?, self.metrics.clone());
        Ok(Arc::new(acquirer.watching(watched)))
    }

    fn counted(&self, kind: &dyn AcquirerKind, acquirer: Arc<dyn Acquirer>) -> Arc<dyn Acquirer> {
        Arc::new(CountedAcquirer::new(kind.name(), acquirer, self.metrics.clone()))
    }
}

/// A credential's value as the admin API's body gives it.
pub type GivenValue = serde_json::Value;

/// One field of a restaurant's credentials that may be shown (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownField {
    /// A text field's value.
    Text(String),
    /// A flag that is on (one that is off is not shown).
    On,
}

impl Acquirers {
    /// Credentials as the admin API's body gives them for `kind`: text for its text fields and
    /// secrets, `true` or `false` for its flags. Names that are none of its fields are kept, so
    /// choosing refuses them by name. A refusal names the field, never its value.
    pub fn given_credentials(
        &self,
        kind: &str,
        given: &std::collections::BTreeMap<String, GivenValue>,
    ) -> Result<AcquirerCredentials, ChoiceError> {
        let kind = self.kind(kind)?;
        let mut credentials = AcquirerCredentials::new();
        for (name, value) in given {
            let field = kind.fields().iter().find(|f| f.name == name.as_str());
            let text = match (field.map(|f| f.kind), value) {
                (Some(FieldKind::Flag), GivenValue::Bool(on)) => if *on { FLAG_ON } else { FLAG_OFF }.to_string(),
                (Some(FieldKind::Flag), _) => {
                    return Err(ChoiceError::Invalid(format!("`{name}` of {} is true or false", kind.name())))
                }
                (_, GivenValue::String(text)) => text.clone(),
                (Some(_), _) => return Err(ChoiceError::Invalid(format!("`{name}` of {} is text", kind.name()))),
                (None, _) => String::new(),
            };
            credentials.set(name, &text);
        }
        Ok(credentials)
    }

    /// What may be shown of a restaurant's credentials for `kind`, field by field in the kind's
    /// order: text fields with their values and flags that are on; never a secret.
    pub async fn shown_fields(
        &self,
        resto_id: &str,
        kind: &str,
    ) -> Result<Vec<(&'static str, ShownField)>, StoreError> {
        let Ok(kind) = self.kind(kind) else { return Ok(Vec::new()) };
        if kind.fields().iter().all(CredentialField::is_secret) {
            return Ok(Vec::new());
        }
        let Some(credentials) = self.store.acquirer_credentials(resto_id, kind.name()).await? else {
            return Ok(Vec::new());
        };
        let shown = kind.fields().iter().filter_map(|field| match field.kind {
            FieldKind::Secret => None,
            FieldKind::Flag => flag_on(&credentials, field.name).then_some((field.name, ShownField::On)),
            FieldKind::Text => credentials.get(field.name).map(|value| (field.name, ShownField::Text(value.into()))),
        });
        Ok(shown.collect())
    }
}

/// Checks that the credentials are exactly the kind's fields: every text and secret given, a
/// flag (if given) on or off.
fn fitting(kind: &dyn AcquirerKind, credentials: &AcquirerCredentials) -> Result<(), ChoiceError> {
    let fields = kind.fields();
    let names = || fields.iter().map(|f| format!("`{}`", f.name)).collect::<Vec<_>>().join(", ");
    if let Some(stranger) = credentials.names().find(|name| !fields.iter().any(|f| f.name == *name)) {
        return Err(ChoiceError::Invalid(match fields.len() {
            0 => format!("{} takes no credentials, not `{stranger}`", kind.name()),
            _ => format!("{} takes {}, not `{stranger}`", kind.name(), names()),
        }));
    }
    let missing = fields.iter().filter(|f| !f.is_flag()).find(|f| credentials.get(f.name).is_none_or(str::is_empty));
    if let Some(missing) = missing {
        return Err(ChoiceError::Invalid(format!("{} needs `{}` (it takes {})", kind.name(), missing.name, names())));
    }
    let unclear = fields
        .iter()
        .filter(|f| f.is_flag())
        .find(|f| credentials.get(f.name).is_some_and(|value| value != FLAG_ON && value != FLAG_OFF));
    if let Some(unclear) = unclear {
        return Err(ChoiceError::Invalid(format!("`{}` of {} is true or false", unclear.name, kind.name())));
    }
    Ok(())
}

/// Why the acquirer did not accept credentials, in its words (never repeating a secret: the
/// kind's check words it).
fn refusal(kind: &dyn AcquirerKind, error: AcquirerError) -> String {
    match error {
        AcquirerError::Refused(reason) | AcquirerError::CredentialsRefused(reason) => reason,
        _ => format!("{} did not accept the credentials", kind.name()),
    }
}
