//! Scenario edits from TOML: the base is never changed, edits do what they say, errors name file and line.

use pipenet::network::{ControlCondition, LinkKind};
use pipenet::scenario::{file, run, Scenario};

fn net3() -> pipenet::Network {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    pipenet::inp::read_file(path).expect("Net3").network
}

fn example(name: &str) -> Vec<Scenario> {
    let path = format!("{}/examples/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    file::read_file(path).expect("example reads")
}

#[test]
fn applying_a_scenario_leaves_the_base_network_alone() {
    let base = net3();
    let before = pipenet::inp::write_string(&base);
    let scenario = &example("net3_new_main_and_burst.toml")[0];
    let applied = scenario.apply(&base).expect("applies");
    assert_eq!(pipenet::inp::write_string(&base), before);
    // Two new junctions (split and leak), three new links (new main, second part, connector).
    assert_eq!(applied.network.nodes.len(), base.nodes.len() + 2);
    assert_eq!(applied.network.links.len(), base.links.len() + 3);
}

#[test]
fn every_example_file_reads_and_all_but_the_deliberate_typo_apply_to_net3() {
    let base = net3();
    for name in [
        "net3_main_repair.toml",
        "net3_new_main_and_burst.toml",
        "net3_batch.toml",
    ] {
        for s in example(name) {
            let applied = s.apply(&base);
            assert_eq!(
                applied.is_err(),
                s.name.starts_with("typo"),
                "{name}: {}",
                s.name
            );
        }
    }
}

#[test]
fn an_unknown_link_is_reported_with_file_and_line() {
    let base = net3();
    let typo = example("net3_batch.toml").pop().expect("last scenario");
    let e = typo.apply(&base).unwrap_err().to_string();
    assert!(
        e.ends_with("net3_batch.toml:42: scenario 'typo: unknown pipe', edit 1 (close): link: unknown link '2O'"),
        "{e}"
    );
}

#[test]
fn an_edit_from_a_time_is_a_control_in_the_written_file() {
    let base = net3();
    let scenario = &example("net3_main_repair.toml")[0];
    let applied = scenario.apply(&base).expect("applies");
    let text = pipenet::inp::write_string(&applied.network);
    assert!(text.contains("LINK 20 CLOSED AT TIME 8:00:00"), "{text}");
    assert!(text.contains("LINK 20 OPEN AT TIME 16:00:00"));
    let again = pipenet::inp::read_str(&text, "written.inp").expect("reads back");
    assert_eq!(again.network.controls.len(), applied.network.controls.len());
    // The pump schedule replaced pump 10's own two controls.
    let pump = applied.network.link_ix("10").expect("pump 10");
    let times: Vec<_> = (applied.network.controls.iter())
        .filter(|c| c.action.link == pump)
        .map(|c| c.condition)
        .collect();
    assert_eq!(
        times,
        [
            ControlCondition::AtTime { time_s: 7200 },
            ControlCondition::AtTime { time_s: 50_400 }
        ]
    );
}

#[test]
fn a_pipe_closed_at_8h_carries_no_flow_from_then_until_it_reopens() {
    let base = net3();
    let scenario = &example("net3_main_repair.toml")[0];
    let applied = scenario.apply(&base).expect("applies");
    let options = run::RunOptions {
        keep_results: true,
        ..Default::default()
    };
    let summary = run::simulate(&applied, &options).expect("runs");
    let k = applied.network.link_ix("20").expect("pipe 20").ix();
    for snap in &summary.results.expect("kept").snapshots {
        let closed = snap.status[k].is_closed();
        let shut = (28_800..57_600).contains(&snap.time_s);
        assert_eq!(closed, shut, "at {} s", snap.time_s);
    }
}

#[test]
fn scaling_every_demand_scales_the_demand_volume_by_the_same_factor() {
    // Demand-driven: the volume asked is Σ base × pattern × step, linear in the base.
    let base = net3();
    let plain = Scenario {
        name: "as is".into(),
        ..Scenario::default()
    };
    let grown = Scenario::from_toml_str(
        "name = \"x1.3\"\n[[edit]]\ntype = \"scale_demands\"\nfactor = 1.3\n",
        "grown.toml",
    )
    .expect("reads");
    let volume = |s: &Scenario| {
        let applied = s.apply(&base).expect("applies");
        run::simulate(&applied, &Default::default())
            .expect("runs")
            .demand_m3
    };
    let (v0, v1) = (volume(&plain), volume(&grown));
    // Tank controls may move step boundaries, but patterns change only on the hour.
    assert!((v1 / v0 - 1.3).abs() < 1e-9, "{v1} / {v0}");
}

#[test]
fn a_removed_link_takes_its_controls_with_it() {
    let base = net3();
    let s = Scenario::from_toml_str(
        "name = \"no pump 335\"\n[[edit]]\ntype = \"remove_link\"\nlink = \"335\"\n",
        "r.toml",
    )
    .expect("reads");
    let applied = s.apply(&base).expect("applies");
    assert!(applied.network.link_ix("335").is_none());
    assert_eq!(applied.network.controls.len(), base.controls.len() - 2);
    assert_eq!(applied.notes.len(), 1);
    run::simulate(&applied, &Default::default()).expect("still runs");
}

#[test]
fn a_resized_pipe_has_its_new_diameter_in_si() {
    let base = net3();
    let s = Scenario::from_toml_str(
        "name = \"r\"\n[[edit]]\ntype = \"resize_pipe\"\npipe = \"125\"\ndiameter = 16\n",
        "r.toml",
    )
    .expect("reads");
    let applied = s.apply(&base).expect("applies");
    let k = applied.network.link_ix("125").expect("125");
    let LinkKind::Pipe(p) = &applied.network.link(k).kind else {
        panic!("not a pipe")
    };
    assert!((p.diameter_m - 16.0 * 0.0254).abs() < 1e-12);
}

#[test]
fn a_new_prv_setting_from_the_start_keeps_the_valve_in_control() {
    // Regression: `type = "setting"` without `at` on a PRV set the valve's
    // initial status to OPEN, fixing it fully open; on
    // tests/data/zones/zones_hand.inp (P4 closed) B1 then had 58.79 m
    // instead of the 15 m asked for.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/zones/zones_hand.inp"
    );
    let base = pipenet::inp::read_file(path).unwrap().network;
    let scenario = Scenario::from_toml_str(
        "name = \"V1 at 15 m\"\n[[edit]]\ntype = \"close\"\nlink = \"P4\"\n\
         [[edit]]\ntype = \"setting\"\nlink = \"V1\"\nvalue = 15\n",
        "t.toml",
    )
    .unwrap();
    let applied = scenario.apply(&base).unwrap();
    let net = &applied.network;
    let mut sim = pipenet::hydraulics::Simulation::new(net).unwrap();
    assert!(sim.solve_period().converged);
    let b1 = net.node_ix("B1").unwrap().ix();
    let pressure = sim.state().head_m[b1] - net.nodes[b1].elevation_m;
    assert!((pressure - 15.0).abs() < 1e-3, "B1 pressure {pressure} m");
}
