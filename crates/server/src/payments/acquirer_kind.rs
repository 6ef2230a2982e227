//! What each kind of acquirer declares about itself ([`AcquirerKind`]): its name, its title, the
//! credential fields a restaurant gives it, how those are checked with the acquirer, how its
//! [`Acquirer`] for one restaurant is made, and the routes where it talks back to us.
//!
//! Why this exists: choosing an acquirer, keeping its credentials, the admin API's body, the
//! panel's form, the metrics and the notification routes are written once, over the list of
//! kinds (`super::acquirers`), instead of once per acquirer. A new acquirer is its own module
//! implementing this trait and one line in that list; the rest of the platform reads the
//! descriptor.

use super::acquirer::{Acquirer, AcquirerError, AcquirerFuture};
use super::PaymentsState;
use crate::store::{AcquirerCredentials, Store};
use axum::Router;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A text in the panel's two languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// Ukrainian.
    pub uk: &'static str,
    /// English.
    pub en: &'static str,
}

/// What kind of value a credential field holds, which says how it is given and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text that is not secret (LiqPay's public key): required, shown in the admin API's
    /// answers and in the panel's form once saved.
    Text,
    /// A secret (a merchant token, a private key): required, never shown again once saved (the
    /// panel leaves its input empty; left empty, the saved value is kept) and never logged.
    Secret,
    /// On or off (LiqPay's test mode): `true`/`false` in the admin API's body (absent is off), a
    /// checkbox in the panel; shown in the answers when it is on.
    Flag,
}

/// One credential field of a kind of acquirer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialField {
    /// Its name in the admin API's body (`{"kind": "monobank", "token": "…"}`).
    pub name: &'static str,
    /// What the panel's form calls it.
    pub label: Label,
    /// What it holds: text, a secret or a flag.
    pub kind: FieldKind,
}

impl CredentialField {
    /// Whether it is a secret (never shown again, never logged).
    pub fn is_secret(&self) -> bool {
        self.kind == FieldKind::Secret
    }

    /// Whether it is a flag (on or off).
    pub fn is_flag(&self) -> bool {
        self.kind == FieldKind::Flag
    }
}

/// A flag that is on, as credentials keep it (every field is kept as text).
pub const FLAG_ON: &str = "true";
/// A flag that is off.
pub const FLAG_OFF: &str = "false";

/// Whether the flag `name` is on among `credentials` (absent is off).
pub fn flag_on(credentials: &AcquirerCredentials, name: &str) -> bool {
    credentials.get(name) == Some(FLAG_ON)
}

/// What a kind of acquirer is given when the server starts.
#[derive(Debug, Clone)]
pub struct AcquirerSetup {
    /// The store.
    pub store: Store,
    /// Where guests and acquirers reach this server (no trailing slash).
    pub public_url: String,
    /// An acquirer's API address by kind, instead of its real one (an emulator in tests and
    /// staging).
    pub api_urls: BTreeMap<String, String>,
}

impl AcquirerSetup {
    /// The API address of `kind`: the configured one, or `real`.
    pub fn api_url(&self, kind: &str, real: &str) -> String {
        self.api_urls.get(kind).cloned().unwrap_or_else(|| real.to_string())
    }
}

/// A name that is no kind of acquirer this server knows: refused everywhere (never taken for
/// the sandbox).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown acquirer kind `{kind}`; known: {}", .known.join(", "))]
pub struct UnknownAcquirer {
    /// The name given.
    pub kind: String,
    /// The kinds there are.
    pub known: Vec<&'static str>,
}

/// What a kind of acquirer is, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// See [`AcquirerKind::name`].
    pub name: &'static str,
    /// See [`AcquirerKind::title`].
    pub title: &'static str,
    /// See [`AcquirerKind::note`].
    pub note: Option<Label>,
    /// See [`AcquirerKind::fields`].
    pub fields: &'static [CredentialField],
}

/// A kind of acquirer (see the module docs). One value of it runs per server, made when the
/// server starts (see `super::acquirers`).
pub trait AcquirerKind: Send + Sync {
    /// What the kind is ([`KindInfo`]): written once, as data, by each kind.
    fn info(&self) -> &'static KindInfo;

    /// The kind's name: stored with the restaurant's choice and with each payment, the admin
    /// API's `kind`, the metrics' `acquirer` label.
    fn name(&self) -> &'static str {
        self.info().name
    }

    /// What people call it: the panel's choice, and the acquirer on fiscal lines and receipts.
    fn title(&self) -> &'static str {
        self.info().title
    }

    /// What the panel says about it beside its title, if anything.
    fn note(&self) -> Option<Label> {
        self.info().note
    }

    /// The credentials a restaurant gives it; every text and secret is required, a flag is off
    /// unless given.
    fn fields(&self) -> &'static [CredentialField] {
        self.info().fields
    }

    /// Checks credentials with the acquirer before they are saved: the name of the account they
    /// belong to (`None` when there is nothing to check, or the acquirer names none).
    /// `AcquirerError::Refused` when the acquirer does not accept them (its reason never repeats
    /// a secret), `AcquirerError::Unavailable` when it cannot be asked.
    fn check<'a>(
        &'a self,
        resto_id: &'a str,
        credentials: &'a AcquirerCredentials,
    ) -> AcquirerFuture<'a, Option<String>>;

    /// The acquirer of one restaurant, with its credentials.
    fn acquirer(&self, resto_id: &str, credentials: AcquirerCredentials) -> Result<Arc<dyn Acquirer>, AcquirerError>;

    /// The acquirer serving every restaurant alike, for notifications that name no payment
    /// (the sandbox's); `None` for a kind whose every notification names its payment.
    fn shared(&self) -> Option<Arc<dyn Acquirer>> {
        None
    }

    /// Where the acquirer reaches us: its notification route(s), and its pages if it hosts any.
    fn routes(&self) -> Router<PaymentsState>;
}
