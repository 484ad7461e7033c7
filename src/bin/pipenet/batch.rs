//! `pipenet batch`: many scenarios in parallel, one summary row each.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::scenario::batch::{self, BatchOptions, Row, Shard};
use pipenet::scenario::Scenario;

use super::burst::BurstShape;

/// Arguments of `pipenet batch`.
#[derive(Args)]
pub struct BatchArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Burst every pipe (`all`) or the pipes listed (`ID,ID,...`), shaped by the burst flags.
    #[arg(
        long,
        conflicts_with = "scenarios",
        required_unless_present = "scenarios"
    )]
    bursts: Option<String>,
    /// Run the scenarios of this TOML file.
    #[arg(long)]
    scenarios: Option<PathBuf>,
    #[command(flatten)]
    shape: BurstShape,
    /// Write the rows to this file (.csv or .json); CSV on standard output if absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Worker threads.
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
    if let Some(out) = &args.out {
        let mut inputs = vec![args.network.as_path()];
        inputs.extend(args.scenarios.as_deref());
        super::check_target_against(&inputs, out)?;
    }
    let base = super::read(&args.network, true)?;
    let scenarios = scenarios(args, &base)?;
    if scenarios.is_empty() {
        anyhow::bail!("no scenarios to run (--bursts names no pipe, or the file has none)");
    }
    let format = match &args.out {
        Some(out) => match out.extension().and_then(|e| e.to_str()) {
            Some("csv") => "csv",
            Some("json") => "json",
            _ => bail!("{}: unknown rows format (use .csv or .json)", out.display()),
        },
        None => "csv",
    };

    let options = BatchOptions {
        threads: args.threads,
        shard: args.shard,
        service_pressure_m: args.shape.service_pressure_m(&base),
        units: args.units.units,
    };
    let total = match args.shard {
        Some(shard) => shard.range(scenarios.len())?.len(),
        None => scenarios.len(),
    };
    let bar = progress_bar(total as u64);
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let rows = batch::run(&base, &scenarios, &options, &tick)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            write_rows(std::io::BufWriter::new(file), &rows, format)?;
            print_counts(&rows);
            eprintln!("rows written to {}", path.display());
        }
        None => {
            write_rows(std::io::stdout().lock(), &rows, format)?;
        }
    }
    // Every row is written either way; the exit code says whether all ran.
    Ok(if rows.iter().any(|r| r.status == "failed") {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
        None => bail!("give --bursts or --scenarios"),
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

fn write_rows(mut out: impl Write, rows: &[Row], format: &str) -> Result<()> {
    match format {
        "json" => batch::write_json(&mut out, rows)?,
        _ => batch::write_csv(&mut out, rows)?,
    }
    out.flush()?;
    Ok(())
}

fn print_counts(rows: &[Row]) {
    let count = |s: &str| rows.iter().filter(|r| r.status == s).count();
    println!(
        "{} scenarios: {} ok, {} unbalanced, {} failed",
        rows.len(),
        count("ok"),
        count("unbalanced"),
        count("failed")
    );
    for r in rows.iter().filter(|r| r.status == "failed").take(5) {
        println!("  {}: {}", r.scenario, r.reason);
    }
}
