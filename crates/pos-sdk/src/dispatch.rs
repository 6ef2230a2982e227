//! From a request frame to the callback body: parse the frame, run the matching [`Handler`]
//! method, and serialise its answer with the frame's `rID`.
//!
//! Why this exists apart from the socket loop: it is the whole "what does my POS answer" step
//! without any network, so an integrator can unit-test a handler with real frames, or drive
//! their own socket and HTTP code and still use the SDK's typed handlers.

use crate::handler::{Answer, Failure, Handler};
use rahunok_protocol::envelope::{parse_tracked, substate, AnswerHead, Callback, FrameHead, PosRequest};
use rahunok_protocol::Operation;
use std::future::Future;

/// A callback ready to be signed and POSTed to `/callback/<operation>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingCallback {
    /// The operation answered (the path is `/callback/<operation>`).
    pub operation: Operation,
    /// The `rID` of the request being answered.
    pub rid: String,
    /// The exact body to sign and send.
    pub body: Vec<u8>,
}

/// Answers one request frame with `handler`: the callback to send, or `None` for frames that
/// need no callback (`setSettings`, `showMessage`, which still reach the handler) and for
/// frames that are not requests at all (logged and ignored).
///
/// A frame the handler cannot read is answered `FAIL` / `POS_ERROR`, so the server learns at
/// once instead of waiting for the deadline. Every callback body passes through
/// [`Handler::reshape_callback`] last.
///
/// ```
/// use rahunok_pos_sdk::{answer_frame, Handler};
///
/// struct NothingImplemented;
/// impl Handler for NothingImplemented {}
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let frame = br#"{"rID":"r-1","operation":"getBill","tableNumber":"5"}"#;
/// let callback = answer_frame(&NothingImplemented, frame).await.unwrap();
/// assert_eq!(callback.operation.name(), "getBill");
/// let body: serde_json::Value = serde_json::from_slice(&callback.body).unwrap();
/// assert_eq!(body["rID"], "r-1");
/// assert_eq!(body["state"], "FAIL");
/// assert_eq!(body["substate"], "POS_ERROR");
///
/// let settings = br#"{"rID":"r-2","operation":"setSettings","paymentAllowed":true}"#;
/// assert!(answer_frame(&NothingImplemented, settings).await.is_none());
/// # });
/// ```
pub async fn answer_frame<H: Handler>(handler: &H, frame: &[u8]) -> Option<OutgoingCallback> {
    let head: FrameHead = match parse_tracked(frame) {
        Ok(head) => head,
        Err(errors) => {
            tracing::warn!(?errors, "ignored a frame that is not a request");
            return None;
        }
    };
    let Some(operation) = Operation::from_name(&head.operation) else {
        tracing::warn!(operation = head.operation, "ignored a frame with an unknown operation");
        return None;
    };
    let body = dispatch(handler, operation, &head.rid, frame).await?;
    let body = handler.reshape_callback(operation, body);
    Some(OutgoingCallback { operation, rid: head.rid, body })
}

/// Runs the handler for one frame; the callback body, or `None` for messages without one.
async fn dispatch<H: Handler>(handler: &H, operation: Operation, rid: &str, frame: &[u8]) -> Option<Vec<u8>> {
    Some(match operation {
        Operation::GetBill => respond(rid, frame, |r| handler.get_bill(r)).await,
        Operation::PayBill => respond(rid, frame, |r| handler.pay_bill(r)).await,
        Operation::SplitOrder => respond(rid, frame, |r| handler.split_order(r)).await,
        Operation::TablesInfo => respond(rid, frame, |r| handler.tables_info(r)).await,
        Operation::HallplansInfo => respond(rid, frame, |r| handler.hallplans_info(r)).await,
        Operation::UsersInfo => respond(rid, frame, |r| handler.users_info(r)).await,
        Operation::CategoriesInfo => respond(rid, frame, |r| handler.categories_info(r)).await,
        Operation::MenuInfo => respond(rid, frame, |r| handler.menu_info(r)).await,
        Operation::StopList => respond(rid, frame, |r| handler.stop_list(r)).await,
        Operation::CheckWork => respond(rid, frame, |r| handler.check_work(r)).await,
        Operation::VersionInfo => respond(rid, frame, |r| handler.version_info(r)).await,
        Operation::CheckProductsRestrictions => respond(rid, frame, |r| handler.check_products_restrictions(r)).await,
        Operation::CreateOrderOnTable => respond(rid, frame, |r| handler.create_order_on_table(r)).await,
        Operation::SetSettings => {
            if let Ok(settings) = parse_tracked(frame) {
                handler.set_settings(settings).await;
            }
            return None;
        }
        Operation::ShowMessage => {
            if let Ok(message) = parse_tracked(frame) {
                handler.show_message(message).await;
            }
            return None;
        }
    })
}

async fn respond<R, F, Fut>(rid: &str, frame: &[u8], handle: F) -> Vec<u8>
where
    R: PosRequest,
    F: FnOnce(R) -> Fut,
    Fut: Future<Output = Answer<R::Answer>>,
{
    let answer = match parse_tracked::<R>(frame) {
        Ok(request) => handle(request).await,
        Err(errors) => {
            Err(Failure::new(substate::POS_ERROR, format!("the POS could not read the request: {errors:?}")))
        }
    };
    let (head, body) = match answer {
        Ok(body) => (AnswerHead::success(rid), body),
        Err(failure) => (AnswerHead::fail(rid, &failure.substate, failure.message), Default::default()),
    };
    serde_json::to_vec(&Callback::new(head, body)).expect("answers serialise")
}
