//! The valve layer: where a network's isolation (shut-off) valves sit.
//!
//! A valve sits on a link next to one of its end nodes, as utilities keep
//! them in GIS and as WNTR's valve layers do: the valve on link L at node N
//! separates L's end at N from N. Closing it closes L.
//!
//! A layer comes from the network itself ([`ValveLayer::from_network`]) or
//! from a CSV file of `link,node` pairs ([`ValveLayer::read_csv`]).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::network::{LinkIx, LinkKind, Network, NodeIx};

/// `[TAGS]` words (compared without regard to case) that mark a link as an
/// isolation valve, for networks that draw valves as short pipes.
pub const VALVE_TAGS: &[&str] = &[
    "VALVE",
    "ISOLATION",
    "ISOLATION_VALVE",
    "ISOLATIONVALVE",
    "GATE",
    "GATE_VALVE",
    "GATEVALVE",
    "SHUTOFF",
    "SHUTOFF_VALVE",
];

/// One isolation valve: on `link`, next to `node` (one of the link's ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsolationValve {
    /// The valve's name: from the layer file, or the link's id for a
    /// network's own valve.
    pub id: String,
    /// The link the valve sits on; closing the valve closes it.
    pub link: LinkIx,
    /// The end node of `link` the valve is next to.
    pub node: NodeIx,
}

/// The isolation valves of a network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValveLayer {
    /// The valves, in the order given.
    pub valves: Vec<IsolationValve>,
}

/// Why a valve layer file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ValveLayerError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid CSV.
    #[error("{file}: line {line}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The line, counted from 1.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The header has no column of this name.
    #[error("{file}: the header has no '{column}' column (expected columns link,node)")]
    MissingColumn {
        /// The file.
        file: String,
        /// The missing column.
        column: &'static str,
    },
    /// A row names a link the network does not have.
    #[error("{file}: line {line}: no link '{id}' in the network")]
    UnknownLink {
        /// The file.
        file: String,
        /// The line, counted from 1.
        line: u64,
        /// The link id.
        id: String,
    },
    /// A row names a node the network does not have.
    #[error("{file}: line {line}: no node '{id}' in the network")]
    UnknownNode {
        /// The file.
        file: String,
        /// The line, counted from 1.
        line: u64,
        /// The node id.
        id: String,
    },
    /// A row puts a valve at a node that is not an end of its link.
    #[error("{file}: line {line}: node '{node}' is not an end of link '{link}'")]
    NotAnEnd {
        /// The file.
        file: String,
        /// The line, counted from 1.
        line: u64,
        /// The link id.
        link: String,
        /// The node id.
        node: String,
    },
}

impl ValveLayer {
    /// The network's own isolation valves: every valve link (PRV, PSV, PBV,
    /// FCV, TCV, GPV, PCV) and every link whose `[TAGS]` tag is one of
    /// [`VALVE_TAGS`]. Each is placed at its link's start node, so that the
    /// link itself belongs to the segment of its end node; closing it
    /// separates the two.
    pub fn from_network(net: &Network) -> Self {
        let valves = net
            .links
            .iter()
            .enumerate()
            .filter(|(_, link)| {
                matches!(link.kind, LinkKind::Valve(_)) || link.tag().is_some_and(is_valve_tag)
            })
            .map(|(k, link)| IsolationValve {
                id: link.id.clone(),
                link: LinkIx(k as u32),
                node: link.from,
            })
            .collect();
        ValveLayer { valves }
    }

    /// Reads a valve layer from a CSV file; see [`ValveLayer::from_csv`].
    pub fn read_csv(net: &Network, path: &Path) -> Result<Self, ValveLayerError> {
        let file = path.display().to_string();
        let reader = std::fs::File::open(path).map_err(|source| ValveLayerError::Io {
            file: file.clone(),
            source,
        })?;
        Self::from_csv(net, reader, &file)
    }

    /// Reads a valve layer from CSV text with a header line. The columns
    /// `link` and `node` (any case) give each valve's link and the end node
    /// it is next to; a `valve` or `id` column names it (otherwise valves
    /// are named `V1`, `V2`, ... in file order). Other columns, such as the
    /// unnamed index column pandas writes, are ignored. `file` names the
    /// source in errors.
    pub fn from_csv(net: &Network, text: impl Read, file: &str) -> Result<Self, ValveLayerError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text);
        let csv_error = |e: csv::Error| ValveLayerError::Csv {
            file: file.to_string(),
            line: e.position().map_or(1, |p| p.line()),
            message: e.to_string(),
        };
        let header = reader.headers().map_err(csv_error)?.clone();
        let column = |names: &[&str]| {
            header
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let missing = |column| ValveLayerError::MissingColumn {
            file: file.to_string(),
            column,
        };
        let link_col = column(&["link"]).ok_or_else(|| missing("link"))?;
        let node_col = column(&["node"]).ok_or_else(|| missing("node"))?;
        let id_col = column(&["valve", "id"]);

        let mut layer = ValveLayer::default();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("");
            let id = match id_col.map(field) {
                Some(id) if !id.is_empty() => id.to_string(),
                _ => format!("V{}", layer.valves.len() + 1),
            };
            let valve = locate(net, field(link_col), field(node_col), id)
                .map_err(|fault| fault.into_error(file, line))?;
            layer.valves.push(valve);
        }
        Ok(layer)
    }

    /// Where each valve sits, by (link, node), to the valves there.
    pub(crate) fn positions(&self) -> HashMap<(LinkIx, NodeIx), Vec<usize>> {
        let mut at: HashMap<(LinkIx, NodeIx), Vec<usize>> = HashMap::new();
        for (v, valve) in self.valves.iter().enumerate() {
            at.entry((valve.link, valve.node)).or_default().push(v);
        }
        at
    }
}

/// Whether a `[TAGS]` tag marks an isolation valve.
pub fn is_valve_tag(tag: &str) -> bool {
    VALVE_TAGS
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tag.trim()))
}

/// What is wrong with one row of a layer, before the file and line are known.
enum RowFault {
    UnknownLink(String),
    UnknownNode(String),
    NotAnEnd(String, String),
}

impl RowFault {
    fn into_error(self, file: &str, line: u64) -> ValveLayerError {
        let file = file.to_string();
        match self {
            RowFault::UnknownLink(id) => ValveLayerError::UnknownLink { file, line, id },
            RowFault::UnknownNode(id) => ValveLayerError::UnknownNode { file, line, id },
            RowFault::NotAnEnd(link, node) => ValveLayerError::NotAnEnd {
                file,
                line,
                link,
                node,
            },
        }
    }
}

/// The valve on link `link_id` next to node `node_id`.
fn locate(
    net: &Network,
    link_id: &str,
    node_id: &str,
    id: String,
) -> Result<IsolationValve, RowFault> {
    let link = net
        .link_ix(link_id)
        .ok_or_else(|| RowFault::UnknownLink(link_id.to_string()))?;
    let node = net
        .node_ix(node_id)
        .ok_or_else(|| RowFault::UnknownNode(node_id.to_string()))?;
    let ends = net.link(link);
    if ends.from != node && ends.to != node {
        return Err(RowFault::NotAnEnd(link_id.to_string(), node_id.to_string()));
    }
    Ok(IsolationValve { id, link, node })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Junction, Link, Node, NodeKind, Pipe};

    fn two_pipes() -> Network {
        let mut net = Network::new();
        for id in ["A", "B", "C"] {
            let kind = NodeKind::Junction(Junction::default());
            net.add_node(Node::new(id, kind, 0.0)).unwrap();
        }
        let pipe = || LinkKind::Pipe(Pipe::new(100.0, 0.2, 100.0));
        net.add_link(Link::new("P1", NodeIx(0), NodeIx(1), pipe()))
            .unwrap();
        let mut p2 = Link::new("P2", NodeIx(1), NodeIx(2), pipe());
        p2.set_tag(Some("Gate_Valve".to_string()));
        net.add_link(p2).unwrap();
        net
    }

    #[test]
    fn a_pandas_layer_with_an_index_column_reads() {
        let net = two_pipes();
        let text = ",link,node\n0,P1,B\n1,P2,C\n";
        let layer = ValveLayer::from_csv(&net, text.as_bytes(), "layer.csv").unwrap();
        assert_eq!(layer.valves.len(), 2);
        assert_eq!(layer.valves[0].id, "V1");
        assert_eq!(layer.valves[1].link, LinkIx(1));
        assert_eq!(layer.valves[1].node, NodeIx(2));
    }

    #[test]
    fn a_valve_column_names_the_valves() {
        let net = two_pipes();
        let text = "valve,link,node\nGV-7,P1,A\n";
        let layer = ValveLayer::from_csv(&net, text.as_bytes(), "layer.csv").unwrap();
        assert_eq!(layer.valves[0].id, "GV-7");
    }

    #[test]
    fn a_node_off_the_link_is_an_error_with_its_line() {
        let net = two_pipes();
        let text = "link,node\nP1,A\nP1,C\n";
        let err = ValveLayer::from_csv(&net, text.as_bytes(), "layer.csv").unwrap_err();
        assert!(
            matches!(err, ValveLayerError::NotAnEnd { line: 3, .. }),
            "{err}"
        );
    }

    #[test]
    fn unknown_ids_and_missing_columns_are_errors() {
        let net = two_pipes();
        let err = ValveLayer::from_csv(&net, "link,node\nP9,A\n".as_bytes(), "f").unwrap_err();
        assert!(matches!(err, ValveLayerError::UnknownLink { line: 2, .. }));
        let err = ValveLayer::from_csv(&net, "link,node\nP1,Z\n".as_bytes(), "f").unwrap_err();
        assert!(matches!(err, ValveLayerError::UnknownNode { .. }));
        let err = ValveLayer::from_csv(&net, "pipe,node\nP1,A\n".as_bytes(), "f").unwrap_err();
        assert!(matches!(
            err,
            ValveLayerError::MissingColumn { column: "link", .. }
        ));
    }

    #[test]
    fn tagged_links_are_the_networks_own_valves() {
        let net = two_pipes();
        let layer = ValveLayer::from_network(&net);
        assert_eq!(layer.valves.len(), 1);
        assert_eq!(layer.valves[0].id, "P2");
        assert_eq!(layer.valves[0].node, NodeIx(1));
    }
}
