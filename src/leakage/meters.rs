//! Meter checks on a DMA's flow series: zero readings, sub-meters above the inlet, and an inlet meter reading flows too low for it.

use super::flow_series::{FlowSeries, MeterSeries};
use super::timestamp::DAY_S;

/// Thresholds of the meter checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterCheckSettings {
    /// Consecutive zero readings that make a zero-reading finding (default 4).
    pub zero_run: usize,
    /// The inlet meter's minimum accurate flow (Q1 of ISO 4064 / OIML R49), L/s.
    pub inlet_q1_ls: Option<f64>,
    /// Without Q1: the lowest flow is suspect when under this fraction of
    /// the highest (default 0.02, a meter sized for peaks reading near its
    /// bottom of range).
    pub low_flow_fraction: f64,
}

impl Default for MeterCheckSettings {
    fn default() -> Self {
        MeterCheckSettings {
            zero_run: 4,
            inlet_q1_ls: None,
            low_flow_fraction: 0.02,
        }
    }
}

/// Something wrong or suspect in the meter readings.
#[derive(Debug, Clone, PartialEq)]
pub enum MeterFinding {
    /// A meter read zero for a run of readings.
    Zero {
        /// The meter's column name.
        meter: String,
        /// First zero reading, s since 1970.
        from_s: i64,
        /// How many readings in a row.
        readings: usize,
    },
    /// A meter gave negative readings (a meter fitted backwards, or a
    /// sign error in the export).
    Negative {
        /// The meter's column name.
        meter: String,
        /// How many readings were below zero.
        readings: usize,
        /// The first, s since 1970.
        first_s: i64,
    },
    /// On a day the sub-meters together recorded more than the net inflow.
    SubmetersAboveInlet {
        /// Day number from 1970-01-01.
        day: i64,
        /// Net inflow volume of the day, m³.
        inlet_m3: f64,
        /// Sum of the sub-meters' volumes, m³.
        submeters_m3: f64,
    },
    /// The inlet meter reads flows below its accurate range.
    LowFlow {
        /// Readings below the limit.
        readings: usize,
        /// The limit used, L/s.
        limit_ls: f64,
        /// Whether the limit is the meter's Q1 (else the fraction of the peak).
        from_q1: bool,
    },
}

fn zero_runs(times_s: &[i64], meter: &MeterSeries, min_run: usize, out: &mut Vec<MeterFinding>) {
    let mut start = None;
    for (t, &q) in meter
        .flow_ls
        .iter()
        .chain(std::iter::once(&1.0))
        .enumerate()
    {
        if q == 0.0 {
            start.get_or_insert(t);
        } else if let Some(s) = start.take() {
            if t - s >= min_run.max(1) {
                out.push(MeterFinding::Zero {
                    meter: meter.name.clone(),
                    from_s: times_s[s],
                    readings: t - s,
                });
            }
        }
    }
}

/// Daily volumes of a flow at each reading held until the next, m³, by day.
fn daily_volumes_m3(times_s: &[i64], flow_ls: &[f64]) -> Vec<(i64, f64)> {
    let mut days: Vec<(i64, f64)> = Vec::new();
    for (w, &q) in times_s.windows(2).zip(flow_ls) {
        if !q.is_finite() {
            continue;
        }
        let day = w[0].div_euclid(DAY_S);
        let volume = q * (w[1] - w[0]) as f64 / 1000.0;
        match days.last_mut() {
            Some((d, v)) if *d == day => *v += volume,
            _ => days.push((day, volume)),
        }
    }
    days
}

/// Runs every meter check over a series.
pub fn check_meters(series: &FlowSeries, settings: &MeterCheckSettings) -> Vec<MeterFinding> {
    let mut findings = Vec::new();
    for meter in std::iter::once(&series.inflow)
        .chain(&series.outflows)
        .chain(&series.submeters)
    {
        zero_runs(&series.times_s, meter, settings.zero_run, &mut findings);
        let negative: Vec<usize> = (0..meter.flow_ls.len())
            .filter(|&t| meter.flow_ls[t] < 0.0)
            .collect();
        if let Some(&first) = negative.first() {
            findings.push(MeterFinding::Negative {
                meter: meter.name.clone(),
                readings: negative.len(),
                first_s: series.times_s[first],
            });
        }
    }

    if !series.submeters.is_empty() {
        let net = series.net_inflow_ls();
        let sub_total: Vec<f64> = (0..series.times_s.len())
            .map(|t| series.submeters.iter().map(|m| m.flow_ls[t]).sum())
            .collect();
        let inlet = daily_volumes_m3(&series.times_s, &net);
        let subs = daily_volumes_m3(&series.times_s, &sub_total);
        for (&(day, inlet_m3), &(_, submeters_m3)) in inlet.iter().zip(&subs) {
            if submeters_m3 > inlet_m3 {
                findings.push(MeterFinding::SubmetersAboveInlet {
                    day,
                    inlet_m3,
                    submeters_m3,
                });
            }
        }
    }

    let finite = || {
        series
            .inflow
            .flow_ls
            .iter()
            .copied()
            .filter(|q| q.is_finite())
    };
    let peak = finite().fold(0.0, f64::max);
    let (limit_ls, from_q1) = match settings.inlet_q1_ls {
        Some(q1) => (q1, true),
        None => (settings.low_flow_fraction * peak, false),
    };
    let readings = finite().filter(|&q| q > 0.0 && q < limit_ls).count();
    if readings > 0 {
        findings.push(MeterFinding::LowFlow {
            readings,
            limit_ls,
            from_q1,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(inflow: Vec<f64>, sub: Vec<f64>) -> FlowSeries {
        FlowSeries {
            times_s: (0..inflow.len() as i64).map(|k| k * 900).collect(),
            inflow: MeterSeries {
                name: "inflow".into(),
                flow_ls: inflow,
            },
            outflows: vec![],
            submeters: vec![MeterSeries {
                name: "sub".into(),
                flow_ls: sub,
            }],
        }
    }

    #[test]
    fn zero_runs_and_submeters() {
        let s = series(
            vec![5.0, 0.0, 0.0, 0.0, 0.0, 5.0, 5.0],
            vec![6.0, 0.0, 0.0, 0.0, 0.0, 6.0, 6.0],
        );
        let f = check_meters(&s, &MeterCheckSettings::default());
        assert!(f.contains(&MeterFinding::Zero {
            meter: "inflow".into(),
            from_s: 900,
            readings: 4
        }));
        // Inlet (5 + 5) L/s · 900 s = 9 m³; sub-meter (6 + 6) · 900 s = 10.8 m³.
        assert!(f.iter().any(|x| matches!(x,
            MeterFinding::SubmetersAboveInlet { inlet_m3, submeters_m3, .. }
            if (inlet_m3 - 9.0).abs() < 1e-9 && (submeters_m3 - 10.8).abs() < 1e-9)));
    }

    #[test]
    fn low_flows_against_q1() {
        let s = series(vec![0.5, 0.8, 5.0, 9.0], vec![0.0; 4]);
        let settings = MeterCheckSettings {
            inlet_q1_ls: Some(1.0),
            zero_run: 10,
            ..Default::default()
        };
        let f = check_meters(&s, &settings);
        assert_eq!(
            f,
            vec![MeterFinding::LowFlow {
                readings: 2,
                limit_ls: 1.0,
                from_q1: true
            }]
        );
    }
}
