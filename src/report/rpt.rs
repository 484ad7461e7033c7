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
use super::warnings::{PeriodWarnings, Trials, WarningWriter};
use super::{link_values, node_values, QualitySnapshot, Results, Snapshot};
use crate::hydraulics::{
    ControlCause, EnergySummary, Event, FlowBalance, HydraulicState, LinkStatus, SolveOutcome,
    TimeSteps,
};
use crate::network::units::{M3_PER_FT3, M_PER_FT};
use crate::network::{
    DemandModel, HeadlossFormula, InitialStatus, LinkKind, Network, NodeKind, QualityKind,
    Statistic, ValveType,
};
use crate::quality::MassBalance;

/// Net tank inflow below which EPANET calls a tank closed, 0.001 cfs.
const CLOSED_TANK_FLOW_M3S: f64 = 0.001 * M3_PER_FT3;

/// Shortfall of a junction's delivered demand below the demand asked
/// above which EPANET counts the junction as pressure deficient, 0.0001 cfs.
const DEFICIENT_FLOW_M3S: f64 = 1e-4 * M3_PER_FT3;

/// How close to its maximum level a filling tank that may overflow is
/// called overflowing, m (0.001 ft).
const OVERFLOW_LEVEL_M: f64 = 0.001 * M_PER_FT;

/// The note the report puts in its status log when `[REPORT] STATUS FULL`
/// asks for EPANET's trial-by-trial log.
pub const FULL_STATUS_NOTE: &str = "NOTE: pipenet writes the status log of STATUS YES; \
     it does not write the trial-by-trial log that STATUS FULL asks for.";

/// What a tank or reservoir is doing, for the status log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TankFlow {
    Closed,
    Filling,
    Emptying,
    Overflowing,
}

/// The hydraulic status log and warnings of a run, period by period.
#[derive(Debug, Clone)]
pub struct StatusLog<'n> {
    net: &'n Network,
    /// Whether `[REPORT] STATUS` asks for the log (warnings are kept anyway).
    with_status: bool,
    /// Whether `[REPORT] STATUS FULL` asks for the trial log as well.
    full: bool,
    /// Whether `[REPORT] MESSAGES` lets warnings be written (EPANET's default).
    with_messages: bool,
    /// The log's lines, each without the report's left margin.
    lines: Vec<String>,
    tank_flow: Vec<Option<TankFlow>>,
    link_status: Vec<LinkStatus>,
    events_seen: usize,
    warnings: WarningWriter,
}

impl<'n> StatusLog<'n> {
    /// An empty log for a run of `net` with this quality analysis.
    pub fn new(net: &'n Network, _quality: &QualityKind) -> Self {
        let status = net
            .report
            .status
            .as_deref()
            .unwrap_or("")
            .to_ascii_uppercase();
        StatusLog {
            net,
            with_status: status.starts_with('Y') || status.starts_with('F'),
            full: status.starts_with('F'),
            with_messages: messages_allowed(net),
            lines: Vec::new(),
            tank_flow: vec![None; net.nodes.len()],
            link_status: net.links.iter().map(initial_status).collect(),
            events_seen: 0,
            warnings: WarningWriter::default(),
        }
    }

    /// Whether `[REPORT] STATUS FULL` asked for EPANET's trial-by-trial log,
    /// which pipenet does not write (the report says so in a note line).
    pub fn asks_for_trial_log(&self) -> bool {
        self.full
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
        let trials = Trials::of(self.net, outcome);
        block.push(if trials.balanced {
            format!("{at:>10}: Balanced after {} trials", trials.count)
        } else {
            format!(
                "{at:>10}: Unbalanced after {} trials (flow change = {:.6})",
                trials.count, outcome.relative_error
            )
        });
        if let Some(line) = self.deficit_line(state) {
            block.push(line);
        }
        self.tank_lines(&at, state, &mut block);
        self.link_lines(&at, time_s, state, &mut block);
        if self.with_status {
            self.lines.append(&mut block);
            self.lines.push(" ".into());
        }
        let period = PeriodWarnings {
            at: &at,
            outcome,
            state,
        };
        let mut warned = self.warnings.lines(self.net, &period, strained);
        if self.with_messages {
            self.lines.append(&mut warned);
        }
    }

    fn control_line(&self, at: &str, link: usize, cause: ControlCause) -> String {
        let l = &self.net.links[link];
        let by = match cause {
            ControlCause::Node(i) => {
                let n = &self.net.nodes[i];
                format!("{} {} control", node_kind_name(&n.kind), n.id)
            }
            ControlCause::Time => "timer control".into(),
            // EPANET words time-of-day controls as timers too.
            ControlCause::ClockTime => "timer control".into(),
            ControlCause::Rule(r) => format!("rule {}", self.net.rules[r].id),
        };
        format!("{at:>10}: {} {} changed by {by}", link_word(l), l.id)
    }

    /// Under pressure-driven analysis, EPANET's line on the junctions that
    /// received less than they asked for (by more than 0.0001 cfs) and the
    /// share of their demand they went without.
    fn deficit_line(&self, state: &HydraulicState) -> Option<String> {
        if self.net.options.demand_model != DemandModel::Pda {
            return None;
        }
        let (mut count, mut asked, mut missing) = (0usize, 0.0, 0.0);
        for (i, node) in self.net.nodes.iter().enumerate() {
            let full = state.full_demand_m3s[i];
            if !node.is_junction() || full <= 0.0 {
                continue;
            }
            let shortfall = full - state.demand_flow_m3s[i];
            if shortfall > DEFICIENT_FLOW_M3S {
                count += 1;
                asked += full;
                missing += shortfall;
            }
        }
        let percent = 100.0 * missing / asked;
        match count {
            0 => None,
            1 => Some(format!(
                "{:12}1 node had its demand reduced by a total of {percent:.2}%",
                ""
            )),
            n => Some(format!(
                "{:12}{n} nodes had demands reduced by a total of {percent:.2}%",
                ""
            )),
        }
    }

    fn tank_lines(&mut self, at: &str, state: &HydraulicState, block: &mut Vec<String>) {
        let u = self.net.units();
        for (i, node) in self.net.nodes.iter().enumerate() {
            if node.is_junction() {
                continue;
            }
            let q = state.node_demand_m3s[i];
            let level_m = state.head_m[i] - node.elevation_m;
            let flow = if q.abs() < CLOSED_TANK_FLOW_M3S {
                TankFlow::Closed
            } else if q < 0.0 {
                TankFlow::Emptying
            } else {
                match &node.kind {
                    NodeKind::Tank(t)
                        if t.can_overflow && level_m >= t.max_level_m - OVERFLOW_LEVEL_M =>
                    {
                        TankFlow::Overflowing
                    }
                    _ => TankFlow::Filling,
                }
            };
            if self.tank_flow[i] == Some(flow) {
                continue;
            }
            self.tank_flow[i] = Some(flow);
            let word = match flow {
                TankFlow::Closed => "closed",
                TankFlow::Filling => "filling",
                TankFlow::Emptying => "emptying",
                TankFlow::Overflowing => "overflowing",
            };
            block.push(match node.kind {
                NodeKind::Tank(_) => format!(
                    "{at:>10}: Tank {} is {word} at {:.2} {}",
                    node.id,
                    level_m / u.length,
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
                format!("{at:>10}: {} {} {}", link_word(l), l.id, status_text(now))
            } else {
                format!(
                    "{at:>10}: {} {} changed from {} to {}",
                    link_word(l),
                    l.id,
                    status_text(was),
                    status_text(now)
                )
            });
            self.link_status[k] = now;
        }
    }
}

/// Whether `[REPORT] MESSAGES` lets warnings into the report (EPANET
/// matches the keyword on its first four letters; YES by default).
fn messages_allowed(net: &Network) -> bool {
    !net.report.other_lines.iter().any(|line| {
        let mut words = line.split_whitespace().map(str::to_ascii_uppercase);
        let key = words.next().unwrap_or_default();
        key.len() >= 4 && "MESSAGES".starts_with(&key) && words.next().as_deref() == Some("NO")
    })
}

/// EPANET's word for a link in the status log: its type, "CV" for a pipe
/// with a check valve.
fn link_word(link: &crate::network::Link) -> &'static str {
    match &link.kind {
        LinkKind::Pipe(p) if p.check_valve => "CV",
        _ => link.kind_name(),
    }
}

/// A link's status before the first period, as EPANET starts it: a
/// general-purpose valve open, another valve active unless `[STATUS]`
/// fixes it open or closed, pipes and pumps open unless closed.
fn initial_status(link: &crate::network::Link) -> LinkStatus {
    match (&link.kind, link.initial_status) {
        (_, InitialStatus::Closed) => LinkStatus::Closed,
        (LinkKind::Valve(v), _) if v.valve_type == ValveType::Gpv => LinkStatus::Open,
        (_, InitialStatus::Active) => LinkStatus::Active,
        _ => LinkStatus::Open,
    }
}

/// EPANET's words for a link status in the status log.
pub(crate) fn status_text(s: LinkStatus) -> &'static str {
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
            if self.status.full {
                writeln!(out, "  {FULL_STATUS_NOTE}")?;
            }
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
        for (label, value) in self.summary_rows() {
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
        writeln!(
            out,
            "         {} Nodes",
            Selection::of(&net.report.nodes).word()
        )?;
        writeln!(
            out,
            "         {} Links",
            Selection::of(&net.report.links).word()
        )?;
        writeln!(out, "   ")
    }

    /// The summary's rows, label and value, in EPANET's order.
    fn summary_rows(&self) -> Vec<(&'static str, String)> {
        let net = self.network;
        let o = &net.options;
        let count = |f: fn(&NodeKind) -> bool| net.nodes.iter().filter(|n| f(&n.kind)).count();
        let lcount = |f: fn(&LinkKind) -> bool| net.links.iter().filter(|l| f(&l.kind)).count();
        // The steps the run used, after EPANET's rules, not the file's.
        let steps = TimeSteps::new(&net.times);
        // EPANET states times in minutes when the hydraulic step is under
        // half an hour, else in hours.
        let time = |s: u64| {
            if steps.hydraulic_s < 1800 {
                format!("{:.2} min", s as f64 / 60.0)
            } else {
                format!("{:.2} hrs", s as f64 / 3600.0)
            }
        };
        let mut rows: Vec<(&'static str, String)> = vec![
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
            ("Headloss Formula", headloss_name(o.headloss).into()),
            (
                "Nodal Demand Model",
                match o.demand_model {
                    DemandModel::Dda => "DDA",
                    DemandModel::Pda => "PDA",
                }
                .into(),
            ),
            ("Hydraulic Timestep", time(steps.hydraulic_s)),
            ("Hydraulic Accuracy", format!("{:.6}", o.accuracy)),
        ];
        let u = net.units();
        if o.head_error_m > 0.0 {
            let unit = o.flow_units.length_unit();
            rows.push((
                "Headloss Error Limit",
                format!("{:.6} {unit}", o.head_error_m / u.length),
            ));
        }
        if o.flow_change_m3s > 0.0 {
            let unit = super::text::flow_unit_label(o.flow_units);
            rows.push((
                "Flow Change Limit",
                format!("{:.6} {unit}", o.flow_change_m3s / u.flow),
            ));
        }
        rows.extend([
            ("Status Check Frequency", o.check_freq.to_string()),
            ("Maximum Trials Checked", o.max_check.to_string()),
            ("Damping Limit Threshold", format!("{:.6}", o.damp_limit)),
            ("Maximum Trials", o.trials.to_string()),
        ]);
        rows.extend(self.quality_rows(&steps));
        let ft2 = M_PER_FT * M_PER_FT;
        rows.extend([
            ("Specific Gravity", format!("{:.2}", o.specific_gravity)),
            (
                "Relative Kinematic Viscosity",
                format!("{:.2}", o.viscosity_m2s / (1.1e-5 * ft2)),
            ),
            (
                "Relative Chemical Diffusivity",
                format!("{:.2}", o.quality.diffusivity_m2s / (1.3e-8 * ft2)),
            ),
            ("Demand Multiplier", format!("{:.2}", o.demand_multiplier)),
            ("Total Duration", time(net.times.duration_s)),
        ]);
        rows
    }

    /// The summary's quality rows: the analysis, and its time step and
    /// tolerance. EPANET states no analysis for a single-period run (it
    /// reports the initial qualities there).
    fn quality_rows(&self, steps: &TimeSteps) -> Vec<(&'static str, String)> {
        let net = self.network;
        // The summary names an analysis differently from the tables' heads.
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
        let Some((analysis, units)) = analysis else {
            return vec![("Quality Analysis", "None".into())];
        };
        vec![
            ("Quality Analysis", analysis),
            (
                "Water Quality Time Step",
                format!("{:.2} min", steps.quality_s as f64 / 60.0),
            ),
            (
                "Water Quality Tolerance",
                format!("{:.2} {units}", net.options.quality.tolerance),
            ),
        ]
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
        let nodes: Vec<usize> =
            Selection::of(&net.report.nodes).indices(net.nodes.iter().map(|n| n.id.as_str()));
        // EPANET checks every field, shown or not, against its report limits.
        let nodes: Vec<usize> = nodes
            .into_iter()
            .filter(|&i| {
                within_report_limits(NODE_FIELDS.iter().map(|f| values.node(net, f.name, i)))
            })
            .collect();
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
        let links: Vec<usize> =
            Selection::of(&net.report.links).indices(net.links.iter().map(|l| l.id.as_str()));
        // Every link field but the length, as EPANET checks them, and but
        // the friction factor: where the head loss is nil it is rounding
        // noise over a tiny flow squared, and pipenet's noise is not
        // EPANET's (a 2e10 in pipe's factor is 0 in EPANET, 1e25 here).
        let links: Vec<usize> = links
            .into_iter()
            .filter(|&k| {
                let checked = LINK_FIELDS
                    .iter()
                    .filter(|f| f.name != "Length" && f.name != "F-Factor");
                within_report_limits(checked.map(|f| values.link(net, f.name, k)))
            })
            .collect();
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

/// EPANET's name for a head-loss formula.
fn headloss_name(formula: HeadlossFormula) -> &'static str {
    match formula {
        HeadlossFormula::HazenWilliams => "Hazen-Williams",
        HeadlossFormula::DarcyWeisbach => "Darcy-Weisbach",
        HeadlossFormula::ChezyManning => "Chezy-Manning",
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

/// Which elements `[REPORT] NODES` or `LINKS` lines ask for. Read in
/// order, as EPANET reads them: `ALL` asks for every element and `NONE`
/// for none, each overriding the lines before; ids ask for those elements,
/// and ids of every such line are kept.
#[derive(Debug, Clone, PartialEq)]
enum Selection<'a> {
    None,
    All,
    Ids(Vec<&'a str>),
}

impl<'a> Selection<'a> {
    fn of(entries: &'a [String]) -> Self {
        let is = |entry: &str, word: &str| {
            entry.len() >= word.len() && entry[..word.len()].eq_ignore_ascii_case(word)
        };
        let mut ids = Vec::new();
        let mut selection = Selection::None;
        for entry in entries {
            if is(entry, "ALL") {
                selection = Selection::All;
            } else if is(entry, "NONE") {
                selection = Selection::None;
            } else {
                ids.push(entry.as_str());
                selection = Selection::Ids(Vec::new());
            }
        }
        match selection {
            Selection::Ids(_) => Selection::Ids(ids),
            other => other,
        }
    }

    /// "All", "No" or "Selected", as EPANET's summary says which elements are reported.
    fn word(&self) -> &'static str {
        match self {
            Selection::None => "No",
            Selection::All => "All",
            Selection::Ids(_) => "Selected",
        }
    }

    /// The indices of the elements asked for, in network order.
    fn indices<'b>(&self, all: impl Iterator<Item = &'b str>) -> Vec<usize> {
        all.enumerate()
            .filter(|(_, id)| match self {
                Selection::None => false,
                Selection::All => true,
                Selection::Ids(ids) => ids.contains(id),
            })
            .map(|(i, _)| i)
            .collect()
    }
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
        // EPANET heads pressures with its keywords in capitals.
        "Pressure" => match net.options.pressure_units {
            crate::network::units::PressureUnits::Psi => "PSI",
            crate::network::units::PressureUnits::Kpa => "KPA",
            crate::network::units::PressureUnits::Meters => "METERS",
            crate::network::units::PressureUnits::Bar => "BAR",
            crate::network::units::PressureUnits::Feet => "FEET",
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

/// EPANET's default report limits: a table row with a value above
/// `REPORT_LIMIT` or below its negative is left out (EPANET's `BIG`
/// squared, 1e20, in the file's units; `[REPORT]` BELOW/ABOVE limits are
/// not read).
const REPORT_LIMIT: f64 = 1e20;

/// Whether every value of a row is within EPANET's default report limits,
/// so that EPANET writes the row (its `checklimits`).
fn within_report_limits(mut values: impl Iterator<Item = f64>) -> bool {
    // EPANET's comparisons leave a NaN in the table.
    values.all(|v| v.is_nan() || (-REPORT_LIMIT..=REPORT_LIMIT).contains(&v))
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
        let mut line = format!("  {}", padded_id(id));
        for (v, f) in values.iter().zip(fields) {
            // EPANET writes magnitudes above a million in exponent form.
            if v.abs() > 1e6 {
                line += &format!("{:>10}", c_exponent(*v, 2));
            } else {
                line += &format!("{:>10.*}", f.precision, v);
            }
        }
        writeln!(out, "{line}{suffix}")?;
    }
    writeln!(out, "   ")?;
    writeln!(out, "   ")
}

/// An id padded to EPANET's 15 columns. EPANET counts bytes, so an id
/// with characters beyond ASCII gets fewer spaces than characters would.
fn padded_id(id: &str) -> String {
    format!("{id}{}", " ".repeat(15usize.saturating_sub(id.len())))
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
    fn report_selection_follows_all_none_and_ids_in_order() {
        let ids = ["a", "b", "c"];
        let of = |entries: &[&str]| entries.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let all = of(&["ALL"]);
        assert_eq!(Selection::of(&all).indices(ids.into_iter()), vec![0, 1, 2]);
        let none = of(&["NONE"]);
        assert!(Selection::of(&none).indices(ids.into_iter()).is_empty());
        let some = of(&["c", "a"]);
        assert_eq!(Selection::of(&some).indices(ids.into_iter()), vec![0, 2]);
        assert_eq!(Selection::of(&[]).word(), "No");
        // examples/example3.inp with NODES ALL put before its own NODES
        // NONE: EPANET 2.3.5 reports no node ("No Nodes").
        let overridden = of(&["All", "None"]);
        assert_eq!(Selection::of(&overridden).word(), "No");
        let back = of(&["b", "NONE", "a"]);
        assert_eq!(Selection::of(&back).indices(ids.into_iter()), vec![0, 1]);
    }
}
