//! Time values of `.inp` files: decimal hours, `h:mm[:ss]`, a number with a unit, or a clock time.

use super::lexer::{matches, number};

/// Hours given by a value token and an optional unit token (`SEC`, `MIN`,
/// `HOURS`, `DAYS`, `AM`, `PM`, matched by prefix), as EPANET reads them.
///
/// `h:mm` and `h:mm:ss` give hours plus minutes/60 plus seconds/3600; any
/// further `:` fields are ignored, so `0:00:00:00` is 0. A value with
/// colons takes no unit other than AM or PM. A clock time with AM or PM
/// must be below 13 hours; 12 AM is midnight and 12 PM noon.
pub(crate) fn hours(value: &str, unit: Option<&str>) -> Option<f64> {
    let has_colons = value.contains(':');
    let y = if has_colons {
        let mut fields = value.split(':');
        let h = number(fields.next()?)?;
        let m = number(fields.next()?)?;
        let s = match fields.next() {
            Some(f) => number(f)?,
            None => 0.0,
        };
        h + m / 60.0 + s / 3600.0
    } else {
        number(value)?
    };
    let Some(unit) = unit else {
        return Some(y);
    };
    if matches(unit, "AM") || matches(unit, "PM") {
        if !(0.0..13.0).contains(&y) {
            return None;
        }
        let am = matches(unit, "AM");
        return Some(match (am, y >= 12.0) {
            (true, true) => y - 12.0,
            (false, false) => y + 12.0,
            _ => y,
        });
    }
    if has_colons {
        return None;
    }
    if matches(unit, "SEC") {
        Some(y / 3600.0)
    } else if matches(unit, "MIN") {
        Some(y / 60.0)
    } else if matches(unit, "HOU") {
        Some(y)
    } else if matches(unit, "DAY") {
        Some(y * 24.0)
    } else {
        None
    }
}

/// Seconds in a number of hours, rounded to the nearest second as EPANET
/// does; `None` if negative.
pub(crate) fn seconds(hours: f64) -> Option<u64> {
    let s = (3600.0 * hours + 0.5).floor();
    (0.0..1e15).contains(&s).then_some(s as u64)
}

/// The time given by the last one or two tokens of a line (a value and
/// perhaps a unit), in seconds.
pub(crate) fn trailing_seconds(tokens: &[&str]) -> Option<u64> {
    let n = tokens.len();
    let last = *tokens.last()?;
    if let Some(h) = hours(last, None) {
        return seconds(h);
    }
    if n < 2 {
        return None;
    }
    seconds(hours(tokens[n - 2], Some(last))?)
}

/// Formats seconds as `h:mm:ss`, which EPANET reads back exactly.
pub(crate) fn format_hms(seconds: u64) -> String {
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_epanet_accepts() {
        // Values checked against EPANET 2.3.5 (owa-epanet) PATTERN START.
        assert_eq!(trailing_seconds(&["1:02:03:04"]), Some(3723));
        assert_eq!(trailing_seconds(&["0:00:00:00"]), Some(0));
        assert_eq!(trailing_seconds(&["1.5"]), Some(5400));
        assert_eq!(trailing_seconds(&["1.5", "MIN"]), Some(90));
        assert_eq!(trailing_seconds(&["1:30", "PM"]), Some(48600));
        assert_eq!(trailing_seconds(&["12:30", "PM"]), Some(45000));
        assert_eq!(trailing_seconds(&["12", "AM"]), Some(0));
        assert_eq!(trailing_seconds(&["1:90"]), Some(9000));
        assert_eq!(trailing_seconds(&["0.00025"]), Some(1));
        assert_eq!(trailing_seconds(&["2", "DAYS"]), Some(172800));
        assert_eq!(trailing_seconds(&["3", "SECONDS"]), Some(3));
    }

    #[test]
    fn forms_epanet_rejects() {
        assert_eq!(trailing_seconds(&["20", "PM"]), None);
        assert_eq!(trailing_seconds(&["13", "PM"]), None);
        assert_eq!(trailing_seconds(&["2", "D"]), None);
        assert_eq!(trailing_seconds(&["1:x"]), None);
        assert_eq!(trailing_seconds(&["1:2:3", "MIN"]), None);
        assert_eq!(trailing_seconds(&["1", "HOURS", "extra"]), None);
    }
}
