//! Night pressure reduction: a lower PRV setting (or pump speed) in a nightly window, and the leakage it saves.
//!
//! The night setting is put on a copy of the network as two daily controls
//! (`LINK id setting AT CLOCKTIME start`, and the day setting back at the
//! window's end), so the steps of the run end exactly at the window's
//! edges and a written `.inp` file shows the change. The base and the
//! reduced network run over the whole period with the same zones; leakage
//! before and after is the network's emitters and `[LEAKAGE]` (pressure
//! dependent, so the hydraulics carry it), or a zone's FAVAD baseline
//! L = L0 · (AZP / P0)^N1. The saving is the difference of the leakage
//! volumes, scaled to a day by the run's length, and to a year × 365.
//!
//! Flow modulation makes the night setting follow the valve's flow:
//! piecewise linear between the (flow, setting) points given, clamped at
//! the ends. Each night period is solved, the setting read off at the
//! solved flow, and the period solved again until the setting moves less
//! than 0.01 m (at most [`MODULATION_TRIALS`] solutions). Under
//! modulation the night periods are those that start inside the window
//! (no control cuts a step at the window's start).
//!
//! With a minimum pressure and no setting, the lowest night setting that
//! keeps every junction of the controlled zone at or above the minimum is
//! found by bisection between 0 and the day setting, to
//! [`SEARCH_TOLERANCE_M`] (m of head; for a pump's speed,
//! [`SEARCH_TOLERANCE_SPEED`]): pressures downstream of a PRV or a pump
//! rise with its setting, so the feasible settings form one interval.

use crate::analysis::zone_figures::{PressureAt, ZoneMeter};
use crate::hydraulics::{HydraulicsError, Simulation};
use crate::network::{
    Control, ControlAction, ControlCondition, InitialStatus, LinkKind, LinkStatusSetting, Network,
    ValveType,
};
use crate::scenario::zones::{Layout, ResolvedLayout, ZoneSpec};

/// Seconds per day.
const DAY_S: u64 = 86_400;

/// Bisection stops when the bracket is this narrow, m of head.
pub const SEARCH_TOLERANCE_M: f64 = 0.05;

/// Bisection stops when the bracket is this narrow, relative pump speed.
pub const SEARCH_TOLERANCE_SPEED: f64 = 0.002;

/// Most solutions of one period under flow modulation.
pub const MODULATION_TRIALS: usize = 6;

/// Why a night pressure plan cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum NightError {
    /// The link is neither a PRV nor a pump.
    #[error("link {0} is neither a PRV nor a pump")]
    NotControllable(String),
    /// The run is shorter than a day.
    #[error("the network runs {0} s; night pressure reduction needs an extended period of at least 24 h")]
    TooShort(u64),
    /// The controlled link's zone is not among the layout's zones.
    #[error("no zone of the layout is fed by {0}")]
    NoZone(String),
    /// Even the day setting leaves a junction below the minimum.
    #[error(
        "the minimum pressure is not met even at the day setting: node {node} has {pressure_m:.2} m"
    )]
    Infeasible {
        /// The critical node's id.
        node: String,
        /// Its pressure, m.
        pressure_m: f64,
    },
    /// A plan applied as it stands has no night setting.
    #[error("link {0}: a night setting is needed here (no search)")]
    NoSetting(String),
    /// Two plans lower the same link.
    #[error("link {0} is given two night settings")]
    Twice(String),
    /// The simulation failed.
    #[error(transparent)]
    Hydraulics(#[from] HydraulicsError),
}

/// What to lower at night, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct NightPlan {
    /// The PRV or pump (link index).
    pub link: usize,
    /// Start and end of the window, seconds after midnight (the end may
    /// be before the start: a window over midnight).
    pub window_s: (u64, u64),
    /// The night setting: PRV pressure head m, or pump relative speed;
    /// `None` to search the lowest one that keeps `min_pressure_m`.
    pub setting: Option<f64>,
    /// Minimum pressure head at every junction of the zone, m.
    pub min_pressure_m: Option<f64>,
    /// Flow modulation: (valve flow m³/s, setting m) points, by flow.
    pub modulation: Vec<(f64, f64)>,
}

/// One zone before or after.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ZoneNight {
    /// The zone's name.
    pub name: String,
    /// Average zone pressure over the run, m.
    pub average_pressure_m: f64,
    /// Average zone pressure over the night periods, m.
    pub night_pressure_m: f64,
    /// Lowest junction pressure over the run.
    pub min_pressure: Option<PressureAt>,
    /// Leakage per day, m³.
    pub leakage_m3_per_day: f64,
}

/// A junction below the minimum pressure after the change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BelowMinimum {
    /// The junction's index.
    pub node: usize,
    /// Its lowest pressure after, m, and when, s.
    pub pressure_m: f64,
    /// When, s.
    pub time_s: u64,
    /// Whether it was below the minimum before the change too.
    pub before_too: bool,
}

/// What the night setting does.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NightOutcome {
    /// The day setting (m or speed).
    pub day_setting: f64,
    /// The night setting used (m or speed; under modulation, the mean of
    /// the night periods' settings).
    pub night_setting: f64,
    /// Runs made by the search, if there was one.
    pub search_runs: Option<usize>,
    /// The zones before.
    pub before: Vec<ZoneNight>,
    /// The zones after.
    pub after: Vec<ZoneNight>,
    /// Leakage saved per day, m³ (all zones).
    pub saved_m3_per_day: f64,
    /// Leakage saved per year (365 days), m³.
    pub saved_m3_per_year: f64,
    /// Junctions below the minimum after, in node order.
    pub below_minimum: Vec<BelowMinimum>,
    /// The lowest pressure of the controlled zone over the night periods after.
    pub critical_at_night: Option<PressureAt>,
}

/// The current setting of a PRV or pump, SI.
pub fn day_setting(net: &Network, link: usize) -> Result<f64, NightError> {
    match &net.links[link].kind {
        LinkKind::Valve(v) if v.valve_type == ValveType::Prv => Ok(v.setting),
        LinkKind::Pump(p) => Ok(p.speed),
        _ => Err(NightError::NotControllable(net.links[link].id.clone())),
    }
}

/// Whether a clock time (s after midnight) is in the window.
pub fn in_window(clock_s: u64, (start, end): (u64, u64)) -> bool {
    if start <= end {
        (start..end).contains(&clock_s)
    } else {
        clock_s >= start || clock_s < end
    }
}

/// A copy of `net` with `setting` on `link` in the window every day and
/// its day setting outside it.
pub fn night_network(net: &Network, plan: &NightPlan, setting: f64) -> Result<Network, NightError> {
    let day = day_setting(net, plan.link)?;
    let mut out = net.clone();
    let control = |clock_s: u64, value: f64| Control {
        action: ControlAction {
            link: crate::network::LinkIx(plan.link as u32),
            status: LinkStatusSetting::Setting(value),
        },
        condition: ControlCondition::AtClockTime { clock_s },
        enabled: true,
    };
    // Under modulation the setting is driven period by period; a control
    // at the window's start would undo it each time the period is solved again.
    let modulated = !plan.modulation.is_empty();
    if !modulated {
        out.controls.push(control(plan.window_s.0, setting));
    }
    out.controls.push(control(plan.window_s.1, day));
    if !modulated && in_window(net.times.start_clock_s, plan.window_s) {
        set_initial(&mut out, plan.link, setting);
    }
    Ok(out)
}

/// A copy of `net` with every plan's night setting in its window, as
/// [`night_network`] puts one (each plan must give its setting, and each
/// link appear once).
pub fn reduced_network(net: &Network, plans: &[NightPlan]) -> Result<Network, NightError> {
    let mut out = net.clone();
    for (n, plan) in plans.iter().enumerate() {
        let id = || net.links[plan.link].id.clone();
        if plans[..n].iter().any(|p| p.link == plan.link) {
            return Err(NightError::Twice(id()));
        }
        let setting = plan.setting.ok_or_else(|| NightError::NoSetting(id()))?;
        out = night_network(&out, plan, setting)?;
    }
    Ok(out)
}

fn set_initial(net: &mut Network, link: usize, setting: f64) {
    match &mut net.links[link].kind {
        LinkKind::Valve(v) => v.setting = setting,
        LinkKind::Pump(p) => p.speed = setting,
        LinkKind::Pipe(_) => {}
    }
}

/// What one run of a layout gives for the night analysis.
struct NightRun {
    zones: Vec<ZoneNight>,
    /// Lowest pressure of each junction over the run, m, and when.
    lowest: Vec<Option<(f64, u64)>>,
    critical_at_night: Option<PressureAt>,
    mean_night_setting: f64,
}

/// Runs `net` (the layout's network or an edited copy of it) with the
/// layout's zones; `modulate` drives the link's setting at night.
fn run_night(
    layout: &ResolvedLayout,
    net: &Network,
    plan: &NightPlan,
    zone: usize,
    modulate: bool,
) -> Result<NightRun, HydraulicsError> {
    let mut meter = ZoneMeter::new(layout);
    let mut sim = Simulation::new(net)?;
    let mut lowest = vec![None::<(f64, u64)>; net.nodes.len()];
    let mut night = vec![false; 0];
    let mut critical: Option<PressureAt> = None;
    let (mut setting_sum, mut setting_n) = (0.0, 0.0);
    loop {
        let t = sim.time_s();
        let is_night = in_window(sim.time_steps().clock_s(t), plan.window_s);
        sim.solve_period();
        if modulate && is_night && !plan.modulation.is_empty() {
            setting_sum += modulate_period(&mut sim, plan);
            setting_n += 1.0;
        }
        meter.observe(t, sim.state());
        night.push(is_night);
        let state = sim.state();
        for (i, node) in net.nodes.iter().enumerate() {
            if !node.is_junction() || !state.connected[i] {
                continue;
            }
            let p = state.head_m[i] - node.elevation_m;
            if lowest[i].is_none_or(|(m, _)| p < m) {
                lowest[i] = Some((p, t));
            }
            let in_zone = layout.zone_of.get(i) == Some(&zone);
            if is_night && in_zone && critical.is_none_or(|c| p < c.pressure_m) {
                critical = Some(PressureAt {
                    pressure_m: p,
                    node: i,
                    time_s: t,
                });
            }
        }
        let step = sim.advance();
        meter.end_period(step);
        if step == 0 {
            break;
        }
    }
    Ok(NightRun {
        zones: zone_nights(layout, &meter, &night),
        lowest,
        critical_at_night: critical,
        mean_night_setting: if setting_n > 0.0 {
            setting_sum / setting_n
        } else {
            f64::NAN
        },
    })
}

/// Solves the current period again until the setting agrees with the
/// valve's flow; returns the setting used.
fn modulate_period(sim: &mut Simulation<'_>, plan: &NightPlan) -> f64 {
    let link = crate::network::LinkIx(plan.link as u32);
    let mut setting = f64::NAN;
    for _ in 0..MODULATION_TRIALS {
        let flow = sim.state().flow_m3s[plan.link].abs();
        let target = interpolate(&plan.modulation, flow);
        if (target - setting).abs() < 0.01 {
            break;
        }
        setting = target;
        sim.set_link(link, LinkStatusSetting::Setting(setting));
        sim.solve_period();
    }
    setting
}

/// Piecewise linear interpolation in (x, y) points sorted by x, clamped at the ends.
pub fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return f64::NAN;
    };
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if x <= x1 {
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
        }
    }
    last.1
}

/// Per-zone day and night averages from a meter's periods.
fn zone_nights(layout: &ResolvedLayout, meter: &ZoneMeter<'_>, night: &[bool]) -> Vec<ZoneNight> {
    let periods = &meter.periods;
    let total_s: f64 = periods.iter().map(|p| p.step_s).sum();
    let figures = meter.figures(&crate::hydraulics::EnergySummary {
        pumps: Vec::new(),
        peak_kw: 0.0,
        demand_charge: 0.0,
        total_cost: 0.0,
    });
    (layout.zones.iter().enumerate())
        .map(|(z, zone)| {
            let azp = |keep: &dyn Fn(usize) -> bool| {
                let (mut sum, mut w) = (0.0, 0.0);
                for (n, p) in periods.iter().enumerate() {
                    let v = p.zones[z].average_pressure_m;
                    if keep(n) && !v.is_nan() {
                        sum += v * p.step_s;
                        w += p.step_s;
                    }
                }
                if w > 0.0 {
                    sum / w
                } else {
                    f64::NAN
                }
            };
            let leak_m3: f64 = periods
                .iter()
                .map(|p| p.zones[z].leakage_m3s * p.step_s)
                .sum();
            ZoneNight {
                name: zone.name.clone(),
                average_pressure_m: azp(&|_| true),
                night_pressure_m: azp(&|n| night[n]),
                min_pressure: figures[z].min_pressure,
                leakage_m3_per_day: leak_m3 * DAY_S as f64 / total_s,
            }
        })
        .collect()
}

/// The zone fed by the plan's link: the one on its downstream side.
fn controlled_zone(layout: &ResolvedLayout, plan: &NightPlan) -> Result<usize, NightError> {
    let net = &layout.applied.network;
    let to = net.links[plan.link].to.ix();
    let z = layout.zone_of[to];
    let feeds = layout.zones[z].feeds.contains(&plan.link);
    let from_elsewhere = layout.zone_of[net.links[plan.link].from.ix()] != z;
    if feeds || from_elsewhere {
        Ok(z)
    } else {
        Err(NightError::NoZone(net.links[plan.link].id.clone()))
    }
}

/// The layout used when none is given: the zone downstream of `link`
/// (every node reached from its downstream node without crossing a valve,
/// a pump or a closed link), and the rest of the network.
pub fn downstream_layout(net: &Network, link: usize) -> Layout {
    let l = &net.links[link];
    let meters = (net.links.iter())
        .filter(|k| {
            !matches!(k.kind, LinkKind::Pipe(_)) || k.initial_status == InitialStatus::Closed
        })
        .map(|k| k.id.clone())
        .collect();
    Layout {
        name: format!("downstream of {}", l.id),
        meters,
        zones: vec![ZoneSpec {
            name: l.id.clone(),
            seed: Some(net.nodes[l.to.ix()].id.clone()),
            feeds: vec![l.id.clone()],
            ..ZoneSpec::default()
        }],
        ..Layout::default()
    }
}

/// Runs the plan on the layout's network: before, after, and what it saved.
pub fn analyse(layout: &ResolvedLayout, plan: &NightPlan) -> Result<NightOutcome, NightError> {
    let net = &layout.applied.network;
    if net.times.duration_s < DAY_S {
        return Err(NightError::TooShort(net.times.duration_s));
    }
    let day = day_setting(net, plan.link)?;
    let zone = controlled_zone(layout, plan)?;
    let modulate = !plan.modulation.is_empty();

    let before = run_night(layout, net, plan, zone, false)?;
    let (setting, search_runs) = match (plan.setting, plan.min_pressure_m) {
        (Some(s), _) => (s, None),
        (None, Some(min)) if !modulate => {
            let (s, runs) = search(layout, plan, zone, day, min)?;
            (s, Some(runs))
        }
        _ => (plan.modulation.first().map_or(day, |p| p.1), None),
    };
    let reduced = night_network(net, plan, setting)?;
    let after = run_night(layout, &reduced, plan, zone, modulate)?;

    let leak = |r: &NightRun| r.zones.iter().map(|z| z.leakage_m3_per_day).sum::<f64>();
    let saved = leak(&before) - leak(&after);
    let below_minimum = plan
        .min_pressure_m
        .map(|min| below(net, &before, &after, min))
        .unwrap_or_default();
    Ok(NightOutcome {
        day_setting: day,
        night_setting: if modulate {
            after.mean_night_setting
        } else {
            setting
        },
        search_runs,
        before: before.zones,
        after: after.zones,
        saved_m3_per_day: saved,
        saved_m3_per_year: saved * 365.0,
        below_minimum,
        critical_at_night: after.critical_at_night,
    })
}

/// Bisection for the lowest night setting keeping the zone at `min` m.
fn search(
    layout: &ResolvedLayout,
    plan: &NightPlan,
    zone: usize,
    day: f64,
    min: f64,
) -> Result<(f64, usize), NightError> {
    let net = &layout.applied.network;
    let tolerance = match net.links[plan.link].kind {
        LinkKind::Pump(_) => SEARCH_TOLERANCE_SPEED,
        _ => SEARCH_TOLERANCE_M,
    };
    let mut runs = 0;
    let mut lowest_at = |setting: f64| -> Result<Option<PressureAt>, NightError> {
        runs += 1;
        let edited = night_network(net, plan, setting)?;
        Ok(run_night(layout, &edited, plan, zone, false)?.critical_at_night)
    };
    let meets = |p: Option<PressureAt>| p.is_none_or(|p| p.pressure_m >= min);
    if let Some(p) = lowest_at(day)?.filter(|p| p.pressure_m < min) {
        return Err(NightError::Infeasible {
            node: net.nodes[p.node].id.clone(),
            pressure_m: p.pressure_m,
        });
    }
    let (mut lo, mut hi) = (0.0, day);
    if meets(lowest_at(lo)?) {
        return Ok((lo, runs));
    }
    while hi - lo > tolerance {
        let mid = 0.5 * (lo + hi);
        if meets(lowest_at(mid)?) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok((hi, runs))
}

/// Junctions below `min` after the change.
fn below(net: &Network, before: &NightRun, after: &NightRun, min: f64) -> Vec<BelowMinimum> {
    (0..net.nodes.len())
        .filter_map(|i| {
            let (p, t) = after.lowest[i]?;
            (p < min).then(|| BelowMinimum {
                node: i,
                pressure_m: p,
                time_s: t,
                before_too: before.lowest[i].is_some_and(|(b, _)| b < min),
            })
        })
        .collect()
}
