//! Benchmarks of reading a network, one hydraulic period and a full
//! extended-period run, on EPANET's Net3 (in this repository) and on the
//! large networks of `../shared/networks` when that directory is present
//! (skipped otherwise; `PIPENET_NETWORKS` points elsewhere).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pipenet::hydraulics::Simulation;
use pipenet::network::Network;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// The networks benchmarked, by name and path; those not found are skipped.
fn networks() -> Vec<(&'static str, PathBuf)> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::var_os("PIPENET_NETWORKS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("../shared/networks"));
    let all = [
        ("Net3", repo.join("networks/epanet/Net3.inp")),
        ("Net6", shared.join("wntr/Net6.inp")),
        ("L-TOWN", shared.join("large/L-TOWN.inp")),
        ("BWSN_Network_2", shared.join("large/BWSN_Network_2.inp")),
        ("vitens-25k", shared.join("large/vitens-25k.inp")),
    ];
    all.into_iter()
        .filter(|(name, path)| {
            let found = path.exists();
            if !found {
                eprintln!("skipping {name}: {} not found", path.display());
            }
            found
        })
        .collect()
}

fn read(path: &PathBuf) -> Network {
    match pipenet::inp::read_file(path) {
        Ok(outcome) => outcome.network,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Every period of the run, to the end of its duration (or a halt).
fn full_run(net: &Network) -> u32 {
    let mut sim = Simulation::new(net).expect("a network that simulates");
    let mut trials = 0;
    loop {
        trials += sim.solve_period().iterations;
        if sim.advance() == 0 {
            return trials;
        }
    }
}

fn benches(c: &mut Criterion) {
    let nets = networks();
    let mut group = c.benchmark_group("parse");
    for (name, path) in &nets {
        group.bench_with_input(BenchmarkId::from_parameter(name), path, |b, path| {
            b.iter(|| read(black_box(path)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("setup_and_first_period");
    for (name, path) in &nets {
        let net = read(path);
        group.bench_with_input(BenchmarkId::from_parameter(name), &net, |b, net| {
            b.iter(|| {
                let mut sim = Simulation::new(net).expect("a network that simulates");
                black_box(sim.solve_period().iterations)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("full_eps");
    group.sample_size(10);
    for (name, path) in &nets {
        let net = read(path);
        group.bench_with_input(BenchmarkId::from_parameter(name), &net, |b, net| {
            b.iter(|| black_box(full_run(net)))
        });
    }
    group.finish();
}

criterion_group! {
    name = hydraulics;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(hydraulics);
