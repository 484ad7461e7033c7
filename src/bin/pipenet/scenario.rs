//! `pipenet scenario`: apply a scenario file to a network, run it, summarise it, write the edited network.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::scenario::run::{simulate, RunOptions, RunSummary};
use pipenet::scenario::{Applied, Scenario};

/// Arguments of `pipenet scenario`.
#[derive(Args)]
pub struct ScenarioArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// The scenario file (TOML).
    file: PathBuf,
    /// Which scenario of the file, if it holds several.
    #[arg(long)]
    name: Option<String>,
    /// Write the edited network to this .inp file (opens in EPANET).
    #[arg(long)]
    write_inp: Option<PathBuf>,
    /// Write the full results of the run (.json or .csv, the `run --out` layouts).
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

pub fn run(args: &ScenarioArgs) -> Result<ExitCode> {
    let format = args
        .out
        .as_deref()
        .map(|o| super::check_output(&args.network, o))
        .transpose()?;
    let base = super::read(&args.network, false)?;
    let scenario = pick(
        super::burst::read_scenarios(&args.file)?,
        args.name.as_deref(),
    )?;
    let applied = scenario.apply(&base)?;
    for note in &applied.notes {
        eprintln!("note: {note}");
    }
    if let Some(path) = &args.write_inp {
        super::burst::write_inp(&args.network, path, &applied.network)?;
    }
    let options = RunOptions {
        keep_results: args.out.is_some(),
        ..RunOptions::default()
    };
    let summary = simulate(&applied, &options)
        .with_context(|| format!("{}: cannot simulate", args.network.display()))?;
    if let (Some(out), Some(format)) = (&args.out, format) {
        let results = summary.results.clone().unwrap_or_default();
        let units = args.units.of(&applied.network);
        super::write_results(
            out,
            format,
            &applied.network,
            &units,
            &args.network,
            &results,
        )?;
    }
    print_summary(
        &scenario,
        &applied,
        &summary,
        &args.units.of(&applied.network),
    );
    Ok(if summary.unbalanced_periods == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn pick(mut all: Vec<Scenario>, name: Option<&str>) -> Result<Scenario> {
    match name {
        Some(name) => match all.iter().position(|s| s.name == name) {
            Some(i) => Ok(all.swap_remove(i)),
            None => bail!("no scenario named '{name}' in the file"),
        },
        None if all.len() == 1 => Ok(all.remove(0)),
        None => {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            bail!(
                "the file holds {} scenarios ({}): pick one with --name",
                all.len(),
                names.join(", ")
            )
        }
    }
}

fn print_summary(
    scenario: &Scenario,
    applied: &Applied,
    s: &RunSummary,
    u: &pipenet::report::ReportUnits,
) {
    let net = &applied.network;
    let flow = u.flow_name();
    let pressure = u.pressure_name();
    let clock = super::clock;
    println!(
        "scenario '{}': {}",
        scenario.name,
        super::plural(scenario.edits.len(), "edit")
    );
    if !scenario.description.is_empty() {
        println!("  {}", scenario.description.trim());
    }
    println!(
        "hydraulics: {} to {}, {} did not converge",
        super::plural(s.periods, "period"),
        clock(s.end_s),
        s.unbalanced_periods
    );
    if let Some((p, i, t)) = s.min_pressure {
        println!(
            "lowest customer pressure: {:.2} {pressure} at {} ({})",
            u.pressure(p),
            net.node(i).id,
            clock(t)
        );
        if p < -super::IMPLAUSIBLE_PRESSURE_M {
            println!(
                "  warning: that pressure cannot be real: the edits ask more of the network \
                 than its pipes can carry (or units are mixed up)"
            );
        }
        if p < 0.0 && net.options.demand_model == pipenet::network::DemandModel::Dda {
            println!(
                "  note: the run is demand-driven, so customers below zero pressure count \
                 their whole demand as delivered; [OPTIONS] DEMAND MODEL PDA gives what \
                 they would get"
            );
        }
    }
    // The scenario file gives the service pressure in the network's units.
    let service_m = applied
        .report
        .service_pressure
        .map_or(pipenet::scenario::run::DEFAULT_SERVICE_PRESSURE_M, |p| {
            p * net.units().pressure
        });
    let service = u.pressure(service_m);
    let ids: Vec<&str> = (s.below_service.iter().take(10))
        .map(|b| net.node(b.node).id.as_str())
        .collect();
    println!(
        "customers below {service:.2} {pressure}: {}{}{}",
        s.below_service.len(),
        if ids.is_empty() { "" } else { ": " },
        ids.join(", ")
    );
    println!(
        "demand: {:.1} m³ asked, {:.1} m³ not delivered",
        s.demand_m3,
        s.not_delivered_m3()
    );
    if s.leakage_volume_m3 > 0.0 {
        println!(
            "leakage (emitters and [LEAKAGE]): {:.1} m³",
            s.leakage_volume_m3
        );
    }
    if !applied.bursts.is_empty() {
        println!(
            "bursts: peak {:.3} {flow} at {}, {:.1} m³ lost",
            u.flow(s.burst_peak.0),
            clock(s.burst_peak.1),
            s.burst_volume_m3
        );
    }
    for (i, r) in &s.node_ranges {
        println!(
            "  node {}: pressure {:.2} {pressure} ({}) to {:.2} {pressure} ({})",
            net.node(*i).id,
            u.pressure(r.min.0),
            clock(r.min.1),
            u.pressure(r.max.0),
            clock(r.max.1)
        );
    }
    for (k, r) in &s.link_ranges {
        println!(
            "  link {}: flow {} {flow} ({}) to {} {flow} ({})",
            net.links[*k].id,
            pipenet::report::fixed(u.flow(r.min.0), 3),
            clock(r.min.1),
            pipenet::report::fixed(u.flow(r.max.0), 3),
            clock(r.max.1)
        );
    }
}
