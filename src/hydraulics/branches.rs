//! Tree branches: the parts of a network whose flows follow from continuity
//! alone, taken out of the Newton system.
//!
//! A junction at the end of a branch (one link, a plain pipe) passes on
//! exactly its demand, whatever the heads: continuity at that junction is
//! the whole of its equation. Removing it leaves its neighbour with that
//! demand added, and the neighbour may in turn become the end of a branch.
//! Peeling ends repeatedly leaves the looped core of the network plus
//! trees hanging from it, typically a quarter to a third of a real
//! network's junctions.
//!
//! Eliminating such a junction from the global gradient equations is exact
//! (it is the first step Gaussian elimination of the head matrix takes):
//! the junction's row says the link's new flow equals the junction's
//! demand, and its neighbour's row then sees that demand instead of the
//! link's terms. So once the branch flows are set from the demands, the
//! Newton iterations on the core give the heads and flows the full system
//! would, and the branch heads follow from the core's by the branch head
//! losses. What this saves per trial is the head loss, assembly, flow
//! update and factorisation work of every branch link.
//!
//! A branch must behave the same whatever the heads, so only plain pipes
//! (no check valve, no tank or reservoir at either end) and junctions
//! without emitters qualify, and only under demand-driven analysis without
//! leakage, damping or a head-error criterion, where the flow of a branch
//! pipe after a trial is exactly its subtree's demand. The solver checks at
//! each solve that every branch pipe is open and every branch junction
//! reached from a source, and otherwise solves the full system.

use super::model::{HydraulicModel, LinkLaw};
use crate::network::DemandModel;

/// One link of a branch, between a junction peeled off (`child`) and the
/// junction it hangs from (`parent`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BranchLink {
    /// The link.
    pub link: usize,
    /// The junction peeled off.
    pub child: usize,
    /// The junction it hangs from (a core junction or another child).
    pub parent: usize,
    /// Whether the link runs from `parent` to `child` (its start node is
    /// the parent), so that a flow towards the child is positive.
    pub towards_child: bool,
}

/// The tree branches of a network, in peeling order: every child appears
/// before the link it hangs from, so a forward pass accumulates subtree
/// demands and a backward pass carries heads out from the core.
#[derive(Debug, Clone)]
pub(crate) struct Branches {
    /// The branch links, ends first.
    pub links: Vec<BranchLink>,
    /// Whether each link is a branch link.
    pub is_branch_link: Vec<bool>,
    /// Whether each node is a branch junction (peeled off).
    pub is_branch_node: Vec<bool>,
}

impl Branches {
    /// The branches of `model`, or `None` when the analysis settings rule
    /// them out or the network has none.
    pub fn find(model: &HydraulicModel) -> Option<Self> {
        let s = &model.settings;
        if s.demand_model != DemandModel::Dda
            || model.has_leakage
            || s.damp_limit > 0.0
            || s.head_error_m > 0.0
        {
            return None;
        }
        let n_nodes = model.unknown.len();
        let n_links = model.ends.len();
        let open_at_start = reached_at_start(model);
        let node_qualifies =
            |i: usize| model.unknown[i].is_some() && model.emitter_ke[i] == 0.0 && open_at_start[i];
        let link_qualifies = |k: usize| {
            let (a, b) = model.ends[k];
            a != b
                && !model.initially_closed[k]
                && !model.status_checked[k]
                && model.unknown[a].is_some()
                && model.unknown[b].is_some()
                && matches!(
                    model.laws[k],
                    LinkLaw::Pipe {
                        check_valve: false,
                        ..
                    }
                )
        };

        // Degree and the XOR of incident link indices: at degree one the
        // XOR is the one link left.
        let mut degree = vec![0u32; n_nodes];
        let mut remaining = vec![0usize; n_nodes];
        for (k, &(a, b)) in model.ends.iter().enumerate() {
            degree[a] += 1;
            degree[b] += 1;
            remaining[a] ^= k;
            remaining[b] ^= k;
        }
        let peelable = |i: usize, degree: &[u32], remaining: &[usize]| {
            degree[i] == 1 && node_qualifies(i) && link_qualifies(remaining[i])
        };
        let mut stack: Vec<usize> = (0..n_nodes)
            .filter(|&i| peelable(i, &degree, &remaining))
            .collect();
        stack.reverse();
        let mut links = Vec::new();
        let mut is_branch_link = vec![false; n_links];
        let mut is_branch_node = vec![false; n_nodes];
        while let Some(child) = stack.pop() {
            if is_branch_node[child] || !peelable(child, &degree, &remaining) {
                continue;
            }
            let link = remaining[child];
            let (a, b) = model.ends[link];
            let parent = if a == child { b } else { a };
            is_branch_node[child] = true;
            is_branch_link[link] = true;
            links.push(BranchLink {
                link,
                child,
                parent,
                towards_child: a == parent,
            });
            degree[child] = 0;
            degree[parent] -= 1;
            remaining[parent] ^= link;
            if peelable(parent, &degree, &remaining) {
                stack.push(parent);
            }
        }
        if links.is_empty() {
            return None;
        }
        Some(Branches {
            links,
            is_branch_link,
            is_branch_node,
        })
    }

    /// Each branch link's flow (m³/s, signed along the link) when every
    /// branch junction draws `demand_m3s`: the demand of the subtree the
    /// link feeds. `scratch` is a per-node buffer, all zero on entry and
    /// on return.
    pub fn subtree_flows(&self, demand_m3s: &[f64], scratch: &mut [f64], flows: &mut Vec<f64>) {
        flows.clear();
        for b in &self.links {
            let total = scratch[b.child] + demand_m3s[b.child];
            scratch[b.child] = 0.0;
            scratch[b.parent] += total;
            flows.push(if b.towards_child { total } else { -total });
        }
        // Whatever reached the roots (core junctions) is no longer needed.
        for b in &self.links {
            scratch[b.parent] = 0.0;
        }
    }
}

/// Whether each node is reached from a tank or reservoir through links
/// open in the input and touches no closed link: the nodes whose branches
/// can be expected to carry their demand. (Statuses change during a run;
/// the solver checks the branches at each solve.)
fn reached_at_start(model: &HydraulicModel) -> Vec<bool> {
    let n = model.unknown.len();
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&i| model.unknown[i].is_none()).collect();
    for &i in &stack {
        reached[i] = true;
    }
    while let Some(i) = stack.pop() {
        for (k, j) in model.adjacency.of(i) {
            if !reached[j] && !model.initially_closed[k] {
                reached[j] = true;
                stack.push(j);
            }
        }
    }
    for (k, &(a, b)) in model.ends.iter().enumerate() {
        if model.initially_closed[k] {
            reached[a] = false;
            reached[b] = false;
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inp;

    fn model(text: &str) -> HydraulicModel {
        let net = inp::read_str(text, "test.inp")
            .expect("valid network")
            .network;
        HydraulicModel::new(&net).expect("solvable")
    }

    /// A loop R-1-2-3-1 with a branch 3-4-5 and a branch 2-6: the branch
    /// junctions are 4, 5 and 6, peeled 5 before 4.
    const LOOP_WITH_BRANCHES: &str = "
[JUNCTIONS]
1 10 0
2 10 1
3 10 1
4 10 2
5 10 3
6 10 4
[RESERVOIRS]
R 50
[PIPES]
P1 R 1 100 300 100 0 Open
P2 1 2 100 200 100 0 Open
P3 2 3 100 200 100 0 Open
P4 3 1 100 200 100 0 Open
P5 4 3 100 150 100 0 Open
P6 4 5 100 100 100 0 Open
P7 2 6 100 100 100 0 Open
[END]
";

    #[test]
    fn branches_are_the_junctions_peeled_off_a_loop() {
        let m = model(LOOP_WITH_BRANCHES);
        let b = Branches::find(&m).expect("has branches");
        // Nodes are numbered in file order: 1..6 are 0..5, R is 6.
        let peeled: Vec<usize> = b.links.iter().map(|l| l.child).collect();
        assert_eq!(peeled.len(), 3);
        for junction in [3, 4, 5] {
            assert!(b.is_branch_node[junction]);
        }
        for core in [0, 1, 2, 6] {
            assert!(!b.is_branch_node[core]);
        }
        let pos = |child: usize| peeled.iter().position(|&c| c == child).unwrap();
        assert!(pos(4) < pos(3), "junction 5 is peeled before junction 4");
        // P1 (to the reservoir) and the loop pipes stay in the core.
        assert_eq!(
            (0..7).filter(|&k| b.is_branch_link[k]).collect::<Vec<_>>(),
            vec![4, 5, 6]
        );
    }

    /// Subtree flows by hand: P6 carries junction 5's demand (3), P5 the
    /// demands of 4 and 5 (5) towards junction 4, against its direction
    /// (it runs 4 -> 3), and P7 junction 6's (4).
    #[test]
    fn subtree_flows_are_the_demands_downstream() {
        let m = model(LOOP_WITH_BRANCHES);
        let b = Branches::find(&m).expect("has branches");
        let demand = [0.0, 1.0, 1.0, 2.0, 3.0, 4.0, 0.0];
        let mut scratch = vec![0.0; demand.len()];
        let mut flows = Vec::new();
        b.subtree_flows(&demand, &mut scratch, &mut flows);
        let flow_of = |k: usize| flows[b.links.iter().position(|l| l.link == k).unwrap()];
        assert_eq!(flow_of(5), 3.0);
        assert_eq!(flow_of(4), -5.0);
        assert_eq!(flow_of(6), 4.0);
        assert!(scratch.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn no_branches_under_pressure_driven_analysis() {
        let text = LOOP_WITH_BRANCHES.replace("[END]", "[OPTIONS]\nDEMAND MODEL PDA\n[END]");
        assert!(Branches::find(&model(&text)).is_none());
    }

    /// A check valve, or an emitter at the end junction, stops the peeling.
    #[test]
    fn check_valves_and_emitters_are_not_branches() {
        let cv = LOOP_WITH_BRANCHES.replace("P7 2 6 100 100 100 0 Open", "P7 2 6 100 100 100 0 CV");
        let b = Branches::find(&model(&cv)).expect("still has 4 and 5");
        assert!(!b.is_branch_node[5]);
        let emitter = LOOP_WITH_BRANCHES.replace("[END]", "[EMITTERS]\n5 0.1\n[END]");
        let b = Branches::find(&model(&emitter)).expect("still has 6");
        assert!(!b.is_branch_node[4] && !b.is_branch_node[3]);
        assert!(b.is_branch_node[5]);
    }
}
