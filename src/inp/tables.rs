//! Reading `[PATTERNS]` and `[CURVES]`, and converting curve points once their use is known.

use crate::network::{Curve, CurveKind, Pattern};

use super::diagnostic::code;
use super::lexer::{matches, Line};
use super::reader::{Parsed, Reader};

/// `[PATTERNS]`: `id multiplier...`; lines with the same id append.
pub(crate) fn read_pattern<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "pattern id")?;
    let mut values = Vec::with_capacity(line.tokens.len().saturating_sub(1));
    for token in &line.tokens[1..] {
        values.push(r.parse_number(line, token, "pattern multiplier")?);
    }
    let ix = match r.net.pattern_ix(id) {
        Some(ix) => ix,
        None => {
            r.check_id(line, id)?;
            let pattern = Pattern {
                id: id.to_string(),
                multipliers: Vec::new(),
            };
            r.net
                .add_pattern(pattern)
                .map_err(|_| r.error(line, code::DUPLICATE_ID, Some(id), "duplicate pattern id"))?
        }
    };
    r.net.patterns[ix.ix()].multipliers.extend(values);
    Ok(())
}

/// `[CURVES]`: `id x y [type]`; lines with the same id append points. The
/// points stay in the file's units until [`convert_curves`].
pub(crate) fn read_curve<'a>(r: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    let id = r.token(line, 0, "curve id")?;
    let x = r.number(line, 1, "curve x value")?;
    let y = r.number(line, 2, "curve y value")?;
    if let Some(kind) = line.tokens.get(3) {
        let known = ["VOLUME", "PUMP", "EFFIC", "HEADLOSS", "GENERIC", "VALVE"];
        if !known.iter().any(|k| matches(kind, k)) {
            r.warn(line, Some(kind), "unknown curve type is ignored");
        }
    }
    let ix = match r.net.curve_ix(id) {
        Some(ix) => ix,
        None => {
            r.check_id(line, id)?;
            let curve = Curve {
                id: id.to_string(),
                kind: CurveKind::Generic,
                points: Vec::new(),
            };
            let ix = r
                .net
                .add_curve(curve)
                .map_err(|_| r.error(line, code::DUPLICATE_ID, Some(id), "duplicate curve id"))?;
            r.curve_kinds.push(CurveKind::Generic);
            ix
        }
    };
    r.net.curves[ix.ix()].points.push((x, y));
    Ok(())
}

/// SI per file unit of a curve's x and y values, for its kind.
pub(crate) fn curve_factors(r: &Reader, kind: CurveKind) -> (f64, f64) {
    let u = &r.units;
    match kind {
        CurveKind::Generic | CurveKind::Valve => (1.0, 1.0),
        CurveKind::Pump | CurveKind::Headloss => (u.flow, u.length),
        CurveKind::Efficiency => (u.flow, 1.0),
        CurveKind::Volume => (u.length, u.volume),
    }
}

/// Sets each curve's kind from its use and converts its points to SI;
/// checks that x values increase (error 230).
pub(crate) fn convert_curves(r: &mut Reader) {
    for ix in 0..r.net.curves.len() {
        let kind = r.curve_kinds[ix];
        let (fx, fy) = curve_factors(r, kind);
        let curve = &mut r.net.curves[ix];
        curve.kind = kind;
        for point in &mut curve.points {
            *point = (point.0 * fx, point.1 * fy);
        }
        if curve.points.windows(2).any(|w| w[1].0 <= w[0].0) {
            let id = curve.id.clone();
            r.error_global(
                code::CURVE_X,
                Some(&id),
                "curve x values must be strictly increasing",
            );
        }
    }
}
