//! `pipenet sensors`: pressure-logger sites from critical points, extremities, large users, a density target and burst detection.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use pipenet::leakage::sensors::{
    self, Placement, PlacementSettings, Site, Zones, DEFAULT_BURST_AREA_M2, DEFAULT_THRESHOLD_M,
};
use pipenet::network::units::M_PER_FT;
use pipenet::report::svg::{backdrop_units, MapUnits};
use pipenet::scenario::zones::Layout;
use pipenet::scenario::{BurstSpec, Edit, SimTime};
use pipenet::Network;

/// Units of the coordinates given on the command line (`--map-units`).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapUnitsArg {
    /// Metres.
    M,
    /// Feet.
    Ft,
    /// Unknown: --area-per-sensor is refused.
    None,
}

/// Arguments of `pipenet sensors`.
#[derive(Args)]
pub struct SensorsArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Lowest-pressure junctions over the run, per zone of --layout (or overall).
    #[arg(long, default_value_t = 1)]
    critical: usize,
    /// Extremities: dead ends, then other junctions, hydraulically farthest from the sources.
    #[arg(long, default_value_t = 2)]
    extremities: usize,
    /// Junctions with the largest base demand.
    #[arg(long, default_value_t = 2)]
    large_users: usize,
    /// Zones for the critical points (a layout file, as for `pipenet zones`).
    #[arg(long)]
    layout: Option<PathBuf>,
    /// At least one logger per this many km² (needs coordinates in known units).
    #[arg(long)]
    area_per_sensor: Option<f64>,
    /// Units of the coordinates, overriding the file's [BACKDROP] UNITS.
    #[arg(long, value_enum)]
    map_units: Option<MapUnitsArg>,
    /// Sites chosen by burst detection (greedy coverage).
    #[arg(long, default_value_t = 5)]
    count: usize,
    /// Burst every pipe (`all`), the pipes listed (`ID,ID,...`), or none.
    #[arg(long, default_value = "all")]
    bursts: String,
    /// Time of the bursts (h:mm[:ss] or hours).
    #[arg(long, value_parser = super::burst::parse_time, default_value = "0:00")]
    time: SimTime,
    /// Smallest pressure drop a logger detects, in the file's pressure
    /// units (default: 1 m of head in those units, 1.42 psi).
    #[arg(long)]
    threshold: Option<f64>,
    /// Orifice area of each burst, m².
    #[arg(long, conflicts_with = "emitter", default_value_t = DEFAULT_BURST_AREA_M2)]
    area: f64,
    /// Discharge coefficient of the orifice.
    #[arg(long, default_value_t = 0.75)]
    cd: f64,
    /// Emitter coefficient of each burst in the file's units, instead of --area.
    #[arg(long)]
    emitter: Option<f64>,
    /// Where along each pipe the burst is, as a fraction of its length.
    #[arg(long, default_value_t = 0.5)]
    at: f64,
    /// PDA minimum pressure, file units (default: the network's, else 0).
    #[arg(long)]
    pmin: Option<f64>,
    /// PDA required pressure, file units (default: the network's, else 20 m of head).
    #[arg(long)]
    preq: Option<f64>,
    /// Worker threads for the bursts; 0 uses every core the system offers.
    /// The sites are the same for any number.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Write the sites to this file (.csv or .json).
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

/// Runs `pipenet sensors`.
pub fn run(args: &SensorsArgs) -> Result<ExitCode> {
    let format = match &args.out {
        Some(out) => {
            let mut inputs = vec![args.network.as_path()];
            inputs.extend(args.layout.as_deref());
            super::check_target_against(&inputs, out)?;
            match out.extension().and_then(|e| e.to_str()) {
                Some("csv") => Some("csv"),
                Some("json") => Some("json"),
                _ => bail!("{}: unknown format (use .csv or .json)", out.display()),
            }
        }
        None => None,
    };
    let base = super::read(&args.network, false)?;
    let (net, zones) = match &args.layout {
        Some(path) => {
            let resolved = Layout::read_file(path)?.resolve(&base)?;
            let names = resolved.zones.iter().map(|z| z.name.clone()).collect();
            let zones = Zones {
                zone_of: resolved.zone_of.clone(),
                names,
            };
            (resolved.applied.network, Some(zones))
        }
        None => (base, None),
    };
    let settings = settings(args, &net, zones)?;
    let placement = sensors::place(&net, &settings, &|| {})?;
    for note in placement.detection.iter().flat_map(|d| &d.notes) {
        eprintln!("note: {note}");
    }
    print_placement(args, &net, &settings, &placement);
    if let (Some(out), Some(format)) = (&args.out, format) {
        super::write_atomically(out, |w| match format {
            "json" => write_json(w, args, &net, &settings, &placement),
            _ => write_csv(w, args, &net, &placement),
        })?;
        println!("sites written to {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The library settings from the flags, in SI.
fn settings(args: &SensorsArgs, net: &Network, zones: Option<Zones>) -> Result<PlacementSettings> {
    let u = net.units();
    let bursts = match args.bursts.trim() {
        "all" => None,
        "none" => Some(Vec::new()),
        list => Some(
            (list.split(',').map(str::trim))
                .filter(|id| !id.is_empty())
                .map(String::from)
                .collect(),
        ),
    };
    let mut edits = Vec::new();
    if args.pmin.is_some() || args.preq.is_some() {
        edits.push(Edit::PressureDependent {
            minimum_pressure: args.pmin,
            required_pressure: args.preq,
            exponent: None,
        });
    }
    let burst = BurstSpec {
        pipe: String::new(),
        fraction: args.at,
        area: args.emitter.is_none().then_some(args.area),
        cd: args.cd,
        emitter: args.emitter,
        start: None,
    };
    let threshold_m = args
        .threshold
        .map_or(DEFAULT_THRESHOLD_M, |t| t * u.pressure);
    let map_units = match args.map_units {
        Some(MapUnitsArg::M) => Some(MapUnits::Metres),
        Some(MapUnitsArg::Ft) => Some(MapUnits::Feet),
        Some(MapUnitsArg::None) => None,
        None => backdrop_units(net),
    };
    Ok(PlacementSettings {
        critical: args.critical,
        extremities: args.extremities,
        large_users: args.large_users,
        zones,
        area_per_sensor_km2: args.area_per_sensor,
        metres_per_map_unit: map_units.map(|m| match m {
            MapUnits::Metres => 1.0,
            MapUnits::Feet => M_PER_FT,
        }),
        count: args.count,
        bursts,
        detection: sensors::DetectionSettings {
            time_s: args.time.0,
            threshold_m,
            burst,
            edits,
            threads: super::threads(args.threads),
        },
    })
}

fn reasons(site: &Site) -> String {
    let texts: Vec<String> = site.reasons.iter().map(|r| r.to_string()).collect();
    texts.join("+")
}

fn coordinate(net: &Network, site: &Site, axis: usize) -> String {
    net.nodes[site.node].coordinates.map_or("-".into(), |c| {
        format!("{:.2}", if axis == 0 { c.0 } else { c.1 })
    })
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * covered as f64 / total as f64
    }
}

/// The line on the burst batch, and the bursts that could not be solved.
fn print_bursts(args: &SensorsArgs, net: &Network, settings: &PlacementSettings, p: &Placement) {
    let units = args.units.of(net);
    let u = units.factors;
    let p_unit = units.pressure_name();
    let d = &settings.detection;
    match &p.detection {
        Some(detection) => {
            let leak = match d.burst.emitter {
                Some(c) => format!("emitter {c}"),
                None => format!("orifice {} m², Cd {}", args.area, d.burst.cd),
            };
            println!(
                "{}: {} at {} ({leak}, at {:.2} of each pipe); a logger detects a drop of \
                 {:.2} {p_unit} ({:.2} m)",
                args.network.display(),
                super::plural(detection.pipes.len(), "burst"),
                super::clock(d.time_s),
                d.burst.fraction,
                d.threshold_m / u.pressure,
                d.threshold_m
            );
            let failed: Vec<(&String, &String)> = (detection.pipes.iter())
                .zip(&detection.detected_by)
                .filter_map(|(pipe, r)| r.as_ref().err().map(|e| (pipe, e)))
                .collect();
            if !failed.is_empty() {
                println!(
                    "  {} not solved, left out of the coverage:",
                    super::plural(failed.len(), "burst")
                );
                for (pipe, reason) in failed.iter().take(5) {
                    println!("    {pipe}: {reason}");
                }
            }
        }
        None => println!(
            "{}: no bursts; pressures at {}",
            args.network.display(),
            super::clock(d.time_s)
        ),
    }
}

/// The sites table and the coverage they reach.
fn print_placement(args: &SensorsArgs, net: &Network, settings: &PlacementSettings, p: &Placement) {
    print_bursts(args, net, settings, p);
    let units = args.units.of(net);
    let u = units.factors;
    let p_unit = units.pressure_name();
    if let Some(cells) = &p.density {
        println!(
            "  density: one logger per {} km² (cells of {:.1} map units): {} {} \
             junctions, {} had a site already",
            settings.area_per_sensor_km2.unwrap_or_default(),
            cells.cell_side,
            super::plural(cells.occupied_cells, "cell"),
            super::agree(cells.occupied_cells, "holds", "hold"),
            cells.cells_with_site
        );
    }
    let id_width = (p.sites.iter())
        .map(|s| net.nodes[s.node].id.len())
        .max()
        .unwrap_or(0)
        .max(8);
    let reason_width = p
        .sites
        .iter()
        .map(|s| reasons(s).len())
        .max()
        .unwrap_or(0)
        .max(8);
    println!(
        "{:<id_width$} {:<reason_width$} {:>12} {:>12} {:>10} {:>10} {:>7} {:>11}",
        "id",
        "reason",
        "x",
        "y",
        format!("P {p_unit}"),
        format!("min {p_unit}"),
        "bursts",
        "coverage %"
    );
    let total = p.bursts_solved();
    for site in &p.sites {
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        println!(
            "{:<id_width$} {:<reason_width$} {:>12} {:>12} {:>10.2} {:>10} {:>7} {:>11}",
            net.nodes[site.node].id,
            reasons(site),
            coordinate(net, site, 0),
            coordinate(net, site, 1),
            site.pressure_m / u.pressure,
            or_dash(
                site.min_pressure_m
                    .map(|m| format!("{:.2}", m / u.pressure))
            ),
            or_dash(site.bursts_detected.map(|b| b.to_string())),
            or_dash(site.covered.map(|c| format!("{:.1}", percent(c, total)))),
        );
    }
    if let Some(last) = p.sites.last().and_then(|s| s.covered) {
        println!(
            "{} {} {last} of {} ({:.1} %)",
            super::plural(p.sites.len(), "site"),
            super::agree(p.sites.len(), "detects", "detect"),
            super::plural(total, "burst"),
            percent(last, total)
        );
    }
    if p.detection_exhausted && settings.count > 0 {
        println!(
            "  the detection search stopped early: no other junction detects a burst not yet detected"
        );
    }
}

fn write_csv(w: &mut dyn Write, args: &SensorsArgs, net: &Network, p: &Placement) -> Result<()> {
    let units = args.units.of(net);
    let u = units.factors;
    let p_unit = units.pressure_name();
    writeln!(
        w,
        "id,reason,x,y,pressure_{p_unit},min_pressure_{p_unit},bursts_detected,coverage_percent"
    )?;
    let total = p.bursts_solved();
    for site in &p.sites {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let x = net.nodes[site.node].coordinates.map(|c| c.0.to_string());
        let y = net.nodes[site.node].coordinates.map(|c| c.1.to_string());
        writeln!(
            w,
            "{},{},{},{},{:.4},{},{},{}",
            net.nodes[site.node].id,
            reasons(site),
            opt(x),
            opt(y),
            site.pressure_m / u.pressure,
            opt(site
                .min_pressure_m
                .map(|m| format!("{:.4}", m / u.pressure))),
            opt(site.bursts_detected.map(|b| b.to_string())),
            opt(site.covered.map(|c| format!("{:.2}", percent(c, total)))),
        )?;
    }
    Ok(())
}

fn write_json(
    w: &mut dyn Write,
    args: &SensorsArgs,
    net: &Network,
    settings: &PlacementSettings,
    p: &Placement,
) -> Result<()> {
    let units = args.units.of(net);
    let u = units.factors;
    let total = p.bursts_solved();
    let sites: Vec<serde_json::Value> = (p.sites.iter())
        .map(|site| {
            serde_json::json!({
                "id": net.nodes[site.node].id,
                "reasons": site.reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                "x": net.nodes[site.node].coordinates.map(|c| c.0),
                "y": net.nodes[site.node].coordinates.map(|c| c.1),
                "pressure": site.pressure_m / u.pressure,
                "min_pressure": site.min_pressure_m.map(|m| m / u.pressure),
                "bursts_detected": site.bursts_detected,
                "coverage_percent": site.covered.map(|c| percent(c, total)),
            })
        })
        .collect();
    let failed: Vec<serde_json::Value> = (p.detection.iter())
        .flat_map(|d| d.pipes.iter().zip(&d.detected_by))
        .filter_map(|(pipe, r)| {
            r.as_ref()
                .err()
                .map(|e| serde_json::json!({"pipe": pipe, "reason": e}))
        })
        .collect();
    let d = &settings.detection;
    let doc = serde_json::json!({
        "pressure_units": units.pressure_name(),
        "time_s": d.time_s,
        "threshold": d.threshold_m / u.pressure,
        "bursts": p.detection.as_ref().map_or(0, |d| d.pipes.len()),
        "bursts_solved": total,
        "bursts_failed": failed,
        "sites": sites,
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)?;
    Ok(())
}
