//! Link status as the solver tracks it, with EPANET's codes.

use serde::{Deserialize, Serialize};

/// The hydraulic status of a link during and after a solution.
///
/// The order and codes are EPANET's (`StatusType`); the first three are the
/// closed states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LinkStatus {
    /// A pump closed because it cannot deliver the head asked of it.
    XHead = 0,
    /// Closed for now: a link into a full or out of an empty tank.
    TempClosed = 1,
    /// Closed.
    Closed = 2,
    /// Open.
    Open = 3,
    /// A control valve controlling (its setting in force).
    Active = 4,
    /// A pump running beyond the end of its curve.
    XFlow = 5,
    /// A flow control valve that cannot deliver its flow.
    XFcv = 6,
    /// A pressure valve that cannot meet its pressure.
    XPressure = 7,
}

impl LinkStatus {
    /// Whether the link carries no flow.
    #[inline]
    pub fn is_closed(self) -> bool {
        self <= LinkStatus::Closed
    }

    /// EPANET's `EN_STATUS` value as the toolkit reports it: 0 closed,
    /// 1 open, 2 active (controlling, or unable to meet its setting).
    pub fn toolkit_code(self) -> u8 {
        match self {
            s if s.is_closed() => 0,
            LinkStatus::Active | LinkStatus::XFcv | LinkStatus::XPressure => 2,
            _ => 1,
        }
    }

    /// EPANET's status code in binary output files (0 XHEAD ... 7 XPRESSURE).
    pub fn output_code(self) -> u8 {
        self as u8
    }

    /// A short lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            LinkStatus::XHead => "closed (head too high)",
            LinkStatus::TempClosed => "temporarily closed",
            LinkStatus::Closed => "closed",
            LinkStatus::Open => "open",
            LinkStatus::Active => "active",
            LinkStatus::XFlow => "open (flow beyond curve)",
            LinkStatus::XFcv => "open (cannot deliver flow)",
            LinkStatus::XPressure => "open (cannot meet pressure)",
        }
    }
}
