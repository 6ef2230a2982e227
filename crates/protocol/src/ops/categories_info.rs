//! `categoriesInfo`: menu categories.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoriesInfo {}

impl PosRequest for CategoriesInfo {
    const OPERATION: Operation = Operation::CategoriesInfo;
    type Answer = CategoriesInfoAnswer;
}

/// Answer: the categories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoriesInfoAnswer {
    /// Every category.
    #[serde(default, deserialize_with = "lenient::list")]
    pub categories: Vec<Category>,
}

impl AnswerBody for CategoriesInfoAnswer {}

/// One category.
///
/// ```
/// use rahunok_protocol::ops::Category;
/// let c: Category = serde_json::from_str(r#"{"id": 3, "name": "Кава", "type": null}"#).unwrap();
/// assert_eq!(c.id, "3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Kind (`dish`, `modifier`, ...).
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}
