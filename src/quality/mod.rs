//! Water quality: water age, source tracing and chemical transport, as EPANET 2.3 computes them.
//!
//! [`QualitySimulation`] runs beside a [`crate::hydraulics::Simulation`]
//! over the same clock. Transport is Lagrangian and time-driven (EPANET
//! manual, chapter 3.4): each pipe holds a chain of water segments of
//! uniform quality; every quality time step, the segments react, then the
//! nodes are visited from upstream to downstream, each taking the leading
//! water of its inflow links, mixing it (with its tank's mixing model at
//! a tank, with any source), and pushing the result into its outflow
//! links, as a new segment unless it is within the quality tolerance of
//! the last one. Flows are those of the hydraulic step in force.
//!
//! For a chemical it also keeps what EPANET reports of its reactions: each
//! pipe's reaction rate over the last quality step
//! ([`QualitySimulation::link_reaction_rate`]), and the mass changed by
//! bulk, wall and tank reactions and added by sources over the run
//! ([`QualitySimulation::reaction_mass`], counted as EPANET counts it from
//! the report start).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pipenet::network::QualityKind;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
//! let net = pipenet::inp::read_file(path)?.network;
//! let mut sim = pipenet::hydraulics::Simulation::new(&net)?;
//! let mut age = pipenet::quality::QualitySimulation::new(&net, &QualityKind::Age)?;
//! loop {
//!     sim.solve_period();
//!     age.load_hydraulics(sim.state());
//!     let step = sim.advance();
//!     age.advance(step);
//!     if step == 0 {
//!         break;
//!     }
//! }
//! let tank = net.node_ix("2").unwrap().ix();
//! assert!((age.node_quality(tank) - 24.15).abs() < 0.1); // EPANET 2.3.5: 24.15 h
//! # Ok(())
//! # }
//! ```
//!
//! # Limitations
//! EPANET's quirks are kept where they change results: check-valve pipes
//! carry water without volume or reactions (only plain pipes get
//! segments), tank segments follow the flows rather than the hydraulic
//! levels, a link whose flow turns stagnant and then reverses keeps its
//! segments' orientation, and while every link is stagnant from the start
//! no node is visited (node and tank qualities stay at their initial
//! values, though the water in pipes and tanks still reacts).

mod balance;
mod order;
mod reactions;
mod segments;
mod sources;
mod tanks;
mod transport;

pub use balance::{MassBalance, ReactionMass};
pub use sources::SourceTrace;

use crate::hydraulics::constants::CFS;
use crate::hydraulics::HydraulicState;
use crate::network::{
    HeadlossFormula, LinkKind, MixingModel, Network, NodeKind, PatternIx, QualityKind, SourceKind,
};
use order::{Adjacency, Sorter};
use reactions::{Kinetics, LITRES_PER_M3, SECONDS_PER_DAY};
use segments::{Chain, Segment};

/// Flow below which a link counts as stagnant, m³/s (EPANET's
/// `Q_STAGNANT`, 0.005 gpm).
const STAGNANT_FLOW_M3S: f64 = 0.005 / 448.831 * CFS;

/// π/4 as EPANET's pipe volume (`LINKVOL`) rounds it; pipe volumes, and
/// with them travel times, follow EPANET's to the last digit.
#[allow(clippy::approx_constant)]
const EPANET_QUARTER_PI: f64 = 0.785398;

/// Percent of a traced node's own water at that node.
const TRACE_PERCENT: f64 = 100.0;

/// Why a quality simulation cannot start.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// The traced node is not in the network.
    #[error("trace node index {0} is not a node of the network")]
    TraceNode(usize),
    /// Quality needs at least one tank or reservoir (EPANET error 224).
    #[error("a water quality analysis needs at least one tank or reservoir")]
    NoStorage,
}

/// A `--quality` choice that pipenet cannot use.
#[derive(Debug, thiserror::Error)]
pub enum QualitySpecError {
    /// Not one of the known choices.
    #[error("quality {0:?}: expected none, age, chemical or trace:NODE")]
    Unknown(String),
    /// `trace:NODE` with a node the network does not have.
    #[error("quality {0:?}: the network has no node {1:?} to trace (ids are case-sensitive)")]
    NoSuchNode(String, String),
}

/// Reads a quality choice as the command line gives it: `none`, `age`,
/// `chemical` (the file's chemical if it has one, else "Chemical" in mg/L)
/// or `trace:NODE`.
pub fn kind_from_spec(network: &Network, spec: &str) -> Result<QualityKind, QualitySpecError> {
    let lower = spec.to_ascii_lowercase();
    let bad = || QualitySpecError::Unknown(spec.to_string());
    Ok(match lower.as_str() {
        "none" => QualityKind::None,
        "age" => QualityKind::Age,
        "chemical" => match &network.options.quality.kind {
            chemical @ QualityKind::Chemical { .. } => chemical.clone(),
            _ => QualityKind::Chemical {
                name: "Chemical".to_string(),
                units: "mg/L".to_string(),
            },
        },
        _ if lower.starts_with("trace:") => {
            let id = &spec["trace:".len()..];
            let node = network
                .node_ix(id)
                .ok_or_else(|| QualitySpecError::NoSuchNode(spec.to_string(), id.to_string()))?;
            QualityKind::Trace { node }
        }
        _ => return Err(bad()),
    })
}

/// What is analysed, resolved to indices.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Analysis {
    None,
    Age,
    Trace(usize),
    Chemical,
}

/// What a node is, for mixing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NodeRole {
    Junction,
    Reservoir,
    /// A tank, with its index in the tank tables.
    Tank(usize),
}

/// A link's data for transport and reactions, SI.
#[derive(Debug, Clone, Copy)]
struct LinkData {
    /// Whether the link holds water: plain pipes only, as in EPANET.
    has_volume: bool,
    volume_m3: f64,
    diameter_m: f64,
    length_m: f64,
    /// Bulk coefficient, per second (litre-based units for order ≠ 1).
    bulk_per_s: f64,
    /// Wall coefficient: m/s for first order, mass/m²/s for zero order.
    wall: f64,
    /// The wall rate coefficient at the current flow (see `Kinetics::wall_coefficient`).
    wall_rate_coeff: f64,
}

/// A tank's mixing data.
#[derive(Debug, Clone, Copy)]
struct TankData {
    model: MixingModel,
    /// Capacity of the mixing zone of a two-compartment tank, m³.
    mixing_zone_m3: f64,
    /// Bulk coefficient, per second.
    bulk_per_s: f64,
}

/// A source in internal units.
#[derive(Debug, Clone, Copy)]
struct SourceData {
    kind: SourceKind,
    /// mass/m³, or mass/s for a mass booster.
    strength: f64,
    pattern: Option<PatternIx>,
}

/// A water quality simulation of one network, stepped alongside the hydraulics.
///
/// Per hydraulic step: [`QualitySimulation::load_hydraulics`] with the
/// state just solved (flows, statuses, node demands at the step's start),
/// then [`QualitySimulation::advance`] by the step the hydraulic clock
/// took. Qualities read between the two are those at the step's start,
/// which is what EPANET reports at that time.
///
/// Units: node and link qualities are in the network's quality units
/// (hours for age, percent for a trace, the file's concentration unit for
/// a chemical). Memory is proportional to the number of segments; steps
/// allocate only when a pipe holds more segments than ever before.
pub struct QualitySimulation<'n> {
    network: &'n Network,
    kind: QualityKind,
    analysis: Analysis,
    quality_step_s: u64,
    time_s: u64,
    /// Internal quality per file unit (1000 L/m³ for a chemical, else 1).
    scale: f64,
    /// Segment merging tolerance, internal units.
    tolerance: f64,
    /// Whether anything reacts (always for age).
    reactive: bool,
    kinetics: Kinetics,
    viscosity_m2s: f64,
    ends: Vec<(usize, usize)>,
    links: Vec<LinkData>,
    roles: Vec<NodeRole>,
    tanks: Vec<TankData>,
    sources: Vec<Option<SourceData>>,
    /// Quality at every node (internal units): a tank's outflow quality.
    node_quality: Vec<f64>,
    link_chains: Vec<Chain>,
    tank_chains: Vec<Chain>,
    /// Link flows of the step, m³/s, 0 for closed links.
    flow_m3s: Vec<f64>,
    /// Node demands of the step (EPANET's `NodeDemand`), m³/s.
    demand_m3s: Vec<f64>,
    /// Flow direction of each link: +1, −1, 0 stagnant.
    direction: Vec<i8>,
    adjacency: Adjacency,
    sorter: Sorter,
    order: Vec<usize>,
    balance: MassBalance,
    /// Mass changed by each kind of reaction and added by sources (internal units).
    reaction_mass: ReactionMass,
    /// Each pipe's mean reaction rate over the last quality step, |Δc| / s
    /// (internal units), 0 for links without volume.
    link_rate: Vec<f64>,
    /// Report start, s: reactions count towards `reaction_mass` in the
    /// hydraulic steps that end at or after it.
    report_start_s: u64,
    /// Whether the hydraulic step being advanced counts (ends at or after the report start).
    counting: bool,
    /// Pattern step and start, s, for source patterns.
    pattern_step_s: u64,
    pattern_start_s: u64,
}

impl<'n> QualitySimulation<'n> {
    /// A quality simulation of `network` analysing `kind` (which may
    /// differ from the file's `QUALITY` option), at time 0 with the
    /// initial qualities of `[QUALITY]`.
    pub fn new(network: &'n Network, kind: &QualityKind) -> Result<Self, QualityError> {
        let analysis = match kind {
            QualityKind::None => Analysis::None,
            QualityKind::Age => Analysis::Age,
            QualityKind::Chemical { .. } => Analysis::Chemical,
            QualityKind::Trace { node } if node.ix() < network.nodes.len() => {
                Analysis::Trace(node.ix())
            }
            QualityKind::Trace { node } => return Err(QualityError::TraceNode(node.ix())),
        };
        if analysis != Analysis::None && network.nodes.iter().all(|n| n.is_junction()) {
            return Err(QualityError::NoStorage);
        }
        let scale = if analysis == Analysis::Chemical {
            LITRES_PER_M3
        } else {
            1.0
        };
        let rx = &network.reactions;
        let opts = &network.options;
        let kinetics = Kinetics::new(
            rx.bulk_order,
            rx.wall_order,
            rx.tank_order,
            rx.limiting_potential * scale,
            opts.viscosity_m2s,
            opts.quality.diffusivity_m2s,
        );
        let steps = crate::hydraulics::TimeSteps::new(&network.times);
        let quality_step_s = steps.quality_s;
        let n_links = network.links.len();
        let mut sim = QualitySimulation {
            network,
            kind: kind.clone(),
            analysis,
            quality_step_s,
            time_s: 0,
            scale,
            tolerance: opts.quality.tolerance * scale,
            reactive: false,
            kinetics,
            viscosity_m2s: opts.viscosity_m2s,
            ends: network
                .links
                .iter()
                .map(|l| (l.from.ix(), l.to.ix()))
                .collect(),
            links: link_data(network),
            roles: Vec::new(),
            tanks: Vec::new(),
            sources: Vec::new(),
            node_quality: Vec::new(),
            link_chains: vec![Chain::new(); n_links],
            tank_chains: Vec::new(),
            flow_m3s: vec![0.0; n_links],
            demand_m3s: vec![0.0; network.nodes.len()],
            direction: vec![0; n_links],
            adjacency: Adjacency::new(network),
            sorter: Sorter::default(),
            order: Vec::with_capacity(network.nodes.len()),
            balance: MassBalance::default(),
            reaction_mass: ReactionMass::default(),
            link_rate: vec![0.0; n_links],
            report_start_s: steps.report_start_s,
            counting: false,
            pattern_step_s: steps.pattern_s,
            pattern_start_s: steps.pattern_start_s,
        };
        sim.set_up_nodes();
        sim.reactive = sim.is_reactive();
        sim.fill_initial_segments();
        sim.balance.initial = sim.stored_mass();
        Ok(sim)
    }

    /// A quality simulation of what the network's own `QUALITY` option asks for.
    pub fn from_network(network: &'n Network) -> Result<Self, QualityError> {
        Self::new(network, &network.options.quality.kind)
    }

    /// What is analysed.
    pub fn kind(&self) -> &QualityKind {
        &self.kind
    }

    /// The quality time step in force, s (`QUALITY TIMESTEP`, or a tenth
    /// of the hydraulic step; never longer than the hydraulic step).
    pub fn quality_step_s(&self) -> u64 {
        self.quality_step_s
    }

    /// The quality clock, s.
    pub fn time_s(&self) -> u64 {
        self.time_s
    }

    /// Takes the hydraulic solution at the start of a step: link flows
    /// (0 for closed links), node demands, and with them flow directions
    /// (reversing the segments of links whose flow reversed), the node
    /// order and the wall reaction coefficients (EPANET `runqual`).
    pub fn load_hydraulics(&mut self, state: &HydraulicState) {
        for (k, q) in self.flow_m3s.iter_mut().enumerate() {
            *q = if state.status[k].is_closed() {
                0.0
            } else {
                state.flow_m3s[k]
            };
        }
        self.demand_m3s.copy_from_slice(&state.node_demand_m3s);
        if self.analysis == Analysis::None {
            return;
        }
        if self.reactive && self.analysis == Analysis::Chemical {
            self.update_wall_coefficients();
        }
        // NOTE: as in EPANET, the nodes are sorted only when a direction
        // changes; while every link is stagnant from the start, no node is
        // visited, so node qualities (a tank's too) keep their initial values.
        if self.update_directions() {
            self.sorter.sort(
                &self.adjacency,
                &self.ends,
                &self.direction,
                &mut self.order,
            );
        }
    }

    /// Carries quality through the network for `step_s` seconds with the
    /// flows last loaded, in quality time steps (EPANET `nextqual`).
    pub fn advance(&mut self, step_s: u64) {
        // EPANET counts reacted and source mass in the hydraulic steps that
        // end at or after the report start, not from the report start itself.
        self.counting = self.time_s + step_s >= self.report_start_s;
        if self.analysis != Analysis::None {
            let mut done = 0;
            while done < step_s {
                let dt = self.quality_step_s.min(step_s - done);
                done += dt;
                self.transport(dt);
            }
        }
        self.time_s += step_s;
    }

    /// Loads `state` and advances by `step_s`: one hydraulic step.
    pub fn step(&mut self, state: &HydraulicState, step_s: u64) {
        self.load_hydraulics(state);
        self.advance(step_s);
    }

    /// Quality at node `i` in the network's quality units: for a tank,
    /// the quality of its outflow.
    pub fn node_quality(&self, i: usize) -> f64 {
        self.node_quality[i] / self.scale
    }

    /// Quality at every node, in the network's quality units, into `out`.
    pub fn node_qualities_into(&self, out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.node_quality.iter().map(|c| c / self.scale));
    }

    /// Mean quality of the water in link `k`, in the network's quality
    /// units; for a link holding no water, the mean of its end nodes
    /// (EPANET `avgqual`).
    pub fn link_quality(&self, k: usize) -> f64 {
        let (volume, mass) = segments::contents(&self.link_chains[k]);
        let c = if volume > 0.0 {
            mass / volume
        } else {
            let (a, b) = self.ends[k];
            (self.node_quality[a] + self.node_quality[b]) / 2.0
        };
        c / self.scale
    }

    /// Reaction rate in link `k`, in the concentration's units per day
    /// (mg/L/day for mg/L): the volume-weighted mean over the pipe's water
    /// segments of the change of concentration, bulk and wall reactions
    /// together, whatever its direction, over the last quality step (EPANET's
    /// link reaction rate). 0 for pumps, valves and check-valve pipes, before
    /// the first step, and for age and trace analyses.
    pub fn link_reaction_rate(&self, k: usize) -> f64 {
        self.link_rate[k] / self.scale * SECONDS_PER_DAY
    }

    /// Mass that reacted, by kind, and that sources added so far, in the
    /// concentration's mass unit; see [`ReactionMass`].
    pub fn reaction_mass(&self) -> ReactionMass {
        self.reaction_mass
    }

    /// Number of links.
    pub fn link_count(&self) -> usize {
        self.link_chains.len()
    }

    /// Number of water segments in pipes and tanks.
    pub fn segment_count(&self) -> usize {
        self.link_chains.iter().map(|c| c.len()).sum::<usize>()
            + self.tank_chains.iter().map(|c| c.len()).sum::<usize>()
    }

    /// The mass balance so far: for a chemical in its mass unit (mg for
    /// mg/L); see [`MassBalance`].
    pub fn mass_balance(&self) -> MassBalance {
        MassBalance {
            final_mass: self.stored_mass(),
            ..self.balance
        }
    }

    /// Node roles, tank data, sources and initial node qualities.
    fn set_up_nodes(&mut self) {
        let net = self.network;
        let storage = crate::hydraulics::tanks::TankTable::for_network(net);
        let trace = match self.analysis {
            Analysis::Trace(i) => Some(i),
            _ => None,
        };
        for (i, node) in net.nodes.iter().enumerate() {
            let role = match &node.kind {
                NodeKind::Junction(_) => NodeRole::Junction,
                NodeKind::Reservoir(_) => NodeRole::Reservoir,
                NodeKind::Tank(t) => {
                    let s = storage.get(i);
                    let initial_m3 =
                        s.map_or(0.0, |s| s.volume_m3(s.elevation_m + t.initial_level_m));
                    let max_m3 = s.map_or(0.0, |s| s.max_volume_m3);
                    let data = TankData {
                        model: t.mixing,
                        mixing_zone_m3: t.mixing_fraction * max_m3,
                        bulk_per_s: t.bulk_coeff.unwrap_or(net.reactions.global_bulk)
                            / SECONDS_PER_DAY,
                    };
                    // A tank starts with its [QUALITY] value, also in a trace.
                    let mut chain = Chain::new();
                    tanks::initial_segments(
                        &mut chain,
                        t.mixing,
                        initial_m3,
                        node.initial_quality * self.scale,
                        data.mixing_zone_m3,
                    );
                    self.tanks.push(data);
                    self.tank_chains.push(chain);
                    NodeRole::Tank(self.tanks.len() - 1)
                }
            };
            self.roles.push(role);
            let c0 = if trace.is_some() {
                0.0
            } else {
                node.initial_quality * self.scale
            };
            self.node_quality.push(c0);
            self.sources.push(node.source().map(|s| SourceData {
                kind: s.kind,
                strength: match s.kind {
                    SourceKind::Mass => s.strength / 60.0,
                    _ => s.strength * self.scale,
                },
                pattern: s.pattern,
            }));
        }
        if let Some(i) = trace {
            self.node_quality[i] = TRACE_PERCENT;
        }
    }

    /// Whether anything reacts: always for age, never for a trace, and for
    /// a chemical when a pipe or tank has a non-zero coefficient (EPANET `setreactflag`).
    fn is_reactive(&self) -> bool {
        match self.analysis {
            Analysis::Age => true,
            Analysis::None | Analysis::Trace(_) => false,
            Analysis::Chemical => {
                self.network.links.iter().zip(&self.links).any(|(l, d)| {
                    matches!(l.kind, LinkKind::Pipe(_)) && (d.bulk_per_s != 0.0 || d.wall != 0.0)
                }) || self.tanks.iter().any(|t| t.bulk_per_s != 0.0)
            }
        }
    }

    /// One segment per pipe, of its volume, at the quality of its end node
    /// (EPANET `initsegs`).
    fn fill_initial_segments(&mut self) {
        for (k, chain) in self.link_chains.iter_mut().enumerate() {
            chain.clear();
            if self.links[k].has_volume {
                chain.push_back(Segment {
                    volume_m3: self.links[k].volume_m3,
                    quality: self.node_quality[self.ends[k].1],
                });
            }
        }
    }

    /// Mass held in pipes and tanks (internal units).
    fn stored_mass(&self) -> f64 {
        self.link_chains
            .iter()
            .chain(&self.tank_chains)
            .map(|c| segments::contents(c).1)
            .sum()
    }

    /// New flow directions; reverses the segments of links whose flow
    /// changed sign. Returns whether any direction changed (EPANET `flowdirchanged`).
    fn update_directions(&mut self) -> bool {
        let mut changed = false;
        for k in 0..self.direction.len() {
            let q = self.flow_m3s[k];
            let new = if q.abs() < STAGNANT_FLOW_M3S {
                0
            } else if q < 0.0 {
                -1
            } else {
                1
            };
            let old = self.direction[k];
            if new * old < 0 {
                self.link_chains[k].make_contiguous().reverse();
            }
            changed |= new != old;
            self.direction[k] = new;
        }
        changed
    }

    /// Wall rate coefficients at the loaded flows (EPANET `ratecoeffs`).
    fn update_wall_coefficients(&mut self) {
        for (k, link) in self.links.iter_mut().enumerate() {
            link.wall_rate_coeff = if link.wall == 0.0 {
                0.0
            } else {
                self.kinetics.wall_coefficient(
                    link.wall,
                    link.diameter_m,
                    link.length_m,
                    self.flow_m3s[k],
                    self.viscosity_m2s,
                )
            };
        }
    }

    /// The multiplier of a source pattern at the current quality time.
    fn pattern_factor(&self, pattern: Option<PatternIx>) -> f64 {
        let Some(p) = pattern else {
            return 1.0;
        };
        let multipliers = &self.network.patterns[p.ix()].multipliers;
        if multipliers.is_empty() {
            return 1.0;
        }
        let period = (self.time_s + self.pattern_start_s) / self.pattern_step_s.max(1);
        multipliers[(period % multipliers.len() as u64) as usize]
    }
}

/// Each link's transport and reaction data. Reaction coefficients not
/// given per pipe come from the global ones or, with a roughness
/// correlation F, from the roughness: F / C (Hazen-Williams), F / |ln(e /
/// d)| (Darcy-Weisbach, e and d in the file's units), F n (Chezy-Manning).
fn link_data(net: &Network) -> Vec<LinkData> {
    let rx = &net.reactions;
    let si = net.options.flow_units.is_si();
    let length_unit_m = if si {
        1.0
    } else {
        crate::network::units::M_PER_FT
    };
    net.links
        .iter()
        .map(|link| {
            let LinkKind::Pipe(p) = &link.kind else {
                return LinkData {
                    has_volume: false,
                    volume_m3: 0.0,
                    diameter_m: link.diameter_m(),
                    length_m: 0.0,
                    bulk_per_s: 0.0,
                    wall: 0.0,
                    wall_rate_coeff: 0.0,
                };
            };
            let wall_file = p.wall_coeff.unwrap_or_else(|| {
                roughness_wall_coefficient(net, p.roughness, p.diameter_m).unwrap_or(rx.global_wall)
            });
            let wall = if rx.wall_order == 0.0 {
                wall_file / SECONDS_PER_DAY / (length_unit_m * length_unit_m)
            } else {
                wall_file * length_unit_m / SECONDS_PER_DAY
            };
            LinkData {
                has_volume: !p.check_valve,
                volume_m3: EPANET_QUARTER_PI * p.length_m * p.diameter_m * p.diameter_m,
                diameter_m: p.diameter_m,
                length_m: p.length_m,
                bulk_per_s: p.bulk_coeff.unwrap_or(rx.global_bulk) / SECONDS_PER_DAY,
                wall,
                wall_rate_coeff: 0.0,
            }
        })
        .collect()
}

/// The wall coefficient a roughness correlation gives, in the file's
/// units; `None` without a correlation.
fn roughness_wall_coefficient(net: &Network, roughness: f64, diameter_m: f64) -> Option<f64> {
    let factor = net.reactions.roughness_correlation;
    if factor == 0.0 {
        return None;
    }
    if roughness <= 0.0 || diameter_m <= 0.0 {
        return Some(0.0);
    }
    Some(match net.options.headloss {
        HeadlossFormula::HazenWilliams => factor / roughness,
        HeadlossFormula::ChezyManning => factor * roughness,
        HeadlossFormula::DarcyWeisbach => {
            // EPANET compares roughness (mm or millifeet) with the diameter
            // (mm or inches) as the file gives them.
            let si = net.options.flow_units.is_si();
            let ft = crate::network::units::M_PER_FT;
            let (e, d) = if si {
                (roughness * 1000.0, diameter_m * 1000.0)
            } else {
                (roughness / (ft * 1e-3), diameter_m / (ft / 12.0))
            };
            factor / (e / d).ln().abs()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Demand, Junction, Link, Node, Pipe, Reservoir};

    const FLOW_M3S: f64 = 0.01;
    const LENGTH_M: f64 = 1000.0;
    const DIAMETER_M: f64 = 0.3;

    /// A reservoir feeding one junction through one pipe, for `hours`.
    fn one_pipe(hours: u64, bulk_per_day: f64) -> Network {
        let mut net = Network::default();
        let mut r = Node::new("R", NodeKind::Reservoir(Reservoir::default()), 100.0);
        r.initial_quality = 1.0;
        let r = net.add_node(r).unwrap();
        let demand = Demand {
            base_m3s: FLOW_M3S,
            pattern: None,
            category: None,
        };
        let junction = Junction {
            demands: vec![demand],
        };
        let j = net
            .add_node(Node::new("J", NodeKind::Junction(junction), 0.0))
            .unwrap();
        let mut pipe = Pipe::new(LENGTH_M, DIAMETER_M, 100.0);
        pipe.bulk_coeff = Some(bulk_per_day);
        net.add_link(Link::new("P", r, j, LinkKind::Pipe(pipe)))
            .unwrap();
        net.times.duration_s = hours * 3600;
        net.times.quality_step_s = 60;
        // Segments never merge: plug flow without numerical mixing.
        net.options.quality.tolerance = 1e-12;
        net
    }

    /// Runs hydraulics and quality to the end; returns the junction's quality.
    fn run(net: &Network, kind: &QualityKind) -> f64 {
        let mut sim = crate::hydraulics::Simulation::new(net).unwrap();
        let mut quality = QualitySimulation::new(net, kind).unwrap();
        loop {
            sim.solve_period();
            quality.step(sim.state(), 0);
            let step = sim.advance();
            quality.advance(step);
            if step == 0 {
                break;
            }
        }
        quality.node_quality(1)
    }

    /// Travel time through the pipe, s: volume / flow.
    fn travel_time_s() -> f64 {
        std::f64::consts::PI / 4.0 * DIAMETER_M * DIAMETER_M * LENGTH_M / FLOW_M3S
    }

    #[test]
    fn age_at_the_end_of_a_pipe_is_its_travel_time() {
        // 70.69 m³ / 0.01 m³/s = 7069 s = 1.963 h, on top of the reservoir
        // water's own age (its initial quality, 1 h).
        let age_h = run(&one_pipe(4, 0.0), &QualityKind::Age);
        let want_h = 1.0 + travel_time_s() / 3600.0;
        assert!(
            (age_h - want_h).abs() < 60.0 / 3600.0,
            "age {age_h} h, want {want_h} h"
        );
    }

    #[test]
    fn first_order_decay_over_the_travel_time() {
        // C = C0 exp(kb t) with kb = -0.5/day over the travel time.
        let chemical = QualityKind::Chemical {
            name: "Chlorine".into(),
            units: "mg/L".into(),
        };
        let c = run(&one_pipe(4, -0.5), &chemical);
        let want = (-0.5 * travel_time_s() / 86_400.0).exp();
        assert!((c - want).abs() < 1e-4, "concentration {c}, want {want}");
    }

    #[test]
    fn a_trace_reaches_the_junction_after_the_travel_time() {
        let net = one_pipe(4, 0.0);
        let trace = QualityKind::Trace {
            node: net.node_ix("R").unwrap(),
        };
        assert!((run(&net, &trace) - 100.0).abs() < 1e-9);
        let mut short = one_pipe(1, 0.0);
        short.times.hydraulic_step_s = 600;
        assert!(
            run(&short, &trace).abs() < 1e-9,
            "water arrived before its travel time"
        );
    }

    #[test]
    fn quality_choices_read_from_the_command_line() {
        let net = one_pipe(1, 0.0);
        assert_eq!(kind_from_spec(&net, "AGE").unwrap(), QualityKind::Age);
        assert_eq!(
            kind_from_spec(&net, "trace:R").unwrap(),
            QualityKind::Trace {
                node: net.node_ix("R").unwrap()
            }
        );
        assert!(kind_from_spec(&net, "trace:X").is_err());
        assert!(kind_from_spec(&net, "salt").is_err());
    }
}
