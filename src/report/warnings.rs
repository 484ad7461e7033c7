//! EPANET's hydraulic warnings of one period, worded and ordered as its report writes them.
//!
//! After each period's status lines, EPANET 2.3 checks, in this order:
//! a solution found only after the trial limit ("Maximum trials exceeded
//! ... System may be unstable"), negative pressures at junctions that take
//! water (demand-driven analysis only), valves that cannot meet their
//! setting, pumps that cannot deliver the head or run beyond their curve,
//! and a solution that did not balance ("System unbalanced", with
//! "EXECUTION HALTED." when `[OPTIONS] UNBALANCED` is STOP). If any of these
//! was found it also lists the junctions cut off from every tank and
//! reservoir (at most ten by name, then a count) and names a link on the
//! way from the last of them to the connected part, then ends the group
//! with a blank line. The wording is EPANET's: programs read these lines.
//!
//! # Differences from EPANET
//! pipenet takes junctions cut off from every source out of its equations
//! and delivers them no demand, where EPANET keeps drawing their demand
//! through the closed links at absurd negative pressures (see
//! docs/validation.md, "Known differences"). The warnings follow pipenet's
//! own results, with EPANET's consequences kept: a cut-off junction that
//! asks for water counts as a junction with a negative pressure (EPANET's
//! would always be one), and the cut-off junctions listed are those of
//! pipenet's marks ([`HydraulicState::connected`]) that ask for water.
//! The link named is found as EPANET finds it (a depth-first search from
//! the last listed junction over EPANET's adjacency lists, each node's
//! links last-read first, stopping at the first link that reaches a
//! connected node), over pipenet's marks.

use crate::hydraulics::{HydraulicState, LinkStatus, SolveOutcome};
use crate::network::{DemandModel, Network, Unbalanced};

/// Junctions EPANET names in a disconnection warning before it counts the rest.
const NAMED_DISCONNECTED: usize = 10;

/// EPANET's trial count and balance verdict for a solved period.
///
/// EPANET's counter runs one past the trial limit when the trials run out,
/// and it calls a solution balanced when its relative flow change is within
/// `ACCURACY`, whatever ended the trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Trials {
    /// The trial count EPANET prints.
    pub count: u32,
    /// Whether the relative flow change is within `ACCURACY`.
    pub balanced: bool,
    /// Whether the count is past `TRIALS`.
    pub past_limit: bool,
}

impl Trials {
    /// The count and verdict EPANET would print for `outcome`.
    pub fn of(net: &Network, outcome: &SolveOutcome) -> Self {
        let ran_out = !outcome.converged && outcome.singular_at.is_none();
        let count = outcome.iterations + u32::from(ran_out);
        Trials {
            count,
            balanced: outcome.relative_error <= net.options.accuracy,
            past_limit: count > net.options.trials,
        }
    }
}

/// What EPANET's checks find wrong with one period's solution.
#[derive(Debug, Clone, Default, PartialEq)]
struct Findings {
    /// Balanced only after the trial limit (warning 2).
    unstable: bool,
    /// A junction that takes water has a negative pressure (warning 6).
    negative_pressure: bool,
    /// Valves that cannot meet their setting, with that status (warning 5).
    valves: Vec<(usize, LinkStatus)>,
    /// Pumps that cannot deliver the head or run beyond their curve (warning 4).
    pumps: Vec<(usize, LinkStatus)>,
    /// Not balanced within the trial limit (warning 1).
    unbalanced: bool,
}

impl Findings {
    fn of(
        net: &Network,
        outcome: &SolveOutcome,
        state: &HydraulicState,
        strained: impl Iterator<Item = (usize, LinkStatus)>,
    ) -> Self {
        let trials = Trials::of(net, outcome);
        let (mut valves, mut pumps) = (Vec::new(), Vec::new());
        for (k, status) in strained {
            match status {
                LinkStatus::XFcv | LinkStatus::XPressure => valves.push((k, status)),
                LinkStatus::XHead | LinkStatus::XFlow => pumps.push((k, status)),
                _ => {}
            }
        }
        // EPANET checks valves in input order, then pumps in input order.
        valves.sort_unstable_by_key(|&(k, _)| k);
        pumps.sort_unstable_by_key(|&(k, _)| k);
        Findings {
            unstable: trials.past_limit && trials.balanced,
            negative_pressure: net.options.demand_model == DemandModel::Dda
                && negative_pressure(net, state),
            valves,
            pumps,
            unbalanced: trials.past_limit && !trials.balanced,
        }
    }

    /// EPANET's warning code for the period: the last of its checks that
    /// found something (1 unbalanced, 4 pumps, 5 valves, 6 negative
    /// pressures, 2 unstable), 0 when none did.
    fn code(&self) -> i32 {
        if self.unbalanced {
            1
        } else if !self.pumps.is_empty() {
            4
        } else if !self.valves.is_empty() {
            5
        } else if self.negative_pressure {
            6
        } else if self.unstable {
            2
        } else {
            0
        }
    }
}

/// EPANET's warning code for one period's solution (0 when nothing is
/// wrong; else 1 unbalanced, 4 pumps, 5 valves, 6 negative pressures,
/// 2 unstable: the last of EPANET's checks, in the order given at the top
/// of this module, that found something). EPANET's results file carries
/// the code of the last period that had one.
pub fn warning_code(
    net: &Network,
    outcome: &SolveOutcome,
    state: &HydraulicState,
    strained: impl Iterator<Item = (usize, LinkStatus)>,
) -> i32 {
    Findings::of(net, outcome, state, strained).code()
}

/// Writes the warnings of each period; keeps EPANET's adjacency lists,
/// built the first time a disconnection is reported.
#[derive(Debug, Clone, Default)]
pub(crate) struct WarningWriter {
    /// For each node, (link, node at its other end), links in reverse input
    /// order as EPANET's lists hold them.
    adjacency: Vec<Vec<(usize, usize)>>,
}

/// What the warnings of one period are written from.
pub(crate) struct PeriodWarnings<'a> {
    /// The period's time as the report writes it (h:mm:ss).
    pub at: &'a str,
    /// How the period's solution ended.
    pub outcome: &'a SolveOutcome,
    /// The period's solution.
    pub state: &'a HydraulicState,
}

impl WarningWriter {
    /// The warning lines of one period, each without the report's margin,
    /// ending with a blank line (`" "`), or none if nothing is wrong;
    /// `strained` are the pumps and valves that cannot do what is asked of
    /// them, with the status EPANET gives them (XHead, XFlow, XFcv, XPressure).
    pub fn lines(
        &mut self,
        net: &Network,
        period: &PeriodWarnings<'_>,
        strained: impl Iterator<Item = (usize, LinkStatus)>,
    ) -> Vec<String> {
        let at = period.at;
        let found = Findings::of(net, period.outcome, period.state, strained);
        let mut lines = Vec::new();
        if found.unstable {
            lines.push(format!(
                "WARNING: Maximum trials exceeded at {at} hrs. System may be unstable."
            ));
        }
        if found.negative_pressure {
            lines.push(format!("WARNING: Negative pressures at {at} hrs."));
        }
        for &(k, status) in &found.valves {
            let link = &net.links[k];
            let text = super::rpt::status_text(status);
            lines.push(format!(
                "WARNING: {} {} {text} at {at} hrs.",
                link.kind_name(),
                link.id
            ));
        }
        for &(k, status) in &found.pumps {
            let text = super::rpt::status_text(status);
            let id = &net.links[k].id;
            lines.push(format!("WARNING: Pump {id} {text} at {at} hrs."));
        }
        if found.unbalanced {
            let halted = match net.options.unbalanced {
                Unbalanced::Stop => " EXECUTION HALTED.",
                Unbalanced::Continue { .. } => "",
            };
            lines.push(format!("WARNING: System unbalanced at {at} hrs.{halted}"));
        }
        if lines.is_empty() {
            return lines;
        }
        self.disconnected(net, period, &mut lines);
        lines.push(" ".into());
        lines
    }

    /// EPANET's disconnection warnings: the cut-off junctions that ask for
    /// water, at most ten by name and then a count, and the link between
    /// the last of them and the connected part.
    fn disconnected(
        &mut self,
        net: &Network,
        period: &PeriodWarnings<'_>,
        lines: &mut Vec<String>,
    ) {
        if net.options.demand_model != DemandModel::Dda {
            // EPANET's pressure-driven demands at cut-off junctions fall to
            // zero, and it lists only junctions with a demand.
            return;
        }
        let state = period.state;
        let cut_off: Vec<usize> = (0..net.nodes.len())
            .filter(|&i| net.nodes[i].is_junction() && asks_for_water_cut_off(state, i))
            .collect();
        let Some(&last) = cut_off.last() else {
            return;
        };
        let at = period.at;
        for &i in cut_off.iter().take(NAMED_DISCONNECTED) {
            lines.push(format!(
                "WARNING: Node {} disconnected at {at} hrs",
                net.nodes[i].id
            ));
        }
        if cut_off.len() > NAMED_DISCONNECTED {
            let more = cut_off.len() - NAMED_DISCONNECTED;
            lines.push(format!(
                "WARNING: {more} additional nodes disconnected at {at} hrs"
            ));
        }
        if let Some(k) = self.link_to_connected_part(net, state, last) {
            lines.push(format!(
                "WARNING: System disconnected because of Link {}",
                net.links[k].id
            ));
        }
    }

    /// The link EPANET names as the cause of a disconnection: searching
    /// depth-first from junction `start` over the cut-off part, the first
    /// link found that reaches a connected node.
    fn link_to_connected_part(
        &mut self,
        net: &Network,
        state: &HydraulicState,
        start: usize,
    ) -> Option<usize> {
        if self.adjacency.len() != net.nodes.len() {
            self.adjacency = epanet_adjacency(net);
        }
        let mut visited = vec![false; net.nodes.len()];
        visited[start] = true;
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for &(k, j) in &self.adjacency[i] {
                if visited[j] {
                    continue;
                }
                if state.connected[j] {
                    return Some(k);
                }
                visited[j] = true;
                stack.push(j);
            }
        }
        None
    }
}

/// Whether junction `i` is cut off from every source and asks for water.
fn asks_for_water_cut_off(state: &HydraulicState, i: usize) -> bool {
    !state.connected[i] && state.full_demand_m3s[i] > 0.0
}

/// Whether some junction that takes water has its head below its
/// elevation, or is cut off while asking for water (EPANET would draw it
/// at a negative pressure).
fn negative_pressure(net: &Network, state: &HydraulicState) -> bool {
    net.nodes.iter().enumerate().any(|(i, n)| {
        n.is_junction()
            && ((state.node_demand_m3s[i] > 0.0 && state.head_m[i] < n.elevation_m)
                || asks_for_water_cut_off(state, i))
    })
}

/// Each node's links and the nodes at their other ends, in the order
/// EPANET's adjacency lists hold them: each link is put at the head of both
/// of its end nodes' lists, in input order, so the last link read comes first.
fn epanet_adjacency(net: &Network) -> Vec<Vec<(usize, usize)>> {
    let mut adjacency = vec![Vec::new(); net.nodes.len()];
    for (k, link) in net.links.iter().enumerate().rev() {
        let (a, b) = (link.from.ix(), link.to.ix());
        adjacency[a].push((k, b));
        adjacency[b].push((k, a));
    }
    adjacency
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_link_read_comes_first_in_epanets_lists() {
        let text = "[RESERVOIRS]\n R 10\n[JUNCTIONS]\n A 0\n B 0\n[PIPES]\n \
                    1 R A 10 100 100\n 2 A B 10 100 100\n 3 B R 10 100 100\n[END]\n";
        let net = crate::inp::read_str(text, "t.inp").unwrap().network;
        let adjacency = epanet_adjacency(&net);
        let (r, a, b) = (
            net.node_ix("R").unwrap().ix(),
            net.node_ix("A").unwrap().ix(),
            net.node_ix("B").unwrap().ix(),
        );
        assert_eq!(adjacency[r], vec![(2, b), (0, a)]);
        assert_eq!(adjacency[a], vec![(1, b), (0, r)]);
    }
}
