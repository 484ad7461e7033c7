//! Pressure-management savings between two runs of the example DMA, and
//! fire flows against EPANET's own bisection (docs/validation/fireflow.csv).

use pipenet::leakage::fire_flow::{hydrant_flow, snapshot_at, FireFlowSettings};
use pipenet::leakage::savings::{favad_ratio, model_leakage_m3, RunResults};
use pipenet::report::{Results, Snapshot};

fn read(name: &str) -> pipenet::Network {
    let path = format!("{}/{name}", env!("CARGO_MANIFEST_DIR"));
    pipenet::inp::read_file(path)
        .expect("network reads")
        .network
}

/// Runs a network, returns its JSON results read back and the emitter
/// volume the solver itself computed, m³ (each report time's flow held
/// for one report step).
fn run(net: &pipenet::Network) -> (RunResults, f64) {
    let mut sim = pipenet::hydraulics::Simulation::new(net).unwrap();
    let mut results = Results::default();
    let mut emitted_m3 = 0.0;
    loop {
        sim.solve_period();
        if sim.is_report_time() {
            results
                .snapshots
                .push(Snapshot::of(sim.time_s(), sim.state()));
            let q: f64 = sim.state().emitter_flow_m3s.iter().sum();
            emitted_m3 += q * net.times.report_step_s as f64;
        }
        if sim.advance() == 0 {
            break;
        }
    }
    let mut json = Vec::new();
    pipenet::report::json::write(
        &mut json,
        net,
        &pipenet::report::ReportUnits::of_file(net),
        "dma",
        &results,
    )
    .unwrap();
    (serde_json::from_slice(&json).unwrap(), emitted_m3)
}

/// With six equal emitters of exponent 1, the leakage the solver gives is
/// Σ C p, so FAVAD with N1 = 1 and equal weights must give the same ratio
/// as the solver's emitter volumes, and the volume recomputed from the
/// pressures in the result file must equal the solver's (to the seven
/// digits the file keeps).
#[test]
fn lowering_pressure_saves_what_the_emitters_lose() {
    let before_net = read("examples/dma/dma_zone.inp");
    let after_net = read("examples/dma/dma_zone_lower.inp");
    let (before, e0) = run(&before_net);
    let (after, e1) = run(&after_net);
    let ratio = favad_ratio(&before, &after, 1.0, None);
    assert!((ratio - e1 / e0).abs() < 1e-5, "{ratio} vs {}", e1 / e0);
    assert!((model_leakage_m3(&before_net, &before) - e0).abs() / e0 < 1e-5);
    assert!((model_leakage_m3(&before_net, &after) - e1).abs() / e1 < 1e-5);
    assert!(ratio < 1.0);
}

/// EPANET 2.3.5 through owa-epanet, bisection on an added demand at 20 psi
/// (scripts/validate_fireflow.py): Net1 junction 31 at 0:00 delivers
/// 1339.69 GPM, Net3 junction 145 at 12:00 2042.74 GPM.
#[test]
fn fire_flows_agree_with_epanet() {
    let gpm_m3s = 6.309_02e-5;
    let residual_m = 20.0 * 0.3048 / 0.4333;
    for (file, time_s, hydrant, epanet_gpm) in [
        ("networks/epanet/Net1.inp", 0, "31", 1339.69),
        ("networks/epanet/Net1.inp", 12 * 3600, "22", 5823.45),
        ("networks/epanet/Net3.inp", 12 * 3600, "145", 2042.74),
        ("networks/epanet/Net3.inp", 3 * 3600, "167", 10639.53),
    ] {
        let net = read(file);
        let settings = FireFlowSettings {
            residual_pressure_m: residual_m,
            time_s,
            ..Default::default()
        };
        let snap = snapshot_at(&net, time_s).unwrap();
        let h = net.node_ix(hydrant).unwrap().ix();
        let flow = hydrant_flow(&snap, h, &settings).unwrap();
        let gpm = flow.flow_m3s / gpm_m3s;
        assert!(
            (gpm - epanet_gpm).abs() / epanet_gpm < 0.01,
            "{file} {hydrant}: {gpm:.2} GPM, EPANET {epanet_gpm}"
        );
    }
}

/// `tests/data/fireflow/prv_hydrant.inp`: PRV V1 holds junction A (at
/// 0 m) at its setting s, and one pipe (800 m, 150 mm, C 110) runs from A
/// to hydrant H (at 0 m). With the residual at 14 m, H's fire flow is the
/// flow that loses s − 14 m in that pipe, q = ((s − 14) / r)^(1/1.852)
/// with r = 10.667 C^-1.852 d^-4.871 L (EPANET's Hazen-Williams, SI):
/// 39.09 L/s by day (s = 50 m), 25.23 L/s after the night setting
/// lowers s to 30 m from 01:00 to 05:00, as `pipenet night-pressure`
/// lowers it (the fire is at 3:00).
#[test]
fn fire_flow_after_night_pressure_reduction_by_hand() {
    use pipenet::scenario::night::{reduced_network, NightPlan};

    let net = read("tests/data/fireflow/prv_hydrant.inp");
    let time_s = 3 * 3600;
    let settings = FireFlowSettings {
        residual_pressure_m: 14.0,
        time_s,
        ..Default::default()
    };
    let plan = NightPlan {
        link: net.link_ix("V1").unwrap().ix(),
        window_s: (3600, 5 * 3600),
        setting: Some(30.0),
        min_pressure_m: None,
        modulation: Vec::new(),
    };
    let night = reduced_network(&net, &[plan]).unwrap();
    let h = net.node_ix("H").unwrap().ix();
    let r = 10.667 * 110f64.powf(-1.852) * 0.15f64.powf(-4.871) * 800.0;
    let hand = |setting_m: f64| ((setting_m - 14.0) / r).powf(1.0 / 1.852);

    for (network, setting_m) in [(&net, 50.0), (&night, 30.0)] {
        let snap = snapshot_at(network, time_s).unwrap();
        let flow = hydrant_flow(&snap, h, &settings).unwrap();
        let want = hand(setting_m);
        assert!(
            (flow.flow_m3s - want).abs() / want < 0.01,
            "PRV at {setting_m} m: {} L/s, by hand {} L/s",
            flow.flow_m3s * 1e3,
            want * 1e3
        );
        assert_eq!(flow.limiting_node, Some(h));
    }
    // Outside the window the day setting is back: at 6:00 the flow is the day's.
    let snap = snapshot_at(&night, 6 * 3600).unwrap();
    let day = FireFlowSettings {
        time_s: 6 * 3600,
        ..settings
    };
    let flow = hydrant_flow(&snap, h, &day).unwrap();
    assert!((flow.flow_m3s - hand(50.0)).abs() / hand(50.0) < 0.01);
}

/// The command prints both flows of the hand-checked network, and refuses
/// a fire outside the night window (the night setting would not be in force).
#[test]
fn fireflow_command_reports_before_and_after_the_night_setting() {
    let run_in = |time: &str, units: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "fireflow",
                "tests/data/fireflow/prv_hydrant.inp",
                "--hydrants",
                "H",
            ])
            .args([
                "--residual",
                "14m",
                "--time",
                time,
                "--night-setting",
                "V1=30",
            ])
            .args(["--required", "30", "--units", units])
            .output()
            .expect("pipenet runs")
    };
    let run = |time: &str| run_in(time, "file");
    let inside = run("3:00");
    let stdout = String::from_utf8_lossy(&inside.stdout);
    assert!(
        inside.status.success(),
        "{}",
        String::from_utf8_lossy(&inside.stderr)
    );
    let row = stdout.lines().find(|l| l.starts_with("H ")).unwrap();
    let numbers: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&numbers[1..4], &["39.09", "25.23", "13.86"], "{row}");
    assert!(row.ends_with("BELOW REQUIRED"), "{row}");
    // The limit as given (once printed `30.00 LPS`, and unrounded when
    // converted).
    assert!(
        stdout.contains("1 of 1 hydrant below 30 LPS after the night settings"),
        "{stdout}"
    );
    // In US units the limit is also converted: 30 L/s / 0.0630902 (L/s per
    // GPM) = 475.51 GPM.
    let us = run_in("3:00", "us");
    assert!(
        String::from_utf8_lossy(&us.stdout).contains("below 30 LPS (475.51 GPM) after"),
        "{}",
        String::from_utf8_lossy(&us.stdout)
    );

    let outside = run("12:00");
    assert!(!outside.status.success());
    assert!(String::from_utf8_lossy(&outside.stderr).contains("outside the night window"));
}
