//! docs/scenarios.md: every example reads with the scenario-file reader, applies to the network it names and runs.

use std::collections::BTreeSet;

use pipenet::scenario::{file, run};

/// Every edit `type` a scenario file may use (`Edit::kind`); the reference
/// must show each.
const EDIT_TYPES: [&str; 11] = [
    "close",
    "open",
    "setting",
    "pump_speed",
    "pump_schedule",
    "scale_demands",
    "add_pipe",
    "remove_link",
    "resize_pipe",
    "pressure_dependent",
    "burst",
];

/// The ```toml blocks of a Markdown text, each with the line it starts on.
fn toml_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match (&mut open, line.trim_end()) {
            (None, "```toml") => open = Some((n + 2, String::new())),
            (Some(_), "```") => blocks.extend(open.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(open.is_none(), "a ```toml block is never closed");
    blocks
}

/// The network an example names on its first line (`# on PATH`).
fn network_of(line: usize, block: &str) -> pipenet::Network {
    let first = block.lines().next().unwrap_or_default();
    let path = first
        .strip_prefix("# on ")
        .unwrap_or_else(|| panic!("docs/scenarios.md:{line}: no '# on NETWORK' line"));
    let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), path.trim());
    pipenet::inp::read_file(&path)
        .unwrap_or_else(|e| panic!("docs/scenarios.md:{line}: {e}"))
        .network
}

#[test]
fn every_example_in_the_scenario_reference_reads_applies_and_runs() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md");
    let markdown = std::fs::read_to_string(path).expect("docs/scenarios.md exists");
    let blocks = toml_blocks(&markdown);
    assert!(
        blocks.len() >= EDIT_TYPES.len(),
        "{} examples",
        blocks.len()
    );

    let mut shown = BTreeSet::new();
    for (line, block) in &blocks {
        let net = network_of(*line, block);
        let name = format!("docs/scenarios.md (the example from line {line})");
        let scenarios = file::read_str(block, &name).unwrap_or_else(|e| panic!("{e}"));
        for scenario in scenarios {
            shown.extend(scenario.edits.iter().map(|e| e.kind()));
            let applied = scenario.apply(&net).unwrap_or_else(|e| panic!("{e}"));
            let summary = run::simulate(&applied, &Default::default())
                .unwrap_or_else(|e| panic!("docs/scenarios.md:{line}: {e}"));
            assert_eq!(
                summary.unbalanced_periods, 0,
                "docs/scenarios.md:{line}: '{}' did not converge",
                scenario.name
            );
        }
    }

    let missing: Vec<_> = EDIT_TYPES.iter().filter(|t| !shown.contains(*t)).collect();
    assert!(missing.is_empty(), "no example of {missing:?}");
}

/// The reference's `setting` example sets a value in the file's units:
/// PRV V1 of `prv_night.inp` (metres) at 35 from 1:00 becomes a control
/// at 3600 s with a setting of 35 m of head.
#[test]
fn the_setting_example_sets_the_valve_in_the_files_units() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md");
    let markdown = std::fs::read_to_string(path).expect("docs/scenarios.md exists");
    let (line, block) = toml_blocks(&markdown)
        .into_iter()
        .find(|(_, b)| b.contains("type = \"setting\""))
        .expect("a setting example");
    let net = network_of(line, &block);
    let scenario = &file::read_str(&block, "docs/scenarios.md").expect("reads")[0];
    let applied = scenario.apply(&net).expect("applies");
    let control = applied.network.controls.last().expect("a control");
    assert_eq!(
        control.condition,
        pipenet::network::ControlCondition::AtTime { time_s: 3600 }
    );
    assert_eq!(
        control.action.status,
        pipenet::network::LinkStatusSetting::Setting(35.0)
    );
}
