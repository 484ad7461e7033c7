//! Reads `.inp` files, reports errors and warnings, times the reading, and
//! checks that writing and reading again gives the same network.
//!
//! `cargo run --release --example inp_check -- FILE.inp...`

use std::path::Path;
use std::time::Instant;

fn main() {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let start = Instant::now();
        let outcome = pipenet::inp::read_file(path);
        let elapsed = start.elapsed();
        match outcome {
            Ok(read) => {
                let net = &read.network;
                let text = pipenet::inp::write_string(net);
                if let Ok(dir) = std::env::var("PIPENET_WRITE_DIR") {
                    let name = path
                        .file_name()
                        .map(|n| n.to_os_string())
                        .unwrap_or_default();
                    let _ = std::fs::write(Path::new(&dir).join(name), &text);
                }
                let same = match pipenet::inp::read_str(&text, "written.inp") {
                    Ok(again) => same_network(net, &again.network),
                    Err(e) => format!("written file rejected: {e}"),
                };
                println!(
                    "OK {arg}: {} nodes, {} links, {} warnings, {:.1} ms, round trip: {same}",
                    net.nodes.len(),
                    net.links.len(),
                    read.warnings.len(),
                    elapsed.as_secs_f64() * 1e3
                );
                for w in read.warnings.iter().take(3) {
                    println!("   warning: {w}");
                }
            }
            Err(e) => println!("REJECTED {arg}: {e}"),
        }
    }
}

fn same_network(a: &pipenet::Network, b: &pipenet::Network) -> String {
    let mut diffs = Vec::new();
    if a.nodes != b.nodes {
        let i = a.nodes.iter().zip(&b.nodes).position(|(x, y)| x != y);
        diffs.push(format!(
            "nodes differ at {i:?}: {:?} vs {:?}",
            i.map(|i| &a.nodes[i]),
            i.map(|i| &b.nodes[i])
        ));
    }
    if a.links != b.links {
        let i = a.links.iter().zip(&b.links).position(|(x, y)| x != y);
        diffs.push(format!(
            "links differ at {i:?}: {:?} vs {:?}",
            i.map(|i| &a.links[i]),
            i.map(|i| &b.links[i])
        ));
    }
    let parts = [
        ("title", a.title == b.title),
        ("patterns", a.patterns == b.patterns),
        ("curves", a.curves == b.curves),
        ("controls", a.controls == b.controls),
        ("rules", a.rules == b.rules),
        ("options", a.options == b.options),
        ("times", a.times == b.times),
        ("report", a.report == b.report),
        ("energy", a.energy == b.energy),
        ("reactions", a.reactions == b.reactions),
        ("labels", a.labels == b.labels),
        ("backdrop", a.backdrop == b.backdrop),
    ];
    if a.options != b.options {
        diffs.push(format!("options: {:?}\n vs {:?}", a.options, b.options));
    }
    for (name, same) in parts {
        if !same {
            diffs.push(format!("{name} differ"));
        }
    }
    if diffs.is_empty() {
        "same".to_string()
    } else {
        diffs.join("; ")
    }
}
