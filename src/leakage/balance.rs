//! The IWA/AWWA standard water balance, unavoidable annual real losses (UARL) and the infrastructure leakage index (ILI).
//!
//! The balance splits the system input volume of a period into authorised
//! consumption and water losses, and the losses into apparent losses
//! (unauthorised consumption, customer meter inaccuracies, data errors) and
//! real losses (leaks and bursts), following the IWA "best practice" water
//! balance (Alegre et al., *Performance Indicators for Water Supply
//! Services*, IWA Publishing, 2000; 3rd ed. 2016) as adopted by AWWA
//! (Manual M36, *Water Audits and Loss Control Programs*, 4th ed. 2016).
//! Everything here is in SI units: volumes in m³, lengths in km, pressure
//! in metres of water head; the CLI converts US units at its edge.

/// Unavoidable background loss per km of mains, L/km/day per m of pressure
/// (Lambert, Brown, Takizawa and Weimer, "A review of performance
/// indicators for real losses from water supply systems", *AQUA* 48(6),
/// 1999, the UARL equation).
pub const UARL_MAINS_L_PER_KM_DAY_M: f64 = 18.0;

/// Unavoidable loss per service connection between the main and the
/// property boundary, L/connection/day per m of pressure (Lambert et al. 1999).
pub const UARL_CONNECTION_L_PER_DAY_M: f64 = 0.8;

/// Unavoidable loss per km of private service pipe between the property
/// boundary and the customer meter, L/km/day per m of pressure (Lambert et
/// al. 1999).
pub const UARL_PRIVATE_PIPE_L_PER_KM_DAY_M: f64 = 25.0;

/// Why a water balance cannot be drawn up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BalanceError {
    /// A volume, length, count or pressure is negative or not a number.
    #[error("{name} must be a finite number at least 0, not {value}")]
    Negative {
        /// Which input.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// Authorised consumption exceeds the system input volume.
    #[error("authorised consumption {authorized_m3} m³ exceeds the system input volume {system_input_m3} m³")]
    AuthorizedAboveInput {
        /// Authorised consumption, m³.
        authorized_m3: f64,
        /// System input volume, m³.
        system_input_m3: f64,
    },
    /// Apparent losses exceed water losses, leaving negative real losses.
    #[error("apparent losses {apparent_m3} m³ exceed water losses {losses_m3} m³")]
    ApparentAboveLosses {
        /// Apparent losses, m³.
        apparent_m3: f64,
        /// Water losses, m³.
        losses_m3: f64,
    },
    /// The period is not a positive number of days.
    #[error("the period must be more than 0 days, not {0}")]
    Period(f64),
    /// There are no service connections to divide by.
    #[error("the number of service connections must be more than 0")]
    NoConnections,
}

/// The volumes of one period that enter the balance, m³.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BalanceVolumes {
    /// Water put into the system (own sources plus imports less exports), m³.
    pub system_input_m3: f64,
    /// Billed metered consumption, m³.
    pub billed_metered_m3: f64,
    /// Billed unmetered consumption, m³.
    pub billed_unmetered_m3: f64,
    /// Unbilled metered consumption, m³.
    pub unbilled_metered_m3: f64,
    /// Unbilled unmetered consumption (fire fighting, flushing), m³.
    pub unbilled_unmetered_m3: f64,
    /// Unauthorised consumption (theft, illegal connections), m³.
    pub unauthorized_m3: f64,
    /// Volume customer meters fail to register, m³.
    pub metering_inaccuracies_m3: f64,
    /// Systematic data handling errors (billing, reading), m³.
    pub data_handling_errors_m3: f64,
    /// Length of the period, days (365 for an annual balance).
    pub period_days: f64,
}

/// The balance's derived components, m³ over the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterBalance {
    /// System input volume, m³.
    pub system_input_m3: f64,
    /// Billed authorised consumption = billed metered + billed unmetered
    /// (revenue water), m³.
    pub billed_authorized_m3: f64,
    /// Unbilled authorised consumption, m³.
    pub unbilled_authorized_m3: f64,
    /// Authorised consumption = billed + unbilled authorised, m³.
    pub authorized_m3: f64,
    /// Water losses = system input − authorised consumption, m³.
    pub water_losses_m3: f64,
    /// Apparent losses = unauthorised + meter inaccuracies + data errors, m³.
    pub apparent_losses_m3: f64,
    /// Current annual real losses (CARL when the period is a year) = water
    /// losses − apparent losses, m³.
    pub real_losses_m3: f64,
    /// Non-revenue water = system input − billed authorised consumption, m³.
    pub non_revenue_water_m3: f64,
    /// Non-revenue water as a share of system input, %.
    pub non_revenue_percent: f64,
    /// The period, days.
    pub period_days: f64,
}

/// What the UARL equation needs to know about a system.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Infrastructure {
    /// Length of mains, km (the model's pipes).
    pub mains_length_km: f64,
    /// Number of service connections (main to property boundary).
    pub connections: f64,
    /// Total length of private service pipe between the property boundary
    /// and the customer meters, km (0 when meters sit at the boundary).
    pub private_pipe_km: f64,
    /// Average operating pressure, m of water head.
    pub average_pressure_m: f64,
}

/// Real-loss performance indicators of a balance.
#[derive(Debug, Clone, PartialEq)]
pub struct RealLossIndicators {
    /// Unavoidable real losses over the balance's period, m³.
    pub uarl_m3: f64,
    /// Unavoidable real losses per day, litres.
    pub uarl_litres_per_day: f64,
    /// Infrastructure leakage index = real losses / UARL (dimensionless).
    pub ili: f64,
    /// Real losses per service connection per day, litres.
    pub litres_per_connection_day: f64,
    /// Real losses per connection per day per m of average pressure, litres.
    pub litres_per_connection_day_m: f64,
    /// Real losses per km of mains per day, m³ (the IWA indicator where
    /// there are fewer than 20 connections per km).
    pub m3_per_km_day: f64,
    /// Service connections per km of mains.
    pub connection_density_per_km: f64,
    /// Where the system lies outside the range the UARL equation was fitted
    /// to, in words; empty when it lies inside.
    pub caveats: Vec<String>,
}

fn check_non_negative(name: &'static str, value: f64) -> Result<f64, BalanceError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(BalanceError::Negative { name, value })
    }
}

impl BalanceVolumes {
    /// Draws up the balance:
    ///
    /// - authorised = billed metered + billed unmetered + unbilled metered + unbilled unmetered
    /// - water losses = system input − authorised
    /// - apparent losses = unauthorised + meter inaccuracies + data handling errors
    /// - real losses = water losses − apparent losses
    /// - non-revenue water = system input − billed authorised
    pub fn balance(&self) -> Result<WaterBalance, BalanceError> {
        let inputs = [
            ("system input volume", self.system_input_m3),
            ("billed metered consumption", self.billed_metered_m3),
            ("billed unmetered consumption", self.billed_unmetered_m3),
            ("unbilled metered consumption", self.unbilled_metered_m3),
            ("unbilled unmetered consumption", self.unbilled_unmetered_m3),
            ("unauthorised consumption", self.unauthorized_m3),
            (
                "customer metering inaccuracies",
                self.metering_inaccuracies_m3,
            ),
            ("data handling errors", self.data_handling_errors_m3),
        ];
        for (name, value) in inputs {
            check_non_negative(name, value)?;
        }
        if !(self.period_days.is_finite() && self.period_days > 0.0) {
            return Err(BalanceError::Period(self.period_days));
        }

        let billed = self.billed_metered_m3 + self.billed_unmetered_m3;
        let unbilled = self.unbilled_metered_m3 + self.unbilled_unmetered_m3;
        let authorized = billed + unbilled;
        if authorized > self.system_input_m3 {
            return Err(BalanceError::AuthorizedAboveInput {
                authorized_m3: authorized,
                system_input_m3: self.system_input_m3,
            });
        }
        let losses = self.system_input_m3 - authorized;
        let apparent =
            self.unauthorized_m3 + self.metering_inaccuracies_m3 + self.data_handling_errors_m3;
        if apparent > losses {
            return Err(BalanceError::ApparentAboveLosses {
                apparent_m3: apparent,
                losses_m3: losses,
            });
        }
        let non_revenue = self.system_input_m3 - billed;
        Ok(WaterBalance {
            system_input_m3: self.system_input_m3,
            billed_authorized_m3: billed,
            unbilled_authorized_m3: unbilled,
            authorized_m3: authorized,
            water_losses_m3: losses,
            apparent_losses_m3: apparent,
            real_losses_m3: losses - apparent,
            non_revenue_water_m3: non_revenue,
            non_revenue_percent: if self.system_input_m3 > 0.0 {
                100.0 * non_revenue / self.system_input_m3
            } else {
                0.0
            },
            period_days: self.period_days,
        })
    }
}

impl Infrastructure {
    /// Unavoidable annual real losses per day, litres (Lambert et al. 1999):
    ///
    /// UARL (L/day) = (18 · Lm + 0.8 · Nc + 25 · Lp) · P
    ///
    /// with Lm the mains length in km, Nc the number of service
    /// connections, Lp the private pipe length in km and P the average
    /// pressure in m. AWWA M36 writes the same equation in US units as
    /// (5.4 · Lm (mi) + 0.15 · Nc + 7.5 · Lp (mi)) · P (psi) gallons/day, a
    /// rounded conversion of these coefficients.
    pub fn uarl_litres_per_day(&self) -> Result<f64, BalanceError> {
        check_non_negative("mains length", self.mains_length_km)?;
        check_non_negative("service connections", self.connections)?;
        check_non_negative("private pipe length", self.private_pipe_km)?;
        check_non_negative("average pressure", self.average_pressure_m)?;
        Ok((UARL_MAINS_L_PER_KM_DAY_M * self.mains_length_km
            + UARL_CONNECTION_L_PER_DAY_M * self.connections
            + UARL_PRIVATE_PIPE_L_PER_KM_DAY_M * self.private_pipe_km)
            * self.average_pressure_m)
    }

    /// The limits of the UARL equation's validity as Lambert et al. (1999)
    /// and the IWA manual state them (at least 5000 connections, a density
    /// of at least 20 connections per km of mains, an average pressure of
    /// at least 25 m; later guidance relaxes the count to 3000), as
    /// sentences for the ones this system breaks.
    pub fn caveats(&self) -> Vec<String> {
        let mut caveats = Vec::new();
        if self.connections < 5000.0 {
            caveats.push(format!(
                "{} connections is below the 5000 the UARL equation was fitted to",
                self.connections
            ));
        }
        let density = self.connections / self.mains_length_km.max(f64::MIN_POSITIVE);
        if density < 20.0 {
            caveats.push(format!(
                "{density:.1} connections per km is below 20: compare real losses per km of mains rather than the ILI"
            ));
        }
        if self.average_pressure_m < 25.0 {
            caveats.push(format!(
                "average pressure {:.1} m is below the 25 m the UARL equation was fitted to",
                self.average_pressure_m
            ));
        }
        caveats
    }
}

impl WaterBalance {
    /// Real-loss indicators for a system:
    ///
    /// - UARL over the period = UARL(L/day) · days / 1000 (m³)
    /// - ILI = real losses / UARL over the same period
    /// - real losses per connection per day = 1000 · real losses / (Nc · days) (L)
    /// - per m of pressure: the same divided by the average pressure
    /// - per km of mains per day = real losses / (Lm · days) (m³)
    pub fn real_loss_indicators(
        &self,
        infra: &Infrastructure,
    ) -> Result<RealLossIndicators, BalanceError> {
        let uarl_litres_per_day = infra.uarl_litres_per_day()?;
        if infra.connections <= 0.0 {
            return Err(BalanceError::NoConnections);
        }
        let uarl_m3 = uarl_litres_per_day * self.period_days / 1000.0;
        let per_connection = 1000.0 * self.real_losses_m3 / (infra.connections * self.period_days);
        Ok(RealLossIndicators {
            uarl_m3,
            uarl_litres_per_day,
            ili: if uarl_m3 > 0.0 {
                self.real_losses_m3 / uarl_m3
            } else {
                f64::INFINITY
            },
            litres_per_connection_day: per_connection,
            litres_per_connection_day_m: per_connection / infra.average_pressure_m,
            m3_per_km_day: self.real_losses_m3 / (infra.mains_length_km * self.period_days),
            connection_density_per_km: infra.connections / infra.mains_length_km,
            caveats: infra.caveats(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volumes() -> BalanceVolumes {
        BalanceVolumes {
            system_input_m3: 10_000_000.0,
            billed_metered_m3: 7_500_000.0,
            billed_unmetered_m3: 300_000.0,
            unbilled_metered_m3: 50_000.0,
            unbilled_unmetered_m3: 100_000.0,
            unauthorized_m3: 25_000.0,
            metering_inaccuracies_m3: 200_000.0,
            data_handling_errors_m3: 25_000.0,
            period_days: 365.0,
        }
    }

    #[test]
    fn components_add_up_by_hand() {
        let b = volumes().balance().unwrap();
        // 7.5e6 + 0.3e6 = 7.8e6 billed; + 0.15e6 unbilled = 7.95e6 authorised.
        assert_eq!(b.billed_authorized_m3, 7_800_000.0);
        assert_eq!(b.authorized_m3, 7_950_000.0);
        // 10e6 − 7.95e6 = 2.05e6 losses; apparent 0.25e6; real 1.8e6.
        assert_eq!(b.water_losses_m3, 2_050_000.0);
        assert_eq!(b.apparent_losses_m3, 250_000.0);
        assert_eq!(b.real_losses_m3, 1_800_000.0);
        // NRW = 10e6 − 7.8e6 = 2.2e6 = 22 %.
        assert_eq!(b.non_revenue_water_m3, 2_200_000.0);
        assert!((b.non_revenue_percent - 22.0).abs() < 1e-12);
    }

    #[test]
    fn uarl_by_hand() {
        // (18·500 + 0.8·20000 + 25·100) · 40 = (9000 + 16000 + 2500) · 40 = 1.1e6 L/day.
        let infra = Infrastructure {
            mains_length_km: 500.0,
            connections: 20_000.0,
            private_pipe_km: 100.0,
            average_pressure_m: 40.0,
        };
        assert!((infra.uarl_litres_per_day().unwrap() - 1_100_000.0).abs() < 1e-6);
        assert!(infra.caveats().is_empty());

        let ind = volumes()
            .balance()
            .unwrap()
            .real_loss_indicators(&infra)
            .unwrap();
        // UARL over a year: 1.1e6 · 365 / 1000 = 401 500 m³; ILI = 1.8e6 / 401 500 = 4.4832.
        assert!((ind.uarl_m3 - 401_500.0).abs() < 1e-6);
        assert!((ind.ili - 1_800_000.0 / 401_500.0).abs() < 1e-12);
        // 1.8e9 L / (20000 · 365) = 246.575 L/conn/day; / 40 m = 6.164.
        assert!((ind.litres_per_connection_day - 246.575_342_465_753_4).abs() < 1e-9);
        assert!((ind.litres_per_connection_day_m - 6.164_383_561_643_835).abs() < 1e-9);
        // 1.8e6 / (500 · 365) = 9.863 m³/km/day; 40 connections per km.
        assert!((ind.m3_per_km_day - 9.863_013_698_630_137).abs() < 1e-9);
        assert_eq!(ind.connection_density_per_km, 40.0);
    }

    #[test]
    fn small_low_pressure_systems_carry_caveats() {
        let infra = Infrastructure {
            mains_length_km: 100.0,
            connections: 1000.0,
            private_pipe_km: 0.0,
            average_pressure_m: 20.0,
        };
        assert_eq!(infra.caveats().len(), 3);
    }

    #[test]
    fn impossible_balances_are_errors() {
        let mut v = volumes();
        v.billed_metered_m3 = 11_000_000.0;
        assert!(matches!(
            v.balance(),
            Err(BalanceError::AuthorizedAboveInput { .. })
        ));
        let mut v = volumes();
        v.metering_inaccuracies_m3 = 3_000_000.0;
        assert!(matches!(
            v.balance(),
            Err(BalanceError::ApparentAboveLosses { .. })
        ));
        let mut v = volumes();
        v.unauthorized_m3 = -1.0;
        assert!(matches!(v.balance(), Err(BalanceError::Negative { .. })));
    }
}
