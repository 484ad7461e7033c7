//! `pipenet zones`: per-zone figures of one or more zone layouts, ranked.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::analysis::zone_figures::{rank, run_layout, LayoutFigures, RankBy, ZoneRunOptions};
use pipenet::scenario::zones::{Layout, REST_ZONE};
use pipenet::Network;

/// Arguments of `pipenet zones`.
#[derive(Args)]
pub struct ZonesArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Zone layout files (TOML; see examples/zones/).
    #[arg(required = true)]
    layouts: Vec<PathBuf>,
    /// Rank layouts by leakage (default: least total leakage first),
    /// min-pressure (highest lowest pressure first), energy, age
    /// (lowest worst zone mean age first) or average-pressure.
    #[arg(long, default_value = "leakage", value_parser = parse_rank)]
    rank_by: RankBy,
    /// Skip the water age simulation.
    #[arg(long)]
    no_age: bool,
    /// Write every layout's figures (SI units, whatever --units says) to this JSON file.
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

fn parse_rank(text: &str) -> Result<RankBy, String> {
    RankBy::parse(text).ok_or_else(|| {
        format!("'{text}': use leakage, min-pressure, energy, age or average-pressure")
    })
}

pub fn run(args: &ZonesArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        let mut inputs = vec![args.network.as_path()];
        inputs.extend(args.layouts.iter().map(|p| p.as_path()));
        super::check_target_against(&inputs, out)?;
    }
    let base = super::read(&args.network, false)?;
    let options = ZoneRunOptions {
        no_age: args.no_age,
    };
    let mut all = Vec::new();
    for path in &args.layouts {
        let layout = Layout::read_file(path)?;
        let resolved = layout.resolve(&base)?;
        for note in &resolved.applied.notes {
            eprintln!("note: {note}");
        }
        let figures = run_layout(&resolved, options)
            .with_context(|| format!("{}: cannot simulate", path.display()))?;
        let net = &resolved.applied.network;
        print_layout(net, &args.units.of(net), &figures);
        all.push(figures);
    }
    if all.len() > 1 {
        print_ranking(&all, args.rank_by);
    }
    if let Some(out) = &args.out {
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), &all)?;
        println!("figures written to {}", out.display());
    }
    let unbalanced = all.iter().any(|f| f.unbalanced_periods > 0);
    if all.is_empty() {
        bail!("no layout given");
    }
    Ok(if unbalanced {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One table row per zone, in the flow and pressure units of `units`.
fn print_layout(net: &Network, units: &pipenet::report::ReportUnits, f: &LayoutFigures) {
    let u = units.factors;
    let (q, p) = (units.flow_name(), units.pressure_name());
    println!("layout {}: {}", f.name, super::plural(f.periods, "period"));
    println!(
        "  {:<10} {:>5} {:>9} {:>9} {:>9} {:>8} {:>14} {:>7} {:>7} {:>9} {:>11}",
        "zone",
        "nodes",
        "inflow",
        "demand",
        "leakage",
        "min P",
        "critical node",
        "AZP",
        "max P",
        "kWh/day",
        "age mean/max"
    );
    println!(
        "  {:<10} {:>5} {:>9} {:>9} {:>9} {:>8} {:>14} {:>7} {:>7} {:>9} {:>11}",
        "", "", q, q, q, p, "", p, p, "", "h"
    );
    let opt =
        |v: Option<f64>, scale: f64| v.map_or("-".to_string(), |v| format!("{:.2}", v / scale));
    for z in f
        .zones
        .iter()
        .filter(|z| z.junctions > 0 || z.name != REST_ZONE)
    {
        let leak_mark = if z.leakage_from == "baseline" {
            "*"
        } else {
            " "
        };
        let age = match (z.mean_age_h, z.max_age_h) {
            (Some(a), Some(m)) => format!("{a:.1}/{m:.1}"),
            _ => "-".to_string(),
        };
        println!(
            "  {:<10} {:>5} {:>9.3} {:>9.3} {:>8.3}{leak_mark} {:>8} {:>14} {:>7} {:>7} {:>9.1} {:>11}",
            z.name,
            z.nodes,
            z.inflow_m3s / u.flow,
            z.demand_m3s / u.flow,
            z.leakage_m3s / u.flow,
            opt(z.min_pressure.map(|m| m.pressure_m), u.pressure),
            z.min_pressure.map_or("-".to_string(), |m| net.nodes[m.node].id.clone()),
            opt(z.average_pressure_m, u.pressure),
            opt(z.max_pressure.map(|m| m.pressure_m), u.pressure),
            z.energy_kwh_per_day,
            age
        );
    }
    if f.zones.iter().any(|z| z.leakage_from == "baseline") {
        println!("  * leakage from the zone's baseline: L0 (AZP/P0)^N1");
    }
    for w in &f.warnings {
        println!("  warning: {w}");
    }
    if f.unbalanced_periods > 0 {
        println!(
            "  warning: {} did not converge",
            super::plural(f.unbalanced_periods, "period")
        );
    }
}

fn print_ranking(all: &[LayoutFigures], by: RankBy) {
    println!("ranking by {}:", rank_name(by));
    for (place, &i) in rank(all, by).iter().enumerate() {
        let score = by.score(&all[i]);
        let shown = match by {
            RankBy::Leakage => format!("{:.3} m3/day leakage", score * 86_400.0),
            RankBy::MinPressure => format!("{:.2} m lowest pressure", -score),
            RankBy::Energy => format!("{score:.1} kWh/day"),
            RankBy::Age => format!("{score:.1} h worst zone mean age"),
            RankBy::AveragePressure => format!("{score:.2} m mean AZP"),
        };
        let none = by == RankBy::Leakage
            && score == 0.0
            && all[i].zones.iter().all(|z| z.leakage_from == "network");
        let note = if none {
            " (no emitters, [LEAKAGE] or baselines: nothing leaks)"
        } else {
            ""
        };
        println!("  {}. {:<32} {shown}{note}", place + 1, all[i].name);
    }
}

fn rank_name(by: RankBy) -> &'static str {
    match by {
        RankBy::Leakage => "leakage",
        RankBy::MinPressure => "min-pressure",
        RankBy::Energy => "energy",
        RankBy::Age => "age",
        RankBy::AveragePressure => "average-pressure",
    }
}
