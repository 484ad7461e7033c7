//! Reading `[CONTROLS]` (simple controls) and `[RULES]` (rule-based controls).

use crate::network::{
    Control, ControlAction, ControlCondition, LinkIx, LinkKind, LinkStatusSetting, NodeKind, Rule,
    RuleAction, RuleAttribute, RuleObject, RuleOperator, RulePremise, RuleValue, ValveType,
};

use super::diagnostic::code;
use super::lexer::{matches, number, Line};
use super::links::valve_setting_factor;
use super::reader::{Parsed, Reader};
use super::times;

/// The status or setting a control or rule gives a link, in SI.
fn link_setting<'a>(
    r: &mut Reader<'a>,
    line: &Line<'a>,
    link: LinkIx,
    token: &str,
) -> Parsed<Option<LinkStatusSetting>> {
    if matches(token, "OPEN") {
        return Ok(Some(LinkStatusSetting::Open));
    }
    if matches(token, "CLOSED") {
        return Ok(Some(LinkStatusSetting::Closed));
    }
    let value = r.parse_number(line, token, "status or setting")?;
    let units = r.units;
    let id = r.net.links[link.ix()].id.clone();
    match &r.net.links[link.ix()].kind {
        LinkKind::Pipe(_) => {
            r.warn(line, Some(token), "a setting for a pipe is ignored");
            Ok(None)
        }
        LinkKind::Pump(_) => {
            if value < 0.0 {
                return Err(r.error(
                    line,
                    code::ILLEGAL_NUMBER,
                    Some(token),
                    "pump speed cannot be negative",
                ));
            }
            Ok(Some(LinkStatusSetting::Setting(value)))
        }
        LinkKind::Valve(valve) if valve.valve_type == ValveType::Gpv => Err(r.error(
            line,
            code::CONTROL_CV_GPV,
            Some(&id),
            "a GPV cannot be given a setting",
        )),
        LinkKind::Valve(valve) => Ok(Some(LinkStatusSetting::Setting(
            value * valve_setting_factor(&units, valve.valve_type),
        ))),
    }
}

/// A link that controls may act on: not a check valve pipe (error 207).
fn controllable_link<'a>(r: &mut Reader<'a>, line: &Line<'a>, ix: usize) -> Parsed<LinkIx> {
    let link = r.link(line, ix)?;
    if let LinkKind::Pipe(pipe) = &r.net.links[link.ix()].kind {
        if pipe.check_valve {
            return Err(r.error(
                line,
                code::CONTROL_CV_GPV,
                line.tokens.get(ix).copied(),
                "a check valve pipe cannot be controlled",
            ));
        }
    }
    Ok(link)
}

/// SI per file unit of a node threshold: pressure at a junction, level elsewhere.
fn node_value_factor(r: &Reader, node: crate::network::NodeIx) -> f64 {
    match r.net.node(node).kind {
        NodeKind::Junction(_) => r.units.pressure,
        _ => r.units.length,
    }
}

/// `[CONTROLS]`: `LINK id status IF NODE id ABOVE|BELOW value`, `LINK id
/// status AT TIME t`, `LINK id status AT CLOCKTIME t [AM|PM]`, each optionally
/// followed by `DISABLED`.
pub(crate) fn read_control<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let mut tokens = &line.tokens[..];
    let enabled = !tokens.last().is_some_and(|t| matches(t, "DISABLED"));
    if !enabled {
        tokens = &tokens[..tokens.len() - 1];
    }
    if tokens.len() < 6 {
        return Err(r.error(
            line,
            code::SYNTAX,
            None,
            "a control needs LINK id status IF|AT ...",
        ));
    }
    // EPANET does not check the first word (LINK): files write `Pump` or `Valve` there too.
    let link = controllable_link(r, line, 1)?;
    let status = link_setting(r, line, link, tokens[2])?;
    let condition = if matches(tokens[3], "IF") {
        // EPANET does not check the word NODE either (files write `Tank`).
        if tokens.len() < 8 {
            return Err(r.error(
                line,
                code::SYNTAX,
                None,
                "expected IF NODE id ABOVE|BELOW value",
            ));
        }
        let node = r.node(line, 5)?;
        let threshold = r.number(line, 7, "control threshold")? * node_value_factor(r, node);
        if matches(tokens[6], "ABOVE") {
            ControlCondition::NodeAbove { node, threshold }
        } else if matches(tokens[6], "BELOW") {
            ControlCondition::NodeBelow { node, threshold }
        } else {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(tokens[6]),
                "expected ABOVE or BELOW",
            ));
        }
    } else if matches(tokens[3], "AT") {
        let clock = matches(tokens[4], "CLOCKTIME");
        if !clock && !matches(tokens[4], "TIME") {
            return Err(r.error(
                line,
                code::SYNTAX,
                Some(tokens[4]),
                "expected AT TIME or AT CLOCKTIME",
            ));
        }
        let unit = tokens.get(6).copied();
        let Some(seconds) = times::hours(tokens[5], unit).and_then(times::seconds) else {
            return Err(r.error(line, code::OPTION_VALUE, Some(tokens[5]), "invalid time"));
        };
        if clock {
            ControlCondition::AtClockTime {
                clock_s: seconds % 86_400,
            }
        } else {
            ControlCondition::AtTime { time_s: seconds }
        }
    } else {
        return Err(r.error(line, code::SYNTAX, Some(tokens[3]), "expected IF or AT"));
    };
    if let Some(status) = status {
        let action = ControlAction { link, status };
        r.net.controls.push(Control {
            action,
            condition,
            enabled,
        });
    }
    Ok(())
}

/// Where a rule is while its clauses are read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Clause {
    Premises,
    Then,
    Else,
    Done,
}

/// `[RULES]`: blocks of `RULE id`, `IF`, `AND`/`OR`, `THEN`, `ELSE`,
/// `PRIORITY` and `DISABLED` lines. A rule with an error is dropped whole.
pub(crate) fn read_rules<'a, 'l>(r: &mut Reader<'a>, lines: impl Iterator<Item = &'l Line<'a>>)
where
    'a: 'l,
{
    let mut current: Option<(Rule, Clause, bool)> = None;
    for line in lines {
        let key = line.tokens[0];
        if matches(key, "RULE") {
            finish_rule(r, current.take());
            let id = line.tokens.get(1).copied().unwrap_or("");
            if id.is_empty() {
                r.error(line, code::SYNTAX, None, "RULE needs an id");
            }
            let rule = Rule {
                id: id.to_string(),
                premises: Vec::new(),
                then_actions: Vec::new(),
                else_actions: Vec::new(),
                priority: 0.0,
                enabled: true,
            };
            current = Some((rule, Clause::Premises, id.is_empty()));
            continue;
        }
        let Some((rule, clause, failed)) = current.as_mut() else {
            r.error(line, code::SYNTAX, Some(key), "rule clause outside a RULE");
            continue;
        };
        if *failed {
            continue;
        }
        if read_clause(r, line, rule, clause).is_err() {
            *failed = true;
        }
    }
    finish_rule(r, current);
}

fn finish_rule(r: &mut Reader, rule: Option<(Rule, Clause, bool)>) {
    if let Some((rule, _, false)) = rule {
        r.net.rules.push(rule);
    }
}

/// One line of a rule.
fn read_clause<'a>(
    r: &mut Reader<'a>,
    line: &Line<'a>,
    rule: &mut Rule,
    clause: &mut Clause,
) -> Parsed<()> {
    let key = line.tokens[0];
    let out_of_order =
        |r: &mut Reader| r.error(line, code::SYNTAX, Some(key), "rule clause out of order");
    if matches(key, "IF") {
        if *clause != Clause::Premises || !rule.premises.is_empty() {
            return Err(out_of_order(r));
        }
        rule.premises.push(read_premise(r, line, false)?);
    } else if matches(key, "AND") || matches(key, "OR") {
        match *clause {
            Clause::Premises if !rule.premises.is_empty() => {
                let or = matches(key, "OR");
                rule.premises.push(read_premise(r, line, or)?);
            }
            Clause::Then if !matches(key, "OR") => {
                if let Some(a) = read_action(r, line)? {
                    rule.then_actions.push(a);
                }
            }
            Clause::Else if !matches(key, "OR") => {
                if let Some(a) = read_action(r, line)? {
                    rule.else_actions.push(a);
                }
            }
            _ => return Err(out_of_order(r)),
        }
    } else if matches(key, "THEN") {
        if *clause != Clause::Premises || rule.premises.is_empty() {
            return Err(out_of_order(r));
        }
        *clause = Clause::Then;
        if let Some(a) = read_action(r, line)? {
            rule.then_actions.push(a);
        }
    } else if matches(key, "ELSE") {
        if *clause != Clause::Then {
            return Err(out_of_order(r));
        }
        *clause = Clause::Else;
        if let Some(a) = read_action(r, line)? {
            rule.else_actions.push(a);
        }
    } else if matches(key, "PRIO") {
        if *clause == Clause::Premises {
            return Err(out_of_order(r));
        }
        rule.priority = r.number(line, 1, "priority")?;
        *clause = Clause::Done;
    } else if matches(key, "DISABLED") {
        rule.enabled = false;
    } else {
        return Err(r.error(line, code::SYNTAX, Some(key), "unknown rule keyword"));
    }
    Ok(())
}

/// The attribute named by a token.
fn attribute(token: &str) -> Option<RuleAttribute> {
    use RuleAttribute::*;
    let all = [
        ("DEMAND", Demand),
        ("HEAD", Head),
        ("GRADE", Head),
        ("LEVEL", Level),
        ("PRESSURE", Pressure),
        ("FLOW", Flow),
        ("STATUS", Status),
        ("SETTING", Setting),
        ("POWER", Power),
        ("CLOCKTIME", ClockTime),
        ("TIME", Time),
        ("FILLTIME", FillTime),
        ("DRAINTIME", DrainTime),
    ];
    all.iter().find(|(k, _)| matches(token, k)).map(|&(_, a)| a)
}

/// The comparison named by a token.
fn operator(token: &str) -> Option<RuleOperator> {
    use RuleOperator::*;
    let all = [
        ("<>", Ne),
        ("<=", Le),
        (">=", Ge),
        ("=", Eq),
        ("<", Lt),
        (">", Gt),
        ("IS", Eq),
        ("NOT", Ne),
        ("BELOW", Lt),
        ("ABOVE", Gt),
    ];
    all.iter()
        .find(|(k, _)| token.eq_ignore_ascii_case(k))
        .map(|&(_, o)| o)
}

/// `IF|AND|OR object id attribute operator value` (`SYSTEM` has no id).
fn read_premise<'a>(r: &mut Reader<'a>, line: &Line<'a>, or: bool) -> Parsed<RulePremise> {
    let tokens = &line.tokens;
    let object_token = r.token(line, 1, "premise object")?;
    let (object, at) = if matches(object_token, "SYSTEM") {
        (RuleObject::System, 2)
    } else if ["JUNC", "RESER", "TANK", "NODE"]
        .iter()
        .any(|k| matches(object_token, k))
    {
        (RuleObject::Node(r.node(line, 2)?), 3)
    } else if ["PIPE", "PUMP", "VALVE", "LINK"]
        .iter()
        .any(|k| matches(object_token, k))
    {
        (RuleObject::Link(r.link(line, 2)?), 3)
    } else {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(object_token),
            "unknown rule object",
        ));
    };
    let attribute_token = r.token(line, at, "attribute")?;
    let Some(attribute) = attribute(attribute_token) else {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(attribute_token),
            "unknown rule attribute",
        ));
    };
    if !attribute_fits(r, object, attribute) {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(attribute_token),
            "this object has no such rule attribute",
        ));
    }
    let operator_token = r.token(line, at + 1, "comparison")?;
    let Some(operator) = operator(operator_token) else {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(operator_token),
            "unknown comparison",
        ));
    };
    let value_token = r.token(line, at + 2, "value")?;
    let value = match attribute {
        RuleAttribute::Status => {
            if matches(value_token, "OPEN") {
                RuleValue::Open
            } else if matches(value_token, "CLOSED") {
                RuleValue::Closed
            } else if matches(value_token, "ACTIVE") {
                RuleValue::Active
            } else {
                return Err(r.error(
                    line,
                    code::SYNTAX,
                    Some(value_token),
                    "status must be OPEN, CLOSED or ACTIVE",
                ));
            }
        }
        RuleAttribute::Time
        | RuleAttribute::ClockTime
        | RuleAttribute::FillTime
        | RuleAttribute::DrainTime => {
            let unit = tokens.get(at + 3).copied();
            let Some(mut seconds) = times::hours(value_token, unit).and_then(times::seconds) else {
                return Err(r.error(
                    line,
                    code::ILLEGAL_NUMBER,
                    Some(value_token),
                    "invalid time",
                ));
            };
            if attribute == RuleAttribute::ClockTime {
                seconds %= 86_400;
            }
            RuleValue::Number(seconds as f64)
        }
        _ => {
            let Some(v) = number(value_token) else {
                return Err(r.error(
                    line,
                    code::ILLEGAL_NUMBER,
                    Some(value_token),
                    "premise value is not a number",
                ));
            };
            RuleValue::Number(v * premise_factor(r, object, attribute))
        }
    };
    Ok(RulePremise {
        or,
        object,
        attribute,
        operator,
        value,
    })
}

/// Whether EPANET accepts the attribute for the object (error 201 if not):
/// a node has DEMAND, HEAD, GRADE, LEVEL, PRESSURE, and FILLTIME/DRAINTIME
/// if it is not a junction; a link has FLOW, STATUS and SETTING; the system
/// has DEMAND, TIME and CLOCKTIME. POWER is in EPANET's word list but no
/// object accepts it (checked on EPANET 2.3.5: `PUMP id POWER > 1` is
/// error 201).
fn attribute_fits(r: &Reader, object: RuleObject, attribute: RuleAttribute) -> bool {
    use RuleAttribute::*;
    match object {
        RuleObject::System => matches!(attribute, Demand | Time | ClockTime),
        RuleObject::Node(node) => match attribute {
            Demand | Head | Level | Pressure => true,
            FillTime | DrainTime => !r.is_junction(node),
            _ => false,
        },
        RuleObject::Link(_) => matches!(attribute, Flow | Status | Setting),
    }
}

/// SI per file unit of a premise value.
fn premise_factor(r: &Reader, object: RuleObject, attribute: RuleAttribute) -> f64 {
    let u = &r.units;
    match attribute {
        RuleAttribute::Demand | RuleAttribute::Flow => u.flow,
        RuleAttribute::Head | RuleAttribute::Level => u.length,
        RuleAttribute::Pressure => u.pressure,
        RuleAttribute::Power => u.power,
        RuleAttribute::Setting => match object {
            RuleObject::Link(link) => match &r.net.link(link).kind {
                LinkKind::Valve(v) => valve_setting_factor(u, v.valve_type),
                _ => 1.0,
            },
            _ => 1.0,
        },
        _ => 1.0,
    }
}

/// `THEN|ELSE|AND object id STATUS|SETTING = value`.
fn read_action<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<Option<RuleAction>> {
    let object = r.token(line, 1, "action object")?;
    if !["PIPE", "PUMP", "VALVE", "LINK"]
        .iter()
        .any(|k| matches(object, k))
    {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(object),
            "a rule acts on a PIPE, PUMP, VALVE or LINK",
        ));
    }
    let link = controllable_link(r, line, 2)?;
    let attribute = r.token(line, 3, "STATUS or SETTING")?;
    let value = r.token(line, 5, "value")?;
    if matches(attribute, "STATUS") {
        if matches(value, "ACTIVE") {
            // EPANET 2.3.5 accepts STATUS IS ACTIVE but its rule actions only
            // open, close or set: an ACTIVE action never changes a link
            // (checked on a TCV fixed open by [STATUS]).
            r.warn(
                line,
                Some(value),
                "EPANET ignores STATUS ACTIVE in rule actions",
            );
            return Ok(None);
        }
        if !matches(value, "OPEN") && !matches(value, "CLOSED") {
            return Err(r.error(
                line,
                code::SYNTAX,
                Some(value),
                "status must be OPEN, CLOSED or ACTIVE",
            ));
        }
    } else if !matches(attribute, "SETTING") {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(attribute),
            "a rule sets STATUS or SETTING",
        ));
    }
    if matches!(r.net.link(link).kind, LinkKind::Pipe(_))
        && !matches(value, "OPEN")
        && !matches(value, "CLOSED")
    {
        // A pipe's setting in a rule is a status: 0 closes it, any other
        // number opens it (EPANET 2.3.5: `PIPE id SETTING IS 0` closes).
        let x = r.parse_number(line, value, "setting")?;
        if x < 0.0 {
            return Err(r.error(
                line,
                code::ILLEGAL_NUMBER,
                Some(value),
                "a rule setting cannot be negative",
            ));
        }
        let status = if x == 0.0 {
            LinkStatusSetting::Closed
        } else {
            LinkStatusSetting::Open
        };
        return Ok(Some(RuleAction { link, status }));
    }
    Ok(link_setting(r, line, link, value)?.map(|status| RuleAction { link, status }))
}
