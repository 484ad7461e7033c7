//! Time-series statistics: one period of averages, minima, maxima or ranges (`[TIMES] STATISTIC`).
//!
//! With `STATISTIC` other than NONE, EPANET 2.3 writes one period to its
//! binary results file and its report's tables instead of every report
//! time: for each node and link field, the statistic of the values of
//! every report period. It computes them from the values it stored, so in
//! 32-bit floats and in the file's units, with two adjustments for links:
//! flows count by their size (the average of −10 and 10 is 10), and a
//! status counts as open (codes 3 and above: open, active, and the valves
//! and pumps open without meeting their target) or not, the result being
//! open (3) when the statistic is 0.5 or more and closed (2) otherwise.
//! A range of statuses is therefore always closed.
//!
//! The average is the sum of the periods' values in 32-bit floats divided
//! by the number of periods; minimum and maximum start from ±10¹⁰
//! (EPANET's "missing" value).

use super::out::{period_values, PeriodValues, LINK_FLOW, LINK_STATUS};
use super::Results;
use crate::network::{Network, Statistic};

/// EPANET's stand-in for a missing value, the start of its minima and maxima.
const MISSING: f32 = 1e10;

/// EPANET's status code of an open link; the codes above it (active, and
/// open without meeting a target) count as open too.
const OPEN_CODE: f32 = 3.0;

/// EPANET's status code of a closed link, what a statistic of statuses
/// below one half gives.
const CLOSED_CODE: f32 = 2.0;

/// The statistic of every field over the report periods of `results`;
/// `None` for a time series (`Statistic::None`) or a run without report
/// periods.
pub fn over_periods(
    net: &Network,
    results: &Results,
    statistic: Statistic,
) -> Option<PeriodValues> {
    let periods = results.snapshots.len();
    if statistic == Statistic::None || periods == 0 {
        return None;
    }
    let mut sum = filled(net, 0.0);
    let mut low = filled(net, MISSING);
    let mut high = filled(net, -MISSING);
    for t in 0..periods {
        let mut values = period_values(net, results, t);
        as_counted(&mut values);
        for ((s, l), (h, x)) in fields_mut(&mut sum)
            .zip(fields_mut(&mut low))
            .zip(fields_mut(&mut high).zip(fields_of(&values)))
        {
            for i in 0..x.len() {
                s[i] += x[i];
                l[i] = l[i].min(x[i]);
                h[i] = h[i].max(x[i]);
            }
        }
    }

    let mut result = match statistic {
        Statistic::Average => {
            let n = periods as f32;
            for field in fields_mut(&mut sum) {
                field.iter_mut().for_each(|v| *v /= n);
            }
            sum
        }
        Statistic::Minimum => low,
        Statistic::Maximum => high,
        Statistic::None => return None,
        Statistic::Range => {
            for (h, l) in fields_mut(&mut high).zip(fields_of(&low)) {
                h.iter_mut().zip(l).for_each(|(h, l)| *h -= l);
            }
            high
        }
    };
    for status in &mut result.link[LINK_STATUS] {
        *status = if *status < 0.5 {
            CLOSED_CODE
        } else {
            OPEN_CODE
        };
    }
    Some(result)
}

/// A period's values as the statistics count them: flows by their size,
/// statuses as 1 (open) or 0.
fn as_counted(values: &mut PeriodValues) {
    for flow in &mut values.link[LINK_FLOW] {
        *flow = flow.abs();
    }
    for status in &mut values.link[LINK_STATUS] {
        *status = if *status >= OPEN_CODE { 1.0 } else { 0.0 };
    }
}

/// A period with every value `value`.
fn filled(net: &Network, value: f32) -> PeriodValues {
    PeriodValues {
        node: std::array::from_fn(|_| vec![value; net.nodes.len()]),
        link: std::array::from_fn(|_| vec![value; net.links.len()]),
    }
}

/// Every field of a period, nodes' first.
fn fields_of(values: &PeriodValues) -> impl Iterator<Item = &Vec<f32>> {
    values.node.iter().chain(&values.link)
}

/// Every field of a period, nodes' first, to change.
fn fields_mut(values: &mut PeriodValues) -> impl Iterator<Item = &mut Vec<f32>> {
    values.node.iter_mut().chain(values.link.iter_mut())
}
