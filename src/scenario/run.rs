//! Running an edited network and summarising it: burst outflow, demand not delivered, low pressures.
//!
//! Volumes are integrals over hydraulic periods: each period's flow times
//! the length of the step that follows it (flows are constant over a step,
//! as in EPANET's mass balance). Pressures are checked at every period from
//! the start of the window of interest (a burst's start, else time 0).
//! "Customers" are junctions with a base demand above zero; a customer cut
//! off from every tank and reservoir counts as below service pressure.

use super::{Applied, BurstSite};
use crate::hydraulics::{HydraulicState, HydraulicsError, Simulation};
use crate::network::{Network, NodeIx, NodeKind};
use crate::report::{Results, Snapshot};

/// Service pressure used when a scenario gives none, m of head.
pub const DEFAULT_SERVICE_PRESSURE_M: f64 = 20.0;

/// Pressures closer than this, m, are the same when a summary keeps the
/// place and time of the lowest (or highest) one ([`RunSummary::min_pressure`],
/// zone figures, the lowest pressure of a closure): a micrometre, far
/// below what the solver resolves and far above rounding, so that an
/// extreme reached again (a periodic run repeats its days) keeps its first
/// place and time.
pub const PRESSURE_TIE_M: f64 = 1e-6;

/// How to run a scenario.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunOptions {
    /// Service pressure, m of head; the scenario's `[report]` value, else
    /// [`DEFAULT_SERVICE_PRESSURE_M`].
    pub service_pressure_m: Option<f64>,
    /// Keep every report-time snapshot (for writing full results).
    pub keep_results: bool,
    /// Start of the window in which pressures are checked, s; the earliest
    /// burst's start (or 0) if absent.
    pub window_start_s: Option<u64>,
    /// A time, s, at which burst outflow and demand not delivered are also
    /// totalled apart (before and from it), as for a burst isolated then.
    pub split_at_s: Option<u64>,
}

/// Totals from [`RunOptions::split_at_s`] on: every period that starts at
/// or after it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AfterSplit {
    /// The split time, s.
    pub at_s: u64,
    /// Water lost through the bursts from the split time, m³.
    pub burst_volume_m3: f64,
    /// Customer demand not delivered from the split time, m³.
    pub deficit_m3: f64,
    /// Demand not delivered from the split time at each node (by node
    /// index; 0 for nodes that are not customers), m³.
    pub node_deficit_m3: Vec<f64>,
}

/// A junction that fell below the service pressure.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBelow {
    /// The junction.
    pub node: NodeIx,
    /// Its lowest pressure head while supplied, m (`None` if it was cut
    /// off every time it was below).
    pub min_pressure_m: Option<f64>,
    /// The first time it was below, s.
    pub first_time_s: u64,
    /// Whether it was cut off from every source at some time.
    pub cut_off: bool,
}

/// Values at one report time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportRow {
    /// Time, s.
    pub time_s: u64,
    /// Outflow of all bursts, m³/s.
    pub burst_outflow_m3s: f64,
    /// Customer demand asked, m³/s.
    pub demand_m3s: f64,
    /// Customer demand delivered, m³/s.
    pub delivered_m3s: f64,
    /// Customers below the service pressure (or cut off).
    pub customers_below: usize,
}

/// Lowest and highest value of an element over the run, in SI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lowest value and its time, s.
    pub min: (f64, u64),
    /// Highest value and its time, s.
    pub max: (f64, u64),
}

/// The summary of one run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunSummary {
    /// Hydraulic periods solved.
    pub periods: usize,
    /// Periods that did not converge.
    pub unbalanced_periods: usize,
    /// When the run stopped early (`UNBALANCED STOP`), s.
    pub halted_at_s: Option<u64>,
    /// The last time simulated, s.
    pub end_s: u64,
    /// Customer demand asked over the run, m³.
    pub demand_m3: f64,
    /// Customer demand delivered over the run, m³.
    pub delivered_m3: f64,
    /// Customer demand not delivered over the run, m³: the sum over
    /// customers of max(0, asked − delivered), as EPANET's `DEMANDDEFICIT`.
    pub deficit_m3: f64,
    /// Water lost through the bursts, m³.
    pub burst_volume_m3: f64,
    /// Water out of every emitter (bursts included) and every junction's
    /// `[LEAKAGE]` outflow over the run, m³.
    pub leakage_volume_m3: f64,
    /// Largest burst outflow, m³/s, and its time, s.
    pub burst_peak: (f64, u64),
    /// Lowest pressure head of a supplied customer from the window start:
    /// m, junction, time s. Where the lowest is reached more than once
    /// (a periodic run repeats its days) the first time and node are kept:
    /// a later value counts as lower only by more than
    /// [`PRESSURE_TIE_M`], so that rounding alone cannot move it.
    pub min_pressure: Option<(f64, NodeIx, u64)>,
    /// Customers below the service pressure from the window start, in
    /// node order.
    pub below_service: Vec<NodeBelow>,
    /// Values at each report time.
    pub rows: Vec<ReportRow>,
    /// Pressure head range (m) of each node the report names.
    pub node_ranges: Vec<(NodeIx, Range)>,
    /// Flow range (m³/s) of each link the report names.
    pub link_ranges: Vec<(usize, Range)>,
    /// Every report-time snapshot, if asked for.
    pub results: Option<Results>,
    /// Totals from the split time on, if one was asked for.
    pub after_split: Option<AfterSplit>,
}

impl RunSummary {
    /// Customer demand not delivered over the run, m³.
    pub fn not_delivered_m3(&self) -> f64 {
        self.deficit_m3
    }
}

/// Simulates an edited network to its end and summarises it.
pub fn simulate(applied: &Applied, options: &RunOptions) -> Result<RunSummary, HydraulicsError> {
    let net = &applied.network;
    let service_m = options
        .service_pressure_m
        .or(applied
            .report
            .service_pressure
            .map(|p| p * net.units().pressure))
        .unwrap_or(DEFAULT_SERVICE_PRESSURE_M);
    let window_s = options
        .window_start_s
        .or(applied.bursts.iter().map(|b| b.start_s).min())
        .unwrap_or(0);
    let mut watch = Watch::new(applied, service_m, window_s);
    let mut summary = RunSummary {
        results: options.keep_results.then(Results::default),
        after_split: options.split_at_s.map(|at_s| AfterSplit {
            at_s,
            node_deficit_m3: vec![0.0; net.nodes.len()],
            ..AfterSplit::default()
        }),
        ..RunSummary::default()
    };

    let mut sim = Simulation::new(net)?;
    // The summary reads neither pump energy nor the flow balance.
    sim.stop_accounts();
    loop {
        let outcome = sim.solve_period();
        let t = sim.time_s();
        summary.periods += 1;
        if !outcome.converged {
            summary.unbalanced_periods += 1;
        }
        let rates = watch.observe(t, sim.state(), &mut summary);
        if let Some(report_s) = sim.report_time_s() {
            summary.rows.push(ReportRow {
                time_s: report_s,
                burst_outflow_m3s: rates.burst_m3s,
                demand_m3s: rates.demand_m3s,
                delivered_m3s: rates.delivered_m3s,
                customers_below: rates.customers_below,
            });
            if let Some(results) = &mut summary.results {
                results.snapshots.push(Snapshot::of(report_s, sim.state()));
            }
        }
        summary.end_s = t;
        // Per-customer deficits of this period, read before the state advances.
        let node_deficits: Vec<(usize, f64)> = match &summary.after_split {
            Some(after) if t >= after.at_s => watch.deficits(sim.state()),
            _ => Vec::new(),
        };
        let step = sim.advance() as f64;
        summary.demand_m3 += rates.demand_m3s * step;
        summary.delivered_m3 += rates.delivered_m3s * step;
        summary.burst_volume_m3 += rates.burst_m3s * step;
        summary.leakage_volume_m3 += rates.leakage_m3s * step;
        summary.deficit_m3 += rates.deficit_m3s * step;
        if let Some(after) = summary.after_split.as_mut().filter(|a| t >= a.at_s) {
            after.burst_volume_m3 += rates.burst_m3s * step;
            after.deficit_m3 += rates.deficit_m3s * step;
            for (i, deficit_m3s) in node_deficits {
                after.node_deficit_m3[i] += deficit_m3s * step;
            }
        }
        if step == 0.0 {
            if sim.halted() {
                summary.halted_at_s = Some(t);
            }
            break;
        }
    }
    summary.below_service = watch.below.into_iter().flatten().collect();
    summary.node_ranges = watch.node_ranges;
    summary.link_ranges = watch.link_ranges;
    Ok(summary)
}

/// Flows of one period, m³/s, and the customers below service.
struct Rates {
    burst_m3s: f64,
    /// Emitters and `[LEAKAGE]` at every junction.
    leakage_m3s: f64,
    demand_m3s: f64,
    delivered_m3s: f64,
    deficit_m3s: f64,
    customers_below: usize,
}

/// A junction with a base demand, as the watch reads it every period.
#[derive(Debug, Clone, Copy)]
struct Customer {
    /// Node index.
    node: usize,
    /// Its elevation, m, kept here so that each period reads one short
    /// array rather than every customer's whole node.
    elevation_m: f64,
}

/// What is watched during a run.
struct Watch<'a> {
    net: &'a Network,
    bursts: &'a [BurstSite],
    customers: Vec<Customer>,
    service_m: f64,
    window_s: u64,
    below: Vec<Option<NodeBelow>>,
    node_ranges: Vec<(NodeIx, Range)>,
    link_ranges: Vec<(usize, Range)>,
}

impl<'a> Watch<'a> {
    fn new(applied: &'a Applied, service_m: f64, window_s: u64) -> Self {
        let net = &applied.network;
        let customers = net
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| match &n.kind {
                NodeKind::Junction(j) => j.demands.iter().any(|d| d.base_m3s > 0.0),
                _ => false,
            })
            .map(|(node, n)| Customer {
                node,
                elevation_m: n.elevation_m,
            })
            .collect();
        let start = Range {
            min: (f64::INFINITY, 0),
            max: (f64::NEG_INFINITY, 0),
        };
        Watch {
            net,
            bursts: &applied.bursts,
            customers,
            service_m,
            window_s,
            below: vec![None; net.nodes.len()],
            node_ranges: (applied.report.nodes.iter())
                .filter_map(|id| net.node_ix(id))
                .map(|i| (i, start))
                .collect(),
            link_ranges: (applied.report.links.iter())
                .filter_map(|id| net.link_ix(id))
                .map(|k| (k.ix(), start))
                .collect(),
        }
    }

    /// Records one period's pressures and returns its flows.
    fn observe(&mut self, t: u64, state: &HydraulicState, summary: &mut RunSummary) -> Rates {
        let burst_m3s: f64 = (self.bursts.iter())
            .map(|b| state.emitter_flow_m3s[b.leak_junction.ix()])
            .sum();
        if burst_m3s > summary.burst_peak.0 {
            summary.burst_peak = (burst_m3s, t);
        }
        let leakage_m3s = (state.emitter_flow_m3s.iter())
            .chain(&state.leakage_flow_m3s)
            .sum();
        let mut rates = Rates {
            burst_m3s,
            leakage_m3s,
            demand_m3s: 0.0,
            delivered_m3s: 0.0,
            deficit_m3s: 0.0,
            customers_below: 0,
        };
        for c in 0..self.customers.len() {
            let Customer {
                node: i,
                elevation_m,
            } = self.customers[c];
            rates.demand_m3s += state.full_demand_m3s[i];
            rates.delivered_m3s += state.demand_flow_m3s[i];
            rates.deficit_m3s += (state.full_demand_m3s[i] - state.demand_flow_m3s[i]).max(0.0);
            let supplied = state.connected[i];
            let pressure = state.head_m[i] - elevation_m;
            if supplied && t >= self.window_s {
                match summary.min_pressure {
                    Some((p, _, _)) if p <= pressure + PRESSURE_TIE_M => {}
                    _ => summary.min_pressure = Some((pressure, NodeIx(i as u32), t)),
                }
            }
            if supplied && pressure >= self.service_m {
                continue;
            }
            rates.customers_below += 1;
            if t >= self.window_s {
                self.mark_below(i, t, supplied.then_some(pressure));
            }
        }
        for (i, range) in &mut self.node_ranges {
            let p = state.head_m[i.ix()] - self.net.nodes[i.ix()].elevation_m;
            widen(range, p, t);
        }
        for (k, range) in &mut self.link_ranges {
            widen(range, state.flow_m3s[*k], t);
        }
        rates
    }

    /// Each customer's demand not delivered in `state`, m³/s.
    fn deficits(&self, state: &HydraulicState) -> Vec<(usize, f64)> {
        (self.customers.iter())
            .map(|&Customer { node: i, .. }| {
                (
                    i,
                    (state.full_demand_m3s[i] - state.demand_flow_m3s[i]).max(0.0),
                )
            })
            .collect()
    }

    fn mark_below(&mut self, i: usize, t: u64, pressure: Option<f64>) {
        let entry = self.below[i].get_or_insert(NodeBelow {
            node: NodeIx(i as u32),
            min_pressure_m: None,
            first_time_s: t,
            cut_off: false,
        });
        match pressure {
            Some(p) => {
                entry.min_pressure_m = Some(entry.min_pressure_m.map_or(p, |m: f64| m.min(p)));
            }
            None => entry.cut_off = true,
        }
    }
}

fn widen(range: &mut Range, value: f64, t: u64) {
    if value < range.min.0 {
        range.min = (value, t);
    }
    if value > range.max.0 {
        range.max = (value, t);
    }
}
