//! The constituent mass balance of a run: initial, inflow, outflow, reacted, final.

/// Mass of the constituent that entered, left, reacted and stayed, as
/// EPANET's report states it ("Water Quality Mass Balance").
///
/// Masses are in the concentration's mass unit for a chemical (mg for
/// mg/L, ug for ug/L); for water age they are hours × m³ and for a trace
/// percent × m³ (EPANET uses ft³ for those).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MassBalance {
    /// Mass stored in pipes and tanks at the start.
    pub initial: f64,
    /// Mass brought in by sources and reservoirs.
    pub inflow: f64,
    /// Mass taken out by demands and into reservoirs.
    pub outflow: f64,
    /// Mass lost to reactions (negative when reactions produce mass).
    pub reacted: f64,
    /// Mass stored in pipes and tanks now.
    pub final_mass: f64,
}

impl MassBalance {
    /// (outflow + final + mass lost to reactions) / (initial + inflow +
    /// mass made by reactions): 1 when mass is conserved; 1 when nothing
    /// came in at all (EPANET `evalmassbalance`).
    pub fn ratio(&self) -> f64 {
        let mut mass_in = self.initial + self.inflow;
        let mut mass_out = self.outflow + self.final_mass;
        if self.reacted > 0.0 {
            mass_out += self.reacted;
        } else {
            mass_in -= self.reacted;
        }
        if mass_in == 0.0 {
            1.0
        } else {
            mass_out / mass_in
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_counts_as_outflow() {
        let b = MassBalance {
            initial: 10.0,
            inflow: 5.0,
            outflow: 4.0,
            reacted: 3.0,
            final_mass: 8.0,
        };
        assert_eq!(b.ratio(), 1.0);
        let growth = MassBalance {
            reacted: -3.0,
            final_mass: 14.0,
            ..b
        };
        assert_eq!(growth.ratio(), 1.0);
    }
}
