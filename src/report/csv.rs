//! Results as CSV: one row per element and report time, in the units asked for.
//!
//! Columns: `time_s,element,id,head,pressure,demand,flow,velocity,headloss,status,setting`,
//! then, when a water quality analysis ran, `quality` (nodes and links) and,
//! for a chemical, `reaction` (links: the reaction rate in the
//! concentration's units per day). Node rows leave the link columns empty
//! and link rows the node columns.
//!
//! The header names quantities only, as the JSON's arrays do: a units row
//! or units in the column names would break readers that take the columns
//! as numbers or find them by name. [`units_note`] states the units, and
//! the CLI prints it beside the file's name.

use std::io::Write;

use super::{link_values_in, node_values_in, quality_unit, ReportUnits, Results};
use crate::network::{Network, QualityKind};

/// Writes results as CSV in `units`.
pub fn write(
    out: &mut impl Write,
    net: &Network,
    units: &ReportUnits,
    results: &Results,
) -> std::io::Result<()> {
    let with_quality = !results.quality.is_empty();
    let with_reaction =
        with_quality && matches!(net.options.quality.kind, QualityKind::Chemical { .. });
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "time_s", "element", "id", "head", "pressure", "demand", "flow", "velocity", "headloss",
        "status", "setting",
    ];
    if with_quality {
        header.push("quality");
    }
    if with_reaction {
        header.push("reaction");
    }
    w.write_record(&header)?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for (t, snap) in results.snapshots.iter().enumerate() {
        let time = snap.time_s.to_string();
        let quality = results.quality.get(t).filter(|_| with_quality);
        for (i, node) in net.nodes.iter().enumerate() {
            let v = node_values_in(net, units, snap, i);
            record.clear();
            record.extend([time.clone(), "node".into(), node.id.clone()]);
            record.extend([v.head, v.pressure, v.demand].map(|x| x.to_string()));
            record.extend(std::iter::repeat_n(String::new(), 5));
            if let Some(q) = quality {
                record.push(q.node[i].to_string());
            }
            if with_reaction {
                record.push(String::new());
            }
            w.write_record(&record)?;
        }
        for (k, link) in net.links.iter().enumerate() {
            let v = link_values_in(net, units, snap, k);
            record.clear();
            record.extend([time.clone(), "link".into(), link.id.clone()]);
            record.extend(std::iter::repeat_n(String::new(), 3));
            record.extend([v.flow, v.velocity, v.headloss].map(|x| x.to_string()));
            record.extend([v.status.to_string(), v.setting.to_string()]);
            if let Some(q) = quality {
                record.push(q.link[k].to_string());
                if with_reaction {
                    record.push(q.link_reaction[k].to_string());
                }
            }
            w.write_record(&record)?;
        }
    }
    w.flush()
}

/// The units of the CSV's columns, in words: `head and headloss ft,
/// pressure psi, ...`, with the quality's when `results` carry one.
pub fn units_note(net: &Network, units: &ReportUnits, results: &Results) -> String {
    let mut note = format!(
        "head and headloss {}, pressure {}, demand and flow {}, velocity {}; status 0 closed, \
         1 open, 2 active or unable to meet its setting; setting: a pipe's roughness, a pump's \
         speed, a valve's setting",
        units.length_name(),
        units.pressure_name(),
        units.flow_name(),
        units.velocity_name()
    );
    if let (false, Some(unit)) = (
        results.quality.is_empty(),
        quality_unit(&net.options.quality.kind),
    ) {
        note.push_str(&format!("; quality {unit}"));
        if matches!(net.options.quality.kind, QualityKind::Chemical { .. }) {
            note.push_str(&format!(", reaction {unit}/day"));
        }
    }
    note
}
