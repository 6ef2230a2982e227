//! How a node reaches NATS: the server's address, the credentials it presents, and TLS.
//!
//! Why this exists: the bus between nodes carries requests that close bills on a POS, so the
//! NATS server the nodes share must let in only them (its `authorization` block: user and
//! password, a token, an nkey, or a `.creds` file of NATS's decentralised accounts), and on a
//! network others share, over TLS. The credentials come from flags, the environment, or the URL
//! itself (`nats://user:password@host:4222`, `nats://token@host:4222`, as other NATS clients
//! read it); the async-nats client ignores credentials written in a URL, so they are taken out
//! here and handed over as credentials, and the URL kept is one with nothing secret in it.
//!
//! Nothing secret is ever printed: [`NatsAccess::url`] has no user information, the `Debug`
//! forms redact, and [`redact_url`] hides the user information of any URL text an error or a
//! log line might quote.
//!
//! ```
//! use rahunok_server::nats_access::{redact_url, NatsAccess, NatsCredentials};
//! let access = NatsAccess::from_url("nats://rahunok:s%40cret@10.0.0.5:4222").unwrap();
//! assert_eq!(access.url, "nats://10.0.0.5:4222");
//! assert!(matches!(&access.credentials,
//!     NatsCredentials::UserPassword { user, password } if user == "rahunok" && password == "s@cret"));
//! assert!(!format!("{access:?}").contains("cret"));
//! assert_eq!(redact_url("nats://rahunok:s3cret@host:4222"), "nats://***@host:4222");
//! ```

use std::fmt;
use std::path::PathBuf;

/// The credentials a node presents to NATS.
#[derive(Clone, Default)]
pub enum NatsCredentials {
    /// None (a NATS server without an `authorization` block; only on a private network).
    #[default]
    None,
    /// A user and password (`authorization { users = [{user, password}] }`).
    UserPassword {
        /// The user.
        user: String,
        /// The password.
        password: String,
    },
    /// A token (`authorization { token }`).
    Token(String),
    /// A file holding an nkey seed (`SU…`); the server knows the public key.
    NkeySeedFile(PathBuf),
    /// A `.creds` file (a user JWT and its nkey seed, for NATS's decentralised accounts).
    CredsFile(PathBuf),
}

impl NatsCredentials {
    /// What kind of credentials these are, for messages (never the secret).
    pub fn kind(&self) -> &'static str {
        match self {
            NatsCredentials::None => "no credentials",
            NatsCredentials::UserPassword { .. } => "a user and password",
            NatsCredentials::Token(_) => "a token",
            NatsCredentials::NkeySeedFile(_) => "an nkey seed file",
            NatsCredentials::CredsFile(_) => "a credentials file",
        }
    }

    /// The secret strings in these credentials (to scrub from any text a library hands back).
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            NatsCredentials::UserPassword { password, .. } => vec![password.as_str()],
            NatsCredentials::Token(token) => vec![token.as_str()],
            _ => Vec::new(),
        }
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

impl fmt::Debug for NatsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NatsCredentials::None => f.write_str("None"),
            NatsCredentials::UserPassword { user, .. } => write!(f, "UserPassword({user}, <redacted>)"),
            NatsCredentials::Token(_) => f.write_str("Token(<redacted>)"),
            NatsCredentials::NkeySeedFile(path) => write!(f, "NkeySeedFile({})", path.display()),
            NatsCredentials::CredsFile(path) => write!(f, "CredsFile({})", path.display()),
        }
    }
}

/// TLS to the NATS server.
#[derive(Debug, Clone, Default)]
pub struct NatsTls {
    /// Refuse to talk to NATS without TLS (also implied by a `tls://` URL or a CA file).
    pub required: bool,
    /// A PEM file of the CA that signed the NATS server's certificate (else the system's roots).
    pub ca_file: Option<PathBuf>,
    /// A client certificate and its key (PEM), for a NATS server that verifies clients.
    pub client_certificate: Option<(PathBuf, PathBuf)>,
}

/// How this node reaches NATS (see the module docs).
#[derive(Debug, Clone)]
pub struct NatsAccess {
    /// The server's address, with no user information in it (safe to print).
    pub url: String,
    /// What the node presents.
    pub credentials: NatsCredentials,
    /// TLS.
    pub tls: NatsTls,
}

/// Why the NATS settings cannot be used. The messages name flags and kinds, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum NatsAccessError {
    /// The URL is not `scheme://host[:port]`.
    #[error("the NATS URL {0} is not nats://host:port (or tls://host:port)")]
    BadUrl(String),
    /// Credentials given two ways.
    #[error("NATS credentials are given twice ({0} and {1}): give one kind")]
    TwoKinds(&'static str, &'static str),
}

impl NatsAccess {
    /// The settings for `url`; credentials written in it (`user:password@`, or `token@`) are
    /// taken out (percent-decoded) and become [`NatsAccess::credentials`].
    pub fn from_url(url: &str) -> Result<NatsAccess, NatsAccessError> {
        let url = url.trim();
        let bad = || NatsAccessError::BadUrl(redact_url(url));
        // Like the NATS clients, a URL without a scheme is a `nats://` one.
        let (scheme, rest) = url.split_once("://").unwrap_or(("nats", url));
        if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return Err(bad());
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let (userinfo, host) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(bad());
        }
        let credentials = match userinfo {
            None | Some("") => NatsCredentials::None,
            Some(info) => match info.split_once(':') {
                Some((user, password)) => NatsCredentials::UserPassword {
                    user: percent_decoded(user).ok_or_else(bad)?,
                    password: percent_decoded(password).ok_or_else(bad)?,
                },
                // A user with no password is a token, as the other NATS clients read it.
                None => NatsCredentials::Token(percent_decoded(info).ok_or_else(bad)?),
            },
        };
        let tls = NatsTls { required: scheme.eq_ignore_ascii_case("tls"), ..NatsTls::default() };
        Ok(NatsAccess { url: format!("{scheme}://{host}{path}"), credentials, tls })
    }

    /// These settings with `credentials` from a flag or the environment; refused when the URL
    /// carried credentials too (which would win would be a guess).
    pub fn with_credentials(mut self, credentials: NatsCredentials) -> Result<NatsAccess, NatsAccessError> {
        match (&self.credentials, &credentials) {
            (_, NatsCredentials::None) => {}
            (NatsCredentials::None, _) => self.credentials = credentials,
            (given, other) => return Err(NatsAccessError::TwoKinds(given.kind(), other.kind())),
        }
        Ok(self)
    }

    /// `text` with every secret of these credentials replaced by `***` (for messages a NATS
    /// library wrote, which this server does not control).
    pub fn scrub(&self, text: &str) -> String {
        self.credentials.secrets().into_iter().fold(redact_url(text), |text, secret| text.replace(secret, "***"))
    }
}

/// Any URL in `text` (`scheme://user:password@host…`) with its user information replaced by
/// `***`; text without one comes back as it was.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let authority_end = after.find(['/', '?', '#', ' ', ',', '"', '\'', '\n']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// `%XX` escapes decoded; `None` when one is not a valid escape or the result is not UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_are_taken_out_of_it() {
        let access = NatsAccess::from_url("nats://node:p%3Ass@nats.internal:4222").unwrap();
        assert_eq!(access.url, "nats://nats.internal:4222");
        assert!(matches!(&access.credentials,
            NatsCredentials::UserPassword { user, password } if user == "node" && password == "p:ss"));
        let token = NatsAccess::from_url("tls://s3cr3t-token@nats.internal").unwrap();
        assert_eq!(token.url, "tls://nats.internal");
        assert!(matches!(&token.credentials, NatsCredentials::Token(t) if t == "s3cr3t-token"));
        assert!(token.tls.required, "tls:// requires TLS");
        let plain = NatsAccess::from_url("nats://127.0.0.1:4222").unwrap();
        assert!(matches!(plain.credentials, NatsCredentials::None));
        assert!(!plain.tls.required);
        assert_eq!(
            NatsAccess::from_url("127.0.0.1:4222").unwrap().url,
            "nats://127.0.0.1:4222",
            "as NATS clients read it"
        );
    }

    #[test]
    fn a_bad_url_is_refused_without_its_secret() {
        for url in ["nats://user:hunter2@", "nats://user:hunter2%zz@host", "://x", "n ats://u:hunter2@h"] {
            let error = NatsAccess::from_url(url).unwrap_err().to_string();
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn credentials_given_twice_are_refused_naming_the_kinds_only() {
        let access = NatsAccess::from_url("nats://u:hunter2@host").unwrap();
        let error = access.with_credentials(NatsCredentials::Token("tok3n".into())).unwrap_err().to_string();
        assert_eq!(error, "NATS credentials are given twice (a user and password and a token): give one kind");
        let access = NatsAccess::from_url("nats://host").unwrap();
        let access = access.with_credentials(NatsCredentials::Token("tok3n".into())).unwrap();
        assert!(matches!(access.credentials, NatsCredentials::Token(_)));
    }

    #[test]
    fn nothing_secret_is_shown() {
        let access = NatsAccess::from_url("nats://u:hunter2@host:4222").unwrap();
        assert!(!format!("{access:?}").contains("hunter2"));
        assert_eq!(
            access.scrub("authorization violation for hunter2 at nats://u:hunter2@host"),
            "authorization violation for *** at nats://***@host"
        );
        assert_eq!(redact_url("no url here"), "no url here");
        assert_eq!(redact_url("a nats://x@h:1/p and b tls://y:z@k"), "a nats://***@h:1/p and b tls://***@k");
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
    }
}
