//! Simple controls (`[CONTROLS]`) and rule-based controls (`[RULES]`).

use serde::{Deserialize, Serialize};

use super::{LinkIx, NodeIx};

/// What a control or rule does to a link.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum LinkStatusSetting {
    /// Open the link (a control valve becomes fully open, not controlling).
    Open,
    /// Close the link.
    Closed,
    /// Give the link a setting, in SI: pump relative speed, valve setting in
    /// the units of [`crate::network::Valve::setting`], pipe: not allowed.
    Setting(f64),
}

/// A simple control: one action, one condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// The link acted on and what is done to it.
    pub action: ControlAction,
    /// When the action applies.
    pub condition: ControlCondition,
    /// `DISABLED` controls are kept but never applied (EPANET 2.3).
    pub enabled: bool,
}

/// The action of a simple control.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlAction {
    /// The link acted on.
    pub link: LinkIx,
    /// Its new status or setting.
    pub status: LinkStatusSetting,
}

/// The condition of a simple control.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlCondition {
    /// When a node's value goes above a threshold: a tank level in m above
    /// its elevation, or a junction pressure head in m.
    NodeAbove {
        /// The node watched.
        node: NodeIx,
        /// Threshold: tank level m, or pressure head m.
        threshold: f64,
    },
    /// When a node's value goes below a threshold.
    NodeBelow {
        /// The node watched.
        node: NodeIx,
        /// Threshold: tank level m, or pressure head m.
        threshold: f64,
    },
    /// At this many seconds of simulation time.
    AtTime {
        /// Simulation time, s.
        time_s: u64,
    },
    /// Every day at this clock time.
    AtClockTime {
        /// Seconds after midnight.
        clock_s: u64,
    },
}

/// A rule-based control (`RULE id` ... `IF` ... `THEN` ... `ELSE` ... `PRIORITY`).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's label.
    pub id: String,
    /// Premises joined by AND/OR, in order; the first has `or = false`.
    pub premises: Vec<RulePremise>,
    /// Actions taken when the premises hold.
    pub then_actions: Vec<RuleAction>,
    /// Actions taken when they do not.
    pub else_actions: Vec<RuleAction>,
    /// Priority (higher wins); 0 when none is given.
    pub priority: f64,
    /// `DISABLED` rules are kept but never evaluated.
    pub enabled: bool,
}

/// One premise of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RulePremise {
    /// Whether this premise is joined to the previous ones by OR (else AND).
    pub or: bool,
    /// The object whose attribute is tested.
    pub object: RuleObject,
    /// The attribute tested.
    pub attribute: RuleAttribute,
    /// The comparison.
    pub operator: RuleOperator,
    /// The value compared with, in SI for the attribute.
    pub value: RuleValue,
}

/// The object of a premise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleObject {
    /// A node (JUNCTION, RESERVOIR, TANK or NODE in the file).
    Node(NodeIx),
    /// A link (PIPE, PUMP, VALVE or LINK in the file).
    Link(LinkIx),
    /// The system (time and clock time).
    System,
}

/// The attribute tested by a premise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleAttribute {
    /// Node demand, m³/s.
    Demand,
    /// Node head (`HEAD` or `GRADE`), m.
    Head,
    /// Tank level above its elevation, m.
    Level,
    /// Node pressure head, m.
    Pressure,
    /// Link flow, m³/s.
    Flow,
    /// Link status (open, closed, active).
    Status,
    /// Link setting (SI as for [`LinkStatusSetting::Setting`]).
    Setting,
    /// Pump power, kW.
    Power,
    /// Simulation time, s.
    Time,
    /// Clock time, seconds after midnight.
    ClockTime,
    /// Time to fill a tank, s.
    FillTime,
    /// Time to drain a tank, s.
    DrainTime,
}

/// The comparison of a premise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleOperator {
    /// `=` or `IS`.
    Eq,
    /// `<>` or `NOT`.
    Ne,
    /// `<` or `BELOW`.
    Lt,
    /// `>` or `ABOVE`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
}

/// The value a premise compares with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum RuleValue {
    /// A number in SI units for the attribute.
    Number(f64),
    /// `OPEN`.
    Open,
    /// `CLOSED`.
    Closed,
    /// `ACTIVE`.
    Active,
}

/// One action of a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleAction {
    /// The link acted on.
    pub link: LinkIx,
    /// Its new status or setting.
    pub status: LinkStatusSetting,
}
