//! The README's library example: step through a run, close a pump at 6:00,
//! and print the pump energy at the end.
//!
//! `cargo run --release --example step_through`

use pipenet::hydraulics::Simulation;
use pipenet::network::LinkStatusSetting;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let net = pipenet::inp::read_file("networks/epanet/Net1.inp")?.network;
    let mut sim = Simulation::new(&net)?;
    loop {
        let outcome = sim.solve_period(); // patterns, controls, then GGA
        assert!(outcome.converged);
        if sim.time_s() == 6 * 3600 {
            // change the network between steps, as a control would
            sim.set_link(net.link_ix("9").unwrap(), LinkStatusSetting::Closed);
        }
        let heads_m = &sim.state().head_m; // SI units inside the library
        assert!(heads_m.iter().all(|h| h.is_finite()));
        if sim.advance() == 0 {
            break; // the end of the duration
        }
    }
    println!("{:?}", sim.energy());
    Ok(())
}
