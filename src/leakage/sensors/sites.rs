//! Logger sites from the network itself: critical (lowest-pressure) points, extremities and large users.
//!
//! - **Critical points**: the junctions with the lowest pressure over the
//!   whole run (while supplied), per zone when zones are given.
//! - **Extremities**: junctions hydraulically farthest from every source.
//!   The hydraulic distance of a junction is the least head lost on a path
//!   to it from a reservoir or tank, at the time of the analysis:
//!   Dijkstra's shortest path over open links, each pipe or valve weighing
//!   its head loss |H_from − H_to| (m), a pump nothing (it adds head).
//!   Equal distances (no flow at night, say) are told apart by the pipe
//!   length on the path, then by id. Dead ends (junctions with one link)
//!   come first, farthest first; if there are fewer dead ends than asked
//!   for, the farthest other junctions follow.
//! - **Large users**: the junctions with the largest base demand (the sum
//!   of their demand categories' base values, patterns aside).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::hydraulics::{HydraulicState, HydraulicsError, Simulation};
use crate::network::{LinkKind, Network, NodeKind};

/// Lowest pressure head of each junction over the whole run while it is
/// supplied, m (`None` for other nodes, and junctions never supplied).
pub fn lowest_pressures(net: &Network) -> Result<Vec<Option<f64>>, HydraulicsError> {
    let mut sim = Simulation::new(net)?;
    let mut lowest = vec![None::<f64>; net.nodes.len()];
    loop {
        sim.solve_period();
        let state = sim.state();
        for (i, node) in net.nodes.iter().enumerate() {
            if node.is_junction() && state.connected[i] {
                let p = state.head_m[i] - node.elevation_m;
                lowest[i] = Some(lowest[i].map_or(p, |m| m.min(p)));
            }
        }
        if sim.advance() == 0 {
            break;
        }
    }
    Ok(lowest)
}

/// The `per_zone` junctions with the lowest pressure in each zone (or
/// overall when `zone_of` is `None`), zone by zone, lowest first.
/// `zone_count` is the number of zones; `tie` orders equal pressures.
pub fn critical_points(
    lowest: &[Option<f64>],
    zone_of: Option<&[usize]>,
    zone_count: usize,
    per_zone: usize,
    tie: &dyn Fn(usize, usize) -> Ordering,
) -> Vec<(usize, Option<usize>)> {
    let zones = if zone_of.is_some() { zone_count } else { 1 };
    let mut out = Vec::new();
    for z in 0..zones {
        let mut nodes: Vec<(usize, f64)> = (0..lowest.len())
            .filter(|&i| zone_of.is_none_or(|zo| zo.get(i) == Some(&z)))
            .filter_map(|i| lowest[i].map(|p| (i, p)))
            .collect();
        nodes.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| tie(a.0, b.0)));
        let zone = zone_of.map(|_| z);
        out.extend(nodes.iter().take(per_zone).map(|&(i, _)| (i, zone)));
    }
    out
}

/// How far a node is from the nearest source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Distance {
    /// Head lost on the way, m.
    pub headloss_m: f64,
    /// Pipe length on that path, m.
    pub length_m: f64,
}

impl Distance {
    /// Whether this path is shorter than `other`: less head lost, then
    /// less pipe length.
    fn shorter_than(self, other: Distance) -> bool {
        let key = |d: Distance| (d.headloss_m, d.length_m);
        let (a, b) = (key(self), key(other));
        a.0.total_cmp(&b.0).then_with(|| a.1.total_cmp(&b.1)) == Ordering::Less
    }
}

/// A node waiting in the search, nearest first out of the heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    distance: Distance,
    node: usize,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, the search wants the nearest.
        if self.distance.shorter_than(other.distance) {
            Ordering::Greater
        } else if other.distance.shorter_than(self.distance) {
            Ordering::Less
        } else {
            other.node.cmp(&self.node)
        }
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Hydraulic distance of every node from the nearest reservoir or tank in
/// a solved state (see the module documentation); `None` where no open
/// path reaches.
pub fn hydraulic_distances(net: &Network, state: &HydraulicState) -> Vec<Option<Distance>> {
    let mut adjacent: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); net.nodes.len()];
    for (k, link) in net.links.iter().enumerate() {
        if state.status[k].is_closed() {
            continue;
        }
        let (a, b) = (link.from.ix(), link.to.ix());
        let (loss_m, length_m) = match &link.kind {
            LinkKind::Pipe(p) => ((state.head_m[a] - state.head_m[b]).abs(), p.length_m),
            LinkKind::Valve(_) => ((state.head_m[a] - state.head_m[b]).abs(), 0.0),
            LinkKind::Pump(_) => (0.0, 0.0),
        };
        adjacent[a].push((b, loss_m, length_m));
        adjacent[b].push((a, loss_m, length_m));
    }

    let mut best: Vec<Option<Distance>> = vec![None; net.nodes.len()];
    let mut heap = BinaryHeap::new();
    for (i, node) in net.nodes.iter().enumerate() {
        if !node.is_junction() {
            let zero = Distance {
                headloss_m: 0.0,
                length_m: 0.0,
            };
            best[i] = Some(zero);
            heap.push(Entry {
                distance: zero,
                node: i,
            });
        }
    }
    while let Some(Entry { distance, node }) = heap.pop() {
        if best[node].is_some_and(|b| b.shorter_than(distance)) {
            continue; // A shorter path reached it already.
        }
        for &(next, loss_m, length_m) in &adjacent[node] {
            let d = Distance {
                headloss_m: distance.headloss_m + loss_m,
                length_m: distance.length_m + length_m,
            };
            if best[next].is_none_or(|b| d.shorter_than(b)) {
                best[next] = Some(d);
                heap.push(Entry {
                    distance: d,
                    node: next,
                });
            }
        }
    }
    best
}

/// Whether each node is a junction with exactly one link.
pub fn dead_ends(net: &Network) -> Vec<bool> {
    let mut degree = vec![0usize; net.nodes.len()];
    for link in &net.links {
        degree[link.from.ix()] += 1;
        degree[link.to.ix()] += 1;
    }
    (net.nodes.iter().zip(degree))
        .map(|(n, d)| n.is_junction() && d == 1)
        .collect()
}

/// The `count` extremities: dead ends farthest first, then other
/// junctions farthest first; each with whether it is a dead end.
pub fn extremities(
    net: &Network,
    distance: &[Option<Distance>],
    count: usize,
    tie: &dyn Fn(usize, usize) -> Ordering,
) -> Vec<(usize, bool)> {
    let dead = dead_ends(net);
    let mut junctions: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| net.nodes[i].is_junction() && distance[i].is_some())
        .collect();
    let far = |i: usize| distance[i].map_or((0.0, 0.0), |d| (d.headloss_m, d.length_m));
    junctions.sort_by(|&a, &b| {
        dead[b]
            .cmp(&dead[a])
            .then_with(|| far(b).0.total_cmp(&far(a).0))
            .then_with(|| far(b).1.total_cmp(&far(a).1))
            .then_with(|| tie(a, b))
    });
    junctions
        .into_iter()
        .take(count)
        .map(|i| (i, dead[i]))
        .collect()
}

/// Sum of a junction's base demands, m³/s (0 for other nodes).
pub fn base_demand_m3s(net: &Network, node: usize) -> f64 {
    match &net.nodes[node].kind {
        NodeKind::Junction(j) => j.demands.iter().map(|d| d.base_m3s).sum(),
        _ => 0.0,
    }
}

/// The `count` junctions with the largest base demand above zero, largest first.
pub fn large_users(
    net: &Network,
    count: usize,
    tie: &dyn Fn(usize, usize) -> Ordering,
) -> Vec<usize> {
    let mut users: Vec<(usize, f64)> = (0..net.nodes.len())
        .map(|i| (i, base_demand_m3s(net, i)))
        .filter(|&(_, q)| q > 0.0)
        .collect();
    users.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| tie(a.0, b.0)));
    users.into_iter().take(count).map(|(i, _)| i).collect()
}
