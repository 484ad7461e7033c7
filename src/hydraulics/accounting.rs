//! Run totals kept step by step: pump energy and the system flow balance.
//!
//! [`Simulation::advance`] observes the solution at the start of each step
//! and, once the step's length is known, adds it held over the step, as
//! EPANET's `nexthyd` does (`addenergy`, `updateflowbalance`). The totals
//! are read with [`Simulation::energy`] and [`Simulation::flow_balance`].

use super::balance::{BalanceLedger, FlowBalance};
use super::energy::{EnergyLedger, EnergySummary};
use super::Simulation;
use crate::network::Network;

/// Pump energy and flow balance totals of a run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RunAccounts {
    energy: EnergyLedger,
    balance: BalanceLedger,
    /// Seconds of steps added.
    elapsed_s: u64,
    /// Whether the single period of a run of duration 0 has been added.
    single_period_done: bool,
    /// Whether totals are still being kept (see [`Simulation::stop_accounts`]).
    kept: bool,
}

impl RunAccounts {
    /// Empty totals for `net`.
    pub fn new(net: &Network) -> Self {
        RunAccounts {
            energy: EnergyLedger::new(net),
            balance: BalanceLedger::new(net),
            elapsed_s: 0,
            single_period_done: false,
            kept: true,
        }
    }
}

impl Simulation<'_> {
    /// Stops keeping the pump energy and flow balance totals, for a run
    /// that reads neither (a scenario's summary row, say): observing the
    /// flows of every node and pump after each period is then skipped.
    /// From the call on, [`Simulation::energy`] and
    /// [`Simulation::flow_balance`] report the steps taken before it (none,
    /// if called before the first [`Simulation::advance`]).
    pub fn stop_accounts(&mut self) {
        self.accounts.kept = false;
    }

    /// Observes the current solution: each pump's power, efficiency and
    /// price, and the flows of the balance. Called at the start of a step.
    pub(super) fn observe_for_accounts(&mut self) {
        if !self.accounts.kept {
            return;
        }
        let period = self.steps.pattern_period(self.time_s);
        let accounts = &mut self.accounts;
        accounts.energy.observe(self.network, &self.state, period);
        accounts.balance.observe(&self.state);
    }

    /// Adds the solution observed, held over the step of `step_s` just
    /// taken (0 at the end). A run of duration 0 counts its one solution
    /// as 1 h of energy and 1 s of flow.
    pub(super) fn add_to_accounts(&mut self, step_s: u64) {
        let accounts = &mut self.accounts;
        if !accounts.kept {
            return;
        }
        if self.steps.duration_s == 0 {
            if !accounts.single_period_done {
                accounts.energy.add(1.0);
                accounts.balance.add(1.0);
                accounts.single_period_done = true;
            }
        } else if step_s > 0 {
            accounts.energy.add(step_s as f64 / 3600.0);
            accounts.balance.add(step_s as f64);
            accounts.elapsed_s += step_s;
        }
    }

    /// The run's length the totals are related to, s: the time simulated
    /// so far, or the whole duration once a period failed to converge
    /// (EPANET then moves its clock to the end); `None` for a run of
    /// duration 0.
    fn accounted_s(&self) -> Option<u64> {
        if self.steps.duration_s == 0 {
            None
        } else if self.halted {
            Some(self.steps.duration_s)
        } else {
            Some(self.accounts.elapsed_s)
        }
    }

    /// Pump energy over the steps taken so far, as EPANET's "Energy Usage"
    /// report gives it at the end of a run: averages over each pump's time
    /// on line, time on line as a share of the time simulated, cost per
    /// day, and the demand charge on the peak summed power.
    pub fn energy(&self) -> EnergySummary {
        let hours = self.accounted_s().map_or(1.0, |s| s as f64 / 3600.0);
        self.accounts
            .energy
            .summary(hours, self.network.energy.demand_charge)
    }

    /// The system flow balance over the steps taken so far, as EPANET
    /// 2.3's report gives it at the end of a run: average flows (volumes
    /// over the time simulated) and their ratio.
    pub fn flow_balance(&self) -> FlowBalance {
        let seconds = self.accounted_s().map_or(1.0, |s| s as f64);
        self.accounts.balance.summary(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net1(duration_h: u64) -> Network {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
        let mut net = crate::inp::read_file(path).unwrap().network;
        net.times.duration_s = duration_h * 3600;
        net
    }

    /// Runs `net` to its end, no longer keeping accounts from `stop_at_s` on.
    fn run(net: &Network, stop_at_s: Option<u64>) -> (FlowBalance, EnergySummary) {
        let mut sim = Simulation::new(net).unwrap();
        loop {
            if Some(sim.time_s()) == stop_at_s {
                sim.stop_accounts();
            }
            sim.solve_period();
            if sim.advance() == 0 {
                break;
            }
        }
        (sim.flow_balance(), sim.energy())
    }

    #[test]
    fn accounts_stopped_at_12_h_are_those_of_a_12_h_run() {
        let (balance, energy) = run(&net1(24), Some(12 * 3600));
        let (balance_12h, energy_12h) = run(&net1(12), None);
        // Net1 draws from its reservoir and runs pump 9, so neither is empty.
        assert!(balance_12h.total_inflow_m3s > 0.0);
        assert!(energy_12h.pumps[0].average_kw > 0.0);
        assert_eq!(balance, balance_12h);
        assert_eq!(energy, energy_12h);
    }

    #[test]
    fn accounts_stopped_from_the_start_stay_empty() {
        let (balance, energy) = run(&net1(24), Some(0));
        assert_eq!(balance.total_inflow_m3s, 0.0);
        assert_eq!(energy.pumps[0].average_kw, 0.0);
    }
}
