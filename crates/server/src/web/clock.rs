//! Times as a guest reads them: in the restaurant's time zone (a restaurant setting, Kyiv by
//! default) rather than the server's or UTC, from jiff's bundled time-zone database so a server
//! without the system's tzdata shows the same times.

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Whether `name` is a time zone the database knows (`Europe/Kyiv`).
pub fn known_zone(name: &str) -> bool {
    jiff::tz::db().get(name).is_ok()
}

fn zone(name: &str) -> TimeZone {
    jiff::tz::db()
        .get(name)
        .or_else(|_| jiff::tz::db().get(crate::store::GuestSettings::DEFAULT_TIME_ZONE))
        .unwrap_or(TimeZone::UTC)
}

fn format(ms: i64, zone_name: &str, pattern: &str) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(at) => at.to_zoned(zone(zone_name)).strftime(pattern).to_string(),
        Err(_) => "—".to_string(),
    }
}

/// The date and time of unix milliseconds `ms` in the zone: `30.11.2026 14:32`.
///
/// ```
/// use rahunok_server::web::clock::date_time;
/// // 2026-11-30 10:48 UTC is 12:48 in Kyiv (winter, UTC+2) and 11:48 in Warsaw.
/// assert_eq!(date_time(1_796_035_680_000, "Europe/Kyiv"), "30.11.2026 12:48");
/// assert_eq!(date_time(1_796_035_680_000, "Europe/Warsaw"), "30.11.2026 11:48");
/// ```
pub fn date_time(ms: i64, zone_name: &str) -> String {
    format(ms, zone_name, "%d.%m.%Y %H:%M")
}

/// The time of day of `ms` in the zone: `14:32`.
pub fn time_of_day(ms: i64, zone_name: &str) -> String {
    format(ms, zone_name, "%H:%M")
}

/// The calendar date of `ms` in the zone, `2026-11-30`.
///
/// ```
/// use rahunok_server::web::clock::date_of;
/// // 23:30 UTC on 29 November is already 30 November in Kyiv.
/// assert_eq!(date_of(1_795_995_000_000, "Europe/Kyiv"), "2026-11-30");
/// ```
pub fn date_of(ms: i64, zone_name: &str) -> String {
    format(ms, zone_name, "%Y-%m-%d")
}

/// Unix milliseconds of the start of `date` (`2026-11-30`) in the zone; `None` for a text
/// that is not a date.
///
/// ```
/// use rahunok_server::web::clock::day_start_ms;
/// assert_eq!(day_start_ms("2026-11-30", "Europe/Kyiv"), Some(1_795_989_600_000)); // 22:00 UTC the day before
/// assert_eq!(day_start_ms("30.11.2026", "Europe/Kyiv"), None);
/// ```
pub fn day_start_ms(date: &str, zone_name: &str) -> Option<i64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    Some(date.to_zoned(zone(zone_name)).ok()?.timestamp().as_millisecond())
}

/// The date `days` after `date` (negative: before); `None` for a text that is not a date.
pub fn add_days(date: &str, days: i32) -> Option<String> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    Some(date.checked_add(jiff::Span::new().days(days)).ok()?.to_string())
}
