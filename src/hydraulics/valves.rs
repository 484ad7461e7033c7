//! Status rules of check valves, PRVs, PSVs and FCVs (EPANET 2.3 `hydstatus.c`).
//!
//! Each rule maps a valve's current status and the latest heads and flow to
//! its next status, with EPANET's head tolerance `htol` and flow tolerance
//! `qtol` as hysteresis.

use super::model::SolverSettings;
use super::status::LinkStatus;

/// A check valve closes on reverse head or flow and opens on forward head.
pub(crate) fn check_valve_status(
    status: LinkStatus,
    dh: f64,
    q: f64,
    s: &SolverSettings,
) -> LinkStatus {
    if dh.abs() > s.htol {
        if dh < -s.htol || q < -s.qtol {
            LinkStatus::Closed
        } else {
            LinkStatus::Open
        }
    } else if q < -s.qtol {
        LinkStatus::Closed
    } else {
        status
    }
}

/// Pressure reducing valve. `hset` is the head it holds downstream (m),
/// `hml` the head loss of the fully open valve at the current flow.
pub(crate) fn prv_status(
    status: LinkStatus,
    hset: f64,
    h1: f64,
    h2: f64,
    hml: f64,
    q: f64,
    s: &SolverSettings,
) -> LinkStatus {
    let htol = s.htol;
    match status {
        LinkStatus::Active => {
            if q < -s.qtol {
                LinkStatus::Closed
            } else if h1 - hml < hset - htol {
                LinkStatus::Open
            } else {
                LinkStatus::Active
            }
        }
        LinkStatus::Open => {
            if q < -s.qtol {
                LinkStatus::Closed
            } else if h2 >= hset + htol {
                LinkStatus::Active
            } else {
                LinkStatus::Open
            }
        }
        LinkStatus::Closed => {
            if h1 >= hset + htol && h2 < hset - htol {
                LinkStatus::Active
            } else if h1 < hset - htol && h1 > h2 + htol {
                LinkStatus::Open
            } else {
                LinkStatus::Closed
            }
        }
        LinkStatus::XPressure if q < -s.qtol => LinkStatus::Closed,
        other => other,
    }
}

/// Pressure sustaining valve. `hset` is the head it holds upstream (m).
pub(crate) fn psv_status(
    status: LinkStatus,
    hset: f64,
    h1: f64,
    h2: f64,
    hml: f64,
    q: f64,
    s: &SolverSettings,
) -> LinkStatus {
    let htol = s.htol;
    match status {
        LinkStatus::Active => {
            if q < -s.qtol {
                LinkStatus::Closed
            } else if h2 + hml > hset + htol {
                LinkStatus::Open
            } else {
                LinkStatus::Active
            }
        }
        LinkStatus::Open => {
            if q < -s.qtol {
                LinkStatus::Closed
            } else if h1 < hset - htol {
                LinkStatus::Active
            } else {
                LinkStatus::Open
            }
        }
        LinkStatus::Closed => {
            if h2 > hset + htol && h1 > h2 + htol {
                LinkStatus::Open
            } else if h1 >= hset + htol && h1 > h2 + htol {
                LinkStatus::Active
            } else {
                LinkStatus::Closed
            }
        }
        LinkStatus::XPressure if q < -s.qtol => LinkStatus::Closed,
        other => other,
    }
}

/// Flow control valve with flow `setting` (m³/s). It gives up (XFCV, fully
/// open) on reverse head or flow, and when the head across it is less than
/// its own open loss at the set flow (EPANET 2.3); it controls again once
/// the flow through it reaches the setting.
pub(crate) fn fcv_status(
    status: LinkStatus,
    setting: f64,
    dh: f64,
    q: f64,
    km: f64,
    s: &SolverSettings,
) -> LinkStatus {
    if dh < -s.htol || q < -s.qtol {
        LinkStatus::XFcv
    } else if status == LinkStatus::XFcv && q >= setting {
        LinkStatus::Active
    } else if status == LinkStatus::Active && km > 0.0 && dh < km * q * q {
        LinkStatus::XFcv
    } else {
        status
    }
}
