//! Batches: one row per scenario, in order, the same bytes for any thread count, failures as rows.

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
    let dir = std::env::temp_dir().join(format!("pipenet-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let net = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    let run = |threads: &str| {
        let out = dir.join(format!("rows{threads}.csv"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
            .args([
                "batch",
                net,
                "--bursts",
                "all",
                "--area",
                "0.01",
                "--threads",
                threads,
            ])
            .arg("--out")
            .arg(&out)
            .output()
            .expect("pipenet runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read(&out).expect("rows written")
    };
    let (one, two) = (run("1"), run("2"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(one, two);
    // A header and 117 rows.
    assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 118);
}
