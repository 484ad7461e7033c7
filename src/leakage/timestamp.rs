//! Timestamps of metered flow series: civil dates and clock times as seconds since 1970-01-01 00:00.
//!
//! Logger files carry local clock times without a zone; they are kept as
//! they are (no time zone or daylight saving shift), since night flow only
//! needs the clock time and the date.

/// Seconds in a day.
pub const DAY_S: i64 = 86_400;

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil` algorithm, written from its published description).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Reads `YYYY-MM-DD HH:MM[:SS]` (or with a `T` between date and time),
/// or a plain number of seconds; `None` if it is neither.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds.is_finite().then_some(seconds.round() as i64);
    }
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.trim().trim_end_matches('Z').split(':');
    let hour: i64 = t.next()?.parse().ok()?;
    let minute: i64 = t.next()?.parse().ok()?;
    let second: f64 = t.next().map_or(Some(0.0), |s| s.parse().ok())?;
    if t.next().is_some() || !(0..24).contains(&hour) || !(0..60).contains(&minute) {
        return None;
    }
    Some(days_from_civil(year, month, day) * DAY_S + hour * 3600 + minute * 60 + second as i64)
}

/// `YYYY-MM-DD HH:MM` for a timestamp.
pub fn format(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(DAY_S));
    let clock = seconds.rem_euclid(DAY_S);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        clock / 3600,
        clock % 3600 / 60
    )
}

/// `YYYY-MM-DD` for a day number.
pub fn format_date(day: i64) -> String {
    let (year, month, d) = civil_from_days(day);
    format!("{year:04}-{month:02}-{d:02}")
}

/// `HH:MM` for seconds after midnight.
pub fn format_clock(clock_s: i64) -> String {
    let c = clock_s.rem_euclid(DAY_S);
    format!("{:02}:{:02}", c / 3600, c % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2000-03-01 is day 11017 (30 years, 7 leap days, plus Jan and Feb 2000).
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn parse_and_format_round_trip() {
        let t = parse("2024-03-05 02:15").unwrap();
        assert_eq!(format(t), "2024-03-05 02:15");
        assert_eq!(parse("2024-03-05T02:15:00"), Some(t));
        assert_eq!(parse("3600"), Some(3600));
        assert_eq!(parse("2024-13-05 02:15"), None);
        assert_eq!(parse("yesterday"), None);
    }
}
