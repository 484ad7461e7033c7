//! Extended-period hydraulics of the vendored networks against EPANET 2.3.5's own results.
//!
//! Each network under `networks/` with a reference under `tests/reference/`
//! (written by EPANET through `epanet_reference.py`, trimmed to a few
//! report times) is simulated over its whole duration and compared at
//! every reference time with the tolerances of `compare_results.py`: heads
//! and pressures within 0.01 (file units), demands, flows and velocities
//! within 0.01 + 0.1 %, statuses equal. Node values where EPANET's pressure
//! is meaningless (|p| > 1e4, parts cut off from every source) are not
//! compared.

mod common;
use common::{load_reference, numbers, root};

use std::path::{Path, PathBuf};

use pipenet::hydraulics::Simulation;
use pipenet::report::{link_values, node_values, Snapshot};

const HEAD_TOL: f64 = 0.01;
const FLOW_TOL: f64 = 0.01;
const FLOW_REL: f64 = 0.001;
const ABSURD_PRESSURE: f64 = 1e4;

/// Simulates the whole run and compares every reference time; returns the
/// number of values compared, or a description of the misses.
fn compare_all_times(inp: &Path, reference: &Path) -> Result<usize, String> {
    let net = pipenet::inp::read_file(inp)
        .map_err(|e| format!("read: {e}"))?
        .network;
    let want = load_reference(reference);
    let times: Vec<u64> = want["times_s"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    let ids = |key: &str| -> Vec<String> {
        want[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (node_ids, link_ids) = (ids("nodes"), ids("links"));
    let node_ix = node_ids
        .iter()
        .map(|id| {
            net.node_ix(id)
                .map(|n| n.ix())
                .ok_or(format!("node {id} missing"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let link_ix = link_ids
        .iter()
        .map(|id| {
            net.link_ix(id)
                .map(|l| l.ix())
                .ok_or(format!("link {id} missing"))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut sim = Simulation::new(&net).map_err(|e| format!("model: {e}"))?;
    let mut misses = Vec::new();
    let mut compared = 0;
    let mut next = 0;
    loop {
        sim.solve_period();
        let t = sim.time_s();
        if next < times.len() && times[next] == t {
            let snap = Snapshot::of(t, sim.state());
            compared += compare_time(&net, &want, next, &snap, &node_ix, &link_ix, &mut misses);
            next += 1;
        }
        if next == times.len() || sim.advance() == 0 {
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
        Err(format!(
            "{n} values out of tolerance, e.g. {}",
            misses.join("; ")
        ))
    }
}

/// Compares one reference time (index `ti`) with a snapshot, as
/// `compare_result.py` does; returns the number of values compared.
fn compare_time(
    net: &pipenet::Network,
    want: &serde_json::Value,
    ti: usize,
    snap: &Snapshot,
    node_ix: &[usize],
    link_ix: &[usize],
    misses: &mut Vec<String>,
) -> usize {
    let t = snap.time_s;
    let mut compared = 0;
    let pressure_ref = numbers(&want["node"]["pressure"][ti]);
    for field in ["head", "pressure", "demand"] {
        let w = numbers(&want["node"][field][ti]);
        for (e, &i) in node_ix.iter().enumerate() {
            if pressure_ref[e].abs() > ABSURD_PRESSURE {
                continue;
            }
            let v = node_values(net, snap, i);
            let (got, tol) = match field {
                "head" => (v.head, HEAD_TOL),
                "pressure" => (v.pressure, HEAD_TOL),
                _ => (v.demand, FLOW_TOL + FLOW_REL * w[e].abs()),
            };
            compared += 1;
            if !got.is_finite() || (got - w[e]).abs() > tol {
                let id = &net.nodes[i].id;
                misses.push(format!("t={t} node {id} {field}: want {} got {got}", w[e]));
            }
        }
    }
    for field in ["flow", "velocity", "status"] {
        let w = numbers(&want["link"][field][ti]);
        for (e, &k) in link_ix.iter().enumerate() {
            let v = link_values(net, snap, k);
            let (got, tol) = match field {
                "flow" => (v.flow, FLOW_TOL + FLOW_REL * w[e].abs()),
                "velocity" => (v.velocity, FLOW_TOL + FLOW_REL * w[e].abs()),
                _ => (f64::from(v.status), 0.0),
            };
            compared += 1;
            if !got.is_finite() || (got - w[e]).abs() > tol {
                let id = &net.links[k].id;
                misses.push(format!("t={t} link {id} {field}: want {} got {got}", w[e]));
            }
        }
    }
    compared
}

fn vendored_cases() -> Vec<(PathBuf, PathBuf)> {
    let mut cases = Vec::new();
    let mut stack = vec![root().join("networks")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "inp") {
                let rel = path.strip_prefix(root().join("networks")).unwrap();
                let reference = root()
                    .join("tests/reference")
                    .join(rel)
                    .with_extension("json.gz");
                if reference.exists() {
                    cases.push((path, reference));
                }
            }
        }
    }
    let mut features = std::fs::read_dir(root().join("tests/data/features"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "inp"))
        .collect::<Vec<_>>();
    features.sort();
    for path in features {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let reference = root()
            .join("tests/reference/features")
            .join(format!("{name}.json.gz"));
        if reference.exists() {
            cases.push((path, reference));
        }
    }
    cases.sort();
    cases
}

/// Networks known not to match, each with the reason.
/// See docs/validation.md, "Known differences from EPANET".
const KNOWN_MISSES: &[(&str, &str)] = &[
    (
        "wntr/Anytown.inp",
        "EPANET draws the demand of junctions cut off by closed links through those closed \
         links; pipenet delivers none, so the pipes of the cut-off part carry no flow",
    ),
    (
        "wntr/fcv_open_no_upstream_sources.inp",
        "from 10:00 the FCV's side is cut off from every source; EPANET keeps drawing its \
         demand through closed links, pipenet delivers none (docs/validation.md)",
    ),
    (
        "wntr/io.inp",
        "once the only tank is empty the whole network is cut off; EPANET's heads there \
         (a pump lifting a still network) differ from pipenet's placeholder heads",
    ),
    (
        "wntr/Net6.inp",
        "tank levels drift from EPANET's by a few mm over days: solutions differ at the \
         1e-7 level (an open PRV with a 1e6 conductance) and tank and control times are \
         rounded to whole seconds, so a time lands a second apart now and then",
    ),
    (
        "features/pumps.inp",
        "EPANET 2.3.5 gives a constant-power pump in an SI file 1/0.7457 times its power \
         (33.5 kW of hydraulic power from POWER 25); pipenet delivers the 25 kW stated",
    ),
];

#[test]
fn every_report_time_matches_epanet_on_every_vendored_network() {
    let cases = vendored_cases();
    assert!(
        cases.len() >= 40,
        "expected the vendored networks, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut passed = 0;
    for (inp, reference) in &cases {
        let name = inp.strip_prefix(root()).unwrap().display().to_string();
        let known = KNOWN_MISSES.iter().any(|(n, _)| name.ends_with(n));
        match compare_all_times(inp, reference) {
            Ok(_) => passed += 1,
            Err(e) if known => eprintln!("known miss {name}: {e}"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    eprintln!(
        "{passed} of {} networks match EPANET at every reference time",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} networks differ from EPANET:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `constant_power_dead_end.inp` once took one trial more than EPANET's 4:
/// the junction behind the pump that EPANET closes is cut off, and
/// re-marking it at convergence forced another trial although it asks for
/// no water and its equations do not change. EPANET's status report
/// (`[REPORT] STATUS FULL`) says "Balanced after 4 trials".
#[test]
fn cutting_off_a_zero_demand_junction_costs_no_extra_trial() {
    let inp = root().join("tests/data/features/constant_power_dead_end.inp");
    let net = pipenet::inp::read_file(&inp).unwrap().network;
    let mut sim = Simulation::new(&net).unwrap();
    let outcome = sim.solve_period();
    assert!(outcome.converged);
    assert_eq!(outcome.iterations, 4);
    let j2 = net.node_ix("J2").unwrap().ix();
    assert_eq!(outcome.disconnected, vec![j2]);
}
