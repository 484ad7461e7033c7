//! Whole-network checks made once every section is read (EPANET's `validate.c` and `valvecheck`).

use std::collections::HashMap;

use crate::network::{LinkKind, NodeIx, NodeKind, ValveType};

use super::diagnostic::{code, Diagnostic};
use super::reader::Reader;

/// Runs every whole-network check, recording errors and warnings.
pub(crate) fn check(r: &mut Reader) {
    if r.net.nodes.len() < 2 {
        r.error_global(
            code::TOO_FEW_NODES,
            None,
            "a network needs at least two nodes",
        );
    }
    if r.net.nodes.iter().all(|n| n.is_junction()) && !r.net.nodes.is_empty() {
        r.error_global(
            code::NO_SOURCES,
            None,
            "the network has no tanks or reservoirs",
        );
    }
    check_tanks(r);
    check_valves(r);
    check_connected(r);
}

/// Tank levels: minimum ≤ initial ≤ maximum, and within a volume curve's range.
fn check_tanks(r: &mut Reader) {
    let mut bad = Vec::new();
    for node in &r.net.nodes {
        let NodeKind::Tank(tank) = &node.kind else {
            continue;
        };
        let mut ok =
            tank.min_level_m <= tank.initial_level_m && tank.initial_level_m <= tank.max_level_m;
        if let Some(curve) = tank.volume_curve {
            let points = &r.net.curves[curve.ix()].points;
            if let (Some(first), Some(last)) = (points.first(), points.last()) {
                ok &= first.0 <= tank.min_level_m && tank.max_level_m <= last.0;
            }
        }
        if !ok {
            bad.push(node.id.clone());
        }
    }
    for id in bad {
        let message = "tank levels are inconsistent: need minimum <= initial <= maximum, within the volume curve";
        r.error_global(code::TANK_LEVELS, Some(&id), message);
    }
}

/// EPANET's valve connection rules (error 220): PRVs may not share a
/// downstream node or be in series, PSVs may not share an upstream node or
/// be in series, and a PSV may not start where a PRV ends.
fn check_valves(r: &mut Reader) {
    let mut by_node: HashMap<NodeIx, Vec<(ValveType, NodeIx, NodeIx, usize)>> = HashMap::new();
    for (k, link) in r.net.links.iter().enumerate() {
        if let LinkKind::Valve(v) = &link.kind {
            if matches!(
                v.valve_type,
                ValveType::Prv | ValveType::Psv | ValveType::Fcv
            ) {
                let entry = (v.valve_type, link.from, link.to, k);
                by_node.entry(link.from).or_default().push(entry);
                by_node.entry(link.to).or_default().push(entry);
            }
        }
    }
    let mut bad = Vec::new();
    for valves in by_node.values() {
        for (i, &(t1, a1, b1, k1)) in valves.iter().enumerate() {
            for &(t2, a2, b2, k2) in &valves[i + 1..] {
                if k1 == k2 {
                    continue;
                }
                let conflict = |t1, a1, b1, t2, a2, b2| {
                    use ValveType::{Prv, Psv};
                    match (t1, t2) {
                        (Prv, Prv) => b1 == b2 || b1 == a2 || a1 == b2,
                        (Psv, Psv) => a1 == a2 || a1 == b2 || b1 == a2,
                        (Prv, Psv) => b1 == a2,
                        _ => false,
                    }
                };
                if conflict(t1, a1, b1, t2, a2, b2) || conflict(t2, a2, b2, t1, a1, b1) {
                    bad.push(k1.max(k2));
                }
            }
        }
    }
    bad.sort_unstable();
    bad.dedup();
    for k in bad {
        let id = r.net.links[k].id.clone();
        r.error_global(
            code::VALVE_TO_VALVE,
            Some(&id),
            "valve illegally connected to another valve (shared node or in series)",
        );
    }
}

/// Nodes no link touches: EPANET refuses to solve such a network (error 233);
/// reading it is allowed, so this is a warning.
fn check_connected(r: &mut Reader) {
    let mut touched = vec![false; r.net.nodes.len()];
    for link in &r.net.links {
        touched[link.from.ix()] = true;
        touched[link.to.ix()] = true;
    }
    for (i, seen) in touched.into_iter().enumerate() {
        if !seen {
            r.warnings.push(Diagnostic {
                file: r.file.to_string(),
                line: 0,
                section: None,
                token: Some(r.net.nodes[i].id.clone()),
                code: Some(code::UNCONNECTED_NODE),
                message: "node is not connected to any link".to_string(),
            });
        }
    }
}
