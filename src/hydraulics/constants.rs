//! EPANET's numerical constants, expressed in pipenet's SI units.
//!
//! EPANET states its tolerances and big/small coefficients in feet and
//! cubic feet per second. pipenet keeps the same values, rescaled, so that
//! it takes the same decisions at the same points of an iteration.

use crate::network::units::{M3_PER_FT3, M_PER_FT};

/// One foot, m.
pub(crate) const FT: f64 = M_PER_FT;
/// One cubic foot per second as EPANET converts it, m³/s.
pub(crate) const CFS: f64 = M3_PER_FT3;
/// One ft of head loss per cfs of flow, in m per m³/s.
pub(crate) const GRAD: f64 = FT / CFS;
/// A very large head-loss gradient (EPANET `CBIG` = 1e8 ft/cfs), m per m³/s.
pub(crate) const CBIG: f64 = 1e8 * GRAD;
/// A very small head-loss gradient (EPANET `CSMALL` = 1e-6 ft/cfs), m per m³/s.
pub(crate) const CSMALL: f64 = 1e-6 * GRAD;
/// The flow given to a closed link (EPANET `QZERO` = 1e-6 cfs), m³/s.
pub(crate) const QZERO: f64 = 1e-6 * CFS;
/// EPANET's `TINY` (1e-6) used as a flow, m³/s.
pub(crate) const TINY_FLOW: f64 = 1e-6 * CFS;
/// Minor-loss factor 8 / (g π²) as EPANET rounds it (0.02517 s²/ft),
/// here in the SI form that gives `h = km Q²` from `km = K · this / D⁴`.
pub(crate) const MINOR_LOSS_FACTOR: f64 = 0.02517 * FT * FT * FT * FT * FT / (CFS * CFS);
/// Tolerance on PDA and leakage convergence (EPANET `QTOL` 1e-4 cfs), m³/s.
pub(crate) const DEMAND_QTOL: f64 = 1e-4 * CFS;

/// Adds a smooth barrier that keeps a flow above a lower limit
/// (EPANET 2.3's `addlowerbarrier`). `dq` is the flow minus its limit.
///
/// The barrier adds `(a - sqrt(a² + 1e-6)) / 2` ft of head loss with
/// `a = 1e9 dq` (dq in cfs): nothing for positive `dq`, a steep linear
/// wall for negative `dq`.
pub(crate) fn add_lower_barrier(dq: f64, headloss: &mut f64, gradient: &mut f64) {
    let a = dq * (1e9 / CFS);
    let b = (a * a + 1e-6).sqrt();
    *headloss += FT * (a - b) / 2.0;
    *gradient += GRAD * (1e9 / 2.0) * (1.0 - a / b);
}

/// Adds a smooth barrier that keeps a flow below an upper limit
/// (EPANET 2.3's `addupperbarrier`). `dq` is the flow minus its limit.
pub(crate) fn add_upper_barrier(dq: f64, headloss: &mut f64, gradient: &mut f64) {
    let a = dq * (1e9 / CFS);
    let b = (a * a + 1e-6).sqrt();
    *headloss += FT * (a + b) / 2.0;
    *gradient += GRAD * (1e9 / 2.0) * (1.0 + a / b);
}

/// A very large conductance (EPANET `CBIG` = 1e8 cfs/ft used on the
/// matrix diagonal to pin a head), m³/s per m.
pub(crate) const BIG_CONDUCTANCE: f64 = 1e8 / GRAD;
