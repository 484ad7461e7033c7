//! `pipenet fireflow`: per hydrant the largest flow it delivers at a time with it and every other junction above a residual pressure, before and after night pressure reduction.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use pipenet::leakage::fire_flow::{
    hydrant_flow, snapshot_at, FireFlowSettings, HydrantFlow, Snapshot,
};
use pipenet::network::units::{M_PER_FT, PSI_PER_FT};
use pipenet::network::{LinkKind, ValveType};
use pipenet::report::ReportUnits;
use pipenet::scenario::night::{self, NightPlan};
use pipenet::Network;

/// Arguments of `pipenet fireflow`.
#[derive(Args)]
pub struct FireFlowArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Hydrant junction ids, comma separated, or "all".
    #[arg(long, default_value = "all")]
    hydrants: String,
    /// Residual pressure: a number in the file's pressure units, as other
    /// pressure options take it, or a number with its unit: 20psi, 14m,
    /// 140kpa, 1.4bar, 46ft.
    #[arg(long, default_value = "20psi")]
    residual: String,
    /// Time of the fire (h:mm[:ss] or hours).
    #[arg(long, value_parser = super::burst::parse_time, default_value = "0:00")]
    time: pipenet::scenario::SimTime,
    /// Flag hydrants below this flow, in the file's flow units.
    #[arg(long)]
    required: Option<f64>,
    /// Also the fire flows after night pressure reduction: a PRV's night
    /// setting (file pressure units) or a pump's night speed, `ID=SETTING`,
    /// applied as `pipenet night-pressure` applies it; repeat for several.
    #[arg(long)]
    night_setting: Vec<String>,
    /// The night window of --night-setting, clock times `HH:MM-HH:MM`;
    /// --time must fall inside it.
    #[arg(long, default_value = "01:00-05:00")]
    night: String,
    /// Write the table as CSV to this file.
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

/// `--residual`: a pressure with its unit, or a bare number in the file's
/// pressure units (`file_m_per_unit` m of head each); in m of head.
fn parse_pressure_m(text: &str, file_m_per_unit: f64) -> Result<f64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let Ok(value) = number.trim().parse::<f64>() else {
        bail!(
            "--residual '{text}': give a number in the file's pressure units, or with a unit \
             (psi, m, kpa, bar, ft)"
        );
    };
    let m_per_unit = match unit.trim() {
        "psi" => M_PER_FT / PSI_PER_FT,
        "m" => 1.0,
        "" => file_m_per_unit,
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
    let settings = FireFlowSettings {
        residual_pressure_m: parse_pressure_m(&args.residual, net.units().pressure)?,
        time_s: args.time.0,
        ..Default::default()
    };
    let hydrants = hydrants(args, &net)?;
    let plans = night_plans(args, &net)?;
    let reduced = if plans.is_empty() {
        None
    } else {
        Some(night::reduced_network(&net, &plans)?)
    };

    let units = args.units.of(&net);
    let pressure_units = units.pressure_name();
    // The limit in metres beside it, unless it is already in metres.
    let in_metres = if units.pressure == pipenet::network::units::PressureUnits::Meters {
        String::new()
    } else {
        format!(" ({:.2} m)", settings.residual_pressure_m)
    };
    println!(
        "{}: fire flow at {} with every junction at or above {:.2} {pressure_units}{in_metres}",
        args.network.display(),
        super::clock(settings.time_s),
        units.pressure(settings.residual_pressure_m),
    );
    if !plans.is_empty() {
        print_night_settings(&net, &plans);
    }
    let snapshot = snapshot_at(&net, settings.time_s)?;
    print_below(&net, &snapshot, &settings, "");
    let night_snapshot = match &reduced {
        Some(reduced) => {
            let snap = snapshot_at(reduced, settings.time_s)?;
            print_below(&net, &snap, &settings, "after the night settings, ");
            Some(snap)
        }
        None => None,
    };

    let rows = flows(&hydrants, &snapshot, night_snapshot.as_ref(), &settings)?;
    match &night_snapshot {
        Some(_) => print_before_after(args, &net, &rows),
        None => print_flows(args, &net, &rows),
    }
    if let Some(out) = &args.out {
        std::fs::write(out, csv_text(args, &net, &rows))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One hydrant: its node, its fire flow, and its fire flow after the night settings.
type HydrantRow = (usize, HydrantFlow, Option<HydrantFlow>);

/// Each hydrant's fire flow in the snapshot, and in the night snapshot if there is one.
fn flows(
    hydrants: &[usize],
    snapshot: &Snapshot,
    night_snapshot: Option<&Snapshot>,
    settings: &FireFlowSettings,
) -> Result<Vec<HydrantRow>> {
    let mut rows = Vec::new();
    for &h in hydrants {
        let before = hydrant_flow(snapshot, h, settings)?;
        let after = match night_snapshot {
            Some(snap) => Some(hydrant_flow(snap, h, settings)?),
            None => None,
        };
        rows.push((h, before, after));
    }
    Ok(rows)
}

fn hydrants(args: &FireFlowArgs, net: &Network) -> Result<Vec<usize>> {
    if args.hydrants.eq_ignore_ascii_case("all") {
        return Ok((0..net.nodes.len())
            .filter(|&i| net.nodes[i].is_junction())
            .collect());
    }
    let mut ids = Vec::new();
    for id in args.hydrants.split(',').map(str::trim) {
        match net.node_ix(id) {
            Some(ix) if net.node(ix).is_junction() => ids.push(ix.ix()),
            Some(_) => bail!("hydrant {id} is not a junction"),
            None => bail!("no node {id} in {}", args.network.display()),
        }
    }
    Ok(ids)
}

/// The night plans of `--night-setting ID=SETTING`, in SI, in the
/// `--night` window; the fire's time must fall inside it.
fn night_plans(args: &FireFlowArgs, net: &Network) -> Result<Vec<NightPlan>> {
    if args.night_setting.is_empty() {
        return Ok(Vec::new());
    }
    let window_s = super::night::parse_window(&args.night)?;
    let clock_s = (net.times.start_clock_s + args.time.0) % 86_400;
    if !night::in_window(clock_s, window_s) {
        bail!(
            "--time {} (clock {}) is outside the night window {}: the night settings are \
             not in force then",
            super::clock(args.time.0),
            super::clock(clock_s),
            args.night
        );
    }
    let u = net.units();
    let mut plans = Vec::new();
    for item in &args.night_setting {
        let Some((id, value)) = item.split_once('=') else {
            bail!("--night-setting '{item}': expected ID=SETTING");
        };
        let Some(link) = net.link_ix(id.trim()) else {
            bail!("--night-setting '{item}': no link '{}'", id.trim());
        };
        let link = link.ix();
        let scale = match &net.links[link].kind {
            LinkKind::Valve(v) if v.valve_type == ValveType::Prv => u.pressure,
            LinkKind::Pump(_) => 1.0,
            _ => bail!(
                "--night-setting '{item}': {} is not a PRV or a pump",
                id.trim()
            ),
        };
        let setting = match value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => v * scale,
            _ => bail!("--night-setting '{item}': the setting is a pressure or speed, 0 or more"),
        };
        plans.push(NightPlan {
            link,
            window_s,
            setting: Some(setting),
            min_pressure_m: None,
            modulation: Vec::new(),
        });
    }
    Ok(plans)
}

fn print_night_settings(net: &Network, plans: &[NightPlan]) {
    let u = net.units();
    for plan in plans {
        let link = &net.links[plan.link];
        let (scale, unit) = match link.kind {
            LinkKind::Pump(_) => (1.0, "(speed)".to_string()),
            _ => (u.pressure, net.options.pressure_units.keyword().to_string()),
        };
        let day = night::day_setting(net, plan.link).unwrap_or(f64::NAN);
        println!(
            "  after night pressure reduction: {} {} {:.2} -> {:.2} {unit} from {} to {}",
            link.kind_name(),
            link.id,
            day / scale,
            plan.setting.unwrap_or(f64::NAN) / scale,
            super::clock(plan.window_s.0),
            super::clock(plan.window_s.1)
        );
    }
}

fn print_below(net: &Network, snapshot: &Snapshot, settings: &FireFlowSettings, when: &str) {
    let below: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| {
            net.nodes[i].is_junction() && snapshot.pressure_m[i] < settings.residual_pressure_m
        })
        .collect();
    if !below.is_empty() {
        println!(
            "  {when}{} {} below the residual without a fire and {} not constrained: {}",
            super::plural(below.len(), "junction"),
            super::agree(below.len(), "is", "are"),
            super::agree(below.len(), "is", "are"),
            super::node_list(net, &below)
        );
    }
}

fn limit_name(net: &Network, f: &HydrantFlow) -> String {
    f.limiting_node
        .map_or("(max/none)".to_string(), |i| net.nodes[i].id.clone())
}

/// `--required`, given in the file's flow units as documented, in m³/s.
fn required_m3s(args: &FireFlowArgs, net: &Network) -> Option<f64> {
    args.required.map(|q| q * net.units().flow)
}

/// The flag of a hydrant delivering `flow` (m³/s) against `required` (m³/s).
fn flag(required: Option<f64>, flow: f64, flagged: &mut usize) -> &'static str {
    match required {
        Some(req) if flow < req => {
            *flagged += 1;
            "BELOW REQUIRED"
        }
        _ => "",
    }
}

fn print_flows(args: &FireFlowArgs, net: &Network, rows: &[HydrantRow]) {
    let units = args.units.of(net);
    let u = units.factors;
    let flow_units = units.flow_name();
    let pressure_units = units.pressure_name();
    let required_m3s = required_m3s(args, net);
    println!(
        "{:<10} {:>12} {:>14} {:>12}  flag",
        "hydrant",
        format!("flow {flow_units}"),
        format!("p {pressure_units}"),
        "limited by"
    );
    let mut flagged = 0;
    for (h, f, _) in rows {
        let flow = f.flow_m3s / u.flow;
        println!(
            "{:<10} {:>12.2} {:>14.2} {:>12}  {}",
            net.nodes[*h].id,
            flow,
            f.hydrant_pressure_m / u.pressure,
            limit_name(net, f),
            flag(required_m3s, f.flow_m3s, &mut flagged)
        );
    }
    print_flagged(flagged, rows.len(), args, net, &units, "");
}

fn print_before_after(args: &FireFlowArgs, net: &Network, rows: &[HydrantRow]) {
    let units = args.units.of(net);
    let u = units.factors;
    let flow_units = units.flow_name();
    let pressure_units = units.pressure_name();
    let required_m3s = required_m3s(args, net);
    println!(
        "{:<10} {:>12} {:>12} {:>12} {:>7} {:>14} {:>12}  flag",
        "hydrant",
        format!("before {flow_units}"),
        format!("after {flow_units}"),
        format!("loss {flow_units}"),
        "loss %",
        format!("p {pressure_units}"),
        "limited by"
    );
    let mut flagged = 0;
    for (h, before, after) in rows {
        let Some(after) = after else { continue };
        let (q0, q1) = (before.flow_m3s / u.flow, after.flow_m3s / u.flow);
        let loss_percent = if q0 > 0.0 {
            100.0 * (q0 - q1) / q0
        } else {
            0.0
        };
        println!(
            "{:<10} {:>12.2} {:>12.2} {:>12.2} {:>7.1} {:>14.2} {:>12}  {}",
            net.nodes[*h].id,
            q0,
            q1,
            q0 - q1,
            loss_percent,
            after.hydrant_pressure_m / u.pressure,
            limit_name(net, after),
            flag(required_m3s, after.flow_m3s, &mut flagged)
        );
    }
    print_flagged(
        flagged,
        rows.len(),
        args,
        net,
        &units,
        " after the night settings",
    );
}

/// How many of the hydrants fall below `--required`, if given: the limit
/// as the user gave it, in the file's flow units, and converted when the
/// table is in other units.
fn print_flagged(
    flagged: usize,
    hydrants: usize,
    args: &FireFlowArgs,
    net: &Network,
    units: &ReportUnits,
    when: &str,
) {
    let Some(given) = args.required else {
        return;
    };
    let file_flow = ReportUnits::of_file(net).flow_name();
    let mut limit = format!("{given} {file_flow}");
    if units.flow_name() != file_flow {
        let m3s = given * net.units().flow;
        limit.push_str(&format!(" ({:.2} {})", units.flow(m3s), units.flow_name()));
    }
    println!(
        "{flagged} of {} below {limit}{when}",
        super::plural(hydrants, "hydrant")
    );
}

fn csv_text(args: &FireFlowArgs, net: &Network, rows: &[HydrantRow]) -> String {
    let units = args.units.of(net);
    let u = units.factors;
    let flow_units = units.flow_name();
    let pressure_units = units.pressure_name();
    let night = rows.iter().any(|r| r.2.is_some());
    let mut text = format!("hydrant,flow_{flow_units},pressure_{pressure_units},limited_by,trials");
    if night {
        text.push_str(&format!(
            ",after_flow_{flow_units},after_pressure_{pressure_units},after_limited_by,loss_{flow_units}"
        ));
    }
    text.push('\n');
    for (h, f, after) in rows {
        text.push_str(&format!(
            "{},{:.6},{:.6},{},{}",
            net.nodes[*h].id,
            f.flow_m3s / u.flow,
            f.hydrant_pressure_m / u.pressure,
            limit_name(net, f),
            f.trials
        ));
        if let Some(a) = after {
            text.push_str(&format!(
                ",{:.6},{:.6},{},{:.6}",
                a.flow_m3s / u.flow,
                a.hydrant_pressure_m / u.pressure,
                limit_name(net, a),
                (f.flow_m3s - a.flow_m3s) / u.flow
            ));
        }
        text.push('\n');
    }
    text
}
