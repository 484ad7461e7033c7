//! New-burst flags from daily minimum night flows: a rise above the recent baseline by more than a threshold.
//!
//! A burst that is not repaired raises the minimum night flow from the
//! night it starts onwards, so the flag marks a step: night d is flagged
//! when its MNF exceeds the baseline, the median MNF of the nights since
//! the last step (at most [`BurstSettings::baseline_days`] of them), by more
//! than the threshold. After a step, up or down (a repair), the baseline
//! starts again from the night of the step, so a burst is flagged once and
//! not again on every night it keeps running.

/// How bursts are recognised in a sequence of nightly minima.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurstSettings {
    /// Most nights in the baseline (default 7).
    pub baseline_days: usize,
    /// Fewest nights before a flag is possible (default 3).
    pub min_baseline_days: usize,
    /// A rise counts when it exceeds this fraction of the baseline MNF
    /// (default 0.06: bursts of 10 % of the MNF and more are flagged).
    pub threshold_fraction: f64,
    /// ... and this many L/s (default 0).
    pub threshold_min_ls: f64,
}

impl Default for BurstSettings {
    fn default() -> Self {
        BurstSettings {
            baseline_days: 7,
            min_baseline_days: 3,
            threshold_fraction: 0.06,
            threshold_min_ls: 0.0,
        }
    }
}

/// What one night looks like against its baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NightStep {
    /// The night's position in the input.
    pub index: usize,
    /// The baseline MNF it was compared with, L/s; `None` while the
    /// baseline has fewer than [`BurstSettings::min_baseline_days`] nights.
    pub baseline_ls: Option<f64>,
    /// MNF − baseline, L/s (0 without a baseline).
    pub rise_ls: f64,
    /// Whether the night is flagged as a new burst.
    pub burst: bool,
    /// Whether the night is a step down (a repair, or a meter fault).
    pub drop: bool,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Compares each night's minimum night flow, L/s, with its baseline and
/// flags steps (see the module documentation). Nights are consecutive
/// entries; a missing night simply is not in the list.
pub fn flag_bursts(mnf_ls: &[f64], settings: &BurstSettings) -> Vec<NightStep> {
    let mut steps = Vec::with_capacity(mnf_ls.len());
    let mut since_step = 0usize;
    for (index, &mnf) in mnf_ls.iter().enumerate() {
        let available = (index - since_step).min(settings.baseline_days);
        let mut step = NightStep {
            index,
            baseline_ls: None,
            rise_ls: 0.0,
            burst: false,
            drop: false,
        };
        if available >= settings.min_baseline_days.max(1) {
            let mut window = mnf_ls[index - available..index].to_vec();
            let baseline = median(&mut window);
            let threshold = (settings.threshold_fraction * baseline).max(settings.threshold_min_ls);
            step.baseline_ls = Some(baseline);
            step.rise_ls = mnf - baseline;
            step.burst = step.rise_ls > threshold;
            step.drop = -step.rise_ls > threshold;
            if step.burst || step.drop {
                since_step = index;
            }
        }
        steps.push(step);
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_flagged_once() {
        let mut mnf = vec![10.0, 10.1, 9.9, 10.0, 10.05, 9.95];
        mnf.extend([11.2, 11.1, 11.3, 11.2, 11.2]);
        let steps = flag_bursts(&mnf, &BurstSettings::default());
        let flagged: Vec<usize> = steps.iter().filter(|s| s.burst).map(|s| s.index).collect();
        assert_eq!(flagged, vec![6]);
        // Median of 10, 10.1, 9.9, 10, 10.05, 9.95 is 10.0: rise 1.2 L/s.
        assert!((steps[6].rise_ls - 1.2).abs() < 1e-12);
        // Nights 7..9 have too short a baseline after the step to be judged.
        assert!(steps[7].baseline_ls.is_none());
        assert!(!steps[10].burst);
    }

    #[test]
    fn a_repair_is_a_drop() {
        let mnf = [10.0, 10.0, 10.0, 10.0, 8.0, 8.0, 8.0, 8.0];
        let steps = flag_bursts(&mnf, &BurstSettings::default());
        assert!(steps[4].drop && !steps[4].burst);
        assert!(steps.iter().skip(5).all(|s| !s.drop && !s.burst));
    }
}
