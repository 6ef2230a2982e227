//! The POS's data about the restaurant (tables, halls, staff, categories, menu, stop list, open
//! orders) as the server keeps it: ask the POS now and store its answer, or read the last
//! stored answer. The admin API, the panel and the guest pages all go through here, so they
//! store and read the same form and follow the same rules:
//! - each snapshot request is tied to its snapshot kind by [`Snapshotted`], so a `tablesInfo`
//!   answer can only be stored as tables;
//! - tables are refreshed together with their halls (a page shows tables grouped by hall);
//! - the `ORDERS_CACHE` is fresh while the POS pushed it within [`ORDERS_CACHE_FRESH_FOR`];
//! - the menu and the stop list (what guests browse and order from) are kept fresh on a
//!   schedule by [`keep_menus_fresh`], for the restaurants connected to this node.

use crate::gateway::{LinkError, PosLink};
use crate::store::{now_ms, SnapshotKind, Store, StoreError};
use rahunok_protocol::envelope::{parse_tracked, PosRequest};
use rahunok_protocol::ops::{CategoriesInfo, HallplansInfo, MenuInfo, StopList, TablesInfo, UsersInfo};
use std::sync::Arc;
use std::time::Duration;

/// A cache with no `ORDERS_CACHE` push for this long is stale, and bills are asked for live
/// (`docs/pos-protocol.md` section 6: 15 s).
pub const ORDERS_CACHE_FRESH_FOR: Duration = Duration::from_secs(15);

/// How long a tables refresh waits for the halls asked alongside (they are stored whenever
/// they come).
pub const HALLS_GRACE: Duration = Duration::from_secs(3);

/// True while an `ORDERS_CACHE` pushed at `pushed_at` (unix ms) is fresh.
pub fn orders_cache_is_fresh(pushed_at: Option<i64>) -> bool {
    pushed_at.is_some_and(|at| now_ms() - at < ORDERS_CACHE_FRESH_FOR.as_millis() as i64)
}

/// A request whose answer the server keeps as a snapshot of one kind.
pub trait Snapshotted: PosRequest + Default + Send + Sync + 'static {
    /// Where its answer is stored.
    const KIND: SnapshotKind;
}

/// Each snapshot request with the kind its answer is stored as.
macro_rules! snapshotted {
    ($($request:ty => $kind:ident),+ $(,)?) => {$(
        impl Snapshotted for $request {
            const KIND: SnapshotKind = SnapshotKind::$kind;
        }
    )+};
}

snapshotted!(
    TablesInfo => Tables,
    HallplansInfo => Halls,
    UsersInfo => Staff,
    CategoriesInfo => Categories,
    MenuInfo => Menu,
    StopList => StopList,
);

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

impl PosDataError {
    /// The failure as an area's own error, which has a case for each (the admin API's, the
    /// panel's, the guest pages').
    pub fn into_error<E: From<LinkError> + From<StoreError>>(self) -> E {
        match self {
            PosDataError::Link(error) => error.into(),
            PosDataError::Store(error) => error.into(),
        }
    }
}

/// The service (see the module docs); cheap to clone.
#[derive(Clone)]
pub struct PosData {
    link: Arc<PosLink>,
    store: Store,
}

impl PosData {
    /// Asks through `link`, keeps the answers in `store`.
    pub fn new(link: Arc<PosLink>, store: Store) -> PosData {
        PosData { link, store }
    }

    /// Asks the POS now and stores its answer. Tables bring their halls along: both requests go
    /// out at once and the halls are waited for at most [`HALLS_GRACE`] after the tables.
    pub async fn refresh<R: Snapshotted>(&self, resto_id: &str) -> Result<R::Answer, PosDataError> {
        let halls = (R::KIND == SnapshotKind::Tables).then(|| {
            let (data, resto_id) = (self.clone(), resto_id.to_string());
            tokio::spawn(async move { data.ask_and_store::<HallplansInfo>(&resto_id).await })
        });
        let answer = self.ask_and_store::<R>(resto_id).await?;
        if let Some(halls) = halls {
            if let Ok(Ok(Err(error))) = tokio::time::timeout(HALLS_GRACE, halls).await {
                tracing::warn!(resto_id, %error, "hallplansInfo refresh failed");
            }
        }
        Ok(answer)
    }

    /// The last stored answer and when it was stored (unix ms); `None` before the first refresh.
    pub async fn stored<R: Snapshotted>(&self, resto_id: &str) -> Result<Option<(R::Answer, i64)>, StoreError> {
        let Some(snapshot) = self.store.snapshot(resto_id, R::KIND).await? else { return Ok(None) };
        let data = parse_tracked(snapshot.body.as_bytes())
            .map_err(|e| StoreError::Corrupt(format!("{:?} snapshot: {e:?}", R::KIND)))?;
        Ok(Some((data, snapshot.refreshed_at)))
    }

    async fn ask_and_store<R: Snapshotted>(&self, resto_id: &str) -> Result<R::Answer, PosDataError> {
        let answer = self.link.request(resto_id, &R::default()).await?;
        let text = serde_json::to_string(&answer.body).expect("answers serialise");
        self.store.save_snapshot(resto_id, R::KIND, &text).await?;
        Ok(answer.body)
    }
}

/// Refreshes, every `every`, the menu and stop list snapshots older than `every` of the
/// restaurants whose POS is connected to this node (each node does its own: no work is done
/// twice in a cluster), until the shutdown.
pub async fn keep_menus_fresh(data: PosData, every: Duration, mut shutdown: crate::shutdown::Shutdown) {
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.recv() => return,
        }
        for resto_id in data.link.connected_here() {
            data.refresh_if_older::<MenuInfo>(&resto_id, every_ms).await;
            data.refresh_if_older::<StopList>(&resto_id, every_ms).await;
        }
    }
}

impl PosData {
    async fn refresh_if_older<R: Snapshotted>(&self, resto_id: &str, age_ms: i64) {
        let refreshed_at = self.store.snapshot(resto_id, R::KIND).await.ok().flatten().map(|s| s.refreshed_at);
        if refreshed_at.is_some_and(|at| now_ms() - at < age_ms) {
            return;
        }
        if let Err(error) = self.refresh::<R>(resto_id).await {
            tracing::warn!(resto_id, kind = ?R::KIND, %error, "scheduled refresh failed");
        }
    }
}
