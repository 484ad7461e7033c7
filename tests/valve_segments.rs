//! Valve segments and isolation: a hand-drawn network worked out by hand,
//! and Net3 against partitions computed by WNTR.

use std::collections::{BTreeSet, HashMap};

use pipenet::analysis::{closed_network, IsolationTarget, Segments, ValveLayer};
use pipenet::hydraulics::Simulation;
use pipenet::Network;

/// ```text
///   R1 --P1--|J1|--P2-- J2 --P3--| J3
///             |          |
///             P4         P5
///             |          |
///            J4 --P6--|  J5 |--P7-- J6
/// ```
/// `|` marks a valve: on P1, P2 and P4 next to J1, on P3 next to J3, on P6
/// and P7 next to J5. Pipe Pn is n·10 m long; junction Jn asks n L/s.
const HAND_DRAWN: &str = "\
[JUNCTIONS]
J1 0 1
J2 0 2
J3 0 3
J4 0 4
J5 0 5
J6 0 6
[RESERVOIRS]
R1 60
[PIPES]
P1 R1 J1 10 300 130
P2 J1 J2 20 300 130
P3 J2 J3 30 300 130
P4 J1 J4 40 300 130
P5 J2 J5 50 300 130
P6 J4 J5 60 300 130
P7 J5 J6 70 300 130
[OPTIONS]
UNITS LPS
[END]
";

const HAND_VALVES: &str = "valve,link,node
V1,P1,J1
V2,P2,J1
V3,P4,J1
V4,P3,J3
V5,P7,J5
V6,P6,J5
";

fn hand_drawn() -> (Network, ValveLayer, Segments) {
    let net = pipenet::inp::read_str(HAND_DRAWN, "hand.inp")
        .expect("the hand-drawn network reads")
        .network;
    let layer = ValveLayer::from_csv(&net, HAND_VALVES.as_bytes(), "hand.csv").expect("layer");
    let segments = Segments::new(&net, &layer);
    (net, layer, segments)
}

/// A segment as a set of "N:id" and "L:id".
fn members(net: &Network, segments: &Segments, s: usize) -> BTreeSet<String> {
    let seg = &segments.segments[s];
    let nodes = seg.nodes.iter().map(|&i| format!("N:{}", net.node(i).id));
    let links = seg.links.iter().map(|&k| format!("L:{}", net.link(k).id));
    nodes.chain(links).collect()
}

fn partition(net: &Network, segments: &Segments) -> BTreeSet<BTreeSet<String>> {
    (0..segments.segments.len())
        .map(|s| members(net, segments, s))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The segment holding an element ("N:id" or "L:id").
fn segment_named(net: &Network, segments: &Segments, element: &str) -> usize {
    (0..segments.segments.len())
        .find(|&s| members(net, segments, s).contains(element))
        .expect("every element is in a segment")
}

#[test]
fn hand_drawn_segments_are_the_ones_worked_out_by_hand() {
    let (net, _, segments) = hand_drawn();
    // J1 is boxed in by its three valves; P1 stays with R1; P3 with J2;
    // P6 with J4 and P7 with J6.
    let expected: BTreeSet<BTreeSet<String>> = [
        set(&["N:R1", "L:P1"]),
        set(&["N:J1"]),
        set(&["N:J2", "N:J5", "L:P2", "L:P3", "L:P5"]),
        set(&["N:J4", "L:P4", "L:P6"]),
        set(&["N:J3"]),
        set(&["N:J6", "L:P7"]),
    ]
    .into_iter()
    .collect();
    assert_eq!(partition(&net, &segments), expected);
}

#[test]
fn shutting_p5_closes_four_valves_and_cuts_off_j3_and_j6() {
    let (net, layer, segments) = hand_drawn();
    let p5 = net.link_ix("P5").unwrap();
    let iso = segments.isolate(IsolationTarget::Link(p5));
    let closed: Vec<&str> = iso
        .valves_to_close
        .iter()
        .map(|&v| layer.valves[v].id.as_str())
        .collect();
    assert_eq!(closed, ["V2", "V4", "V5", "V6"]);
    let cut_off: BTreeSet<BTreeSet<String>> = iso
        .cut_off
        .iter()
        .map(|&s| members(&net, &segments, s))
        .collect();
    let expected = [set(&["N:J3"]), set(&["N:J6", "L:P7"])]
        .into_iter()
        .collect();
    assert_eq!(cut_off, expected);

    // Shut: J2 and J5 (2 + 5 L/s), pipes P2, P3, P5 (20 + 30 + 50 m).
    let shut = segments.totals(&net, &iso.shut);
    assert_eq!((shut.nodes, shut.links, shut.customers), (2, 3, 2));
    assert!((shut.mean_demand_m3s - 0.007).abs() < 1e-12);
    assert!((shut.pipe_length_m - 100.0).abs() < 1e-9);
    // Cut off: J3 and J6 (3 + 6 L/s), pipe P7 (70 m).
    let cut = segments.totals(&net, &iso.cut_off);
    assert_eq!(cut.customers, 2);
    assert!((cut.mean_demand_m3s - 0.009).abs() < 1e-12);
    assert!((cut.pipe_length_m - 70.0).abs() < 1e-9);
}

#[test]
fn shutting_j1_cuts_off_everything_downstream() {
    let (net, _, segments) = hand_drawn();
    let j1 = net.node_ix("J1").unwrap();
    let iso = segments.isolate(IsolationTarget::Node(j1));
    assert_eq!(iso.valves_to_close, [0, 1, 2]);
    let cut = segments.totals(&net, &iso.cut_off);
    // J2 to J6: 2 + 3 + 4 + 5 + 6 L/s.
    assert_eq!(cut.customers, 5);
    assert!((cut.mean_demand_m3s - 0.020).abs() < 1e-12);
}

#[test]
fn a_failed_valve_merges_its_two_segments_and_what_hangs_off_them() {
    let (net, layer, segments) = hand_drawn();
    // V6 (P6 at J5) separates J4's segment from J2's: shut together, the
    // crew closes V2, V3, V4, V5, and J3 and J6 are cut off.
    let v6 = layer.valves.iter().position(|v| v.id == "V6").unwrap();
    let iso = segments.valve_failure(v6).unwrap();
    let shut: BTreeSet<String> = iso
        .shut
        .iter()
        .flat_map(|&s| members(&net, &segments, s))
        .collect();
    assert_eq!(
        shut,
        set(&["N:J2", "N:J5", "L:P2", "L:P3", "L:P5", "N:J4", "L:P4", "L:P6"])
    );
    let closed: Vec<&str> = iso
        .valves_to_close
        .iter()
        .map(|&v| layer.valves[v].id.as_str())
        .collect();
    assert_eq!(closed, ["V2", "V3", "V4", "V5"]);
    assert_eq!(iso.cut_off.len(), 2);
}

#[test]
fn the_closed_network_delivers_only_the_demand_still_in_service() {
    let (net, layer, segments) = hand_drawn();
    let p5 = net.link_ix("P5").unwrap();
    let iso = segments.isolate(IsolationTarget::Link(p5));
    let closed = closed_network(&net, &layer, &segments, &iso);
    let mut sim = Simulation::new(&closed).expect("the closed network simulates");
    let outcome = sim.solve_period();
    assert!(outcome.converged);

    // By continuity the reservoir supplies J1 and J4 only: 1 + 4 L/s.
    let state = sim.state();
    let delivered: f64 = state.demand_flow_m3s.iter().sum();
    assert!((delivered - 0.005).abs() < 1e-9, "{delivered}");
    let cut_off: BTreeSet<&str> = outcome
        .disconnected
        .iter()
        .map(|&i| net.nodes[i].id.as_str())
        .collect();
    assert!(
        ["J3", "J6"].iter().all(|id| cut_off.contains(id)),
        "{cut_off:?}"
    );
    let j4 = segment_named(&net, &segments, "N:J4");
    assert!(!iso.out_of_service().contains(&j4));
}

/// Net3's segments for a valve layer match WNTR 1.5's `valve_segments` on
/// the same layer. The layers (`generate_valve_layer`: random, 60 valves,
/// seed 123; strategic N-1) and WNTR's partitions are vendored in
/// tests/data/segments, written by scripts/validate_segments.py
/// --write-expected.
#[test]
fn net3_segments_equal_wntrs_for_a_random_and_a_strategic_layer() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/segments");
    let net = pipenet::inp::read_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/networks/epanet/Net3.inp"
    ))
    .expect("Net3 reads")
    .network;
    for name in ["net3_random60_seed123", "net3_strategic_n1"] {
        let layer_path = format!("{dir}/{name}_layer.csv");
        let layer = ValveLayer::read_csv(&net, layer_path.as_ref()).expect("layer reads");
        let ours = partition(&net, &Segments::new(&net, &layer));
        let theirs = wntr_partition(&format!("{dir}/{name}_wntr_segments.csv"));
        assert_eq!(ours.len(), theirs.len(), "{name}: number of segments");
        assert_eq!(ours, theirs, "{name}");
    }
}

/// A partition written as `segment,kind,id` rows.
fn wntr_partition(path: &str) -> BTreeSet<BTreeSet<String>> {
    let text = std::fs::read_to_string(path).expect("vendored partition");
    let mut groups: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let prefix = if fields[1] == "node" { "N" } else { "L" };
        groups
            .entry(fields[0])
            .or_default()
            .insert(format!("{prefix}:{}", fields[2]));
    }
    groups.into_values().collect()
}

/// `pipenet isolate --segments --out F.json`, as the validation script
/// reads it, gives WNTR's partition of Net3 for the random layer.
#[cfg(feature = "cli")]
#[test]
fn the_command_writes_wntrs_partition_of_net3() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::env::temp_dir().join(format!("pipenet-segments-{}.json", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args([
            "isolate",
            &format!("{root}/networks/epanet/Net3.inp"),
            "--segments",
        ])
        .arg("--valves")
        .arg(format!(
            "{root}/tests/data/segments/net3_random60_seed123_layer.csv"
        ))
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("pipenet runs");
    assert!(status.success());
    let text = std::fs::read_to_string(&out).expect("rows written");
    let _ = std::fs::remove_file(&out);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON rows");
    let ids = |row: &serde_json::Value, key: &str, prefix: &str| -> Vec<String> {
        row[key]
            .as_array()
            .expect("a list of ids")
            .iter()
            .map(|id| format!("{prefix}:{}", id.as_str().unwrap_or("?")))
            .collect()
    };
    let ours: BTreeSet<BTreeSet<String>> = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["record"] == "segment")
        .map(|row| {
            ids(row, "nodes", "N")
                .into_iter()
                .chain(ids(row, "links", "L"))
                .collect()
        })
        .collect();
    let theirs = wntr_partition(&format!(
        "{root}/tests/data/segments/net3_random60_seed123_wntr_segments.csv"
    ));
    assert_eq!(ours, theirs);
}

/// Runs `pipenet isolate` with `args` and `--out rows.json`; returns what
/// it printed and the rows.
#[cfg(feature = "cli")]
fn isolate(args: &[&str]) -> (String, serde_json::Value) {
    // Tests run on threads of one process: a call number keeps two of
    // them from writing (and removing) the same file.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = std::env::temp_dir().join(format!(
        "pipenet-isolate-{}-{call}.json",
        std::process::id()
    ));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .arg("isolate")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("pipenet runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("rows written");
    let _ = std::fs::remove_file(&out);
    let rows = serde_json::from_str(&text).expect("JSON rows");
    (String::from_utf8_lossy(&run.stdout).into_owned(), rows)
}

/// Shutting Net3's pipe 231 (random layer): both sides of the table come
/// from pressure-dependent runs (PDA from 0 to 20 psi), as EPANET 2.3.5
/// computes them on the same files (`--write-inp`, and Net3 with the same
/// PDA options): junction 10's lowest pressure is -0.886 psi at 23:00
/// before closing and 4.294 psi at 0:00 after (cutting off junction 203,
/// 41 % of the demand, raises the pressures of the evening). Junction 203
/// itself is out of service, listed as cut off by the closure, not among
/// the junctions still in service.
#[cfg(feature = "cli")]
#[test]
fn isolate_compares_two_pressure_dependent_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (printed, doc) = isolate(&[
        &format!("{root}/networks/epanet/Net3.inp"),
        "--valves",
        &format!("{root}/tests/data/segments/net3_random60_seed123_layer.csv"),
        "--pipe",
        "231",
    ]);
    assert!(
        printed.contains("both runs pressure-dependent (PDA from 0.0 to 20.0 PSI"),
        "{printed}"
    );
    let rows = doc["rows"].as_array().expect("rows");
    let row = |role: &str, id: &str| {
        rows.iter()
            .find(|r| r["role"] == role && r["id"] == id)
            .cloned()
    };
    let low = row("low_pressure", "10").expect("junction 10 is low");
    let value = |key: &str| low[key].as_f64().unwrap();
    assert!((value("min_pressure") - 4.294).abs() < 0.01, "{low}");
    assert_eq!(value("min_pressure_at_s"), 0.0);
    assert!((value("min_pressure_before") + 0.886).abs() < 0.01, "{low}");
    assert_eq!(value("min_pressure_before_at_s"), 82800.0);
    assert!(row("cut_off", "203").is_some());
    assert!(row("low_pressure", "203").is_none());
}

/// Net1 has no valve and no tag: the output says that only control valves
/// would count, and its empty lists say "none" instead of ending at a colon.
#[cfg(feature = "cli")]
#[test]
fn isolate_says_what_counts_as_a_valve_and_none_for_empty_lists() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (printed, _) = isolate(&[&format!("{root}/networks/epanet/Net1.inp"), "--pipe", "10"]);
    assert!(
        printed.contains("only the 0 control valves of [VALVES] count as valves"),
        "{printed}"
    );
    assert!(printed.contains("valves to close: none"), "{printed}");
    assert!(
        printed.contains("or cut off at some time: none"),
        "{printed}"
    );
}
