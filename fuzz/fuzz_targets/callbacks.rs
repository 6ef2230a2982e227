//! Callback bodies of every operation, as `POST /callback/<operation>` hands them to the
//! protocol crate: the first byte picks the operation, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rahunok_protocol::envelope::{AnswerBody, Callback};
use rahunok_protocol::ops::{self, validate_callback_with_warnings, CallbackError};
use rahunok_protocol::Operation;

/// The typed parse must agree with the validator on acceptance.
fn typed<A: AnswerBody>(body: &[u8], validated: bool) {
    let parsed = Callback::<A>::parse(body);
    assert_eq!(parsed.is_ok(), validated, "Callback::parse and validate_callback disagree");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let operation = Operation::ALL[usize::from(selector) % Operation::ALL.len()];
    let result = validate_callback_with_warnings(operation, body);
    if let Err(CallbackError::NoCallback(_)) = result {
        assert!(!operation.expects_callback());
        return;
    }
    let ok = result.is_ok();
    match operation {
        Operation::GetBill => typed::<ops::BillAnswer>(body, ok),
        Operation::PayBill => typed::<ops::PayBillAnswer>(body, ok),
        Operation::SplitOrder => typed::<ops::SplitAnswer>(body, ok),
        Operation::TablesInfo => typed::<ops::TablesInfoAnswer>(body, ok),
        Operation::HallplansInfo => typed::<ops::HallplansInfoAnswer>(body, ok),
        Operation::UsersInfo => typed::<ops::UsersInfoAnswer>(body, ok),
        Operation::CategoriesInfo => typed::<ops::CategoriesInfoAnswer>(body, ok),
        Operation::MenuInfo => typed::<ops::MenuInfoAnswer>(body, ok),
        Operation::StopList => typed::<ops::StopListAnswer>(body, ok),
        Operation::CheckWork => typed::<ops::CheckWorkAnswer>(body, ok),
        Operation::VersionInfo => typed::<ops::VersionInfoAnswer>(body, ok),
        Operation::CheckProductsRestrictions => typed::<ops::RestrictionsAnswer>(body, ok),
        Operation::CreateOrderOnTable => typed::<ops::CreateOrderAnswer>(body, ok),
        Operation::SetSettings | Operation::ShowMessage => unreachable!("answered NoCallback above"),
    }
    // The conformance reader sees the same bytes when the server stores warnings.
    let _ = rahunok_protocol::conformance::WireValue::parse(body);
});
