//! `pipenet plot`: time series of chosen nodes and links over the run, as an SVG line chart.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use pipenet::network::{NodeKind, QualityKind};
use pipenet::report::plot::{self, PlotSpec, Series};
use pipenet::report::{link_values_in, node_values_in, QualitySnapshot, ReportUnits, Snapshot};
use pipenet::Network;

use super::map::pressure_unit;

/// Arguments of `pipenet plot`.
#[derive(Args)]
pub struct PlotArgs {
    /// The EPANET input file.
    pub network: PathBuf,
    /// Nodes to plot, by id, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub node: Vec<String>,
    /// Links to plot, by id, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub link: Vec<String>,
    /// The quantity plotted: pressure, head, demand or level (tanks) at
    /// nodes; flow or velocity in links; water age at either.
    #[arg(long, value_enum)]
    pub what: Quantity,
    /// Water quality analysis; only `age` is plotted, and `--what age`
    /// runs it without being asked.
    #[arg(long)]
    pub quality: Option<String>,
    /// The image to write: .svg, or .png (rendered by resvg; needs the
    /// `png` cargo feature, on by default).
    #[arg(long, short)]
    pub out: PathBuf,
    #[command(flatten)]
    pub units: super::units::UnitsArg,
}

/// What is plotted.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Quantity {
    /// Node pressure.
    Pressure,
    /// Node hydraulic head.
    Head,
    /// Node demand (a tank's or reservoir's net inflow).
    Demand,
    /// Link flow.
    Flow,
    /// Link velocity.
    Velocity,
    /// Tank water level above its bottom.
    Level,
    /// Water age at nodes or in links, h.
    Age,
}

/// A chosen element: a node or a link, by index.
#[derive(Clone, Copy)]
enum Element {
    Node(usize),
    Link(usize),
}

/// Runs `pipenet plot`.
pub fn run(args: &PlotArgs) -> Result<ExitCode> {
    super::check_target(&args.network, &args.out)?;
    super::image::check_format(&args.out)?;
    let net = super::read(&args.network, true)?;
    let elements = chosen_elements(&net, args)?;
    let kind = quality_kind(&net, args)?;
    let (snapshots, quality) = simulate(&net, args, &kind)?;
    let spec = plot_spec(&net, args, &elements, &snapshots, &quality);
    let text = plot::render(&spec)?;
    super::image::write(&args.out, &text)?;
    println!(
        "{} series over {} report times written to {}",
        spec.series.len(),
        spec.times_s.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The nodes and links asked for, checked against the network and the quantity.
fn chosen_elements(net: &Network, args: &PlotArgs) -> Result<Vec<Element>> {
    if args.node.is_empty() && args.link.is_empty() {
        bail!("give the elements to plot with --node ID[,ID...] or --link ID[,ID...]");
    }
    let node_quantity = !matches!(args.what, Quantity::Flow | Quantity::Velocity);
    let link_quantity = matches!(
        args.what,
        Quantity::Flow | Quantity::Velocity | Quantity::Age
    );
    let what = args
        .what
        .to_possible_value()
        .map(|v| v.get_name().to_string());
    let what = what.unwrap_or_default();
    if !args.node.is_empty() && !node_quantity {
        bail!("--what {what} is a link quantity: give --link, not --node");
    }
    if !args.link.is_empty() && !link_quantity {
        bail!("--what {what} is a node quantity: give --node, not --link");
    }
    let mut elements = Vec::new();
    for id in &args.node {
        let Some(ix) = net.node_ix(id) else {
            bail!("--node {id}: no node {id} in {}", args.network.display());
        };
        let i = ix.ix();
        if args.what == Quantity::Level && !matches!(net.nodes[i].kind, NodeKind::Tank(_)) {
            bail!("--node {id}: a level is plotted for tanks only, and {id} is not a tank");
        }
        elements.push(Element::Node(i));
    }
    for id in &args.link {
        let Some(ix) = net.link_ix(id) else {
            bail!("--link {id}: no link {id} in {}", args.network.display());
        };
        elements.push(Element::Link(ix.ix()));
    }
    Ok(elements)
}

/// The quality analysis to run: age for an age plot, none otherwise.
fn quality_kind(net: &Network, args: &PlotArgs) -> Result<QualityKind> {
    let asked = args.quality.as_deref().map(str::to_ascii_lowercase);
    match (args.what, asked.as_deref()) {
        (Quantity::Age, None | Some("age")) => Ok(pipenet::quality::kind_from_spec(net, "age")?),
        (Quantity::Age, Some(other)) => {
            bail!("--what age needs --quality age (or none given), not {other}")
        }
        (_, None | Some("none")) => Ok(QualityKind::None),
        (_, Some(other)) => bail!(
            "--quality {other}: a plot shows only water age (--what age); \
             drop --quality for this plot"
        ),
    }
}

/// Runs the network and keeps the state at every report time.
fn simulate(
    net: &Network,
    args: &PlotArgs,
    kind: &QualityKind,
) -> Result<(Vec<Snapshot>, Vec<QualitySnapshot>)> {
    let mut sim = pipenet::hydraulics::Simulation::new(net)
        .with_context(|| format!("{}: cannot simulate", args.network.display()))?;
    let mut qual = pipenet::quality::QualitySimulation::new(net, kind)?;
    let mut snapshots = Vec::new();
    let mut quality = Vec::new();
    loop {
        sim.solve_period();
        qual.load_hydraulics(sim.state());
        if let Some(report_s) = sim.report_time_s() {
            snapshots.push(Snapshot::of(report_s, sim.state()));
            if *kind != QualityKind::None {
                quality.push(QualitySnapshot::of(report_s, &qual));
            }
        }
        let step = sim.advance();
        if step == 0 {
            break;
        }
        qual.advance(step);
    }
    Ok((snapshots, quality))
}

/// The chart: one series per element, captions in the file's units.
fn plot_spec(
    net: &Network,
    args: &PlotArgs,
    elements: &[Element],
    snapshots: &[Snapshot],
    quality: &[QualitySnapshot],
) -> PlotSpec {
    let name = args
        .network
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let units = args.units.of(net);
    let (quantity, unit) = caption(&units, args.what);
    let series = elements
        .iter()
        .map(|&element| Series {
            label: label(net, element),
            values: (0..snapshots.len())
                .map(|t| {
                    value(
                        net,
                        &units,
                        args.what,
                        element,
                        &snapshots[t],
                        quality.get(t),
                    )
                })
                .collect(),
        })
        .collect();
    PlotSpec {
        title: format!("{name}: {}", quantity.to_lowercase()),
        y_label: format!("{quantity} ({unit})"),
        times_s: snapshots.iter().map(|s| s.time_s).collect(),
        series,
    }
}

/// The quantity's name and unit in `units`.
fn caption(units: &ReportUnits, what: Quantity) -> (&'static str, &'static str) {
    let length = units.length_name();
    match what {
        Quantity::Pressure => ("Pressure", pressure_unit(units.pressure)),
        Quantity::Head => ("Head", length),
        Quantity::Level => ("Tank level", length),
        Quantity::Demand => ("Demand", pipenet::report::text::flow_unit_label(units.flow)),
        Quantity::Flow => ("Flow", pipenet::report::text::flow_unit_label(units.flow)),
        Quantity::Velocity => ("Velocity", units.velocity_name()),
        Quantity::Age => ("Water age", "h"),
    }
}

/// The legend text: the element's kind and id.
fn label(net: &Network, element: Element) -> String {
    match element {
        Element::Node(i) => {
            let kind = match net.nodes[i].kind {
                NodeKind::Junction(_) => "Junction",
                NodeKind::Reservoir(_) => "Reservoir",
                NodeKind::Tank(_) => "Tank",
            };
            format!("{kind} {}", net.nodes[i].id)
        }
        Element::Link(k) => format!("Link {}", net.links[k].id),
    }
}

/// The value of one element at one report time, in `units`.
fn value(
    net: &Network,
    units: &ReportUnits,
    what: Quantity,
    element: Element,
    snap: &Snapshot,
    quality: Option<&QualitySnapshot>,
) -> f64 {
    match (what, element) {
        (Quantity::Age, Element::Node(i)) => quality.map_or(f64::NAN, |q| q.node[i]),
        (Quantity::Age, Element::Link(k)) => quality.map_or(f64::NAN, |q| q.link[k]),
        (Quantity::Pressure, Element::Node(i)) => node_values_in(net, units, snap, i).pressure,
        (Quantity::Head, Element::Node(i)) => node_values_in(net, units, snap, i).head,
        (Quantity::Demand, Element::Node(i)) => node_values_in(net, units, snap, i).demand,
        (Quantity::Level, Element::Node(i)) => {
            units.length(snap.head_m[i] - net.nodes[i].elevation_m)
        }
        (Quantity::Flow, Element::Link(k)) => link_values_in(net, units, snap, k).flow,
        (Quantity::Velocity, Element::Link(k)) => link_values_in(net, units, snap, k).velocity,
        // `chosen_elements` lets no other pair through.
        _ => f64::NAN,
    }
}
