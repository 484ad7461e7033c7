//! Isolating a burst: the valves around the burst pipe closed from a response time.
//!
//! The valves are those that shut the burst pipe's segment in the network
//! before the burst (see [`crate::analysis::isolation`]), found on the
//! original pipe id. Each valve closes the link it sits on from the
//! response time, through an `AT TIME` control on the edited network. A
//! valve on the burst pipe itself closes the half of the split pipe that
//! touches the valve's node: the first half (which keeps the pipe's id) at
//! the pipe's start node, the second half at its end node. The split
//! junction, both halves and a late burst's leak junction then lie inside
//! the shut segment, which has no source: the burst stops flowing.

use super::edits::Editor;
use super::time::SimTime;
use super::Applied;
use crate::analysis::{IsolationTarget, Segments, ValveLayer};
use crate::network::{LinkIx, LinkStatusSetting, Network, NodeIx, NodeKind};

/// The closure of a burst's segment.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstIsolation {
    /// When the valves close.
    pub at: SimTime,
    /// The valves closed, by index in the layer.
    pub valves: Vec<usize>,
    /// The links of the edited network closed at `at`, one per valve.
    pub closed_links: Vec<LinkIx>,
    /// Customers (junctions with demand) out of service after closing: in
    /// the shut segment or cut off from every source by the closure, in
    /// node order.
    pub customers_cut_off: Vec<NodeIx>,
}

/// Why a burst cannot be isolated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BurstIsolationError {
    /// The scenario has no burst.
    #[error("the scenario has no burst to isolate")]
    NoBurst,
    /// The closing time is after the end of the run.
    #[error(
        "the valves close at {at_s} s but the run ends at {end_s} s ([TIMES] DURATION): \
         nothing would be isolated"
    )]
    AfterEnd {
        /// The closing time, s.
        at_s: u64,
        /// The run's duration, s.
        end_s: u64,
    },
    /// No valve bounds the burst pipe's segment.
    #[error(
        "no valves isolate pipe {pipe}: its segment has no valve on its boundary \
         ({} in the layer)", crate::report::plural(*valves, "valve")
    )]
    NoValves {
        /// The burst pipe's id.
        pipe: String,
        /// Valves in the layer.
        valves: usize,
    },
    /// The burst pipe is not in the base network.
    #[error("no pipe '{pipe}' in the network")]
    UnknownPipe {
        /// The burst pipe's id.
        pipe: String,
    },
}

/// Closes, from `at`, the valves of `layer` (placed on `base`) that
/// isolate the first burst of `applied`, adding the controls to its
/// network. `applied` must come from `base` by the burst (and edits that
/// add, not remove, elements), so that `base`'s indices hold in it.
pub fn isolate(
    applied: &mut Applied,
    base: &Network,
    layer: &ValveLayer,
    at: SimTime,
) -> Result<BurstIsolation, BurstIsolationError> {
    let site = applied
        .bursts
        .first()
        .cloned()
        .ok_or(BurstIsolationError::NoBurst)?;
    let end_s = applied.network.times.duration_s;
    if at.0 > end_s {
        return Err(BurstIsolationError::AfterEnd { at_s: at.0, end_s });
    }
    let pipe = base
        .link_ix(&site.pipe)
        .ok_or_else(|| BurstIsolationError::UnknownPipe {
            pipe: site.pipe.clone(),
        })?;

    let segments = Segments::new(base, layer);
    let isolation = segments.isolate(IsolationTarget::Link(pipe));
    if isolation.valves_to_close.is_empty() {
        return Err(BurstIsolationError::NoValves {
            pipe: site.pipe.clone(),
            valves: layer.valves.len(),
        });
    }

    // A valve on the burst pipe closes the half that touches its node.
    let end_node = base.link(pipe).to;
    let closed_links: Vec<LinkIx> = (isolation.valves_to_close.iter())
        .map(|&v| {
            let valve = &layer.valves[v];
            if valve.link == pipe && valve.node == end_node {
                site.second_part
            } else {
                valve.link
            }
        })
        .collect();
    let units = applied.network.units();
    let mut editor = Editor {
        net: &mut applied.network,
        units,
        notes: &mut applied.notes,
    };
    for &k in &closed_links {
        editor.set_status(k, LinkStatusSetting::Closed, Some(at));
    }

    let customers_cut_off = (isolation.out_of_service().iter())
        .flat_map(|&s| segments.segments[s].nodes.iter().copied())
        .filter(|&i| is_customer(base, i))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(BurstIsolation {
        at,
        valves: isolation.valves_to_close,
        closed_links,
        customers_cut_off,
    })
}

/// A junction with a positive base demand.
fn is_customer(net: &Network, i: NodeIx) -> bool {
    match &net.node(i).kind {
        NodeKind::Junction(j) => j.demands.iter().any(|d| d.base_m3s > 0.0),
        _ => false,
    }
}
