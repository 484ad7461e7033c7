//! `pipenet map`: an SVG map of a network, and the errors a user meets.
#![cfg(feature = "cli")]

mod common;

use std::path::PathBuf;
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    common::temp_path("map", name)
}

/// A file without [COORDINATES] is refused before any simulation, with
/// the first node that has no place named.
#[test]
fn a_network_without_coordinates_gets_a_clear_error_and_no_file() {
    let input = temp("nocoords.inp");
    std::fs::write(
        &input,
        "[RESERVOIRS]\n R1 10\n[JUNCTIONS]\n J1 0 1\n[PIPES]\n P1 R1 J1 100 100 100\n[END]\n",
    )
    .expect("input written");
    let out = temp("nocoords.svg");
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .arg("map")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("pipenet runs");
    let _ = std::fs::remove_file(&input);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("cannot draw a map"), "{stderr}");
    assert!(
        stderr.contains("2 of 2 nodes have no coordinates (first: J1)"),
        "{stderr}"
    );
    assert!(!out.exists(), "no map is left behind");
}

/// Net1 (12 pipes, 1 pump) drawn by velocity, with its coordinates in feet.
#[test]
fn net1_by_velocity_has_a_line_per_link_and_states_its_scale() {
    let root = env!("CARGO_MANIFEST_DIR");
    let net1 = format!("{root}/networks/epanet/Net1.inp");
    let args = [
        "map",
        &net1,
        "--color",
        "velocity",
        "--time",
        "6:00",
        "--map-units",
        "ft",
        "-o",
    ];
    let svg = String::from_utf8(common::pipenet_writes(&args, &temp("net1.svg"))).unwrap();
    assert_eq!(svg.matches("<polyline").count(), 13);
    assert!(svg.contains("Net1: velocity at 6:00"));
    // Net1 has a reservoir, a tank and a pump but no valve: the key lists
    // only what the network has.
    for kind in ["reservoir", "tank", "pump"] {
        assert!(
            svg.contains(&format!(">{kind}</text>")),
            "{kind} in the key"
        );
    }
    assert!(!svg.contains(">valve</text>"), "no valve in Net1's key");
    assert!(svg.contains("Velocity (ft/s)"));
    assert!(svg.contains("id=\"scale-bar\""));
    // A velocity map marks the fastest link, not the lowest pressure:
    // EPANET 2.3.5 has pipe 10 fastest at 6:00, 2.2860 ft/s.
    assert!(
        svg.contains(">highest velocity: 2.29 ft/s in Pipe 10</text>"),
        "{svg}"
    );
    assert!(!svg.contains("lowest pressure"));
}

/// The lowest-pressure marker once stood on every map. Now an age map
/// marks the oldest water and a head map nothing; only a pressure map
/// marks the lowest pressure.
#[test]
fn only_a_pressure_map_marks_the_lowest_pressure() {
    let root = env!("CARGO_MANIFEST_DIR");
    let net1 = format!("{root}/networks/epanet/Net1.inp");
    let map = |name: &str, color: &str| {
        let svg = map_bytes(name, &[&net1, "--color", color, "--time", "12:00"]);
        String::from_utf8(svg).expect("SVG is text")
    };
    let pressure = map("net1_p.svg", "pressure");
    assert!(pressure.contains(">lowest pressure: "), "{pressure}");
    let age = map("net1_age.svg", "age");
    assert!(age.contains(">oldest water: "), "{age}");
    assert!(!age.contains("lowest pressure"));
    let head = map("net1_head.svg", "head");
    assert!(!head.contains("id=\"critical\""));
    assert!(!head.contains("lowest pressure"));
}

/// Net1's pump 9 is off at 18:00 (EPANET 2.3.5: status 0, closed, from
/// its tank-level control): its symbol is the closed pump's, the key says
/// so, and its tooltip says closed; each node and link has a tooltip.
#[test]
fn a_closed_pump_is_marked_and_every_element_has_a_tooltip() {
    let root = env!("CARGO_MANIFEST_DIR");
    let svg = map_bytes(
        "net1_18h.svg",
        &[
            &format!("{root}/networks/epanet/Net1.inp"),
            "--color",
            "velocity",
            "--time",
            "18:00",
        ],
    );
    let svg = String::from_utf8(svg).expect("SVG is text");
    assert!(svg.contains(">pump, closed</text>"), "{svg}");
    assert!(svg.contains("<title>Pump 9: velocity 0.00 ft/s, closed</title>"));
    // 11 nodes and 13 links, and the pump's symbol.
    assert_eq!(svg.matches("<title>").count(), 11 + 13 + 1);
    assert!(svg.contains("<title>Junction 10</title>"));
    assert!(svg.contains("<title>Tank 2</title>"));
}

/// Runs `pipenet map` with `args` and returns the image's bytes.
fn map_bytes(name: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["map"];
    all.extend_from_slice(args);
    all.push("-o");
    common::pipenet_writes(&all, &temp(name))
}

/// A reservoir feeding J1 and J2, a PRV from J2 into J3 and J4, and J5
/// behind a closed pipe: three zones found, the PRV and the closed pipe
/// between them.
#[test]
fn zones_are_found_from_the_prv_and_the_closed_pipe() {
    let input = temp("prv_zones.inp");
    std::fs::write(
        &input,
        "[RESERVOIRS]\n R1 100\n[JUNCTIONS]\n J1 0\n J2 0\n J3 0\n J4 0\n J5 0\n\
         [PIPES]\n P1 R1 J1 100 300 100\n P2 J1 J2 100 300 100\n P3 J3 J4 100 300 100\n \
         P4 J4 J5 100 300 100 0 CLOSED\n\
         [VALVES]\n V1 J2 J3 300 PRV 30 0\n\
         [COORDINATES]\n R1 0 0\n J1 10 0\n J2 20 0\n J3 30 0\n J4 40 0\n J5 50 0\n[END]\n",
    )
    .expect("input written");
    let svg = map_bytes(
        "prv_zones.svg",
        &[input.to_str().expect("utf-8 path"), "--color", "zone"],
    );
    let _ = std::fs::remove_file(&input);
    let svg = String::from_utf8(svg).expect("SVG is text");
    assert!(svg.contains("Pressure zones"), "{svg}");
    assert!(svg.contains(">R1</text>"), "the reservoir names its zone");
    assert!(svg.contains(">via PRV V1</text>"), "the PRV names its zone");
    assert!(svg.contains(">no source or feed</text>"));
    // P1 and P2 in the first zone's colour, P3 in the second's; the valve
    // and the closed pipe dark grey.
    assert_eq!(svg.matches("stroke=\"#1f78b4\"").count(), 2);
    assert_eq!(svg.matches("stroke=\"#e6820e\"").count(), 1);
    assert_eq!(svg.matches("stroke=\"#333333\"").count(), 2);
}

/// Net1 coloured by the zones of a layout file, named as the file names them.
#[test]
fn zones_of_a_layout_are_named_as_the_layout_names_them() {
    let root = env!("CARGO_MANIFEST_DIR");
    let svg = map_bytes(
        "net1_zones.svg",
        &[
            &format!("{root}/networks/epanet/Net1.inp"),
            "--color",
            "zone",
            "--zones",
            &format!("{root}/examples/zones/net1_two_dmas.toml"),
        ],
    );
    let svg = String::from_utf8(svg).expect("SVG is text");
    assert!(svg.contains(">North via Pump 9</text>"), "{svg}");
    assert!(svg.contains(">South</text>"));
}

/// `--units si` puts a US network's legend in metres.
#[test]
fn a_map_in_si_units_says_so_in_its_legend() {
    let root = env!("CARGO_MANIFEST_DIR");
    let svg = map_bytes(
        "net1_si.svg",
        &[&format!("{root}/networks/epanet/Net1.inp"), "--units", "si"],
    );
    let svg = String::from_utf8(svg).expect("SVG is text");
    assert!(svg.contains("Pressure (m)"));
}

/// `-o map.png` writes a PNG of the map's size.
#[cfg(feature = "png")]
#[test]
fn a_png_name_gives_a_png() {
    let root = env!("CARGO_MANIFEST_DIR");
    let png = map_bytes("net1.png", &[&format!("{root}/networks/epanet/Net1.inp")]);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert!(width > 500, "{width} px wide");
}
