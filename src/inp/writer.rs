//! Writing a [`Network`] as an EPANET 2.3 `.inp` file in the network's own units.
//!
//! Every SI value is turned back into the file's units with the same factor
//! the reader multiplied it by; where division is inexact the neighbouring
//! floats are tried, so that reading the written file gives bit-identical
//! SI values. Numbers are printed in the shortest form that reads back exactly.

use std::fmt::{self, Write as _};
use std::path::Path;

use crate::network::units::{UnitSystem, M_PER_FT};
use crate::network::{
    Control, ControlCondition, CurveKind, DemandModel, HeadlossFormula, InitialStatus, Link,
    LinkKind, LinkStatusSetting, MixingModel, Network, NodeKind, PumpModel, QualityKind, Rule,
    RuleAttribute, RuleObject, RuleOperator, RuleValue, SourceKind, Statistic, Unbalanced,
    ValveType,
};

use super::links::{roughness_factor, valve_setting_factor};
use super::settings::{DIFFUSIVITY_FT2S, VISCOSITY_FT2S};
use super::times::format_hms;

/// Writes the network to a file (see [`write_string`]).
pub fn write_file(network: &Network, path: &Path) -> std::io::Result<()> {
    std::fs::write(path, write_string(network))
}

/// The network as `.inp` text in its own units, readable by EPANET 2.3 and
/// by [`super::read_str`], which gives back an equal network.
pub fn write_string(network: &Network) -> String {
    let mut w = Writer {
        net: network,
        units: network.units(),
        out: String::with_capacity(1 << 16),
    };
    // Writing to a String cannot fail.
    let _ = w.write_all();
    w.out
}

struct Writer<'a> {
    net: &'a Network,
    units: UnitSystem,
    out: String,
}

/// A number printed so that it reads back exactly: the shortest decimal,
/// with an exponent when very large or small.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if a == 0.0 || (1e-5..1e15).contains(&a) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

/// An id, quoted if it contains blanks.
struct Id<'a>(&'a str);

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains([' ', '\t']) {
            write!(f, "\"{}\"", self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

/// The file value `x` with `x * factor == si` exactly, if one is near `si / factor`.
fn file_value(si: f64, factor: f64) -> Num {
    if factor == 1.0 || !si.is_finite() || si == 0.0 {
        return Num(si);
    }
    let guess = si / factor;
    let (mut below, mut above) = (guess, guess);
    for _ in 0..16 {
        if below * factor == si {
            return Num(below);
        }
        if above * factor == si {
            return Num(above);
        }
        below = step(below, -1);
        above = step(above, 1);
    }
    Num(guess)
}

/// The neighbouring float of a finite non-zero `x`, up (`+1`) or down (`-1`).
fn step(x: f64, direction: i64) -> f64 {
    let bits = x.to_bits() as i64;
    let away_from_zero = (x > 0.0) == (direction > 0);
    f64::from_bits(if away_from_zero { bits + 1 } else { bits - 1 } as u64)
}

impl Writer<'_> {
    fn write_all(&mut self) -> fmt::Result {
        self.title()?;
        self.junctions()?;
        self.storage()?;
        self.links()?;
        self.demands()?;
        self.status()?;
        self.patterns()?;
        self.curves()?;
        self.controls()?;
        self.rules()?;
        self.energy()?;
        self.emitters()?;
        self.quality()?;
        self.sources()?;
        self.reactions()?;
        self.mixing()?;
        self.leakage()?;
        self.times()?;
        self.report()?;
        self.options()?;
        self.coordinates()?;
        self.vertices()?;
        self.tags()?;
        self.verbatim("LABELS", &self.net.labels)?;
        self.verbatim("BACKDROP", &self.net.backdrop)?;
        writeln!(self.out, "[END]")
    }

    fn header(&mut self, name: &str) -> fmt::Result {
        writeln!(self.out, "[{name}]")
    }

    fn comment(&mut self, comment: Option<&str>) -> fmt::Result {
        match comment {
            Some(c) => writeln!(self.out, " ;{c}"),
            None => writeln!(self.out),
        }
    }

    fn title(&mut self) -> fmt::Result {
        self.header("TITLE")?;
        for line in &self.net.title {
            writeln!(self.out, "{line}")?;
        }
        writeln!(self.out)
    }

    fn junctions(&mut self) -> fmt::Result {
        self.header("JUNCTIONS")?;
        let u = self.units;
        for node in &self.net.nodes {
            let NodeKind::Junction(j) = &node.kind else {
                continue;
            };
            write!(
                self.out,
                "{} {}",
                Id(&node.id),
                file_value(node.elevation_m, u.length)
            )?;
            if let [d] = j.demands.as_slice() {
                if d.category.is_none() {
                    write!(self.out, " {}", file_value(d.base_m3s, u.flow))?;
                    if let Some(p) = d.pattern {
                        write!(self.out, " {}", Id(&self.net.patterns[p.ix()].id))?;
                    }
                }
            }
            self.comment(node.comment())?;
        }
        writeln!(self.out)
    }

    /// Reservoirs and tanks, in their order in the network: a new section
    /// header starts each run of one kind, since EPANET numbers them as read.
    fn storage(&mut self) -> fmt::Result {
        let mut current = "";
        for node in &self.net.nodes {
            let section = match node.kind {
                NodeKind::Junction(_) => continue,
                NodeKind::Reservoir(_) => "RESERVOIRS",
                NodeKind::Tank(_) => "TANKS",
            };
            if section != current {
                self.header(section)?;
                current = section;
            }
            self.storage_node(node)?;
        }
        writeln!(self.out)
    }

    fn storage_node(&mut self, node: &crate::network::Node) -> fmt::Result {
        let u = self.units;
        match &node.kind {
            NodeKind::Junction(_) => return Ok(()),
            NodeKind::Reservoir(res) => {
                write!(
                    self.out,
                    "{} {}",
                    Id(&node.id),
                    file_value(node.elevation_m, u.length)
                )?;
                if let Some(p) = res.head_pattern {
                    write!(self.out, " {}", Id(&self.net.patterns[p.ix()].id))?;
                }
            }
            NodeKind::Tank(t) => {
                let curve = t.volume_curve.map_or("*", |c| &self.net.curves[c.ix()].id);
                write!(
                    self.out,
                    "{} {} {} {} {} {} {} {} {}",
                    Id(&node.id),
                    file_value(node.elevation_m, u.length),
                    file_value(t.initial_level_m, u.length),
                    file_value(t.min_level_m, u.length),
                    file_value(t.max_level_m, u.length),
                    file_value(t.diameter_m, u.length),
                    file_value(t.min_volume_m3, u.volume),
                    Id(curve),
                    if t.can_overflow { "YES" } else { "NO" },
                )?;
            }
        }
        self.comment(node.comment())
    }

    /// Pipes, pumps and valves in their order in the network, a new
    /// section header starting each run of one kind.
    fn links(&mut self) -> fmt::Result {
        let mut current = "";
        for link in &self.net.links {
            let section = match link.kind {
                LinkKind::Pipe(_) => "PIPES",
                LinkKind::Pump(_) => "PUMPS",
                LinkKind::Valve(_) => "VALVES",
            };
            if section != current {
                self.header(section)?;
                current = section;
            }
            match &link.kind {
                LinkKind::Pipe(p) => self.pipe(link, p)?,
                LinkKind::Pump(p) => self.pump(link, p)?,
                LinkKind::Valve(v) => self.valve(link, v)?,
            }
            self.comment(link.comment())?;
        }
        writeln!(self.out)
    }

    fn ends(&mut self, link: &Link) -> fmt::Result {
        let from = &self.net.nodes[link.from.ix()].id;
        let to = &self.net.nodes[link.to.ix()].id;
        write!(self.out, "{} {} {}", Id(&link.id), Id(from), Id(to))
    }

    fn pipe(&mut self, link: &Link, p: &crate::network::Pipe) -> fmt::Result {
        let u = self.units;
        let rough = roughness_factor(&u, self.net.options.headloss);
        self.ends(link)?;
        let status = match (p.check_valve, link.initial_status) {
            (true, _) => "CV",
            (false, InitialStatus::Closed) => "CLOSED",
            (false, _) => "OPEN",
        };
        write!(
            self.out,
            " {} {} {} {} {}",
            file_value(p.length_m, u.length),
            file_value(p.diameter_m, u.diameter),
            file_value(p.roughness, rough),
            Num(p.minor_loss),
            status
        )
    }

    fn pump(&mut self, link: &Link, p: &crate::network::Pump) -> fmt::Result {
        self.ends(link)?;
        match p.model {
            PumpModel::HeadCurve(c) => {
                write!(self.out, " HEAD {}", Id(&self.net.curves[c.ix()].id))?
            }
            PumpModel::ConstantPower(kw) => {
                write!(self.out, " POWER {}", file_value(kw, self.units.power))?
            }
        }
        if p.speed != 1.0 {
            write!(self.out, " SPEED {}", Num(p.speed))?;
        }
        if let Some(pat) = p.speed_pattern {
            write!(self.out, " PATTERN {}", Id(&self.net.patterns[pat.ix()].id))?;
        }
        Ok(())
    }

    fn valve(&mut self, link: &Link, v: &crate::network::Valve) -> fmt::Result {
        let u = self.units;
        self.ends(link)?;
        write!(
            self.out,
            " {} {} ",
            file_value(v.diameter_m, u.diameter),
            v.valve_type.keyword()
        )?;
        let curve_id = v.curve.map(|c| self.net.curves[c.ix()].id.as_str());
        match (v.valve_type, curve_id) {
            (ValveType::Gpv, Some(c)) => write!(self.out, "{}", Id(c))?,
            _ => write!(
                self.out,
                "{}",
                file_value(v.setting, valve_setting_factor(&u, v.valve_type))
            )?,
        }
        write!(self.out, " {}", Num(v.minor_loss))?;
        if let (ValveType::Pcv, Some(c)) = (v.valve_type, curve_id) {
            write!(self.out, " {}", Id(c))?;
        }
        Ok(())
    }

    fn demands(&mut self) -> fmt::Result {
        self.header("DEMANDS")?;
        for node in &self.net.nodes {
            let NodeKind::Junction(j) = &node.kind else {
                continue;
            };
            let on_junction_line = j.demands.len() == 1 && j.demands[0].category.is_none();
            if on_junction_line {
                continue;
            }
            for d in &j.demands {
                write!(
                    self.out,
                    "{} {}",
                    Id(&node.id),
                    file_value(d.base_m3s, self.units.flow)
                )?;
                match d.pattern {
                    Some(p) => write!(self.out, " {}", Id(&self.net.patterns[p.ix()].id))?,
                    None if d.category.is_some() => write!(self.out, " *")?,
                    None => {}
                }
                self.comment(d.category.as_deref())?;
            }
        }
        writeln!(self.out)
    }

    fn status(&mut self) -> fmt::Result {
        self.header("STATUS")?;
        for link in &self.net.links {
            let status = match (&link.kind, link.initial_status) {
                (LinkKind::Pipe(_), _) => None,
                (LinkKind::Pump(_), InitialStatus::Closed) => Some("CLOSED"),
                (LinkKind::Pump(_), _) => None,
                (LinkKind::Valve(_), InitialStatus::Open) => Some("OPEN"),
                (LinkKind::Valve(_), InitialStatus::Closed) => Some("CLOSED"),
                (LinkKind::Valve(_), InitialStatus::Active) => None,
            };
            if let Some(status) = status {
                writeln!(self.out, "{} {status}", Id(&link.id))?;
            }
        }
        writeln!(self.out)
    }

    fn patterns(&mut self) -> fmt::Result {
        self.header("PATTERNS")?;
        for p in &self.net.patterns {
            if p.multipliers.is_empty() {
                writeln!(self.out, "{}", Id(&p.id))?;
            }
            for chunk in p.multipliers.chunks(12) {
                write!(self.out, "{}", Id(&p.id))?;
                for m in chunk {
                    write!(self.out, " {}", Num(*m))?;
                }
                writeln!(self.out)?;
            }
        }
        writeln!(self.out)
    }

    fn curves(&mut self) -> fmt::Result {
        self.header("CURVES")?;
        let u = self.units;
        for c in &self.net.curves {
            let (fx, fy, keyword) = match c.kind {
                CurveKind::Generic => (1.0, 1.0, ""),
                CurveKind::Valve => (1.0, 1.0, " VALVE"),
                CurveKind::Pump => (u.flow, u.length, " PUMP"),
                CurveKind::Headloss => (u.flow, u.length, " HEADLOSS"),
                CurveKind::Efficiency => (u.flow, 1.0, " EFFIC"),
                CurveKind::Volume => (u.length, u.volume, " VOLUME"),
            };
            for &(x, y) in &c.points {
                writeln!(
                    self.out,
                    "{} {} {}{keyword}",
                    Id(&c.id),
                    file_value(x, fx),
                    file_value(y, fy)
                )?;
            }
        }
        writeln!(self.out)
    }

    /// A link status or setting in the file's units.
    fn setting(&self, link: &Link, status: LinkStatusSetting) -> String {
        match status {
            LinkStatusSetting::Open => "OPEN".to_string(),
            LinkStatusSetting::Closed => "CLOSED".to_string(),
            LinkStatusSetting::Setting(value) => match &link.kind {
                LinkKind::Valve(v) => {
                    file_value(value, valve_setting_factor(&self.units, v.valve_type)).to_string()
                }
                _ => Num(value).to_string(),
            },
        }
    }

    fn controls(&mut self) -> fmt::Result {
        self.header("CONTROLS")?;
        for c in &self.net.controls {
            let line = self.control_line(c);
            writeln!(self.out, "{line}")?;
        }
        writeln!(self.out)
    }

    fn control_line(&self, c: &Control) -> String {
        let link = self.net.link(c.action.link);
        let mut line = format!(
            "LINK {} {}",
            Id(&link.id),
            self.setting(link, c.action.status)
        );
        let threshold = |node: crate::network::NodeIx, value: f64| {
            let factor = match self.net.node(node).kind {
                NodeKind::Junction(_) => self.units.pressure,
                _ => self.units.length,
            };
            file_value(value, factor)
        };
        let condition = match c.condition {
            ControlCondition::NodeAbove { node, threshold: v } => {
                format!(
                    " IF NODE {} ABOVE {}",
                    Id(&self.net.node(node).id),
                    threshold(node, v)
                )
            }
            ControlCondition::NodeBelow { node, threshold: v } => {
                format!(
                    " IF NODE {} BELOW {}",
                    Id(&self.net.node(node).id),
                    threshold(node, v)
                )
            }
            ControlCondition::AtTime { time_s } => format!(" AT TIME {}", format_hms(time_s)),
            ControlCondition::AtClockTime { clock_s } => {
                format!(" AT CLOCKTIME {}", format_hms(clock_s))
            }
        };
        line.push_str(&condition);
        if !c.enabled {
            line.push_str(" DISABLED");
        }
        line
    }

    fn rules(&mut self) -> fmt::Result {
        self.header("RULES")?;
        for rule in &self.net.rules {
            let text = self.rule_text(rule);
            writeln!(self.out, "{text}")?;
        }
        writeln!(self.out)
    }

    fn rule_text(&self, rule: &Rule) -> String {
        let mut s = format!("RULE {}\n", Id(&rule.id));
        for (i, p) in rule.premises.iter().enumerate() {
            let joint = match (i, p.or) {
                (0, _) => "IF",
                (_, true) => "OR",
                (_, false) => "AND",
            };
            let object = match p.object {
                RuleObject::System => "SYSTEM".to_string(),
                RuleObject::Node(n) => format!("NODE {}", Id(&self.net.node(n).id)),
                RuleObject::Link(l) => format!("LINK {}", Id(&self.net.link(l).id)),
            };
            let _ = writeln!(
                s,
                "{joint} {object} {} {} {}",
                attribute_word(p.attribute),
                operator_word(p.operator),
                self.premise_value(p)
            );
        }
        for (word, actions) in [("THEN", &rule.then_actions), ("ELSE", &rule.else_actions)] {
            for (i, a) in actions.iter().enumerate() {
                let link = self.net.link(a.link);
                let what = if matches!(a.status, LinkStatusSetting::Setting(_)) {
                    "SETTING"
                } else {
                    "STATUS"
                };
                let joint = if i == 0 { word } else { "AND" };
                let _ = writeln!(
                    s,
                    "{joint} LINK {} {what} = {}",
                    Id(&link.id),
                    self.setting(link, a.status)
                );
            }
        }
        if rule.priority != 0.0 {
            let _ = writeln!(s, "PRIORITY {}", Num(rule.priority));
        }
        if !rule.enabled {
            let _ = writeln!(s, "DISABLED");
        }
        s
    }

    fn premise_value(&self, p: &crate::network::RulePremise) -> String {
        let u = &self.units;
        let value = match p.value {
            RuleValue::Open => return "OPEN".to_string(),
            RuleValue::Closed => return "CLOSED".to_string(),
            RuleValue::Active => return "ACTIVE".to_string(),
            RuleValue::Number(v) => v,
        };
        let factor = match p.attribute {
            RuleAttribute::Time
            | RuleAttribute::ClockTime
            | RuleAttribute::FillTime
            | RuleAttribute::DrainTime => {
                return format!("{} SEC", Num(value));
            }
            RuleAttribute::Demand | RuleAttribute::Flow => u.flow,
            RuleAttribute::Head | RuleAttribute::Level => u.length,
            RuleAttribute::Pressure => u.pressure,
            RuleAttribute::Power => u.power,
            RuleAttribute::Setting => match p.object {
                RuleObject::Link(l) => match &self.net.link(l).kind {
                    LinkKind::Valve(v) => valve_setting_factor(u, v.valve_type),
                    _ => 1.0,
                },
                _ => 1.0,
            },
            RuleAttribute::Status => 1.0,
        };
        file_value(value, factor).to_string()
    }

    fn energy(&mut self) -> fmt::Result {
        self.header("ENERGY")?;
        let e = &self.net.energy;
        writeln!(self.out, "GLOBAL EFFIC {}", Num(e.global_efficiency))?;
        writeln!(self.out, "GLOBAL PRICE {}", Num(e.global_price))?;
        if let Some(p) = e.global_price_pattern {
            writeln!(
                self.out,
                "GLOBAL PATTERN {}",
                Id(&self.net.patterns[p.ix()].id)
            )?;
        }
        writeln!(self.out, "DEMAND CHARGE {}", Num(e.demand_charge))?;
        for link in &self.net.links {
            let LinkKind::Pump(p) = &link.kind else {
                continue;
            };
            if let Some(c) = p.efficiency_curve {
                writeln!(
                    self.out,
                    "PUMP {} EFFIC {}",
                    Id(&link.id),
                    Id(&self.net.curves[c.ix()].id)
                )?;
            }
            if let Some(price) = p.energy_price {
                writeln!(self.out, "PUMP {} PRICE {}", Id(&link.id), Num(price))?;
            }
            if let Some(pat) = p.price_pattern {
                writeln!(
                    self.out,
                    "PUMP {} PATTERN {}",
                    Id(&link.id),
                    Id(&self.net.patterns[pat.ix()].id)
                )?;
            }
        }
        writeln!(self.out)
    }

    fn emitters(&mut self) -> fmt::Result {
        self.header("EMITTERS")?;
        let factor = self.units.flow / self.units.pressure.powf(self.net.options.emitter_exponent);
        for node in &self.net.nodes {
            if node.emitter_coefficient != 0.0 {
                writeln!(
                    self.out,
                    "{} {}",
                    Id(&node.id),
                    file_value(node.emitter_coefficient, factor)
                )?;
            }
        }
        writeln!(self.out)
    }

    fn quality(&mut self) -> fmt::Result {
        self.header("QUALITY")?;
        for node in &self.net.nodes {
            if node.initial_quality != 0.0 {
                writeln!(self.out, "{} {}", Id(&node.id), Num(node.initial_quality))?;
            }
        }
        writeln!(self.out)
    }

    fn sources(&mut self) -> fmt::Result {
        self.header("SOURCES")?;
        for node in &self.net.nodes {
            let Some(s) = node.source() else { continue };
            let kind = match s.kind {
                SourceKind::Concen => "CONCEN",
                SourceKind::Mass => "MASS",
                SourceKind::Setpoint => "SETPOINT",
                SourceKind::FlowPaced => "FLOWPACED",
            };
            write!(self.out, "{} {kind} {}", Id(&node.id), Num(s.strength))?;
            if let Some(p) = s.pattern {
                write!(self.out, " {}", Id(&self.net.patterns[p.ix()].id))?;
            }
            writeln!(self.out)?;
        }
        writeln!(self.out)
    }

    fn reactions(&mut self) -> fmt::Result {
        self.header("REACTIONS")?;
        let r = &self.net.reactions;
        writeln!(self.out, "ORDER BULK {}", Num(r.bulk_order))?;
        writeln!(self.out, "ORDER WALL {}", Num(r.wall_order))?;
        writeln!(self.out, "ORDER TANK {}", Num(r.tank_order))?;
        writeln!(self.out, "GLOBAL BULK {}", Num(r.global_bulk))?;
        writeln!(self.out, "GLOBAL WALL {}", Num(r.global_wall))?;
        writeln!(self.out, "LIMITING POTENTIAL {}", Num(r.limiting_potential))?;
        writeln!(
            self.out,
            "ROUGHNESS CORRELATION {}",
            Num(r.roughness_correlation)
        )?;
        for link in &self.net.links {
            let LinkKind::Pipe(p) = &link.kind else {
                continue;
            };
            if let Some(k) = p.bulk_coeff {
                writeln!(self.out, "BULK {} {}", Id(&link.id), Num(k))?;
            }
            if let Some(k) = p.wall_coeff {
                writeln!(self.out, "WALL {} {}", Id(&link.id), Num(k))?;
            }
        }
        for node in &self.net.nodes {
            if let NodeKind::Tank(t) = &node.kind {
                if let Some(k) = t.bulk_coeff {
                    writeln!(self.out, "TANK {} {}", Id(&node.id), Num(k))?;
                }
            }
        }
        writeln!(self.out)
    }

    fn mixing(&mut self) -> fmt::Result {
        self.header("MIXING")?;
        for node in &self.net.nodes {
            let NodeKind::Tank(t) = &node.kind else {
                continue;
            };
            if t.mixing == MixingModel::Mixed && t.mixing_fraction == 1.0 {
                continue;
            }
            let model = match t.mixing {
                MixingModel::Mixed => "MIXED",
                MixingModel::TwoCompartment => "2COMP",
                MixingModel::Fifo => "FIFO",
                MixingModel::Lifo => "LIFO",
            };
            writeln!(
                self.out,
                "{} {model} {}",
                Id(&node.id),
                Num(t.mixing_fraction)
            )?;
        }
        writeln!(self.out)
    }

    fn leakage(&mut self) -> fmt::Result {
        self.header("LEAKAGE")?;
        for link in &self.net.links {
            let LinkKind::Pipe(p) = &link.kind else {
                continue;
            };
            if p.leak_area_mm2 != 0.0 || p.leak_expansion_mm2 != 0.0 {
                writeln!(
                    self.out,
                    "{} {} {}",
                    Id(&link.id),
                    Num(p.leak_area_mm2),
                    Num(p.leak_expansion_mm2)
                )?;
            }
        }
        writeln!(self.out)
    }

    fn times(&mut self) -> fmt::Result {
        self.header("TIMES")?;
        let t = &self.net.times;
        let rows = [
            ("DURATION", t.duration_s),
            ("HYDRAULIC TIMESTEP", t.hydraulic_step_s),
            ("QUALITY TIMESTEP", t.quality_step_s),
            ("RULE TIMESTEP", t.rule_step_s),
            ("PATTERN TIMESTEP", t.pattern_step_s),
            ("PATTERN START", t.pattern_start_s),
            ("REPORT TIMESTEP", t.report_step_s),
            ("REPORT START", t.report_start_s),
            ("START CLOCKTIME", t.start_clock_s),
        ];
        for (name, seconds) in rows {
            writeln!(self.out, "{name} {}", format_hms(seconds))?;
        }
        let statistic = match t.statistic {
            Statistic::None => "NONE",
            Statistic::Average => "AVERAGE",
            Statistic::Minimum => "MINIMUM",
            Statistic::Maximum => "MAXIMUM",
            Statistic::Range => "RANGE",
        };
        writeln!(self.out, "STATISTIC {statistic}")?;
        writeln!(self.out)
    }

    fn report(&mut self) -> fmt::Result {
        self.header("REPORT")?;
        let r = &self.net.report;
        let yes_no = |b: bool| if b { "YES" } else { "NO" };
        if let Some(s) = &r.status {
            writeln!(self.out, "STATUS {s}")?;
        }
        if let Some(s) = r.summary {
            writeln!(self.out, "SUMMARY {}", yes_no(s))?;
        }
        if let Some(e) = r.energy {
            writeln!(self.out, "ENERGY {}", yes_no(e))?;
        }
        for (word, ids) in [("NODES", &r.nodes), ("LINKS", &r.links)] {
            for chunk in ids.chunks(10) {
                write!(self.out, "{word}")?;
                for id in chunk {
                    write!(self.out, " {}", Id(id))?;
                }
                writeln!(self.out)?;
            }
        }
        for line in &r.other_lines {
            writeln!(self.out, "{line}")?;
        }
        writeln!(self.out)
    }

    fn options(&mut self) -> fmt::Result {
        self.header("OPTIONS")?;
        let o = &self.net.options;
        let u = self.units;
        let si = o.flow_units.is_si();
        let area = if si { 1.0 } else { M_PER_FT * M_PER_FT };
        let headloss = match o.headloss {
            HeadlossFormula::HazenWilliams => "H-W",
            HeadlossFormula::DarcyWeisbach => "D-W",
            HeadlossFormula::ChezyManning => "C-M",
        };
        writeln!(self.out, "UNITS {}", o.flow_units.keyword())?;
        writeln!(self.out, "PRESSURE {}", o.pressure_units.keyword())?;
        writeln!(self.out, "HEADLOSS {headloss}")?;
        writeln!(self.out, "SPECIFIC GRAVITY {}", Num(o.specific_gravity))?;
        let defaults = crate::network::Options::default();
        if o.viscosity_m2s != defaults.viscosity_m2s {
            let viscosity = relative_or_absolute(o.viscosity_m2s, VISCOSITY_FT2S, 1e-3, area);
            writeln!(self.out, "VISCOSITY {viscosity}")?;
        }
        if o.quality.diffusivity_m2s != defaults.quality.diffusivity_m2s {
            let diffusivity =
                relative_or_absolute(o.quality.diffusivity_m2s, DIFFUSIVITY_FT2S, 1e-4, area);
            writeln!(self.out, "DIFFUSIVITY {diffusivity}")?;
        }
        writeln!(self.out, "TRIALS {}", o.trials)?;
        writeln!(self.out, "ACCURACY {}", Num(o.accuracy))?;
        writeln!(
            self.out,
            "HEADERROR {}",
            file_value(o.head_error_m, u.length)
        )?;
        writeln!(
            self.out,
            "FLOWCHANGE {}",
            file_value(o.flow_change_m3s, u.flow)
        )?;
        writeln!(self.out, "CHECKFREQ {}", o.check_freq)?;
        writeln!(self.out, "MAXCHECK {}", o.max_check)?;
        writeln!(self.out, "DAMPLIMIT {}", Num(o.damp_limit))?;
        match o.unbalanced {
            Unbalanced::Stop => writeln!(self.out, "UNBALANCED STOP")?,
            Unbalanced::Continue { extra_trials } => {
                writeln!(self.out, "UNBALANCED CONTINUE {extra_trials}")?
            }
        }
        if let Some(p) = &o.default_pattern_id {
            writeln!(self.out, "PATTERN {}", Id(p))?;
        }
        writeln!(self.out, "DEMAND MULTIPLIER {}", Num(o.demand_multiplier))?;
        writeln!(self.out, "EMITTER EXPONENT {}", Num(o.emitter_exponent))?;
        writeln!(
            self.out,
            "BACKFLOW ALLOWED {}",
            if o.emitter_backflow { "YES" } else { "NO" }
        )?;
        let model = match o.demand_model {
            DemandModel::Dda => "DDA",
            DemandModel::Pda => "PDA",
        };
        writeln!(self.out, "DEMAND MODEL {model}")?;
        let minimum = file_value(o.minimum_pressure_m, u.pressure);
        writeln!(self.out, "MINIMUM PRESSURE {minimum}")?;
        let default_required = (minimum.0 + 0.1) * u.pressure;
        if o.required_pressure_m != default_required {
            writeln!(
                self.out,
                "REQUIRED PRESSURE {}",
                file_value(o.required_pressure_m, u.pressure)
            )?;
        }
        writeln!(self.out, "PRESSURE EXPONENT {}", Num(o.pressure_exponent))?;
        match &o.quality.kind {
            QualityKind::None => writeln!(self.out, "QUALITY NONE")?,
            QualityKind::Age => writeln!(self.out, "QUALITY AGE")?,
            QualityKind::Trace { node } => {
                writeln!(self.out, "QUALITY TRACE {}", Id(&self.net.node(*node).id))?
            }
            QualityKind::Chemical { name, units } if name == "Chemical" => {
                writeln!(self.out, "QUALITY CHEMICAL {}", Id(units))?
            }
            QualityKind::Chemical { name, units } => {
                writeln!(self.out, "QUALITY {} {}", Id(name), Id(units))?
            }
        }
        writeln!(self.out, "TOLERANCE {}", Num(o.quality.tolerance))?;
        if o.head_tolerance_m != defaults.head_tolerance_m {
            writeln!(
                self.out,
                "HTOL {}",
                file_value(o.head_tolerance_m, u.length)
            )?;
        }
        if o.flow_tolerance_m3s != defaults.flow_tolerance_m3s {
            writeln!(
                self.out,
                "QTOL {}",
                file_value(o.flow_tolerance_m3s, u.flow)
            )?;
        }
        writeln!(self.out, "RQTOL {}", Num(o.rq_tolerance))?;
        if let Some(map) = &o.map_file {
            writeln!(self.out, "MAP {}", Id(map))?;
        }
        writeln!(self.out)
    }

    fn coordinates(&mut self) -> fmt::Result {
        self.header("COORDINATES")?;
        for node in &self.net.nodes {
            if let Some((x, y)) = node.coordinates {
                writeln!(self.out, "{} {} {}", Id(&node.id), Num(x), Num(y))?;
            }
        }
        writeln!(self.out)
    }

    fn vertices(&mut self) -> fmt::Result {
        self.header("VERTICES")?;
        for link in &self.net.links {
            for &(x, y) in link.vertices() {
                writeln!(self.out, "{} {} {}", Id(&link.id), Num(x), Num(y))?;
            }
        }
        writeln!(self.out)
    }

    fn tags(&mut self) -> fmt::Result {
        self.header("TAGS")?;
        for node in &self.net.nodes {
            if let Some(tag) = node.tag() {
                writeln!(self.out, "NODE {} {}", Id(&node.id), Id(tag))?;
            }
        }
        for link in &self.net.links {
            if let Some(tag) = link.tag() {
                writeln!(self.out, "LINK {} {}", Id(&link.id), Id(tag))?;
            }
        }
        writeln!(self.out)
    }

    fn verbatim(&mut self, name: &str, lines: &[String]) -> fmt::Result {
        self.header(name)?;
        for line in lines {
            writeln!(self.out, "{line}")?;
        }
        writeln!(self.out)
    }
}

/// A viscosity or diffusivity as the option value that reads back to it:
/// a multiple of water's value when that multiple is above `threshold`,
/// else the absolute value in file units (`area` m² per file unit²).
fn relative_or_absolute(value_m2s: f64, reference_ft2s: f64, threshold: f64, area: f64) -> Num {
    let relative = file_value(value_m2s, reference_ft2s * M_PER_FT * M_PER_FT);
    if relative.0 > threshold {
        relative
    } else {
        file_value(value_m2s, area)
    }
}

fn attribute_word(a: RuleAttribute) -> &'static str {
    match a {
        RuleAttribute::Demand => "DEMAND",
        RuleAttribute::Head => "HEAD",
        RuleAttribute::Level => "LEVEL",
        RuleAttribute::Pressure => "PRESSURE",
        RuleAttribute::Flow => "FLOW",
        RuleAttribute::Status => "STATUS",
        RuleAttribute::Setting => "SETTING",
        RuleAttribute::Power => "POWER",
        RuleAttribute::Time => "TIME",
        RuleAttribute::ClockTime => "CLOCKTIME",
        RuleAttribute::FillTime => "FILLTIME",
        RuleAttribute::DrainTime => "DRAINTIME",
    }
}

fn operator_word(o: RuleOperator) -> &'static str {
    match o {
        RuleOperator::Eq => "=",
        RuleOperator::Ne => "<>",
        RuleOperator::Lt => "<",
        RuleOperator::Gt => ">",
        RuleOperator::Le => "<=",
        RuleOperator::Ge => ">=",
    }
}
