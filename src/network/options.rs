//! Simulation options, times, report, energy and reaction settings, with EPANET 2.3's defaults.

use serde::{Deserialize, Serialize};

use super::units::{FlowUnits, PressureUnits};
use super::{NodeIx, PatternIx};

/// The head-loss formula for pipes (`[OPTIONS] HEADLOSS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HeadlossFormula {
    /// Hazen-Williams (`H-W`), the default.
    #[default]
    HazenWilliams,
    /// Darcy-Weisbach (`D-W`).
    DarcyWeisbach,
    /// Chezy-Manning (`C-M`).
    ChezyManning,
}

/// How junction demands respond to pressure (`[OPTIONS] DEMAND MODEL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DemandModel {
    /// Demand-driven: the full demand is always delivered.
    #[default]
    Dda,
    /// Pressure-dependent: demand falls off below the required pressure.
    Pda,
}

/// What to do when the hydraulics do not converge (`[OPTIONS] UNBALANCED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Unbalanced {
    /// Stop the simulation (EPANET's default).
    #[default]
    Stop,
    /// Carry on with `extra_trials` more trials without status changes,
    /// then accept the solution (0 means accept at once).
    Continue {
        /// Extra trials after `TRIALS`.
        extra_trials: u32,
    },
}

/// The water quality analysis (`[OPTIONS] QUALITY`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum QualityKind {
    /// No quality analysis.
    #[default]
    None,
    /// A chemical constituent.
    Chemical {
        /// Name of the chemical ("Chlorine"; "Chemical" by default).
        name: String,
        /// Concentration units ("mg/L" or "ug/L").
        units: String,
    },
    /// Water age in hours.
    Age,
    /// Percent of water coming from a node.
    Trace {
        /// The node traced.
        node: NodeIx,
    },
}

/// Water quality options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityOptions {
    /// What is analysed.
    pub kind: QualityKind,
    /// Molecular diffusivity of the chemical, m²/s (EPANET default 1.3e-8 ft²/s).
    pub diffusivity_m2s: f64,
    /// Quality tolerance for merging segments, in concentration units.
    pub tolerance: f64,
}

impl Default for QualityOptions {
    fn default() -> Self {
        QualityOptions {
            kind: QualityKind::None,
            diffusivity_m2s: 1.3e-8 * super::units::M_PER_FT * super::units::M_PER_FT,
            tolerance: 0.01,
        }
    }
}

/// Hydraulic and demand options (`[OPTIONS]`), with EPANET 2.3's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Flow units of the file (and of reported flows).
    pub flow_units: FlowUnits,
    /// Pressure units of the file (and of reported pressures).
    pub pressure_units: PressureUnits,
    /// Pipe head-loss formula.
    pub headloss: HeadlossFormula,
    /// Specific gravity of the fluid (1.0).
    pub specific_gravity: f64,
    /// Kinematic viscosity, m²/s (EPANET default 1.1e-5 ft²/s).
    pub viscosity_m2s: f64,
    /// Maximum trials per hydraulic solution (`TRIALS`, 200).
    pub trials: u32,
    /// Convergence criterion: Σ|ΔQ| / Σ|Q| (`ACCURACY`, 0.001).
    pub accuracy: f64,
    /// Extra convergence criterion on head loss, m (`HEADERROR`, 0 = off).
    pub head_error_m: f64,
    /// Extra convergence criterion on flow change, m³/s (`FLOWCHANGE`, 0 = off).
    pub flow_change_m3s: f64,
    /// Trials between status checks (`CHECKFREQ`, 2).
    pub check_freq: u32,
    /// Trial after which periodic status checks stop (`MAXCHECK`, 10).
    pub max_check: u32,
    /// Relative error below which damping starts (`DAMPLIMIT`, 0 = never).
    pub damp_limit: f64,
    /// What to do on non-convergence.
    pub unbalanced: Unbalanced,
    /// Default demand pattern: `[OPTIONS] PATTERN`, or the pattern with id
    /// "1" if there is one.
    pub default_pattern: Option<PatternIx>,
    /// The id given to `[OPTIONS] PATTERN`, kept for writing the file back.
    pub default_pattern_id: Option<String>,
    /// Global demand multiplier (1.0).
    pub demand_multiplier: f64,
    /// Emitter exponent γ in q = C p^γ (0.5).
    pub emitter_exponent: f64,
    /// Whether emitters may take water back in (`BACKFLOW ALLOWED`, yes).
    pub emitter_backflow: bool,
    /// Demand model (DDA by default).
    pub demand_model: DemandModel,
    /// PDA: pressure head below which no demand is delivered, m (0).
    pub minimum_pressure_m: f64,
    /// PDA: pressure head at which the full demand is delivered, m (0.1 ft
    /// above the minimum in EPANET, about 0.03 m).
    pub required_pressure_m: f64,
    /// PDA pressure exponent (0.5).
    pub pressure_exponent: f64,
    /// Head tolerance of status checks, m (EPANET `HTOL` 0.0005 ft).
    pub head_tolerance_m: f64,
    /// Flow tolerance of status checks, m³/s (EPANET `QTOL` 1e-4 cfs).
    pub flow_tolerance_m3s: f64,
    /// Relative flow below which head loss is linearised (EPANET `RQTOL` 1e-7).
    pub rq_tolerance: f64,
    /// Water quality options.
    pub quality: QualityOptions,
    /// `[OPTIONS] MAP` file name, kept for writing the file back.
    pub map_file: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        let ft = super::units::M_PER_FT;
        let cfs = super::units::M3_PER_FT3;
        Options {
            flow_units: FlowUnits::Gpm,
            pressure_units: PressureUnits::Psi,
            headloss: HeadlossFormula::HazenWilliams,
            specific_gravity: 1.0,
            viscosity_m2s: 1.1e-5 * ft * ft,
            trials: 200,
            accuracy: 0.001,
            head_error_m: 0.0,
            flow_change_m3s: 0.0,
            check_freq: 2,
            max_check: 10,
            damp_limit: 0.0,
            unbalanced: Unbalanced::Stop,
            default_pattern: None,
            default_pattern_id: None,
            demand_multiplier: 1.0,
            emitter_exponent: 0.5,
            emitter_backflow: true,
            demand_model: DemandModel::Dda,
            minimum_pressure_m: 0.0,
            required_pressure_m: 0.1 * ft,
            pressure_exponent: 0.5,
            head_tolerance_m: 0.0005 * ft,
            flow_tolerance_m3s: 1e-4 * cfs,
            rq_tolerance: 1e-7,
            quality: QualityOptions::default(),
            map_file: None,
        }
    }
}

/// Time-series statistic reported instead of every time (`[TIMES] STATISTIC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Statistic {
    /// Report every time.
    #[default]
    None,
    /// Time average.
    Average,
    /// Minimum over time.
    Minimum,
    /// Maximum over time.
    Maximum,
    /// Maximum minus minimum.
    Range,
}

/// Time settings (`[TIMES]`), all in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Times {
    /// Simulation duration (0: a single period).
    pub duration_s: u64,
    /// Hydraulic time step (3600).
    pub hydraulic_step_s: u64,
    /// Water quality time step (0: hydraulic step / 10).
    pub quality_step_s: u64,
    /// Pattern time step (3600).
    pub pattern_step_s: u64,
    /// Time into the patterns at which the simulation starts (0).
    pub pattern_start_s: u64,
    /// Report time step (3600).
    pub report_step_s: u64,
    /// Time of the first report (0).
    pub report_start_s: u64,
    /// Rule evaluation time step (0: hydraulic step / 10).
    pub rule_step_s: u64,
    /// Clock time of day at the start, seconds after midnight (0).
    pub start_clock_s: u64,
    /// Statistic reported.
    pub statistic: Statistic,
}

impl Default for Times {
    fn default() -> Self {
        Times {
            duration_s: 0,
            hydraulic_step_s: 3600,
            quality_step_s: 0,
            pattern_step_s: 3600,
            pattern_start_s: 0,
            report_step_s: 3600,
            report_start_s: 0,
            rule_step_s: 0,
            start_clock_s: 0,
            statistic: Statistic::None,
        }
    }
}

/// Report settings (`[REPORT]`), kept so the file can be written back and
/// reports honour them. Lines not interpreted are kept verbatim.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportOptions {
    /// `STATUS YES|NO|FULL`.
    pub status: Option<String>,
    /// `SUMMARY YES|NO`.
    pub summary: Option<bool>,
    /// `ENERGY YES|NO`.
    pub energy: Option<bool>,
    /// `NODES` ids (or `ALL`), as given.
    pub nodes: Vec<String>,
    /// `LINKS` ids (or `ALL`), as given.
    pub links: Vec<String>,
    /// Other `[REPORT]` lines, verbatim.
    pub other_lines: Vec<String>,
}

/// Energy settings (`[ENERGY]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnergyOptions {
    /// Global pump efficiency, % (75).
    pub global_efficiency: f64,
    /// Global energy price per kWh (0).
    pub global_price: f64,
    /// Global price pattern.
    pub global_price_pattern: Option<PatternIx>,
    /// Demand charge per maximum kW (0).
    pub demand_charge: f64,
}

impl Default for EnergyOptions {
    fn default() -> Self {
        EnergyOptions {
            global_efficiency: 75.0,
            global_price: 0.0,
            global_price_pattern: None,
            demand_charge: 0.0,
        }
    }
}

/// Global reaction settings (`[REACTIONS]`); per-pipe and per-tank
/// coefficients live on the pipes and tanks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionOptions {
    /// Order of bulk reactions in pipes (1).
    pub bulk_order: f64,
    /// Order of wall reactions (0 or 1; 1 by default).
    pub wall_order: f64,
    /// Order of bulk reactions in tanks (1).
    pub tank_order: f64,
    /// Global bulk reaction coefficient, per day (0).
    pub global_bulk: f64,
    /// Global wall reaction coefficient (0), per day, m/day for first order.
    pub global_wall: f64,
    /// Limiting potential concentration (0).
    pub limiting_potential: f64,
    /// Roughness correlation factor (0).
    pub roughness_correlation: f64,
}

impl Default for ReactionOptions {
    fn default() -> Self {
        ReactionOptions {
            bulk_order: 1.0,
            wall_order: 1.0,
            tank_order: 1.0,
            global_bulk: 0.0,
            global_wall: 0.0,
            limiting_potential: 0.0,
            roughness_correlation: 0.0,
        }
    }
}
