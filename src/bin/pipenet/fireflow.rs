//! `pipenet fireflow`: per hydrant the largest flow it delivers at a time with it and every other junction above a residual pressure.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use pipenet::leakage::fire_flow::{hydrant_flow, snapshot_at, FireFlowSettings};
use pipenet::network::units::{M_PER_FT, PSI_PER_FT};

/// Arguments of `pipenet fireflow`.
#[derive(Args)]
pub struct FireFlowArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Hydrant junction ids, comma separated, or "all".
    #[arg(long, default_value = "all")]
    hydrants: String,
    /// Residual pressure: a number with a unit, e.g. 20psi or 14m.
    #[arg(long, default_value = "20psi")]
    residual: String,
    /// Time of the fire (h:mm[:ss] or hours).
    #[arg(long, value_parser = super::burst::parse_time, default_value = "0:00")]
    time: pipenet::scenario::SimTime,
    /// Flag hydrants below this flow, in the file's flow units.
    #[arg(long)]
    required: Option<f64>,
    /// Write the table as CSV to this file.
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

fn parse_pressure_m(text: &str) -> Result<f64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let Ok(value) = number.trim().parse::<f64>() else {
        bail!("--residual '{text}': give a number and a unit (psi, m, kpa, bar, ft)");
    };
    let m_per_unit = match unit.trim() {
        "psi" => M_PER_FT / PSI_PER_FT,
        "m" => 1.0,
        "" => bail!("--residual '{text}': say the unit, e.g. {text}psi or {text}m"),
        "ft" => M_PER_FT,
        "kpa" => M_PER_FT / (PSI_PER_FT * 6.895),
        "bar" => M_PER_FT / (PSI_PER_FT * 0.068948),
        other => bail!("--residual '{text}': unknown unit '{other}'"),
    };
    Ok(value * m_per_unit)
}

/// Runs `pipenet fireflow`.
pub fn run(args: &FireFlowArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        super::check_target_against(&[args.network.as_path()], out)?;
    }
    let net = super::read(&args.network, false)?;
    if args.time.0 > net.times.duration_s {
        bail!(
            "{}: --time {} is after the end of the run ({}, [TIMES] DURATION)",
            args.network.display(),
            super::clock(args.time.0),
            super::clock(net.times.duration_s)
        );
    }
    let units = args.units.of(&net);
    let u = units.factors;
    // --required is in the file's flow units, as documented.
    let required_m3s = args.required.map(|q| q * net.units().flow);
    let settings = FireFlowSettings {
        residual_pressure_m: parse_pressure_m(&args.residual)?,
        time_s: args.time.0,
        ..Default::default()
    };
    let hydrants: Vec<usize> = if args.hydrants.eq_ignore_ascii_case("all") {
        (0..net.nodes.len())
            .filter(|&i| net.nodes[i].is_junction())
            .collect()
    } else {
        let mut ids = Vec::new();
        for id in args.hydrants.split(',').map(str::trim) {
            match net.node_ix(id) {
                Some(ix) if net.node(ix).is_junction() => ids.push(ix.ix()),
                Some(_) => bail!("hydrant {id} is not a junction"),
                None => bail!("no node {id} in {}", args.network.display()),
            }
        }
        ids
    };
    let snapshot = snapshot_at(&net, settings.time_s)?;
    let flow_units = units.flow_name();
    let pressure_units = units.pressure_name();
    println!(
        "{}: fire flow at {} with every junction above {:.2} {pressure_units} ({:.2} m)",
        args.network.display(),
        super::clock(settings.time_s),
        settings.residual_pressure_m / u.pressure,
        settings.residual_pressure_m
    );
    let below: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| {
            net.nodes[i].is_junction() && snapshot.pressure_m[i] < settings.residual_pressure_m
        })
        .collect();
    if !below.is_empty() {
        println!(
            "  {} junctions are below the residual without a fire and are not constrained: {}",
            below.len(),
            super::node_list(&net, &below)
        );
    }
    println!(
        "{:<10} {:>12} {:>14} {:>12}  flag",
        "hydrant",
        format!("flow {flow_units}"),
        format!("p {pressure_units}"),
        "limited by"
    );
    let mut rows = Vec::new();
    let mut flagged = 0;
    for &h in &hydrants {
        let f = hydrant_flow(&snapshot, h, &settings)?;
        let flow = f.flow_m3s / u.flow;
        let limit = f
            .limiting_node
            .map_or("(max/none)".to_string(), |i| net.nodes[i].id.clone());
        let flag = match required_m3s {
            Some(req) if f.flow_m3s < req => {
                flagged += 1;
                "BELOW REQUIRED"
            }
            _ => "",
        };
        println!(
            "{:<10} {:>12.2} {:>14.2} {:>12}  {flag}",
            net.nodes[h].id,
            flow,
            f.hydrant_pressure_m / u.pressure,
            limit
        );
        rows.push(format!(
            "{},{flow:.6},{:.6},{limit},{}",
            net.nodes[h].id,
            f.hydrant_pressure_m / u.pressure,
            f.trials
        ));
    }
    if let Some(req) = required_m3s {
        println!(
            "{flagged} of {} hydrants below {} {flow_units}",
            hydrants.len(),
            units.flow(req)
        );
    }
    if let Some(out) = &args.out {
        let mut text =
            format!("hydrant,flow_{flow_units},pressure_{pressure_units},limited_by,trials\n");
        for r in rows {
            text.push_str(&r);
            text.push('\n');
        }
        std::fs::write(out, text)?;
    }
    Ok(ExitCode::SUCCESS)
}
