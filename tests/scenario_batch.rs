//! Batches: one row per scenario, in order, the same bytes for any thread count, failures as rows.

mod common;

use pipenet::scenario::batch::{self, BatchOptions, Shard};
use pipenet::scenario::{BurstSpec, Scenario};

fn net3() -> pipenet::Network {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    pipenet::inp::read_file(path).expect("Net3").network
}

fn csv(rows: &[batch::Row]) -> Vec<u8> {
    let mut out = Vec::new();
    batch::write_csv(&mut out, rows).expect("CSV");
    out
}

#[test]
fn bursting_every_pipe_of_net3_gives_117_rows_identical_on_1_and_2_threads() {
    let base = net3();
    let scenarios = batch::burst_every_pipe(&base, &BurstSpec::orifice("", 0.01), &[]);
    assert_eq!(scenarios.len(), 117);
    let run = |threads| {
        let options = BatchOptions {
            threads,
            ..BatchOptions::default()
        };
        batch::run(&base, &scenarios, &options, &|| {}).expect("batch runs")
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one.len(), 117);
    assert_eq!(csv(&one), csv(&two));
    let indices: Vec<usize> = one.iter().map(|r| r.index).collect();
    assert_eq!(indices, (0..117).collect::<Vec<_>>());
    assert!(one.iter().all(|r| r.status != "failed"), "a burst failed");
}

#[test]
fn a_failed_scenario_is_a_row_with_its_reason_and_the_batch_goes_on() {
    let base = net3();
    let spec = BurstSpec::orifice("", 0.01);
    let scenarios = vec![
        batch::burst_scenario("101", &spec, &[]),
        batch::burst_scenario("no-such-pipe", &spec, &[]),
        batch::burst_scenario("103", &spec, &[]),
    ];
    let rows = batch::run(&base, &scenarios, &BatchOptions::default(), &|| {}).expect("runs");
    let status: Vec<&str> = rows.iter().map(|r| r.status).collect();
    assert_eq!(status, ["ok", "failed", "ok"]);
    assert!(
        rows[1].reason.contains("unknown link 'no-such-pipe'"),
        "{}",
        rows[1].reason
    );
}

#[test]
fn shards_concatenated_equal_the_whole_batch() {
    let base = net3();
    let scenarios: Vec<Scenario> =
        batch::burst_every_pipe(&base, &BurstSpec::orifice("", 0.01), &[])
            .into_iter()
            .take(10)
            .collect();
    let whole = batch::run(&base, &scenarios, &BatchOptions::default(), &|| {}).expect("runs");
    let mut parts = Vec::new();
    for index in 1..=3 {
        let options = BatchOptions {
            shard: Some(Shard { index, count: 3 }),
            ..BatchOptions::default()
        };
        parts.extend(batch::run(&base, &scenarios, &options, &|| {}).expect("runs"));
    }
    assert_eq!(csv(&whole), csv(&parts));
}

#[test]
fn the_batch_command_writes_the_same_bytes_with_one_and_two_threads() {
    let net = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    let args = ["--bursts", "all", "--area", "0.01"];
    let (one, two) = (
        batch_cli(net, &args, "1", "net3"),
        batch_cli(net, &args, "2", "net3"),
    );
    assert_eq!(one, two);
    // A header and 117 rows.
    assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 118);
}

/// Runs `pipenet batch NET ARGS --threads N` and returns the rows written.
fn batch_cli(net: &str, args: &[&str], threads: &str, tag: &str) -> Vec<u8> {
    let out = common::temp_path(&format!("batch-{tag}"), &format!("rows{threads}.csv"));
    let mut all = vec!["batch", net];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--threads", threads, "--out"]);
    common::pipenet_writes(&all, &out)
}

/// The CSV text of rows as lines of fields, header first.
fn table(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn field<'a>(table: &'a [Vec<String>], row: usize, column: &str) -> &'a str {
    let c = (table[0].iter().position(|h| h == column)).unwrap_or_else(|| panic!("no {column}"));
    &table[row + 1][c]
}

const NET1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
const NET1_LAYER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/segments/net1_three_valves_layer.csv"
);

#[test]
fn closing_every_segment_of_net1_with_three_valves_gives_the_hand_counted_rows() {
    // Valves on pipe 10 at 11, pipe 121 at 31 and pipe 122 at 32 make three
    // segments (counted by hand): 1 = {9, 10, pump 9, pipe 10}, 2 = the rest
    // with tank 2, 3 = {31, 32, pipe 31}, which only segment 2 feeds.
    let rows = batch_cli(
        NET1,
        &["--close-segments", "all", "--valves", NET1_LAYER],
        "1",
        "n1",
    );
    let t = table(&rows);
    assert_eq!(t.len(), 4, "a header and three rows");
    let column = |c: &str| (0..3).map(|r| field(&t, r, c)).collect::<Vec<_>>();
    assert_eq!(column("segment"), ["1", "2", "3"]);
    assert_eq!(column("valves"), ["V1", "V1 V2 V3", "V2 V3"]);
    // Junction 10 asks nothing; segment 2 holds 6 customers and cuts off
    // segment 3 and its 2; segment 3 holds 2.
    assert_eq!(column("customers_cut_off"), ["0", "8", "2"]);
    assert_eq!(column("unintended_isolation"), ["", "3", ""]);
    assert_eq!(column("unintended_customers"), ["0", "2", "0"]);
    // Net1 keeps over 100 psi everywhere, so under PDA only the customers
    // out of service lose demand: their base demand times the pattern's
    // mean (1.0) over 24 h, with EPANET's 448.831 gpm per cfs and 0.028317
    // m3 per ft3: segment 3's 200 gpm is 1090.20 m3, segment 2's 1100 gpm
    // (every demand) 5996.13 m3.
    let lost = |r: usize| {
        field(&t, r, "not_delivered_m3")
            .parse::<f64>()
            .expect("number")
    };
    let gpm_day_m3 = 0.028_317 / 448.831 * 86_400.0;
    assert!((lost(2) - 200.0 * gpm_day_m3).abs() < 0.01, "{}", lost(2));
    assert!((lost(1) - 1100.0 * gpm_day_m3).abs() < 0.01, "{}", lost(1));
    assert_eq!(field(&t, 2, "nodes_below_service"), "0");

    let listed = batch_cli(
        NET1,
        &["--close-segments", "3,1", "--valves", NET1_LAYER],
        "1",
        "n1b",
    );
    let l = table(&listed);
    assert_eq!(
        (field(&l, 0, "segment"), field(&l, 1, "segment")),
        ("3", "1")
    );
}

#[test]
fn a_segment_row_agrees_with_isolate_on_the_same_closure() {
    // Net3, random layer: pipe 231 lies in segment 17 (README example).
    let net = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    let layer = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/segments/net3_random60_seed123_layer.csv"
    );
    let args = [
        "--close-segments",
        "17",
        "--valves",
        layer,
        "--service-pressure",
        "20",
    ];
    let t = table(&batch_cli(net, &args, "1", "iso"));
    let isolate = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(["isolate", net, "--valves", layer, "--pipe", "231"])
        .args(["--service-pressure", "20"])
        .output()
        .expect("pipenet runs");
    let text = String::from_utf8_lossy(&isolate.stdout);
    let line = |start: &str| {
        (text.lines().map(str::trim))
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no '{start}' in {text}"))
            .to_string()
    };
    assert!(line("shutting pipe 231").ends_with("segment 17"));
    assert!(line("valves to close").contains("(4)"));
    assert_eq!(field(&t, 0, "valves"), "V10 V12 V49 V58");
    assert!(line("out of service in all").contains("3 customers"));
    assert_eq!(field(&t, 0, "customers_cut_off"), "3");
    let below = line("4 junctions still in service below");
    assert!(below.contains("20.0 PSI"), "{below}");
    assert_eq!(field(&t, 0, "nodes_below_service"), "4");
    // "demand delivered: 57.19 % of the demand asked before closing".
    let share: f64 = line("demand delivered:")
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .expect("a share");
    let lost: f64 = field(&t, 0, "not_delivered_m3").parse().expect("number");
    let asked: f64 = 59_675.996; // Net3's demand over 24 h (the burst rows' demand_m3)
    assert!(
        (100.0 * (1.0 - lost / asked) - share).abs() < 0.01,
        "{lost} vs {share} %"
    );
}

#[test]
fn segment_and_grid_batches_write_the_same_bytes_on_one_and_two_threads() {
    let net3 = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    let layer = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/segments/net3_random60_seed123_layer.csv"
    );
    let args = ["--close-segments", "all", "--valves", layer];
    let one = batch_cli(net3, &args, "1", "seg");
    assert_eq!(one, batch_cli(net3, &args, "2", "seg"));
    assert_eq!(table(&one).len(), 41, "a header and 40 segments");

    let mut shards = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let part = batch_cli(net3, &[&args[..], &["--shard", shard]].concat(), "2", "sh");
        let mut lines: Vec<&[u8]> = part.split_inclusive(|&b| b == b'\n').collect();
        if !shards.is_empty() {
            lines.remove(0); // the header, once
        }
        shards.extend(lines.concat());
    }
    assert_eq!(shards, one);

    let grid = ["--prv-grid", "V1=30:45:5"];
    let one = batch_cli(PRV_NIGHT, &grid, "1", "grid");
    assert_eq!(one, batch_cli(PRV_NIGHT, &grid, "2", "grid"));
}

const PRV_NIGHT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/zones/prv_night.inp"
);

#[test]
fn a_prv_grid_row_equals_the_scenario_with_the_same_setting() {
    let t = table(&batch_cli(
        PRV_NIGHT,
        &["--prv-grid", "V1=30:45:5"],
        "2",
        "g",
    ));
    assert_eq!(t.len(), 5, "a header and four settings");
    let settings: Vec<&str> = (0..4).map(|r| field(&t, r, "setting_V1")).collect();
    assert_eq!(settings, ["30", "35", "40", "45"]);
    for (r, setting) in settings.iter().enumerate() {
        // The zone's pipes are short and wide: J4 (25 m, the highest) sits
        // at setting + 20 m - 25 m, within a few cm (tests/scenario_night.rs).
        let setting: f64 = setting.parse().expect("number");
        let p: f64 = field(&t, r, "min_pressure").parse().expect("number");
        assert_eq!(field(&t, r, "min_pressure_node"), "J4");
        assert!((p - (setting - 5.0)).abs() < 0.05, "{setting}: {p}");
    }

    // Row 2 (V1 = 40) against `pipenet scenario` with a setting edit.
    let dir = std::env::temp_dir().join(format!("pipenet-grid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("v1_40.toml");
    let toml = "name = \"V1 at 40\"\n[[edit]]\ntype = \"setting\"\nlink = \"V1\"\nvalue = 40\n";
    std::fs::write(&file, toml).expect("scenario written");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(["scenario", PRV_NIGHT])
        .arg(&file)
        .output()
        .expect("pipenet runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&run.stdout);
    // The scenario prints to fewer decimals: compare to its precision.
    let printed = |start: &str, nth: usize| -> f64 {
        (text.lines())
            .find(|l| l.starts_with(start))
            .and_then(|l| l.split_whitespace().nth(nth))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no '{start}' in:\n{text}"))
    };
    let value = |column: &str| -> f64 { field(&t, 2, column).parse().expect("number") };
    let pairs = [
        (
            printed("lowest customer pressure:", 3),
            value("min_pressure"),
            0.005,
        ),
        (printed("demand:", 1), value("demand_m3"), 0.05),
        (printed("demand:", 4), value("not_delivered_m3"), 0.05),
        (printed("leakage (emitters", 4), value("leakage_m3"), 0.05),
    ];
    for (scenario, row, precision) in pairs {
        assert!(
            (scenario - row).abs() <= precision + 1e-9,
            "scenario {scenario}, row {row}:\n{text}"
        );
    }
    assert!(text.contains("METERS at J4 (7:00:00)"), "{text}");
    assert_eq!(field(&t, 2, "min_pressure_time_s"), "25200");
}
