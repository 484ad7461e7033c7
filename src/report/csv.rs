//! Results as CSV: one row per element and report time, in the units asked for.
//!
//! Columns: `time_s,element,id,head,pressure,demand,flow,velocity,headloss,status,setting`;
//! node rows leave the link columns empty and link rows the node columns.

use std::io::Write;

use super::{link_values_in, node_values_in, ReportUnits, Results};
use crate::network::Network;

/// Writes results as CSV in `units`.
pub fn write(
    out: &mut impl Write,
    net: &Network,
    units: &ReportUnits,
    results: &Results,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "time_s", "element", "id", "head", "pressure", "demand", "flow", "velocity", "headloss",
        "status", "setting",
    ])?;
    for snap in &results.snapshots {
        let t = snap.time_s.to_string();
        for (i, node) in net.nodes.iter().enumerate() {
            let v = node_values_in(net, units, snap, i);
            w.write_record([
                t.as_str(),
                "node",
                node.id.as_str(),
                &v.head.to_string(),
                &v.pressure.to_string(),
                &v.demand.to_string(),
                "",
                "",
                "",
                "",
                "",
            ])?;
        }
        for (k, link) in net.links.iter().enumerate() {
            let v = link_values_in(net, units, snap, k);
            w.write_record([
                t.as_str(),
                "link",
                link.id.as_str(),
                "",
                "",
                "",
                &v.flow.to_string(),
                &v.velocity.to_string(),
                &v.headloss.to_string(),
                &v.status.to_string(),
                &v.setting.to_string(),
            ])?;
        }
    }
    w.flush()
}
