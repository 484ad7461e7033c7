//! The edits a scenario makes to a network: statuses, settings, demands, pipes, schedules, bursts.
//!
//! Every value is in the network's own units, as its `.inp` file writes
//! them: lengths in ft or m, diameters in in or mm, flows in its flow
//! units, pressures in its pressure units. An edit that acts "from a time"
//! becomes a simple control (`LINK id ... AT TIME t`) on the edited network,
//! so that a written `.inp` file shows it and EPANET applies it the same way.

use serde::Deserialize;

use super::burst::BurstSpec;
use super::time::SimTime;
use crate::network::units::UnitSystem;
use crate::network::{
    Control, ControlAction, ControlCondition, DemandModel, HeadlossFormula, InitialStatus, Link,
    LinkIx, LinkKind, LinkStatusSetting, Network, NetworkError, NodeIx, NodeKind, Pipe, ValveType,
};

/// One change to a network. In a scenario file each is an `[[edit]]` table
/// whose `type` names the variant in snake case (`type = "close"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// Close a link: from the start, or from time `at` on.
    Close {
        /// The link's id.
        link: String,
        /// When it closes; from the start if absent.
        at: Option<SimTime>,
    },
    /// Open a link: from the start, or from time `at` on. A control valve
    /// opened this way is fixed fully open (no longer controlling).
    Open {
        /// The link's id.
        link: String,
        /// When it opens; from the start if absent.
        at: Option<SimTime>,
    },
    /// Give a valve a new setting (PRV/PSV/PBV: pressure; FCV: flow; TCV:
    /// loss coefficient; PCV: % open) or a pump a relative speed.
    Setting {
        /// The valve's or pump's id.
        link: String,
        /// The setting, in the file's units for the valve type.
        value: f64,
        /// When it changes; from the start if absent.
        at: Option<SimTime>,
    },
    /// Run a pump at a relative speed (1 = nominal, 0 = off).
    PumpSpeed {
        /// The pump's id.
        pump: String,
        /// Relative speed, ≥ 0.
        speed: f64,
        /// When it changes; from the start if absent.
        at: Option<SimTime>,
    },
    /// Replace a pump's schedule: every control and rule action on the pump
    /// is removed and one control per step is added.
    PumpSchedule {
        /// The pump's id.
        pump: String,
        /// The steps, each a time and the speed from then on (0 = off).
        steps: Vec<ScheduleStep>,
        /// Repeat every day: the times are clock times (`AT CLOCKTIME`),
        /// not times into the run (`AT TIME`).
        #[serde(default)]
        daily: bool,
    },
    /// Multiply base demands (every category) by a factor, at every
    /// junction or at the junctions listed.
    ScaleDemands {
        /// The factor, ≥ 0.
        factor: f64,
        /// Junction ids; every junction when empty or absent.
        #[serde(default)]
        junctions: Vec<String>,
    },
    /// Add a new pipe between two existing nodes.
    AddPipe {
        /// The new pipe's id.
        id: String,
        /// Start node id.
        from: String,
        /// End node id.
        to: String,
        /// Length, ft or m.
        length: f64,
        /// Diameter, in or mm.
        diameter: f64,
        /// Roughness as the network's head-loss formula takes it (H-W C,
        /// D-W millifeet or mm, Manning n).
        roughness: f64,
        /// Minor loss coefficient (0 if absent).
        #[serde(default)]
        minor_loss: f64,
        /// A check valve: flow only from `from` to `to`.
        #[serde(default)]
        check_valve: bool,
    },
    /// Remove a link. Controls acting on it go with it; a rule that tests
    /// it is removed, a rule that only acts on it loses that action.
    RemoveLink {
        /// The link's id.
        link: String,
    },
    /// Change a pipe's diameter, and its roughness if given.
    ResizePipe {
        /// The pipe's id.
        pipe: String,
        /// New diameter, in or mm.
        diameter: f64,
        /// New roughness, if it changes.
        roughness: Option<f64>,
    },
    /// Use pressure-dependent demands (PDA).
    PressureDependent {
        /// Pressure below which nothing is delivered (the network's, or 0).
        minimum_pressure: Option<f64>,
        /// Pressure at which the full demand is delivered; needed unless the
        /// network is PDA already.
        required_pressure: Option<f64>,
        /// Pressure exponent (the network's, 0.5 by default).
        exponent: Option<f64>,
    },
    /// A pipe burst (see [`BurstSpec`]).
    Burst(BurstSpec),
}

/// One step of a pump schedule.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleStep {
    /// When the step starts.
    pub at: SimTime,
    /// Relative speed from then on; 0 switches the pump off.
    pub speed: f64,
}

impl Edit {
    /// The edit's `type` as written in a scenario file.
    pub fn kind(&self) -> &'static str {
        match self {
            Edit::Close { .. } => "close",
            Edit::Open { .. } => "open",
            Edit::Setting { .. } => "setting",
            Edit::PumpSpeed { .. } => "pump_speed",
            Edit::PumpSchedule { .. } => "pump_schedule",
            Edit::ScaleDemands { .. } => "scale_demands",
            Edit::AddPipe { .. } => "add_pipe",
            Edit::RemoveLink { .. } => "remove_link",
            Edit::ResizePipe { .. } => "resize_pipe",
            Edit::PressureDependent { .. } => "pressure_dependent",
            Edit::Burst(_) => "burst",
        }
    }
}

/// What is wrong with an edit, naming the field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditProblem {
    /// A link id the network does not have.
    #[error("{field}: unknown link '{id}'")]
    UnknownLink {
        /// The field holding the id.
        field: &'static str,
        /// The id.
        id: String,
    },
    /// A node id the network does not have.
    #[error("{field}: unknown node '{id}'")]
    UnknownNode {
        /// The field holding the id.
        field: &'static str,
        /// The id.
        id: String,
    },
    /// The element exists but is of the wrong kind for the edit.
    #[error("{field}: '{id}' is a {found}, not a {expected}")]
    WrongKind {
        /// The field holding the id.
        field: &'static str,
        /// The id.
        id: String,
        /// What the edit needs.
        expected: &'static str,
        /// What the element is.
        found: &'static str,
    },
    /// A new id that is already taken.
    #[error("{field}: id '{id}' is already used")]
    DuplicateId {
        /// The field holding the id.
        field: &'static str,
        /// The id.
        id: String,
    },
    /// A value out of its range.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

impl EditProblem {
    /// The scenario-file field the problem is about.
    pub fn field(&self) -> &'static str {
        match self {
            EditProblem::UnknownLink { field, .. }
            | EditProblem::UnknownNode { field, .. }
            | EditProblem::WrongKind { field, .. }
            | EditProblem::DuplicateId { field, .. }
            | EditProblem::Invalid { field, .. } => field,
        }
    }

    pub(crate) fn invalid(field: &'static str, problem: impl Into<String>) -> Self {
        EditProblem::Invalid {
            field,
            problem: problem.into(),
        }
    }
}

/// Applies edits to one network, collecting notes on what it did beyond the
/// obvious.
pub(crate) struct Editor<'a> {
    pub net: &'a mut Network,
    pub units: UnitSystem,
    pub notes: &'a mut Vec<String>,
}

impl Editor<'_> {
    /// The index of a link, or the problem naming `field`.
    pub fn link(&self, field: &'static str, id: &str) -> Result<LinkIx, EditProblem> {
        self.net
            .link_ix(id)
            .ok_or_else(|| EditProblem::UnknownLink {
                field,
                id: id.to_string(),
            })
    }

    /// The index of a node, or the problem naming `field`.
    pub fn node(&self, field: &'static str, id: &str) -> Result<NodeIx, EditProblem> {
        self.net
            .node_ix(id)
            .ok_or_else(|| EditProblem::UnknownNode {
                field,
                id: id.to_string(),
            })
    }

    /// The index of a pipe.
    pub fn pipe(&self, field: &'static str, id: &str) -> Result<LinkIx, EditProblem> {
        self.link_of_kind(field, id, "pipe", |k| matches!(k, LinkKind::Pipe(_)))
    }

    fn pump(&self, field: &'static str, id: &str) -> Result<LinkIx, EditProblem> {
        self.link_of_kind(field, id, "pump", |k| matches!(k, LinkKind::Pump(_)))
    }

    fn link_of_kind(
        &self,
        field: &'static str,
        id: &str,
        expected: &'static str,
        is: impl Fn(&LinkKind) -> bool,
    ) -> Result<LinkIx, EditProblem> {
        let k = self.link(field, id)?;
        let link = self.net.link(k);
        if !is(&link.kind) {
            return Err(EditProblem::WrongKind {
                field,
                id: id.to_string(),
                expected,
                found: link.kind_name(),
            });
        }
        Ok(k)
    }

    /// Applies one edit (bursts are applied by [`super::burst`]).
    pub fn apply(&mut self, edit: &Edit) -> Result<(), EditProblem> {
        match edit {
            Edit::Close { link, at } => {
                let k = self.link("link", link)?;
                self.set_status(k, LinkStatusSetting::Closed, *at);
                Ok(())
            }
            Edit::Open { link, at } => {
                let k = self.link("link", link)?;
                self.set_status(k, LinkStatusSetting::Open, *at);
                Ok(())
            }
            Edit::Setting { link, value, at } => self.setting(link, *value, *at),
            Edit::PumpSpeed { pump, speed, at } => {
                let k = self.pump("pump", pump)?;
                check_speed("speed", *speed)?;
                self.set_status(k, LinkStatusSetting::Setting(*speed), *at);
                Ok(())
            }
            Edit::PumpSchedule { pump, steps, daily } => self.pump_schedule(pump, steps, *daily),
            Edit::ScaleDemands { factor, junctions } => self.scale_demands(*factor, junctions),
            Edit::AddPipe {
                id,
                from,
                to,
                length,
                diameter,
                roughness,
                minor_loss,
                check_valve,
            } => {
                let from = self.node("from", from)?;
                let to = self.node("to", to)?;
                if from == to {
                    return Err(EditProblem::invalid(
                        "to",
                        "a pipe needs two different nodes",
                    ));
                }
                let mut pipe = Pipe::new(
                    positive("length", *length)? * self.units.length,
                    positive("diameter", *diameter)? * self.units.diameter,
                    self.roughness_si("roughness", *roughness)?,
                );
                pipe.minor_loss = non_negative("minor_loss", *minor_loss)?;
                pipe.check_valve = *check_valve;
                add_link(
                    self.net,
                    Link::new(id, from, to, LinkKind::Pipe(pipe)),
                    "id",
                )?;
                Ok(())
            }
            Edit::RemoveLink { link } => {
                let k = self.link("link", link)?;
                let removed = super::network_edit::without_link(self.net, k, self.notes)?;
                *self.net = removed;
                Ok(())
            }
            Edit::ResizePipe {
                pipe,
                diameter,
                roughness,
            } => {
                let k = self.pipe("pipe", pipe)?;
                let d = positive("diameter", *diameter)? * self.units.diameter;
                let r = roughness
                    .map(|r| self.roughness_si("roughness", r))
                    .transpose()?;
                if let LinkKind::Pipe(p) = &mut self.net.links[k.ix()].kind {
                    p.diameter_m = d;
                    if let Some(r) = r {
                        p.roughness = r;
                    }
                }
                Ok(())
            }
            Edit::PressureDependent {
                minimum_pressure,
                required_pressure,
                exponent,
            } => self.pressure_dependent(*minimum_pressure, *required_pressure, *exponent),
            Edit::Burst(_) => Ok(()),
        }
    }

    /// Sets a link's status or setting from the start, or from a time on
    /// through a new `AT TIME` control.
    pub fn set_status(&mut self, k: LinkIx, status: LinkStatusSetting, at: Option<SimTime>) {
        if let Some(SimTime(time_s)) = at {
            if time_s > self.net.times.duration_s {
                self.notes.push(format!(
                    "link {}: the change at {} h comes after the end of the run ({} h, \
                     [TIMES] DURATION) and has no effect",
                    self.net.links[k.ix()].id,
                    time_s as f64 / 3600.0,
                    self.net.times.duration_s as f64 / 3600.0
                ));
            }
            self.net.controls.push(Control {
                action: ControlAction { link: k, status },
                condition: ControlCondition::AtTime { time_s },
                enabled: true,
            });
            return;
        }
        let link = &mut self.net.links[k.ix()];
        match (&mut link.kind, status) {
            (_, LinkStatusSetting::Closed) => link.initial_status = InitialStatus::Closed,
            (LinkKind::Valve(_), LinkStatusSetting::Open) => {
                // A valve's initial OPEN would leave a control valve in
                // control; a control at time 0 fixes it open, as EPANET's
                // `LINK id OPEN` does.
                self.net.controls.push(Control {
                    action: ControlAction { link: k, status },
                    condition: ControlCondition::AtTime { time_s: 0 },
                    enabled: true,
                });
            }
            (_, LinkStatusSetting::Open) => link.initial_status = InitialStatus::Open,
            (LinkKind::Pump(p), LinkStatusSetting::Setting(speed)) => {
                p.speed = speed;
                link.initial_status = if speed > 0.0 {
                    InitialStatus::Open
                } else {
                    InitialStatus::Closed
                };
            }
            (LinkKind::Valve(v), LinkStatusSetting::Setting(value)) => {
                v.setting = value;
                // A setting puts a control valve in control (EPANET: ACTIVE);
                // an initial OPEN would fix it fully open.
                link.initial_status = InitialStatus::Active;
            }
            (LinkKind::Pipe(_), LinkStatusSetting::Setting(_)) => {}
        }
    }

    fn setting(&mut self, id: &str, value: f64, at: Option<SimTime>) -> Result<(), EditProblem> {
        let k = self.link("link", id)?;
        let si = match &self.net.link(k).kind {
            LinkKind::Pipe(_) => {
                return Err(EditProblem::WrongKind {
                    field: "link",
                    id: id.to_string(),
                    expected: "valve or pump",
                    found: "pipe",
                })
            }
            LinkKind::Pump(_) => check_speed("value", value)?,
            LinkKind::Valve(v) => {
                let factor = match v.valve_type {
                    ValveType::Prv | ValveType::Psv | ValveType::Pbv => self.units.pressure,
                    ValveType::Fcv => self.units.flow,
                    ValveType::Tcv | ValveType::Pcv => 1.0,
                    ValveType::Gpv => {
                        return Err(EditProblem::invalid(
                            "link",
                            format!("GPV '{id}' takes a head-loss curve, not a setting"),
                        ))
                    }
                };
                if v.valve_type != ValveType::Pbv {
                    non_negative("value", value)?;
                }
                value * factor
            }
        };
        self.set_status(k, LinkStatusSetting::Setting(si), at);
        Ok(())
    }

    fn pump_schedule(
        &mut self,
        id: &str,
        steps: &[ScheduleStep],
        daily: bool,
    ) -> Result<(), EditProblem> {
        let k = self.pump("pump", id)?;
        for step in steps {
            check_speed("steps", step.speed)?;
            if daily && step.at.0 >= 86_400 {
                return Err(EditProblem::invalid(
                    "steps",
                    format!("daily step at {} is not a time of day", step.at),
                ));
            }
        }
        let before = self.net.controls.len();
        self.net.controls.retain(|c| c.action.link != k);
        let mut actions = 0;
        for rule in &mut self.net.rules {
            let n = rule.then_actions.len() + rule.else_actions.len();
            rule.then_actions.retain(|a| a.link != k);
            rule.else_actions.retain(|a| a.link != k);
            actions += n - rule.then_actions.len() - rule.else_actions.len();
        }
        let dropped = before - self.net.controls.len();
        if dropped + actions > 0 {
            self.notes.push(format!(
                "pump {id}: its schedule replaces {} and {}",
                crate::report::plural(dropped, "control"),
                crate::report::plural(actions, "rule action")
            ));
        }
        for step in steps {
            let time_s = step.at.0;
            let condition = if daily {
                ControlCondition::AtClockTime { clock_s: time_s }
            } else {
                ControlCondition::AtTime { time_s }
            };
            self.net.controls.push(Control {
                action: ControlAction {
                    link: k,
                    status: LinkStatusSetting::Setting(step.speed),
                },
                condition,
                enabled: true,
            });
        }
        Ok(())
    }

    fn scale_demands(&mut self, factor: f64, junctions: &[String]) -> Result<(), EditProblem> {
        non_negative("factor", factor)?;
        let targets: Vec<NodeIx> = if junctions.is_empty() {
            (0..self.net.nodes.len() as u32).map(NodeIx).collect()
        } else {
            junctions
                .iter()
                .map(|id| {
                    let i = self.node("junctions", id)?;
                    if !self.net.node(i).is_junction() {
                        return Err(EditProblem::WrongKind {
                            field: "junctions",
                            id: id.clone(),
                            expected: "junction",
                            found: "tank or reservoir",
                        });
                    }
                    Ok(i)
                })
                .collect::<Result<_, _>>()?
        };
        for i in targets {
            if let NodeKind::Junction(j) = &mut self.net.nodes[i.ix()].kind {
                for d in &mut j.demands {
                    d.base_m3s *= factor;
                }
            }
        }
        Ok(())
    }

    fn pressure_dependent(
        &mut self,
        minimum: Option<f64>,
        required: Option<f64>,
        exponent: Option<f64>,
    ) -> Result<(), EditProblem> {
        let u = self.units.pressure;
        let o = &self.net.options;
        let was_pda = o.demand_model == DemandModel::Pda;
        let minimum_m = match minimum {
            Some(p) => p * u,
            None if was_pda => o.minimum_pressure_m,
            None => 0.0,
        };
        let required_m = match required {
            Some(p) => p * u,
            None if was_pda => o.required_pressure_m,
            None => {
                return Err(EditProblem::invalid(
                    "required_pressure",
                    "needed: the network does not use pressure-dependent demands",
                ))
            }
        };
        set_pda(self.net, minimum_m, required_m, exponent)
    }

    /// A roughness from the file's units to SI (D-W roughness is in
    /// millifeet or mm in files, m inside).
    pub fn roughness_si(&self, field: &'static str, r: f64) -> Result<f64, EditProblem> {
        if self.net.options.headloss == HeadlossFormula::DarcyWeisbach {
            let per_unit = if self.net.options.flow_units.is_si() {
                1e-3
            } else {
                crate::network::units::M_PER_FT * 1e-3
            };
            return Ok(non_negative(field, r)? * per_unit);
        }
        positive(field, r)
    }
}

/// Switches a network to pressure-dependent demands, checking EPANET's
/// limit that the required pressure exceeds the minimum by 0.1 file units.
pub(crate) fn set_pda(
    net: &mut Network,
    minimum_m: f64,
    required_m: f64,
    exponent: Option<f64>,
) -> Result<(), EditProblem> {
    let u = net.units().pressure;
    if required_m < minimum_m + 0.1 * u {
        return Err(EditProblem::invalid(
            "required_pressure",
            "must exceed the minimum pressure by at least 0.1 (EPANET's limit)",
        ));
    }
    let o = &mut net.options;
    o.demand_model = DemandModel::Pda;
    o.minimum_pressure_m = minimum_m;
    o.required_pressure_m = required_m;
    if let Some(e) = exponent {
        o.pressure_exponent = positive("exponent", e)?;
    }
    Ok(())
}

/// Adds a link, turning a duplicate id into the problem naming `field`.
pub(crate) fn add_link(
    net: &mut Network,
    link: Link,
    field: &'static str,
) -> Result<LinkIx, EditProblem> {
    let id = link.id.clone();
    net.add_link(link)
        .map_err(|NetworkError::DuplicateId { .. }| EditProblem::DuplicateId { field, id })
}

fn check_speed(field: &'static str, speed: f64) -> Result<f64, EditProblem> {
    non_negative(field, speed)
}

pub(crate) fn positive(field: &'static str, x: f64) -> Result<f64, EditProblem> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(EditProblem::invalid(field, format!("{x} must be above 0")))
    }
}

pub(crate) fn non_negative(field: &'static str, x: f64) -> Result<f64, EditProblem> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(EditProblem::invalid(
            field,
            format!("{x} must not be negative"),
        ))
    }
}
