//! Valve segments: the parts of a network that its isolation valves separate.
//!
//! A segment is a maximal set of nodes and links joined without passing a
//! valve. Think of the network as a graph whose vertices are the nodes and
//! the links, with an edge between a link and each of its two end nodes; a
//! valve on link L at node N removes the edge (L, N). The segments are the
//! connected components of what is left (the definition of Walski's
//! segments, and of WNTR's `valve_segments`). A segment may hold links and
//! no node: a pipe with a valve at both ends.
//!
//! Segments meet at their boundary valves. Closing the boundary valves of
//! a set of segments takes them out of service; any other segment that then
//! has no path through open valves to a segment holding a reservoir or a
//! tank is cut off as well (unintended isolation).
//!
//! # Limitations
//! The analysis is topological: pumps, check valves and links closed in the
//! network itself count as passable, and a segment with a tank counts as
//! supplied however long the tank would last.

use std::collections::VecDeque;

use super::valves::ValveLayer;
use crate::network::{LinkIx, Network, NodeIx, NodeKind};

/// The segments of a network for one valve layer.
#[derive(Debug, Clone)]
pub struct Segments {
    /// The segment of every node, by node index.
    pub node_segment: Vec<usize>,
    /// The segment of every link, by link index.
    pub link_segment: Vec<usize>,
    /// The segments, numbered from 0. Segments that hold nodes come first,
    /// in the order of their first node; then segments of links only.
    pub segments: Vec<Segment>,
    /// The two segments each valve separates, by valve index, or `None`
    /// for a valve with the same segment on both sides (it closes nothing
    /// off, because the two sides are joined another way).
    pub valve_sides: Vec<Option<(usize, usize)>>,
    /// Segments that are cut off from every source even with all valves
    /// open.
    pub unsupplied: Vec<bool>,
}

/// One segment: its nodes, its links and the valves on its boundary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segment {
    /// Its nodes, in index order.
    pub nodes: Vec<NodeIx>,
    /// Its links, in index order.
    pub links: Vec<LinkIx>,
    /// The valves on its boundary (each separating it from another
    /// segment), by valve index in the layer, in layer order.
    pub valves: Vec<usize>,
    /// Whether it holds a reservoir or a tank.
    pub has_source: bool,
}

impl Segments {
    /// Finds the segments of `net` for the valves of `layer`.
    pub fn new(net: &Network, layer: &ValveLayer) -> Self {
        let n_nodes = net.nodes.len();
        let mut sets = DisjointSets::new(n_nodes + net.links.len());
        let valve_at = layer.positions();
        for (k, link) in net.links.iter().enumerate() {
            for end in [link.from, link.to] {
                if !valve_at.contains_key(&(LinkIx(k as u32), end)) {
                    sets.union(end.ix(), n_nodes + k);
                }
            }
        }

        // Number the segments by first element: nodes, then links.
        let mut number = vec![usize::MAX; sets.len()];
        let mut segments: Vec<Segment> = Vec::new();
        let mut segment_of = |element: usize, sets: &mut DisjointSets| {
            let root = sets.find(element);
            if number[root] == usize::MAX {
                number[root] = segments.len();
                segments.push(Segment::default());
            }
            number[root]
        };
        let node_segment: Vec<usize> = (0..n_nodes).map(|i| segment_of(i, &mut sets)).collect();
        let link_segment: Vec<usize> = (0..net.links.len())
            .map(|k| segment_of(n_nodes + k, &mut sets))
            .collect();
        for (i, &s) in node_segment.iter().enumerate() {
            segments[s].nodes.push(NodeIx(i as u32));
            if !matches!(net.nodes[i].kind, NodeKind::Junction(_)) {
                segments[s].has_source = true;
            }
        }
        for (k, &s) in link_segment.iter().enumerate() {
            segments[s].links.push(LinkIx(k as u32));
        }

        let valve_sides = boundary_valves(layer, &node_segment, &link_segment, &mut segments);
        let mut found = Segments {
            node_segment,
            link_segment,
            segments,
            valve_sides,
            unsupplied: Vec::new(),
        };
        found.unsupplied = found.unsupplied_without(&[]);
        found
    }

    /// Segments that have no path through open valves to a segment with a
    /// source once the segments `shut` are taken out of service (their
    /// boundary valves closed). The shut segments themselves are marked
    /// unsupplied.
    pub fn unsupplied_without(&self, shut: &[usize]) -> Vec<bool> {
        let mut reached = vec![false; self.segments.len()];
        let mut is_shut = vec![false; self.segments.len()];
        for &s in shut {
            is_shut[s] = true;
        }
        let mut queue: VecDeque<usize> = (0..self.segments.len())
            .filter(|&s| self.segments[s].has_source && !is_shut[s])
            .collect();
        for &s in &queue {
            reached[s] = true;
        }
        while let Some(s) = queue.pop_front() {
            for &v in &self.segments[s].valves {
                let Some((a, b)) = self.valve_sides[v] else {
                    continue;
                };
                let next = if a == s { b } else { a };
                if !reached[next] && !is_shut[next] {
                    reached[next] = true;
                    queue.push_back(next);
                }
            }
        }
        reached.iter().map(|r| !r).collect()
    }

    /// The valves to close to take the segments `shut` out of service:
    /// those with one side in `shut` and the other outside, in layer order.
    pub fn valves_around(&self, shut: &[usize]) -> Vec<usize> {
        self.valve_sides
            .iter()
            .enumerate()
            .filter_map(|(v, sides)| {
                let (a, b) = (*sides)?;
                (shut.contains(&a) != shut.contains(&b)).then_some(v)
            })
            .collect()
    }

    /// Total pipe length of a segment, m (pumps and valves count as 0).
    pub fn length_m(&self, net: &Network, segment: usize) -> f64 {
        self.segments[segment]
            .links
            .iter()
            .map(|&k| match &net.link(k).kind {
                crate::network::LinkKind::Pipe(p) => p.length_m,
                _ => 0.0,
            })
            .fold(0.0, |total, length| total + length)
    }

    /// Average demand of a segment's junctions, m³/s: see [`mean_demand_m3s`].
    pub fn mean_demand_m3s(&self, net: &Network, segment: usize) -> f64 {
        self.segments[segment]
            .nodes
            .iter()
            .map(|&i| mean_demand_m3s(net, i))
            .fold(0.0, |total, demand| total + demand)
    }

    /// Number of customers in a segment: junctions with a positive base demand.
    pub fn customers(&self, net: &Network, segment: usize) -> usize {
        self.segments[segment]
            .nodes
            .iter()
            .filter(|&&i| base_demand_m3s(net, i) > 0.0)
            .count()
    }
}

/// The sum of a node's base demands, m³/s; 0 for tanks and reservoirs.
pub fn base_demand_m3s(net: &Network, node: NodeIx) -> f64 {
    match &net.node(node).kind {
        NodeKind::Junction(j) => j.demands.iter().fold(0.0, |total, d| total + d.base_m3s),
        _ => 0.0,
    }
}

/// A node's average demand, m³/s: each demand category's base demand times
/// the mean of its pattern's multipliers (the default pattern where it has
/// none, 1 where there is none), times the demand multiplier; 0 for tanks
/// and reservoirs. It is the demand asked on average over any whole number
/// of pattern cycles.
pub fn mean_demand_m3s(net: &Network, node: NodeIx) -> f64 {
    let NodeKind::Junction(j) = &net.node(node).kind else {
        return 0.0;
    };
    let mean_factor = |pattern: Option<crate::network::PatternIx>| {
        let Some(p) = pattern.or(net.options.default_pattern) else {
            return 1.0;
        };
        let m = &net.patterns[p.ix()].multipliers;
        if m.is_empty() {
            1.0
        } else {
            m.iter().sum::<f64>() / m.len() as f64
        }
    };
    let total = j
        .demands
        .iter()
        .fold(0.0, |total, d| total + d.base_m3s * mean_factor(d.pattern));
    total * net.options.demand_multiplier
}

/// Which segments each valve separates; records each valve on the boundary
/// of the segments on its two sides.
fn boundary_valves(
    layer: &ValveLayer,
    node_segment: &[usize],
    link_segment: &[usize],
    segments: &mut [Segment],
) -> Vec<Option<(usize, usize)>> {
    let mut sides = Vec::with_capacity(layer.valves.len());
    for (v, valve) in layer.valves.iter().enumerate() {
        let (a, b) = (link_segment[valve.link.ix()], node_segment[valve.node.ix()]);
        if a == b {
            sides.push(None);
            continue;
        }
        segments[a].valves.push(v);
        segments[b].valves.push(v);
        sides.push(Some((a, b)));
    }
    sides
}

/// Disjoint sets over `0..n` with path halving and union by size.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn len(&self) -> usize {
        self.parent.len()
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::valves::IsolationValve;
    use crate::network::{Junction, Link, LinkKind, Node, Pipe, Reservoir};

    /// R - A - B - C in a line (pipes 1, 2, 3), R a reservoir.
    fn line() -> Network {
        let mut net = Network::new();
        let kind = NodeKind::Reservoir(Reservoir::default());
        net.add_node(Node::new("R", kind, 50.0)).unwrap();
        for id in ["A", "B", "C"] {
            let kind = NodeKind::Junction(Junction::default());
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
        net
    }

    fn valve(link: u32, node: u32) -> IsolationValve {
        IsolationValve {
            id: format!("{link}@{node}"),
            link: LinkIx(link),
            node: NodeIx(node),
        }
    }

    #[test]
    fn no_valves_make_one_segment() {
        let net = line();
        let s = Segments::new(&net, &ValveLayer::default());
        assert_eq!(s.segments.len(), 1);
        assert_eq!(s.segments[0].nodes.len(), 4);
        assert_eq!(s.segments[0].links.len(), 3);
        assert!(s.segments[0].has_source);
    }

    #[test]
    fn a_pipe_valved_at_both_ends_is_a_segment_without_nodes() {
        let net = line();
        let layer = ValveLayer {
            valves: vec![valve(1, 1), valve(1, 2)],
        };
        let s = Segments::new(&net, &layer);
        assert_eq!(s.segments.len(), 3);
        // R, A, pipe 1 | B, C, pipes 3 and... pipe 2 alone.
        assert_eq!(s.node_segment, vec![0, 0, 1, 1]);
        assert_eq!(s.link_segment, vec![0, 2, 1]);
        assert_eq!(s.segments[2].nodes, vec![]);
        assert_eq!(s.valve_sides, vec![Some((2, 0)), Some((2, 1))]);
        // Shutting pipe 2's segment cuts B and C off.
        assert_eq!(s.unsupplied_without(&[2]), vec![false, true, true]);
        assert_eq!(s.valves_around(&[2]), vec![0, 1]);
    }

    #[test]
    fn a_valve_inside_a_loop_separates_nothing() {
        let mut net = line();
        let pipe = LinkKind::Pipe(Pipe::new(100.0, 0.2, 100.0));
        net.add_link(Link::new("4", NodeIx(1), NodeIx(3), pipe))
            .unwrap();
        let layer = ValveLayer {
            valves: vec![valve(1, 2)],
        };
        let s = Segments::new(&net, &layer);
        assert_eq!(s.segments.len(), 1);
        assert_eq!(s.valve_sides, vec![None]);
        assert!(s.segments[0].valves.is_empty());
    }

    #[test]
    fn mean_demand_averages_the_pattern_and_applies_the_multiplier() {
        let mut net = line();
        let pattern = net
            .add_pattern(crate::network::Pattern {
                id: "P".to_string(),
                multipliers: vec![1.0, 3.0],
            })
            .unwrap();
        net.options.demand_multiplier = 1.5;
        let demand = |base_m3s, pattern| crate::network::Demand {
            base_m3s,
            pattern,
            category: None,
        };
        if let NodeKind::Junction(j) = &mut net.nodes[1].kind {
            j.demands = vec![demand(0.01, Some(pattern)), demand(0.02, None)];
        }
        // (0.01 * 2 + 0.02 * 1) * 1.5 = 0.06 m3/s.
        assert!((mean_demand_m3s(&net, NodeIx(1)) - 0.06).abs() < 1e-15);
        assert_eq!(mean_demand_m3s(&net, NodeIx(0)), 0.0);
    }
}
