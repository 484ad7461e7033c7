//! The mass balance of a run (in, out, reacted, stored) and the mass each kind of reaction took.

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

/// Mass of a chemical that bulk reactions in pipes, wall reactions and
/// reactions in tanks changed, and that sources added, in the
/// concentration's mass unit (mg for mg/L): EPANET's "average reaction
/// rates" of its binary results file, before the division by the duration.
///
/// Each reaction counts the mass it changed whatever the direction (decay
/// and growth both count positive), quality step by quality step and
/// segment by segment: |Δc| × V. As in EPANET 2.3, only the hydraulic
/// steps that end at or after the report start count. Age and trace
/// analyses react no chemical: all zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReactionMass {
    /// Mass changed by bulk reactions in pipes.
    pub bulk: f64,
    /// Mass changed by reactions at pipe walls.
    pub wall: f64,
    /// Mass changed by bulk reactions in tanks.
    pub tank: f64,
    /// Mass added by water quality sources (`[SOURCES]`).
    pub source: f64,
}

impl ReactionMass {
    /// The average rates over a run of `duration_s`, mass per hour, as
    /// EPANET writes them: each mass divided by the whole duration in hours
    /// (by one hour for a single-period run), whatever the report start.
    pub fn per_hour(&self, duration_s: u64) -> ReactionMass {
        let hours = if duration_s > 0 {
            duration_s as f64 / 3600.0
        } else {
            1.0
        };
        ReactionMass {
            bulk: self.bulk / hours,
            wall: self.wall / hours,
            tank: self.tank / hours,
            source: self.source / hours,
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

    #[test]
    fn rates_divide_by_the_whole_duration_in_hours() {
        let mass = ReactionMass {
            bulk: 48.0,
            wall: 24.0,
            tank: 12.0,
            source: 6.0,
        };
        let per_hour = mass.per_hour(24 * 3600);
        assert_eq!(
            per_hour,
            ReactionMass {
                bulk: 2.0,
                wall: 1.0,
                tank: 0.5,
                source: 0.25
            }
        );
        assert_eq!(mass.per_hour(0), mass, "a single period counts as one hour");
    }
}
