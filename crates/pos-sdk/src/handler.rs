//! The [`Handler`] trait: what a POS does for each operation. Every method has a default that
//! answers `FAIL` / `POS_ERROR` saying the operation is not implemented, so a POS implements
//! only what it supports.

use rahunok_protocol::ops::*;
use rahunok_protocol::Operation;
use std::future::Future;

/// A typed answer, or a failure the server sees as `state: FAIL` with a substate.
pub type Answer<A> = Result<A, Failure>;

/// A `FAIL` answer: a substate (`TABLE_NOT_FOUND`, `ORDER_NOT_FOUND`, ...) and a message.
///
/// ```
/// let f = rahunok_pos_sdk::Failure::new("TABLE_NOT_FOUND", "no table 99");
/// assert_eq!(f.substate, "TABLE_NOT_FOUND");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The substate.
    pub substate: String,
    /// A message for the server's operator.
    pub message: String,
}

impl Failure {
    /// A failure with a substate and a message.
    pub fn new(substate: &str, message: impl Into<String>) -> Failure {
        Failure { substate: substate.to_string(), message: message.into() }
    }

    fn not_implemented(operation: &str) -> Failure {
        Failure::new(
            rahunok_protocol::envelope::substate::POS_ERROR,
            format!("{operation} is not implemented by this POS"),
        )
    }
}

macro_rules! not_implemented {
    ($name:literal) => {
        async { Err(Failure::not_implemented($name)) }
    };
}

/// What a POS does for each request of the server: one async method per operation, typed
/// request in, typed answer out. Implement only what your POS supports.
///
/// ```
/// use rahunok_pos_sdk::protocol::ops::{CheckWork, CheckWorkAnswer};
/// use rahunok_pos_sdk::{answer_frame, Answer, Handler};
///
/// struct AlwaysReady;
///
/// impl Handler for AlwaysReady {
///     async fn check_work(&self, _request: CheckWork) -> Answer<CheckWorkAnswer> {
///         Ok(CheckWorkAnswer { date_time: None, ready_to_work: true })
///     }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let callback = answer_frame(&AlwaysReady, br#"{"rID":"r-9","operation":"checkWork"}"#).await.unwrap();
/// assert_eq!(callback.body, br#"{"rID":"r-9","state":"SUCCESS","readyToWork":true}"#);
/// # });
/// ```
pub trait Handler: Send + Sync + 'static {
    /// `getBill`.
    fn get_bill(&self, _request: GetBill) -> impl Future<Output = Answer<BillAnswer>> + Send {
        not_implemented!("getBill")
    }
    /// `payBill`.
    fn pay_bill(&self, _request: PayBill) -> impl Future<Output = Answer<PayBillAnswer>> + Send {
        not_implemented!("payBill")
    }
    /// `splitOrder`.
    fn split_order(&self, _request: SplitOrder) -> impl Future<Output = Answer<SplitAnswer>> + Send {
        not_implemented!("splitOrder")
    }
    /// `tablesInfo`.
    fn tables_info(&self, _request: TablesInfo) -> impl Future<Output = Answer<TablesInfoAnswer>> + Send {
        not_implemented!("tablesInfo")
    }
    /// `hallplansInfo`.
    fn hallplans_info(&self, _request: HallplansInfo) -> impl Future<Output = Answer<HallplansInfoAnswer>> + Send {
        not_implemented!("hallplansInfo")
    }
    /// `usersInfo`.
    fn users_info(&self, _request: UsersInfo) -> impl Future<Output = Answer<UsersInfoAnswer>> + Send {
        not_implemented!("usersInfo")
    }
    /// `categoriesInfo`.
    fn categories_info(&self, _request: CategoriesInfo) -> impl Future<Output = Answer<CategoriesInfoAnswer>> + Send {
        not_implemented!("categoriesInfo")
    }
    /// `menuInfo`.
    fn menu_info(&self, _request: MenuInfo) -> impl Future<Output = Answer<MenuInfoAnswer>> + Send {
        not_implemented!("menuInfo")
    }
    /// `stopList`.
    fn stop_list(&self, _request: StopList) -> impl Future<Output = Answer<StopListAnswer>> + Send {
        not_implemented!("stopList")
    }
    /// `checkWork`.
    fn check_work(&self, _request: CheckWork) -> impl Future<Output = Answer<CheckWorkAnswer>> + Send {
        not_implemented!("checkWork")
    }
    /// `versionInfo`.
    fn version_info(&self, _request: VersionInfo) -> impl Future<Output = Answer<VersionInfoAnswer>> + Send {
        async { Ok(VersionInfoAnswer::default()) }
    }
    /// `checkProductsRestrictions`.
    fn check_products_restrictions(
        &self,
        _request: CheckProductsRestrictions,
    ) -> impl Future<Output = Answer<RestrictionsAnswer>> + Send {
        not_implemented!("checkProductsRestrictions")
    }
    /// `createOrderOnTable`.
    fn create_order_on_table(
        &self,
        _request: CreateOrderOnTable,
    ) -> impl Future<Output = Answer<CreateOrderAnswer>> + Send {
        not_implemented!("createOrderOnTable")
    }
    /// `setSettings` (no callback).
    fn set_settings(&self, _settings: SetSettings) -> impl Future<Output = ()> + Send {
        async {}
    }
    /// `showMessage` (no callback).
    fn show_message(&self, _message: ShowMessage) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// Rewrites the JSON body of a callback just before it is signed and sent; `body` is the
    /// typed answer (or failure) written in the canonical form. The default sends it
    /// unchanged, which is what a conformant POS wants.
    ///
    /// It exists for POSes (and simulators of them) that must answer in a shape the typed
    /// answers cannot express, e.g. the older dotted `versionInfo`. Work on the body as a
    /// [`WireValue`](rahunok_protocol::conformance::WireValue): it keeps money exactly as
    /// written (never a float).
    ///
    /// ```
    /// use rahunok_pos_sdk::protocol::conformance::WireValue;
    /// use rahunok_pos_sdk::protocol::ops::{VersionInfo, VersionInfoAnswer};
    /// use rahunok_pos_sdk::protocol::Operation;
    /// use rahunok_pos_sdk::{answer_frame, Answer, Handler};
    ///
    /// /// Answers versionInfo in the older dotted form, as some plugins in production do.
    /// struct OldPlugin;
    ///
    /// impl Handler for OldPlugin {
    ///     async fn version_info(&self, _request: VersionInfo) -> Answer<VersionInfoAnswer> {
    ///         Ok(VersionInfoAnswer { partner_id: Some("acme".into()), ..Default::default() })
    ///     }
    ///
    ///     fn reshape_callback(&self, operation: Operation, body: Vec<u8>) -> Vec<u8> {
    ///         let Ok(mut json) = WireValue::parse(&body) else { return body };
    ///         if operation == Operation::VersionInfo {
    ///             if let Some(partner) = json.remove("partnerId") {
    ///                 json.insert("partner.id", partner);
    ///             }
    ///             json.insert("plugin.version", WireValue::Text("v0.6.0".into()));
    ///         }
    ///         serde_json::to_vec(&json).unwrap_or(body)
    ///     }
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let callback = answer_frame(&OldPlugin, br#"{"rID":"r-1","operation":"versionInfo"}"#).await.unwrap();
    /// assert_eq!(
    ///     callback.body,
    ///     br#"{"rID":"r-1","state":"SUCCESS","updateInfo":[],"implementedFeatures":[],"partner.id":"acme","plugin.version":"v0.6.0"}"#
    /// );
    /// # });
    /// ```
    fn reshape_callback(&self, _operation: Operation, body: Vec<u8>) -> Vec<u8> {
        body
    }
}
