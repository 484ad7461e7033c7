//! System flow balance over a run: inflow, demands, deficit, emitters, leakage and storage (EPANET 2.3).
//!
//! EPANET 2.3 (`flowbalance.c`) splits each solution's flows into what
//! enters the network (reservoirs and tanks giving water, negative
//! junction demands), what leaves it (consumer demands, emitters, leakage,
//! reservoirs taking water) and the net flow into tanks, holds them over
//! the hydraulic step that follows, and reports their volume over the run
//! divided by the run's length: average flows. A single-period run
//! (duration 0) weights its one solution as one second; its tanks still
//! count as storage (EPANET 2.3.5 does so, although its `flowbalance.c`
//! of June 2024 counts them as reservoirs then).

use super::HydraulicState;
use crate::network::{DemandModel, Network, NodeKind};

/// EPANET's `TINY` as a flow, 1e-6 cfs in m³/s: smaller deficits are not counted.
const TINY_DEFICIT_M3S: f64 = super::constants::TINY_FLOW;

/// The flow balance of a run: average flows, m³/s, as EPANET 2.3's
/// "Hydraulic Flow Balance" reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FlowBalance {
    /// Flow into the network from reservoirs (and from tanks in a
    /// single-period run) and from negative junction demands, m³/s.
    pub total_inflow_m3s: f64,
    /// Demand delivered to consumers, m³/s.
    pub consumer_demand_m3s: f64,
    /// Demand asked for but not delivered under pressure-driven analysis, m³/s.
    pub demand_deficit_m3s: f64,
    /// Emitter outflow, m³/s.
    pub emitter_flow_m3s: f64,
    /// Leakage outflow (FAVAD), m³/s.
    pub leakage_flow_m3s: f64,
    /// Consumer demand + emitter + leakage flow + flow into reservoirs, m³/s.
    pub total_outflow_m3s: f64,
    /// Net flow into tanks, m³/s (negative when tanks supply the network).
    pub storage_flow_m3s: f64,
    /// Outflow over inflow, storage counted on the side it acts on: a
    /// filling tank adds to the outflow, a draining one to the inflow.
    pub ratio: f64,
}

impl FlowBalance {
    /// Adds `other` × `weight` to every flow (not the ratio).
    fn add_scaled(&mut self, other: &FlowBalance, weight: f64) {
        self.total_inflow_m3s += other.total_inflow_m3s * weight;
        self.consumer_demand_m3s += other.consumer_demand_m3s * weight;
        self.demand_deficit_m3s += other.demand_deficit_m3s * weight;
        self.emitter_flow_m3s += other.emitter_flow_m3s * weight;
        self.leakage_flow_m3s += other.leakage_flow_m3s * weight;
        self.total_outflow_m3s += other.total_outflow_m3s * weight;
        self.storage_flow_m3s += other.storage_flow_m3s * weight;
    }

    /// The flows of one solution (EPANET `updateflowbalance`), for nodes
    /// of these `roles`; deficits count under pressure-driven analysis
    /// (`pda`) only.
    fn of_solution(roles: &[BalanceRole], pda: bool, state: &HydraulicState) -> Self {
        let mut b = FlowBalance::default();
        // Every array cut to the nodes' count, so that indexing needs no checks.
        let n = roles.len();
        let node_outflow = &state.node_demand_m3s[..n];
        let demand_flow = &state.demand_flow_m3s[..n];
        let full_demand = &state.full_demand_m3s[..n];
        let emitter_flow = &state.emitter_flow_m3s[..n];
        let leakage_flow = &state.leakage_flow_m3s[..n];
        for (i, &role) in roles.iter().enumerate() {
            let net_outflow = node_outflow[i];
            match role {
                BalanceRole::Junction => {
                    let demand = demand_flow[i];
                    if demand < 0.0 {
                        b.total_inflow_m3s -= demand;
                    } else {
                        b.consumer_demand_m3s += demand;
                        b.total_outflow_m3s += demand;
                    }
                    // Most junctions neither emit nor leak: adding their
                    // zeros would change no sum (a sum that starts at +0
                    // never becomes -0, and x + 0 = x for every other x),
                    // and leaving them out halves the chain of additions
                    // to the total outflow.
                    let (emitter, leakage) = (emitter_flow[i], leakage_flow[i]);
                    if emitter != 0.0 || leakage != 0.0 {
                        b.emitter_flow_m3s += emitter;
                        b.leakage_flow_m3s += leakage;
                        b.total_outflow_m3s += emitter + leakage;
                    }
                    let full = full_demand[i];
                    let deficit = full - demand;
                    if pda && full > 0.0 && deficit > TINY_DEFICIT_M3S {
                        b.demand_deficit_m3s += deficit;
                    }
                }
                BalanceRole::Tank => b.storage_flow_m3s += net_outflow,
                BalanceRole::Reservoir if net_outflow >= 0.0 => b.total_outflow_m3s += net_outflow,
                BalanceRole::Reservoir => b.total_inflow_m3s -= net_outflow,
            }
        }
        b
    }

    /// Sets the ratio (EPANET `endflowbalance`): outflow / inflow, a
    /// filling storage added to the outflow and a draining one to the
    /// inflow; 1 when they are equal, 0 without inflow.
    fn with_ratio(mut self) -> Self {
        let mut inflow = self.total_inflow_m3s;
        let mut outflow = self.total_outflow_m3s;
        if self.storage_flow_m3s > 0.0 {
            outflow += self.storage_flow_m3s;
        } else {
            inflow -= self.storage_flow_m3s;
        }
        self.ratio = if inflow == outflow {
            1.0
        } else if inflow > 0.0 {
            outflow / inflow
        } else {
            0.0
        };
        self
    }
}

/// What a node is to the flow balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BalanceRole {
    Junction,
    Tank,
    Reservoir,
}

/// EPANET's flow balance accounting over a simulation: volumes, m³.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct BalanceLedger {
    /// Each node's role, in node order: a byte a node, read at every
    /// solution instead of the network's nodes.
    roles: Vec<BalanceRole>,
    /// Whether demands are pressure-driven, so that deficits count.
    pda: bool,
    /// The flows of the solution last observed, m³/s.
    current: FlowBalance,
    /// Flow × time sums, m³.
    volumes_m3: FlowBalance,
}

impl BalanceLedger {
    /// An empty ledger for the nodes of `net`.
    pub fn new(net: &Network) -> Self {
        let roles = net
            .nodes
            .iter()
            .map(|node| match node.kind {
                NodeKind::Junction(_) => BalanceRole::Junction,
                NodeKind::Tank(_) => BalanceRole::Tank,
                NodeKind::Reservoir(_) => BalanceRole::Reservoir,
            })
            .collect();
        BalanceLedger {
            roles,
            pda: net.options.demand_model == DemandModel::Pda,
            ..BalanceLedger::default()
        }
    }

    /// Records the flows of the solution `state`.
    pub fn observe(&mut self, state: &HydraulicState) {
        self.current = FlowBalance::of_solution(&self.roles, self.pda, state);
    }

    /// Adds the flows last observed, held over `seconds`.
    pub fn add(&mut self, seconds: f64) {
        self.volumes_m3.add_scaled(&self.current, seconds);
    }

    /// The average flows over `seconds` of run (1 s if 0), with their ratio.
    pub fn summary(&self, seconds: f64) -> FlowBalance {
        let seconds = if seconds > 0.0 { seconds } else { 1.0 };
        let mut average = FlowBalance::default();
        average.add_scaled(&self.volumes_m3, 1.0 / seconds);
        average.with_ratio()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flows(inflow: f64, outflow: f64, storage: f64) -> FlowBalance {
        FlowBalance {
            total_inflow_m3s: inflow,
            total_outflow_m3s: outflow,
            storage_flow_m3s: storage,
            ..FlowBalance::default()
        }
    }

    #[test]
    fn ratio_puts_storage_on_the_side_it_acts_on() {
        // Net1 by EPANET 2.3.5: inflow 1052.159, outflow 1100, storage -47.841 gpm.
        let r = flows(1052.159, 1100.0, -47.841).with_ratio().ratio;
        assert!((r - 1.0).abs() < 1e-12);
        // Filling tanks: 10 in, 7 out, 2 stored: (7 + 2) / 10.
        assert!((flows(10.0, 7.0, 2.0).with_ratio().ratio - 0.9).abs() < 1e-12);
        // Draining tanks: 6 in, 9 out, 2 drawn: 9 / (6 + 2).
        assert!((flows(6.0, 9.0, -2.0).with_ratio().ratio - 9.0 / 8.0).abs() < 1e-12);
        assert_eq!(flows(0.0, 0.0, 0.0).with_ratio().ratio, 1.0);
        assert_eq!(flows(0.0, 3.0, 0.0).with_ratio().ratio, 0.0);
    }

    #[test]
    fn a_solution_splits_into_inflow_outflow_and_storage() {
        // J1 asks 5 and gets 3 (PDA), leaks 0.5, emits 0.25; J2 is a
        // source of 2 (negative demand); R1 gives 4; R2 takes 1; T1 takes the remaining 1.25.
        let text = "[JUNCTIONS]\n J1 0\n J2 0\n[RESERVOIRS]\n R1 10\n R2 5\n\
                    [TANKS]\n T1 0 2 0 4 10\n[PIPES]\n P1 R1 J1 10 100 100\n\
                    P2 J1 J2 10 100 100\n P3 J2 R2 10 100 100\n P4 J2 T1 10 100 100\n\
                    [OPTIONS]\n Demand Model PDA\n[END]\n";
        let net = crate::inp::read_str(text, "t.inp").unwrap().network;
        let ix = |id: &str| net.node_ix(id).unwrap().ix();
        let n = net.nodes.len();
        let mut state = HydraulicState {
            head_m: vec![0.0; n],
            flow_m3s: vec![0.0; net.links.len()],
            status: vec![super::super::LinkStatus::Open; net.links.len()],
            setting: vec![None; net.links.len()],
            full_demand_m3s: vec![0.0; n],
            demand_flow_m3s: vec![0.0; n],
            emitter_flow_m3s: vec![0.0; n],
            leakage_flow_m3s: vec![0.0; n],
            leak_parts: vec![(0.0, 0.0); n],
            node_demand_m3s: vec![0.0; n],
            connected: vec![true; n],
        };
        state.full_demand_m3s[ix("J1")] = 5.0;
        state.demand_flow_m3s[ix("J1")] = 3.0;
        state.leakage_flow_m3s[ix("J1")] = 0.5;
        state.emitter_flow_m3s[ix("J1")] = 0.25;
        state.full_demand_m3s[ix("J2")] = -2.0;
        state.demand_flow_m3s[ix("J2")] = -2.0;
        state.node_demand_m3s[ix("R1")] = -4.0;
        state.node_demand_m3s[ix("R2")] = 1.0;
        state.node_demand_m3s[ix("T1")] = 1.25;
        let mut ledger = BalanceLedger::new(&net);
        ledger.observe(&state);
        let b = ledger.current.with_ratio();
        assert_eq!(b.total_inflow_m3s, 6.0);
        assert_eq!(b.consumer_demand_m3s, 3.0);
        assert_eq!(b.demand_deficit_m3s, 2.0);
        assert_eq!(b.leakage_flow_m3s, 0.5);
        assert_eq!(b.emitter_flow_m3s, 0.25);
        // 3 + 0.5 + 0.25 + 1 into R2
        assert_eq!(b.total_outflow_m3s, 4.75);
        assert_eq!(b.storage_flow_m3s, 1.25);
        assert_eq!(b.ratio, 1.0);
    }

    #[test]
    fn averages_are_volumes_over_the_run() {
        // 10 m³/s for 3 h then 4 m³/s for 1 h: (30 + 4) / 4 = 8.5 m³/s.
        let mut ledger = BalanceLedger {
            current: flows(10.0, 10.0, 0.0),
            ..BalanceLedger::default()
        };
        ledger.add(3.0 * 3600.0);
        ledger.current = flows(4.0, 3.0, 1.0);
        ledger.add(3600.0);
        let b = ledger.summary(4.0 * 3600.0);
        assert!((b.total_inflow_m3s - 8.5).abs() < 1e-12);
        assert!((b.total_outflow_m3s - 33.0 / 4.0).abs() < 1e-12);
        assert!((b.storage_flow_m3s - 0.25).abs() < 1e-12);
        assert!((b.ratio - (33.0 / 4.0 + 0.25) / 8.5).abs() < 1e-12);
    }
}
