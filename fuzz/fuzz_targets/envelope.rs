//! The envelope: the callback head the server reads first, and the request frames the POS SDK
//! reads (`answer_frame` parses a `FrameHead`, looks the operation up, then parses the request
//! type with `parse_tracked`; the same steps are driven here without the SDK's network stack).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rahunok_protocol::envelope::{parse_tracked, AnswerHead, FrameHead};
use rahunok_protocol::{ops, Operation};

fuzz_target!(|data: &[u8]| {
    if let Ok(head) = parse_tracked::<AnswerHead>(data) {
        let _ = head.failure();
    }
    let Ok(frame) = parse_tracked::<FrameHead>(data) else { return };
    let Some(operation) = Operation::from_name(&frame.operation) else { return };
    let _ = match operation {
        Operation::GetBill => parse_tracked::<ops::GetBill>(data).map(drop),
        Operation::PayBill => parse_tracked::<ops::PayBill>(data).map(drop),
        Operation::SplitOrder => parse_tracked::<ops::SplitOrder>(data).map(drop),
        Operation::TablesInfo => parse_tracked::<ops::TablesInfo>(data).map(drop),
        Operation::HallplansInfo => parse_tracked::<ops::HallplansInfo>(data).map(drop),
        Operation::UsersInfo => parse_tracked::<ops::UsersInfo>(data).map(drop),
        Operation::CategoriesInfo => parse_tracked::<ops::CategoriesInfo>(data).map(drop),
        Operation::MenuInfo => parse_tracked::<ops::MenuInfo>(data).map(drop),
        Operation::StopList => parse_tracked::<ops::StopList>(data).map(drop),
        Operation::CheckWork => parse_tracked::<ops::CheckWork>(data).map(drop),
        Operation::VersionInfo => parse_tracked::<ops::VersionInfo>(data).map(drop),
        Operation::CheckProductsRestrictions => parse_tracked::<ops::CheckProductsRestrictions>(data).map(drop),
        Operation::CreateOrderOnTable => parse_tracked::<ops::CreateOrderOnTable>(data).map(drop),
        Operation::SetSettings => parse_tracked::<ops::SetSettings>(data).map(drop),
        Operation::ShowMessage => parse_tracked::<ops::ShowMessage>(data).map(drop),
    };
});
