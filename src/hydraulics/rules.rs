//! Rule-based controls (`[RULES]`): EPANET 2.3's evaluation of premises,
//! its action list with priorities, and the actions it takes.
//!
//! The clock calls [`RuleSet::check`] at the end of every rule sub-step
//! (EPANET `ruletimestep` → `checkrules`), after it has moved the tank levels
//! on. What follows is EPANET 2.3.5's behaviour, read from its `rules.c` and
//! confirmed case by case with the engine itself (owa-epanet 2.3.5, status
//! reports of small test networks):
//!
//! - **Premises** form a conjunction of OR-groups: `IF a AND b OR c` is
//!   `a ∧ (b ∨ c)`, and `IF a OR b AND c` is `(a ∨ b) ∧ c`. OR binds tighter
//!   than AND; a false group ends the test.
//! - **Numbers** are compared in the file's units with a tolerance of 0.001
//!   of those units, and the tolerance makes `<` and `<=` (and `>` and `>=`)
//!   trade places: `x < v` holds when x ≤ v + 0.001, `x <= v` only when
//!   x ≤ v − 0.001; `x > v` when x ≥ v − 0.001, `x >= v` when x ≥ v + 0.001;
//!   `=` when |x − v| ≤ 0.001, `<>` when |x − v| ≥ 0.001.
//! - **FLOW** is the magnitude of the flow. **LEVEL** and **PRESSURE** are
//!   head minus elevation at any node (in length and in pressure units).
//!   **DEMAND** of a tank is its net inflow; `SYSTEM DEMAND` is the sum of
//!   the positive junction demands asked for at this time.
//! - **FILLTIME** (DRAINTIME) is the time to the tank's maximum (minimum)
//!   volume at its current net inflow; the premise is false at a reservoir
//!   and whenever the tank is not filling (draining) by more than 1e-6 cfs,
//!   whatever the comparison.
//! - **STATUS** premises see closed (XHEAD, TEMPCLOSED, CLOSED), ACTIVE, or
//!   open (everything else, XFCV and XPRESSURE included), and only `=`/`<>`
//!   can hold. **SETTING** of a link without one (a valve fixed open or
//!   closed) is never compared: the premise is false. A pipe's setting is
//!   its roughness as EPANET stores it (C, Manning n, or D-W roughness in ft).
//! - **TIME** and **CLOCKTIME**: `<`, `<=`, `>`, `>=` compare the time at
//!   the end of the sub-step; `=` and `<>` ask whether the value lies in the
//!   sub-step's window (t − dt, t], which wraps at midnight for clock times.
//!   Rules are never checked at time 0, only at the end of sub-steps.
//! - **Actions** go on one list: a rule whose premises hold adds its THEN
//!   actions, one whose premises fail its ELSE actions. A link is on the list
//!   once: a later action replaces an earlier one only if its rule has a
//!   strictly higher priority, so on equal priority the first keeps it (also
//!   within one rule). The list is then carried out last-added first, which
//!   is the order of EPANET's status report.
//! - **Taking an action**: OPEN acts only on a closed link (XHEAD and
//!   TEMPCLOSED count as closed), CLOSED only on one that is not closed; a
//!   setting only when it differs from the current one by more than 0.001 in
//!   EPANET's internal units (ft for PRV/PSV/PBV, cfs for FCV, plain numbers
//!   otherwise), or when the link has none. So OPEN does nothing to an active
//!   valve or to a pump running at another speed.
//! - **Disabled** rules are skipped, but still count as rules for the clock:
//!   EPANET takes the rule sub-steps whenever the network has any rule.

use super::constants::{CFS, FT, QZERO, TINY_FLOW};
use super::model::{HydraulicModel, LinkLaw};
use super::solver::HydraulicState;
use super::status::LinkStatus;
use crate::network::{
    HeadlossFormula, LinkIx, LinkKind, LinkStatusSetting, Network, NodeKind, Rule, RuleAction,
    RuleAttribute, RuleObject, RuleOperator, RulePremise, RuleValue, ValveType,
};

/// EPANET's tolerance on rule comparisons, in the units it compares in.
const TOLERANCE: f64 = 1e-3;

/// Seconds in a day, for clock times.
const DAY_S: u64 = 86_400;

/// What a rule check reads besides the hydraulic state.
pub(crate) struct RuleContext<'a> {
    /// The network simulated.
    pub network: &'a Network,
    /// Its hydraulic model (tank storage, link laws).
    pub model: &'a HydraulicModel,
    /// Simulation time at the end of the rule sub-step, s.
    pub time_s: u64,
    /// Length of the sub-step, s: TIME and CLOCKTIME `=` premises look at
    /// the window (time_s − dt_s, time_s].
    pub dt_s: u64,
    /// `[TIMES] START CLOCKTIME`, s after midnight.
    pub start_clock_s: u64,
}

/// An action taken by a rule check, for the status log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AppliedAction {
    /// The rule's index in [`Network::rules`].
    pub rule: usize,
    /// The link it changed.
    pub link: LinkIx,
}

/// The rules of one network, prepared once per simulation.
pub(crate) struct RuleSet {
    /// The enabled rules.
    rules: Vec<PreparedRule>,
    /// How many rules the network has, disabled ones included.
    count: usize,
    /// Scratch: the action list of the current check.
    listed: Vec<Listed>,
    /// Scratch: the actions the last check took, in the order taken.
    applied: Vec<AppliedAction>,
}

/// A rule with its premises turned into tests.
struct PreparedRule {
    /// Index in [`Network::rules`].
    index: usize,
    priority: f64,
    premises: Vec<Premise>,
    then_actions: Vec<RuleAction>,
    else_actions: Vec<RuleAction>,
}

/// One premise, ready to test.
struct Premise {
    /// Joined to the previous premise by OR (else AND, or the first).
    or: bool,
    test: Test,
}

/// What a premise tests.
enum Test {
    /// Simulation time against a value in s.
    Time {
        operator: RuleOperator,
        value_s: f64,
    },
    /// Clock time against a value in s after midnight.
    ClockTime {
        operator: RuleOperator,
        value_s: f64,
    },
    /// A link's status class against OPEN, CLOSED or ACTIVE.
    Status {
        link: usize,
        operator: RuleOperator,
        value: StatusClass,
    },
    /// A number against a value, both in SI, with the tolerance in SI.
    Value {
        quantity: Quantity,
        operator: RuleOperator,
        value: f64,
        tolerance: f64,
    },
    /// A premise EPANET can never satisfy.
    Never,
}

/// The numbers a premise can read.
#[derive(Debug, Clone, Copy)]
enum Quantity {
    /// Sum of the positive junction demands, m³/s.
    SystemDemand,
    /// A node's net outflow (a tank's net inflow), m³/s.
    NodeDemand(usize),
    /// A node's head, m.
    Head(usize),
    /// A node's head above its elevation, m (LEVEL and PRESSURE).
    AboveElevation(usize),
    /// A link's flow magnitude, m³/s.
    Flow(usize),
    /// A link's current setting (SI), if it has one.
    Setting(usize),
    /// A fixed number EPANET keeps as the link's setting (pipe roughness).
    Fixed(f64),
    /// Time for a tank to fill, s.
    FillTime(usize),
    /// Time for a tank to drain, s.
    DrainTime(usize),
}

/// How a STATUS premise classes a link's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusClass {
    Open,
    Closed,
    Active,
}

impl StatusClass {
    fn of(status: LinkStatus) -> Self {
        match status {
            s if s.is_closed() => StatusClass::Closed,
            LinkStatus::Active => StatusClass::Active,
            _ => StatusClass::Open,
        }
    }
}

/// One entry of the action list.
#[derive(Debug, Clone, Copy)]
struct Listed {
    /// Index into [`RuleSet::rules`].
    rule: usize,
    action: RuleAction,
}

impl RuleSet {
    /// Prepares the rules of `net`: premises to tests with their values and
    /// tolerances in SI.
    pub fn new(net: &Network) -> Self {
        let rules: Vec<PreparedRule> = net
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.enabled)
            .map(|(index, rule)| prepare_rule(net, index, rule))
            .collect();
        let most_actions = rules
            .iter()
            .map(|r| r.then_actions.len().max(r.else_actions.len()))
            .sum();
        RuleSet {
            rules,
            count: net.rules.len(),
            listed: Vec::with_capacity(most_actions),
            applied: Vec::with_capacity(most_actions),
        }
    }

    /// Whether the network has no rules at all. Disabled rules count as
    /// rules: EPANET takes rule sub-steps whenever its rule count
    /// (`Nrules`, which includes disabled rules) is positive, so the tank
    /// levels are then advanced in sub-steps even if no rule is enabled.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Checks every enabled rule at `ctx.time_s` (EPANET `checkrules`),
    /// takes the actions that change something, and returns how many it
    /// took. [`RuleSet::applied`] then names them.
    pub fn check(&mut self, ctx: &RuleContext<'_>, state: &mut HydraulicState) -> usize {
        self.listed.clear();
        self.applied.clear();
        for r in 0..self.rules.len() {
            let rule = &self.rules[r];
            let actions = if premises_hold(&rule.premises, ctx, state) {
                &rule.then_actions
            } else {
                &rule.else_actions
            };
            for &action in actions {
                list_action(&mut self.listed, &self.rules, r, action);
            }
        }

        // EPANET puts each new action at the head of its list and then walks
        // it from the head: the last listed is taken first.
        for item in self.listed.iter().rev() {
            if take_action(ctx, state, item.action) {
                self.applied.push(AppliedAction {
                    rule: self.rules[item.rule].index,
                    link: item.action.link,
                });
            }
        }
        self.applied.len()
    }

    /// The actions the last [`RuleSet::check`] took, in the order taken.
    pub fn applied(&self) -> &[AppliedAction] {
        &self.applied
    }
}

/// Prepares one rule.
fn prepare_rule(net: &Network, index: usize, rule: &Rule) -> PreparedRule {
    PreparedRule {
        index,
        priority: rule.priority,
        premises: rule
            .premises
            .iter()
            .map(|p| Premise {
                or: p.or,
                test: prepare_test(net, p),
            })
            .collect(),
        then_actions: rule.then_actions.clone(),
        else_actions: rule.else_actions.clone(),
    }
}

/// Turns a premise into a test, with its tolerance: 0.001 of the file unit
/// the premise is written in (EPANET compares in those units).
fn prepare_test(net: &Network, p: &RulePremise) -> Test {
    let units = net.units();
    let operator = p.operator;
    let value = match p.value {
        RuleValue::Number(v) => v,
        status => {
            let RuleObject::Link(link) = p.object else {
                return Test::Never;
            };
            let value = match status {
                RuleValue::Open => StatusClass::Open,
                RuleValue::Closed => StatusClass::Closed,
                _ => StatusClass::Active,
            };
            return match p.attribute {
                RuleAttribute::Status => Test::Status {
                    link: link.ix(),
                    operator,
                    value,
                },
                _ => Test::Never,
            };
        }
    };
    let (quantity, unit) = match (p.object, p.attribute) {
        (_, RuleAttribute::Time) => {
            return Test::Time {
                operator,
                value_s: value,
            }
        }
        (_, RuleAttribute::ClockTime) => {
            return Test::ClockTime {
                operator,
                value_s: value,
            }
        }
        (RuleObject::System, RuleAttribute::Demand) => (Quantity::SystemDemand, units.flow),
        (RuleObject::Node(n), attribute) => {
            let i = n.ix();
            let is_tank = matches!(net.nodes[i].kind, NodeKind::Tank(_));
            match attribute {
                RuleAttribute::Demand => (Quantity::NodeDemand(i), units.flow),
                RuleAttribute::Head => (Quantity::Head(i), units.length),
                RuleAttribute::Level => (Quantity::AboveElevation(i), units.length),
                RuleAttribute::Pressure => (Quantity::AboveElevation(i), units.pressure),
                RuleAttribute::FillTime if is_tank => (Quantity::FillTime(i), 1.0),
                RuleAttribute::DrainTime if is_tank => (Quantity::DrainTime(i), 1.0),
                _ => return Test::Never,
            }
        }
        (RuleObject::Link(l), RuleAttribute::Flow) => (Quantity::Flow(l.ix()), units.flow),
        (RuleObject::Link(l), RuleAttribute::Setting) => setting_quantity(net, l),
        _ => return Test::Never,
    };
    Test::Value {
        quantity,
        operator,
        value,
        tolerance: TOLERANCE * unit,
    }
}

/// What a link's SETTING premise reads, and the SI size of its file unit.
fn setting_quantity(net: &Network, link: LinkIx) -> (Quantity, f64) {
    let units = net.units();
    match &net.links[link.ix()].kind {
        // EPANET keeps a pipe's roughness as its setting: C, Manning n, or
        // the Darcy-Weisbach roughness in ft.
        LinkKind::Pipe(pipe) => {
            let roughness = match net.options.headloss {
                HeadlossFormula::DarcyWeisbach => pipe.roughness / FT,
                _ => pipe.roughness,
            };
            (Quantity::Fixed(roughness), 1.0)
        }
        // A GPV's setting is the number of its head-loss curve.
        LinkKind::Valve(v) if v.valve_type == ValveType::Gpv => {
            let curve = v.curve.map_or(0.0, |c| (c.ix() + 1) as f64);
            (Quantity::Fixed(curve), 1.0)
        }
        LinkKind::Valve(v) => {
            let unit = match v.valve_type {
                ValveType::Prv | ValveType::Psv | ValveType::Pbv => units.pressure,
                ValveType::Fcv => units.flow,
                _ => 1.0,
            };
            (Quantity::Setting(link.ix()), unit)
        }
        LinkKind::Pump(_) => (Quantity::Setting(link.ix()), 1.0),
    }
}

/// Whether a rule's premises hold: a conjunction of OR-groups, each group
/// starting at the first premise or at an AND (EPANET `evalpremises`).
fn premises_hold(premises: &[Premise], ctx: &RuleContext<'_>, state: &HydraulicState) -> bool {
    let mut group_holds = true;
    for p in premises {
        if p.or {
            if !group_holds {
                group_holds = test_holds(&p.test, ctx, state);
            }
        } else {
            if !group_holds {
                return false;
            }
            group_holds = test_holds(&p.test, ctx, state);
        }
    }
    group_holds
}

/// Whether one premise holds now.
fn test_holds(test: &Test, ctx: &RuleContext<'_>, state: &HydraulicState) -> bool {
    match *test {
        Test::Time { operator, value_s } => {
            let end = ctx.time_s;
            let start = (ctx.time_s + 1).saturating_sub(ctx.dt_s);
            time_holds(operator, value_s, start, end)
        }
        Test::ClockTime { operator, value_s } => {
            let end = ctx.time_s + ctx.start_clock_s;
            let start = (end + 1).saturating_sub(ctx.dt_s);
            time_holds(operator, value_s, start % DAY_S, end % DAY_S)
        }
        Test::Status {
            link,
            operator,
            value,
        } => {
            let class = StatusClass::of(state.status[link]);
            match operator {
                RuleOperator::Eq => class == value,
                RuleOperator::Ne => class != value,
                _ => false,
            }
        }
        Test::Value {
            quantity,
            operator,
            value,
            tolerance,
        } => match read_quantity(quantity, ctx, state) {
            Some(x) => compare(operator, x, value, tolerance),
            None => false,
        },
        Test::Never => false,
    }
}

/// EPANET's time test (`checktime`): inequalities look at the end of the
/// window `end`, equalities at whether `value_s` lies in [start, end],
/// a window that wraps past midnight when `end < start`.
fn time_holds(operator: RuleOperator, value_s: f64, start: u64, end: u64) -> bool {
    let (start, end) = (start as f64, end as f64);
    let in_window = if end < start {
        value_s >= start || value_s <= end
    } else {
        value_s >= start && value_s <= end
    };
    match operator {
        RuleOperator::Lt => end < value_s,
        RuleOperator::Le => end <= value_s,
        RuleOperator::Gt => end > value_s,
        RuleOperator::Ge => end >= value_s,
        RuleOperator::Eq => in_window,
        RuleOperator::Ne => !in_window,
    }
}

/// EPANET's numeric test (`checkvalue`) with tolerance `tol`. The
/// tolerance shifts `<=` and `>=` inwards and `<` and `>` outwards.
fn compare(operator: RuleOperator, x: f64, value: f64, tol: f64) -> bool {
    match operator {
        RuleOperator::Eq => (x - value).abs() <= tol,
        RuleOperator::Ne => (x - value).abs() >= tol,
        RuleOperator::Lt => x <= value + tol,
        RuleOperator::Le => x <= value - tol,
        RuleOperator::Gt => x >= value - tol,
        RuleOperator::Ge => x >= value + tol,
    }
}

/// The current value of a quantity, or `None` when EPANET would not
/// compare it (no setting; a tank neither filling nor draining).
fn read_quantity(q: Quantity, ctx: &RuleContext<'_>, state: &HydraulicState) -> Option<f64> {
    let model = ctx.model;
    Some(match q {
        Quantity::SystemDemand => ctx
            .network
            .nodes
            .iter()
            .zip(&state.full_demand_m3s)
            .filter(|(node, _)| node.is_junction())
            .map(|(_, &d)| d.max(0.0))
            .sum(),
        Quantity::NodeDemand(i) => state.node_demand_m3s[i],
        Quantity::Head(i) => state.head_m[i],
        Quantity::AboveElevation(i) => state.head_m[i] - model.elevation_m[i],
        Quantity::Flow(k) => state.flow_m3s[k].abs(),
        Quantity::Setting(k) => state.setting[k]?,
        Quantity::Fixed(v) => v,
        Quantity::FillTime(i) => {
            let tank = model.storage.get(i)?;
            let inflow = state.node_demand_m3s[i];
            if inflow <= TINY_FLOW {
                return None;
            }
            (tank.max_volume_m3 - tank.volume_m3(state.head_m[i])) / inflow
        }
        Quantity::DrainTime(i) => {
            let tank = model.storage.get(i)?;
            let inflow = state.node_demand_m3s[i];
            if inflow >= -TINY_FLOW {
                return None;
            }
            (tank.min_volume_m3 - tank.volume_m3(state.head_m[i])) / inflow
        }
    })
}

/// Puts an action on the list unless its link is already there; a rule of
/// strictly higher priority takes the link's place (EPANET `onactionlist`).
fn list_action(listed: &mut Vec<Listed>, rules: &[PreparedRule], rule: usize, action: RuleAction) {
    match listed
        .iter_mut()
        .find(|item| item.action.link == action.link)
    {
        Some(item) => {
            if rules[rule].priority > rules[item.rule].priority {
                *item = Listed { rule, action };
            }
        }
        None => listed.push(Listed { rule, action }),
    }
}

/// Takes one action if it changes the link (EPANET `takeactions`);
/// returns whether it did.
fn take_action(ctx: &RuleContext<'_>, state: &mut HydraulicState, action: RuleAction) -> bool {
    let k = action.link.ix();
    let status = state.status[k];
    let law = &ctx.model.laws[k];
    match action.status {
        LinkStatusSetting::Open if status.is_closed() => set_open(ctx.model, state, k),
        LinkStatusSetting::Closed if !status.is_closed() => set_closed(law, state, k),
        LinkStatusSetting::Setting(_) if matches!(law, LinkLaw::Pipe { .. }) => return false,
        LinkStatusSetting::Setting(x) => {
            let tol = TOLERANCE * internal_setting_unit(law);
            if state.setting[k].is_some_and(|v| (x - v).abs() <= tol) {
                return false;
            }
            set_setting(ctx.model, state, k, x);
        }
        _ => return false,
    }
    true
}

/// SI size of EPANET's internal unit of a link's setting: ft of head for
/// pressure valves, cfs for flow control valves, 1 otherwise.
fn internal_setting_unit(law: &LinkLaw) -> f64 {
    match law {
        LinkLaw::Valve { valve_type, .. } => match valve_type {
            ValveType::Prv | ValveType::Psv | ValveType::Pbv => FT,
            ValveType::Fcv => CFS,
            _ => 1.0,
        },
        _ => 1.0,
    }
}

/// Opens a link (EPANET `setlinkstatus` to open): a pump at full speed, a
/// valve (but a GPV) fixed open without a setting.
fn set_open(model: &HydraulicModel, state: &mut HydraulicState, k: usize) {
    match &model.laws[k] {
        LinkLaw::Pump(_) => state.setting[k] = Some(1.0),
        LinkLaw::Valve {
            valve_type: ValveType::Gpv,
            ..
        }
        | LinkLaw::Pipe { .. } => {}
        LinkLaw::Valve { .. } => state.setting[k] = None,
    }
    state.status[k] = LinkStatus::Open;
    restart_flow(model, state, k);
}

/// Closes a link (EPANET `setlinkstatus` to closed): a pump gets speed 0,
/// a valve (but a GPV) loses its setting.
fn set_closed(law: &LinkLaw, state: &mut HydraulicState, k: usize) {
    match law {
        LinkLaw::Pump(_) => state.setting[k] = Some(0.0),
        LinkLaw::Valve {
            valve_type: ValveType::Gpv,
            ..
        }
        | LinkLaw::Pipe { .. } => {}
        LinkLaw::Valve { .. } => state.setting[k] = None,
    }
    state.status[k] = LinkStatus::Closed;
}

/// Gives a link a setting (EPANET `setlinksetting`): a pump's speed opens
/// or closes it, an FCV becomes active, another valve fixed closed opens
/// with the setting in force; otherwise the status is left to the solver.
fn set_setting(model: &HydraulicModel, state: &mut HydraulicState, k: usize, x: f64) {
    let closed = state.status[k].is_closed();
    match &model.laws[k] {
        LinkLaw::Pump(_) => {
            if x > 0.0 && closed {
                state.status[k] = LinkStatus::Open;
            } else if x == 0.0 && !closed {
                state.status[k] = LinkStatus::Closed;
            }
        }
        LinkLaw::Valve {
            valve_type: ValveType::Fcv,
            ..
        } => state.status[k] = LinkStatus::Active,
        LinkLaw::Valve { .. } => {
            if state.setting[k].is_none() && closed {
                state.status[k] = LinkStatus::Open;
            }
        }
        LinkLaw::Pipe { .. } => {}
    }
    state.setting[k] = Some(x);
    restart_flow(model, state, k);
}

/// Gives a link that has just opened a starting flow if it has none, as
/// simple controls do ([`super::apply_link_change`]).
fn restart_flow(model: &HydraulicModel, state: &mut HydraulicState, k: usize) {
    if !state.status[k].is_closed() && state.flow_m3s[k].abs() <= QZERO {
        state.flow_m3s[k] = super::initial_flow(model, k, state.setting[k]);
    }
}

#[cfg(test)]
mod tests {
    //! Expected outcomes are EPANET 2.3.5's on the same network (owa-epanet
    //! 2.3.5, `[REPORT] STATUS YES`, rule step 6 min): which rule changed
    //! which link at the first rule sub-step, or not at all.

    use super::*;
    use crate::inp::read_str;

    /// Reservoir R1 (30 m) → pump PU1 (50 L/s at 30 m) → J1; J1 → P1 → tank
    /// T1 (elevation 40 m, level 5 m in 1..10 m, diameter 10 m); J1 → P2 →
    /// J2 (20 L/s); J3 (5 L/s) → P3 → J1; TCV V1 (setting 5) J2 → J3.
    fn network(rules: &str, status: &str, start_clock: &str) -> Network {
        let text = format!(
            "[JUNCTIONS]\nJ1 0 0\nJ2 0 20\nJ3 0 5\n[RESERVOIRS]\nR1 30\n\
             [TANKS]\nT1 40 5 1 10 10\n\
             [PIPES]\nP1 J1 T1 1000 300 100\nP2 J1 J2 1000 300 100\nP3 J3 J1 100 200 100\n\
             [PUMPS]\nPU1 R1 J1 HEAD C1\n[VALVES]\nV1 J2 J3 200 TCV 5\n[CURVES]\nC1 50 30\n\
             [STATUS]\n{status}\n[RULES]\n{rules}\n\
             [TIMES]\nDURATION 2:00\nHYDRAULIC TIMESTEP 1:00\nRULE TIMESTEP 0:06\n\
             START CLOCKTIME {start_clock}\n[OPTIONS]\nUNITS LPS\n"
        );
        match read_str(&text, "rules.inp") {
            Ok(outcome) => outcome.network,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// A network, its model, and the state EPANET 2.3.5 solves at time 0
    /// (flows in L/s: PU1 74.441, P1 49.441, P2 11.714, P3 −8.286), with
    /// the tank at `level_m`.
    struct Case {
        net: Network,
        model: HydraulicModel,
        state: HydraulicState,
    }

    impl Case {
        fn new(rules: &str) -> Self {
            Case::with(rules, "", "0:00")
        }

        fn with(rules: &str, status: &str, start_clock: &str) -> Self {
            let net = network(rules, status, start_clock);
            let model = match HydraulicModel::new(&net) {
                Ok(m) => m,
                Err(e) => panic!("{e}"),
            };
            let mut state = super::super::initial_state(&net, &model);
            for (id, demand) in [("J2", 0.020), ("J3", 0.005)] {
                let i = net.node_ix(id).map_or(0, |n| n.ix());
                state.full_demand_m3s[i] = demand;
                state.demand_flow_m3s[i] = demand;
                state.node_demand_m3s[i] = demand;
            }
            let mut case = Case { net, model, state };
            for (id, flow) in [
                ("PU1", 74.441),
                ("P1", 49.441),
                ("P2", 11.714),
                ("P3", -8.286),
            ] {
                let k = case.link(id);
                case.state.flow_m3s[k] = flow / 1000.0;
            }
            let v1 = case.link("V1");
            case.state.flow_m3s[v1] = -0.008286;
            let t1 = case.node("T1");
            case.state.node_demand_m3s[t1] = 0.049441;
            case.set_level(5.0);
            case
        }

        fn node(&self, id: &str) -> usize {
            self.net.node_ix(id).map_or(usize::MAX, |n| n.ix())
        }

        fn link(&self, id: &str) -> usize {
            self.net.link_ix(id).map_or(usize::MAX, |l| l.ix())
        }

        fn set_level(&mut self, level_m: f64) {
            let t1 = self.node("T1");
            self.state.head_m[t1] = 40.0 + level_m;
        }

        /// Checks the rules at `time_s` after a 6-minute sub-step.
        fn check_at(&mut self, time_s: u64) -> (usize, Vec<AppliedAction>) {
            let mut rules = RuleSet::new(&self.net);
            let ctx = RuleContext {
                network: &self.net,
                model: &self.model,
                time_s,
                dt_s: 360,
                start_clock_s: self.net.times.start_clock_s,
            };
            let n = rules.check(&ctx, &mut self.state);
            (n, rules.applied().to_vec())
        }

        fn check(&mut self) -> usize {
            self.check_at(360).0
        }

        /// Whether a rule closing P2 on `premises` fires.
        fn fires(premises: &str) -> bool {
            let rule = format!("RULE A\n{premises}\nTHEN PIPE P2 STATUS IS CLOSED");
            Case::new(&rule).check() == 1
        }
    }

    const TRUE: &str = "TANK T1 LEVEL > 0";
    const FALSE: &str = "TANK T1 LEVEL > 100";

    #[test]
    fn or_binds_tighter_than_and() {
        // EPANET: a AND b OR c is a ∧ (b ∨ c), not (a ∧ b) ∨ c.
        let cases = [
            (format!("IF {FALSE}\nAND {TRUE}\nOR {TRUE}"), false),
            (format!("IF {FALSE}\nAND {FALSE}\nOR {TRUE}"), false),
            (format!("IF {TRUE}\nOR {FALSE}\nAND {FALSE}"), false),
            (
                format!("IF {FALSE}\nOR {TRUE}\nAND {TRUE}\nOR {FALSE}"),
                true,
            ),
        ];
        for (premises, expected) in cases {
            assert_eq!(Case::fires(&premises), expected, "{premises}");
        }
    }

    #[test]
    fn comparisons_use_epanets_shifted_tolerance() {
        // SYSTEM DEMAND is 25 L/s; EPANET 2.3.5's verdicts.
        let cases = [
            ("< 25", true),
            ("< 24.9995", true),
            ("< 24.9985", false),
            ("<= 25", false),
            ("<= 25.0005", false),
            ("<= 25.0015", true),
            ("> 25", true),
            ("> 25.0005", true),
            ("> 25.0015", false),
            (">= 25", false),
            (">= 24.9995", false),
            (">= 24.9985", true),
            ("= 25.0009", true),
            ("= 25.0011", false),
            ("<> 25.0009", false),
            ("<> 25.0011", true),
        ];
        for (test, expected) in cases {
            let premise = format!("IF SYSTEM DEMAND {test}");
            assert_eq!(Case::fires(&premise), expected, "{premise}");
        }
    }

    #[test]
    fn system_demand_sums_positive_junction_demands() {
        // With J3 at −5 L/s EPANET's system demand is 20 L/s, not 15.
        let mut case = Case::new("RULE A\nIF SYSTEM DEMAND > 19.99\nTHEN PIPE P2 STATUS IS CLOSED");
        let j3 = case.node("J3");
        case.state.full_demand_m3s[j3] = -0.005;
        assert_eq!(case.check(), 1);
    }

    #[test]
    fn node_and_link_values() {
        let cases = [
            ("TANK T1 DEMAND > 49", true),
            // The flow is −8.286 L/s, compared as a magnitude.
            ("PIPE P3 FLOW > 8.28", true),
            ("PIPE P3 FLOW < -1", false),
            // A junction's LEVEL is its head above its elevation.
            ("JUNCTION J1 LEVEL > 47.4", true),
            ("JUNCTION J1 PRESSURE < 47.6", true),
            // A pipe's setting is its roughness.
            ("PIPE P1 SETTING = 100", true),
            ("VALVE V1 SETTING = 5", true),
            ("PUMP PU1 SETTING > 0.9995", true),
            ("TANK T1 HEAD >= 44.9985", true),
            ("TANK T1 PRESSURE = 5", true),
        ];
        for (premise, expected) in cases {
            let rule = format!("RULE A\nIF {premise}\nTHEN PIPE P2 STATUS IS CLOSED");
            let mut case = Case::new(&rule);
            // J1 (elevation 0) at a head of 47.5 m.
            let j1 = case.node("J1");
            case.state.head_m[j1] = 47.5;
            assert_eq!(case.check(), usize::from(expected), "{premise}");
        }
    }

    #[test]
    fn status_premises_class_statuses_as_epanet() {
        let cases = [
            ("VALVE V1 STATUS IS ACTIVE", true),
            ("VALVE V1 STATUS IS OPEN", false),
            ("VALVE V1 STATUS NOT OPEN", true),
            ("PIPE P1 STATUS IS OPEN", true),
            ("PIPE P1 STATUS > OPEN", false),
        ];
        for (premise, expected) in cases {
            assert_eq!(Case::fires(&format!("IF {premise}")), expected, "{premise}");
        }
        // XPRESSURE and XFCV count as open, XHEAD and TEMPCLOSED as closed.
        let mut case = Case::new("RULE A\nIF VALVE V1 STATUS IS OPEN\nAND PUMP PU1 STATUS IS CLOSED\nTHEN PIPE P2 STATUS IS CLOSED");
        let (v1, pu1) = (case.link("V1"), case.link("PU1"));
        case.state.status[v1] = LinkStatus::XPressure;
        case.state.status[pu1] = LinkStatus::XHead;
        assert_eq!(case.check(), 1);
    }

    #[test]
    fn fill_and_drain_times() {
        // T1: area 25π m², Vmin = 25π (level 1), Vmax = 250π (level 10),
        // filling at 49.441 L/s from level 5. After 360 s V = 410.498 m³
        // (level 5.2266, as EPANET reports), fill time 7582.8 s > 2.1 h;
        // after 720 s 7222.8 s < 2.1 h: EPANET fires at 0:12, not 0:06.
        let rule = "RULE A\nIF TANK T1 FILLTIME < 2.1\nTHEN PIPE P2 STATUS IS CLOSED";
        let area = 25.0 * std::f64::consts::PI;
        let mut case = Case::new(rule);
        case.set_level(5.0 + 0.049441 * 360.0 / area);
        assert_eq!(case.check_at(360).0, 0);
        case.set_level(5.0 + 0.049441 * 720.0 / area);
        assert_eq!(case.check_at(720).0, 1);

        // A filling tank never has a drain time, whatever the comparison.
        assert!(!Case::fires("IF TANK T1 DRAINTIME > 0"));
        assert!(!Case::fires("IF TANK T1 DRAINTIME < 100"));
        assert!(Case::fires("IF TANK T1 FILLTIME > 0"));

        // Draining at 10 L/s from level 5: (Vmin − V)/q = 4·25π/0.01 s = 8.727 h.
        let mut case = Case::new("RULE A\nIF TANK T1 DRAINTIME < 8.73\nAND TANK T1 DRAINTIME > 8.72\nTHEN PIPE P2 STATUS IS CLOSED");
        let t1 = case.node("T1");
        case.state.node_demand_m3s[t1] = -0.01;
        assert_eq!(case.check(), 1);
    }

    #[test]
    fn time_premises_look_at_the_sub_step_window() {
        // Rule step 6 min: EPANET fires `TIME = 0:10` at 0:12 (window
        // 0:06:01..0:12), `TIME = 0:06` at 0:06, `TIME = 0:00` never.
        let at = |premise: &str, time_s: u64| {
            let rule = format!("RULE A\nIF {premise}\nTHEN PIPE P2 STATUS IS CLOSED");
            Case::new(&rule).check_at(time_s).0 == 1
        };
        assert!(!at("SYSTEM TIME = 0:10", 360));
        assert!(at("SYSTEM TIME = 0:10", 720));
        assert!(at("SYSTEM TIME = 0:06", 360));
        assert!(!at("SYSTEM TIME = 0:06", 720));
        assert!(!at("SYSTEM TIME = 0:00", 360));
        assert!(!at("SYSTEM TIME > 0:10", 360));
        assert!(at("SYSTEM TIME > 0:10", 720));
        assert!(at("SYSTEM TIME >= 0:12", 720));
        assert!(at("SYSTEM TIME <> 0:10", 360));
        assert!(!at("SYSTEM TIME <> 0:10", 720));
        assert!(at("SYSTEM CLOCKTIME = 12:10 AM", 720));
    }

    #[test]
    fn clock_time_window_wraps_at_midnight() {
        // START CLOCKTIME 23:57: the first sub-step spans 23:57:01..0:03.
        let fires = |premise: &str| {
            let rule = format!("RULE A\nIF {premise}\nTHEN PIPE P2 STATUS IS CLOSED");
            Case::with(&rule, "", "23:57").check_at(360).0 == 1
        };
        assert!(fires("SYSTEM CLOCKTIME = 0:01"));
        assert!(fires("SYSTEM CLOCKTIME = 23:58"));
        assert!(!fires("SYSTEM CLOCKTIME = 23:57"));
        assert!(fires("SYSTEM CLOCKTIME >= 0:03"));
    }

    /// Two rules on V1's setting; returns the setting EPANET leaves and the
    /// rules that acted.
    fn v1_after(rules: &str) -> (Option<f64>, Vec<usize>) {
        let mut case = Case::new(rules);
        let (_, applied) = case.check_at(360);
        let v1 = case.link("V1");
        (
            case.state.setting[v1],
            applied.iter().map(|a| a.rule).collect(),
        )
    }

    #[test]
    fn priorities_and_the_first_listed_action() {
        let rule = |id: &str, premise: &str, setting: u32, priority: &str| {
            format!("RULE {id}\nIF {premise}\nTHEN VALVE V1 SETTING IS {setting}\n{priority}\n")
        };
        // Equal priority: the first rule keeps the link.
        let two = rule("A", TRUE, 10, "") + &rule("B", TRUE, 20, "");
        assert_eq!(v1_after(&two), (Some(10.0), vec![0]));
        // A higher priority takes it, in either order.
        let two = rule("A", TRUE, 10, "PRIORITY 1") + &rule("B", TRUE, 20, "PRIORITY 2");
        assert_eq!(v1_after(&two), (Some(20.0), vec![1]));
        let two = rule("A", TRUE, 10, "PRIORITY 2") + &rule("B", TRUE, 20, "PRIORITY 1");
        assert_eq!(v1_after(&two), (Some(10.0), vec![0]));
        // Of two equal highest priorities the first wins.
        let three = rule("A", TRUE, 10, "PRIORITY 1")
            + &rule("B", TRUE, 20, "PRIORITY 3")
            + &rule("C", TRUE, 30, "PRIORITY 3");
        assert_eq!(v1_after(&three), (Some(20.0), vec![1]));
        // A disabled rule is skipped, whatever its priority.
        let two = rule("A", TRUE, 10, "PRIORITY 5\nDISABLED") + &rule("B", TRUE, 20, "");
        assert_eq!(v1_after(&two), (Some(20.0), vec![1]));
        // Within one rule the first action on a link keeps it.
        let one =
            "RULE A\nIF TANK T1 LEVEL > 0\nTHEN VALVE V1 SETTING IS 10\nAND VALVE V1 SETTING IS 20";
        assert_eq!(v1_after(one), (Some(10.0), vec![0]));
    }

    #[test]
    fn else_actions_join_the_list_in_rule_order() {
        let rules = format!(
            "RULE A\nIF {FALSE}\nTHEN VALVE V1 SETTING IS 30\nELSE VALVE V1 SETTING IS 10\n\
             RULE B\nIF {TRUE}\nTHEN VALVE V1 SETTING IS 20"
        );
        assert_eq!(v1_after(&rules), (Some(10.0), vec![0]));
    }

    #[test]
    fn actions_are_taken_last_listed_first() {
        // EPANET's status report: P1 and PU1 by rule B, then P2 and V1 by A.
        let rules = format!(
            "RULE A\nIF {TRUE}\nTHEN VALVE V1 SETTING IS 10\nAND PIPE P2 STATUS IS CLOSED\n\
             RULE B\nIF {TRUE}\nTHEN PUMP PU1 SETTING IS 0.9\nAND PIPE P1 STATUS IS CLOSED"
        );
        let mut case = Case::new(&rules);
        let (n, applied) = case.check_at(360);
        assert_eq!(n, 4);
        let order: Vec<(usize, usize)> = applied.iter().map(|a| (a.rule, a.link.ix())).collect();
        let expected =
            [("P1", 1), ("PU1", 1), ("P2", 0), ("V1", 0)].map(|(id, rule)| (rule, case.link(id)));
        assert_eq!(order, expected);
    }

    #[test]
    fn a_setting_within_tolerance_is_no_action() {
        let rule = |s: &str| format!("RULE A\nIF {TRUE}\nTHEN VALVE V1 SETTING IS {s}");
        assert_eq!(Case::new(&rule("5.0005")).check(), 0);
        assert_eq!(Case::new(&rule("5.002")).check(), 1);
    }

    #[test]
    fn what_open_closed_and_settings_do() {
        let act = |action: &str, status: &str, link: &str| {
            let rule = format!("RULE A\nIF {TRUE}\nTHEN {action}");
            let mut case = Case::with(&rule, status, "0:00");
            let k = case.link(link);
            if status == "PU1 0.5" {
                // EPANET finds the pump at half speed unable to deliver the head.
                case.state.status[k] = LinkStatus::XHead;
            }
            let n = case.check();
            (n, case.state.status[k], case.state.setting[k])
        };
        use LinkStatus::*;
        // OPEN re-opens a pump closed for lack of head, at full speed.
        assert_eq!(
            act("PUMP PU1 STATUS IS OPEN", "PU1 0.5", "PU1"),
            (1, Open, Some(1.0))
        );
        assert_eq!(
            act("PUMP PU1 STATUS IS OPEN", "PU1 CLOSED", "PU1"),
            (1, Open, Some(1.0))
        );
        // OPEN does nothing to an active valve; CLOSED closes it.
        assert_eq!(
            act("VALVE V1 STATUS IS OPEN", "", "V1"),
            (0, Active, Some(5.0))
        );
        assert_eq!(
            act("VALVE V1 STATUS IS CLOSED", "", "V1"),
            (1, Closed, None)
        );
        // A setting opens a valve fixed closed, and leaves one fixed open open.
        assert_eq!(
            act("VALVE V1 SETTING IS 10", "V1 CLOSED", "V1"),
            (1, Open, Some(10.0))
        );
        assert_eq!(
            act("VALVE V1 SETTING IS 5", "V1 OPEN", "V1"),
            (1, Open, Some(5.0))
        );
        // A pump's speed opens or closes it.
        assert_eq!(
            act("PUMP PU1 SETTING IS 0.8", "PU1 CLOSED", "PU1"),
            (1, Open, Some(0.8))
        );
        assert_eq!(
            act("PUMP PU1 SETTING IS 0", "", "PU1"),
            (1, Closed, Some(0.0))
        );
        // A pipe's setting 0 closes it; ACTIVE never acts.
        assert_eq!(act("PIPE P2 SETTING IS 0", "", "P2"), (1, Closed, None));
        assert_eq!(
            act("VALVE V1 STATUS IS ACTIVE", "V1 OPEN", "V1"),
            (0, Open, None)
        );
    }

    #[test]
    fn disabled_rules_still_count_as_rules() {
        let disabled = format!("RULE A\nIF {TRUE}\nTHEN PIPE P2 STATUS IS CLOSED\nDISABLED");
        let case = Case::new(&disabled);
        let rules = RuleSet::new(&case.net);
        assert!(!rules.is_empty());
        assert!(RuleSet::new(&Case::new("").net).is_empty());
        assert_eq!(Case::new(&disabled).check(), 0);
    }
}
