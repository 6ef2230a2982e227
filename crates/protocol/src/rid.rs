//! Request ids in the production format: `YYYY-MM-DD HH:MM:SS.nnnnnnnnn#XXXXXXX` (UTC).
//!
//! Why this exists: integrations written against production log and sometimes parse the rID;
//! ours look the same. Clients must still treat it as opaque.

use rand::distributions::Alphanumeric;
use rand::Rng;
use std::time::{SystemTime, UNIX_EPOCH};

/// A new rID for the current time.
///
/// ```
/// let rid = rahunok_protocol::rid::generate();
/// assert_eq!(rid.len(), 37);
/// assert_eq!(&rid[29..30], "#");
/// ```
pub fn generate() -> String {
    generate_at(SystemTime::now())
}

/// A new rID for the given time (7 random alphanumerics after `#`).
pub fn generate_at(time: SystemTime) -> String {
    let suffix: String = rand::thread_rng().sample_iter(&Alphanumeric).take(7).map(char::from).collect();
    format!("{}#{suffix}", format_utc_nanos(time))
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` in UTC.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::new(1_668_777_531, 694_125_371);
/// assert_eq!(rahunok_protocol::rid::format_utc_nanos(t), "2022-11-18 13:18:51.694125371");
/// ```
pub fn format_utc_nanos(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (date, clock) = civil_from_unix(since.as_secs() as i64);
    format!("{date} {clock}.{:09}", since.subsec_nanos())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for an instant given in unix seconds.
///
/// ```
/// assert_eq!(rahunok_protocol::rid::iso8601_utc(0), "1970-01-01T00:00:00Z");
/// ```
pub fn iso8601_utc(unix_seconds: i64) -> String {
    let (date, clock) = civil_from_unix(unix_seconds);
    format!("{date}T{clock}Z")
}

/// `yyyy.MM.dd HH:mm:ss`, the POS date format, for an instant given in unix seconds.
///
/// ```
/// assert_eq!(rahunok_protocol::rid::pos_datetime(86_400 + 3_661), "1970.01.02 01:01:01");
/// ```
pub fn pos_datetime(unix_seconds: i64) -> String {
    let (date, clock) = civil_from_unix(unix_seconds);
    format!("{} {clock}", date.replace('-', "."))
}

/// Splits unix seconds into `YYYY-MM-DD` and `HH:MM:SS` (proleptic Gregorian, UTC).
fn civil_from_unix(seconds: i64) -> (String, String) {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{:02}:{:02}:{:02}", of_day / 3_600, of_day % 3_600 / 60, of_day % 60),
    )
}
