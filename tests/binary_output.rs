//! EPANET binary results (`.out`) written by pipenet, read back field by field.
//!
//! Expected values are EPANET 2.3.5's own `Net1.out` (`runepanet Net1.inp
//! Net1.rpt Net1.out`), read with an independent reader
//! (`scripts/epanet_out.py`): the prolog's counts, codes, ids and static
//! arrays exactly, the 13:00 period's values to EPANET's printed figures.

use std::path::PathBuf;

use pipenet::hydraulics::Simulation;
use pipenet::quality::QualitySimulation;
use pipenet::report::{self, out, Results};

fn net1() -> pipenet::Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networks/epanet/Net1.inp");
    pipenet::inp::read_file(&path).unwrap().network
}

/// Runs Net1 with chlorine and writes its results file into memory.
fn net1_out() -> Vec<u8> {
    let net = net1();
    let mut sim = Simulation::new(&net).unwrap();
    let mut qual = QualitySimulation::from_network(&net).unwrap();
    let mut results = Results::default();
    loop {
        sim.solve_period();
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
    let energy = sim.energy();
    let info = out::RunInfo {
        input_name: "Net1.inp",
        report_name: "",
        energy: &energy,
        warning_flag: 0,
    };
    let mut bytes = Vec::new();
    out::write(&mut bytes, &net, &results, &info).unwrap();
    bytes
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
