//! The wire contract between a restaurant's POS and the Rahunok server (Expirenza-compatible).
//!
//! This crate has no I/O. It holds:
//! - [`Money`] (kopiyky inside, `129.20` on the wire) and [`Quantity`] (exact decimals);
//! - one module per operation in [`ops`], with the request the server sends and the answer
//!   the POS calls back with, read liberally as the spec asks;
//! - [`envelope`]: request frames, the common callback head, parsing with field errors;
//! - [`signing`]: HMAC-SHA256 signatures over raw bytes, constant-time verification;
//! - [`basic_auth`]: the POS's Basic login header;
//! - [`rid`]: request ids in the production format;
//! - [`webhook`]: POS-initiated pushes;
//! - [`ErrorBody`]: the error body of every refusal;
//! - [`conformance`]: the [`ConformanceWarning`]s for loose forms that were accepted.
//!
//! ```
//! use rahunok_protocol::{envelope::Callback, ops::BillAnswer, signing};
//! let body = br#"{"rID":"r1","state":"SUCCESS","orders":[{"billId":"b-1","totalSum":129.20}]}"#;
//! let signature = signing::sign(b"SECRET", body);
//! assert!(signing::verify(b"SECRET", body, &signature));
//! let bill = Callback::<BillAnswer>::parse(body).unwrap();
//! assert_eq!(bill.body.orders[0].total_sum.kopiyky(), 12920);
//! ```
#![warn(missing_docs)]

mod answer_head;
pub mod basic_auth;
pub mod conformance;
pub mod decimal;
pub mod envelope;
pub mod error_body;
pub mod lenient;
pub mod menu_rules;
pub mod money;
mod one_pass;
pub mod operation;
pub mod ops;
pub mod order;
pub mod quantity;
pub mod rid;
pub mod signing;
pub mod untrusted;
pub mod webhook;

pub use conformance::ConformanceWarning;
pub use envelope::{AnswerBody, AnswerHead, AnswerState, Callback, PosMessage, PosRequest, RequestFrame};
pub use error_body::{ErrorBody, FieldError};
pub use money::Money;
pub use operation::Operation;
pub use quantity::Quantity;
