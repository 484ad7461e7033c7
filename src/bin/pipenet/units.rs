//! The `--units si|us|file` option that output-producing commands share.

use pipenet::report::{ReportUnits, UnitChoice};
use pipenet::Network;

/// `--units`: the units results are printed and written in.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct UnitsArg {
    /// Units of printed and written results: si (L/s, m, pressure in m,
    /// mm, m/s), us (GPM, ft, psi, in, ft/s) or file (the network's own,
    /// the default). A file already in the chosen system keeps its flow
    /// unit. Values given to other options keep the units their own help
    /// states, whatever --units says.
    #[arg(long, value_name = "si|us|file", default_value = "file")]
    pub units: UnitChoice,
}

impl UnitsArg {
    /// The units of this choice for a network.
    pub fn of(&self, net: &Network) -> ReportUnits {
        ReportUnits::new(net, self.units)
    }
}
