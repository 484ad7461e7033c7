//! A seeded generator of DMA inflow series from a model run: the model's diurnal demand, day-to-day variation, measurement noise and bursts on chosen days.
//!
//! The series stands in for logger data where the truth is known, to test
//! night flow analysis and burst detection. The inflow at clock time t of
//! day k is
//!
//! q(t) = (Q(t) · (1 + v·zₖ) + Σ bursts running at t) · (1 + σ·z_t)
//!
//! with Q the total junction outflow of the model (demand, emitters and
//! leakage) at each report time of its first day, interpolated linearly
//! by clock time; zₖ and z_t independent standard normal numbers; v the
//! day-to-day variation and σ the noise (3 % by default), as fractions.
//! A burst is a constant extra flow, a fraction of the profile's minimum
//! night flow, starting at a random time between the end of one night
//! window and the start of the next, so it first shows in the night of its
//! day, and running until it is repaired or the series ends.

use super::flow_series::{FlowSeries, MeterSeries};
use super::timestamp::{days_from_civil, DAY_S};
use crate::hydraulics::{HydraulicsError, Simulation};
use crate::network::Network;

/// A small, fast pseudo-random generator (SplitMix64, Steele, Lea and
/// Flood 2014) with normal deviates by the Box–Muller transform; seeded,
/// so a series can be made again exactly.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal number.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// The model's total junction outflow over a day by clock time.
#[derive(Debug, Clone, PartialEq)]
pub struct DiurnalProfile {
    /// Clock times of the values, s after midnight, increasing.
    pub clock_s: Vec<i64>,
    /// Total junction outflow at each, L/s.
    pub flow_ls: Vec<f64>,
}

impl DiurnalProfile {
    /// Runs `net` for its first 24 hours and records the total junction
    /// outflow (demand, emitters and leakage) at each report time.
    pub fn from_model(net: &Network) -> Result<Self, HydraulicsError> {
        let mut sim = Simulation::new(net)?;
        let mut points: Vec<(i64, f64)> = Vec::new();
        loop {
            sim.solve_period();
            if sim.is_report_time() && sim.time_s() < 86_400 {
                let state = sim.state();
                let total_m3s: f64 = net
                    .nodes
                    .iter()
                    .zip(&state.node_demand_m3s)
                    .filter(|(n, _)| n.is_junction())
                    .map(|(_, &q)| q)
                    .sum();
                let clock = ((sim.time_s() + net.times.start_clock_s) % 86_400) as i64;
                points.push((clock, total_m3s * 1000.0));
            }
            if sim.time_s() >= 86_400 || sim.advance() == 0 {
                break;
            }
        }
        points.sort_by_key(|p| p.0);
        Ok(DiurnalProfile {
            clock_s: points.iter().map(|p| p.0).collect(),
            flow_ls: points.iter().map(|p| p.1).collect(),
        })
    }

    /// Flow at a clock time, L/s, interpolated linearly and wrapping round midnight.
    pub fn at(&self, clock_s: i64) -> f64 {
        let n = self.clock_s.len();
        if n == 0 {
            return 0.0;
        }
        if n == 1 {
            return self.flow_ls[0];
        }
        let c = clock_s.rem_euclid(DAY_S);
        let after = self.clock_s.partition_point(|&t| t <= c);
        let (i0, i1) = if after == 0 || after == n {
            (n - 1, 0)
        } else {
            (after - 1, after)
        };
        let t0 = self.clock_s[i0];
        let mut t1 = self.clock_s[i1];
        let mut cc = c;
        if t1 <= t0 {
            t1 += DAY_S;
            if cc < t0 {
                cc += DAY_S;
            }
        }
        let w = (cc - t0) as f64 / (t1 - t0) as f64;
        self.flow_ls[i0] + w * (self.flow_ls[i1] - self.flow_ls[i0])
    }

    /// The lowest flow between two clock times, L/s, sampled every minute.
    pub fn minimum_ls(&self, from_clock_s: i64, to_clock_s: i64) -> f64 {
        (from_clock_s..=to_clock_s)
            .step_by(60)
            .map(|c| self.at(c))
            .fold(f64::INFINITY, f64::min)
    }
}

/// A burst put into a generated series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratedBurst {
    /// Index of the day whose night first shows it, from the series' first day.
    pub day: usize,
    /// When it starts, s since 1970.
    pub start_s: i64,
    /// When it is repaired, s since 1970 (`None`: it runs to the end).
    pub end_s: Option<i64>,
    /// Its flow, L/s.
    pub flow_ls: f64,
    /// Its flow as a fraction of the profile's minimum night flow.
    pub fraction: f64,
}

/// How a series is generated.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorSettings {
    /// Seed of the random numbers.
    pub seed: u64,
    /// Days in the series.
    pub days: usize,
    /// Interval between readings, s (default 900).
    pub step_s: i64,
    /// The series' first date, day number from 1970 (default 2024-01-01).
    pub first_day: i64,
    /// Measurement noise, a fraction of the flow (default 0.03).
    pub noise: f64,
    /// Day-to-day variation of the whole flow, a fraction (default 0).
    pub day_variation: f64,
    /// Bursts: (day index, fraction of the minimum night flow, days until
    /// repaired or `None`).
    pub bursts: Vec<(usize, f64, Option<usize>)>,
    /// Night window used to place bursts and size them, s after midnight
    /// (default 02:00 to 04:00).
    pub window_s: (i64, i64),
}

impl Default for GeneratorSettings {
    fn default() -> Self {
        GeneratorSettings {
            seed: 1,
            days: 60,
            step_s: 900,
            first_day: days_from_civil(2024, 1, 1),
            noise: 0.03,
            day_variation: 0.0,
            bursts: Vec::new(),
            window_s: (2 * 3600, 4 * 3600),
        }
    }
}

/// Chooses `count` burst days at random for a series of `days` days: the
/// first after `first` days (so a baseline exists), at least `spacing`
/// days apart, each of 10 to 20 % of the minimum night flow and repaired
/// after 3 to 7 days. Returns fewer when the days do not fit.
pub fn random_bursts(
    rng: &mut Rng,
    days: usize,
    count: usize,
    first: usize,
    spacing: usize,
) -> Vec<(usize, f64, Option<usize>)> {
    let mut bursts = Vec::new();
    let mut earliest = first;
    for left in (1..=count).rev() {
        let room = days.saturating_sub(earliest + (left - 1) * spacing);
        if room == 0 {
            break;
        }
        let slack = (room / left).max(1);
        let day = earliest + (rng.uniform() * slack as f64) as usize;
        let fraction = 0.10 + 0.10 * rng.uniform();
        let repair = 3 + (rng.uniform() * 5.0) as usize;
        bursts.push((day, fraction, Some(repair)));
        earliest = day + spacing;
    }
    bursts
}

/// Makes a DMA inflow series (see the module documentation) and the
/// bursts it contains.
pub fn generate_series(
    profile: &DiurnalProfile,
    settings: &GeneratorSettings,
) -> (FlowSeries, Vec<GeneratedBurst>) {
    let mut rng = Rng::new(settings.seed);
    let (window_start, window_end) = settings.window_s;
    let mnf_ls = profile.minimum_ls(window_start, window_end);
    let t0 = settings.first_day * DAY_S;

    let bursts: Vec<GeneratedBurst> = settings
        .bursts
        .iter()
        .map(|&(day, fraction, repair_days)| {
            // From the end of the previous night's window to the start of this one.
            let earliest = t0 + (day as i64 - 1) * DAY_S + window_end;
            let span = DAY_S - (window_end - window_start);
            let start_s = earliest + (rng.uniform() * span as f64) as i64;
            GeneratedBurst {
                day,
                start_s,
                end_s: repair_days.map(|d| start_s + d as i64 * DAY_S),
                flow_ls: fraction * mnf_ls,
                fraction,
            }
        })
        .collect();

    let readings_per_day = (DAY_S / settings.step_s.max(1)) as usize;
    let mut times_s = Vec::with_capacity(settings.days * readings_per_day);
    let mut flow_ls = Vec::with_capacity(times_s.capacity());
    for day in 0..settings.days {
        let day_factor = 1.0 + settings.day_variation * rng.normal();
        for k in 0..readings_per_day {
            let clock = k as i64 * settings.step_s;
            let t = t0 + day as i64 * DAY_S + clock;
            let burst_ls: f64 = bursts
                .iter()
                .filter(|b| t >= b.start_s && b.end_s.is_none_or(|e| t < e))
                .map(|b| b.flow_ls)
                .sum();
            let q =
                (profile.at(clock) * day_factor + burst_ls) * (1.0 + settings.noise * rng.normal());
            times_s.push(t);
            flow_ls.push(q.max(0.0));
        }
    }
    let series = FlowSeries {
        times_s,
        inflow: MeterSeries {
            name: "inflow".into(),
            flow_ls,
        },
        outflows: Vec::new(),
        submeters: Vec::new(),
    };
    (series, bursts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_interpolates_round_midnight() {
        let p = DiurnalProfile {
            clock_s: vec![0, 43_200],
            flow_ls: vec![10.0, 20.0],
        };
        assert_eq!(p.at(21_600), 15.0);
        assert_eq!(p.at(64_800), 15.0);
        assert_eq!(p.minimum_ls(0, 3600), 10.0);
    }

    #[test]
    fn normal_deviates_have_unit_spread() {
        let mut rng = Rng::new(7);
        let z: Vec<f64> = (0..20_000).map(|_| rng.normal()).collect();
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / z.len() as f64;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.05);
    }

    #[test]
    fn bursts_raise_the_flow_from_their_start() {
        let p = DiurnalProfile {
            clock_s: vec![0],
            flow_ls: vec![10.0],
        };
        let settings = GeneratorSettings {
            days: 10,
            noise: 0.0,
            bursts: vec![(5, 0.15, None)],
            ..Default::default()
        };
        let (series, bursts) = generate_series(&p, &settings);
        let b = bursts[0];
        assert!((b.flow_ls - 1.5).abs() < 1e-12);
        let night = |day: i64| {
            let t = settings.first_day * DAY_S + day * DAY_S + 3 * 3600;
            series.inflow.flow_ls[series.times_s.partition_point(|&x| x < t)]
        };
        assert_eq!(night(4), 10.0);
        assert_eq!(night(5), 11.5);
    }
}
