//! Leakage analytics: water balance and ILI, DMA night flows and burst flags, pressure-management savings, fire flow, logger placement.
//!
//! - [`balance`]: the IWA/AWWA water balance, UARL and ILI from annual volumes;
//!   [`zone`] supplies mains length and average pressure from a model.
//! - [`night_flow`], [`burst_flags`], [`meters`]: a DMA's minimum night
//!   flows, leakage, new bursts and meter checks from a [`flow_series`];
//!   [`generate`] makes such series from a model run, with known bursts.
//! - [`savings`]: leakage and energy change between two result files.
//! - [`fire_flow`]: the largest flow each hydrant delivers above a residual pressure.
//! - [`sensors`]: pressure-logger sites, ranked by the bursts they detect.

pub mod balance;
pub mod burst_flags;
pub mod fire_flow;
pub mod flow_series;
pub mod generate;
pub mod meters;
pub mod night_flow;
pub mod savings;
pub mod sensors;
pub mod timestamp;
pub mod zone;
