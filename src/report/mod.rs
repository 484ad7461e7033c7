//! Results at report times, and their conversion to the network's own units.
//!
//! [`Results`] holds SI snapshots of the hydraulic state; [`json`] writes
//! them in the layout of EPANET's reference tool (`[time][element]` arrays
//! in the file's units, EPANET's status codes and head-loss conventions).

pub mod csv;
pub mod geojson;
pub mod json;
pub mod out;
pub mod plot;
#[cfg(feature = "png")]
pub mod png;
pub mod rpt;
pub mod statistic;
pub mod svg;
pub mod text;
pub mod units;
pub mod warnings;

pub use units::{ReportUnits, UnitChoice};

use crate::hydraulics::{HydraulicState, LinkStatus};
use crate::network::{HeadlossFormula, LinkKind, Network, QualityKind, ValveType};

/// A count and its noun, singular for one: `plural(1, "tank")` is
/// "1 tank", `plural(0, "tank")` "0 tanks". Every count pipenet prints in
/// words goes through it (and through [`agree`] for a word that must agree
/// with it), so no line says "1 periods".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The form of a word that agrees with a count `n`: `one` for 1, `many`
/// otherwise (`agree(n, "is", "are")`).
pub fn agree(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `value` with `places` decimals, without the minus sign of a value that
/// rounds to zero (`fixed(-1e-9, 3)` is "0.000", not "-0.000").
pub fn fixed(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => text,
    }
}

/// The unit of a quality analysis's results: `hours` for age, `percent`
/// for a trace, the file's unit for a chemical (`mg/L`); none without one.
pub fn quality_unit(kind: &QualityKind) -> Option<String> {
    match kind {
        QualityKind::None => None,
        QualityKind::Age => Some("hours".to_string()),
        QualityKind::Trace { .. } => Some("percent".to_string()),
        QualityKind::Chemical { units, .. } => Some(units.clone()),
    }
}

/// The hydraulic state at one report time, in SI.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Simulation time, s.
    pub time_s: u64,
    /// Head at every node, m.
    pub head_m: Vec<f64>,
    /// Net outflow at every node (EPANET's node demand), m³/s.
    pub demand_m3s: Vec<f64>,
    /// Flow in every link, m³/s.
    pub flow_m3s: Vec<f64>,
    /// Status of every link.
    pub status: Vec<LinkStatus>,
    /// Setting of every link (SI), `None` where it has none in force.
    pub setting: Vec<Option<f64>>,
    /// Whether each node is cut off from every tank and reservoir.
    pub cut_off: Vec<bool>,
}

impl Snapshot {
    /// Takes a snapshot of a hydraulic state.
    pub fn of(time_s: u64, state: &HydraulicState) -> Self {
        Snapshot {
            time_s,
            head_m: state.head_m.clone(),
            demand_m3s: state.node_demand_m3s.clone(),
            flow_m3s: state.flow_m3s.clone(),
            status: state.status.clone(),
            setting: state.setting.clone(),
            cut_off: state.connected.iter().map(|&c| !c).collect(),
        }
    }
}

/// Water quality at one report time, in the network's quality units.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QualitySnapshot {
    /// Simulation time, s.
    pub time_s: u64,
    /// Quality at every node (a tank's: of its outflow).
    pub node: Vec<f64>,
    /// Mean quality of the water in every link.
    pub link: Vec<f64>,
    /// Reaction rate in every link over the last quality step, in the
    /// concentration's units per day (see
    /// [`crate::quality::QualitySimulation::link_reaction_rate`]).
    pub link_reaction: Vec<f64>,
}

impl QualitySnapshot {
    /// Takes a snapshot of a quality simulation.
    pub fn of(time_s: u64, quality: &crate::quality::QualitySimulation) -> Self {
        let mut node = Vec::new();
        quality.node_qualities_into(&mut node);
        let links = 0..quality.link_count();
        let link = links.clone().map(|k| quality.link_quality(k)).collect();
        let link_reaction = links.map(|k| quality.link_reaction_rate(k)).collect();
        QualitySnapshot {
            time_s,
            node,
            link,
            link_reaction,
        }
    }
}

/// Results of a run: snapshots at report times.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    /// One snapshot per report time, in time order.
    pub snapshots: Vec<Snapshot>,
    /// Water quality at the same report times; empty without a quality analysis.
    pub quality: Vec<QualitySnapshot>,
    /// Share of each source's water at the same report times (`--sources`).
    pub sources: Option<SourceShares>,
}

/// Where each node's water comes from, at report times.
///
/// Each source is traced as EPANET's TRACE does: a tank's outflow is 100 %
/// that tank's water, and water a reservoir sent through a tank still counts
/// as that reservoir's. So the reservoirs' shares of a node add up to at most
/// 100 %, while a tank's share overlaps them: it is the part of the water
/// that last passed through that tank.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceShares {
    /// The sources (reservoirs and tanks), by node index.
    pub sources: Vec<usize>,
    /// Whether each source is a reservoir (else a tank).
    pub is_reservoir: Vec<bool>,
    /// Per report time, per source, per node: percent of the node's water
    /// that came from that source.
    pub percent: Vec<Vec<Vec<f64>>>,
}

impl SourceShares {
    /// The reservoir (the supply, "which plant") with the largest share at
    /// node `i` at report time `t`, as an index into `sources`; among the
    /// tanks when the network has no reservoir; `None` where no traced
    /// water arrived yet.
    pub fn dominant(&self, t: usize, i: usize) -> Option<usize> {
        let any_reservoir = self.is_reservoir.iter().any(|&r| r);
        let mut best: Option<(usize, f64)> = None;
        for (s, shares) in self.percent[t].iter().enumerate() {
            if any_reservoir && !self.is_reservoir[s] {
                continue;
            }
            if shares[i] > best.map_or(0.0, |b| b.1) {
                best = Some((s, shares[i]));
            }
        }
        best.map(|b| b.0)
    }
}

/// One link's reported values in the file's units, as EPANET reports them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkValues {
    /// Flow (0 for a closed link).
    pub flow: f64,
    /// Mean velocity (0 for pumps and closed links).
    pub velocity: f64,
    /// Head loss across the link in length units (EPANET 2.3's toolkit
    /// reports the total for pipes too): absolute for pipes and valves,
    /// signed for pumps (negative: a gain); 0 for a closed link.
    pub headloss: f64,
    /// EPANET toolkit status: 0 closed, 1 open, 2 active.
    pub status: u8,
    /// Setting: roughness for pipes, speed for pumps, valve setting.
    pub setting: f64,
}

/// One node's reported values in the file's units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeValues {
    /// Hydraulic head.
    pub head: f64,
    /// Pressure.
    pub pressure: f64,
    /// Demand delivered (emitter and leakage included), or a tank's or
    /// reservoir's net inflow, negative when it supplies.
    pub demand: f64,
}

/// Node values of a snapshot in the network's units.
pub fn node_values(net: &Network, snap: &Snapshot, i: usize) -> NodeValues {
    node_values_in(net, &ReportUnits::of_file(net), snap, i)
}

/// Node values of a snapshot in the given units.
pub fn node_values_in(net: &Network, units: &ReportUnits, snap: &Snapshot, i: usize) -> NodeValues {
    let u = units.factors;
    let node = &net.nodes[i];
    NodeValues {
        head: snap.head_m[i] / u.length,
        pressure: (snap.head_m[i] - node.elevation_m) / u.pressure,
        demand: snap.demand_m3s[i] / u.flow,
    }
}

/// Link values of a snapshot in the network's units.
pub fn link_values(net: &Network, snap: &Snapshot, k: usize) -> LinkValues {
    link_values_in(net, &ReportUnits::of_file(net), snap, k)
}

/// Link values of a snapshot in the given units.
pub fn link_values_in(net: &Network, units: &ReportUnits, snap: &Snapshot, k: usize) -> LinkValues {
    let u = units.factors;
    let link = &net.links[k];
    let status = snap.status[k];
    let closed = status.is_closed();
    let q = if closed { 0.0 } else { snap.flow_m3s[k] };
    let dh = snap.head_m[link.from.ix()] - snap.head_m[link.to.ix()];
    let (velocity, headloss, setting) = match &link.kind {
        LinkKind::Pipe(p) => {
            let area = std::f64::consts::PI * p.diameter_m * p.diameter_m / 4.0;
            let h = if closed { 0.0 } else { dh.abs() / u.length };
            (
                q.abs() / area / u.velocity,
                h,
                roughness_in(net, units, p.roughness),
            )
        }
        LinkKind::Pump(_) => {
            let h = if closed { 0.0 } else { dh / u.length };
            (0.0, h, snap.setting[k].unwrap_or(0.0))
        }
        LinkKind::Valve(v) => {
            let area = std::f64::consts::PI * v.diameter_m * v.diameter_m / 4.0;
            let h = if closed { 0.0 } else { dh.abs() / u.length };
            let setting = match (v.valve_type, snap.setting[k]) {
                (_, None) => 0.0,
                (ValveType::Prv | ValveType::Psv | ValveType::Pbv, Some(s)) => s / u.pressure,
                (ValveType::Fcv, Some(s)) => s / u.flow,
                (_, Some(s)) => s,
            };
            (q.abs() / area / u.velocity, h, setting)
        }
    };
    LinkValues {
        flow: q / u.flow,
        velocity: if closed { 0.0 } else { velocity },
        headloss,
        status: status.toolkit_code(),
        setting,
    }
}

/// A pipe's roughness in the given units: D-W roughness is in mm (SI) or
/// millifeet (US), and stored in m; the other formulas' are unitless.
fn roughness_in(net: &Network, units: &ReportUnits, roughness: f64) -> f64 {
    if net.options.headloss != HeadlossFormula::DarcyWeisbach {
        return roughness;
    }
    if units.is_si() {
        roughness * 1000.0
    } else {
        roughness / (crate::network::units::M_PER_FT * 1e-3)
    }
}

#[cfg(test)]
mod tests {
    use super::{agree, plural};

    /// English: one takes the singular, zero and many the plural.
    #[test]
    fn counts_take_the_singular_for_one_only() {
        assert_eq!(plural(1, "period"), "1 period");
        assert_eq!(plural(0, "period"), "0 periods");
        assert_eq!(plural(25, "report time"), "25 report times");
        assert_eq!(agree(1, "is", "are"), "is");
        assert_eq!(agree(0, "is", "are"), "are");
        assert_eq!(agree(2, "has", "have"), "have");
    }
}
