//! One quality time step: reactions in pipes and tanks, then mixing and routing node by node.

use super::segments::{self, Chain};
use super::tanks::{self, Exchange};
use super::{Analysis, NodeRole, QualitySimulation, SourceData, STAGNANT_FLOW_M3S, TRACE_PERCENT};
use crate::network::SourceKind;

/// Hours per second: water age grows by this per second.
const HOURS_PER_S: f64 = 1.0 / 3600.0;

impl QualitySimulation<'_> {
    /// Moves water and its quality through the network over `dt` seconds
    /// (EPANET `transport`): react, then visit the nodes in flow order.
    pub(super) fn transport(&mut self, dt: u64) {
        let dt = dt as f64;
        if self.reactive {
            self.react_pipes(dt);
            self.react_tanks(dt);
        }
        for position in 0..self.order.len() {
            let n = self.order[position];
            self.route_node(n, dt);
        }
    }

    /// Takes the water reaching node `n`, mixes it, and sends it on.
    fn route_node(&mut self, n: usize, dt: f64) {
        let (mut volume_in, mut mass_in, mut flow_out) = (0.0, 0.0, 0.0);
        for (k, _) in self.adjacency.of(n) {
            let (from, to) = self.ends[k];
            let downstream = if self.direction[k] < 0 { from } else { to };
            if downstream == n {
                let volume = self.flow_m3s[k].abs() * dt;
                let (v, m) = segments::withdraw_leading(&mut self.link_chains[k], volume);
                volume_in += v;
                mass_in += m;
            } else {
                flow_out += self.flow_m3s[k].abs();
            }
        }
        if self.roles[n] == NodeRole::Junction {
            flow_out += self.demand_m3s[n].max(0.0);
        }
        let volume_out = flow_out * dt;

        let (outflow_quality, source_quality) =
            self.mix_at_node(n, volume_in, mass_in, volume_out, dt);

        for (k, _) in self.adjacency.of(n) {
            let (from, to) = self.ends[k];
            let upstream = if self.direction[k] < 0 { to } else { from };
            if upstream != n {
                continue;
            }
            let volume = self.flow_m3s[k].abs() * dt;
            if volume > 0.0 {
                segments::push_trailing(
                    &mut self.link_chains[k],
                    volume,
                    outflow_quality,
                    self.tolerance,
                );
            }
        }
        self.add_to_balance(n, mass_in, volume_out, source_quality, dt);
        if self.counting && self.analysis == Analysis::Chemical {
            self.reaction_mass.source += source_quality * volume_out;
        }
    }

    /// The quality of the water leaving node `n` and the quality a source
    /// adds to it (EPANET `findnodequal`).
    fn mix_at_node(
        &mut self,
        n: usize,
        mut volume_in: f64,
        mass_in: f64,
        volume_out: f64,
        dt: f64,
    ) -> (f64, f64) {
        match self.roles[n] {
            NodeRole::Junction => {
                // Water supplied at the node (negative demand) dilutes the inflow.
                volume_in -= self.demand_m3s[n].min(0.0) * dt;
                if volume_in > 0.0 {
                    self.node_quality[n] = mass_in / volume_in;
                } else if self.reactive {
                    self.node_quality[n] = self.stagnant_node_quality(n);
                }
            }
            NodeRole::Tank(t) => {
                let data = self.tanks[t];
                let exchange = Exchange {
                    vin: volume_in,
                    win: mass_in,
                    vnet: volume_in - volume_out,
                };
                if let Some(c) = tanks::mix(
                    &mut self.tank_chains[t],
                    data.model,
                    exchange,
                    self.tolerance,
                    data.mixing_zone_m3,
                ) {
                    self.node_quality[n] = c;
                }
            }
            NodeRole::Reservoir => {}
        }

        if let Analysis::Trace(traced) = self.analysis {
            let mut added = 0.0;
            if n == traced {
                added = match self.roles[n] {
                    NodeRole::Reservoir => TRACE_PERCENT,
                    _ => (TRACE_PERCENT - self.node_quality[n]).max(0.0),
                };
                self.node_quality[n] = TRACE_PERCENT;
            }
            return (self.node_quality[n], added);
        }
        let added = self.source_quality(n, volume_out, dt);
        if added == 0.0 {
            return (self.node_quality[n], 0.0);
        }
        match self.roles[n] {
            NodeRole::Junction => {
                self.node_quality[n] += added;
                (self.node_quality[n], added)
            }
            NodeRole::Tank(_) => (self.node_quality[n] + added, added),
            NodeRole::Reservoir => {
                self.node_quality[n] = added;
                (added, added)
            }
        }
    }

    /// A junction without inflow takes the mean quality of the water next
    /// to it in its links (EPANET `noflowqual`).
    fn stagnant_node_quality(&self, n: usize) -> f64 {
        let (mut sum, mut count) = (0.0, 0);
        for (k, _) in self.adjacency.of(n) {
            let (from, to) = self.ends[k];
            let dir = self.direction[k];
            let inflow = (to == n && dir >= 0) || (from == n && dir < 0);
            let chain = &self.link_chains[k];
            let next_to_node = if inflow { chain.front() } else { chain.back() };
            if let Some(seg) = next_to_node {
                sum += seg.quality;
                count += 1;
            }
        }
        if count > 0 {
            sum / count as f64
        } else {
            0.0
        }
    }

    /// The concentration a chemical source adds to node `n`'s outflow
    /// (EPANET `findsourcequal`): a concentration source sets the
    /// concentration of its inflow (at a junction, of its negative demand),
    /// a mass booster adds mass/s over the outflow, a setpoint booster
    /// raises the outflow to its strength, a flow-paced booster adds its
    /// strength.
    fn source_quality(&self, n: usize, volume_out: f64, dt: f64) -> f64 {
        if self.analysis != Analysis::Chemical {
            return 0.0;
        }
        let Some(SourceData {
            kind,
            strength,
            pattern,
        }) = self.sources[n]
        else {
            return 0.0;
        };
        if strength == 0.0 || volume_out / dt <= STAGNANT_FLOW_M3S {
            return 0.0;
        }
        let c = strength * self.pattern_factor(pattern);
        match kind {
            SourceKind::Concen => match self.roles[n] {
                NodeRole::Junction if self.demand_m3s[n] < 0.0 => {
                    -c * self.demand_m3s[n] * dt / volume_out
                }
                NodeRole::Junction => 0.0,
                _ => c,
            },
            SourceKind::Mass => c * dt / volume_out,
            SourceKind::Setpoint => (c - self.node_quality[n]).max(0.0),
            SourceKind::FlowPaced => c,
        }
    }

    /// Adds node `n`'s exchange with the outside over a step to the mass
    /// balance (EPANET `updatemassbalance`).
    fn add_to_balance(&mut self, n: usize, mass_in: f64, volume_out: f64, added: f64, dt: f64) {
        let (lost, gained) = match self.roles[n] {
            NodeRole::Junction => (
                self.demand_m3s[n].max(0.0) * dt * self.node_quality[n],
                added * volume_out,
            ),
            NodeRole::Reservoir => {
                let c = if added > 0.0 {
                    added
                } else {
                    self.node_quality[n]
                };
                (mass_in, c * volume_out)
            }
            NodeRole::Tank(_) => (0.0, added * volume_out),
        };
        self.balance.outflow += lost;
        self.balance.inflow += gained;
    }

    /// Reacts the water in every pipe over `dt` seconds, and keeps each
    /// pipe's mean reaction rate over the step (EPANET `reactpipes`):
    ///
    /// r = Σ |c' − c| V / (Σ V dt)
    ///
    /// over the pipe's segments, with c and c' a segment's concentration
    /// before and after the step and V its volume. A segment changes by
    /// (R_bulk + R_wall) dt (explicit Euler, never below zero).
    fn react_pipes(&mut self, dt: f64) {
        let age = self.analysis == Analysis::Age;
        // Totals kept in locals over the loop, in the order EPANET sums them;
        // the reaction masses are kept only when the step counts.
        let mut reacted = self.balance.reacted;
        let mut bulk_mass = self.reaction_mass.bulk;
        let mut wall_mass = self.reaction_mass.wall;
        for (k, chain) in self.link_chains.iter_mut().enumerate() {
            let link = &self.links[k];
            if !link.has_volume {
                continue;
            }
            let (mut changed, mut volume) = (0.0, 0.0);
            for seg in chain.iter_mut() {
                let before = seg.quality;
                let v = seg.volume_m3;
                if age {
                    seg.quality = (before + dt * HOURS_PER_S).max(0.0);
                } else {
                    let bulk = self.kinetics.pipe_bulk_rate(before, link.bulk_per_s) * dt;
                    let wall = self.kinetics.wall_rate(
                        before,
                        link.diameter_m,
                        link.wall,
                        link.wall_rate_coeff,
                    ) * dt;
                    bulk_mass += bulk.abs() * v;
                    wall_mass += wall.abs() * v;
                    seg.quality = (before + (bulk + wall)).max(0.0);
                    changed += (seg.quality - before).abs() * v;
                    volume += v;
                }
                reacted += (before - seg.quality) * v;
            }
            self.link_rate[k] = if volume > 0.0 {
                changed / volume / dt
            } else {
                0.0
            };
        }
        self.balance.reacted = reacted;
        if self.counting {
            self.reaction_mass.bulk = bulk_mass;
            self.reaction_mass.wall = wall_mass;
        }
    }

    /// Reacts the water in every tank over `dt` seconds.
    fn react_tanks(&mut self, dt: f64) {
        let age = self.analysis == Analysis::Age;
        let mut tank_mass = 0.0;
        for (tank, chain) in self.tanks.iter().zip(self.tank_chains.iter_mut()) {
            let change = |c: f64| {
                if age {
                    dt * HOURS_PER_S
                } else {
                    self.kinetics.tank_bulk_rate(c, tank.bulk_per_s) * dt
                }
            };
            react_tank(chain, change, &mut self.balance.reacted, &mut tank_mass);
        }
        if self.counting && !age {
            self.reaction_mass.tank += tank_mass;
        }
    }
}

/// Applies a change of quality to each segment of a tank, never below
/// zero; counts the mass lost in `reacted` and the mass the change
/// amounts to, |change| × V before clamping, in `changed`.
fn react_tank(
    chain: &mut Chain,
    change: impl Fn(f64) -> f64,
    reacted: &mut f64,
    changed: &mut f64,
) {
    for seg in chain.iter_mut() {
        let before = seg.quality;
        let dc = change(before);
        seg.quality = (before + dc).max(0.0);
        *reacted += (before - seg.quality) * seg.volume_m3;
        *changed += dc.abs() * seg.volume_m3;
    }
}
