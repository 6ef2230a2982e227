//! `setSettings` (no callback): what the POS prints on the pre-check and whether paying by QR
//! is allowed. Sent on every connect and when the admin saves settings.

use crate::envelope::PosMessage;
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// The settings message.
///
/// ```
/// use rahunok_protocol::ops::SetSettings;
/// let s = SetSettings::default();
/// assert!(s.payment_allowed);
/// assert!(serde_json::to_string(&s).unwrap().contains(r#""settings":{"load_modifiers":"true"}"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetSettings {
    /// Print a QR on the pre-check.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub print_precheck_qr: bool,
    /// The QR target; `{billId}` is filled in by the POS.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub precheck_qr_url: String,
    /// Text above the QR.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub message_before_qr: String,
    /// Text below the QR.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub message_after_qr: String,
    /// Print the QR on delivery pre-checks too.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub print_delivery_precheck_qr: bool,
    /// Plugin settings.
    #[serde(default)]
    pub settings: PluginSettings,
    /// Bonus payments allowed.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub bonus_usage: bool,
    /// Payment types that count as bonus.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub bonus_payment_types: Vec<String>,
    /// Guests may pay by QR.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub payment_allowed: bool,
}

impl Default for SetSettings {
    fn default() -> SetSettings {
        SetSettings {
            print_precheck_qr: false,
            precheck_qr_url: String::new(),
            message_before_qr: String::new(),
            message_after_qr: String::new(),
            print_delivery_precheck_qr: false,
            settings: PluginSettings::default(),
            bonus_usage: false,
            bonus_payment_types: Vec::new(),
            payment_allowed: true,
        }
    }
}

/// The nested `settings` object. `load_modifiers` goes out as the string `"true"` or
/// `"false"` (spec section 5: the public client libraries type it as a string) and is read
/// from a boolean or those strings.
///
/// ```
/// use rahunok_protocol::ops::PluginSettings;
/// let off = PluginSettings { load_modifiers: false };
/// assert_eq!(serde_json::to_string(&off).unwrap(), r#"{"load_modifiers":"false"}"#);
/// for wire in [r#"{"load_modifiers":"false"}"#, r#"{"load_modifiers":false}"#] {
///     assert_eq!(serde_json::from_str::<PluginSettings>(wire).unwrap(), off);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginSettings {
    /// Send modifiers in bills and menus.
    #[serde(default, deserialize_with = "lenient::bool", serialize_with = "bool_as_text")]
    pub load_modifiers: bool,
}

fn bool_as_text<S: serde::Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *value { "true" } else { "false" })
}

impl Default for PluginSettings {
    fn default() -> PluginSettings {
        PluginSettings { load_modifiers: true }
    }
}

impl PosMessage for SetSettings {
    const OPERATION: Operation = Operation::SetSettings;
}
