//! Minimum night flow (MNF) analysis of a DMA: per day the MNF and its time, legitimate night use, night leakage and daily leakage through the night-day factor.
//!
//! The method is the component analysis of night flows used in UK practice
//! (UK Water Industry Research, *Managing Leakage*, Report E "Interpreting
//! measured night flows", 1994) and by the IWA Water Loss Task Force
//! (Lambert, Fantozzi and Thornton, "Practical approaches to modeling
//! leakage and pressure management in distribution systems", 2013): at the
//! hour of minimum night flow consumption is lowest, so most of the flow is
//! leakage; subtracting an allowance for legitimate night use leaves night
//! leakage; scaling it by the night-day factor, which follows pressure
//! through the day with the FAVAD exponent N1, gives the day's leakage.

use super::flow_series::FlowSeries;
use super::timestamp::DAY_S;

/// How night flows are read and what counts as legitimate night use.
#[derive(Debug, Clone, PartialEq)]
pub struct NightFlowSettings {
    /// Start of the night window, s after midnight (default 02:00).
    pub window_start_s: i64,
    /// End of the night window, s after midnight (default 04:00).
    pub window_end_s: i64,
    /// The minimum is taken over moving averages of this length, s, which
    /// lie inside the window (default 3600: the minimum hourly flow);
    /// 0 takes single readings.
    pub average_s: i64,
    /// Household properties in the DMA.
    pub households: f64,
    /// Night use per household property, L/h. The default 1.7 L/h is the
    /// typical UK value of Report E's method; measure your own (individual
    /// night-use monitors) where you can.
    pub household_use_l_per_h: f64,
    /// Non-household properties in the DMA.
    pub non_households: f64,
    /// Night use per non-household property, L/h (default 8 L/h; an
    /// illustrative assessed value, to be replaced by survey data).
    pub non_household_use_l_per_h: f64,
    /// Known exceptional night users (metered large users at night), L/s.
    pub exceptional_use_ls: f64,
    /// Service connections, for per-connection indicators (default: the
    /// number of properties).
    pub connections: Option<f64>,
    /// Pressure at each clock hour 0..24 at the average zone point, m; with
    /// it the night-day factor follows pressure, without it the factor is 24 h.
    pub hourly_pressure_m: Option<Vec<f64>>,
    /// FAVAD leakage exponent N1 (dimensionless, default 1.0: mixed
    /// materials, as Lambert recommends when it is not measured).
    pub n1: f64,
}

impl Default for NightFlowSettings {
    fn default() -> Self {
        NightFlowSettings {
            window_start_s: 2 * 3600,
            window_end_s: 4 * 3600,
            average_s: 3600,
            households: 0.0,
            household_use_l_per_h: 1.7,
            non_households: 0.0,
            non_household_use_l_per_h: 8.0,
            exceptional_use_ls: 0.0,
            connections: None,
            hourly_pressure_m: None,
            n1: 1.0,
        }
    }
}

impl NightFlowSettings {
    /// Legitimate night use, L/s: (households · household use +
    /// non-households · non-household use) / 3600 + exceptional use.
    pub fn legitimate_night_use_ls(&self) -> f64 {
        (self.households * self.household_use_l_per_h
            + self.non_households * self.non_household_use_l_per_h)
            / 3600.0
            + self.exceptional_use_ls
    }

    /// Connections for per-connection indicators.
    pub fn connection_count(&self) -> f64 {
        self.connections
            .unwrap_or(self.households + self.non_households)
    }
}

/// The night-day factor, hours per day: the number of hours at the
/// minimum-night-flow leakage rate that give a day's leakage,
///
/// NDF = Σₕ (Pₕ / P_mnf)^N1 over the 24 hourly pressures Pₕ,
///
/// with P_mnf the pressure at the hour of minimum night flow (FAVAD:
/// leakage L varies with pressure P as L ∝ P^N1; May 1994, Lambert 2001
/// "What do we know about pressure-leakage relationships in distribution
/// systems?", IWA conference, Brno). Equal to 24 when pressure is the same
/// all day; below 24 where pressure rises at night (gravity systems with
/// high daytime head loss). `None` if a pressure is not above 0.
pub fn night_day_factor_h(hourly_pressure_m: &[f64], mnf_hour: usize, n1: f64) -> Option<f64> {
    let p_mnf = *hourly_pressure_m.get(mnf_hour)?;
    if p_mnf <= 0.0 || hourly_pressure_m.iter().any(|&p| p <= 0.0) {
        return None;
    }
    Some(
        hourly_pressure_m
            .iter()
            .map(|&p| (p / p_mnf).powf(n1))
            .sum(),
    )
}

/// One day's night flow components.
#[derive(Debug, Clone, PartialEq)]
pub struct NightDay {
    /// Day number from 1970-01-01.
    pub day: i64,
    /// Minimum night flow (net inflow), L/s.
    pub mnf_ls: f64,
    /// When the minimum starts, s after midnight.
    pub mnf_clock_s: i64,
    /// Legitimate night use, L/s.
    pub legitimate_use_ls: f64,
    /// Night leakage = MNF − legitimate night use, L/s.
    pub night_leakage_ls: f64,
    /// Night flow per connection, L/connection/h (NaN without connections).
    pub mnf_l_per_connection_h: f64,
    /// Night leakage per connection, L/connection/h.
    pub leakage_l_per_connection_h: f64,
    /// Night-day factor, h/day.
    pub night_day_factor_h: f64,
    /// Leakage over the day = night leakage · NDF, m³/day.
    pub daily_leakage_m3: f64,
}

/// The minimum of the moving averages of `average_s` inside
/// [start, end) of one day, and when it starts: (flow L/s, clock s).
fn window_minimum(
    times_s: &[i64],
    flow_ls: &[f64],
    day_start: i64,
    settings: &NightFlowSettings,
) -> Option<(f64, i64)> {
    let start = day_start + settings.window_start_s;
    let end = day_start + settings.window_end_s;
    let first = times_s.partition_point(|&t| t < start);
    let last = times_s.partition_point(|&t| t < end);
    let mut best: Option<(f64, i64)> = None;
    for i in first..last {
        let stop = times_s[i] + settings.average_s.max(1);
        if stop > end && settings.average_s > 0 {
            break;
        }
        let readings: Vec<f64> = (i..last)
            .take_while(|&j| times_s[j] < stop)
            .map(|j| flow_ls[j])
            .filter(|q| q.is_finite())
            .collect();
        if readings.is_empty() {
            continue;
        }
        let mean = readings.iter().sum::<f64>() / readings.len() as f64;
        if best.is_none_or(|(q, _)| mean < q) {
            best = Some((mean, times_s[i] - day_start));
        }
    }
    best
}

/// Night flow components of every day whose night window has readings.
pub fn analyse_nights(series: &FlowSeries, settings: &NightFlowSettings) -> Vec<NightDay> {
    let net = series.net_inflow_ls();
    let (Some(&first), Some(&last)) = (series.times_s.first(), series.times_s.last()) else {
        return Vec::new();
    };
    let legitimate = settings.legitimate_night_use_ls();
    let connections = settings.connection_count();
    let per_connection_h = |q_ls: f64| {
        if connections > 0.0 {
            q_ls * 3600.0 / connections
        } else {
            f64::NAN
        }
    };

    let mut days = Vec::new();
    for day in first.div_euclid(DAY_S)..=last.div_euclid(DAY_S) {
        let Some((mnf, clock)) = window_minimum(&series.times_s, &net, day * DAY_S, settings)
        else {
            continue;
        };
        let leakage = mnf - legitimate;
        let mnf_hour = ((clock + settings.average_s / 2) / 3600).rem_euclid(24) as usize;
        let ndf = settings
            .hourly_pressure_m
            .as_deref()
            .and_then(|p| night_day_factor_h(p, mnf_hour, settings.n1))
            .unwrap_or(24.0);
        days.push(NightDay {
            day,
            mnf_ls: mnf,
            mnf_clock_s: clock,
            legitimate_use_ls: legitimate,
            night_leakage_ls: leakage,
            mnf_l_per_connection_h: per_connection_h(mnf),
            leakage_l_per_connection_h: per_connection_h(leakage),
            night_day_factor_h: ndf,
            daily_leakage_m3: leakage * 3.6 * ndf,
        });
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leakage::flow_series::MeterSeries;

    #[test]
    fn ndf_by_hand() {
        // Constant pressure: 24 h.
        assert_eq!(night_day_factor_h(&[40.0; 24], 3, 1.0), Some(24.0));
        // 12 hours at 50 m and 12 at 40 m, MNF at 40 m, N1 = 1.5:
        // 12 + 12 · 1.25^1.5 = 12 + 12 · 1.3975425 = 28.770510 h.
        let mut p = vec![40.0; 12];
        p.extend([50.0; 12]);
        let ndf = night_day_factor_h(&p, 3, 1.5).unwrap();
        assert!((ndf - (12.0 + 12.0 * 1.25f64.powf(1.5))).abs() < 1e-12);
        assert!((ndf - 28.770_510).abs() < 1e-6);
        assert_eq!(night_day_factor_h(&[0.0; 24], 3, 1.0), None);
    }

    #[test]
    fn components_by_hand() {
        // 15-minute readings over one day: 10 L/s all day except 8 L/s
        // from 03:00 to 04:00.
        let times_s: Vec<i64> = (0..96).map(|k| 86_400 + k * 900).collect();
        let flow_ls = (0..96)
            .map(|k| if (12..16).contains(&k) { 8.0 } else { 10.0 })
            .collect();
        let series = FlowSeries {
            times_s,
            inflow: MeterSeries {
                name: "inflow".into(),
                flow_ls,
            },
            outflows: vec![],
            submeters: vec![],
        };
        let settings = NightFlowSettings {
            households: 1800.0,
            non_households: 45.0,
            ..Default::default()
        };
        let days = analyse_nights(&series, &settings);
        assert_eq!(days.len(), 1);
        let d = &days[0];
        assert_eq!(d.mnf_ls, 8.0);
        assert_eq!(d.mnf_clock_s, 3 * 3600);
        // (1800 · 1.7 + 45 · 8) / 3600 = (3060 + 360) / 3600 = 0.95 L/s.
        assert!((d.legitimate_use_ls - 0.95).abs() < 1e-12);
        assert!((d.night_leakage_ls - 7.05).abs() < 1e-12);
        // 7.05 L/s · 3600 / 1845 connections = 13.756 L/conn/h.
        assert!((d.leakage_l_per_connection_h - 7.05 * 3600.0 / 1845.0).abs() < 1e-12);
        // No pressures: NDF 24 h, 7.05 · 3.6 · 24 = 609.12 m³/day.
        assert!((d.daily_leakage_m3 - 609.12).abs() < 1e-9);
    }
}
