//! EPANET's text report (`.rpt`): summary, status log, warnings, balances, energy, node and link tables.
//!
//! [`StatusLog`] watches a run period by period and keeps the lines of
//! EPANET's "Hydraulic Status" log and its warnings; [`Report`] writes the
//! whole report the way EPANET 2.3 lays it out, in the network's units,
//! honouring `[REPORT]` (STATUS, SUMMARY, ENERGY, NODES, LINKS, and per
//! field YES/NO and PRECISION).
//!
//! # Limitations
//! No page breaks (EPANET's `PAGESIZE`), no date lines, no `BELOW`/`ABOVE`
//! field filters. Junction-pressure controls are not named in the status
//! log (EPANET writes no line for them either when they act inside the
//! solver).

use std::io::{self, Write};

use super::out::{self, PeriodValues};
use super::{link_values, node_values, QualitySnapshot, Results, Snapshot};
use crate::hydraulics::{
    ControlCause, EnergySummary, Event, FlowBalance, HydraulicState, LinkStatus, SolveOutcome,
    TimeSteps,
};
use crate::network::units::{M3_PER_FT3, M_PER_FT};
use crate::network::{
    DemandModel, HeadlossFormula, InitialStatus, LinkKind, Network, NodeKind, QualityKind,
    Statistic,
};
use crate::quality::MassBalance;

/// Net tank inflow below which EPANET calls a tank closed, 0.001 cfs.
const CLOSED_TANK_FLOW_M3S: f64 = 0.001 * M3_PER_FT3;

/// What a tank or reservoir is doing, for the status log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TankFlow {
    Closed,
    Filling,
    Emptying,
}

/// The hydraulic status log and warnings of a run, period by period.
#[derive(Debug, Clone)]
pub struct StatusLog<'n> {
    net: &'n Network,
    /// Whether `[REPORT] STATUS` asks for the log (warnings are kept anyway).
    with_status: bool,
    /// The log's lines, each without the report's left margin.
    lines: Vec<String>,
    tank_flow: Vec<Option<TankFlow>>,
    link_status: Vec<LinkStatus>,
    events_seen: usize,
}

impl<'n> StatusLog<'n> {
    /// An empty log for a run of `net` with this quality analysis.
    pub fn new(net: &'n Network, _quality: &QualityKind) -> Self {
        let with_status = net.report.status.as_deref().is_some_and(|s| {
            let s = s.to_ascii_uppercase();
            s.starts_with('Y') || s.starts_with('F')
        });
        StatusLog {
            net,
            with_status,
            lines: Vec::new(),
            tank_flow: vec![None; net.nodes.len()],
            link_status: net.links.iter().map(initial_status).collect(),
            events_seen: 0,
        }
    }

    /// Takes in one solved period: controls that acted (new entries of
    /// `events`), the trials, tanks that started or stopped filling, links
    /// whose status changed, and the period's warnings, among them the
    /// pumps and valves that cannot do what is asked of them (`strained`,
    /// as [`crate::hydraulics::Simulation::strained_links`] gives them).
    pub fn observe(
        &mut self,
        time_s: u64,
        outcome: &SolveOutcome,
        state: &HydraulicState,
        events: &[Event],
        strained: impl Iterator<Item = (usize, LinkStatus)>,
    ) {
        let at = clock(time_s);
        let mut block = Vec::new();
        for e in &events[self.events_seen.min(events.len())..] {
            if let Event::Control { link, cause, .. } = *e {
                block.push(self.control_line(&at, link, cause));
            }
        }
        self.events_seen = events.len();
        block.push(if outcome.converged {
            format!("{at:>10}: Balanced after {} trials", outcome.iterations)
        } else {
            format!(
                "{at:>10}: Unbalanced after {} trials (flow change = {:.6})",
                outcome.iterations, outcome.relative_error
            )
        });
        self.tank_lines(&at, state, &mut block);
        self.link_lines(&at, time_s, state, &mut block);
        if self.with_status {
            self.lines.append(&mut block);
            self.lines.push(" ".into());
        }
        self.warnings(&at, outcome, state, strained);
    }

    fn control_line(&self, at: &str, link: usize, cause: ControlCause) -> String {
        let l = &self.net.links[link];
        let by = match cause {
            ControlCause::Node(i) => {
                let n = &self.net.nodes[i];
                format!("{} {} control", node_kind_name(&n.kind), n.id)
            }
            ControlCause::Time => "timer control".into(),
            ControlCause::ClockTime => "time of day control".into(),
            ControlCause::Rule(r) => format!("rule {}", self.net.rules[r].id),
        };
        format!("{at:>10}: {} {} changed by {by}", l.kind_name(), l.id)
    }

    fn tank_lines(&mut self, at: &str, state: &HydraulicState, block: &mut Vec<String>) {
        let u = self.net.units();
        for (i, node) in self.net.nodes.iter().enumerate() {
            if node.is_junction() {
                continue;
            }
            let q = state.node_demand_m3s[i];
            let flow = if q.abs() < CLOSED_TANK_FLOW_M3S {
                TankFlow::Closed
            } else if q > 0.0 {
                TankFlow::Filling
            } else {
                TankFlow::Emptying
            };
            if self.tank_flow[i] == Some(flow) {
                continue;
            }
            self.tank_flow[i] = Some(flow);
            let word = match flow {
                TankFlow::Closed => "closed",
                TankFlow::Filling => "filling",
                TankFlow::Emptying => "emptying",
            };
            block.push(match node.kind {
                NodeKind::Tank(_) => format!(
                    "{at:>10}: Tank {} is {word} at {:.2} {}",
                    node.id,
                    (state.head_m[i] - node.elevation_m) / u.length,
                    self.net.options.flow_units.length_unit()
                ),
                _ => format!("{at:>10}: Reservoir {} is {word}", node.id),
            });
        }
    }

    fn link_lines(
        &mut self,
        at: &str,
        time_s: u64,
        state: &HydraulicState,
        block: &mut Vec<String>,
    ) {
        for (k, l) in self.net.links.iter().enumerate() {
            let now = state.status[k];
            let was = self.link_status[k];
            if now == was {
                continue;
            }
            block.push(if time_s == 0 {
                format!("{at:>10}: {} {} {}", l.kind_name(), l.id, status_text(now))
            } else {
                format!(
                    "{at:>10}: {} {} changed from {} to {}",
                    l.kind_name(),
                    l.id,
                    status_text(was),
                    status_text(now)
                )
            });
            self.link_status[k] = now;
        }
    }

    /// EPANET's warnings for a period: unbalanced, pumps and valves that
    /// cannot do what is asked, negative pressures at junctions with demand.
    fn warnings(
        &mut self,
        at: &str,
        outcome: &SolveOutcome,
        state: &HydraulicState,
        strained: impl Iterator<Item = (usize, LinkStatus)>,
    ) {
        let net = self.net;
        let mut warned = Vec::new();
        if !outcome.converged {
            warned.push(format!("WARNING: System unbalanced at {at} hrs."));
        }
        for (k, status) in strained {
            let l = &net.links[k];
            let what = match (status, &l.kind) {
                (LinkStatus::XHead, LinkKind::Pump(_)) => "closed because cannot deliver head",
                (LinkStatus::XFlow, LinkKind::Pump(_)) => "open but exceeds maximum flow",
                (LinkStatus::XFcv, LinkKind::Valve(_)) => "open but cannot deliver flow",
                (LinkStatus::XPressure, LinkKind::Valve(_)) => "open but cannot deliver pressure",
                _ => continue,
            };
            let kind = if matches!(l.kind, LinkKind::Pump(_)) {
                "Pump"
            } else {
                "Valve"
            };
            warned.push(format!("WARNING: {kind} {} {what} at {at} hrs.", l.id));
        }
        let negative = net.nodes.iter().enumerate().any(|(i, n)| {
            n.is_junction() && state.node_demand_m3s[i] > 0.0 && state.head_m[i] < n.elevation_m
        });
        if negative {
            warned.push(format!("WARNING: Negative pressures at {at} hrs."));
        }
        for w in warned {
            self.lines.push(w);
            self.lines.push(" ".into());
        }
    }
}

/// A link's status before the first period, as EPANET starts it.
fn initial_status(link: &crate::network::Link) -> LinkStatus {
    match (&link.kind, link.initial_status) {
        (_, InitialStatus::Closed) => LinkStatus::Closed,
        (LinkKind::Valve(_), _) | (_, InitialStatus::Active) => LinkStatus::Active,
        _ => LinkStatus::Open,
    }
}

/// EPANET's words for a link status in the status log.
fn status_text(s: LinkStatus) -> &'static str {
    match s {
        LinkStatus::XHead => "closed because cannot deliver head",
        LinkStatus::TempClosed => "temporarily closed",
        LinkStatus::Closed => "closed",
        LinkStatus::Open => "open",
        LinkStatus::Active => "active",
        LinkStatus::XFlow => "open but exceeds maximum flow",
        LinkStatus::XFcv => "open but cannot deliver flow",
        LinkStatus::XPressure => "open but cannot deliver pressure",
    }
}

fn node_kind_name(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Junction(_) => "Junction",
        NodeKind::Reservoir(_) => "Reservoir",
        NodeKind::Tank(_) => "Tank",
    }
}

/// A simulation time as EPANET's report writes it, h:mm:ss.
pub fn clock(t: u64) -> String {
    format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// The name and units of the quality column, as EPANET heads it ("AGE"
/// in hours, "% from" the traced node).
fn quality_label(net: &Network) -> Option<(String, String)> {
    match &net.options.quality.kind {
        QualityKind::None => None,
        QualityKind::Chemical { name, units } => Some((name.clone(), units.clone())),
        QualityKind::Age => Some(("AGE".into(), "hrs".into())),
        QualityKind::Trace { node } => Some(("% from".into(), net.nodes[node.ix()].id.clone())),
    }
}

/// Everything a report is written from.
pub struct Report<'a> {
    /// The network run.
    pub network: &'a Network,
    /// The input file's name, for the summary.
    pub input_name: &'a str,
    /// The status log and warnings.
    pub status: &'a StatusLog<'a>,
    /// Results at report times (quality included when analysed).
    pub results: &'a Results,
    /// Pump energy.
    pub energy: &'a EnergySummary,
    /// The flow balance of the run.
    pub balance: &'a FlowBalance,
    /// The quality mass balance and final segment count, when quality was analysed.
    pub mass_balance: Option<(MassBalance, usize)>,
}

impl Report<'_> {
    /// Writes the whole report.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let net = self.network;
        writeln!(out, "  Page 1")?;
        writeln!(out)?;
        write_banner(out)?;
        if net.report.summary.unwrap_or(true) {
            self.write_summary(out)?;
        }
        writeln!(out)?;
        if self.status.with_status {
            writeln!(out, "   ")?;
            writeln!(out, "  Hydraulic Status:")?;
            writeln!(out, "  {}", "-".repeat(71))?;
        }
        for line in &self.status.lines {
            writeln!(out, "  {line}")?;
        }
        if self.status.with_status {
            write!(out, "{}", super::text::flow_balance(net, self.balance))?;
            if let Some((mass, segments)) = &self.mass_balance {
                writeln!(out)?;
                write!(out, "{}", mass_balance_text(net, mass, *segments))?;
            }
        }
        writeln!(out)?;
        if net.report.energy.unwrap_or(false) && !self.energy.pumps.is_empty() {
            writeln!(out, "   ")?;
            writeln!(out, "   ")?;
            write!(out, "{}", super::text::energy_table(net, self.energy))?;
            writeln!(out, "   ")?;
            writeln!(out, "   ")?;
        }
        self.write_tables(out)?;
        out.flush()
    }

    fn write_summary(&self, out: &mut impl Write) -> io::Result<()> {
        let net = self.network;
        for line in net.title.iter().take(3) {
            writeln!(out, "  {line}")?;
        }
        writeln!(out, "   ")?;
        let count = |f: fn(&NodeKind) -> bool| net.nodes.iter().filter(|n| f(&n.kind)).count();
        let lcount = |f: fn(&LinkKind) -> bool| net.links.iter().filter(|l| f(&l.kind)).count();
        // The steps the run used, after EPANET's rules, not the file's.
        let steps = TimeSteps::new(&net.times);
        // EPANET states times in minutes when the hydraulic step is under
        // half an hour, else in hours.
        let duration = |s: u64| {
            if steps.hydraulic_s < 1800 {
                format!("{:.2} min", s as f64 / 60.0)
            } else {
                format!("{:.2} hrs", s as f64 / 3600.0)
            }
        };
        let ft2 = M_PER_FT * M_PER_FT;
        let mut rows: Vec<(&str, String)> = vec![
            ("Input Data File", self.input_name.to_string()),
            (
                "Number of Junctions",
                count(|k| matches!(k, NodeKind::Junction(_))).to_string(),
            ),
            (
                "Number of Reservoirs",
                count(|k| matches!(k, NodeKind::Reservoir(_))).to_string(),
            ),
            (
                "Number of Tanks",
                count(|k| matches!(k, NodeKind::Tank(_))).to_string(),
            ),
            (
                "Number of Pipes",
                lcount(|k| matches!(k, LinkKind::Pipe(_))).to_string(),
            ),
            (
                "Number of Pumps",
                lcount(|k| matches!(k, LinkKind::Pump(_))).to_string(),
            ),
            (
                "Number of Valves",
                lcount(|k| matches!(k, LinkKind::Valve(_))).to_string(),
            ),
            (
                "Headloss Formula",
                match net.options.headloss {
                    HeadlossFormula::HazenWilliams => "Hazen-Williams",
                    HeadlossFormula::DarcyWeisbach => "Darcy-Weisbach",
                    HeadlossFormula::ChezyManning => "Chezy-Manning",
                }
                .into(),
            ),
            (
                "Nodal Demand Model",
                match net.options.demand_model {
                    DemandModel::Dda => "DDA",
                    DemandModel::Pda => "PDA",
                }
                .into(),
            ),
            ("Hydraulic Timestep", duration(steps.hydraulic_s)),
            ("Hydraulic Accuracy", format!("{:.6}", net.options.accuracy)),
            ("Status Check Frequency", net.options.check_freq.to_string()),
            ("Maximum Trials Checked", net.options.max_check.to_string()),
            (
                "Damping Limit Threshold",
                format!("{:.6}", net.options.damp_limit),
            ),
            ("Maximum Trials", net.options.trials.to_string()),
        ];
        // The summary names an analysis differently from the tables' heads;
        // EPANET states none for a single-period run (it reports the
        // initial qualities there).
        let analysis = match &net.options.quality.kind {
            _ if net.times.duration_s == 0 => None,
            QualityKind::None => None,
            QualityKind::Chemical { name, units } => Some((name.clone(), units.clone())),
            QualityKind::Age => Some(("Age".into(), "hrs".into())),
            QualityKind::Trace { node } => Some((
                format!("Trace From Node {}", net.nodes[node.ix()].id),
                "% from".into(),
            )),
        };
        match analysis {
            None => rows.push(("Quality Analysis", "None".into())),
            Some((analysis, units)) => {
                rows.push(("Quality Analysis", analysis));
                rows.push((
                    "Water Quality Time Step",
                    format!("{:.2} min", steps.quality_s as f64 / 60.0),
                ));
                rows.push((
                    "Water Quality Tolerance",
                    format!("{:.2} {units}", net.options.quality.tolerance),
                ));
            }
        }
        rows.push((
            "Specific Gravity",
            format!("{:.2}", net.options.specific_gravity),
        ));
        rows.push((
            "Relative Kinematic Viscosity",
            format!("{:.2}", net.options.viscosity_m2s / (1.1e-5 * ft2)),
        ));
        rows.push((
            "Relative Chemical Diffusivity",
            format!(
                "{:.2}",
                net.options.quality.diffusivity_m2s / (1.3e-8 * ft2)
            ),
        ));
        rows.push((
            "Demand Multiplier",
            format!("{:.2}", net.options.demand_multiplier),
        ));
        rows.push(("Total Duration", duration(net.times.duration_s)));
        for (label, value) in rows {
            // EPANET runs the dots of these two into the label.
            let gap = if label.starts_with("Number of Junctions")
                || label.starts_with("Number of Reservoirs")
            {
                ""
            } else {
                " "
            };
            let dots = 35usize.saturating_sub(label.len() + gap.len());
            writeln!(out, "      {label}{gap}{} {value}", ".".repeat(dots))?;
        }
        writeln!(out, "      Reporting Criteria:")?;
        writeln!(out, "         {} Nodes", selection_word(&net.report.nodes))?;
        writeln!(out, "         {} Links", selection_word(&net.report.links))?;
        writeln!(out, "   ")
    }

    /// The node and link tables: one pair per report time, or one pair of
    /// statistics with `[TIMES] STATISTIC`.
    fn write_tables(&self, out: &mut impl Write) -> io::Result<()> {
        let net = self.network;
        let statistic = super::statistic::over_periods(net, self.results, net.times.statistic);
        match &statistic {
            Some(values) => {
                let word = statistic_word(net.times.statistic);
                self.write_table_pair(out, word, &TableValues::Statistic(values))?;
            }
            None => {
                for (t, snap) in self.results.snapshots.iter().enumerate() {
                    let at = TableValues::At(snap, self.results.quality.get(t));
                    self.write_table_pair(out, "", &at)?;
                }
            }
        }
        Ok(())
    }

    /// A node table and a link table of the same values, with `word`
    /// ("AVERAGE" ...) before their titles.
    fn write_table_pair(
        &self,
        out: &mut impl Write,
        word: &str,
        values: &TableValues<'_>,
    ) -> io::Result<()> {
        let net = self.network;
        // A single-period run's tables name no time, as EPANET's do.
        let single_period = net.times.duration_s == 0;
        let title = |what: &str| match values {
            TableValues::At(_, _) if single_period => format!("{what} Results:"),
            TableValues::At(snap, _) => format!("{what} Results at {} hrs:", clock(snap.time_s)),
            TableValues::Statistic(_) => format!("{word} {what} Results:"),
        };
        let nodes = selection(&net.report.nodes, net.nodes.iter().map(|n| n.id.as_str()));
        let node_fields = fields(net, NODE_FIELDS);
        if !nodes.is_empty() && !node_fields.is_empty() {
            let rows = nodes.iter().map(|&i| {
                let row = node_fields
                    .iter()
                    .map(|f| values.node(net, f.name, i))
                    .collect();
                (
                    net.nodes[i].id.as_str(),
                    row,
                    node_suffix(&net.nodes[i].kind),
                )
            });
            write_table(out, &title("Node"), "Node", &node_fields, rows)?;
        }
        let links = selection(&net.report.links, net.links.iter().map(|l| l.id.as_str()));
        let link_fields = fields(net, LINK_FIELDS);
        if !links.is_empty() && !link_fields.is_empty() {
            let rows = links.iter().map(|&k| {
                let row = link_fields
                    .iter()
                    .map(|f| values.link(net, f.name, k))
                    .collect();
                (
                    net.links[k].id.as_str(),
                    row,
                    link_suffix(&net.links[k].kind),
                )
            });
            write_table(out, &title("Link"), "Link", &link_fields, rows)?;
        }
        Ok(())
    }
}

/// Where a table's values come from.
enum TableValues<'r> {
    /// One report time: its hydraulics and, when analysed, its quality.
    At(&'r Snapshot, Option<&'r QualitySnapshot>),
    /// A statistic over every report time, as the results file holds it.
    Statistic(&'r PeriodValues),
}

impl TableValues<'_> {
    /// The value of node field `name` at node `i`, in the file's units.
    fn node(&self, net: &Network, name: &str, i: usize) -> f64 {
        if name == "Elevation" {
            return net.nodes[i].elevation_m / net.units().length;
        }
        match self {
            TableValues::At(snap, quality) => {
                let v = node_values(net, snap, i);
                match name {
                    "Demand" => v.demand,
                    "Head" => v.head,
                    "Pressure" => v.pressure,
                    _ => quality.map_or(0.0, |q| q.node[i]),
                }
            }
            TableValues::Statistic(values) => {
                let field = match name {
                    "Demand" => out::NODE_DEMAND,
                    "Head" => out::NODE_HEAD,
                    "Pressure" => out::NODE_PRESSURE,
                    _ => out::NODE_QUALITY,
                };
                f64::from(values.node[field][i])
            }
        }
    }

    /// The value of link field `name` at link `k`, in the file's units (head
    /// loss per 1000 length units for pipes).
    fn link(&self, net: &Network, name: &str, k: usize) -> f64 {
        let link = &net.links[k];
        match name {
            "Length" => {
                return match &link.kind {
                    LinkKind::Pipe(p) => p.length_m / net.units().length,
                    _ => 0.0,
                }
            }
            "Diameter" => return link.diameter_m() / net.units().diameter,
            _ => {}
        }
        match self {
            TableValues::At(snap, quality) => {
                let v = link_values(net, snap, k);
                match name {
                    "Flow" => v.flow,
                    "Velocity" => v.velocity,
                    "Headloss" => out::reported_headloss(net, k, v.headloss),
                    "Setting" => v.setting,
                    "Reaction" => quality.map_or(0.0, |q| q.link_reaction[k]),
                    "F-Factor" => out::friction_factor(net, snap, k),
                    _ => quality.map_or(0.0, |q| q.link[k]),
                }
            }
            TableValues::Statistic(values) => {
                let field = match name {
                    "Flow" => out::LINK_FLOW,
                    "Velocity" => out::LINK_VELOCITY,
                    "Headloss" => out::LINK_HEADLOSS,
                    "Setting" => out::LINK_SETTING,
                    "Reaction" => out::LINK_REACTION,
                    "F-Factor" => out::LINK_FRICTION,
                    _ => out::LINK_QUALITY,
                };
                f64::from(values.link[field][k])
            }
        }
    }
}

/// The word EPANET puts before a statistic's table titles.
fn statistic_word(statistic: Statistic) -> &'static str {
    match statistic {
        Statistic::None => "",
        Statistic::Average => "AVERAGE",
        Statistic::Minimum => "MINIMUM",
        Statistic::Maximum => "MAXIMUM",
        Statistic::Range => "DIFFERENTIAL",
    }
}

/// What follows a node's row: its kind, unless a junction.
fn node_suffix(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Junction(_) => "",
        NodeKind::Reservoir(_) => "  Reservoir",
        NodeKind::Tank(_) => "  Tank",
    }
}

/// What follows a link's row: its kind, unless a pipe.
fn link_suffix(kind: &LinkKind) -> &'static str {
    match kind {
        LinkKind::Pipe(_) => "",
        LinkKind::Pump(_) => "  Pump",
        LinkKind::Valve(v) => match v.valve_type.keyword() {
            "PRV" => "  PRV",
            "PSV" => "  PSV",
            "PBV" => "  PBV",
            "FCV" => "  FCV",
            "TCV" => "  TCV",
            "GPV" => "  GPV",
            _ => "  PCV",
        },
    }
}

fn write_banner(out: &mut impl Write) -> io::Result<()> {
    let stars = "*".repeat(66);
    writeln!(out, "  {stars}")?;
    for line in [
        "P I P E N E T",
        "Hydraulic and Water Quality",
        "Analysis for Pipe Networks",
        "(an EPANET 2.3 style report)",
    ] {
        writeln!(out, "  *{line:^64}*")?;
    }
    writeln!(out, "  {stars}")?;
    writeln!(out, "  ")
}

/// "All", "No" or "Selected", as EPANET's summary says which elements are reported.
fn selection_word(ids: &[String]) -> &'static str {
    match ids.first().map(|s| s.to_ascii_uppercase()) {
        None => "No",
        Some(s) if s == "ALL" => "All",
        Some(s) if s == "NONE" => "No",
        Some(_) => "Selected",
    }
}

/// The indices of the elements `[REPORT] NODES`/`LINKS` asks for, in network order.
fn selection<'a>(ids: &[String], all: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let every = ids.iter().any(|s| s.eq_ignore_ascii_case("ALL"));
    all.enumerate()
        .filter(|(_, id)| every || ids.iter().any(|s| s == id))
        .map(|(i, _)| i)
        .collect()
}

/// A report field: its name, whether EPANET reports it by default, and
/// its decimals.
#[derive(Debug, Clone)]
struct Field {
    name: &'static str,
    /// The column head (the chemical's name for quality).
    label: String,
    units: String,
    precision: usize,
}

/// A field a table can show, as EPANET defines it.
struct FieldSpec {
    name: &'static str,
    /// Shown unless `[REPORT]` says `NAME NO`.
    on: bool,
    /// Decimals unless `[REPORT]` says `NAME PRECISION n`.
    precision: usize,
    /// Whether `[REPORT]` lines reach the field: EPANET matches a keyword
    /// with the first field of that name, so `Quality YES|NO|PRECISION`
    /// sets the node quality column and never shows the link's.
    settable: bool,
}

const fn spec(name: &'static str, on: bool, precision: usize, settable: bool) -> FieldSpec {
    FieldSpec {
        name,
        on,
        precision,
        settable,
    }
}

/// Node fields in EPANET's column order.
const NODE_FIELDS: &[FieldSpec] = &[
    spec("Elevation", false, 2, true),
    spec("Demand", true, 2, true),
    spec("Head", true, 2, true),
    spec("Pressure", true, 2, true),
    spec("Quality", true, 2, true),
];

/// Link fields in EPANET's column order (EPANET's link status field sits
/// between quality and setting, but `STATUS` in `[REPORT]` is the status
/// log's keyword, so it is never shown).
const LINK_FIELDS: &[FieldSpec] = &[
    spec("Length", false, 2, true),
    spec("Diameter", false, 2, true),
    spec("Flow", true, 2, true),
    spec("Velocity", true, 2, true),
    spec("Headloss", true, 2, true),
    spec("Quality", false, 2, false),
    spec("Setting", false, 2, true),
    spec("Reaction", false, 2, true),
    spec("F-Factor", false, 3, true),
];

/// The fields to report: defaults, changed by `[REPORT]` lines `FIELD
/// YES|NO` and `FIELD PRECISION n`.
fn fields(net: &Network, table: &[FieldSpec]) -> Vec<Field> {
    let mut out = Vec::new();
    for spec in table {
        let name = spec.name;
        let mut on = spec.on;
        let mut precision = spec.precision;
        for line in net.report.other_lines.iter().filter(|_| spec.settable) {
            let mut words = line.split_whitespace();
            let Some(first) = words.next() else { continue };
            if !first.eq_ignore_ascii_case(name) {
                continue;
            }
            match words.next().map(str::to_ascii_uppercase).as_deref() {
                Some("YES") => on = true,
                Some("NO") => on = false,
                Some("PRECISION") => {
                    if let Some(p) = words.next().and_then(|w| w.parse().ok()) {
                        precision = p;
                    }
                }
                _ => {}
            }
        }
        if name == "Quality" && quality_label(net).is_none() {
            on = false;
        }
        if on {
            let (label, units) = match (name, quality_label(net)) {
                ("Quality", Some((label, units))) => (label, units),
                _ => (name.to_string(), field_units(net, name)),
            };
            out.push(Field {
                name,
                label,
                units,
                precision,
            });
        }
    }
    out
}

/// A field's units as EPANET heads its column: the reaction rate's are the
/// chemical's per day, and blank for other analyses.
fn field_units(net: &Network, name: &str) -> String {
    if name == "Reaction" {
        return match &net.options.quality.kind {
            QualityKind::Chemical { units, .. } => format!("{units}/day"),
            _ => String::new(),
        };
    }
    let si = net.options.flow_units.is_si();
    let units = match name {
        "Elevation" | "Head" | "Length" => {
            if si {
                "m"
            } else {
                "ft"
            }
        }
        "Diameter" => {
            if si {
                "mm"
            } else {
                "in"
            }
        }
        "Demand" | "Flow" => super::text::flow_unit_label(net.options.flow_units),
        "Pressure" => match net.options.pressure_units {
            crate::network::units::PressureUnits::Psi => "PSI",
            crate::network::units::PressureUnits::Kpa => "kPa",
            crate::network::units::PressureUnits::Meters => "m",
            crate::network::units::PressureUnits::Bar => "bar",
            crate::network::units::PressureUnits::Feet => "ft",
        },
        "Velocity" => {
            if si {
                "m/s"
            } else {
                "fps"
            }
        }
        "Headloss" => {
            if si {
                "/1000m"
            } else {
                "/1000ft"
            }
        }
        _ => "",
    };
    units.to_string()
}

/// One table of node or link (`what`) results: a title, column heads with
/// units, rows of `id value value ...  Kind`.
fn write_table<'r>(
    out: &mut impl Write,
    title: &str,
    what: &str,
    fields: &[Field],
    rows: impl Iterator<Item = (&'r str, Vec<f64>, &'static str)>,
) -> io::Result<()> {
    let rule = "-".repeat(16 + 10 * fields.len());
    writeln!(out, "  {title}")?;
    writeln!(out, "  {rule}")?;
    let mut heads = format!("  {:<15}", "");
    let mut units = format!("  {what:<15}");
    for f in fields {
        heads += &format!("{:>10}", f.label);
        units += &format!("{:>10}", f.units);
    }
    writeln!(out, "{heads}")?;
    writeln!(out, "{units}")?;
    writeln!(out, "  {rule}")?;
    for (id, values, suffix) in rows {
        let mut line = format!("  {id:<15}");
        for (v, f) in values.iter().zip(fields) {
            line += &format!("{:>10.*}", f.precision, v);
        }
        writeln!(out, "{line}{suffix}")?;
    }
    writeln!(out, "   ")?;
    writeln!(out, "   ")
}

/// EPANET's "Water Quality Mass Balance" block.
fn mass_balance_text(net: &Network, mass: &MassBalance, segments: usize) -> String {
    let (unit, scale) = match &net.options.quality.kind {
        QualityKind::Chemical { units, .. } => {
            (units.split('/').next().unwrap_or("mg").to_string(), 1.0)
        }
        QualityKind::Age => ("hrs".to_string(), 1.0 / M3_PER_FT3),
        // EPANET 2.3.5 labels a trace's balance in mg too (Net3).
        _ => ("mg".to_string(), 1.0 / M3_PER_FT3),
    };
    let rule = format!("  {}\n", "=".repeat(32));
    let mut out = format!("  Water Quality Mass Balance ({unit})\n");
    out += &rule;
    for (label, value) in [
        ("Initial Mass:", mass.initial),
        ("Mass Inflow:", mass.inflow),
        ("Mass Outflow:", mass.outflow),
        ("Mass Reacted:", mass.reacted),
        ("Final Mass:", mass.final_mass),
    ] {
        out += &format!("  {label:<20}{}\n", c_exponent(value * scale, 5));
    }
    out += &format!("  {:<20}{:.5}\n", "Mass Ratio:", mass.ratio());
    out += &format!("  {:<20}{segments}\n", "Total Segments:");
    out += &rule;
    out
}

/// A number as C's `%.Ne` writes it: `7.47582e+06`.
pub fn c_exponent(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$e}");
    let Some((mantissa, exponent)) = s.split_once('e') else {
        return s;
    };
    let e: i32 = exponent.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", e.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_are_written_as_c_writes_them() {
        assert_eq!(c_exponent(7.475_82e6, 5), "7.47582e+06");
        assert_eq!(c_exponent(-1.5e-3, 2), "-1.50e-03");
        assert_eq!(c_exponent(0.0, 5), "0.00000e+00");
    }

    #[test]
    fn report_selection_follows_all_none_and_ids() {
        let ids = ["a", "b", "c"];
        assert_eq!(selection(&["ALL".into()], ids.into_iter()), vec![0, 1, 2]);
        assert!(selection(&["NONE".into()], ids.into_iter()).is_empty());
        assert_eq!(
            selection(&["c".into(), "a".into()], ids.into_iter()),
            vec![0, 2]
        );
        assert_eq!(selection_word(&[]), "No");
    }
}
