//! Pipe bursts against EPANET 2.3.5 running the same edit (split pipe, emitter Cd·A·√(2g), PDA).
//!
//! The expected values in `tests/data/burst/*.json` were written by
//! `scripts/validate_burst.py ... --expected`, which builds the burst in
//! EPANET through its toolkit (owa-epanet 2.3.5) from the original file and
//! integrates EPANET's emitter flow and demand deficit over its hydraulic
//! steps; each file records the command that made it.

use pipenet::scenario::{batch, run, BurstSpec, SimTime};

/// EPANET's burst outflow (GPM) at each report time, and its totals (m³).
struct Expected {
    times_s: Vec<u64>,
    burst_outflow: Vec<f64>,
    burst_volume_m3: f64,
    not_delivered_m3: f64,
}

fn expected(name: &str) -> Expected {
    let path = format!("{}/tests/data/burst/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("expected values");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let numbers = |key: &str| -> Vec<f64> {
        doc[key]
            .as_array()
            .expect("array")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect()
    };
    Expected {
        times_s: numbers("times_s").iter().map(|&t| t as u64).collect(),
        burst_outflow: numbers("burst_outflow"),
        burst_volume_m3: doc["burst_volume_m3"].as_f64().expect("volume"),
        not_delivered_m3: doc["not_delivered_m3"].as_f64().expect("deficit"),
    }
}

fn burst_net1(spec: &BurstSpec) -> (run::RunSummary, f64) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/Net1.inp");
    let base = pipenet::inp::read_file(path).expect("Net1").network;
    let scenario = batch::burst_scenario(&spec.pipe, spec, &[]);
    let applied = scenario.apply(&base).expect("burst applies");
    let summary = run::simulate(&applied, &Default::default()).expect("runs");
    (summary, base.units().flow)
}

fn check(summary: &run::RunSummary, gpm: f64, want: &Expected) {
    let times: Vec<u64> = summary.rows.iter().map(|r| r.time_s).collect();
    assert_eq!(times, want.times_s);
    let peak = want.burst_outflow.iter().cloned().fold(0.0, f64::max);
    for (row, &q) in summary.rows.iter().zip(&want.burst_outflow) {
        let got = row.burst_outflow_m3s / gpm;
        // compare_results.py's flow tolerance: 0.01 + 0.001 relative.
        assert!(
            (got - q).abs() <= 0.01 + 0.001 * peak,
            "at {} s: burst outflow {got} GPM, EPANET {q} GPM",
            row.time_s
        );
    }
    let volume = summary.burst_volume_m3;
    assert!(
        (volume - want.burst_volume_m3).abs() <= 1e-4 * want.burst_volume_m3,
        "burst volume {volume} m³, EPANET {} m³",
        want.burst_volume_m3
    );
    let deficit = summary.not_delivered_m3();
    assert!(
        (deficit - want.not_delivered_m3).abs() <= 0.01 * want.not_delivered_m3.max(1.0),
        "not delivered {deficit} m³, EPANET {} m³",
        want.not_delivered_m3
    );
}

#[test]
fn net1_pipe_122_burst_from_the_start_matches_epanet() {
    let (summary, gpm) = burst_net1(&BurstSpec::orifice("122", 0.005));
    assert_eq!(summary.unbalanced_periods, 0);
    check(&summary, gpm, &expected("net1_pipe122.json"));
}

#[test]
fn net1_pipe_21_burst_at_2h_matches_epanet_setting_the_emitter_mid_run() {
    let mut spec = BurstSpec::orifice("21", 0.01);
    spec.fraction = 0.3;
    spec.start = Some(SimTime(7200));
    let (summary, gpm) = burst_net1(&spec);
    assert_eq!(summary.unbalanced_periods, 0);
    // Nothing leaks before the start.
    assert!(summary.rows[..2].iter().all(|r| r.burst_outflow_m3s == 0.0));
    check(&summary, gpm, &expected("net1_pipe21_late.json"));
}

#[test]
fn the_orifice_law_holds_at_the_leak_junction() {
    // q = Cd A √(2 g p) at every report time (EPANET manual, emitters).
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/Net1.inp");
    let base = pipenet::inp::read_file(path).expect("Net1").network;
    let spec = BurstSpec::orifice("122", 0.005);
    let applied = batch::burst_scenario("122", &spec, &[])
        .apply(&base)
        .expect("applies");
    let options = run::RunOptions {
        keep_results: true,
        ..Default::default()
    };
    let summary = run::simulate(&applied, &options).expect("runs");
    let leak = applied.bursts[0].leak_junction.ix();
    let z = applied.network.nodes[leak].elevation_m;
    let g = 32.2 * 0.3048;
    let results = summary.results.expect("results kept");
    for (snap, row) in results.snapshots.iter().zip(&summary.rows) {
        let p = snap.head_m[leak] - z;
        let q = 0.75 * 0.005 * (2.0 * g * p).sqrt();
        assert!(
            (row.burst_outflow_m3s - q).abs() < 1e-6 * q,
            "{} vs {q}",
            row.burst_outflow_m3s
        );
    }
}

/// R -1- A -2- B -3- C -4- D: wide short pipes (head loss negligible), a
/// reservoir at 50 m, junctions at 0 m with 1 L/s each, 4 h in 1 h steps.
const LINE: &str = "\
[RESERVOIRS]
R 50
[JUNCTIONS]
A 0 1
B 0 1
C 0 1
D 0 1
[PIPES]
1 R A 10 1000 130
2 A B 10 1000 130
3 B C 10 1000 130
4 C D 10 1000 130
[OPTIONS]
UNITS LPS
[TIMES]
DURATION 4:00
HYDRAULIC TIMESTEP 1:00
REPORT TIMESTEP 1:00
[END]
";

#[test]
fn isolating_a_burst_stops_it_and_cuts_off_the_far_end() {
    use pipenet::analysis::{IsolationValve, ValveLayer};
    use pipenet::scenario::burst_isolation;

    let base = pipenet::inp::read_str(LINE, "line.inp")
        .expect("line network")
        .network;
    let mut spec = BurstSpec::orifice("3", 0.001);
    spec.start = Some(SimTime(0));
    let mut applied = batch::burst_scenario("3", &spec, &[])
        .apply(&base)
        .expect("burst applies");
    // Valves on pipe 3 at both its ends (B and C).
    let pipe = base.link_ix("3").expect("pipe 3");
    let at = |node: &str| IsolationValve {
        id: format!("V{node}"),
        link: pipe,
        node: base.node_ix(node).expect("node"),
    };
    let layer = ValveLayer {
        valves: vec![at("B"), at("C")],
    };
    let close_s = 2 * 3600;
    let isolation =
        burst_isolation::isolate(&mut applied, &base, &layer, SimTime(close_s)).expect("isolates");
    let net = &applied.network;
    let closed: Vec<&str> = (isolation.closed_links.iter())
        .map(|&k| net.link(k).id.as_str())
        .collect();
    assert_eq!(closed, ["3", "3-2"]);
    let cut: Vec<&str> = (isolation.customers_cut_off.iter())
        .map(|&i| net.node(i).id.as_str())
        .collect();
    assert_eq!(cut, ["C", "D"]);

    let options = run::RunOptions {
        split_at_s: Some(close_s),
        keep_results: true,
        ..Default::default()
    };
    let summary = run::simulate(&applied, &options).expect("runs");
    let after = summary.after_split.as_ref().expect("split totals");

    // Before closing: the orifice law at the reservoir's 50 m of head,
    // q = Cd A √(2 g h) = 0.75 · 0.001 · √(2 · 9.81456 · 50) = 0.023502 m³/s,
    // for the two hours before the valves close.
    let q = 0.75 * 0.001 * (2.0 * 32.2 * 0.3048 * 50.0f64).sqrt();
    let before = summary.burst_volume_m3 - after.burst_volume_m3;
    assert!(
        (before - q * close_s as f64).abs() < 1e-3 * before,
        "before closing {before} m³, hand {} m³",
        q * close_s as f64
    );
    // After closing the shut segment has no source: nothing flows out.
    assert!(
        after.burst_volume_m3.abs() < 1e-9,
        "{}",
        after.burst_volume_m3
    );
    // C and D get nothing for the last two hours: 2 · 1 L/s · 7200 s.
    let c = net.node_ix("C").expect("C").ix();
    let d = net.node_ix("D").expect("D").ix();
    let lost = after.node_deficit_m3[c] + after.node_deficit_m3[d];
    assert!(
        (lost - 14.4).abs() < 1e-6,
        "cut-off customers lost {lost} m³"
    );
    // The split junction sits inside the shut segment.
    let split = applied.bursts[0].split_junction;
    let results = summary.results.expect("kept");
    for snap in results.snapshots.iter().filter(|s| s.time_s >= close_s) {
        for i in [c, d] {
            assert_eq!(
                snap.demand_m3s[i], 0.0,
                "{} at {} s",
                net.nodes[i].id, snap.time_s
            );
        }
        assert!(
            snap.cut_off[split.ix()],
            "split junction supplied at {} s",
            snap.time_s
        );
    }
}

#[test]
fn isolating_a_burst_after_the_run_or_without_valves_is_an_error() {
    use pipenet::analysis::ValveLayer;
    use pipenet::scenario::burst_isolation::{self, BurstIsolationError};

    let base = pipenet::inp::read_str(LINE, "line.inp")
        .expect("line network")
        .network;
    let spec = BurstSpec::orifice("3", 0.001);
    let applied = batch::burst_scenario("3", &spec, &[])
        .apply(&base)
        .expect("burst applies");
    let none = ValveLayer::default();
    let err = burst_isolation::isolate(&mut applied.clone(), &base, &none, SimTime(3600));
    assert!(matches!(err, Err(BurstIsolationError::NoValves { .. })));
    let err = burst_isolation::isolate(&mut applied.clone(), &base, &none, SimTime(5 * 3600));
    assert!(matches!(err, Err(BurstIsolationError::AfterEnd { .. })));
}
