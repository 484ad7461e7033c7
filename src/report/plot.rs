//! A time-series line chart as SVG: one line per chosen node or link over the report times.
//!
//! The chart is written by hand: a time axis in hours, a value axis with
//! round ticks (1, 2 or 5 times a power of ten) and its unit, one coloured
//! polyline per series and a legend naming each. The colours are spread
//! over the map's red-to-blue palette. Values that are not finite break a
//! line rather than bend it. The same input gives the same bytes.

use std::fmt::Write as _;

use super::svg::{decimals, escape, palette, tick_step, ticks};

/// One line of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend text, e.g. `Tank 1`.
    pub label: String,
    /// One value per report time, in the chart's unit.
    pub values: Vec<f64>,
}

/// What to draw and how to caption it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotSpec {
    /// The title line, e.g. `Net3: tank level`.
    pub title: String,
    /// The value axis label with its unit, e.g. `Level (ft)`.
    pub y_label: String,
    /// The report times, s, in increasing order.
    pub times_s: Vec<u64>,
    /// The lines, each with one value per report time.
    pub series: Vec<Series>,
}

/// Why a chart cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// There are no report times or no series.
    #[error("nothing to plot: {0}")]
    Empty(&'static str),
    /// A series does not have one value per report time.
    #[error(
        "{label}: {} for {}",
        crate::report::plural(*given, "value"),
        crate::report::plural(*expected, "report time")
    )]
    WrongLength {
        /// The series' label.
        label: String,
        /// How many values it has.
        given: usize,
        /// How many report times there are.
        expected: usize,
    },
}

/// Chart area size and margins, px.
const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 60.0;
/// Colour of axes, ticks and labels.
const INK: &str = "#333333";
/// Colour of the grid lines.
const GRID: &str = "#e2e2e2";

/// The mapping from data (hours, value) to pixels.
struct Frame {
    hours: (f64, f64),
    values: (f64, f64),
}

impl Frame {
    fn x(&self, hours: f64) -> f64 {
        let span = self.hours.1 - self.hours.0;
        LEFT + (hours - self.hours.0) / span * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, value: f64) -> f64 {
        let span = self.values.1 - self.values.0;
        HEIGHT - BOTTOM - (value - self.values.0) / span * (HEIGHT - TOP - BOTTOM)
    }
}

/// Draws the chart as an SVG document.
pub fn render(spec: &PlotSpec) -> Result<String, PlotError> {
    check(spec)?;
    let (hours, hour_step) = time_range(&spec.times_s);
    let (values, value_step) = value_range(&spec.series);
    let frame = Frame { hours, values };

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{LEFT}\" y=\"32\" font-size=\"20\" font-weight=\"bold\">{}</text>",
        escape(&spec.title)
    );
    draw_time_axis(&mut svg, &frame, hour_step);
    draw_value_axis(&mut svg, &frame, value_step, &spec.y_label);
    for (s, series) in spec.series.iter().enumerate() {
        draw_series(
            &mut svg,
            &frame,
            &spec.times_s,
            series,
            colour(s, spec.series.len()),
        );
    }
    draw_legend(&mut svg, &spec.series);
    svg.push_str("</svg>\n");
    Ok(svg)
}

fn check(spec: &PlotSpec) -> Result<(), PlotError> {
    if spec.times_s.is_empty() {
        return Err(PlotError::Empty("no report times"));
    }
    if spec.series.is_empty() {
        return Err(PlotError::Empty("no series"));
    }
    for series in &spec.series {
        if series.values.len() != spec.times_s.len() {
            return Err(PlotError::WrongLength {
                label: series.label.clone(),
                given: series.values.len(),
                expected: spec.times_s.len(),
            });
        }
    }
    Ok(())
}

/// The colour of series `s` of `n`, spread over the palette.
fn colour(s: usize, n: usize) -> String {
    if n <= 1 {
        palette(1.0)
    } else {
        palette(s as f64 / (n - 1) as f64)
    }
}

/// The time axis span, h, from 0 or the first time to the last, and a tick
/// step of 1, 2, 3, 6, 12 or a multiple of 24 h giving at most 12 ticks.
fn time_range(times_s: &[u64]) -> ((f64, f64), f64) {
    let first = times_s.first().copied().unwrap_or(0) as f64 / 3600.0;
    let last = times_s.last().copied().unwrap_or(0) as f64 / 3600.0;
    let span = (last - first).max(1.0);
    let step = [1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0]
        .into_iter()
        .find(|&s| span / s <= 12.0)
        .unwrap_or(span / 12.0);
    ((first, first + span), step)
}

/// The value axis span, widened to round ticks, and its tick step.
fn value_range(series: &[Series]) -> ((f64, f64), f64) {
    let finite = series
        .iter()
        .flat_map(|s| &s.values)
        .filter(|v| v.is_finite());
    let (mut low, mut high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
        (l.min(v), h.max(v))
    });
    if !low.is_finite() {
        (low, high) = (0.0, 1.0);
    }
    if high - low < 1e-9 * high.abs().max(1.0) {
        let pad = (high.abs() * 0.05).max(1.0);
        (low, high) = (low - pad, high + pad);
    }
    let step = tick_step(high - low);
    let low = (low / step).floor() * step;
    let high = (high / step).ceil() * step;
    ((low, high), step)
}

fn draw_time_axis(svg: &mut String, frame: &Frame, step: f64) {
    let base = HEIGHT - BOTTOM;
    for t in ticks(frame.hours.0, frame.hours.1, step) {
        let x = frame.x(t);
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{base}\" stroke=\"{GRID}\"/>\n\
             <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\" \
             text-anchor=\"middle\">{}</text>",
            base + 18.0,
            super::fixed(t, decimals(step))
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\" stroke=\"{INK}\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"{INK}\" \
         text-anchor=\"middle\">Time (h)</text>",
        WIDTH - RIGHT,
        (LEFT + WIDTH - RIGHT) / 2.0,
        HEIGHT - 16.0
    );
}

fn draw_value_axis(svg: &mut String, frame: &Frame, step: f64, label: &str) {
    let right = WIDTH - RIGHT;
    for v in ticks(frame.values.0, frame.values.1, step) {
        let y = frame.y(v);
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\" \
             text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            y + 4.0,
            super::fixed(v, decimals(step))
        );
    }
    let middle = (TOP + HEIGHT - BOTTOM) / 2.0;
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{:.1}\" stroke=\"{INK}\"/>\n\
         <text x=\"20\" y=\"{middle:.1}\" font-size=\"13\" fill=\"{INK}\" text-anchor=\"middle\" \
         transform=\"rotate(-90 20 {middle:.1})\">{}</text>",
        HEIGHT - BOTTOM,
        escape(label)
    );
}

/// One polyline per series; a value that is not finite ends a stretch and
/// the next finite one starts a new polyline inside the same group.
fn draw_series(svg: &mut String, frame: &Frame, times_s: &[u64], series: &Series, colour: String) {
    let _ = writeln!(
        svg,
        "<g class=\"series\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
         stroke-linejoin=\"round\"><title>{}</title>",
        escape(&series.label)
    );
    let mut points = String::new();
    for (&t, &v) in times_s.iter().zip(&series.values) {
        if v.is_finite() {
            let _ = write!(
                points,
                "{:.1},{:.1} ",
                frame.x(t as f64 / 3600.0),
                frame.y(v)
            );
        } else {
            flush_polyline(svg, &mut points);
        }
    }
    flush_polyline(svg, &mut points);
    svg.push_str("</g>\n");
}

fn flush_polyline(svg: &mut String, points: &mut String) {
    if !points.is_empty() {
        let _ = writeln!(svg, "<polyline points=\"{}\"/>", points.trim_end());
        points.clear();
    }
}

fn draw_legend(svg: &mut String, series: &[Series]) {
    let x = WIDTH - RIGHT + 20.0;
    for (s, line) in series.iter().enumerate() {
        let y = TOP + 10.0 + 22.0 * s as f64;
        let _ = writeln!(
            svg,
            "<line x1=\"{x}\" y1=\"{y}\" x2=\"{:.1}\" y2=\"{y}\" stroke=\"{}\" \
             stroke-width=\"3\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"{INK}\">{}</text>",
            x + 26.0,
            colour(s, series.len()),
            x + 34.0,
            y + 4.5,
            escape(&line.label)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> PlotSpec {
        PlotSpec {
            title: "Net<3>: tank level".into(),
            y_label: "Level (ft)".into(),
            times_s: vec![0, 3600, 7200, 10800],
            series: vec![
                Series {
                    label: "Tank 1".into(),
                    values: vec![10.0, 12.5, 14.0, 13.0],
                },
                Series {
                    label: "Tank & 2".into(),
                    values: vec![5.0, f64::NAN, 6.0, 7.0],
                },
            ],
        }
    }

    #[test]
    fn a_chart_is_well_formed_with_a_group_per_series() {
        let svg = render(&spec()).expect("drawn");
        assert!(svg.starts_with("<?xml"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<g class=\"series\"").count(), 2);
        assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());
        assert!(svg.contains("Net&lt;3&gt;: tank level"));
        assert!(svg.contains("Tank &amp; 2"));
        assert!(svg.contains(">Time (h)<") && svg.contains(">Level (ft)<"));
    }

    #[test]
    fn one_polyline_per_unbroken_series_and_a_gap_splits_one() {
        let mut unbroken = spec();
        unbroken.series[1].values[1] = 5.5;
        let svg = render(&unbroken).expect("drawn");
        assert_eq!(svg.matches("<polyline").count(), 2);
        let svg = render(&spec()).expect("drawn");
        assert_eq!(
            svg.matches("<polyline").count(),
            3,
            "NaN breaks Tank 2 in two"
        );
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        assert_eq!(render(&spec()).ok(), render(&spec()).ok());
    }

    #[test]
    fn value_ticks_are_round_and_enclose_the_data() {
        // Data 5..14: a span of 9 gives a step of 2 (nice(9 / 4)), so 4..14.
        let ((low, high), step) = value_range(&spec().series);
        assert_eq!((low, high, step), (4.0, 14.0, 2.0));
    }

    #[test]
    fn a_series_of_the_wrong_length_is_refused_by_name() {
        let mut bad = spec();
        bad.series[0].values.pop();
        let err = render(&bad).expect_err("refused");
        assert_eq!(err.to_string(), "Tank 1: 3 values for 4 report times");
    }
}
