//! Flow order: nodes sorted from upstream to downstream for one hydraulic step.
//!
//! Quality is carried through the nodes in topological order of the flow
//! directions, so that water entering a node in a step has already been
//! pushed into its inflow links (EPANET `sortnodes`). Links with stagnant
//! flow are left out of the sort. Where flow runs in a cycle, the sort
//! breaks it at a node next to the most recently sorted ones, as EPANET
//! does, so results match where such cycles exist.

use crate::network::Network;

/// Every node's incident links, in the order EPANET lists them (the last
/// link read first), as compressed rows.
#[derive(Debug, Clone)]
pub struct Adjacency {
    start: Vec<usize>,
    /// (link, node at its other end).
    entries: Vec<(u32, u32)>,
}

impl Adjacency {
    /// The adjacency of a network's nodes.
    pub fn new(net: &Network) -> Self {
        let n = net.nodes.len();
        let mut count = vec![0usize; n + 1];
        for link in &net.links {
            count[link.from.ix() + 1] += 1;
            count[link.to.ix() + 1] += 1;
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let start = count.clone();
        let mut fill = count;
        let mut entries = vec![(0u32, 0u32); start[n]];
        for (k, link) in net.links.iter().enumerate().rev() {
            let (a, b) = (link.from.ix(), link.to.ix());
            entries[fill[a]] = (k as u32, b as u32);
            fill[a] += 1;
            entries[fill[b]] = (k as u32, a as u32);
            fill[b] += 1;
        }
        Adjacency { start, entries }
    }

    /// The links at node `i`, with the node at each one's other end.
    #[inline]
    pub fn of(&self, i: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.entries[self.start[i]..self.start[i + 1]]
            .iter()
            .map(|&(k, j)| (k as usize, j as usize))
    }
}

/// Work space of the sort, kept between steps.
#[derive(Debug, Clone, Default)]
pub struct Sorter {
    in_degree: Vec<u32>,
    stack: Vec<usize>,
}

impl Sorter {
    /// Sorts the nodes into `order` from upstream to downstream.
    /// `direction[k]` is +1 (flow from the link's start node), −1, or 0
    /// (stagnant, ignored). `ends[k]` is the link's (start, end) nodes.
    pub fn sort(
        &mut self,
        adjacency: &Adjacency,
        ends: &[(usize, usize)],
        direction: &[i8],
        order: &mut Vec<usize>,
    ) {
        let n = adjacency.start.len() - 1;
        self.in_degree.clear();
        self.in_degree.resize(n, 0);
        for (&(from, to), &dir) in ends.iter().zip(direction) {
            match dir {
                1 => self.in_degree[to] += 1,
                -1 => self.in_degree[from] += 1,
                _ => {}
            }
        }
        self.stack.clear();
        self.stack
            .extend((0..n).filter(|&i| self.in_degree[i] == 0));
        order.clear();
        while order.len() < n {
            let Some(i) = self
                .stack
                .pop()
                .or_else(|| self.break_cycle(adjacency, order))
            else {
                break;
            };
            order.push(i);
            for (k, _) in adjacency.of(i) {
                let downstream = match direction[k] {
                    1 => ends[k].1,
                    -1 => ends[k].0,
                    _ => continue,
                };
                if downstream != i && self.in_degree[downstream] > 0 {
                    self.in_degree[downstream] -= 1;
                    if self.in_degree[downstream] == 0 {
                        self.stack.push(downstream);
                    }
                }
            }
        }
    }

    /// A node to go on with when every unsorted node still waits for
    /// inflow (a flow cycle): the first neighbour still waiting of the most
    /// recently sorted nodes, else the first node waiting (EPANET
    /// `selectnonstacknode`).
    fn break_cycle(&mut self, adjacency: &Adjacency, order: &[usize]) -> Option<usize> {
        let chosen = order
            .iter()
            .rev()
            .find_map(|&m| {
                adjacency
                    .of(m)
                    .map(|(_, j)| j)
                    .find(|&j| self.in_degree[j] > 0)
            })
            .or_else(|| (0..self.in_degree.len()).find(|&i| self.in_degree[i] > 0))?;
        self.in_degree[chosen] = 0;
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Junction, Link, LinkKind, Node, NodeKind, Pipe};

    fn chain_network() -> Network {
        let mut net = Network::default();
        for id in ["a", "b", "c"] {
            net.add_node(Node::new(id, NodeKind::Junction(Junction::default()), 0.0))
                .unwrap();
        }
        let (a, b, c) = (
            net.node_ix("a").unwrap(),
            net.node_ix("b").unwrap(),
            net.node_ix("c").unwrap(),
        );
        let pipe = || LinkKind::Pipe(Pipe::new(100.0, 0.3, 100.0));
        net.add_link(Link::new("1", b, c, pipe())).unwrap();
        net.add_link(Link::new("2", a, b, pipe())).unwrap();
        net
    }

    #[test]
    fn nodes_follow_the_flow() {
        let net = chain_network();
        let adjacency = Adjacency::new(&net);
        let ends: Vec<_> = net.links.iter().map(|l| (l.from.ix(), l.to.ix())).collect();
        let mut order = Vec::new();
        Sorter::default().sort(&adjacency, &ends, &[1, 1], &mut order);
        assert_eq!(order, vec![0, 1, 2]);
        // Reversed flow: c → b → a.
        Sorter::default().sort(&adjacency, &ends, &[-1, -1], &mut order);
        assert_eq!(order, vec![2, 1, 0]);
    }

    #[test]
    fn adjacency_lists_the_last_link_first() {
        let net = chain_network();
        let adjacency = Adjacency::new(&net);
        let at_b: Vec<_> = adjacency.of(1).collect();
        assert_eq!(at_b, vec![(1, 0), (0, 2)]);
    }
}
