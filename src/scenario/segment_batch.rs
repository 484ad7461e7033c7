//! A generated batch of valve closures: every segment of a valve layer shut in turn, one row each.
//!
//! Each closure is what `pipenet isolate` does for a pipe or node of that
//! segment: the valves on the segment's boundary close, the segment's own
//! links close and its junctions ask nothing
//! ([`crate::analysis::closed_network`]), and the network runs its whole
//! period with pressure-dependent demands ([`crate::analysis::with_pda`]:
//! the network's own PDA settings, or none at 0 and full demand from the
//! service pressure up). One run of the network before any closure, made
//! once for the batch, gives the demand asked.
//!
//! A row tells, in the network's terms: the segment (numbered from 1, as
//! `pipenet isolate --segments` numbers them) and its boundary valves, the
//! customers (junctions with a base demand) in the segment and in the
//! segments the closure cuts off from every source (unintended isolation),
//! the demand not delivered after closing (asked before closing minus
//! delivered after, over the whole run, m³), and the junctions left in
//! service that fall below the service pressure or are cut off at some
//! time. Rows come in segment order; the runs share nothing, so the rows
//! are the same for any thread count.

use serde::Serialize;

use super::batch::{guarded, run_each, BatchError, BatchOptions};
use crate::analysis::{
    below_service, closed_network, pressure_run, with_pda, PressureRun, Segments, ValveLayer,
};
use crate::network::Network;

/// One summary row per segment closed. Volumes in m³.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    /// Position of the closure in the whole batch, from 0.
    pub index: usize,
    /// The segment shut, numbered from 1.
    pub segment: usize,
    /// `ok`, `unbalanced` (some periods after closing did not converge) or
    /// `failed`.
    pub status: &'static str,
    /// Why it failed, or empty.
    pub reason: String,
    /// The valves closed, by id, separated by spaces, in layer order.
    pub valves: String,
    /// How many valves close.
    pub valve_count: usize,
    /// Customers out of service: in the shut segment and in the segments
    /// cut off by the closure.
    pub customers_cut_off: usize,
    /// Segments cut off from every source by the closure (unintended
    /// isolation), numbered from 1, separated by spaces.
    pub unintended_isolation: String,
    /// Customers in those segments alone.
    pub unintended_customers: usize,
    /// Demand asked before closing minus demand delivered after, over the
    /// whole run, m³.
    pub not_delivered_m3: String,
    /// Junctions in service below the service pressure, or cut off, at some
    /// time after closing.
    pub nodes_below_service: usize,
    /// Hydraulic periods solved after closing.
    pub periods: usize,
    /// Periods after closing that did not converge.
    pub unbalanced_periods: usize,
}

/// Which segments a batch closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentChoice {
    /// Every segment, in order.
    All,
    /// These segments, numbered from 1, in the order given.
    Listed(Vec<usize>),
}

/// A segment choice that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentChoiceError {
    /// A list item that is not a segment number.
    #[error(
        "'{0}' is not a segment number (give all, or numbers from 1 \
         as `pipenet isolate --segments` lists them)"
    )]
    NotANumber(String),
    /// A segment number beyond the layer's segments.
    #[error(
        "no segment {number}: the valve layer makes {} (numbered from 1)",
        crate::report::plural(*count, "segment")
    )]
    NoSuchSegment {
        /// The number given.
        number: usize,
        /// Segments there are.
        count: usize,
    },
}

impl SegmentChoice {
    /// Parses `all` or a comma-separated list of segment numbers from 1.
    pub fn parse(text: &str) -> Result<SegmentChoice, SegmentChoiceError> {
        if text.trim().eq_ignore_ascii_case("all") {
            return Ok(SegmentChoice::All);
        }
        let numbers = (text.split(','))
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<usize>()
                    .map_err(|_| SegmentChoiceError::NotANumber(item.to_string()))
            })
            .collect::<Result<Vec<usize>, _>>()?;
        Ok(SegmentChoice::Listed(numbers))
    }

    /// The segments chosen, numbered from 0, checked against `segments`.
    pub fn resolve(&self, segments: &Segments) -> Result<Vec<usize>, SegmentChoiceError> {
        let count = segments.segments.len();
        match self {
            SegmentChoice::All => Ok((0..count).collect()),
            SegmentChoice::Listed(numbers) => (numbers.iter())
                .map(|&number| match number {
                    1.. if number <= count => Ok(number - 1),
                    _ => Err(SegmentChoiceError::NoSuchSegment { number, count }),
                })
                .collect(),
        }
    }
}

/// A network, its valve layer and segments, and how its closures run.
#[derive(Debug, Clone)]
pub struct SegmentBatch<'a> {
    /// The network with pressure-dependent demands, as every closure runs.
    pda: Network,
    /// The valve layer.
    layer: &'a ValveLayer,
    /// The layer's segments on the network.
    segments: Segments,
    /// Service pressure, m of head.
    service_m: f64,
}

impl<'a> SegmentBatch<'a> {
    /// The closures of the segments of `layer` on `net`, with service
    /// pressure `service_m` (m of head; also the PDA required pressure of a
    /// demand-driven network).
    pub fn new(net: &Network, layer: &'a ValveLayer, service_m: f64) -> Self {
        SegmentBatch {
            pda: with_pda(net, service_m),
            layer,
            segments: Segments::new(net, layer),
            service_m,
        }
    }

    /// The segments of the layer.
    pub fn segments(&self) -> &Segments {
        &self.segments
    }

    /// Closes each of `which` (segments numbered from 0) in turn, or the
    /// shard of them `options` asks for, and returns one row each in order.
    /// The run before closing is made first; if it fails, so does the batch.
    pub fn run(
        &self,
        which: &[usize],
        options: &BatchOptions,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<SegmentRow>, BatchError> {
        let before = pressure_run(&self.pda).map_err(|e| BatchError::Baseline {
            reason: e.to_string(),
        })?;
        run_each(which, options, progress, |index, &segment| {
            self.row(index, segment, &before)
        })
    }

    /// The row of one closure, whatever happens.
    fn row(&self, index: usize, segment: usize, before: &PressureRun) -> SegmentRow {
        let net = &self.pda;
        let isolation = self.segments.shut(vec![segment]);
        let customers = |which: &[usize]| -> usize {
            (which.iter())
                .map(|&s| self.segments.customers(net, s))
                .sum()
        };
        let numbers = |which: &[usize]| -> String {
            (which.iter())
                .map(|s| (s + 1).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let valves: Vec<&str> = (isolation.valves_to_close.iter())
            .map(|&v| self.layer.valves[v].id.as_str())
            .collect();
        let mut row = SegmentRow {
            index,
            segment: segment + 1,
            status: "ok",
            reason: String::new(),
            valves: valves.join(" "),
            valve_count: valves.len(),
            customers_cut_off: customers(&isolation.out_of_service()),
            unintended_isolation: numbers(&isolation.cut_off),
            unintended_customers: customers(&isolation.cut_off),
            not_delivered_m3: String::new(),
            nodes_below_service: 0,
            periods: 0,
            unbalanced_periods: 0,
        };

        let closed = closed_network(net, self.layer, &self.segments, &isolation);
        match guarded(|| pressure_run(&closed).map_err(|e| e.to_string())) {
            Ok(after) => {
                let lost_m3 = before.demand_asked_m3 - after.demand_delivered_m3;
                row.not_delivered_m3 = format!("{:.3}", lost_m3.max(0.0));
                row.nodes_below_service =
                    below_service(net, &self.segments, &isolation, &after, self.service_m).len();
                row.periods = after.periods;
                row.unbalanced_periods = after.unconverged;
                if after.unconverged > 0 {
                    row.status = "unbalanced";
                }
            }
            Err(reason) => {
                row.status = "failed";
                row.reason = reason;
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_all_and_lists() {
        assert_eq!(SegmentChoice::parse("all"), Ok(SegmentChoice::All));
        assert_eq!(
            SegmentChoice::parse("3, 1,"),
            Ok(SegmentChoice::Listed(vec![3, 1]))
        );
        assert!(matches!(
            SegmentChoice::parse("3,x"),
            Err(SegmentChoiceError::NotANumber(item)) if item == "x"
        ));
    }
}
