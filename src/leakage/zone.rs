//! What a hydraulic model tells leakage analysis about a zone: its mains length and its average pressure over the day.

use crate::hydraulics::{HydraulicsError, Simulation};
use crate::network::{LinkKind, Network, NodeKind};

/// Total length of the network's pipes, km (pumps and valves have none).
pub fn mains_length_km(net: &Network) -> f64 {
    net.links
        .iter()
        .map(|l| match &l.kind {
            LinkKind::Pipe(p) => p.length_m,
            _ => 0.0,
        })
        .sum::<f64>()
        / 1000.0
}

/// The zone's average pressure at each report time of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonePressure {
    /// Report times, s from the start of the run.
    pub times_s: Vec<u64>,
    /// The clock time of the start of the run, s after midnight.
    pub start_clock_s: u64,
    /// Average zone pressure at each report time, m of water head.
    pub pressure_m: Vec<f64>,
}

impl ZonePressure {
    /// The time average of [`ZonePressure::pressure_m`], m.
    pub fn mean_m(&self) -> f64 {
        if self.pressure_m.is_empty() {
            return 0.0;
        }
        self.pressure_m.iter().sum::<f64>() / self.pressure_m.len() as f64
    }

    /// Pressure at each hour of the clock 0..24 over the first day, m:
    /// the report time nearest each hour, by clock time.
    pub fn hourly_m(&self) -> Vec<f64> {
        (0..24u64)
            .map(|hour| {
                let clock_s = |t: u64| (t + self.start_clock_s) % 86_400;
                let distance = |t: u64| {
                    let d = clock_s(t).abs_diff(hour * 3600);
                    d.min(86_400 - d)
                };
                self.times_s
                    .iter()
                    .zip(&self.pressure_m)
                    .filter(|(&t, _)| t < 86_400 || self.times_s.len() == 1)
                    .min_by_key(|(&t, _)| distance(t))
                    .map_or(0.0, |(_, &p)| p)
            })
            .collect()
    }
}

/// Weights of the junctions in the zone's average pressure: each
/// junction's total base demand, or 1 for every junction when no junction
/// has a demand.
fn pressure_weights(net: &Network) -> Vec<f64> {
    let mut weights: Vec<f64> = net
        .nodes
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Junction(j) => j.demands.iter().map(|d| d.base_m3s.max(0.0)).sum(),
            _ => 0.0,
        })
        .collect();
    if weights.iter().all(|&w| w <= 0.0) {
        for (w, n) in weights.iter_mut().zip(&net.nodes) {
            *w = if n.is_junction() { 1.0 } else { 0.0 };
        }
    }
    weights
}

/// Simulates `net` over its period and returns the average zone pressure
/// at each report time: the base-demand-weighted mean of junction pressure
/// heads, P̄(t) = Σᵢ wᵢ pᵢ(t) / Σᵢ wᵢ, over junctions supplied at t (wᵢ is
/// a junction's base demand, so the average stands for where customers
/// are; all junctions count equally when none has a demand).
pub fn zone_pressure(net: &Network) -> Result<ZonePressure, HydraulicsError> {
    let weights = pressure_weights(net);
    let mut sim = Simulation::new(net)?;
    let mut zone = ZonePressure {
        times_s: Vec::new(),
        start_clock_s: net.times.start_clock_s,
        pressure_m: Vec::new(),
    };
    loop {
        sim.solve_period();
        if sim.is_report_time() {
            let state = sim.state();
            let (mut sum, mut total) = (0.0, 0.0);
            for (i, node) in net.nodes.iter().enumerate() {
                if weights[i] > 0.0 && state.connected[i] {
                    sum += weights[i] * (state.head_m[i] - node.elevation_m);
                    total += weights[i];
                }
            }
            zone.times_s.push(sim.time_s());
            zone.pressure_m
                .push(if total > 0.0 { sum / total } else { 0.0 });
        }
        if sim.advance() == 0 {
            break;
        }
    }
    Ok(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_values_follow_the_clock() {
        let zone = ZonePressure {
            times_s: (0..24).map(|h| h * 3600).collect(),
            start_clock_s: 6 * 3600,
            pressure_m: (0..24).map(f64::from).collect(),
        };
        // The run starts at 06:00: clock hour 0 is run hour 18.
        let hourly = zone.hourly_m();
        assert_eq!(hourly[0], 18.0);
        assert_eq!(hourly[6], 0.0);
        assert_eq!(zone.mean_m(), 11.5);
    }
}
