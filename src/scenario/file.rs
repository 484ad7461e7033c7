//! Scenario files (TOML): one scenario at the top level, or many as `[[scenario]]` tables.
//!
//! ```toml
//! name = "main 10 shut for repair"
//! [[edit]]
//! type = "close"
//! link = "10"
//! at = "6:00"
//! [report]
//! service_pressure = 30
//! ```
//!
//! or, for a batch, the same tables under `[[scenario]]` and
//! `[[scenario.edit]]`. Errors name the file, the line and the problem;
//! problems found when the edits meet a network (an unknown link id, ...)
//! are placed on the line of the field at fault too (see [`Origin`]).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Edit, ReportSpec, Scenario};

/// Why a scenario file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioFileError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not a valid scenario file.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Where a scenario's parts are in its file: the line of each edit and of
/// each of its fields, to place errors found later.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Origin {
    /// The file name.
    pub file: String,
    /// The line of the scenario's name (or of its table).
    pub line: usize,
    /// Per edit: its first line and the line of each of its keys.
    pub edits: Vec<Lines>,
    /// The `[report]` table's lines, if there is one.
    pub report: Option<Lines>,
}

/// The lines of one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lines {
    /// The table's first line.
    pub start: usize,
    /// Each key and the line it is on.
    pub keys: Vec<(String, usize)>,
}

impl Origin {
    /// The line of `field` in edit `n` (`usize::MAX`: the report table), or
    /// of the edit, or of the scenario.
    pub fn line_of(&self, n: usize, field: &str) -> usize {
        let lines = if n == usize::MAX {
            self.report.as_ref()
        } else {
            self.edits.get(n)
        };
        let Some(lines) = lines else {
            return self.line;
        };
        lines
            .keys
            .iter()
            .find(|(k, _)| k == field)
            .map_or(lines.start, |&(_, l)| l)
    }
}

/// Reads every scenario of a file.
pub fn read_file(path: impl AsRef<Path>) -> Result<Vec<Scenario>, ScenarioFileError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioFileError::Io {
        file: file.clone(),
        source,
    })?;
    read_str(&text, &file)
}

/// Reads every scenario of TOML text; `file` names it in errors.
pub fn read_str(text: &str, file: &str) -> Result<Vec<Scenario>, ScenarioFileError> {
    let doc: RawDocument = toml::from_str(text).map_err(|e| ScenarioFileError::Invalid {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_at(text, s.start)),
        message: e.message().to_string(),
    })?;
    let source = Source { text, file };
    let top = RawScenario {
        name: doc.name,
        description: doc.description,
        edit: doc.edit,
        report: doc.report,
    };
    match (doc.scenario.is_empty(), top.name.is_some()) {
        (true, _) => Ok(vec![source.scenario(top, 1)?]),
        (false, false) if top.edit.is_empty() && top.report.is_none() => doc
            .scenario
            .into_iter()
            .map(|s| {
                let line = line_at(text, s.span().start);
                source.scenario(s.into_inner(), line)
            })
            .collect(),
        (false, _) => Err(source.invalid(
            1,
            "give either one scenario at the top level or [[scenario]] tables, not both",
        )),
    }
}

/// The whole file: `[[scenario]]` tables, or one scenario's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    #[serde(default)]
    scenario: Vec<Spanned<RawScenario>>,
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    edit: Vec<Spanned<toml::Table>>,
    report: Option<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    edit: Vec<Spanned<toml::Table>>,
    report: Option<Spanned<toml::Table>>,
}

struct Source<'a> {
    text: &'a str,
    file: &'a str,
}

impl Source<'_> {
    fn invalid(&self, line: usize, message: impl Into<String>) -> ScenarioFileError {
        ScenarioFileError::Invalid {
            file: self.file.to_string(),
            line,
            message: message.into(),
        }
    }

    /// A scenario from its raw tables, each edit checked against [`Edit`].
    fn scenario(&self, raw: RawScenario, line: usize) -> Result<Scenario, ScenarioFileError> {
        let Some(name) = raw.name else {
            return Err(self.invalid(line, "a scenario needs a name"));
        };
        let mut origin = Origin {
            file: self.file.to_string(),
            line: line_at(self.text, name.span().start),
            edits: Vec::new(),
            report: None,
        };
        let mut edits = Vec::new();
        for table in raw.edit {
            let lines = self.lines(table.span());
            let value = toml::Value::Table(table.into_inner());
            let edit: Edit = value
                .try_into()
                .map_err(|e: toml::de::Error| self.placed(&lines, e.message()))?;
            edits.push(edit);
            origin.edits.push(lines);
        }
        let report = match raw.report {
            Some(table) => {
                let lines = self.lines(table.span());
                let value = toml::Value::Table(table.into_inner());
                let report: ReportSpec = value
                    .try_into()
                    .map_err(|e: toml::de::Error| self.placed(&lines, e.message()))?;
                origin.report = Some(lines);
                report
            }
            None => ReportSpec::default(),
        };
        Ok(Scenario {
            name: name.into_inner(),
            description: raw.description,
            edits,
            report,
            origin: Some(origin),
        })
    }

    /// An error inside a table, on the line of the key it names in
    /// backquotes (`type` for an unknown variant), or of the value it quotes, if there is one.
    fn placed(&self, lines: &Lines, message: &str) -> ScenarioFileError {
        let named = if message.starts_with("unknown variant") {
            "type"
        } else {
            message.split('`').nth(1).unwrap_or("\0")
        };
        let quoted = message.split('"').nth(1).map(|q| format!("\"{q}\""));
        let line = (lines.keys.iter())
            .find(|(k, _)| k == named)
            .map(|&(_, l)| l)
            .or_else(|| {
                let quoted = quoted?;
                let text: Vec<&str> = self.text.lines().collect();
                (lines.keys.iter())
                    .find(|(_, l)| text.get(l - 1).is_some_and(|t| t.contains(&quoted)))
                    .map(|&(_, l)| l)
            })
            .unwrap_or(lines.start);
        self.invalid(line, message.trim())
    }

    /// The first line of a table and the line of each `key =` in it: the
    /// lines from its header (or first key) to the next table header.
    fn lines(&self, span: std::ops::Range<usize>) -> Lines {
        let start = line_at(self.text, span.start);
        let body = self.text.get(span.start..).unwrap_or("");
        let mut keys = Vec::new();
        for (i, l) in body.lines().enumerate() {
            let trimmed = l.trim_start();
            if trimmed.starts_with('[') {
                if i == 0 {
                    continue;
                }
                break;
            }
            let Some((key, _)) = trimmed.split_once('=') else {
                continue;
            };
            let key = key.trim().trim_matches('"');
            let plain = !key.is_empty()
                && (key.chars()).all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if plain {
                keys.push((key.to_string(), start + i));
            }
        }
        Lines { start, keys }
    }
}

/// The line (from 1) of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"name = "one"

[[edit]]
type = "close"
link = "10"
at = "6:00"

[[edit]]
type = "scale_demands"
factor = 1.2
"#;

    #[test]
    fn one_scenario_at_the_top_level() {
        let s = read_str(ONE, "one.toml").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].edits.len(), 2);
        let origin = s[0].origin.as_ref().unwrap();
        assert_eq!(origin.line_of(0, "link"), 5);
        assert_eq!(origin.line_of(1, "factor"), 10);
    }

    #[test]
    fn many_scenarios_as_tables() {
        let text = r#"
[[scenario]]
name = "a"
[[scenario.edit]]
type = "open"
link = "10"

[[scenario]]
name = "b"
"#;
        let s = read_str(text, "many.toml").unwrap();
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s[0].edits.len(), 1);
    }

    #[test]
    fn an_unknown_edit_field_is_placed_on_its_line() {
        let text = ONE.replace("link = \"10\"", "lnk = \"10\"");
        let e = read_str(&text, "bad.toml").unwrap_err().to_string();
        assert!(e.starts_with("bad.toml:5: unknown field `lnk`"), "{e}");
    }

    #[test]
    fn an_unknown_edit_type_names_the_choices() {
        let text = ONE.replace("\"close\"", "\"shut\"");
        let e = read_str(&text, "bad.toml").unwrap_err().to_string();
        assert!(e.starts_with("bad.toml:4: unknown variant `shut`"), "{e}");
    }

    #[test]
    fn toml_syntax_errors_give_the_line() {
        let e = read_str("name = \"x\"\n\n[[edit]\n", "syntax.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("syntax.toml:3:"), "{e}");
    }

    #[test]
    fn a_bad_time_is_an_error_not_a_panic() {
        let text = ONE.replace("\"6:00\"", "\"6:75\"");
        let e = read_str(&text, "t.toml").unwrap_err().to_string();
        assert!(e.contains("t.toml:6:"), "{e}");
    }
}
