//! Pressure-logger placement: sites from critical points, extremities, large users, a density target and burst detection.
//!
//! [`place`] gathers sites in this order, each site once (a junction
//! chosen for several reasons lists them all):
//!
//! 1. critical points, 2. extremities, 3. large users
//!    ([`sites`]);
//! 4. a density target, one logger in every occupied square of a given
//!    area ([`density`]);
//! 5. burst detection: a batch of bursts at one time ([`detection`]) and
//!    a greedy maximum-coverage choice of further sites ([`coverage`]),
//!    starting from the bursts the sites above detect already.
//!
//! Every site carries how many bursts it detects and the share of bursts
//! detected by it and every site before it (cumulative coverage). Ties
//! are broken by [`id_order`], so the plan is the same on every run and
//! for any number of threads.
//!
//! ```
//! use pipenet::leakage::sensors::{place, PlacementSettings};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
//! let net = pipenet::inp::read_file(path)?.network;
//! let plan = place(&net, &PlacementSettings::default(), &|| {})?;
//! // The lowest pressure of Net1 over its run is at junction 32.
//! assert_eq!(net.nodes[plan.sites[0].node].id, "32");
//! # Ok(())
//! # }
//! ```

pub mod coverage;
pub mod density;
pub mod detection;
pub mod sites;

use std::cmp::Ordering;

use serde::Serialize;

use crate::hydraulics::{HydraulicsError, Simulation};
use crate::leakage::fire_flow::snapshot_at;
use crate::network::{LinkKind, Network};
use crate::scenario::batch::BatchError;
use crate::scenario::BurstSpec;

pub use detection::{Detection, DetectionSettings};

/// Default detection threshold: a drop of 1 m of pressure head, about the
/// smallest change a pressure logger (resolution of the order of 0.1 m)
/// tells reliably from noise.
pub const DEFAULT_THRESHOLD_M: f64 = 1.0;

/// Default orifice area of the probe bursts, m²: a hole of 36 mm, which
/// loses about 20 L/s at 40 m of pressure (C = Cd A √(2g), Cd = 0.75).
pub const DEFAULT_BURST_AREA_M2: f64 = 0.001;

/// Why loggers cannot be placed.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// A density target was asked for but the coordinates' units are unknown.
    #[error(
        "a density target needs coordinates in known units: the file's [BACKDROP] states none \
         (give UNITS METERS or FEET there, or say which with --map-units m|ft)"
    )]
    MapUnits,
    /// A density target was asked for but no junction has coordinates.
    #[error("a density target needs coordinates: no junction has any ([COORDINATES])")]
    NoCoordinates,
    /// A burst names a link that does not exist.
    #[error("burst pipe '{0}': no such link")]
    UnknownPipe(String),
    /// A burst names a link that is not a pipe.
    #[error("burst pipe '{0}': not a pipe")]
    NotAPipe(String),
    /// A setting is out of range.
    #[error("{0}")]
    Setting(String),
    /// An edit of the snapshot failed.
    #[error("{0}")]
    Edit(String),
    /// The network without bursts could not be solved at the time.
    #[error("the network at the burst time: {0}")]
    Baseline(String),
    /// The batch could not run.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// The simulation failed.
    #[error(transparent)]
    Hydraulics(#[from] HydraulicsError),
}

/// Orders ids as numbers when both are whole numbers (`9` before `10`),
/// else as text.
pub fn id_order(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Zones for critical points, as a layout resolves them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Zones {
    /// Zone of each node.
    pub zone_of: Vec<usize>,
    /// Zone names, by zone.
    pub names: Vec<String>,
}

/// What to place. The defaults: 1 critical point, 2 extremities, 2 large
/// users, no density target, 5 sites by detection of a burst of
/// [`DEFAULT_BURST_AREA_M2`] on every pipe at time 0, with a threshold of
/// [`DEFAULT_THRESHOLD_M`], on one thread.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacementSettings {
    /// Lowest-pressure junctions per zone (or overall).
    pub critical: usize,
    /// Extremities.
    pub extremities: usize,
    /// Largest users.
    pub large_users: usize,
    /// Zones for the critical points; overall if `None`.
    pub zones: Option<Zones>,
    /// Area per logger, km², for a density target.
    pub area_per_sensor_km2: Option<f64>,
    /// Metres per map coordinate unit, if the units are known.
    pub metres_per_map_unit: Option<f64>,
    /// Sites chosen by burst detection.
    pub count: usize,
    /// The bursts: these pipes, or every pipe if `None`.
    pub bursts: Option<Vec<String>>,
    /// How the bursts are made and judged.
    pub detection: DetectionSettings,
}

impl Default for PlacementSettings {
    fn default() -> Self {
        PlacementSettings {
            critical: 1,
            extremities: 2,
            large_users: 2,
            zones: None,
            area_per_sensor_km2: None,
            metres_per_map_unit: None,
            count: 5,
            bursts: None,
            detection: DetectionSettings {
                time_s: 0,
                threshold_m: DEFAULT_THRESHOLD_M,
                burst: BurstSpec::orifice("", DEFAULT_BURST_AREA_M2),
                edits: Vec::new(),
                threads: 1,
            },
        }
    }
}

/// Why a site was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Lowest pressure over the run (in the zone named, if zones are given).
    Critical(Option<String>),
    /// A dead end far from the sources.
    DeadEnd,
    /// Hydraulically far from the sources.
    Farthest,
    /// A large base demand.
    LargeUser,
    /// The density target.
    Density,
    /// Chosen by burst detection.
    Detection,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Critical(None) => write!(f, "critical"),
            Reason::Critical(Some(zone)) => write!(f, "critical {zone}"),
            Reason::DeadEnd => write!(f, "dead end"),
            Reason::Farthest => write!(f, "farthest"),
            Reason::LargeUser => write!(f, "large user"),
            Reason::Density => write!(f, "density"),
            Reason::Detection => write!(f, "detection"),
        }
    }
}

/// One logger site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The junction's node index.
    pub node: usize,
    /// Why it was chosen, first reason first.
    pub reasons: Vec<Reason>,
    /// Pressure head at the analysis time without a burst, m.
    pub pressure_m: f64,
    /// Lowest pressure head over the run, m.
    pub min_pressure_m: Option<f64>,
    /// Bursts it detects (`None` without a burst batch).
    pub bursts_detected: Option<usize>,
    /// Bursts detected by it and every site before it.
    pub covered: Option<usize>,
}

/// The placement.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The sites, in the order of the module documentation.
    pub sites: Vec<Site>,
    /// The burst batch, if bursts were run.
    pub detection: Option<Detection>,
    /// The density target's cells, if one was asked for.
    pub density: Option<density::DensitySites>,
    /// Whether the greedy search stopped before `count` sites because no
    /// junction detects a burst not yet detected.
    pub detection_exhausted: bool,
}

impl Placement {
    /// Bursts that were solved (the denominator of the coverage).
    pub fn bursts_solved(&self) -> usize {
        self.detection.as_ref().map_or(0, Detection::solved)
    }
}

/// Places the loggers (see the module documentation). `progress` is
/// called once per burst solved, from any thread.
pub fn place(
    net: &Network,
    settings: &PlacementSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<Placement, SensorError> {
    check(net, settings)?;
    let tie = |a: usize, b: usize| id_order(&net.nodes[a].id, &net.nodes[b].id);
    let lowest = sites::lowest_pressures(net)?;
    let mut chosen: Vec<(usize, Reason)> = Vec::new();

    let zones = settings.zones.as_ref();
    let critical = sites::critical_points(
        &lowest,
        zones.map(|z| z.zone_of.as_slice()),
        zones.map_or(1, |z| z.names.len()),
        settings.critical,
        &tie,
    );
    for (node, zone) in critical {
        let name = zone.and_then(|z| zones.and_then(|zs| zs.names.get(z).cloned()));
        chosen.push((node, Reason::Critical(name)));
    }

    let state_at = state_at(net, settings.detection.time_s)?;
    let distance = sites::hydraulic_distances(net, &state_at);
    for (node, dead) in sites::extremities(net, &distance, settings.extremities, &tie) {
        chosen.push((
            node,
            if dead {
                Reason::DeadEnd
            } else {
                Reason::Farthest
            },
        ));
    }
    for node in sites::large_users(net, settings.large_users, &tie) {
        chosen.push((node, Reason::LargeUser));
    }
    let mut placed = merge(chosen);

    let density = match settings.area_per_sensor_km2 {
        Some(area) => Some(add_density(net, settings, area, &mut placed, &tie)?),
        None => None,
    };

    let detection = bursts(net, settings, progress)?;
    let mut exhausted = false;
    if let Some(d) = &detection {
        exhausted = add_detection(net, d, settings.count, &mut placed, &tie);
    }
    let sites = describe(net, placed, &lowest, &state_at, detection.as_ref());
    Ok(Placement {
        sites,
        detection,
        density,
        detection_exhausted: exhausted,
    })
}

fn check(net: &Network, settings: &PlacementSettings) -> Result<(), SensorError> {
    let d = &settings.detection;
    if d.time_s > net.times.duration_s {
        return Err(SensorError::Setting(format!(
            "the burst time {} s is after the end of the run ({} s, [TIMES] DURATION)",
            d.time_s, net.times.duration_s
        )));
    }
    if !(d.threshold_m.is_finite() && d.threshold_m > 0.0) {
        return Err(SensorError::Setting(
            "the detection threshold must be a pressure drop above 0".into(),
        ));
    }
    if let Some(area) = settings.area_per_sensor_km2 {
        if !(area.is_finite() && area > 0.0) {
            return Err(SensorError::Setting(format!(
                "area per sensor {area} km²: must be above 0"
            )));
        }
        if settings.metres_per_map_unit.is_none() {
            return Err(SensorError::MapUnits);
        }
    }
    Ok(())
}

/// The solved state of the network at `time_s` (its snapshot's period).
fn state_at(net: &Network, time_s: u64) -> Result<crate::hydraulics::HydraulicState, SensorError> {
    let snapshot = snapshot_at(net, time_s)?;
    let mut sim = Simulation::new(&snapshot.network)?;
    sim.solve_period();
    Ok(sim.state().clone())
}

/// Sites in order of first choice, each once with all its reasons.
fn merge(chosen: Vec<(usize, Reason)>) -> Vec<(usize, Vec<Reason>)> {
    let mut out: Vec<(usize, Vec<Reason>)> = Vec::new();
    for (node, reason) in chosen {
        match out.iter_mut().find(|(n, _)| *n == node) {
            Some((_, reasons)) => reasons.push(reason),
            None => out.push((node, vec![reason])),
        }
    }
    out
}

fn add_density(
    net: &Network,
    settings: &PlacementSettings,
    area_km2: f64,
    placed: &mut Vec<(usize, Vec<Reason>)>,
    tie: &dyn Fn(usize, usize) -> Ordering,
) -> Result<density::DensitySites, SensorError> {
    let metres = settings.metres_per_map_unit.ok_or(SensorError::MapUnits)?;
    let junctions: Vec<(usize, (f64, f64))> = (net.nodes.iter().enumerate())
        .filter(|(_, n)| n.is_junction())
        .filter_map(|(i, n)| n.coordinates.map(|c| (i, c)))
        .collect();
    if junctions.is_empty() {
        return Err(SensorError::NoCoordinates);
    }
    let points: Vec<(f64, f64)> = junctions.iter().map(|j| j.1).collect();
    let existing: Vec<usize> = (0..junctions.len())
        .filter(|&p| placed.iter().any(|(n, _)| *n == junctions[p].0))
        .collect();
    let by_node = |a: usize, b: usize| tie(junctions[a].0, junctions[b].0);
    let cells = density::density_sites(&points, &existing, metres, area_km2, &by_node);
    for &p in &cells.sites {
        placed.push((junctions[p].0, vec![Reason::Density]));
    }
    Ok(cells)
}

/// Runs the burst batch, unless it is empty.
fn bursts(
    net: &Network,
    settings: &PlacementSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<Option<Detection>, SensorError> {
    let pipes: Vec<String> = match &settings.bursts {
        Some(list) => list.clone(),
        None => (net.links.iter())
            .filter(|l| matches!(l.kind, LinkKind::Pipe(_)))
            .map(|l| l.id.clone())
            .collect(),
    };
    if pipes.is_empty() {
        return Ok(None);
    }
    detection::detect(net, &pipes, &settings.detection, progress).map(Some)
}

/// Adds up to `count` sites by greedy coverage; returns whether it ran out
/// of bursts to detect first.
fn add_detection(
    net: &Network,
    detection: &Detection,
    count: usize,
    placed: &mut Vec<(usize, Vec<Reason>)>,
    tie: &dyn Fn(usize, usize) -> Ordering,
) -> bool {
    let by_node = detection.by_node(net.nodes.len());
    let mut candidates: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| net.nodes[i].is_junction())
        .collect();
    candidates.sort_by(|&a, &b| tie(a, b));
    let detects: Vec<Vec<usize>> = candidates.iter().map(|&i| by_node[i].clone()).collect();
    let already: Vec<usize> = (0..candidates.len())
        .filter(|&c| placed.iter().any(|(n, _)| *n == candidates[c]))
        .collect();
    let picks = coverage::greedy(&detects, detection.pipes.len(), &already, count);
    let exhausted = picks.len() < count;
    for pick in picks {
        placed.push((candidates[pick.candidate], vec![Reason::Detection]));
    }
    exhausted
}

/// The sites with their pressures and cumulative coverage.
fn describe(
    net: &Network,
    placed: Vec<(usize, Vec<Reason>)>,
    lowest: &[Option<f64>],
    state: &crate::hydraulics::HydraulicState,
    detection: Option<&Detection>,
) -> Vec<Site> {
    let by_node = detection.map(|d| d.by_node(net.nodes.len()));
    let mut covered = detection.map(|d| vec![false; d.pipes.len()]);
    placed
        .into_iter()
        .map(|(node, reasons)| {
            let detects = by_node.as_ref().map(|b| &b[node]);
            if let (Some(c), Some(d)) = (covered.as_mut(), detects) {
                for &b in d {
                    c[b] = true;
                }
            }
            let pressure_m = match &detection {
                Some(d) => d.pressure_m[node],
                None => state.head_m[node] - net.nodes[node].elevation_m,
            };
            Site {
                node,
                reasons,
                pressure_m,
                min_pressure_m: lowest[node],
                bursts_detected: detects.map(Vec::len),
                covered: covered.as_ref().map(|c| c.iter().filter(|&&x| x).count()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_as_numbers_then_text() {
        let mut ids = vec!["10", "9", "J2", "J10", "100", "A"];
        ids.sort_by(|a, b| id_order(a, b));
        assert_eq!(ids, vec!["9", "10", "100", "A", "J10", "J2"]);
    }
}
