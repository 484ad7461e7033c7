//! The solver's view of a network: per-link laws and per-node data, computed once.

use super::constants::{CFS, CSMALL, FT, GRAD, MINOR_LOSS_FACTOR};
use super::headloss::{pipe_friction, PipeFriction};
use super::pumps::{pump_law, PumpCurveError, PumpLaw};
use crate::network::{CurveKind, DemandModel, LinkKind, Network, NodeKind, Options, ValveType};

/// Why a network cannot be turned into a hydraulic model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// A pump's curve is missing or unusable (EPANET errors 226, 227).
    #[error("pump '{pump}': {source}")]
    Pump {
        /// The pump's id.
        pump: String,
        /// What is wrong with its curve.
        source: PumpCurveError,
    },
    /// A GPV has no head-loss curve.
    #[error("valve '{valve}': a general purpose valve needs a head-loss curve")]
    GpvWithoutCurve {
        /// The valve's id.
        valve: String,
    },
    /// The network has no junction, or no reservoir or tank.
    #[error("the network has no {0}")]
    Empty(&'static str),
}

/// The solver's data for one link.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkLaw {
    /// A pipe (with a check valve when `check_valve`).
    Pipe {
        /// Friction and minor-loss constants.
        friction: PipeFriction,
        /// Whether flow is only allowed from `from` to `to`.
        check_valve: bool,
    },
    /// A pump.
    Pump(PumpLaw),
    /// A valve.
    Valve {
        /// Its type.
        valve_type: ValveType,
        /// Fully open minor loss, m per (m³/s)².
        km: f64,
        /// Diameter, m.
        diameter_m: f64,
        /// GPV head-loss curve (m³/s → m), or PCV valve curve (% → %).
        curve: Vec<(f64, f64)>,
    },
}

/// Leakage coefficients of one junction, in EPANET's units (ft, cfs), as
/// `q = cfa √h + cva h^1.5` is inverted to two emitters.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct NodeLeakage {
    /// Fixed-area coefficient of `h = cfa q²` (0: none).
    pub cfa: f64,
    /// Variable-area coefficient of `h = cva q^(2/3)` (0: none).
    pub cva: f64,
}

/// A network prepared for the hydraulic solver.
#[derive(Debug, Clone)]
pub(crate) struct HydraulicModel {
    /// For each node, its unknown (matrix row) if it is a junction.
    pub unknown: Vec<Option<usize>>,
    /// For each unknown, its node.
    pub junction_nodes: Vec<usize>,
    /// For each link, its start and end nodes.
    pub ends: Vec<(usize, usize)>,
    /// For each link, its law.
    pub laws: Vec<LinkLaw>,
    /// Whether each link is closed in the input (`[STATUS]` or its own
    /// status column) before any control acts.
    pub initially_closed: Vec<bool>,
    /// For each link, its diameter in m (0 for pumps).
    pub diameters: Vec<f64>,
    /// Links that are valves, in link order.
    pub valves: Vec<usize>,
    /// The valves that can control (PRVs, PSVs and FCVs), in link order:
    /// the only ones the status checks, the control terms and the search
    /// for sources look at every trial (vitens-25k has 3,787 TCVs).
    pub control_valves: Vec<usize>,
    /// Links that are pumps or valves, in link order: the only links whose
    /// status can say they cannot do what is asked of them.
    pub pumps_and_valves: Vec<usize>,
    /// For each node, the emitter coefficient `ke` of `h = ke q^qexp` (0: none).
    pub emitter_ke: Vec<f64>,
    /// For each node, its leakage coefficients.
    pub leakage: Vec<NodeLeakage>,
    /// Whether any node leaks.
    pub has_leakage: bool,
    /// For each node, its elevation, m.
    pub elevation_m: Vec<f64>,
    /// For each node, its limits if it is a tank.
    pub tanks: Vec<Option<TankLimits>>,
    /// For each node, its storage geometry if it is a tank.
    pub storage: super::tanks::TankTable,
    /// For each node, its links and the nodes at their other ends.
    pub adjacency: Adjacency,
    /// For each link, whether it is a pump (kept apart from `laws` so that
    /// graph searches touch only small arrays).
    pub is_pump: Vec<bool>,
    /// For each link, whether EPANET's `linkstatus` can do more to it than
    /// reopen it: a check valve, a pump, an FCV, or a link to a tank.
    pub status_checked: Vec<bool>,
    /// Solver settings in SI.
    pub settings: SolverSettings,
}

/// Each node's links and the nodes at their other ends, in one flat array
/// (compressed rows), so that walking the graph reads memory in order; in
/// 32-bit indices, half the memory a search reads (a search of the whole
/// network on BWSN_Network_2 then mostly hits the L2 cache).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Adjacency {
    /// Where each node's entries start in `entries`; one more than nodes.
    starts: Vec<u32>,
    /// (link, node at its other end), grouped by node.
    entries: Vec<(u32, u32)>,
}

impl Adjacency {
    /// The adjacency of `n_nodes` nodes joined by links with these ends.
    ///
    /// # Panics
    /// If there are 2³² link ends or more (the model's limit is lower).
    pub fn new(n_nodes: usize, ends: impl Iterator<Item = (usize, usize)> + Clone) -> Self {
        let index = |i: usize| u32::try_from(i).expect("fewer than 2^32 links and nodes");
        let mut starts = vec![0u32; n_nodes + 1];
        for (a, b) in ends.clone() {
            starts[a + 1] += 1;
            starts[b + 1] += 1;
        }
        for i in 0..n_nodes {
            starts[i + 1] = index(starts[i] as usize + starts[i + 1] as usize);
        }
        let mut fill = starts.clone();
        let mut entries = vec![(0, 0); starts[n_nodes] as usize];
        for (k, (a, b)) in ends.enumerate() {
            entries[fill[a] as usize] = (index(k), index(b));
            fill[a] += 1;
            entries[fill[b] as usize] = (index(k), index(a));
            fill[b] += 1;
        }
        Adjacency { starts, entries }
    }

    /// The links at node `i` and the nodes at their other ends, in link order.
    #[inline]
    pub fn of(&self, i: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let range = self.starts[i] as usize..self.starts[i + 1] as usize;
        self.entries[range]
            .iter()
            .map(|&(k, j)| (k as usize, j as usize))
    }
}

/// Tank limits the status checks need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TankLimits {
    /// Head at the minimum level, m.
    pub min_head_m: f64,
    /// Head at the maximum level, m.
    pub max_head_m: f64,
    /// Whether the tank may overflow when full.
    pub can_overflow: bool,
}

/// Numerical settings of the solver, from `[OPTIONS]`, in SI.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SolverSettings {
    pub formula: crate::network::HeadlossFormula,
    pub max_trials: u32,
    pub extra_trials: Option<u32>,
    pub accuracy: f64,
    pub head_error_m: f64,
    pub flow_change_m3s: f64,
    pub check_freq: u32,
    pub max_check: u32,
    pub damp_limit: f64,
    pub htol: f64,
    pub qtol: f64,
    /// Low-flow gradient threshold, m per m³/s.
    pub rq_tol: f64,
    /// Emitter head-loss exponent 1/γ.
    pub emitter_qexp: f64,
    pub emitter_backflow: bool,
    pub demand_model: DemandModel,
    pub pmin_m: f64,
    pub preq_m: f64,
    pub pexp: f64,
}

impl SolverSettings {
    fn from_options(o: &Options) -> Self {
        SolverSettings {
            formula: o.headloss,
            max_trials: o.trials.max(1),
            extra_trials: match o.unbalanced {
                crate::network::Unbalanced::Stop => None,
                crate::network::Unbalanced::Continue { extra_trials } => Some(extra_trials),
            },
            accuracy: o.accuracy,
            head_error_m: o.head_error_m,
            flow_change_m3s: o.flow_change_m3s,
            check_freq: o.check_freq.max(1),
            max_check: o.max_check,
            damp_limit: o.damp_limit,
            htol: o.head_tolerance_m,
            qtol: o.flow_tolerance_m3s,
            rq_tol: o.rq_tolerance * GRAD,
            emitter_qexp: 1.0 / o.emitter_exponent,
            emitter_backflow: o.emitter_backflow,
            demand_model: o.demand_model,
            pmin_m: o.minimum_pressure_m,
            preq_m: o.required_pressure_m,
            pexp: o.pressure_exponent,
        }
    }
}

impl HydraulicModel {
    /// Prepares a network for solving.
    pub fn new(net: &Network) -> Result<Self, ModelError> {
        let settings = SolverSettings::from_options(&net.options);
        let mut unknown = vec![None; net.nodes.len()];
        let mut junction_nodes = Vec::new();
        for (i, node) in net.nodes.iter().enumerate() {
            if node.is_junction() {
                unknown[i] = Some(junction_nodes.len());
                junction_nodes.push(i);
            }
        }
        if junction_nodes.len() == net.nodes.len() {
            return Err(ModelError::Empty("reservoir or tank"));
        }

        let ends: Vec<(usize, usize)> =
            net.links.iter().map(|l| (l.from.ix(), l.to.ix())).collect();
        let mut laws = Vec::with_capacity(net.links.len());
        let mut valves = Vec::new();
        let mut control_valves = Vec::new();
        let mut pumps_and_valves = Vec::new();
        for (k, link) in net.links.iter().enumerate() {
            laws.push(link_law(net, k, &settings)?);
            if matches!(link.kind, LinkKind::Valve(_)) {
                valves.push(k);
            }
            if let LinkLaw::Valve {
                valve_type: ValveType::Prv | ValveType::Psv | ValveType::Fcv,
                ..
            } = laws[k]
            {
                control_valves.push(k);
            }
            if !matches!(link.kind, LinkKind::Pipe(_)) {
                pumps_and_valves.push(k);
            }
        }

        let emitter_ke = net
            .nodes
            .iter()
            .map(|n| emitter_ke(n.emitter_coefficient, settings.emitter_qexp))
            .collect();
        let leakage = node_leakage(net);
        let adjacency = Adjacency::new(
            net.nodes.len(),
            net.links.iter().map(|l| (l.from.ix(), l.to.ix())),
        );
        let tanks: Vec<Option<TankLimits>> = net
            .nodes
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Tank(t) => Some(TankLimits {
                    min_head_m: n.elevation_m + t.min_level_m,
                    max_head_m: n.elevation_m + t.max_level_m,
                    can_overflow: t.can_overflow,
                }),
                _ => None,
            })
            .collect();
        let has_leakage = leakage.iter().any(|l| l.cfa > 0.0 || l.cva > 0.0);
        let status_checked = laws
            .iter()
            .zip(&ends)
            .map(|(law, &(a, b))| {
                let checked_law = match law {
                    LinkLaw::Pipe { check_valve, .. } => *check_valve,
                    LinkLaw::Pump(_) => true,
                    LinkLaw::Valve { valve_type, .. } => *valve_type == ValveType::Fcv,
                };
                checked_law || tanks[a].is_some() || tanks[b].is_some()
            })
            .collect();
        Ok(HydraulicModel {
            unknown,
            junction_nodes,
            ends,
            laws,
            initially_closed: net
                .links
                .iter()
                .map(|l| l.initial_status == crate::network::InitialStatus::Closed)
                .collect(),
            diameters: net.links.iter().map(|l| l.diameter_m()).collect(),
            valves,
            control_valves,
            pumps_and_valves,
            emitter_ke,
            leakage,
            has_leakage,
            elevation_m: net.nodes.iter().map(|n| n.elevation_m).collect(),
            tanks,
            storage: super::tanks::TankTable::for_network(net),
            status_checked,
            adjacency,
            is_pump: net
                .links
                .iter()
                .map(|l| matches!(l.kind, LinkKind::Pump(_)))
                .collect(),
            settings,
        })
    }
}

fn link_law(net: &Network, k: usize, settings: &SolverSettings) -> Result<LinkLaw, ModelError> {
    let link = &net.links[k];
    Ok(match &link.kind {
        LinkKind::Pipe(pipe) => {
            let km = MINOR_LOSS_FACTOR * pipe.minor_loss / pipe.diameter_m.powi(4);
            LinkLaw::Pipe {
                friction: pipe_friction(
                    settings.formula,
                    pipe.length_m,
                    pipe.diameter_m,
                    pipe.roughness,
                    net.options.viscosity_m2s,
                    km,
                ),
                check_valve: pipe.check_valve,
            }
        }
        LinkKind::Pump(pump) => {
            LinkLaw::Pump(pump_law(&pump.model, &net.curves).map_err(|source| {
                ModelError::Pump {
                    pump: link.id.clone(),
                    source,
                }
            })?)
        }
        LinkKind::Valve(valve) => {
            let curve = match valve.curve {
                Some(c) => net.curves[c.ix()].points.clone(),
                None if valve.valve_type == ValveType::Gpv => {
                    return Err(ModelError::GpvWithoutCurve {
                        valve: link.id.clone(),
                    })
                }
                None => Vec::new(),
            };
            debug_assert!(valve.curve.is_none_or(|c| {
                let kind = net.curves[c.ix()].kind;
                matches!(
                    kind,
                    CurveKind::Headloss | CurveKind::Valve | CurveKind::Generic
                )
            }));
            LinkLaw::Valve {
                valve_type: valve.valve_type,
                km: MINOR_LOSS_FACTOR * valve.minor_loss / valve.diameter_m.powi(4),
                diameter_m: valve.diameter_m,
                curve,
            }
        }
    })
}

/// The emitter coefficient of the inverted law `h = ke q^qexp` from the
/// discharge law `q = C p^γ` (qexp = 1/γ): `ke = C^(-qexp)`, at least
/// EPANET's CSMALL.
fn emitter_ke(c: f64, qexp: f64) -> f64 {
    if c <= 0.0 {
        return 0.0;
    }
    let floor = CSMALL / GRAD * FT / CFS.powf(qexp);
    c.powf(-qexp).max(floor)
}

/// Distributes each pipe's FAVAD leak (EPANET 2.3 `[LEAKAGE]`) to its end
/// junctions: half to each, or all of it to the junction end when the
/// other end is a tank or reservoir.
///
/// A pipe of length L (file units) with leak area A0 (mm² per 100 length
/// units) and expansion m (mm² per unit head) leaks
/// `Q = Co (L/100) (A0 + m H) √H`, Co = 0.6 √(2g). EPANET evaluates it in
/// ft and cfs with Co = 4.8149866e-6 (including mm² → m²), A0 in ft² and
/// m per ft of head; pipenet keeps those coefficients exactly.
fn node_leakage(net: &Network) -> Vec<NodeLeakage> {
    let units = net.units();
    let c_orifice = 4.8149866e-6;
    let mut sums = vec![NodeLeakage::default(); net.nodes.len()];
    for link in &net.links {
        let LinkKind::Pipe(pipe) = &link.kind else {
            continue;
        };
        if pipe.leak_area_mm2 == 0.0 && pipe.leak_expansion_mm2 == 0.0 {
            continue;
        }
        let (n1, n2) = (link.from.ix(), link.to.ix());
        let (j1, j2) = (net.nodes[n1].is_junction(), net.nodes[n2].is_junction());
        if !j1 && !j2 {
            continue;
        }
        let mut sections = pipe.length_m / units.length / 100.0;
        if j1 && j2 {
            sections *= 0.5;
        }
        let c_area = c_orifice * pipe.leak_area_mm2 / (FT * FT) * sections;
        // The expansion rate is per unit of head in the file's length
        // units; EPANET rescales it to its feet (checked on EPANET 2.3.5).
        let c_expan = c_orifice * pipe.leak_expansion_mm2 * units.length / FT * sections;
        for (n, is_junction) in [(n1, j1), (n2, j2)] {
            if is_junction {
                sums[n].cfa += c_area;
                sums[n].cva += c_expan;
            }
        }
    }
    sums.iter()
        .map(|s| NodeLeakage {
            cfa: if s.cfa > 0.0 {
                1.0 / (s.cfa * s.cfa)
            } else {
                0.0
            },
            cva: if s.cva > 0.0 {
                1.0 / s.cva.powf(2.0 / 3.0)
            } else {
                0.0
            },
        })
        .collect()
}
