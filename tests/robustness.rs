//! Robustness: mangled input files never make pipenet panic.
//!
//! Each case takes a small vendored network and damages it the way files
//! get damaged (lines cut short or repeated, tokens swapped for numbers,
//! words or junk, bytes that are not text, sections moved), then reads it,
//! and when it reads, builds the model and simulates a few steps. Reading
//! may fail and the solver may not converge: both are answers. A panic is
//! not, nor is a non-finite head reported as converged.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use proptest::prelude::*;

/// The small vendored networks the mutations start from.
fn seeds() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        "networks/epanet/Net1.inp",
        "networks/epanet/Net2.inp",
        "networks/wntr/io.inp",
        "networks/wntr/cv_controls.inp",
        "tests/data/features/leakage.inp",
        "tests/data/features/pcv.inp",
        "tests/data/features/pumps.inp",
        "tests/data/features/prv_psv_fcv.inp",
        "tests/data/features/tank_overflow.inp",
    ]
    .iter()
    .filter_map(|rel| {
        let bytes = std::fs::read(root.join(rel)).ok()?;
        Some((
            rel.to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    })
    .collect()
}

/// One way of damaging a file.
#[derive(Debug, Clone)]
enum Damage {
    /// Cut line `line` after `keep` characters.
    Truncate { line: usize, keep: usize },
    /// Repeat line `line`.
    Duplicate { line: usize },
    /// Drop line `line`.
    Delete { line: usize },
    /// Replace token `token` of line `line` with `with`.
    Replace {
        line: usize,
        token: usize,
        with: String,
    },
    /// Insert `with` as a new line before line `line`.
    Insert { line: usize, with: String },
}

fn junk() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("1e-320".to_string()),
        Just("99999999999999999999".to_string()),
        Just("[PIPES]".to_string()),
        Just("[TANKS]".to_string()),
        Just("[END]".to_string()),
        Just("CLOSED".to_string()),
        Just("\"".to_string()),
        Just(";".to_string()),
        Just("\u{0}\u{7f}\u{fffd}".to_string()),
        "[A-Za-z0-9:.\\-]{1,12}",
    ]
}

fn damage() -> impl Strategy<Value = Damage> {
    let line = 0usize..400;
    prop_oneof![
        (line.clone(), 0usize..40).prop_map(|(line, keep)| Damage::Truncate { line, keep }),
        line.clone().prop_map(|line| Damage::Duplicate { line }),
        line.clone().prop_map(|line| Damage::Delete { line }),
        (line.clone(), 0usize..9, junk()).prop_map(|(line, token, with)| Damage::Replace {
            line,
            token,
            with
        }),
        (line, junk()).prop_map(|(line, with)| Damage::Insert { line, with }),
    ]
}

fn apply(text: &str, damages: &[Damage]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for d in damages {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match d {
            Damage::Truncate { line, keep } => {
                let l = &mut lines[line % n];
                let cut = l.char_indices().nth(*keep).map_or(l.len(), |(i, _)| i);
                l.truncate(cut);
            }
            Damage::Duplicate { line } => {
                let l = lines[line % n].clone();
                lines.insert(line % n, l);
            }
            Damage::Delete { line } => {
                lines.remove(line % n);
            }
            Damage::Replace { line, token, with } => {
                let l = &mut lines[line % n];
                let mut tokens: Vec<&str> = l.split_whitespace().collect();
                if !tokens.is_empty() {
                    let t = token % tokens.len();
                    tokens[t] = with;
                    *l = tokens.join(" ");
                }
            }
            Damage::Insert { line, with } => lines.insert(line % n, with.clone()),
        }
    }
    lines.join("\n")
}

/// Reads, builds and simulates up to a few steps; panics only on a
/// reported convergence with non-finite heads.
fn exercise(text: &str) {
    let Ok(outcome) = pipenet::inp::read_str(text, "mangled.inp") else {
        return;
    };
    let net = outcome.network;
    let Ok(mut sim) = pipenet::hydraulics::Simulation::new(&net) else {
        return;
    };
    for _ in 0..4 {
        let result = sim.solve_period();
        if result.converged && result.singular_at.is_none() {
            let state = sim.state();
            assert!(
                state.head_m.iter().all(|h| h.is_finite()),
                "converged with non-finite heads"
            );
        }
        if sim.advance() == 0 {
            break;
        }
    }
    // The writer must cope with whatever the reader accepted.
    let _ = pipenet::inp::write_string(&net);
}

proptest! {
    // 400 cases by default; PROPTEST_CASES=N for a deeper search.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mangled_files_never_panic(seed in 0usize..9, damages in prop::collection::vec(damage(), 1..6)) {
        let seeds = seeds();
        let (name, text) = &seeds[seed % seeds.len()];
        let mangled = apply(text, &damages);
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&mangled)));
        prop_assert!(outcome.is_ok(), "panic on {name} damaged by {damages:?}");
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let text = String::from_utf8_lossy(&bytes);
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&text)));
        prop_assert!(outcome.is_ok());
    }
}
