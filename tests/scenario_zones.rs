//! Zoning figures on `tests/data/zones/zones_hand.inp`, checked against hand calculations.
//!
//! The network is a tree, so each pipe carries the demand downstream of
//! it and each head follows from the Hazen-Williams formula in SI,
//! h = 10.667 L Q^1.852 / (C^1.852 D^4.871). Zone A has a FAVAD baseline
//! (L0 = 1 L/s at 40 m, N1 = 1.5); zone B is fed by a PRV set to 20 m;
//! zone C by a pump with a one-point curve (40 L/s at 30 m, so EPANET's
//! curve h = 40 − (10/40²) q², q in L/s) at 75 % efficiency; zone D sits
//! behind a closed valve.

use std::path::Path;

use pipenet::analysis::zone_figures::{rank, run_layout, RankBy, ZoneFigures, ZoneRunOptions};
use pipenet::scenario::zones::{favad_scale, Layout};

fn data(name: &str) -> String {
    format!("{}/tests/data/zones/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Hazen-Williams head loss in SI: m, for L m, D m, Q m³/s.
fn hw(length: f64, diameter: f64, flow: f64, c: f64) -> f64 {
    10.667 * length * flow.powf(1.852) / (c.powf(1.852) * diameter.powf(4.871))
}

fn figures(layout_text: &str) -> Vec<ZoneFigures> {
    let net = pipenet::inp::read_file(data("zones_hand.inp"))
        .unwrap()
        .network;
    let layout = Layout::from_toml_str(layout_text, "test.toml").unwrap();
    let resolved = layout.resolve(&net).unwrap();
    run_layout(&resolved, ZoneRunOptions { no_age: true })
        .unwrap()
        .zones
}

fn zone<'a>(all: &'a [ZoneFigures], name: &str) -> &'a ZoneFigures {
    all.iter().find(|z| z.name == name).unwrap()
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, hand calculation {want}"
    );
}

#[test]
fn zone_figures_equal_a_hand_calculation() {
    let text = std::fs::read_to_string(data("zones_hand_layout.toml")).unwrap();
    let all = figures(&text);

    // Zone A: P1 carries all the demand behind the meter (21 L/s), P2 what
    // goes on to B (5 + 4 + 2 L/s); A exports 6 L/s through the PRV.
    let h_a1 = 100.0 - hw(1000.0, 0.3, 0.021, 100.0);
    let h_a2 = h_a1 - hw(500.0, 0.2, 0.011, 100.0);
    let (p_a1, p_a2) = (h_a1 - 50.0, h_a2 - 55.0);
    let a = zone(&all, "A");
    close(a.inflow_m3s, 0.015, 1e-6, "A inflow");
    close(a.demand_m3s, 0.015, 1e-9, "A demand");
    let min = a.min_pressure.unwrap();
    close(min.pressure_m, p_a2, 0.01, "A min pressure (A2)");
    assert_eq!(min.node, 1, "critical node is A2");
    close(
        a.max_pressure.unwrap().pressure_m,
        p_a1,
        0.01,
        "A max pressure",
    );
    // Length weights: half of every pipe at the junction, closed ones too:
    // A1 500 + 250 + 150 + 50 m, A2 250 m.
    let azp = (950.0 * p_a1 + 250.0 * p_a2) / 1200.0;
    close(a.average_pressure_m.unwrap(), azp, 0.01, "A AZP");
    close(
        a.leakage_m3s,
        0.001 * (azp / 40.0).powf(1.5),
        1e-6,
        "A leakage",
    );
    assert_eq!(a.leakage_from, "baseline");

    // Zone B: the PRV holds B1 at 40 + 20 m; P3 carries B2's 2 L/s.
    let p_b2 = 60.0 - hw(400.0, 0.15, 0.002, 100.0) - 35.0;
    let b = zone(&all, "B");
    close(b.inflow_m3s, 0.006, 1e-6, "B inflow");
    close(
        b.min_pressure.unwrap().pressure_m,
        20.0,
        0.01,
        "B min pressure (B1)",
    );
    close(
        b.max_pressure.unwrap().pressure_m,
        p_b2,
        0.01,
        "B max pressure (B2)",
    );
    let azp_b = (200.0 * 20.0 + 350.0 * p_b2) / 550.0;
    close(b.average_pressure_m.unwrap(), azp_b, 0.01, "B AZP");
    close(b.leakage_m3s, 0.0, 1e-12, "B leakage (no emitters)");

    // Zone C: pump head at 10 L/s, power γ Q H / η over 24 h (γ as
    // EPANET: 1 hp lifts 8.814 cfs by 1 ft, 9.8027 kN/m³).
    let pump_head = 40.0 - 10.0 / 1600.0 * 100.0;
    let c = zone(&all, "C");
    close(
        c.max_pressure.unwrap().pressure_m,
        30.0 + pump_head - 10.0,
        0.01,
        "C1",
    );
    let kwh_day = 9.8027 * 0.010 * pump_head / 0.75 * 24.0;
    close(c.energy_kwh_per_day, kwh_day, 0.001 * kwh_day, "C energy");
    close(a.energy_kwh_per_day, 0.0, 0.0, "A has no pump");

    // Zone D: behind the closed valve P6, never supplied.
    let d = zone(&all, "D");
    assert!(d.min_pressure.is_none());
    assert_eq!(d.cut_off_periods, 1);
}

#[test]
fn a_zone_without_source_is_warned_about() {
    let net = pipenet::inp::read_file(data("zones_hand.inp"))
        .unwrap()
        .network;
    let layout = Layout::read_file(Path::new(&data("zones_hand_layout.toml"))).unwrap();
    let resolved = layout.resolve(&net).unwrap();
    assert!(resolved
        .warnings
        .iter()
        .any(|w| w.contains("zone 'D' has no source")));
    // P4 and P6 are declared closed, P1 a meter, V1 and PU1 feeds: no other warning.
    assert_eq!(resolved.warnings.len(), 1, "{:?}", resolved.warnings);
}

#[test]
fn demand_weighting_weighs_junctions_by_base_demand() {
    let text = std::fs::read_to_string(data("zones_hand_layout.toml")).unwrap();
    let all = figures(&format!("weighting = \"demand\"\n{text}"));
    let h_a1 = 100.0 - hw(1000.0, 0.3, 0.021, 100.0);
    let h_a2 = h_a1 - hw(500.0, 0.2, 0.011, 100.0);
    let azp = (10.0 * (h_a1 - 50.0) + 5.0 * (h_a2 - 55.0)) / 15.0;
    close(
        zone(&all, "A").average_pressure_m.unwrap(),
        azp,
        0.01,
        "A demand-weighted AZP",
    );
}

#[test]
fn emitters_count_as_leakage_and_inflow_balances() {
    // Without a baseline, zone B's leakage is what an emitter at B2 gives
    // (C = 0.2 L/s per m^0.5): q = C sqrt(p), p = 60 − h(P3, 2 L/s + q) − 35,
    // solved by fixed-point iteration.
    let mut net = pipenet::inp::read_file(data("zones_hand.inp"))
        .unwrap()
        .network;
    let b2 = net.node_ix("B2").unwrap().ix();
    net.nodes[b2].emitter_coefficient = 0.2e-3; // m³/s per m^0.5
    let text = std::fs::read_to_string(data("zones_hand_layout.toml")).unwrap();
    let layout = Layout::from_toml_str(&text, "test.toml").unwrap();
    let resolved = layout.resolve(&net).unwrap();
    let all = run_layout(&resolved, ZoneRunOptions { no_age: true })
        .unwrap()
        .zones;
    let mut q = 0.0;
    for _ in 0..50 {
        let p = 60.0 - hw(400.0, 0.15, 0.002 + q, 100.0) - 35.0;
        q = 0.2e-3 * p.sqrt();
    }
    let b = zone(&all, "B");
    close(b.leakage_m3s, q, 1e-6, "B emitter leakage");
    close(
        b.inflow_m3s,
        b.demand_m3s + b.leakage_m3s,
        1e-6,
        "B inflow = demand + leakage",
    );
}

#[test]
fn layouts_rank_by_leakage_least_first() {
    // A second layout lowers the PRV to 15 m and gives zone B a baseline:
    // with the same baseline at the old setting, it leaks less.
    let base = std::fs::read_to_string(data("zones_hand_layout.toml")).unwrap();
    let with_b = base.replace(
        "feeds = [\"V1\"]",
        "feeds = [\"V1\"]\n[zone.leakage]\nl0 = 1.0\np0 = 20\nn1 = 1.0",
    );
    let lowered = format!(
        "{}\n[[edit]]\ntype = \"setting\"\nlink = \"V1\"\nvalue = 15\n",
        with_b.replace("name = \"hand\"", "name = \"lowered\"")
    );
    let net = pipenet::inp::read_file(data("zones_hand.inp"))
        .unwrap()
        .network;
    let run = |text: &str| {
        let layout = Layout::from_toml_str(text, "t.toml").unwrap();
        run_layout(
            &layout.resolve(&net).unwrap(),
            ZoneRunOptions { no_age: true },
        )
        .unwrap()
    };
    let all = vec![run(&with_b), run(&lowered)];
    assert_eq!(rank(&all, RankBy::Leakage), vec![1, 0]);
    assert_eq!(rank(&all, RankBy::MinPressure), vec![0, 1]);
    // B's leakage scales with its AZP: 5 m less at every junction (N1 = 1).
    let b = |i: usize| zone(&all[i].zones, "B").clone();
    let (b0, b1) = (b(0), b(1));
    let want = favad_scale(0.001, 20.0, b1.average_pressure_m.unwrap(), 1.0);
    close(b1.leakage_m3s, want, 1e-9, "B leakage after");
    close(
        b0.average_pressure_m.unwrap() - b1.average_pressure_m.unwrap(),
        5.0,
        0.01,
        "AZP falls by the setting change",
    );
}
