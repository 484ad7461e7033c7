//! `pipenet night-pressure`: a lower PRV setting or pump speed at night, and the leakage it saves.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::network::LinkKind;
use pipenet::scenario::night::{self, NightOutcome, NightPlan, SEARCH_TOLERANCE_M};
use pipenet::scenario::zones::{Layout, LeakageBaseline, ResolvedLayout};
use pipenet::scenario::SimTime;
use pipenet::Network;

/// Arguments of `pipenet night-pressure`.
#[derive(Args)]
pub struct NightArgs {
    /// The EPANET input file (an extended period of at least 24 h).
    network: PathBuf,
    /// The PRV whose setting is lowered at night.
    #[arg(long, conflicts_with = "pump", required_unless_present = "pump")]
    prv: Option<String>,
    /// Or the pump whose speed is lowered at night.
    #[arg(long)]
    pump: Option<String>,
    /// The night window, clock times `HH:MM-HH:MM` (may span midnight).
    #[arg(long, default_value = "01:00-05:00")]
    night: String,
    /// The night setting: PRV pressure in the file's pressure units, or
    /// relative pump speed. Without it, and with --min-pressure, the
    /// lowest setting keeping the minimum is searched by bisection.
    #[arg(long, alias = "speed")]
    setting: Option<f64>,
    /// Minimum pressure at every junction of the controlled zone, in the
    /// file's pressure units.
    #[arg(long)]
    min_pressure: Option<f64>,
    /// Flow modulation of the PRV's night setting: `FLOW:SETTING,...`
    /// points (flow units, pressure units), linear between them.
    #[arg(long)]
    modulate: Option<String>,
    /// Leakage baseline of the controlled zone, `L0@P0`: L0 (flow units)
    /// at average zone pressure P0 (pressure units), scaled by
    /// (AZP/P0)^N1. Without it the network's emitters and [LEAKAGE] are
    /// the leakage.
    #[arg(long)]
    leakage: Option<String>,
    /// FAVAD exponent N1 for --leakage.
    #[arg(long, default_value_t = 1.0)]
    n1: f64,
    /// Zones to report (a layout file, as for `pipenet zones`); the zone
    /// downstream of the PRV or pump and the rest of the network if absent.
    #[arg(long)]
    layout: Option<PathBuf>,
    /// Write the reduced network (with its night controls) to this .inp file.
    #[arg(long)]
    write_inp: Option<PathBuf>,
    /// Write the outcome (SI units, whatever --units says) to this JSON file.
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

pub fn run(args: &NightArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        let mut inputs = vec![args.network.as_path()];
        inputs.extend(args.layout.as_deref());
        super::check_target_against(&inputs, out)?;
    }
    let base = super::read(&args.network, false)?;
    let id = args
        .prv
        .as_deref()
        .or(args.pump.as_deref())
        .unwrap_or_default();
    let link = match base.link_ix(id) {
        Some(k) => k.ix(),
        None => bail!("{}: no link '{id}'", args.network.display()),
    };
    check_kind(&base, link, args.prv.is_some())?;
    let layout = match &args.layout {
        Some(path) => Layout::read_file(path)?,
        None => night::downstream_layout(&base, link),
    };
    let mut resolved = layout.resolve(&base)?;
    for note in &resolved.applied.notes {
        eprintln!("note: {note}");
    }
    if let Some(text) = &args.leakage {
        let baseline = parse_baseline(text, args.n1)?;
        set_baseline(&mut resolved, link, baseline)?;
    }
    let net = &resolved.applied.network;
    let plan = plan(args, net, link)?;
    warn_about_controls(net, link);

    let outcome = night::analyse(&resolved, &plan)?;
    print_outcome(net, &args.units.of(net), &resolved, &plan, &outcome);
    if let Some(path) = &args.write_inp {
        let reduced = night::night_network(net, &plan, outcome.night_setting)?;
        super::burst::write_inp(&args.network, path, &reduced)?;
    }
    if let Some(out) = &args.out {
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), &outcome)?;
        println!("outcome written to {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn check_kind(net: &Network, link: usize, want_prv: bool) -> Result<()> {
    let l = &net.links[link];
    let ok = match &l.kind {
        LinkKind::Valve(v) => want_prv && v.valve_type == pipenet::network::ValveType::Prv,
        LinkKind::Pump(_) => !want_prv,
        LinkKind::Pipe(_) => false,
    };
    if !ok {
        let want = if want_prv { "PRV" } else { "pump" };
        bail!("link {} is a {}, not a {want}", l.id, l.kind_name());
    }
    Ok(())
}

/// The plan in SI from the flags.
fn plan(args: &NightArgs, net: &Network, link: usize) -> Result<NightPlan> {
    let u = net.units();
    let is_pump = matches!(net.links[link].kind, LinkKind::Pump(_));
    let pressure = if is_pump { 1.0 } else { u.pressure };
    let window_s = parse_window(&args.night)?;
    let modulation = match &args.modulate {
        Some(text) if is_pump => bail!("--modulate '{text}' needs a PRV"),
        Some(text) => parse_points(text)?
            .into_iter()
            .map(|(q, p)| (q * u.flow, p * u.pressure))
            .collect(),
        None => Vec::new(),
    };
    if args.setting.is_none() && args.min_pressure.is_none() && modulation.is_empty() {
        bail!("give --setting, --min-pressure (to search the setting) or --modulate");
    }
    if let Some(v) = args.setting.filter(|v| !(v.is_finite() && *v >= 0.0)) {
        bail!("--setting {v}: a night setting is a pressure or a speed, 0 or more");
    }
    Ok(NightPlan {
        link,
        window_s,
        setting: args.setting.map(|s| s * pressure),
        min_pressure_m: args.min_pressure.map(|p| p * u.pressure),
        modulation,
    })
}

pub(crate) fn parse_window(text: &str) -> Result<(u64, u64)> {
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((SimTime::parse(a)?.0, SimTime::parse(b)?.0)));
    match parsed {
        Some((a, b)) if a < 86_400 && b <= 86_400 && a != b => Ok((a, b % 86_400)),
        _ => bail!("--night '{text}': expected two clock times, HH:MM-HH:MM"),
    }
}

fn parse_points(text: &str) -> Result<Vec<(f64, f64)>> {
    let mut points = Vec::new();
    for item in text.split(',') {
        let point = item.split_once(':').and_then(|(q, p)| {
            Some((q.trim().parse::<f64>().ok()?, p.trim().parse::<f64>().ok()?))
        });
        match point {
            Some(p) if p.0.is_finite() && p.1.is_finite() => points.push(p),
            _ => bail!("--modulate: '{item}' is not FLOW:SETTING"),
        }
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(points)
}

fn parse_baseline(text: &str, n1: f64) -> Result<LeakageBaseline> {
    let parsed = text
        .split_once('@')
        .and_then(|(l, p)| Some((l.trim().parse::<f64>().ok()?, p.trim().parse::<f64>().ok()?)));
    match parsed {
        Some((l0, p0)) if l0 >= 0.0 && p0 > 0.0 && n1.is_finite() => {
            Ok(LeakageBaseline { l0, p0, n1 })
        }
        _ => bail!("--leakage '{text}': expected L0@P0 with L0 >= 0 and P0 > 0"),
    }
}

/// Gives the zone fed by `link` the baseline.
fn set_baseline(layout: &mut ResolvedLayout, link: usize, baseline: LeakageBaseline) -> Result<()> {
    let to = layout.applied.network.links[link].to.ix();
    let z = layout.zone_of[to];
    layout.zones[z].leakage = Some(baseline);
    Ok(())
}

fn warn_about_controls(net: &Network, link: usize) {
    let controls = net
        .controls
        .iter()
        .filter(|c| c.action.link.ix() == link)
        .count();
    let rules = (net.rules.iter())
        .filter(|r| (r.then_actions.iter().chain(&r.else_actions)).any(|a| a.link.ix() == link))
        .count();
    if controls + rules > 0 {
        eprintln!(
            "warning: {} has {} and {} of its own; they may change its setting inside \
             the night window",
            net.links[link].id,
            super::plural(controls, "control"),
            super::plural(rules, "rule")
        );
    }
}

fn clock(t: u64) -> String {
    format!("{}:{:02}", t / 3600, t / 60 % 60)
}

fn print_outcome(
    net: &Network,
    units: &pipenet::report::ReportUnits,
    layout: &ResolvedLayout,
    plan: &NightPlan,
    o: &NightOutcome,
) {
    let u = units.factors;
    let l = &net.links[plan.link];
    let is_pump = matches!(l.kind, LinkKind::Pump(_));
    let (scale, unit) = if is_pump {
        (1.0, "(speed)".to_string())
    } else {
        (u.pressure, units.pressure_name().to_lowercase())
    };
    let p_unit = units.pressure_name().to_lowercase();
    println!(
        "night pressure: {} {}, {}-{} daily: setting {:.2} -> {:.2} {unit}{}",
        l.kind_name(),
        l.id,
        clock(plan.window_s.0),
        clock(plan.window_s.1),
        o.day_setting / scale,
        o.night_setting / scale,
        if plan.modulation.is_empty() {
            ""
        } else {
            " (flow-modulated; mean of the night periods)"
        }
    );
    if let (Some(runs), Some(min)) = (o.search_runs, plan.min_pressure_m) {
        println!(
            "  searched: bisection between 0 and the day setting, {}, to {} {unit}: \
             the lowest setting keeping every junction of the zone at >= {:.2} {p_unit}",
            super::plural(runs, "run"),
            if is_pump {
                pipenet::scenario::night::SEARCH_TOLERANCE_SPEED
            } else {
                SEARCH_TOLERANCE_M / u.pressure
            },
            min / u.pressure
        );
    }
    println!(
        "  {:<16} {:>15} {:>15} {:>17} {:>21}",
        "zone",
        format!("AZP {p_unit}"),
        format!("night AZP {p_unit}"),
        format!("min P {p_unit}"),
        "leakage m3/day"
    );
    println!(
        "  {:<16} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>10} {:>10}",
        "", "before", "after", "before", "after", "before", "after", "before", "after"
    );
    for (b, a) in o.before.iter().zip(&o.after) {
        let min = |z: &night::ZoneNight| {
            z.min_pressure.map_or("-".to_string(), |m| {
                format!("{:.2}", m.pressure_m / u.pressure)
            })
        };
        println!(
            "  {:<16} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>8} {:>8} {:>10.3} {:>10.3}",
            b.name,
            b.average_pressure_m / u.pressure,
            a.average_pressure_m / u.pressure,
            b.night_pressure_m / u.pressure,
            a.night_pressure_m / u.pressure,
            min(b),
            min(a),
            b.leakage_m3_per_day,
            a.leakage_m3_per_day
        );
    }
    let baseline = layout.zones.iter().any(|z| z.leakage.is_some());
    println!(
        "  saved: {:.3} m3/day, {:.1} m3/year (leakage from {})",
        o.saved_m3_per_day,
        o.saved_m3_per_year,
        if baseline {
            "the baseline L0 (AZP/P0)^N1 where given, else the network's emitters and [LEAKAGE]"
        } else {
            "the network's emitters and [LEAKAGE]"
        }
    );
    if let Some(c) = o.critical_at_night {
        println!(
            "  critical node at night: {} at {:.2} {p_unit} ({})",
            net.nodes[c.node].id,
            c.pressure_m / u.pressure,
            clock(c.time_s)
        );
    }
    if let Some(min) = plan.min_pressure_m {
        if o.below_minimum.is_empty() {
            println!("  no junction below {:.2} {p_unit}", min / u.pressure);
        }
        for b in &o.below_minimum {
            println!(
                "  warning: {} falls to {:.2} {p_unit} at {}{}",
                net.nodes[b.node].id,
                b.pressure_m / u.pressure,
                clock(b.time_s),
                if b.before_too {
                    " (below the minimum before the change too)"
                } else {
                    ""
                }
            );
        }
    }
}
