//! Sections of EPANET's text report (`.rpt`): the energy usage table and the flow balance.
//!
//! Each function returns the lines EPANET 2.3 writes, laid out as it lays
//! them out (column widths, decimals, unit labels), in the network's own
//! units, each line ending in a newline. Page headers are not written.

use super::ReportUnits;
use crate::hydraulics::{EnergySummary, FlowBalance};
use crate::network::units::{FlowUnits, M3_PER_FT3};
use crate::network::Network;

/// Cubic metres in a million US gallons with EPANET's factors
/// (448.831 gpm per cfs, 0.028317 m³ per ft³).
const M3_PER_MGAL: f64 = 1e6 * 60.0 / 448.831 * M3_PER_FT3;

/// EPANET's label for a flow unit in report headings.
pub fn flow_unit_label(units: FlowUnits) -> &'static str {
    match units {
        FlowUnits::Cfs => "cfs",
        FlowUnits::Gpm => "gpm",
        FlowUnits::Mgd => "mgd",
        FlowUnits::Imgd => "Imgd",
        FlowUnits::Afd => "a-f/d",
        FlowUnits::Lps => "L/s",
        FlowUnits::Lpm => "Lpm",
        FlowUnits::Mld => "ML/d",
        FlowUnits::Cmh => "m3/h",
        FlowUnits::Cmd => "m3/d",
        FlowUnits::Cms => "m3/s",
    }
}

/// Energy per volume in the report's unit: kWh per million gallons for
/// US flow units, kWh per m³ for SI ones.
pub fn energy_per_report_volume(net: &Network, kwh_per_m3: f64) -> f64 {
    energy_per_volume_in(&ReportUnits::of_file(net), kwh_per_m3)
}

/// Energy per volume in kWh per million gallons (US units) or per m³ (SI).
pub fn energy_per_volume_in(units: &ReportUnits, kwh_per_m3: f64) -> f64 {
    if units.is_si() {
        kwh_per_m3
    } else {
        kwh_per_m3 * M3_PER_MGAL
    }
}

/// The "Energy Usage" table of EPANET's report; empty when the network
/// has no pump (EPANET then writes nothing).
///
/// # Difference from EPANET
/// EPANET 2.3.5's report multiplies the demand charge by the charge per
/// kW a second time (its binary output holds the right value, peak kW ×
/// charge); this table prints peak kW × charge, and the total cost with it.
///
/// ```text
///   Energy Usage:
///   ----------------------------------------------------------------
///              Usage   Avg.     Kw-hr      Avg.      Peak      Cost
///   Pump      Factor Effic.     /Mgal        Kw        Kw      /day
///   ----------------------------------------------------------------
///   9          57.71  75.00    880.42     96.25     96.71      0.00
///   ----------------------------------------------------------------
///                                          Demand Charge:      0.00
///                                          Total Cost:         0.00
/// ```
pub fn energy_table(net: &Network, energy: &EnergySummary) -> String {
    energy_table_in(net, &ReportUnits::of_file(net), energy)
}

/// The "Energy Usage" table with energy per volume in `units` (kWh/Mgal
/// or kWh/m³), as [`energy_table`] lays it out.
pub fn energy_table_in(net: &Network, units: &ReportUnits, energy: &EnergySummary) -> String {
    if energy.pumps.is_empty() {
        return String::new();
    }
    let rule = format!("  {}\n", "-".repeat(64));
    let volume = if units.is_si() { "/m3" } else { "/Mgal" };
    let mut out = String::from("  Energy Usage:\n");
    out += &rule;
    out += "             Usage   Avg.     Kw-hr      Avg.      Peak      Cost\n";
    out += &format!("  Pump      Factor Effic.{volume:>10}        Kw        Kw      /day\n");
    out += &rule;
    for p in &energy.pumps {
        out += &format!(
            "  {:<8}  {:6.2} {:6.2} {:9.2} {:9.2} {:9.2} {:9.2}\n",
            net.links[p.link.ix()].id,
            p.utilization_percent,
            p.average_efficiency_percent,
            energy_per_volume_in(units, p.kwh_per_m3),
            p.average_kw,
            p.peak_kw,
            p.cost_per_day,
        );
    }
    out += &rule;
    let indent = " ".repeat(41);
    out += &format!(
        "{indent}{:<14}{:10.2}\n",
        "Demand Charge:", energy.demand_charge
    );
    out += &format!("{indent}{:<14}{:10.2}\n", "Total Cost:", energy.total_cost);
    out
}

/// The "Hydraulic Flow Balance" of EPANET 2.3's report, flows in the
/// network's flow units.
///
/// ```text
///   Hydraulic Flow Balance (gpm)
///   ================================
///   Total Inflow:          1052.159
///   ...
///   Flow Ratio:               1.000
///   ================================
/// ```
pub fn flow_balance(net: &Network, balance: &FlowBalance) -> String {
    flow_balance_in(&ReportUnits::of_file(net), balance)
}

/// The "Hydraulic Flow Balance" with flows in `units`.
pub fn flow_balance_in(units: &ReportUnits, balance: &FlowBalance) -> String {
    let per_unit = units.flow.to_m3s();
    let rule = format!("  {}\n", "=".repeat(32));
    let mut out = format!(
        "  Hydraulic Flow Balance ({})\n",
        flow_unit_label(units.flow)
    );
    out += &rule;
    let rows = [
        ("Total Inflow:", balance.total_inflow_m3s / per_unit),
        ("Consumer Demand:", balance.consumer_demand_m3s / per_unit),
        ("Demand Deficit:", balance.demand_deficit_m3s / per_unit),
        ("Emitter Flow:", balance.emitter_flow_m3s / per_unit),
        ("Leakage Flow:", balance.leakage_flow_m3s / per_unit),
        ("Total Outflow:", balance.total_outflow_m3s / per_unit),
        ("Storage Flow:", balance.storage_flow_m3s / per_unit),
        ("Flow Ratio:", balance.ratio),
    ];
    for (label, value) in rows {
        out += &format!("  {label:<17}{value:14.3}\n");
    }
    out += &rule;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hydraulics::PumpEnergy;
    use crate::network::Network;

    #[test]
    fn a_million_gallons_is_3785_cubic_metres() {
        // 3785.41 m³ exactly; EPANET's rounded factors give 3785.43.
        assert!((M3_PER_MGAL - 3785.41).abs() < 0.03, "{M3_PER_MGAL}");
    }

    fn net_with_pump(units: FlowUnits) -> Network {
        let text = format!(
            "[RESERVOIRS]\n R1 0\n R2 40\n[JUNCTIONS]\n J1 0\n[PIPES]\n P1 J1 R2 100 300 100\n\
             [PUMPS]\n 9 R1 J1 POWER 10\n[OPTIONS]\n Units {}\n[END]\n",
            units.keyword()
        );
        crate::inp::read_str(&text, "t.inp").unwrap().network
    }

    #[test]
    fn energy_table_is_laid_out_as_epanets() {
        // Net1's table as EPANET 2.3.5 prints it, from the figures it prints.
        let net = net_with_pump(FlowUnits::Gpm);
        let k = net.link_ix("9").unwrap();
        let summary = EnergySummary {
            pumps: vec![PumpEnergy {
                link: k,
                utilization_percent: 57.71,
                average_efficiency_percent: 75.0,
                kwh_per_m3: 880.42 / M3_PER_MGAL,
                average_kw: 96.25,
                peak_kw: 96.71,
                cost_per_day: 0.0,
            }],
            peak_kw: 96.71,
            demand_charge: 0.0,
            total_cost: 0.0,
        };
        let want = "  Energy Usage:
  ----------------------------------------------------------------
             Usage   Avg.     Kw-hr      Avg.      Peak      Cost
  Pump      Factor Effic.     /Mgal        Kw        Kw      /day
  ----------------------------------------------------------------
  9          57.71  75.00    880.42     96.25     96.71      0.00
  ----------------------------------------------------------------
                                         Demand Charge:      0.00
                                         Total Cost:         0.00
";
        assert_eq!(energy_table(&net, &summary), want);
        let si = net_with_pump(FlowUnits::Lps);
        assert!(energy_table(&si, &summary)
            .contains("  Pump      Factor Effic.       /m3        Kw        Kw      /day\n"));
        let none = EnergySummary {
            pumps: vec![],
            ..summary
        };
        assert_eq!(energy_table(&net, &none), "");
    }

    #[test]
    fn flow_balance_is_laid_out_as_epanets() {
        // Net1's balance as EPANET 2.3.5 prints it.
        let net = net_with_pump(FlowUnits::Gpm);
        let gpm = FlowUnits::Gpm.to_m3s();
        let balance = FlowBalance {
            total_inflow_m3s: 1052.159 * gpm,
            consumer_demand_m3s: 1100.0 * gpm,
            demand_deficit_m3s: 0.0,
            emitter_flow_m3s: 0.0,
            leakage_flow_m3s: 0.0,
            total_outflow_m3s: 1100.0 * gpm,
            storage_flow_m3s: -47.841 * gpm,
            ratio: 1.0,
        };
        let want = "  Hydraulic Flow Balance (gpm)
  ================================
  Total Inflow:          1052.159
  Consumer Demand:       1100.000
  Demand Deficit:           0.000
  Emitter Flow:             0.000
  Leakage Flow:             0.000
  Total Outflow:         1100.000
  Storage Flow:           -47.841
  Flow Ratio:               1.000
  ================================
";
        assert_eq!(flow_balance(&net, &balance), want);
    }
}
