//! The flags that join a node to the others through NATS: the server, the credentials the node
//! presents (the NATS server's `authorization` block decides which kind), and TLS. `serve` takes
//! them, and `bench` when it measures a cluster (it hands them to its nodes in their
//! environment, not on their command lines, where `ps` would show them).
//!
//! Secrets are best given in the environment or in files: a flag's value is visible to every
//! user of the machine in the process list. `--help` never shows the environment's values.

use anyhow::{bail, Result};
use clap::Args;
use rahunok_server::config::{NatsAccess, NatsCredentials};
use std::path::PathBuf;

/// How this node reaches NATS.
#[derive(Args, Clone, Default)]
pub struct NatsArgs {
    /// Join other nodes through this NATS server (nats://host:4222, or tls://host:4222 for
    /// TLS); needs --database-url, the store every node shares. Credentials may be written in
    /// it (nats://user:password@host:4222, nats://token@host:4222). Without it the server is
    /// one node.
    #[arg(long, env = "RAHUNOK_NATS_URL", hide_env_values = true)]
    pub nats_url: Option<String>,
    /// The NATS user (with --nats-password).
    #[arg(long, env = "RAHUNOK_NATS_USER", requires = "nats_password")]
    pub nats_user: Option<String>,
    /// The NATS user's password (prefer the environment variable: flags show in `ps`).
    #[arg(long, env = "RAHUNOK_NATS_PASSWORD", hide_env_values = true, requires = "nats_user")]
    pub nats_password: Option<String>,
    /// A NATS token (prefer the environment variable: flags show in `ps`).
    #[arg(long, env = "RAHUNOK_NATS_TOKEN", hide_env_values = true)]
    pub nats_token: Option<String>,
    /// A file holding the NATS nkey seed (SU…) of this node's user.
    #[arg(long, env = "RAHUNOK_NATS_NKEY_FILE")]
    pub nats_nkey_file: Option<PathBuf>,
    /// A NATS .creds file (user JWT and nkey seed, for NATS's decentralised accounts).
    #[arg(long, env = "RAHUNOK_NATS_CREDS_FILE")]
    pub nats_creds_file: Option<PathBuf>,
    /// Talk to NATS over TLS only (implied by a tls:// URL or --nats-ca-file).
    #[arg(long, env = "RAHUNOK_NATS_TLS")]
    pub nats_tls: bool,
    /// The CA (PEM) that signed the NATS server's certificate [default: the system's roots].
    #[arg(long, env = "RAHUNOK_NATS_CA_FILE")]
    pub nats_ca_file: Option<PathBuf>,
    /// A client certificate (PEM) for a NATS server that verifies clients (with
    /// --nats-client-key).
    #[arg(long, env = "RAHUNOK_NATS_CLIENT_CERT", requires = "nats_client_key")]
    pub nats_client_cert: Option<PathBuf>,
    /// The client certificate's key (PEM).
    #[arg(long, env = "RAHUNOK_NATS_CLIENT_KEY", requires = "nats_client_cert")]
    pub nats_client_key: Option<PathBuf>,
}

impl NatsArgs {
    /// The NATS settings these flags give; `None` without a URL. Credentials given more than
    /// one way are refused (naming the flags, never a value).
    pub fn access(&self) -> Result<Option<NatsAccess>> {
        let Some(url) = self.nats_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            if self.has_credentials() {
                bail!("NATS credentials were given without --nats-url (RAHUNOK_NATS_URL)");
            }
            return Ok(None);
        };
        let mut given = Vec::new();
        if let (Some(user), Some(password)) = (&self.nats_user, &self.nats_password) {
            given.push((
                "--nats-user/--nats-password",
                NatsCredentials::UserPassword { user: user.clone(), password: password.clone() },
            ));
        }
        if let Some(token) = &self.nats_token {
            given.push(("--nats-token", NatsCredentials::Token(token.clone())));
        }
        if let Some(path) = &self.nats_nkey_file {
            given.push(("--nats-nkey-file", NatsCredentials::NkeySeedFile(path.clone())));
        }
        if let Some(path) = &self.nats_creds_file {
            given.push(("--nats-creds-file", NatsCredentials::CredsFile(path.clone())));
        }
        if given.len() > 1 {
            let flags: Vec<&str> = given.iter().map(|(flag, _)| *flag).collect();
            bail!("NATS credentials are given {} ways ({}): give one", given.len(), flags.join(", "));
        }
        let mut access = NatsAccess::from_url(url)?;
        if let Some((_, credentials)) = given.pop() {
            access = access.with_credentials(credentials)?;
        }
        access.tls.required |= self.nats_tls;
        access.tls.ca_file = self.nats_ca_file.clone();
        access.tls.client_certificate = self.nats_client_cert.clone().zip(self.nats_client_key.clone());
        Ok(Some(access))
    }

    fn has_credentials(&self) -> bool {
        self.nats_user.is_some()
            || self.nats_token.is_some()
            || self.nats_nkey_file.is_some()
            || self.nats_creds_file.is_some()
    }

    /// These settings as the environment of a `rahunok serve` child process (so no secret is
    /// on its command line).
    pub fn child_environment(&self) -> Vec<(&'static str, String)> {
        let path = |p: &PathBuf| p.display().to_string();
        let values = [
            ("RAHUNOK_NATS_URL", self.nats_url.clone()),
            ("RAHUNOK_NATS_USER", self.nats_user.clone()),
            ("RAHUNOK_NATS_PASSWORD", self.nats_password.clone()),
            ("RAHUNOK_NATS_TOKEN", self.nats_token.clone()),
            ("RAHUNOK_NATS_NKEY_FILE", self.nats_nkey_file.as_ref().map(path)),
            ("RAHUNOK_NATS_CREDS_FILE", self.nats_creds_file.as_ref().map(path)),
            ("RAHUNOK_NATS_TLS", self.nats_tls.then(|| "true".to_string())),
            ("RAHUNOK_NATS_CA_FILE", self.nats_ca_file.as_ref().map(path)),
            ("RAHUNOK_NATS_CLIENT_CERT", self.nats_client_cert.as_ref().map(path)),
            ("RAHUNOK_NATS_CLIENT_KEY", self.nats_client_key.as_ref().map(path)),
        ];
        values.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
    }
}
