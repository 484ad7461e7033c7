//! The EPANET-style text report of Net1 against EPANET 2.3.5's own report.
//!
//! Expected lines are copied from the report `runepanet Net1.inp Net1.rpt`
//! writes (EPANET 2.3.5): the status log, the flow balance and the
//! quality mass balance, which is all Net1's `[REPORT]` section asks for;
//! and from EPANET's reports of copies of Net1 asking for the reaction rate
//! column, with and without `[TIMES] STATISTIC AVERAGED`.
//! Further tests check the warnings, status lines, headings and summary
//! rows of other networks against the reports EPANET 2.3.5 writes for
//! them (`runepanet NET.inp NET.rpt`; small hand-made networks are given
//! inline with EPANET's lines for them). `scripts/compare_report.py`
//! compares whole reports, section by section, over every network of the
//! shared collection (`--survey`).

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

/// The report of a network of `networks/`, by its path there.
fn report_of_file(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("networks")
        .join(relative);
    report_of(&pipenet::inp::read_file(path).unwrap().network)
}

/// The report of a network given as text.
fn report_of_text(text: &str) -> String {
    report_of(&pipenet::inp::read_str(text, "t.inp").unwrap().network)
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
    let mut qual = match kind {
        pipenet::network::QualityKind::None => None,
        _ => Some(QualitySimulation::new(net, &kind).unwrap()),
    };
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
        if let Some(q) = &mut qual {
            q.load_hydraulics(sim.state());
        }
        if sim.is_report_time() {
            results
                .snapshots
                .push(report::Snapshot::of(sim.time_s(), sim.state()));
            if let Some(q) = &qual {
                results
                    .quality
                    .push(report::QualitySnapshot::of(sim.time_s(), q));
            }
        }
        let step = sim.advance();
        if let Some(q) = &mut qual {
            q.advance(step);
        }
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
        mass_balance: qual.as_ref().map(|q| (q.mass_balance(), q.segment_count())),
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

#[test]
fn anytown_warns_of_its_cut_off_junctions_as_epanet_does() {
    // wntr/Anytown: pumps off by pattern, both tanks at their minimum level,
    // so every junction is cut off; 19 of the 22 ask for water. Regression:
    // pipenet's report held only its banner (no warning at all). EPANET
    // 2.3.5's report has 18,733 warning lines, each period reading so.
    let text = report_of_file("wntr/Anytown.inp");
    let epanet = [
        "  WARNING: Negative pressures at 0:00:00 hrs.",
        "  WARNING: Node 1 disconnected at 0:00:00 hrs",
        "  WARNING: Node 2 disconnected at 0:00:00 hrs",
        "  WARNING: Node 3 disconnected at 0:00:00 hrs",
        "  WARNING: Node 4 disconnected at 0:00:00 hrs",
        "  WARNING: Node 5 disconnected at 0:00:00 hrs",
        "  WARNING: Node 6 disconnected at 0:00:00 hrs",
        "  WARNING: Node 7 disconnected at 0:00:00 hrs",
        "  WARNING: Node 8 disconnected at 0:00:00 hrs",
        "  WARNING: Node 9 disconnected at 0:00:00 hrs",
        "  WARNING: Node 10 disconnected at 0:00:00 hrs",
        "  WARNING: 9 additional nodes disconnected at 0:00:00 hrs",
        "  WARNING: System disconnected because of Link 143",
        "   ",
        "  WARNING: Negative pressures at 0:01:00 hrs.",
    ];
    assert!(has_block(&text, &epanet), "no such warnings in\n{text}");
    let warnings = text.lines().filter(|l| l.starts_with("  WARNING:")).count();
    assert_eq!(warnings, 18_733);
}

#[test]
fn valve_warnings_name_the_valve_type_after_negative_pressures() {
    // examples/valves/2fcvs: EPANET 2.3.5 checks negative pressures before
    // valves and names a valve by its type. Regression: pipenet wrote
    // "Valve 47 ..." first and a blank line after each warning.
    let text = report_of_file("examples/valves/2fcvs.inp");
    let epanet = [
        "     0:00:00: FCV 47 open but cannot deliver flow",
        "   ",
        "  WARNING: Negative pressures at 0:00:00 hrs.",
        "  WARNING: FCV 47 open but cannot deliver flow at 0:00:00 hrs.",
        "   ",
        "  Hydraulic Flow Balance (gpm)",
    ];
    assert!(has_block(&text, &epanet), "no such lines in\n{text}");
}

#[test]
fn valves_start_as_epanet_starts_them() {
    // A GPV starts open, and a valve fixed OPEN in [STATUS] starts open:
    // EPANET 2.3.5 logs no status for them at 0:00. Regression: pipenet
    // logged "GPV VP_4 open" (2PRVs-aquis) and "FCV FCV open" (fcv2).
    let text = report_of_file("examples/valves/2PRVs-aquis.inp");
    let epanet = [
        "     0:00:00: Balanced after 2 trials",
        "     0:00:00: Reservoir 1 is emptying",
        "   ",
        "  Hydraulic Flow Balance (L/s)",
    ];
    assert!(has_block(&text, &epanet), "no such lines in\n{text}");
    let text = report_of_file("examples/valves/fcv2.inp");
    assert!(!text.contains("FCV FCV open"), "{text}");
}

#[test]
fn check_valve_pipes_are_cvs_in_the_status_log() {
    // examples/network_one/NET1cv, EPANET 2.3.5. Regression: "Pipe 113p closed".
    let text = report_of_file("examples/network_one/NET1cv.inp");
    assert!(text.contains("\n     0:00:00: CV 113p closed\n"), "{text}");
}

#[test]
fn pressure_driven_runs_say_how_much_demand_went_unmet() {
    // examples/press_depend/cheung, EPANET 2.3.5.
    let text = report_of_file("examples/press_depend/cheung.inp");
    let epanet = [
        "     0:00:00: Balanced after 5 trials",
        "              4 nodes had demands reduced by a total of 43.17%",
        "     0:00:00: Reservoir 1 is emptying",
    ];
    assert!(has_block(&text, &epanet), "no such lines in\n{text}");
    // One deficient junction (J2, 10 ft up with 20 psi required), a hand-made
    // network; EPANET 2.3.5's line for it.
    let one = "[JUNCTIONS]\n J1 0 0\n J2 10 10\n J3 -100 10\n[RESERVOIRS]\n R1 30\n\
               [PIPES]\n P1 R1 J1 1000 12 100\n P2 J1 J2 1000 12 100\n P3 J1 J3 1000 12 100\n\
               [OPTIONS]\n Demand Model PDA\n Minimum Pressure 0\n Required Pressure 20\n\
               [REPORT]\n Status Yes\n[TIMES]\n Duration 0\n[END]\n";
    let text = report_of_text(one);
    let line = "              1 node had its demand reduced by a total of 34.18%";
    assert!(text.lines().any(|l| l == line), "{text}");
}

/// A reservoir feeding one junction through one pipe, in `units`, with
/// `extra` lines for `[OPTIONS]` and `report` for `[REPORT]`.
fn one_pipe(units: &str, extra: &str, report: &str, times: &str) -> String {
    format!(
        "[JUNCTIONS]\n J1 0 1\n[RESERVOIRS]\n R1 100\n[PIPES]\n P1 R1 J1 100 12 100\n\
         [OPTIONS]\n Units {units}\n{extra}\n[REPORT]\n{report}\n[TIMES]\n{times}\n[END]\n"
    )
}

#[test]
fn a_single_period_has_untimed_tables_and_pressure_heads_are_epanets_words() {
    // EPANET 2.3.5's tables for this network in LPS (pressure in metres)
    // and in GPM with kPa: "METERS" and "KPA", and no time in the titles
    // of a run of zero duration. Regression: "m" and "kPa", and
    // "Node Results at 0:00:00 hrs:".
    let text = report_of_text(&one_pipe(
        "LPS",
        "",
        " Nodes All\n Summary No",
        " Duration 0",
    ));
    let epanet = [
        "  Node Results:",
        "  ----------------------------------------------",
        "                     Demand      Head  Pressure",
        "  Node                  L/s         m    METERS",
    ];
    assert!(has_block(&text, &epanet), "no such table in\n{text}");
    let text = report_of_text(&one_pipe(
        "GPM",
        " Pressure KPA",
        " Nodes All\n Summary No",
        " Duration 0",
    ));
    assert!(
        text.contains("  Node                  gpm        ft       KPA\n"),
        "{text}"
    );
    let text = report_of_text(&one_pipe(
        "AFD",
        "",
        " Links All\n Summary No",
        " Duration 0",
    ));
    assert!(
        text.contains("  Link                a-f/d       fps   /1000ft\n"),
        "{text}"
    );
}

#[test]
fn the_summary_states_times_and_limits_as_epanet_does() {
    // EPANET 2.3.5's summary of these networks. The hydraulic step is the
    // smallest of the hydraulic, pattern and report steps, and times are in
    // minutes when it is under half an hour. Regression: "1.00 hrs" and
    // "2.00 hrs", no limit rows.
    let text = report_of_text(&one_pipe(
        "LPS",
        " Quality Age\n HeadError 0.01\n FlowChange 0.5",
        " Summary Yes",
        " Duration 2\n Report Timestep 0:15",
    ));
    for want in [
        "      Hydraulic Timestep ................ 15.00 min",
        "      Headloss Error Limit .............. 0.010000 m",
        "      Flow Change Limit ................. 0.500000 L/s",
        "      Quality Analysis .................. Age",
        "      Water Quality Time Step ........... 1.50 min",
        "      Total Duration .................... 120.00 min",
    ] {
        assert!(
            text.lines().any(|l| l == want),
            "missing {want:?} in\n{text}"
        );
    }
    // No quality analysis over a single period.
    let text = report_of_text(&one_pipe(
        "LPS",
        " Quality Age",
        " Summary Yes",
        " Duration 0",
    ));
    assert!(
        text.contains("      Quality Analysis .................. None\n"),
        "{text}"
    );
    assert!(!text.contains("Water Quality Time Step"), "{text}");
}

#[test]
fn a_tank_that_may_overflow_is_said_to_overflow() {
    // Hand-made; EPANET 2.3.5 writes the overflowing line at 0:00:54.
    let text = "[JUNCTIONS]\n J1 0 0\n[RESERVOIRS]\n R1 100\n\
                [TANKS]\n T1 0 5 0 10 20 0 * YES\n\
                [PIPES]\n P1 R1 J1 100 12 100\n P2 J1 T1 100 12 100\n\
                [REPORT]\n Status Yes\n[TIMES]\n Duration 3\n Hydraulic Timestep 0:30\n[END]\n";
    let text = report_of_text(text);
    assert!(
        text.contains("\n     0:00:54: Tank T1 is overflowing at 10.00 ft\n"),
        "{text}"
    );
}

#[test]
fn an_unbalanced_stop_is_reported_as_epanet_reports_it() {
    // Hand-made, TRIALS 1 and UNBALANCED STOP: EPANET 2.3.5 counts one
    // trial past the limit, checks negative pressures, then pumps, then the
    // balance, and says the run halted.
    let text = "[JUNCTIONS]\n J1 0 0\n J2 50 1000\n J3 0 100\n J4 0 0\n J5 0 0\n J6 0 3000\n\
                [RESERVOIRS]\n R1 100\n R2 0\n\
                [PIPES]\n P1 R1 J1 1000 12 100\n P2 J1 J2 1000 2 100\n P3 J1 J3 1000 12 100\n\
                 P5 J5 J6 10 24 100\n[PUMPS]\n PU R2 J5 HEAD C1\n[CURVES]\n C1 1000 50\n\
                [VALVES]\n V1 J3 J4 12 FCV 500 0\n\
                [OPTIONS]\n Trials 1\n Unbalanced STOP\n[REPORT]\n Status Yes\n\
                [TIMES]\n Duration 2\n[END]\n";
    let report = report_of_text(text);
    let epanet = [
        "     0:00:00: Unbalanced after 2 trials (flow change = 0.723497)",
        "     0:00:00: Reservoir R1 is emptying",
        "     0:00:00: Reservoir R2 is emptying",
        "   ",
        "  WARNING: Negative pressures at 0:00:00 hrs.",
        "  WARNING: Pump PU open but exceeds maximum flow at 0:00:00 hrs.",
        "  WARNING: System unbalanced at 0:00:00 hrs. EXECUTION HALTED.",
        "   ",
    ];
    assert!(has_block(&report, &epanet), "no such lines in\n{report}");
    // MESSAGES NO keeps the warnings out, as in EPANET.
    let quiet = report_of_text(&text.replace(" Status Yes", " Status Yes\n Messages No"));
    assert!(!quiet.contains("WARNING"), "{quiet}");
    // With three extra trials the solution is found in the second trial:
    // EPANET 2.3.5 calls it balanced and warns that it may be unstable.
    let more = report_of_text(&text.replace("Unbalanced STOP", "Unbalanced CONTINUE 3"));
    let epanet = [
        "     0:00:00: Balanced after 2 trials",
        "     0:00:00: Reservoir R1 is emptying",
        "     0:00:00: Reservoir R2 is emptying",
        "   ",
        "  WARNING: Maximum trials exceeded at 0:00:00 hrs. System may be unstable.",
        "  WARNING: Negative pressures at 0:00:00 hrs.",
        "  WARNING: Pump PU open but exceeds maximum flow at 0:00:00 hrs.",
        "   ",
    ];
    assert!(has_block(&more, &epanet), "no such lines in\n{more}");
}

#[test]
fn ids_are_padded_by_bytes_as_epanet_pads_them() {
    // wntr/latin1 with LINKS ALL: the id "12Ù" takes four bytes in UTF-8
    // and EPANET 2.3.5 pads it to 15 bytes (11 spaces).
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networks/wntr/latin1.inp");
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.replacen("[REPORT]", "[REPORT]\n Links All", 1);
    let report = report_of_text(&text);
    assert!(
        report.contains("\n  12Ù               129.34      0.53      0.23\n"),
        "{report}"
    );
}

#[test]
fn a_full_status_log_is_said_to_be_written_as_status_yes() {
    // NET1-3 asks for STATUS FULL; pipenet writes no trial lines and says so.
    let text = report_of_file("examples/network_one/NET1-3.inp");
    assert!(
        text.contains(&format!("  {}\n", rpt::FULL_STATUS_NOTE)),
        "{text}"
    );
    assert!(!text.contains("Trial "), "{text}");
}

/// Net1 with each `(old, new)` text of its file replaced (each must be
/// there).
fn net1_with(edits: &[(&str, &str)]) -> pipenet::network::Network {
    let text = std::fs::read_to_string(net1_path()).unwrap();
    let text = edits.iter().fold(text, |text, (old, new)| {
        assert!(text.contains(old), "Net1 has {old:?}");
        text.replace(old, new)
    });
    pipenet::inp::read_str(&text, "Net1.inp").unwrap().network
}

/// Net1 with `Report Timestep 0:30` and `Quality Timestep 2:00`: EPANET
/// runs (and its summary states) the hydraulic step cut to the report
/// step and the quality step cut to the hydraulic step. The summary once
/// printed the file's 1.00 hrs and 120.00 min; EPANET 2.3.5's report says
/// 0.50 hrs and 30.00 min.
#[test]
fn summary_states_net1s_steps_cut_to_report_step_0_30() {
    let net = net1_with(&[
        (" Summary            \tNo", " Summary Yes"),
        (" Report Timestep    \t1:00", " Report Timestep 0:30"),
        (" Quality Timestep   \t0:05", " Quality Timestep 2:00"),
    ]);
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
    let net = net1_with(&[
        (" Duration           \t24:00", " Duration 0"),
        (" Summary            \tNo", " Summary Yes"),
        (" Page               \t0", " Page 0\n Nodes 10\n Links 10"),
    ]);
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
    let net = net1_with(&[
        (" Summary            \tNo", " Summary Yes"),
        (" Hydraulic Timestep \t1:00", " Hydraulic Timestep 0:13"),
    ]);
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

/// `pipenet run`'s summary of a run, with the report written to a
/// temporary file.
fn run_summary(relative: &str, report_name: &str) -> String {
    let net = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("networks")
        .join(relative);
    let report = std::env::temp_dir().join(format!(
        "pipenet-text-report-{}-{report_name}",
        std::process::id()
    ));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .arg("run")
        .arg(&net)
        .arg("--report")
        .arg(&report)
        .output()
        .expect("pipenet runs");
    let _ = std::fs::remove_file(&report);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn anytowns_run_summary_counts_the_cut_off_junctions_over_the_whole_run() {
    // wntr/Anytown: EPANET 2.3.5 warns of 19 disconnected junctions (ten
    // named, "9 additional") in each of the 1441 periods, from 0:00:00.
    // Regression: the summary said "22 junctions are cut off ... at
    // 24:00:00", naming only the last period, and gave no pressure line.
    let summary = run_summary("wntr/Anytown.inp", "anytown.rpt");
    assert!(
        summary.contains("in 1441 of 1441 periods, from 0:00:00 to 24:00:00"),
        "{summary}"
    );
    assert!(
        summary.contains("22 junctions, 19 of them asking for water"),
        "{summary}"
    );
    assert!(summary.contains("junction pressure: none"), "{summary}");
}

#[test]
fn the_run_summary_says_status_full_is_written_as_status_yes() {
    let summary = run_summary("examples/network_one/NET1-3.inp", "net1-3.rpt");
    assert!(
        summary.contains("STATUS FULL") && summary.contains("trial-by-trial log"),
        "{summary}"
    );
}

#[test]
fn rows_beyond_epanets_default_report_limits_are_left_out() {
    // Hand-made: P2's diameter of 2e20 in is beyond EPANET's default
    // report limit (1e20), and EPANET 2.3.5 leaves P2 out of its link
    // table; at 2e10 in it writes the row. Regression: pipenet wrote every
    // row (EPANET leaves out Anytown's nodes 5, 6 and 7 this way, at its
    // pressures of -1e25).
    let net = |diameter: &str| {
        format!(
            "[JUNCTIONS]\n J1 0 10\n J2 0 10\n[RESERVOIRS]\n R1 100\n[PIPES]\n \
             P1 R1 J1 1000 12 100\n P2 J1 J2 1000 {diameter} 100\n\
             [REPORT]\n Nodes All\n Links All\n[TIMES]\n Duration 0\n[END]\n"
        )
    };
    let kept = report_of_text(&net("2e10"));
    let p2 = "  P2                  10.00      0.00      0.00\n";
    assert!(kept.contains(p2), "{kept}");
    let dropped = report_of_text(&net("2e20"));
    assert!(
        dropped.contains("  P1                  20.00      0.06      0.00\n"),
        "{dropped}"
    );
    assert!(!dropped.contains("  P2 "), "{dropped}");
}
