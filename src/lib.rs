//! pipenet: hydraulic simulation of pressurised water distribution networks.
//!
//! pipenet reads EPANET 2.3 `.inp` files into a [`Network`] (plain data in
//! SI units), solves its hydraulics with a sparse global gradient (GGA)
//! Newton-Raphson method that follows EPANET's iteration sequence, and
//! writes results in the network's own units.
#![deny(missing_docs)]

pub mod hydraulics;
pub mod inp;
pub mod network;
pub mod report;

pub use network::Network;
