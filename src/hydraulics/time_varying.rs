//! The pattern-driven inputs of each period (demands, reservoir heads, pump speeds), gathered once.
//!
//! Walking the network's nodes every period reads every node's id,
//! coordinates and comment along with its demands; this table keeps only
//! what the patterns act on, in flat arrays, so a period reads memory in
//! order. The arithmetic is the one EPANET's `demands` does, in the same
//! order: a junction's full demand is `Σ base_k · multiplier_k(period)`
//! over its demand categories, times the demand multiplier.

use crate::network::{LinkKind, Network, NodeKind, PatternIx};

/// What the patterns act on, and each pattern's multiplier this period.
#[derive(Debug, Clone)]
pub(crate) struct TimeVaryingInputs {
    /// Junctions (by node index) with where their demands start in
    /// `demands`; one more entry than junctions, ending the last.
    junction_starts: Vec<(usize, usize)>,
    /// Every demand category: base demand, m³/s, and the slot of its
    /// multiplier in `multiplier` (the default pattern already put in
    /// where it has none; the last slot, always 1, where neither is).
    demands: Vec<(f64, usize)>,
    /// Reservoirs with a head pattern: node, fixed head, m, and pattern.
    reservoir_heads: Vec<(usize, f64, usize)>,
    /// Pumps with a speed pattern: link and pattern.
    pump_speeds: Vec<(usize, usize)>,
    /// Each pattern's multiplier in the period last set, then a 1 for
    /// demands without a pattern.
    multiplier: Vec<f64>,
    /// The network's demand multiplier.
    demand_multiplier: f64,
}

impl TimeVaryingInputs {
    /// Gathers the pattern-driven inputs of `net`.
    pub fn new(net: &Network) -> Self {
        // Demands without a pattern take the last multiplier, fixed at 1.
        let no_pattern = net.patterns.len();
        let ix = |p: Option<PatternIx>| p.map_or(no_pattern, |p| p.ix());
        let mut junction_starts = Vec::new();
        let mut demands = Vec::new();
        let mut reservoir_heads = Vec::new();
        for (i, node) in net.nodes.iter().enumerate() {
            match &node.kind {
                NodeKind::Junction(j) => {
                    junction_starts.push((i, demands.len()));
                    demands.extend(
                        j.demands
                            .iter()
                            .map(|d| (d.base_m3s, ix(d.pattern.or(net.options.default_pattern)))),
                    );
                }
                NodeKind::Reservoir(r) => {
                    if let Some(p) = r.head_pattern {
                        reservoir_heads.push((i, node.elevation_m, p.ix()));
                    }
                }
                NodeKind::Tank(_) => {}
            }
        }
        junction_starts.push((usize::MAX, demands.len()));
        let pump_speeds = net
            .links
            .iter()
            .enumerate()
            .filter_map(|(k, link)| match &link.kind {
                LinkKind::Pump(pump) => pump.speed_pattern.map(|p| (k, p.ix())),
                _ => None,
            })
            .collect();
        TimeVaryingInputs {
            junction_starts,
            demands,
            reservoir_heads,
            pump_speeds,
            multiplier: vec![1.0; net.patterns.len() + 1],
            demand_multiplier: net.options.demand_multiplier,
        }
    }

    /// Sets each pattern's multiplier for pattern period `period` (the
    /// pattern repeats; an empty pattern multiplies by 1).
    pub fn set_period(&mut self, net: &Network, period: usize) {
        for (factor, pattern) in self.multiplier.iter_mut().zip(&net.patterns) {
            let m = &pattern.multipliers;
            *factor = if m.is_empty() {
                1.0
            } else {
                m[period % m.len()]
            };
        }
    }

    /// Each junction's full demand this period, m³/s, by node index.
    pub fn junction_demands(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let multiplier = &self.multiplier[..];
        self.junction_starts.windows(2).map(move |w| {
            let ((node, start), (_, end)) = (w[0], w[1]);
            let total: f64 = self.demands[start..end]
                .iter()
                .map(|&(base_m3s, slot)| base_m3s * multiplier[slot])
                .sum();
            (node, total * self.demand_multiplier)
        })
    }

    /// Each patterned reservoir's head this period, m, by node index.
    pub fn reservoir_heads(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.reservoir_heads
            .iter()
            .map(|&(node, head_m, p)| (node, head_m * self.multiplier[p]))
    }

    /// Each patterned pump's speed this period, by link index.
    pub fn pump_speeds(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.pump_speeds
            .iter()
            .map(|&(link, p)| (link, self.multiplier[p]))
    }
}
