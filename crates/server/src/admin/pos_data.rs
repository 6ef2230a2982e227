//! What the POS knows about the restaurant — tables, halls, staff, categories, menu, stop list —
//! as last stored, or fetched from the POS now with `?refresh=true`.

use super::restaurants::known_restaurant;
use super::AdminError;
use crate::pos_data::{refresh, stored};
use crate::state::AppState;
use crate::store::{now_ms, CachedOrder, SnapshotKind};
use axum::extract::{Path, Query, State};
use axum::Json;
use rahunok_protocol::envelope::PosRequest;
use rahunok_protocol::ops::{CategoriesInfo, HallplansInfo, MenuInfo, StopList, TablesInfo, UsersInfo};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `?refresh=true` asks the POS now instead of returning what is stored.
#[derive(Deserialize, Default)]
pub struct RefreshQuery {
    #[serde(default)]
    refresh: Option<String>,
}

impl RefreshQuery {
    fn wanted(&self) -> bool {
        matches!(self.refresh.as_deref(), Some("true" | "1" | "yes" | ""))
    }
}

/// POS data with the time it was fetched (`refreshedAt: null` = never).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PosData<T> {
    #[serde(flatten)]
    data: T,
    refreshed_at: Option<i64>,
}

type PosDataResult<R> = Result<Json<PosData<<R as PosRequest>::Answer>>, AdminError>;

async fn stored_or_refreshed<R: PosRequest + Default>(
    state: &AppState,
    resto_id: &str,
    query: &RefreshQuery,
    kind: SnapshotKind,
) -> PosDataResult<R> {
    known_restaurant(state, resto_id).await?;
    if query.wanted() {
        let data = refresh::<R>(state, resto_id, kind).await?;
        return Ok(Json(PosData { data, refreshed_at: Some(now_ms()) }));
    }
    let (data, refreshed_at) = match stored(&state.store, resto_id, kind).await? {
        Some((data, at)) => (data, Some(at)),
        None => (Default::default(), None),
    };
    Ok(Json(PosData { data, refreshed_at }))
}

/// Tables. With `refresh`, `tablesInfo` is awaited and `hallplansInfo` is sent alongside and
/// stored when it arrives, so tables appear as soon as the POS sends them.
pub async fn tables(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> PosDataResult<TablesInfo> {
    if query.wanted() {
        known_restaurant(&state, &resto_id).await?;
        let halls_state = state.clone();
        let halls_resto = resto_id.clone();
        tokio::spawn(async move {
            if let Err(error) = refresh::<HallplansInfo>(&halls_state, &halls_resto, SnapshotKind::Halls).await {
                tracing::warn!(resto_id = halls_resto, %error, "hallplansInfo refresh failed");
            }
        });
    }
    stored_or_refreshed::<TablesInfo>(&state, &resto_id, &query, SnapshotKind::Tables).await
}

/// Halls.
pub async fn halls(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> PosDataResult<HallplansInfo> {
    stored_or_refreshed::<HallplansInfo>(&state, &resto_id, &query, SnapshotKind::Halls).await
}

/// Staff.
pub async fn staff(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> PosDataResult<UsersInfo> {
    stored_or_refreshed::<UsersInfo>(&state, &resto_id, &query, SnapshotKind::Staff).await
}

/// Menu categories.
pub async fn categories(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> PosDataResult<CategoriesInfo> {
    stored_or_refreshed::<CategoriesInfo>(&state, &resto_id, &query, SnapshotKind::Categories).await
}

/// The menu.
pub async fn menu(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> PosDataResult<MenuInfo> {
    stored_or_refreshed::<MenuInfo>(&state, &resto_id, &query, SnapshotKind::Menu).await
}

/// The stop list.
pub async fn stop_list(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> PosDataResult<StopList> {
    stored_or_refreshed::<StopList>(&state, &resto_id, &query, SnapshotKind::StopList).await
}

/// Open orders from the POS's `ORDERS_CACHE` pushes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersCacheView {
    orders: Vec<CachedOrder>,
    closed_bill_ids: Vec<String>,
    pushed_at: Option<i64>,
    fresh: bool,
}

/// A cache with no push for this long is stale (spec: 15 s).
const ORDERS_CACHE_FRESH_FOR: Duration = Duration::from_secs(15);

/// The orders cache.
pub async fn cached_orders(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
) -> Result<Json<OrdersCacheView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let (orders, pushed_at) = state.store.cached_orders(&resto_id).await?;
    let closed_bill_ids = state.store.closed_orders(&resto_id).await?;
    let fresh = pushed_at.is_some_and(|at| now_ms() - at < ORDERS_CACHE_FRESH_FOR.as_millis() as i64);
    Ok(Json(OrdersCacheView { orders, closed_bill_ids, pushed_at, fresh }))
}
