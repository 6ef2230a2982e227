//! The admin API's OpenAPI 3.1 document, served at `/api/admin/openapi.json`.
//!
//! Why this exists: integrators and operators script the admin API; a machine-readable
//! description lets them generate clients and lets a schema-driven fuzzer (schemathesis) probe
//! every route. It is generated from the code: each handler carries its `#[utoipa::path]`, and
//! [`super::routes`] registers the handlers and their descriptions in one step
//! (`utoipa_axum::routes!`), so the document lists exactly the routes the router serves.
//! Response bodies other than errors are described in words (their types live in the store and
//! the protocol crate, which stay free of documentation machinery); every error has the one
//! error body schema.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// The document's fixed parts; the paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rahunok admin API",
        description = "Restaurants, POS data, the operations console, the request log and payments. \
                       Every call needs `Authorization: Bearer <admin token>`.",
    ),
    components(schemas(ErrorBody, FieldError)),
    modifiers(&AdminToken),
    security(("admin_token" = [])),
)]
pub struct AdminApi;

/// Declares the bearer token every path needs.
struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("the admin token (`rahunok admin-token`)"))
            .build();
        components.add_security_scheme("admin_token", SecurityScheme::Http(scheme));
    }
}

/// The error body of every refusal (`docs/pos-protocol.md` section 7; the same as the POS gets).
#[allow(dead_code)] // a schema only: `rahunok_protocol::ErrorBody` is what is sent
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// A stable machine code (`UNKNOWN_RESTAURANT`, `POS_OFFLINE`, `BAD_REQUEST`, ...).
    err_code: String,
    /// A sentence the reader can act on.
    err_text: String,
    /// A short title.
    err_title: String,
    /// The area: `auth`, `request`, `pos`, `server`.
    err_type: String,
    /// Field problems, for validation failures.
    field_errors: Vec<FieldError>,
}

/// One field's problem.
#[allow(dead_code)] // a schema only: `rahunok_protocol::FieldError` is what is sent
#[derive(ToSchema)]
pub struct FieldError {
    /// The field's path (`orders[0].totalSum`).
    field: String,
    /// What is wrong with it.
    message: String,
}

/// The refusals any admin call may answer, each with the error body.
#[allow(dead_code)] // describes responses only
#[derive(IntoResponses)]
pub enum AdminErrors {
    /// The body or the query is wrong (`BAD_REQUEST`; `UNKNOWN_ACQUIRER` for a kind of acquirer
    /// the server does not know).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No or a wrong admin token (`UNAUTHORIZED`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such restaurant, operation or payment (`UNKNOWN_RESTAURANT`, `UNKNOWN_OPERATION`, `UNKNOWN_PAYMENT`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The payment cannot do that now (`PAYMENT_REFUSED`, e.g. refund an unpaid payment;
    /// `UNKNOWN_ACQUIRER` for a payment made with an acquirer this server does not know;
    /// `ACQUIRER_CREDENTIALS_REFUSED` when the acquirer no longer accepts the restaurant's
    /// credentials).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The store failed; nothing was changed (`STORE_ERROR`).
    #[response(status = 500)]
    ServerError(ErrorBody),
    /// The POS answered FAIL (`POS_FAIL`) or an unusable body (`POS_ANSWER_INVALID`), or the card
    /// acquirer could not be reached (`ACQUIRER_UNAVAILABLE`).
    #[response(status = 502)]
    PosFail(ErrorBody),
    /// The POS is not connected (`POS_OFFLINE`).
    #[response(status = 503)]
    Unavailable(ErrorBody),
    /// The POS did not answer before the deadline (`POS_TIMEOUT`).
    #[response(status = 504)]
    Timeout(ErrorBody),
}
