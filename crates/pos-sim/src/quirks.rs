//! `--quirks`: answers in the loose shapes integrations already in production send, so the
//! server's liberal reading and its conformance warnings can be seen at work (spec section 4).
//!
//! The typed answer is written first, then reshaped: `versionInfo` in the older dotted form
//! with `"plugin.version": "v0.6.0"`, `stopList` items as `{id, quantity}`, `getBill` /
//! `splitOrder` with `tableNumber` as a number at the top level only, empty lists as `null`,
//! enum values in mixed case (`"Success"`, `"Bill"`) and money as whole numbers where it is
//! (`520` for `520.00`). Numbers stay exact text throughout ([`WireValue`]).

use rahunok_protocol::conformance::WireValue;
use rahunok_protocol::Operation;

/// Rewrites a canonical callback body into the loose shapes of [the module](self).
///
/// ```
/// use rahunok_pos_sim::quirks::reshape;
/// use rahunok_protocol::Operation;
/// let body = br#"{"rID":"r1","state":"SUCCESS","items":[{"productId":"dish-uzvar","balance":0}]}"#;
/// assert_eq!(
///     reshape(Operation::StopList, body.to_vec()),
///     br#"{"rID":"r1","state":"Success","items":[{"id":"dish-uzvar","quantity":0}]}"#
/// );
/// ```
pub fn reshape(operation: Operation, body: Vec<u8>) -> Vec<u8> {
    let Ok(mut json) = WireValue::parse(&body) else { return body };
    mixed_case(&mut json, "state");
    match operation {
        Operation::VersionInfo => dotted_version_info(&mut json),
        Operation::StopList => {
            if let Some(WireValue::Array(items)) = json.get_mut("items") {
                items.iter_mut().for_each(|item| {
                    rename(item, "productId", "id");
                    rename(item, "balance", "quantity");
                });
            }
        }
        Operation::GetBill | Operation::SplitOrder => top_level_table_number(&mut json),
        _ => {}
    }
    loosen(&mut json);
    serde_json::to_vec(&json).unwrap_or(body)
}

/// `"SUCCESS"` → `"Success"`: first letter upper, the rest lower.
fn mixed_case(json: &mut WireValue, key: &str) {
    if let Some(WireValue::Text(text)) = json.get_mut(key) {
        let lower = text.to_ascii_lowercase();
        let mut chars = lower.chars();
        *text = chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default();
    }
}

fn rename(json: &mut WireValue, from: &str, to: &str) {
    if let Some(value) = json.remove(from) {
        json.insert(to, value);
    }
}

fn dotted_version_info(json: &mut WireValue) {
    rename(json, "partnerId", "partner.id");
    rename(json, "restaurantVersion", "restaurant.version");
    rename(json, "restaurantLicenseDateEnd", "restaurant.license.date.end");
    json.remove("pluginVersion");
    json.remove("pluginVersionText");
    json.insert("plugin.version", WireValue::Text("v0.6.0".into()));
    json.insert("systemInfo", WireValue::Object(vec![("os".into(), WireValue::Text("linux".into()))]));
    json.insert("additionalInfo", WireValue::Null);
    json.insert("updateInfo", WireValue::Null);
}

/// The table only at the top level, as a number; no order keeps its own.
fn top_level_table_number(json: &mut WireValue) {
    let mut table = json.remove("tableNumber");
    if let Some(WireValue::Array(orders)) = json.get_mut("orders") {
        for order in orders.iter_mut() {
            let own = order.remove("tableNumber");
            table = table.or(own);
            mixed_case(order, "state");
        }
    }
    if let Some(WireValue::Text(text)) = &table {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            table = Some(WireValue::Number(text.clone()));
        }
    }
    if let Some(table) = table {
        json.insert("tableNumber", table);
    }
}

/// Everywhere: empty lists as `null`, whole money (`520.00`) as `520`.
fn loosen(json: &mut WireValue) {
    match json {
        WireValue::Object(entries) => {
            for (_, value) in entries.iter_mut() {
                if matches!(value, WireValue::Array(items) if items.is_empty()) {
                    *value = WireValue::Null;
                } else {
                    loosen(value);
                }
            }
        }
        WireValue::Array(items) => items.iter_mut().for_each(loosen),
        WireValue::Number(text) => {
            if let Some(whole) = text.strip_suffix(".00") {
                *text = whole.to_string();
            }
        }
        _ => {}
    }
}
