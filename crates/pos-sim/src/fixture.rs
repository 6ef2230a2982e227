//! The restaurant a virtual POS simulates, read from a JSON fixture. The bundled one is a Kyiv
//! café with 2 halls, 12 tables, 4 staff, ~40 dishes and 3 open orders.

use rahunok_protocol::envelope::parse_tracked;
use rahunok_protocol::ops::{Category, HallPlan, MenuInfoAnswer, StopItem, Table, User};
use rahunok_protocol::order::Order;
use rahunok_protocol::FieldError;
use serde::Deserialize;
use std::path::Path;

/// The bundled fixture's JSON.
pub const KYIV_CAFE: &str = include_str!("../fixtures/kyiv-cafe.json");

/// Why a fixture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read.
    #[error("cannot read fixture {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The JSON does not describe a restaurant.
    #[error("the fixture is not valid: {0:?}")]
    Invalid(Vec<FieldError>),
}

/// The restaurant's name.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureRestaurant {
    /// Display name.
    pub name: String,
}

/// Everything the virtual POS knows at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixture {
    /// The restaurant.
    pub restaurant: FixtureRestaurant,
    /// Halls.
    pub hall_plans: Vec<HallPlan>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Staff.
    pub users: Vec<User>,
    /// Menu categories.
    pub categories: Vec<Category>,
    /// The menu.
    pub menu: MenuInfoAnswer,
    /// The stop list.
    pub stop_list: Vec<StopItem>,
    /// Open orders.
    pub orders: Vec<Order>,
}

impl Fixture {
    /// The bundled Kyiv café.
    pub fn kyiv_cafe() -> Fixture {
        Fixture::parse(KYIV_CAFE.as_bytes()).expect("the bundled fixture is valid")
    }

    /// Reads a fixture file.
    pub fn load(path: &Path) -> Result<Fixture, FixtureError> {
        let bytes =
            std::fs::read(path).map_err(|source| FixtureError::Read { path: path.display().to_string(), source })?;
        Fixture::parse(&bytes)
    }

    /// Parses fixture JSON.
    pub fn parse(bytes: &[u8]) -> Result<Fixture, FixtureError> {
        parse_tracked(bytes).map_err(FixtureError::Invalid)
    }
}
