//! Tank storage: the volume a tank holds at a head, and the head a volume gives.
//!
//! A tank is a cylinder of fixed area, or a volume curve (level above the
//! tank's elevation → volume). EPANET's conventions: a cylinder's volume at
//! its minimum level is the `[TANKS]` minimum volume when one is given, else
//! area × minimum level; a curve tank's is the curve at the minimum level.
//!
//! Volumes here are in the unit that flow × time gives: pipenet's m³/s is
//! EPANET's cfs × 0.028317 (its rounded factor), while a cubic foot is
//! exactly 0.3048³ = 0.0283168 m³. Storage is therefore scaled by
//! [`VOLUME_SCALE`], so that a tank fills and drains in exactly the time
//! EPANET computes in cubic feet (5.4 parts in a million, enough to decide
//! whether a tank is empty at the end of the step that drains it).

use crate::network::units::{M3_PER_FT3, M_PER_FT};
use crate::network::{Network, Node, NodeKind};

/// Storage volume per true cubic metre (EPANET's cubic feet as flows count
/// them, over true cubic feet): 0.028317 / 0.3048³ ≈ 1.0000054.
pub(crate) const VOLUME_SCALE: f64 = M3_PER_FT3 / (M_PER_FT * M_PER_FT * M_PER_FT);

/// The storage geometry of one tank, in SI.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TankStorage {
    /// The tank's elevation, m.
    pub elevation_m: f64,
    /// Head at the minimum level, m.
    pub min_head_m: f64,
    /// Head at the maximum level, m.
    pub max_head_m: f64,
    /// Volume at the minimum level, m³.
    pub min_volume_m3: f64,
    /// Volume at the maximum level, m³.
    pub max_volume_m3: f64,
    /// Whether the tank spills when full instead of closing its inlets.
    pub can_overflow: bool,
    shape: Shape,
}

/// How volume depends on level.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// A cylinder of this cross-section area, m².
    Cylinder { area_m2: f64 },
    /// A volume curve: (level m, volume m³) with increasing level.
    Curve { points: Vec<(f64, f64)> },
}

/// The storage of every tank, by node index; nothing is held for the
/// other nodes (most networks have a few tanks among thousands of nodes).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TankTable {
    /// The tanks' node indices, increasing.
    nodes: Vec<usize>,
    /// Their storage, in the same order.
    storage: Vec<TankStorage>,
}

impl TankTable {
    /// The storage of every tank of a network.
    pub fn for_network(net: &Network) -> Self {
        let mut table = TankTable::default();
        for (i, node) in net.nodes.iter().enumerate() {
            if let Some(storage) = TankStorage::of(net, node) {
                table.nodes.push(i);
                table.storage.push(storage);
            }
        }
        table
    }

    /// The storage of node `i`, if it is a tank.
    pub fn get(&self, i: usize) -> Option<&TankStorage> {
        let at = self.nodes.binary_search(&i).ok()?;
        Some(&self.storage[at])
    }

    /// Every tank's node index and storage, in node order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &TankStorage)> {
        self.nodes.iter().copied().zip(&self.storage)
    }
}

impl TankStorage {
    /// The storage of a node, if it is a tank.
    fn of(net: &Network, node: &Node) -> Option<TankStorage> {
        let NodeKind::Tank(t) = &node.kind else {
            return None;
        };
        let shape = match t.volume_curve {
            Some(c) => Shape::Curve {
                points: net.curves[c.ix()]
                    .points
                    .iter()
                    .map(|&(level, volume)| (level, volume * VOLUME_SCALE))
                    .collect(),
            },
            None => Shape::Cylinder {
                area_m2: std::f64::consts::PI * t.diameter_m * t.diameter_m / 4.0 * VOLUME_SCALE,
            },
        };
        let min_volume_m3 = match &shape {
            Shape::Cylinder { .. } if t.min_volume_m3 > 0.0 => t.min_volume_m3 * VOLUME_SCALE,
            Shape::Cylinder { area_m2 } => area_m2 * t.min_level_m,
            Shape::Curve { points } => interpolate(points, t.min_level_m),
        };
        let mut storage = TankStorage {
            elevation_m: node.elevation_m,
            min_head_m: node.elevation_m + t.min_level_m,
            max_head_m: node.elevation_m + t.max_level_m,
            min_volume_m3,
            max_volume_m3: 0.0,
            can_overflow: t.can_overflow,
            shape,
        };
        storage.max_volume_m3 = storage.volume_m3(storage.max_head_m);
        Some(storage)
    }

    /// Volume held at `head_m`, m³.
    pub fn volume_m3(&self, head_m: f64) -> f64 {
        match &self.shape {
            Shape::Cylinder { area_m2 } => {
                self.min_volume_m3 + (head_m - self.min_head_m) * area_m2
            }
            Shape::Curve { points } => interpolate(points, head_m - self.elevation_m),
        }
    }

    /// Head at which the tank holds `volume_m3`, m.
    ///
    /// A tank holding its maximum volume stands at least at its maximum
    /// head, and one holding its minimum volume or less at most at its
    /// minimum head. Computed from the volume alone, the head of a full
    /// tank can come out a rounding error short of the maximum (elevation
    /// 0, levels 0.5 to 8 m, diameter 15 m: 8.9e-16 m short), and the
    /// full-tank test, an exact comparison of heads, then lets water flow
    /// into a full tank and vanish. EPANET 2.3.5 has that defect
    /// (docs/validation.md, "Known differences"); pipenet does not copy it.
    /// Below the minimum volume (EPANET lets a draining tank end a step
    /// there by less than a second's flow) the head is the volume's own.
    pub fn head_m(&self, volume_m3: f64) -> f64 {
        let head_m = match &self.shape {
            Shape::Cylinder { area_m2 } => {
                self.min_head_m + (volume_m3 - self.min_volume_m3) / area_m2
            }
            Shape::Curve { points } => {
                self.elevation_m + interpolate_by(points, volume_m3, |(x, y)| (y, x))
            }
        };
        if volume_m3 >= self.max_volume_m3 {
            head_m.max(self.max_head_m)
        } else if volume_m3 <= self.min_volume_m3 {
            head_m.min(self.min_head_m)
        } else {
            head_m
        }
    }
}

/// Piecewise-linear interpolation of `y` at `x` through points of
/// increasing `x`; outside them the first or last `y` (EPANET's `interp`).
fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    interpolate_by(points, x, |p| p)
}

/// [`interpolate`] through points mapped by `key` to (x, y): lets a volume
/// curve be read backwards without copying it.
fn interpolate_by(points: &[(f64, f64)], x: f64, key: impl Fn((f64, f64)) -> (f64, f64)) -> f64 {
    let Some(&first) = points.first() else {
        return 0.0;
    };
    let (x0, y0) = key(first);
    if x <= x0 {
        return y0;
    }
    for w in points.windows(2) {
        let ((xa, ya), (xb, yb)) = (key(w[0]), key(w[1]));
        if x <= xb {
            let dx = xb - xa;
            return if dx.abs() < 1e-300 {
                yb
            } else {
                yb - (xb - x) * (yb - ya) / dx
            };
        }
    }
    points.last().map_or(0.0, |&p| key(p).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_inside_and_beyond_the_points() {
        let p = [(0.0, 0.0), (2.0, 10.0), (4.0, 30.0)];
        assert_eq!(interpolate(&p, 1.0), 5.0);
        assert_eq!(interpolate(&p, 3.0), 20.0);
        assert_eq!(interpolate(&p, 5.0), 30.0);
        assert_eq!(interpolate(&p, -1.0), 0.0);
        assert_eq!(interpolate_by(&p, 20.0, |(x, y)| (y, x)), 3.0);
    }

    #[test]
    fn tank_table_holds_tanks_only_and_finds_them_by_node() {
        use crate::network::{Junction, Tank};
        let mut net = Network::new();
        let junction = || NodeKind::Junction(Junction::default());
        let tank = || NodeKind::Tank(Box::new(Tank::cylinder(1.0, 0.0, 4.0, 2.0)));
        for (i, kind) in [junction(), tank(), junction(), junction(), tank()]
            .into_iter()
            .enumerate()
        {
            net.add_node(Node::new(format!("N{i}"), kind, 100.0))
                .unwrap();
        }
        let table = TankTable::for_network(&net);
        assert_eq!(table.iter().map(|(i, _)| i).collect::<Vec<_>>(), [1, 4]);
        assert!(table.get(0).is_none() && table.get(2).is_none() && table.get(5).is_none());
        // Heads 100 + 0 and 100 + 4 m: the levels' limits above the elevation.
        let t = table.get(4).unwrap();
        assert_eq!((t.min_head_m, t.max_head_m), (100.0, 104.0));
    }

    #[test]
    fn storage_counts_volume_as_epanet_cubic_feet() {
        // EPANET stores a volume of 1 m³ as 1 / 0.3048³ ft³ and drains it
        // at flows it converts with 28.317 L/s per cfs: 1 m³ lasts
        // 1.0000054 s at 1 m³/s.
        assert!((VOLUME_SCALE - 1.000_005_4).abs() < 1e-7);
    }

    #[test]
    fn a_full_tank_stands_exactly_at_its_maximum_head() {
        // Elevation 0, levels 0.5 to 8 m, diameter 15 m: computed from the
        // volume, the head at Vmax came out 8.9e-16 m short of Hmax = 8 m,
        // so the full-tank test (head >= Hmax) failed and
        // tests/data/eps/tank_full_exact.inp let 248 L/s flow into the
        // full tank. Whatever the rounding, full means Hmax and empty Hmin.
        use crate::network::Tank;
        let mut net = Network::new();
        let tank = Tank::cylinder(7.5, 0.5, 8.0, 15.0);
        net.add_node(Node::new("T1", NodeKind::Tank(Box::new(tank)), 0.0))
            .unwrap();
        let t = TankTable::for_network(&net).get(0).unwrap().clone();
        assert_eq!(t.head_m(t.max_volume_m3), 8.0);
        assert_eq!(t.head_m(t.min_volume_m3), 0.5);
        // Below the minimum volume, the level of what is left: 1 m³ less
        // in 15 m across (176.7 m² of EPANET's cubic feet) is 5.66 mm.
        let below = t.head_m(t.min_volume_m3 - 1.0);
        let area = std::f64::consts::PI * 15.0 * 15.0 / 4.0 * VOLUME_SCALE;
        assert!((below - (0.5 - 1.0 / area)).abs() < 1e-12);
    }

    #[test]
    fn cylinder_volume_and_head_are_inverse() {
        // Diameter 20 m, levels 2..20 m above elevation 100 m, no minimum
        // volume: Vmin = A·2 = 628.32 m³, as EPANET 2.3.5 reports it.
        let area = std::f64::consts::PI * 100.0;
        let t = TankStorage {
            elevation_m: 100.0,
            min_head_m: 102.0,
            max_head_m: 120.0,
            min_volume_m3: area * 2.0,
            max_volume_m3: area * 20.0,
            can_overflow: false,
            shape: Shape::Cylinder { area_m2: area },
        };
        assert!((t.volume_m3(110.0) - area * 10.0).abs() < 1e-9);
        assert!((t.head_m(area * 10.0) - 110.0).abs() < 1e-9);
    }
}
