//! Runs hydraulics and water quality of a network and times the quality part alone.
//!
//!     cargo run --release --example quality_timing -- NET.inp [age|chemical|trace:NODE|none] [--times] [--dump OUT.json]
//!
//! Prints the seconds spent in hydraulics and in quality, the number of
//! hydraulic steps and segments at the end, and with `--times` every
//! hydraulic time.

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        return Err(
            "usage: quality_timing NET.inp [age|chemical|trace:NODE|none] [--times]".into(),
        );
    };
    let net = pipenet::inp::read_file(path)?.network;
    let kind = match args.get(1).filter(|a| !a.starts_with("--")) {
        Some(spec) => pipenet::quality::kind_from_spec(&net, spec)?,
        None => net.options.quality.kind.clone(),
    };
    let show_times = args.iter().any(|a| a == "--times");
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1));
    let mut dumped: Vec<(u64, Vec<f64>, Vec<f64>)> = Vec::new();
    let mut sim = pipenet::hydraulics::Simulation::new(&net)?;
    let mut quality = pipenet::quality::QualitySimulation::new(&net, &kind)?;
    let (mut hydraulics, mut transport) = (Duration::ZERO, Duration::ZERO);
    let mut times = Vec::new();
    loop {
        let started = Instant::now();
        sim.solve_period();
        hydraulics += started.elapsed();
        times.push(sim.time_s());

        let started = Instant::now();
        quality.load_hydraulics(sim.state());
        transport += started.elapsed();
        if dump.is_some() {
            let mut q = Vec::new();
            quality.node_qualities_into(&mut q);
            let l = (0..quality.link_count())
                .map(|k| quality.link_quality(k))
                .collect();
            dumped.push((sim.time_s(), q, l));
        }

        let started = Instant::now();
        let step = sim.advance();
        hydraulics += started.elapsed();

        let started = Instant::now();
        quality.advance(step);
        transport += started.elapsed();
        if step == 0 {
            break;
        }
    }
    println!(
        "hydraulics {:.3} s, quality {:.3} s, {} hydraulic steps, {} segments",
        hydraulics.as_secs_f64(),
        transport.as_secs_f64(),
        times.len(),
        quality.segment_count()
    );
    let b = quality.mass_balance();
    println!(
        "mass balance: initial {:.5e}, inflow {:.5e}, outflow {:.5e}, reacted {:.5e}, final {:.5e}, ratio {:.5}",
        b.initial,
        b.inflow,
        b.outflow,
        b.reacted,
        b.final_mass,
        b.ratio()
    );
    if let Some(path) = dump {
        let text = serde_json::to_string(&dumped)?;
        std::fs::write(path, text)?;
    }
    if show_times {
        let text: Vec<String> = times.iter().map(|t| t.to_string()).collect();
        println!("{}", text.join(" "));
    }
    Ok(())
}
