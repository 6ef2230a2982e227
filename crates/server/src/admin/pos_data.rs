//! What the POS knows about the restaurant — tables, halls, staff, categories, menu, stop list —
//! as last stored, or fetched from the POS now with `?refresh=true`; and the open orders from
//! its `ORDERS_CACHE` pushes. One handler serves every snapshot kind.

use super::openapi::AdminErrors;
use super::restaurants::known_restaurant;
use super::AdminError;
use super::AdminState;
use crate::pos_data::{orders_cache_is_fresh, PosDataError, Snapshotted};
use crate::store::{now_ms, CachedOrder};
use axum::extract::{Path, Query, State};
use axum::Json;
use rahunok_protocol::envelope::PosRequest;
use rahunok_protocol::ops::{CategoriesInfo, HallplansInfo, MenuInfo, StopList, TablesInfo, UsersInfo};
use serde::{Deserialize, Serialize};

/// `?refresh=true` asks the POS now instead of returning what is stored.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefreshQuery {
    /// `true` to ask the POS now.
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
pub struct PosDataView<T> {
    #[serde(flatten)]
    data: T,
    refreshed_at: Option<i64>,
}

/// `GET …/tables`, `…/halls`, `…/staff`, `…/categories`, `…/menu`, `…/stop-list`: the snapshot
/// `R` answers, stored or (with `refresh`) asked for now.
async fn snapshot<R: Snapshotted>(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
    Query(query): Query<RefreshQuery>,
) -> Result<Json<PosDataView<<R as PosRequest>::Answer>>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    if query.wanted() {
        let data = state.pos_data.refresh::<R>(&resto_id).await.map_err(PosDataError::into_error::<AdminError>)?;
        return Ok(Json(PosDataView { data, refreshed_at: Some(now_ms()) }));
    }
    let (data, refreshed_at) = match state.pos_data.stored::<R>(&resto_id).await? {
        Some((data, at)) => (data, Some(at)),
        None => (Default::default(), None),
    };
    Ok(Json(PosDataView { data, refreshed_at }))
}

/// A route for one snapshot kind: its OpenAPI entry and [`snapshot`] for its request.
macro_rules! snapshot_route {
    ($name:ident, $request:ident, $path:tt, $summary:tt) => {
        #[utoipa::path(
            get,
            path = $path,
            summary = $summary,
            params(("resto_id" = String, Path, description = "the RESTO_ID"), RefreshQuery),
            responses((status = 200, description = "the POS answer's data with `refreshedAt`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
        )]
        pub async fn $name(
            state: State<AdminState>,
            path: Path<String>,
            query: Query<RefreshQuery>,
        ) -> Result<Json<PosDataView<<$request as PosRequest>::Answer>>, AdminError> {
            snapshot::<$request>(state, path, query).await
        }
    };
}

snapshot_route!(
    tables,
    TablesInfo,
    "/api/admin/restaurants/{resto_id}/tables",
    "The POS's tables (`tablesInfo`), stored or asked for now"
);
snapshot_route!(
    halls,
    HallplansInfo,
    "/api/admin/restaurants/{resto_id}/halls",
    "The POS's halls (`hallplansInfo`), stored or asked for now"
);
snapshot_route!(
    staff,
    UsersInfo,
    "/api/admin/restaurants/{resto_id}/staff",
    "The POS's staff (`usersInfo`), stored or asked for now"
);
snapshot_route!(
    categories,
    CategoriesInfo,
    "/api/admin/restaurants/{resto_id}/categories",
    "The POS's menu categories (`categoriesInfo`), stored or asked for now"
);
snapshot_route!(
    menu,
    MenuInfo,
    "/api/admin/restaurants/{resto_id}/menu",
    "The POS's the menu (`menuInfo`), stored or asked for now"
);
snapshot_route!(
    stop_list,
    StopList,
    "/api/admin/restaurants/{resto_id}/stop-list",
    "The POS's the stop list (`stopList`), stored or asked for now"
);

/// Open orders from the POS's `ORDERS_CACHE` pushes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersCacheView {
    orders: Vec<CachedOrder>,
    closed_bill_ids: Vec<String>,
    pushed_at: Option<i64>,
    fresh: bool,
}

/// The orders cache.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/orders",
    summary = "Open orders from the POS's ORDERS_CACHE pushes",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "`{orders, closedBillIds, pushedAt, fresh}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn cached_orders(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<OrdersCacheView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let (orders, pushed_at) = state.store.cached_orders(&resto_id).await?;
    let closed_bill_ids = state.store.closed_orders(&resto_id).await?;
    let fresh = orders_cache_is_fresh(pushed_at);
    Ok(Json(OrdersCacheView { orders, closed_bill_ids, pushed_at, fresh }))
}
