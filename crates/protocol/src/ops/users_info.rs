//! `usersInfo`: the staff (waiters get tips, so their names appear on the bill).

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersInfo {}

impl PosRequest for UsersInfo {
    const OPERATION: Operation = Operation::UsersInfo;
    type Answer = UsersInfoAnswer;
}

/// Answer: the staff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersInfoAnswer {
    /// Every user.
    #[serde(default, deserialize_with = "lenient::list")]
    pub users: Vec<User>,
}

impl AnswerBody for UsersInfoAnswer {}

/// One member of staff. `roles` may arrive as `"waiter,manager"` or `["waiter","manager"]`.
///
/// ```
/// use rahunok_protocol::ops::User;
/// let u: User = serde_json::from_str(r#"{"id": 7, "name": "Олена", "roles": "waiter, manager"}"#).unwrap();
/// assert_eq!(u.roles, vec!["waiter", "manager"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Full name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Phone number.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub cell_phone: Option<String>,
    /// Roles.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub roles: Vec<String>,
}
