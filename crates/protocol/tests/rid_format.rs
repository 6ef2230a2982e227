//! Request ids (spec section 3): `YYYY-MM-DD HH:MM:SS.nnnnnnnnn#XXXXXXX`, UTC, 7 random
//! alphanumerics, like production.

use rahunok_protocol::rid;
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Checks the production rID shape character by character; returns what is wrong.
fn rid_shape_problem(rid: &str) -> Option<String> {
    let chars: Vec<char> = rid.chars().collect();
    if chars.len() != 37 {
        return Some(format!("length {} instead of 37", chars.len()));
    }
    // Positions of the fixed separators; every other position before `#` is a digit.
    let separators = [(4, '-'), (7, '-'), (10, ' '), (13, ':'), (16, ':'), (19, '.'), (29, '#')];
    for (i, &c) in chars.iter().enumerate() {
        if let Some(&(_, expected)) = separators.iter().find(|(at, _)| *at == i) {
            if c != expected {
                return Some(format!("position {i} is {c:?}, expected {expected:?}"));
            }
        } else if i < 29 && !c.is_ascii_digit() {
            return Some(format!("position {i} is {c:?}, expected a digit"));
        } else if i > 29 && !c.is_ascii_alphanumeric() {
            return Some(format!("position {i} is {c:?}, expected a letter or digit"));
        }
    }
    let number = |from: usize, to: usize| rid[from..to].parse::<u32>().unwrap();
    let (month, day, hour, minute, second) =
        (number(5, 7), number(8, 10), number(11, 13), number(14, 16), number(17, 19));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return Some(format!("{} is not a valid date and time", &rid[..19]));
    }
    None
}

#[test]
fn generated_rid_has_the_production_format() {
    for _ in 0..100 {
        let rid = rid::generate();
        assert_eq!(rid_shape_problem(&rid), None, "{rid}");
    }
}

#[test]
fn the_shape_check_refuses_malformed_rids() {
    // The checker above must itself be able to fail.
    for bad in [
        "2022-11-18 13:18:51.694125371#Lm4R2E",
        "2022-11-18T13:18:51.694125371#Lm4R2EQ",
        "2022-11-18 13:18:51,694125371#Lm4R2EQ",
        "2022-11-18 13:18:51.694125371#Lm4R2E!",
        "2022-13-18 13:18:51.694125371#Lm4R2EQ",
        "2022-11-18 13:18:5x.694125371#Lm4R2EQ",
    ] {
        assert!(rid_shape_problem(bad).is_some(), "{bad} passed the check");
    }
    assert_eq!(rid_shape_problem("2022-11-18 13:18:51.694125371#Lm4R2EQ"), None);
}

#[test]
fn a_thousand_generated_rids_are_unique() {
    let rids: HashSet<String> = (0..1000).map(|_| rid::generate()).collect();
    assert_eq!(rids.len(), 1000);
}

#[test]
fn rids_for_the_same_instant_differ_by_their_random_suffix() {
    let at = UNIX_EPOCH + Duration::new(1_668_777_531, 694_125_371);
    let rids: HashSet<String> = (0..200).map(|_| rid::generate_at(at)).collect();
    assert_eq!(rids.len(), 200);
    for rid in &rids {
        assert!(rid.starts_with("2022-11-18 13:18:51.694125371#"), "{rid}");
        assert_eq!(rid_shape_problem(rid), None, "{rid}");
    }
}

#[test]
fn generated_rid_carries_the_current_utc_time() {
    let before = rid::format_utc_nanos(SystemTime::now());
    let rid = rid::generate();
    let after = rid::format_utc_nanos(SystemTime::now());
    // The timestamp format sorts like the time it names.
    assert!(before.as_str() <= &rid[..29] && &rid[..29] <= after.as_str(), "{before} <= {rid} <= {after}");
}

fn at(seconds: u64, nanos: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(seconds, nanos)
}

#[test]
fn rid_timestamp_of_the_seed_example_is_reproduced() {
    assert_eq!(rid::format_utc_nanos(at(1_668_777_531, 694_125_371)), "2022-11-18 13:18:51.694125371");
}

#[test]
fn rid_timestamp_handles_the_2024_leap_day() {
    assert_eq!(rid::format_utc_nanos(at(1_709_251_199, 999_999_999)), "2024-02-29 23:59:59.999999999");
    assert_eq!(rid::format_utc_nanos(at(1_709_251_200, 0)), "2024-03-01 00:00:00.000000000");
}

#[test]
fn rid_timestamp_handles_the_2000_leap_year_and_march_first() {
    assert_eq!(rid::format_utc_nanos(at(951_825_600, 0)), "2000-02-29 12:00:00.000000000");
    assert_eq!(rid::format_utc_nanos(at(951_868_800, 1)), "2000-03-01 00:00:00.000000001");
}

#[test]
fn rid_timestamp_knows_2100_is_not_a_leap_year() {
    assert_eq!(rid::format_utc_nanos(at(4_107_542_400 - 1, 0)), "2100-02-28 23:59:59.000000000");
    assert_eq!(rid::format_utc_nanos(at(4_107_542_400, 0)), "2100-03-01 00:00:00.000000000");
}

#[test]
fn rid_timestamp_pads_every_field() {
    assert_eq!(rid::format_utc_nanos(UNIX_EPOCH), "1970-01-01 00:00:00.000000000");
    assert_eq!(rid::format_utc_nanos(at(946_684_799, 5)), "1999-12-31 23:59:59.000000005");
}

#[test]
fn other_time_formats_use_the_same_calendar() {
    assert_eq!(rid::iso8601_utc(1_709_251_199), "2024-02-29T23:59:59Z");
    assert_eq!(rid::pos_datetime(1_668_777_531), "2022.11.18 13:18:51");
}
