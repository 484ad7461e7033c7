//! The EPANET-style text report of Net1 against EPANET 2.3.5's own report.
//!
//! Expected lines are copied from the report `runepanet Net1.inp Net1.rpt`
//! writes (EPANET 2.3.5): the status log, the flow balance and the
//! quality mass balance, which is all Net1's `[REPORT]` section asks for;
//! and from EPANET's reports of copies of Net1 asking for the reaction rate
//! column, with and without `[TIMES] STATISTIC AVERAGED`.
//! `scripts/compare_report.py` compares the whole report, and copies
//! asking for every table and field, section by section.

use std::path::PathBuf;

use pipenet::hydraulics::Simulation;
use pipenet::quality::QualitySimulation;
use pipenet::report::{self, rpt, Results};

fn net1_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networks/epanet/Net1.inp")
}

fn net1_report() -> String {
    report_of(&pipenet::inp::read_file(net1_path()).unwrap().network)
}

/// Net1 with `lines` added to its `[REPORT]` section and `statistic` as
/// its `[TIMES] STATISTIC`.
fn net1_asking_for(lines: &str, statistic: &str) -> pipenet::Network {
    let text = std::fs::read_to_string(net1_path()).unwrap();
    let text = text
        .replace(" Page               \t0", &format!(" Page 0\n{lines}"))
        .replace(
            " Statistic          \tNone",
            &format!(" Statistic {statistic}"),
        );
    pipenet::inp::read_str(&text, "Net1.inp").unwrap().network
}

/// Runs a network with its quality analysis and writes its report.
fn report_of(net: &pipenet::Network) -> String {
    let kind = net.options.quality.kind.clone();
    let mut sim = Simulation::new(net).unwrap();
    let mut qual = QualitySimulation::new(net, &kind).unwrap();
    let mut status = rpt::StatusLog::new(net, &kind);
    let mut results = Results::default();
    loop {
        let outcome = sim.solve_period();
        status.observe(
            sim.time_s(),
            &outcome,
            sim.state(),
            sim.events(),
            sim.strained_links(),
        );
        qual.load_hydraulics(sim.state());
        if sim.is_report_time() {
            results
                .snapshots
                .push(report::Snapshot::of(sim.time_s(), sim.state()));
            results
                .quality
                .push(report::QualitySnapshot::of(sim.time_s(), &qual));
        }
        let step = sim.advance();
        qual.advance(step);
        if step == 0 {
            break;
        }
    }
    let (energy, balance) = (sim.energy(), sim.flow_balance());
    let body = rpt::Report {
        network: net,
        input_name: "Net1.inp",
        status: &status,
        results: &results,
        energy: &energy,
        balance: &balance,
        mass_balance: Some((qual.mass_balance(), qual.segment_count())),
    };
    let mut bytes = Vec::new();
    body.write(&mut bytes).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn net1_status_log_and_balances_read_as_epanets() {
    let text = net1_report();
    let epanet = [
        "  Hydraulic Status:",
        "     0:00:00: Balanced after 4 trials",
        "     0:00:00: Reservoir 9 is emptying",
        "     0:00:00: Tank 2 is filling at 120.00 ft",
        "    12:00:00: Balanced after 3 trials",
        "    12:32:34: Pump 9 changed by Tank 2 control",
        "    12:32:34: Balanced after 4 trials",
        "    12:32:34: Reservoir 9 is closed",
        "    12:32:34: Tank 2 is emptying at 140.00 ft",
        "    12:32:34: Pump 9 changed from open to closed",
        "    22:41:30: Pump 9 changed by Tank 2 control",
        "    22:41:30: Balanced after 15 trials",
        "    22:41:30: Tank 2 is filling at 110.00 ft",
        "    22:41:30: Pump 9 changed from closed to open",
        "    24:00:00: Balanced after 3 trials",
        "  Total Inflow:          1052.159",
        "  Storage Flow:           -47.841",
        "  Water Quality Mass Balance (mg)",
        "  Initial Mass:       7.47582e+06",
        "  Mass Inflow:        5.73534e+06",
        "  Mass Outflow:       3.22693e+06",
        "  Final Mass:         4.71226e+06",
        "  Mass Ratio:         1.00000",
    ];
    let lines: Vec<&str> = text.lines().collect();
    for want in epanet {
        assert!(lines.contains(&want), "missing line {want:?} in\n{text}");
    }
    // Net1 asks for no tables, no energy and no summary; it gives no warning.
    assert!(!text.contains("Node Results"));
    assert!(!text.contains("Energy Usage"));
    assert!(!text.contains("Number of Junctions"));
    assert!(!text.contains("WARNING"));
}

/// Whether `text` has `want`'s lines one after the other.
fn has_block(text: &str, want: &[&str]) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines.windows(want.len()).any(|w| w == want)
}

#[test]
fn reaction_rates_are_a_column_in_epanets_units() {
    // `Quality YES` reaches only the node table (EPANET matches the first
    // field of that name); the reaction rate is mg/L/day.
    let net = net1_asking_for(
        " Nodes 11 2\n Links 11 9\n Reaction YES\n Quality YES",
        "None",
    );
    let text = report_of(&net);
    let epanet = [
        "  Link Results at 13:00:00 hrs:",
        "  --------------------------------------------------------",
        "                       Flow  Velocity  Headloss  Reaction",
        "  Link                  gpm       fps   /1000ft  mg/L/day",
        "  --------------------------------------------------------",
        "  11                -358.36      0.75      0.29      2.31",
        "  9                    0.00      0.00      0.00      0.00  Pump",
    ];
    assert!(has_block(&text, &epanet), "no such table in\n{text}");
}

#[test]
fn a_statistic_replaces_the_tables_of_each_report_time() {
    let net = net1_asking_for(" Nodes 11 2\n Links 11 9\n Reaction YES", "AVERAGED");
    let text = report_of(&net);
    let epanet = [
        "  AVERAGE Node Results:",
        "  --------------------------------------------------------",
        "                     Demand      Head  Pressure  Chlorine",
        "  Node                  gpm        ft       PSI      mg/L",
        "  --------------------------------------------------------",
        "  11                 150.00    984.25    118.83      0.69",
        "  2                   -5.74    976.61     54.86      0.76  Tank",
        "   ",
        "   ",
        "  AVERAGE Link Results:",
        "  --------------------------------------------------------",
        "                       Flow  Velocity  Headloss  Reaction",
        "  Link                  gpm       fps   /1000ft  mg/L/day",
        "  --------------------------------------------------------",
        "  11                 781.52      1.63      1.56      2.18",
        "  9                 1094.26      0.00   -126.05      0.00  Pump",
    ];
    assert!(has_block(&text, &epanet), "no such tables in\n{text}");
    assert!(
        !text.contains("Results at"),
        "tables of report times as well"
    );
}

/// Net1 with `Report Timestep 0:30` and `Quality Timestep 2:00`: EPANET
/// runs (and its summary states) the hydraulic step cut to the report
/// step and the quality step cut to the hydraulic step. The summary once
/// printed the file's 1.00 hrs and 120.00 min; EPANET 2.3.5's report says
/// 0.50 hrs and 30.00 min.
#[test]
fn summary_states_net1s_steps_cut_to_report_step_0_30() {
    let text = std::fs::read_to_string(net1_path()).unwrap();
    let edits = [
        (" Summary            \tNo", " Summary Yes"),
        (" Report Timestep    \t1:00", " Report Timestep 0:30"),
        (" Quality Timestep   \t0:05", " Quality Timestep 2:00"),
    ];
    let text = edits.iter().fold(text, |text, (old, new)| {
        assert!(text.contains(old), "Net1 has {old:?}");
        text.replace(old, new)
    });
    let net = pipenet::inp::read_str(&text, "Net1.inp").unwrap().network;
    let report = report_of(&net);
    for want in [
        "      Hydraulic Timestep ................ 0.50 hrs",
        "      Water Quality Time Step ........... 30.00 min",
    ] {
        assert!(
            report.lines().any(|l| l == want),
            "missing {want:?} in\n{report}"
        );
    }
}

/// Net1 with `Duration 0`: EPANET 2.3.5's report heads its tables
/// `Node Results:` and `Link Results:` (no time) and states no quality
/// analysis in its summary; pipenet's once said `Node Results at 0:00:00
/// hrs:` and `Chlorine`.
#[test]
fn duration_0_tables_name_no_time_and_the_summary_no_analysis() {
    let text = std::fs::read_to_string(net1_path()).unwrap();
    let edits = [
        (" Duration           \t24:00", " Duration 0"),
        (" Summary            \tNo", " Summary Yes"),
        (" Page               \t0", " Page 0\n Nodes 10\n Links 10"),
    ];
    let text = edits.iter().fold(text, |text, (old, new)| {
        assert!(text.contains(old), "Net1 has {old:?}");
        text.replace(old, new)
    });
    let net = pipenet::inp::read_str(&text, "Net1.inp").unwrap().network;
    let report = report_of(&net);
    let lines: Vec<&str> = report.lines().collect();
    for want in [
        "  Node Results:",
        "  Link Results:",
        "      Quality Analysis .................. None",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in\n{report}");
    }
    assert!(!report.contains("Results at"), "{report}");
    assert!(!report.contains("Water Quality Time Step"), "{report}");
}

/// Net1 with `Hydraulic Timestep 0:13`: under half an hour, EPANET 2.3.5
/// states its steps and the duration in minutes (`13.00 min`, `1440.00
/// min`); pipenet once said `0.22 hrs` and `24.00 hrs`.
#[test]
fn hydraulic_step_0_13_states_times_in_minutes() {
    let text = std::fs::read_to_string(net1_path()).unwrap();
    let edits = [
        (" Summary            \tNo", " Summary Yes"),
        (" Hydraulic Timestep \t1:00", " Hydraulic Timestep 0:13"),
    ];
    let text = edits.iter().fold(text, |text, (old, new)| {
        assert!(text.contains(old), "Net1 has {old:?}");
        text.replace(old, new)
    });
    let net = pipenet::inp::read_str(&text, "Net1.inp").unwrap().network;
    let report = report_of(&net);
    for want in [
        "      Hydraulic Timestep ................ 13.00 min",
        "      Total Duration .................... 1440.00 min",
    ] {
        assert!(
            report.lines().any(|l| l == want),
            "missing {want:?} in\n{report}"
        );
    }
}
