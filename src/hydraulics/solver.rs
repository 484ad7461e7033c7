//! The global gradient algorithm (GGA): Newton iterations with EPANET 2.3's status checks.
//!
//! Todini and Pilati's method solves, each trial, a linear system for the
//! junction heads built from every link's head loss `h(Q)` and gradient
//! `g = dh/dQ` (P = 1/g, Y = h/g), then updates flows from the new heads:
//! `Q ← Q − (Y − P ΔH)`. The loop follows EPANET 2.3's `hydsolve` step by
//! step (trial limit, CHECKFREQ/MAXCHECK periodic checks, PRV/PSV checks
//! every trial, DAMPLIMIT, ACCURACY/HEADERROR/FLOWCHANGE tests, a full
//! status check at convergence) so that it stops where EPANET stops.
//!
//! One difference, stated: junctions cut off from every tank and reservoir
//! by closed links are taken out of the equations instead of being left to
//! EPANET's meaningless heads; [`SolveOutcome::disconnected`] names them. A
//! cut-off group that asks for water gets none and sits at its lowest
//! elevation; one that asks for none sits at the mean head across its
//! closed links, the value EPANET's own equations give it in exact
//! arithmetic; links inside either carry no flow.

use std::sync::Arc;

/// Re-markings of cut-off junctions allowed in one solution.
const MAX_REMARKS: u32 = 16;

use super::branches::Branches;
use super::constants::*;
use super::headloss::PipeFriction;
use super::matrix::{Backend, HeadMatrix, MatrixError};
use super::model::{HydraulicModel, LinkLaw};
use super::pumps::{curve_segment, pump_headloss, PumpCoefficients};
use super::status::LinkStatus;
use crate::network::{DemandModel, HeadlossFormula, ValveType};

/// The hydraulic state: heads, flows, statuses and node flows, in SI.
#[derive(Debug, Clone, PartialEq)]
pub struct HydraulicState {
    /// Head at every node, m.
    pub head_m: Vec<f64>,
    /// Flow in every link, m³/s, positive from its start to its end node.
    pub flow_m3s: Vec<f64>,
    /// Status of every link.
    pub status: Vec<LinkStatus>,
    /// Setting of every link: pump speed, valve setting (SI); `None` for
    /// pipes and for valves fixed open or closed.
    pub setting: Vec<Option<f64>>,
    /// Demand asked of every junction at this time, m³/s.
    pub full_demand_m3s: Vec<f64>,
    /// Demand delivered (equal to the full demand unless PDA), m³/s.
    pub demand_flow_m3s: Vec<f64>,
    /// Emitter outflow of every junction, m³/s.
    pub emitter_flow_m3s: Vec<f64>,
    /// Leakage outflow of every junction (FAVAD), m³/s.
    pub leakage_flow_m3s: Vec<f64>,
    /// Fixed-area and variable-area parts of each junction's leakage, m³/s.
    pub(crate) leak_parts: Vec<(f64, f64)>,
    /// Net outflow of every node after a solution (EPANET's `NodeDemand`):
    /// demand + emitter + leakage at junctions; at tanks and reservoirs the
    /// net inflow, negative where a source supplies the network.
    pub node_demand_m3s: Vec<f64>,
    /// Whether each node has a path to a tank or reservoir.
    pub connected: Vec<bool>,
}

/// A junction-pressure control, checked inside the iterations (EPANET `pswitch`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PressureControl {
    pub link: usize,
    pub node: usize,
    /// Head threshold, m (elevation plus pressure threshold).
    pub grade_m: f64,
    /// `true`: act when the head falls to the threshold; `false`: when it rises to it.
    pub below: bool,
    pub action: super::LinkChange,
}

/// How one call of the solver ended.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOutcome {
    /// Trials made.
    pub iterations: u32,
    /// Final relative flow change Σ|ΔQ| / Σ|Q|.
    pub relative_error: f64,
    /// Whether the convergence tests were met.
    pub converged: bool,
    /// Largest flow change of the last trial, m³/s, and the link or node
    /// where it happened.
    pub max_flow_change: (f64, Element),
    /// Junctions cut off from every source, by node index.
    pub disconnected: Vec<usize>,
    /// Valves found to make the equations singular and forced open (EPANET's
    /// `badvalve`), by link index.
    pub forced_valves: Vec<usize>,
    /// Whether the linear system could not be solved at all (EPANET error
    /// 110), with the node at fault.
    pub singular_at: Option<usize>,
}

/// A network element named in a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// A node, by index.
    Node(usize),
    /// A link, by index.
    Link(usize),
    /// Nothing in particular.
    None,
}

/// Marks a missing entry in [`LinkEntries`].
const NO_ENTRY: u32 = u32::MAX;

/// How the trials treat a link, decided once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    /// A pipe, with or without a check valve: its friction law.
    Pipe,
    /// A pump of constant power, whose flow update is limited.
    ConstantPowerPump,
    /// Any other pump, or a valve.
    Other,
}

impl LinkKind {
    fn of(law: &LinkLaw) -> Self {
        match law {
            LinkLaw::Pipe { .. } => LinkKind::Pipe,
            LinkLaw::Pump(pump) if pump.is_constant_power() => LinkKind::ConstantPowerPump,
            _ => LinkKind::Other,
        }
    }
}

/// One link's ends, kind and where its terms go in the head matrix, looked
/// up once so that assembling does no double indirection.
#[derive(Debug, Clone, Copy)]
struct LinkEntries {
    /// The link.
    link: u32,
    /// Start and end nodes.
    start: u32,
    end: u32,
    /// Coefficient index of the off-diagonal pair, or [`NO_ENTRY`] when an
    /// end has a fixed head.
    off_diagonal: u32,
    /// Coefficient index of the start node's diagonal and right-hand side
    /// index of its row, or [`NO_ENTRY`] for a fixed-head start.
    start_diagonal: u32,
    start_rhs: u32,
    /// The same for the end node.
    end_diagonal: u32,
    end_rhs: u32,
    kind: LinkKind,
}

impl LinkEntries {
    /// Looks up the entries of `links` in `matrix`.
    fn of_links(model: &HydraulicModel, matrix: &HeadMatrix, links: &[usize]) -> Vec<LinkEntries> {
        let index = |i: usize| u32::try_from(i).unwrap_or(NO_ENTRY);
        let diagonal =
            |n: usize| model.unknown[n].map_or(NO_ENTRY, |u| index(matrix.diagonal_entry(u)));
        let rhs = |n: usize| model.unknown[n].map_or(NO_ENTRY, |u| index(matrix.rhs_entry(u)));
        let off = |k: usize| {
            matrix
                .link_slot(k)
                .map_or(NO_ENTRY, |s| index(matrix.off_diagonal_entry(s)))
        };
        links
            .iter()
            .map(|&k| (k, model.ends[k]))
            .map(|(k, (n1, n2))| LinkEntries {
                link: index(k),
                start: index(n1),
                end: index(n2),
                off_diagonal: off(k),
                start_diagonal: diagonal(n1),
                start_rhs: rhs(n1),
                end_diagonal: diagonal(n2),
                end_rhs: rhs(n2),
                kind: LinkKind::of(&model.laws[k]),
            })
            .collect()
    }
}

/// The links a set of head equations takes terms from, laid out in the
/// order the trials visit them.
///
/// Every index in `entries` is checked once, when it is built: links below
/// `n_links`, nodes below `n_nodes`, matrix entries inside the matrix's
/// coefficients and right-hand side (or [`NO_ENTRY`] together with their
/// node's diagonal). The per-trial loops rely on that.
struct ActiveLinks {
    /// Each link's ends, kind and matrix entries.
    entries: Vec<LinkEntries>,
    /// Each pipe's friction constants (zero for other links), so that the
    /// head-loss kernel reads them in order.
    friction: Vec<PipeFriction>,
    /// Number of links and nodes of the model, and of coefficients and
    /// right-hand side entries of the matrix, the entries were checked against.
    n_links: usize,
    n_nodes: usize,
    n_values: usize,
    n_rhs: usize,
}

impl ActiveLinks {
    fn new(model: &HydraulicModel, matrix: &HeadMatrix, links: &[usize]) -> Self {
        let no_friction = PipeFriction {
            resistance: 0.0,
            minor_loss: 0.0,
            roughness_term: 0.0,
            transition: (0.0, 0.0),
            reynolds_factor: 0.0,
        };
        let friction = links
            .iter()
            .map(|&k| match &model.laws[k] {
                LinkLaw::Pipe { friction, .. } => *friction,
                _ => no_friction,
            })
            .collect();
        let entries = LinkEntries::of_links(model, matrix, links);
        let (n_links, n_nodes) = (model.ends.len(), model.unknown.len());
        let (n_values, n_rhs) = matrix.entry_counts();
        let inside = |index: u32, len: usize| (index as usize) < len;
        let end_ok = |diagonal: u32, rhs: u32| {
            (diagonal == NO_ENTRY && rhs == NO_ENTRY)
                || (inside(diagonal, n_values) && inside(rhs, n_rhs))
        };
        for e in &entries {
            assert!(
                inside(e.link, n_links)
                    && inside(e.start, n_nodes)
                    && inside(e.end, n_nodes)
                    && (e.off_diagonal == NO_ENTRY || inside(e.off_diagonal, n_values))
                    && end_ok(e.start_diagonal, e.start_rhs)
                    && end_ok(e.end_diagonal, e.end_rhs),
                "link entries inside the model and the matrix"
            );
        }
        ActiveLinks {
            entries,
            friction,
            n_links,
            n_nodes,
            n_values,
            n_rhs,
        }
    }
}

/// A junction whose head a set of head equations solves for.
#[derive(Debug, Clone, Copy)]
struct SystemJunction {
    /// The junction.
    node: u32,
    /// Its unknown, and its row in the right-hand side.
    unknown: u32,
    rhs: u32,
}

/// A branch link that hangs from a junction of the core, with that
/// junction's row in the core's right-hand side.
#[derive(Debug, Clone, Copy)]
struct BranchRoot {
    /// The link, and its place in [`Branches::links`].
    link: u32,
    branch: u32,
    /// The core junction it hangs from, and its right-hand side index.
    parent: u32,
    rhs: u32,
    /// Whether the link runs from the core junction into the branch.
    towards_child: bool,
}

/// One set of head equations: the matrix, the links it takes terms from,
/// and their entries in it.
struct System {
    matrix: HeadMatrix,
    /// The links whose coefficients and flows the trials compute.
    links: ActiveLinks,
    /// The junctions whose heads it solves for, in junction order.
    junctions: Vec<SystemJunction>,
    /// The equations of the core: the branch links that hang from it, in
    /// branch order (none for the whole network's equations).
    branch_roots: Vec<BranchRoot>,
}

impl System {
    /// The equations of the whole network, or of its core: without the
    /// links and junctions of `branches` when given.
    fn new(model: &HydraulicModel, branches: Option<&Branches>) -> Result<Self, MatrixError> {
        let kept = |k: usize| branches.is_none_or(|b| !b.is_branch_link[k]);
        let left_out: Vec<bool> = match branches {
            Some(b) => model
                .junction_nodes
                .iter()
                .map(|&i| b.is_branch_node[i])
                .collect(),
            None => Vec::new(),
        };
        let edges: Vec<Option<(usize, usize)>> = model
            .ends
            .iter()
            .enumerate()
            .map(|(k, &(a, b))| match (model.unknown[a], model.unknown[b]) {
                (Some(i), Some(j)) if i != j && kept(k) => Some((i, j)),
                _ => None,
            })
            .collect();
        let n = model.junction_nodes.len();
        let matrix = HeadMatrix::with_left_out(n, &edges, &left_out, Backend::default())?;
        let links: Vec<usize> = (0..model.ends.len()).filter(|&k| kept(k)).collect();
        let index = |i: usize| u32::try_from(i).unwrap_or(NO_ENTRY);
        let junctions = (model.junction_nodes.iter().enumerate())
            .filter(|&(u, _)| !left_out.get(u).copied().unwrap_or(false))
            .map(|(u, &node)| SystemJunction {
                node: index(node),
                unknown: index(u),
                rhs: index(matrix.rhs_entry(u)),
            })
            .collect();
        let branch_roots = branches.map_or_else(Vec::new, |b| {
            (b.links.iter().enumerate())
                .filter(|(_, link)| !b.is_branch_node[link.parent])
                .filter_map(|(branch, link)| {
                    let unknown = model.unknown[link.parent]?;
                    Some(BranchRoot {
                        link: index(link.link),
                        branch: index(branch),
                        parent: index(link.parent),
                        rhs: index(matrix.rhs_entry(unknown)),
                        towards_child: link.towards_child,
                    })
                })
                .collect()
        });
        Ok(System {
            links: ActiveLinks::new(model, &matrix, &links),
            matrix,
            junctions,
            branch_roots,
        })
    }
}

/// The tree branches of the network (see [`super::branches`]) and their
/// flows in the current solve.
struct BranchFlows {
    branches: Branches,
    /// Each branch link's flow from the demands, m³/s (signed along it).
    flows: Vec<f64>,
    /// Each branch link's flow before the last trial, m³/s.
    flow_before: Vec<f64>,
    /// How far the trials of this solve have set the branch links' flows.
    stage: BranchStage,
    /// Σ|Q| over the branch links once set (the same at every trial).
    flow_sum: f64,
    /// Per-node scratch for summing subtree demands, all zero between uses.
    scratch: Vec<f64>,
}

/// How far the trials of a solve have set the branch links to their
/// subtrees' flows, which stay the same through the solve: after the second
/// trial each one would write again what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BranchStage {
    /// Not yet (or flows may have changed since).
    Fresh,
    /// Once: `flow_before` holds the flows before that.
    Written,
    /// Twice: `flow_before` equals the flows.
    Settled,
}

/// The solver: a model, its matrix and its scratch arrays.
pub(crate) struct Solver {
    model: Arc<HydraulicModel>,
    /// The equations in use: of the whole network, or of its core when
    /// `on_core` (the network without its tree branches).
    system: System,
    on_core: bool,
    /// The other equations, once needed (they are swapped in and out).
    other: Option<System>,
    /// The tree branches, when the network has any.
    branch_flows: Option<BranchFlows>,
    /// Inverse head-loss gradient of each link, m³/s per m.
    p: Vec<f64>,
    /// Head loss over gradient of each link, m³/s.
    y: Vec<f64>,
    /// Flow excess (inflow − outflow) at each node, m³/s.
    xflow: Vec<f64>,
    relax: f64,
    max_flow_change: (f64, Element),
    pub pressure_controls: Vec<PressureControl>,
    /// Scratch for finding cut-off groups: nodes seen, and one group.
    island_seen: Vec<bool>,
    island_group: Vec<usize>,
    /// What the cut-off marks were last computed from (see `link_signature`).
    marked_signature: Vec<u8>,
    /// The statuses the signature was last computed from.
    marked_status: Vec<LinkStatus>,
    /// Pumps and valves: the links whose signature also depends on their
    /// setting (a pipe's depends on its status alone).
    links_with_setting: Vec<usize>,
    /// Scratch stack of the search for connected nodes.
    connected_stack: Vec<usize>,
    /// Scratch: the cut-off marks before a re-marking.
    connected_before: Vec<bool>,
    /// Scratch of the searches around links that stopped (see
    /// `shrink_connected`): the marked nodes at those links, which search
    /// saw each node in which round, the nodes seen, and the queue.
    lost_at: Vec<usize>,
    seen: Vec<u64>,
    seen_round: u32,
    search_visited: Vec<usize>,
    search_queue: std::collections::VecDeque<usize>,
    search_parts: Vec<SearchPart>,
    /// Statuses last logged (trace level only).
    traced_status: Vec<LinkStatus>,
    /// Head each junction of a cut-off group that draws water is pinned at, m.
    pin_head_m: Vec<Option<f64>>,
    /// The same before a re-marking, to tell whether it changed anything.
    pin_head_before: Vec<Option<f64>>,
    /// Junctions of cut-off groups that ask for no water, with the head
    /// they are held at, m.
    floating_pins: Vec<(usize, f64)>,
    /// The closed links that tie those groups to connected nodes, left out
    /// of the connected side's equations while the group floats.
    floating_ties: Vec<usize>,
    /// The junctions `pin_head_m` pins, so that clearing it touches only them.
    pinned: Vec<usize>,
    /// Whether every junction has a path to a tank or reservoir (as of the
    /// last marking): then there is no cut-off group to look for.
    all_connected: bool,
    /// The junctions without such a path (as of the last marking), in
    /// junction order.
    cut_off_junctions: Vec<usize>,
    /// Tanks and reservoirs, whose net inflow each flow update sums.
    fixed_head_nodes: Vec<usize>,
    /// Junctions with an emitter, as (unknown, node), in junction order.
    emitter_junctions: Vec<(usize, usize)>,
    /// Scratch: each active link's `|Q|` raised to its law's power.
    link_powers: Vec<f64>,
    /// Under pressure-dependent demands, the junctions that ask for water
    /// and are not cut off, as (junction number, node, 1 / full demand),
    /// in junction order (as of the last marking; the trials visit only
    /// these).
    pda_junctions: Vec<(usize, usize, f64)>,
    /// Head loss and gradient of each emitter (in `emitter_junctions`
    /// order) and of each junction's leakage, and head loss and inverse
    /// gradient of each junction's pressure-dependent demand (in junction
    /// order), as the assembly computed them: the flow update that follows
    /// uses the same flows, so it reads them here instead of evaluating
    /// the laws again.
    emitter_laws: Vec<(f64, f64)>,
    pda_laws: Vec<(f64, f64)>,
    leakage_laws: Vec<Option<[(f64, f64); 2]>>,
}

impl Solver {
    /// A solver for `model`; builds the matrix pattern once.
    pub fn new(model: Arc<HydraulicModel>) -> Result<Self, MatrixError> {
        let n_nodes = model.unknown.len();
        let n_links = model.ends.len();
        // With tree branches, solves start on the core; the equations of
        // the whole network are only built if a solve needs them.
        let branches = Branches::find(&model);
        let system = System::new(&model, branches.as_ref())?;
        let emitter_junctions: Vec<(usize, usize)> = (model.junction_nodes.iter().enumerate())
            .filter(|&(_, &i)| model.emitter_ke[i] != 0.0)
            .map(|(u, &i)| (u, i))
            .collect();
        let branch_flows = branches.map(|branches| BranchFlows {
            flows: Vec::with_capacity(branches.links.len()),
            flow_before: vec![0.0; branches.links.len()],
            stage: BranchStage::Fresh,
            flow_sum: 0.0,
            scratch: vec![0.0; n_nodes],
            branches,
        });
        Ok(Solver {
            on_core: branch_flows.is_some(),
            system,
            other: None,
            branch_flows,
            p: vec![0.0; n_links],
            y: vec![0.0; n_links],
            xflow: vec![0.0; n_nodes],
            relax: 1.0,
            max_flow_change: (0.0, Element::None),
            pressure_controls: Vec::new(),
            island_seen: vec![false; n_nodes],
            island_group: Vec::with_capacity(n_nodes),
            traced_status: Vec::new(),
            marked_signature: Vec::with_capacity(n_links),
            marked_status: Vec::with_capacity(n_links),
            links_with_setting: (0..n_links)
                .filter(|&k| !matches!(model.laws[k], LinkLaw::Pipe { .. }))
                .collect(),
            connected_stack: Vec::with_capacity(n_nodes),
            lost_at: Vec::new(),
            seen: Vec::new(),
            seen_round: 0,
            search_visited: Vec::new(),
            search_queue: std::collections::VecDeque::new(),
            search_parts: Vec::new(),
            connected_before: Vec::with_capacity(n_nodes),
            pin_head_m: vec![None; n_nodes],
            pin_head_before: vec![None; n_nodes],
            floating_pins: Vec::with_capacity(n_nodes),
            floating_ties: Vec::new(),
            pinned: Vec::new(),
            all_connected: true,
            cut_off_junctions: Vec::new(),
            fixed_head_nodes: (0..n_nodes)
                .filter(|&i| model.unknown[i].is_none())
                .collect(),
            emitter_laws: vec![(0.0, 0.0); emitter_junctions.len()],
            link_powers: Vec::with_capacity(n_links),
            pda_junctions: Vec::with_capacity(model.junction_nodes.len()),
            emitter_junctions,
            pda_laws: vec![(0.0, 0.0); model.junction_nodes.len()],
            leakage_laws: vec![None; model.junction_nodes.len()],
            model,
        })
    }

    /// Solves the network's heads and flows for the current demands and
    /// fixed heads, starting from `state` (EPANET `hydsolve`).
    pub fn solve(&mut self, state: &mut HydraulicState) -> SolveOutcome {
        let model = Arc::clone(&self.model);
        let s = &model.settings;
        let mut next_check = s.check_freq;
        self.relax = 1.0;
        let max_trials = s.max_trials + s.extra_trials.unwrap_or(0);
        let mut outcome = SolveOutcome {
            iterations: 0,
            relative_error: 0.0,
            converged: false,
            max_flow_change: (0.0, Element::None),
            disconnected: Vec::new(),
            forced_valves: Vec::new(),
            singular_at: None,
        };
        self.mark_connected(state);
        self.isolate_disconnected_flows(state);
        if self.choose_system(state).is_err() {
            outcome.singular_at = self.model.junction_nodes.first().copied();
            return outcome;
        }
        let mut remarks = 0;

        let mut iter = 1;
        while iter <= max_trials {
            // Coefficients, assembly, linear solve.
            self.assemble(state);
            let heads = match self.system.matrix.solve() {
                Ok(h) => h,
                Err(MatrixError::NotPositiveDefinite { row }) => {
                    let node = self.model.junction_nodes[row];
                    if let Some(k) = self.bad_valve(state, node) {
                        outcome.forced_valves.push(k);
                        continue;
                    }
                    outcome.singular_at = Some(node);
                    break;
                }
                Err(_) => {
                    outcome.singular_at = self.model.junction_nodes.first().copied();
                    break;
                }
            };
            // Overflowing input (a demand of 1e308, say) gives heads that
            // are not numbers: stop and name the first such junction
            // rather than carry on and report them.
            if let Some(u) = heads.iter().position(|h| !h.is_finite()) {
                outcome.singular_at = Some(self.model.junction_nodes[u]);
                break;
            }
            for j in &self.system.junctions {
                state.head_m[j.node as usize] = heads[j.unknown as usize];
            }

            // Flow update and valve checks.
            let relerr = self.new_flows(state);
            log::debug!(
                "trial {iter}: relative flow change {relerr:.6}, largest change {:.3e} m3/s at {:?}",
                self.max_flow_change.0,
                self.max_flow_change.1
            );
            outcome.iterations = iter;
            outcome.relative_error = relerr;
            self.relax = 1.0;
            let mut valve_change = false;
            if s.damp_limit > 0.0 {
                if relerr <= s.damp_limit {
                    self.relax = 0.6;
                    valve_change = self.valve_status(state);
                }
            } else {
                valve_change = self.valve_status(state);
            }

            // Convergence, then the full status check.
            if self.has_converged(state, relerr) {
                if iter > s.max_trials {
                    outcome.converged = true;
                    break;
                }
                let link_change = self.link_status(state);
                let pressure_change = self.pressure_switch(state);
                let status_change = valve_change || link_change || pressure_change;
                // Status changes during the trials may have cut junctions
                // off (or reconnected them): re-mark, a bounded number of
                // times so that marks cannot cycle forever.
                let cut_changed = remarks < MAX_REMARKS && self.remark_connected(state);
                if cut_changed {
                    remarks += 1;
                }
                if self.on_core && !self.core_still_applies(state) {
                    self.set_branch_heads(state);
                    if self.switch_system().is_err() {
                        outcome.singular_at = self.model.junction_nodes.first().copied();
                        break;
                    }
                }
                if !status_change && !cut_changed {
                    outcome.converged = true;
                    break;
                }
                next_check = iter + s.check_freq;
            } else if iter <= s.max_check && iter == next_check {
                self.link_status(state);
                next_check += s.check_freq;
            }
            self.trace_status_changes(state);
            iter += 1;
        }

        if self.on_core {
            self.set_branch_heads(state);
        }
        self.settle_floating_groups(state);
        self.zero_cut_off_flows(state);
        self.store_node_outflows(state);
        outcome.max_flow_change = self.max_flow_change;
        outcome.disconnected = (0..state.connected.len())
            .filter(|&i| !state.connected[i])
            .collect();
        outcome
    }

    /// Logs, at trace level, the links whose status changed since the last call.
    fn trace_status_changes(&mut self, state: &HydraulicState) {
        if !log::log_enabled!(log::Level::Trace) {
            return;
        }
        if self.traced_status.len() != state.status.len() {
            self.traced_status = state.status.clone();
            return;
        }
        for (k, (&now, was)) in state.status.iter().zip(&mut self.traced_status).enumerate() {
            if now != *was {
                log::trace!("link {k}: {was:?} -> {now:?}");
                *was = now;
            }
        }
    }

    /// Gives the junctions of cut-off groups that ask for no water the mean
    /// head across their closed links from the final heads: the pins of the
    /// trials used the heads of the trial before, and a group cut off at
    /// convergence was never pinned at all.
    fn settle_floating_groups(&mut self, state: &mut HydraulicState) {
        self.find_pinned_groups(state);
        for &(i, head) in &self.floating_pins {
            state.head_m[i] = head;
        }
    }

    /// Sets the flow of every link inside a cut-off part to zero: with no
    /// source and no delivered demand there, whatever flow the last trial
    /// left is only the residue of the iterations (EPANET instead draws the
    /// part's demand through the closed links around it).
    fn zero_cut_off_flows(&self, state: &mut HydraulicState) {
        for (k, &(n1, n2)) in self.model.ends.iter().enumerate() {
            if !state.connected[n1] && !state.connected[n2] {
                state.flow_m3s[k] = 0.0;
            }
        }
        // Nor does a closed link into a part that asks for no water: the
        // trials left it out of its connected end's equation (see
        // `untie_floating_groups`), so the residue they leave in it would
        // break the balance there (a fuzzed network's 8e-7 m³/s at a
        // junction whose only other pipe carried nothing).
        for &k in &self.floating_ties {
            state.flow_m3s[k] = 0.0;
        }
    }

    /// Total outflow of each junction after a solution (EPANET `NodeDemand`).
    fn store_node_outflows(&self, state: &mut HydraulicState) {
        for &i in &self.model.junction_nodes {
            state.node_demand_m3s[i] =
                state.demand_flow_m3s[i] + state.emitter_flow_m3s[i] + state.leakage_flow_m3s[i];
        }
    }

    // ----- coefficients -------------------------------------------------

    /// P and Y of every active link (EPANET `headlosscoeffs`).
    fn headloss_coefficients(&mut self, state: &HydraulicState) {
        let model = &*self.model;
        for e in &self.system.links.entries {
            let k = e.link as usize;
            (self.p[k], self.y[k]) = link_coefficients(model, state, k);
        }
    }

    /// Builds the head equations (EPANET `matrixcoeffs`), with each active
    /// link's P and Y computed on the way (EPANET `headlosscoeffs`).
    fn assemble(&mut self, state: &mut HydraulicState) {
        self.system.matrix.clear();
        self.xflow.iter_mut().for_each(|x| *x = 0.0);
        self.link_terms(state);
        if self.on_core {
            self.branch_terms(state);
        }
        self.emitter_terms(state);
        self.demand_terms(state);
        if self.model.has_leakage {
            self.leakage_terms(state);
        }
        let (_, rhs) = self.system.matrix.entries_mut();
        for j in &self.system.junctions {
            let i = j.node as usize;
            self.xflow[i] -= state.demand_flow_m3s[i];
            rhs[j.rhs as usize] += self.xflow[i];
        }
        self.control_valve_terms(state);
        self.disconnected_terms(state);
    }

    /// Each active link's P and Y, then its conductance `p` between its
    /// ends, its `y` on the right-hand side, fixed heads moved to the
    /// right-hand side, and its flow in the nodes' flow excess (EPANET
    /// `headlosscoeffs` and `linkcoeffs`, in one pass over the links).
    /// Pipes take the friction law here; other links go through
    /// [`link_coefficients`].
    fn link_terms(&mut self, state: &HydraulicState) {
        use super::headloss::{chezy_manning_coefficients, darcy_weisbach_coefficients};
        use super::headloss::{hazen_williams_coefficients, HW_EXPONENT};
        let rq_tol = self.model.settings.rq_tol;
        // One copy of the loop per formula, with the pipes' law inlined.
        match self.model.settings.formula {
            HeadlossFormula::HazenWilliams => {
                self.link_terms_with(state, Some(HW_EXPONENT - 1.0), |pipe, q, q_power| {
                    hazen_williams_coefficients(pipe, q, q_power, rq_tol)
                })
            }
            HeadlossFormula::DarcyWeisbach => self.link_terms_with(state, None, |pipe, q, _| {
                darcy_weisbach_coefficients(pipe, q)
            }),
            HeadlossFormula::ChezyManning => self.link_terms_with(state, None, |pipe, q, _| {
                chezy_manning_coefficients(pipe, q, rq_tol)
            }),
        }
    }

    /// [`Solver::link_terms`] with the open pipes' `P` and `Y` given by
    /// `pipe_coefficients(friction, Q, |Q|^power)`; the powers, when the
    /// law has one, are taken for all links at once beforehand (see
    /// [`super::powers::pow_in_place`]).
    #[inline(always)]
    fn link_terms_with(
        &mut self,
        state: &HydraulicState,
        power: Option<f64>,
        pipe_coefficients: impl Fn(&PipeFriction, f64, f64) -> (f64, f64),
    ) {
        let model = &*self.model;
        let links = &self.system.links;
        let (values, rhs) = self.system.matrix.entries_mut();
        let (p_all, y_all, xflow) = (&mut self.p[..], &mut self.y[..], &mut self.xflow[..]);
        let (flow, head, status) = (&state.flow_m3s[..], &state.head_m[..], &state.status[..]);
        // The lengths the entries were checked against (`ActiveLinks`),
        // which make the unchecked indexing below sound.
        assert!(
            [flow.len(), status.len(), p_all.len(), y_all.len()] == [links.n_links; 4]
                && [head.len(), xflow.len()] == [links.n_nodes; 2]
                && (values.len(), rhs.len()) == (links.n_values, links.n_rhs),
            "state and matrix of the sizes the links were laid out for"
        );
        // |Q|^power of every link in entry order (its capacity, once
        // grown to the larger system's, is kept).
        let powers = &mut self.link_powers;
        if let Some(power) = power {
            powers.clear();
            // SAFETY: as below.
            powers.extend(
                (links.entries.iter())
                    .map(|e| unsafe { flow.get_unchecked(e.link as usize) }.abs()),
            );
            super::powers::pow_in_place(powers, power);
        } else {
            // Unread: only its length matters (no pass over it per trial).
            powers.resize(links.entries.len(), 0.0);
        }
        // First every link's P and Y, in a loop of independent iterations
        // (the head loss's divisions overlap from link to link), then
        // their terms.
        for ((e, friction), &q_power) in links.entries.iter().zip(&links.friction).zip(&*powers) {
            let k = e.link as usize;
            // SAFETY: `k` was checked against the lengths asserted above.
            unsafe {
                let q = *flow.get_unchecked(k);
                let (p, y) = match e.kind {
                    LinkKind::Pipe if !status.get_unchecked(k).is_closed() => {
                        pipe_coefficients(friction, q, q_power)
                    }
                    LinkKind::Pipe => closed(q),
                    _ => link_coefficients(model, state, k),
                };
                *p_all.get_unchecked_mut(k) = p;
                *y_all.get_unchecked_mut(k) = y;
            }
        }
        for e in &links.entries {
            let k = e.link as usize;
            // SAFETY: every index comes from `e`, checked against the
            // lengths asserted above; NO_ENTRY indices are never used.
            unsafe {
                let (p, y) = (*p_all.get_unchecked(k), *y_all.get_unchecked(k));
                if p == 0.0 {
                    continue;
                }
                let q = *flow.get_unchecked(k);
                let (n1, n2) = (e.start as usize, e.end as usize);
                *xflow.get_unchecked_mut(n1) -= q;
                *xflow.get_unchecked_mut(n2) += q;
                if e.off_diagonal != NO_ENTRY {
                    *values.get_unchecked_mut(e.off_diagonal as usize) += -p;
                }
                if e.start_rhs != NO_ENTRY {
                    *values.get_unchecked_mut(e.start_diagonal as usize) += p;
                    *rhs.get_unchecked_mut(e.start_rhs as usize) += y;
                } else if e.end_rhs != NO_ENTRY {
                    *rhs.get_unchecked_mut(e.end_rhs as usize) += p * *head.get_unchecked(n1);
                }
                if e.end_rhs != NO_ENTRY {
                    *values.get_unchecked_mut(e.end_diagonal as usize) += p;
                    *rhs.get_unchecked_mut(e.end_rhs as usize) += -y;
                } else if e.start_rhs != NO_ENTRY {
                    *rhs.get_unchecked_mut(e.start_rhs as usize) += p * *head.get_unchecked(n2);
                }
            }
        }
    }

    fn emitter_terms(&mut self, state: &HydraulicState) {
        for (e, &(u, i)) in self.emitter_junctions.iter().enumerate() {
            if !state.connected[i] {
                continue;
            }
            let (h, g) = self.emitter_headloss(i, state.emitter_flow_m3s[i]);
            self.emitter_laws[e] = (h, g);
            self.system.matrix.add_diagonal(u, 1.0 / g);
            self.system
                .matrix
                .add_rhs(u, (h + self.model.elevation_m[i]) / g);
            self.xflow[i] -= state.emitter_flow_m3s[i];
        }
    }

    /// Head loss `h = ke q^qexp` of an emitter and its gradient, linear
    /// near zero flow, with a barrier against backflow when it is not allowed.
    fn emitter_headloss(&self, i: usize, q: f64) -> (f64, f64) {
        let s = &self.model.settings;
        let ke = self.model.emitter_ke[i];
        let mut g = s.emitter_qexp * ke * q.abs().powf(s.emitter_qexp - 1.0);
        let mut h = if g < s.rq_tol {
            g = s.rq_tol / s.emitter_qexp;
            g * q
        } else {
            g * q / s.emitter_qexp
        };
        if !s.emitter_backflow {
            add_lower_barrier(q, &mut h, &mut g);
        }
        (h, g)
    }

    fn demand_terms(&mut self, state: &HydraulicState) {
        let s = &self.model.settings;
        if s.demand_model == DemandModel::Dda {
            return;
        }
        for &(u, i, per_full) in &self.pda_junctions {
            let (h, g) = self.pda_headloss(state, i, per_full);
            let p = 1.0 / g;
            self.pda_laws[u] = (h, p);
            if g > 0.0 {
                self.system.matrix.add_diagonal(u, p);
                self.system
                    .matrix
                    .add_rhs(u, (h + self.model.elevation_m[i] + s.pmin_m) * p);
            }
        }
    }

    /// The inverted PDA law, `h = (Preq − Pmin) (D / Dfull)^(1/Pexp)`, and
    /// its gradient, with barriers at D = 0 and D = Dfull (EPANET 2.3).
    ///
    /// With the common pressure exponent 0.5, `1/Pexp − 1` is exactly 1 and
    /// `r^1` is `r` itself, so the power is skipped.
    #[inline(always)]
    fn pda_headloss(&self, state: &HydraulicState, i: usize, per_full: f64) -> (f64, f64) {
        let s = &self.model.settings;
        let dp = s.preq_m - s.pmin_m;
        let n = 1.0 / s.pexp;
        let d = state.demand_flow_m3s[i];
        let dfull = state.full_demand_m3s[i];
        let r = d.abs() * per_full;
        let r_power = if n == 2.0 { r } else { r.powf(n - 1.0) };
        let mut g = n * dp * r_power * per_full;
        let mut h = g * d * s.pexp;
        add_lower_barrier(d, &mut h, &mut g);
        add_upper_barrier(d - dfull, &mut h, &mut g);
        (h, g)
    }

    fn leakage_terms(&mut self, state: &HydraulicState) {
        for (u, &i) in self.model.junction_nodes.iter().enumerate() {
            let laws = self.leakage_headloss(state, i);
            self.leakage_laws[u] = laws;
            let Some([(hfa, gfa), (hva, gva)]) = laws else {
                continue;
            };
            if gfa > 0.0 {
                self.system.matrix.add_diagonal(u, 1.0 / gfa);
                self.system
                    .matrix
                    .add_rhs(u, (hfa + self.model.elevation_m[i]) / gfa);
            }
            if gva > 0.0 {
                self.system.matrix.add_diagonal(u, 1.0 / gva);
                self.system
                    .matrix
                    .add_rhs(u, (hva + self.model.elevation_m[i]) / gva);
            }
            let (qfa, qva) = state.leak_parts[i];
            self.xflow[i] -= qfa + qva;
        }
    }

    /// Head loss and gradient of a junction's two equivalent leakage
    /// emitters, `h = cfa q²` and `h = cva q^(2/3)` (EPANET 2.3 leakage.c,
    /// evaluated in ft and cfs as EPANET defines the coefficients).
    fn leakage_headloss(&self, state: &HydraulicState, i: usize) -> Option<[(f64, f64); 2]> {
        let leak = self.model.leakage[i];
        if (leak.cfa == 0.0 && leak.cva == 0.0) || !state.connected[i] {
            return None;
        }
        let (qfa, qva) = state.leak_parts[i];
        let part = |q: f64, c: f64, exponent: f64| {
            if c == 0.0 {
                return (0.0, 0.0);
            }
            let q_us = q / CFS;
            let n = 1.0 / exponent;
            let mut g = n * c * q_us.abs().powf(n - 1.0);
            let mut h = g * q_us / n;
            // The barrier works in ft and cfs here; convert after.
            let a = 1e9 * q_us;
            let b = (a * a + 1e-6).sqrt();
            h += (a - b) / 2.0;
            g += (1e9 / 2.0) * (1.0 - a / b);
            (h * FT, g * GRAD)
        };
        Some([part(qfa, leak.cfa, 0.5), part(qva, leak.cva, 1.5)])
    }

    /// Terms of PRVs, PSVs and FCVs that control (EPANET `valvecoeffs`).
    fn control_valve_terms(&mut self, state: &mut HydraulicState) {
        let model = Arc::clone(&self.model);
        let m = &*model;
        for &k in &m.control_valves {
            let Some((valve_type, km, setting)) = valve_with_setting(m, state, k) else {
                continue;
            };
            let (n1, n2) = m.ends[k];
            let q = state.flow_m3s[k];
            let active = state.status[k] == LinkStatus::Active;
            match valve_type {
                ValveType::Prv if active => {
                    let hset = self.model.elevation_m[n2] + setting;
                    self.p[k] = 0.0;
                    self.y[k] = q + self.xflow[n2];
                    if let Some(j) = m.unknown[n2] {
                        self.system.matrix.add_rhs(j, hset * BIG_CONDUCTANCE);
                        self.system.matrix.add_diagonal(j, BIG_CONDUCTANCE);
                    }
                    if self.xflow[n2] < 0.0 {
                        if let Some(i) = m.unknown[n1] {
                            self.system.matrix.add_rhs(i, self.xflow[n2]);
                        }
                    }
                }
                ValveType::Psv if active => {
                    let hset = self.model.elevation_m[n1] + setting;
                    self.p[k] = 0.0;
                    self.y[k] = q - self.xflow[n1];
                    if let Some(i) = m.unknown[n1] {
                        self.system.matrix.add_rhs(i, hset * BIG_CONDUCTANCE);
                        self.system.matrix.add_diagonal(i, BIG_CONDUCTANCE);
                    }
                    if self.xflow[n1] > 0.0 {
                        if let Some(j) = m.unknown[n2] {
                            self.system.matrix.add_rhs(j, self.xflow[n1]);
                        }
                    }
                    self.add_link_conductance(k, 1.0 / CBIG, 0.0);
                }
                ValveType::Fcv if active => {
                    self.xflow[n1] -= setting;
                    self.xflow[n2] += setting;
                    self.y[k] = q - setting;
                    if let Some(i) = m.unknown[n1] {
                        self.system.matrix.add_rhs(i, -setting);
                    }
                    if let Some(j) = m.unknown[n2] {
                        self.system.matrix.add_rhs(j, setting);
                    }
                    self.p[k] = 1.0 / CBIG;
                    self.add_link_conductance(k, self.p[k], 0.0);
                }
                ValveType::Prv | ValveType::Psv | ValveType::Fcv => {
                    let (p, y) = valve_coefficients(state.status[k], km, q, m.settings.rq_tol);
                    self.p[k] = p;
                    self.y[k] = y;
                    self.add_link_conductance(k, p, y - q);
                }
                _ => {}
            }
        }
    }

    /// Adds conductance `p` between a link's ends, with `rhs` flowing out of
    /// its start node into its end node.
    fn add_link_conductance(&mut self, k: usize, p: f64, rhs: f64) {
        let (n1, n2) = self.model.ends[k];
        if let Some(slot) = self.system.matrix.link_slot(k) {
            self.system.matrix.add_off_diagonal(slot, -p);
        }
        if let Some(i) = self.model.unknown[n1] {
            self.system.matrix.add_diagonal(i, p);
            self.system.matrix.add_rhs(i, rhs);
        }
        if let Some(j) = self.model.unknown[n2] {
            self.system.matrix.add_diagonal(j, p);
            self.system.matrix.add_rhs(j, -rhs);
        }
    }

    // ----- tree branches ------------------------------------------------

    /// Chooses the equations for this solve: the core's when the branches
    /// behave as [`super::branches`] assumes (every branch pipe open, every
    /// branch junction reached from a source, no pressure control watching
    /// a branch junction or switching a branch pipe), with the branch flows
    /// set from the demands; the whole network's otherwise. Fails only if
    /// the equations not yet built cannot be.
    fn choose_system(&mut self, state: &HydraulicState) -> Result<(), MatrixError> {
        let Some(bf) = self.branch_flows.as_mut() else {
            return Ok(());
        };
        let branches = &bf.branches;
        let applies = branches
            .links
            .iter()
            .all(|b| state.status[b.link] == LinkStatus::Open && state.connected[b.child])
            && self
                .pressure_controls
                .iter()
                .all(|c| !branches.is_branch_node[c.node] && !branches.is_branch_link[c.link]);
        bf.stage = BranchStage::Fresh;
        if applies {
            branches.subtree_flows(&state.full_demand_m3s, &mut bf.scratch, &mut bf.flows);
            for (before, b) in bf.flow_before.iter_mut().zip(&branches.links) {
                *before = state.flow_m3s[b.link];
            }
        }
        if applies != self.on_core {
            self.switch_system()?;
        }
        Ok(())
    }

    /// Whether the branches still behave as assumed after a re-marking of
    /// the cut-off junctions.
    fn core_still_applies(&self, state: &HydraulicState) -> bool {
        self.branch_flows
            .as_ref()
            .is_some_and(|bf| bf.branches.links.iter().all(|b| state.connected[b.child]))
    }

    /// Swaps the equations in use for the other ones (core or whole
    /// network), building those the first time.
    fn switch_system(&mut self) -> Result<(), MatrixError> {
        let mut other = match self.other.take() {
            Some(system) => system,
            None => {
                let branches = match (&self.branch_flows, self.on_core) {
                    (Some(bf), false) => Some(&bf.branches),
                    _ => None,
                };
                System::new(&self.model, branches)?
            }
        };
        std::mem::swap(&mut self.system, &mut other);
        self.other = Some(other);
        self.on_core = !self.on_core;
        Ok(())
    }

    /// Gives the branch junctions their heads and the branch pipes their
    /// coefficients at the end of trials on the core, outward from the
    /// core: each link's head loss is that of the last trial's linear
    /// equation, (Q_new − Q_before + y) / p, which is h(Q) once the flow
    /// has settled.
    fn set_branch_heads(&mut self, state: &mut HydraulicState) {
        let model = Arc::clone(&self.model);
        let s = &model.settings;
        let Some(bf) = self.branch_flows.as_ref() else {
            return;
        };
        for (b, &q_before) in bf.branches.links.iter().zip(&bf.flow_before).rev() {
            let k = b.link;
            let LinkLaw::Pipe { friction, .. } = &model.laws[k] else {
                continue;
            };
            let (h, g) = super::headloss::pipe_headloss(s.formula, friction, q_before, s.rq_tol);
            let (p, y) = (1.0 / g, h / g);
            self.p[k] = p;
            self.y[k] = y;
            let start_minus_end = (state.flow_m3s[k] - q_before + y) / p;
            state.head_m[b.child] = if b.towards_child {
                state.head_m[b.parent] - start_minus_end
            } else {
                state.head_m[b.parent] + start_minus_end
            };
        }
    }

    /// The branch links' part of the head equations: at each core junction
    /// a branch hangs from, the branch link's flow in its flow excess and
    /// the subtree's demand in place of the link's terms (the exact
    /// elimination of the branch). Branch junctions have no row in the
    /// core's equations (their flow excess is not used either); their heads
    /// are set after the trials.
    fn branch_terms(&mut self, state: &HydraulicState) {
        let Some(bf) = self.branch_flows.as_ref() else {
            return;
        };
        let (_, rhs) = self.system.matrix.entries_mut();
        for root in &self.system.branch_roots {
            let q = state.flow_m3s[root.link as usize];
            let flow = bf.flows[root.branch as usize];
            let (q_out, subtree) = if root.towards_child {
                (q, flow)
            } else {
                (-q, -flow)
            };
            self.xflow[root.parent as usize] -= q_out;
            rhs[root.rhs as usize] += q_out - subtree;
        }
    }

    /// Sets each branch link to its subtree's flow, remembering the flow
    /// before; returns Σ|Q| and Σ|ΔQ| over the branch links.
    fn branch_flows(&mut self, state: &mut HydraulicState) -> (f64, f64) {
        let Some(mut bf) = self.branch_flows.take() else {
            return (0.0, 0.0);
        };
        // Setting them again changes nothing: every ΔQ is zero and Σ|Q| is
        // what it was, summed in the same order.
        match bf.stage {
            BranchStage::Fresh => bf.stage = BranchStage::Written,
            stage => {
                if stage == BranchStage::Written {
                    bf.flow_before.copy_from_slice(&bf.flows);
                    bf.stage = BranchStage::Settled;
                }
                let flow_sum = bf.flow_sum;
                self.branch_flows = Some(bf);
                return (flow_sum, 0.0);
            }
        }
        let (mut qsum, mut dqsum) = (0.0, 0.0);
        for ((b, &flow), before) in bf
            .branches
            .links
            .iter()
            .zip(&bf.flows)
            .zip(&mut bf.flow_before)
        {
            let dq = state.flow_m3s[b.link] - flow;
            *before = state.flow_m3s[b.link];
            state.flow_m3s[b.link] = flow;
            qsum += flow.abs();
            dqsum += dq.abs();
            self.note_change(dq, Element::Link(b.link));
        }
        bf.flow_sum = qsum;
        self.branch_flows = Some(bf);
        (qsum, dqsum)
    }

    // ----- flow update --------------------------------------------------

    /// New link, emitter, demand and leakage flows from the new heads;
    /// returns Σ|ΔQ| / Σ|Q| (EPANET `newflows`).
    fn new_flows(&mut self, state: &mut HydraulicState) -> f64 {
        let model = Arc::clone(&self.model);
        let m = &*model;
        let (mut qsum, mut dqsum) = (0.0, 0.0);
        self.max_flow_change = (0.0, Element::Link(0));
        for &i in &self.fixed_head_nodes {
            state.node_demand_m3s[i] = 0.0;
        }

        let (mut largest, mut largest_at) = self.max_flow_change;
        let links = &self.system.links;
        let (p_all, y_all, relax) = (&self.p[..], &self.y[..], self.relax);
        let (flow, head, status) = (
            &mut state.flow_m3s[..],
            &state.head_m[..],
            &state.status[..],
        );
        let node_demand = &mut state.node_demand_m3s[..];
        // As in `link_terms`: the lengths the entries were checked against.
        assert!(
            [flow.len(), status.len(), p_all.len(), y_all.len()] == [links.n_links; 4]
                && [head.len(), node_demand.len()] == [links.n_nodes; 2],
            "state of the size the links were laid out for"
        );
        for e in &links.entries {
            let (k, n1, n2) = (e.link as usize, e.start as usize, e.end as usize);
            // SAFETY: `k`, `n1` and `n2` were checked against the lengths
            // asserted above.
            unsafe {
                let dh = *head.get_unchecked(n1) - *head.get_unchecked(n2);
                let mut dq = (*y_all.get_unchecked(k) - *p_all.get_unchecked(k) * dh) * relax;
                let flow_k = flow.get_unchecked_mut(k);
                if e.kind == LinkKind::ConstantPowerPump && dq > *flow_k {
                    dq = *flow_k / 2.0;
                }
                *flow_k -= dq;
                let q = *flow_k;
                qsum += q.abs();
                dqsum += dq.abs();
                if dq.abs() > largest {
                    (largest, largest_at) = (dq.abs(), Element::Link(k));
                }
                if !status.get_unchecked(k).is_closed() {
                    if e.start_rhs == NO_ENTRY {
                        *node_demand.get_unchecked_mut(n1) -= q;
                    }
                    if e.end_rhs == NO_ENTRY {
                        *node_demand.get_unchecked_mut(n2) += q;
                    }
                }
            }
        }
        self.max_flow_change = (largest, largest_at);
        if self.on_core {
            let (branch_q, branch_dq) = self.branch_flows(state);
            qsum += branch_q;
            dqsum += branch_dq;
        }

        for e in 0..self.emitter_junctions.len() {
            let (_, i) = self.emitter_junctions[e];
            if !state.connected[i] {
                continue;
            }
            let (h, g) = self.emitter_laws[e];
            let dq = (h - (state.head_m[i] - self.model.elevation_m[i])) / g * self.relax;
            state.emitter_flow_m3s[i] -= dq;
            qsum += state.emitter_flow_m3s[i].abs();
            dqsum += dq.abs();
            self.note_change(dq, Element::Node(i));
        }

        if m.settings.demand_model == DemandModel::Pda {
            for e in 0..self.pda_junctions.len() {
                let (u, i, _) = self.pda_junctions[e];
                let full = state.full_demand_m3s[i];
                let (h, p) = self.pda_laws[u];
                let dh = state.head_m[i] - self.model.elevation_m[i] - m.settings.pmin_m;
                let mut dq = (h - dh) * p * self.relax;
                if dq.abs() > 0.4 * full {
                    dq = 0.4 * dq.signum() * full;
                }
                state.demand_flow_m3s[i] -= dq;
                qsum += state.demand_flow_m3s[i].abs();
                dqsum += dq.abs();
                self.note_change(dq, Element::Node(i));
            }
        }

        if m.has_leakage {
            for (u, &i) in m.junction_nodes.iter().enumerate() {
                let Some([(hfa, gfa), (hva, gva)]) = self.leakage_laws[u] else {
                    continue;
                };
                let pressure = state.head_m[i] - self.model.elevation_m[i];
                let (mut qfa, mut qva) = state.leak_parts[i];
                let mut dq = 0.0;
                if gfa > 0.0 {
                    let d = (hfa - pressure) / gfa * self.relax;
                    qfa -= d;
                    dq += d;
                }
                if gva > 0.0 {
                    let d = (hva - pressure) / gva * self.relax;
                    qva -= d;
                    dq += d;
                }
                state.leak_parts[i] = (qfa, qva);
                state.leakage_flow_m3s[i] = qfa + qva;
                qsum += state.leakage_flow_m3s[i].abs();
                dqsum += dq.abs();
                self.note_change(dq, Element::Node(i));
            }
        }

        if !(qsum.is_finite() && dqsum.is_finite()) {
            return f64::INFINITY; // never converged
        }
        // EPANET compares the flow total, in cfs, with ACCURACY itself.
        if qsum / CFS > m.settings.accuracy {
            dqsum / qsum
        } else {
            dqsum / CFS
        }
    }

    fn note_change(&mut self, dq: f64, element: Element) {
        if dq.abs() > self.max_flow_change.0 {
            self.max_flow_change = (dq.abs(), element);
        }
    }

    // ----- convergence --------------------------------------------------

    /// EPANET 2.3 `hasconverged`.
    fn has_converged(&mut self, state: &HydraulicState, relerr: f64) -> bool {
        let model = Arc::clone(&self.model);
        let s = &model.settings;
        if relerr > s.accuracy {
            return false;
        }
        if s.head_error_m > 0.0 && self.max_head_error(state) > s.head_error_m {
            return false;
        }
        if s.flow_change_m3s > 0.0 && self.max_flow_change.0 > s.flow_change_m3s {
            return false;
        }
        if self.model.has_leakage && !self.leakage_converged(state) {
            return false;
        }
        if s.demand_model == DemandModel::Pda {
            return self.pda_converged(state);
        }
        true
    }

    /// Largest |ΔH − h(Q)| over open links, m (EPANET `checkhydbalance`).
    fn max_head_error(&mut self, state: &HydraulicState) -> f64 {
        self.headloss_coefficients(state);
        let mut worst = 0.0f64;
        for k in 0..self.p.len() {
            if state.status[k].is_closed() || self.p[k] == 0.0 {
                continue;
            }
            let (n1, n2) = self.model.ends[k];
            let dh = state.head_m[n1] - state.head_m[n2];
            worst = worst.max((dh - self.y[k] / self.p[k]).abs());
        }
        worst
    }

    fn pda_converged(&self, state: &HydraulicState) -> bool {
        let s = &self.model.settings;
        let dp = s.preq_m - s.pmin_m;
        self.model.junction_nodes.iter().all(|&i| {
            let full = state.full_demand_m3s[i];
            if full <= 0.0 || !state.connected[i] {
                return true;
            }
            let p = state.head_m[i] - self.model.elevation_m[i];
            let q = if p <= s.pmin_m {
                0.0
            } else if p >= s.preq_m {
                full
            } else {
                full * ((p - s.pmin_m) / dp).powf(s.pexp)
            };
            (q - state.demand_flow_m3s[i]).abs() <= DEMAND_QTOL
        })
    }

    fn leakage_converged(&self, state: &HydraulicState) -> bool {
        self.model.junction_nodes.iter().all(|&i| {
            let leak = self.model.leakage[i];
            if leak.cfa == 0.0 && leak.cva == 0.0 || !state.connected[i] {
                return true;
            }
            let h = (state.head_m[i] - self.model.elevation_m[i]) / FT;
            let mut q_ref = 0.0;
            if h > 0.0 {
                if leak.cfa > 0.0 {
                    q_ref = (h / leak.cfa).sqrt();
                }
                if leak.cva > 0.0 {
                    q_ref += (h / leak.cva).powf(1.5);
                }
            }
            (q_ref * CFS - state.leakage_flow_m3s[i]).abs() <= DEMAND_QTOL
        })
    }

    // ----- status checks ------------------------------------------------

    /// PRV and PSV status (EPANET `valvestatus`); true if any changed.
    fn valve_status(&self, state: &mut HydraulicState) -> bool {
        let model = Arc::clone(&self.model);
        let m = &*model;
        let mut changed = false;
        for &k in &m.control_valves {
            let Some((valve_type, km, setting)) = valve_with_setting(m, state, k) else {
                continue;
            };
            let (n1, n2) = m.ends[k];
            let (h1, h2) = (state.head_m[n1], state.head_m[n2]);
            let old = state.status[k];
            let hml = km * state.flow_m3s[k] * state.flow_m3s[k];
            let q = state.flow_m3s[k];
            let new = match valve_type {
                ValveType::Prv => super::valves::prv_status(
                    old,
                    self.model.elevation_m[n2] + setting,
                    h1,
                    h2,
                    hml,
                    q,
                    &m.settings,
                ),
                ValveType::Psv => super::valves::psv_status(
                    old,
                    self.model.elevation_m[n1] + setting,
                    h1,
                    h2,
                    hml,
                    q,
                    &m.settings,
                ),
                _ => continue,
            };
            if new != old {
                log::debug!("valve {k}: {old:?} -> {new:?}");
                state.status[k] = new;
                changed = true;
            }
        }
        changed
    }

    /// Status of check valves, pumps, FCVs and links to full or empty tanks
    /// (EPANET `linkstatus`); true if any changed.
    fn link_status(&self, state: &mut HydraulicState) -> bool {
        let model = Arc::clone(&self.model);
        let m = &*model;
        let s = &m.settings;
        let mut changed = false;
        for k in 0..m.ends.len() {
            let old = state.status[k];
            if !m.status_checked[k] {
                // Only the reopening below applies to this link.
                if matches!(old, LinkStatus::XHead | LinkStatus::TempClosed) {
                    state.status[k] = LinkStatus::Open;
                    log::debug!("link {k}: {old:?} -> {:?}", state.status[k]);
                    changed = true;
                }
                continue;
            }
            let (n1, n2) = m.ends[k];
            let dh = state.head_m[n1] - state.head_m[n2];
            let q = state.flow_m3s[k];
            if matches!(old, LinkStatus::XHead | LinkStatus::TempClosed) {
                state.status[k] = LinkStatus::Open;
            }
            match &m.laws[k] {
                LinkLaw::Pipe {
                    check_valve: true, ..
                } => {
                    state.status[k] = super::valves::check_valve_status(state.status[k], dh, q, s);
                }
                LinkLaw::Pump(law) => {
                    let speed = state.setting[k].unwrap_or(1.0);
                    if state.status[k] >= LinkStatus::Open && speed > 0.0 {
                        state.status[k] = super::pumps::pump_status(law, speed, -dh, q, s);
                    }
                }
                LinkLaw::Valve {
                    valve_type: ValveType::Fcv,
                    km,
                    ..
                } => {
                    if let Some(setting) = state.setting[k] {
                        state.status[k] = super::valves::fcv_status(old, setting, dh, q, *km, s);
                    }
                }
                _ => {}
            }
            if self.model.tanks[n1].is_some() || self.model.tanks[n2].is_some() {
                self.tank_status(state, k);
            }
            if state.status[k] != old {
                log::debug!("link {k}: {old:?} -> {:?}", state.status[k]);
                changed = true;
            }
        }
        changed
    }

    /// Closes a link that adds water to a full tank or takes it from an
    /// empty one (EPANET 2.3 `tankstatus`): the test is on the link's flow
    /// direction at the tank, checked at each end that is a tank, with no
    /// head tolerance; a tank that may overflow is never full.
    fn tank_status(&self, state: &mut HydraulicState, k: usize) {
        let (a, b) = self.model.ends[k];
        let q = state.flow_m3s[k];
        // Flow out of the tank at each end: +q at the start, −q at the end.
        for (node, q_out) in [(a, q), (b, -q)] {
            if state.status[k].is_closed() {
                return;
            }
            let Some(tank) = self.model.tanks[node] else {
                continue;
            };
            let head = state.head_m[node];
            let fills_full = head >= tank.max_head_m && !tank.can_overflow && q_out < 0.0;
            let drains_empty = head <= tank.min_head_m && q_out > 0.0;
            if fills_full || drains_empty {
                state.status[k] = LinkStatus::TempClosed;
            }
        }
    }

    /// Junction-pressure controls (EPANET `pswitch`); true if any acted.
    fn pressure_switch(&self, state: &mut HydraulicState) -> bool {
        let mut changed = false;
        for c in &self.pressure_controls {
            let h = state.head_m[c.node];
            let s = &self.model.settings;
            let fires = if c.below {
                h <= c.grade_m + s.htol
            } else {
                h >= c.grade_m - s.htol
            };
            if fires && super::apply_link_change(&self.model, state, c.link, c.action) {
                changed = true;
            }
        }
        changed
    }

    /// A control valve at `node` that made the matrix singular is forced
    /// out of control (EPANET `badvalve`); returns it.
    fn bad_valve(&self, state: &mut HydraulicState, node: usize) -> Option<usize> {
        for &k in &self.model.valves {
            let (n1, n2) = self.model.ends[k];
            if node != n1 && node != n2 {
                continue;
            }
            let LinkLaw::Valve { valve_type, .. } = &self.model.laws[k] else {
                return None;
            };
            if matches!(valve_type, ValveType::Prv | ValveType::Psv | ValveType::Fcv)
                && state.status[k] == LinkStatus::Active
            {
                state.status[k] = if *valve_type == ValveType::Fcv {
                    LinkStatus::XFcv
                } else {
                    LinkStatus::XPressure
                };
                return Some(k);
            }
            return None;
        }
        None
    }

    // ----- disconnected parts -------------------------------------------

    /// Marks the nodes with a path to a tank or reservoir through links
    /// that can pass flow (the controlled node of an active PRV or PSV
    /// counts as a source, since the valve fixes its head).
    /// Returns whether the marking changed.
    fn mark_connected(&mut self, state: &mut HydraulicState) -> bool {
        // The marks depend only on which links pass water and which valves
        // fix a head: when none of that changed, neither did the marks.
        // When links only started to pass water or to fix a head, the
        // marks can only grow: a search from the junctions just reached
        // finds every new one (each new path to a source leaves the marked
        // part through such a link or starts at such a valve). When links
        // only stopped, the marks can only shrink, and only in the parts
        // around them (`shrink_connected`). Both at once: the search from
        // every source.
        let model = Arc::clone(&self.model);
        let m = &*model;
        let mut signature = std::mem::take(&mut self.marked_signature);
        let mut marked_status = std::mem::take(&mut self.marked_status);
        let mut stack = std::mem::take(&mut self.connected_stack);
        let mut lost_at = std::mem::take(&mut self.lost_at);
        stack.clear();
        lost_at.clear();
        let first = signature.len() != m.ends.len();
        let (mut gains, mut losses, mut lost_source) = (false, false, false);
        if first {
            signature.clear();
            signature.extend((0..m.ends.len()).map(|k| self.link_signature(state, k)));
            marked_status.clone_from(&state.status);
        } else {
            // Only links whose status changed, and pumps and valves, can
            // have a new signature. `stack` collects the nodes newly
            // reached through those that gained, `lost_at` the marked
            // nodes next to those that lost.
            let mut update = |k: usize, signature: &mut [u8]| {
                let now = self.link_signature(state, k);
                let was = &mut signature[k];
                let (gained, lost) = (now & !*was, *was & !now);
                *was = now;
                let (a, b) = m.ends[k];
                let connected = &state.connected;
                gains |= gained != 0;
                losses |= lost != 0;
                if gained & 1 != 0 && connected[a] != connected[b] {
                    stack.push(if connected[a] { b } else { a });
                }
                if gained & 2 != 0 {
                    stack.extend(head_fixing_node(m, k).filter(|&i| !connected[i]));
                }
                if lost & 1 != 0 {
                    lost_at.extend([a, b].into_iter().filter(|&i| connected[i]));
                }
                if lost & 2 != 0 {
                    let node = head_fixing_node(m, k);
                    lost_source |= node.is_some();
                    lost_at.extend(node.filter(|&i| connected[i]));
                }
            };
            for (k, (&now, was)) in state.status.iter().zip(&mut marked_status).enumerate() {
                if now != *was {
                    *was = now;
                    update(k, &mut signature);
                }
            }
            for &k in &self.links_with_setting {
                update(k, &mut signature);
            }
        }
        self.marked_signature = signature;
        self.marked_status = marked_status;
        let changed = if first || (gains && losses) {
            self.search_from_sources(state, &mut stack)
        } else if gains && !stack.is_empty() {
            self.spread_connected(state, &mut stack);
            true
        } else if losses && !lost_at.is_empty() {
            match self.shrink_connected(state, &lost_at, lost_source) {
                Some(changed) => changed,
                None => self.search_from_sources(state, &mut stack),
            }
        } else {
            false
        };
        self.connected_stack = stack;
        self.lost_at = lost_at;
        if first || changed {
            self.cut_off_junctions.clear();
            let cut_off = m.junction_nodes.iter().filter(|&&i| !state.connected[i]);
            self.cut_off_junctions.extend(cut_off);
            self.all_connected = self.cut_off_junctions.is_empty();
        }
        changed
    }

    /// The sources of the search for connected nodes: tanks, reservoirs,
    /// and the nodes whose head a PRV or PSV fixes at present.
    fn sources<'a>(&'a self, state: &'a HydraulicState) -> impl Iterator<Item = usize> + 'a {
        let valves = (self.model.control_valves.iter())
            .filter(move |&&k| self.link_signature(state, k) & 2 != 0);
        let valve_nodes = valves.filter_map(|&k| head_fixing_node(&self.model, k));
        self.fixed_head_nodes.iter().copied().chain(valve_nodes)
    }

    /// Marks anew the nodes with a path to a source; returns whether the
    /// marks changed.
    fn search_from_sources(&mut self, state: &mut HydraulicState, stack: &mut Vec<usize>) -> bool {
        let mut before = std::mem::take(&mut self.connected_before);
        before.clone_from(&state.connected);
        stack.clear();
        state.connected.iter_mut().for_each(|c| *c = false);
        stack.extend(self.sources(state));
        self.spread_connected(state, stack);
        let changed = state.connected != before;
        self.connected_before = before;
        changed
    }

    /// The marks after links stopped passing water or fixing a head (and
    /// none started), from searches around `lost_at`, the marked nodes at
    /// those links. A part of the network without such a node keeps its
    /// marks: a node's path to a source that crossed a stopped link passed
    /// the node at its near end first. A part with one stays marked if it
    /// holds a source, and is cut off if not. The searches from all of
    /// `lost_at` go breadth first together, so that small parts are seen
    /// whole while a large one is still being searched; a part stops being
    /// searched at its first source. When every part seen whole lacks a
    /// source and one part is left (and no valve stopped fixing a head),
    /// that part holds a source: each of its nodes had a path to one,
    /// which could only leave the part through a stopped link into a part
    /// without a way out but the stopped links. Returns whether the marks
    /// changed, or `None` when the searches saw more than an eighth of the
    /// nodes (then the search from every source is as cheap).
    fn shrink_connected(
        &mut self,
        state: &mut HydraulicState,
        lost_at: &[usize],
        lost_source: bool,
    ) -> Option<bool> {
        let m = Arc::clone(&self.model);
        let n = state.connected.len();
        let budget = (n / 8).max(64);
        // seen[i] = round·2³² + search number; a fresh round each call
        // leaves older entries stale without clearing them.
        if self.seen.len() != n || self.seen_round == u32::MAX {
            self.seen.clear();
            self.seen.resize(n, 0);
            self.seen_round = 0;
        }
        self.seen_round += 1;
        let round = u64::from(self.seen_round);
        const SOURCE: u32 = u32::MAX;
        let label = |seen: u64| (seen >> 32 == round).then_some(seen as u32);
        let mut seen = std::mem::take(&mut self.seen);
        for i in self.sources(state) {
            seen[i] = round << 32 | u64::from(SOURCE);
        }
        // The searches as parts: merged when they meet (union-find), each
        // with its nodes still queued and whether it holds a source.
        let parts = &mut self.search_parts;
        parts.clear();
        let mut queue = std::mem::take(&mut self.search_queue);
        queue.clear();
        let mut visited = std::mem::take(&mut self.search_visited);
        visited.clear();
        for &start in lost_at {
            match label(seen[start]) {
                Some(SOURCE) => parts.push(SearchPart::at_source(parts.len() as u32)),
                Some(_) => continue,
                None => {
                    let id = parts.len() as u32;
                    parts.push(SearchPart::new(id));
                    seen[start] = round << 32 | u64::from(id);
                    visited.push(start);
                    queue.push_back(start);
                }
            }
        }
        let concluded = loop {
            // The parts (roots) still searched, and whether any found a source.
            let roots = (parts.iter().enumerate()).filter(|&(p, part)| part.root as usize == p);
            let (mut open_parts, mut sourced) = (0, false);
            for (_, part) in roots {
                open_parts += usize::from(!part.sourced && part.queued > 0);
                sourced |= part.sourced;
            }
            if open_parts == 0 || (open_parts == 1 && !sourced && !lost_source) {
                break true;
            }
            let Some(i) = queue.pop_front() else {
                break true;
            };
            let id = SearchPart::find(parts, label(seen[i]).unwrap_or(0));
            parts[id as usize].queued -= 1;
            let was_open = !parts[id as usize].sourced;
            if was_open {
                for (k, j) in m.adjacency.of(i) {
                    if self.marked_signature[k] & 1 == 0 {
                        continue;
                    }
                    let id = SearchPart::find(parts, id);
                    match label(seen[j]) {
                        Some(SOURCE) => parts[id as usize].sourced = true,
                        Some(other) => SearchPart::merge(parts, id, other),
                        None => {
                            seen[j] = round << 32 | u64::from(id);
                            visited.push(j);
                            queue.push_back(j);
                            parts[id as usize].queued += 1;
                        }
                    }
                }
            }
            if visited.len() > budget {
                break false;
            }
        };
        let changed = concluded.then(|| {
            let mut changed = false;
            for &i in &visited {
                let id = SearchPart::find(parts, label(seen[i]).unwrap_or(0));
                let part = &parts[id as usize];
                if !part.sourced && part.queued == 0 {
                    state.connected[i] = false;
                    changed = true;
                }
            }
            changed
        });
        self.seen = seen;
        self.search_visited = visited;
        self.search_queue = queue;
        changed
    }

    /// Marks connected the nodes of `stack` and every node they reach
    /// through links that pass water; empties `stack`.
    fn spread_connected(&self, state: &mut HydraulicState, stack: &mut Vec<usize>) {
        for &i in stack.iter() {
            state.connected[i] = true;
        }
        while let Some(i) = stack.pop() {
            for (k, j) in self.model.adjacency.of(i) {
                // Bit 0 of the signature: the link passes water.
                if !state.connected[j] && self.marked_signature[k] & 1 != 0 {
                    state.connected[j] = true;
                    stack.push(j);
                }
            }
        }
    }

    /// What of link `k` the cut-off marks depend on: whether it passes
    /// water (bit 0) and whether it is a valve fixing a head (bit 1).
    #[inline]
    fn link_signature(&self, state: &HydraulicState, k: usize) -> u8 {
        let fixes_head = state.status[k] == LinkStatus::Active && state.setting[k].is_some();
        u8::from(self.passable(state, k)) | (u8::from(fixes_head) << 1)
    }

    #[inline]
    fn passable(&self, state: &HydraulicState, k: usize) -> bool {
        !state.status[k].is_closed()
            && (!self.model.is_pump[k] || state.setting[k].unwrap_or(1.0) > 0.0)
    }

    /// Whether a junction takes water: a non-zero demand, an emitter or a leak.
    fn draws_water(&self, state: &HydraulicState, i: usize) -> bool {
        let leak = self.model.leakage[i];
        state.full_demand_m3s[i] != 0.0
            || self.model.emitter_ke[i] > 0.0
            || leak.cfa > 0.0
            || leak.cva > 0.0
    }

    /// Zeroes the outflows of junctions cut off from every source and sets
    /// the delivered demand of the others where no iteration varies it;
    /// lists those whose pressure-dependent demand the trials solve for.
    /// Called when a solve starts and whenever the marks change: nothing
    /// else writes those flows during the trials.
    fn isolate_disconnected_flows(&mut self, state: &mut HydraulicState) {
        let pda = self.model.settings.demand_model == DemandModel::Pda;
        self.pda_junctions.clear();
        for (u, &i) in self.model.junction_nodes.iter().enumerate() {
            if pda && state.connected[i] && state.full_demand_m3s[i] > 0.0 {
                self.pda_junctions
                    .push((u, i, 1.0 / state.full_demand_m3s[i]));
            }
            if !state.connected[i] {
                state.demand_flow_m3s[i] = 0.0;
                state.emitter_flow_m3s[i] = 0.0;
                state.leakage_flow_m3s[i] = 0.0;
                state.leak_parts[i] = (0.0, 0.0);
            } else if self.model.settings.demand_model == DemandModel::Dda
                || state.full_demand_m3s[i] <= 0.0
            {
                state.demand_flow_m3s[i] = state.full_demand_m3s[i];
            }
        }
    }

    /// Finds the cut-off groups and the heads their junctions are pinned at,
    /// in scratch buffers kept by the solver. Groups follow the current
    /// statuses, so they are found again each trial.
    ///
    /// A group that would draw water it cannot get is pinned at the
    /// elevation of its lowest junction (recorded in `pin_head_m`), so it
    /// reads as depressurised. A group that asks for no water has no
    /// physical head at all; EPANET leaves it to the closed links around
    /// it, whose equal tiny conductances (1/CBIG) would hold it, in exact
    /// arithmetic, at the mean head of the nodes across those links. The
    /// elimination of such a weakly tied group is so ill-conditioned that
    /// the head EPANET and pipenet actually compute depends on rounding
    /// (pipenet's own factorisations put wntr/ky10's I-RV-4 anywhere from
    /// 772 to 873 ft), so it is pinned at that mean instead (recorded in
    /// `floating_pins`), a value that does not depend on the arithmetic;
    /// the closed links across which it is measured go to `floating_ties`
    /// (see [`Solver::untie_floating_groups`]). A group with a running
    /// pump inside, whose heads differ across the pump, is left to the
    /// closed links.
    fn find_pinned_groups(&mut self, state: &HydraulicState) {
        let model = Arc::clone(&self.model);
        let m = &*model;
        for &i in &self.pinned {
            self.pin_head_m[i] = None;
        }
        self.pinned.clear();
        self.floating_pins.clear();
        self.floating_ties.clear();
        if self.all_connected {
            return;
        }
        // `seen` is all false between calls; a search only reaches
        // junctions cut off, which are all reset at the end.
        let mut seen = std::mem::take(&mut self.island_seen);
        let mut group = std::mem::take(&mut self.island_group);
        for &start in &self.cut_off_junctions {
            if seen[start] {
                continue;
            }
            group.clear();
            group.push(start);
            seen[start] = true;
            let mut next = 0;
            let mut pump_inside = false;
            let (mut head_sum, mut ties) = (0.0, 0usize);
            let group_ties_from = self.floating_ties.len();
            while next < group.len() {
                let i = group[next];
                next += 1;
                for (k, j) in m.adjacency.of(i) {
                    if state.connected[j] {
                        head_sum += state.head_m[j];
                        ties += 1;
                        self.floating_ties.push(k);
                    } else if self.passable(state, k) {
                        pump_inside |= m.is_pump[k];
                        if !seen[j] {
                            seen[j] = true;
                            group.push(j);
                        }
                    }
                }
            }
            let draws_water = group.iter().any(|&i| self.draws_water(state, i));
            if draws_water || pump_inside {
                self.floating_ties.truncate(group_ties_from);
            }
            if draws_water {
                let head = group
                    .iter()
                    .map(|&i| m.elevation_m[i])
                    .fold(f64::INFINITY, f64::min);
                for &i in &group {
                    self.pin_head_m[i] = Some(head);
                }
                self.pinned.extend_from_slice(&group);
            } else if ties > 0 && !pump_inside {
                let head = head_sum / ties as f64;
                self.floating_pins.extend(group.iter().map(|&i| (i, head)));
            }
        }
        for &i in &self.cut_off_junctions {
            seen[i] = false;
        }
        self.island_seen = seen;
        self.island_group = group;
    }

    /// Pins the junctions of cut-off groups at the heads
    /// [`Solver::find_pinned_groups`] gives them, with a huge conductance
    /// to that head, which also keeps the matrix well conditioned, and
    /// unties the groups that ask for no water from the connected side.
    fn disconnected_terms(&mut self, state: &HydraulicState) {
        self.find_pinned_groups(state);
        let model = Arc::clone(&self.model);
        let pin_head_m = &self.pin_head_m;
        let pins = self
            .pinned
            .iter()
            .filter_map(|&i| pin_head_m[i].map(|h| (i, h)));
        for (i, head) in pins.chain(self.floating_pins.iter().copied()) {
            if let Some(u) = model.unknown[i] {
                self.system.matrix.add_diagonal(u, BIG_CONDUCTANCE);
                self.system.matrix.add_rhs(u, head * BIG_CONDUCTANCE);
            }
        }
        self.untie_floating_groups(state);
    }

    /// Takes the closed links that tie a floating group (one that asks
    /// for no water) to connected nodes out of the connected side's
    /// equations.
    ///
    /// In EPANET's equations such a group is held only by those links'
    /// conductances 1/CBIG, so a group with one tie just follows its
    /// neighbour, and eliminating the group leaves the neighbour's
    /// equation as if the link were not there (the Schur complement of a
    /// one-tie group is zero; with several ties it is a conductance of
    /// order 1/CBIG between the neighbours, which is dropped). Left in
    /// against the pin, the link would pull the neighbour towards the
    /// pin, which follows the neighbour's head of the trial before: where
    /// the neighbour has no other tie but an active PSV's own 1/CBIG, that
    /// feedback diverges. A closed link's Y is its flow, so its
    /// right-hand side terms cancel already: only its conductance `p`, on
    /// the connected node's diagonal and between the two ends, is removed.
    fn untie_floating_groups(&mut self, state: &HydraulicState) {
        for &k in &self.floating_ties {
            let (n1, n2) = self.model.ends[k];
            let connected_end = if state.connected[n1] { n1 } else { n2 };
            let p = self.p[k];
            if let Some(slot) = self.system.matrix.link_slot(k) {
                self.system.matrix.add_off_diagonal(slot, p);
            }
            if let Some(u) = self.model.unknown[connected_end] {
                self.system.matrix.add_diagonal(u, -p);
            }
        }
    }

    /// Re-marks the junctions cut off from every source after status
    /// changes; returns whether the equations change, that is whether the
    /// set of junctions pinned for drawing water, or their heads, changed,
    /// or a zero-demand group held at a floating pin in the last trial is
    /// connected again. A zero-demand group that becomes cut off costs no
    /// trial: holding it at the mean head across its closed links changes
    /// no flow elsewhere. One that is reconnected does: the last trial's
    /// flows into it went to its pin, which is now gone.
    fn remark_connected(&mut self, state: &mut HydraulicState) -> bool {
        if !self.mark_connected(state) {
            return false;
        }
        self.isolate_disconnected_flows(state);
        if let Some(bf) = self.branch_flows.as_mut() {
            bf.stage = BranchStage::Fresh;
        }
        let reconnected = self.floating_pins.iter().any(|&(i, _)| state.connected[i]);
        let mut before = std::mem::take(&mut self.pin_head_before);
        before.clone_from(&self.pin_head_m);
        self.find_pinned_groups(state);
        let changed = reconnected || before != self.pin_head_m;
        self.pin_head_before = before;
        changed
    }
}

/// P and Y of link `k` at its current flow, status and setting (EPANET
/// `headlosscoeffs` for one link): 1/g and h/g from its head loss `h` and
/// gradient `g`, a huge resistance when closed, and (0, 0) for a PRV, PSV
/// or FCV with its setting in force, whose terms come later.
fn link_coefficients(model: &HydraulicModel, state: &HydraulicState, k: usize) -> (f64, f64) {
    let s = &model.settings;
    let q = state.flow_m3s[k];
    let status = state.status[k];
    match &model.laws[k] {
        LinkLaw::Pipe { friction, .. } => {
            if status.is_closed() {
                closed(q)
            } else {
                let (h, g) = super::headloss::pipe_headloss(s.formula, friction, q, s.rq_tol);
                (1.0 / g, h / g)
            }
        }
        LinkLaw::Pump(law) => {
            let speed = state.setting[k].unwrap_or(1.0);
            if status.is_closed() || speed == 0.0 {
                closed(q)
            } else {
                match pump_headloss(law, speed, q, s.rq_tol) {
                    PumpCoefficients::Law(h, g) => (1.0 / g, h / g),
                    PumpCoefficients::Closed => closed(q),
                    PumpCoefficients::Open => (1.0 / CSMALL, q),
                }
            }
        }
        LinkLaw::Valve {
            valve_type,
            km,
            diameter_m,
            curve,
        } => {
            let setting = state.setting[k];
            match valve_type {
                ValveType::Prv | ValveType::Psv | ValveType::Fcv => match setting {
                    None => valve_coefficients(status, *km, q, s.rq_tol),
                    Some(_) => (0.0, 0.0),
                },
                ValveType::Pbv => pbv_coefficients(status, *km, setting, q, s.rq_tol),
                ValveType::Tcv => {
                    let km = match setting {
                        Some(k_loss) => MINOR_LOSS_FACTOR * k_loss / diameter_m.powi(4),
                        None => *km,
                    };
                    valve_coefficients(status, km, q, s.rq_tol)
                }
                ValveType::Pcv => {
                    let km = match setting {
                        Some(open_pct) => pcv_loss_coefficient(*km, curve, open_pct),
                        None => *km,
                    };
                    valve_coefficients(status, km, q, s.rq_tol)
                }
                ValveType::Gpv => {
                    if status == LinkStatus::Closed {
                        valve_coefficients(status, *km, q, s.rq_tol)
                    } else {
                        gpv_coefficients(curve, q)
                    }
                }
            }
        }
    }
}

/// A valve's type, open-valve minor loss and setting, if it has a setting
/// in force (not fixed open or closed).
fn valve_with_setting(
    m: &HydraulicModel,
    state: &HydraulicState,
    k: usize,
) -> Option<(ValveType, f64, f64)> {
    let setting = state.setting[k]?;
    match &m.laws[k] {
        LinkLaw::Valve { valve_type, km, .. } => Some((*valve_type, *km, setting)),
        _ => None,
    }
}

/// One search of [`Solver::shrink_connected`], or the part of the
/// network it found, merged with those it met.
#[derive(Debug, Clone, Copy)]
struct SearchPart {
    /// The search it merged into (its own index in the list if none).
    root: u32,
    /// Its nodes waiting in the queue (counted at the root).
    queued: usize,
    /// Whether it reached a source (at the root).
    sourced: bool,
}

impl SearchPart {
    fn new(id: u32) -> Self {
        SearchPart {
            root: id,
            queued: 1,
            sourced: false,
        }
    }

    /// A search that starts at a source: nothing to search.
    fn at_source(id: u32) -> Self {
        SearchPart {
            root: id,
            queued: 0,
            sourced: true,
        }
    }

    /// The root of part `id`.
    fn find(parts: &mut [SearchPart], mut id: u32) -> u32 {
        while parts[id as usize].root != id {
            let up = parts[id as usize].root;
            parts[id as usize].root = parts[up as usize].root;
            id = up;
        }
        id
    }

    /// Merges the parts of `a` and `b`, which met.
    fn merge(parts: &mut [SearchPart], a: u32, b: u32) {
        let (a, b) = (Self::find(parts, a), Self::find(parts, b));
        if a != b {
            let moved = parts[b as usize];
            parts[b as usize].root = a;
            parts[a as usize].queued += moved.queued;
            parts[a as usize].sourced |= moved.sourced;
        }
    }
}

/// The node whose head valve `k` fixes while its setting is in force (a
/// PRV's downstream end, a PSV's upstream end), which the search for
/// connected nodes counts as a source; `None` for other links.
fn head_fixing_node(m: &HydraulicModel, k: usize) -> Option<usize> {
    let (n1, n2) = m.ends[k];
    match &m.laws[k] {
        LinkLaw::Valve {
            valve_type: ValveType::Prv,
            ..
        } => Some(n2),
        LinkLaw::Valve {
            valve_type: ValveType::Psv,
            ..
        } => Some(n1),
        _ => None,
    }
}

/// P and Y of a closed link: a huge resistance.
#[inline]
fn closed(q: f64) -> (f64, f64) {
    (1.0 / CBIG, q)
}

/// P and Y of an open, closed or throttled valve with minor loss `km`
/// (EPANET `valvecoeff`): `h = km Q²`, or a tiny linear resistance when km = 0.
pub(crate) fn valve_coefficients(status: LinkStatus, km: f64, q: f64, rq_tol: f64) -> (f64, f64) {
    if status.is_closed() {
        return closed(q);
    }
    if km > 0.0 {
        let mut g = 2.0 * km * q.abs();
        let h = if g < rq_tol {
            g = rq_tol / 2.0;
            q * g
        } else {
            q * g / 2.0
        };
        (1.0 / g, h / g)
    } else {
        (1.0 / CSMALL, q)
    }
}

/// P and Y of a pressure breaker valve: the head loss is its setting,
/// unless the open valve's own loss is larger.
fn pbv_coefficients(
    status: LinkStatus,
    km: f64,
    setting: Option<f64>,
    q: f64,
    rq: f64,
) -> (f64, f64) {
    match setting {
        Some(h_set) if h_set != 0.0 && km * q * q <= h_set => {
            (BIG_CONDUCTANCE, h_set * BIG_CONDUCTANCE)
        }
        _ => valve_coefficients(status, km, q, rq),
    }
}

/// P and Y of a general purpose valve from the segment of its head-loss
/// curve that contains the flow.
fn gpv_coefficients(curve: &[(f64, f64)], q: f64) -> (f64, f64) {
    let qa = q.abs().max(TINY_FLOW);
    let (h0, r) = curve_segment(curve, qa);
    let r = r.max(1e-6 * GRAD);
    (1.0 / r, (h0 / r + qa) * q.signum())
}

/// Minor loss of a positional control valve `open_pct` percent open
/// (EPANET 2.3 `pcvlosscoeff`): `km = km_open / (Kv/Kvo)²`, with Kv/Kvo
/// from the valve curve (% open → % of fully open Kv), linear without one.
pub(crate) fn pcv_loss_coefficient(km_open: f64, curve: &[(f64, f64)], open_pct: f64) -> f64 {
    if open_pct >= 100.0 {
        return km_open;
    }
    if open_pct <= 0.0 {
        return CBIG;
    }
    let kv_ratio = if curve.is_empty() {
        open_pct
    } else {
        let (x0, y0) = curve[0];
        let (xn, yn) = curve[curve.len() - 1];
        if open_pct < x0 {
            open_pct / x0 * y0
        } else if open_pct > xn {
            (open_pct - xn) / (1.0 - xn) * (1.0 - yn) + yn
        } else {
            let (h0, r) = curve_segment(curve, open_pct);
            h0 + r * open_pct
        }
    };
    let kv_ratio = (kv_ratio / 100.0).clamp(1e-6, 1.0);
    (km_open / (kv_ratio * kv_ratio)).min(CBIG)
}
