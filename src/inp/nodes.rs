//! Reading node sections: junctions, reservoirs, tanks, and the per-node data of other sections.

use crate::network::{
    CurveKind, Demand, Junction, MixingModel, Node, NodeKind, Reservoir, Source, SourceKind, Tank,
};

use super::diagnostic::code;
use super::lexer::{matches, Line};
use super::reader::{ignored_message, Parsed, Reader};

/// Error 215 if a node of this id exists. EPANET checks a node line's id
/// before its values: a duplicate with a bad elevation is error 215, not
/// 202.
fn new_node(r: &mut Reader, line: &Line, id: &str) -> Parsed<()> {
    if r.net.node_ix(id).is_some() {
        return Err(r.error(line, code::DUPLICATE_ID, Some(id), "duplicate node id"));
    }
    Ok(())
}

/// Adds a node, or records error 215 if its id (the line's first token) is taken.
fn add_node(r: &mut Reader, line: &Line, node: Node) -> Parsed<()> {
    match r.net.add_node(node) {
        Ok(_) => {
            r.node_lines.push(line.number);
            Ok(())
        }
        Err(_) => {
            let id = line.tokens.first().copied();
            Err(r.error(line, code::DUPLICATE_ID, id, "duplicate node id"))
        }
    }
}

/// `[JUNCTIONS]`: `id [elevation [demand [pattern]]]`: EPANET 2.3 reads a
/// junction without an elevation at elevation 0.
pub(crate) fn read_junction<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "junction id")?;
    r.check_id(line, id)?;
    new_node(r, line, id)?;
    let elevation = match r.opt_number(line, 1, "elevation")? {
        Some(elevation) => elevation,
        None => {
            r.warn(line, Some(id), "no elevation given; EPANET uses 0");
            0.0
        }
    };
    let demand = r.opt_number(line, 2, "demand")?;
    let pattern = r.opt_pattern(line, 3)?;
    let mut junction = Junction::default();
    if let Some(base) = demand {
        // One demand is the norm: a pushed-to Vec would reserve four.
        junction.demands.reserve_exact(1);
        junction.demands.push(Demand {
            base_m3s: base * r.units.flow,
            pattern,
            category: None,
        });
    }
    let mut node = Node::new(id, NodeKind::Junction(junction), elevation * r.units.length);
    node.set_comment(line.comment.map(str::to_string));
    add_node(r, line, node)
}

/// `[RESERVOIRS]` and `[TANKS]`: a line of at most 3 tokens is a reservoir
/// (`id head [pattern]`), a longer one a tank (`id elevation initlevel
/// minlevel maxlevel diameter [minvolume [volumecurve|* [overflow]]]`),
/// whichever section it is in, as in EPANET.
pub(crate) fn read_tank<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "id")?;
    r.check_id(line, id)?;
    new_node(r, line, id)?;
    let elevation = r.number(line, 1, "elevation or head")?;
    let n = line.tokens.len();
    let kind = if n <= 3 {
        let head_pattern = r.opt_pattern(line, 2)?;
        NodeKind::Reservoir(Reservoir { head_pattern })
    } else {
        if n < 6 {
            return Err(r.error(
                line,
                code::SYNTAX,
                None,
                "a tank needs elevation, initial, minimum and maximum levels and diameter",
            ));
        }
        let init = r.number(line, 2, "initial level")?;
        let min = r.number(line, 3, "minimum level")?;
        let max = r.number(line, 4, "maximum level")?;
        let diameter = r.number(line, 5, "diameter")?;
        let min_volume = r.opt_number(line, 6, "minimum volume")?.unwrap_or(0.0);
        for (value, token) in [(init, 2), (min, 3), (max, 4), (diameter, 5)] {
            if value < 0.0 {
                return Err(r.error(
                    line,
                    code::NODE_PROPERTY,
                    line.tokens.get(token).copied(),
                    "tank levels and diameter cannot be negative",
                ));
            }
        }
        if min_volume < 0.0 {
            return Err(r.error(
                line,
                code::NODE_PROPERTY,
                line.tokens.get(6).copied(),
                "minimum volume cannot be negative",
            ));
        }
        let volume_curve = match line.tokens.get(7) {
            None | Some(&"*") => None,
            Some(curve) => Some(r.curve(line, curve, CurveKind::Volume)?),
        };
        let can_overflow = match line.tokens.get(8) {
            None => false,
            Some(t) if matches(t, "YES") => true,
            Some(t) if matches(t, "NO") => false,
            Some(t) => {
                return Err(r.error(
                    line,
                    code::OPTION_VALUE,
                    Some(t),
                    "overflow must be YES or NO",
                ))
            }
        };
        let length = r.units.length;
        let mut tank = Tank::cylinder(init * length, min * length, max * length, diameter * length);
        tank.min_volume_m3 = min_volume * r.units.volume;
        tank.volume_curve = volume_curve;
        tank.can_overflow = can_overflow;
        NodeKind::Tank(Box::new(tank))
    };
    let mut node = Node::new(id, kind, elevation * r.units.length);
    node.set_comment(line.comment.map(str::to_string));
    add_node(r, line, node)
}

/// `[DEMANDS]`: `junction base [pattern] [;category]`. The first entry for a
/// junction replaces the demand of its `[JUNCTIONS]` line.
pub(crate) fn read_demand<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let node = r.node(line, 0)?;
    let base = r.number(line, 1, "base demand")?;
    let pattern = r.opt_pattern(line, 2)?;
    let flow = r.units.flow;
    let replaced = &mut r.demands_replaced[node.ix()];
    let first = !*replaced;
    *replaced = true;
    match &mut r.net.nodes[node.ix()].kind {
        NodeKind::Junction(junction) => {
            if first {
                junction.demands.clear();
            }
            if junction.demands.capacity() == 0 {
                // Room for this one only; a second one grows the Vec as usual.
                junction.demands.reserve_exact(1);
            }
            let category = line.comment.map(str::to_string);
            junction.demands.push(Demand {
                base_m3s: base * flow,
                pattern,
                category,
            });
        }
        _ => r.warn(
            line,
            line.tokens.first().copied(),
            "demand at a reservoir or tank is ignored",
        ),
    }
    Ok(())
}

/// `[EMITTERS]`: `junction coefficient`, q = C p^γ in the file's flow and pressure units.
pub(crate) fn read_emitter<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let node = r.node(line, 0)?;
    let coefficient = r.number(line, 1, "emitter coefficient")?;
    if coefficient < 0.0 {
        return Err(r.error(
            line,
            code::NODE_PROPERTY,
            line.tokens.get(1).copied(),
            "emitter coefficient cannot be negative",
        ));
    }
    if !r.is_junction(node) {
        r.warn(
            line,
            line.tokens.first().copied(),
            "emitter at a reservoir or tank is ignored",
        );
        return Ok(());
    }
    let factor = emitter_factor(r);
    r.net.nodes[node.ix()].emitter_coefficient = coefficient * factor;
    Ok(())
}

/// SI per file unit of an emitter coefficient: (m³/s per flow unit) /
/// (m per pressure unit)^γ, from q = C p^γ.
pub(crate) fn emitter_factor(r: &Reader) -> f64 {
    r.units.flow / r.units.pressure.powf(r.net.options.emitter_exponent)
}

/// `[QUALITY]`: `node c0`, or `first last c0` for every node whose id lies
/// in that range; in the file's concentration units.
pub(crate) fn read_quality<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    if line.tokens.len() < 3 {
        let node = r.node(line, 0)?;
        let c0 = r.number(line, 1, "initial quality")?;
        r.net.nodes[node.ix()].initial_quality = c0;
        return Ok(());
    }
    let (low, high) = (line.tokens[0], line.tokens[1]);
    let c0 = r.number(line, 2, "initial quality")?;
    // EPANET sets the nodes of the range declared above the line.
    for (k, node) in r.net.nodes.iter_mut().enumerate() {
        if r.node_lines[k] < line.number && id_in_range(&node.id, low, high) {
            node.initial_quality = c0;
        }
    }
    Ok(())
}

/// Whether an id lies between two others, as EPANET 2.3 compares them in
/// `[QUALITY]`, `[STATUS]` and `[REACTIONS]` ranges: when both bounds begin
/// with a positive integer, by the integer each id begins with (`5a` counts
/// as 5, `2.5` and `1e1` as 2 and 1, `A` as 0); otherwise as text, byte by
/// byte (so `0 6` holds `15` and `0x3`).
pub(crate) fn id_in_range(id: &str, low: &str, high: &str) -> bool {
    let (first, last) = (leading_integer(low), leading_integer(high));
    if first > 0 && last > 0 {
        (first..=last).contains(&leading_integer(id))
    } else {
        low <= id && id <= high
    }
}

/// The integer a text begins with, as C's `atol` reads it: blanks, an
/// optional sign, then digits up to the first other character; 0 if there
/// are none, saturated at the `i64` limits.
fn leading_integer(text: &str) -> i64 {
    let text = text.trim_start_matches([' ', '\t']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        let digit = i64::from(b - b'0');
        value = value
            .saturating_mul(10)
            .saturating_add(if negative { -digit } else { digit });
    }
    value
}

/// `[SOURCES]`: `node CONCEN|MASS|SETPOINT|FLOWPACED strength [pattern]`
/// (a missing type means CONCEN).
pub(crate) fn read_source<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let node = r.node(line, 0)?;
    let kind_token = r.token(line, 1, "source type or strength")?;
    let kinds = [
        ("CONCEN", SourceKind::Concen),
        ("MASS", SourceKind::Mass),
        ("SETPOINT", SourceKind::Setpoint),
        ("FLOWPACED", SourceKind::FlowPaced),
    ];
    let (kind, at) = match kinds.iter().find(|(k, _)| matches(kind_token, k)) {
        Some(&(_, kind)) => (kind, 2),
        None => (SourceKind::Concen, 1),
    };
    let strength = r.number(line, at, "source strength")?;
    let pattern = r.opt_pattern(line, at + 1)?;
    r.net.nodes[node.ix()].set_source(Some(Source {
        kind,
        strength,
        pattern,
    }));
    Ok(())
}

/// `[MIXING]`: `tank MIXED|2COMP|FIFO|LIFO [fraction]`.
pub(crate) fn read_mixing<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let node = r.node(line, 0)?;
    let model_token = r.token(line, 1, "mixing model")?;
    let models = [
        ("MIXED", MixingModel::Mixed),
        ("2COMP", MixingModel::TwoCompartment),
        ("FIFO", MixingModel::Fifo),
        ("LIFO", MixingModel::Lifo),
    ];
    let Some(&(_, model)) = models.iter().find(|(k, _)| matches(model_token, k)) else {
        return Err(r.error(
            line,
            code::OPTION_VALUE,
            Some(model_token),
            "mixing model must be MIXED, 2COMP, FIFO or LIFO",
        ));
    };
    let fraction = r.opt_number(line, 2, "mixing fraction")?;
    match &mut r.net.nodes[node.ix()].kind {
        NodeKind::Tank(tank) => {
            tank.mixing = model;
            if let Some(fraction) = fraction {
                tank.mixing_fraction = fraction;
            }
        }
        _ => r.warn(
            line,
            line.tokens.first().copied(),
            "mixing model of a node that is not a tank is ignored",
        ),
    }
    Ok(())
}

/// `[COORDINATES]`: `node x y`. Unknown nodes are skipped, as in EPANET.
pub(crate) fn read_coordinates<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "node id")?;
    let x = r.number(line, 1, "x coordinate")?;
    let y = r.number(line, 2, "y coordinate")?;
    match r.declared_node(id, line) {
        Some(node) => r.net.nodes[node.ix()].coordinates = Some((x, y)),
        None => {
            let message = match r.net.node_ix(id) {
                Some(n) => ignored_message("coordinates", "node", r.node_lines[n.ix()]),
                None => "coordinates of an undefined node are ignored".to_string(),
            };
            r.warn(line, Some(id), message);
        }
    }
    Ok(())
}
