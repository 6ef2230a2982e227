//! Upgrades and downgrades of the store's schema: migrations run on start, and a store a newer
//! release migrated (it added a column and recorded a migration this build does not know) still
//! serves this older build after a restart.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;

async fn a_store_migrated_by_a_newer_release_still_serves_an_older_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.create_restaurant("Before the downgrade").await;
    let pool = app.state.store.pool().clone();
    sqlx::query("ALTER TABLE restaurants ADD COLUMN added_by_a_newer_release TEXT").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)").execute(&pool).await.unwrap();

    let app = app.restart().await;
    let (status, shown) = app.get_json(&format!("/api/admin/restaurants/{}", before.resto_id)).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["name"], "Before the downgrade");
    let after = app.create_restaurant("After the downgrade").await;
    let (status, _) = app.get_json(&format!("/api/admin/restaurants/{}", after.resto_id)).await;
    assert_eq!(status, 200);
}

on_both_stores!(a_store_migrated_by_a_newer_release_still_serves_an_older_one);
