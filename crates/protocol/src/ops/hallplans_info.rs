//! `hallplansInfo`: the restaurant's halls (note the lower-case `p` in the operation name).

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallplansInfo {}

impl PosRequest for HallplansInfo {
    const OPERATION: Operation = Operation::HallplansInfo;
    type Answer = HallplansInfoAnswer;
}

/// Answer: the halls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HallplansInfoAnswer {
    /// Every hall.
    #[serde(default, alias = "hallplans", deserialize_with = "lenient::list")]
    pub hall_plans: Vec<HallPlan>,
}

impl AnswerBody for HallplansInfoAnswer {}

/// One hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallPlan {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Name (`Літня тераса`).
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
}
