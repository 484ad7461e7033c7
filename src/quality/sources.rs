//! Supply boundaries: which source's water reaches each node, from one source trace per reservoir and tank.

use super::{QualityError, QualitySimulation};
use crate::hydraulics::HydraulicState;
use crate::network::{Network, NodeIx, QualityKind};

/// A trace of every reservoir and tank of a network at once, on the same
/// hydraulics: the share of each node's water that came from each source,
/// in percent (EPANET's TRACE analysis, one per source).
pub struct SourceTrace<'n> {
    /// The sources, by node index: reservoirs and tanks in network order.
    sources: Vec<usize>,
    traces: Vec<QualitySimulation<'n>>,
}

impl<'n> SourceTrace<'n> {
    /// Traces every reservoir and tank of `network`.
    ///
    /// # Errors
    /// [`QualityError`] when a trace cannot be set up (a network with no
    /// reservoir or tank).
    pub fn new(network: &'n Network) -> Result<Self, QualityError> {
        let sources: Vec<usize> = (0..network.nodes.len())
            .filter(|&i| !network.nodes[i].is_junction())
            .collect();
        let traces = sources
            .iter()
            .map(|&i| {
                QualitySimulation::new(
                    network,
                    &QualityKind::Trace {
                        node: NodeIx(i as u32),
                    },
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SourceTrace { sources, traces })
    }

    /// The sources traced, by node index.
    pub fn sources(&self) -> &[usize] {
        &self.sources
    }

    /// Takes the hydraulic solution at the start of a step.
    pub fn load_hydraulics(&mut self, state: &HydraulicState) {
        for t in &mut self.traces {
            t.load_hydraulics(state);
        }
    }

    /// Carries the traces through a step of `step_s` seconds.
    pub fn advance(&mut self, step_s: u64) {
        for t in &mut self.traces {
            t.advance(step_s);
        }
    }

    /// Percent of node `i`'s water that came from the `s`-th source.
    pub fn share_percent(&self, s: usize, i: usize) -> f64 {
        self.traces[s].node_quality(i)
    }

    /// The source supplying most of node `i`'s water, as (index into
    /// [`SourceTrace::sources`], percent); the first of equal shares, and
    /// `None` where no traced water has arrived yet.
    pub fn dominant(&self, i: usize) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for s in 0..self.traces.len() {
            let p = self.share_percent(s, i);
            if p > best.map_or(0.0, |b| b.1) {
                best = Some((s, p));
            }
        }
        best
    }
}
