//! Pumps: curve classification, power-law fitting, head gain with speed,
//! and the status rule of a running pump.
//!
//! EPANET 2.3 (manual §3.1, "Pumps") turns a pump's head curve into one of:
//! a power function `h = h0 - r q^n` fitted through a 1-point or 3-point
//! curve, a piecewise-linear multipoint curve, or a constant-power law
//! `h = 8.814 P / q` (hp, ft, cfs). Speed `s` scales by the affinity laws:
//! `h0 s²` and `r s^(2-n)`.

use super::constants::{CBIG, CFS, CSMALL, FT, TINY_FLOW};
use super::model::SolverSettings;
use super::status::LinkStatus;
use crate::network::{Curve, PumpModel};

/// A pump's head-flow law, in SI (m, m³/s), ready for the solver.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PumpCurve {
    /// `gain = h0 s² - r s^(2-n) |q|^n`.
    Power {
        /// Shutoff head, m.
        h0: f64,
        /// Resistance, m per (m³/s)^n (positive).
        r: f64,
        /// Exponent.
        n: f64,
    },
    /// Piecewise-linear head curve (flow m³/s, head m), head decreasing.
    Multipoint(Vec<(f64, f64)>),
    /// Constant power: `gain = power_coeff s³ / q`, `power_coeff` in m·m³/s.
    ConstantPower {
        /// Head gain times flow at unit speed, m⁴/s.
        power_coeff: f64,
    },
}

/// A pump ready for the solver: its curve and the limits EPANET derives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PumpLaw {
    /// The head-flow law.
    pub curve: PumpCurve,
    /// Shutoff head at unit speed, m (EPANET `Hmax`); infinite for constant power.
    pub max_head_m: f64,
    /// Largest flow on the curve at unit speed, m³/s (EPANET `Qmax`).
    pub max_flow_m3s: f64,
    /// Design flow used as the initial flow guess, m³/s (EPANET `Q0`).
    pub design_flow_m3s: f64,
}

impl PumpLaw {
    /// Whether the pump delivers a constant power (EPANET `CONST_HP`).
    pub fn is_constant_power(&self) -> bool {
        matches!(self.curve, PumpCurve::ConstantPower { .. })
    }
}

/// Why a pump curve cannot be used (EPANET errors 226 and 227).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PumpCurveError {
    /// The pump has neither a head curve nor a power (EPANET error 226).
    #[error("pump has no head curve or power rating")]
    NoCurve,
    /// The curve is not a valid pump curve (EPANET error 227).
    #[error("pump curve '{curve}' is invalid: {reason}")]
    Invalid {
        /// The curve's id.
        curve: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Builds the solver's law for a pump, as EPANET's curve classification does.
pub(crate) fn pump_law(model: &PumpModel, curves: &[Curve]) -> Result<PumpLaw, PumpCurveError> {
    match model {
        PumpModel::ConstantPower(kw) => {
            if *kw <= 0.0 {
                return Err(PumpCurveError::NoCurve);
            }
            // gain_ft = 8.814 P_hp / q_cfs
            let p_hp = kw / crate::network::units::KW_PER_HP;
            Ok(PumpLaw {
                curve: PumpCurve::ConstantPower {
                    power_coeff: 8.814 * p_hp * FT * CFS,
                },
                max_head_m: f64::INFINITY,
                max_flow_m3s: f64::INFINITY,
                design_flow_m3s: CFS,
            })
        }
        PumpModel::HeadCurve(ix) => {
            let curve = &curves[ix.ix()];
            classify(curve)
        }
    }
}

fn classify(curve: &Curve) -> Result<PumpLaw, PumpCurveError> {
    let p = &curve.points;
    let invalid = |reason| PumpCurveError::Invalid {
        curve: curve.id.clone(),
        reason,
    };
    match p.len() {
        0 => Err(invalid("it has no points")),
        1 => {
            let (q1, h1) = p[0];
            fit_power(curve, 1.33334 * h1, (q1, h1), (2.0 * q1, 0.0))
        }
        3 if p[0].0 == 0.0 => fit_power(curve, p[0].1, p[1], p[2]),
        _ => {
            if p.windows(2).any(|w| w[1].1 >= w[0].1) {
                return Err(invalid("head must decrease as flow increases"));
            }
            let (first, last) = (p[0], p[p.len() - 1]);
            Ok(PumpLaw {
                curve: PumpCurve::Multipoint(p.clone()),
                max_head_m: first.1,
                max_flow_m3s: last.0,
                design_flow_m3s: (first.0 + last.0) / 2.0,
            })
        }
    }
}

/// Fits `h = h0 - r q^n` through (0, h0), (q1, h1), (q2, h2):
/// `n = ln((h0-h2)/(h0-h1)) / ln(q2/q1)`, `r = (h0-h1) / q1^n`.
fn fit_power(
    curve: &Curve,
    h0: f64,
    (q1, h1): (f64, f64),
    (q2, h2): (f64, f64),
) -> Result<PumpLaw, PumpCurveError> {
    let invalid = |reason| PumpCurveError::Invalid {
        curve: curve.id.clone(),
        reason,
    };
    // EPANET's TINY tolerance, applied in its own units (ft, cfs).
    let tiny = 1e-6;
    if h0 / FT < tiny || (h0 - h1) / FT < tiny || (h1 - h2) / FT < tiny {
        return Err(invalid("heads must decrease along the curve"));
    }
    if q1 / CFS < tiny || (q2 - q1) / CFS < tiny {
        return Err(invalid("flows must increase along the curve"));
    }
    let n = ((h0 - h2) / (h0 - h1)).ln() / (q2 / q1).ln();
    if n <= 0.0 || n > 20.0 {
        return Err(invalid("it cannot be fitted by a power function"));
    }
    let r = (h0 - h1) / q1.powf(n);
    Ok(PumpLaw {
        curve: PumpCurve::Power { h0, r, n },
        max_head_m: h0,
        max_flow_m3s: (h0 / r).powf(1.0 / n),
        design_flow_m3s: q1,
    })
}

/// How the solver should treat a pump this iteration.
pub(crate) enum PumpCoefficients {
    /// A normal head loss `h` (negative of the gain) and gradient `g`.
    Law(f64, f64),
    /// Behaves as a closed link (constant power at near-zero flow).
    Closed,
    /// Behaves as an open valve with a tiny resistance.
    Open,
}

/// Head loss (minus the head gain, m) and gradient of a running pump at
/// relative `speed` carrying `flow` (m³/s).
pub(crate) fn pump_headloss(law: &PumpLaw, speed: f64, flow: f64, rq_tol: f64) -> PumpCoefficients {
    let q = flow.abs();
    match &law.curve {
        PumpCurve::Multipoint(points) => {
            let (h0, slope) = curve_segment(points, q / speed);
            // Head loss form: h = -(h0 s²) - slope s Q (slope is negative).
            let gradient = -slope * speed;
            PumpCoefficients::Law(-h0 * speed * speed + gradient * flow, gradient)
        }
        PumpCurve::ConstantPower { power_coeff } => {
            let r = -power_coeff * speed * speed * speed;
            let gradient = -r / q / q;
            if gradient > CBIG {
                PumpCoefficients::Closed
            } else if gradient < CSMALL {
                PumpCoefficients::Open
            } else {
                PumpCoefficients::Law(r / flow, gradient)
            }
        }
        PumpCurve::Power { h0, r, n } => {
            let h0 = -h0 * speed * speed;
            let n = if (n - 1.0).abs() < 1e-6 { 1.0 } else { *n };
            let r = r * speed.powf(2.0 - n);
            if n == 1.0 {
                return PumpCoefficients::Law(h0 + r * flow, r);
            }
            let gradient = n * r * q.powf(n - 1.0);
            if gradient < rq_tol {
                PumpCoefficients::Law(h0 + rq_tol * flow, rq_tol)
            } else {
                PumpCoefficients::Law(h0 + gradient * flow / n, gradient)
            }
        }
    }
}

/// Status of a running pump from its head gain `gain_m` (m) and flow (m³/s),
/// as EPANET 2.3's `pumpstatus` decides it: closed (XHEAD) when the gain
/// exceeds the speed-adjusted shutoff head by more than `htol`, and, for a
/// constant-power pump, temporarily closed once its flow has fallen below
/// EPANET's `TINY` (1e-6 cfs): such a pump cannot run against the head it
/// faces, and its flow is only being halved towards zero.
pub(crate) fn pump_status(
    law: &PumpLaw,
    speed: f64,
    gain_m: f64,
    flow_m3s: f64,
    s: &SolverSettings,
) -> LinkStatus {
    if matches!(law.curve, PumpCurve::ConstantPower { .. }) && flow_m3s < TINY_FLOW {
        return LinkStatus::TempClosed;
    }
    if gain_m > speed * speed * law.max_head_m + s.htol {
        LinkStatus::XHead
    } else {
        LinkStatus::Open
    }
}

/// The intercept and slope of the curve segment containing `q` (extended
/// beyond the ends along the first or last segment), as EPANET's
/// `curvecoeff` finds them for pump and GPV curves.
pub(crate) fn curve_segment(points: &[(f64, f64)], q: f64) -> (f64, f64) {
    let n = points.len();
    if n < 2 {
        return (points.first().map_or(0.0, |p| p.1), 0.0);
    }
    let mut k2 = points.iter().position(|p| p.0 >= q).unwrap_or(n);
    if k2 == 0 {
        k2 = 1;
    } else if k2 == n {
        k2 = n - 1;
    }
    let (x1, y1) = points[k2 - 1];
    let (x2, y2) = points[k2];
    let slope = (y2 - y1) / (x2 - x1);
    (y1 - slope * x1, slope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::CurveKind;

    fn curve(points: &[(f64, f64)]) -> Curve {
        Curve {
            id: "c".into(),
            kind: CurveKind::Pump,
            points: points.to_vec(),
        }
    }

    #[test]
    fn one_point_curve_has_the_documented_shutoff_and_max_flow() {
        // EPANET manual: shutoff head 133% of the design head, max flow twice the design flow.
        let law = classify(&curve(&[(0.1, 30.0)])).unwrap();
        assert!((law.max_head_m - 40.0002).abs() < 1e-9);
        assert!((law.max_flow_m3s - 0.2).abs() < 1e-6);
        match law.curve {
            PumpCurve::Power { h0, r, n } => {
                // Passes through the design point.
                assert!((h0 - r * 0.1f64.powf(n) - 30.0).abs() < 1e-9);
            }
            _ => panic!("expected a power curve"),
        }
    }

    #[test]
    fn three_point_curve_passes_through_its_points() {
        let law = classify(&curve(&[(0.0, 50.0), (0.05, 40.0), (0.1, 10.0)])).unwrap();
        let PumpCurve::Power { h0, r, n } = law.curve else {
            panic!()
        };
        assert!((h0 - r * 0.05f64.powf(n) - 40.0).abs() < 1e-9);
        assert!((h0 - r * 0.1f64.powf(n) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn multipoint_curve_interpolates_linearly() {
        let law = classify(&curve(&[
            (0.0, 50.0),
            (0.05, 45.0),
            (0.1, 35.0),
            (0.15, 20.0),
        ]))
        .unwrap();
        let PumpCoefficients::Law(h, g) = pump_headloss(&law, 1.0, 0.075, 1e-7) else {
            panic!()
        };
        assert!((h + 40.0).abs() < 1e-9, "gain at 0.075 is 40 m, got {}", -h);
        assert!((g - 200.0).abs() < 1e-9);
    }

    #[test]
    fn rising_multipoint_curve_is_rejected() {
        let err = classify(&curve(&[
            (0.0, 50.0),
            (0.05, 55.0),
            (0.1, 35.0),
            (0.2, 1.0),
        ]));
        assert!(matches!(err, Err(PumpCurveError::Invalid { .. })));
    }

    #[test]
    fn constant_power_gain_times_flow_is_the_power() {
        // P = ρ g Q H: 10 kW at 0.05 m³/s gives about 20.4 m.
        let law = pump_law(&PumpModel::ConstantPower(10.0), &[]).unwrap();
        let PumpCoefficients::Law(h, _) = pump_headloss(&law, 1.0, 0.05, 1e-7) else {
            panic!()
        };
        let physical = 10_000.0 / (1000.0 * 9.80665 * 0.05);
        assert!(
            (-h - physical).abs() / physical < 2e-3,
            "{} vs {physical}",
            -h
        );
    }
}
