//! A generated batch of PRV settings: every combination of a grid, one scenario and row each.
//!
//! A grid names PRVs and, for each, a range `FROM:TO:STEP` of settings in
//! the file's pressure units (`V1=30:45:5` is 30, 35, 40 and 45). Every
//! combination is a [`Scenario`] of `setting` edits from the start, so a
//! row equals `pipenet scenario` run with the same settings. Combinations
//! come in the order of an odometer: the last PRV's setting changes
//! fastest. A row gives the settings, the lowest customer pressure and its
//! critical node, the water out of emitters and `[LEAKAGE]`, and the
//! demand asked and delivered.

use std::io::Write;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::batch::{failed_row, run_each, run_scenario, summary_row, BatchError, BatchOptions};
use super::run::RunOptions;
use super::{Edit, Scenario};
use crate::network::{LinkKind, Network, ValveType};

/// The most combinations a grid may make.
pub const MAX_COMBINATIONS: usize = 1_000_000;

/// One PRV and the settings it takes, in the file's pressure units.
#[derive(Debug, Clone, PartialEq)]
pub struct PrvAxis {
    /// The PRV's id.
    pub prv: String,
    /// Its settings, in increasing order, file pressure units.
    pub settings: Vec<f64>,
    /// Decimals the settings are written with (the most any of FROM, TO
    /// and STEP is written with).
    pub decimals: usize,
}

/// A grid of PRV settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PrvGrid {
    /// The PRVs, in the order given.
    pub axes: Vec<PrvAxis>,
}

/// A grid that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrvGridError {
    /// A part that is not `PRV=FROM:TO:STEP`.
    #[error("'{part}' is not PRV=FROM:TO:STEP ({reason})")]
    Syntax {
        /// The part of the grid.
        part: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A PRV named twice.
    #[error("PRV '{0}' is named twice in the grid")]
    Repeated(String),
    /// An id the network does not have.
    #[error("no link '{0}' in the network")]
    UnknownLink(String),
    /// A link that is not a PRV.
    #[error("link '{0}' is not a PRV")]
    NotAPrv(String),
    /// Too many combinations.
    #[error("the grid makes {0} combinations, more than {MAX_COMBINATIONS}")]
    TooLarge(usize),
}

impl PrvGrid {
    /// Parses `PRV=FROM:TO:STEP[,PRV2=FROM:TO:STEP...]`: settings from FROM
    /// up to TO (included when a whole number of steps reaches it), STEP > 0.
    pub fn parse(text: &str) -> Result<PrvGrid, PrvGridError> {
        let mut axes: Vec<PrvAxis> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let axis = parse_axis(part)?;
            if axes.iter().any(|a| a.prv == axis.prv) {
                return Err(PrvGridError::Repeated(axis.prv));
            }
            axes.push(axis);
        }
        if axes.is_empty() {
            return Err(PrvGridError::Syntax {
                part: text.to_string(),
                reason: "no PRV named",
            });
        }
        let count = (axes.iter()).try_fold(1usize, |n, a| n.checked_mul(a.settings.len()));
        match count {
            Some(n) if n <= MAX_COMBINATIONS => Ok(PrvGrid { axes }),
            Some(n) => Err(PrvGridError::TooLarge(n)),
            None => Err(PrvGridError::TooLarge(usize::MAX)),
        }
    }

    /// Checks that every PRV of the grid is a PRV of `net`.
    pub fn check(&self, net: &Network) -> Result<(), PrvGridError> {
        for axis in &self.axes {
            let k = (net.link_ix(&axis.prv))
                .ok_or_else(|| PrvGridError::UnknownLink(axis.prv.clone()))?;
            match &net.link(k).kind {
                LinkKind::Valve(v) if v.valve_type == ValveType::Prv => {}
                _ => return Err(PrvGridError::NotAPrv(axis.prv.clone())),
            }
        }
        Ok(())
    }

    /// How many combinations the grid makes.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.settings.len()).product()
    }

    /// Whether the grid makes no combination (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The settings of combination `n`, one per PRV: the last PRV's
    /// setting changes fastest.
    pub fn combination(&self, n: usize) -> Vec<f64> {
        let mut rest = n;
        let mut settings = vec![0.0; self.axes.len()];
        for (slot, axis) in settings.iter_mut().zip(&self.axes).rev() {
            *slot = axis.settings[rest % axis.settings.len()];
            rest /= axis.settings.len();
        }
        settings
    }

    /// The settings as written in rows and names.
    fn written(&self, settings: &[f64]) -> Vec<String> {
        (self.axes.iter().zip(settings))
            .map(|(axis, value)| format!("{value:.*}", axis.decimals))
            .collect()
    }

    /// The scenario of combination `n`: `setting` edits from the start,
    /// named `PRV=SETTING ...`.
    pub fn scenario(&self, n: usize) -> Scenario {
        let settings = self.combination(n);
        let written = self.written(&settings);
        let name = (self.axes.iter().zip(&written))
            .map(|(axis, value)| format!("{}={value}", axis.prv))
            .collect::<Vec<_>>()
            .join(" ");
        let edits = (self.axes.iter().zip(&settings))
            .map(|(axis, &value)| Edit::Setting {
                link: axis.prv.clone(),
                value,
                at: None,
            })
            .collect();
        Scenario {
            name,
            edits,
            ..Scenario::default()
        }
    }

    /// Runs every combination (or the shard `options` asks for) and
    /// returns one row each, in order.
    pub fn run(
        &self,
        base: &Network,
        options: &BatchOptions,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<PrvRow>, BatchError> {
        let run_options = RunOptions {
            service_pressure_m: options.service_pressure_m,
            ..RunOptions::default()
        };
        let combinations: Vec<usize> = (0..self.len()).collect();
        run_each(&combinations, options, progress, |index, &n| {
            let scenario = self.scenario(n);
            let settings = self.written(&self.combination(n));
            match run_scenario(base, &scenario, &run_options) {
                Ok(summary) => PrvRow {
                    settings,
                    row: summary_row(base, options.units, index, &scenario, &summary),
                    leakage_m3: format!("{:.3}", summary.leakage_volume_m3),
                    delivered_m3: format!("{:.3}", summary.delivered_m3),
                },
                Err(reason) => PrvRow {
                    settings,
                    row: failed_row(index, &scenario, reason),
                    leakage_m3: String::new(),
                    delivered_m3: String::new(),
                },
            }
        })
    }

    /// The column names of the rows: one `setting_ID` column per PRV.
    pub fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = ["index", "scenario"].map(String::from).to_vec();
        columns.extend(self.axes.iter().map(|a| format!("setting_{}", a.prv)));
        columns.extend(
            [
                "status",
                "reason",
                "periods",
                "unbalanced_periods",
                "min_pressure",
                "min_pressure_node",
                "min_pressure_time_s",
                "customers_below_service",
                "leakage_m3",
                "demand_m3",
                "delivered_m3",
                "not_delivered_m3",
            ]
            .map(String::from),
        );
        columns
    }
}

/// Parses one `PRV=FROM:TO:STEP`.
fn parse_axis(part: &str) -> Result<PrvAxis, PrvGridError> {
    let syntax = |reason| PrvGridError::Syntax {
        part: part.to_string(),
        reason,
    };
    let (prv, range) = part.split_once('=').ok_or_else(|| syntax("no '='"))?;
    let texts: Vec<&str> = range.split(':').map(str::trim).collect();
    let [from, to, step] = texts[..] else {
        return Err(syntax("the range needs FROM:TO:STEP"));
    };
    let number = |text: &str| text.parse::<f64>().ok().filter(|v| v.is_finite());
    let (Some(low), Some(high), Some(step_value)) = (number(from), number(to), number(step)) else {
        return Err(syntax("FROM, TO and STEP must be numbers"));
    };
    if step_value <= 0.0 {
        return Err(syntax("STEP must be above 0"));
    }
    if high < low {
        return Err(syntax("TO is below FROM"));
    }
    if low < 0.0 {
        return Err(syntax("a PRV setting cannot be negative"));
    }
    let decimals = [from, to, step]
        .iter()
        .map(|t| t.split_once('.').map_or(0, |(_, d)| d.len()))
        .max()
        .unwrap_or(0);
    // A whole number of steps, allowing for the rounding of decimal steps.
    let steps = ((high - low) / step_value + 1e-9).floor();
    if steps + 1.0 > MAX_COMBINATIONS as f64 {
        return Err(PrvGridError::TooLarge(steps as usize + 1));
    }
    let scale = 10f64.powi(decimals as i32);
    let settings = (0..=steps as usize)
        .map(|i| ((low + i as f64 * step_value) * scale).round() / scale)
        .collect();
    Ok(PrvAxis {
        prv: prv.trim().to_string(),
        settings,
        decimals,
    })
}

/// One row of a PRV grid: the settings, then the scenario row's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PrvRow {
    /// Each PRV's setting, as written, file pressure units.
    pub settings: Vec<String>,
    /// The scenario's row (pressures in file units, volumes m³).
    pub row: super::batch::Row,
    /// Water out of emitters and `[LEAKAGE]` over the run, m³.
    pub leakage_m3: String,
    /// Customer demand delivered over the run, m³.
    pub delivered_m3: String,
}

impl PrvRow {
    /// The row's values, in the order of [`PrvGrid::columns`].
    pub fn values(&self) -> Vec<Value> {
        let r = &self.row;
        let text = |s: &str| Value::String(s.to_string());
        let mut values = vec![Value::from(r.index), text(&r.scenario)];
        values.extend(self.settings.iter().map(|s| text(s)));
        values.extend([
            text(r.status),
            text(&r.reason),
            Value::from(r.periods),
            Value::from(r.unbalanced_periods),
            r.min_pressure.as_deref().map_or(Value::Null, text),
            text(&r.min_pressure_node),
            r.min_pressure_time_s.map_or(Value::Null, Value::from),
            Value::from(r.customers_below_service),
            text(&self.leakage_m3),
            text(&r.demand_m3),
            text(&self.delivered_m3),
            text(&r.not_delivered_m3),
        ]);
        values
    }
}

/// A row with its column names, serialised as one JSON object in column order.
struct Named<'a> {
    columns: &'a [String],
    values: Vec<Value>,
}

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len()))?;
        for (column, value) in self.columns.iter().zip(&self.values) {
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}

/// Writes a grid's rows as CSV with a header line.
pub fn write_csv(out: impl Write, grid: &PrvGrid, rows: &[PrvRow]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(grid.columns())?;
    for row in rows {
        let fields = row.values().into_iter().map(|v| match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        });
        w.write_record(fields)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes a grid's rows as a JSON array, one object per row, keys in column order.
pub fn write_json(mut out: impl Write, grid: &PrvGrid, rows: &[PrvRow]) -> std::io::Result<()> {
    let columns = grid.columns();
    let named: Vec<Named> = (rows.iter())
        .map(|row| Named {
            columns: &columns,
            values: row.values(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut out, &named)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_includes_its_end_when_steps_reach_it() {
        let grid = PrvGrid::parse("V1=30:45:5").unwrap();
        assert_eq!(grid.axes[0].settings, vec![30.0, 35.0, 40.0, 45.0]);
        let grid = PrvGrid::parse("V1=30:44:5").unwrap();
        assert_eq!(grid.axes[0].settings, vec![30.0, 35.0, 40.0]);
        // 0.1 steps: 0.3 is reached despite 0.1 + 0.1 + 0.1 > 0.3 in binary.
        let grid = PrvGrid::parse("V1=0:0.3:0.1").unwrap();
        assert_eq!(grid.axes[0].settings, vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(grid.scenario(3).name, "V1=0.3");
    }

    #[test]
    fn the_last_prv_changes_fastest() {
        let grid = PrvGrid::parse("A=1:2:1, B=10:30:10").unwrap();
        assert_eq!(grid.len(), 6);
        let names: Vec<String> = (0..6).map(|n| grid.scenario(n).name).collect();
        assert_eq!(
            names,
            ["A=1 B=10", "A=1 B=20", "A=1 B=30", "A=2 B=10", "A=2 B=20", "A=2 B=30"]
        );
    }

    #[test]
    fn bad_grids_say_what_is_wrong() {
        for text in ["V1", "V1=1:2", "V1=2:1:1", "V1=1:2:0", "V1=a:2:1", ""] {
            assert!(
                matches!(PrvGrid::parse(text), Err(PrvGridError::Syntax { .. })),
                "{text}"
            );
        }
        assert_eq!(
            PrvGrid::parse("V1=1:2:1,V1=3:4:1"),
            Err(PrvGridError::Repeated("V1".to_string()))
        );
        assert!(matches!(
            PrvGrid::parse("A=0:1000:0.001,B=0:1000:0.001"),
            Err(PrvGridError::TooLarge(_))
        ));
    }
}
