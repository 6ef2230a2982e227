//! `rahunok serve --demo`: a newcomer's first minute. Creates a demo restaurant once, gives it
//! a fresh secret on every start (secrets are never stored, so the in-process POS gets a new
//! one), runs the virtual POS against it, and prints ready-to-paste commands. The demo
//! restaurant lets guests order from the menu (switched on when it is created).

use anyhow::Result;
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use rahunok_server::store::{GuestSettings, RestaurantName};
use rahunok_server::Server;
use std::time::Duration;

const DEMO_NAME: &str = "Демо: Кав'ярня «Андріївський ранок»";

/// `admin_token` is the token's plaintext when this machine has it (the store keeps a hash).
pub async fn start(server: &Server, base_url: &str, admin_token: Option<&str>) -> Result<()> {
    let store = &server.state().store;
    let existing = store.restaurants().await?.into_iter().find(|r| r.name == DEMO_NAME);
    let resto_id = match existing {
        Some(r) => r.resto_id,
        None => {
            let resto_id = store.create_restaurant(&RestaurantName::parse(DEMO_NAME)?).await?.0.resto_id;
            // Its virtual POS implements ORDER_ON_TABLE: guests of the tour can order from the menu.
            let settings = GuestSettings { ordering_enabled: true, ..GuestSettings::default() };
            store.save_guest_settings(&resto_id, &settings).await?;
            resto_id
        }
    };
    let (secret, _) = store.rotate_secret(&resto_id, 0).await?.expect("the demo restaurant exists");
    let config = PosConfig::new(base_url, &resto_id, &secret, "RahunokSim");
    tokio::spawn(VirtualPos::kyiv_cafe().run(config, Some(Duration::from_secs(5))));
    let token = admin_token.unwrap_or("<see `rahunok admin-token`>");
    println!();
    println!("Demo restaurant: {DEMO_NAME}");
    println!("  RESTO_ID={resto_id}   (its virtual POS runs inside this process)");
    println!("  Admin API token: {token}");
    println!();
    println!("Pay as a guest: open {base_url}/t/{resto_id}/3 (test card 4242 4242 4242 4242)");
    println!("Order as a guest: open {base_url}/t/{resto_id}/5/menu (then pay now, or later with the table's bill)");
    println!("Admin panel:    {base_url}/panel");
    println!();
    println!("Try:");
    println!("  curl -s -H 'Authorization: Bearer {token}' '{base_url}/api/admin/restaurants/{resto_id}/tables?refresh=true'");
    println!("  curl -s -H 'Authorization: Bearer {token}' -X POST -d '{{\"tableNumber\": \"3\"}}' '{base_url}/api/admin/restaurants/{resto_id}/operations/getBill'");
    println!(
        "  curl -s -H 'Authorization: Bearer {token}' '{base_url}/api/admin/restaurants/{resto_id}/requests?limit=5'"
    );
    println!();
    Ok(())
}
