//! Prints every hydraulic step of a run with one node's head and net
//! outflow, to follow a simulation through time.
//!
//! `cargo run --release --example eps_trace -- NET.inp NODE_ID`

use pipenet::hydraulics::Simulation;

/// Writes the library's log records to stderr when `PIPENET_TRACE` is set.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        eprintln!("  {}", record.args());
    }
    fn flush(&self) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PIPENET_TRACE").is_some() {
        log::set_logger(&StderrLog).map_err(|e| e.to_string())?;
        log::set_max_level(log::LevelFilter::Trace);
    }
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(node_id)) = (args.get(1), args.get(2)) else {
        return Err("usage: eps_trace NET.inp NODE_ID".into());
    };
    let net = pipenet::inp::read_file(path)?.network;
    let node = net
        .node_ix(node_id)
        .ok_or_else(|| format!("no node '{node_id}' in {path}"))?
        .ix();
    let units = net.units();
    let mut sim = Simulation::new(&net)?;
    loop {
        let outcome = sim.solve_period();
        let state = sim.state();
        println!(
            "{:>8} s  head {:.6}  outflow {:.6}  trials {}",
            sim.time_s(),
            state.head_m[node] / units.length,
            state.node_demand_m3s[node] / units.flow,
            outcome.iterations
        );
        if sim.advance() == 0 {
            break;
        }
    }
    Ok(())
}
