//! Request ids in the production format: `YYYY-MM-DD HH:MM:SS.nnnnnnnnn#XXXXXXX` (UTC).
//!
//! Why this exists: integrations written against production log and sometimes parse the rID;
//! ours look the same. Clients must still treat it as opaque.

use rand::distributions::Alphanumeric;
use rand::Rng;
use std::fmt::{self, Write};
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
    // Written into one string: every request to a POS makes one.
    let mut rid = String::with_capacity(37);
    write_utc_nanos(&mut rid, time);
    rid.push('#');
    rid.extend(rand::thread_rng().sample_iter(&Alphanumeric).take(7).map(char::from));
    rid
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` in UTC.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::new(1_668_777_531, 694_125_371);
/// assert_eq!(rahunok_protocol::rid::format_utc_nanos(t), "2022-11-18 13:18:51.694125371");
/// ```
pub fn format_utc_nanos(time: SystemTime) -> String {
    let mut text = String::with_capacity(29);
    write_utc_nanos(&mut text, time);
    text
}

fn write_utc_nanos(out: &mut String, time: SystemTime) {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let civil = Civil::from_unix(since.as_secs() as i64);
    let _ = write!(out, "{} {}.{:09}", civil.date('-'), civil.clock(), since.subsec_nanos());
}

/// `YYYY-MM-DDTHH:MM:SSZ` for an instant given in unix seconds.
///
/// ```
/// assert_eq!(rahunok_protocol::rid::iso8601_utc(0), "1970-01-01T00:00:00Z");
/// ```
pub fn iso8601_utc(unix_seconds: i64) -> String {
    let civil = Civil::from_unix(unix_seconds);
    format!("{}T{}Z", civil.date('-'), civil.clock())
}

/// `yyyy.MM.dd HH:mm:ss`, the POS date format, for an instant given in unix seconds.
///
/// ```
/// assert_eq!(rahunok_protocol::rid::pos_datetime(86_400 + 3_661), "1970.01.02 01:01:01");
/// ```
pub fn pos_datetime(unix_seconds: i64) -> String {
    let civil = Civil::from_unix(unix_seconds);
    format!("{} {}", civil.date('.'), civil.clock())
}

/// An instant as a calendar date and a time of day (proleptic Gregorian, UTC).
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    seconds_of_day: i64,
}

impl Civil {
    fn from_unix(seconds: i64) -> Civil {
        let days = seconds.div_euclid(86_400);
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
        Civil { year, month, day, seconds_of_day: seconds.rem_euclid(86_400) }
    }

    /// `YYYY-MM-DD` with `separator` between the parts.
    fn date(&self, separator: char) -> impl fmt::Display + '_ {
        fmt::from_fn(move |f| write!(f, "{:04}{separator}{:02}{separator}{:02}", self.year, self.month, self.day))
    }

    /// `HH:MM:SS`.
    fn clock(&self) -> impl fmt::Display + '_ {
        let s = self.seconds_of_day;
        fmt::from_fn(move |f| write!(f, "{:02}:{:02}:{:02}", s / 3_600, s % 3_600 / 60, s % 60))
    }
}
