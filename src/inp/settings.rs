//! Reading `[OPTIONS]`, `[TIMES]`, `[REPORT]`, `[ENERGY]` and `[REACTIONS]`.

use crate::network::units::{FlowUnits, PressureUnits, UnitSystem, M_PER_FT};
use crate::network::{
    CurveKind, DemandModel, HeadlossFormula, LinkKind, NodeKind, QualityKind, Statistic, Unbalanced,
};

use super::diagnostic::code;
use super::lexer::{matches, Line};
use super::nodes::id_in_range;
use super::reader::{Parsed, Reader};
use super::times;

/// EPANET's kinematic viscosity of water, ft²/s.
pub(crate) const VISCOSITY_FT2S: f64 = 1.1e-5;
/// EPANET's molecular diffusivity of chlorine, ft²/s.
pub(crate) const DIFFUSIVITY_FT2S: f64 = 1.3e-8;
/// EPANET's smallest gap between required and minimum PDA pressures, in file pressure units.
const MIN_PDA_GAP: f64 = 0.1;

/// Option values that wait for the rest of the file.
#[derive(Debug, Default)]
pub(crate) struct Pending<'a> {
    /// `QUALITY TRACE id`: the line and node id.
    trace: Option<(Line<'a>, &'a str)>,
}

/// Raw option values in the file's units, converted once all are read.
#[derive(Debug, Default)]
struct RawOptions<'a> {
    pressure_units: Option<PressureUnits>,
    head_error: Option<f64>,
    flow_change: Option<f64>,
    htol: Option<f64>,
    qtol: Option<f64>,
    minimum_pressure: Option<f64>,
    required_pressure: Option<(f64, Line<'a>)>,
    viscosity: Option<f64>,
    diffusivity: Option<f64>,
}

/// Reads all `[OPTIONS]` lines, then sets the unit system and converts the
/// options that have units.
pub(crate) fn read_options<'a, 'l>(r: &mut Reader<'a>, lines: impl Iterator<Item = &'l Line<'a>>)
where
    'a: 'l,
{
    let mut raw = RawOptions::default();
    for line in lines {
        let _ = read_option(r, line, &mut raw);
    }
    let o = &mut r.net.options;
    o.pressure_units = raw.pressure_units.unwrap_or(if o.flow_units.is_si() {
        PressureUnits::Meters
    } else {
        PressureUnits::Psi
    });
    r.units = UnitSystem::new(o.flow_units, o.pressure_units, o.specific_gravity);
    let u = r.units;
    let si = o.flow_units.is_si();
    let area = if si { 1.0 } else { M_PER_FT * M_PER_FT };
    if let Some(v) = raw.head_error {
        o.head_error_m = v * u.length;
    }
    if let Some(v) = raw.flow_change {
        o.flow_change_m3s = v * u.flow;
    }
    if let Some(v) = raw.htol {
        o.head_tolerance_m = v * u.length;
    }
    if let Some(v) = raw.qtol {
        o.flow_tolerance_m3s = v * u.flow;
    }
    if let Some(v) = raw.viscosity {
        o.viscosity_m2s = viscosity_m2s(v, area);
    }
    if let Some(v) = raw.diffusivity {
        o.quality.diffusivity_m2s = diffusivity_m2s(v, area);
    }
    let minimum = raw.minimum_pressure.unwrap_or(0.0);
    o.minimum_pressure_m = minimum * u.pressure;
    match raw.required_pressure {
        Some((required, line)) if required < minimum + MIN_PDA_GAP => {
            let message =
                format!("required pressure must be at least minimum pressure + {MIN_PDA_GAP}");
            r.error(
                &line,
                code::PDA_LIMITS,
                line.tokens.last().copied(),
                message,
            );
        }
        Some((required, _)) => o.required_pressure_m = required * u.pressure,
        None => o.required_pressure_m = (minimum + MIN_PDA_GAP) * u.pressure,
    }
}

/// Kinematic viscosity in m²/s from the option's value: a multiple of
/// water's if above 1e-3, else absolute (ft²/s or m²/s; `area` is m² per file unit²).
pub(crate) fn viscosity_m2s(value: f64, area: f64) -> f64 {
    if value > 1e-3 {
        value * (VISCOSITY_FT2S * M_PER_FT * M_PER_FT)
    } else {
        value * area
    }
}

/// Molecular diffusivity in m²/s: a multiple of chlorine's if above 1e-4, else absolute.
pub(crate) fn diffusivity_m2s(value: f64, area: f64) -> f64 {
    if value > 1e-4 {
        value * (DIFFUSIVITY_FT2S * M_PER_FT * M_PER_FT)
    } else {
        value * area
    }
}

/// One `[OPTIONS]` line.
fn read_option<'a>(r: &mut Reader<'a>, line: &Line<'a>, raw: &mut RawOptions<'a>) -> Parsed<()> {
    let key = line.tokens[0];
    let second = line.tokens.get(1).copied().unwrap_or("");

    // Options whose value is a keyword or a name.
    if matches(key, "UNIT") {
        let value = r.token(line, 1, "flow units")?;
        let units = if matches(value, "SI") && value.len() == 2 {
            Some(FlowUnits::Lps)
        } else {
            FlowUnits::ALL
                .into_iter()
                .find(|u| matches(value, u.keyword()))
        };
        match units {
            Some(u) => {
                r.net.options.flow_units = u;
                r.options_read.units.push((line.number, u.is_si()));
            }
            None => {
                return Err(r.error(
                    line,
                    code::OPTION_VALUE,
                    Some(value),
                    "flow units must be CFS, GPM, MGD, IMGD, AFD, LPS, LPM, MLD, CMH, CMD or CMS",
                ))
            }
        }
        return Ok(());
    }
    if matches(key, "PRESSURE") && !matches(second, "EXP") {
        let value = r.token(line, 1, "pressure units")?;
        let all = [
            PressureUnits::Psi,
            PressureUnits::Kpa,
            PressureUnits::Meters,
            PressureUnits::Bar,
            PressureUnits::Feet,
        ];
        match all.into_iter().find(|u| matches(value, u.keyword())) {
            Some(u) => raw.pressure_units = Some(u),
            None => {
                return Err(r.error(
                    line,
                    code::OPTION_VALUE,
                    Some(value),
                    "pressure units must be PSI, KPA, METERS, BAR or FEET",
                ))
            }
        }
        return Ok(());
    }
    if matches(key, "HEADL") {
        let value = r.token(line, 1, "head-loss formula")?;
        r.net.options.headloss = if matches(value, "H-W") {
            HeadlossFormula::HazenWilliams
        } else if matches(value, "D-W") {
            HeadlossFormula::DarcyWeisbach
        } else if matches(value, "C-M") {
            HeadlossFormula::ChezyManning
        } else {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(value),
                "head-loss formula must be H-W, D-W or C-M",
            ));
        };
        let formula = r.net.options.headloss;
        r.options_read.headloss.push((line.number, formula));
        return Ok(());
    }
    if matches(key, "HYDR") {
        r.warn(
            line,
            None,
            "HYDRAULICS USE/SAVE files are not used by pipenet",
        );
        return Ok(());
    }
    if matches(key, "QUAL") {
        return read_quality_option(r, line);
    }
    if matches(key, "MAP") {
        r.net.options.map_file = line.tokens.get(1).map(|t| t.to_string());
        return Ok(());
    }
    if matches(key, "VERI") || matches(key, "SEGM") {
        return Ok(());
    }
    if matches(key, "UNBA") {
        let value = r.token(line, 1, "STOP or CONTINUE")?;
        let unbalanced = if matches(value, "STOP") {
            Unbalanced::Stop
        } else if matches(value, "CONT") {
            let extra = r.opt_number(line, 2, "extra trials")?.unwrap_or(0.0);
            Unbalanced::Continue {
                extra_trials: extra.max(0.0) as u32,
            }
        } else {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(value),
                "UNBALANCED must be STOP or CONTINUE",
            ));
        };
        r.net.options.unbalanced = unbalanced;
        return Ok(());
    }
    if matches(key, "PATT") {
        r.net.options.default_pattern_id = line.tokens.get(1).map(|t| t.to_string());
        return Ok(());
    }
    if matches(key, "DEMAN") && matches(second, "MODEL") {
        let value = r.token(line, 2, "demand model")?;
        r.net.options.demand_model = if matches(value, "DDA") {
            DemandModel::Dda
        } else if matches(value, "PDA") {
            DemandModel::Pda
        } else {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(value),
                "demand model must be DDA or PDA",
            ));
        };
        return Ok(());
    }
    let backflow = (matches(key, "BACK") && matches(second, "ALLOW"))
        || (matches(key, "EMIT") && matches(second, "BACK"));
    if backflow {
        let value = r.token(line, 2, "YES or NO")?;
        r.net.options.emitter_backflow = if matches(value, "YES") {
            true
        } else if matches(value, "NO") {
            false
        } else {
            return Err(r.error(
                line,
                code::OPTION_VALUE,
                Some(value),
                "backflow must be YES or NO",
            ));
        };
        return Ok(());
    }

    // Options whose value is a number: after one keyword, or two.
    let two_words = ["SPEC", "EMIT", "DEMAN", "MINI", "REQ", "PRESSURE"];
    let at = if two_words.iter().any(|k| matches(key, k)) {
        2
    } else {
        1
    };
    let known = [
        "VISC",
        "DIFF",
        "SPEC",
        "TRIAL",
        "ACCU",
        "HEADERROR",
        "FLOWCHANGE",
        "CHECKFREQ",
        "MAXCHECK",
        "DAMPLIMIT",
        "DEMAN",
        "EMIT",
        "MINI",
        "REQ",
        "PRESSURE",
        "TOLER",
        "HTOL",
        "QTOL",
        "RQTOL",
    ];
    if !known.iter().any(|k| matches(key, k)) {
        return Err(r.error(line, code::SYNTAX, Some(key), "unknown option"));
    }
    let Some(value) = r.opt_number(line, at, "option value")? else {
        r.warn(line, Some(key), "option without a value is ignored");
        return Ok(());
    };
    let bad = |r: &mut Reader, message: &str| {
        r.error(
            line,
            code::OPTION_VALUE,
            line.tokens.get(at).copied(),
            message.to_string(),
        )
    };
    let o = &mut r.net.options;
    if matches(key, "VISC") {
        if value <= 0.0 {
            return Err(bad(r, "viscosity must be positive"));
        }
        raw.viscosity = Some(value);
    } else if matches(key, "DIFF") {
        if value < 0.0 {
            return Err(bad(r, "diffusivity cannot be negative"));
        }
        raw.diffusivity = Some(value);
    } else if matches(key, "SPEC") {
        if value <= 0.0 {
            return Err(bad(r, "specific gravity must be positive"));
        }
        o.specific_gravity = value;
    } else if matches(key, "TRIAL") {
        if value < 1.0 {
            return Err(bad(r, "trials must be at least 1"));
        }
        o.trials = value as u32;
    } else if matches(key, "ACCU") {
        o.accuracy = value.clamp(1e-5, 1e-1);
    } else if matches(key, "HEADERROR") {
        raw.head_error = Some(value.max(0.0));
    } else if matches(key, "FLOWCHANGE") {
        raw.flow_change = Some(value.max(0.0));
    } else if matches(key, "CHECKFREQ") {
        o.check_freq = value.max(0.0) as u32;
    } else if matches(key, "MAXCHECK") {
        o.max_check = value.max(0.0) as u32;
    } else if matches(key, "DAMPLIMIT") {
        o.damp_limit = value;
    } else if matches(key, "DEMAN") {
        if value < 0.0 {
            return Err(bad(r, "demand multiplier cannot be negative"));
        }
        o.demand_multiplier = value;
    } else if matches(key, "EMIT") {
        if value <= 0.0 {
            return Err(bad(r, "emitter exponent must be positive"));
        }
        o.emitter_exponent = value;
    } else if matches(key, "MINI") {
        if value < 0.0 {
            return Err(bad(r, "minimum pressure cannot be negative"));
        }
        raw.minimum_pressure = Some(value);
    } else if matches(key, "REQ") {
        raw.required_pressure = Some((value, line.clone()));
    } else if matches(key, "PRESSURE") {
        if value <= 0.0 {
            return Err(bad(r, "pressure exponent must be positive"));
        }
        o.pressure_exponent = value;
    } else if matches(key, "TOLER") {
        o.quality.tolerance = value;
    } else if matches(key, "HTOL") {
        raw.htol = Some(value);
    } else if matches(key, "RQTOL") {
        if !(0.0..1.0).contains(&value) || value == 0.0 {
            return Err(bad(r, "RQTOL must be between 0 and 1"));
        }
        o.rq_tolerance = value;
    } else if matches(key, "QTOL") {
        raw.qtol = Some(value);
    }
    Ok(())
}

/// `QUALITY NONE|CHEMICAL [name units]|AGE|TRACE node`, or `QUALITY name [units]`.
fn read_quality_option<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let Some(&value) = line.tokens.get(1) else {
        return Ok(());
    };
    let units = line.tokens.get(2).map_or("mg/L", |t| t).to_string();
    r.net.options.quality.kind = if matches(value, "NONE") {
        QualityKind::None
    } else if matches(value, "CHEM") {
        QualityKind::Chemical {
            name: "Chemical".to_string(),
            units,
        }
    } else if matches(value, "AGE") {
        QualityKind::Age
    } else if matches(value, "TRACE") {
        let node = r.token(line, 2, "trace node")?;
        r.settings.trace = Some((line.clone(), node));
        QualityKind::None
    } else {
        QualityKind::Chemical {
            name: value.to_string(),
            units,
        }
    };
    Ok(())
}

/// Resolves what waited for the whole file: the trace node and the default pattern.
pub(crate) fn finish(r: &mut Reader) {
    if let Some((line, id)) = r.settings.trace.take() {
        match r.net.node_ix(id) {
            Some(node) => r.net.options.quality.kind = QualityKind::Trace { node },
            None => {
                r.error(
                    &line,
                    code::TRACE_NODE,
                    Some(id),
                    "trace node is not defined",
                );
            }
        }
    }
    let named = r.net.options.default_pattern_id.clone();
    r.net.options.default_pattern = named.as_deref().and_then(|id| r.net.pattern_ix(id));
    if r.net.options.default_pattern.is_none() {
        if let Some(id) = named.filter(|id| id != "1") {
            r.warn_global(
                Some(&id),
                "default pattern is not defined; pattern \"1\" or none is used",
            );
        }
        r.net.options.default_pattern = r.net.pattern_ix("1");
    }
}

/// `[TIMES]`: one time setting.
pub(crate) fn read_time<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let key = line.tokens[0];
    let second = line.tokens.get(1).copied().unwrap_or("");
    if matches(key, "STAT") {
        let value = r.token(line, 1, "statistic")?;
        let all = [
            ("NONE", Statistic::None),
            ("AVERAGE", Statistic::Average),
            ("MINIMUM", Statistic::Minimum),
            ("MAXIMUM", Statistic::Maximum),
            ("RANGE", Statistic::Range),
        ];
        match all.iter().find(|(k, _)| matches(value, k)) {
            Some(&(_, s)) => r.net.times.statistic = s,
            None => {
                return Err(r.error(
                    line,
                    code::OPTION_VALUE,
                    Some(value),
                    "statistic must be NONE, AVERAGE, MINIMUM, MAXIMUM or RANGE",
                ))
            }
        }
        return Ok(());
    }
    let t = &mut r.net.times;
    let field: &mut u64 = if matches(key, "DURA") {
        &mut t.duration_s
    } else if matches(key, "HYDR") {
        &mut t.hydraulic_step_s
    } else if matches(key, "QUAL") {
        &mut t.quality_step_s
    } else if matches(key, "RULE") {
        &mut t.rule_step_s
    } else if matches(key, "PATT") && matches(second, "TIME") {
        &mut t.pattern_step_s
    } else if matches(key, "PATT") && matches(second, "STAR") {
        &mut t.pattern_start_s
    } else if matches(key, "REPO") && matches(second, "TIME") {
        &mut t.report_step_s
    } else if matches(key, "REPO") && matches(second, "STAR") {
        &mut t.report_start_s
    } else if matches(key, "STAR") {
        &mut t.start_clock_s
    } else {
        return Err(r.error(line, code::SYNTAX, Some(key), "unknown time setting"));
    };
    match times::trailing_seconds(&line.tokens[1..]) {
        Some(s) => {
            *field = if matches(key, "STAR") { s % 86_400 } else { s };
            Ok(())
        }
        None => Err(r.error(
            line,
            code::OPTION_VALUE,
            line.tokens.last().copied(),
            "invalid time value",
        )),
    }
}

/// `[REPORT]`: STATUS, SUMMARY, ENERGY, NODES and LINKS are interpreted;
/// other lines are kept verbatim.
pub(crate) fn read_report<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let key = line.tokens[0];
    let yes_no = |t: Option<&&str>| t.map(|t| matches(t, "YES"));
    if matches(key, "STATUS") {
        r.net.report.status = line.tokens.get(1).map(|t| t.to_string());
    } else if matches(key, "SUMM") {
        r.net.report.summary = yes_no(line.tokens.get(1));
    } else if matches(key, "ENER") {
        r.net.report.energy = yes_no(line.tokens.get(1));
    } else if matches(key, "NODE") || matches(key, "LINK") {
        let nodes = matches(key, "NODE");
        for (i, id) in line.tokens.iter().enumerate().skip(1) {
            let keyword = matches(id, "ALL") || matches(id, "NONE");
            if !keyword {
                if nodes {
                    r.node(line, i)?;
                } else {
                    r.link(line, i)?;
                }
            }
            let list = if nodes {
                &mut r.net.report.nodes
            } else {
                &mut r.net.report.links
            };
            list.push(id.to_string());
        }
    } else {
        r.net.report.other_lines.push(line.text.to_string());
    }
    Ok(())
}

/// `[ENERGY]`: `GLOBAL PRICE|PATTERN|EFFIC value`, `PUMP id PRICE|PATTERN|EFFIC value`,
/// `DEMAND CHARGE value`.
pub(crate) fn read_energy<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let key = line.tokens[0];
    if matches(key, "DEMAN") {
        r.net.energy.demand_charge = r.number(line, 2, "demand charge")?;
        return Ok(());
    }
    let (pump, at) = if matches(key, "GLOB") {
        (None, 1)
    } else if matches(key, "PUMP") {
        let link = r.link(line, 1)?;
        if !matches!(r.net.links[link.ix()].kind, LinkKind::Pump(_)) {
            return Err(r.error(
                line,
                code::UNDEFINED_PUMP,
                line.tokens.get(1).copied(),
                "not a pump",
            ));
        }
        (Some(link), 2)
    } else {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(key),
            "energy lines start with GLOBAL, PUMP or DEMAND",
        ));
    };
    let what = r.token(line, at, "PRICE, PATTERN or EFFIC")?;
    let value = r.token(line, at + 1, "value")?;
    if matches(what, "PRICE") {
        let price = r.parse_number(line, value, "price")?;
        match pump {
            None => r.net.energy.global_price = price,
            Some(link) => with_pump(r, link, |p| p.energy_price = Some(price)),
        }
    } else if matches(what, "PATT") {
        let pattern = r.pattern(line, value)?;
        match pump {
            None => r.net.energy.global_price_pattern = Some(pattern),
            Some(link) => with_pump(r, link, |p| p.price_pattern = Some(pattern)),
        }
    } else if matches(what, "EFFI") {
        match pump {
            None => {
                let efficiency = r.parse_number(line, value, "efficiency")?;
                if efficiency <= 0.0 {
                    return Err(r.error(
                        line,
                        code::PUMP_ENERGY,
                        Some(value),
                        "efficiency must be positive",
                    ));
                }
                r.net.energy.global_efficiency = efficiency;
            }
            Some(link) => {
                let curve = r.curve(line, value, CurveKind::Efficiency)?;
                with_pump(r, link, |p| p.efficiency_curve = Some(curve));
            }
        }
    } else {
        return Err(r.error(
            line,
            code::SYNTAX,
            Some(what),
            "energy keyword must be PRICE, PATTERN or EFFIC",
        ));
    }
    Ok(())
}

fn with_pump(
    r: &mut Reader,
    link: crate::network::LinkIx,
    f: impl FnOnce(&mut crate::network::Pump),
) {
    if let LinkKind::Pump(pump) = &mut r.net.links[link.ix()].kind {
        f(pump);
    }
}

/// `[REACTIONS]`: orders, global coefficients, per-pipe and per-tank
/// coefficients (single ids or id ranges), limiting potential, roughness correlation.
pub(crate) fn read_reaction<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let key = line.tokens[0];
    let second = r.token(line, 1, "reaction keyword or id")?;
    if matches(key, "ORDER") {
        let value = r.number(line, 2, "reaction order")?;
        let rx = &mut r.net.reactions;
        if matches(second, "BULK") {
            rx.bulk_order = value;
        } else if matches(second, "WALL") {
            rx.wall_order = value;
        } else if matches(second, "TANK") {
            rx.tank_order = value;
        } else {
            return Err(r.error(
                line,
                code::SYNTAX,
                Some(second),
                "ORDER applies to BULK, WALL or TANK",
            ));
        }
        return Ok(());
    }
    if matches(key, "GLOB") {
        let value = r.number(line, 2, "global coefficient")?;
        let rx = &mut r.net.reactions;
        if matches(second, "BULK") {
            rx.global_bulk = value;
        } else if matches(second, "WALL") {
            rx.global_wall = value;
        } else {
            return Err(r.error(
                line,
                code::SYNTAX,
                Some(second),
                "GLOBAL applies to BULK or WALL",
            ));
        }
        return Ok(());
    }
    if matches(key, "LIMIT") {
        r.net.reactions.limiting_potential = r.number(line, 2, "limiting potential")?;
        return Ok(());
    }
    if matches(key, "ROUG") {
        r.net.reactions.roughness_correlation = r.number(line, 2, "roughness correlation")?;
        return Ok(());
    }
    let (bulk, wall, tank) = (
        matches(key, "BULK"),
        matches(key, "WALL"),
        matches(key, "TANK"),
    );
    if !(bulk || wall || tank) {
        return Err(r.error(line, code::SYNTAX, Some(key), "unknown reaction keyword"));
    }
    let (low, high, at) = if line.tokens.len() >= 4 {
        (second, line.tokens[2], 3)
    } else {
        (second, second, 2)
    };
    let value = r.number(line, at, "reaction coefficient")?;
    let single = at == 2;
    if tank {
        for node in &mut r.net.nodes {
            let hit = if single {
                node.id == low
            } else {
                id_in_range(&node.id, low, high)
            };
            if let (true, NodeKind::Tank(t)) = (hit, &mut node.kind) {
                t.bulk_coeff = Some(value);
            }
        }
    } else {
        for link in &mut r.net.links {
            let hit = if single {
                link.id == low
            } else {
                id_in_range(&link.id, low, high)
            };
            if let (true, LinkKind::Pipe(p)) = (hit, &mut link.kind) {
                if bulk {
                    p.bulk_coeff = Some(value);
                } else {
                    p.wall_coeff = Some(value);
                }
            }
        }
    }
    Ok(())
}
