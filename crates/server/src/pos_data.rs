//! The POS's data about the restaurant (tables, halls, staff, categories, menu, stop list) as
//! the server keeps it: ask the POS now and store its answer, or read the last stored answer.
//! The admin API and the panel both go through here, so they store and read the same form.

use crate::gateway::LinkError;
use crate::state::AppState;
use crate::store::{SnapshotKind, Store, StoreError};
use rahunok_protocol::envelope::{parse_tracked, PosRequest};
use serde::de::DeserializeOwned;

/// Why fresh POS data could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PosDataError {
    /// The POS did not give a usable answer.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The answer could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Asks the POS now (`R` is `TablesInfo`, `UsersInfo`, ...) and stores its answer as `kind`.
pub async fn refresh<R: PosRequest + Default>(
    state: &AppState,
    resto_id: &str,
    kind: SnapshotKind,
) -> Result<R::Answer, PosDataError> {
    let answer = state.link.request(resto_id, &R::default()).await?;
    let text = serde_json::to_string(&answer.body).expect("answers serialise");
    state.store.save_snapshot(resto_id, kind, &text).await?;
    Ok(answer.body)
}

/// The last stored answer of `kind` and when it was stored (unix ms); `None` before the first
/// refresh.
pub async fn stored<A: DeserializeOwned>(
    store: &Store,
    resto_id: &str,
    kind: SnapshotKind,
) -> Result<Option<(A, i64)>, StoreError> {
    let Some(snapshot) = store.snapshot(resto_id, kind).await? else { return Ok(None) };
    let data = parse_tracked(snapshot.body.as_bytes())
        .map_err(|e| StoreError::Corrupt(format!("{kind:?} snapshot: {e:?}")))?;
    Ok(Some((data, snapshot.refreshed_at)))
}
