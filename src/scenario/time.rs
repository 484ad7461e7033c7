//! Simulation times in scenario files: `"h:mm"`, `"h:mm:ss"`, or a number of hours.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A time into the simulation, in seconds.
///
/// In a scenario file it is written as EPANET writes times: a string
/// `"6:00"` or `"6:30:15"` (hours, minutes, seconds), or a number of hours
/// (`6.5`). Negative times are rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Parses `"h:mm[:ss]"` or decimal hours; `None` if malformed or negative.
    pub fn parse(text: &str) -> Option<SimTime> {
        let text = text.trim();
        if !text.contains(':') {
            return hours_to_time(text.parse::<f64>().ok()?);
        }
        let mut fields = text.split(':');
        let h: u64 = fields.next()?.trim().parse().ok()?;
        let m: u64 = fields.next()?.trim().parse().ok()?;
        let s: u64 = match fields.next() {
            Some(f) => f.trim().parse().ok()?,
            None => 0,
        };
        if fields.next().is_some() || m >= 60 || s >= 60 {
            return None;
        }
        Some(SimTime(h * 3600 + m * 60 + s))
    }
}

/// Seconds in a number of hours, rounded to the nearest second.
fn hours_to_time(hours: f64) -> Option<SimTime> {
    let s = (hours * 3600.0).round();
    (hours.is_finite() && (0.0..1e12).contains(&s)).then_some(SimTime(s as u64))
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(f, "{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    }
}

impl<'de> Deserialize<'de> for SimTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimeVisitor)
    }
}

struct TimeVisitor;

impl Visitor<'_> for TimeVisitor {
    type Value = SimTime;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a time such as \"6:00\", \"6:30:15\" or a number of hours")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SimTime, E> {
        SimTime::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SimTime, E> {
        hours_to_time(v as f64).ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SimTime, E> {
        hours_to_time(v as f64).ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SimTime, E> {
        hours_to_time(v).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_forms_and_hours() {
        assert_eq!(SimTime::parse("6:00"), Some(SimTime(21_600)));
        assert_eq!(SimTime::parse("0:30:15"), Some(SimTime(1815)));
        assert_eq!(SimTime::parse("1.5"), Some(SimTime(5400)));
        assert_eq!(SimTime::parse("26:00"), Some(SimTime(93_600)));
    }

    #[test]
    fn malformed_times_are_rejected() {
        assert_eq!(SimTime::parse("6:75"), None);
        assert_eq!(SimTime::parse("-1"), None);
        assert_eq!(SimTime::parse("noon"), None);
        assert_eq!(SimTime::parse("1:00:00:00"), None);
    }

    #[test]
    fn formats_as_hours_minutes_seconds() {
        assert_eq!(SimTime(93_615).to_string(), "26:00:15");
    }
}
