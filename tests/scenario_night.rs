//! Night pressure reduction on `tests/data/zones/prv_night.inp`: the saved volume against a hand calculation.
//!
//! In the zone behind PRV V1 the pipes are wide and short (head losses of
//! a few mm), so junction i (elevation zᵢ) has a pressure close to
//! s + 20 m − zᵢ at PRV setting s. Its emitter leaks C pᵢ^N1 with
//! C = 0.02 L/s per m^N1, N1 = 1.15. Lowering s from 45 m to 30 m from
//! 01:00 to 05:00 saves, per day,
//! Σᵢ C [(65 − zᵢ)^N1 − (50 − zᵢ)^N1] × 4 h.

use pipenet::scenario::night::{analyse, downstream_layout, NightPlan};
use pipenet::scenario::zones::LeakageBaseline;

const ELEVATIONS_M: [f64; 5] = [20.0, 22.0, 18.0, 25.0, 15.0];
const N1: f64 = 1.15;
const NIGHT_S: f64 = 4.0 * 3600.0;

fn network() -> pipenet::Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/zones/prv_night.inp"
    );
    pipenet::inp::read_file(path).unwrap().network
}

fn plan(net: &pipenet::Network, setting: Option<f64>) -> NightPlan {
    NightPlan {
        link: net.link_ix("V1").unwrap().ix(),
        window_s: (3600, 5 * 3600),
        setting,
        min_pressure_m: Some(20.0),
        modulation: Vec::new(),
    }
}

fn within_percent(got: f64, want: f64, percent: f64, what: &str) {
    let err = 100.0 * (got - want).abs() / want.abs();
    assert!(
        err <= percent,
        "{what}: got {got}, hand calculation {want} ({err:.3} %)"
    );
}

#[test]
fn saved_volume_equals_the_hand_calculation_from_pressures_and_n1() {
    let net = network();
    let layout = downstream_layout(&net, net.link_ix("V1").unwrap().ix())
        .resolve(&net)
        .unwrap();
    let outcome = analyse(&layout, &plan(&net, Some(30.0))).unwrap();

    let c = 0.02e-3; // m³/s per m^N1
    let hand: f64 = ELEVATIONS_M
        .iter()
        .map(|z| c * ((65.0 - z).powf(N1) - (50.0 - z).powf(N1)) * NIGHT_S)
        .sum();
    within_percent(outcome.saved_m3_per_day, hand, 1.0, "saved m3/day");
    within_percent(
        outcome.saved_m3_per_year,
        hand * 365.0,
        1.0,
        "saved m3/year",
    );

    // Night AZP before and after: s + 20 m − the length-weighted mean
    // elevation (J1 150, J2 150, J3 225, J4 150, J5 75 m of pipe: 20.3 m).
    let zone = &outcome.after[0];
    assert_eq!(zone.name, "V1");
    within_percent(
        outcome.before[0].night_pressure_m,
        44.7,
        0.1,
        "night AZP before",
    );
    within_percent(zone.night_pressure_m, 29.7, 0.1, "night AZP after");
    // The critical node is the highest junction, J4 (25 m): 30 − 5 m.
    let critical = outcome.critical_at_night.unwrap();
    assert_eq!(net.nodes[critical.node].id, "J4");
    within_percent(critical.pressure_m, 25.0, 0.1, "critical pressure");
    assert!(outcome.below_minimum.is_empty());
}

#[test]
fn a_baseline_leakage_scales_with_the_night_azp() {
    // L0 = 5 L/s at P0 = 40 m, N1 = 1: saved = L0 (44.7 − 29.7) / 40 × 4 h per day.
    let net = network();
    let mut layout = downstream_layout(&net, net.link_ix("V1").unwrap().ix())
        .resolve(&net)
        .unwrap();
    layout.zones[0].leakage = Some(LeakageBaseline {
        l0: 5.0,
        p0: 40.0,
        n1: 1.0,
    });
    let outcome = analyse(&layout, &plan(&net, Some(30.0))).unwrap();
    let hand = 5e-3 * (44.7 - 29.7) / 40.0 * NIGHT_S;
    within_percent(outcome.saved_m3_per_day, hand, 1.0, "saved m3/day");
}

#[test]
fn the_search_finds_the_setting_that_holds_the_critical_node_at_the_minimum() {
    // J4 sits 5 m above the PRV's outlet junction J1: 20 m at J4 needs 25 m
    // (plus the few mm of head loss), found to within the 0.05 m tolerance.
    let net = network();
    let layout = downstream_layout(&net, net.link_ix("V1").unwrap().ix())
        .resolve(&net)
        .unwrap();
    let outcome = analyse(&layout, &plan(&net, None)).unwrap();
    assert!(outcome.search_runs.unwrap() > 5);
    assert!(
        (outcome.night_setting - 25.0).abs() < 0.06,
        "setting {}",
        outcome.night_setting
    );
    let critical = outcome.critical_at_night.unwrap();
    assert!(critical.pressure_m >= 20.0 && critical.pressure_m < 20.06);
}

#[test]
fn a_setting_too_low_lists_the_nodes_below_the_minimum() {
    let net = network();
    let layout = downstream_layout(&net, net.link_ix("V1").unwrap().ix())
        .resolve(&net)
        .unwrap();
    let outcome = analyse(&layout, &plan(&net, Some(22.0))).unwrap();
    // At 22 m: J4 has 17 m and J2 19 m at night; the others stay above 20 m.
    let ids: Vec<&str> = (outcome.below_minimum.iter())
        .map(|b| net.nodes[b.node].id.as_str())
        .collect();
    assert_eq!(ids, ["J2", "J4"]);
    assert!(outcome.below_minimum.iter().all(|b| !b.before_too));
}
