//! References resolved in file order, as EPANET 2.3 resolves them.
//!
//! EPANET reads an `.inp` file from top to bottom: a line may name only a
//! node or link declared above it, while patterns and curves, created in
//! its first pass, may be used above their definition. Every expected
//! code and value here is what EPANET 2.3.5 (`runepanet` and the toolkit of
//! owa-epanet 2.3.5) gives for the same text.

use pipenet::inp::{read_str, ReadOutcome};
use pipenet::network::{LinkKind, NodeKind};

/// The (code, token, line) of every error in `text`, or none if it reads.
fn errors(text: &str) -> Vec<(u16, String, usize)> {
    match read_str(text, "t.inp") {
        Ok(_) => Vec::new(),
        Err(e) => e
            .diagnostics()
            .iter()
            .map(|d| {
                (
                    d.code.unwrap_or(0),
                    d.token.clone().unwrap_or_default(),
                    d.line,
                )
            })
            .collect(),
    }
}

fn read(text: &str) -> ReadOutcome {
    read_str(text, "t.inp").expect("the file reads")
}

/// A junction, a reservoir and a pipe, declared at lines 2, 4 and 6.
const HEAD: &str = "[JUNCTIONS]\nJ1 100 10\n[RESERVOIRS]\nR1 200\n[PIPES]\nP1 R1 J1 1000 12 100\n";

/// The user's file: pipe P2 names J8, declared in a second `[JUNCTIONS]`
/// section further down. EPANET: `Error 203: undefined node J8 in [PIPES]
/// section` (pipenet read it without an error until this was fixed).
#[test]
fn a_pipe_naming_a_junction_declared_further_down_is_error_203() {
    let text = format!("{HEAD}P2 J1 J8 1000 12 100\n[JUNCTIONS]\nJ8 90 5\n");
    assert_eq!(errors(&text), vec![(203, "J8".to_string(), 7)]);
    let Err(e) = read_str(&text, "t.inp") else {
        panic!("accepted")
    };
    let shown = e.to_string();
    assert!(shown.contains("t.inp:7: [PIPES] error 203"), "{shown}");
    assert!(
        shown.contains("declared only further down, at line 9"),
        "{shown}"
    );

    // The same junction declared above the pipe is fine.
    let text = format!("{HEAD}[JUNCTIONS]\nJ8 90 5\n[PIPES]\nP2 J1 J8 1000 12 100\n");
    assert_eq!(errors(&text), vec![]);
}

/// Each section that names a node or link, placed above its declaration:
/// EPANET's code for each (216 for `[ENERGY]`, 212 for the trace node),
/// but for a link in `[TAGS]` and `[LEAKAGE]`, which EPANET 2.3.5 reports
/// as error 203 (`undefined node P2`) and pipenet as 204, undefined link.
#[test]
fn every_section_resolves_nodes_and_links_in_file_order() {
    let below = "[JUNCTIONS]\nJ8 90 5\n[PIPES]\nP2 J1 J8 1000 12 100\n\
                 [PUMPS]\nPU1 R1 J8 HEAD C1\n[TANKS]\nT1 150 5 0 10 20 0\n\
                 [CURVES]\nC1 100 50\n";
    let cases: [(&str, u16, &str); 15] = [
        ("[DEMANDS]\nJ8 3\n", 203, "J8"),
        ("[EMITTERS]\nJ8 0.1\n", 203, "J8"),
        ("[QUALITY]\nJ8 1.5\n", 203, "J8"),
        ("[SOURCES]\nJ8 CONCEN 1\n", 203, "J8"),
        ("[MIXING]\nT1 MIXED\n", 203, "T1"),
        ("[TAGS]\nNODE J8 hydrant\n", 203, "J8"),
        ("[TAGS]\nLINK P2 main\n", 204, "P2"),
        ("[REPORT]\nNODES J8\n", 203, "J8"),
        ("[STATUS]\nP2 CLOSED\n", 204, "P2"),
        ("[CONTROLS]\nLINK P2 CLOSED AT TIME 5\n", 204, "P2"),
        (
            "[CONTROLS]\nLINK P1 CLOSED IF NODE J8 ABOVE 500\n",
            203,
            "J8",
        ),
        (
            "[RULES]\nRULE 1\nIF NODE J8 PRESSURE ABOVE 500\nTHEN LINK P1 STATUS IS CLOSED\n",
            203,
            "J8",
        ),
        ("[LEAKAGE]\nP2 1 0\n", 204, "P2"),
        ("[ENERGY]\nPUMP PU1 PRICE 0.1\n", 216, "PU1"),
        ("[OPTIONS]\nQUALITY TRACE J8\n", 212, "J8"),
    ];
    for (above, code, token) in cases {
        let text = format!("{HEAD}{above}{below}");
        let found = errors(&text);
        assert_eq!(found.len(), 1, "{above}: {found:?}");
        assert_eq!((found[0].0, found[0].1.as_str()), (code, token), "{above}");

        // Below the declarations the same lines read.
        let text = format!("{HEAD}{below}{above}");
        assert_eq!(errors(&text), vec![], "{above}");
    }
}

/// Patterns and curves may be used above their definition: EPANET creates
/// them in its first pass over the file.
#[test]
fn patterns_and_curves_may_be_used_before_they_are_defined() {
    let text = format!(
        "{HEAD}[PUMPS]\nPU1 R1 J1 HEAD C1 PATTERN S1\n[TANKS]\nT1 150 5 0 10 20 0 V1\n\
         [JUNCTIONS]\nJ2 90 5 D1\n[PIPES]\nP2 J1 J2 100 12 100\nP3 J2 T1 100 12 100\n\
         [PATTERNS]\nD1 1 1.2\nS1 1 0.9\n[CURVES]\nC1 100 50\nV1 0 0\nV1 20 1000\n"
    );
    let net = read(&text).network;
    let j2 = net.node_ix("J2").unwrap();
    let NodeKind::Junction(junction) = &net.nodes[j2.ix()].kind else {
        panic!("J2 is a junction")
    };
    assert_eq!(junction.demands[0].pattern, net.pattern_ix("D1"));
}

/// Coordinates, vertices and reaction coefficients of objects declared
/// further down: EPANET ignores them (no coordinates for J1, no vertex on
/// P1, P1's bulk coefficient stays global), and pipenet warns.
#[test]
fn coordinates_vertices_and_reactions_above_their_object_are_ignored() {
    let text = format!(
        "[COORDINATES]\nJ1 1 2\n[VERTICES]\nP1 0.5 0.5\n[REACTIONS]\nBULK P1 -0.5\n\
         {HEAD}[COORDINATES]\nR1 3 4\n[OPTIONS]\nQUALITY CHEM\n"
    );
    let outcome = read(&text);
    let net = &outcome.network;
    assert_eq!(net.nodes[net.node_ix("J1").unwrap().ix()].coordinates, None);
    assert_eq!(
        net.nodes[net.node_ix("R1").unwrap().ix()].coordinates,
        Some((3.0, 4.0))
    );
    let p1 = &net.links[net.link_ix("P1").unwrap().ix()];
    assert!(p1.vertices().is_empty());
    let LinkKind::Pipe(pipe) = &p1.kind else {
        panic!("P1 is a pipe")
    };
    assert_eq!(pipe.bulk_coeff, None);
    let ignored: Vec<usize> = outcome
        .warnings
        .iter()
        .filter(|w| w.message.contains("further down"))
        .map(|w| w.line)
        .collect();
    assert_eq!(ignored, vec![2, 4, 6]);
}

/// Id ranges in `[QUALITY]`, `[STATUS]` and `[REACTIONS]` reach the nodes
/// and links declared above them only. EPANET 2.3.5 on the same file:
/// initial quality 0.5, 0.5, 0 at nodes 1, 2, 3; pipes 11 and 12 closed
/// with bulk coefficient -0.7, pipe 13 open with none.
#[test]
fn id_ranges_reach_only_what_is_declared_above() {
    let text = "[JUNCTIONS]\n1 100 10\n2 100 10\n[RESERVOIRS]\n9 200\n[PIPES]\n\
                11 9 1 1000 12 100\n12 1 2 1000 12 100\n[QUALITY]\n1 5 0.5\n\
                [STATUS]\n11 15 CLOSED\n[REACTIONS]\nBULK 11 15 -0.7\n[JUNCTIONS]\n3 90 5\n\
                [PIPES]\n13 2 3 1000 12 100\n[OPTIONS]\nQUALITY CHEM\n";
    let net = read(text).network;
    let quality: Vec<f64> = ["1", "2", "3"]
        .iter()
        .map(|id| net.nodes[net.node_ix(id).unwrap().ix()].initial_quality)
        .collect();
    assert_eq!(quality, vec![0.5, 0.5, 0.0]);
    for (id, closed, bulk) in [
        ("11", true, Some(-0.7)),
        ("12", true, Some(-0.7)),
        ("13", false, None),
    ] {
        let link = &net.links[net.link_ix(id).unwrap().ix()];
        let closed_now = link.initial_status == pipenet::network::InitialStatus::Closed;
        assert_eq!(closed_now, closed, "pipe {id}");
        let LinkKind::Pipe(pipe) = &link.kind else {
            panic!("{id} is a pipe")
        };
        assert_eq!(pipe.bulk_coeff, bulk, "pipe {id}");
    }
}

/// A line refused for its values keeps its id, as EPANET's does, so the
/// lines below that name it raise no error of their own: a junction with
/// elevation `x` named by a pipe, a pipe with length `x` named in
/// `[STATUS]` and `[CONTROLS]`, a valve with diameter `x` named in
/// `[STATUS]`. A pipe refused for an end node keeps no id (EPANET checks
/// the ends first), so `[STATUS]` naming it is error 204. EPANET 2.3.5
/// (`runepanet`) gives exactly these errors.
#[test]
fn a_refused_line_keeps_its_id_and_its_references_raise_no_errors() {
    let text = "[JUNCTIONS]\nJ1 x 1\nJ2 5 1\nJ3 5 1\n[RESERVOIRS]\nR 100\n[PIPES]\n\
                P1 R J1 100 10 100\nP2 R J2 x 10 100\nP3 J2 J9 100 10 100\n\
                [VALVES]\nV1 J2 J3 x PRV 10\n[STATUS]\nP2 CLOSED\nP3 CLOSED\nV1 CLOSED\n\
                [CONTROLS]\nLINK P2 OPEN AT TIME 2\n";
    let want = vec![
        (202, "x".to_string(), 2),
        (202, "x".to_string(), 9),
        (203, "J9".to_string(), 10),
        (202, "x".to_string(), 12),
        (204, "P3".to_string(), 15),
    ];
    assert_eq!(errors(text), want);
}

/// A link line naming a refused node is still read for errors of its own,
/// as EPANET reads it: a bad diameter, the same node at both ends, a bad
/// pump power, a bad valve diameter; `[STATUS]` naming those links raises
/// nothing. EPANET 2.3.5 (`runepanet`) gives exactly these errors.
#[test]
fn a_line_naming_a_refused_node_is_checked_for_its_own_errors() {
    let text = "[JUNCTIONS]\nJ1 x 1\nJ2 5 1\nJ3 5 1\n[RESERVOIRS]\nR 100\n[PIPES]\n\
                P1 J1 J2 100 x 100\nP2 R J2 100 10 100\nP4 J1 J1 100 10 100\n[PUMPS]\n\
                PU1 J1 J3 POWER x\n[VALVES]\nV1 J1 J3 x PRV 10\n[STATUS]\nP1 CLOSED\n\
                PU1 CLOSED\nV1 CLOSED\n";
    let want = vec![
        (202, "x".to_string(), 2),
        (202, "x".to_string(), 8),
        (222, "J1".to_string(), 10),
        (202, "x".to_string(), 12),
        (202, "x".to_string(), 14),
    ];
    assert_eq!(errors(text), want);
}

/// EPANET checks a node line's id before its values, and a link line's end
/// nodes, then its id, then its values: a duplicate with a bad value is
/// error 215, a duplicate naming an undefined node error 203. EPANET 2.3.5
/// (`runepanet`) gives exactly these errors.
#[test]
fn a_duplicate_id_is_found_before_a_bad_value() {
    let text = "[JUNCTIONS]\nJ1 0 1\nJ2 5 1\nJ2 x 1\n[RESERVOIRS]\nR 100\nR x\n[PIPES]\n\
                P1 R J1 100 10 100\nP1 J1 J2 x 10 100\nP1 J1 J9 100 10 100\n";
    let want = vec![
        (215, "J2".to_string(), 4),
        (215, "R".to_string(), 7),
        (215, "P1".to_string(), 10),
        (203, "J9".to_string(), 11),
    ];
    assert_eq!(errors(text), want);
}
