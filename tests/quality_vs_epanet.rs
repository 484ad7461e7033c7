//! Water age, source tracing and chemical transport of the vendored networks against EPANET 2.3.5.
//!
//! References were written by `epanet_reference.py` (with `--age` or
//! `--trace NODE`, or the network's own QUALITY) and trimmed to a few
//! report times. Tolerances are issue 4's: water age within 0.1 h + 1 %,
//! traces within 0.5 percentage points, chemicals within 0.01 + 1 % (the
//! defaults of `compare_results.py`). The mass balances of Net1 and Net2
//! are EPANET 2.3.5's report (`runepanet`, with `STATUS YES` for Net2).

mod common;
use common::{load_reference, root};

use pipenet::hydraulics::Simulation;
use pipenet::network::QualityKind;
use pipenet::quality::{kind_from_spec, QualitySimulation};

/// Runs `network` with the quality `spec` ("own" for the file's) and
/// compares node qualities at every reference time; returns the number of
/// values compared or the misses.
fn compare(
    network: &str,
    reference: &str,
    spec: &str,
    abs: f64,
    rel: f64,
) -> Result<usize, String> {
    let net = pipenet::inp::read_file(root().join("networks").join(network))
        .map_err(|e| format!("read: {e}"))?
        .network;
    let kind = match spec {
        "own" => net.options.quality.kind.clone(),
        _ => kind_from_spec(&net, spec).map_err(|e| e.to_string())?,
    };
    assert_ne!(kind, QualityKind::None, "{network}: no quality analysis");
    let want = load_reference(&root().join("tests/reference").join(reference));
    let times: Vec<u64> = want["times_s"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    let nodes: Vec<usize> = want["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| net.node_ix(id.as_str().unwrap()).unwrap().ix())
        .collect();

    let mut sim = Simulation::new(&net).map_err(|e| format!("model: {e}"))?;
    let mut quality = QualitySimulation::new(&net, &kind).map_err(|e| e.to_string())?;
    let (mut next, mut compared, mut misses) = (0, 0, Vec::new());
    loop {
        sim.solve_period();
        quality.load_hydraulics(sim.state());
        if next < times.len() && times[next] == sim.time_s() {
            for (e, &i) in nodes.iter().enumerate() {
                let w = want["node"]["quality"][next][e].as_f64().unwrap();
                let got = quality.node_quality(i);
                compared += 1;
                if (got - w).abs() > abs + rel * w.abs() {
                    misses.push(format!("t={} node {}: want {w} got {got}", times[next], i));
                }
            }
            next += 1;
        }
        let step = sim.advance();
        quality.advance(step);
        if next == times.len() || step == 0 {
            break;
        }
    }
    if next < times.len() {
        misses.push(format!("no result at t = {} s", times[next]));
    }
    if misses.is_empty() {
        Ok(compared)
    } else {
        let n = misses.len();
        misses.truncate(5);
        Err(format!("{n} misses, e.g. {}", misses.join("; ")))
    }
}

fn check(network: &str, reference: &str, spec: &str, abs: f64, rel: f64) {
    match compare(network, reference, spec, abs, rel) {
        Ok(n) => assert!(n > 0, "{network}: nothing compared"),
        Err(e) => panic!("{network} ({spec}): {e}"),
    }
}

#[test]
fn water_age_matches_epanet() {
    for (network, reference) in [
        ("epanet/Net1.inp", "quality/age/Net1.json.gz"),
        ("epanet/Net2.inp", "quality/age/Net2.json.gz"),
        ("epanet/Net3.inp", "quality/age/Net3.json.gz"),
        (
            "examples/tanks/example1_2comp.inp",
            "quality/age/example1_2comp.json.gz",
        ),
        (
            "examples/tanks/example1_LIFO.inp",
            "quality/age/example1_LIFO.json.gz",
        ),
    ] {
        check(network, reference, "age", 0.1, 0.01);
    }
}

#[test]
fn source_traces_match_epanet() {
    check(
        "epanet/Net3.inp",
        "quality/trace/Net3-Lake.json.gz",
        "trace:Lake",
        0.5,
        0.0,
    );
    check(
        "epanet/Net3.inp",
        "quality/trace/Net3-River.json.gz",
        "trace:River",
        0.5,
        0.0,
    );
    check(
        "examples/small/sampletown.inp",
        "examples/small/sampletown.json.gz",
        "own",
        0.5,
        0.0,
    );
}

#[test]
fn chemicals_match_epanet() {
    for (network, reference) in [
        ("epanet/Net1.inp", "epanet/Net1.json.gz"),
        ("epanet/Net2.inp", "epanet/Net2.json.gz"),
        (
            "examples/tanks/example1_2comp.inp",
            "examples/tanks/example1_2comp.json.gz",
        ),
        (
            "examples/tanks/example1_LIFO.inp",
            "examples/tanks/example1_LIFO.json.gz",
        ),
    ] {
        check(network, reference, "own", 0.01, 0.01);
    }
}

/// Regression: `batch-nh2cl.inp` (a tank joined to a junction by a pipe
/// with no flow) once reported the tank decaying to 0.0009 mg/L after a
/// week; EPANET visits no node while every link is stagnant from the
/// start, so it reports the initial 1.0 mg/L throughout.
#[test]
fn a_network_without_flow_keeps_its_node_qualities() {
    check(
        "examples/msx-examples/batch-nh2cl.inp",
        "examples/msx-examples/batch-nh2cl.json.gz",
        "own",
        0.01,
        0.01,
    );
}

/// Runs a network's own quality analysis to the end and returns its mass balance.
fn mass_balance(network: &str) -> pipenet::quality::MassBalance {
    let net = pipenet::inp::read_file(root().join("networks").join(network))
        .unwrap()
        .network;
    let mut sim = Simulation::new(&net).unwrap();
    let mut quality = QualitySimulation::from_network(&net).unwrap();
    loop {
        sim.solve_period();
        quality.load_hydraulics(sim.state());
        let step = sim.advance();
        quality.advance(step);
        if step == 0 {
            break;
        }
    }
    quality.mass_balance()
}

#[test]
fn mass_balances_match_epanet_reports() {
    // EPANET 2.3.5 "Water Quality Mass Balance (mg)": initial, inflow,
    // outflow, reacted, final.
    let cases = [
        (
            "epanet/Net1.inp",
            [7.47582e6, 5.73534e6, 3.22693e6, 5.27198e6, 4.71226e6],
        ),
        (
            "epanet/Net2.inp",
            [3.72707e6, 1.65492e6, 2.36202e6, 0.0, 3.01997e6],
        ),
    ];
    for (network, want) in cases {
        let b = mass_balance(network);
        let got = [b.initial, b.inflow, b.outflow, b.reacted, b.final_mass];
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 0.01 * w.abs() + 1.0,
                "{network}: mass balance {got:?}, EPANET {want:?}"
            );
        }
        assert!(
            (b.ratio() - 1.0).abs() < 1e-3,
            "{network}: ratio {}",
            b.ratio()
        );
    }
}

/// Runs `pipenet run networks/NETWORK --out x.csv` with `extra` arguments
/// and compares the CSV's `quality` column at the nodes with `reference`
/// (within `abs` + `rel` of EPANET's value); returns the CSV's header.
#[cfg(feature = "cli")]
fn compare_csv(network: &str, extra: &[&str], reference: &str, abs: f64, rel: f64) -> Vec<String> {
    let out = common::temp_path("quality", "results.csv");
    let input = root().join("networks").join(network);
    let mut args = vec!["run", input.to_str().unwrap(), "-q"];
    args.extend(extra);
    args.push("--out");
    let csv = common::pipenet_writes(&args, &out);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (time, element, id, quality) = (
        column("time_s"),
        column("element"),
        column("id"),
        column("quality"),
    );

    let want = load_reference(&root().join("tests/reference").join(reference));
    let times = common::numbers(&want["times_s"]);
    let ids = common::ids(&want["nodes"]);
    let mut compared = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let t: f64 = row[time].parse().unwrap();
        let (Some(ti), "node") = (times.iter().position(|&x| x == t), &row[element]) else {
            continue;
        };
        let e = ids.iter().position(|x| x == &row[id]).unwrap();
        let w = want["node"]["quality"][ti][e].as_f64().unwrap();
        let got: f64 = row[quality].parse().unwrap();
        assert!(
            (got - w).abs() <= abs + rel * w.abs(),
            "{network}: node {} at {t} s: {got}, EPANET {w}",
            &row[id]
        );
        compared += 1;
    }
    assert_eq!(compared, times.len() * ids.len(), "{network}");
    header
}

/// `pipenet run --quality age --out x.csv` once wrote no quality column
/// (the JSON had one): the CSV's `quality` column now holds each node's
/// water age, in hours, and for a chemical its concentration, with a
/// `reaction` column for the links; both equal EPANET's at every
/// reference time (Net1's age, and its own chlorine).
#[cfg(feature = "cli")]
#[test]
fn csv_results_carry_the_quality_epanet_computes() {
    let header = compare_csv(
        "epanet/Net1.inp",
        &["--quality", "age"],
        "quality/age/Net1.json.gz",
        0.1,
        0.01,
    );
    assert_eq!(header.last().map(String::as_str), Some("quality"));
    let header = compare_csv("epanet/Net1.inp", &[], "epanet/Net1.json.gz", 0.01, 0.01);
    assert_eq!(header[header.len() - 2..], ["quality", "reaction"]);
}
