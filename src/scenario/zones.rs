//! Zone layouts: pressure zones as node sets or by boundary links, with their feeds and leakage baselines.
//!
//! A layout file (TOML, examples in `examples/zones/`) names the zones of a
//! network and how they are cut apart:
//!
//! ```toml
//! name = "two DMAs"
//! closed = ["P4"]        # boundary valves the layout closes
//! meters = ["P1"]        # open boundary links whose flow is metered
//! weighting = "length"   # average zone pressure: "length" (default) or "demand"
//!
//! [[zone]]
//! name = "A"
//! nodes = ["A1", "A2"]   # an explicit node set ...
//!
//! [[zone]]
//! name = "B"
//! seed = "B1"            # ... or every node reached from a seed without
//! feeds = ["V1"]         #     crossing a boundary link (closed, meter, feed)
//! [zone.leakage]         # optional FAVAD baseline: L0 at P0, exponent N1
//! l0 = 1.5               # flow units
//! p0 = 40                # pressure units
//! n1 = 1.0
//!
//! [[edit]]               # optional scenario edits, as in scenario files
//! type = "setting"
//! link = "V1"
//! value = 25
//! ```
//!
//! The boundary links are the closed links, the meters and every zone's
//! feeds. [`Layout::resolve`] turns a layout into node sets on the edited
//! network; nodes in no zone form a last zone, `(rest)`.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::{Edit, Scenario};
use crate::network::{InitialStatus, Network, NodeKind};

/// Name of the zone that holds the nodes no layout zone claims.
pub const REST_ZONE: &str = "(rest)";

/// Why a layout cannot be read or does not fit a network.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not a valid layout (TOML errors name the line).
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The layout names something the network does not have, or is inconsistent.
    #[error("{file}: layout '{layout}', zone '{zone}': {message}")]
    Mismatch {
        /// The file.
        file: String,
        /// The layout's name.
        layout: String,
        /// The zone at fault (empty for the layout's own lists).
        zone: String,
        /// What is wrong.
        message: String,
    },
}

/// How the average zone pressure weighs the zone's junctions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Each junction weighs half the length of every pipe attached to it
    /// (open or closed): the mains length it stands for. Leakage grows with
    /// mains length, so this is the default.
    #[default]
    Length,
    /// Each junction weighs its base demand (all categories): the pressure
    /// customers see.
    Demand,
}

/// A FAVAD leakage baseline of a zone: `l0` at average zone pressure `p0`.
///
/// Leakage at average zone pressure P is L = L0 · (P / P0)^N1 (FAVAD,
/// May 1994; Thornton and Lambert 2005).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeakageBaseline {
    /// Leakage at `p0`, in the network's flow units.
    pub l0: f64,
    /// The average zone pressure at which `l0` holds, in pressure units.
    pub p0: f64,
    /// The FAVAD exponent N1 (0.5 for fixed-area holes, 1.5 for
    /// expanding ones; 1.0 is the usual figure for a mixed network).
    #[serde(default = "default_n1")]
    pub n1: f64,
}

fn default_n1() -> f64 {
    1.0
}

impl LeakageBaseline {
    /// Leakage at average zone pressure `pressure`, in the units of `l0`:
    /// L0 · (P / P0)^N1; 0 at or below zero pressure.
    pub fn at(&self, pressure: f64) -> f64 {
        favad_scale(self.l0, self.p0, pressure, self.n1)
    }
}

/// FAVAD: leakage `l0` at pressure `p0` scaled to pressure `p1`,
/// L1 = L0 · (P1 / P0)^N1 (any consistent units; 0 for P1 ≤ 0).
pub fn favad_scale(l0: f64, p0: f64, p1: f64, n1: f64) -> f64 {
    if p1 <= 0.0 || p0 <= 0.0 {
        return 0.0;
    }
    l0 * (p1 / p0).powf(n1)
}

/// One zone as a layout file gives it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneSpec {
    /// The zone's name.
    pub name: String,
    /// Its nodes, by id (or give `seed`).
    #[serde(default)]
    pub nodes: Vec<String>,
    /// A node of the zone: the zone is every node reached from it without
    /// crossing a boundary link.
    pub seed: Option<String>,
    /// The PRVs, pumps or other links that feed the zone.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// A leakage baseline; without one the zone's leakage is what the
    /// network's emitters and `[LEAKAGE]` give.
    pub leakage: Option<LeakageBaseline>,
}

/// A zone layout: zones, boundary links and optional edits.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// A short name, used in tables and rankings.
    pub name: String,
    /// What the layout is about.
    #[serde(default)]
    pub description: String,
    /// Boundary links the layout closes from the start.
    #[serde(default)]
    pub closed: Vec<String>,
    /// Open boundary links whose flow is metered.
    #[serde(default)]
    pub meters: Vec<String>,
    /// How the average zone pressure weighs junctions.
    #[serde(default)]
    pub weighting: Weighting,
    /// The zones.
    #[serde(default, rename = "zone")]
    pub zones: Vec<ZoneSpec>,
    /// Further edits, as in scenario files (`[[edit]]` tables).
    #[serde(default, rename = "edit")]
    pub edits: Vec<Edit>,
    /// The file the layout came from, for messages.
    #[serde(skip)]
    pub file: String,
}

/// A zone on a network: its nodes and the links on its boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// The zone's name.
    pub name: String,
    /// Its nodes (indices into the edited network), in node order.
    pub nodes: Vec<usize>,
    /// Its feeds (link indices).
    pub feeds: Vec<usize>,
    /// Links with exactly one end in the zone.
    pub boundary: Vec<usize>,
    /// Its leakage baseline, if the layout gives one.
    pub leakage: Option<LeakageBaseline>,
}

/// A layout resolved on a network.
#[derive(Debug, Clone)]
pub struct ResolvedLayout {
    /// The layout's name.
    pub name: String,
    /// The layout's edits applied to a copy of the base network (boundary
    /// valves closed).
    pub applied: super::Applied,
    /// The zones, in file order, then [`REST_ZONE`] if any node is left.
    pub zones: Vec<Zone>,
    /// Zone of each node.
    pub zone_of: Vec<usize>,
    /// How the average zone pressure weighs junctions.
    pub weighting: Weighting,
    /// Things the user should know: zones without a source, links that
    /// cross between zones without being declared a boundary.
    pub warnings: Vec<String>,
}

impl Layout {
    /// Reads a layout file.
    pub fn read_file(path: &Path) -> Result<Layout, LayoutError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LayoutError::Io {
            file: file.clone(),
            source,
        })?;
        Layout::from_toml_str(&text, &file)
    }

    /// Reads a layout from TOML text; `file` is used in messages.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Layout, LayoutError> {
        let mut layout: Layout = toml::from_str(text).map_err(|e| LayoutError::Invalid {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        layout.file = file.to_string();
        if layout.name.is_empty() {
            layout.name = Path::new(file)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("layout")
                .to_string();
        }
        if layout.zones.is_empty() {
            return Err(layout.mismatch("", "names no zone ([[zone]] tables)"));
        }
        for zone in &layout.zones {
            if let Some(b) = &zone.leakage {
                let ok = |v: f64| v.is_finite() && v > 0.0;
                if !(ok(b.l0) && ok(b.p0) && b.n1.is_finite() && (0.0..=3.0).contains(&b.n1)) {
                    return Err(layout.mismatch(
                        &zone.name,
                        "leakage baseline: l0 and p0 must be more than 0, and n1 between 0 and 3",
                    ));
                }
            }
        }
        Ok(layout)
    }

    fn mismatch(&self, zone: &str, message: impl Into<String>) -> LayoutError {
        LayoutError::Mismatch {
            file: self.file.clone(),
            layout: self.name.clone(),
            zone: zone.to_string(),
            message: message.into(),
        }
    }

    /// The scenario the layout makes of a network: close the boundary
    /// valves, then the layout's own edits.
    pub fn scenario(&self) -> Scenario {
        let mut edits: Vec<Edit> = (self.closed.iter())
            .map(|link| Edit::Close {
                link: link.clone(),
                at: None,
            })
            .collect();
        edits.extend(self.edits.iter().cloned());
        Scenario {
            name: self.name.clone(),
            description: self.description.clone(),
            edits,
            ..Scenario::default()
        }
    }

    /// Applies the layout's edits to a copy of `base` and finds each zone's nodes.
    pub fn resolve(&self, base: &Network) -> Result<ResolvedLayout, LayoutError> {
        let applied = self
            .scenario()
            .apply(base)
            .map_err(|e| self.mismatch("", e.to_string()))?;
        let net = &applied.network;
        let boundary = self.boundary_links(net)?;

        const NONE: usize = usize::MAX;
        let mut zone_of = vec![NONE; net.nodes.len()];
        let mut zones = Vec::new();
        for (z, spec) in self.zones.iter().enumerate() {
            let nodes = self.zone_nodes(net, spec, &boundary)?;
            for &i in &nodes {
                if zone_of[i] != NONE {
                    let other = &self.zones[zone_of[i]].name;
                    let message = format!("node {} is in zone '{other}' too", net.nodes[i].id);
                    return Err(self.mismatch(&spec.name, message));
                }
                zone_of[i] = z;
            }
            let feeds = (spec.feeds.iter())
                .map(|id| self.link(net, &spec.name, id))
                .collect::<Result<Vec<_>, _>>()?;
            zones.push(Zone {
                name: spec.name.clone(),
                nodes,
                feeds,
                boundary: Vec::new(),
                leakage: spec.leakage,
            });
        }
        let rest: Vec<usize> = (0..net.nodes.len())
            .filter(|&i| zone_of[i] == NONE)
            .collect();
        if !rest.is_empty() {
            for &i in &rest {
                zone_of[i] = zones.len();
            }
            zones.push(Zone {
                name: REST_ZONE.to_string(),
                nodes: rest,
                feeds: Vec::new(),
                boundary: Vec::new(),
                leakage: None,
            });
        }
        for (k, link) in net.links.iter().enumerate() {
            let (a, b) = (zone_of[link.from.ix()], zone_of[link.to.ix()]);
            if a != b {
                zones[a].boundary.push(k);
                zones[b].boundary.push(k);
            }
        }

        let mut resolved = ResolvedLayout {
            name: self.name.clone(),
            zones,
            zone_of,
            weighting: self.weighting,
            warnings: Vec::new(),
            applied,
        };
        self.check_feeds(&resolved)?;
        resolved.warnings = warnings(&resolved, &boundary);
        Ok(resolved)
    }

    /// The closed links, meters and feeds, as a set of link indices.
    fn boundary_links(&self, net: &Network) -> Result<HashSet<usize>, LayoutError> {
        let mut set = HashSet::new();
        for id in self.closed.iter().chain(&self.meters) {
            set.insert(self.link(net, "", id)?);
        }
        for zone in &self.zones {
            for id in &zone.feeds {
                set.insert(self.link(net, &zone.name, id)?);
            }
        }
        Ok(set)
    }

    fn link(&self, net: &Network, zone: &str, id: &str) -> Result<usize, LayoutError> {
        net.link_ix(id)
            .map(|k| k.ix())
            .ok_or_else(|| self.mismatch(zone, format!("unknown link '{id}'")))
    }

    /// A zone's nodes: the listed ones, or those reached from its seed
    /// without crossing a boundary link.
    fn zone_nodes(
        &self,
        net: &Network,
        spec: &ZoneSpec,
        boundary: &HashSet<usize>,
    ) -> Result<Vec<usize>, LayoutError> {
        let node = |id: &str| {
            net.node_ix(id)
                .map(|i| i.ix())
                .ok_or_else(|| self.mismatch(&spec.name, format!("unknown node '{id}'")))
        };
        let mut nodes = match (&spec.seed, spec.nodes.is_empty()) {
            (Some(seed), true) => reach(net, node(seed)?, boundary),
            (None, false) => spec
                .nodes
                .iter()
                .map(|id| node(id))
                .collect::<Result<_, _>>()?,
            _ => return Err(self.mismatch(&spec.name, "give either `nodes` or `seed`")),
        };
        nodes.sort_unstable();
        nodes.dedup();
        Ok(nodes)
    }

    /// Every feed must have one end in its zone.
    fn check_feeds(&self, resolved: &ResolvedLayout) -> Result<(), LayoutError> {
        let net = &resolved.applied.network;
        for (z, zone) in resolved.zones.iter().enumerate() {
            for &k in &zone.feeds {
                let link = &net.links[k];
                let inside = |i: usize| resolved.zone_of[i] == z;
                if inside(link.from.ix()) == inside(link.to.ix()) {
                    let message = format!(
                        "feed {} does not cross the zone's boundary (it has {} ends inside)",
                        link.id,
                        if inside(link.from.ix()) { "both" } else { "no" }
                    );
                    return Err(self.mismatch(&zone.name, message));
                }
            }
        }
        Ok(())
    }
}

/// The nodes reached from `start` over links not in `boundary`.
fn reach(net: &Network, start: usize, boundary: &HashSet<usize>) -> Vec<usize> {
    let mut adjacent = vec![Vec::new(); net.nodes.len()];
    for (k, link) in net.links.iter().enumerate() {
        if !boundary.contains(&k) {
            adjacent[link.from.ix()].push(link.to.ix());
            adjacent[link.to.ix()].push(link.from.ix());
        }
    }
    let mut seen = vec![false; net.nodes.len()];
    let mut stack = vec![start];
    seen[start] = true;
    let mut out = Vec::new();
    while let Some(i) = stack.pop() {
        out.push(i);
        for &j in &adjacent[i] {
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    out
}

/// Zones with no source, and links crossing zones without being declared.
fn warnings(resolved: &ResolvedLayout, declared: &HashSet<usize>) -> Vec<String> {
    let net = &resolved.applied.network;
    let mut out = Vec::new();
    for zone in &resolved.zones {
        let has_store = (zone.nodes.iter()).any(|&i| {
            matches!(
                net.nodes[i].kind,
                NodeKind::Reservoir(_) | NodeKind::Tank(_)
            )
        });
        let open_in = zone.boundary.iter().any(|&k| !is_shut(net, k));
        if !has_store && !open_in {
            out.push(format!(
                "zone '{}' has no source: no reservoir or tank inside and every boundary link is closed",
                zone.name
            ));
        }
    }
    let mut undeclared: Vec<usize> = (resolved.zones.iter())
        .flat_map(|z| z.boundary.iter().copied())
        .filter(|k| !declared.contains(k))
        .collect();
    undeclared.sort_unstable();
    undeclared.dedup();
    for k in undeclared {
        let link = &net.links[k];
        let zone = |i: usize| resolved.zones[resolved.zone_of[i]].name.as_str();
        out.push(format!(
            "{} {} joins zones '{}' and '{}' but is not declared closed, metered or a feed",
            link.kind_name(),
            link.id,
            zone(link.from.ix()),
            zone(link.to.ix())
        ));
    }
    out
}

/// Whether a link is closed from the start with no control to open it.
fn is_shut(net: &Network, k: usize) -> bool {
    let closed = net.links[k].initial_status == InitialStatus::Closed;
    let reopened = net.controls.iter().any(|c| c.action.link.ix() == k)
        || (net.rules.iter())
            .flat_map(|r| r.then_actions.iter().chain(&r.else_actions))
            .any(|a| a.link.ix() == k);
    closed && !reopened
}

impl ResolvedLayout {
    /// The zone named `name`.
    pub fn zone(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.name == name)
    }
}
