//! Pressure zones found from the network itself: what stays connected once the links that set a pressure level are cut.
//!
//! A pressure zone is a part of the network whose heads are set by the
//! same sources through pipes alone. It ends where a link sets or breaks
//! the head: a pump (adds head), a PRV, PSV or PBV (holds a pressure), an
//! FCV (drops whatever head it takes to hold its flow), and any link closed
//! at the time looked at (a closed pipe, valve or pump, a check valve held
//! shut). Throttle (TCV) and general-purpose (GPV) valves and open check
//! valves are fixed losses like a pipe's, so they join their two sides.
//!
//! Zones are the connected components of what is left that hold at least
//! one junction, numbered largest first (most junctions; ties in the order
//! of their first node); a component of reservoirs and tanks alone is no
//! zone.

use crate::network::{LinkKind, Network, NodeKind, ValveType};

/// One zone found by [`derive_zones`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedZone {
    /// Its nodes (indices into [`Network::nodes`]), in node order.
    pub nodes: Vec<usize>,
    /// Its reservoirs and tanks, in node order.
    pub sources: Vec<usize>,
    /// The cut links (pumps and valves) whose end node lies in the zone:
    /// what can feed it from another zone, in link order.
    pub feeds: Vec<usize>,
}

/// The zones of a network and the zone of every node and link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedZones {
    /// The zones, largest first.
    pub zones: Vec<DerivedZone>,
    /// Zone of each node; `None` for nodes in no zone (sources joined to
    /// no junction).
    pub node_zone: Vec<Option<usize>>,
    /// Zone of each link; `None` for the links that bound zones (cut) and
    /// links outside every zone.
    pub link_zone: Vec<Option<usize>>,
}

/// Whether a link sets or breaks the pressure level between its ends
/// whatever its state: pumps, PRVs, PSVs, PBVs and FCVs.
pub fn separates_pressure_levels(kind: &LinkKind) -> bool {
    match kind {
        LinkKind::Pipe(_) => false,
        LinkKind::Pump(_) => true,
        LinkKind::Valve(v) => matches!(
            v.valve_type,
            ValveType::Prv | ValveType::Psv | ValveType::Pbv | ValveType::Fcv
        ),
    }
}

/// Finds the pressure zones with the links in `closed` (one flag per link,
/// the state at the time looked at; missing flags count as open) cut as
/// well as those that always separate pressure levels.
pub fn derive_zones(net: &Network, closed: &[bool]) -> DerivedZones {
    let is_cut = |k: usize| {
        closed.get(k).copied().unwrap_or(false) || separates_pressure_levels(&net.links[k].kind)
    };

    // Join the two ends of every link that is not cut.
    let mut parent: Vec<usize> = (0..net.nodes.len()).collect();
    for (k, link) in net.links.iter().enumerate() {
        if !is_cut(k) {
            let (a, b) = (
                root(&mut parent, link.from.ix()),
                root(&mut parent, link.to.ix()),
            );
            // The smaller index becomes the root, so roots are first nodes.
            parent[a.max(b)] = a.min(b);
        }
    }

    // Number the components with a junction, largest first.
    let roots: Vec<usize> = (0..net.nodes.len()).map(|i| root(&mut parent, i)).collect();
    let mut junctions = vec![0usize; net.nodes.len()];
    for (i, node) in net.nodes.iter().enumerate() {
        if matches!(node.kind, NodeKind::Junction(_)) {
            junctions[roots[i]] += 1;
        }
    }
    let mut order: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| roots[i] == i && junctions[i] > 0)
        .collect();
    order.sort_by(|&a, &b| junctions[b].cmp(&junctions[a]).then(a.cmp(&b)));
    let mut number = vec![None; net.nodes.len()];
    for (z, &r) in order.iter().enumerate() {
        number[r] = Some(z);
    }
    let mut zones = vec![
        DerivedZone {
            nodes: Vec::new(),
            sources: Vec::new(),
            feeds: Vec::new(),
        };
        order.len()
    ];
    let node_zone: Vec<Option<usize>> = roots.iter().map(|&r| number[r]).collect();

    for (i, zone) in node_zone.iter().enumerate() {
        if let Some(z) = *zone {
            zones[z].nodes.push(i);
            if !matches!(net.nodes[i].kind, NodeKind::Junction(_)) {
                zones[z].sources.push(i);
            }
        }
    }
    let mut link_zone = vec![None; net.links.len()];
    for (k, link) in net.links.iter().enumerate() {
        let end_zone = node_zone[link.to.ix()];
        if !is_cut(k) {
            link_zone[k] = end_zone;
        } else if let (Some(z), false) = (end_zone, matches!(link.kind, LinkKind::Pipe(_))) {
            zones[z].feeds.push(k);
        }
    }
    DerivedZones {
        zones,
        node_zone,
        link_zone,
    }
}

/// The root of `i`'s set, halving the path on the way.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1 - J1 - J2 =PRV= J3 - J4, and J4 - J5 closed: zones {R1, J1, J2},
    /// {J3, J4} fed by the PRV, {J5} with nothing.
    fn network() -> Network {
        let text = "[RESERVOIRS]\n R1 100\n[JUNCTIONS]\n J1 0\n J2 0\n J3 0\n J4 0\n J5 0\n\
                    [PIPES]\n P1 R1 J1 100 300 100\n P2 J1 J2 100 300 100\n \
                    P3 J3 J4 100 300 100\n P4 J4 J5 100 300 100 0 CLOSED\n\
                    [VALVES]\n V1 J2 J3 300 PRV 30 0\n[END]\n";
        crate::inp::read_str(text, "t.inp").unwrap().network
    }

    fn ids(net: &Network, nodes: &[usize]) -> Vec<String> {
        nodes.iter().map(|&i| net.nodes[i].id.clone()).collect()
    }

    #[test]
    fn a_prv_and_a_closed_pipe_bound_zones() {
        let net = network();
        let closed: Vec<bool> = net
            .links
            .iter()
            .map(|l| l.initial_status == crate::network::InitialStatus::Closed)
            .collect();
        let zones = derive_zones(&net, &closed);
        assert_eq!(zones.zones.len(), 3);
        // Largest first, so J1's zone is the first.
        assert_eq!(ids(&net, &zones.zones[0].nodes), ["J1", "J2", "R1"]);
        assert_eq!(ids(&net, &zones.zones[0].sources), ["R1"]);
        assert_eq!(ids(&net, &zones.zones[1].nodes), ["J3", "J4"]);
        assert_eq!(zones.zones[1].feeds, vec![net.link_ix("V1").unwrap().ix()]);
        assert_eq!(ids(&net, &zones.zones[2].nodes), ["J5"]);
        assert!(zones.zones[2].feeds.is_empty() && zones.zones[2].sources.is_empty());
        let k = |id: &str| net.link_ix(id).unwrap().ix();
        assert_eq!(zones.link_zone[k("P2")], Some(0));
        assert_eq!(zones.link_zone[k("P3")], Some(1));
        assert_eq!(zones.link_zone[k("V1")], None);
        assert_eq!(zones.link_zone[k("P4")], None);
    }

    #[test]
    fn with_the_pipe_open_the_last_junction_joins_the_prv_zone() {
        let net = network();
        let zones = derive_zones(&net, &[]);
        assert_eq!(zones.zones.len(), 2);
        // Now the largest, so the first.
        assert_eq!(ids(&net, &zones.zones[0].nodes), ["J3", "J4", "J5"]);
        assert_eq!(ids(&net, &zones.zones[1].nodes), ["J1", "J2", "R1"]);
    }
}
