//! The network as GeoJSON: nodes as points, links as lines through their vertices, with attributes and results.
//!
//! Coordinates are the file's `[COORDINATES]` and `[VERTICES]`, written as
//! they are (no reprojection). A coordinate system can be declared with the
//! 2008 GeoJSON `crs` member (`urn:ogc:def:crs:EPSG::n`), which QGIS and
//! GDAL read; RFC 7946 readers ignore it. Attributes and results are in
//! the network's own units, named with them (`elevation_ft`, `flow_gpm`).

use std::io::Write;

use serde_json::{json, Map, Value};

use super::{link_values, node_values, QualitySnapshot, Snapshot};
use crate::network::{LinkKind, Network, NodeKind};

/// Why a network cannot be written as GeoJSON.
#[derive(Debug, thiserror::Error)]
pub enum GeoJsonError {
    /// Some nodes have no `[COORDINATES]` entry.
    #[error(
        "{missing} of {} {} no coordinates (first: {first}); \
         the file needs a [COORDINATES] section to be mapped",
        super::plural(*total, "node"),
        super::agree(*missing, "has", "have")
    )]
    NoCoordinates {
        /// How many nodes have none.
        missing: usize,
        /// How many nodes there are.
        total: usize,
        /// The id of the first node without coordinates.
        first: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Results to attach to the features: the hydraulic state at one time and,
/// if analysed, the water quality then.
#[derive(Debug, Clone, Copy)]
pub struct ResultsAt<'a> {
    /// The hydraulic snapshot.
    pub snapshot: &'a Snapshot,
    /// Water quality at the same time.
    pub quality: Option<&'a QualitySnapshot>,
}

/// Checks that every node has coordinates.
pub fn check_coordinates(net: &Network) -> Result<(), GeoJsonError> {
    let missing: Vec<&str> = net
        .nodes
        .iter()
        .filter(|n| n.coordinates.is_none())
        .map(|n| n.id.as_str())
        .collect();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(GeoJsonError::NoCoordinates {
            missing: missing.len(),
            total: net.nodes.len(),
            first: first.to_string(),
        }),
    }
}

/// Writes the network as a GeoJSON FeatureCollection. `epsg` declares the
/// coordinate system of the file's coordinates.
pub fn write(
    out: &mut impl Write,
    net: &Network,
    results: Option<ResultsAt<'_>>,
    epsg: Option<u32>,
) -> Result<(), GeoJsonError> {
    check_coordinates(net)?;
    let mut features = Vec::with_capacity(net.nodes.len() + net.links.len());
    for i in 0..net.nodes.len() {
        features.push(node_feature(net, i, results));
    }
    for k in 0..net.links.len() {
        features.push(link_feature(net, k, results));
    }
    let mut doc = json!({
        "type": "FeatureCollection",
        "name": net.title.first().cloned().unwrap_or_default(),
        "features": features,
    });
    if let Some(code) = epsg {
        doc["crs"] = json!({
            "type": "name",
            "properties": { "name": format!("urn:ogc:def:crs:EPSG::{code}") }
        });
    }
    if let Some(r) = results {
        doc["time_s"] = json!(r.snapshot.time_s);
    }
    serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
    out.flush()?;
    Ok(())
}

/// Unit suffixes of the file: length, diameter, flow, pressure, velocity.
struct Suffixes {
    length: &'static str,
    diameter: &'static str,
    flow: String,
    pressure: String,
    velocity: &'static str,
}

fn suffixes(net: &Network) -> Suffixes {
    let si = net.options.flow_units.is_si();
    Suffixes {
        length: if si { "m" } else { "ft" },
        diameter: if si { "mm" } else { "in" },
        flow: net.options.flow_units.keyword().to_ascii_lowercase(),
        pressure: net.options.pressure_units.keyword().to_ascii_lowercase(),
        velocity: if si { "ms" } else { "fps" },
    }
}

fn finite(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

fn node_feature(net: &Network, i: usize, results: Option<ResultsAt<'_>>) -> Value {
    let node = &net.nodes[i];
    let u = net.units();
    let s = suffixes(net);
    let (x, y) = node.coordinates.unwrap_or_default();
    let mut p = Map::new();
    p.insert("id".into(), json!(node.id));
    p.insert("kind".into(), json!("node"));
    let node_type = match &node.kind {
        NodeKind::Junction(j) => {
            let base: f64 = j.demands.iter().map(|d| d.base_m3s).sum();
            p.insert(format!("base_demand_{}", s.flow), json!(base / u.flow));
            "junction"
        }
        NodeKind::Reservoir(_) => "reservoir",
        NodeKind::Tank(t) => {
            p.insert(
                format!("diameter_{}", s.length),
                json!(t.diameter_m / u.length),
            );
            p.insert(
                format!("max_level_{}", s.length),
                json!(t.max_level_m / u.length),
            );
            "tank"
        }
    };
    p.insert("type".into(), json!(node_type));
    p.insert(
        format!("elevation_{}", s.length),
        json!(node.elevation_m / u.length),
    );
    if let Some(tag) = node.tag() {
        p.insert("tag".into(), json!(tag));
    }
    if let Some(r) = results {
        let v = node_values(net, r.snapshot, i);
        p.insert(format!("head_{}", s.length), finite(v.head));
        p.insert(format!("pressure_{}", s.pressure), finite(v.pressure));
        p.insert(format!("demand_{}", s.flow), finite(v.demand));
        if let Some(q) = r.quality {
            p.insert("quality".into(), finite(q.node[i]));
        }
    }
    json!({
        "type": "Feature",
        "id": format!("node:{}", node.id),
        "geometry": { "type": "Point", "coordinates": [x, y] },
        "properties": p,
    })
}

fn link_feature(net: &Network, k: usize, results: Option<ResultsAt<'_>>) -> Value {
    let link = &net.links[k];
    let u = net.units();
    let s = suffixes(net);
    let from = net.nodes[link.from.ix()].coordinates.unwrap_or_default();
    let to = net.nodes[link.to.ix()].coordinates.unwrap_or_default();
    let mut line = vec![json!([from.0, from.1])];
    line.extend(link.vertices().iter().map(|&(x, y)| json!([x, y])));
    line.push(json!([to.0, to.1]));
    let mut p = Map::new();
    p.insert("id".into(), json!(link.id));
    p.insert("kind".into(), json!("link"));
    p.insert("type".into(), json!(link.kind_name().to_ascii_lowercase()));
    p.insert("from".into(), json!(net.nodes[link.from.ix()].id));
    p.insert("to".into(), json!(net.nodes[link.to.ix()].id));
    match &link.kind {
        LinkKind::Pipe(pipe) => {
            p.insert(
                format!("length_{}", s.length),
                json!(pipe.length_m / u.length),
            );
            p.insert(
                format!("diameter_{}", s.diameter),
                json!(pipe.diameter_m / u.diameter),
            );
            p.insert("roughness".into(), json!(pipe.roughness));
            p.insert("check_valve".into(), json!(pipe.check_valve));
        }
        LinkKind::Valve(v) => {
            p.insert(
                format!("diameter_{}", s.diameter),
                json!(v.diameter_m / u.diameter),
            );
        }
        LinkKind::Pump(_) => {}
    }
    if let Some(tag) = link.tag() {
        p.insert("tag".into(), json!(tag));
    }
    if let Some(r) = results {
        let v = link_values(net, r.snapshot, k);
        p.insert(format!("flow_{}", s.flow), finite(v.flow));
        p.insert(format!("velocity_{}", s.velocity), finite(v.velocity));
        p.insert(format!("headloss_{}", s.length), finite(v.headloss));
        p.insert(
            "status".into(),
            json!(crate::hydraulics::status_word(r.snapshot.status[k])),
        );
        if let Some(q) = r.quality {
            p.insert("quality".into(), finite(q.link[k]));
        }
    }
    json!({
        "type": "Feature",
        "id": format!("link:{}", link.id),
        "geometry": { "type": "LineString", "coordinates": line },
        "properties": p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_without_coordinates_is_refused_with_the_first_node_named() {
        let text = "[RESERVOIRS]\n R1 10\n[JUNCTIONS]\n J1 0\n[PIPES]\n P1 R1 J1 100 100 100\n\
                    [COORDINATES]\n R1 0 0\n[END]\n";
        let net = crate::inp::read_str(text, "t.inp").unwrap().network;
        let err = write(&mut Vec::new(), &net, None, None).unwrap_err();
        assert!(err
            .to_string()
            .contains("1 of 2 nodes has no coordinates (first: J1)"));
    }

    #[test]
    fn links_run_through_their_vertices() {
        let text = "[RESERVOIRS]\n R1 10\n[JUNCTIONS]\n J1 0\n[PIPES]\n P1 R1 J1 100 100 100\n\
                    [COORDINATES]\n R1 0 0\n J1 10 0\n[VERTICES]\n P1 5 5\n[END]\n";
        let net = crate::inp::read_str(text, "t.inp").unwrap().network;
        let mut buf = Vec::new();
        write(&mut buf, &net, None, Some(32633)).unwrap();
        let doc: Value = serde_json::from_slice(&buf).unwrap();
        let line = &doc["features"][2]["geometry"]["coordinates"];
        assert_eq!(line, &json!([[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]]));
        assert_eq!(
            doc["crs"]["properties"]["name"],
            json!("urn:ogc:def:crs:EPSG::32633")
        );
    }
}
