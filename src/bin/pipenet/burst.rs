//! `pipenet burst`: one pipe burst, its outflow over time, low pressures and demand not delivered.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::analysis::ValveLayer;
use pipenet::report::ReportUnits;
use pipenet::scenario::burst_isolation::{self, BurstIsolation};
use pipenet::scenario::run::{simulate, RunOptions, RunSummary};
use pipenet::scenario::{Applied, BurstSpec, Edit, Scenario, SimTime};
use pipenet::Network;

/// How every burst is shaped (shared with `pipenet batch --bursts`).
#[derive(Args, Clone)]
pub struct BurstShape {
    /// Where along the pipe, as a fraction of its length from its start node.
    #[arg(long, default_value_t = 0.5)]
    pub at: f64,
    /// Orifice area, m².
    #[arg(long, conflicts_with = "emitter")]
    pub area: Option<f64>,
    /// Discharge coefficient of the orifice.
    #[arg(long, default_value_t = 0.75)]
    pub cd: f64,
    /// Emitter coefficient in the file's flow and pressure units, instead of --area.
    #[arg(long)]
    pub emitter: Option<f64>,
    /// When the burst starts (h:mm[:ss] or hours).
    #[arg(long, value_parser = parse_time, default_value = "0:00")]
    pub start: SimTime,
    /// Service pressure, in the file's pressure units (default 20 m of head).
    #[arg(long)]
    pub service_pressure: Option<f64>,
    /// PDA minimum pressure, file units (default: the network's, else 0).
    #[arg(long)]
    pub pmin: Option<f64>,
    /// PDA required pressure, file units (default: the network's, else 20 m of head).
    #[arg(long)]
    pub preq: Option<f64>,
}

/// Arguments of `pipenet burst`.
#[derive(Args)]
pub struct BurstArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// The pipe that bursts.
    #[arg(long)]
    pipe: String,
    #[command(flatten)]
    shape: BurstShape,
    /// Write the report-time rows to this file (.csv or .json).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Write the full results of the burst run (.json, the `run --out` layout).
    #[arg(long)]
    results: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
    /// Write the edited network to this .inp file (opens in EPANET).
    #[arg(long)]
    write_inp: Option<PathBuf>,
    /// Close the valves that isolate the burst pipe at this time (h:mm[:ss]
    /// or hours), and report the volume lost before and after.
    #[arg(long, value_parser = parse_time)]
    isolate_at: Option<SimTime>,
    /// Valve layer for --isolate-at: a CSV file with columns link,node (as
    /// `pipenet isolate --valves`). Without it, the network's own valves
    /// and links tagged as valves in [TAGS].
    #[arg(long, requires = "isolate_at")]
    valves: Option<PathBuf>,
}

pub fn parse_time(text: &str) -> Result<SimTime, String> {
    SimTime::parse(text).ok_or_else(|| format!("'{text}' is not a time (h:mm[:ss] or hours)"))
}

impl BurstShape {
    /// Checks that the leak is given one way.
    pub fn check(&self) -> Result<()> {
        if self.area.is_none() && self.emitter.is_none() {
            bail!("give the leak as --area M2 (with --cd) or as --emitter COEFF");
        }
        if !(self.at > 0.0 && self.at < 1.0) {
            bail!(
                "--at {}: give where the pipe bursts as a fraction of its length from its \
                 start node, strictly between 0 and 1",
                self.at
            );
        }
        Ok(())
    }

    /// The burst of `pipe` and the PDA edit the flags ask for.
    pub fn edits(&self, pipe: &str) -> (BurstSpec, Vec<Edit>) {
        let spec = BurstSpec {
            pipe: pipe.to_string(),
            fraction: self.at,
            area: self.area,
            cd: self.cd,
            emitter: self.emitter,
            start: Some(self.start),
        };
        let mut extra = Vec::new();
        if self.pmin.is_some() || self.preq.is_some() {
            extra.push(Edit::PressureDependent {
                minimum_pressure: self.pmin,
                required_pressure: self.preq,
                exponent: None,
            });
        }
        (spec, extra)
    }

    /// The service pressure in m of head, if given.
    pub fn service_pressure_m(&self, net: &Network) -> Option<f64> {
        self.service_pressure.map(|p| p * net.units().pressure)
    }
}

pub fn run(args: &BurstArgs) -> Result<ExitCode> {
    for out in [&args.out, &args.results].into_iter().flatten() {
        super::check_target_against(&[args.network.as_path()], out)?;
    }
    args.shape.check()?;
    let base = super::read(&args.network, false)?;
    if args.shape.start.0 > base.times.duration_s {
        anyhow::bail!(
            "{}: the burst starts at {} but the run ends at {} ([TIMES] DURATION): \
             nothing would happen",
            args.network.display(),
            super::clock(args.shape.start.0),
            super::clock(base.times.duration_s)
        );
    }
    let (spec, extra) = args.shape.edits(&args.pipe);
    let scenario = pipenet::scenario::batch::burst_scenario(&args.pipe, &spec, &extra);
    let mut applied = scenario.apply(&base)?;
    let isolation = match args.isolate_at {
        Some(at) => Some(isolate(args, &base, &mut applied, at)?),
        None => None,
    };
    for note in &applied.notes {
        eprintln!("note: {note}");
    }
    if let Some(path) = &args.write_inp {
        write_inp(&args.network, path, &applied.network)?;
    }

    let service_m = args.shape.service_pressure_m(&base);
    let options = RunOptions {
        service_pressure_m: service_m,
        keep_results: args.results.is_some(),
        window_start_s: None,
        split_at_s: args.isolate_at.map(|t| t.0),
    };
    let burst = simulate(&applied, &options).context("the burst run")?;
    // The same pressure window for the run without the burst.
    let baseline_options = RunOptions {
        window_start_s: Some(spec.start.map_or(0, |t| t.0)),
        keep_results: false,
        ..options.clone()
    };
    let baseline = simulate(&baseline_of(&base, &applied), &baseline_options)
        .context("the run without the burst")?;

    let units = args.units.of(&applied.network);
    if let Some(path) = &args.results {
        let results = burst.results.clone().unwrap_or_default();
        super::write_results(
            path,
            "json",
            &applied.network,
            &units,
            &args.network,
            &results,
        )?;
    }
    if let Some(path) = &args.out {
        write_rows(
            path,
            &applied,
            &units,
            &burst,
            &baseline,
            isolation.as_ref(),
        )?;
    }
    print_report(
        &args.network,
        &applied,
        &units,
        &spec,
        &burst,
        &baseline,
        service_m,
    );
    if let Some(isolation) = &isolation {
        print_isolation(&applied, isolation, &burst);
    }
    Ok(if burst.unbalanced_periods == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Customers named in the isolation report before the rest are counted.
const NAMES_SHOWN: usize = 20;

/// Closes the valves around the burst pipe from `at` in `applied`.
fn isolate(
    args: &BurstArgs,
    base: &Network,
    applied: &mut Applied,
    at: SimTime,
) -> Result<BurstIsolation> {
    let layer = match &args.valves {
        Some(path) => ValveLayer::read_csv(base, path)?,
        None => ValveLayer::from_network(base),
    };
    burst_isolation::isolate(applied, base, &layer, at).with_context(|| {
        format!(
            "{}: cannot isolate the burst at {}",
            args.network.display(),
            super::clock(at.0)
        )
    })
}

/// The valves closed, the burst outflow before and after, and the
/// customers the closure cuts off.
fn print_isolation(applied: &Applied, isolation: &BurstIsolation, burst: &RunSummary) {
    let net = &applied.network;
    let Some(after) = &burst.after_split else {
        return;
    };
    let closed: Vec<String> = (isolation.closed_links.iter())
        .map(|&k| net.link(k).id.clone())
        .collect();
    println!(
        "isolation at {}: {} {} {} {}",
        super::clock(isolation.at.0),
        super::plural(isolation.valves.len(), "valve"),
        super::agree(isolation.valves.len(), "closes", "close"),
        super::agree(closed.len(), "link", "links"),
        closed.join(", ")
    );
    println!(
        "burst outflow: {:.1} m³ before closing, {:.1} m³ after",
        burst.burst_volume_m3 - after.burst_volume_m3,
        after.burst_volume_m3
    );
    let mut names: Vec<&str> = (isolation.customers_cut_off.iter())
        .map(|&i| net.node(i).id.as_str())
        .collect();
    let count = names.len();
    let more = count.saturating_sub(NAMES_SHOWN);
    names.truncate(NAMES_SHOWN);
    let list = match (count, more) {
        (0, _) => String::new(),
        (_, 0) => format!(" ({})", names.join(", ")),
        _ => format!(" ({}, ... {more} more)", names.join(", ")),
    };
    let lost: f64 = (isolation.customers_cut_off.iter())
        .map(|&i| after.node_deficit_m3[i.ix()])
        .sum();
    println!(
        "customers cut off after closing: {count}{list}, demand not delivered {lost:.1} m³ \
         (whole network after closing: {:.1} m³)",
        after.deficit_m3
    );
}

/// The base network with the burst run's demand model and emitter
/// exponent but no burst, to tell the burst's effects from the network's own.
fn baseline_of(base: &Network, applied: &Applied) -> Applied {
    let mut network = base.clone();
    let o = &applied.network.options;
    network.options.demand_model = o.demand_model;
    network.options.minimum_pressure_m = o.minimum_pressure_m;
    network.options.required_pressure_m = o.required_pressure_m;
    network.options.pressure_exponent = o.pressure_exponent;
    Applied {
        network,
        bursts: Vec::new(),
        notes: Vec::new(),
        report: applied.report.clone(),
    }
}

pub fn write_inp(input: &Path, path: &Path, net: &Network) -> Result<()> {
    if input.canonicalize().ok() == path.canonicalize().ok() && path.exists() {
        bail!("{}: would overwrite the input", path.display());
    }
    pipenet::inp::write_file(net, path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("edited network written to {}", path.display());
    Ok(())
}

/// The report-time rows in `units`, as CSV, or as JSON with the run's
/// totals.
fn write_rows(
    path: &Path,
    applied: &Applied,
    units: &ReportUnits,
    s: &RunSummary,
    baseline: &RunSummary,
    isolation: Option<&BurstIsolation>,
) -> Result<()> {
    let net = &applied.network;
    let u = units.factors;
    let rows: Vec<serde_json::Value> = s
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "time_s": r.time_s,
                "burst_outflow": round(r.burst_outflow_m3s / u.flow, 4),
                "demand": round(r.demand_m3s / u.flow, 4),
                "delivered": round(r.delivered_m3s / u.flow, 4),
                "customers_below_service": r.customers_below,
            })
        })
        .collect();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    match ext {
        "json" => {
            let site = applied.bursts.first();
            let isolation = isolation_json(net, isolation, s);
            let doc = serde_json::json!({
                "pipe": site.map(|b| b.pipe.clone()),
                "leak_junction": site.map(|b| net.node(b.leak_junction).id.clone()),
                "start_s": site.map(|b| b.start_s),
                "flow_units": units.flow_name(),
                "burst_peak_flow": round(s.burst_peak.0 / u.flow, 4),
                "burst_volume_m3": round(s.burst_volume_m3, 3),
                "demand_m3": round(s.demand_m3, 3),
                "not_delivered_m3": round(s.not_delivered_m3(), 3),
                "baseline_not_delivered_m3": round(baseline.not_delivered_m3(), 3),
                "customers_below_service": s.below_service.len(),
                "customers_below_service_baseline": baseline.below_service.len(),
                "isolation": isolation,
                "rows": rows,
            });
            serde_json::to_writer_pretty(&mut file, &doc)?;
            writeln!(file)?;
        }
        "csv" => {
            writeln!(
                file,
                "time_s,burst_outflow,demand,delivered,customers_below_service"
            )?;
            for r in &rows {
                writeln!(
                    file,
                    "{},{},{},{},{}",
                    r["time_s"],
                    r["burst_outflow"],
                    r["demand"],
                    r["delivered"],
                    r["customers_below_service"]
                )?;
            }
        }
        _ => bail!(
            "{}: unknown rows format (use .csv or .json)",
            path.display()
        ),
    }
    file.flush()?;
    Ok(())
}

/// The isolation's valves, volumes and customers cut off, or null.
fn isolation_json(
    net: &Network,
    isolation: Option<&BurstIsolation>,
    s: &RunSummary,
) -> serde_json::Value {
    let (Some(isolation), Some(after)) = (isolation, &s.after_split) else {
        return serde_json::Value::Null;
    };
    let customers = &isolation.customers_cut_off;
    serde_json::json!({
        "at_s": isolation.at.0,
        "closed_links": (isolation.closed_links.iter())
            .map(|&k| net.link(k).id.clone())
            .collect::<Vec<_>>(),
        "burst_volume_before_m3": round(s.burst_volume_m3 - after.burst_volume_m3, 3),
        "burst_volume_after_m3": round(after.burst_volume_m3, 3),
        "customers_cut_off": customers.iter().map(|&i| net.node(i).id.clone()).collect::<Vec<_>>(),
        "cut_off_not_delivered_m3":
            round(customers.iter().map(|&i| after.node_deficit_m3[i.ix()]).sum(), 3),
        "not_delivered_after_m3": round(after.deficit_m3, 3),
    })
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn print_report(
    path: &Path,
    applied: &Applied,
    units: &ReportUnits,
    spec: &BurstSpec,
    burst: &RunSummary,
    baseline: &RunSummary,
    service_m: Option<f64>,
) {
    let net = &applied.network;
    let u = units.factors;
    let flow = units.flow_name();
    let pressure = units.pressure_name();
    let Some(site) = applied.bursts.first() else {
        return;
    };
    let service =
        service_m.unwrap_or(pipenet::scenario::run::DEFAULT_SERVICE_PRESSURE_M) / u.pressure;
    let gamma = net.options.emitter_exponent;
    let coefficient = site.coefficient_si * u.pressure.powf(gamma) / u.flow;
    println!(
        "{}: pipe {} bursts at {:.2} of its length from {} (junction {}), emitter {:.4} {flow}/{pressure}^{gamma}",
        path.display(),
        spec.pipe,
        spec.fraction,
        super::clock(site.start_s),
        net.node(site.split_junction).id,
        coefficient,
    );
    println!(
        "{:>10}  {:>12}  {:>12}  {:>12}  {:>9}",
        "time",
        format!("burst {flow}"),
        format!("demand {flow}"),
        format!("deliver {flow}"),
        "below"
    );
    for r in &burst.rows {
        println!(
            "{:>10}  {:>12.3}  {:>12.3}  {:>12.3}  {:>9}",
            super::clock(r.time_s),
            r.burst_outflow_m3s / u.flow,
            r.demand_m3s / u.flow,
            r.delivered_m3s / u.flow,
            r.customers_below
        );
    }
    println!(
        "burst outflow: peak {:.3} {flow} at {}, volume lost {:.1} m³",
        burst.burst_peak.0 / u.flow,
        super::clock(burst.burst_peak.1),
        burst.burst_volume_m3
    );
    println!(
        "demand not delivered: {:.1} m³ of {:.1} m³ (without the burst: {:.1} m³)",
        burst.not_delivered_m3(),
        burst.demand_m3,
        baseline.not_delivered_m3()
    );
    let already: std::collections::HashSet<_> =
        baseline.below_service.iter().map(|b| b.node).collect();
    let new_ones = burst
        .below_service
        .iter()
        .filter(|b| !already.contains(&b.node))
        .count();
    println!(
        "customers below {service:.2} {pressure} from {}: {} ({} of them only with the burst)",
        super::clock(site.start_s),
        burst.below_service.len(),
        new_ones
    );
    let mut worst: Vec<_> = burst.below_service.iter().collect();
    worst.sort_by(|a, b| {
        let p =
            |x: &pipenet::scenario::run::NodeBelow| x.min_pressure_m.unwrap_or(f64::NEG_INFINITY);
        p(a).total_cmp(&p(b))
    });
    for b in worst.iter().take(10) {
        let p = match b.min_pressure_m {
            Some(p) => format!("{:.2} {pressure}", p / u.pressure),
            None => "cut off".to_string(),
        };
        let mark = if already.contains(&b.node) {
            ""
        } else {
            "  (burst)"
        };
        println!(
            "  {:>12}  min {p} from {}{mark}",
            net.node(b.node).id,
            super::clock(b.first_time_s)
        );
    }
    if worst.len() > 10 {
        println!("  ... {} more", worst.len() - 10);
    }
    if burst.unbalanced_periods > 0 {
        println!(
            "warning: {} did not converge",
            super::plural(burst.unbalanced_periods, "period")
        );
    }
}

/// Reads a scenario file or exits with its error (used by `scenario` and `batch`).
pub fn read_scenarios(path: &Path) -> Result<Vec<Scenario>> {
    pipenet::scenario::file::read_file(path).map_err(|e| anyhow::anyhow!("{e}"))
}
