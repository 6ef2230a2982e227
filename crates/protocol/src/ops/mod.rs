//! One file per operation of spec section 5: the request the server sends and the answer the
//! POS calls back with.

mod categories_info;
mod check_products_restrictions;
mod check_work;
mod create_order_on_table;
mod get_bill;
mod hallplans_info;
mod menu_info;
mod pay_bill;
mod set_settings;
mod show_message;
mod split_order;
mod stop_list;
mod tables_info;
mod users_info;
mod version_info;

pub use categories_info::*;
pub use check_products_restrictions::*;
pub use check_work::*;
pub use create_order_on_table::*;
pub use get_bill::*;
pub use hallplans_info::*;
pub use menu_info::*;
pub use pay_bill::*;
pub use set_settings::*;
pub use show_message::*;
pub use split_order::*;
pub use stop_list::*;
pub use tables_info::*;
pub use users_info::*;
pub use version_info::*;

use crate::conformance::ConformanceWarning;
use crate::envelope::{AnswerBody, AnswerHead, Callback};
use crate::error_body::FieldError;
use crate::Operation;

/// Why a callback body cannot be accepted for an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The operation is answered by no callback (`setSettings`, `showMessage`).
    #[error("`{0}` is not answered with a callback")]
    NoCallback(Operation),
    /// The body is not valid for the operation.
    #[error("the callback body is not valid")]
    Invalid(Vec<FieldError>),
}

/// Validates a raw callback body for `operation` and returns its head.
///
/// ```
/// use rahunok_protocol::{ops::validate_callback, Operation};
/// let head = validate_callback(Operation::TablesInfo, br#"{"rID":"r1","tables":[]}"#).unwrap();
/// assert_eq!(head.rid, "r1");
/// let failed = validate_callback(Operation::GetBill, br#"{"rID":"r1","state":"FAIL"}"#).unwrap();
/// assert_eq!(failed.failure().as_deref(), Some("UNSPECIFIED"));
/// assert!(validate_callback(Operation::GetBill, br#"{"state":"SUCCESS"}"#).is_err());
/// ```
pub fn validate_callback(operation: Operation, body: &[u8]) -> Result<AnswerHead, CallbackError> {
    fn head<A: AnswerBody>(body: &[u8]) -> Result<AnswerHead, CallbackError> {
        Callback::<A>::parse(body).map(|c| c.head).map_err(CallbackError::Invalid)
    }
    match operation {
        Operation::GetBill => head::<BillAnswer>(body),
        Operation::PayBill => head::<PayBillAnswer>(body),
        Operation::SplitOrder => head::<SplitAnswer>(body),
        Operation::TablesInfo => head::<TablesInfoAnswer>(body),
        Operation::HallplansInfo => head::<HallplansInfoAnswer>(body),
        Operation::UsersInfo => head::<UsersInfoAnswer>(body),
        Operation::CategoriesInfo => head::<CategoriesInfoAnswer>(body),
        Operation::MenuInfo => head::<MenuInfoAnswer>(body),
        Operation::StopList => head::<StopListAnswer>(body),
        Operation::CheckWork => head::<CheckWorkAnswer>(body),
        Operation::VersionInfo => head::<VersionInfoAnswer>(body),
        Operation::CheckProductsRestrictions => head::<RestrictionsAnswer>(body),
        Operation::CreateOrderOnTable => head::<CreateOrderAnswer>(body),
        Operation::SetSettings | Operation::ShowMessage => Err(CallbackError::NoCallback(operation)),
    }
}

/// Validates a raw callback body for `operation` like [`validate_callback`] and also returns
/// its conformance warnings ([`Callback::parse_with_warnings`]): the loose forms that were
/// accepted and that a strict reading would have refused.
///
/// ```
/// use rahunok_protocol::{conformance::kind, ops::validate_callback_with_warnings, Operation};
/// let body = br#"{"rID":"r1","state":"SUCCESS","items":[{"id":"dish-uzvar","quantity":0}]}"#;
/// let (head, warnings) = validate_callback_with_warnings(Operation::StopList, body).unwrap();
/// assert_eq!(head.rid, "r1");
/// assert_eq!(warnings[0].kind, kind::STOP_LIST_ID_QUANTITY);
/// assert_eq!(warnings[0].field, "items[0]");
/// ```
pub fn validate_callback_with_warnings(
    operation: Operation,
    body: &[u8],
) -> Result<(AnswerHead, Vec<ConformanceWarning>), CallbackError> {
    fn head<A: AnswerBody>(body: &[u8]) -> Result<(AnswerHead, Vec<ConformanceWarning>), CallbackError> {
        Callback::<A>::parse_with_warnings(body).map(|(c, warnings)| (c.head, warnings)).map_err(CallbackError::Invalid)
    }
    match operation {
        Operation::GetBill => head::<BillAnswer>(body),
        Operation::PayBill => head::<PayBillAnswer>(body),
        Operation::SplitOrder => head::<SplitAnswer>(body),
        Operation::TablesInfo => head::<TablesInfoAnswer>(body),
        Operation::HallplansInfo => head::<HallplansInfoAnswer>(body),
        Operation::UsersInfo => head::<UsersInfoAnswer>(body),
        Operation::CategoriesInfo => head::<CategoriesInfoAnswer>(body),
        Operation::MenuInfo => head::<MenuInfoAnswer>(body),
        Operation::StopList => head::<StopListAnswer>(body),
        Operation::CheckWork => head::<CheckWorkAnswer>(body),
        Operation::VersionInfo => head::<VersionInfoAnswer>(body),
        Operation::CheckProductsRestrictions => head::<RestrictionsAnswer>(body),
        Operation::CreateOrderOnTable => head::<CreateOrderAnswer>(body),
        Operation::SetSettings | Operation::ShowMessage => Err(CallbackError::NoCallback(operation)),
    }
}
