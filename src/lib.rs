//! pipenet: hydraulic simulation of pressurised water distribution networks.
//!
//! pipenet reads EPANET 2.3 `.inp` files into a [`Network`] (plain data in
//! SI units), solves its hydraulics with a sparse global gradient (GGA)
//! Newton-Raphson method that follows EPANET's iteration sequence, and
//! writes results in the network's own units. [`hydraulics::Simulation`]
//! runs the whole extended period, step by step; [`quality::QualitySimulation`]
//! carries water age, source traces and chemicals alongside it.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
//! let net = pipenet::inp::read_file(path)?.network;
//! let mut sim = pipenet::hydraulics::Simulation::new(&net)?;
//! let outcome = sim.solve_period();
//! assert!(outcome.converged);
//! // Heads are in metres inside the library; `report` converts to the file's units.
//! let snapshot = pipenet::report::Snapshot::of(0, sim.state());
//! let j10 = net.node_ix("10").unwrap().ix();
//! let head_ft = pipenet::report::node_values(&net, &snapshot, j10).head;
//! assert!((head_ft - 1004.35).abs() < 0.01); // EPANET 2.3.5: 1004.35 ft
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod hydraulics;
pub mod inp;
pub mod leakage;
pub mod network;
pub mod quality;
pub mod report;
pub mod scenario;

pub use network::Network;
