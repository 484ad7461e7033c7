//! The reader's state: the network being built, the diagnostics, and the order sections are read in.
//!
//! Sections are read in a fixed order: `[OPTIONS]` first (it fixes the
//! units), then patterns and curves, then nodes (junctions first, then
//! reservoirs and tanks as EPANET numbers them), links, and everything that
//! refers to them. A reference still resolves as EPANET resolves it,
//! reading the file from top to bottom: a node or link named in any
//! section must be declared further up the file (else error 203 or 204,
//! or, for coordinates, vertices and reaction coefficients, the line is
//! ignored), while patterns and curves, which EPANET creates in its first
//! pass over the file, may be used above their definition. Curves keep the
//! file's numbers until the end, when their use (pump, tank, valve ...)
//! says which units their points are in.

use crate::network::units::UnitSystem;
use crate::network::{
    CurveIx, CurveKind, HeadlossFormula, LinkIx, Network, NodeIx, NodeKind, PatternIx,
};

use super::diagnostic::{code, Diagnostic, Section};
use super::lexer::{self, Line, RawLine};
use super::{controls, links, nodes, settings, tables, validate};

/// Marks a line that could not be read; its error is already recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reported;

/// The result of reading one line: `Err` when an error was recorded.
pub(crate) type Parsed<T> = Result<T, Reported>;

/// EPANET's longest id (`MAXID`).
const MAX_ID: usize = 31;

/// Everything the reader builds and collects.
pub(crate) struct Reader<'a> {
    /// The file name used in diagnostics.
    pub file: &'a str,
    /// The network being built.
    pub net: Network,
    /// Errors found so far.
    pub errors: Vec<Diagnostic>,
    /// Warnings found so far.
    pub warnings: Vec<Diagnostic>,
    /// The file's units (known once `[OPTIONS]` is read).
    pub units: UnitSystem,
    /// The kind each curve is used as, set by its first use.
    pub curve_kinds: Vec<CurveKind>,
    /// Junctions whose `[JUNCTIONS]` demand a `[DEMANDS]` entry has replaced.
    pub demands_replaced: Vec<bool>,
    /// Whether each pipe's initial status was given in `[PIPES]`, for `[STATUS]`.
    pub settings: settings::Pending<'a>,
    /// The `UNITS` and `HEADLOSS` options with their line numbers, in file
    /// order, for the defaults EPANET gives a pipe as it reads it.
    pub options_read: OptionsRead,
    /// The file line each node is declared on, by node index.
    pub node_lines: Vec<usize>,
    /// The file line each link is declared on, by link index.
    pub link_lines: Vec<usize>,
    /// Ids of node and link lines refused with an error, and their lines:
    /// EPANET keeps the id of a line whose values it refuses, so the lines
    /// below that name it raise no error of their own.
    pub refused: Refused,
}

/// Ids of refused node and link lines, with the line each is on.
#[derive(Debug, Default)]
pub(crate) struct Refused {
    pub nodes: std::collections::HashMap<String, usize>,
    pub links: std::collections::HashMap<String, usize>,
}

impl Refused {
    /// Whether `id` is in `ids` (the nodes or the links) from a line above
    /// `line`.
    fn before(ids: &std::collections::HashMap<String, usize>, id: &str, line: &Line) -> bool {
        ids.get(id).is_some_and(|&at| at < line.number)
    }
}

/// The options EPANET has read by a given line of the file: it reads the
/// sections in file order, so the defaults of a short `[PIPES]` line depend
/// on whether `[OPTIONS]` came before it.
#[derive(Debug, Default)]
pub(crate) struct OptionsRead {
    /// `UNITS` lines: line number, whether the flow units are SI.
    pub units: Vec<(usize, bool)>,
    /// `HEADLOSS` lines: line number, formula.
    pub headloss: Vec<(usize, HeadlossFormula)>,
}

impl OptionsRead {
    /// Whether the flow units in force at `line` (1-based) are SI (US,
    /// EPANET's default, before any `UNITS` line).
    pub fn si_at(&self, line: usize) -> bool {
        last_before(&self.units, line).unwrap_or(false)
    }

    /// The head-loss formula in force at `line` (Hazen-Williams, EPANET's
    /// default, before any `HEADLOSS` line).
    pub fn headloss_at(&self, line: usize) -> HeadlossFormula {
        last_before(&self.headloss, line).unwrap_or(HeadlossFormula::HazenWilliams)
    }
}

/// Whether an id is one EPANET takes: 1 to [`MAX_ID`] characters, no
/// double quote ([`Reader::check_id`]'s rule, also the one by which a line
/// refused for its values keeps its id).
fn valid_id(id: &str) -> bool {
    // Ids of at most 31 bytes have at most 31 characters: only longer ones
    // need their characters counted.
    let too_long = id.len() > MAX_ID && id.chars().count() > MAX_ID;
    !id.is_empty() && !too_long && !id.bytes().any(|b| b == b'"')
}

/// The value of the last entry before `line`.
fn last_before<T: Copy>(entries: &[(usize, T)], line: usize) -> Option<T> {
    entries
        .iter()
        .rev()
        .find(|(at, _)| *at < line)
        .map(|&(_, value)| value)
}

impl<'a> Reader<'a> {
    fn new(file: &'a str) -> Self {
        let net = Network::new();
        let units = net.units();
        Reader {
            file,
            net,
            errors: Vec::new(),
            warnings: Vec::new(),
            units,
            curve_kinds: Vec::new(),
            demands_replaced: Vec::new(),
            settings: settings::Pending::default(),
            options_read: OptionsRead::default(),
            node_lines: Vec::new(),
            link_lines: Vec::new(),
            refused: Refused::default(),
        }
    }

    /// Records an error on a line and returns the marker to propagate.
    pub fn error(
        &mut self,
        line: &Line,
        code: u16,
        token: Option<&str>,
        message: impl Into<String>,
    ) -> Reported {
        let d = self.diagnostic(Some(line), Some(code), token, message.into());
        self.errors.push(d);
        Reported
    }

    /// Records a warning on a line.
    pub fn warn(&mut self, line: &Line, token: Option<&str>, message: impl Into<String>) {
        let d = self.diagnostic(Some(line), None, token, message.into());
        self.warnings.push(d);
    }

    /// Records an error that concerns the whole file or an object, not one line.
    pub fn error_global(&mut self, code: u16, token: Option<&str>, message: impl Into<String>) {
        let d = self.diagnostic(None, Some(code), token, message.into());
        self.errors.push(d);
    }

    /// Records a warning that concerns the whole file or an object.
    pub fn warn_global(&mut self, token: Option<&str>, message: impl Into<String>) {
        let d = self.diagnostic(None, None, token, message.into());
        self.warnings.push(d);
    }

    fn diagnostic(
        &self,
        line: Option<&Line>,
        code: Option<u16>,
        token: Option<&str>,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            file: self.file.to_string(),
            line: line.map_or(0, |l| l.number),
            section: line.map(|l| l.section),
            token: token.map(str::to_string),
            code,
            message,
        }
    }

    /// Token `ix` of the line, or a syntax error naming what is missing.
    pub fn token(&mut self, line: &Line<'a>, ix: usize, what: &str) -> Parsed<&'a str> {
        match line.tokens.get(ix) {
            Some(t) => Ok(*t),
            None => Err(self.error(line, code::SYNTAX, None, format!("missing {what}"))),
        }
    }

    /// Token `ix` as a number; a missing token is a syntax error, a bad one error 202.
    pub fn number(&mut self, line: &Line<'a>, ix: usize, what: &str) -> Parsed<f64> {
        let token = self.token(line, ix, what)?;
        self.parse_number(line, token, what)
    }

    /// Token `ix` as a number if present.
    pub fn opt_number(&mut self, line: &Line<'a>, ix: usize, what: &str) -> Parsed<Option<f64>> {
        match line.tokens.get(ix) {
            None => Ok(None),
            Some(token) => self.parse_number(line, token, what).map(Some),
        }
    }

    /// A token as a number, or error 202.
    pub fn parse_number(&mut self, line: &Line, token: &str, what: &str) -> Parsed<f64> {
        lexer::number(token).ok_or_else(|| {
            self.error(
                line,
                code::ILLEGAL_NUMBER,
                Some(token),
                format!("{what} is not a number"),
            )
        })
    }

    /// Checks a new object's id: at most 31 characters, no double quote.
    pub fn check_id(&mut self, line: &Line, id: &str) -> Parsed<()> {
        if !valid_id(id) {
            return Err(self.error(
                line,
                code::INVALID_ID,
                Some(id),
                format!("invalid id: ids have 1 to {MAX_ID} characters and no double quote"),
            ));
        }
        Ok(())
    }

    /// The node named by token `ix`, or error 203 if no node of that id is
    /// declared above the line (EPANET reads sections in file order).
    pub fn node(&mut self, line: &Line<'a>, ix: usize) -> Parsed<NodeIx> {
        self.node_or_refused(line, ix)?.ok_or(Reported)
    }

    /// [`Reader::node`], but `None` for a node whose line above was
    /// refused for its values: its own line's error stands for it, as in
    /// EPANET, and a link line naming it is still checked for errors of
    /// its own.
    pub fn node_or_refused(&mut self, line: &Line<'a>, ix: usize) -> Parsed<Option<NodeIx>> {
        let id = self.token(line, ix, "node id")?;
        if let Some(node) = self.declared_node(id, line) {
            return Ok(Some(node));
        }
        if Refused::before(&self.refused.nodes, id, line) {
            return Ok(None);
        }
        let later = self.net.node_ix(id).map(|n| self.node_lines[n.ix()]);
        let message = undefined_message("node", later);
        Err(self.error(line, code::UNDEFINED_NODE, Some(id), message))
    }

    /// The link named by token `ix`, or error 204 if no link of that id is
    /// declared above the line.
    pub fn link(&mut self, line: &Line<'a>, ix: usize) -> Parsed<LinkIx> {
        let id = self.token(line, ix, "link id")?;
        if let Some(link) = self.declared_link(id, line) {
            return Ok(link);
        }
        if Refused::before(&self.refused.links, id, line) {
            return Err(Reported);
        }
        let later = self.net.link_ix(id).map(|l| self.link_lines[l.ix()]);
        let message = undefined_message("link", later);
        Err(self.error(line, code::UNDEFINED_LINK, Some(id), message))
    }

    /// Notes the id of a node line just refused, unless a node of that id
    /// exists (a duplicate, whose references are the first one's).
    fn refuse_node(&mut self, line: &Line) {
        if let Some(&id) = line.tokens.first() {
            if valid_id(id) && self.net.node_ix(id).is_none() {
                self.refused
                    .nodes
                    .entry(id.to_string())
                    .or_insert(line.number);
            }
        }
    }

    /// Notes the id of a link line just refused for its values, unless a
    /// link of that id exists. EPANET checks a link's end nodes before it
    /// keeps its id, so a line refused for an end node keeps none.
    fn refuse_link(&mut self, line: &Line) {
        let [id, from, to, ..] = line.tokens[..] else {
            return;
        };
        let known = |node: &str| {
            self.declared_node(node, line).is_some()
                || Refused::before(&self.refused.nodes, node, line)
        };
        if valid_id(id) && known(from) && known(to) && self.net.link_ix(id).is_none() {
            self.refused
                .links
                .entry(id.to_string())
                .or_insert(line.number);
        }
    }

    /// The node of this id if it is declared above `line`. EPANET reads the
    /// sections in file order, so a line can only name a node declared
    /// further up, in whatever section.
    pub fn declared_node(&self, id: &str, line: &Line) -> Option<NodeIx> {
        let node = self.net.node_ix(id)?;
        self.node_declared_before(node.ix(), line).then_some(node)
    }

    /// The link of this id if it is declared above `line`.
    pub fn declared_link(&self, id: &str, line: &Line) -> Option<LinkIx> {
        let link = self.net.link_ix(id)?;
        self.link_declared_before(link.ix(), line).then_some(link)
    }

    /// Whether node `node` (an index) is declared above `line`.
    pub fn node_declared_before(&self, node: usize, line: &Line) -> bool {
        self.node_lines[node] < line.number
    }

    /// Whether link `link` (an index) is declared above `line`.
    pub fn link_declared_before(&self, link: usize, line: &Line) -> bool {
        self.link_lines[link] < line.number
    }

    /// The pattern named by a token, or error 205.
    pub fn pattern(&mut self, line: &Line, id: &str) -> Parsed<PatternIx> {
        self.net.pattern_ix(id).ok_or_else(|| {
            self.error(
                line,
                code::UNDEFINED_PATTERN,
                Some(id),
                "undefined time pattern",
            )
        })
    }

    /// The pattern named by token `ix` if there is one (`*` means none).
    pub fn opt_pattern(&mut self, line: &Line<'a>, ix: usize) -> Parsed<Option<PatternIx>> {
        match line.tokens.get(ix) {
            None => Ok(None),
            Some(&"*") => Ok(None),
            Some(id) => self.pattern(line, id).map(Some),
        }
    }

    /// The curve named by a token, or error 206; marks it as used for `kind`.
    pub fn curve(&mut self, line: &Line, id: &str, kind: CurveKind) -> Parsed<CurveIx> {
        let ix = self
            .net
            .curve_ix(id)
            .ok_or_else(|| self.error(line, code::UNDEFINED_CURVE, Some(id), "undefined curve"))?;
        let used = &mut self.curve_kinds[ix.ix()];
        if *used == CurveKind::Generic {
            *used = kind;
        } else if *used != kind {
            let message =
                format!("curve already used as a {used:?} curve cannot also be a {kind:?} curve");
            self.warn(line, Some(id), message);
        }
        Ok(ix)
    }

    /// Whether the node is a junction.
    pub fn is_junction(&self, node: NodeIx) -> bool {
        matches!(self.net.node(node).kind, NodeKind::Junction(_))
    }
}

/// The message of error 203, 204 or 216 (`what` is `node`, `link` ...),
/// saying where the object is declared when that is further down the file,
/// at line `later`.
pub(crate) fn undefined_message(what: &str, later: Option<usize>) -> String {
    match later {
        None => format!("undefined {what}"),
        Some(number) => format!(
            "undefined {what}: declared only further down, at line {number} (EPANET reads \
             sections in file order)"
        ),
    }
}

/// The warning for a line EPANET skips because the node or link it names
/// (`what`) is declared only further down, at line `later`.
pub(crate) fn ignored_message(ignored: &str, what: &str, later: usize) -> String {
    format!(
        "{ignored} ignored, as by EPANET: the {what} is declared only further down, at line \
         {later} (EPANET reads sections in file order)"
    )
}

/// Reads a whole file's text. Returns the network and warnings, or the errors.
pub(crate) fn read(text: &str, file: &str) -> (Network, Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut reader = Reader::new(file);
    let lexed = lexer::lex(text);
    for &(number, header) in &lexed.bad_headers {
        let d = Diagnostic {
            file: file.to_string(),
            line: number,
            section: None,
            token: Some(header.to_string()),
            code: Some(code::SECTION_KEYWORD),
            message: "invalid section keyword; the section's contents are ignored".to_string(),
        };
        reader.errors.push(d);
    }
    for &(number, length) in &lexed.long_lines {
        reader.warnings.push(Diagnostic {
            file: file.to_string(),
            line: number,
            section: None,
            token: None,
            code: None,
            message: format!(
                "line of {length} characters: EPANET reads lines in pieces of {} characters \
                 and would misread it; pipenet reads it whole",
                lexer::MAX_LINE
            ),
        });
    }

    // Lines are cut into tokens as each section is read, one at a time.
    let lines = &lexed.lines;
    let of = |sections: &'static [Section]| {
        lines
            .iter()
            .filter(move |l| sections.contains(&l.section))
            .map(RawLine::line)
    };

    let options: Vec<Line> = of(&[Section::Options]).collect();
    settings::read_options(&mut reader, options.iter());
    for line in of(&[Section::Title]) {
        reader.net.title.push(line.text.to_string());
    }
    each_line(lines, &[Section::Patterns], |line| {
        let _ = tables::read_pattern(&mut reader, line);
    });
    each_line(lines, &[Section::Curves], |line| {
        let _ = tables::read_curve(&mut reader, line);
    });
    let count = |sections: &[Section]| {
        lines
            .iter()
            .filter(|l| sections.contains(&l.section))
            .count()
    };
    let node_sections = [Section::Junctions, Section::Reservoirs, Section::Tanks];
    let link_sections = [Section::Pipes, Section::Pumps, Section::Valves];
    reader
        .net
        .reserve(count(&node_sections), count(&link_sections));
    each_line(lines, &[Section::Junctions], |line| {
        if nodes::read_junction(&mut reader, line).is_err() {
            reader.refuse_node(line);
        }
    });
    each_line(lines, &[Section::Reservoirs, Section::Tanks], |line| {
        if nodes::read_tank(&mut reader, line).is_err() {
            reader.refuse_node(line);
        }
    });
    reader.demands_replaced = vec![false; reader.net.nodes.len()];
    each_line(lines, &link_sections, |line| {
        let read = match line.section {
            Section::Pipes => links::read_pipe(&mut reader, line),
            Section::Pumps => links::read_pump(&mut reader, line),
            _ => links::read_valve(&mut reader, line),
        };
        if read.is_err() {
            reader.refuse_link(line);
        }
    });
    let mut line = Line::blank();
    for raw in lines.iter().filter(|l| is_other(l.section)) {
        raw.cut_into(&mut line);
        let _ = read_other(&mut reader, &line);
    }
    let rules: Vec<Line> = of(&[Section::Rules]).collect();
    controls::read_rules(&mut reader, rules.iter());

    settings::finish(&mut reader);
    tables::convert_curves(&mut reader);
    // As EPANET, a file with errors in its lines is not checked whole: a
    // refused reservoir line would otherwise add "no tanks or reservoirs".
    if reader.errors.is_empty() {
        validate::check(&mut reader);
    }

    reader.errors.sort_by_key(|d| d.line);
    (reader.net, reader.errors, reader.warnings)
}

/// Calls `read` on each line of `sections`, in file order, each cut into
/// tokens in the same buffer (a list of tokens allocated per line was a
/// sizeable part of reading a large file).
fn each_line<'a>(lines: &[RawLine<'a>], sections: &[Section], mut read: impl FnMut(&Line<'a>)) {
    let mut line = Line::blank();
    for raw in lines.iter().filter(|l| sections.contains(&l.section)) {
        raw.cut_into(&mut line);
        read(&line);
    }
}

/// Whether [`read_other`] reads lines of `section`.
fn is_other(section: Section) -> bool {
    !matches!(
        section,
        Section::Options
            | Section::Title
            | Section::Patterns
            | Section::Curves
            | Section::Junctions
            | Section::Reservoirs
            | Section::Tanks
            | Section::Pipes
            | Section::Pumps
            | Section::Valves
            | Section::Rules
    )
}

/// Reads a line of a section that refers to nodes, links, patterns or curves.
fn read_other<'a>(reader: &mut Reader<'a>, line: &Line<'a>) -> Parsed<()> {
    match line.section {
        Section::Demands => nodes::read_demand(reader, line),
        Section::Emitters => nodes::read_emitter(reader, line),
        Section::Quality => nodes::read_quality(reader, line),
        Section::Sources => nodes::read_source(reader, line),
        Section::Mixing => nodes::read_mixing(reader, line),
        Section::Coordinates => nodes::read_coordinates(reader, line),
        Section::Status => links::read_status(reader, line),
        Section::Vertices => links::read_vertex(reader, line),
        Section::Leakage => links::read_leakage(reader, line),
        Section::Tags => links::read_tag(reader, line),
        Section::Controls => controls::read_control(reader, line),
        Section::Energy => settings::read_energy(reader, line),
        Section::Reactions => settings::read_reaction(reader, line),
        Section::Report => settings::read_report(reader, line),
        Section::Times => settings::read_time(reader, line),
        Section::Labels => {
            reader.net.labels.push(line.text.to_string());
            Ok(())
        }
        Section::Backdrop => {
            reader.net.backdrop.push(line.text.to_string());
            Ok(())
        }
        _ => Ok(()),
    }
}
