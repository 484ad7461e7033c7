//! Status changes during a run: links opening, closing or controlling, tanks filling up or running empty.

use super::LinkStatus;

/// Something that changed during a simulation, for the status log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A link's reported status changed (closed, open, active).
    Link {
        /// Simulation time of the period where the change was seen, s.
        time_s: u64,
        /// The link, by index.
        link: usize,
        /// Its status before.
        from: LinkStatus,
        /// Its status after.
        to: LinkStatus,
    },
    /// A simple control or a rule changed a link's status or setting
    /// (EPANET's "changed by ... control" lines).
    Control {
        /// Simulation time at which it acted, s.
        time_s: u64,
        /// The link, by index.
        link: usize,
        /// What made it act.
        cause: ControlCause,
    },
    /// A tank became full or empty.
    Tank {
        /// Simulation time at which it did, s.
        time_s: u64,
        /// The tank, by node index.
        node: usize,
        /// What it became.
        level: TankLevel,
    },
}

/// What made a control act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlCause {
    /// A simple control on a node's level or pressure (node index).
    Node(usize),
    /// A simple control at a time into the run (`AT TIME`).
    Time,
    /// A simple control at a time of day (`AT CLOCKTIME`).
    ClockTime,
    /// A rule-based control (index into `Network::rules`).
    Rule(usize),
}

/// Where a tank's level stands relative to its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TankLevel {
    /// Between its minimum and maximum levels.
    #[default]
    Between,
    /// At its maximum level.
    Full,
    /// At its minimum level.
    Empty,
}

/// The word EPANET's status report uses for a link status.
pub fn status_word(s: LinkStatus) -> &'static str {
    match s {
        LinkStatus::XHead | LinkStatus::TempClosed | LinkStatus::Closed => "closed",
        LinkStatus::Open | LinkStatus::XFlow => "open",
        LinkStatus::Active => "active",
        LinkStatus::XFcv => "open (cannot deliver flow)",
        LinkStatus::XPressure => "open (cannot deliver pressure)",
    }
}
