//! Analyses over a network: valve segments, isolation, what a closure does, pressure zones, zone figures.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pipenet::analysis::{IsolationTarget, Segments, ValveLayer};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
//! let net = pipenet::inp::read_file(path)?.network;
//! // Valves at both ends of pipe 12 (junction 12 to junction 13).
//! let csv = "link,node\n12,12\n12,13\n";
//! let layer = ValveLayer::from_csv(&net, csv.as_bytes(), "layer.csv")?;
//! let segments = Segments::new(&net, &layer);
//! let pipe = net.link_ix("12").unwrap();
//! let isolation = segments.isolate(IsolationTarget::Link(pipe));
//! assert_eq!(isolation.valves_to_close.len(), 2);
//! assert!(isolation.cut_off.is_empty()); // junction 13 is fed through pipe 113
//! # Ok(())
//! # }
//! ```

pub mod closure;
pub mod isolation;
pub mod pressure_zones;
pub mod segments;
pub mod valves;
pub mod zone_figures;

pub use closure::{below_service, closed_network, pressure_run, with_pda, PressureRun};
pub use isolation::{Isolation, IsolationTarget, OutageTotals};
pub use pressure_zones::{derive_zones, DerivedZone, DerivedZones};
pub use segments::{Segment, Segments};
pub use valves::{IsolationValve, ValveLayer, ValveLayerError, VALVE_TAGS};
