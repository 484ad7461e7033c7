//! Isolation: the valves to close to shut a pipe or a node, and what loses supply.
//!
//! Shutting a pipe or a node takes its whole segment out of service: every
//! valve on the segment's boundary is closed. Any other segment left with
//! no open path to a reservoir or tank loses supply too (unintended
//! isolation). When a valve fails to close, the crew closes the next valves
//! out, so the two segments it separates are shut together.

use super::segments::Segments;
use crate::network::{LinkIx, Network, NodeIx};

/// What is to be shut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationTarget {
    /// A pipe (or any link).
    Link(LinkIx),
    /// A node.
    Node(NodeIx),
}

/// The outcome of shutting some segments: the valves closed and every
/// segment out of service.
#[derive(Debug, Clone, PartialEq)]
pub struct Isolation {
    /// The segments shut on purpose, in increasing order.
    pub shut: Vec<usize>,
    /// The valves to close, by valve index, in layer order.
    pub valves_to_close: Vec<usize>,
    /// Segments that lose supply as a consequence, in increasing order
    /// (cut off from every source by the closure, although supplied before).
    pub cut_off: Vec<usize>,
}

/// Totals over a set of segments.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OutageTotals {
    /// Nodes in them.
    pub nodes: usize,
    /// Links in them.
    pub links: usize,
    /// Customers: junctions with a positive base demand.
    pub customers: usize,
    /// Average demand of their junctions, m³/s (see
    /// [`super::segments::mean_demand_m3s`]).
    pub mean_demand_m3s: f64,
    /// Length of their pipes, m.
    pub pipe_length_m: f64,
}

impl Segments {
    /// The segment holding a pipe or node.
    pub fn segment_of(&self, target: IsolationTarget) -> usize {
        match target {
            IsolationTarget::Link(k) => self.link_segment[k.ix()],
            IsolationTarget::Node(i) => self.node_segment[i.ix()],
        }
    }

    /// Shuts the segment holding `target`.
    pub fn isolate(&self, target: IsolationTarget) -> Isolation {
        self.shut(vec![self.segment_of(target)])
    }

    /// Shuts the two segments valve `valve` separates, as when it fails to
    /// close while either is isolated; `None` for a valve with the same
    /// segment on both sides.
    pub fn valve_failure(&self, valve: usize) -> Option<Isolation> {
        let (a, b) = self.valve_sides[valve]?;
        Some(self.shut(vec![a.min(b), a.max(b)]))
    }

    /// Closes the valves around the segments `shut` (sorted), and finds the
    /// segments this cuts off.
    pub fn shut(&self, shut: Vec<usize>) -> Isolation {
        let valves_to_close = self.valves_around(&shut);
        let cut_off = self
            .unsupplied_without(&shut)
            .iter()
            .enumerate()
            .filter(|&(s, &lost)| lost && !self.unsupplied[s] && !shut.contains(&s))
            .map(|(s, _)| s)
            .collect();
        Isolation {
            shut,
            valves_to_close,
            cut_off,
        }
    }

    /// Totals over segments `which`.
    pub fn totals(&self, net: &Network, which: &[usize]) -> OutageTotals {
        let mut t = OutageTotals::default();
        for &s in which {
            t.nodes += self.segments[s].nodes.len();
            t.links += self.segments[s].links.len();
            t.customers += self.customers(net, s);
            t.mean_demand_m3s += self.mean_demand_m3s(net, s);
            t.pipe_length_m += self.length_m(net, s);
        }
        t
    }
}

impl Isolation {
    /// Every segment out of service: shut and cut off, in increasing order.
    pub fn out_of_service(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.shut.iter().chain(&self.cut_off).copied().collect();
        all.sort_unstable();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::valves::{IsolationValve, ValveLayer};
    use crate::network::{Demand, Junction, Link, LinkKind, Node, NodeKind, Pipe, Reservoir};

    /// R -1- A -2- B -3- C, valves on pipe 2 at A and on pipe 3 at C.
    fn line() -> (Network, ValveLayer) {
        let mut net = Network::new();
        let kind = NodeKind::Reservoir(Reservoir::default());
        net.add_node(Node::new("R", kind, 50.0)).unwrap();
        for id in ["A", "B", "C"] {
            let demand = Demand {
                base_m3s: 0.01,
                pattern: None,
                category: None,
            };
            let kind = NodeKind::Junction(Junction {
                demands: vec![demand],
            });
            net.add_node(Node::new(id, kind, 0.0)).unwrap();
        }
        for k in 0..3u32 {
            let pipe = LinkKind::Pipe(Pipe::new(100.0, 0.2, 100.0));
            net.add_link(Link::new(
                format!("{}", k + 1),
                NodeIx(k),
                NodeIx(k + 1),
                pipe,
            ))
            .unwrap();
        }
        let at = |link: u32, node: u32| IsolationValve {
            id: format!("V{link}"),
            link: LinkIx(link),
            node: NodeIx(node),
        };
        let layer = ValveLayer {
            valves: vec![at(1, 1), at(2, 3)],
        };
        (net, layer)
    }

    #[test]
    fn shutting_the_middle_cuts_off_the_end() {
        let (net, layer) = line();
        let s = Segments::new(&net, &layer);
        // Segments: {R, A, 1}, {B, 2, 3}, {C}.
        assert_eq!(s.node_segment, vec![0, 0, 1, 2]);
        let iso = s.isolate(IsolationTarget::Node(NodeIx(2)));
        assert_eq!(iso.shut, vec![1]);
        assert_eq!(iso.valves_to_close, vec![0, 1]);
        assert_eq!(iso.cut_off, vec![2]);
        let t = s.totals(&net, &iso.out_of_service());
        assert_eq!((t.nodes, t.links, t.customers), (2, 2, 2));
        assert!((t.pipe_length_m - 200.0).abs() < 1e-12);
        assert!((t.mean_demand_m3s - 0.02).abs() < 1e-12);
    }

    #[test]
    fn a_failed_valve_merges_its_two_segments() {
        let (net, layer) = line();
        let s = Segments::new(&net, &layer);
        let iso = s.valve_failure(0).unwrap();
        // Valve 0 separates {R, A, 1} from {B, 2, 3}: both shut, C cut off,
        // and only valve 1 is left to close.
        assert_eq!(iso.shut, vec![0, 1]);
        assert_eq!(iso.valves_to_close, vec![1]);
        assert_eq!(iso.cut_off, vec![2]);
    }
}
