//! Per-zone figures of a run: inflow, demand, pressures, leakage, energy and water age.
//!
//! A [`ZoneMeter`] watches the hydraulic periods of a run on a
//! [`ResolvedLayout`]'s network and sums, per zone:
//!
//! - inflow: the net flow into the zone through its boundary links plus
//!   what its own reservoirs and tanks supply (with the network's own
//!   leakage this equals demand + leakage, by conservation of mass);
//! - demand: the demand delivered to its junctions;
//! - leakage: the emitter and `[LEAKAGE]` outflow of its junctions, or,
//!   for a zone with a baseline, L = L0 · (AZP / P0)^N1 (FAVAD) at each
//!   period's average zone pressure AZP;
//! - the lowest pressure (the critical node), the highest, and the
//!   average zone pressure AZP(t) = Σ wᵢ pᵢ(t) / Σ wᵢ over its supplied
//!   junctions, with wᵢ half the length of the pipes at junction i
//!   ([`Weighting::Length`]) or its base demand ([`Weighting::Demand`]);
//!   equal weights if all are 0;
//! - energy: the pumps whose downstream node is in the zone, in kWh per
//!   day (EPANET's average power × time on line);
//! - water age: the mean (weighted as AZP) and maximum age of its
//!   junctions over the report times of the last 24 h of the run.
//!
//! Rates are averaged over time: each period's value holds over the step
//! that follows it (as in EPANET's flow balance); a single-period run
//! counts its one period as one second.

use serde::Serialize;

use crate::hydraulics::{EnergySummary, HydraulicState, HydraulicsError, Simulation};
use crate::network::{LinkKind, Network, NodeKind, QualityKind};
use crate::quality::QualitySimulation;
use crate::scenario::run::PRESSURE_TIE_M;
use crate::scenario::zones::{ResolvedLayout, Weighting, Zone};

/// Seconds per day.
const DAY_S: f64 = 86_400.0;

/// A pressure in m of head at a node, and when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PressureAt {
    /// Pressure head, m.
    pub pressure_m: f64,
    /// The node's index.
    pub node: usize,
    /// Time, s.
    pub time_s: u64,
}

/// One zone's values at one period, SI.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ZonePeriod {
    /// Net inflow, m³/s.
    pub inflow_m3s: f64,
    /// Demand delivered, m³/s.
    pub demand_m3s: f64,
    /// Leakage, m³/s.
    pub leakage_m3s: f64,
    /// Average zone pressure, m (NaN if no junction is supplied).
    pub average_pressure_m: f64,
    /// Lowest junction pressure, m, and its node (`None`: no junction supplied).
    pub min_pressure: Option<(f64, usize)>,
}

/// The values of every zone at one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// Time, s.
    pub time_s: u64,
    /// The step that follows, s (the weight of the period).
    pub step_s: f64,
    /// One entry per zone.
    pub zones: Vec<ZonePeriod>,
}

/// One zone's figures over a run, SI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneFigures {
    /// The zone's name.
    pub name: String,
    /// Nodes in the zone.
    pub nodes: usize,
    /// Junctions in the zone.
    pub junctions: usize,
    /// Mean net inflow, m³/s.
    pub inflow_m3s: f64,
    /// Mean demand delivered, m³/s.
    pub demand_m3s: f64,
    /// Mean leakage, m³/s.
    pub leakage_m3s: f64,
    /// Leakage volume per day, m³.
    pub leakage_m3_per_day: f64,
    /// `"network"` (emitters and `[LEAKAGE]`) or `"baseline"` (FAVAD from L0 at P0).
    pub leakage_from: &'static str,
    /// Time-mean average zone pressure, m.
    pub average_pressure_m: Option<f64>,
    /// Lowest junction pressure: the critical node.
    pub min_pressure: Option<PressureAt>,
    /// Highest junction pressure.
    pub max_pressure: Option<PressureAt>,
    /// Pump energy per day, kWh.
    pub energy_kwh_per_day: f64,
    /// Mean water age, h.
    pub mean_age_h: Option<f64>,
    /// Highest water age, h.
    pub max_age_h: Option<f64>,
    /// Periods in which some junction of the zone was cut off from every source.
    pub cut_off_periods: usize,
}

/// A layout's figures over a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutFigures {
    /// The layout's name.
    pub name: String,
    /// Per zone.
    pub zones: Vec<ZoneFigures>,
    /// Warnings about the layout and the run.
    pub warnings: Vec<String>,
    /// Hydraulic periods solved.
    pub periods: usize,
    /// Periods that did not converge.
    pub unbalanced_periods: usize,
}

/// Watches the periods of a run and sums them per zone.
pub struct ZoneMeter<'a> {
    net: &'a Network,
    zones: &'a [Zone],
    zone_of: &'a [usize],
    /// Weight of each node in its zone's average pressure.
    weight: Vec<f64>,
    /// Every period seen.
    pub periods: Vec<Period>,
    min: Vec<Option<PressureAt>>,
    max: Vec<Option<PressureAt>>,
    cut_off: Vec<usize>,
    age_sum: Vec<(f64, f64)>,
    age_max: Vec<Option<f64>>,
}

impl<'a> ZoneMeter<'a> {
    /// A meter for the zones of `layout`.
    pub fn new(layout: &'a ResolvedLayout) -> Self {
        let net = &layout.applied.network;
        let n = layout.zones.len();
        ZoneMeter {
            net,
            zones: &layout.zones,
            zone_of: &layout.zone_of,
            weight: junction_weights(net, &layout.zones, layout.weighting),
            periods: Vec::new(),
            min: vec![None; n],
            max: vec![None; n],
            cut_off: vec![0; n],
            age_sum: vec![(0.0, 0.0); n],
            age_max: vec![None; n],
        }
    }

    /// Takes in the solution of the period at `time_s`; its step is set
    /// by [`ZoneMeter::end_period`].
    pub fn observe(&mut self, time_s: u64, state: &HydraulicState) {
        let units = self.net.units();
        let mut zones = Vec::with_capacity(self.zones.len());
        for (z, zone) in self.zones.iter().enumerate() {
            let mut p = ZonePeriod {
                inflow_m3s: self.inflow_m3s(z, zone, state),
                ..ZonePeriod::default()
            };
            let (mut wp, mut w, mut cut) = (0.0, 0.0, false);
            for &i in &zone.nodes {
                let node = &self.net.nodes[i];
                if !node.is_junction() {
                    continue;
                }
                p.demand_m3s += state.demand_flow_m3s[i];
                p.leakage_m3s += state.emitter_flow_m3s[i] + state.leakage_flow_m3s[i];
                if !state.connected[i] {
                    cut = true;
                    continue;
                }
                let pressure = state.head_m[i] - node.elevation_m;
                wp += self.weight[i] * pressure;
                w += self.weight[i];
                let here = PressureAt {
                    pressure_m: pressure,
                    node: i,
                    time_s,
                };
                if p.min_pressure
                    .is_none_or(|(m, _)| pressure < m - PRESSURE_TIE_M)
                {
                    p.min_pressure = Some((pressure, i));
                }
                extreme(&mut self.min[z], here, |a, b| a < b - PRESSURE_TIE_M);
                extreme(&mut self.max[z], here, |a, b| a > b + PRESSURE_TIE_M);
            }
            p.average_pressure_m = if w > 0.0 { wp / w } else { f64::NAN };
            if let Some(baseline) = &zone.leakage {
                let p_m = p.average_pressure_m;
                let l0 = baseline.l0 * units.flow;
                let p0 = baseline.p0 * units.pressure;
                p.leakage_m3s = if p_m.is_nan() {
                    0.0
                } else {
                    crate::scenario::zones::favad_scale(l0, p0, p_m, baseline.n1)
                };
            }
            self.cut_off[z] += usize::from(cut);
            zones.push(p);
        }
        self.periods.push(Period {
            time_s,
            step_s: 0.0,
            zones,
        });
    }

    /// Sets the step that follows the last period observed, s.
    pub fn end_period(&mut self, step_s: u64) {
        if let Some(last) = self.periods.last_mut() {
            last.step_s = step_s as f64;
        }
    }

    /// Takes in node water ages (h) at a report time in the age window.
    pub fn observe_age(&mut self, age_h: &[f64]) {
        for (z, zone) in self.zones.iter().enumerate() {
            let (mut wa, mut w, mut max) = (0.0, 0.0, None::<f64>);
            for &i in zone
                .nodes
                .iter()
                .filter(|&&i| self.net.nodes[i].is_junction())
            {
                let a = age_h[i];
                wa += self.weight[i] * a;
                w += self.weight[i];
                max = Some(max.map_or(a, |m| m.max(a)));
            }
            if w > 0.0 {
                self.age_sum[z].0 += wa / w;
                self.age_sum[z].1 += 1.0;
            }
            if let Some(m) = max {
                self.age_max[z] = Some(self.age_max[z].map_or(m, |x: f64| x.max(m)));
            }
        }
    }

    /// Net flow into zone `z` through its boundary, plus its sources' supply, m³/s.
    fn inflow_m3s(&self, z: usize, zone: &Zone, state: &HydraulicState) -> f64 {
        let mut q = 0.0;
        for &k in &zone.boundary {
            let link = &self.net.links[k];
            if self.zone_of[link.to.ix()] == z {
                q += state.flow_m3s[k];
            } else {
                q -= state.flow_m3s[k];
            }
        }
        for &i in &zone.nodes {
            if !self.net.nodes[i].is_junction() {
                q -= state.node_demand_m3s[i];
            }
        }
        q
    }

    /// The figures of every zone, with the run's pump energy.
    pub fn figures(&self, energy: &EnergySummary) -> Vec<ZoneFigures> {
        let total_s: f64 = self.periods.iter().map(|p| p.step_s).sum();
        let single = total_s == 0.0;
        let weight = |p: &Period| if single { 1.0 } else { p.step_s };
        let span = if single { 1.0 } else { total_s };
        let mean = |z: usize, f: &dyn Fn(&ZonePeriod) -> f64| {
            self.periods
                .iter()
                .map(|p| f(&p.zones[z]) * weight(p))
                .sum::<f64>()
                / span
        };
        (self.zones.iter().enumerate())
            .map(|(z, zone)| {
                let leakage = mean(z, &|p| p.leakage_m3s);
                let azp_weight: f64 = (self.periods.iter())
                    .filter(|p| !p.zones[z].average_pressure_m.is_nan())
                    .map(weight)
                    .sum();
                let azp_sum: f64 = (self.periods.iter())
                    .filter(|p| !p.zones[z].average_pressure_m.is_nan())
                    .map(|p| p.zones[z].average_pressure_m * weight(p))
                    .sum();
                ZoneFigures {
                    name: zone.name.clone(),
                    nodes: zone.nodes.len(),
                    junctions: (zone.nodes.iter())
                        .filter(|&&i| self.net.nodes[i].is_junction())
                        .count(),
                    inflow_m3s: mean(z, &|p| p.inflow_m3s),
                    demand_m3s: mean(z, &|p| p.demand_m3s),
                    leakage_m3s: leakage,
                    leakage_m3_per_day: leakage * DAY_S,
                    leakage_from: if zone.leakage.is_some() {
                        "baseline"
                    } else {
                        "network"
                    },
                    average_pressure_m: (azp_weight > 0.0).then(|| azp_sum / azp_weight),
                    min_pressure: self.min[z],
                    max_pressure: self.max[z],
                    energy_kwh_per_day: self.energy_kwh_per_day(z, energy),
                    mean_age_h: (self.age_sum[z].1 > 0.0)
                        .then(|| self.age_sum[z].0 / self.age_sum[z].1),
                    max_age_h: self.age_max[z],
                    cut_off_periods: self.cut_off[z],
                }
            })
            .collect()
    }

    /// kWh per day of the pumps delivering into zone `z`: average power
    /// over the time on line × the share of time on line × 24 h.
    fn energy_kwh_per_day(&self, z: usize, energy: &EnergySummary) -> f64 {
        (energy.pumps.iter())
            .filter(|p| self.zone_of[self.net.links[p.link.ix()].to.ix()] == z)
            .map(|p| p.average_kw * p.utilization_percent / 100.0 * 24.0)
            .fold(0.0, |a, b| a + b)
    }
}

/// Keeps the lower (or higher) of two pressures, by `better`; `better`
/// asks for more than [`PRESSURE_TIE_M`] of difference, so that the first
/// place and time of an extreme reached again (a periodic run) stays.
fn extreme(slot: &mut Option<PressureAt>, here: PressureAt, better: fn(f64, f64) -> bool) {
    if slot.is_none_or(|s| better(here.pressure_m, s.pressure_m)) {
        *slot = Some(here);
    }
}

/// Each node's weight in its zone's average pressure (see the module docs).
pub fn junction_weights(net: &Network, zones: &[Zone], weighting: Weighting) -> Vec<f64> {
    let mut weight = vec![0.0; net.nodes.len()];
    match weighting {
        Weighting::Length => {
            for link in &net.links {
                if let LinkKind::Pipe(pipe) = &link.kind {
                    weight[link.from.ix()] += pipe.length_m / 2.0;
                    weight[link.to.ix()] += pipe.length_m / 2.0;
                }
            }
        }
        Weighting::Demand => {
            for (i, node) in net.nodes.iter().enumerate() {
                if let NodeKind::Junction(j) = &node.kind {
                    weight[i] = j.demands.iter().map(|d| d.base_m3s.max(0.0)).sum();
                }
            }
        }
    }
    for (i, node) in net.nodes.iter().enumerate() {
        if !node.is_junction() {
            weight[i] = 0.0;
        }
    }
    for zone in zones {
        let junctions = || zone.nodes.iter().filter(|&&i| net.nodes[i].is_junction());
        if junctions().all(|&i| weight[i] == 0.0) {
            for &i in junctions() {
                weight[i] = 1.0;
            }
        }
    }
    weight
}

/// How a layout's run is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ZoneRunOptions {
    /// Skip the water age simulation.
    pub no_age: bool,
}

/// Simulates a layout's network over its whole period and gives its zone figures.
pub fn run_layout(
    layout: &ResolvedLayout,
    options: ZoneRunOptions,
) -> Result<LayoutFigures, HydraulicsError> {
    let net = &layout.applied.network;
    let mut meter = ZoneMeter::new(layout);
    let mut sim = Simulation::new(net)?;
    let mut age = if options.no_age {
        None
    } else {
        QualitySimulation::new(net, &QualityKind::Age).ok()
    };
    let age_from_s = net.times.duration_s.saturating_sub(DAY_S as u64);
    let (mut periods, mut unbalanced) = (0, 0);
    let mut ages = Vec::new();
    loop {
        let outcome = sim.solve_period();
        periods += 1;
        unbalanced += usize::from(!outcome.converged);
        meter.observe(sim.time_s(), sim.state());
        if let Some(q) = &mut age {
            q.load_hydraulics(sim.state());
            if sim.is_report_time() && sim.time_s() >= age_from_s {
                q.node_qualities_into(&mut ages);
                meter.observe_age(&ages);
            }
        }
        let step = sim.advance();
        meter.end_period(step);
        if let Some(q) = &mut age {
            q.advance(step);
        }
        if step == 0 {
            break;
        }
    }
    let mut warnings = layout.warnings.clone();
    let figures = meter.figures(&sim.energy());
    for f in &figures {
        if f.cut_off_periods > 0 {
            warnings.push(format!(
                "zone '{}': junctions cut off from every source in {} of {}",
                f.name,
                f.cut_off_periods,
                crate::report::plural(periods, "period")
            ));
        }
    }
    Ok(LayoutFigures {
        name: layout.name.clone(),
        zones: figures,
        warnings,
        periods,
        unbalanced_periods: unbalanced,
    })
}

/// What layouts are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RankBy {
    /// Total leakage, least first (the default: zoning is done to cut leakage).
    #[default]
    Leakage,
    /// The lowest junction pressure of any zone, highest first.
    MinPressure,
    /// Total pump energy, least first.
    Energy,
    /// The highest mean water age of any zone, least first.
    Age,
    /// The mean of the zones' average pressures (weighted by junctions), least first.
    AveragePressure,
}

impl RankBy {
    /// Parses `leakage`, `min-pressure`, `energy`, `age` or `average-pressure`.
    pub fn parse(text: &str) -> Option<RankBy> {
        Some(match text {
            "leakage" => RankBy::Leakage,
            "min-pressure" => RankBy::MinPressure,
            "energy" => RankBy::Energy,
            "age" => RankBy::Age,
            "average-pressure" | "azp" => RankBy::AveragePressure,
            _ => return None,
        })
    }

    /// The layout's score: lower ranks first.
    pub fn score(self, layout: &LayoutFigures) -> f64 {
        let zones = &layout.zones;
        match self {
            RankBy::Leakage => zones.iter().map(|z| z.leakage_m3s).sum(),
            RankBy::MinPressure => -(zones.iter())
                .filter_map(|z| z.min_pressure.map(|p| p.pressure_m))
                .fold(f64::INFINITY, f64::min),
            RankBy::Energy => zones.iter().map(|z| z.energy_kwh_per_day).sum(),
            RankBy::Age => (zones.iter())
                .filter_map(|z| z.mean_age_h)
                .fold(f64::NEG_INFINITY, f64::max),
            RankBy::AveragePressure => {
                let (sum, n) = (zones.iter())
                    .filter_map(|z| {
                        z.average_pressure_m
                            .map(|p| (p * z.junctions as f64, z.junctions))
                    })
                    .fold((0.0, 0), |(s, n), (p, j)| (s + p, n + j));
                if n == 0 {
                    f64::INFINITY
                } else {
                    sum / n as f64
                }
            }
        }
    }
}

/// The order of `layouts` by `by`, best first; ties keep file order.
pub fn rank(layouts: &[LayoutFigures], by: RankBy) -> Vec<usize> {
    let mut order: Vec<usize> = (0..layouts.len()).collect();
    order.sort_by(|&a, &b| by.score(&layouts[a]).total_cmp(&by.score(&layouts[b])));
    order
}
