//! The units results are written in: the file's own, or SI or US customary on request.
//!
//! pipenet computes in SI; every writer turns SI values into the units of a
//! [`ReportUnits`], which names the flow and pressure units and carries the
//! factors ([`UnitSystem`]) for everything else. The conversion uses
//! EPANET's own factors (`types.h`, see [`crate::network::units`]):
//! 1 ft = 0.3048 m, 1 ft of water = 0.4333 psi (so 1 psi = 0.70344 m of
//! water for a specific gravity of 1), 1 cfs = 448.831 GPM = 28.317 L/s.

use std::str::FromStr;

use crate::network::units::{FlowUnits, PressureUnits, UnitSystem};
use crate::network::Network;

/// Which system of units results are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnitChoice {
    /// The network file's own flow and pressure units (the default).
    #[default]
    File,
    /// SI: flows in L/s (or the file's flow unit if it is already SI),
    /// lengths and heads in m, pressure in m of water, diameters in mm,
    /// velocity in m/s.
    Si,
    /// US customary: flows in GPM (or the file's flow unit if it is already
    /// US), lengths and heads in ft, pressure in psi, diameters in inches,
    /// velocity in ft/s.
    Us,
}

/// An unknown `--units` word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit system '{0}': expected si, us or file")]
pub struct UnknownUnitChoice(pub String);

impl FromStr for UnitChoice {
    type Err = UnknownUnitChoice;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "file" => Ok(UnitChoice::File),
            "si" => Ok(UnitChoice::Si),
            "us" => Ok(UnitChoice::Us),
            _ => Err(UnknownUnitChoice(s.to_string())),
        }
    }
}

/// The units of written results: flow and pressure units, and the factors
/// from SI for every other quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportUnits {
    /// Flow unit of flows and demands.
    pub flow: FlowUnits,
    /// Pressure unit.
    pub pressure: PressureUnits,
    /// SI per written unit for each quantity (divide an SI value by it).
    pub factors: UnitSystem,
}

impl ReportUnits {
    /// The network file's own units.
    pub fn of_file(net: &Network) -> Self {
        Self::new(net, UnitChoice::File)
    }

    /// The units of `choice` for results of `net`: a file already in the
    /// chosen system keeps its own flow unit (LPS, CMH, MGD, ...); pressure
    /// is in m of water for SI and psi for US.
    pub fn new(net: &Network, choice: UnitChoice) -> Self {
        let file_flow = net.options.flow_units;
        let (flow, pressure) = match choice {
            UnitChoice::File => (file_flow, net.options.pressure_units),
            UnitChoice::Si if file_flow.is_si() => (file_flow, PressureUnits::Meters),
            UnitChoice::Si => (FlowUnits::Lps, PressureUnits::Meters),
            UnitChoice::Us if !file_flow.is_si() => (file_flow, PressureUnits::Psi),
            UnitChoice::Us => (FlowUnits::Gpm, PressureUnits::Psi),
        };
        ReportUnits {
            flow,
            pressure,
            factors: UnitSystem::new(flow, pressure, net.options.specific_gravity),
        }
    }

    /// Whether lengths are metric (m, mm, m/s).
    pub fn is_si(&self) -> bool {
        self.flow.is_si()
    }

    /// The flow unit's `.inp` keyword (`GPM`, `LPS`, ...).
    pub fn flow_name(&self) -> &'static str {
        self.flow.keyword()
    }

    /// The pressure unit's `.inp` keyword (`PSI`, `METERS`, ...).
    pub fn pressure_name(&self) -> &'static str {
        self.pressure.keyword()
    }

    /// The unit of lengths, heads and elevations: `m` or `ft`.
    pub fn length_name(&self) -> &'static str {
        self.flow.length_unit()
    }

    /// The unit of diameters: `mm` or `in`.
    pub fn diameter_name(&self) -> &'static str {
        if self.is_si() {
            "mm"
        } else {
            "in"
        }
    }

    /// The unit of velocities: `m/s` or `ft/s`.
    pub fn velocity_name(&self) -> &'static str {
        if self.is_si() {
            "m/s"
        } else {
            "ft/s"
        }
    }

    /// A flow in m³/s, in these units.
    pub fn flow(&self, flow_m3s: f64) -> f64 {
        flow_m3s / self.factors.flow
    }

    /// A length, head or elevation in m, in these units.
    pub fn length(&self, length_m: f64) -> f64 {
        length_m / self.factors.length
    }

    /// A pressure in m of water head, in these units.
    pub fn pressure(&self, pressure_m: f64) -> f64 {
        pressure_m / self.factors.pressure
    }

    /// A pressure in these units, in m of water head.
    pub fn pressure_to_m(&self, pressure: f64) -> f64 {
        pressure * self.factors.pressure
    }

    /// A diameter in m, in these units.
    pub fn diameter(&self, diameter_m: f64) -> f64 {
        diameter_m / self.factors.diameter
    }

    /// A velocity in m/s, in these units.
    pub fn velocity(&self, velocity_ms: f64) -> f64 {
        velocity_ms / self.factors.velocity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(units: &str) -> Network {
        let text = format!(
            "[RESERVOIRS]\n R1 10\n[JUNCTIONS]\n J1 0\n[PIPES]\n P1 R1 J1 100 300 100\n\
             [OPTIONS]\n Units {units}\n[END]\n"
        );
        crate::inp::read_str(&text, "t.inp").unwrap().network
    }

    #[test]
    fn si_of_a_gpm_file_is_litres_per_second_and_metres() {
        let u = ReportUnits::new(&net("GPM"), UnitChoice::Si);
        assert_eq!(
            (u.flow, u.pressure),
            (FlowUnits::Lps, PressureUnits::Meters)
        );
        assert!((u.flow(0.001) - 1.0).abs() < 1e-12);
        assert!((u.length(0.3048) - 0.3048).abs() < 1e-12);
        assert_eq!((u.diameter_name(), u.velocity_name()), ("mm", "m/s"));
    }

    #[test]
    fn us_of_an_si_file_is_gpm_feet_and_psi() {
        let u = ReportUnits::new(&net("CMH"), UnitChoice::Us);
        assert_eq!((u.flow, u.pressure), (FlowUnits::Gpm, PressureUnits::Psi));
        // 1 cfs = 448.831 GPM = 0.028317 m³/s (EPANET's factors).
        assert!((u.flow(0.028317) - 448.831).abs() < 1e-9);
        assert!((u.length(0.3048) - 1.0).abs() < 1e-12);
        // 1 ft of water = 0.4333 psi.
        assert!((u.pressure(0.3048) - 0.4333).abs() < 1e-12);
        assert!((u.diameter(0.0254) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_file_already_in_the_system_keeps_its_flow_unit() {
        assert_eq!(
            ReportUnits::new(&net("CMH"), UnitChoice::Si).flow,
            FlowUnits::Cmh
        );
        assert_eq!(
            ReportUnits::new(&net("MGD"), UnitChoice::Us).flow,
            FlowUnits::Mgd
        );
        assert_eq!("US".parse::<UnitChoice>(), Ok(UnitChoice::Us));
        assert!("metric".parse::<UnitChoice>().is_err());
    }
}
