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
    read_callback(operation, body, Warnings::Skip).map(|(head, _)| head)
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
    read_callback(operation, body, Warnings::Find)
}

/// Whether [`read_callback`] also looks for conformance warnings (they cost several times the
/// reading itself).
#[derive(Clone, Copy)]
enum Warnings {
    Skip,
    Find,
}

/// Reads a callback body as `operation`'s answer: its head, and its warnings when asked for.
fn read_callback(
    operation: Operation,
    body: &[u8],
    warnings: Warnings,
) -> Result<(AnswerHead, Vec<ConformanceWarning>), CallbackError> {
    fn read<A: AnswerBody>(
        body: &[u8],
        warnings: Warnings,
    ) -> Result<(AnswerHead, Vec<ConformanceWarning>), CallbackError> {
        let read = match warnings {
            Warnings::Skip => Callback::<A>::parse(body).map(|callback| (callback.head, Vec::new())),
            Warnings::Find => Callback::<A>::parse_with_warnings(body).map(|(callback, found)| (callback.head, found)),
        };
        read.map_err(CallbackError::Invalid)
    }
    match operation {
        Operation::GetBill => read::<BillAnswer>(body, warnings),
        Operation::PayBill => read::<PayBillAnswer>(body, warnings),
        Operation::SplitOrder => read::<SplitAnswer>(body, warnings),
        Operation::TablesInfo => read::<TablesInfoAnswer>(body, warnings),
        Operation::HallplansInfo => read::<HallplansInfoAnswer>(body, warnings),
        Operation::UsersInfo => read::<UsersInfoAnswer>(body, warnings),
        Operation::CategoriesInfo => read::<CategoriesInfoAnswer>(body, warnings),
        Operation::MenuInfo => read::<MenuInfoAnswer>(body, warnings),
        Operation::StopList => read::<StopListAnswer>(body, warnings),
        Operation::CheckWork => read::<CheckWorkAnswer>(body, warnings),
        Operation::VersionInfo => read::<VersionInfoAnswer>(body, warnings),
        Operation::CheckProductsRestrictions => read::<RestrictionsAnswer>(body, warnings),
        Operation::CreateOrderOnTable => read::<CreateOrderAnswer>(body, warnings),
        Operation::SetSettings | Operation::ShowMessage => Err(CallbackError::NoCallback(operation)),
    }
}
