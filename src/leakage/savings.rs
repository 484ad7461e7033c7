//! Pressure-management savings between two runs: leakage change by FAVAD or from the model's emitters and pipe leaks, pump energy change, and burst frequency where the user gives its exponent.
//!
//! Both runs are `pipenet run --out F.json` result files of the same
//! network (same nodes, links and report times), for example before and
//! after a PRV setting is lowered.

use std::path::Path;

use serde::Deserialize;

use crate::network::units::{FlowUnits, PressureUnits, UnitSystem, GRAVITY};
use crate::network::{LinkKind, Network};

/// Density of water for pump water power, kg/m³ (at specific gravity 1).
pub const WATER_DENSITY_KG_M3: f64 = 998.2;

/// Why two runs cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum SavingsError {
    /// A result file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A result file is not a pipenet JSON result.
    #[error("{file}: not a pipenet JSON result file: {source}")]
    Json {
        /// The file.
        file: String,
        /// What went wrong.
        source: serde_json::Error,
    },
    /// The two runs are not of the same network or period.
    #[error("the runs differ: {0}")]
    Mismatch(String),
}

/// Node fields of a result file used here.
#[derive(Debug, Clone, Deserialize)]
pub struct NodeResults {
    /// Pressure, `[time][node]`, in the network's pressure units.
    pub pressure: Vec<Vec<f64>>,
}

/// Link fields of a result file used here.
#[derive(Debug, Clone, Deserialize)]
pub struct LinkResults {
    /// Flow, `[time][link]`, in the network's flow units.
    pub flow: Vec<Vec<f64>>,
    /// Head loss, `[time][link]`, in length units; negative across a pump (a gain).
    pub headloss: Vec<Vec<f64>>,
}

/// What savings need from a `pipenet run --out F.json` result file.
#[derive(Debug, Clone, Deserialize)]
pub struct RunResults {
    /// EPANET's flow-unit code (0 CFS ... 10 CMS).
    pub flow_units_code: u32,
    /// Report step, s.
    pub report_step_s: u64,
    /// Node ids.
    pub nodes: Vec<String>,
    /// "junction", "reservoir" or "tank" per node.
    pub node_types: Vec<String>,
    /// Link ids.
    pub links: Vec<String>,
    /// "pipe", "pump", a valve type ... per link.
    pub link_types: Vec<String>,
    /// Report times, s.
    pub times_s: Vec<u64>,
    /// Node values.
    pub node: NodeResults,
    /// Link values.
    pub link: LinkResults,
}

impl RunResults {
    /// Reads a result file.
    pub fn read(path: &Path) -> Result<Self, SavingsError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SavingsError::Io {
            file: file.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| SavingsError::Json { file, source })
    }

    /// The flow units of the file.
    pub fn flow_units(&self) -> FlowUnits {
        FlowUnits::ALL
            .get(self.flow_units_code as usize)
            .copied()
            .unwrap_or(FlowUnits::Gpm)
    }

    /// The file's unit factors; pressure units are EPANET's default for the
    /// flow units (psi for US, m for SI) unless `pressure` is given.
    pub fn units(&self, pressure: Option<PressureUnits>) -> UnitSystem {
        let flow = self.flow_units();
        let pressure = pressure.unwrap_or(if flow.is_si() {
            PressureUnits::Meters
        } else {
            PressureUnits::Psi
        });
        UnitSystem::new(flow, pressure, 1.0)
    }

    fn is_junction(&self, i: usize) -> bool {
        self.node_types.get(i).is_some_and(|t| t == "junction")
    }
}

/// Checks that two runs cover the same nodes, links and report times.
pub fn check_comparable(before: &RunResults, after: &RunResults) -> Result<(), SavingsError> {
    if before.nodes != after.nodes || before.links != after.links {
        return Err(SavingsError::Mismatch(
            "different nodes or links: compare runs of the same network".into(),
        ));
    }
    if before.times_s != after.times_s {
        return Err(SavingsError::Mismatch(format!(
            "different report times ({} and {})",
            before.times_s.len(),
            after.times_s.len()
        )));
    }
    Ok(())
}

/// Each junction's weight in the leakage total: half the length of each
/// pipe it ends, m (leakage taken as spread along the mains).
pub fn pipe_length_weights(net: &Network) -> Vec<f64> {
    let mut w = vec![0.0; net.nodes.len()];
    for link in &net.links {
        if let LinkKind::Pipe(p) = &link.kind {
            w[link.from.ix()] += 0.5 * p.length_m;
            w[link.to.ix()] += 0.5 * p.length_m;
        }
    }
    w
}

/// The FAVAD leakage ratio after/before over the whole period:
///
/// L1 / L0 = Σᵢ wᵢ Σₜ P1ᵢ(t)^N1 / Σᵢ wᵢ Σₜ P0ᵢ(t)^N1
///
/// over junctions i and report times t, negative pressures counted as 0.
/// For one node at a constant pressure it is (P1/P0)^N1 (May 1994,
/// "Pressure dependent leakage", *World Water and Environmental
/// Engineering*; Lambert 2001). `weights` are per node (`None`: every
/// junction equally).
pub fn favad_ratio(
    before: &RunResults,
    after: &RunResults,
    n1: f64,
    weights: Option<&[f64]>,
) -> f64 {
    let leak = |r: &RunResults| -> f64 {
        let mut total = 0.0;
        for row in &r.node.pressure {
            for (i, &p) in row.iter().enumerate() {
                if r.is_junction(i) {
                    let w = weights.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
                    total += w * p.max(0.0).powf(n1);
                }
            }
        }
        total
    };
    let l0 = leak(before);
    if l0 > 0.0 {
        leak(after) / l0
    } else {
        f64::NAN
    }
}

/// Leakage the model's own emitters and `[LEAKAGE]` pipes give at the
/// pressures of a run, m³ over the report period (each report time's flow
/// held for one report step):
///
/// - emitters: q = C p^γ (EPANET; C, γ from the network);
/// - pipes (FAVAD, EPANET 2.3): q = 0.6 √(2 g H) (L/100) (A0 + m H) for each
///   pipe, half to each junction end, A0 and m in mm² per 100 length units.
pub fn model_leakage_m3(net: &Network, run: &RunResults) -> f64 {
    let u = net.units();
    let gamma = net.options.emitter_exponent;
    let step_s = run.report_step_s.max(1) as f64;
    let mut total = 0.0;
    for row in &run.node.pressure {
        let head_m = |i: usize| row.get(i).map_or(0.0, |&p| (p * u.pressure).max(0.0));
        for (i, node) in net.nodes.iter().enumerate() {
            if node.is_junction() && node.emitter_coefficient > 0.0 {
                total += node.emitter_coefficient * head_m(i).powf(gamma) * step_s;
            }
        }
        for link in &net.links {
            let LinkKind::Pipe(p) = &link.kind else {
                continue;
            };
            if p.leak_area_mm2 == 0.0 && p.leak_expansion_mm2 == 0.0 {
                continue;
            }
            let sections = p.length_m / u.length / 100.0;
            for end in [link.from.ix(), link.to.ix()] {
                if !net.nodes[end].is_junction() {
                    continue;
                }
                let h = head_m(end);
                let area_m2 = (p.leak_area_mm2 + p.leak_expansion_mm2 * h / u.length) * 1e-6;
                total += 0.5 * 0.6 * (2.0 * GRAVITY * h).sqrt() * sections * area_m2 * step_s;
            }
        }
    }
    total
}

/// Pump water power integrated over the report period, kWh: Σ ρ g Q H Δt
/// over pumps and report times, with Q the pump flow and H its head gain
/// (the negative of its reported head loss). Motor and pump efficiencies
/// are not in a result file, so this is the energy given to the water;
/// `pipenet run`'s energy report has the wire-to-water figure.
pub fn pump_water_energy_kwh(run: &RunResults, units: &UnitSystem) -> f64 {
    let step_h = run.report_step_s.max(1) as f64 / 3600.0;
    let mut kwh = 0.0;
    for (flows, losses) in run.link.flow.iter().zip(&run.link.headloss) {
        for (k, kind) in run.link_types.iter().enumerate() {
            if kind != "pump" {
                continue;
            }
            let q_m3s = flows.get(k).copied().unwrap_or(0.0).abs() * units.flow;
            let gain_m = (-losses.get(k).copied().unwrap_or(0.0)).max(0.0) * units.length;
            kwh += WATER_DENSITY_KG_M3 * GRAVITY * q_m3s * gain_m / 1000.0 * step_h;
        }
    }
    kwh
}

/// Mean over junctions of each junction's highest pressure in the run, in
/// the file's pressure units.
pub fn mean_maximum_pressure(run: &RunResults) -> f64 {
    let n = run.nodes.len();
    let mut max = vec![f64::NEG_INFINITY; n];
    for row in &run.node.pressure {
        for (m, &p) in max.iter_mut().zip(row) {
            *m = m.max(p);
        }
    }
    let junctions: Vec<f64> = (0..n)
        .filter(|&i| run.is_junction(i) && max[i].is_finite())
        .map(|i| max[i].max(0.0))
        .collect();
    junctions.iter().sum::<f64>() / junctions.len().max(1) as f64
}

/// Burst frequency after/before as a power of the maximum pressure,
/// BF1/BF0 = (Pmax1/Pmax0)^N2, the form Thornton and Lambert ("Progress
/// in practical prediction of pressure: leakage, pressure: burst frequency
/// and pressure: consumption relationships", IWA Leakage 2005, Halifax)
/// fitted to case studies. They found N2 varies widely between systems
/// (it depends on how far the existing burst frequency is above the
/// unavoidable one), so pipenet has no default N2: the caller gives one.
pub fn burst_frequency_ratio(before: &RunResults, after: &RunResults, n2: f64) -> f64 {
    (mean_maximum_pressure(after) / mean_maximum_pressure(before)).powf(n2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two junctions and a pump over two report times of an hour, LPS.
    fn run(pressure: [[f64; 2]; 2], pump_flow: f64, pump_gain_m: f64) -> RunResults {
        RunResults {
            flow_units_code: 5,
            report_step_s: 3600,
            nodes: vec!["a".into(), "b".into(), "r".into()],
            node_types: vec!["junction".into(), "junction".into(), "reservoir".into()],
            links: vec!["p".into()],
            link_types: vec!["pump".into()],
            times_s: vec![0, 3600],
            node: NodeResults {
                pressure: pressure.iter().map(|r| vec![r[0], r[1], 0.0]).collect(),
            },
            link: LinkResults {
                flow: vec![vec![pump_flow]; 2],
                headloss: vec![vec![-pump_gain_m]; 2],
            },
        }
    }

    #[test]
    fn favad_ratio_by_hand() {
        let before = run([[40.0, 50.0], [40.0, 50.0]], 100.0, 30.0);
        let after = run([[30.0, 40.0], [30.0, 40.0]], 100.0, 30.0);
        // N1 = 1: (30 + 40) / (40 + 50) = 0.777...
        assert!((favad_ratio(&before, &after, 1.0, None) - 70.0 / 90.0).abs() < 1e-12);
        // N1 = 1.5, weights 1 and 3: (30^1.5 + 3·40^1.5) / (40^1.5 + 3·50^1.5)
        // = (164.317 + 758.947) / (252.982 + 1060.660) = 0.702827.
        let w = [1.0, 3.0, 0.0];
        let r = favad_ratio(&before, &after, 1.5, Some(&w));
        let expected =
            (30f64.powf(1.5) + 3.0 * 40f64.powf(1.5)) / (40f64.powf(1.5) + 3.0 * 50f64.powf(1.5));
        assert!((r - expected).abs() < 1e-12);
        assert!((r - 0.702_827).abs() < 1e-6);
    }

    #[test]
    fn pump_energy_by_hand() {
        // 100 L/s lifted 30 m for two hours: 998.2 · 9.81456 · 0.1 · 30 / 1000
        // = 29.391 kW, 58.78 kWh (g = 32.2 ft/s², EPANET's value).
        let r = run([[40.0, 50.0], [40.0, 50.0]], 100.0, 30.0);
        let kwh = pump_water_energy_kwh(&r, &r.units(None));
        let expected = 998.2 * 32.2 * 0.3048 * 0.1 * 30.0 / 1000.0 * 2.0;
        assert!((kwh - expected).abs() < 1e-9);
        assert!((kwh - 58.78).abs() < 0.01);
    }

    #[test]
    fn burst_ratio_by_hand() {
        let before = run([[40.0, 50.0], [42.0, 48.0]], 0.0, 0.0);
        let after = run([[30.0, 36.0], [32.0, 40.0]], 0.0, 0.0);
        // Mean maxima 46 and 36: (36/46)^3 = 0.479311.
        let r = burst_frequency_ratio(&before, &after, 3.0);
        assert!((r - (36.0f64 / 46.0).powi(3)).abs() < 1e-12);
    }
}
