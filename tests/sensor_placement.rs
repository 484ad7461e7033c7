//! Pressure-logger placement on `tests/data/sensors/branched.inp`: extremity, critical point, large user and density cells against hand calculations.
//!
//! The network: reservoir R at 100 m → P1 (1000 m, 300 mm) → J1; J1 → P2
//! (1000 m, 200 mm) → J2 (10 L/s) → P3 (1000 m, 150 mm) → J3 (20 L/s,
//! dead end); J1 → P4 (500 m, 200 mm) → J4 (15 L/s, dead end, 30 m up).
//! All Hazen-Williams C = 100, so the flows are fixed by the demands
//! (45, 30, 20, 15 L/s) and each head loss is EPANET's
//! h = 10.667 C^-1.852 d^-4.871 L q^1.852 (SI).

use pipenet::leakage::sensors::{place, PlacementSettings, Reason, SensorError};

fn network() -> pipenet::Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sensors/branched.inp"
    );
    pipenet::inp::read_file(path).unwrap().network
}

/// Head loss of a Hazen-Williams pipe, m (EPANET manual, SI form).
fn hw_loss_m(length_m: f64, diameter_m: f64, flow_m3s: f64) -> f64 {
    10.667 * 100f64.powf(-1.852) * diameter_m.powf(-4.871) * length_m * flow_m3s.powf(1.852)
}

/// Only the rule-based sites, no bursts.
fn rules_only(critical: usize, extremities: usize, large_users: usize) -> PlacementSettings {
    PlacementSettings {
        critical,
        extremities,
        large_users,
        count: 0,
        bursts: Some(Vec::new()),
        ..PlacementSettings::default()
    }
}

/// J3 loses h1 + h2 + h3 ≈ 26.0 m of head from R, J4 only h1 + h4 ≈ 3.5 m:
/// J3 is the extremity. J4 stands 30 m up, so its pressure,
/// 100 − h1 − h4 − 30 ≈ 66.5 m, is below J3's 100 − h1 − h2 − h3 ≈ 74.0 m:
/// J4 is the critical point. J3's 20 L/s is the largest demand.
#[test]
fn extremity_and_critical_point_are_the_ones_physics_says() {
    let net = network();
    let (h1, h2) = (hw_loss_m(1000.0, 0.3, 0.045), hw_loss_m(1000.0, 0.2, 0.030));
    let (h3, h4) = (hw_loss_m(1000.0, 0.15, 0.020), hw_loss_m(500.0, 0.2, 0.015));
    let p_j3 = 100.0 - h1 - h2 - h3;
    let p_j4 = 100.0 - h1 - h4 - 30.0;
    assert!(p_j4 < p_j3 && h1 + h2 + h3 > h1 + h4);

    let plan = place(&net, &rules_only(1, 1, 1), &|| {}).unwrap();
    let ids: Vec<&str> = (plan.sites.iter())
        .map(|s| net.nodes[s.node].id.as_str())
        .collect();
    assert_eq!(ids, vec!["J4", "J3"]);
    assert_eq!(plan.sites[0].reasons, vec![Reason::Critical(None)]);
    assert_eq!(
        plan.sites[1].reasons,
        vec![Reason::DeadEnd, Reason::LargeUser]
    );
    for (site, want) in plan.sites.iter().zip([p_j4, p_j3]) {
        let got = site.min_pressure_m.unwrap();
        assert!((got - want).abs() / want < 1e-3, "{got} vs {want}");
        assert!((site.pressure_m - want).abs() / want < 1e-3);
    }
}

/// Two extremities: both dead ends, J3 (26.0 m lost) before J4 (3.5 m).
/// Three: the third is the farthest other junction, J2 (h1 + h2).
#[test]
fn extremities_are_dead_ends_first_then_the_farthest() {
    let net = network();
    let plan = place(&net, &rules_only(0, 3, 0), &|| {}).unwrap();
    let got: Vec<(&str, &Reason)> = (plan.sites.iter())
        .map(|s| (net.nodes[s.node].id.as_str(), &s.reasons[0]))
        .collect();
    assert_eq!(
        got,
        vec![
            ("J3", &Reason::DeadEnd),
            ("J4", &Reason::DeadEnd),
            ("J2", &Reason::Farthest)
        ]
    );
}

/// Junctions span x 1000..3000 m, y 0..500 m: with 1 km² per logger the
/// cells are 1 km squares, two of them. Cell [1000, 2000) holds J1 and J4;
/// its centre (1500, 500) is 500 m from J4 and 707 m from J1: J4. Cell
/// [2000, 3000] holds J2 and J3, both 707 m from (2500, 500): the tie goes
/// to J2 by id.
#[test]
fn density_cells_on_the_known_layout() {
    let net = network();
    let mut settings = rules_only(0, 0, 0);
    settings.area_per_sensor_km2 = Some(1.0);
    settings.metres_per_map_unit = Some(1.0);
    let plan = place(&net, &settings, &|| {}).unwrap();
    let ids: Vec<&str> = (plan.sites.iter())
        .map(|s| net.nodes[s.node].id.as_str())
        .collect();
    assert_eq!(ids, vec!["J4", "J2"]);
    let cells = plan.density.unwrap();
    assert_eq!((cells.occupied_cells, cells.cells_with_site), (2, 0));

    settings.metres_per_map_unit = None;
    let refused = place(&net, &settings, &|| {});
    assert!(matches!(refused, Err(SensorError::MapUnits)));
}

/// A burst on P3 (between J2 and J3) adds its outflow to P1, P2 and half
/// of P3, so every junction's pressure falls; J4 hangs off J1 and falls
/// only by P1's extra loss, the least. With a threshold between J4's drop
/// and J3's, J3 detects the P3 burst and J4 does not. The greedy search
/// then covers every burst some junction detects (a burst on P1, next to
/// the reservoir, may lower no pressure by the threshold), and the plan
/// does not depend on the number of threads.
#[test]
fn bursts_are_detected_downstream_and_threads_do_not_change_the_plan() {
    let net = network();
    let mut settings = rules_only(0, 0, 0);
    settings.count = 4;
    settings.bursts = None;
    settings.detection.threshold_m = 2.0;
    settings.detection.burst.area = Some(0.0005);
    let one = place(&net, &settings, &|| {}).unwrap();
    settings.detection.threads = 2;
    let two = place(&net, &settings, &|| {}).unwrap();
    assert_eq!(one, two);

    let detection = one.detection.as_ref().unwrap();
    let p3 = detection.pipes.iter().position(|p| p == "P3").unwrap();
    let seen: Vec<&str> = (detection.detected_by[p3].as_ref().unwrap().iter())
        .map(|&i| net.nodes[i].id.as_str())
        .collect();
    assert!(seen.contains(&"J3"), "{seen:?}");
    assert!(!seen.contains(&"J4"), "{seen:?}");
    // Greedy coverage reaches every burst some junction detects.
    let detectable = (detection.detected_by.iter())
        .filter(|d| d.as_ref().is_ok_and(|nodes| !nodes.is_empty()))
        .count();
    assert_eq!(one.sites.last().unwrap().covered, Some(detectable));
}

fn pipenet(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("pipenet runs")
}

/// The command's table and CSV are the same bytes on one thread and two.
#[test]
fn the_command_gives_the_same_bytes_for_any_threads() {
    let dir = std::env::temp_dir().join(format!("pipenet-sensors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let csv = dir.join(format!("sites{threads}.csv"));
        let csv_arg = csv.to_str().unwrap();
        let run = pipenet(&[
            "sensors",
            "networks/epanet/Net3.inp",
            "--area",
            "0.01",
            "--threshold",
            "0.5",
            "--threads",
            threads,
            "--out",
            csv_arg,
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let stdout = String::from_utf8(run.stdout).unwrap();
        let table: String = stdout.lines().filter(|l| !l.contains(csv_arg)).collect();
        outputs.push((table, std::fs::read(&csv).unwrap()));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert!(outputs[0].0.contains("coverage %"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Net3 states no map units: a density target is refused, and says how to give them.
#[test]
fn density_without_map_units_is_refused() {
    let run = pipenet(&[
        "sensors",
        "networks/epanet/Net3.inp",
        "--area-per-sensor",
        "2",
        "--bursts",
        "none",
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("--map-units m|ft"), "{stderr}");
}
