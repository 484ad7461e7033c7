//! Pump energy over whole runs against EPANET 2.3.5's "Energy Usage" report.
//!
//! The expected tables are copied from the reports EPANET 2.3.5
//! (`runepanet NET.inp NET.rpt NET.out`) writes for each network with
//! `[REPORT] ENERGY YES` added. pipenet's table must print the same
//! figures to the same decimals. One deliberate difference: EPANET 2.3.5's
//! report multiplies the demand charge by the charge per kW twice (584.22
//! × 12 = 7010.63 on `energy.inp`), while its binary output file holds
//! peak kW × charge; pipenet gives the latter, and the tests take the
//! demand charge from EPANET's `.out` file.

use std::path::PathBuf;

use pipenet::hydraulics::{EnergySummary, Simulation};
use pipenet::report::text;
use pipenet::Network;

fn read(path: &str) -> Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    pipenet::inp::read_file(&path).unwrap().network
}

fn run(net: &Network) -> EnergySummary {
    let mut sim = Simulation::new(net).unwrap();
    loop {
        sim.solve_period();
        if sim.advance() == 0 {
            break;
        }
    }
    sim.energy()
}

/// The pump rows of a printed table (the lines between the second and third rules).
fn pump_rows(table: &str) -> Vec<&str> {
    table
        .lines()
        .skip_while(|l| !l.starts_with("  Pump "))
        .skip(2)
        .take_while(|l| !l.starts_with("  ---"))
        .collect()
}

const NET1_TABLE: &str = "  Energy Usage:
  ----------------------------------------------------------------
             Usage   Avg.     Kw-hr      Avg.      Peak      Cost
  Pump      Factor Effic.     /Mgal        Kw        Kw      /day
  ----------------------------------------------------------------
  9          57.71  75.00    880.42     96.25     96.71      0.00
  ----------------------------------------------------------------
                                         Demand Charge:      0.00
                                         Total Cost:         0.00
";

#[test]
fn net1_table_matches_epanet() {
    // Pump 9 runs 0:00-12:32:34 and 22:41:30-24:00 (two tank controls).
    let net = read("networks/epanet/Net1.inp");
    assert_eq!(text::energy_table(&net, &run(&net)), NET1_TABLE);
}

#[test]
fn net2_has_no_pumps_and_no_table() {
    let net = read("networks/epanet/Net2.inp");
    let energy = run(&net);
    assert!(energy.pumps.is_empty());
    assert_eq!(text::energy_table(&net, &energy), "");
}

#[test]
fn net3_table_matches_epanet() {
    let net = read("networks/epanet/Net3.inp");
    let table = text::energy_table(&net, &run(&net));
    assert_eq!(
        pump_rows(&table),
        [
            "  10         58.33  75.00    313.57     62.06     62.76      0.00",
            "  335        28.74  75.00    394.08    309.38    310.79      0.00",
        ]
    );
    assert!(table.ends_with(
        "                                         Demand Charge:      0.00
                                         Total Cost:         0.00
"
    ));
}

/// `energy.inp`: efficiency curves, a speed pattern, prices, price
/// patterns, specific gravity 1.02 and a demand charge of 12 per kW.
#[test]
fn prices_patterns_curves_speed_and_demand_charge_match_epanet() {
    let net = read("tests/data/features/energy.inp");
    let energy = run(&net);
    let table = text::energy_table(&net, &energy);
    assert_eq!(
        pump_rows(&table),
        [
            "  PU1        29.34  74.82      0.18     29.81     30.17     20.99",
            "  PU2        91.67  63.91      0.21     13.92     18.79     89.16",
        ]
    );
    // EPANET's .out: demand charge 584.2192 (peak 48.685 kW × 12).
    assert!(
        (energy.demand_charge - 584.2192).abs() < 0.005,
        "{}",
        energy.demand_charge
    );
    assert!((energy.peak_kw - 584.2192 / 12.0).abs() < 0.001);
    // 20.9878 + 89.1567 + 584.2192 from EPANET's .out.
    assert!(
        (energy.total_cost - 694.3637).abs() < 0.005,
        "{}",
        energy.total_cost
    );
    assert!(table.contains("Demand Charge:    584.22\n"));
    assert!(table.contains("Total Cost:       694.36\n"));
}

/// A run of duration 0 counts its one solution as an hour.
#[test]
fn single_period_counts_one_hour() {
    let mut net = read("tests/data/features/energy.inp");
    net.times.duration_s = 0;
    let energy = run(&net);
    assert_eq!(
        pump_rows(&text::energy_table(&net, &energy)),
        [
            "  PU1       100.00  74.13      0.18     30.17     30.17     72.41",
            "  PU2       100.00  76.33      0.17     18.52     18.52     88.88",
        ]
    );
    assert!((energy.demand_charge - 584.2192).abs() < 0.005);
}

#[test]
fn si_units_report_kwh_per_cubic_metre() {
    // cms_psi.inp: UNITS CMS, one pump filling a tank over 4 h.
    let net = read("tests/data/features/cms_psi.inp");
    let table = text::energy_table(&net, &run(&net));
    assert!(table.contains("  Pump      Factor Effic.       /m3        Kw        Kw      /day\n"));
    assert_eq!(
        pump_rows(&table),
        ["  PU1       100.00  75.00      0.13     29.91     30.03      0.00"]
    );
}

#[test]
fn curve_pumps_of_a_single_period_match_epanet() {
    let net = read("tests/data/features/pumps.inp");
    let table = text::energy_table(&net, &run(&net));
    assert_eq!(
        pump_rows(&table)[..3],
        [
            "  PU1       100.00  75.00      0.15     13.35     13.35      0.00",
            "  PU2       100.00  75.00      0.15     11.98     11.98      0.00",
            "  PU3       100.00  75.00      0.15     15.50     15.50      0.00",
        ]
    );
}

/// pumps.inp's constant-power pump PU4 (`POWER 25` in an LPS file):
/// EPANET 2.3.5 runs it at 65.46 L/s and 52.25 m (33.5 kW of water power,
/// 25 kW / 0.7457), pipenet at 52.86 L/s and 48.25 m (25 kW), so the
/// energy differs with the hydraulics. Ignored until the constant-power
/// pump law follows EPANET's unit handling in SI files.
#[test]
#[ignore = "constant-power pump hydraulics in SI files differ from EPANET (see doc)"]
fn constant_power_pump_in_si_matches_epanet() {
    let net = read("tests/data/features/pumps.inp");
    let table = text::energy_table(&net, &run(&net));
    assert_eq!(
        pump_rows(&table)[3],
        "  PU4       100.00  75.00      0.19     44.70     44.70      0.00"
    );
}

/// `energy.inp` edited as the test says, then run to the end.
fn edited_energy_table(edit: impl Fn(String) -> String) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/features/energy.inp");
    let text = edit(std::fs::read_to_string(path).unwrap());
    let net = pipenet::inp::read_str(&text, "energy.inp").unwrap().network;
    text::energy_table(&net, &run(&net))
}

/// A rule that switches a pump inside a hydraulic step: the step's energy
/// comes from the solution at its start (EPANET 2.3.5 on `energy.inp` with
/// its two controls written as rules).
#[test]
fn a_pump_switched_by_a_rule_matches_epanet() {
    let table = edited_energy_table(|text| {
        text.replace(" LINK PU1 CLOSED IF NODE T1 ABOVE 5.5\n", "")
            .replace(" LINK PU1 OPEN IF NODE T1 BELOW 2\n", "")
            .replace(
                "[TIMES]",
                "[RULES]\nRULE 1\nIF TANK T1 LEVEL ABOVE 5.5\nTHEN PUMP PU1 STATUS IS CLOSED\n\
                 RULE 2\nIF TANK T1 LEVEL BELOW 2\nTHEN PUMP PU1 STATUS IS OPEN\n\n[TIMES]",
            )
    });
    assert_eq!(
        pump_rows(&table),
        [
            "  PU1        30.00  74.84      0.18     29.80     30.17     21.46",
            "  PU2        91.67  63.77      0.21     13.86     18.78     88.82",
        ]
    );
}

/// A pump discharging straight into a tank: the head across it is the
/// tank's level at the start of the step, before the step moves it
/// (EPANET 2.3.5 on `energy.inp` with PU1 from R1 to T1).
#[test]
fn a_pump_into_a_tank_uses_the_level_at_the_start_of_the_step() {
    let table = edited_energy_table(|text| {
        text.replace(" PU1  R1     J1     HEAD C1", " PU1  R1     T1     HEAD C1")
    });
    assert_eq!(
        pump_rows(&table),
        [
            "  PU1        24.45  71.75      0.17     31.20     31.46     18.31",
            "  PU2        91.67  64.75      0.20     14.21     19.32     90.76",
        ]
    );
}
