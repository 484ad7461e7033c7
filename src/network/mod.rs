//! The network model: nodes, links, curves, patterns, controls and options, in SI units.
//!
//! A [`Network`] is plain data. Every quantity is stored in SI units (m,
//! m³/s, s, kW); the file's own units are remembered in [`Options`] so that
//! results can be reported the way the user wrote the file. Ids map once to
//! dense indices ([`NodeIx`], [`LinkIx`]); the rest of the crate works with
//! indices only.

pub mod units;

mod controls;
mod ids;
mod options;

use serde::{Deserialize, Serialize};

pub use controls::{
    Control, ControlAction, ControlCondition, LinkStatusSetting, Rule, RuleAction, RuleAttribute,
    RuleObject, RuleOperator, RulePremise, RuleValue,
};
pub use options::{
    DemandModel, EnergyOptions, HeadlossFormula, Options, QualityKind, QualityOptions,
    ReactionOptions, ReportOptions, Statistic, Times, Unbalanced,
};

/// Dense index of a node in [`Network::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeIx(pub u32);

/// Dense index of a link in [`Network::links`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LinkIx(pub u32);

/// Dense index of a pattern in [`Network::patterns`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PatternIx(pub u32);

/// Dense index of a curve in [`Network::curves`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CurveIx(pub u32);

impl NodeIx {
    /// The index as a `usize`, for slices.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

impl LinkIx {
    /// The index as a `usize`, for slices.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

impl PatternIx {
    /// The index as a `usize`, for slices.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

impl CurveIx {
    /// The index as a `usize`, for slices.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// A water distribution network, as read from an EPANET `.inp` file.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// The `[TITLE]` lines (EPANET keeps the first three).
    pub title: Vec<String>,
    /// Junctions, reservoirs and tanks, in file order within each section
    /// (EPANET orders junctions first, then reservoirs and tanks as read).
    pub nodes: Vec<Node>,
    /// Pipes, pumps and valves in file order.
    pub links: Vec<Link>,
    /// Time patterns of multipliers.
    pub patterns: Vec<Pattern>,
    /// Data curves (pump, efficiency, volume, headloss, valve, generic).
    pub curves: Vec<Curve>,
    /// Simple controls (`[CONTROLS]`), in file order.
    pub controls: Vec<Control>,
    /// Rule-based controls (`[RULES]`), in file order.
    pub rules: Vec<Rule>,
    /// Hydraulic, demand and quality options, and the file's units.
    pub options: Options,
    /// Time settings (`[TIMES]`).
    pub times: Times,
    /// Report settings (`[REPORT]`).
    pub report: ReportOptions,
    /// Energy settings (`[ENERGY]`).
    pub energy: EnergyOptions,
    /// Reaction settings (`[REACTIONS]`, global part).
    pub reactions: ReactionOptions,
    /// `[LABELS]` lines kept verbatim, for writing the file back.
    pub labels: Vec<String>,
    /// `[BACKDROP]` lines kept verbatim, for writing the file back.
    pub backdrop: Vec<String>,
    node_index: ids::IdIndex,
    link_index: ids::IdIndex,
    pattern_index: ids::IdIndex,
    curve_index: ids::IdIndex,
}

/// A junction, reservoir or tank.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The id, case-sensitive, as written in the file.
    pub id: String,
    /// What kind of node this is and its own data.
    pub kind: NodeKind,
    /// Elevation in m (for a reservoir: its fixed head).
    pub elevation_m: f64,
    /// Emitter discharge coefficient `C` in `q = C p^γ`, SI: m³/s per m^γ of
    /// pressure head (γ is [`Options::emitter_exponent`]). Zero means no emitter.
    pub emitter_coefficient: f64,
    /// Initial water quality (`[QUALITY]`), in the file's concentration units.
    pub initial_quality: f64,
    /// Map coordinates (`[COORDINATES]`), in the file's map units.
    pub coordinates: Option<(f64, f64)>,
    /// What few nodes have (see [`Node::source`], [`Node::tag`],
    /// [`Node::comment`]), kept out of line so that the others stay small.
    extras: Option<Box<NodeExtras>>,
}

/// The data of a node that most nodes do not have.
#[derive(Debug, Clone, PartialEq, Default)]
struct NodeExtras {
    source: Option<Source>,
    tag: Option<String>,
    comment: Option<String>,
}

/// The kind-specific data of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A junction: demands and unknown head.
    Junction(Junction),
    /// A reservoir: a fixed-head source.
    Reservoir(Reservoir),
    /// A tank: storage whose level changes over time (boxed: tanks are
    /// few, and a junction need not be as large as a tank).
    Tank(Box<Tank>),
}

/// Data of a junction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Junction {
    /// Demand categories. `[DEMANDS]` entries replace the demand of the
    /// `[JUNCTIONS]` line, as in EPANET.
    pub demands: Vec<Demand>,
}

/// One demand category of a junction.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    /// Base demand in m³/s.
    pub base_m3s: f64,
    /// Its time pattern; `None` means the default pattern
    /// ([`Options::default_pattern`]), or constant 1.0 if there is none.
    pub pattern: Option<PatternIx>,
    /// The category name (the `;name` comment of a `[DEMANDS]` line).
    pub category: Option<String>,
}

/// Data of a reservoir.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reservoir {
    /// Pattern multiplying the reservoir's head over time.
    pub head_pattern: Option<PatternIx>,
}

/// Data of a tank.
#[derive(Debug, Clone, PartialEq)]
pub struct Tank {
    /// Initial water level above the tank's elevation, m.
    pub initial_level_m: f64,
    /// Minimum level, m.
    pub min_level_m: f64,
    /// Maximum level, m.
    pub max_level_m: f64,
    /// Diameter of a cylindrical tank, m.
    pub diameter_m: f64,
    /// Volume at the minimum level, m³ (used when there is no volume curve).
    pub min_volume_m3: f64,
    /// Volume curve (level in m → volume in m³), replacing the cylinder.
    pub volume_curve: Option<CurveIx>,
    /// Whether the tank may overflow when full (EPANET 2.2+).
    pub can_overflow: bool,
    /// Mixing model for water quality (`[MIXING]`).
    pub mixing: MixingModel,
    /// Mixing fraction for the two-compartment model (0..1).
    pub mixing_fraction: f64,
    /// Bulk reaction coefficient for this tank (`[REACTIONS] TANK`), if set.
    pub bulk_coeff: Option<f64>,
}

/// Tank mixing models for water quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MixingModel {
    /// Complete and instantaneous mixing.
    #[default]
    Mixed,
    /// Two compartments.
    TwoCompartment,
    /// Plug flow, first in first out.
    Fifo,
    /// Stacked plug flow, last in first out.
    Lifo,
}

/// A water quality source at a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// How the source adds mass.
    pub kind: SourceKind,
    /// Baseline strength, in the file's concentration (or mass per minute) units.
    pub strength: f64,
    /// Time pattern of the strength.
    pub pattern: Option<PatternIx>,
}

/// Kinds of water quality source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    /// Fixed concentration of the node's outflow (or of external inflow at a junction).
    Concen,
    /// Mass injection at a fixed rate (mass per minute).
    Mass,
    /// Fixes the concentration leaving the node.
    Setpoint,
    /// Adds a fixed concentration to the flow leaving the node.
    FlowPaced,
}

/// A pipe, pump or valve between two nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The id, case-sensitive.
    pub id: String,
    /// Start node; positive flow goes from `from` to `to`.
    pub from: NodeIx,
    /// End node.
    pub to: NodeIx,
    /// What kind of link this is and its own data.
    pub kind: LinkKind,
    /// Status at the start of the simulation (from the link line or `[STATUS]`).
    pub initial_status: InitialStatus,
    /// What few links have (see [`Link::vertices`], [`Link::tag`],
    /// [`Link::comment`]), kept out of line so that the others stay small.
    extras: Option<Box<LinkExtras>>,
}

/// The data of a link that most links do not have.
#[derive(Debug, Clone, PartialEq, Default)]
struct LinkExtras {
    vertices: Vec<(f64, f64)>,
    tag: Option<String>,
    comment: Option<String>,
}

/// The initial status of a link as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InitialStatus {
    /// Open (for a control valve with a setting: active, controlling).
    #[default]
    Open,
    /// Closed.
    Closed,
    /// A control valve with its setting in force (`[STATUS] id ACTIVE`).
    Active,
}

/// The kind-specific data of a link.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkKind {
    /// A pipe, possibly with a check valve.
    Pipe(Pipe),
    /// A pump.
    Pump(Pump),
    /// A valve.
    Valve(Valve),
}

/// Data of a pipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    /// Length, m.
    pub length_m: f64,
    /// Internal diameter, m.
    pub diameter_m: f64,
    /// Roughness: Hazen-Williams C (dimensionless), Darcy-Weisbach absolute
    /// roughness in m, or Manning's n (s/m^(1/3)), per [`Options::headloss`].
    pub roughness: f64,
    /// Minor loss coefficient K (dimensionless, on the velocity head).
    pub minor_loss: f64,
    /// Whether the pipe has a check valve (flow only from `from` to `to`).
    pub check_valve: bool,
    /// Bulk reaction coefficient (`[REACTIONS] BULK`), if set for this pipe.
    pub bulk_coeff: Option<f64>,
    /// Wall reaction coefficient (`[REACTIONS] WALL`), if set for this pipe.
    pub wall_coeff: Option<f64>,
    /// FAVAD leak area A0 per 100 length units, as in `[LEAKAGE]` (mm² per
    /// 100 m, or in² per 100 ft is not used: EPANET always uses mm²).
    pub leak_area_mm2: f64,
    /// FAVAD leak area expansion rate m, mm² per unit of pressure head, per 100 length units.
    pub leak_expansion_mm2: f64,
}

/// Data of a pump.
#[derive(Debug, Clone, PartialEq)]
pub struct Pump {
    /// How the pump's head depends on its flow.
    pub model: PumpModel,
    /// Relative speed (`SPEED`), 1.0 by default.
    pub speed: f64,
    /// Pattern of relative speed over time.
    pub speed_pattern: Option<PatternIx>,
    /// Efficiency curve (flow m³/s → efficiency %), from `[ENERGY]`.
    pub efficiency_curve: Option<CurveIx>,
    /// Energy price per kWh, from `[ENERGY]`, if set for this pump.
    pub energy_price: Option<f64>,
    /// Price pattern, from `[ENERGY]`, if set for this pump.
    pub price_pattern: Option<PatternIx>,
}

/// The head-flow relation of a pump.
#[derive(Debug, Clone, PartialEq)]
pub enum PumpModel {
    /// A head curve (`HEAD curve`): flow m³/s → head gain m.
    HeadCurve(CurveIx),
    /// Constant power (`POWER kW`), in kW.
    ConstantPower(f64),
}

/// Data of a valve.
#[derive(Debug, Clone, PartialEq)]
pub struct Valve {
    /// The valve type.
    pub valve_type: ValveType,
    /// Diameter, m.
    pub diameter_m: f64,
    /// Setting in SI: PRV, PSV, PBV pressure head in m; FCV flow in m³/s;
    /// TCV loss coefficient; PCV percent open; GPV unused (see `curve`).
    pub setting: f64,
    /// Minor loss coefficient of the fully open valve.
    pub minor_loss: f64,
    /// GPV head-loss curve (flow m³/s → head loss m), or PCV valve curve
    /// (% open → % of fully open flow coefficient).
    pub curve: Option<CurveIx>,
}

/// EPANET's valve types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValveType {
    /// Pressure reducing valve: limits the downstream pressure.
    Prv,
    /// Pressure sustaining valve: keeps the upstream pressure up.
    Psv,
    /// Pressure breaker valve: forces a given head loss.
    Pbv,
    /// Flow control valve: limits the flow.
    Fcv,
    /// Throttle control valve: a given loss coefficient.
    Tcv,
    /// General purpose valve: a head-loss curve.
    Gpv,
    /// Positional control valve (EPANET 2.3): percent open on a valve curve.
    Pcv,
}

impl ValveType {
    /// The keyword used in `.inp` files.
    pub fn keyword(self) -> &'static str {
        match self {
            ValveType::Prv => "PRV",
            ValveType::Psv => "PSV",
            ValveType::Pbv => "PBV",
            ValveType::Fcv => "FCV",
            ValveType::Tcv => "TCV",
            ValveType::Gpv => "GPV",
            ValveType::Pcv => "PCV",
        }
    }
}

/// A time pattern of multipliers, one per pattern time step, repeating.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pattern {
    /// The id, case-sensitive.
    pub id: String,
    /// Multipliers; a pattern with none is treated as constant 1.0.
    pub multipliers: Vec<f64>,
}

/// What a curve describes; fixes the units of its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CurveKind {
    /// Not yet used by anything; points kept in the file's units.
    #[default]
    Generic,
    /// Pump head curve: flow m³/s → head m.
    Pump,
    /// Pump efficiency curve: flow m³/s → efficiency %.
    Efficiency,
    /// Tank volume curve: level m → volume m³.
    Volume,
    /// GPV head-loss curve: flow m³/s → head loss m.
    Headloss,
    /// PCV valve curve: % open → % of fully open flow coefficient.
    Valve,
}

/// A curve of (x, y) points with increasing x.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    /// The id, case-sensitive.
    pub id: String,
    /// What the curve is used for, which sets the units of `points`.
    pub kind: CurveKind,
    /// The points, in SI units for `kind` (see [`CurveKind`]).
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    /// Linear interpolation of y at `x`. Outside the range of the points
    /// the first or last y is returned (no extrapolation), as EPANET does.
    pub fn interpolate(&self, x: f64) -> f64 {
        let p = &self.points;
        match p.len() {
            0 => 0.0,
            1 => p[0].1,
            _ => {
                if x <= p[0].0 {
                    return p[0].1;
                }
                for w in p.windows(2) {
                    let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                    if x <= x1 {
                        let dx = x1 - x0;
                        if dx.abs() < 1e-300 {
                            return y1;
                        }
                        return y0 + (x - x0) * (y1 - y0) / dx;
                    }
                }
                p[p.len() - 1].1
            }
        }
    }
}

/// Errors from building a network by hand through [`Network`]'s methods.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NetworkError {
    /// An id is used twice for objects of the same family.
    #[error("duplicate {family} id '{id}'")]
    DuplicateId {
        /// "node", "link", "pattern" or "curve".
        family: &'static str,
        /// The repeated id.
        id: String,
    },
}

impl Network {
    /// An empty network with EPANET's default options.
    pub fn new() -> Self {
        Network::default()
    }

    /// Makes room for `nodes` more nodes and `links` more links, so that
    /// adding them grows neither the lists nor the id lookup on the way.
    pub fn reserve(&mut self, nodes: usize, links: usize) {
        self.nodes.reserve_exact(nodes);
        self.links.reserve_exact(links);
        let node_list = &self.nodes;
        self.node_index
            .reserve(nodes, |i| &node_list[i as usize].id);
        let link_list = &self.links;
        self.link_index
            .reserve(links, |i| &link_list[i as usize].id);
    }

    /// Adds a node and returns its index.
    pub fn add_node(&mut self, node: Node) -> Result<NodeIx, NetworkError> {
        let ix = self.nodes.len() as u32;
        let nodes = &self.nodes;
        if !self
            .node_index
            .insert(&node.id, ix, |i| &nodes[i as usize].id)
        {
            return Err(duplicate("node", &node.id));
        }
        self.nodes.push(node);
        Ok(NodeIx(ix))
    }

    /// Adds a link and returns its index.
    pub fn add_link(&mut self, link: Link) -> Result<LinkIx, NetworkError> {
        let ix = self.links.len() as u32;
        let links = &self.links;
        if !self
            .link_index
            .insert(&link.id, ix, |i| &links[i as usize].id)
        {
            return Err(duplicate("link", &link.id));
        }
        self.links.push(link);
        Ok(LinkIx(ix))
    }

    /// Adds a pattern and returns its index.
    pub fn add_pattern(&mut self, pattern: Pattern) -> Result<PatternIx, NetworkError> {
        let ix = self.patterns.len() as u32;
        let patterns = &self.patterns;
        if !self
            .pattern_index
            .insert(&pattern.id, ix, |i| &patterns[i as usize].id)
        {
            return Err(duplicate("pattern", &pattern.id));
        }
        self.patterns.push(pattern);
        Ok(PatternIx(ix))
    }

    /// Adds a curve and returns its index.
    pub fn add_curve(&mut self, curve: Curve) -> Result<CurveIx, NetworkError> {
        let ix = self.curves.len() as u32;
        let curves = &self.curves;
        if !self
            .curve_index
            .insert(&curve.id, ix, |i| &curves[i as usize].id)
        {
            return Err(duplicate("curve", &curve.id));
        }
        self.curves.push(curve);
        Ok(CurveIx(ix))
    }

    /// The index of the node with this id.
    pub fn node_ix(&self, id: &str) -> Option<NodeIx> {
        let nodes = &self.nodes;
        self.node_index
            .get(id, |i| &nodes[i as usize].id)
            .map(NodeIx)
    }

    /// The index of the link with this id.
    pub fn link_ix(&self, id: &str) -> Option<LinkIx> {
        let links = &self.links;
        self.link_index
            .get(id, |i| &links[i as usize].id)
            .map(LinkIx)
    }

    /// The index of the pattern with this id.
    pub fn pattern_ix(&self, id: &str) -> Option<PatternIx> {
        let patterns = &self.patterns;
        self.pattern_index
            .get(id, |i| &patterns[i as usize].id)
            .map(PatternIx)
    }

    /// The index of the curve with this id.
    pub fn curve_ix(&self, id: &str) -> Option<CurveIx> {
        let curves = &self.curves;
        self.curve_index
            .get(id, |i| &curves[i as usize].id)
            .map(CurveIx)
    }

    /// The node at an index.
    pub fn node(&self, ix: NodeIx) -> &Node {
        &self.nodes[ix.ix()]
    }

    /// The link at an index.
    pub fn link(&self, ix: LinkIx) -> &Link {
        &self.links[ix.ix()]
    }

    /// Number of junctions.
    pub fn junction_count(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Junction(_)))
            .count()
    }

    /// The file's unit system.
    pub fn units(&self) -> units::UnitSystem {
        units::UnitSystem::new(
            self.options.flow_units,
            self.options.pressure_units,
            self.options.specific_gravity,
        )
    }
}

fn duplicate(family: &'static str, id: &str) -> NetworkError {
    NetworkError::DuplicateId {
        family,
        id: id.to_string(),
    }
}

impl Node {
    /// A node of this kind with default attributes.
    pub fn new(id: impl Into<String>, kind: NodeKind, elevation_m: f64) -> Self {
        Node {
            id: id.into(),
            kind,
            elevation_m,
            emitter_coefficient: 0.0,
            initial_quality: 0.0,
            coordinates: None,
            extras: None,
        }
    }

    /// The water quality source at the node (`[SOURCES]`), if any.
    pub fn source(&self) -> Option<&Source> {
        self.extras.as_ref()?.source.as_ref()
    }

    /// The node's `[TAGS]` tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.extras.as_ref()?.tag.as_deref()
    }

    /// The comment after the node's definition line, if any.
    pub fn comment(&self) -> Option<&str> {
        self.extras.as_ref()?.comment.as_deref()
    }

    /// Sets or removes the node's water quality source.
    pub fn set_source(&mut self, source: Option<Source>) {
        self.edit_extras(|e| e.source = source);
    }

    /// Sets or removes the node's tag.
    pub fn set_tag(&mut self, tag: Option<String>) {
        self.edit_extras(|e| e.tag = tag);
    }

    /// Sets or removes the node's comment.
    pub fn set_comment(&mut self, comment: Option<String>) {
        if comment.is_none() && self.extras.is_none() {
            return; // nothing to take away
        }
        self.edit_extras(|e| e.comment = comment);
    }

    /// Applies `edit` to the out-of-line data, which is dropped again when
    /// it holds nothing (so that equal nodes compare equal).
    fn edit_extras(&mut self, edit: impl FnOnce(&mut NodeExtras)) {
        let mut extras = self.extras.take().unwrap_or_default();
        edit(&mut extras);
        if *extras != NodeExtras::default() {
            self.extras = Some(extras);
        }
    }

    /// Whether the node is a junction (its head is unknown).
    pub fn is_junction(&self) -> bool {
        matches!(self.kind, NodeKind::Junction(_))
    }
}

impl Link {
    /// What the link is, as EPANET's reports name it: "Pipe", "Pump" or
    /// the valve type ("PRV", ...).
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            LinkKind::Pipe(_) => "Pipe",
            LinkKind::Pump(_) => "Pump",
            LinkKind::Valve(v) => v.valve_type.keyword(),
        }
    }

    /// A link of this kind, open, with default attributes.
    pub fn new(id: impl Into<String>, from: NodeIx, to: NodeIx, kind: LinkKind) -> Self {
        Link {
            id: id.into(),
            from,
            to,
            kind,
            initial_status: InitialStatus::Open,
            extras: None,
        }
    }

    /// Interior points for drawing (`[VERTICES]`), in the file's map units.
    pub fn vertices(&self) -> &[(f64, f64)] {
        self.extras.as_ref().map_or(&[], |e| &e.vertices)
    }

    /// The link's `[TAGS]` tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.extras.as_ref()?.tag.as_deref()
    }

    /// The comment after the link's definition line, if any.
    pub fn comment(&self) -> Option<&str> {
        self.extras.as_ref()?.comment.as_deref()
    }

    /// Replaces the link's interior points.
    pub fn set_vertices(&mut self, vertices: Vec<(f64, f64)>) {
        self.edit_extras(|e| e.vertices = vertices);
    }

    /// Adds an interior point after the others.
    pub fn push_vertex(&mut self, point: (f64, f64)) {
        self.edit_extras(|e| e.vertices.push(point));
    }

    /// Sets or removes the link's tag.
    pub fn set_tag(&mut self, tag: Option<String>) {
        self.edit_extras(|e| e.tag = tag);
    }

    /// Sets or removes the link's comment.
    pub fn set_comment(&mut self, comment: Option<String>) {
        if comment.is_none() && self.extras.is_none() {
            return; // nothing to take away
        }
        self.edit_extras(|e| e.comment = comment);
    }

    /// Applies `edit` to the out-of-line data, which is dropped again when
    /// it holds nothing (so that equal links compare equal).
    fn edit_extras(&mut self, edit: impl FnOnce(&mut LinkExtras)) {
        let mut extras = self.extras.take().unwrap_or_default();
        edit(&mut extras);
        if *extras != LinkExtras::default() {
            self.extras = Some(extras);
        }
    }

    /// The link's diameter in m (pipes and valves; 0 for pumps).
    pub fn diameter_m(&self) -> f64 {
        match &self.kind {
            LinkKind::Pipe(p) => p.diameter_m,
            LinkKind::Valve(v) => v.diameter_m,
            LinkKind::Pump(_) => 0.0,
        }
    }
}

impl Pipe {
    /// A pipe with no minor loss, check valve, reactions or leakage.
    pub fn new(length_m: f64, diameter_m: f64, roughness: f64) -> Self {
        Pipe {
            length_m,
            diameter_m,
            roughness,
            minor_loss: 0.0,
            check_valve: false,
            bulk_coeff: None,
            wall_coeff: None,
            leak_area_mm2: 0.0,
            leak_expansion_mm2: 0.0,
        }
    }
}

impl Tank {
    /// A cylindrical tank with no volume curve and complete mixing.
    pub fn cylinder(
        initial_level_m: f64,
        min_level_m: f64,
        max_level_m: f64,
        diameter_m: f64,
    ) -> Self {
        Tank {
            initial_level_m,
            min_level_m,
            max_level_m,
            diameter_m,
            min_volume_m3: 0.0,
            volume_curve: None,
            can_overflow: false,
            mixing: MixingModel::Mixed,
            mixing_fraction: 1.0,
            bulk_coeff: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_line_data_reads_back_and_clearing_it_restores_equality() {
        let plain = Node::new("J1", NodeKind::Junction(Junction::default()), 10.0);
        let mut node = plain.clone();
        node.set_tag(Some("zone A".to_string()));
        node.set_comment(Some("by the school".to_string()));
        assert_eq!(node.tag(), Some("zone A"));
        assert_eq!(node.comment(), Some("by the school"));
        assert_eq!(node.source(), None);
        assert_ne!(node, plain);
        node.set_tag(None);
        node.set_comment(None);
        assert_eq!(node, plain);

        let mut link = Link::new(
            "P1",
            NodeIx(0),
            NodeIx(1),
            LinkKind::Pipe(Pipe::new(1.0, 0.1, 100.0)),
        );
        let straight = link.clone();
        link.push_vertex((1.0, 2.0));
        link.push_vertex((3.0, 4.0));
        assert_eq!(link.vertices(), &[(1.0, 2.0), (3.0, 4.0)]);
        link.set_vertices(Vec::new());
        assert_eq!(link, straight);
    }

    #[test]
    fn ids_are_found_and_a_second_use_is_refused() {
        let mut net = Network::new();
        for i in 0..100 {
            let node = Node::new(
                format!("N{i}"),
                NodeKind::Junction(Junction::default()),
                0.0,
            );
            assert_eq!(net.add_node(node), Ok(NodeIx(i)));
        }
        let again = Node::new("N42", NodeKind::Reservoir(Reservoir::default()), 0.0);
        assert_eq!(
            net.add_node(again),
            Err(NetworkError::DuplicateId {
                family: "node",
                id: "N42".to_string()
            })
        );
        assert_eq!(net.node_ix("N42"), Some(NodeIx(42)));
        assert_eq!(net.node_ix("n42"), None);
        assert_eq!(net.link_ix("N42"), None);
    }
}
