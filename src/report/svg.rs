//! A map of the network as SVG: links and nodes at their coordinates, coloured by one result.
//!
//! The map is drawn from `[COORDINATES]` and `[VERTICES]` as the file gives
//! them (y up). One quantity colours either the links (velocity) or the
//! nodes (pressure, head, age; links are then grey). The colour scale runs
//! from red, the end of concern (low pressure, old water, fast flow), to
//! blue; it spans the 2nd to 98th percentile of the values so that a few
//! outliers do not wash out the rest, and the legend says when values lie
//! beyond its ends. Reservoirs, tanks, pumps and valves have their own
//! symbols, a closed pump or valve its own; the extreme the map is about
//! (the lowest pressure, the oldest water, the fastest flow) is marked with
//! a target and labelled. Every node and link carries a `<title>`, which
//! browsers show as a tooltip: its kind, id and value. The output is SVG
//! written by hand, the same bytes for the same input.

use std::fmt::Write as _;

use super::geojson::{check_coordinates, GeoJsonError};
use crate::network::{LinkKind, Network, NodeKind};

/// Which elements carry the values of a map.
#[derive(Debug, Clone, PartialEq)]
pub enum Colouring {
    /// One value per node, in [`Network::nodes`] order; links are drawn grey.
    Nodes(Vec<f64>),
    /// One value per link, in [`Network::links`] order.
    Links(Vec<f64>),
    /// Pressure zones: one colour per zone from a fixed qualitative palette.
    Zones(ZoneColours),
}

/// Which zone each node and link is in, and how the legend names the zones.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneColours {
    /// Zone of each node, in [`Network::nodes`] order; `None` is drawn grey.
    pub node_zone: Vec<Option<usize>>,
    /// Zone of each link, in [`Network::links`] order; `None` (links that
    /// bound zones, or lie in none) is drawn dark grey.
    pub link_zone: Vec<Option<usize>>,
    /// The legend's label of each zone, e.g. `River` or `fed by PRV V1`.
    pub labels: Vec<String>,
    /// Junctions in each zone, shown beside its label.
    pub junctions: Vec<usize>,
}

/// Colours of zones, in zone order: distinct hues dark enough for thin
/// lines on white; they repeat after the last.
const ZONE_PALETTE: [&str; 12] = [
    "#1f78b4", "#e6820e", "#33a02c", "#e31a1c", "#6a3d9a", "#b15928", "#e7298a", "#17becf",
    "#808000", "#000080", "#7f7f7f", "#a6761d",
];

/// Colour of links that bound zones.
const BOUNDARY: &str = "#333333";

/// The colour of zone `z`.
fn zone_colour(z: Option<usize>) -> String {
    z.map_or(GREY.to_string(), |z| {
        ZONE_PALETTE[z % ZONE_PALETTE.len()].to_string()
    })
}

/// Which end of the scale is the concern, drawn red.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// Low values are the concern (pressure, head).
    Low,
    /// High values are the concern (water age, velocity).
    High,
}

/// The units of the map coordinates, which set the scale bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapUnits {
    /// Coordinates in metres.
    Metres,
    /// Coordinates in feet.
    Feet,
}

/// The element to mark with a target and label: the extreme of the
/// quantity the map shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Critical {
    /// The marked node or link.
    pub element: Element,
    /// What the marker stands for, for the key: e.g. `lowest pressure`.
    pub key: String,
    /// The label beside it, e.g. `lowest pressure: 18.3 psi at J12`.
    pub label: String,
}

/// A node or a link of the network, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// Index into [`Network::nodes`].
    Node(usize),
    /// Index into [`Network::links`].
    Link(usize),
}

/// What to draw and how to caption it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSpec {
    /// The title line, e.g. `Net3: pressure at 12:00`.
    pub title: String,
    /// A second, smaller line (the network's own title), may be empty.
    pub subtitle: String,
    /// The quantity's name for the legend, e.g. `Pressure`.
    pub quantity: String,
    /// Its unit for the legend, e.g. `psi`.
    pub unit: String,
    /// The values and the elements they belong to.
    pub values: Colouring,
    /// Which end of the scale is drawn red.
    pub concern: Concern,
    /// The element to mark and label; none for no marker.
    pub critical: Option<Critical>,
    /// The units of the coordinates; `None` when the file does not say
    /// (then the map has no scale bar and says so).
    pub map_units: Option<MapUnits>,
    /// Links closed at the time shown, drawn dashed (and closed pumps and
    /// valves with their own symbols); empty for none.
    pub closed_links: Vec<bool>,
}

/// Why a map cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// Some nodes have no coordinates.
    #[error(transparent)]
    NoCoordinates(#[from] GeoJsonError),
    /// The values do not match the network's nodes or links.
    #[error(
        "{} given for {}",
        super::plural(*given, "value"),
        super::plural(*expected, elements)
    )]
    WrongLength {
        /// How many values were given.
        given: usize,
        /// How many nodes or links there are.
        expected: usize,
        /// `node` or `link`.
        elements: &'static str,
    },
}

/// Colour stops of the scale, red (concern) to blue, after ColorBrewer's
/// RdYlBu with the pale middle darkened so thin lines stay visible on white.
const PALETTE: [(f64, f64, f64); 5] = [
    (178.0, 24.0, 43.0),
    (239.0, 120.0, 70.0),
    (222.0, 184.0, 60.0),
    (103.0, 169.0, 207.0),
    (33.0, 102.0, 172.0),
];

/// Grey of links when nodes carry the values, and of missing values.
const GREY: &str = "#a8a8a8";
/// Fill of a closed pump's or valve's symbol.
const CLOSED_FILL: &str = "#d4d4d4";
/// Colour of reservoir, tank, pump and valve symbols.
const SYMBOL: &str = "#1b2a4a";
/// Largest map area, px.
const MAP_W: f64 = 820.0;
const MAP_H: f64 = 700.0;
/// Margin around the map, px; room for the title above.
const MARGIN: f64 = 24.0;
const TOP: f64 = 78.0;
/// Width of the legend panel right of the map, px.
const PANEL_W: f64 = 250.0;

/// The units `[BACKDROP] UNITS` states for the coordinates, if it states
/// feet or metres (degrees are not a length; `NONE` says nothing).
pub fn backdrop_units(net: &Network) -> Option<MapUnits> {
    net.backdrop.iter().find_map(|line| {
        let mut words = line.split_whitespace();
        let key = words.next()?;
        if !key.eq_ignore_ascii_case("UNITS") {
            return None;
        }
        match words.next()?.to_ascii_uppercase().as_str() {
            "FEET" => Some(MapUnits::Feet),
            "METERS" | "METRES" => Some(MapUnits::Metres),
            _ => None,
        }
    })
}

/// Draws the map as an SVG document.
pub fn render(net: &Network, spec: &MapSpec) -> Result<String, MapError> {
    check_coordinates(net)?;
    check_lengths(net, &spec.values)?;
    let frame = Frame::fit(net);
    let scale = Scale::of(net, spec);
    let key = key_rows(net, spec);
    let width = (MARGIN * 2.0 + frame.width + PANEL_W).round();
    let key_bottom = KEY_TOP + KEY_ROW_H * key.len() as f64;
    let height = (TOP + frame.height + 56.0)
        .max(TOP + 470.0)
        .max(key_bottom)
        .round();

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n\
         <rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"
    );
    draw_title(&mut svg, spec);
    draw_links(&mut svg, net, spec, &frame, &scale);
    draw_junctions(&mut svg, net, spec, &frame, &scale);
    draw_link_symbols(&mut svg, net, spec, &frame);
    draw_sources(&mut svg, net, spec, &frame);
    if let Some(critical) = &spec.critical {
        draw_critical(&mut svg, net, critical, &frame);
    }
    draw_scale_bar(&mut svg, spec.map_units, &frame);
    let left = MARGIN * 2.0 + frame.width;
    draw_legend(&mut svg, spec, &scale, left, &key);
    svg.push_str("</svg>\n");
    Ok(svg)
}

fn check_lengths(net: &Network, values: &Colouring) -> Result<(), MapError> {
    let (given, expected, elements) = match values {
        Colouring::Nodes(v) => (v.len(), net.nodes.len(), "node"),
        Colouring::Links(v) => (v.len(), net.links.len(), "link"),
        Colouring::Zones(z) if z.node_zone.len() != net.nodes.len() => {
            (z.node_zone.len(), net.nodes.len(), "node")
        }
        Colouring::Zones(z) => (z.link_zone.len(), net.links.len(), "link"),
    };
    if given == expected {
        Ok(())
    } else {
        Err(MapError::WrongLength {
            given,
            expected,
            elements,
        })
    }
}

/// Maps file coordinates to pixels: uniform scale, y flipped.
struct Frame {
    /// Factor applied to coordinates before anything else: 1, or 0.5 when
    /// their span exceeds the largest float (`-1e308` to `1e308`).
    shrink: f64,
    /// Least x and greatest y, times `shrink`.
    min_x: f64,
    max_y: f64,
    /// Pixels per coordinate unit.
    px_per_unit: f64,
    /// Pixels per coordinate unit times `shrink`.
    px_per_shrunk_unit: f64,
    /// Size of the drawn map, px.
    width: f64,
    height: f64,
}

impl Frame {
    fn fit(net: &Network) -> Frame {
        let points = net
            .nodes
            .iter()
            .filter_map(|n| n.coordinates)
            .chain(net.links.iter().flat_map(|l| l.vertices().iter().copied()));
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for (x, y) in points {
            min_x = min_x.min(x);
            min_y = min_y.min(y);
            max_x = max_x.max(x);
            max_y = max_y.max(y);
        }
        if !min_x.is_finite() {
            (min_x, min_y, max_x, max_y) = (0.0, 0.0, 1.0, 1.0);
        }
        // Halving every coordinate (exact) keeps a span such as -1e308 to
        // 1e308 finite; the pixels are the same either way.
        let overflows = !(max_x - min_x).is_finite() || !(max_y - min_y).is_finite();
        let shrink = if overflows { 0.5 } else { 1.0 };
        let (min_x, min_y, max_x, max_y) = (
            min_x * shrink,
            min_y * shrink,
            max_x * shrink,
            max_y * shrink,
        );
        let dx = (max_x - min_x).max(1e-9);
        let dy = (max_y - min_y).max(1e-9);
        let px_per_shrunk_unit = (MAP_W / dx).min(MAP_H / dy);
        Frame {
            shrink,
            min_x,
            max_y,
            px_per_unit: px_per_shrunk_unit * shrink,
            px_per_shrunk_unit,
            width: (dx * px_per_shrunk_unit).max(300.0),
            height: dy * px_per_shrunk_unit,
        }
    }

    fn px(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            MARGIN + (x * self.shrink - self.min_x) * self.px_per_shrunk_unit,
            TOP + (self.max_y - y * self.shrink) * self.px_per_shrunk_unit,
        )
    }
}

/// The colour scale: value range, where the values lie beyond it, sizes.
struct Scale {
    low: f64,
    high: f64,
    clipped_low: bool,
    clipped_high: bool,
    concern: Concern,
    /// Junction radius and link width, px, smaller for bigger networks.
    junction_r: f64,
    link_w: f64,
}

impl Scale {
    fn of(net: &Network, spec: &MapSpec) -> Scale {
        let mut values: Vec<f64> = match &spec.values {
            Colouring::Nodes(v) => v
                .iter()
                .zip(&net.nodes)
                .filter(|(_, n)| matches!(n.kind, NodeKind::Junction(_)))
                .map(|(x, _)| *x)
                .collect(),
            Colouring::Links(v) => v.clone(),
            Colouring::Zones(_) => Vec::new(),
        };
        values.retain(|x| x.is_finite());
        values.sort_by(f64::total_cmp);
        let (low, high, min, max) = match (values.first(), values.last()) {
            (Some(&min), Some(&max)) => (
                percentile(&values, 0.02),
                percentile(&values, 0.98),
                min,
                max,
            ),
            _ => (0.0, 1.0, 0.0, 1.0),
        };
        // A scale of non-negative values that nearly reaches zero starts at zero.
        let low = if min >= 0.0 && low <= 0.1 * high {
            min
        } else {
            low
        };
        let high = if high - low < 1e-9 { low + 1.0 } else { high };
        let n = net.nodes.len();
        Scale {
            low,
            high,
            clipped_low: min < low - 1e-9,
            clipped_high: max > high + 1e-9,
            concern: spec.concern,
            junction_r: if n < 300 {
                4.5
            } else if n < 1500 {
                2.6
            } else {
                1.8
            },
            link_w: if n < 300 {
                3.0
            } else if n < 1500 {
                2.0
            } else {
                1.4
            },
        }
    }

    /// Position on the scale of value `x`, 0 at the concern end.
    fn position(&self, x: f64) -> f64 {
        let t = ((x - self.low) / (self.high - self.low)).clamp(0.0, 1.0);
        match self.concern {
            Concern::Low => t,
            Concern::High => 1.0 - t,
        }
    }

    fn colour(&self, x: f64) -> String {
        if x.is_finite() {
            palette(self.position(x))
        } else {
            GREY.to_string()
        }
    }
}

/// The value at fraction `p` of sorted, non-empty `values` (nearest rank).
fn percentile(values: &[f64], p: f64) -> f64 {
    let i = (p * (values.len() - 1) as f64).round() as usize;
    values[i.min(values.len() - 1)]
}

/// The palette colour at `t` in 0..1, linearly between the stops.
pub(crate) fn palette(t: f64) -> String {
    let s = t.clamp(0.0, 1.0) * (PALETTE.len() - 1) as f64;
    let i = (s.floor() as usize).min(PALETTE.len() - 2);
    let f = s - i as f64;
    let (a, b) = (PALETTE[i], PALETTE[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// The points of a link in file coordinates: start, vertices, end.
fn link_points(net: &Network, k: usize) -> Vec<(f64, f64)> {
    let link = &net.links[k];
    let mut points = Vec::with_capacity(link.vertices().len() + 2);
    points.extend(net.nodes[link.from.ix()].coordinates);
    points.extend(link.vertices().iter().copied());
    points.extend(net.nodes[link.to.ix()].coordinates);
    points
}

/// Escapes text for SVG content and attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn draw_title(svg: &mut String, spec: &MapSpec) {
    let _ = writeln!(
        svg,
        "<text x=\"{MARGIN}\" y=\"34\" font-size=\"22\" font-weight=\"bold\">{}</text>",
        escape(&spec.title)
    );
    if !spec.subtitle.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{MARGIN}\" y=\"56\" font-size=\"13\" fill=\"#555\">{}</text>",
            escape(&spec.subtitle)
        );
    }
}

/// Links as polylines, coloured by their values or grey; closed ones dashed.
fn draw_links(svg: &mut String, net: &Network, spec: &MapSpec, frame: &Frame, scale: &Scale) {
    let order: Vec<usize> = match &spec.values {
        Colouring::Links(v) => draw_order(v, scale.concern),
        Colouring::Nodes(_) | Colouring::Zones(_) => (0..net.links.len()).collect(),
    };
    svg.push_str(
        "<g id=\"links\" fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\">\n",
    );
    for k in order {
        let (colour, width) = match &spec.values {
            Colouring::Links(v) => (scale.colour(v[k]), scale.link_w),
            Colouring::Nodes(_) => (GREY.to_string(), scale.link_w * 0.6),
            Colouring::Zones(z) => match z.link_zone[k] {
                Some(zone) => (zone_colour(Some(zone)), scale.link_w),
                None => (BOUNDARY.to_string(), scale.link_w * 0.6),
            },
        };
        let dash = if spec.closed_links.get(k).copied().unwrap_or(false) {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let points: Vec<String> = link_points(net, k)
            .into_iter()
            .map(|p| {
                let (x, y) = frame.px(p);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = writeln!(
            svg,
            "<polyline points=\"{}\" stroke=\"{colour}\" stroke-width=\"{width:.1}\"{dash}>{}</polyline>",
            points.join(" "),
            link_title(net, spec, k)
        );
    }
    svg.push_str("</g>\n");
}

/// Indices in drawing order: the concern end last, so it lies on top.
fn draw_order(values: &[f64], concern: Concern) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    let key = |i: usize| {
        let v = values[i];
        match (v.is_finite(), concern) {
            (false, _) => f64::NEG_INFINITY,
            (true, Concern::High) => v,
            (true, Concern::Low) => -v,
        }
    };
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    order
}

/// Junctions as dots: coloured when they carry the values, small and dark otherwise.
fn draw_junctions(svg: &mut String, net: &Network, spec: &MapSpec, frame: &Frame, scale: &Scale) {
    let order: Vec<usize> = match &spec.values {
        Colouring::Nodes(v) => draw_order(v, scale.concern),
        Colouring::Links(_) | Colouring::Zones(_) => (0..net.nodes.len()).collect(),
    };
    svg.push_str("<g id=\"junctions\">\n");
    for i in order {
        let node = &net.nodes[i];
        let (NodeKind::Junction(_), Some(p)) = (&node.kind, node.coordinates) else {
            continue;
        };
        let (x, y) = frame.px(p);
        let (colour, r) = match &spec.values {
            Colouring::Nodes(v) => (scale.colour(v[i]), scale.junction_r),
            Colouring::Links(_) => ("#555".to_string(), scale.junction_r * 0.4),
            Colouring::Zones(z) => (zone_colour(z.node_zone[i]), scale.junction_r),
        };
        let _ = writeln!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{colour}\">{}</circle>",
            node_title(net, spec, i)
        );
    }
    svg.push_str("</g>\n");
}

/// The midpoint of a polyline in px and the direction of the segment it lies on, degrees.
fn midpoint(points: &[(f64, f64)]) -> Option<((f64, f64), f64)> {
    let lengths: Vec<f64> = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut remaining = total / 2.0;
    for (w, len) in points.windows(2).zip(&lengths) {
        if remaining <= *len || *len == total {
            let f = if *len > 0.0 { remaining / len } else { 0.0 };
            let x = w[0].0 + (w[1].0 - w[0].0) * f;
            let y = w[0].1 + (w[1].1 - w[0].1) * f;
            let angle = (w[1].1 - w[0].1).atan2(w[1].0 - w[0].0).to_degrees();
            return Some(((x, y), angle));
        }
        remaining -= len;
    }
    points.first().map(|&p| (p, 0.0))
}

/// Pumps (a triangle in a ring, pointing from start to end) and valves (a
/// bow tie); closed ones drawn as [`pump_symbol`] and [`valve_symbol`] say.
fn draw_link_symbols(svg: &mut String, net: &Network, spec: &MapSpec, frame: &Frame) {
    svg.push_str("<g id=\"pumps-valves\">\n");
    for (k, link) in net.links.iter().enumerate() {
        if matches!(link.kind, LinkKind::Pipe(_)) {
            continue;
        }
        let points: Vec<(f64, f64)> = link_points(net, k)
            .into_iter()
            .map(|p| frame.px(p))
            .collect();
        let Some(((x, y), angle)) = midpoint(&points) else {
            continue;
        };
        let closed = is_closed(spec, k);
        let shape = match link.kind {
            LinkKind::Pump(_) => pump_symbol(closed),
            _ => valve_symbol(closed),
        };
        let _ = writeln!(
            svg,
            "<g transform=\"translate({x:.1},{y:.1}) rotate({angle:.1})\">{shape}{}</g>",
            link_title(net, spec, k)
        );
    }
    svg.push_str("</g>\n");
}

/// A pump: a dark arrowhead in a white ring when open; a grey disc crossed
/// out when closed, so an idle pump stands out from a running one.
fn pump_symbol(closed: bool) -> String {
    if closed {
        return format!(
            "<circle r=\"7\" fill=\"{CLOSED_FILL}\" stroke=\"{SYMBOL}\" stroke-width=\"1.8\"/>\
             <path d=\"M-4,-4 L4,4 M-4,4 L4,-4\" stroke=\"{SYMBOL}\" stroke-width=\"2\"/>"
        );
    }
    format!(
        "<circle r=\"7\" fill=\"white\" stroke=\"{SYMBOL}\" stroke-width=\"1.8\"/>\
         <path d=\"M-3.5,-4 L4.5,0 L-3.5,4 Z\" fill=\"{SYMBOL}\"/>"
    )
}

/// A valve: a filled bow tie when open or active, a hollow one when closed.
fn valve_symbol(closed: bool) -> String {
    let (fill, stroke, width) = if closed {
        (CLOSED_FILL, SYMBOL, 1.4)
    } else {
        (SYMBOL, "white", 0.8)
    };
    format!(
        "<path d=\"M-6,-5 L6,5 L6,-5 L-6,5 Z\" fill=\"{fill}\" stroke=\"{stroke}\" \
         stroke-width=\"{width}\" stroke-linejoin=\"round\"/>"
    )
}

/// Whether link `k` is closed at the time shown.
fn is_closed(spec: &MapSpec, k: usize) -> bool {
    spec.closed_links.get(k).copied().unwrap_or(false)
}

/// The tooltip of node `i`: its kind, id and value on this map.
fn node_title(net: &Network, spec: &MapSpec, i: usize) -> String {
    let node = &net.nodes[i];
    let kind = match node.kind {
        NodeKind::Junction(_) => "Junction",
        NodeKind::Reservoir(_) => "Reservoir",
        NodeKind::Tank(_) => "Tank",
    };
    let value = match &spec.values {
        Colouring::Nodes(v) => Some(value_text(spec, v[i])),
        Colouring::Zones(z) => Some(zone_text(z, z.node_zone[i])),
        Colouring::Links(_) => None,
    };
    title(&format!("{kind} {}", node.id), value)
}

/// The tooltip of link `k`: its kind, id, value on this map, and whether
/// it is closed.
fn link_title(net: &Network, spec: &MapSpec, k: usize) -> String {
    let link = &net.links[k];
    let mut value = match &spec.values {
        Colouring::Links(v) => Some(value_text(spec, v[k])),
        Colouring::Zones(z) => Some(zone_text(z, z.link_zone[k])),
        Colouring::Nodes(_) => None,
    };
    if is_closed(spec, k) {
        value = Some(value.map_or("closed".to_string(), |v| format!("{v}, closed")));
    }
    title(&format!("{} {}", link.kind_name(), link.id), value)
}

/// `quantity value unit`, e.g. `pressure 45.21 psi`; `no value` for NaN.
fn value_text(spec: &MapSpec, x: f64) -> String {
    let quantity = spec.quantity.to_lowercase();
    if !x.is_finite() {
        return format!("{quantity}: no value");
    }
    let unit = if spec.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", spec.unit)
    };
    format!("{quantity} {x:.2}{unit}")
}

/// The zone an element is in, by its legend label.
fn zone_text(zones: &ZoneColours, zone: Option<usize>) -> String {
    match zone.and_then(|z| zones.labels.get(z)) {
        Some(label) => format!("zone {label}"),
        None => "in no zone".to_string(),
    }
}

/// A `<title>` element: `name: value`, or the name alone.
fn title(name: &str, value: Option<String>) -> String {
    let text = match value {
        Some(value) => format!("{name}: {value}"),
        None => name.to_string(),
    };
    format!("<title>{}</title>", escape(&text))
}

/// Reservoirs (squares) and tanks (diamonds), labelled with their ids when few.
fn draw_sources(svg: &mut String, net: &Network, spec: &MapSpec, frame: &Frame) {
    let count = net
        .nodes
        .iter()
        .filter(|n| !matches!(n.kind, NodeKind::Junction(_)))
        .count();
    svg.push_str("<g id=\"sources\">\n");
    for (i, node) in net.nodes.iter().enumerate() {
        let Some(p) = node.coordinates else { continue };
        let (x, y) = frame.px(p);
        let shape = match node.kind {
            NodeKind::Junction(_) => continue,
            NodeKind::Reservoir(_) => reservoir_symbol(),
            NodeKind::Tank(_) => tank_symbol(),
        };
        let _ = writeln!(
            svg,
            "<g transform=\"translate({x:.1},{y:.1})\">{shape}{}</g>",
            node_title(net, spec, i)
        );
        if count <= 12 {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"{SYMBOL}\" \
                 stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                x + 10.0,
                y - 8.0,
                escape(&source_label(node))
            );
        }
    }
    svg.push_str("</g>\n");
}

/// A source's id, with its kind in front when the id is a bare number.
fn source_label(node: &crate::network::Node) -> String {
    if !node.id.chars().all(|c| c.is_ascii_digit()) {
        return node.id.clone();
    }
    match node.kind {
        NodeKind::Tank(_) => format!("tank {}", node.id),
        _ => format!("reservoir {}", node.id),
    }
}

fn reservoir_symbol() -> String {
    format!(
        "<rect x=\"-7\" y=\"-7\" width=\"14\" height=\"14\" fill=\"{SYMBOL}\" \
         stroke=\"white\" stroke-width=\"1.2\"/>"
    )
}

fn tank_symbol() -> String {
    format!(
        "<path d=\"M0,-9 L9,0 L0,9 L-9,0 Z\" fill=\"{SYMBOL}\" stroke=\"white\" \
         stroke-width=\"1.2\"/>"
    )
}

/// A target on the marked node (or a link's midpoint) and its label, kept
/// inside the map.
fn draw_critical(svg: &mut String, net: &Network, critical: &Critical, frame: &Frame) {
    let at = match critical.element {
        Element::Node(i) => net
            .nodes
            .get(i)
            .and_then(|n| n.coordinates)
            .map(|p| frame.px(p)),
        Element::Link(k) if k < net.links.len() => {
            let points: Vec<(f64, f64)> = link_points(net, k)
                .into_iter()
                .map(|p| frame.px(p))
                .collect();
            midpoint(&points).map(|(p, _)| p)
        }
        Element::Link(_) => None,
    };
    let Some((x, y)) = at else {
        return;
    };
    let on_left = x > MARGIN + frame.width - 260.0;
    let (dx, anchor) = if on_left {
        (-16.0, "end")
    } else {
        (16.0, "start")
    };
    // Below the node: source labels sit above and to the right of theirs.
    let dy = if y > TOP + frame.height - 30.0 {
        -16.0
    } else {
        26.0
    };
    let _ = writeln!(
        svg,
        "<g id=\"critical\"><g transform=\"translate({x:.1},{y:.1})\">{}</g><line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" \
         y2=\"{:.1}\" stroke=\"black\" stroke-width=\"1.2\"/><text x=\"{:.1}\" y=\"{:.1}\" \
         font-size=\"13\" font-weight=\"bold\" text-anchor=\"{anchor}\" stroke=\"white\" \
         stroke-width=\"4\" paint-order=\"stroke\">{}</text></g>",
        critical_symbol(),
        x + dx * 0.8,
        y + dy * 0.7,
        x + dx,
        y + dy,
        escape(&critical.label)
    );
}

/// A target: a ring with four ticks, unlike the pump's ring.
fn critical_symbol() -> &'static str {
    "<circle r=\"9\" fill=\"none\" stroke=\"black\" stroke-width=\"2.5\"/>\
     <path d=\"M0,-14 V-6 M0,6 V14 M-14,0 H-6 M6,0 H14\" stroke=\"black\" stroke-width=\"2.5\"/>"
}

/// A scale bar below the map when the coordinates' units are known, else a note.
fn draw_scale_bar(svg: &mut String, units: Option<MapUnits>, frame: &Frame) {
    let y = TOP + frame.height + 34.0;
    let Some(units) = units else {
        let _ = writeln!(
            svg,
            "<text x=\"{MARGIN}\" y=\"{y:.1}\" font-size=\"12\" fill=\"#666\">\
             coordinates have no stated units: no scale bar</text>"
        );
        return;
    };
    let (unit, big_unit, per_big) = match units {
        MapUnits::Metres => ("m", "km", 1000.0),
        MapUnits::Feet => ("ft", "mi", 5280.0),
    };
    let target = frame.width / 5.0 / frame.px_per_unit;
    let length = nice(target);
    let bar_px = length * frame.px_per_unit;
    let text = if length >= per_big {
        format!("{} {big_unit}", format_number(length / per_big))
    } else {
        format!("{} {unit}", format_number(length))
    };
    let half = bar_px / 2.0;
    let _ = writeln!(
        svg,
        "<g id=\"scale-bar\"><rect x=\"{MARGIN}\" y=\"{y:.1}\" width=\"{half:.1}\" height=\"5\" \
         fill=\"#333\"/><rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{half:.1}\" height=\"5\" \
         fill=\"white\" stroke=\"#333\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{text}</text></g>",
        MARGIN + half,
        MARGIN + bar_px + 8.0,
        y + 6.0
    );
}

/// The largest 1, 2 or 5 times a power of ten not above `x`.
fn nice(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&v| v <= x)
        .unwrap_or(power)
}

/// A scale-bar length: a whole number as such, one beyond 1e15 (from
/// coordinates near the largest float) in exponent form, not as the
/// saturated `i64` it would cast to.
fn format_number(x: f64) -> String {
    if x.abs() >= 1e15 {
        format!("{x:e}")
    } else if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x}")
    }
}

/// Height of the colour bar, px.
const BAR_H: f64 = 220.0;

/// The colour bar with ticks (or the zones), and the key to the symbols.
fn draw_legend(svg: &mut String, spec: &MapSpec, scale: &Scale, left: f64, key: &[KeyRow]) {
    let x = left + 10.0;
    let top = TOP + 30.0;
    if let Colouring::Zones(zones) = &spec.values {
        draw_zone_legend(svg, spec, zones, x, top, key);
        return;
    }
    let _ = writeln!(
        svg,
        "<g id=\"legend\" font-size=\"12\"><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"14\" \
         font-weight=\"bold\">{} ({})</text>",
        TOP + 8.0,
        escape(&spec.quantity),
        escape(&spec.unit)
    );

    // The bar: high values at the top.
    svg.push_str("<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
    for s in 0..=10 {
        let t = f64::from(s) / 10.0;
        let value = scale.low + t * (scale.high - scale.low);
        let _ = write!(
            svg,
            "<stop offset=\"{t:.1}\" stop-color=\"{}\"/>",
            scale.colour(value)
        );
    }
    svg.push_str("</linearGradient></defs>\n");
    let _ = writeln!(
        svg,
        "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"22\" height=\"{BAR_H}\" fill=\"url(#scale)\" \
         stroke=\"#666\" stroke-width=\"0.6\"/>"
    );
    let step = tick_step(scale.high - scale.low);
    let decimals = decimals(step);
    let ticks = ticks(scale.low, scale.high, step);
    for value in &ticks {
        let y = top + BAR_H * (1.0 - (value - scale.low) / (scale.high - scale.low));
        let _ = writeln!(
            svg,
            "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#333\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{value:.decimals$}</text>",
            x + 22.0,
            x + 27.0,
            x + 31.0,
            y + 4.0
        );
    }
    let ends = [
        (scale.clipped_high, top - 6.0, "≥", scale.high),
        (scale.clipped_low, top + BAR_H + 16.0, "≤", scale.low),
    ];
    for (clipped, y, sign, value) in ends {
        if clipped {
            let _ = writeln!(
                svg,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" fill=\"#555\">{sign} {value:.decimals$} at this end</text>"
            );
        }
    }
    let what = match spec.values {
        Colouring::Nodes(_) => "colours: junctions; links grey",
        Colouring::Links(_) | Colouring::Zones(_) => "colours: links; junctions dark dots",
    };
    let _ = writeln!(
        svg,
        "<text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#555\">{what}</text>",
        top + BAR_H + 36.0
    );
    draw_key(svg, x, key);
    svg.push_str("</g>\n");
}

/// Rows of the zone list, px apart; as many fit as the colour bar's height.
const ZONE_ROW_H: f64 = 18.0;

/// The zones, one swatch and label each (the first ones when there are
/// more than fit), then the key to the symbols.
fn draw_zone_legend(
    svg: &mut String,
    spec: &MapSpec,
    zones: &ZoneColours,
    x: f64,
    top: f64,
    key: &[KeyRow],
) {
    let _ = writeln!(
        svg,
        "<g id=\"legend\" font-size=\"12\"><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"14\" \
         font-weight=\"bold\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\" \
         text-anchor=\"end\">junctions</text><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\">\
         source or feed</text>",
        TOP + 8.0,
        escape(&spec.quantity),
        x + 88.0,
        top - 8.0,
        x + 96.0,
        top - 8.0,
    );
    let top = top + 12.0;
    let fit = (BAR_H / ZONE_ROW_H) as usize;
    let shown = if zones.labels.len() > fit {
        fit - 1
    } else {
        zones.labels.len()
    };
    for (z, label) in zones.labels.iter().enumerate().take(shown) {
        let y = top + ZONE_ROW_H * z as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"22\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\">{}</text>\
             <text x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
            y - 10.0,
            zone_colour(Some(z)),
            x + 88.0,
            zones.junctions.get(z).copied().unwrap_or(0),
            x + 96.0,
            escape(&shorten(label, 20))
        );
    }
    let mut notes = Vec::new();
    if shown < zones.labels.len() {
        notes.push(format!(
            "... and {}",
            super::plural(zones.labels.len() - shown, "more zone")
        ));
    }
    if zones.labels.len() > ZONE_PALETTE.len() {
        notes.push(format!("colours repeat after {} zones", ZONE_PALETTE.len()));
    }
    notes.push("dark grey: links between zones".to_string());
    for (row, note) in notes.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#555\">{}</text>",
            top + ZONE_ROW_H * shown as f64 + 18.0 * row as f64 + 4.0,
            escape(note)
        );
    }
    draw_key(svg, x, key);
    svg.push_str("</g>\n");
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Where the key to the symbols starts, px from the top: below the colour
/// bar (or the zone list) and its notes.
const KEY_TOP: f64 = TOP + 30.0 + BAR_H + 62.0;
/// Rows of the key, px apart.
const KEY_ROW_H: f64 = 24.0;

/// One row of the key: a symbol (drawn around 0,0) and its name.
type KeyRow = (String, String);

/// The key's rows: the symbols of the kinds the network has, and the
/// closed forms, the closed-link dash and the marker only when the map
/// shows them.
fn key_rows(net: &Network, spec: &MapSpec) -> Vec<KeyRow> {
    let has_node = |kind: fn(&NodeKind) -> bool| net.nodes.iter().any(|n| kind(&n.kind));
    let has_link = |kind: fn(&LinkKind) -> bool| net.links.iter().any(|l| kind(&l.kind));
    let closed_of = |pump: bool| {
        (net.links.iter().enumerate()).any(|(k, l)| {
            is_closed(spec, k)
                && matches!(l.kind, LinkKind::Pump(_)) == pump
                && !matches!(l.kind, LinkKind::Pipe(_))
        })
    };
    let mut rows = Vec::new();
    if has_node(|k| matches!(k, NodeKind::Reservoir(_))) {
        rows.push((reservoir_symbol(), "reservoir".to_string()));
    }
    if has_node(|k| matches!(k, NodeKind::Tank(_))) {
        rows.push((tank_symbol(), "tank".to_string()));
    }
    if has_link(|k| matches!(k, LinkKind::Pump(_))) {
        rows.push((pump_symbol(false), "pump".to_string()));
    }
    if closed_of(true) {
        rows.push((pump_symbol(true), "pump, closed".to_string()));
    }
    if has_link(|k| matches!(k, LinkKind::Valve(_))) {
        rows.push((valve_symbol(false), "valve".to_string()));
    }
    if closed_of(false) {
        rows.push((valve_symbol(true), "valve, closed".to_string()));
    }
    if spec.closed_links.iter().any(|&c| c) {
        rows.push((
            format!(
                "<line x1=\"-10\" y1=\"0\" x2=\"10\" y2=\"0\" stroke=\"{GREY}\" stroke-width=\"2\" \
                 stroke-dasharray=\"4 3\"/>"
            ),
            "closed link".to_string(),
        ));
    }
    if let Some(critical) = &spec.critical {
        rows.push((critical_symbol().to_string(), critical.key.clone()));
    }
    rows
}

/// The key to the symbols, one row each, from [`KEY_TOP`] down.
fn draw_key(svg: &mut String, x: f64, rows: &[KeyRow]) {
    for (row, (symbol, name)) in rows.iter().enumerate() {
        let cy = KEY_TOP + KEY_ROW_H * row as f64;
        let _ = writeln!(
            svg,
            "<g transform=\"translate({:.1},{cy:.1})\">{symbol}</g><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 11.0,
            x + 30.0,
            cy + 4.0,
            escape(name)
        );
    }
}

/// A tick spacing of 1, 2 or 5 times a power of ten giving 4 to 10 ticks over `range`.
pub(crate) fn tick_step(range: f64) -> f64 {
    nice(range / 4.0)
}

/// Decimals needed to print multiples of `step`.
pub(crate) fn decimals(step: f64) -> usize {
    if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

/// Multiples of `step` within `low..=high`.
pub(crate) fn ticks(low: f64, high: f64, step: f64) -> Vec<f64> {
    let first = (low / step).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reservoir, a tank, a pump, a valve and three junctions.
    const NET: &str = "[RESERVOIRS]\n R1 10\n[TANKS]\n T1 50 5 0 10 10 0\n\
                       [JUNCTIONS]\n J1 0\n J2 0 1\n J<3> 0 1\n\
                       [PIPES]\n P1 J1 J2 100 100 100\n P2 J2 T1 100 100 100\n\
                       P3 J2 J<3> 100 100 100\n\
                       [PUMPS]\n U1 R1 J1 POWER 5\n[VALVES]\n V1 J<3> T1 100 TCV 10\n\
                       [COORDINATES]\n R1 0 0\n J1 100 0\n J2 200 0\n T1 300 0\n J<3> 200 100\n\
                       [VERTICES]\n P3 210 50\n[END]\n";

    fn spec(values: Colouring) -> MapSpec {
        MapSpec {
            title: "t: pressure at 0:00".into(),
            subtitle: String::new(),
            quantity: "Pressure".into(),
            unit: "m".into(),
            values,
            concern: Concern::Low,
            critical: Some(Critical {
                element: Element::Node(2),
                key: "lowest pressure".into(),
                label: "lowest pressure: 1.0 m at J<3>".into(),
            }),
            map_units: None,
            closed_links: vec![false, false, false, true, false],
        }
    }

    /// The element names of a document, after checking that every tag is
    /// closed in order and that text holds no bare `<` or `&`.
    fn element_names(svg: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut open: Vec<String> = Vec::new();
        let mut rest = svg.strip_prefix("<?xml").expect("an XML declaration");
        rest = &rest[rest.find("?>").expect("the declaration ends") + 2..];
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            assert!(!text.contains('>'), "a bare > in {text:?}");
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "a bare & in {text:?}"
                );
            }
            let end = start + rest[start..].find('>').expect("a tag ends");
            let tag = &rest[start + 1..end];
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(
                    open.pop().as_deref(),
                    Some(name),
                    "</{name}> closes another element"
                );
            } else {
                let name: String = tag
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '/')
                    .collect();
                names.push(name.clone());
                if !tag.ends_with('/') {
                    open.push(name);
                }
            }
            rest = &rest[end + 1..];
        }
        assert!(open.is_empty(), "unclosed: {open:?}");
        assert!(rest.trim().is_empty());
        names
    }

    fn count(names: &[String], name: &str) -> usize {
        names.iter().filter(|n| *n == name).count()
    }

    #[test]
    fn a_node_map_is_well_formed_with_one_shape_per_element() {
        let net = crate::inp::read_str(NET, "t.inp").unwrap().network;
        let values = Colouring::Nodes(vec![10.0, 5.0, 3.0, 2.0, 1.0]);
        let svg = render(&net, &spec(values)).unwrap();
        let names = element_names(&svg);

        assert_eq!(count(&names, "svg"), 1);
        // One polyline per link.
        assert_eq!(count(&names, "polyline"), 5);
        // Circles: 3 junctions, the (closed) pump's disc on the map, the
        // open and closed pump in the key, the target on the map and in
        // the key.
        assert_eq!(count(&names, "circle"), 3 + 1 + 2 + 2);
        // A tooltip on each of the 5 links and 5 nodes, and on the pump's
        // and the valve's symbols.
        assert_eq!(count(&names, "title"), 5 + 5 + 2);
        assert!(svg.contains("<title>Junction J&lt;3&gt;: pressure 3.00 m</title>"));
        assert!(svg.contains("<title>Tank T1: pressure 1.00 m</title>"));
        assert!(svg.contains("<title>Pump U1: closed</title>"));
        assert!(
            svg.contains(">lowest pressure</text>"),
            "the key names the marker"
        );
        // Rects: the background, the reservoir and the colour bar, the
        // reservoir in the key.
        assert_eq!(count(&names, "rect"), 4);
        // Gradient stops of the colour bar.
        assert_eq!(count(&names, "stop"), 11);
        // The id with markup characters is escaped, not dropped.
        assert!(svg.contains("at J&lt;3&gt;"));
        assert!(svg.contains("coordinates have no stated units"));
        assert!(svg.contains("stroke-dasharray=\"4 3\"/>"));
    }

    #[test]
    fn a_link_map_with_metre_coordinates_has_a_scale_bar_of_a_round_length() {
        let text = NET.replace("[END]", "[BACKDROP]\n UNITS Meters\n[END]");
        let net = crate::inp::read_str(&text, "t.inp").unwrap().network;
        let mut spec = spec(Colouring::Links(vec![0.1, 0.5, 1.0, 2.0, 0.0]));
        spec.map_units = backdrop_units(&net);
        assert_eq!(spec.map_units, Some(MapUnits::Metres));
        let svg = render(&net, &spec).unwrap();
        let names = element_names(&svg);

        assert_eq!(count(&names, "polyline"), 5);
        // The map is 300 m wide; a fifth of it, rounded down to 1, 2 or 5
        // times a power of ten, is 50 m.
        assert!(svg.contains(">50 m</text>"), "{svg}");
        assert!(!svg.contains("no stated units"));
        assert_eq!(
            render(&net, &spec).unwrap(),
            svg,
            "the same bytes each time"
        );
    }

    /// Net with pump U1 (link 3) closed, then open: the closed pump is a
    /// crossed-out disc, in the key too; the open one an arrowhead in a
    /// ring, and the key then has no closed pump.
    #[test]
    fn a_closed_pump_is_drawn_unlike_an_open_one() {
        let net = crate::inp::read_str(NET, "t.inp").unwrap().network;
        let values = Colouring::Links(vec![0.1, 0.5, 1.0, 2.0, 0.0]);
        let crossed = "d=\"M-4,-4 L4,4 M-4,4 L4,-4\"";
        let arrow = "d=\"M-3.5,-4 L4.5,0 L-3.5,4 Z\"";

        let closed = render(&net, &spec(values.clone())).unwrap();
        assert_eq!(closed.matches(crossed).count(), 2, "map and key");
        assert_eq!(closed.matches(arrow).count(), 1, "key only");
        assert!(closed.contains(">pump, closed</text>"));
        assert!(closed.contains("<title>Pump U1: pressure 2.00 m, closed</title>"));

        let mut open = spec(values);
        open.closed_links = vec![false; 5];
        let open = render(&net, &open).unwrap();
        assert_eq!(open.matches(crossed).count(), 0);
        assert_eq!(open.matches(arrow).count(), 2, "map and key");
        assert!(!open.contains("closed</text>"), "no closed rows in the key");
    }

    /// A marker on a link stands at the link's middle: P1 runs from J1
    /// (100, 0) to J2 (200, 0), so its target is halfway between the two
    /// junctions' dots.
    #[test]
    fn a_link_marker_stands_at_the_links_middle() {
        let net = crate::inp::read_str(NET, "t.inp").unwrap().network;
        let mut spec = spec(Colouring::Links(vec![3.0, 0.5, 1.0, 2.0, 0.0]));
        spec.critical = Some(Critical {
            element: Element::Link(0),
            key: "highest velocity".into(),
            label: "highest velocity: 3.00 m/s in Pipe P1".into(),
        });
        let svg = render(&net, &spec).unwrap();
        let centre = |node: &str| {
            let i = net.node_ix(node).unwrap().ix();
            Frame::fit(&net).px(net.nodes[i].coordinates.unwrap())
        };
        let ((x1, y1), (x2, y2)) = (centre("J1"), centre("J2"));
        let target = format!(
            "<g id=\"critical\"><g transform=\"translate({:.1},{:.1})\">",
            (x1 + x2) / 2.0,
            (y1 + y2) / 2.0
        );
        assert!(svg.contains(&target), "{target} not in {svg}");
        assert!(svg.contains(">highest velocity</text>"));
    }

    /// Coordinates from -1e308 to 1e308 (EPANET reads them) span more than
    /// the largest float: the map was written with NaN for every position.
    /// The two nodes stand at opposite corners of the map area instead,
    /// and the scale bar (700 px wide map, a fifth of it rounded down to
    /// 2 × 10ⁿ) reads 2e307 m as 2e304 km, not as a saturated integer.
    #[test]
    fn coordinates_from_minus_1e308_to_1e308_are_drawn_without_nan() {
        let text = "[RESERVOIRS]\n R 10\n[JUNCTIONS]\n J 0 1\n\
                    [PIPES]\n P R J 100 100 100\n\
                    [COORDINATES]\n R -1e308 1e308\n J 1e308 -1e308\n[END]\n";
        let net = crate::inp::read_str(text, "t.inp").unwrap().network;
        let mut spec = spec(Colouring::Nodes(vec![10.0, 1.0]));
        spec.critical = None;
        spec.closed_links = vec![false];
        spec.map_units = Some(MapUnits::Metres);
        let svg = render(&net, &spec).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");

        let frame = Frame::fit(&net);
        let side = MAP_W.min(MAP_H);
        let near = |(x, y): (f64, f64), (u, v): (f64, f64)| (x - u).abs() + (y - v).abs() < 1e-9;
        assert!(near(frame.px((-1e308, 1e308)), (MARGIN, TOP)));
        assert!(near(frame.px((1e308, -1e308)), (MARGIN + side, TOP + side)));
        assert!(svg.contains(">2e304 km</text>"), "the scale bar: {svg}");
    }

    #[test]
    fn values_for_the_wrong_number_of_nodes_are_refused() {
        let net = crate::inp::read_str(NET, "t.inp").unwrap().network;
        let err = render(&net, &spec(Colouring::Nodes(vec![1.0]))).unwrap_err();
        assert_eq!(err.to_string(), "1 value given for 5 nodes");
    }

    #[test]
    fn round_lengths_and_ticks() {
        assert_eq!(nice(73.0), 50.0);
        assert!((nice(0.031) - 0.02).abs() < 1e-12);
        assert_eq!(ticks(12.0, 94.0, 20.0), vec![20.0, 40.0, 60.0, 80.0]);
        assert_eq!(decimals(0.5), 1);
        assert_eq!(palette(0.0), "#b2182b");
        assert_eq!(palette(1.0), "#2166ac");
    }
}
