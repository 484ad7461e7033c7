//! Pipe head loss: Hazen-Williams, Darcy-Weisbach and Chezy-Manning friction plus minor losses.
//!
//! Each function returns the head loss `h(Q)` (m, signed like the flow) and
//! its gradient `dh/dQ` (m per m³/s), the two numbers the global gradient
//! algorithm needs for every link. The formulas are those of the EPANET 2.3
//! manual (chapter 3, "Hydraulics"), with EPANET's constants, rescaled from
//! feet and cfs to SI (see [`super::constants`]).

use super::constants::{CFS, FT};
use super::powers::pow_nonnegative;
use crate::network::HeadlossFormula;

/// The constant, flow-independent part of a pipe's friction law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PipeFriction {
    /// Resistance `r` in `h = r Q^n` (H-W, C-M) or the factor `r` in
    /// `h = f r Q²` (D-W), SI.
    pub resistance: f64,
    /// Minor loss coefficient in `h = km Q²`, SI (m per (m³/s)²).
    pub minor_loss: f64,
    /// D-W only: the relative roughness's term of Swamee-Jain, ε / D / 3.7
    /// (divided once here rather than at every trial).
    pub roughness_term: f64,
    /// D-W only: Q / (ν D) at unit flow in EPANET's units, so that
    /// `w = Q · reynolds_factor` equals π Re / 4.
    pub reynolds_factor: f64,
    /// D-W only: Dunlop's `fa` and `fb` (the Swamee-Jain friction factor at
    /// Re = 4000 and its slope there), from which the cubic between
    /// Re = 2000 and 4000 is drawn: constants of the pipe, worked out once
    /// here rather than with a logarithm and two divisions at every trial
    /// in that range (see [`dunlop_ends`]).
    pub transition: (f64, f64),
}

/// Hazen-Williams flow exponent.
pub(crate) const HW_EXPONENT: f64 = 1.852;

/// Computes a pipe's friction constants.
///
/// - Hazen-Williams: `r = 4.727 L / (C^1.852 D^4.871)` (ft, cfs).
/// - Darcy-Weisbach: `r = L / (2 g D A²)` with g = 32.2 ft/s², to be
///   multiplied by the friction factor `f(Re, ε/D)`.
/// - Chezy-Manning: `r = (4 n / (1.49 π D²))² (D/4)^-1.333 L` (ft, cfs).
///
/// `length_m`, `diameter_m` in m; `roughness` is C, ε (m) or n;
/// `viscosity_m2s` is the kinematic viscosity; `minor_loss_km` is the
/// already-scaled minor-loss coefficient (m per (m³/s)²).
pub(crate) fn pipe_friction(
    formula: HeadlossFormula,
    length_m: f64,
    diameter_m: f64,
    roughness: f64,
    viscosity_m2s: f64,
    minor_loss_km: f64,
) -> PipeFriction {
    let l_ft = length_m / FT;
    let d_ft = diameter_m / FT;
    let area_ft2 = std::f64::consts::PI * d_ft * d_ft / 4.0;
    let (r_us, exponent) = match formula {
        HeadlossFormula::HazenWilliams => (
            4.727 * l_ft / roughness.powf(HW_EXPONENT) / d_ft.powf(4.871),
            HW_EXPONENT,
        ),
        HeadlossFormula::DarcyWeisbach => (l_ft / 2.0 / 32.2 / d_ft / (area_ft2 * area_ft2), 2.0),
        HeadlossFormula::ChezyManning => {
            let c = 4.0 * roughness / (1.49 * std::f64::consts::PI * d_ft * d_ft);
            (c * c * (d_ft / 4.0).powf(-1.333) * l_ft, 2.0)
        }
    };
    let nu_ft2 = viscosity_m2s / (FT * FT);
    let roughness_term = roughness / diameter_m / 3.7;
    PipeFriction {
        // h_m = FT · r_us · (Q / CFS)^n
        resistance: FT * r_us / CFS.powf(exponent),
        minor_loss: minor_loss_km,
        roughness_term,
        reynolds_factor: 1.0 / (CFS * nu_ft2 * d_ft),
        transition: match formula {
            HeadlossFormula::DarcyWeisbach => dunlop_ends(roughness_term),
            _ => (0.0, 0.0),
        },
    }
}

/// Head loss and gradient of an open pipe carrying `flow` (m³/s).
///
/// For H-W and C-M, `h = r |Q|^(n-1) Q + km |Q| Q`, `g = n r |Q|^(n-1) + 2 km |Q|`.
/// Where the friction gradient falls below `rq_tol` (near-zero flow, EPANET
/// 2.2's fix for zero-flow pipes) the friction law is replaced by the line
/// of slope `rq_tol / n` through the origin.
pub(crate) fn pipe_headloss(
    formula: HeadlossFormula,
    pipe: &PipeFriction,
    flow: f64,
    rq_tol: f64,
) -> (f64, f64) {
    match formula {
        HeadlossFormula::HazenWilliams => hazen_williams_headloss(pipe, flow, rq_tol),
        HeadlossFormula::DarcyWeisbach => darcy_weisbach_headloss(pipe, flow),
        HeadlossFormula::ChezyManning => chezy_manning_headloss(pipe, flow, rq_tol),
    }
}

/// [`pipe_headloss`] under Hazen-Williams, `n` = 1.852; small enough to
/// inline into the solver's loop over the pipes.
#[inline(always)]
pub(crate) fn hazen_williams_headloss(pipe: &PipeFriction, flow: f64, rq_tol: f64) -> (f64, f64) {
    let q = flow.abs();
    power_law_headloss(
        pipe,
        flow,
        HW_EXPONENT,
        pow_nonnegative(q, HW_EXPONENT - 1.0),
        rq_tol,
    )
}

/// [`pipe_headloss`] under Chezy-Manning, `n` = 2.
#[inline(always)]
pub(crate) fn chezy_manning_headloss(pipe: &PipeFriction, flow: f64, rq_tol: f64) -> (f64, f64) {
    // |Q|^(n - 1) = |Q| exactly, as libm's pow gives it.
    let q = flow.abs();
    power_law_headloss(pipe, flow, 2.0, q, rq_tol)
}

/// The friction law `h = r |Q|^(n-1) Q` and the minor loss, given
/// `|Q|^(n-1)`.
#[inline(always)]
fn power_law_headloss(
    pipe: &PipeFriction,
    flow: f64,
    n: f64,
    q_power: f64,
    rq_tol: f64,
) -> (f64, f64) {
    let q = flow.abs();
    let mut gradient = n * pipe.resistance * q_power;
    let mut headloss = if gradient < rq_tol {
        gradient = rq_tol / n;
        gradient * q
    } else {
        gradient * q / n
    };
    if pipe.minor_loss > 0.0 {
        headloss += pipe.minor_loss * q * q;
        gradient += 2.0 * pipe.minor_loss * q;
    }
    (headloss.copysign(flow), gradient)
}

/// The solver's coefficients of an open pipe, `P = 1/g` and `Y = h/g`,
/// under Hazen-Williams (see [`hazen_williams_headloss`]), given
/// `q_power = |Q|^0.852` as [`pow_nonnegative`] takes it.
#[inline(always)]
pub(crate) fn hazen_williams_coefficients(
    pipe: &PipeFriction,
    flow: f64,
    q_power: f64,
    rq_tol: f64,
) -> (f64, f64) {
    power_law_coefficients(pipe, flow, HW_EXPONENT, q_power, rq_tol)
}

/// [`hazen_williams_coefficients`] under Chezy-Manning.
#[inline(always)]
pub(crate) fn chezy_manning_coefficients(
    pipe: &PipeFriction,
    flow: f64,
    rq_tol: f64,
) -> (f64, f64) {
    power_law_coefficients(pipe, flow, 2.0, flow.abs(), rq_tol)
}

/// [`darcy_weisbach_headloss`] as the solver's `P = 1/g` and `Y = h/g`.
#[inline(always)]
pub(crate) fn darcy_weisbach_coefficients(pipe: &PipeFriction, flow: f64) -> (f64, f64) {
    coefficients(darcy_weisbach_headloss(pipe, flow))
}

/// The solver's `P = 1/g` and `Y = h/g` of a head loss and gradient
/// `(h, g)`, with one division.
#[inline(always)]
fn coefficients((h, g): (f64, f64)) -> (f64, f64) {
    let p = 1.0 / g;
    (p, h * p)
}

/// `P = 1/g` and `Y = h/g` of the power law with one division where
/// EPANET takes three: without a minor loss, `h/g` is `Q/n` on the
/// friction law and `Q` on the line of slope `rq_tol / n`, which this
/// takes exactly instead of rounding `h` and then the quotient.
#[inline(always)]
fn power_law_coefficients(
    pipe: &PipeFriction,
    flow: f64,
    n: f64,
    q_power: f64,
    rq_tol: f64,
) -> (f64, f64) {
    if pipe.minor_loss > 0.0 {
        return coefficients(power_law_headloss(pipe, flow, n, q_power, rq_tol));
    }
    let gradient = n * pipe.resistance * q_power;
    if gradient < rq_tol {
        (n / rq_tol, flow)
    } else {
        (1.0 / gradient, flow * (1.0 / n))
    }
}

// Constants of EPANET's friction factor evaluation.
const PI: f64 = std::f64::consts::PI;
/// 500 π: w = π Re / 4 at Re = 2000.
const W_LAMINAR: f64 = 500.0 * PI;
/// 1000 π: w at Re = 4000.
const W_TURBULENT: f64 = 1000.0 * PI;
/// 5.74 (π/4)^0.9, Swamee-Jain in terms of w.
const SJ_COEFF: f64 = 4.618_413_198_590_667;
/// -2 / ln 10.
const MINUS_TWO_OVER_LN10: f64 = -0.868_588_963_806_503_7;
/// 5.74 / 4000^0.9.
const SJ_AT_4000: f64 = 3.288_954_763_453_990_6e-3;
/// -2 · 0.9 · 2 / ln 10 · 5.74 / 4000^0.9.
const DUNLOP_AC: f64 = -5.142_149_657_990_939e-3;

/// Darcy-Weisbach head loss and gradient.
///
/// Laminar flow (Re ≤ 2000) uses Hagen-Poiseuille, `f = 64 / Re`, which
/// makes the loss linear in Q; turbulent flow (Re ≥ 4000) the Swamee-Jain
/// approximation of Colebrook-White, `f = 0.25 / log10(ε/3.7D + 5.74/Re^0.9)²`;
/// in between, Dunlop's cubic interpolation (as EPANET 2.3 does).
#[inline]
pub(crate) fn darcy_weisbach_headloss(pipe: &PipeFriction, flow: f64) -> (f64, f64) {
    let q = flow.abs();
    let w = q * pipe.reynolds_factor;
    let km = pipe.minor_loss;
    if w <= W_LAMINAR {
        // h = 16 π (ν D) r Q, that is 64 / Re times the turbulent form.
        let r = 16.0 * PI * pipe.resistance / pipe.reynolds_factor;
        return (flow * (r + km * q), r + 2.0 * km * q);
    }
    let (f, dfdq) = friction_factor(q, w, pipe);
    let r1 = f * pipe.resistance + km;
    (r1 * q * flow, 2.0 * r1 * q + dfdq * pipe.resistance * q * q)
}

/// The D-W friction factor at `w = π Re / 4` and its derivative with
/// respect to the flow `q` (m³/s), above laminar flow.
#[inline(never)]
fn friction_factor(q: f64, w: f64, pipe: &PipeFriction) -> (f64, f64) {
    if w >= W_TURBULENT {
        // Two divisions fewer than EPANET's `SJ / w^0.9` and `… / y2 / y3
        // / q` (the same values to rounding; vitens-25k -3 % CPU on AMD).
        let y1 = SJ_COEFF * w.powf(-0.9);
        let y2 = pipe.roughness_term + y1;
        let y3 = MINUS_TWO_OVER_LN10 * y2.ln();
        let f = 1.0 / (y3 * y3);
        let dfdq = 1.8 * f * y1 * MINUS_TWO_OVER_LN10 / (y2 * y3 * q);
        return (f, dfdq);
    }
    let (fa, fb) = pipe.transition;
    let r = w / W_LAMINAR;
    let x1 = 7.0 * fa - fb;
    let x2 = 0.128 - 17.0 * fa + 2.5 * fb;
    let x3 = -0.128 + 13.0 * fa - (fb + fb);
    let x4 = 0.032 - 3.0 * fa + 0.5 * fb;
    let f = x1 + r * (x2 + r * (x3 + r * x4));
    // dr/dq = reynolds_factor / W_LAMINAR = r / q.
    let dfdq = (x2 + r * (2.0 * x3 + r * 3.0 * x4)) * (r / q);
    (f, dfdq)
}

/// Dunlop's `fa` (the Swamee-Jain friction factor at Re = 4000) and `fb`
/// (its slope term there) of a pipe whose relative roughness's term is
/// `roughness_term` (ε / D / 3.7).
fn dunlop_ends(roughness_term: f64) -> (f64, f64) {
    let y2 = roughness_term + SJ_AT_4000;
    let y3 = MINUS_TWO_OVER_LN10 * y2.ln();
    let fa = 1.0 / (y3 * y3);
    let fb = (2.0 + DUNLOP_AC / (y2 * y3)) * fa;
    (fa, fb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hazen-Williams in SI: h = 10.67 L Q^1.852 / (C^1.852 D^4.871).
    #[test]
    fn hazen_williams_matches_the_si_textbook_form() {
        let pipe = pipe_friction(
            HeadlossFormula::HazenWilliams,
            1000.0,
            0.3,
            100.0,
            1e-6,
            0.0,
        );
        let q = 0.05;
        let (h, g) = pipe_headloss(HeadlossFormula::HazenWilliams, &pipe, q, 1e-7);
        let textbook = 10.67 * 1000.0 * q.powf(1.852) / (100f64.powf(1.852) * 0.3f64.powf(4.871));
        assert!((h - textbook).abs() / textbook < 2e-3, "{h} vs {textbook}");
        assert!((g - 1.852 * h / q).abs() < 1e-9);
        let (h_back, _) = pipe_headloss(HeadlossFormula::HazenWilliams, &pipe, -q, 1e-7);
        assert_eq!(h_back, -h);
    }

    /// Laminar D-W: h = 32 ν L V / (g D²) (Hagen-Poiseuille).
    #[test]
    fn laminar_darcy_weisbach_is_hagen_poiseuille() {
        let nu = 1.0e-6;
        let (l, d) = (100.0, 0.1);
        let pipe = pipe_friction(HeadlossFormula::DarcyWeisbach, l, d, 0.0001, nu, 0.0);
        let area = PI * d * d / 4.0;
        let v = 0.01; // Re = 1000
        let (h, _) = pipe_headloss(HeadlossFormula::DarcyWeisbach, &pipe, v * area, 1e-7);
        let expected = 32.0 * nu * l * v / (crate::network::units::GRAVITY * d * d);
        assert!((h - expected).abs() / expected < 1e-4, "{h} vs {expected}");
    }

    /// Turbulent D-W against Swamee-Jain evaluated directly in SI.
    #[test]
    fn turbulent_darcy_weisbach_follows_swamee_jain() {
        let nu = 1.0e-6;
        let (l, d, eps) = (500.0, 0.2, 0.0002);
        let pipe = pipe_friction(HeadlossFormula::DarcyWeisbach, l, d, eps, nu, 0.0);
        let area = PI * d * d / 4.0;
        let v = 1.5;
        let re = v * d / nu;
        let f = 0.25 / (eps / d / 3.7 + 5.74 / re.powf(0.9)).log10().powi(2);
        let expected = f * l / d * v * v / (2.0 * crate::network::units::GRAVITY);
        let (h, _) = pipe_headloss(HeadlossFormula::DarcyWeisbach, &pipe, v * area, 1e-7);
        assert!((h - expected).abs() / expected < 1e-4, "{h} vs {expected}");
    }

    /// Dunlop's cubic joins the laminar and the Swamee-Jain friction factors
    /// at Re = 2000 and 4000, value and slope (its defining property), for
    /// smooth and rough pipes.
    #[test]
    fn transitional_darcy_weisbach_joins_both_regimes() {
        for roughness_m in [0.0, 1e-5, 3e-4, 3e-3] {
            let pipe = pipe_friction(
                HeadlossFormula::DarcyWeisbach,
                300.0,
                0.15,
                roughness_m,
                1.0e-6,
                0.0,
            );
            for w in [W_LAMINAR, W_TURBULENT] {
                let q = w / pipe.reynolds_factor;
                let (below, above) = (q * (1.0 - 1e-9), q * (1.0 + 1e-9));
                let (h1, g1) = darcy_weisbach_headloss(&pipe, below);
                let (h2, g2) = darcy_weisbach_headloss(&pipe, above);
                assert!(
                    (h2 - h1).abs() / h1 < 1e-7,
                    "{roughness_m} at w={w}: h {h1} vs {h2}"
                );
                assert!(
                    (g2 - g1).abs() / g1 < 1e-6,
                    "{roughness_m} at w={w}: g {g1} vs {g2}"
                );
            }
        }
    }

    /// The gradient is the derivative of the head loss, in every regime.
    #[test]
    fn darcy_weisbach_gradient_is_the_derivative() {
        let pipe = pipe_friction(
            HeadlossFormula::DarcyWeisbach,
            300.0,
            0.15,
            0.0003,
            1.0e-6,
            2.0,
        );
        for q in [1e-5, 3e-4, 5e-3, 0.05] {
            let dq = q * 1e-6;
            let (h1, _) = darcy_weisbach_headloss(&pipe, q - dq);
            let (h2, _) = darcy_weisbach_headloss(&pipe, q + dq);
            let (_, g) = darcy_weisbach_headloss(&pipe, q);
            let numeric = (h2 - h1) / (2.0 * dq);
            assert!(
                (g - numeric).abs() / numeric < 1e-4,
                "q={q}: {g} vs {numeric}"
            );
        }
    }
}
