//! EPANET's binary results file (`.out`): prolog, energy, results per report period, epilog.
//!
//! The layout is the one EPANET 2.x writes and its readers (the EPANET
//! toolkit's output library, WNTR's binary reader, QGIS plugins) expect:
//! little-endian 4-byte integers (INT4) and floats (REAL4), in the network's
//! own units.
//!
//! - **Prolog**: 15 INT4 (magic 516114521, version 20012, counts of nodes,
//!   tanks and reservoirs, links, pumps, valves; quality kind, trace node,
//!   flow and pressure unit codes, statistic; report start, report step,
//!   duration in s), three 80-byte title lines, the input and report file
//!   names (260 bytes each), the chemical's name and units (32 bytes each),
//!   node and link ids (32 bytes each), link start and end nodes and types,
//!   tank and reservoir node indices and areas, node elevations, link
//!   lengths and diameters. Indices are 1-based.
//! - **Energy**: per pump its link index and 6 REAL4 (% time on line,
//!   average efficiency %, kWh per Mgal or per m³, average kW, peak kW,
//!   cost per day), then the demand charge.
//! - **Results**: per report period, node demand, head, pressure and
//!   quality, then link flow, velocity, head loss (per 1000 length units
//!   for pipes), quality, status code, setting, reaction rate and Darcy
//!   friction factor, each an array of REAL4.
//! - **Epilog**: 4 REAL4 average reaction rates (bulk, wall, tank, source
//!   inflow, mass per hour), the number of periods, the warning flag, the
//!   magic number.
//!
//! With `[TIMES] STATISTIC` AVERAGED, MINIMUM, MAXIMUM or RANGE the results
//! section holds one period, the statistic of every value over the report
//! times, as EPANET computes it ([`super::statistic`]), and the prolog
//! records which statistic it is.

use std::io::{self, Write};

use super::{link_values, node_values, Results};
use crate::hydraulics::{EnergySummary, TimeSteps};
use crate::network::units::{PressureUnits, GRAVITY};
use crate::network::{LinkKind, Network, NodeKind, QualityKind, Statistic, ValveType};
use crate::quality::ReactionMass;

/// The number at the start and end of every EPANET results file.
pub const MAGIC: i32 = 516_114_521;

/// The version EPANET 2.2 and 2.3 write, kept at 2.0.12 so older readers
/// and EPANET's own GUI open the file.
pub const VERSION: i32 = 20012;

/// Bytes of each id field (EPANET's MAXID + 1).
const ID_BYTES: usize = 32;

/// Bytes of each title line.
const TITLE_BYTES: usize = 80;

/// Bytes of each file name field (EPANET's MAXFNAME + 1).
const FILE_NAME_BYTES: usize = 260;

/// EPANET's smallest flow treated as nonzero, cfs, in m³/s.
const TINY_FLOW_M3S: f64 = 1e-6 * crate::network::units::M3_PER_FT3;

/// What the results file records about the run besides the results.
#[derive(Debug, Clone, Copy)]
pub struct RunInfo<'a> {
    /// The input file's name as given on the command line.
    pub input_name: &'a str,
    /// The report file's name, or "".
    pub report_name: &'a str,
    /// Pump energy over the run.
    pub energy: &'a EnergySummary,
    /// EPANET's warning flag: 0 when the run gave no warning, otherwise
    /// the code of the last warning (1 unbalanced ... 6 negative pressures).
    pub warning_flag: i32,
    /// Mass reacted by kind and added by sources over the run
    /// ([`crate::quality::QualitySimulation::reaction_mass`]; zero without
    /// a chemical), for the epilog's average rates.
    pub reactions: ReactionMass,
}

/// Number of node fields in a report period: demand, head, pressure, quality.
pub const NODE_FIELDS: usize = 4;

/// Number of link fields in a report period: flow, velocity, head loss,
/// quality, status, setting, reaction rate, friction factor.
pub const LINK_FIELDS: usize = 8;

/// Node demand: its position in [`PeriodValues::node`].
pub const NODE_DEMAND: usize = 0;
/// Node head: its position in [`PeriodValues::node`].
pub const NODE_HEAD: usize = 1;
/// Node pressure: its position in [`PeriodValues::node`].
pub const NODE_PRESSURE: usize = 2;
/// Node quality: its position in [`PeriodValues::node`].
pub const NODE_QUALITY: usize = 3;
/// Link flow: its position in [`PeriodValues::link`].
pub const LINK_FLOW: usize = 0;
/// Link velocity: its position in [`PeriodValues::link`].
pub const LINK_VELOCITY: usize = 1;
/// Link head loss: its position in [`PeriodValues::link`].
pub const LINK_HEADLOSS: usize = 2;
/// Link quality: its position in [`PeriodValues::link`].
pub const LINK_QUALITY: usize = 3;
/// Link status code: its position in [`PeriodValues::link`].
pub const LINK_STATUS: usize = 4;
/// Link setting: its position in [`PeriodValues::link`].
pub const LINK_SETTING: usize = 5;
/// Link reaction rate: its position in [`PeriodValues::link`].
pub const LINK_REACTION: usize = 6;
/// Link friction factor: its position in [`PeriodValues::link`].
pub const LINK_FRICTION: usize = 7;

/// One report period as the results file holds it: each field's values in
/// the file's units, rounded to 32-bit floats, in the order of
/// [`NODE_FIELDS`] and [`LINK_FIELDS`].
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodValues {
    /// Node demand, head, pressure, quality: one value per node each.
    pub node: [Vec<f32>; NODE_FIELDS],
    /// Link flow, velocity, head loss (per 1000 length units for pipes),
    /// quality, status code, setting, reaction rate (concentration units
    /// per day), Darcy friction factor: one value per link each.
    pub link: [Vec<f32>; LINK_FIELDS],
}

/// Writes a whole results file.
pub fn write(
    out: &mut impl Write,
    net: &Network,
    results: &Results,
    run: &RunInfo<'_>,
) -> io::Result<()> {
    write_prolog(out, net, run)?;
    write_energy(out, net, run.energy)?;
    let periods = match super::statistic::over_periods(net, results, net.times.statistic) {
        Some(values) => {
            write_values(out, &values)?;
            1
        }
        None => {
            for t in 0..results.snapshots.len() {
                write_values(out, &period_values(net, results, t))?;
            }
            results.snapshots.len()
        }
    };
    let rates = run.reactions.per_hour(net.times.duration_s);
    write_epilog(out, &rates, periods, run.warning_flag)
}

fn int(out: &mut impl Write, v: i32) -> io::Result<()> {
    out.write_all(&v.to_le_bytes())
}

fn real(out: &mut impl Write, v: f64) -> io::Result<()> {
    out.write_all(&(v as f32).to_le_bytes())
}

fn reals(out: &mut impl Write, values: impl Iterator<Item = f64>) -> io::Result<()> {
    for v in values {
        real(out, v)?;
    }
    Ok(())
}

/// A string in a fixed-width field, cut to leave room for a closing NUL
/// and padded with NULs.
fn text(out: &mut impl Write, s: &str, width: usize) -> io::Result<()> {
    let mut field = vec![0u8; width];
    let bytes = s.as_bytes();
    let n = bytes.len().min(width - 1);
    field[..n].copy_from_slice(&bytes[..n]);
    out.write_all(&field)
}

/// A 1-based index as EPANET writes it.
fn index1(i: usize) -> i32 {
    i as i32 + 1
}

/// EPANET's link type codes (CVPIPE 0, PIPE 1, PUMP 2, PRV 3 ... PCV 9).
pub fn link_type_code(kind: &LinkKind) -> i32 {
    match kind {
        LinkKind::Pipe(p) if p.check_valve => 0,
        LinkKind::Pipe(_) => 1,
        LinkKind::Pump(_) => 2,
        LinkKind::Valve(v) => match v.valve_type {
            ValveType::Prv => 3,
            ValveType::Psv => 4,
            ValveType::Pbv => 5,
            ValveType::Fcv => 6,
            ValveType::Tcv => 7,
            ValveType::Gpv => 8,
            ValveType::Pcv => 9,
        },
    }
}

/// EPANET's statistic codes: 0 a time series, 1 average, 2 minimum, 3
/// maximum, 4 range.
pub fn statistic_code(statistic: Statistic) -> i32 {
    match statistic {
        Statistic::None => 0,
        Statistic::Average => 1,
        Statistic::Minimum => 2,
        Statistic::Maximum => 3,
        Statistic::Range => 4,
    }
}

fn pressure_units_code(units: PressureUnits) -> i32 {
    match units {
        PressureUnits::Psi => 0,
        PressureUnits::Kpa => 1,
        PressureUnits::Meters => 2,
        PressureUnits::Bar => 3,
        PressureUnits::Feet => 4,
    }
}

/// The quality code (0 none, 1 chemical, 2 age, 3 trace), the traced
/// node (1-based, 0 if none), and the name and units EPANET records
/// (without an analysis, its default chemical's name and no units).
fn quality_header(kind: &QualityKind) -> (i32, i32, String, String) {
    match kind {
        QualityKind::None => (0, 0, "Chemical".into(), String::new()),
        QualityKind::Chemical { name, units } => (1, 0, name.clone(), units.clone()),
        QualityKind::Age => (2, 0, "AGE".into(), "hrs".into()),
        QualityKind::Trace { node } => (3, index1(node.ix()), "% from".into(), "% from".into()),
    }
}

fn write_prolog(out: &mut impl Write, net: &Network, run: &RunInfo<'_>) -> io::Result<()> {
    let storage: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| !net.nodes[i].is_junction())
        .collect();
    let count = |f: fn(&LinkKind) -> bool| net.links.iter().filter(|l| f(&l.kind)).count();
    let (qual, trace, chem_name, chem_units) = quality_header(&net.options.quality.kind);
    // EPANET writes the steps it runs with: a report start beyond the
    // duration as 0, a missing report step as the pattern step.
    let steps = TimeSteps::new(&net.times);
    for v in [
        MAGIC,
        VERSION,
        net.nodes.len() as i32,
        storage.len() as i32,
        net.links.len() as i32,
        count(|k| matches!(k, LinkKind::Pump(_))) as i32,
        count(|k| matches!(k, LinkKind::Valve(_))) as i32,
        qual,
        trace,
        net.options.flow_units.code() as i32,
        pressure_units_code(net.options.pressure_units),
        statistic_code(net.times.statistic),
        steps.report_start_s as i32,
        steps.report_s as i32,
        net.times.duration_s as i32,
    ] {
        int(out, v)?;
    }

    for line in 0..3 {
        text(
            out,
            net.title.get(line).map_or("", |s| s.as_str()),
            TITLE_BYTES,
        )?;
    }
    text(out, run.input_name, FILE_NAME_BYTES)?;
    text(out, run.report_name, FILE_NAME_BYTES)?;
    text(out, &chem_name, ID_BYTES)?;
    text(out, &chem_units, ID_BYTES)?;
    for n in &net.nodes {
        text(out, &n.id, ID_BYTES)?;
    }
    for l in &net.links {
        text(out, &l.id, ID_BYTES)?;
    }

    for l in &net.links {
        int(out, index1(l.from.ix()))?;
    }
    for l in &net.links {
        int(out, index1(l.to.ix()))?;
    }
    for l in &net.links {
        int(out, link_type_code(&l.kind))?;
    }
    for &i in &storage {
        int(out, index1(i))?;
    }
    write_static_arrays(out, net, &storage)
}

/// Tank areas, node elevations, link lengths and diameters in file units.
fn write_static_arrays(out: &mut impl Write, net: &Network, storage: &[usize]) -> io::Result<()> {
    let u = net.units();
    reals(
        out,
        storage.iter().map(|&i| match &net.nodes[i].kind {
            NodeKind::Tank(t) => {
                std::f64::consts::PI * t.diameter_m * t.diameter_m / 4.0 / (u.length * u.length)
            }
            _ => 0.0,
        }),
    )?;
    reals(out, net.nodes.iter().map(|n| n.elevation_m / u.length))?;
    reals(
        out,
        net.links.iter().map(|l| match &l.kind {
            LinkKind::Pipe(p) => p.length_m / u.length,
            _ => 0.0,
        }),
    )?;
    reals(out, net.links.iter().map(|l| l.diameter_m() / u.diameter))
}

fn write_energy(out: &mut impl Write, net: &Network, energy: &EnergySummary) -> io::Result<()> {
    for p in &energy.pumps {
        int(out, index1(p.link.ix()))?;
        real(out, p.utilization_percent)?;
        real(out, p.average_efficiency_percent)?;
        real(
            out,
            super::text::energy_per_report_volume(net, p.kwh_per_m3),
        )?;
        real(out, p.average_kw)?;
        real(out, p.peak_kw)?;
        real(out, p.cost_per_day)?;
    }
    real(out, energy.demand_charge)
}

/// The values of report period `t` as the results file holds them.
/// Without a quality analysis, node quality is each node's initial
/// quality (`[QUALITY]`), as EPANET writes it, and link quality 0.
pub fn period_values(net: &Network, results: &Results, t: usize) -> PeriodValues {
    let snap = &results.snapshots[t];
    let quality = results.quality.get(t);
    let nodes: Vec<_> = (0..net.nodes.len())
        .map(|i| node_values(net, snap, i))
        .collect();
    let links: Vec<_> = (0..net.links.len())
        .map(|k| link_values(net, snap, k))
        .collect();
    let node_ixs = || 0..net.nodes.len();
    let link_ixs = || 0..net.links.len();
    PeriodValues {
        node: [
            f32s(nodes.iter().map(|v| v.demand)),
            f32s(nodes.iter().map(|v| v.head)),
            f32s(nodes.iter().map(|v| v.pressure)),
            f32s(node_ixs().map(|i| quality.map_or(net.nodes[i].initial_quality, |q| q.node[i]))),
        ],
        link: [
            f32s(links.iter().map(|v| v.flow)),
            f32s(links.iter().map(|v| v.velocity)),
            f32s(
                links
                    .iter()
                    .enumerate()
                    .map(|(k, v)| reported_headloss(net, k, v.headloss)),
            ),
            f32s(link_ixs().map(|k| quality.map_or(0.0, |q| q.link[k]))),
            f32s(link_ixs().map(|k| f64::from(snap.status[k].output_code()))),
            f32s(links.iter().map(|v| v.setting)),
            f32s(link_ixs().map(|k| quality.map_or(0.0, |q| q.link_reaction[k]))),
            f32s(link_ixs().map(|k| friction_factor(net, snap, k))),
        ],
    }
}

/// Values rounded to 32-bit floats, as the file stores them.
fn f32s(values: impl Iterator<Item = f64>) -> Vec<f32> {
    values.map(|v| v as f32).collect()
}

/// One report period: 4 node arrays, then 8 link arrays.
fn write_values(out: &mut impl Write, values: &PeriodValues) -> io::Result<()> {
    for field in values.node.iter().chain(&values.link) {
        for v in field {
            out.write_all(&v.to_le_bytes())?;
        }
    }
    Ok(())
}

/// Head loss as EPANET reports it, from the total loss in file length
/// units: per 1000 length units for pipes, the total for pumps and valves.
pub(crate) fn reported_headloss(net: &Network, k: usize, headloss: f64) -> f64 {
    match &net.links[k].kind {
        LinkKind::Pipe(p) if p.length_m > 0.0 => {
            1000.0 * headloss * net.units().length / p.length_m
        }
        _ => headloss,
    }
}

/// The Darcy friction factor implied by a pipe's head loss,
/// f = 2 g h D A² / (L Q²), with A = π D² / 4 (EPANET computes it for every
/// pipe whatever the head-loss formula); 0 for pumps, valves and pipes
/// with no flow.
pub(crate) fn friction_factor(net: &Network, snap: &super::Snapshot, k: usize) -> f64 {
    let link = &net.links[k];
    let LinkKind::Pipe(p) = &link.kind else {
        return 0.0;
    };
    let q = snap.flow_m3s[k];
    if snap.status[k].is_closed() || q.abs() <= TINY_FLOW_M3S || p.length_m <= 0.0 {
        return 0.0;
    }
    let h = (snap.head_m[link.from.ix()] - snap.head_m[link.to.ix()]).abs();
    let area = std::f64::consts::PI * p.diameter_m * p.diameter_m / 4.0;
    2.0 * GRAVITY * h * p.diameter_m * area * area / (p.length_m * q * q)
}

/// The average reaction rates (mass per hour), the number of periods,
/// the warning flag and the closing magic number.
fn write_epilog(
    out: &mut impl Write,
    rates: &ReactionMass,
    periods: usize,
    warning_flag: i32,
) -> io::Result<()> {
    for rate in [rates.bulk, rates.wall, rates.tank, rates.source] {
        real(out, rate)?;
    }
    int(out, periods as i32)?;
    int(out, warning_flag)?;
    int(out, MAGIC)?;
    out.flush()
}

/// Size of the prolog in bytes for a network of these sizes (the layout's
/// fixed part plus per-node, per-link and per-tank fields).
pub fn prolog_bytes(nodes: usize, links: usize, tanks: usize) -> usize {
    884 + 36 * nodes + 52 * links + 8 * tanks
}

/// Size of one report period in bytes.
pub fn period_bytes(nodes: usize, links: usize) -> usize {
    16 * nodes + 32 * links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_fields_are_padded_with_nuls_and_keep_a_closing_one() {
        let mut buf = Vec::new();
        text(&mut buf, "abc", 5).unwrap();
        assert_eq!(buf, b"abc\0\0");
        buf.clear();
        text(&mut buf, "abcdefg", 5).unwrap();
        assert_eq!(buf, b"abcd\0");
    }

    #[test]
    fn layout_sizes_match_the_published_formula() {
        // 15 INT4 + 3 titles + 2 file names + chemical name and units.
        assert_eq!(
            15 * 4 + 3 * TITLE_BYTES + 2 * FILE_NAME_BYTES + 2 * ID_BYTES,
            884
        );
        assert_eq!(prolog_bytes(0, 0, 0), 884);
        assert_eq!(period_bytes(1, 1), 4 * 4 + 8 * 4);
    }
}
