//! A progress bar for long runs: shown on a terminal after the first second, never when piped.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long a run goes before its progress is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Simulated time against the run's duration, on standard error.
pub struct RunProgress {
    started: Instant,
    duration_s: u64,
    /// Whether a bar may be drawn at all (a terminal, not `--quiet`).
    enabled: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl RunProgress {
    /// A progress bar for a run of `duration_s` simulated seconds.
    pub fn new(duration_s: u64, quiet: bool) -> Self {
        RunProgress {
            started: Instant::now(),
            duration_s: duration_s.max(1),
            enabled: !quiet && std::io::stderr().is_terminal(),
            bar: None,
        }
    }

    /// Moves the bar to simulated time `time_s`, creating it once the run
    /// has taken longer than a second.
    pub fn update(&mut self, time_s: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= SHOW_AFTER {
            let bar = indicatif::ProgressBar::new(self.duration_s);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {msg} simulated, {eta} left")
            {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_message(super::clock(time_s));
            bar.set_position(time_s.min(self.duration_s));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
