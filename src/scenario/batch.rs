//! Batches: many scenarios on one base network, run in parallel, one summary row each.
//!
//! Each scenario clones the base, applies its edits and builds its own
//! hydraulic model (a burst adds a node, so the model cannot be shared).
//! Scenarios run on a rayon pool of the size asked for; rows come back in
//! scenario order and every number is formatted with fixed precision, so
//! the output is byte-identical for any number of threads. A scenario that
//! fails (bad edit, model error, even a panic in the solver) gives a row
//! with the reason; the batch goes on.
//!
//! `--shard i/n` keeps the i-th of n contiguous blocks of the scenario list
//! (i from 1), so the shards' rows, concatenated in shard order, are the
//! whole batch's rows.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;
use serde::Serialize;

use super::run::{simulate, RunOptions, RunSummary};
use super::{BurstSpec, Edit, Scenario};
use crate::network::{LinkKind, Network};
use crate::report::{ReportUnits, UnitChoice};

/// Why a batch cannot run at all (single scenarios never fail a batch).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The thread pool could not be made.
    #[error("cannot start {threads} threads: {reason}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why not.
        reason: String,
    },
    /// The run of the network before any edit, which every row is
    /// measured against, failed.
    #[error("the run before any closure failed: {reason}")]
    Baseline {
        /// Why.
        reason: String,
    },
    /// A shard that does not exist.
    #[error("shard {index}/{count}: needs 1 <= i <= n")]
    Shard {
        /// i.
        index: usize,
        /// n.
        count: usize,
    },
}

/// A deterministic part of a batch: block `index` (from 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which block, from 1.
    pub index: usize,
    /// How many blocks.
    pub count: usize,
}

impl Shard {
    /// Parses `i/n`.
    pub fn parse(text: &str) -> Option<Shard> {
        let (i, n) = text.split_once('/')?;
        Some(Shard {
            index: i.trim().parse().ok()?,
            count: n.trim().parse().ok()?,
        })
    }

    /// The range of scenario positions of this shard in a batch of `total`.
    pub fn range(self, total: usize) -> Result<std::ops::Range<usize>, BatchError> {
        if self.count == 0 || self.index == 0 || self.index > self.count {
            return Err(BatchError::Shard {
                index: self.index,
                count: self.count,
            });
        }
        let edge = |i: usize| i * total / self.count;
        Ok(edge(self.index - 1)..edge(self.index))
    }
}

/// One summary row per scenario, in the network's flow and pressure
/// units; volumes in m³.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Position of the scenario in the whole batch, from 0.
    pub index: usize,
    /// The scenario's name.
    pub scenario: String,
    /// `ok`, `unbalanced` (some periods did not converge) or `failed`.
    pub status: &'static str,
    /// Why it failed, or empty.
    pub reason: String,
    /// Hydraulic periods solved.
    pub periods: usize,
    /// Periods that did not converge.
    pub unbalanced_periods: usize,
    /// Lowest customer pressure from the window start.
    pub min_pressure: Option<String>,
    /// Where it was.
    pub min_pressure_node: String,
    /// When, s.
    pub min_pressure_time_s: Option<u64>,
    /// Customers below the service pressure (or cut off) at some time.
    pub customers_below_service: usize,
    /// Customer demand asked, m³.
    pub demand_m3: String,
    /// Customer demand not delivered, m³.
    pub not_delivered_m3: String,
    /// Largest burst outflow, in flow units.
    pub burst_peak_flow: String,
    /// Water lost through bursts, m³.
    pub burst_volume_m3: String,
}

/// How a batch runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Only this part of the batch.
    pub shard: Option<Shard>,
    /// Service pressure for scenarios that give none, m of head.
    pub service_pressure_m: Option<f64>,
    /// Units of the rows' pressures and flows (default: the network's).
    pub units: UnitChoice,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            threads: 1,
            shard: None,
            service_pressure_m: None,
            units: UnitChoice::File,
        }
    }
}

/// One burst scenario per pipe of the network (in file order), each a copy
/// of `template` on that pipe, followed by the `extra` edits.
pub fn burst_every_pipe(net: &Network, template: &BurstSpec, extra: &[Edit]) -> Vec<Scenario> {
    let pipes = net
        .links
        .iter()
        .filter(|l| matches!(l.kind, LinkKind::Pipe(_)))
        .map(|l| l.id.clone());
    pipes
        .map(|id| burst_scenario(&id, template, extra))
        .collect()
}

/// A scenario bursting pipe `pipe` as `template` says, then `extra` edits.
pub fn burst_scenario(pipe: &str, template: &BurstSpec, extra: &[Edit]) -> Scenario {
    let mut spec = template.clone();
    spec.pipe = pipe.to_string();
    let mut edits = vec![Edit::Burst(spec)];
    edits.extend(extra.iter().cloned());
    Scenario {
        name: format!("burst {pipe}"),
        edits,
        ..Scenario::default()
    }
}

/// Runs the scenarios (or the shard asked for) and returns their rows in
/// order. `progress` is called once per finished scenario, from any thread.
pub fn run(
    base: &Network,
    scenarios: &[Scenario],
    options: &BatchOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Row>, BatchError> {
    let run_options = RunOptions {
        service_pressure_m: options.service_pressure_m,
        keep_results: false,
        window_start_s: None,
        split_at_s: None,
    };
    run_each(scenarios, options, progress, |i, scenario| {
        run_one(base, options.units, i, scenario, &run_options)
    })
}

/// Runs `job` on every item of the batch (or of the shard asked for) on a
/// pool of `options.threads` threads (no more than there are items: the
/// others would only cost their start), and returns the results in item
/// order whatever the thread count. `job` gets the item's position in the
/// whole batch; `progress` is called once per finished item.
pub fn run_each<T: Sync, R: Send>(
    items: &[T],
    options: &BatchOptions,
    progress: &(dyn Fn() + Sync),
    job: impl Fn(usize, &T) -> R + Sync,
) -> Result<Vec<R>, BatchError> {
    let range = match options.shard {
        Some(shard) => shard.range(items.len())?,
        None => 0..items.len(),
    };
    let threads = options.threads.min(range.len()).max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BatchError::Threads {
            threads,
            reason: e.to_string(),
        })?;
    let jobs: Vec<(usize, &T)> = range.map(|i| (i, &items[i])).collect();
    Ok(pool.install(|| {
        jobs.par_iter()
            .map(|&(i, item)| {
                let result = job(i, item);
                progress();
                result
            })
            .collect()
    }))
}

/// Runs `work`, turning a panic into an error naming it, so that one
/// scenario's failure never aborts a batch.
pub(crate) fn guarded<R>(work: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(panic) => Err(format!("internal error: {}", panic_message(&panic))),
    }
}

/// Runs one scenario into its row, whatever happens.
fn run_one(
    base: &Network,
    units: UnitChoice,
    index: usize,
    scenario: &Scenario,
    options: &RunOptions,
) -> Row {
    match run_scenario(base, scenario, options) {
        Ok(summary) => summary_row(base, units, index, scenario, &summary),
        Err(reason) => failed_row(index, scenario, reason),
    }
}

/// The row of a scenario that could not run.
pub(crate) fn failed_row(index: usize, scenario: &Scenario, reason: String) -> Row {
    Row {
        index,
        scenario: scenario.name.clone(),
        status: "failed",
        reason,
        periods: 0,
        unbalanced_periods: 0,
        min_pressure: None,
        min_pressure_node: String::new(),
        min_pressure_time_s: None,
        customers_below_service: 0,
        demand_m3: String::new(),
        not_delivered_m3: String::new(),
        burst_peak_flow: String::new(),
        burst_volume_m3: String::new(),
    }
}

/// Applies and simulates one scenario; the batch's service pressure
/// applies unless the scenario gives its own. Errors and panics become the
/// reason.
pub(crate) fn run_scenario(
    base: &Network,
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<RunSummary, String> {
    guarded(|| {
        let applied = scenario.apply(base).map_err(|e| e.to_string())?;
        let options = RunOptions {
            service_pressure_m: options.service_pressure_m.filter(|_| {
                // A scenario's own service pressure wins over the batch's.
                applied.report.service_pressure.is_none()
            }),
            ..options.clone()
        };
        simulate(&applied, &options).map_err(|e| e.to_string())
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

/// A row from a summary. Node ids come from the base network: scenarios
/// only add nodes at the end, so base indices keep their meaning, and an
/// added node is named by its scenario-local position.
pub(crate) fn summary_row(
    base: &Network,
    units: UnitChoice,
    index: usize,
    scenario: &Scenario,
    s: &RunSummary,
) -> Row {
    let u = ReportUnits::new(base, units).factors;
    let node_id = |i: usize| {
        base.nodes
            .get(i)
            .map_or_else(|| format!("(new node {i})"), |n| n.id.clone())
    };
    let status = if s.unbalanced_periods > 0 || s.halted_at_s.is_some() {
        "unbalanced"
    } else {
        "ok"
    };
    Row {
        index,
        scenario: scenario.name.clone(),
        status,
        reason: s
            .halted_at_s
            .map(|t| format!("stopped at {t} s: a period did not converge"))
            .unwrap_or_default(),
        periods: s.periods,
        unbalanced_periods: s.unbalanced_periods,
        min_pressure: s
            .min_pressure
            .map(|(p, _, _)| format!("{:.3}", p / u.pressure)),
        min_pressure_node: s
            .min_pressure
            .map_or(String::new(), |(_, i, _)| node_id(i.ix())),
        min_pressure_time_s: s.min_pressure.map(|(_, _, t)| t),
        customers_below_service: s.below_service.len(),
        demand_m3: format!("{:.3}", s.demand_m3),
        not_delivered_m3: format!("{:.3}", s.not_delivered_m3()),
        burst_peak_flow: format!("{:.4}", s.burst_peak.0 / u.flow),
        burst_volume_m3: format!("{:.3}", s.burst_volume_m3),
    }
}

/// Writes rows (of any batch) as CSV with a header line.
pub fn write_csv<R: Serialize>(out: impl Write, rows: &[R]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    for row in rows {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes rows (of any batch) as a JSON array, one object per row.
pub fn write_json<R: Serialize>(mut out: impl Write, rows: &[R]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, rows)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_batch_in_order_without_overlap() {
        let total = 117;
        let mut next = 0;
        for index in 1..=4 {
            let r = Shard { index, count: 4 }.range(total).unwrap();
            assert_eq!(r.start, next);
            next = r.end;
        }
        assert_eq!(next, total);
        assert!(Shard { index: 0, count: 4 }.range(total).is_err());
        assert!(Shard { index: 5, count: 4 }.range(total).is_err());
        assert_eq!(Shard::parse("2/8"), Some(Shard { index: 2, count: 8 }));
    }

    /// `pipenet sensors Net1.inp --bursts all --threads 100000` once started
    /// 100 000 threads for Net1's 12 bursts and ran for minutes (5 000
    /// took 38 s); a pool has no more threads than items.
    #[test]
    fn threads_100000_for_3_items_start_3() {
        let options = BatchOptions {
            threads: 100_000,
            ..BatchOptions::default()
        };
        let items = [(), (), ()];
        let pools = run_each(&items, &options, &|| {}, |_, _| {
            rayon::current_num_threads()
        });
        assert_eq!(pools.unwrap(), [3, 3, 3]);
    }
}
