//! `pipenet map`: the network drawn from its coordinates, coloured by one result at one time, as SVG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use pipenet::network::units::PressureUnits;
use pipenet::network::NodeKind;
use pipenet::report::svg::{self, Colouring, Concern, Critical, MapSpec, MapUnits};
use pipenet::report::{
    geojson, link_values_in, node_values_in, QualitySnapshot, ReportUnits, Snapshot,
};
use pipenet::Network;

use super::export::{parse_time, state_at};

/// Arguments of `pipenet map`.
#[derive(Args)]
pub struct MapArgs {
    /// The EPANET input file (with [COORDINATES]).
    pub network: PathBuf,
    /// The result that colours the map: node pressure, head or water age,
    /// or link velocity.
    #[arg(long, value_enum, default_value = "pressure")]
    pub color: Quantity,
    /// The time shown (h, h:mm or h:mm:ss; 0 by default).
    #[arg(long, default_value = "0")]
    pub time: String,
    /// Water quality analysis; only `age` is drawn, and `--color age`
    /// runs it without being asked.
    #[arg(long)]
    pub quality: Option<String>,
    /// Units of the coordinates, for the scale bar, overriding the file's
    /// [BACKDROP] UNITS.
    #[arg(long, value_enum)]
    pub map_units: Option<MapUnitsArg>,
    /// The SVG file to write.
    #[arg(long, short)]
    pub out: PathBuf,
    #[command(flatten)]
    pub units: super::units::UnitsArg,
}

/// What colours the map.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Quantity {
    /// Junction pressure; the lowest is the concern.
    Pressure,
    /// Link velocity; the highest is the concern.
    Velocity,
    /// Water age at nodes, h; the oldest is the concern.
    Age,
    /// Hydraulic head at nodes; the lowest is the concern.
    Head,
}

/// Units of the coordinates given on the command line.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MapUnitsArg {
    /// Metres.
    M,
    /// Feet.
    Ft,
    /// Unknown: no scale bar.
    None,
}

/// Runs `pipenet map`.
pub fn run(args: &MapArgs) -> Result<ExitCode> {
    super::check_target(&args.network, &args.out)?;
    let time_s = parse_time(&args.time)?;
    let net = super::read(&args.network, true)?;
    geojson::check_coordinates(&net)
        .with_context(|| format!("{}: cannot draw a map", args.network.display()))?;
    let quality = quality_spec(args)?;
    let (snap, quality) = state_at(&net, &args.network, time_s, Some(quality))?;
    let spec = map_spec(&net, args, &snap, quality.as_ref())?;
    let text = svg::render(&net, &spec)?;
    super::write_atomically(&args.out, |w| {
        std::io::Write::write_all(w, text.as_bytes())?;
        Ok(())
    })?;
    println!("map of {} written to {}", spec.title, args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The quality analysis to run: age for an age map, none otherwise.
fn quality_spec(args: &MapArgs) -> Result<&'static str> {
    let asked = args.quality.as_deref().map(str::to_ascii_lowercase);
    match (args.color, asked.as_deref()) {
        (Quantity::Age, None | Some("age")) => Ok("age"),
        (Quantity::Age, Some(other)) => {
            bail!("--color age needs --quality age (or none given), not {other}")
        }
        (_, None | Some("none")) => Ok("none"),
        (_, Some(other)) => bail!(
            "--quality {other}: a map shows only water age (--color age); \
             drop --quality for this map"
        ),
    }
}

/// The values, captions and critical node of the map.
fn map_spec(
    net: &Network,
    args: &MapArgs,
    snap: &Snapshot,
    quality: Option<&QualitySnapshot>,
) -> Result<MapSpec> {
    let units = args.units.of(net);
    let n = net.nodes.len();
    let node = |i| node_values_in(net, &units, snap, i);
    let (quantity, unit, values, concern) = match args.color {
        Quantity::Pressure => (
            "Pressure",
            pressure_unit(units.pressure),
            Colouring::Nodes((0..n).map(|i| node(i).pressure).collect()),
            Concern::Low,
        ),
        Quantity::Head => (
            "Head",
            units.length_name(),
            Colouring::Nodes((0..n).map(|i| node(i).head).collect()),
            Concern::Low,
        ),
        Quantity::Velocity => (
            "Velocity",
            units.velocity_name(),
            Colouring::Links(
                (0..net.links.len())
                    .map(|k| link_values_in(net, &units, snap, k).velocity)
                    .collect(),
            ),
            Concern::High,
        ),
        Quantity::Age => {
            let Some(q) = quality else {
                bail!("no water age was computed");
            };
            (
                "Water age",
                "h",
                Colouring::Nodes(q.node.clone()),
                Concern::High,
            )
        }
    };
    let name = args
        .network
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let map_units = match args.map_units {
        Some(MapUnitsArg::M) => Some(MapUnits::Metres),
        Some(MapUnitsArg::Ft) => Some(MapUnits::Feet),
        Some(MapUnitsArg::None) => None,
        None => svg::backdrop_units(net),
    };
    Ok(MapSpec {
        title: format!(
            "{name}: {} at {}",
            quantity.to_lowercase(),
            hours_minutes(snap.time_s)
        ),
        subtitle: net.title.first().cloned().unwrap_or_default(),
        quantity: quantity.to_string(),
        unit: unit.to_string(),
        values,
        concern,
        critical: lowest_pressure(net, &units, snap),
        map_units,
        closed_links: snap.status.iter().map(|s| s.is_closed()).collect(),
    })
}

/// The junction with the lowest pressure, labelled with it.
fn lowest_pressure(net: &Network, units: &ReportUnits, snap: &Snapshot) -> Option<Critical> {
    let unit = pressure_unit(units.pressure);
    (0..net.nodes.len())
        .filter(|&i| matches!(net.nodes[i].kind, NodeKind::Junction(_)))
        .map(|i| (i, node_values_in(net, units, snap, i).pressure))
        .filter(|(_, p)| p.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(i, p)| Critical {
            node: i,
            label: format!("lowest pressure: {p:.1} {unit} at {}", net.nodes[i].id),
        })
}

pub(crate) fn pressure_unit(units: PressureUnits) -> &'static str {
    match units {
        PressureUnits::Psi => "psi",
        PressureUnits::Kpa => "kPa",
        PressureUnits::Meters => "m",
        PressureUnits::Bar => "bar",
        PressureUnits::Feet => "ft",
    }
}

/// A time as h:mm, with seconds only when there are any.
fn hours_minutes(t: u64) -> String {
    if t.is_multiple_of(60) {
        format!("{}:{:02}", t / 3600, t / 60 % 60)
    } else {
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    }
}
