//! Reading link sections: pipes, pumps, valves, and the per-link data of other sections.

use crate::network::units::UnitSystem;
use crate::network::{
    CurveKind, HeadlossFormula, InitialStatus, Link, LinkIx, LinkKind, NodeIx, Pipe, Pump,
    PumpModel, Valve, ValveType,
};

use super::diagnostic::code;
use super::lexer::{matches, Line};
use super::nodes::id_in_range;
use super::reader::{ignored_message, Parsed, Reader, Reported};

/// The length, diameter and roughness EPANET 2.3 gives a pipe whose line
/// stops short of them, in the file's units: 330 (ft) and 10 (in) unless
/// SI flow units were set before the line (100 m, 254 mm), and a roughness
/// of 130, or 0.0005 under Darcy-Weisbach and 0.01 under Chezy-Manning
/// when that formula was set before the line. EPANET reads sections in
/// file order and converts all values with the file's final units, so a
/// file whose `[OPTIONS]` come after its `[PIPES]` gets the US defaults
/// whatever its units.
fn pipe_defaults(r: &Reader, line: usize) -> [f64; 3] {
    let (length, diameter) = if r.options_read.si_at(line) {
        (100.0, 254.0)
    } else {
        (330.0, 10.0)
    };
    let roughness = match r.options_read.headloss_at(line) {
        HeadlossFormula::HazenWilliams => 130.0,
        HeadlossFormula::DarcyWeisbach => 0.0005,
        HeadlossFormula::ChezyManning => 0.01,
    };
    [length, diameter, roughness]
}

/// The two end nodes of a link line (tokens 1 and 2), or error 203/222;
/// `None` where an end is a node whose own line was refused (the link line
/// is still read for errors of its own, as EPANET reads it, but not added).
fn ends<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<Option<(NodeIx, NodeIx)>> {
    let from = r.node_or_refused(line, 1);
    let to = r.node_or_refused(line, 2);
    let (from, to) = (from?, to?);
    let same = match (from, to) {
        (Some(a), Some(b)) => a == b,
        _ => line.tokens.get(1) == line.tokens.get(2),
    };
    if same {
        return Err(r.error(
            line,
            code::SAME_ENDS,
            line.tokens.get(1).copied(),
            "the link starts and ends at the same node",
        ));
    }
    Ok(from.zip(to))
}

/// Error 215 if a link of this id exists. EPANET checks a link line's end
/// nodes, then its id, then its values: a duplicate with a bad length is
/// error 215, not 202.
fn new_link(r: &mut Reader, line: &Line, id: &str) -> Parsed<()> {
    if r.net.link_ix(id).is_some() {
        return Err(r.error(line, code::DUPLICATE_ID, Some(id), "duplicate link id"));
    }
    Ok(())
}

/// Adds a link, or records error 215 if its id (the line's first token) is taken.
fn add_link(r: &mut Reader, line: &Line, mut link: Link) -> Parsed<LinkIx> {
    link.set_comment(line.comment.map(str::to_string));
    let added = r.net.add_link(link);
    if added.is_ok() {
        r.link_lines.push(line.number);
    }
    added.map_err(|_| {
        let id = line.tokens.first().copied();
        r.error(line, code::DUPLICATE_ID, id, "duplicate link id")
    })
}

/// A positive link dimension, or error 211.
fn positive<'a>(r: &mut Reader<'a>, line: &Line<'a>, ix: usize, what: &str) -> Parsed<f64> {
    let value = r.number(line, ix, what)?;
    if value <= 0.0 {
        return Err(r.error(
            line,
            code::LINK_PROPERTY,
            line.tokens.get(ix).copied(),
            format!("{what} must be positive"),
        ));
    }
    Ok(value)
}

/// A minor loss coefficient at token `ix` (0 if absent), or error 211 if negative.
fn minor_loss<'a>(r: &mut Reader<'a>, line: &Line<'a>, ix: usize) -> Parsed<f64> {
    let value = r
        .opt_number(line, ix, "minor loss coefficient")?
        .unwrap_or(0.0);
    if value < 0.0 {
        return Err(r.error(
            line,
            code::LINK_PROPERTY,
            line.tokens.get(ix).copied(),
            "minor loss coefficient cannot be negative",
        ));
    }
    Ok(value)
}

/// SI per file unit of a pipe roughness: Darcy-Weisbach roughness is in
/// millifeet or mm; Hazen-Williams C and Manning's n have no units here.
pub(crate) fn roughness_factor(units: &UnitSystem, headloss: HeadlossFormula) -> f64 {
    match headloss {
        HeadlossFormula::DarcyWeisbach => 0.001 * units.length,
        _ => 1.0,
    }
}

/// SI per file unit of a valve setting: pressure for PRV, PSV and PBV,
/// flow for FCV, none for TCV (loss coefficient), PCV (% open) and GPV.
pub(crate) fn valve_setting_factor(units: &UnitSystem, valve_type: ValveType) -> f64 {
    match valve_type {
        ValveType::Prv | ValveType::Psv | ValveType::Pbv => units.pressure,
        ValveType::Fcv => units.flow,
        ValveType::Tcv | ValveType::Pcv | ValveType::Gpv => 1.0,
    }
}

/// `[PIPES]`: `id from to length diameter roughness [minorloss] [OPEN|CLOSED|CV]`.
pub(crate) fn read_pipe<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "pipe id")?;
    r.check_id(line, id)?;
    let ends = ends(r, line)?;
    new_link(r, line, id)?;
    let defaults = pipe_defaults(r, line.number);
    let mut dimensions = [0.0; 3];
    for (k, what) in ["length", "diameter", "roughness"].into_iter().enumerate() {
        dimensions[k] = match line.tokens.get(3 + k) {
            Some(_) => positive(r, line, 3 + k, what)?,
            None => {
                let message = format!("no {what} given; EPANET uses {}", defaults[k]);
                r.warn(line, Some(id), message);
                defaults[k]
            }
        };
    }
    let [length, diameter, roughness] = dimensions;

    // A 7th token is the status if it is a status keyword, else the minor loss.
    let status_keyword = |t: &str| matches(t, "CV") || matches(t, "OPEN") || matches(t, "CLOSED");
    let (minor, status) = match line.tokens.get(6) {
        Some(t) if line.tokens.len() == 7 && status_keyword(t) => (0.0, Some(*t)),
        _ => (minor_loss(r, line, 6)?, line.tokens.get(7).copied()),
    };
    let (check_valve, initial_status) = match status {
        None => (false, InitialStatus::Open),
        Some(t) if matches(t, "CV") => (true, InitialStatus::Open),
        Some(t) if matches(t, "OPEN") => (false, InitialStatus::Open),
        Some(t) if matches(t, "CLOSED") => (false, InitialStatus::Closed),
        Some(t) => {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(t),
                "pipe status must be OPEN, CLOSED or CV",
            ))
        }
    };

    let units = r.units;
    let mut pipe = Pipe::new(
        length * units.length,
        diameter * units.diameter,
        roughness * roughness_factor(&units, r.net.options.headloss),
    );
    pipe.minor_loss = minor;
    pipe.check_valve = check_valve;
    let (from, to) = ends.ok_or(Reported)?;
    let mut link = Link::new(id, from, to, LinkKind::Pipe(pipe));
    link.initial_status = initial_status;
    add_link(r, line, link).map(|_| ())
}

/// `[PUMPS]`: `id from to` followed by `HEAD curve`, `POWER value`, `SPEED
/// value` and `PATTERN id` pairs in any order.
pub(crate) fn read_pump<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "pump id")?;
    r.check_id(line, id)?;
    let ends = ends(r, line)?;
    new_link(r, line, id)?;
    let mut model = None;
    let mut pump_speed = 1.0;
    let mut speed_pattern = None;
    let pairs = &line.tokens[3.min(line.tokens.len())..];
    for pair in pairs.chunks(2) {
        let [keyword, value] = pair else {
            let message = "a lone value without a keyword is ignored (EPANET 2.3 needs HEAD curve or POWER value)";
            r.warn(line, pair.first().copied(), message);
            continue;
        };
        if matches(keyword, "HEAD") {
            model = Some(PumpModel::HeadCurve(r.curve(
                line,
                value,
                CurveKind::Pump,
            )?));
        } else if matches(keyword, "POWER") {
            let power = r.parse_number(line, value, "pump power")?;
            if power <= 0.0 {
                return Err(r.error(
                    line,
                    code::ILLEGAL_NUMBER,
                    Some(value),
                    "pump power must be positive",
                ));
            }
            model = Some(PumpModel::ConstantPower(power * r.units.power));
        } else if matches(keyword, "SPEED") {
            pump_speed = r.parse_number(line, value, "pump speed")?;
            if pump_speed < 0.0 {
                return Err(r.error(
                    line,
                    code::ILLEGAL_NUMBER,
                    Some(value),
                    "pump speed cannot be negative",
                ));
            }
        } else if matches(keyword, "PATT") {
            speed_pattern = Some(r.pattern(line, value)?);
        } else {
            return Err(r.error(
                line,
                code::SYNTAX,
                Some(keyword),
                "pump keyword must be HEAD, POWER, SPEED or PATTERN",
            ));
        }
    }
    let Some(model) = model else {
        return Err(r.error(
            line,
            code::PUMP_NO_CURVE,
            Some(id),
            "pump has no head curve and no power rating",
        ));
    };
    let (from, to) = ends.ok_or(Reported)?;
    let pump = Pump {
        model,
        speed: pump_speed,
        speed_pattern,
        efficiency_curve: None,
        energy_price: None,
        price_pattern: None,
    };
    add_link(r, line, Link::new(id, from, to, LinkKind::Pump(pump))).map(|_| ())
}

/// The valve type named by a token.
pub(crate) fn valve_type(token: &str) -> Option<ValveType> {
    [
        ValveType::Prv,
        ValveType::Psv,
        ValveType::Pbv,
        ValveType::Fcv,
        ValveType::Tcv,
        ValveType::Gpv,
        ValveType::Pcv,
    ]
    .into_iter()
    .find(|v| matches(token, v.keyword()))
}

/// `[VALVES]`: `id from to diameter type setting [minorloss [pcvcurve]]`;
/// a GPV's setting is its head-loss curve.
pub(crate) fn read_valve<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "valve id")?;
    r.check_id(line, id)?;
    let ends = ends(r, line)?;
    new_link(r, line, id)?;
    let diameter = positive(r, line, 3, "diameter")?;
    let type_token = r.token(line, 4, "valve type")?;
    let Some(valve_type) = valve_type(type_token) else {
        return Err(r.error(
            line,
            code::OPTION_VALUE,
            Some(type_token),
            "valve type must be PRV, PSV, PBV, FCV, TCV, GPV or PCV",
        ));
    };
    let (setting, mut curve) = match (valve_type, line.tokens.get(5)) {
        (ValveType::Gpv, Some(curve)) => (0.0, Some(r.curve(line, curve, CurveKind::Headloss)?)),
        (ValveType::Gpv, None) => {
            return Err(r.error(line, code::SYNTAX, None, "a GPV needs a head-loss curve"))
        }
        (_, _) => (r.opt_number(line, 5, "valve setting")?.unwrap_or(0.0), None),
    };
    let minor = minor_loss(r, line, 6)?;
    if valve_type == ValveType::Pcv {
        if let Some(id) = line.tokens.get(7) {
            curve = Some(r.curve(line, id, CurveKind::Valve)?);
        }
    }
    let regulating = matches!(valve_type, ValveType::Prv | ValveType::Psv | ValveType::Fcv);
    let (from, to) = ends.ok_or(Reported)?;
    if regulating && (!r.is_junction(from) || !r.is_junction(to)) {
        let end = if r.is_junction(from) { 2 } else { 1 };
        return Err(r.error(
            line,
            code::VALVE_TO_TANK,
            line.tokens.get(end).copied(),
            "a PRV, PSV or FCV cannot be connected to a tank or reservoir",
        ));
    }
    let valve = Valve {
        valve_type,
        diameter_m: diameter * r.units.diameter,
        setting: setting * valve_setting_factor(&r.units, valve_type),
        minor_loss: minor,
        curve,
    };
    let mut link = Link::new(id, from, to, LinkKind::Valve(valve));
    link.initial_status = InitialStatus::Active;
    add_link(r, line, link).map(|_| ())
}

/// `[STATUS]`: `link OPEN|CLOSED|ACTIVE|value` (or `first last status` for
/// a range of ids).
pub(crate) fn read_status<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    if line.tokens.len() >= 3 {
        let (low, high, value) = (line.tokens[0], line.tokens[1], line.tokens[2]);
        let targets: Vec<LinkIx> = (0..r.net.links.len())
            .filter(|&k| {
                r.link_declared_before(k, line) && id_in_range(&r.net.links[k].id, low, high)
            })
            .map(|k| LinkIx(k as u32))
            .collect();
        for link in targets {
            set_status(r, line, link, value)?;
        }
        return Ok(());
    }
    let link = r.link(line, 0)?;
    let value = r.token(line, 1, "status or setting")?;
    set_status(r, line, link, value)
}

/// Applies one `[STATUS]` value to a link (EPANET's `changestatus`).
fn set_status(r: &mut Reader, line: &Line, link: LinkIx, value: &str) -> Parsed<()> {
    let keyword = if matches(value, "OPEN") {
        Some(InitialStatus::Open)
    } else if matches(value, "CLOSED") {
        Some(InitialStatus::Closed)
    } else if matches(value, "ACTIVE") {
        Some(InitialStatus::Active)
    } else {
        None
    };
    let number = match keyword {
        Some(_) => None,
        None => Some(r.parse_number(line, value, "status or setting")?),
    };
    let units = r.units;
    let id = r.net.links[link.ix()].id.clone();
    let target = &mut r.net.links[link.ix()];
    match (&mut target.kind, keyword, number) {
        (LinkKind::Pipe(pipe), _, _) if pipe.check_valve => {
            return Err(r.error(
                line,
                code::CONTROL_CV_GPV,
                Some(&id),
                "a check valve pipe cannot be given a status",
            ));
        }
        (LinkKind::Pipe(_), Some(InitialStatus::Active), _)
        | (LinkKind::Pump(_), Some(InitialStatus::Active), _) => {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(value),
                "only a valve can be ACTIVE",
            ));
        }
        (LinkKind::Pipe(_), None, _) => {
            r.warn(line, Some(value), "a setting for a pipe is ignored");
        }
        (LinkKind::Pump(pump), None, Some(speed)) => {
            if speed < 0.0 {
                return Err(r.error(
                    line,
                    code::ILLEGAL_NUMBER,
                    Some(value),
                    "pump speed cannot be negative",
                ));
            }
            pump.speed = speed;
            target.initial_status = if speed == 0.0 {
                InitialStatus::Closed
            } else {
                InitialStatus::Open
            };
        }
        (LinkKind::Valve(valve), None, Some(setting)) => {
            if valve.valve_type == ValveType::Gpv {
                return Err(r.error(
                    line,
                    code::CONTROL_CV_GPV,
                    Some(&id),
                    "a GPV cannot be given a setting",
                ));
            }
            valve.setting = setting * valve_setting_factor(&units, valve.valve_type);
            target.initial_status = InitialStatus::Active;
        }
        (_, Some(status), _) => target.initial_status = status,
        (_, None, None) => {}
    }
    Ok(())
}

/// `[VERTICES]`: `link x y`, appended in order. Unknown links are skipped, as in EPANET.
pub(crate) fn read_vertex<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "link id")?;
    let x = r.number(line, 1, "x coordinate")?;
    let y = r.number(line, 2, "y coordinate")?;
    match r.declared_link(id, line) {
        Some(link) => r.net.links[link.ix()].push_vertex((x, y)),
        None => {
            let message = match r.net.link_ix(id) {
                Some(l) => ignored_message("vertex", "link", r.link_lines[l.ix()]),
                None => "vertex of an undefined link is ignored".to_string(),
            };
            r.warn(line, Some(id), message);
        }
    }
    Ok(())
}

/// `[LEAKAGE]`: `pipe area expansion` (mm² per 100 length units; mm² per unit head).
pub(crate) fn read_leakage<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let link = r.link(line, 0)?;
    let area = r.number(line, 1, "leak area")?;
    let expansion = r.opt_number(line, 2, "leak area expansion")?.unwrap_or(0.0);
    if area < 0.0 || expansion < 0.0 {
        return Err(r.error(
            line,
            code::LINK_PROPERTY,
            None,
            "leak area and expansion cannot be negative",
        ));
    }
    match &mut r.net.links[link.ix()].kind {
        LinkKind::Pipe(pipe) => {
            pipe.leak_area_mm2 = area;
            pipe.leak_expansion_mm2 = expansion;
        }
        _ => r.warn(
            line,
            line.tokens.first().copied(),
            "leakage of a pump or valve is ignored",
        ),
    }
    Ok(())
}

/// `[TAGS]`: `NODE id tag` or `LINK id tag`.
pub(crate) fn read_tag<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let family = r.token(line, 0, "NODE or LINK")?;
    let tag = r.token(line, 2, "tag")?.to_string();
    if matches(family, "NODE") {
        let node = r.node(line, 1)?;
        r.net.nodes[node.ix()].set_tag(Some(tag));
    } else if matches(family, "LINK") {
        let link = r.link(line, 1)?;
        r.net.links[link.ix()].set_tag(Some(tag));
    } else {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(family),
            "a tag line starts with NODE or LINK",
        ));
    }
    Ok(())
}
