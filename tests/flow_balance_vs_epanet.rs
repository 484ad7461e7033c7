//! System flow balance over whole runs against EPANET 2.3.5's "Hydraulic Flow Balance" report.
//!
//! The expected values are copied from the reports EPANET 2.3.5
//! (`runepanet`) writes for each network with `[REPORT] STATUS YES` added,
//! in the network's flow units. Each value must agree within 0.1 % or
//! half a unit of the last printed decimal, whichever is larger.

use std::path::PathBuf;

use pipenet::hydraulics::{FlowBalance, Simulation};

/// EPANET's printed balance: total inflow, consumer demand, demand
/// deficit, emitter flow, leakage flow, total outflow, storage flow, ratio.
type Printed = [f64; 8];

fn read(path: &str) -> pipenet::Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    pipenet::inp::read_file(&path).unwrap().network
}

fn run(net: &pipenet::Network) -> FlowBalance {
    let mut sim = Simulation::new(net).unwrap();
    loop {
        sim.solve_period();
        if sim.advance() == 0 {
            break;
        }
    }
    sim.flow_balance()
}

fn check(path: &str, want: Printed) {
    check_network(path, &read(path), want);
}

fn check_network(path: &str, net: &pipenet::Network, want: Printed) {
    let b = run(net);
    let unit = net.options.flow_units.to_m3s();
    let got = [
        b.total_inflow_m3s / unit,
        b.consumer_demand_m3s / unit,
        b.demand_deficit_m3s / unit,
        b.emitter_flow_m3s / unit,
        b.leakage_flow_m3s / unit,
        b.total_outflow_m3s / unit,
        b.storage_flow_m3s / unit,
        b.ratio,
    ];
    let names = [
        "total inflow",
        "consumer demand",
        "demand deficit",
        "emitter flow",
        "leakage flow",
        "total outflow",
        "storage flow",
        "ratio",
    ];
    let misses: Vec<String> = names
        .iter()
        .zip(got.iter().zip(&want))
        .filter(|(_, (g, w))| (*g - *w).abs() > (1e-3 * w.abs()).max(5e-4))
        .map(|(name, (g, w))| format!("{name}: pipenet {g:.3}, EPANET {w:.3}"))
        .collect();
    assert!(misses.is_empty(), "{path}: {}", misses.join("; "));
}

#[test]
fn net1_balance_matches_epanet() {
    // Tanks supply 47.8 gpm of the 1,100 gpm demand on average.
    check(
        "networks/epanet/Net1.inp",
        [1052.159, 1100.000, 0.0, 0.0, 0.0, 1100.000, -47.841, 1.000],
    );
}

#[test]
fn net2_balance_matches_epanet() {
    check(
        "networks/epanet/Net2.inp",
        [354.144, 321.195, 0.0, 0.0, 0.0, 321.195, 32.948, 1.000],
    );
}

#[test]
fn net3_balance_matches_epanet() {
    check(
        "networks/epanet/Net3.inp",
        [
            11270.012, 10947.666, 0.0, 0.0, 0.0, 10947.666, 322.346, 1.000,
        ],
    );
}

#[test]
fn leakage_counts_as_outflow() {
    check(
        "tests/data/features/leakage.inp",
        [9.854, 7.792, 0.0, 0.0, 2.062, 9.854, 0.0, 1.000],
    );
}

#[test]
fn emitter_flow_counts_as_outflow() {
    check(
        "tests/data/features/emitter_no_backflow.inp",
        [10.796, 7.000, 0.0, 3.796, 0.0, 10.796, 0.0, 1.000],
    );
}

#[test]
fn pda_reports_the_demand_deficit() {
    check(
        "tests/data/features/pda.inp",
        [16.079, 16.079, 8.921, 0.0, 0.0, 16.079, 0.0, 1.000],
    );
}

#[test]
fn an_overflowing_tank_counts_its_spill_as_storage() {
    // EPANET counts the water a full tank spills as flow into storage.
    check(
        "tests/data/features/tank_overflow.inp",
        [57.216, 3.000, 0.0, 0.0, 0.0, 3.000, 54.216, 1.000],
    );
}

/// A run of duration 0 weights its one solution as a second; EPANET
/// 2.3.5 still counts the tank's inflow as storage.
#[test]
fn single_period_counts_tanks_as_storage() {
    let path = "tests/data/features/energy.inp";
    let mut net = read(path);
    net.times.duration_s = 0;
    check_network(
        path,
        &net,
        [78.052, 21.000, 0.0, 0.0, 0.0, 21.000, 57.052, 1.000],
    );
}

#[test]
fn cms_units() {
    check(
        "tests/data/features/cms_psi.inp",
        [0.062, 0.037, 0.0, 0.0, 0.0, 0.037, 0.025, 1.000],
    );
}
