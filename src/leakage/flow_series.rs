//! Metered flow series of a district metered area (DMA): inlet, outlets and sub-meters, read from CSV.
//!
//! The CSV has a header. The first column is the timestamp
//! (`YYYY-MM-DD HH:MM[:SS]` or seconds); a column named `inflow` (or the
//! second column) is the DMA's inlet meter; columns whose names start with
//! `outflow` are flows leaving the DMA through metered outlets; columns
//! whose names start with `sub` are sub-meters inside the DMA (large
//! users, sub-zones), checked against the inlet but not subtracted. Flows
//! are in litres per second unless the caller scales them.

use std::path::Path;

use super::timestamp;

/// Why a flow series cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FlowSeriesError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("{file}: {source}")]
    Csv {
        /// The file.
        file: String,
        /// What went wrong.
        source: csv::Error,
    },
    /// A field is not a number or a timestamp.
    #[error("{file}:{line}: column {column}: cannot read {text:?} as {expected}")]
    Field {
        /// The file.
        file: String,
        /// Line number, 1-based.
        line: u64,
        /// Column name.
        column: String,
        /// The text found.
        text: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// Timestamps do not increase.
    #[error("{file}:{line}: timestamp {text:?} does not come after the one before")]
    Order {
        /// The file.
        file: String,
        /// Line number, 1-based.
        line: u64,
        /// The timestamp.
        text: String,
    },
    /// The file has no inflow column or no rows.
    #[error("{file}: {what}")]
    Shape {
        /// The file.
        file: String,
        /// What is missing.
        what: String,
    },
}

/// One meter's readings.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterSeries {
    /// The column name.
    pub name: String,
    /// Flow at each timestamp, L/s; NaN where the reading is missing.
    pub flow_ls: Vec<f64>,
}

/// A DMA's metered flows on a common time base.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowSeries {
    /// Timestamps, s since 1970-01-01 00:00 (local clock time).
    pub times_s: Vec<i64>,
    /// The inlet meter.
    pub inflow: MeterSeries,
    /// Metered outlets, subtracted from the inflow.
    pub outflows: Vec<MeterSeries>,
    /// Sub-meters inside the DMA, checked but not subtracted.
    pub submeters: Vec<MeterSeries>,
}

impl FlowSeries {
    /// Net flow into the DMA at each timestamp: inflow − Σ outflows, L/s.
    pub fn net_inflow_ls(&self) -> Vec<f64> {
        (0..self.times_s.len())
            .map(|t| {
                self.inflow.flow_ls[t] - self.outflows.iter().map(|o| o.flow_ls[t]).sum::<f64>()
            })
            .collect()
    }

    /// The typical interval between readings (the median), s.
    pub fn interval_s(&self) -> i64 {
        let mut steps: Vec<i64> = self.times_s.windows(2).map(|w| w[1] - w[0]).collect();
        if steps.is_empty() {
            return 0;
        }
        steps.sort_unstable();
        steps[steps.len() / 2]
    }

    /// Reads a series from CSV text; `file` names it in errors and
    /// `scale_to_ls` converts the file's flow unit to L/s.
    pub fn from_csv_str(text: &str, file: &str, scale_to_ls: f64) -> Result<Self, FlowSeriesError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let csv_error = |source| FlowSeriesError::Csv {
            file: file.to_string(),
            source,
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_string)
            .collect();
        if headers.len() < 2 {
            return Err(FlowSeriesError::Shape {
                file: file.to_string(),
                what: "needs a timestamp column and an inflow column".into(),
            });
        }
        let lower: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
        let inflow_col = lower.iter().position(|h| h == "inflow").unwrap_or(1);
        let outflow_cols: Vec<usize> = (1..headers.len())
            .filter(|&c| lower[c].starts_with("outflow"))
            .collect();
        let sub_cols: Vec<usize> = (1..headers.len())
            .filter(|&c| lower[c].starts_with("sub"))
            .collect();
        let meter = |c: usize| MeterSeries {
            name: headers[c].clone(),
            flow_ls: Vec::new(),
        };
        let mut series = FlowSeries {
            times_s: Vec::new(),
            inflow: meter(inflow_col),
            outflows: outflow_cols.iter().map(|&c| meter(c)).collect(),
            submeters: sub_cols.iter().map(|&c| meter(c)).collect(),
        };

        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |c: usize| record.get(c).unwrap_or("");
            let bad = |c: usize, expected| FlowSeriesError::Field {
                file: file.to_string(),
                line,
                column: headers[c].clone(),
                text: field(c).to_string(),
                expected,
            };
            let t = timestamp::parse(field(0)).ok_or_else(|| bad(0, "a timestamp"))?;
            if series.times_s.last().is_some_and(|&last| t <= last) {
                return Err(FlowSeriesError::Order {
                    file: file.to_string(),
                    line,
                    text: field(0).to_string(),
                });
            }
            series.times_s.push(t);
            let flow = |c: usize| -> Result<f64, FlowSeriesError> {
                let text = field(c);
                if text.is_empty() {
                    return Ok(f64::NAN);
                }
                text.parse::<f64>()
                    .map(|q| q * scale_to_ls)
                    .map_err(|_| bad(c, "a flow"))
            };
            series.inflow.flow_ls.push(flow(inflow_col)?);
            for (m, &c) in series.outflows.iter_mut().zip(&outflow_cols) {
                m.flow_ls.push(flow(c)?);
            }
            for (m, &c) in series.submeters.iter_mut().zip(&sub_cols) {
                m.flow_ls.push(flow(c)?);
            }
        }
        if series.times_s.is_empty() {
            return Err(FlowSeriesError::Shape {
                file: file.to_string(),
                what: "has no readings".into(),
            });
        }
        Ok(series)
    }

    /// Reads a series from a CSV file (see [`FlowSeries::from_csv_str`]).
    pub fn read_csv(path: &Path, scale_to_ls: f64) -> Result<Self, FlowSeriesError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| FlowSeriesError::Io {
            file: file.clone(),
            source,
        })?;
        Self::from_csv_str(&text, &file, scale_to_ls)
    }

    /// Writes the series as CSV: timestamp, inflow, outflows, sub-meters (L/s).
    pub fn write_csv(&self, out: impl std::io::Write) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec!["timestamp".to_string(), self.inflow.name.clone()];
        header.extend(self.outflows.iter().map(|m| m.name.clone()));
        header.extend(self.submeters.iter().map(|m| m.name.clone()));
        w.write_record(&header)?;
        for (t, &time) in self.times_s.iter().enumerate() {
            let mut row = vec![
                timestamp::format(time),
                format!("{:.4}", self.inflow.flow_ls[t]),
            ];
            for m in self.outflows.iter().chain(&self.submeters) {
                row.push(format!("{:.4}", m.flow_ls[t]));
            }
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name() {
        let text = "time,sub_school,inflow,outflow_b\n\
                    2024-01-01 02:00,0.5,10,2\n\
                    2024-01-01 02:15,0.4,11,\n";
        let s = FlowSeries::from_csv_str(text, "t.csv", 1.0).unwrap();
        assert_eq!(s.inflow.flow_ls, vec![10.0, 11.0]);
        assert_eq!(s.submeters[0].name, "sub_school");
        assert_eq!(s.net_inflow_ls()[0], 8.0);
        assert!(s.net_inflow_ls()[1].is_nan());
        assert_eq!(s.interval_s(), 900);
    }

    #[test]
    fn bad_fields_name_line_and_column() {
        let text = "time,inflow\n2024-01-01 02:00,ten\n";
        let e = FlowSeries::from_csv_str(text, "t.csv", 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:2: column inflow: cannot read \"ten\" as a flow"
        );
    }
}
