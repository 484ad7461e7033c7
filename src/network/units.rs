//! Unit systems of EPANET files and their conversion to pipenet's SI units.
//!
//! Internally pipenet works in metres, cubic metres per second and seconds.
//! EPANET itself computes in feet and cubic feet per second and converts a
//! file's values with a fixed table of factors (EPANET 2.3 `types.h`), some
//! of them rounded (28.317 L per ft³ against the exact 28.3168). To give the
//! same numbers as EPANET, pipenet defines its cubic metre per second as
//! EPANET's cfs times [`M3_PER_FT3`] and its metre as EPANET's foot times
//! [`M_PER_FT`]: the SI problem is then exactly EPANET's problem rescaled.

use serde::{Deserialize, Serialize};

/// Metres per foot (exact).
pub const M_PER_FT: f64 = 0.3048;
/// Cubic metres per cubic foot, EPANET's rounded factor.
pub const M3_PER_FT3: f64 = 0.028317;
/// Pounds per square inch per foot of water head, EPANET's factor.
pub const PSI_PER_FT: f64 = 0.4333;
/// Kilopascals per psi, EPANET's factor.
pub const KPA_PER_PSI: f64 = 6.895;
/// Bar per psi.
pub const BAR_PER_PSI: f64 = 0.068948;
/// Kilowatts per horsepower, EPANET's factor.
pub const KW_PER_HP: f64 = 0.7457;
/// Acceleration of gravity in m/s² as EPANET uses it (32.2 ft/s²).
pub const GRAVITY: f64 = 32.2 * M_PER_FT;

/// Flow units of an EPANET file (`[OPTIONS] UNITS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowUnits {
    /// Cubic feet per second.
    Cfs,
    /// US gallons per minute.
    Gpm,
    /// Million US gallons per day.
    Mgd,
    /// Million imperial gallons per day.
    Imgd,
    /// Acre-feet per day.
    Afd,
    /// Litres per second.
    Lps,
    /// Litres per minute.
    Lpm,
    /// Million litres per day.
    Mld,
    /// Cubic metres per hour.
    Cmh,
    /// Cubic metres per day.
    Cmd,
    /// Cubic metres per second.
    Cms,
}

impl FlowUnits {
    /// All flow units, in EPANET's code order (`EN_CFS` = 0 ... `EN_CMS` = 10).
    pub const ALL: [FlowUnits; 11] = [
        FlowUnits::Cfs,
        FlowUnits::Gpm,
        FlowUnits::Mgd,
        FlowUnits::Imgd,
        FlowUnits::Afd,
        FlowUnits::Lps,
        FlowUnits::Lpm,
        FlowUnits::Mld,
        FlowUnits::Cmh,
        FlowUnits::Cmd,
        FlowUnits::Cms,
    ];

    /// The keyword used in `.inp` files (`GPM`, `LPS`, ...).
    pub fn keyword(self) -> &'static str {
        match self {
            FlowUnits::Cfs => "CFS",
            FlowUnits::Gpm => "GPM",
            FlowUnits::Mgd => "MGD",
            FlowUnits::Imgd => "IMGD",
            FlowUnits::Afd => "AFD",
            FlowUnits::Lps => "LPS",
            FlowUnits::Lpm => "LPM",
            FlowUnits::Mld => "MLD",
            FlowUnits::Cmh => "CMH",
            FlowUnits::Cmd => "CMD",
            FlowUnits::Cms => "CMS",
        }
    }

    /// EPANET's code for these units (`EN_CFS` = 0 ... `EN_CMS` = 10).
    pub fn code(self) -> u32 {
        FlowUnits::ALL.iter().position(|u| *u == self).unwrap_or(0) as u32
    }

    /// Whether these are SI units, which make the rest of the file metric
    /// (lengths in m, diameters in mm).
    pub fn is_si(self) -> bool {
        !matches!(
            self,
            FlowUnits::Cfs | FlowUnits::Gpm | FlowUnits::Mgd | FlowUnits::Imgd | FlowUnits::Afd
        )
    }

    /// The unit of lengths, heads and elevations a file in these flow
    /// units uses: "m" for SI units, "ft" otherwise.
    pub fn length_unit(self) -> &'static str {
        if self.is_si() {
            "m"
        } else {
            "ft"
        }
    }

    /// File units per cubic foot per second (EPANET `types.h`).
    fn per_cfs(self) -> f64 {
        match self {
            FlowUnits::Cfs => 1.0,
            FlowUnits::Gpm => 448.831,
            FlowUnits::Mgd => 0.64632,
            FlowUnits::Imgd => 0.5382,
            FlowUnits::Afd => 1.9837,
            FlowUnits::Lps => 28.317,
            FlowUnits::Lpm => 1699.0,
            FlowUnits::Mld => 2.4466,
            FlowUnits::Cmh => 101.94,
            FlowUnits::Cmd => 2446.6,
            FlowUnits::Cms => M3_PER_FT3,
        }
    }

    /// Cubic metres per second in one of these units.
    pub fn to_m3s(self) -> f64 {
        M3_PER_FT3 / self.per_cfs()
    }
}

/// Pressure units of an EPANET file (`[OPTIONS] PRESSURE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PressureUnits {
    /// Pounds per square inch.
    Psi,
    /// Kilopascals.
    Kpa,
    /// Metres of water.
    Meters,
    /// Bar.
    Bar,
    /// Feet of water.
    Feet,
}

impl PressureUnits {
    /// The keyword used in `.inp` files.
    pub fn keyword(self) -> &'static str {
        match self {
            PressureUnits::Psi => "PSI",
            PressureUnits::Kpa => "KPA",
            PressureUnits::Meters => "METERS",
            PressureUnits::Bar => "BAR",
            PressureUnits::Feet => "FEET",
        }
    }

    /// File pressure units per metre of water head, for a liquid of the
    /// given specific gravity.
    pub fn per_m_head(self, specific_gravity: f64) -> f64 {
        let per_ft = match self {
            PressureUnits::Psi => PSI_PER_FT,
            PressureUnits::Kpa => KPA_PER_PSI * PSI_PER_FT,
            PressureUnits::Meters => M_PER_FT,
            PressureUnits::Bar => BAR_PER_PSI * PSI_PER_FT,
            PressureUnits::Feet => 1.0,
        };
        per_ft * specific_gravity / M_PER_FT
    }
}

/// Conversion factors between a file's units and pipenet's SI units.
///
/// Each factor is "SI per file unit": multiply a file value by it to get SI,
/// divide an SI value by it to get the file's units back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitSystem {
    /// m³/s per flow unit.
    pub flow: f64,
    /// m per length or elevation unit (ft or m).
    pub length: f64,
    /// m per diameter unit (in or mm).
    pub diameter: f64,
    /// m of head per pressure unit.
    pub pressure: f64,
    /// m/s per velocity unit (ft/s or m/s).
    pub velocity: f64,
    /// m³ per volume unit (ft³ or m³).
    pub volume: f64,
    /// kW per power unit (hp or kW).
    pub power: f64,
}

impl UnitSystem {
    /// The unit system of a file with these flow and pressure units.
    pub fn new(flow: FlowUnits, pressure: PressureUnits, specific_gravity: f64) -> Self {
        let si = flow.is_si();
        UnitSystem {
            flow: flow.to_m3s(),
            length: if si { 1.0 } else { M_PER_FT },
            diameter: if si { 0.001 } else { M_PER_FT / 12.0 },
            pressure: 1.0 / pressure.per_m_head(specific_gravity),
            velocity: if si { 1.0 } else { M_PER_FT },
            volume: if si {
                1.0
            } else {
                M_PER_FT * M_PER_FT * M_PER_FT
            },
            power: if si { 1.0 } else { KW_PER_HP },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litres_per_second_are_exactly_a_thousandth() {
        assert!((FlowUnits::Lps.to_m3s() - 0.001).abs() < 1e-15);
        assert!((FlowUnits::Cms.to_m3s() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn metres_of_pressure_equal_metres_of_head() {
        let units = UnitSystem::new(FlowUnits::Lps, PressureUnits::Meters, 1.0);
        assert!((units.pressure - 1.0).abs() < 1e-15);
    }

    #[test]
    fn psi_follow_epanets_factor() {
        // 1 ft of water = 0.4333 psi in EPANET.
        let units = UnitSystem::new(FlowUnits::Gpm, PressureUnits::Psi, 1.0);
        assert!((units.pressure * 0.4333 - M_PER_FT).abs() < 1e-12);
    }
}
