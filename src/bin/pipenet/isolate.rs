//! `pipenet isolate`: valve segments, and what shutting a pipe or a node cuts off.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use pipenet::analysis::{
    below_service, closed_network, pressure_run, with_pda, Isolation, IsolationTarget,
    OutageTotals, PressureRun, Segments, ValveLayer,
};
use pipenet::network::units::PressureUnits;
use pipenet::network::{DemandModel, LinkKind};
use pipenet::report::ReportUnits;
use pipenet::Network;

/// Service pressure when none is given: 20 psi for networks in US units,
/// 14 m for networks in SI units (both about 14 m of water head).
const DEFAULT_SERVICE_PSI: f64 = 20.0;
const DEFAULT_SERVICE_M: f64 = 14.0;

/// Rows of a table printed before pointing to `--out` for the rest.
const SHOWN: usize = 40;

/// Arguments of `pipenet isolate`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["pipe", "node", "segments"])))]
pub struct IsolateArgs {
    /// The EPANET input file.
    network: PathBuf,
    /// Shut this pipe (any link id).
    #[arg(long)]
    pipe: Option<String>,
    /// Shut this node.
    #[arg(long)]
    node: Option<String>,
    /// List every segment, and how each valve's segment grows if it fails to close.
    #[arg(long)]
    segments: bool,
    /// Valve layer: a CSV file with columns link,node (a valve on that link
    /// next to that node) and optionally valve. Without it, the network's own
    /// valves and links tagged VALVE, ISOLATION, GATE or SHUTOFF (and
    /// *_VALVE forms) in [TAGS] are the valves.
    #[arg(long)]
    valves: Option<PathBuf>,
    /// Service pressure in the network's pressure units (default 20 psi, or
    /// 14 m for SI networks). A network running DDA is run with PDA, full
    /// demand from this pressure down to none at 0.
    #[arg(long)]
    service_pressure: Option<f64>,
    /// With --pipe or --node: write the closed network (PDA, valves closed)
    /// to this .inp file, to open in EPANET.
    #[arg(long, conflicts_with = "segments")]
    write_inp: Option<PathBuf>,
    /// Write rows to this file (.csv or .json).
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    units: super::units::UnitsArg,
}

/// Runs `pipenet isolate`.
pub fn run(args: &IsolateArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        let mut inputs = vec![args.network.as_path()];
        inputs.extend(args.valves.as_deref());
        super::check_target_against(&inputs, out)?;
    }
    if let Some(out) = &args.out {
        out_format(out)?;
    }
    let net = super::read(&args.network, false)?;
    let (layer, layer_name) = match &args.valves {
        Some(path) => (
            ValveLayer::read_csv(&net, path)?,
            path.display().to_string(),
        ),
        None => {
            let layer = ValveLayer::from_network(&net);
            let name = own_valves(&net, &layer);
            (layer, name)
        }
    };
    let segments = Segments::new(&net, &layer);
    println!(
        "{}: {} from {} ({layer_name})",
        args.network.display(),
        super::plural(segments.segments.len(), "segment"),
        super::plural(layer.valves.len(), "valve")
    );
    if layer.valves.is_empty() {
        eprintln!("warning: no valves: the whole network is one segment (give --valves layer.csv)");
    }
    let study = Study {
        net: &net,
        units: args.units.of(&net),
        layer: &layer,
        segments: &segments,
    };
    if args.segments {
        return study.all_segments(args.out.as_deref());
    }
    let target = match (&args.pipe, &args.node) {
        (Some(id), _) => IsolationTarget::Link(
            net.link_ix(id)
                .with_context(|| format!("no link '{id}' in the network"))?,
        ),
        (_, Some(id)) => IsolationTarget::Node(
            net.node_ix(id)
                .with_context(|| format!("no node '{id}' in the network"))?,
        ),
        _ => bail!("give --pipe ID, --node ID or --segments"),
    };
    let service_m = match args.service_pressure {
        Some(p) => p * net.units().pressure,
        None if net.options.flow_units.is_si() => DEFAULT_SERVICE_M,
        None => DEFAULT_SERVICE_PSI / PressureUnits::Psi.per_m_head(net.options.specific_gravity),
    };
    study.one_closure(
        target,
        service_m,
        args.out.as_deref(),
        args.write_inp.as_deref(),
    )
}

/// Where the valves of a layer made from the network itself come from:
/// links tagged as valves in `[TAGS]`, and the control valves of
/// `[VALVES]`. Without tags, the control valves alone are the valves, which
/// the words say: a network's isolation (gate) valves are seldom modelled.
pub(crate) fn own_valves(net: &Network, layer: &ValveLayer) -> String {
    let control = layer
        .valves
        .iter()
        .filter(|v| matches!(net.link(v.link).kind, LinkKind::Valve(_)))
        .count();
    let tagged = layer.valves.len() - control;
    if tagged > 0 {
        return format!(
            "the network's own: {} tagged as valves in [TAGS], {} of [VALVES]",
            super::plural(tagged, "link"),
            super::plural(control, "control valve")
        );
    }
    format!(
        "no valve layer and no link tagged as a valve in [TAGS]: only the {} of [VALVES] \
         count as valves; give --valves layer.csv for the isolation valves",
        super::plural(control, "control valve")
    )
}

/// A network, its valve layer and its segments.
struct Study<'a> {
    net: &'a Network,
    /// Units of the printed tables and written rows.
    units: ReportUnits,
    layer: &'a ValveLayer,
    segments: &'a Segments,
}

/// Unit names and factors (SI per written unit), for printing.
struct Units {
    flow: &'static str,
    flow_per: f64,
    length: &'static str,
    length_per: f64,
    pressure: &'static str,
    pressure_per: f64,
}

impl Units {
    fn of(units: &ReportUnits) -> Self {
        let u = units.factors;
        Units {
            flow: units.flow_name(),
            flow_per: u.flow,
            length: units.length_name(),
            length_per: u.length,
            pressure: units.pressure_name(),
            pressure_per: u.pressure,
        }
    }
}

impl Study<'_> {
    /// Segment ids as users see them: numbered from 1.
    fn segment_ids(which: &[usize]) -> Vec<usize> {
        which.iter().map(|s| s + 1).collect()
    }

    fn node_ids(&self, which: &[usize]) -> Vec<&str> {
        let segs = &self.segments.segments;
        which
            .iter()
            .flat_map(|&s| segs[s].nodes.iter().map(|&i| self.net.node(i).id.as_str()))
            .collect()
    }

    fn link_ids(&self, which: &[usize]) -> Vec<&str> {
        let segs = &self.segments.segments;
        which
            .iter()
            .flat_map(|&s| segs[s].links.iter().map(|&k| self.net.link(k).id.as_str()))
            .collect()
    }

    fn valve_ids(&self, valves: &[usize]) -> Vec<&str> {
        valves
            .iter()
            .map(|&v| self.layer.valves[v].id.as_str())
            .collect()
    }

    /// One line of totals.
    fn totals_line(&self, t: &OutageTotals) -> String {
        let u = Units::of(&self.units);
        format!(
            "{}, {}, {}, mean demand {:.2} {}, pipe length {:.1} {}",
            super::plural(t.nodes, "node"),
            super::plural(t.links, "link"),
            super::plural(t.customers, "customer"),
            t.mean_demand_m3s / u.flow_per,
            u.flow,
            t.pipe_length_m / u.length_per,
            u.length
        )
    }

    /// `--segments`: every segment, then every valve failing.
    fn all_segments(&self, out: Option<&Path>) -> Result<ExitCode> {
        let u = Units::of(&self.units);
        let segs = &self.segments.segments;
        println!(
            "{:>7}  {:>5}  {:>5}  {:>10}  {:>15}  {:>6}  source",
            "segment",
            "nodes",
            "links",
            format!("length {}", u.length),
            format!("mean demand {}", u.flow),
            "valves"
        );
        for (s, seg) in segs.iter().enumerate().take(SHOWN) {
            println!(
                "{:>7}  {:>5}  {:>5}  {:>10.1}  {:>15.2}  {:>6}  {}",
                s + 1,
                seg.nodes.len(),
                seg.links.len(),
                self.segments.length_m(self.net, s) / u.length_per,
                self.segments.mean_demand_m3s(self.net, s) / u.flow_per,
                seg.valves.len(),
                if seg.has_source {
                    "yes"
                } else if self.segments.unsupplied[s] {
                    "none reachable"
                } else {
                    ""
                }
            );
        }
        more(segs.len());

        println!("if a valve fails to close, its two segments are shut together:");
        println!(
            "{:>8}  {:>8}  {:>8}  {:>9}  {:>5}  {:>10}  {:>15}  cut off",
            "valve",
            "link",
            "node",
            "segments",
            "nodes",
            format!("length {}", u.length),
            format!("mean demand {}", u.flow)
        );
        let failures: Vec<Option<Isolation>> = (0..self.layer.valves.len())
            .map(|v| self.segments.valve_failure(v))
            .collect();
        for (v, failure) in failures.iter().enumerate().take(SHOWN) {
            let valve = &self.layer.valves[v];
            let (link, node) = (&self.net.link(valve.link).id, &self.net.node(valve.node).id);
            let Some(iso) = failure else {
                println!("{:>8}  {link:>8}  {node:>8}  inside one segment", valve.id);
                continue;
            };
            let t = self.segments.totals(self.net, &iso.out_of_service());
            println!(
                "{:>8}  {link:>8}  {node:>8}  {:>9}  {:>5}  {:>10.1}  {:>15.2}  {}",
                valve.id,
                joined(&Self::segment_ids(&iso.shut), "+"),
                t.nodes,
                t.pipe_length_m / u.length_per,
                t.mean_demand_m3s / u.flow_per,
                joined(&Self::segment_ids(&iso.cut_off), " ")
            );
        }
        more(failures.len());

        if let Some(out) = out {
            let rows = self.segment_rows(&failures);
            write_rows(out, &rows)?;
            println!("rows written to {}", out.display());
        }
        Ok(ExitCode::SUCCESS)
    }

    /// One JSON object per segment and per valve, in the network's units.
    fn segment_rows(&self, failures: &[Option<Isolation>]) -> Rows {
        let u = Units::of(&self.units);
        let mut rows = Vec::new();
        for (s, seg) in self.segments.segments.iter().enumerate() {
            let t = self.segments.totals(self.net, &[s]);
            rows.push(self.area_row("segment", (s + 1).to_string(), &[s], &[], &seg.valves, &t));
        }
        for (v, failure) in failures.iter().enumerate() {
            let valve = &self.layer.valves[v];
            let mut row = match failure {
                Some(iso) => {
                    let t = self.segments.totals(self.net, &iso.out_of_service());
                    self.area_row(
                        "valve",
                        valve.id.clone(),
                        &iso.shut,
                        &iso.cut_off,
                        &iso.valves_to_close,
                        &t,
                    )
                }
                None => json!({"record": "valve", "id": valve.id}),
            };
            row["link"] = json!(self.net.link(valve.link).id);
            row["node"] = json!(self.net.node(valve.node).id);
            rows.push(row);
        }
        Rows {
            units: json!({"length": u.length, "demand": u.flow}),
            columns: &[
                "record",
                "id",
                "link",
                "node",
                "segments",
                "cut_off_segments",
                "nodes",
                "links",
                "valves",
                "customers",
                "length",
                "demand",
            ],
            rows,
        }
    }

    /// A row for an area taken out of service: segments shut on purpose,
    /// segments cut off, and the valves around them.
    fn area_row(
        &self,
        record: &str,
        id: String,
        shut: &[usize],
        cut_off: &[usize],
        valves: &[usize],
        t: &OutageTotals,
    ) -> Value {
        let u = Units::of(&self.units);
        let all: Vec<usize> = shut.iter().chain(cut_off).copied().collect();
        json!({
            "record": record,
            "id": id,
            "segments": Self::segment_ids(shut),
            "cut_off_segments": Self::segment_ids(cut_off),
            "nodes": self.node_ids(&all),
            "links": self.link_ids(&all),
            "valves": self.valve_ids(valves),
            "customers": t.customers,
            "length": t.pipe_length_m / u.length_per,
            "demand": t.mean_demand_m3s / u.flow_per,
        })
    }

    /// `--pipe` or `--node`: the valves to close, what is shut and cut off,
    /// and the pressures after closing.
    fn one_closure(
        &self,
        target: IsolationTarget,
        service_m: f64,
        out: Option<&Path>,
        write_inp: Option<&Path>,
    ) -> Result<ExitCode> {
        let iso = self.segments.isolate(target);
        let what = match target {
            IsolationTarget::Link(k) => format!("pipe {}", self.net.link(k).id),
            IsolationTarget::Node(i) => format!("node {}", self.net.node(i).id),
        };
        println!("shutting {what}: segment {}", iso.shut[0] + 1);
        if iso.valves_to_close.is_empty() {
            println!("valves to close: none");
        } else {
            println!("valves to close ({}):", iso.valves_to_close.len());
        }
        for &v in &iso.valves_to_close {
            let valve = &self.layer.valves[v];
            println!(
                "  {:>8}  on link {:>8}  at node {:>8}",
                valve.id,
                self.net.link(valve.link).id,
                self.net.node(valve.node).id
            );
        }
        let shut = self.segments.totals(self.net, &iso.shut);
        println!("shut: {}", self.totals_line(&shut));
        if iso.cut_off.is_empty() {
            println!("cut off from every source by the closure: nothing");
        } else {
            let cut = self.segments.totals(self.net, &iso.cut_off);
            println!(
                "cut off from every source by the closure (unintended isolation): {} {}: {}",
                super::agree(iso.cut_off.len(), "segment", "segments"),
                joined(&Self::segment_ids(&iso.cut_off), ", "),
                self.totals_line(&cut)
            );
            println!("  nodes: {}", listed(&self.node_ids(&iso.cut_off)));
        }
        let all = self.segments.totals(self.net, &iso.out_of_service());
        println!("out of service in all: {}", self.totals_line(&all));

        if let Some(path) = write_inp {
            let closed = closed_network(
                &with_pda(self.net, service_m),
                self.layer,
                self.segments,
                &iso,
            );
            pipenet::inp::write_file(&closed, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("closed network written to {}", path.display());
        }
        let (before, after) = self.pressures(&iso, service_m)?;
        let low = self.low_pressure(&iso, &after, service_m);
        self.print_pressures(&before, &after, &low, service_m);

        if let Some(out) = out {
            let rows = self.closure_rows(&iso, &before, &after, &low);
            write_rows(out, &rows)?;
            println!("rows written to {}", out.display());
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Pressure-dependent runs of the network as it is and with the closure.
    fn pressures(&self, iso: &Isolation, service_m: f64) -> Result<(PressureRun, PressureRun)> {
        let base = with_pda(self.net, service_m);
        let closed = closed_network(&base, self.layer, self.segments, iso);
        let before = pressure_run(&base).context("cannot simulate the network")?;
        let after = pressure_run(&closed).context("cannot simulate the closure")?;
        Ok((before, after))
    }

    /// Junctions in service below the service pressure after the closure.
    fn low_pressure(&self, iso: &Isolation, after: &PressureRun, service_m: f64) -> Vec<usize> {
        below_service(self.net, self.segments, iso, after, service_m)
    }

    fn print_pressures(
        &self,
        before: &PressureRun,
        after: &PressureRun,
        low: &[usize],
        service_m: f64,
    ) {
        let u = Units::of(&self.units);
        let p = |m: f64| m / u.pressure_per;
        let opts = with_pda(self.net, service_m).options;
        let range = format!(
            "from {:.1} to {:.1} {}",
            p(opts.minimum_pressure_m),
            p(opts.required_pressure_m),
            u.pressure
        );
        let model = if self.net.options.demand_model == DemandModel::Dda {
            format!("PDA {range} in place of the network's demand-driven model")
        } else {
            format!("the network's own PDA, {range}")
        };
        println!(
            "before and after closing, both runs pressure-dependent ({model}; {} and {}):",
            before.periods,
            super::plural(after.periods, "period")
        );
        for (name, run) in [("before", before), ("after", after)] {
            if run.unconverged > 0 {
                println!(
                    "  warning: {} {name} did not converge",
                    super::plural(run.unconverged, "period")
                );
            }
        }
        if before.demand_asked_m3 > 0.0 {
            let share =
                |run: &PressureRun| 100.0 * run.demand_delivered_m3 / before.demand_asked_m3;
            println!(
                "  demand delivered: {:.2} % of the demand asked before closing (before: {:.2} %)",
                share(after),
                share(before)
            );
        }
        // Junctions shut or cut off by the closure are out of service: they
        // are counted above, not here.
        let heading = format!(
            "junctions still in service below {:.1} {} (service pressure) or cut off at some time",
            p(service_m),
            u.pressure
        );
        if low.is_empty() {
            println!("  {heading}: none");
            return;
        }
        println!("  {} {heading}:", low.len());
        println!(
            "  {:>10}  {:>9}  {:>9}  {:>9}  {:>9}",
            "junction",
            format!("min {}", u.pressure),
            "at",
            "before",
            "at"
        );
        for &i in low.iter().take(SHOWN) {
            let show = |m: f64| {
                if m.is_finite() {
                    format!("{:.2}", p(m))
                } else {
                    "cut off".to_string()
                }
            };
            // A junction cut off at some time is named with that time: its
            // lowest pressure while supplied may still look fine.
            let (lowest, at) = match after.cut_off_at_s[i] {
                Some(t) => ("cut off".to_string(), t),
                None => (show(after.min_pressure_m[i]), after.min_at_s[i]),
            };
            println!(
                "  {:>10}  {:>9}  {:>9}  {:>9}  {:>9}",
                self.net.nodes[i].id,
                lowest,
                super::clock(at),
                show(before.min_pressure_m[i]),
                super::clock(before.min_at_s[i])
            );
        }
        more(low.len());
    }

    /// Rows of a closure: valves closed, elements shut or cut off, junctions
    /// under the service pressure.
    fn closure_rows(
        &self,
        iso: &Isolation,
        before: &PressureRun,
        after: &PressureRun,
        low: &[usize],
    ) -> Rows {
        let u = Units::of(&self.units);
        let mut rows = Vec::new();
        for &v in &iso.valves_to_close {
            let valve = &self.layer.valves[v];
            rows.push(json!({
                "role": "close", "kind": "valve", "id": valve.id,
                "link": self.net.link(valve.link).id, "node": self.net.node(valve.node).id,
            }));
        }
        for (role, which) in [("shut", &iso.shut), ("cut_off", &iso.cut_off)] {
            for &s in which {
                let seg = &self.segments.segments[s];
                for &i in &seg.nodes {
                    let demand = pipenet::analysis::segments::mean_demand_m3s(self.net, i);
                    rows.push(json!({
                        "role": role, "kind": "node", "id": self.net.node(i).id,
                        "segment": s + 1, "demand": demand / u.flow_per,
                    }));
                }
                for &k in &seg.links {
                    let length = match &self.net.link(k).kind {
                        pipenet::network::LinkKind::Pipe(p) => p.length_m,
                        _ => 0.0,
                    };
                    rows.push(json!({
                        "role": role, "kind": "link", "id": self.net.link(k).id,
                        "segment": s + 1, "length": length / u.length_per,
                    }));
                }
            }
        }
        let pressure = |m: f64| m.is_finite().then(|| m / u.pressure_per);
        for &i in low {
            rows.push(json!({
                "role": "low_pressure", "kind": "node", "id": self.net.nodes[i].id,
                "segment": self.segments.node_segment[i] + 1,
                "min_pressure": pressure(after.min_pressure_m[i]),
                "min_pressure_at_s": after.min_at_s[i],
                "min_pressure_before": pressure(before.min_pressure_m[i]),
                "min_pressure_before_at_s": before.min_at_s[i],
            }));
        }
        Rows {
            units: json!({"length": u.length, "demand": u.flow, "pressure": u.pressure}),
            columns: &[
                "role",
                "kind",
                "id",
                "link",
                "node",
                "segment",
                "demand",
                "length",
                "min_pressure",
                "min_pressure_at_s",
                "min_pressure_before",
                "min_pressure_before_at_s",
            ],
            rows,
        }
    }
}

/// Rows for `--out`: JSON objects with the same keys as the CSV columns.
struct Rows {
    units: Value,
    columns: &'static [&'static str],
    rows: Vec<Value>,
}

fn more(total: usize) {
    if total > SHOWN {
        println!("  ... {} more (all in --out)", total - SHOWN);
    }
}

fn joined(items: &[usize], sep: &str) -> String {
    items
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// Ids, at most 20 of them.
fn listed(ids: &[&str]) -> String {
    let mut text = ids.iter().take(20).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > 20 {
        text.push_str(&format!(", ... ({} in all)", ids.len()));
    }
    text
}

fn out_format(out: &Path) -> Result<&'static str> {
    match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => Ok("json"),
        Some(e) if e.eq_ignore_ascii_case("csv") => Ok("csv"),
        _ => bail!("{}: unknown rows format (use .json or .csv)", out.display()),
    }
}

/// Writes rows as JSON (`{"units": ..., "rows": [...]}`) or CSV (one line
/// per row; lists joined by spaces; column names carry the units).
fn write_rows(out: &Path, rows: &Rows) -> Result<()> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut w = std::io::BufWriter::new(file);
    if out_format(out)? == "json" {
        let doc = json!({"units": rows.units, "rows": rows.rows});
        serde_json::to_writer_pretty(&mut w, &doc)?;
        writeln!(w)?;
    } else {
        let mut csv = csv::Writer::from_writer(&mut w);
        let header: Vec<String> = rows
            .columns
            .iter()
            .map(|c| {
                match rows
                    .units
                    .get(c.trim_start_matches("min_").trim_end_matches("_before"))
                {
                    Some(Value::String(unit)) => format!("{c}_{}", unit.to_ascii_lowercase()),
                    _ => c.to_string(),
                }
            })
            .collect();
        csv.write_record(&header)?;
        for row in &rows.rows {
            csv.write_record(rows.columns.iter().map(|c| csv_field(&row[c])))?;
        }
        csv.flush()?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", out.display()))
}

fn csv_field(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(csv_field).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}
