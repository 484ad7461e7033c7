//! DMA night flow analysis on series generated from a model run: burst
//! detection rates and the daily leakage estimate against the model's own
//! emitter outflow.

use pipenet::leakage::burst_flags::{flag_bursts, BurstSettings};
use pipenet::leakage::generate::{
    generate_series, random_bursts, DiurnalProfile, GeneratorSettings, Rng,
};
use pipenet::leakage::night_flow::{analyse_nights, NightFlowSettings};
use pipenet::leakage::zone::zone_pressure;

fn dma_network() -> pipenet::Network {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/dma/dma_zone.inp");
    pipenet::inp::read_file(path)
        .expect("example DMA reads")
        .network
}

/// The criterion: over at least 20 seeded series with bursts of
/// 10 to 20 % of the minimum night flow, at least 90 % of the bursts are
/// flagged on their day and there is at most 1 false flag per 100 days.
#[test]
fn bursts_are_flagged_on_their_day() {
    let net = dma_network();
    let profile = DiurnalProfile::from_model(&net).unwrap();
    let settings = NightFlowSettings::default();
    let (mut bursts, mut found, mut false_flags, mut days) = (0, 0, 0, 0);
    for seed in 1..=20u64 {
        let mut rng = Rng::new(1000 + seed);
        let generator = GeneratorSettings {
            seed,
            days: 100,
            bursts: random_bursts(&mut rng, 100, 5, 8, 14),
            ..Default::default()
        };
        let (series, truth) = generate_series(&profile, &generator);
        let nights = analyse_nights(&series, &settings);
        assert_eq!(nights.len(), 100);
        let mnf: Vec<f64> = nights.iter().map(|n| n.mnf_ls).collect();
        let steps = flag_bursts(&mnf, &BurstSettings::default());
        let burst_days: Vec<usize> = truth.iter().map(|b| b.day).collect();
        bursts += truth.len();
        found += burst_days.iter().filter(|&&d| steps[d].burst).count();
        false_flags += steps
            .iter()
            .filter(|s| s.burst && !burst_days.contains(&s.index))
            .count();
        days += nights.len();
    }
    assert_eq!(bursts, 100);
    let rate = found as f64 / bursts as f64;
    let false_per_100_days = 100.0 * false_flags as f64 / days as f64;
    eprintln!(
        "{found}/{bursts} bursts flagged on their day, {false_flags} false flags in {days} days"
    );
    assert!(rate >= 0.90, "only {found} of {bursts} bursts flagged");
    assert!(
        false_per_100_days <= 1.0,
        "{false_flags} false flags in {days} days"
    );
}

/// Daily leakage from the minimum night flow and the night-day factor
/// (model pressures, N1 = the emitter exponent 1.0) against the volume
/// the model's emitters discharge over the day. The legitimate night use
/// allowance, (1800 · 1.7 + 20 · 8) / 3600 = 0.894 L/s, stands for the
/// model's 0.12 · 7.5 = 0.90 L/s of consumption at 03:00, so the estimate
/// should come within a few per cent (noise-free series).
#[test]
fn daily_leakage_matches_the_model_emitters() {
    let net = dma_network();
    let profile = DiurnalProfile::from_model(&net).unwrap();
    let (series, _) = generate_series(
        &profile,
        &GeneratorSettings {
            days: 2,
            noise: 0.0,
            ..Default::default()
        },
    );
    let zone = zone_pressure(&net).unwrap();
    let settings = NightFlowSettings {
        households: 1800.0,
        non_households: 20.0,
        hourly_pressure_m: Some(zone.hourly_m()),
        average_s: 0,
        ..Default::default()
    };
    let nights = analyse_nights(&series, &settings);

    // The model's emitter volume over the day: 2.004 L/s on average (its flow balance).
    let mut sim = pipenet::hydraulics::Simulation::new(&net).unwrap();
    let mut emitted_m3 = 0.0;
    loop {
        sim.solve_period();
        let q: f64 = sim.state().emitter_flow_m3s.iter().sum();
        let step = sim.advance();
        emitted_m3 += q * step as f64;
        if step == 0 {
            break;
        }
    }
    let estimate = nights[0].daily_leakage_m3;
    assert!(
        nights[0].night_day_factor_h < 24.0,
        "pressure is highest at night"
    );
    assert!(
        (estimate - emitted_m3).abs() / emitted_m3 < 0.03,
        "estimate {estimate:.1} m³/day, model {emitted_m3:.1} m³/day"
    );
}
