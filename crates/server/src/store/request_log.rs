//! The request log: every request sent to a POS, its callback, timings and outcome, with both
//! bodies exactly as they travelled (the raw callback text, unknown fields included) — up to
//! the server's body limit: a longer body is kept cut, with its full size and SHA-256
//! ([`BodyCut`]), so the log does not grow by a menu's megabytes per request.

use super::{column, Backend, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

/// How a request to a POS ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    /// The POS answered `SUCCESS`.
    Answered,
    /// The POS answered `FAIL`.
    PosFail,
    /// The POS answered with a body unusable for the operation; it was refused with 400.
    Invalid,
    /// No callback before the deadline.
    Timeout,
    /// The POS held no socket.
    Offline,
    /// Sent; no callback is expected (`setSettings`, `showMessage`).
    Sent,
    /// Sent, and how it ended was never recorded: the row of an operation that moves money is
    /// written before its frame leaves, and stays so when the node died before the answer.
    InFlight,
}

impl RequestOutcome {
    /// Every outcome.
    pub const ALL: &'static [RequestOutcome] = &[
        RequestOutcome::Answered,
        RequestOutcome::PosFail,
        RequestOutcome::Invalid,
        RequestOutcome::Timeout,
        RequestOutcome::Offline,
        RequestOutcome::Sent,
        RequestOutcome::InFlight,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestOutcome::Answered => "answered",
            RequestOutcome::PosFail => "pos_fail",
            RequestOutcome::Invalid => "invalid",
            RequestOutcome::Timeout => "timeout",
            RequestOutcome::Offline => "offline",
            RequestOutcome::Sent => "sent",
            RequestOutcome::InFlight => "in_flight",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<RequestOutcome> {
        RequestOutcome::ALL.iter().copied().find(|o| o.as_str() == name)
    }
}

/// One finished request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RequestLogEntry {
    /// The request id.
    #[serde(rename = "rID")]
    pub rid: String,
    /// The restaurant.
    pub resto_id: String,
    /// Operation name.
    pub operation: String,
    /// When the frame was sent, unix ms.
    pub sent_at: i64,
    /// When it finished (answered, failed, timed out), unix ms.
    pub finished_at: Option<i64>,
    /// Round trip in ms.
    pub latency_ms: Option<i64>,
    /// How it ended.
    pub outcome: RequestOutcome,
    /// The frame sent.
    pub request_body: String,
    /// The callback body, as received.
    pub response_body: Option<String>,
    /// Extra detail (the FAIL substate, ...).
    pub detail: Option<String>,
    /// Set when `request_body` was cut at the body limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body_cut: Option<BodyCut>,
    /// Set when `response_body` was cut at the body limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body_cut: Option<BodyCut>,
}

/// What a body cut at the limit was before it was cut.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BodyCut {
    /// Its full size in bytes.
    pub size: i64,
    /// The SHA-256 of the full body, hex.
    pub sha256: String,
}

impl BodyCut {
    /// Cuts `body` to at most `limit` bytes (on a character boundary); what it was when it had
    /// to be cut.
    pub fn cut(body: &mut String, limit: usize) -> Option<BodyCut> {
        if body.len() <= limit {
            return None;
        }
        let cut = BodyCut::of(body.as_bytes());
        let mut end = limit;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
        Some(cut)
    }

    /// The size and hash of `body`, whole.
    pub fn of(body: &[u8]) -> BodyCut {
        let digest = Sha256::digest(body);
        BodyCut { size: body.len() as i64, sha256: digest.iter().map(|b| format!("{b:02x}")).collect() }
    }

    pub(super) fn from_columns(size: Option<i64>, sha256: Option<String>) -> Option<BodyCut> {
        Some(BodyCut { size: size?, sha256: sha256? })
    }
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct RequestLogQuery {
    /// Only this operation.
    pub operation: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

fn entry_from(row: &AnyRow) -> Result<RequestLogEntry, StoreError> {
    Ok(RequestLogEntry {
        rid: column(row, "rid")?,
        resto_id: column(row, "resto_id")?,
        operation: column(row, "operation")?,
        sent_at: column(row, "sent_at")?,
        finished_at: column(row, "finished_at")?,
        latency_ms: column(row, "latency_ms")?,
        outcome: {
            let name: String = column(row, "outcome")?;
            RequestOutcome::from_name(&name)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown request outcome {name}")))?
        },
        request_body: column(row, "request_body")?,
        response_body: column(row, "response_body")?,
        detail: column(row, "detail")?,
        request_body_cut: BodyCut::from_columns(column(row, "request_size")?, column(row, "request_sha256")?),
        response_body_cut: BodyCut::from_columns(column(row, "response_size")?, column(row, "response_sha256")?),
    })
}

impl Store {
    /// Writes a batch of finished requests in one transaction.
    pub async fn insert_request_log(&self, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Many rows per statement: one statement per row cost a trip to sqlx's worker thread
        // each, a tenth of a getBill round trip's CPU (BENCHMARKS.md).
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            let sql = insert_request_log_sql(self.backend(), chunk.len());
            let mut query = sqlx::query(&sql);
            for e in chunk {
                query = bind_entry(query, e);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes one entry at once, replacing the row of the same `rID` (the in-flight row of a
    /// request that moves money, written before its frame left, becomes its outcome).
    pub async fn put_request_log_entry(&self, e: &RequestLogEntry) -> Result<(), StoreError> {
        let sql = "INSERT INTO request_log (rid, resto_id, operation, sent_at, finished_at, latency_ms, outcome, \
             request_body, response_body, detail, request_size, request_sha256, response_size, response_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (rid) DO UPDATE SET finished_at = excluded.finished_at, latency_ms = excluded.latency_ms, \
             outcome = excluded.outcome, response_body = excluded.response_body, detail = excluded.detail, \
             response_size = excluded.response_size, response_sha256 = excluded.response_sha256";
        bind_entry(sqlx::query(sql), e).execute(self.pool()).await?;
        Ok(())
    }

    /// One entry of a restaurant's log.
    pub async fn request_log_entry(&self, resto_id: &str, rid: &str) -> Result<Option<RequestLogEntry>, StoreError> {
        let row = sqlx::query("SELECT * FROM request_log WHERE resto_id = $1 AND rid = $2")
            .bind(resto_id)
            .bind(rid)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(entry_from).transpose()
    }

    /// The newest entries of a restaurant's log.
    pub async fn request_log(
        &self,
        resto_id: &str,
        query: &RequestLogQuery,
    ) -> Result<Vec<RequestLogEntry>, StoreError> {
        let limit = query.limit.clamp(1, 1000);
        let rows = match &query.operation {
            Some(operation) => {
                sqlx::query(
                    "SELECT * FROM request_log WHERE resto_id = $1 AND operation = $2 ORDER BY sent_at DESC, rid DESC LIMIT $3",
                )
                .bind(resto_id)
                .bind(operation)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query("SELECT * FROM request_log WHERE resto_id = $1 ORDER BY sent_at DESC, rid DESC LIMIT $2")
                    .bind(resto_id)
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(entry_from).collect()
    }
}

/// Rows written by one `INSERT` of the request log (14 values each, well within both
/// databases' limits on parameters).
const ROWS_PER_INSERT: usize = 64;

/// Binds one entry's 14 columns, in the order of the `INSERT`s here.
fn bind_entry<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    e: &'q RequestLogEntry,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(e.rid.as_str())
        .bind(e.resto_id.as_str())
        .bind(e.operation.as_str())
        .bind(e.sent_at)
        .bind(e.finished_at)
        .bind(e.latency_ms)
        .bind(e.outcome.as_str())
        .bind(e.request_body.as_str())
        .bind(e.response_body.as_deref())
        .bind(e.detail.as_deref())
        .bind(e.request_body_cut.as_ref().map(|c| c.size))
        .bind(e.request_body_cut.as_ref().map(|c| c.sha256.as_str()))
        .bind(e.response_body_cut.as_ref().map(|c| c.size))
        .bind(e.response_body_cut.as_ref().map(|c| c.sha256.as_str()))
}

/// `INSERT INTO request_log … VALUES (…), (…), …` for `rows` rows (the SQL for a full chunk is
/// built once per backend).
///
/// SQLite gets anonymous `?` parameters: a numbered one (`$7`) is a named parameter to SQLite,
/// and sqlx looks each one's name up by a walk of the statement's whole list, so binding 896 of
/// them cost 7 % of a getBill round trip's CPU (BENCHMARKS.md). PostgreSQL needs `$n`.
fn insert_request_log_sql(backend: Backend, rows: usize) -> std::borrow::Cow<'static, str> {
    static SQLITE_FULL_CHUNK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static POSTGRES_FULL_CHUNK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if rows == ROWS_PER_INSERT {
        let full = match backend {
            Backend::Sqlite => &SQLITE_FULL_CHUNK,
            Backend::Postgres => &POSTGRES_FULL_CHUNK,
        };
        return full.get_or_init(|| insert_sql_for(backend, ROWS_PER_INSERT)).as_str().into();
    }
    insert_sql_for(backend, rows).into()
}

fn insert_sql_for(backend: Backend, rows: usize) -> String {
    const COLUMNS: usize = 14;
    let parameter = |n: usize| match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    };
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=COLUMNS).map(|n| parameter(row * COLUMNS + n)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    // A repeated rID is left out. On SQLite as `OR IGNORE`, not `ON CONFLICT (rid)`: a
    // statement of many rows that may stop half way (on any other constraint) copies every
    // page it changes into a statement journal first, an eighth of the log's cost
    // (BENCHMARKS.md); no value here is ever NULL, so ignoring is all it can do.
    let (verb, tail) = match backend {
        Backend::Sqlite => ("INSERT OR IGNORE", ""),
        Backend::Postgres => ("INSERT", " ON CONFLICT (rid) DO NOTHING"),
    };
    format!(
        "{verb} INTO request_log (rid, resto_id, operation, sent_at, finished_at, latency_ms, outcome, \
         request_body, response_body, detail, request_size, request_sha256, response_size, response_sha256) \
         VALUES {}{tail}",
        values.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::BodyCut;

    #[test]
    fn a_body_over_the_limit_is_cut_on_a_character_boundary_with_its_size_and_hash() {
        let mut body = "абв".to_string();
        let cut = BodyCut::cut(&mut body, 3).expect("6 bytes are over 3");
        assert_eq!(body, "а");
        assert_eq!(cut.size, 6);
        assert_eq!(cut.sha256.len(), 64);
        let mut short = "ok".to_string();
        assert_eq!(BodyCut::cut(&mut short, 2), None);
        assert_eq!(short, "ok");
    }
}
