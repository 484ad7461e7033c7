//! Fuzz target: the `.inp` reader on arbitrary bytes, and the writer on whatever it accepts.
//!
//! The bytes are decoded as `read_file` does (UTF-8 after an optional byte
//! order mark, else Latin-1) and read. Reading may fail; it must not panic.
//! A network that reads is written back and read again, and the two must be
//! equal in every part the writer promises to keep.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pipenet::inp::{read_str, write_string};
use pipenet::network::Network;

fuzz_target!(|bytes: &[u8]| {
    let text = decode(bytes);
    let Ok(first) = read_str(&text, "fuzz.inp") else {
        return;
    };
    let written = write_string(&first.network);
    let again = match read_str(&written, "written.inp") {
        Ok(outcome) => outcome.network,
        Err(error) => panic!("the written file does not read back: {error}\n{written}"),
    };
    assert_same(&first.network, &again, &written);
});

/// The text of an `.inp` file's bytes, decoded as `pipenet::inp::read_file` does.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Panics, naming the part, where the network read back from `written`
/// differs from the one that was written.
fn assert_same(a: &Network, b: &Network, written: &str) {
    assert_eq!(
        a.nodes, b.nodes,
        "nodes differ after a round trip\n{written}"
    );
    assert_eq!(
        a.links, b.links,
        "links differ after a round trip\n{written}"
    );
    assert_eq!(a.patterns, b.patterns, "patterns differ\n{written}");
    assert_eq!(a.curves, b.curves, "curves differ\n{written}");
    assert_eq!(a.controls, b.controls, "controls differ\n{written}");
    assert_eq!(a.rules, b.rules, "rules differ\n{written}");
    assert_eq!(a.options, b.options, "options differ\n{written}");
    assert_eq!(a.times, b.times, "times differ\n{written}");
    assert_eq!(a.report, b.report, "report options differ\n{written}");
    assert_eq!(a.energy, b.energy, "energy options differ\n{written}");
    assert_eq!(a.reactions, b.reactions, "reactions differ\n{written}");
}
