//! Pump energy over extended-period runs against EPANET 2.3.5's "Energy Usage" report.

use std::path::PathBuf;

use pipenet::hydraulics::Simulation;
use pipenet::report::text;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a network to the end and returns its energy table as pipenet prints it.
fn energy_table(path: &str) -> String {
    let net = pipenet::inp::read_file(&root().join(path)).unwrap().network;
    let mut sim = Simulation::new(&net).unwrap();
    loop {
        sim.solve_period();
        if sim.advance() == 0 {
            break;
        }
    }
    let t = text::energy_table(&net, &sim.energy());
    let b = text::flow_balance(&net, &sim.flow_balance());
    println!("{t}{b}");
    t
}

#[test]
fn net1() {
    energy_table("networks/epanet/Net1.inp");
    energy_table("networks/epanet/Net3.inp");
    energy_table("tests/data/features/pumps.inp");
    energy_table("tests/data/features/cms_psi.inp");
    energy_table("tests/data/features/energy.inp");
    panic!();
}
