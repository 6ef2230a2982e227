//! `versionInfo`: which POS plugin is connected and which optional features it implements.
//! The server asks right after every socket is accepted.

use crate::conformance::{kind, ConformanceWarning, WireValue};
use crate::envelope::{AnswerBody, AnswerHead, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {}

impl PosRequest for VersionInfo {
    const OPERATION: Operation = Operation::VersionInfo;
    type Answer = VersionInfoAnswer;
}

/// Answer. The older dotted spelling (`plugin.version`, `partner.id`, ...) is read too, also
/// when a POS sends both spellings (the camelCase value wins).
///
/// Every field is informational and never a reason to refuse: a plugin version that is not a
/// whole number (`"v0.6.0"`) keeps its text in `plugin_version_text` with `plugin_version:
/// None`, a text field written as an object or a list reads as `None`, `null` lists as empty
/// (each reported as a conformance warning by [`Callback::parse_with_warnings`](crate::Callback::parse_with_warnings)).
///
/// ```
/// use rahunok_protocol::ops::VersionInfoAnswer;
/// let a: VersionInfoAnswer = serde_json::from_str(r#"{"plugin.version": "41", "partner.id": "acme", "systemInfo": {"os": "win"}}"#).unwrap();
/// assert_eq!(a.plugin_version, Some(41));
/// assert_eq!(a.plugin_version_text.as_deref(), Some("41"));
/// assert_eq!(a.partner_id.as_deref(), Some("acme"));
/// let both: VersionInfoAnswer = serde_json::from_str(r#"{"pluginVersion": 42, "plugin.version": "41"}"#).unwrap();
/// assert_eq!(both.plugin_version, Some(42));
/// let text: VersionInfoAnswer = serde_json::from_str(r#"{"plugin.version": "v0.6.0", "updateInfo": null}"#).unwrap();
/// assert_eq!((text.plugin_version, text.plugin_version_text.as_deref()), (None, Some("v0.6.0")));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "VersionInfoWire")]
pub struct VersionInfoAnswer {
    /// ISO-8601 UTC time of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// The POS vendor's partner id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// Plugin version; grows with each release. `None` when absent or not a whole number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_version: Option<i64>,
    /// The plugin version as the POS wrote it (`"41"`, `"v0.6.0"`), whether or not it reads
    /// as a whole number: what a panel shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_version_text: Option<String>,
    /// The POS's own version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restaurant_version: Option<String>,
    /// Licence end, `yyyy.MM.dd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restaurant_license_date_end: Option<String>,
    /// Free-form details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<serde_json::Value>,
    /// Pending updates, free-form (`null` reads as empty, a single value as a list of one).
    pub update_info: Vec<serde_json::Value>,
    /// Optional features and whether they are on.
    pub implemented_features: Vec<ImplementedFeature>,
}

/// Both spellings as they may arrive; folded into [`VersionInfoAnswer`]. Informational text
/// is read with [`informational`], which never refuses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionInfoWire {
    #[serde(default, deserialize_with = "informational")]
    event_time: Option<String>,
    #[serde(default, deserialize_with = "informational")]
    partner_id: Option<String>,
    #[serde(default, rename = "partner.id", deserialize_with = "informational")]
    dotted_partner_id: Option<String>,
    #[serde(default, deserialize_with = "informational")]
    plugin_version: Option<String>,
    #[serde(default, rename = "plugin.version", deserialize_with = "informational")]
    dotted_plugin_version: Option<String>,
    #[serde(default, deserialize_with = "informational")]
    plugin_version_text: Option<String>,
    #[serde(default, deserialize_with = "informational")]
    restaurant_version: Option<String>,
    #[serde(default, rename = "restaurant.version", deserialize_with = "informational")]
    dotted_restaurant_version: Option<String>,
    #[serde(default, deserialize_with = "informational")]
    restaurant_license_date_end: Option<String>,
    #[serde(default, rename = "restaurant.license.date.end", deserialize_with = "informational")]
    dotted_restaurant_license_date_end: Option<String>,
    #[serde(default)]
    additional_info: Option<serde_json::Value>,
    #[serde(default)]
    system_info: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "free_list")]
    update_info: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::list")]
    implemented_features: Vec<ImplementedFeature>,
}

/// Informational text: a string or a number as written; `null`, `""`, booleans, objects and
/// lists read as `None` (never an error).
fn informational<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match lenient::WireScalar::deserialize(d)? {
        lenient::WireScalar::Text(t) if !t.trim().is_empty() => Some(t),
        lenient::WireScalar::Number(n) => Some(n),
        _ => None,
    })
}

/// A free-form list: `null` is empty, a single value is a list of one.
fn free_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<serde_json::Value>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(items) => items,
        other => vec![other],
    })
}

/// A plugin version text as a whole number, when it is one (`"41"`, `41.0`).
fn whole_number(text: &str) -> Option<i64> {
    crate::decimal::Decimal::parse(text.trim()).ok()?.rescale(0)
}

impl From<VersionInfoWire> for VersionInfoAnswer {
    fn from(wire: VersionInfoWire) -> VersionInfoAnswer {
        let version_text = wire.plugin_version.or(wire.dotted_plugin_version).or(wire.plugin_version_text);
        VersionInfoAnswer {
            event_time: wire.event_time,
            partner_id: wire.partner_id.or(wire.dotted_partner_id),
            plugin_version: version_text.as_deref().and_then(whole_number),
            plugin_version_text: version_text,
            restaurant_version: wire.restaurant_version.or(wire.dotted_restaurant_version),
            restaurant_license_date_end: wire.restaurant_license_date_end.or(wire.dotted_restaurant_license_date_end),
            additional_info: wire.additional_info.or(wire.system_info),
            update_info: wire.update_info,
            implemented_features: wire.implemented_features,
        }
    }
}

/// The keys of the older form of `versionInfo`.
const OLDER_KEYS: [&str; 5] =
    ["partner.id", "plugin.version", "restaurant.version", "restaurant.license.date.end", "systemInfo"];

/// The informational text fields, in both spellings.
const TEXT_KEYS: [&str; 9] = [
    "eventTime",
    "partnerId",
    "partner.id",
    "pluginVersion",
    "plugin.version",
    "restaurantVersion",
    "restaurant.version",
    "restaurantLicenseDateEnd",
    "restaurant.license.date.end",
];

impl VersionInfoAnswer {
    /// True when the POS declares `feature` (e.g. `ORDERS_CACHE`) as implemented and available.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.implemented_features
            .iter()
            .any(|f| f.feature.eq_ignore_ascii_case(feature) && f.implemented && f.available)
    }
}

impl AnswerBody for VersionInfoAnswer {
    fn shape_warnings(&self, _head: &AnswerHead, raw: &WireValue) -> Vec<ConformanceWarning> {
        let mut warnings = Vec::new();
        for key in OLDER_KEYS.into_iter().filter(|key| raw.get(key).is_some()) {
            warnings.push(ConformanceWarning::new(
                kind::DOTTED_VERSION_INFO,
                key,
                "versionInfo in the older dotted form (plugin.version, partner.id, systemInfo)",
            ));
        }
        for key in TEXT_KEYS {
            match raw.get(key) {
                Some(WireValue::Bool(_) | WireValue::Array(_) | WireValue::Object(_)) => {
                    warnings.push(ConformanceWarning::new(
                        kind::UNREADABLE_INFORMATIONAL,
                        key,
                        "an informational text that is not text, stored as null",
                    ))
                }
                Some(WireValue::Text(t) | WireValue::Number(t))
                    if key.starts_with("plugin") && whole_number(t).is_none() && !t.trim().is_empty() =>
                {
                    warnings.push(ConformanceWarning::new(
                        kind::UNREADABLE_INFORMATIONAL,
                        key,
                        format!("the plugin version {t:?} is not a whole number: kept as text, pluginVersion stored as null"),
                    ))
                }
                _ => {}
            }
        }
        warnings
    }
}

/// One optional feature: `BILL_V_2`, `STOP_LIST`, `ORDERS_CACHE`, `ORDER_ON_TABLE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImplementedFeature {
    /// Feature name.
    #[serde(deserialize_with = "lenient::string")]
    pub feature: String,
    /// Switched on in this restaurant.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub available: bool,
    /// Implemented by the plugin.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub implemented: bool,
    /// Feature details (`{"orderTypeCode": ...}` for `ORDER_ON_TABLE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<serde_json::Value>,
}

/// Feature names the server understands.
pub mod feature {
    /// Bills in the second format.
    pub const BILL_V_2: &str = "BILL_V_2";
    /// `stopList` is answered.
    pub const STOP_LIST: &str = "STOP_LIST";
    /// The POS pushes `ORDERS_CACHE` webhooks.
    pub const ORDERS_CACHE: &str = "ORDERS_CACHE";
    /// `createOrderOnTable` is answered.
    pub const ORDER_ON_TABLE: &str = "ORDER_ON_TABLE";
}
