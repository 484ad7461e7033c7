//! EPANET binary results (`.out`) written by pipenet, read back field by field.
//!
//! Expected values are EPANET 2.3.5's own `Net1.out` (`runepanet Net1.inp
//! Net1.rpt Net1.out`), and those of copies of Net1 with each `[TIMES]
//! STATISTIC`, read with an independent reader (`scripts/epanet_out.py`):
//! the prolog's counts, codes, ids and static arrays exactly, the 13:00
//! period's values to EPANET's printed figures, reaction rates and
//! statistics to their 32-bit values within the stated tolerances; and for
//! a single pipe with bulk and wall decay, reaction rates by hand.

mod common;

use std::path::PathBuf;

use pipenet::hydraulics::Simulation;
use pipenet::network::{Network, Statistic};
use pipenet::quality::QualitySimulation;
use pipenet::report::{self, out, Results};

fn net1() -> Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networks/epanet/Net1.inp");
    pipenet::inp::read_file(&path).unwrap().network
}

/// Runs Net1 with chlorine and writes its results file into memory.
fn net1_out() -> Vec<u8> {
    results_file(&net1())
}

/// Runs a network with its own quality analysis and writes its results
/// file into memory.
fn results_file(net: &Network) -> Vec<u8> {
    results_file_of(net, true)
}

/// As [`results_file`], keeping no quality results when `with_quality` is
/// false (as `pipenet run` does for a network without a quality analysis).
fn results_file_of(net: &Network, with_quality: bool) -> Vec<u8> {
    let mut sim = Simulation::new(net).unwrap();
    let mut qual = QualitySimulation::from_network(net).unwrap();
    let mut results = Results::default();
    loop {
        sim.solve_period();
        qual.load_hydraulics(sim.state());
        if sim.is_report_time() {
            results
                .snapshots
                .push(report::Snapshot::of(sim.time_s(), sim.state()));
            if with_quality {
                results
                    .quality
                    .push(report::QualitySnapshot::of(sim.time_s(), &qual));
            }
        }
        let step = sim.advance();
        qual.advance(step);
        if step == 0 {
            break;
        }
    }
    let energy = sim.energy();
    let info = out::RunInfo {
        input_name: "Net1.inp",
        report_name: "",
        energy: &energy,
        warning_flag: 0,
        reactions: qual.reaction_mass(),
    };
    let mut bytes = Vec::new();
    out::write(&mut bytes, net, &results, &info).unwrap();
    bytes
}

/// Where the first report period of Net1's results file starts: after the
/// prolog and the energy section of its one pump.
fn net1_periods_at() -> usize {
    out::prolog_bytes(11, 13, 2) + 28 + 4
}

fn int_at(b: &[u8], pos: usize) -> i32 {
    i32::from_le_bytes(b[pos..pos + 4].try_into().unwrap())
}

fn real_at(b: &[u8], pos: usize) -> f32 {
    f32::from_le_bytes(b[pos..pos + 4].try_into().unwrap())
}

fn text_at(b: &[u8], pos: usize, width: usize) -> String {
    let field = &b[pos..pos + width];
    let end = field.iter().position(|&c| c == 0).unwrap_or(width);
    String::from_utf8_lossy(&field[..end]).into_owned()
}

#[test]
fn prolog_holds_epanets_counts_codes_ids_and_static_data() {
    let b = net1_out();
    let ints: Vec<i32> = (0..15).map(|i| int_at(&b, 4 * i)).collect();
    // magic, version, nodes, tanks + reservoirs, links, pumps, valves,
    // chemical, trace node, GPM, PSI, series, report start, step, duration.
    assert_eq!(
        ints,
        [516114521, 20012, 11, 2, 13, 1, 0, 1, 0, 1, 0, 0, 0, 3600, 86400]
    );
    assert_eq!(text_at(&b, 60, 80), "EPANET Example Network 1");
    assert_eq!(text_at(&b, 60 + 240, 260), "Net1.inp");
    assert_eq!(text_at(&b, 884 - 64, 32), "Chlorine");
    assert_eq!(text_at(&b, 884 - 32, 32), "mg/L");
    let node_ids: Vec<String> = (0..11).map(|i| text_at(&b, 884 + 32 * i, 32)).collect();
    assert_eq!(
        node_ids,
        ["10", "11", "12", "13", "21", "22", "23", "31", "32", "9", "2"]
    );
    let links_at = 884 + 32 * 11;
    assert_eq!(text_at(&b, links_at + 32 * 12, 32), "9");
    let ends_at = links_at + 32 * 13;
    // Pump 9 runs from reservoir 9 (node 10) to junction 10 (node 1);
    // its type code is 2, the pipes' 1.
    assert_eq!(int_at(&b, ends_at + 4 * 12), 10);
    assert_eq!(int_at(&b, ends_at + 52 + 4 * 12), 1);
    assert_eq!(int_at(&b, ends_at + 104), 1);
    assert_eq!(int_at(&b, ends_at + 104 + 4 * 12), 2);
    let tanks_at = ends_at + 3 * 52;
    assert_eq!((int_at(&b, tanks_at), int_at(&b, tanks_at + 4)), (10, 11));
    assert_eq!(real_at(&b, tanks_at + 8), 0.0);
    assert!((real_at(&b, tanks_at + 12) - 2002.9617).abs() < 1e-3);
    let elevations_at = tanks_at + 16;
    assert_eq!(real_at(&b, elevations_at), 710.0);
    let lengths_at = elevations_at + 4 * 11;
    assert_eq!(real_at(&b, lengths_at), 10530.0);
    let diameters_at = lengths_at + 4 * 13;
    assert_eq!(real_at(&b, diameters_at), 18.0);
    assert_eq!(
        diameters_at + 4 * 13,
        out::prolog_bytes(11, 13, 2),
        "prolog size"
    );
}

#[test]
fn energy_period_and_epilog_match_epanets_file() {
    let b = net1_out();
    let energy_at = out::prolog_bytes(11, 13, 2);
    // EPANET: pump 13, 57.71 % on line, 75 %, 880.42 kWh/Mgal, 96.25 kW.
    assert_eq!(int_at(&b, energy_at), 13);
    assert!((real_at(&b, energy_at + 4) - 57.71296).abs() < 0.01);
    assert!((real_at(&b, energy_at + 12) - 880.4158).abs() < 0.1);
    assert!((real_at(&b, energy_at + 16) - 96.25432).abs() < 0.01);

    // The 13:00 period (the 14th): EPANET's heads, pressures, chlorine,
    // flows, unit head losses, statuses (pump 9 closed = 2) and settings.
    let period = out::period_bytes(11, 13);
    let at = energy_at + 28 + 4 + 13 * period;
    let node = |field: usize, i: usize| real_at(&b, at + 4 * (11 * field + i));
    let link = |field: usize, k: usize| real_at(&b, at + 4 * (44 + 13 * field + k));
    assert!((node(1, 10) - 987.986).abs() < 0.01, "tank 2 head");
    assert!((node(2, 8) - 116.5656).abs() < 0.01, "junction 32 pressure");
    assert!((node(3, 0) - 0.9826).abs() < 0.01, "junction 10 chlorine");
    assert!((node(0, 10) + 1100.0).abs() < 0.01, "tank 2 outflow");
    assert!((link(0, 1) + 358.3649).abs() < 0.01, "pipe 11 flow");
    assert!(
        (link(2, 6) - 0.6820679).abs() < 0.001,
        "pipe 110 loss per 1000 ft"
    );
    assert_eq!(link(4, 12), 2.0, "pump 9 closed");
    assert_eq!(link(4, 0), 3.0, "pipe 10 open");
    assert_eq!(link(5, 3), 100.0, "pipe 21 roughness");
    assert!(
        (link(7, 1) - 0.0391512).abs() < 1e-4,
        "pipe 11 friction factor"
    );

    let end = b.len();
    assert_eq!(end, at - 13 * period + 25 * period + 28);
    assert_eq!(int_at(&b, end - 12), 25, "periods");
    assert_eq!(int_at(&b, end - 8), 0, "warning flag");
    assert_eq!(int_at(&b, end - 4), out::MAGIC);
}

/// Link field `field` (0 flow ... 6 reaction rate, 7 friction factor) of
/// link `k` in report period `t` of Net1's results file.
fn net1_link(b: &[u8], t: usize, field: usize, k: usize) -> f32 {
    let at = net1_periods_at() + t * out::period_bytes(11, 13);
    real_at(b, at + 4 * (4 * 11 + 13 * field + k))
}

/// Node field `field` (0 demand, 1 head, 2 pressure, 3 quality) of node
/// `i` in report period `t` of Net1's results file.
fn net1_node(b: &[u8], t: usize, field: usize, i: usize) -> f32 {
    let at = net1_periods_at() + t * out::period_bytes(11, 13);
    real_at(b, at + 4 * (11 * field + i))
}

/// The epilog's four average reaction rates: bulk, wall, tank, source.
fn epilog_rates(b: &[u8]) -> [f32; 4] {
    let at = b.len() - 28;
    std::array::from_fn(|i| real_at(b, at + 4 * i))
}

fn assert_near(got: f32, want: f64, tolerance: f64, what: &str) {
    let got = f64::from(got);
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: {got}, EPANET or by hand {want} (within {tolerance})"
    );
}

#[test]
fn link_reaction_rates_are_epanets() {
    let b = net1_out();
    const RATE: usize = 6;
    // EPANET 2.3.5, mg/L/day, bulk and wall decay of chlorine together.
    for (t, k, want) in [
        (13, 0, 0.4646658), // pipe 10: almost stagnant while pump 9 is off
        (13, 1, 2.3056893), // pipe 11
        (13, 7, 3.1993685), // pipe 111
        (13, 11, 3.0000958),
        (24, 0, 2.6693444),
        (24, 9, 0.1699274), // pipe 113
        (1, 6, 1.13215),    // pipe 110 after the first hour
    ] {
        assert_near(net1_link(&b, t, RATE, k), want, 1e-3, "reaction rate");
    }
    for t in 0..25 {
        assert_eq!(net1_link(&b, t, RATE, 12), 0.0, "pump 9 does not react");
    }
    for k in 0..13 {
        assert_eq!(net1_link(&b, 0, RATE, k), 0.0, "nothing reacted at 0:00");
    }
}

#[test]
fn epilog_holds_epanets_average_reaction_rates() {
    // EPANET 2.3.5's Net1.out, mg/h: bulk, wall, tank, source; their sum
    // is its mass balance's 5.27198e6 mg reacted over 24 h.
    let want = [18845.367, 85652.227, 115168.164, 0.0];
    for (got, want) in epilog_rates(&net1_out()).into_iter().zip(want) {
        assert_near(got, want, 1e-4 * want + 1e-6, "average reaction rate");
    }
}

/// A 1000 m, 300 mm pipe from a reservoir at 1 mg/L to a junction taking
/// 10 L/s, with first-order bulk decay kb = -2/day and first-order wall
/// decay kw = -0.225 m/day without a mass-transfer limit (diffusivity 0:
/// rate constant 4 kw / d = -3/day), reported from 4:00 over 24 h.
const ONE_PIPE: &str = "
[TITLE]
one pipe with bulk and wall decay
[RESERVOIRS]
R 100
[JUNCTIONS]
J 0 10
[PIPES]
P R J 1000 300 100
[QUALITY]
R 1
J 1
[REACTIONS]
Order Bulk 1
Order Wall 1
Global Bulk -2
Global Wall -0.225
[OPTIONS]
Units LPS
Quality Chlorine mg/L
Diffusivity 0
[TIMES]
Duration 24:00
Hydraulic Timestep 1:00
Quality Timestep 0:01
Report Timestep 1:00
Report Start 4:00
[END]
";

#[test]
fn a_pipe_with_first_order_decay_reacts_as_computed_by_hand() {
    let net = pipenet::inp::read_str(ONE_PIPE, "one_pipe.inp")
        .unwrap()
        .network;
    let b = results_file(&net);

    // Plug flow through the pipe: travel time T = V / Q with V = π/4 L d²
    // (EPANET's 0.785398 for π/4 changes T by 2e-7): 70.686 m³ / 0.01
    // m³/s = 7069 s. Water entering at C0 = 1 mg/L decays with k = 2 + 3 =
    // 5/day, so in the steady state reached after T the pipe holds
    // C0 exp(-k t) for t in [0, T], of mean C0 (1 - exp(-kT)) / (kT).
    let volume_m3 = std::f64::consts::FRAC_PI_4 * 1000.0 * 0.3 * 0.3;
    let flow_m3s = 0.01;
    let travel_s = volume_m3 / flow_m3s;
    let (kb, kw) = (2.0, 3.0);
    let k_per_s = (kb + kw) / 86_400.0;
    let decayed = 1.0 - (-k_per_s * travel_s).exp();
    let mean_mg_l = decayed / (k_per_s * travel_s);

    // The link's reaction rate: k times its mean concentration, mg/L/day:
    // 4.104 (EPANET 2.3.5 writes 4.109; the mean of the end concentrations
    // would give 4.16, the inlet's 5). Periods at 4:00 ... 24:00; 12:00 is
    // the 9th.
    let nodes = 2;
    let periods_at = out::prolog_bytes(nodes, 1, 1) + 4;
    let period = out::period_bytes(nodes, 1);
    let rate = real_at(&b, periods_at + 8 * period + 4 * (4 * nodes + 6));
    assert_near(
        rate,
        (kb + kw) * mean_mg_l,
        5e-3 * 4.1,
        "reaction rate, mg/L/day",
    );

    // The epilog: mass reacted per hour in the steady state is what flows
    // in minus what flows out, Q C0 (1 - exp(-kT)) = 36,000 L/h x 0.3357
    // mg/L, split 2:3 between bulk and wall. EPANET counts the hydraulic
    // steps ending at or after the report start (3:00-4:00 ... 23:00-24:00,
    // 21 h) and divides by the whole 24 h: 4230 and 6345 mg/h (EPANET
    // 2.3.5: 4236 and 6354).
    let steady_mg_h = flow_m3s * 1000.0 * 3600.0 * decayed;
    let counted = 21.0 / 24.0;
    let [bulk, wall, tank, source] = epilog_rates(&b);
    let want_bulk = steady_mg_h * counted * kb / (kb + kw);
    let want_wall = steady_mg_h * counted * kw / (kb + kw);
    assert_near(bulk, want_bulk, 0.01 * want_bulk, "bulk mg/h");
    assert_near(wall, want_wall, 0.01 * want_wall, "wall mg/h");
    assert_eq!((tank, source), (0.0, 0.0), "no tank, no source");
}

/// Net1's results file with `[TIMES] STATISTIC` set.
fn net1_with(statistic: Statistic) -> Vec<u8> {
    let mut net = net1();
    net.times.statistic = statistic;
    results_file(&net)
}

#[test]
fn a_statistic_is_one_period_of_epanets_values() {
    // EPANET 2.3.5's Net1 with each statistic: prolog code, then node 10's
    // head, tank 2's head, pipe 11's flow, pump 9's flow, junction 11's
    // chlorine, pipe 11's reaction rate, pump 9's status.
    let cases = [
        (
            Statistic::Average,
            1,
            [
                995.2428, 976.61, 781.5221, 1094.259, 0.6946134, 2.1819122, 3.0,
            ],
        ),
        (
            Statistic::Minimum,
            2,
            [961.3318, 961.2797, 143.34631, 0.0, 0.4325685, 0.0, 2.0],
        ),
        (
            Statistic::Maximum,
            3,
            [
                1018.99335, 988.5719, 1310.9944, 1909.4246, 0.8681394, 2.9497328, 3.0,
            ],
        ),
        // A range of statuses is open when the link was open part of the time.
        (
            Statistic::Range,
            4,
            [
                57.66156, 27.292175, 1167.6481, 1909.4246, 0.4355709, 2.9497328, 3.0,
            ],
        ),
    ];
    for (statistic, code, want) in cases {
        let b = net1_with(statistic);
        assert_eq!(int_at(&b, 44), code, "{statistic:?}: prolog code");
        assert_eq!(int_at(&b, b.len() - 12), 1, "{statistic:?}: one period");
        assert_eq!(b.len(), net1_periods_at() + out::period_bytes(11, 13) + 28);
        let got = [
            net1_node(&b, 0, 1, 0),
            net1_node(&b, 0, 1, 10),
            net1_link(&b, 0, 0, 1),
            net1_link(&b, 0, 0, 12),
            net1_node(&b, 0, 3, 1),
            net1_link(&b, 0, 6, 1),
            net1_link(&b, 0, 4, 12),
        ];
        for (g, w) in got.into_iter().zip(want) {
            assert_near(g, w, 0.01 + 1e-3 * w.abs(), &format!("{statistic:?}"));
        }
        // Pipes are open all day: open for all but a range.
        let pipe_status = if statistic == Statistic::Range {
            2.0
        } else {
            3.0
        };
        assert_eq!(
            net1_link(&b, 0, 4, 0),
            pipe_status,
            "{statistic:?}: pipe 10"
        );
    }
}

/// `pipenet run Net1.inp --quality SPEC -q -o F.out`: the file written.
#[cfg(feature = "cli")]
fn net1_run_with_quality(spec: &str) -> Vec<u8> {
    let inp = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networks/epanet/Net1.inp");
    let out = common::temp_path("binary-output", &format!("{}.out", spec.replace(':', "-")));
    let args = [
        std::ffi::OsStr::new("run"),
        inp.as_os_str(),
        "--quality".as_ref(),
        spec.as_ref(),
        "-q".as_ref(),
        "-o".as_ref(),
    ];
    common::pipenet_writes(&args, &out)
}

/// Regression: `--quality age` on Net1 wrote the file's chlorine analysis
/// into the prolog (code 1, "Chlorine", "mg/L") above the ages.
#[cfg(feature = "cli")]
#[test]
fn the_prolog_names_the_analysis_run_not_the_files() {
    // EPANET 2.3.5 on Net1 with QUALITY AGE: code 2, "AGE", "hrs", tank 2
    // 24.15 h old at 24:00; with QUALITY TRACE 9: code 3, node 10, "% from".
    let b = net1_run_with_quality("age");
    assert_eq!(int_at(&b, 28), 2, "age analysis");
    assert_eq!(text_at(&b, 884 - 64, 32), "AGE");
    assert_eq!(text_at(&b, 884 - 32, 32), "hrs");
    assert_near(net1_node(&b, 24, 3, 10), 24.151852, 0.1, "tank 2's age");
    assert_eq!(epilog_rates(&b), [0.0; 4], "age reacts no chemical");

    let b = net1_run_with_quality("trace:9");
    assert_eq!(
        (int_at(&b, 28), int_at(&b, 32)),
        (3, 10),
        "trace of node 10"
    );
    assert_eq!(text_at(&b, 884 - 64, 32), "% from");
}

/// Net1 with the text `old` replaced by `new`.
fn net1_edited(old: &str, new: &str) -> Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networks/epanet/Net1.inp");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(old), "Net1 has {old:?}");
    pipenet::inp::read_str(&text.replace(old, new), "Net1.inp")
        .unwrap()
        .network
}

/// Net1 with `Report Start 30:00`, after its 24 h: EPANET reports from 0
/// instead. The prolog once said 30:00 and the epilog's average reaction
/// rates were 0 (no mass counted after 30:00); EPANET 2.3.5 writes report
/// start 0 and the rates of Net1 itself.
#[test]
fn report_start_30h_after_a_24h_run_is_written_as_0_with_net1s_rates() {
    let net = net1_edited("Report Start       \t0:00", "Report Start 30:00");
    let b = results_file(&net);
    assert_eq!((int_at(&b, 48), int_at(&b, 52)), (0, 3600));
    assert_eq!(int_at(&b, b.len() - 12), 25, "periods");
    let want = [18845.367, 85652.227, 115168.164, 0.0];
    for (got, want) in epilog_rates(&b).into_iter().zip(want) {
        assert_near(got, want, 1e-4 * want + 1e-6, "average reaction rate");
    }
}

/// Net1 with `Report Timestep 0`: EPANET reports every pattern step (2 h)
/// and says so in the prolog, which once held 0 (a reader dividing the
/// duration by it failed).
#[test]
fn report_step_0_is_written_as_net1s_2h_pattern_step() {
    let net = net1_edited("Report Timestep    \t1:00", "Report Timestep 0");
    let b = results_file(&net);
    assert_eq!((int_at(&b, 48), int_at(&b, 52)), (0, 7200));
    assert_eq!(int_at(&b, b.len() - 12), 13, "periods");
}

/// Net1 with `Report Start 1:30` and hourly steps: no period falls on a
/// report time, and none was reported (an empty results file). EPANET
/// 2.3.5 reports each report time with the first period after it: 23
/// periods, the first (1:30) holding the 2:00 solution, junction 10 at
/// 1008.29 ft (its report: `Node Results at 1:30:00 hrs`).
#[test]
fn report_start_1_30_between_hourly_periods_reports_the_period_after() {
    let net = net1_edited("Report Start       \t0:00", "Report Start 1:30");
    let b = results_file(&net);
    assert_eq!((int_at(&b, 48), int_at(&b, 52)), (5400, 3600));
    assert_eq!(int_at(&b, b.len() - 12), 23, "periods");
    assert_near(
        net1_node(&b, 0, out::NODE_HEAD, 0),
        1008.29,
        0.006,
        "head of 10 at 1:30",
    );
    assert_near(
        net1_node(&b, 22, out::NODE_HEAD, 0),
        1000.72,
        0.006,
        "head of 10 at 23:30",
    );
}

/// The report times a simulation gives its periods: with `Report Start
/// 1:30` over hourly steps, the 2:00 period stands for 1:30 and so on to
/// 24:00 for 23:30, as EPANET labels them.
#[test]
fn report_start_1_30_labels_the_2_00_period_1_30() {
    let net = net1_edited("Report Start       \t0:00", "Report Start 1:30");
    let mut sim = Simulation::new(&net).unwrap();
    let mut labels = Vec::new();
    loop {
        sim.solve_period();
        if let Some(report_s) = sim.report_time_s() {
            labels.push((sim.time_s(), report_s));
        }
        if sim.advance() == 0 {
            break;
        }
    }
    assert_eq!(labels.len(), 23);
    assert_eq!(labels[0], (7200, 5400));
    assert_eq!(labels[22], (86400, 84600));
}

/// Net1 with `Quality NONE`: EPANET 2.3.5 still names its default
/// chemical and writes every node's initial quality (junctions 0.5,
/// reservoir 9 and tank 2 1.0) at every period, where pipenet once wrote
/// no name and zeros.
#[test]
fn quality_none_writes_net1s_initial_qualities_and_chemical() {
    let net = net1_edited(" Quality            \tChlorine mg/L", " Quality NONE");
    let b = results_file_of(&net, false);
    assert_eq!(text_at(&b, 884 - 64, 32), "Chemical");
    assert_eq!(text_at(&b, 884 - 32, 32), "");
    for t in [0, 5, 24] {
        let quality: Vec<f32> = (0..11)
            .map(|i| net1_node(&b, t, out::NODE_QUALITY, i))
            .collect();
        assert_eq!(
            quality,
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0]
        );
    }
}
