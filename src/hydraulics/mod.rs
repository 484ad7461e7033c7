//! Hydraulic simulation: demands, controls and the GGA solver over a network.
//!
//! [`Simulation`] owns the mutable hydraulic state of one network and
//! solves it period by period. Everything is in SI units; see
//! [`crate::report`] for results in the file's units.

mod accounting;
mod balance;
mod branches;
mod clock;
pub(crate) mod constants;
mod energy;
mod events;
mod headloss;
pub mod matrix;
mod model;
mod powers;
mod pumps;
mod rules;
mod solver;
pub mod status;
pub(crate) mod tanks;
mod time_varying;
mod valves;

use std::sync::Arc;

pub use balance::FlowBalance;
pub use clock::TimeSteps;
pub use energy::{EnergySummary, PumpEnergy};
pub use events::{status_word, ControlCause, Event, TankLevel};
pub use model::ModelError;
pub use pumps::PumpCurveError;
pub use solver::{Element, HydraulicState, SolveOutcome};
pub use status::LinkStatus;

use constants::{CFS, FT, QZERO};
use model::{HydraulicModel, LinkLaw};
use solver::{PressureControl, Solver};

use crate::network::{
    ControlCondition, InitialStatus, LinkKind, LinkStatusSetting, Network, NodeKind, ValveType,
};

/// Why a simulation cannot start or go on.
#[derive(Debug, thiserror::Error)]
pub enum HydraulicsError {
    /// The network cannot be modelled.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The head matrix could not be set up.
    #[error("head matrix: {0}")]
    Matrix(#[from] matrix::MatrixError),
}

/// A new status and setting for a link, as a control or rule gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkChange {
    /// The status the link takes.
    pub status: LinkStatus,
    /// The setting it takes (pump speed, valve setting in SI); `None` fixes
    /// a valve open or closed. Ignored for pipes.
    pub setting: Option<f64>,
}

impl LinkChange {
    /// The change a control's `OPEN`, `CLOSED` or setting means for a link
    /// of this kind (EPANET's control semantics: a number is a pump's speed
    /// or puts a valve in control at that setting).
    pub fn for_link(kind: &LinkKind, action: LinkStatusSetting) -> Self {
        let is_pump = matches!(kind, LinkKind::Pump(_));
        match action {
            LinkStatusSetting::Open => LinkChange {
                status: LinkStatus::Open,
                setting: if is_pump { Some(1.0) } else { None },
            },
            LinkStatusSetting::Closed => LinkChange {
                status: LinkStatus::Closed,
                setting: if is_pump { Some(0.0) } else { None },
            },
            LinkStatusSetting::Setting(v) if is_pump => LinkChange {
                status: if v > 0.0 {
                    LinkStatus::Open
                } else {
                    LinkStatus::Closed
                },
                setting: Some(v),
            },
            LinkStatusSetting::Setting(v) => LinkChange {
                status: LinkStatus::Active,
                setting: Some(v),
            },
        }
    }
}

/// Whether a control's change would change a link's status or setting
/// (EPANET's test in `pswitch`, `controls` and `controltimestep`).
pub(crate) fn link_change_differs(
    model: &HydraulicModel,
    state: &HydraulicState,
    k: usize,
    change: LinkChange,
) -> bool {
    match &model.laws[k] {
        LinkLaw::Pipe { .. } => state.status[k] != change.status,
        LinkLaw::Pump(_) => state.setting[k] != change.setting,
        LinkLaw::Valve {
            valve_type: ValveType::Gpv,
            ..
        } => state.status[k] != change.status,
        LinkLaw::Valve { .. } => {
            state.setting[k] != change.setting
                || (state.setting[k].is_none() && state.status[k] != change.status)
        }
    }
}

/// Applies a control's change to a link if it changes anything; returns
/// whether it did.
pub(crate) fn apply_link_change(
    model: &HydraulicModel,
    state: &mut HydraulicState,
    k: usize,
    change: LinkChange,
) -> bool {
    if !link_change_differs(model, state, k, change) {
        return false;
    }
    state.status[k] = change.status;
    match &model.laws[k] {
        LinkLaw::Pipe { .. }
        | LinkLaw::Valve {
            valve_type: ValveType::Gpv,
            ..
        } => {}
        _ => state.setting[k] = change.setting,
    }
    if !change.status.is_closed() && state.flow_m3s[k].abs() <= QZERO {
        state.flow_m3s[k] = initial_flow(model, k, state.setting[k]);
    }
    true
}

/// EPANET's initial flow guess: a pump's design flow at its speed, or a
/// velocity of 1 ft/s for pipes and valves.
fn initial_flow(model: &HydraulicModel, k: usize, setting: Option<f64>) -> f64 {
    match &model.laws[k] {
        LinkLaw::Pump(law) => setting.unwrap_or(1.0) * law.design_flow_m3s,
        LinkLaw::Pipe { .. } | LinkLaw::Valve { .. } => {
            let d_ft = model.diameters[k] / FT;
            std::f64::consts::PI * d_ft * d_ft / 4.0 * CFS
        }
    }
}

/// A hydraulic simulation of one network, advanced period by period.
///
/// The loop EPANET's `solveH` runs: [`Simulation::solve_period`] solves the
/// network at the current time, [`Simulation::advance`] moves the clock to
/// the next event (hydraulic step, pattern change, report time, a tank
/// filling or draining, a control firing) and updates tank levels; a step
/// of 0 means the end.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let net = pipenet::inp::read_file(std::path::Path::new("networks/epanet/Net1.inp"))?.network;
/// let mut sim = pipenet::hydraulics::Simulation::new(&net)?;
/// loop {
///     let outcome = sim.solve_period();
///     if sim.is_report_time() {
///         println!("{} s: {} trials", sim.time_s(), outcome.iterations);
///     }
///     if sim.advance() == 0 {
///         break;
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub struct Simulation<'n> {
    network: &'n Network,
    model: Arc<HydraulicModel>,
    solver: Solver,
    state: HydraulicState,
    steps: TimeSteps,
    time_s: u64,
    /// Water volume in each tank, m³; 0 at other nodes.
    tank_volume_m3: Vec<f64>,
    /// The next multiple of the report step, where a step must end (EPANET's `Rtime`).
    next_report_s: u64,
    /// The next report time not yet reported, from the report start (the
    /// `Rtime` of EPANET's output pass): the first period at or after it
    /// is reported for it.
    next_output_s: u64,
    /// Whether the last period failed to converge under `UNBALANCED STOP`.
    halted: bool,
    /// The rule-based controls.
    rules: rules::RuleSet,
    /// Link statuses after the last solution, to log changes.
    last_status: Vec<LinkStatus>,
    /// Each tank's level state, to log it filling up or running empty.
    tank_level: Vec<TankLevel>,
    /// What changed so far.
    events: Vec<Event>,
    /// Pump energy and flow balance totals.
    accounts: accounting::RunAccounts,
    /// What the patterns act on.
    inputs: time_varying::TimeVaryingInputs,
}

impl<'n> Simulation<'n> {
    /// Prepares a simulation of `network` at time 0 with its initial
    /// statuses, settings, tank levels and flow guesses.
    pub fn new(network: &'n Network) -> Result<Self, HydraulicsError> {
        let model = Arc::new(HydraulicModel::new(network)?);
        let mut solver = Solver::new(Arc::clone(&model))?;
        solver.pressure_controls = pressure_controls(network);
        let state = initial_state(network, &model);
        let steps = TimeSteps::new(&network.times);
        let mut tank_volume_m3 = vec![0.0; network.nodes.len()];
        for (i, s) in model.storage.iter() {
            tank_volume_m3[i] = s.volume_m3(state.head_m[i]);
        }
        Ok(Simulation {
            network,
            model,
            solver,
            state,
            steps,
            time_s: 0,
            tank_volume_m3,
            next_report_s: steps.report_s,
            next_output_s: steps.report_start_s,
            halted: false,
            rules: rules::RuleSet::new(network),
            last_status: Vec::new(),
            tank_level: vec![TankLevel::Between; network.nodes.len()],
            events: Vec::new(),
            accounts: accounting::RunAccounts::new(network),
            inputs: time_varying::TimeVaryingInputs::new(network),
        })
    }

    /// The time steps in force.
    pub fn time_steps(&self) -> &TimeSteps {
        &self.steps
    }

    /// Whether the current period is reported: whether its time has reached
    /// the next report time, as EPANET decides it when it saves results.
    ///
    /// Steps end at multiples of the report step, so a report start that is
    /// one (the usual case) is reported at its own time. A report start
    /// between two periods (`REPORT START 1:30` with hourly steps) is
    /// reported, as EPANET does, with the first period after it: the 2:00
    /// solution stands for 1:30, 3:00 for 2:30, and so on
    /// ([`Simulation::report_time_s`]).
    pub fn is_report_time(&self) -> bool {
        self.time_s >= self.next_output_s
    }

    /// The report time the current period is reported for, if it is
    /// reported ([`Simulation::is_report_time`]): its own time, or, after a
    /// report start between periods, the report time it stands for.
    pub fn report_time_s(&self) -> Option<u64> {
        self.is_report_time().then_some(self.next_output_s)
    }

    /// Water volume in each tank, m³ (0 at junctions and reservoirs).
    pub fn tank_volumes_m3(&self) -> &[f64] {
        &self.tank_volume_m3
    }

    /// Whether the run was stopped by a period that did not converge
    /// (`UNBALANCED STOP`, EPANET's default).
    pub fn halted(&self) -> bool {
        self.halted
    }

    /// The network simulated.
    pub fn network(&self) -> &'n Network {
        self.network
    }

    /// The current hydraulic state.
    pub fn state(&self) -> &HydraulicState {
        &self.state
    }

    /// The current simulation time, s.
    pub fn time_s(&self) -> u64 {
        self.time_s
    }

    /// Sets demands, source heads and pump speeds for the current time,
    /// applies tank and time controls, and solves (EPANET `runhyd`).
    pub fn solve_period(&mut self) -> SolveOutcome {
        self.set_time_varying_values();
        self.apply_controls();
        let outcome = self.solver.solve(&mut self.state);
        self.log_link_changes();
        if !outcome.converged
            && matches!(
                self.network.options.unbalanced,
                crate::network::Unbalanced::Stop
            )
        {
            self.halted = true;
        }
        log::debug!(
            "t={} s: {}, relative error {:.3e}, converged {}",
            self.time_s,
            crate::report::plural(outcome.iterations as usize, "trial"),
            outcome.relative_error,
            outcome.converged
        );
        outcome
    }

    /// Status changes so far, in time order: links whose reported status
    /// (closed, open, active) changed from one period to the next, and
    /// tanks becoming full or empty.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Changes a link's status or setting from now on, as a simple control
    /// would (EPANET `EN_setlinkvalue` with STATUS or SETTING): `Open` or
    /// `Closed`, or a setting (pump speed, valve setting in SI). It takes
    /// effect at the next [`Simulation::solve_period`]; a later control,
    /// rule or pattern may change it again. Returns whether it changed
    /// anything.
    pub fn set_link(&mut self, link: crate::network::LinkIx, action: LinkStatusSetting) -> bool {
        let k = link.ix();
        let change = LinkChange::for_link(&self.network.links[k].kind, action);
        self.apply_simple_control(k, change)
    }

    /// Pumps and valves that cannot do what is asked of them after the last
    /// solution (EPANET's warnings 4 and 5): a pump that cannot deliver
    /// the head (XHead, also when its flow runs backwards) or runs beyond
    /// the end of its curve (XFlow, flow above the curve's last point at
    /// its speed), a flow control valve that cannot deliver its flow
    /// (XFcv), a pressure valve that cannot meet its pressure (XPressure).
    pub fn strained_links(&self) -> impl Iterator<Item = (usize, LinkStatus)> + '_ {
        let st = &self.state;
        // Pipes are left out: no status check, control or rule gives a
        // pipe one of these statuses.
        self.model.pumps_and_valves.iter().filter_map(move |&k| {
            let status = st.status[k];
            let status = match &self.model.laws[k] {
                LinkLaw::Pump(law) if !status.is_closed() => {
                    let speed = st.setting[k].unwrap_or(1.0);
                    let q = st.flow_m3s[k];
                    if q < 0.0 {
                        LinkStatus::XHead
                    } else if law.max_flow_m3s.is_finite() && q > speed * law.max_flow_m3s {
                        LinkStatus::XFlow
                    } else {
                        status
                    }
                }
                _ => status,
            };
            matches!(
                status,
                LinkStatus::XHead | LinkStatus::XFlow | LinkStatus::XFcv | LinkStatus::XPressure
            )
            .then_some((k, status))
        })
    }

    /// Records links whose reported status differs from the last period's.
    fn log_link_changes(&mut self) {
        if self.last_status.len() != self.state.status.len() {
            self.last_status = self.state.status.clone();
            return;
        }
        // Most periods change no status: one pass over both arrays first,
        // without an early exit, so that it runs on whole vectors of bytes.
        let unchanged = (self.last_status.iter().zip(&self.state.status))
            .fold(true, |same, (was, now)| same & (was == now));
        if unchanged {
            return;
        }
        for (k, (&now, was)) in self
            .state
            .status
            .iter()
            .zip(&mut self.last_status)
            .enumerate()
        {
            if now != *was && status_word(now) != status_word(*was) {
                self.events.push(Event::Link {
                    time_s: self.time_s,
                    link: k,
                    from: *was,
                    to: now,
                });
            }
            *was = now;
        }
    }

    /// Moves the clock to the next event and updates tank levels (EPANET
    /// `nexthyd`); returns the step taken, s, 0 at the end of the run.
    pub fn advance(&mut self) -> u64 {
        self.observe_for_accounts();
        if self.is_report_time() {
            self.next_output_s += self.steps.report_s;
        }
        if self.halted || self.time_s >= self.steps.duration_s {
            self.add_to_accounts(0);
            return 0;
        }
        let mut step = self.next_step_s();
        if self.rules.is_empty() {
            self.update_tanks(step, self.time_s + step);
        } else {
            step = self.step_through_rules(step);
        }
        self.add_to_accounts(step);
        self.time_s += step;
        if self.time_s >= self.next_report_s {
            self.next_report_s += self.steps.report_s;
        }
        step
    }

    /// The length of the next step: the hydraulic step, cut at the next
    /// pattern change, report time, tank filling or draining, and simple
    /// control firing (EPANET `timestep`).
    fn next_step_s(&self) -> u64 {
        let t = self.time_s;
        let mut step = self.steps.hydraulic_s;
        let mut cut = |dt: i64| {
            if dt > 0 && (dt as u64) < step {
                step = dt as u64;
            }
        };
        cut(self.steps.to_next_pattern_period_s(t) as i64);
        cut(self.next_report_s as i64 - t as i64);
        for (i, s) in self.model.storage.iter() {
            cut(self.time_to_fill_or_drain_s(i, s));
        }
        for control in self.network.controls.iter().filter(|c| c.enabled) {
            let dt = self.time_to_control_s(control);
            if dt > 0 && (dt as u64) < step && self.control_would_change(control) {
                step = dt as u64;
            }
        }
        step
    }

    /// Advances tank levels through the step in rule-step increments,
    /// checking the rules after each, and ends the step at the first
    /// increment in which a rule acts (EPANET `ruletimestep`). The first
    /// increment ends on a multiple of the rule step. Returns the step taken.
    fn step_through_rules(&mut self, step_s: u64) -> u64 {
        let start = self.time_s;
        let end = start + step_s;
        let rule_s = self.steps.rule_s;
        let mut dt = rule_s.min(step_s);
        let mut dt1 = (rule_s - start % rule_s).min(step_s);
        if dt1 == 0 {
            dt1 = dt;
        }
        let mut t = start;
        loop {
            t += dt1;
            self.update_tanks(dt1, t);
            let ctx = rules::RuleContext {
                network: self.network,
                model: &self.model,
                time_s: t,
                dt_s: dt1,
                start_clock_s: self.steps.start_clock_s,
            };
            if self.rules.check(&ctx, &mut self.state) > 0 {
                for a in self.rules.applied() {
                    log::debug!(
                        "t={t} s: rule {} acts on link {}",
                        self.network.rules[a.rule].id,
                        self.network.links[a.link.ix()].id
                    );
                    self.events.push(Event::Control {
                        time_s: t,
                        link: a.link.ix(),
                        cause: ControlCause::Rule(a.rule),
                    });
                }
                break;
            }
            dt = dt.min(end - t);
            dt1 = dt;
            if dt == 0 {
                break;
            }
        }
        t - start
    }

    /// Seconds until tank `i` fills or drains at its current net inflow
    /// (EPANET `tanktimestep`); 0 when it is not filling or draining.
    fn time_to_fill_or_drain_s(&self, i: usize, s: &tanks::TankStorage) -> i64 {
        let q = self.state.node_demand_m3s[i];
        let h = self.state.head_m[i];
        let v = self.tank_volume_m3[i];
        if q.abs() <= QZERO {
            return 0;
        }
        let dv = if q > 0.0 && h < s.max_head_m {
            s.max_volume_m3 - v
        } else if q < 0.0 && h > s.min_head_m {
            s.min_volume_m3 - v
        } else {
            return 0;
        };
        clock::round_s(dv / q)
    }

    /// Seconds until a simple control's condition is met (EPANET
    /// `controltimestep`); 0 when it is not coming (junction pressure
    /// controls are handled inside the solver).
    fn time_to_control_s(&self, control: &crate::network::Control) -> i64 {
        match control.condition {
            ControlCondition::NodeAbove { node, threshold }
            | ControlCondition::NodeBelow { node, threshold } => {
                let i = node.ix();
                if self.network.nodes[i].is_junction() {
                    return 0;
                }
                let q = self.state.node_demand_m3s[i];
                let h = self.state.head_m[i];
                let grade = self.network.nodes[i].elevation_m + threshold;
                if q.abs() <= QZERO {
                    return 0;
                }
                let above = matches!(control.condition, ControlCondition::NodeAbove { .. });
                let approaching =
                    (above && h < grade && q > 0.0) || (!above && h > grade && q < 0.0);
                match self.model.storage.get(i) {
                    Some(s) if approaching => {
                        clock::round_s((s.volume_m3(grade) - self.tank_volume_m3[i]) / q)
                    }
                    _ => 0,
                }
            }
            ControlCondition::AtTime { time_s } => time_s as i64 - self.time_s as i64,
            ControlCondition::AtClockTime { clock_s } => {
                let now = self.steps.clock_s(self.time_s) as i64;
                let at = clock_s as i64;
                if at >= now {
                    at - now
                } else {
                    clock::SECONDS_PER_DAY as i64 - now + at
                }
            }
        }
    }

    /// Whether a control's action differs from its link's present status or
    /// setting, the test by which EPANET lets a coming control cut the step
    /// (`controltimestep`): raw statuses are compared, so a pump that is
    /// XHEAD counts as not OPEN.
    fn control_would_change(&self, control: &crate::network::Control) -> bool {
        let k = control.action.link.ix();
        let change = LinkChange::for_link(&self.network.links[k].kind, control.action.status);
        let has_setting = !matches!(self.model.laws[k], LinkLaw::Pipe { .. });
        (has_setting && self.state.setting[k] != change.setting)
            || self.state.status[k] != change.status
    }

    /// Integrates every tank's net inflow over `step_s` and sets its head
    /// (EPANET `tanklevels`): flows of at most QZERO are ignored, and a tank
    /// within one second of full or empty is set full or empty. `end_s` is
    /// the time at the end of the step.
    fn update_tanks(&mut self, step_s: u64, end_s: u64) {
        for (i, s) in self.model.storage.iter() {
            let q = self.state.node_demand_m3s[i];
            if q.abs() <= QZERO {
                continue;
            }
            let mut v = self.tank_volume_m3[i] + q * step_s as f64;
            // EPANET's test, kept as it is: the empty side compares V − q.
            if v + q >= s.max_volume_m3 {
                v = s.max_volume_m3;
            } else if v - q <= s.min_volume_m3 {
                v = s.min_volume_m3;
            }
            self.tank_volume_m3[i] = v;
            self.state.head_m[i] = s.head_m(v);
            let level = if v >= s.max_volume_m3 {
                TankLevel::Full
            } else if v <= s.min_volume_m3 {
                TankLevel::Empty
            } else {
                TankLevel::Between
            };
            if level != self.tank_level[i] {
                self.tank_level[i] = level;
                if level != TankLevel::Between {
                    self.events.push(Event::Tank {
                        time_s: end_s,
                        node: i,
                        level,
                    });
                }
            }
        }
    }

    /// Demands, reservoir heads and pump speeds from their patterns (EPANET `demands`).
    fn set_time_varying_values(&mut self) {
        let period = self.steps.pattern_period(self.time_s) as usize;
        self.inputs.set_period(self.network, period);
        for (i, full) in self.inputs.junction_demands() {
            self.state.full_demand_m3s[i] = full;
            self.state.demand_flow_m3s[i] = full;
        }
        for (i, head_m) in self.inputs.reservoir_heads() {
            self.state.head_m[i] = head_m;
        }
        for (k, speed) in self.inputs.pump_speeds() {
            set_pump_speed(&self.model, &mut self.state, k, speed);
        }
    }

    /// Simple controls on tank levels, times and clock times (EPANET `controls`).
    fn apply_controls(&mut self) {
        let net = self.network;
        for control in net.controls.iter().filter(|c| c.enabled) {
            let fires = match control.condition {
                ControlCondition::NodeAbove { node, threshold }
                | ControlCondition::NodeBelow { node, threshold } => {
                    let n = &net.nodes[node.ix()];
                    if n.is_junction() {
                        continue; // checked inside the solver
                    }
                    let i = node.ix();
                    let slack = self.state.node_demand_m3s[i].abs();
                    let above = matches!(control.condition, ControlCondition::NodeAbove { .. });
                    let grade = n.elevation_m + threshold;
                    tank_control_fires(
                        n,
                        self.model.storage.get(i),
                        self.state.head_m[i],
                        grade,
                        slack,
                        above,
                    )
                }
                ControlCondition::AtTime { time_s } => time_s == self.time_s,
                ControlCondition::AtClockTime { clock_s } => {
                    self.steps.clock_s(self.time_s) == clock_s
                }
            };
            if fires {
                let k = control.action.link.ix();
                let change = LinkChange::for_link(&net.links[k].kind, control.action.status);
                if self.apply_simple_control(k, change) {
                    let cause = match control.condition {
                        ControlCondition::NodeAbove { node, .. }
                        | ControlCondition::NodeBelow { node, .. } => ControlCause::Node(node.ix()),
                        ControlCondition::AtTime { .. } => ControlCause::Time,
                        ControlCondition::AtClockTime { .. } => ControlCause::ClockTime,
                    };
                    self.events.push(Event::Control {
                        time_s: self.time_s,
                        link: k,
                        cause,
                    });
                }
            }
        }
    }
}

impl Simulation<'_> {
    /// Applies a tank or time control's action (EPANET `controls`): it
    /// changes the link when the link's open/closed state or its setting
    /// differs from the action's; the link then takes the action's status
    /// and (pumps and valves) its setting. Returns whether it changed.
    fn apply_simple_control(&mut self, k: usize, change: LinkChange) -> bool {
        let state = &mut self.state;
        let was_closed = state.status[k].is_closed();
        let now = if was_closed {
            LinkStatus::Closed
        } else {
            LinkStatus::Open
        };
        let keeps_setting = matches!(
            self.model.laws[k],
            LinkLaw::Pipe { .. }
                | LinkLaw::Valve {
                    valve_type: ValveType::Gpv,
                    ..
                }
        );
        let setting = if keeps_setting {
            state.setting[k]
        } else {
            change.setting
        };
        if now == change.status && state.setting[k] == setting {
            return false;
        }
        state.status[k] = change.status;
        state.setting[k] = setting;
        // A constant-power pump switched on restarts from its design flow
        // (EPANET `resetpumpflow`); other links keep their flow as the guess.
        if let LinkLaw::Pump(law) = &self.model.laws[k] {
            if was_closed && !change.status.is_closed() && law.is_constant_power() {
                state.flow_m3s[k] = law.design_flow_m3s;
            }
        }
        true
    }
}

/// Whether a tank-level control fires at `head_m` against the control's
/// head `grade_m`: for a cylindrical tank EPANET compares volumes (the
/// tank's own storage, as its level is integrated), allowing the volume the
/// tank gains or loses in one second at its current net flow (`slack_m3s`);
/// volume-curve tanks and reservoirs compare heads, the volume being
/// monotone in the level.
fn tank_control_fires(
    node: &crate::network::Node,
    storage: Option<&tanks::TankStorage>,
    head_m: f64,
    grade_m: f64,
    slack_m3s: f64,
    above: bool,
) -> bool {
    let (v1, v2, slack) = match (&node.kind, storage) {
        (NodeKind::Tank(t), Some(s)) if t.volume_curve.is_none() => {
            (s.volume_m3(head_m), s.volume_m3(grade_m), slack_m3s)
        }
        _ => (head_m, grade_m, 0.0),
    };
    if above {
        v1 >= v2 - slack
    } else {
        v1 <= v2 + slack
    }
}

/// Sets a pump's speed from a pattern (EPANET `setlinksetting` for pumps).
fn set_pump_speed(model: &HydraulicModel, state: &mut HydraulicState, k: usize, speed: f64) {
    state.setting[k] = Some(speed);
    if speed > 0.0 && state.status[k].is_closed() {
        state.status[k] = LinkStatus::Open;
        if state.flow_m3s[k].abs() <= QZERO {
            state.flow_m3s[k] = initial_flow(model, k, Some(speed));
        }
    } else if speed == 0.0 && !state.status[k].is_closed() {
        state.status[k] = LinkStatus::Closed;
    }
}

/// Junction-pressure controls, in the form the solver checks them.
fn pressure_controls(net: &Network) -> Vec<PressureControl> {
    net.controls
        .iter()
        .filter(|c| c.enabled)
        .filter_map(|c| {
            let (node, threshold, below) = match c.condition {
                ControlCondition::NodeBelow { node, threshold } => (node, threshold, true),
                ControlCondition::NodeAbove { node, threshold } => (node, threshold, false),
                _ => return None,
            };
            let n = &net.nodes[node.ix()];
            if !n.is_junction() {
                return None;
            }
            let k = c.action.link.ix();
            Some(PressureControl {
                link: k,
                node: node.ix(),
                grade_m: n.elevation_m + threshold,
                below,
                action: LinkChange::for_link(&net.links[k].kind, c.action.status),
            })
        })
        .collect()
}

/// The state at time 0 (EPANET `inithyd`).
fn initial_state(net: &Network, model: &HydraulicModel) -> HydraulicState {
    let n_nodes = net.nodes.len();
    let n_links = net.links.len();
    let mut state = HydraulicState {
        head_m: net
            .nodes
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Tank(t) => n.elevation_m + t.initial_level_m,
                _ => n.elevation_m,
            })
            .collect(),
        flow_m3s: vec![0.0; n_links],
        status: vec![LinkStatus::Open; n_links],
        setting: vec![None; n_links],
        full_demand_m3s: vec![0.0; n_nodes],
        demand_flow_m3s: vec![0.0; n_nodes],
        emitter_flow_m3s: model
            .emitter_ke
            .iter()
            .map(|&ke| if ke > 0.0 { CFS } else { 0.0 })
            .collect(),
        leakage_flow_m3s: vec![0.0; n_nodes],
        leak_parts: model
            .leakage
            .iter()
            .map(|l| {
                let start = 0.001 * CFS;
                (
                    if l.cfa > 0.0 { start } else { 0.0 },
                    if l.cva > 0.0 { start } else { 0.0 },
                )
            })
            .collect(),
        node_demand_m3s: vec![0.0; n_nodes],
        connected: vec![true; n_nodes],
    };
    for (k, link) in net.links.iter().enumerate() {
        let (status, setting) = initial_status(link);
        state.status[k] = status;
        state.setting[k] = setting;
        state.flow_m3s[k] = if status.is_closed() {
            QZERO
        } else {
            initial_flow(model, k, setting)
        };
    }
    for i in 0..n_nodes {
        state.leakage_flow_m3s[i] = state.leak_parts[i].0 + state.leak_parts[i].1;
    }
    state
}

/// A link's status and setting at the start (EPANET `inithyd`): control
/// valves with their setting in force start active.
fn initial_status(link: &crate::network::Link) -> (LinkStatus, Option<f64>) {
    let closed = link.initial_status == InitialStatus::Closed;
    match &link.kind {
        LinkKind::Pipe(_) => (
            if closed {
                LinkStatus::Closed
            } else {
                LinkStatus::Open
            },
            None,
        ),
        // A pump closed from the start has speed 0, so that a control
        // opening it counts as a change (EPANET reports its setting as 0).
        LinkKind::Pump(_) if closed => (LinkStatus::Closed, Some(0.0)),
        LinkKind::Pump(p) => (LinkStatus::Open, Some(p.speed)),
        LinkKind::Valve(v) => match (v.valve_type, link.initial_status) {
            (ValveType::Gpv, InitialStatus::Closed) => (LinkStatus::Closed, Some(0.0)),
            (ValveType::Gpv, _) => (LinkStatus::Open, Some(0.0)),
            (_, InitialStatus::Open) => (LinkStatus::Open, None),
            (_, InitialStatus::Closed) => (LinkStatus::Closed, None),
            (_, InitialStatus::Active) => (LinkStatus::Active, Some(v.setting)),
        },
    }
}
