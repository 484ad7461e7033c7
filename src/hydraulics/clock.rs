//! The hydraulic clock: time steps as EPANET derives them from `[TIMES]`.

use crate::network::Times;

/// Seconds in a day.
pub(crate) const SECONDS_PER_DAY: u64 = 86_400;

/// The time steps a simulation runs with, after EPANET's consistency
/// rules (`adjustdata`): a missing report step is the pattern step, the
/// hydraulic step is no longer than the pattern and report steps, the rule
/// step and the quality step default to a tenth of the hydraulic step and
/// are no longer than it, and a report start beyond the duration means 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSteps {
    /// Simulation duration, s (0: one period).
    pub duration_s: u64,
    /// Hydraulic time step, s.
    pub hydraulic_s: u64,
    /// Pattern time step, s.
    pub pattern_s: u64,
    /// Time into the patterns at the start, s.
    pub pattern_start_s: u64,
    /// Report time step, s.
    pub report_s: u64,
    /// First report time, s.
    pub report_start_s: u64,
    /// Rule evaluation step, s.
    pub rule_s: u64,
    /// Water quality step, s.
    pub quality_s: u64,
    /// Clock time at the start, seconds after midnight.
    pub start_clock_s: u64,
}

impl TimeSteps {
    /// The steps of a network's `[TIMES]`.
    pub fn new(t: &Times) -> Self {
        let pattern_s = if t.pattern_step_s == 0 {
            3600
        } else {
            t.pattern_step_s
        };
        let report_s = if t.report_step_s == 0 {
            pattern_s
        } else {
            t.report_step_s
        };
        let hydraulic_s = if t.hydraulic_step_s == 0 {
            3600
        } else {
            t.hydraulic_step_s
        }
        .min(pattern_s)
        .min(report_s);
        let rule_s = if t.rule_step_s == 0 {
            hydraulic_s / 10
        } else {
            t.rule_step_s
        }
        .min(hydraulic_s)
        .max(1);
        let quality_s = if t.quality_step_s == 0 {
            hydraulic_s / 10
        } else {
            t.quality_step_s
        }
        .min(hydraulic_s)
        .max(1);
        TimeSteps {
            duration_s: t.duration_s,
            hydraulic_s,
            pattern_s,
            pattern_start_s: t.pattern_start_s,
            report_s,
            report_start_s: if t.report_start_s > t.duration_s {
                0
            } else {
                t.report_start_s
            },
            rule_s,
            quality_s,
            start_clock_s: t.start_clock_s % SECONDS_PER_DAY,
        }
    }

    /// Whether `time_s` is one of the report times: the report start, then
    /// every report step. A [`crate::hydraulics::Simulation`] reports the
    /// first period at or after each ([`crate::hydraulics::Simulation::is_report_time`]).
    pub fn is_report_time(&self, time_s: u64) -> bool {
        time_s >= self.report_start_s
            && (time_s - self.report_start_s).is_multiple_of(self.report_s)
    }

    /// The pattern period in force at `time_s`.
    pub fn pattern_period(&self, time_s: u64) -> u64 {
        (time_s + self.pattern_start_s) / self.pattern_s
    }

    /// Clock time of day at `time_s`, seconds after midnight.
    pub fn clock_s(&self, time_s: u64) -> u64 {
        (time_s + self.start_clock_s) % SECONDS_PER_DAY
    }

    /// Seconds from `time_s` to the next change of pattern period.
    pub fn to_next_pattern_period_s(&self, time_s: u64) -> u64 {
        let next = (self.pattern_period(time_s) + 1) * self.pattern_s;
        next - (time_s + self.pattern_start_s)
    }
}

/// EPANET's rounding of a time in seconds to a whole second (half away from zero).
pub(crate) fn round_s(t: f64) -> i64 {
    if t >= 0.0 {
        (t + 0.5) as i64
    } else {
        (t - 0.5) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epanet_step_rules() {
        let t = Times {
            duration_s: 10 * 3600,
            hydraulic_step_s: 7200,
            pattern_step_s: 3600,
            report_step_s: 0,
            report_start_s: 20 * 3600,
            rule_step_s: 0,
            ..Times::default()
        };
        let s = TimeSteps::new(&t);
        assert_eq!(s.hydraulic_s, 3600); // clipped to the pattern step
        assert_eq!(s.report_s, 3600); // missing: the pattern step
        assert_eq!(s.rule_s, 360); // a tenth of the hydraulic step
        assert_eq!(s.report_start_s, 0); // beyond the duration
    }

    #[test]
    fn pattern_period_changes_with_the_pattern_start() {
        let t = Times {
            pattern_start_s: 1800,
            ..Times::default()
        };
        let s = TimeSteps::new(&t);
        assert_eq!(s.pattern_period(0), 0);
        assert_eq!(s.to_next_pattern_period_s(0), 1800);
        assert_eq!(s.pattern_period(1800), 1);
        assert_eq!(s.to_next_pattern_period_s(1800), 3600);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_s(2.5), 3);
        assert_eq!(round_s(-2.5), -3);
        assert_eq!(round_s(2.49), 2);
    }
}
