//! `pipenet batch`: many scenarios in parallel, one summary row each.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::analysis::ValveLayer;
use pipenet::scenario::batch::{self, BatchOptions, Row, Shard};
use pipenet::scenario::prv_grid::{self, PrvGrid, PrvRow};
use pipenet::scenario::segment_batch::{SegmentBatch, SegmentChoice, SegmentRow};
use pipenet::scenario::Scenario;

use super::burst::BurstShape;

/// Arguments of `pipenet batch`.
#[derive(Args)]
#[command(group(clap::ArgGroup::new("batch").required(true)
    .args(["bursts", "scenarios", "close_segments", "prv_grid"])))]
pub struct BatchArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Burst every pipe (`all`) or the pipes listed (`ID,ID,...`), shaped by the burst flags.
    #[arg(long)]
    bursts: Option<String>,
    /// Run the scenarios of this TOML file.
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// Close every segment of the valve layer in turn (`all`), or the
    /// segments listed (`N,N,...`, numbered from 1 as `pipenet isolate
    /// --segments` lists them).
    #[arg(long)]
    close_segments: Option<String>,
    /// Valve layer for --close-segments, as `pipenet isolate --valves`: a CSV
    /// file with columns link,node. Without it, the network's own valves and
    /// links tagged as valves in [TAGS].
    #[arg(long, requires = "close_segments")]
    valves: Option<PathBuf>,
    /// Run every combination of PRV settings: `PRV=FROM:TO:STEP[,PRV2=...]`,
    /// in the file's pressure units (the last PRV changes fastest).
    #[arg(long)]
    prv_grid: Option<String>,
    #[command(flatten)]
    shape: BurstShape,
    /// Write the rows to this file (.csv or .json); CSV on standard output if absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Worker threads; 0 uses every core the system offers. The rows are
    /// the same bytes for any number.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Run only block i of n of the scenarios (i from 1).
    #[arg(long, value_parser = parse_shard)]
    shard: Option<Shard>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text).ok_or_else(|| format!("'{text}' is not i/n"))
}

pub fn run(args: &BatchArgs) -> Result<ExitCode> {
    let format = match &args.out {
        Some(out) => {
            let mut inputs = vec![args.network.as_path()];
            inputs.extend(args.scenarios.as_deref());
            inputs.extend(args.valves.as_deref());
            super::check_target_against(&inputs, out)?;
            match out.extension().and_then(|e| e.to_str()) {
                Some("csv") => "csv",
                Some("json") => "json",
                _ => bail!("{}: unknown rows format (use .csv or .json)", out.display()),
            }
        }
        None => "csv",
    };
    let base = super::read(&args.network, true)?;
    let options = BatchOptions {
        threads: super::threads(args.threads),
        shard: args.shard,
        service_pressure_m: args.shape.service_pressure_m(&base),
        units: args.units.units,
    };
    let table = if let Some(choice) = &args.close_segments {
        close_segments(args, &base, choice, &options)?
    } else if let Some(grid) = &args.prv_grid {
        prv_grid(&base, grid, &options)?
    } else {
        let scenarios = scenarios(args, &base)?;
        if scenarios.is_empty() {
            bail!("no scenarios to run (--bursts names no pipe, or the file has none)");
        }
        let rows = with_progress(scenarios.len(), &options, |tick| {
            batch::run(&base, &scenarios, &options, tick)
        })?;
        Table::Scenarios(rows)
    };

    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            table.write(std::io::BufWriter::new(file), format)?;
            print_counts(&table.statuses());
            eprintln!("rows written to {}", path.display());
        }
        None => table.write(std::io::stdout().lock(), format)?,
    }
    // Every row is written either way; the exit code says whether all ran.
    Ok(if table.statuses().iter().any(|(s, _, _)| *s == "failed") {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The rows of one kind of batch.
enum Table {
    Scenarios(Vec<Row>),
    Segments(Vec<SegmentRow>),
    Grid(PrvGrid, Vec<PrvRow>),
}

impl Table {
    fn write(&self, mut out: impl Write, format: &str) -> Result<()> {
        match (self, format) {
            (Table::Scenarios(rows), "json") => batch::write_json(&mut out, rows)?,
            (Table::Scenarios(rows), _) => batch::write_csv(&mut out, rows)?,
            (Table::Segments(rows), "json") => batch::write_json(&mut out, rows)?,
            (Table::Segments(rows), _) => batch::write_csv(&mut out, rows)?,
            (Table::Grid(grid, rows), "json") => prv_grid::write_json(&mut out, grid, rows)?,
            (Table::Grid(grid, rows), _) => prv_grid::write_csv(&mut out, grid, rows)?,
        }
        out.flush()?;
        Ok(())
    }

    /// Each row's status, name and reason.
    fn statuses(&self) -> Vec<(&str, String, &str)> {
        match self {
            Table::Scenarios(rows) => (rows.iter())
                .map(|r| (r.status, r.scenario.clone(), r.reason.as_str()))
                .collect(),
            Table::Segments(rows) => (rows.iter())
                .map(|r| {
                    (
                        r.status,
                        format!("segment {}", r.segment),
                        r.reason.as_str(),
                    )
                })
                .collect(),
            Table::Grid(_, rows) => (rows.iter())
                .map(|r| (r.row.status, r.row.scenario.clone(), r.row.reason.as_str()))
                .collect(),
        }
    }
}

/// `--close-segments`: every segment asked for, closed in turn.
fn close_segments(
    args: &BatchArgs,
    base: &pipenet::Network,
    choice: &str,
    options: &BatchOptions,
) -> Result<Table> {
    let layer = match &args.valves {
        Some(path) => ValveLayer::read_csv(base, path)?,
        None => ValveLayer::from_network(base),
    };
    if layer.valves.is_empty() {
        eprintln!("warning: no valves: the whole network is one segment (give --valves layer.csv)");
    }
    let service_m = options
        .service_pressure_m
        .unwrap_or(pipenet::scenario::run::DEFAULT_SERVICE_PRESSURE_M);
    let closures = SegmentBatch::new(base, &layer, service_m);
    let which = SegmentChoice::parse(choice)?.resolve(closures.segments())?;
    if which.is_empty() {
        bail!("no segments to close (--close-segments names none)");
    }
    let rows = with_progress(which.len(), options, |tick| {
        closures.run(&which, options, tick)
    })?;
    Ok(Table::Segments(rows))
}

/// `--prv-grid`: every combination of settings.
fn prv_grid(base: &pipenet::Network, text: &str, options: &BatchOptions) -> Result<Table> {
    let grid = PrvGrid::parse(text)?;
    grid.check(base)?;
    let rows = with_progress(grid.len(), options, |tick| grid.run(base, options, tick))?;
    Ok(Table::Grid(grid, rows))
}

/// Runs a batch of `count` items with a progress bar on a terminal.
fn with_progress<R>(
    count: usize,
    options: &BatchOptions,
    work: impl FnOnce(&(dyn Fn() + Sync)) -> Result<R, batch::BatchError>,
) -> Result<R> {
    let total = match options.shard {
        Some(shard) => shard.range(count)?.len(),
        None => count,
    };
    let bar = progress_bar(total as u64);
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let result = work(&tick)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(result)
}

/// The scenarios: from the file, or one burst per pipe asked for.
fn scenarios(args: &BatchArgs, base: &pipenet::Network) -> Result<Vec<Scenario>> {
    if let Some(path) = &args.scenarios {
        return super::burst::read_scenarios(path);
    }
    args.shape.check()?;
    let (template, extra) = args.shape.edits("");
    match args.bursts.as_deref() {
        Some("all") => Ok(batch::burst_every_pipe(base, &template, &extra)),
        Some(list) => Ok(list
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| batch::burst_scenario(id, &template, &extra))
            .collect()),
        None => bail!("give --bursts, --scenarios, --close-segments or --prv-grid"),
    }
}

/// A progress bar on standard error if it is a terminal.
fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios, {eta} left")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn print_counts(rows: &[(&str, String, &str)]) {
    let count = |s: &str| rows.iter().filter(|r| r.0 == s).count();
    println!(
        "{}: {} ok, {} unbalanced, {} failed",
        super::plural(rows.len(), "scenario"),
        count("ok"),
        count("unbalanced"),
        count("failed")
    );
    for (_, name, reason) in rows.iter().filter(|r| r.0 == "failed").take(5) {
        println!("  {name}: {reason}");
    }
}
