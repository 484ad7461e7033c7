//! A pipe burst: the pipe split at a point, the leak an emitter there, from a start time.
//!
//! The burst pipe is cut at a fraction of its length from its start node
//! into two pipes joined by a new junction. The first part keeps the
//! pipe's id (and its index, so controls and rules keep acting on it); the
//! second part is `ID-2`, and every control or rule action on the pipe is
//! copied onto it. The leak is an orifice, written as an EPANET emitter
//! `q = C p^0.5` with
//!
//! ```text
//! C = Cd · A · √(2g)     (m³/s per m^0.5 of pressure head; g = 9.815 m/s², EPANET's 32.2 ft/s²)
//! ```
//!
//! the orifice law `q = Cd A √(2 g h)` (EPANET manual, emitters). The
//! network's single emitter exponent must be 0.5 for this to be an
//! orifice: if it is not and no other junction has an emitter, it is set
//! to 0.5 (nothing else changes); if other emitters use it, it is kept and
//! a note says the burst follows `q = C p^γ` with the network's γ.
//!
//! # From a start time
//! EPANET has no way to add an emitter during a run from an `.inp` file.
//! A burst that starts at `t > 0` therefore puts the emitter on a second
//! new junction `ID-leak`, at the same elevation, joined to the split
//! junction by a short wide pipe `ID-leak` (0.1 m long, three times the
//! burst pipe's diameter, same roughness) that is closed at the start and
//! opened by the control `LINK ID-leak OPEN AT TIME t`. Its head loss is
//! negligible (about 1/200 of 0.1 m of the burst pipe), and a written
//! `.inp` file shows the control. A burst from time 0 puts the emitter on
//! the split junction itself.
//!
//! # Demands
//! A burst lowers pressures; demand-driven demands would be delivered at
//! any pressure, so a burst switches a demand-driven network to
//! pressure-dependent demands (PDA) with a minimum pressure of 0 and a
//! required pressure of [`DEFAULT_REQUIRED_PRESSURE_M`], unless a
//! `pressure_dependent` edit sets them.

use serde::Deserialize;

use super::edits::{add_link, non_negative, positive, set_pda, EditProblem, Editor};
use super::network_edit::{free_link_id, free_node_id};
use super::time::SimTime;
use crate::network::units::GRAVITY;
use crate::network::{
    Control, ControlAction, ControlCondition, DemandModel, InitialStatus, Link, LinkIx, LinkKind,
    LinkStatusSetting, Network, Node, NodeIx, NodeKind, Pipe,
};

/// Required pressure of the PDA a burst switches a DDA network to, m of head.
pub const DEFAULT_REQUIRED_PRESSURE_M: f64 = 20.0;

/// Length of the pipe that connects a late burst's leak junction, m.
const CONNECTOR_LENGTH_M: f64 = 0.1;

/// A burst as a scenario file or the command line gives it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurstSpec {
    /// The burst pipe's id.
    pub pipe: String,
    /// Where along the pipe, as a fraction of its length from its start
    /// node, strictly between 0 and 1 (0.5 by default). `at` in the CLI.
    #[serde(default = "half", alias = "at")]
    pub fraction: f64,
    /// Orifice area, m² (whatever the file's units); needs `cd`.
    pub area: Option<f64>,
    /// Discharge coefficient of the orifice (0.75 by default).
    #[serde(default = "default_cd")]
    pub cd: f64,
    /// Emitter coefficient in the file's flow and pressure units, instead
    /// of `area` and `cd`.
    pub emitter: Option<f64>,
    /// When the burst starts (0 by default).
    #[serde(default)]
    pub start: Option<SimTime>,
}

fn half() -> f64 {
    0.5
}

fn default_cd() -> f64 {
    0.75
}

impl BurstSpec {
    /// A burst of `pipe` at its middle with an orifice of `area_m2` and
    /// discharge coefficient 0.75, from time 0.
    pub fn orifice(pipe: impl Into<String>, area_m2: f64) -> Self {
        BurstSpec {
            pipe: pipe.into(),
            fraction: half(),
            area: Some(area_m2),
            cd: default_cd(),
            emitter: None,
            start: None,
        }
    }

    /// The emitter coefficient in SI (m³/s per m^γ of pressure head).
    fn coefficient_si(&self, net: &Network) -> Result<f64, EditProblem> {
        match (self.area, self.emitter) {
            (Some(area), None) => {
                let area = positive("area", area)?;
                let cd = positive("cd", self.cd)?;
                finite_coefficient("area", area, cd * area * (2.0 * GRAVITY).sqrt())
            }
            (None, Some(c)) => {
                let u = net.units();
                let gamma = net.options.emitter_exponent;
                let c = positive("emitter", c)?;
                finite_coefficient("emitter", c, c * u.flow / u.pressure.powf(gamma))
            }
            _ => Err(EditProblem::invalid(
                "area",
                "give either an orifice area (and cd) or an emitter coefficient",
            )),
        }
    }
}

/// The leak's coefficient in SI, or an error on `field` (whose value was
/// `given`) when it is too large for the coefficient to be a number.
fn finite_coefficient(field: &'static str, given: f64, si: f64) -> Result<f64, EditProblem> {
    if si.is_finite() {
        Ok(si)
    } else {
        Err(EditProblem::invalid(
            field,
            format!("{given:e} is too large: the leak's coefficient would be infinite"),
        ))
    }
}

/// Where a burst was put in the edited network.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstSite {
    /// The burst pipe's id (its first part keeps it).
    pub pipe: String,
    /// The junction that splits the pipe.
    pub split_junction: NodeIx,
    /// The junction with the leak's emitter (the split junction, or the
    /// leak junction of a late burst).
    pub leak_junction: NodeIx,
    /// The second part of the pipe.
    pub second_part: LinkIx,
    /// The pipe that opens at the start of a late burst.
    pub connector: Option<LinkIx>,
    /// When the leak starts, s.
    pub start_s: u64,
    /// The emitter coefficient, SI (m³/s per m^γ).
    pub coefficient_si: f64,
}

/// Applies a burst to the network of `ed`.
pub(crate) fn apply(ed: &mut Editor, spec: &BurstSpec) -> Result<BurstSite, EditProblem> {
    let k = ed.pipe("pipe", &spec.pipe)?;
    let f = spec.fraction;
    if !(f > 0.0 && f < 1.0) {
        return Err(EditProblem::invalid(
            "fraction",
            format!("{f} is not strictly between 0 and 1"),
        ));
    }
    let coefficient_si = non_negative("area", spec.coefficient_si(ed.net)?)?;
    settle_exponent(ed);
    let (split_junction, second_part) = split_pipe(ed.net, k, f)?;
    let start_s = spec.start.map_or(0, |t| t.0);

    let (leak_junction, connector) = if start_s == 0 {
        (split_junction, None)
    } else {
        let (node, pipe) = late_leak(ed.net, k, split_junction, start_s)?;
        (node, Some(pipe))
    };
    ed.net.nodes[leak_junction.ix()].emitter_coefficient = coefficient_si;

    if ed.net.options.demand_model == DemandModel::Dda {
        let required = DEFAULT_REQUIRED_PRESSURE_M;
        set_pda(ed.net, 0.0, required, None)?;
        ed.notes.push(format!(
            "pressure-dependent demands (PDA) from 0 to {:.4} {} (the network was demand-driven)",
            required / ed.units.pressure,
            ed.net.options.pressure_units.keyword()
        ));
    }
    Ok(BurstSite {
        pipe: spec.pipe.clone(),
        split_junction,
        leak_junction,
        second_part,
        connector,
        start_s,
        coefficient_si,
    })
}

/// Makes the emitter exponent 0.5 when no other emitter depends on it.
fn settle_exponent(ed: &mut Editor) {
    let gamma = ed.net.options.emitter_exponent;
    if gamma == 0.5 {
        return;
    }
    if ed.net.nodes.iter().all(|n| n.emitter_coefficient == 0.0) {
        ed.net.options.emitter_exponent = 0.5;
        ed.notes.push(format!(
            "emitter exponent set from {gamma} to 0.5 for the orifice law (no other emitters)"
        ));
    } else {
        ed.notes.push(format!(
            "the network's emitters use exponent {gamma}; the burst follows q = C p^{gamma} \
             too, not the orifice law q = C p^0.5"
        ));
    }
}

/// Splits pipe `k` at fraction `f` of its length; returns the new junction
/// and the second part.
fn split_pipe(net: &mut Network, k: LinkIx, f: f64) -> Result<(NodeIx, LinkIx), EditProblem> {
    let link = net.link(k).clone();
    let LinkKind::Pipe(pipe) = &link.kind else {
        return Err(EditProblem::invalid("pipe", "not a pipe"));
    };
    let (a, b) = (net.node(link.from).clone(), net.node(link.to).clone());
    let (coordinates, before, after) = split_polyline(&a, &b, link.vertices(), f);

    let id = free_node_id(net, &format!("{}-burst", link.id));
    let mut junction = Node::new(
        id,
        NodeKind::Junction(Default::default()),
        elevation(&a, &b, f),
    );
    junction.coordinates = coordinates;
    let j = net
        .add_node(junction)
        .map_err(|e| EditProblem::invalid("pipe", e.to_string()))?;

    let mut first = pipe.clone();
    first.length_m = pipe.length_m * f;
    first.minor_loss = pipe.minor_loss * f;
    let mut second = pipe.clone();
    second.length_m = pipe.length_m * (1.0 - f);
    second.minor_loss = pipe.minor_loss * (1.0 - f);

    let mut second_link = link.clone();
    second_link.id = free_link_id(net, &format!("{}-2", link.id));
    second_link.from = j;
    second_link.kind = LinkKind::Pipe(second);
    second_link.set_vertices(after);
    second_link.set_comment(None);
    let k2 = add_link(net, second_link, "pipe")?;

    let first_link = &mut net.links[k.ix()];
    first_link.to = j;
    first_link.kind = LinkKind::Pipe(first);
    first_link.set_vertices(before);

    copy_actions(net, k, k2);
    Ok((j, k2))
}

/// The split junction's elevation: linear along the pipe between its end
/// nodes; a reservoir end (whose "elevation" is its head) gives way to the
/// other end's elevation.
fn elevation(a: &Node, b: &Node, f: f64) -> f64 {
    let is_reservoir = |n: &Node| matches!(n.kind, NodeKind::Reservoir(_));
    match (is_reservoir(a), is_reservoir(b)) {
        (false, true) => a.elevation_m,
        (true, false) => b.elevation_m,
        _ => a.elevation_m + f * (b.elevation_m - a.elevation_m),
    }
}

/// The point at fraction `f` of the length of the drawn pipe, and the
/// vertices before and after it. Without end coordinates there is no
/// point, and the vertices stay with the first part.
type Split = (Option<(f64, f64)>, Vec<(f64, f64)>, Vec<(f64, f64)>);

fn split_polyline(a: &Node, b: &Node, vertices: &[(f64, f64)], f: f64) -> Split {
    let (Some(start), Some(end)) = (a.coordinates, b.coordinates) else {
        return (None, vertices.to_vec(), Vec::new());
    };
    let points: Vec<(f64, f64)> = std::iter::once(start)
        .chain(vertices.iter().copied())
        .chain(std::iter::once(end))
        .collect();
    let seg = |p: (f64, f64), q: (f64, f64)| (q.0 - p.0).hypot(q.1 - p.1);
    let total: f64 = points.windows(2).map(|w| seg(w[0], w[1])).sum();
    let target = f * total;
    let mut run = 0.0;
    for (i, w) in points.windows(2).enumerate() {
        let len = seg(w[0], w[1]);
        if run + len >= target && len > 0.0 {
            let t = (target - run) / len;
            let p = (
                w[0].0 + t * (w[1].0 - w[0].0),
                w[0].1 + t * (w[1].1 - w[0].1),
            );
            // Segment i runs from point i to point i + 1; vertices are points 1..n-1.
            return (Some(p), vertices[..i].to_vec(), vertices[i..].to_vec());
        }
        run += len;
    }
    let mid = (
        start.0 + f * (end.0 - start.0),
        start.1 + f * (end.1 - start.1),
    );
    (Some(mid), vertices.to_vec(), Vec::new())
}

/// Copies every control and rule action on link `from` onto link `to`.
fn copy_actions(net: &mut Network, from: LinkIx, to: LinkIx) {
    let copies: Vec<Control> = net
        .controls
        .iter()
        .filter(|c| c.action.link == from)
        .map(|c| {
            let mut c = c.clone();
            c.action.link = to;
            c
        })
        .collect();
    net.controls.extend(copies);
    for rule in &mut net.rules {
        for list in [&mut rule.then_actions, &mut rule.else_actions] {
            let copies: Vec<_> = list
                .iter()
                .filter(|a| a.link == from)
                .map(|a| {
                    let mut a = *a;
                    a.link = to;
                    a
                })
                .collect();
            list.extend(copies);
        }
    }
}

/// Adds the leak junction of a late burst and the pipe to it that opens at
/// `start_s`.
fn late_leak(
    net: &mut Network,
    burst_pipe: LinkIx,
    split: NodeIx,
    start_s: u64,
) -> Result<(NodeIx, LinkIx), EditProblem> {
    let split_node = net.node(split).clone();
    let LinkKind::Pipe(pipe) = &net.link(burst_pipe).kind else {
        return Err(EditProblem::invalid("pipe", "not a pipe"));
    };
    let connector = Pipe::new(CONNECTOR_LENGTH_M, 3.0 * pipe.diameter_m, pipe.roughness);
    let pipe_id = net.link(burst_pipe).id.clone();

    let id = free_node_id(net, &format!("{pipe_id}-leak"));
    let mut leak = Node::new(
        id,
        NodeKind::Junction(Default::default()),
        split_node.elevation_m,
    );
    leak.coordinates = split_node.coordinates;
    let leak = net
        .add_node(leak)
        .map_err(|e| EditProblem::invalid("pipe", e.to_string()))?;

    let mut link = Link::new(
        free_link_id(net, &format!("{pipe_id}-leak")),
        split,
        leak,
        LinkKind::Pipe(connector),
    );
    link.initial_status = InitialStatus::Closed;
    let k = add_link(net, link, "pipe")?;
    net.controls.push(Control {
        action: ControlAction {
            link: k,
            status: LinkStatusSetting::Open,
        },
        condition: ControlCondition::AtTime { time_s: start_s },
        enabled: true,
    });
    Ok((leak, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::units::UnitSystem;
    use crate::network::Reservoir;

    fn line_network() -> Network {
        let mut net = Network::new();
        let mut r = Node::new("R", NodeKind::Reservoir(Reservoir::default()), 100.0);
        r.coordinates = Some((0.0, 0.0));
        let r = net.add_node(r).unwrap();
        let mut j = Node::new("J", NodeKind::Junction(Default::default()), 10.0);
        j.coordinates = Some((10.0, 0.0));
        let j = net.add_node(j).unwrap();
        let mut pipe = Pipe::new(1000.0, 0.3, 100.0);
        pipe.minor_loss = 2.0;
        net.add_link(Link::new("P", r, j, LinkKind::Pipe(pipe)))
            .unwrap();
        net
    }

    fn apply_to(net: &mut Network, spec: &BurstSpec) -> (BurstSite, Vec<String>) {
        let mut notes = Vec::new();
        let units: UnitSystem = net.units();
        let mut ed = Editor {
            net,
            units,
            notes: &mut notes,
        };
        let site = apply(&mut ed, spec).unwrap();
        (site, notes)
    }

    #[test]
    fn the_split_keeps_length_and_minor_loss_and_places_the_junction() {
        let mut net = line_network();
        let mut spec = BurstSpec::orifice("P", 0.01);
        spec.fraction = 0.25;
        let (site, notes) = apply_to(&mut net, &spec);
        let len = |k: usize| match &net.links[k].kind {
            LinkKind::Pipe(p) => (p.length_m, p.minor_loss),
            _ => unreachable!(),
        };
        assert_eq!(len(0), (250.0, 0.5));
        assert_eq!(len(1), (750.0, 1.5));
        let j = net.node(site.split_junction);
        assert_eq!(j.coordinates, Some((2.5, 0.0)));
        // The reservoir's "elevation" is its head: the junction end's elevation is used.
        assert_eq!(j.elevation_m, 10.0);
        assert_eq!(site.leak_junction, site.split_junction);
        assert_eq!(net.options.demand_model, DemandModel::Pda);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn orifice_coefficient_is_cd_a_root_2g() {
        let mut net = line_network();
        let (site, _) = apply_to(&mut net, &BurstSpec::orifice("P", 0.01));
        let expected = 0.75 * 0.01 * (2.0f64 * 32.2 * 0.3048).sqrt();
        assert!((site.coefficient_si - expected).abs() < 1e-15);
    }

    /// `--area 1e308` was once refused as "area: inf must not be negative":
    /// the coefficient overflowed and was checked under the area's name.
    #[test]
    fn area_1e308_is_too_large_not_negative() {
        let mut net = line_network();
        let units = net.units();
        let mut notes = Vec::new();
        let mut ed = Editor {
            net: &mut net,
            units,
            notes: &mut notes,
        };
        let problem = apply(&mut ed, &BurstSpec::orifice("P", 1e308)).unwrap_err();
        let text = problem.to_string();
        assert!(text.contains("1e308 is too large"), "{text}");
        assert!(!text.contains("negative"), "{text}");
    }

    #[test]
    fn a_late_burst_hangs_off_a_closed_pipe_opened_by_a_control() {
        let mut net = line_network();
        let mut spec = BurstSpec::orifice("P", 0.01);
        spec.start = Some(SimTime(7200));
        let (site, _) = apply_to(&mut net, &spec);
        let connector = site.connector.unwrap();
        assert_eq!(net.link(connector).initial_status, InitialStatus::Closed);
        assert_eq!(net.node(site.split_junction).emitter_coefficient, 0.0);
        assert!(net.node(site.leak_junction).emitter_coefficient > 0.0);
        let c = net.controls.last().unwrap();
        assert_eq!(c.action.link, connector);
        assert_eq!(c.condition, ControlCondition::AtTime { time_s: 7200 });
    }
}
