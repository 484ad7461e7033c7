//! Diagnostics of the `.inp` reader: where a problem is, its EPANET code, and what it means.

use std::fmt;
use std::path::PathBuf;

/// The sections of an EPANET 2.3 `.inp` file, in EPANET's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// `[TITLE]`
    Title,
    /// `[JUNCTIONS]`
    Junctions,
    /// `[RESERVOIRS]`
    Reservoirs,
    /// `[TANKS]`
    Tanks,
    /// `[PIPES]`
    Pipes,
    /// `[PUMPS]`
    Pumps,
    /// `[VALVES]`
    Valves,
    /// `[CONTROLS]`
    Controls,
    /// `[RULES]`
    Rules,
    /// `[DEMANDS]`
    Demands,
    /// `[SOURCES]`
    Sources,
    /// `[EMITTERS]`
    Emitters,
    /// `[PATTERNS]`
    Patterns,
    /// `[CURVES]`
    Curves,
    /// `[QUALITY]`
    Quality,
    /// `[STATUS]`
    Status,
    /// `[ROUGHNESS]`
    Roughness,
    /// `[ENERGY]`
    Energy,
    /// `[REACTIONS]`
    Reactions,
    /// `[MIXING]`
    Mixing,
    /// `[REPORT]`
    Report,
    /// `[TIMES]`
    Times,
    /// `[OPTIONS]`
    Options,
    /// `[COORDINATES]`
    Coordinates,
    /// `[VERTICES]`
    Vertices,
    /// `[LABELS]`
    Labels,
    /// `[BACKDROP]`
    Backdrop,
    /// `[TAGS]`
    Tags,
    /// `[LEAKAGE]`
    Leakage,
    /// `[END]`
    End,
}

impl Section {
    /// Every section, in EPANET's order.
    pub const ALL: [Section; 30] = [
        Section::Title,
        Section::Junctions,
        Section::Reservoirs,
        Section::Tanks,
        Section::Pipes,
        Section::Pumps,
        Section::Valves,
        Section::Controls,
        Section::Rules,
        Section::Demands,
        Section::Sources,
        Section::Emitters,
        Section::Patterns,
        Section::Curves,
        Section::Quality,
        Section::Status,
        Section::Roughness,
        Section::Energy,
        Section::Reactions,
        Section::Mixing,
        Section::Report,
        Section::Times,
        Section::Options,
        Section::Coordinates,
        Section::Vertices,
        Section::Labels,
        Section::Backdrop,
        Section::Tags,
        Section::Leakage,
        Section::End,
    ];

    /// The section's name as written between brackets (`JUNCTIONS`).
    pub fn name(self) -> &'static str {
        match self {
            Section::Title => "TITLE",
            Section::Junctions => "JUNCTIONS",
            Section::Reservoirs => "RESERVOIRS",
            Section::Tanks => "TANKS",
            Section::Pipes => "PIPES",
            Section::Pumps => "PUMPS",
            Section::Valves => "VALVES",
            Section::Controls => "CONTROLS",
            Section::Rules => "RULES",
            Section::Demands => "DEMANDS",
            Section::Sources => "SOURCES",
            Section::Emitters => "EMITTERS",
            Section::Patterns => "PATTERNS",
            Section::Curves => "CURVES",
            Section::Quality => "QUALITY",
            Section::Status => "STATUS",
            Section::Roughness => "ROUGHNESS",
            Section::Energy => "ENERGY",
            Section::Reactions => "REACTIONS",
            Section::Mixing => "MIXING",
            Section::Report => "REPORT",
            Section::Times => "TIMES",
            Section::Options => "OPTIONS",
            Section::Coordinates => "COORDINATES",
            Section::Vertices => "VERTICES",
            Section::Labels => "LABELS",
            Section::Backdrop => "BACKDROP",
            Section::Tags => "TAGS",
            Section::Leakage => "LEAKAGE",
            Section::End => "END",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.name())
    }
}

/// EPANET's input error codes used by the reader (EPANET 2.3 `errors.dat`).
pub mod code {
    /// Syntax error: a line has too few tokens or a keyword is not understood.
    pub const SYNTAX: u16 = 201;
    /// Illegal numeric value.
    pub const ILLEGAL_NUMBER: u16 = 202;
    /// Undefined node.
    pub const UNDEFINED_NODE: u16 = 203;
    /// Undefined link.
    pub const UNDEFINED_LINK: u16 = 204;
    /// Undefined time pattern.
    pub const UNDEFINED_PATTERN: u16 = 205;
    /// Undefined curve.
    pub const UNDEFINED_CURVE: u16 = 206;
    /// Attempt to control a check valve or a GPV.
    pub const CONTROL_CV_GPV: u16 = 207;
    /// Illegal PDA pressure limits.
    pub const PDA_LIMITS: u16 = 208;
    /// Illegal node property value.
    pub const NODE_PROPERTY: u16 = 209;
    /// Illegal link property value.
    pub const LINK_PROPERTY: u16 = 211;
    /// Invalid trace node.
    pub const TRACE_NODE: u16 = 212;
    /// Invalid option value.
    pub const OPTION_VALUE: u16 = 213;
    /// Duplicate id.
    pub const DUPLICATE_ID: u16 = 215;
    /// Undefined pump in `[ENERGY]`.
    pub const UNDEFINED_PUMP: u16 = 216;
    /// Invalid pump energy data.
    pub const PUMP_ENERGY: u16 = 217;
    /// A PRV, PSV or FCV connected to a tank or reservoir.
    pub const VALVE_TO_TANK: u16 = 219;
    /// A valve illegally connected to another valve.
    pub const VALVE_TO_VALVE: u16 = 220;
    /// A link whose two ends are the same node.
    pub const SAME_ENDS: u16 = 222;
    /// Not enough nodes in the network.
    pub const TOO_FEW_NODES: u16 = 223;
    /// No tanks or reservoirs.
    pub const NO_SOURCES: u16 = 224;
    /// Inconsistent tank levels.
    pub const TANK_LEVELS: u16 = 225;
    /// A pump with no head curve and no power.
    pub const PUMP_NO_CURVE: u16 = 226;
    /// Curve x values not strictly increasing.
    pub const CURVE_X: u16 = 230;
    /// Node not connected to any link.
    pub const UNCONNECTED_NODE: u16 = 233;
    /// Invalid id name (too long, or an illegal character).
    pub const INVALID_ID: u16 = 252;
    /// Invalid section keyword.
    pub const SECTION_KEYWORD: u16 = 299;
}

/// One problem found in an `.inp` file: an error or a warning.
///
/// It displays as `file:line: [SECTION] error 203: undefined node ('N1')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file's name as given to the reader.
    pub file: String,
    /// Line number, 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// The section the line belongs to, if any.
    pub section: Option<Section>,
    /// The offending token, if one can be named.
    pub token: Option<String>,
    /// EPANET's error code, where one applies.
    pub code: Option<u16>,
    /// Plain-English description.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ":")?;
        if let Some(section) = self.section {
            write!(f, " {section}")?;
        }
        if let Some(code) = self.code {
            write!(f, " error {code}:")?;
        }
        write!(f, " {}", self.message)?;
        if let Some(token) = &self.token {
            write!(f, " ('{token}')")?;
        }
        Ok(())
    }
}

/// Why an `.inp` file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InpError {
    /// The file has errors; every one found is listed.
    #[error("{} in {file}:\n{}", crate::report::plural(errors.len(), "error"), join(errors))]
    Invalid {
        /// The file's name.
        file: String,
        /// All errors found, in line order.
        errors: Vec<Diagnostic>,
        /// Warnings found along the way.
        warnings: Vec<Diagnostic>,
    },
    /// The file could not be read at all.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path given.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl InpError {
    /// The errors found in the file (empty for an I/O error).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            InpError::Invalid { errors, .. } => errors,
            InpError::Io { .. } => &[],
        }
    }
}

fn join(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(|d| format!("  {d}")).collect();
    lines.join("\n")
}
