//! `menuInfo`: the whole menu (dishes, modifiers, groups). Menus are big: this is why the
//! callback body limit is 16 MiB by default.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::money::{self, Money};
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuInfo {}

impl PosRequest for MenuInfo {
    const OPERATION: Operation = Operation::MenuInfo;
    type Answer = MenuInfoAnswer;
}

/// Answer: the menu.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuInfoAnswer {
    /// Dishes.
    #[serde(default, deserialize_with = "lenient::list")]
    pub dishes: Vec<MenuDish>,
    /// Modifiers.
    #[serde(default, deserialize_with = "lenient::list")]
    pub modifiers: Vec<MenuModifier>,
    /// Group modifiers (names of modifier groups).
    #[serde(default, deserialize_with = "lenient::list")]
    pub group_modifiers: Vec<MenuModifier>,
    /// Menu groups (a tree through `parentId`).
    #[serde(default, deserialize_with = "lenient::list")]
    pub groups: Vec<MenuGroup>,
    /// Terminal groups, free-form.
    #[serde(default, deserialize_with = "lenient::list")]
    pub terminals_groups: Vec<serde_json::Value>,
    /// The terminal group this POS belongs to, free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_terminals_group: Option<serde_json::Value>,
}

impl AnswerBody for MenuInfoAnswer {}

/// One dish of the menu.
///
/// ```
/// use rahunok_protocol::ops::MenuDish;
/// let d: MenuDish = serde_json::from_str(r#"{"id": "d1", "name": "Борщ", "price": 95, "isActive": 1, "modifiers": null}"#).unwrap();
/// assert_eq!(d.price.unwrap().to_string(), "95.00");
/// assert!(d.is_active);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuDish {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Description.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Price per unit.
    #[serde(default, deserialize_with = "money::optional", skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Category name.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Category id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Menu group id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// On sale.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_active: bool,
    /// Unit (`шт`, `кг`).
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Vendor code.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    /// Kind (`dish`, `combo`, ...).
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Single modifiers, free-form.
    #[serde(default, deserialize_with = "lenient::list")]
    pub modifiers: Vec<serde_json::Value>,
    /// Modifier groups with their limits.
    #[serde(default, deserialize_with = "lenient::list")]
    pub group_modifiers: Vec<GroupModifierRule>,
}

/// Limits of a modifier group on a dish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupModifierRule {
    /// Modifier group id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Minimum to choose.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<i64>,
    /// Maximum to choose.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<i64>,
    /// Chosen by default.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub default_amount: Option<i64>,
    /// Must be chosen.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub required: bool,
    /// Free of charge.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub free: bool,
    /// How many are free.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub free_amount: Option<i64>,
    /// The modifiers in the group with their own limits.
    #[serde(default, deserialize_with = "lenient::list")]
    pub child_modifiers: Vec<serde_json::Value>,
}

/// A modifier (or a modifier group) of the menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MenuModifier {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Price, when it costs extra.
    #[serde(default, deserialize_with = "money::optional", skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
}

/// A menu group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuGroup {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Parent group.
    #[serde(default, with = "lenient::text")]
    pub parent_id: Option<String>,
    /// Position in the menu.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub menu_index: Option<i64>,
}
