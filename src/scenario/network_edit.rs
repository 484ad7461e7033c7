//! Structural edits that renumber a network: removing a link, finding free ids.

use super::edits::EditProblem;
use crate::network::{LinkIx, Network, NetworkError, RuleObject};

/// EPANET's longest id, in characters.
pub(crate) const MAX_ID_CHARS: usize = 31;

/// A copy of `net` without link `removed`. Links after it move down one
/// index; controls on it are dropped, rules testing it are dropped, and
/// rules acting on it lose those actions (each noted).
pub(crate) fn without_link(
    net: &Network,
    removed: LinkIx,
    notes: &mut Vec<String>,
) -> Result<Network, EditProblem> {
    let id = net.link(removed).id.clone();
    let renumber = |k: LinkIx| match k.0.cmp(&removed.0) {
        std::cmp::Ordering::Less => Some(k),
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(LinkIx(k.0 - 1)),
    };

    let mut out = Network::new();
    out.title = net.title.clone();
    out.options = net.options.clone();
    out.times = net.times.clone();
    out.report = net.report.clone();
    out.energy = net.energy.clone();
    out.reactions = net.reactions.clone();
    out.labels = net.labels.clone();
    out.backdrop = net.backdrop.clone();
    let duplicate = |e: NetworkError| EditProblem::invalid("link", e.to_string());
    for node in &net.nodes {
        out.add_node(node.clone()).map_err(duplicate)?;
    }
    for pattern in &net.patterns {
        out.add_pattern(pattern.clone()).map_err(duplicate)?;
    }
    for curve in &net.curves {
        out.add_curve(curve.clone()).map_err(duplicate)?;
    }
    for (k, link) in net.links.iter().enumerate() {
        if k != removed.ix() {
            out.add_link(link.clone()).map_err(duplicate)?;
        }
    }

    // Controls and rules refer to links by index.
    let controls_before = net.controls.len();
    out.controls = net
        .controls
        .iter()
        .filter_map(|c| {
            let mut c = c.clone();
            c.action.link = renumber(c.action.link)?;
            Some(c)
        })
        .collect();
    let dropped_controls = controls_before - out.controls.len();
    if dropped_controls > 0 {
        notes.push(format!(
            "link {id} removed with the {} acting on it",
            crate::report::plural(dropped_controls, "control")
        ));
    }
    for rule in &net.rules {
        let tests_link = rule
            .premises
            .iter()
            .any(|p| p.object == RuleObject::Link(removed));
        if tests_link {
            notes.push(format!("rule {} removed: it tests link {id}", rule.id));
            continue;
        }
        let mut rule = rule.clone();
        for p in &mut rule.premises {
            if let RuleObject::Link(k) = p.object {
                p.object = RuleObject::Link(renumber(k).unwrap_or(k));
            }
        }
        let actions = rule.then_actions.len() + rule.else_actions.len();
        for list in [&mut rule.then_actions, &mut rule.else_actions] {
            *list = list
                .iter()
                .filter_map(|a| {
                    let mut a = *a;
                    a.link = renumber(a.link)?;
                    Some(a)
                })
                .collect();
        }
        if rule.then_actions.len() + rule.else_actions.len() < actions {
            notes.push(format!("rule {} no longer acts on link {id}", rule.id));
        }
        out.rules.push(rule);
    }
    Ok(out)
}

/// A node id not yet used: `wanted` if free and short enough, else
/// `BURST1`, `BURST2`, ...
pub(crate) fn free_node_id(net: &Network, wanted: &str) -> String {
    free_id(wanted, |id| net.node_ix(id).is_some())
}

/// A link id not yet used, chosen as [`free_node_id`] does.
pub(crate) fn free_link_id(net: &Network, wanted: &str) -> String {
    free_id(wanted, |id| net.link_ix(id).is_some())
}

fn free_id(wanted: &str, taken: impl Fn(&str) -> bool) -> String {
    if wanted.chars().count() <= MAX_ID_CHARS && !taken(wanted) {
        return wanted.to_string();
    }
    (1..)
        .map(|n| format!("BURST{n}"))
        .find(|id| !taken(id))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{
        Control, ControlAction, ControlCondition, Link, LinkKind, LinkStatusSetting, Node,
        NodeKind, Pipe, Reservoir,
    };

    fn three_pipes() -> Network {
        let mut net = Network::new();
        let r = net
            .add_node(Node::new(
                "R",
                NodeKind::Reservoir(Reservoir::default()),
                50.0,
            ))
            .unwrap();
        let j = net
            .add_node(Node::new("J", NodeKind::Junction(Default::default()), 0.0))
            .unwrap();
        for id in ["A", "B", "C"] {
            let pipe = LinkKind::Pipe(Pipe::new(100.0, 0.2, 100.0));
            net.add_link(Link::new(id, r, j, pipe)).unwrap();
        }
        for k in 0..3 {
            net.controls.push(Control {
                action: ControlAction {
                    link: LinkIx(k),
                    status: LinkStatusSetting::Closed,
                },
                condition: ControlCondition::AtTime { time_s: 3600 },
                enabled: true,
            });
        }
        net
    }

    #[test]
    fn removing_a_link_renumbers_the_controls_of_later_links() {
        let net = three_pipes();
        let mut notes = Vec::new();
        let out = without_link(&net, LinkIx(1), &mut notes).unwrap();
        assert_eq!(out.links.len(), 2);
        assert_eq!(out.link_ix("C"), Some(LinkIx(1)));
        let acted: Vec<u32> = out.controls.iter().map(|c| c.action.link.0).collect();
        assert_eq!(acted, vec![0, 1]);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn ids_taken_or_too_long_fall_back_to_numbered_ones() {
        let net = three_pipes();
        assert_eq!(free_link_id(&net, "A"), "BURST1");
        assert_eq!(free_link_id(&net, "A-2"), "A-2");
        assert_eq!(free_node_id(&net, &"x".repeat(40)), "BURST1");
    }
}
