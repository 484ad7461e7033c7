//! Pump energy: power, efficiency and cost accumulated over a run, as EPANET 2.3 reports them.
//!
//! EPANET (`hydraul.c`, pump energy) takes each pump's operating point from
//! the solution at the start of a hydraulic step and holds it over the
//! step: the pump's time on line, efficiency × time, power / flow × time,
//! energy, peak power and cost accumulate step by step, as does the peak of
//! the pumps' summed power, which sets the demand charge. At the end the
//! sums are turned into the figures of EPANET's "Energy Usage" table
//! ([`EnergySummary`]): averages over the time each pump was on, its time
//! on line as a share of the run, and its cost scaled to a day.
//!
//! A run with a duration of 0 counts its single solution as one hour.

use super::constants::{CFS, FT, QZERO};
use super::HydraulicState;
use crate::network::units::KW_PER_HP;
use crate::network::{LinkIx, LinkKind, Network, PatternIx};

/// EPANET's water power constant: one horsepower lifts 8.814 cfs of water
/// (62.4 lb/ft³) by one foot (550 ft·lbf/s / 62.4 lb/ft³).
const CFS_FT_PER_HP: f64 = 8.814;

/// Seconds per hour.
const SECONDS_PER_HOUR: f64 = 3600.0;

/// Energy figures of one pump over a run, in SI, as EPANET's report gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PumpEnergy {
    /// The pump.
    pub link: LinkIx,
    /// Time the pump was on line, % of the run (EPANET's "usage factor").
    pub utilization_percent: f64,
    /// Efficiency averaged over the time on line, %.
    pub average_efficiency_percent: f64,
    /// Energy per volume pumped, kWh/m³: power / flow averaged over the
    /// time on line.
    pub kwh_per_m3: f64,
    /// Power averaged over the time on line, kW.
    pub average_kw: f64,
    /// Largest power drawn at any step, kW.
    pub peak_kw: f64,
    /// Energy cost scaled to one day (cost over the run × 24 h / run length).
    pub cost_per_day: f64,
}

/// The pump energy of a run: EPANET's "Energy Usage" table.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergySummary {
    /// One entry per pump, in link order.
    pub pumps: Vec<PumpEnergy>,
    /// Largest summed power of all pumps at any step, kW.
    pub peak_kw: f64,
    /// Demand charge: the peak summed power × the `[ENERGY] DEMAND CHARGE`
    /// per kW, as in EPANET's binary output (its text report multiplies
    /// by the charge once more).
    pub demand_charge: f64,
    /// Sum of the pumps' costs per day plus the demand charge.
    pub total_cost: f64,
}

/// A pump's operating point at the start of a step.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct PumpPoint {
    /// Whether the pump is running (status not closed).
    on: bool,
    /// Power drawn, kW.
    power_kw: f64,
    /// Efficiency, a fraction in [0.01, 1].
    efficiency: f64,
    /// Flow, m³/s, at least EPANET's QZERO.
    flow_m3s: f64,
    /// Energy price at this time, per kWh.
    price_per_kwh: f64,
}

/// Running sums of one pump over the steps taken.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct PumpTotals {
    /// Hours on line.
    hours_on: f64,
    /// Efficiency (fraction) × hours.
    efficiency_hours: f64,
    /// Power / flow (kW per m³/s) × hours.
    kw_per_m3s_hours: f64,
    /// Energy, kWh.
    kwh: f64,
    /// Largest power, kW.
    peak_kw: f64,
    /// Cost over the run.
    cost: f64,
}

/// EPANET's pump energy accounting over a simulation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnergyLedger {
    /// The pumps' links, in link order.
    pumps: Vec<usize>,
    /// Each pump's operating point at the start of the current step.
    current: Vec<PumpPoint>,
    /// Each pump's sums.
    totals: Vec<PumpTotals>,
    /// Largest summed power of all pumps, kW.
    peak_total_kw: f64,
}

impl EnergyLedger {
    /// An empty ledger for the pumps of `net`.
    pub fn new(net: &Network) -> Self {
        let pumps: Vec<usize> = net
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l.kind, LinkKind::Pump(_)))
            .map(|(k, _)| k)
            .collect();
        EnergyLedger {
            current: vec![PumpPoint::default(); pumps.len()],
            totals: vec![PumpTotals::default(); pumps.len()],
            pumps,
            peak_total_kw: 0.0,
        }
    }

    /// Records each pump's operating point in the solution `state`, found
    /// at pattern period `period` (for the price patterns).
    pub fn observe(&mut self, net: &Network, state: &HydraulicState, period: u64) {
        for (point, &k) in self.current.iter_mut().zip(&self.pumps) {
            *point = pump_point(net, state, k, period);
        }
    }

    /// Adds the points last observed, held over `hours` (EPANET `addenergy`).
    pub fn add(&mut self, hours: f64) {
        if hours <= 0.0 {
            return;
        }
        let mut total_kw = 0.0;
        for (point, totals) in self.current.iter().zip(&mut self.totals) {
            if !point.on {
                continue;
            }
            total_kw += point.power_kw;
            totals.hours_on += hours;
            totals.efficiency_hours += point.efficiency * hours;
            totals.kw_per_m3s_hours += point.power_kw / point.flow_m3s * hours;
            totals.kwh += point.power_kw * hours;
            totals.peak_kw = totals.peak_kw.max(point.power_kw);
            totals.cost += point.price_per_kwh * point.power_kw * hours;
        }
        self.peak_total_kw = self.peak_total_kw.max(total_kw);
    }

    /// The summary over `run_hours` (EPANET relates time on line and cost
    /// to the duration of the run, 1 h for a single period), with the
    /// demand charge per kW of peak power.
    pub fn summary(&self, run_hours: f64, demand_charge_per_kw: f64) -> EnergySummary {
        let run_hours = if run_hours > 0.0 { run_hours } else { 1.0 };
        let pumps: Vec<PumpEnergy> = self
            .pumps
            .iter()
            .zip(&self.totals)
            .map(|(&k, t)| summarise_pump(k, t, run_hours))
            .collect();
        let demand_charge = self.peak_total_kw * demand_charge_per_kw;
        let total_cost = pumps.iter().map(|p| p.cost_per_day).sum::<f64>() + demand_charge;
        EnergySummary {
            pumps,
            peak_kw: self.peak_total_kw,
            demand_charge,
            total_cost,
        }
    }
}

/// Averages one pump's sums over its time on line and relates its time
/// and cost to the run (EPANET's end-of-run energy figures).
fn summarise_pump(link: usize, t: &PumpTotals, run_hours: f64) -> PumpEnergy {
    let per_hour_on = |x: f64| {
        if t.hours_on > 0.0 {
            x / t.hours_on
        } else {
            0.0
        }
    };
    PumpEnergy {
        link: LinkIx(link as u32),
        utilization_percent: 100.0 * t.hours_on / run_hours,
        average_efficiency_percent: 100.0 * per_hour_on(t.efficiency_hours),
        kwh_per_m3: per_hour_on(t.kw_per_m3s_hours) / SECONDS_PER_HOUR,
        average_kw: per_hour_on(t.kwh),
        peak_kw: t.peak_kw,
        cost_per_day: t.cost * 24.0 / run_hours,
    }
}

/// A pump's operating point in `state`: power from the head across it
/// and its flow, its efficiency and the energy price in force.
fn pump_point(net: &Network, state: &HydraulicState, k: usize, period: u64) -> PumpPoint {
    let link = &net.links[k];
    let LinkKind::Pump(pump) = &link.kind else {
        return PumpPoint::default();
    };
    if state.status[k].is_closed() {
        return PumpPoint::default();
    }
    let flow = state.flow_m3s[k].abs();
    let head_m = (state.head_m[link.from.ix()] - state.head_m[link.to.ix()]).abs();
    let speed = state.setting[k].unwrap_or(1.0);
    let curve = pump.efficiency_curve.map(|c| &net.curves[c.ix()]);
    let efficiency = pump_efficiency(
        curve.map(|c| c.interpolate(flow / speed)),
        net.energy.global_efficiency,
        speed,
    );
    PumpPoint {
        on: true,
        power_kw: pump_power_kw(head_m, flow, efficiency, net.options.specific_gravity),
        efficiency,
        flow_m3s: flow.max(QZERO),
        price_per_kwh: energy_price(net, pump, period),
    }
}

/// Power drawn by a pump lifting `flow_m3s` by `head_m` at `efficiency`
/// (a fraction), kW, as EPANET computes it in its own units:
///
/// `P = H_ft · Q_cfs · SG / 8.814 / η × 0.7457`,
///
/// that is `ρ g Q H / η` with water of 62.4 lb/ft³ × the specific gravity.
pub(crate) fn pump_power_kw(
    head_m: f64,
    flow_m3s: f64,
    efficiency: f64,
    specific_gravity: f64,
) -> f64 {
    (head_m / FT) * (flow_m3s / CFS) * specific_gravity / CFS_FT_PER_HP / efficiency * KW_PER_HP
}

/// A pump's efficiency as a fraction: from its efficiency curve read at
/// the flow scaled to unit speed (`curve_percent`, %), corrected for its
/// relative `speed` by Sarbu and Borza's formula
/// `η_s = 100 − (100 − η₁) (1/s)^0.1`, or the global efficiency (%) when it
/// has no curve; limited to 1 … 100 % (EPANET `getenergy`).
pub(crate) fn pump_efficiency(curve_percent: Option<f64>, global_percent: f64, speed: f64) -> f64 {
    let percent = match curve_percent {
        Some(e) if speed > 0.0 => 100.0 - (100.0 - e) * (1.0 / speed).powf(0.1),
        Some(e) => e,
        None => global_percent,
    };
    percent.clamp(1.0, 100.0) / 100.0
}

/// The price per kWh of a pump's energy in pattern period `period`: the
/// pump's own price if positive, else the global price, times the pump's
/// price pattern, else the global price pattern (EPANET `addenergy`).
fn energy_price(net: &Network, pump: &crate::network::Pump, period: u64) -> f64 {
    let base = match pump.energy_price {
        Some(p) if p > 0.0 => p,
        _ => net.energy.global_price,
    };
    let pattern = pump.price_pattern.or(net.energy.global_price_pattern);
    base * pattern_factor(net, pattern, period)
}

/// The multiplier of `pattern` in pattern period `period`; 1 without a pattern.
fn pattern_factor(net: &Network, pattern: Option<PatternIx>, period: u64) -> f64 {
    let Some(p) = pattern else { return 1.0 };
    let m = &net.patterns[p.ix()].multipliers;
    if m.is_empty() {
        1.0
    } else {
        m[(period % m.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_is_rho_g_q_h_over_efficiency() {
        // 0.1 m³/s lifted 50 m at 75 %: ρgQH/η = 1000 × 9.80665 × 0.1 × 50 / 0.75
        // = 65.38 kW. EPANET's constants (62.4 lb/ft³, 8.814, 0.7457 kW/hp)
        // give 0.2 % less.
        let kw = pump_power_kw(50.0, 0.1, 0.75, 1.0);
        let physical = 1000.0 * 9.80665 * 0.1 * 50.0 / 0.75 / 1000.0;
        assert!(
            (kw - physical).abs() / physical < 3e-3,
            "{kw} vs {physical}"
        );
        // By hand in EPANET's units: 164.042 ft × 3.53144 cfs / 8.814 / 0.75 × 0.7457.
        let by_hand = (50.0 / 0.3048) * (0.1 / 0.028317) / 8.814 / 0.75 * 0.7457;
        assert!((kw - by_hand).abs() < 1e-9);
        // Specific gravity scales the power.
        assert!((pump_power_kw(50.0, 0.1, 0.75, 1.2) - 1.2 * kw).abs() < 1e-9);
    }

    #[test]
    fn efficiency_follows_sarbu_borza_and_its_limits() {
        assert_eq!(pump_efficiency(None, 75.0, 1.0), 0.75);
        assert_eq!(pump_efficiency(Some(80.0), 75.0, 1.0), 0.80);
        // At half speed: 100 - 20 × 2^0.1 = 78.5645 %.
        let e = pump_efficiency(Some(80.0), 75.0, 0.5);
        assert!((e - (100.0 - 20.0 * 2f64.powf(0.1)) / 100.0).abs() < 1e-12);
        assert!((e - 0.785645).abs() < 1e-6);
        assert_eq!(pump_efficiency(Some(0.0), 75.0, 1.0), 0.01);
        assert_eq!(pump_efficiency(None, 150.0, 1.0), 1.0);
    }

    fn ledger_of(points: Vec<PumpPoint>) -> EnergyLedger {
        let n = points.len();
        EnergyLedger {
            pumps: (0..n).collect(),
            current: points,
            totals: vec![PumpTotals::default(); n],
            peak_total_kw: 0.0,
        }
    }

    #[test]
    fn sums_average_over_time_on_and_scale_cost_to_a_day() {
        // One pump: 2 h at 40 kW, 0.05 m³/s, 80 %, price 0.1; then 1 h at
        // 60 kW, 0.04 m³/s, 60 %, price 0.2; then 1 h off. Run of 4 h.
        let on = |power_kw, flow_m3s, efficiency, price_per_kwh| PumpPoint {
            on: true,
            power_kw,
            efficiency,
            flow_m3s,
            price_per_kwh,
        };
        let mut ledger = ledger_of(vec![on(40.0, 0.05, 0.8, 0.1)]);
        ledger.add(2.0);
        ledger.current[0] = on(60.0, 0.04, 0.6, 0.2);
        ledger.add(1.0);
        ledger.current[0] = PumpPoint::default();
        ledger.add(1.0);
        let s = ledger.summary(4.0, 5.0);
        let p = &s.pumps[0];
        assert!((p.utilization_percent - 75.0).abs() < 1e-12);
        // (0.8 × 2 + 0.6 × 1) / 3 h
        assert!((p.average_efficiency_percent - 100.0 * 2.2 / 3.0).abs() < 1e-12);
        // (40 × 2 + 60) / 3 = 46.667 kW
        assert!((p.average_kw - 140.0 / 3.0).abs() < 1e-12);
        assert_eq!(p.peak_kw, 60.0);
        // (40/0.05 × 2 + 60/0.04 × 1) / 3 h = 1033.33 kW per m³/s = 0.28704 kWh/m³
        assert!((p.kwh_per_m3 - (1600.0 + 1500.0) / 3.0 / 3600.0).abs() < 1e-12);
        // cost 0.1 × 80 + 0.2 × 60 = 20 over 4 h, 120 per day
        assert!((p.cost_per_day - 120.0).abs() < 1e-9);
        assert_eq!(s.demand_charge, 300.0);
        assert!((s.total_cost - 420.0).abs() < 1e-9);
    }

    #[test]
    fn demand_charge_uses_the_peak_of_summed_power() {
        let on = |power_kw| PumpPoint {
            on: true,
            power_kw,
            efficiency: 0.75,
            flow_m3s: 0.1,
            price_per_kwh: 0.0,
        };
        let mut ledger = ledger_of(vec![on(30.0), on(50.0)]);
        ledger.add(1.0);
        ledger.current = vec![on(70.0), PumpPoint::default()];
        ledger.add(1.0);
        let s = ledger.summary(2.0, 2.0);
        // Peak of the sums is 80 kW (first step), not 70 + 50.
        assert_eq!(s.peak_kw, 80.0);
        assert_eq!(s.demand_charge, 160.0);
        assert_eq!(s.pumps[1].utilization_percent, 50.0);
    }
}
