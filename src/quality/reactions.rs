//! Reaction kinetics: bulk reactions of order n, wall reactions with mass-transfer limits.
//!
//! The rate laws of the EPANET 2.3 manual (chapter 3.4, "Water Quality
//! Simulation Model"):
//!
//! - bulk: R = kb C^n for order n (1 by default); with a limiting
//!   potential C_L, R = kb (C_L − C) C^(n−1) for kb > 0 and
//!   kb (C − C_L) C^(n−1) for kb < 0; order 0 gives R = kb; a negative
//!   order means Michaelis–Menten, R = kb C / (C_L + C);
//! - wall, first order: R = (4 / d) kw kf / (kw + kf) C, where kf is the
//!   mass-transfer coefficient Sh D / d;
//! - wall, zero order: R = (4 / d) min(kw, kf C), signed as kw.
//!
//! The Sherwood number Sh is 2 for stagnant flow (Re < 1), the
//! Notter–Sleicher correlation 0.0149 Re^0.88 Sc^(1/3) for turbulent flow
//! (Re ≥ 2300), and the Graetz solution 3.65 + 0.0668 (d/L) Re Sc /
//! (1 + 0.04 ((d/L) Re Sc)^(2/3)) for laminar flow. Concentrations here
//! are in mass per m³ and coefficients per second.

/// EPANET's stand-in for an unlimited mass-transfer rate (`BIG`).
const UNLIMITED: f64 = 1e10;

/// Seconds per day: reaction coefficients are given per day.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// Litres per m³: concentrations are given per litre.
pub const LITRES_PER_M3: f64 = 1000.0;

/// The global reaction settings, in internal units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinetics {
    /// Order of bulk reactions in pipes.
    pub bulk_order: f64,
    /// Order of wall reactions (0 or 1).
    pub wall_order: f64,
    /// Order of bulk reactions in tanks.
    pub tank_order: f64,
    /// Limiting potential, mass/m³ (0: none).
    pub limiting_potential: f64,
    /// Factor turning a bulk rate per litre into one per m³ for the pipe
    /// order (1 / 1000^(n − 1)).
    pub bulk_scale: f64,
    /// The same for the tank order.
    pub tank_scale: f64,
    /// Schmidt number ν / D (0 when the diffusivity is 0: no mass-transfer limit).
    pub schmidt: f64,
    /// Molecular diffusivity, m²/s.
    pub diffusivity_m2s: f64,
}

impl Kinetics {
    /// Settings for these orders, limiting potential (mass/m³),
    /// viscosity and diffusivity (m²/s).
    pub fn new(
        bulk_order: f64,
        wall_order: f64,
        tank_order: f64,
        limiting_potential: f64,
        viscosity_m2s: f64,
        diffusivity_m2s: f64,
    ) -> Self {
        Kinetics {
            bulk_order,
            wall_order,
            tank_order,
            limiting_potential,
            bulk_scale: per_litre_to_per_m3(bulk_order),
            tank_scale: per_litre_to_per_m3(tank_order),
            schmidt: if diffusivity_m2s > 0.0 {
                viscosity_m2s / diffusivity_m2s
            } else {
                0.0
            },
            diffusivity_m2s,
        }
    }

    /// Bulk reaction rate in a pipe, mass/m³/s, for concentration `c`
    /// (mass/m³) and coefficient `kb` (per second, in litre-based units).
    pub fn pipe_bulk_rate(&self, c: f64, kb: f64) -> f64 {
        bulk_rate(c, kb, self.bulk_order, self.limiting_potential) * self.bulk_scale
    }

    /// Bulk reaction rate in a tank, mass/m³/s.
    pub fn tank_bulk_rate(&self, c: f64, kb: f64) -> f64 {
        bulk_rate(c, kb, self.tank_order, self.limiting_potential) * self.tank_scale
    }

    /// The wall rate coefficient of a pipe at its current flow: for first
    /// order, the overall rate constant (4/d) kw kf / (kw + kf), 1/s; for
    /// zero order, the mass-transfer coefficient kf, m/s (EPANET `piperate`).
    ///
    /// `kw` is the wall coefficient (m/s for first order), `flow_m3s` the
    /// pipe's flow (0 when closed).
    pub fn wall_coefficient(
        &self,
        kw: f64,
        diameter_m: f64,
        length_m: f64,
        flow_m3s: f64,
        viscosity_m2s: f64,
    ) -> f64 {
        let d = diameter_m;
        if self.schmidt == 0.0 {
            return if self.wall_order == 0.0 {
                UNLIMITED
            } else {
                kw * 4.0 / d
            };
        }
        let area = std::f64::consts::PI * d * d / 4.0;
        let reynolds = flow_m3s.abs() / area * d / viscosity_m2s;
        let sherwood = if reynolds < 1.0 {
            2.0
        } else if reynolds >= 2300.0 {
            0.0149 * reynolds.powf(0.88) * self.schmidt.powf(0.333)
        } else {
            let y = d / length_m * reynolds * self.schmidt;
            3.65 + 0.0668 * y / (1.0 + 0.04 * y.powf(0.667))
        };
        let kf = sherwood * self.diffusivity_m2s / d;
        if self.wall_order == 0.0 {
            kf
        } else {
            4.0 / d * kw * kf / (kf + kw.abs())
        }
    }

    /// Wall reaction rate, mass/m³/s (EPANET `wallrate`). `kw` is the
    /// wall coefficient (m/s for first order, mass/m²/s for zero order) and
    /// `coefficient` what [`Kinetics::wall_coefficient`] gave.
    pub fn wall_rate(&self, c: f64, diameter_m: f64, kw: f64, coefficient: f64) -> f64 {
        if kw == 0.0 || diameter_m == 0.0 {
            return 0.0;
        }
        if self.wall_order == 0.0 {
            let transfer = kw.signum() * c * coefficient;
            let flux = if transfer.abs() < kw.abs() {
                transfer
            } else {
                kw
            };
            flux * 4.0 / diameter_m
        } else {
            c * coefficient
        }
    }
}

/// 1 / 1000^(n − 1): a rate coefficient in (mass/L)^(1−n)/s to (mass/m³)^(1−n)/s.
/// Negative orders (Michaelis–Menten) count as 0.
fn per_litre_to_per_m3(order: f64) -> f64 {
    let order = order.max(0.0);
    if order == 1.0 {
        1.0
    } else {
        1.0 / LITRES_PER_M3.powf(order - 1.0)
    }
}

/// The bulk rate kb × potential(c), never negative potential (EPANET `bulkrate`).
pub fn bulk_rate(c: f64, kb: f64, order: f64, limit: f64) -> f64 {
    let potential = if order == 0.0 {
        1.0
    } else if order < 0.0 {
        let mut denominator = limit + kb.signum() * c;
        if denominator.abs() < 1e-6 {
            denominator = denominator.signum() * 1e-6;
        }
        c / denominator
    } else {
        let c1 = if limit == 0.0 {
            c
        } else {
            (kb.signum() * (limit - c)).max(0.0)
        };
        if order == 1.0 {
            c1
        } else if order == 2.0 {
            c1 * c
        } else {
            c1 * c.max(0.0).powf(order - 1.0)
        }
    };
    kb * potential.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinetics(bulk_order: f64, limit: f64) -> Kinetics {
        Kinetics::new(bulk_order, 1.0, 1.0, limit, 1e-6, 1.2e-9)
    }

    #[test]
    fn first_order_bulk_rate_is_linear() {
        let k = kinetics(1.0, 0.0);
        assert_eq!(k.pipe_bulk_rate(2000.0, -1e-5), -2e-2);
    }

    #[test]
    fn second_order_coefficient_is_per_litre() {
        // kb = -1 L/mg/day at 1 mg/L: rate -1 mg/L/day = -1000 mg/m³/day.
        let k = kinetics(2.0, 0.0);
        let rate = k.pipe_bulk_rate(1000.0, -1.0 / SECONDS_PER_DAY);
        assert!((rate * SECONDS_PER_DAY + 1000.0).abs() < 1e-9);
    }

    #[test]
    fn limiting_potential_stops_growth() {
        // Growth towards a limit of 4: potential (4 − c), zero beyond the limit.
        assert_eq!(bulk_rate(1.0, 2.0, 1.0, 4.0), 6.0);
        assert_eq!(bulk_rate(5.0, 2.0, 1.0, 4.0), 0.0);
        assert_eq!(bulk_rate(3.0, 2.0, 0.0, 4.0), 2.0);
    }

    #[test]
    fn stagnant_water_has_sherwood_two() {
        let k = kinetics(1.0, 0.0);
        let d = 0.2;
        // Zero-order wall: kf = 2 D / d.
        let k0 = Kinetics {
            wall_order: 0.0,
            ..k
        };
        let kf = k0.wall_coefficient(1.0, d, 100.0, 0.0, 1e-6);
        assert!((kf - 2.0 * 1.2e-9 / d).abs() < 1e-18);
        // First order: (4/d) kw kf / (kw + kf).
        let kw = 1e-6;
        let rate = k.wall_coefficient(kw, d, 100.0, 0.0, 1e-6);
        assert!((rate - 4.0 / d * kw * kf / (kw + kf)).abs() < 1e-15);
    }
}
