//! `pipenet map`: the network drawn from its coordinates, coloured by one result at one time, as SVG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use pipenet::analysis::pressure_zones::{derive_zones, separates_pressure_levels, DerivedZone};
use pipenet::network::units::PressureUnits;
use pipenet::network::NodeKind;
use pipenet::report::svg::{
    self, Colouring, Concern, Critical, Element, MapSpec, MapUnits, ZoneColours,
};
use pipenet::report::{
    geojson, link_values_in, node_values_in, QualitySnapshot, ReportUnits, Snapshot,
};
use pipenet::scenario::zones::Layout;
use pipenet::Network;

use super::export::{parse_time, state_at};

/// Arguments of `pipenet map`.
#[derive(Args)]
pub struct MapArgs {
    /// The EPANET input file (with [COORDINATES]).
    pub network: PathBuf,
    /// The result that colours the map: node pressure, head or water age,
    /// link velocity, or the pressure zone of nodes and links.
    #[arg(long, value_enum, default_value = "pressure")]
    pub color: Quantity,
    /// With --color zone: the zones of this layout file (TOML, as `pipenet
    /// zones` reads). Without it the zones are found from the network:
    /// what stays connected once pumps, PRVs, PSVs, PBVs, FCVs and links
    /// closed at --time are cut.
    #[arg(long, value_name = "LAYOUT")]
    pub zones: Option<PathBuf>,
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
    /// The image to write: .svg, or .png (rendered by resvg; needs the
    /// `png` cargo feature, on by default).
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
    /// Pressure zone of nodes and links, one colour each.
    Zone,
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
    super::image::check_format(&args.out)?;
    let time_s = parse_time(&args.time)?;
    if args.zones.is_some() && args.color != Quantity::Zone {
        bail!("--zones gives the zones of --color zone: add --color zone");
    }
    let net = super::read(&args.network, true)?;
    geojson::check_coordinates(&net)
        .with_context(|| format!("{}: cannot draw a map", args.network.display()))?;
    let quality = quality_spec(args)?;
    let (snap, quality) = state_at(&net, &args.network, time_s, Some(quality))?;
    let spec = map_spec(&net, args, &snap, quality.as_ref())?;
    let text = svg::render(&net, &spec)?;
    super::image::write(&args.out, &text)?;
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

/// The values, captions and marked extreme of the map.
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
        Quantity::Zone => (
            "Pressure zones",
            "",
            Colouring::Zones(zone_colours(net, args, snap)?),
            Concern::Low,
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
    let critical = match (args.color, &values) {
        (Quantity::Pressure, _) => lowest_pressure(net, &units, snap),
        (Quantity::Age, Colouring::Nodes(age)) => oldest_water(net, age),
        (Quantity::Velocity, Colouring::Links(velocity)) => {
            fastest_flow(net, velocity, units.velocity_name())
        }
        _ => None,
    };
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
        critical,
        map_units,
        closed_links: snap.status.iter().map(|s| s.is_closed()).collect(),
    })
}

/// The zones of `--zones LAYOUT`, or those found from the network with the
/// links closed at the time shown.
fn zone_colours(net: &Network, args: &MapArgs, snap: &Snapshot) -> Result<ZoneColours> {
    if let Some(path) = &args.zones {
        return layout_zones(net, path);
    }
    let closed: Vec<bool> = snap.status.iter().map(|s| s.is_closed()).collect();
    let found = derive_zones(net, &closed);
    let labels = found
        .zones
        .iter()
        .map(|zone| derived_label(net, zone))
        .collect();
    let junctions = (found.zones.iter())
        .map(|zone| zone.nodes.len() - zone.sources.len())
        .collect();
    Ok(ZoneColours {
        node_zone: found.node_zone,
        link_zone: found.link_zone,
        labels,
        junctions,
    })
}

/// A found zone named by its first source (and how many more), else by
/// what feeds it ("via PRV V1").
fn derived_label(net: &Network, zone: &DerivedZone) -> String {
    let named = |ids: Vec<String>| {
        let more = ids.len().saturating_sub(1);
        let mut text = ids.into_iter().next().unwrap_or_default();
        if more > 0 {
            text += &format!(" +{more}");
        }
        text
    };
    if !zone.sources.is_empty() {
        let ids = zone.sources.iter().map(|&i| source_name(net, i)).collect();
        return named(ids);
    }
    if !zone.feeds.is_empty() {
        let ids = (zone.feeds.iter())
            .map(|&k| format!("{} {}", net.links[k].kind_name(), net.links[k].id))
            .collect();
        return format!("via {}", named(ids));
    }
    "no source or feed".to_string()
}

/// A source's id, with "tank" in front when the id is a bare number.
fn source_name(net: &Network, i: usize) -> String {
    let node = &net.nodes[i];
    match node.kind {
        NodeKind::Tank(_) if node.id.chars().all(|c| c.is_ascii_digit()) => {
            format!("tank {}", node.id)
        }
        _ => node.id.clone(),
    }
}

/// The zones of a layout file, named as the file names them.
fn layout_zones(net: &Network, path: &std::path::Path) -> Result<ZoneColours> {
    let resolved = Layout::read_file(path)?.resolve(net)?;
    if resolved.zone_of.len() != net.nodes.len() {
        bail!(
            "{}: the layout's edits change the network's nodes: cannot draw its zones",
            path.display()
        );
    }
    let node_zone: Vec<Option<usize>> = resolved.zone_of.iter().map(|&z| Some(z)).collect();
    let link_zone = net
        .links
        .iter()
        .map(|l| {
            let (a, b) = (resolved.zone_of[l.from.ix()], resolved.zone_of[l.to.ix()]);
            (a == b && !separates_pressure_levels(&l.kind)).then_some(a)
        })
        .collect();
    let mut junctions = vec![0; resolved.zones.len()];
    for (i, &z) in resolved.zone_of.iter().enumerate() {
        if net.nodes[i].is_junction() {
            junctions[z] += 1;
        }
    }
    let labels = (resolved.zones.iter())
        .map(|zone| {
            let feeds: Vec<String> = (zone.feeds.iter())
                .map(|&k| format!("{} {}", net.links[k].kind_name(), net.links[k].id))
                .collect();
            if feeds.is_empty() {
                zone.name.clone()
            } else {
                format!("{} via {}", zone.name, feeds.join(", "))
            }
        })
        .collect();
    Ok(ZoneColours {
        node_zone,
        link_zone,
        labels,
        junctions,
    })
}

/// The marker of a pressure map: the junction with the lowest pressure.
fn lowest_pressure(net: &Network, units: &ReportUnits, snap: &Snapshot) -> Option<Critical> {
    let unit = pressure_unit(units.pressure);
    let pressure: Vec<f64> = (0..net.nodes.len())
        .map(|i| node_values_in(net, units, snap, i).pressure)
        .collect();
    let (i, p) = junction_extreme(net, &pressure, |a, b| b.total_cmp(&a))?;
    Some(Critical {
        element: Element::Node(i),
        key: "lowest pressure".to_string(),
        label: format!("lowest pressure: {p:.1} {unit} at {}", net.nodes[i].id),
    })
}

/// The marker of an age map: the junction with the oldest water.
fn oldest_water(net: &Network, age_h: &[f64]) -> Option<Critical> {
    let (i, age) = junction_extreme(net, age_h, |a, b| a.total_cmp(&b))?;
    Some(Critical {
        element: Element::Node(i),
        key: "oldest water".to_string(),
        label: format!("oldest water: {age:.1} h at {}", net.nodes[i].id),
    })
}

/// The marker of a velocity map: the link with the fastest flow (the
/// first such link when several tie).
fn fastest_flow(net: &Network, velocity: &[f64], unit: &str) -> Option<Critical> {
    let (k, v) = (velocity.iter().copied().enumerate())
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let link = &net.links[k];
    Some(Critical {
        element: Element::Link(k),
        key: "highest velocity".to_string(),
        label: format!(
            "highest velocity: {v:.2} {unit} in {} {}",
            link.kind_name(),
            link.id
        ),
    })
}

/// The junction whose value comes last in `order` (the first such
/// junction when several tie), and that value.
fn junction_extreme(
    net: &Network,
    values: &[f64],
    order: impl Fn(f64, f64) -> std::cmp::Ordering,
) -> Option<(usize, f64)> {
    (0..net.nodes.len())
        .filter(|&i| matches!(net.nodes[i].kind, NodeKind::Junction(_)))
        .map(|i| (i, values[i]))
        .filter(|(_, x)| x.is_finite())
        .max_by(|a, b| order(a.1, b.1).then(b.0.cmp(&a.0)))
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
