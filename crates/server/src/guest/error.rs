//! Everything that can stop a guest, and the friendly page each one gets: what happened, in
//! plain words, and what to do next (retry, ask the waiter, see the receipt).

use crate::gateway::LinkError;
use crate::payments::PaymentError;
use crate::store::{PaymentStatus, StoreError};
use crate::web::{message_page, Lang, Page};
use axum::http::StatusCode;
use maud::html;
use rahunok_protocol::envelope::substate;

/// Why a guest page cannot show what was asked.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    /// The QR names no restaurant we know.
    #[error("unknown restaurant")]
    UnknownRestaurant,
    /// The POS has no such table.
    #[error("no such table")]
    TableNotFound,
    /// No open bill with that id.
    #[error("no open bill")]
    NoOpenBill,
    /// A table the POS knows, with no open bill on it: a free table, not a broken link.
    #[error("no open bill on the table")]
    TableFree,
    /// The bill was paid (through us).
    #[error("bill already paid")]
    AlreadyPaid {
        /// The payment that paid it, when this guest may see its receipt.
        payment_id: Option<String>,
        /// When, in the restaurant's time (`14:32`), when known.
        paid_at: Option<String>,
    },
    /// Another guest is paying this bill right now.
    #[error("someone is paying this bill")]
    SomeoneIsPaying,
    /// The restaurant's POS is not connected.
    #[error("POS offline")]
    PosOffline,
    /// The POS did not answer within the guest's wait.
    #[error("POS too slow")]
    PosSlow,
    /// The POS refused for another reason.
    #[error("POS error {0}")]
    PosError(String),
    /// The POS answered with a body it should not have sent (refused as unusable).
    #[error("the POS answer was unusable: {0}")]
    PosAnswerInvalid(String),
    /// The form was not filled in right.
    #[error("bad input: {0}")]
    BadInput(String),
    /// The payment could not start.
    #[error("payment failed: {0}")]
    Payment(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No menu is stored and the POS could not give one.
    #[error("menu not available")]
    MenuUnavailable,
    /// Ordering from the menu is not open here (switched off, or the POS cannot take orders).
    #[error("ordering is not available")]
    OrderingClosed,
    /// No such order from the menu (a stale or forged link or form).
    #[error("no such order")]
    OrderNotFound,
    /// The cart kept changing under this change (many changes at the same moment).
    #[error("the cart is busy")]
    CartBusy,
}

impl From<LinkError> for GuestError {
    fn from(error: LinkError) -> GuestError {
        match error {
            LinkError::Offline => GuestError::PosOffline,
            LinkError::Timeout(_) => GuestError::PosSlow,
            LinkError::PosFail { substate: s, .. } if s == substate::TABLE_NOT_FOUND => GuestError::TableNotFound,
            LinkError::PosFail { substate: s, .. } if s == substate::ORDER_NOT_FOUND => GuestError::NoOpenBill,
            LinkError::PosFail { substate: s, message } => GuestError::PosError(message.unwrap_or(s)),
            error @ LinkError::AnswerInvalid(_) => GuestError::PosAnswerInvalid(error.to_string()),
            LinkError::Unreadable(_) => GuestError::PosError("unreadable answer".into()),
        }
    }
}

impl From<PaymentError> for GuestError {
    fn from(error: PaymentError) -> GuestError {
        match error {
            PaymentError::BillHeld(holder) if holder.status.is_charged() => {
                GuestError::AlreadyPaid { payment_id: Some(holder.id.clone()), paid_at: None }
            }
            PaymentError::BillHeld(holder) if holder.status == PaymentStatus::Created => GuestError::SomeoneIsPaying,
            PaymentError::Store(e) => GuestError::Store(e),
            other => GuestError::Payment(other.to_string()),
        }
    }
}

/// The friendly page for an error. `retry` is where "try again" leads.
pub fn error_page(lang: Lang, path: &str, error: &GuestError, retry: &str) -> Page {
    let t = |uk, en| lang.pick(uk, en);
    let retry_button = html! { a.button href=(retry) { (t("Спробувати ще раз", "Try again")) } };
    let (status, heading, text, extra) = match error {
        GuestError::UnknownRestaurant => (
            StatusCode::NOT_FOUND,
            t("Заклад не знайдено", "Restaurant not found"),
            t("Цей QR-код не веде до жодного закладу. Попросіть офіціанта про рахунок.", "This QR code leads to no restaurant. Please ask your waiter for the bill."),
            html! {},
        ),
        GuestError::TableNotFound => (
            StatusCode::NOT_FOUND,
            t("Такого столу немає", "No such table"),
            t("Каса закладу не знає цього столу. Попросіть офіціанта про рахунок.", "The restaurant's till does not know this table. Please ask your waiter for the bill."),
            html! {},
        ),
        GuestError::NoOpenBill => (
            StatusCode::NOT_FOUND,
            t("Відкритого рахунку немає", "No open bill"),
            t("Цього рахунку зараз немає серед відкритих. Якщо ви щойно замовили, спробуйте за хвилину.", "This bill is not open right now. If you just ordered, try again in a minute."),
            retry_button,
        ),
        GuestError::TableFree => (
            StatusCode::OK,
            t("Відкритого рахунку немає", "No open bill"),
            t("На цьому столі зараз немає відкритого рахунку. Якщо ви щойно замовили, спробуйте за хвилину.", "There is no open bill on this table right now. If you just ordered, try again in a minute."),
            retry_button,
        ),
        GuestError::AlreadyPaid { payment_id, paid_at } => {
            let heading = t("Рахунок сплачено ✓", "Bill paid ✓");
            let text = match paid_at {
                Some(at) => format!("{} {at}. {}", t("Сплачено о", "Paid at"), t("Дякуємо!", "Thank you!")),
                None => t("Цей рахунок уже сплачено. Дякуємо!", "This bill has already been paid. Thank you!").to_string(),
            };
            let receipt = html! {
                @if let Some(id) = payment_id {
                    a.button href=(crate::guest::view::link(lang, &crate::web::paths::receipt(id))) { (t("Переглянути чек", "See the receipt")) }
                }
            };
            let markup = message_page(lang, path, heading, &text, receipt);
            return Page::with_status(StatusCode::OK, markup);
        }
        GuestError::SomeoneIsPaying => (
            StatusCode::CONFLICT,
            t("Хтось уже сплачує цей рахунок", "Someone is paying this bill right now"),
            t("Інший гість саме зараз оплачує цей рахунок. Якщо оплата не завершиться, спробуйте ще раз за кілька хвилин.", "Another guest is paying this bill right now. If they do not finish, try again in a few minutes."),
            retry_button,
        ),
        GuestError::PosOffline => (
            StatusCode::SERVICE_UNAVAILABLE,
            t("Каса закладу зараз недоступна", "The restaurant's till is offline"),
            t("Ми не можемо отримати рахунок: каса закладу не на зв'язку. Спробуйте за хвилину або попросіть офіціанта.", "We cannot get your bill: the restaurant's till is not connected. Try again in a minute or ask your waiter."),
            retry_button,
        ),
        GuestError::PosSlow => (
            StatusCode::GATEWAY_TIMEOUT,
            t("Каса відповідає повільно", "The till is slow to answer"),
            t("Каса закладу ще не відповіла. Спробуйте ще раз — зазвичай це займає кілька секунд.", "The restaurant's till has not answered yet. Try again — it usually takes a few seconds."),
            retry_button,
        ),
        GuestError::PosAnswerInvalid(_) => (
            StatusCode::BAD_GATEWAY,
            t("Система закладу відповіла з помилкою", "The restaurant's system answered with an error"),
            t("Каса закладу надіслала відповідь, яку ми не можемо прочитати. Гроші не списано. Спробуйте ще раз або попросіть офіціанта.", "The restaurant's till sent an answer we cannot read. No money was taken. Try again or ask your waiter."),
            retry_button,
        ),
        GuestError::PosError(_) | GuestError::Payment(_) | GuestError::Store(_) => (
            StatusCode::BAD_GATEWAY,
            t("Щось пішло не так", "Something went wrong"),
            t("Не вдалося виконати дію. Гроші не списано. Спробуйте ще раз або попросіть офіціанта.", "We could not do that. No money was taken. Try again or ask your waiter."),
            retry_button,
        ),
        GuestError::MenuUnavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            t("Меню зараз недоступне", "The menu is not available right now"),
            t("Каса закладу ще не передала меню або не на зв'язку. Спробуйте за хвилину або попросіть меню в офіціанта.", "The restaurant's till has not sent its menu yet or is offline. Try again in a minute or ask your waiter for the menu."),
            retry_button,
        ),
        GuestError::OrderingClosed => (
            StatusCode::FORBIDDEN,
            t("Замовлення через QR тут недоступне", "Ordering by QR is not available here"),
            t("Меню можна переглянути, а замовити — в офіціанта.", "You can browse the menu; please order from your waiter."),
            retry_button,
        ),
        GuestError::OrderNotFound => (
            StatusCode::NOT_FOUND,
            t("Замовлення не знайдено", "Order not found"),
            t("Такого замовлення немає. Відкрийте меню столу знову.", "There is no such order. Open the table's menu again."),
            retry_button,
        ),
        GuestError::CartBusy => (
            StatusCode::CONFLICT,
            t("Кошик саме змінюється", "The cart is being changed"),
            t("Кошик змінюють в іншій вкладці чи на іншому пристрої. Спробуйте ще раз.", "The cart is being changed in another tab or on another device. Please try again."),
            retry_button,
        ),
        GuestError::BadInput(message) => {
            let markup = message_page(lang, path, t("Перевірте дані", "Please check the form"), message, retry_button);
            return Page::with_status(StatusCode::UNPROCESSABLE_ENTITY, markup);
        }
    };
    if let GuestError::Store(e) = error {
        tracing::error!(error = %e, "guest page store failure");
    }
    Page::with_status(status, message_page(lang, path, heading, text, extra))
}
