//! Results as JSON, in the layout of EPANET's reference tool.
//!
//! `nodes`, `links`, `times_s`, then `node.{head,pressure,demand,quality}` and
//! `link.{flow,velocity,headloss,status,setting,quality}` as `[time][element]`
//! arrays in the network's own units (so a result compares directly with
//! EPANET's) or in the units asked for; the `units` block names them. A
//! chemical analysis adds `link.reaction`, each link's reaction rate in the
//! concentration's units per day. Results are always every report time,
//! whatever `[TIMES] STATISTIC` says (it shapes the `.out` and `.rpt` only).

use std::io::Write;

use serde::Serialize;

use super::{link_values_in, node_values_in, ReportUnits, Results};
use crate::hydraulics::TimeSteps;
use crate::network::{LinkKind, Network, NodeKind, QualityKind, ValveType};

#[derive(Serialize)]
struct Document<'a> {
    engine: String,
    network: &'a str,
    flow_units_code: u32,
    /// The units every value is in, spelled as in `.inp` files.
    units: UnitNames,
    report_start_s: u64,
    report_step_s: u64,
    nodes: Vec<&'a str>,
    node_types: Vec<&'static str>,
    links: Vec<&'a str>,
    link_types: Vec<&'static str>,
    times_s: Vec<u64>,
    node: NodeFields,
    link: LinkFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<SourcesField<'a>>,
}

/// Units of the values, so that a results file reads on its own.
#[derive(Serialize)]
struct UnitNames {
    flow: &'static str,
    pressure: &'static str,
    /// Heads, elevations and head losses.
    length: &'static str,
    velocity: &'static str,
    /// Link statuses: EPANET's EN_STATUS codes.
    status: &'static str,
}

/// `--sources`: each source's share of every node's water, and the
/// dominant source, per report time.
#[derive(Serialize)]
struct SourcesField<'a> {
    ids: Vec<&'a str>,
    /// [time][source][node], percent.
    percent: Vec<Vec<Vec<f64>>>,
    /// [time][node]: id of the source with the largest share, or null.
    dominant: Vec<Vec<Option<&'a str>>>,
}

#[derive(Serialize)]
struct NodeFields {
    head: Vec<Vec<f64>>,
    pressure: Vec<Vec<f64>>,
    demand: Vec<Vec<f64>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    quality: Vec<Vec<f64>>,
}

#[derive(Serialize)]
struct LinkFields {
    flow: Vec<Vec<f64>>,
    velocity: Vec<Vec<f64>>,
    headloss: Vec<Vec<f64>>,
    status: Vec<Vec<u8>>,
    setting: Vec<Vec<f64>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    quality: Vec<Vec<f64>>,
    /// Reaction rate, concentration units per day (chemical analyses only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reaction: Vec<Vec<f64>>,
}

/// Writes results as JSON in `units`. `network_name` is the input file's name.
pub fn write(
    out: &mut impl Write,
    net: &Network,
    units: &ReportUnits,
    network_name: &str,
    results: &Results,
) -> std::io::Result<()> {
    let n_nodes = net.nodes.len();
    let n_links = net.links.len();
    let mut node = NodeFields {
        head: vec![],
        pressure: vec![],
        demand: vec![],
        quality: vec![],
    };
    let mut link = LinkFields {
        flow: vec![],
        velocity: vec![],
        headloss: vec![],
        status: vec![],
        setting: vec![],
        quality: vec![],
        reaction: vec![],
    };
    for snap in &results.snapshots {
        let nv: Vec<_> = (0..n_nodes)
            .map(|i| node_values_in(net, units, snap, i))
            .collect();
        node.head.push(nv.iter().map(|v| round7(v.head)).collect());
        node.pressure
            .push(nv.iter().map(|v| round7(v.pressure)).collect());
        node.demand
            .push(nv.iter().map(|v| round7(v.demand)).collect());
        let lv: Vec<_> = (0..n_links)
            .map(|k| link_values_in(net, units, snap, k))
            .collect();
        link.flow.push(lv.iter().map(|v| round7(v.flow)).collect());
        link.velocity
            .push(lv.iter().map(|v| round7(v.velocity)).collect());
        link.headloss
            .push(lv.iter().map(|v| round7(v.headloss)).collect());
        link.status.push(lv.iter().map(|v| v.status).collect());
        link.setting
            .push(lv.iter().map(|v| round7(v.setting)).collect());
    }
    let chemical = matches!(net.options.quality.kind, QualityKind::Chemical { .. });
    for q in &results.quality {
        node.quality
            .push(q.node.iter().map(|&c| round7(c)).collect());
        link.quality
            .push(q.link.iter().map(|&c| round7(c)).collect());
        if chemical {
            link.reaction
                .push(q.link_reaction.iter().map(|&r| round7(r)).collect());
        }
    }
    let steps = TimeSteps::new(&net.times);
    let doc = Document {
        engine: format!("pipenet {}", env!("CARGO_PKG_VERSION")),
        network: network_name,
        flow_units_code: units.flow.code(),
        units: UnitNames {
            flow: units.flow_name(),
            pressure: units.pressure_name(),
            length: units.length_name(),
            velocity: units.velocity_name(),
            status: "0 closed, 1 open, 2 active or unable to meet its setting",
        },
        report_start_s: steps.report_start_s,
        report_step_s: steps.report_s,
        nodes: net.nodes.iter().map(|n| n.id.as_str()).collect(),
        node_types: net.nodes.iter().map(|n| node_type(&n.kind)).collect(),
        links: net.links.iter().map(|l| l.id.as_str()).collect(),
        link_types: net.links.iter().map(|l| link_type(&l.kind)).collect(),
        times_s: results.snapshots.iter().map(|s| s.time_s).collect(),
        node,
        link,
        sources: results.sources.as_ref().map(|sh| SourcesField {
            ids: sh
                .sources
                .iter()
                .map(|&i| net.nodes[i].id.as_str())
                .collect(),
            percent: sh
                .percent
                .iter()
                .map(|t| {
                    t.iter()
                        .map(|s| s.iter().map(|&p| round7(p)).collect())
                        .collect()
                })
                .collect(),
            dominant: (0..sh.percent.len())
                .map(|t| {
                    (0..n_nodes)
                        .map(|i| {
                            sh.dominant(t, i)
                                .map(|s| net.nodes[sh.sources[s]].id.as_str())
                        })
                        .collect()
                })
                .collect(),
        }),
    };
    serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
    out.flush()
}

/// Seven significant digits, as the reference tool keeps; a non-finite
/// value stays so and is written as `null`, never as a number.
fn round7(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if x == 0.0 {
        return 0.0;
    }
    format!("{x:.6e}").parse().unwrap_or(x)
}

fn node_type(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Junction(_) => "junction",
        NodeKind::Reservoir(_) => "reservoir",
        NodeKind::Tank(_) => "tank",
    }
}

fn link_type(kind: &LinkKind) -> &'static str {
    match kind {
        LinkKind::Pipe(p) if p.check_valve => "cvpipe",
        LinkKind::Pipe(_) => "pipe",
        LinkKind::Pump(_) => "pump",
        LinkKind::Valve(v) => match v.valve_type {
            ValveType::Prv => "prv",
            ValveType::Psv => "psv",
            ValveType::Pbv => "pbv",
            ValveType::Fcv => "fcv",
            ValveType::Tcv => "tcv",
            ValveType::Gpv => "gpv",
            ValveType::Pcv => "pcv",
        },
    }
}
