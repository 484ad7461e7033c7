//! A density target: at least one logger in every square of a given area that holds junctions.
//!
//! The junctions' bounding box is cut into square cells of side
//! `s = √A` (A the area per sensor), from its lower-left corner; a
//! junction on the far edge belongs to the last cell. The area served is
//! taken as the cells that hold a junction (empty land needs no logger),
//! so "at least one logger per A km²" becomes "a logger in every occupied
//! cell". A cell that holds a site chosen for another reason needs no
//! more; any other gets the junction nearest its centre.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// What the density target adds.
#[derive(Debug, Clone, PartialEq)]
pub struct DensitySites {
    /// Side of a cell, in map units.
    pub cell_side: f64,
    /// Cells holding at least one junction.
    pub occupied_cells: usize,
    /// Occupied cells that held a site already.
    pub cells_with_site: usize,
    /// The new sites, as positions in the point list, cell by cell (rows
    /// from the bottom, cells from the left).
    pub sites: Vec<usize>,
}

/// Places sites so that every occupied cell has one.
///
/// `points` are the candidate junctions' coordinates (map units);
/// `existing` are positions in `points` that hold a site already;
/// `metres_per_unit` converts map units to m; `area_km2` is the area per
/// sensor. `tie` orders two points equally near a cell's centre.
pub fn density_sites(
    points: &[(f64, f64)],
    existing: &[usize],
    metres_per_unit: f64,
    area_km2: f64,
    tie: &dyn Fn(usize, usize) -> Ordering,
) -> DensitySites {
    let cell_side = (area_km2 * 1.0e6).sqrt() / metres_per_unit;
    let mut result = DensitySites {
        cell_side,
        occupied_cells: 0,
        cells_with_site: 0,
        sites: Vec::new(),
    };
    if points.is_empty() {
        return result;
    }
    let min_x = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let max_x = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let min_y = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max_y = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    // Cells are numbered (row, column) from the lower left, as whole
    // numbers held in f64 (a tiny area per sensor makes them too many for
    // any integer type); only occupied cells are kept, so such an area
    // costs no more than a large one. A cell is keyed by the bits of its
    // numbers, which order as the numbers do (they are never negative).
    let cells = |span: f64| (span / cell_side).ceil().max(1.0);
    let (nx, ny) = (cells(max_x - min_x), cells(max_y - min_y));
    let cell_of = |p: (f64, f64)| {
        let ix = ((p.0 - min_x) / cell_side).floor().min(nx - 1.0);
        let iy = ((p.1 - min_y) / cell_side).floor().min(ny - 1.0);
        (iy.to_bits(), ix.to_bits())
    };

    let mut members: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for (i, &p) in points.iter().enumerate() {
        members.entry(cell_of(p)).or_default().push(i);
    }
    let has_site: BTreeSet<(u64, u64)> = existing.iter().map(|&i| cell_of(points[i])).collect();
    for (&(row, column), inside) in &members {
        result.occupied_cells += 1;
        if has_site.contains(&(row, column)) {
            result.cells_with_site += 1;
            continue;
        }
        let (row, column) = (f64::from_bits(row), f64::from_bits(column));
        let centre = (
            min_x + (column + 0.5) * cell_side,
            min_y + (row + 0.5) * cell_side,
        );
        let distance = |i: usize| (points[i].0 - centre.0).hypot(points[i].1 - centre.1);
        let nearest = inside
            .iter()
            .copied()
            .min_by(|&a, &b| distance(a).total_cmp(&distance(b)).then_with(|| tie(a, b)));
        result.sites.extend(nearest);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Junctions every 500 m on a 4 km × 2 km rectangle (9 × 5 points), one
    /// sensor per km²: cells of 1 km, 4 × 2 of them, all occupied; the
    /// junction nearest each cell's centre is the one at the centre,
    /// (500 + 1000 i, 500 + 1000 j).
    #[test]
    fn one_per_square_kilometre_on_a_grid() {
        let points: Vec<(f64, f64)> = (0..5)
            .flat_map(|j| (0..9).map(move |i| (500.0 * i as f64, 500.0 * j as f64)))
            .collect();
        let by_index = |a: usize, b: usize| a.cmp(&b);
        let d = density_sites(&points, &[], 1.0, 1.0, &by_index);
        assert_eq!(d.cell_side, 1000.0);
        assert_eq!(d.occupied_cells, 8);
        let placed: Vec<(f64, f64)> = d.sites.iter().map(|&i| points[i]).collect();
        let expected: Vec<(f64, f64)> = (0..2)
            .flat_map(|j| {
                (0..4).map(move |i| (500.0 + 1000.0 * i as f64, 500.0 + 1000.0 * j as f64))
            })
            .collect();
        assert_eq!(placed, expected);
    }

    /// `--area-per-sensor 1e-300` once panicked (index out of bounds): the
    /// cell count overflowed. With cells far smaller than the spacing of
    /// the junctions, every junction has a cell of its own and a site.
    #[test]
    fn area_1e_300_puts_a_site_at_every_junction() {
        let points = [(0.0, 0.0), (500.0, 0.0), (0.0, 500.0), (500.0, 500.0)];
        let by_index = |a: usize, b: usize| a.cmp(&b);
        let d = density_sites(&points, &[1], 1.0, 1e-300, &by_index);
        assert_eq!((d.occupied_cells, d.cells_with_site), (4, 1));
        assert_eq!(d.sites, [0, 2, 3]);
    }

    /// The same layout in feet with 2 km² per sensor: the side is
    /// √2 km = 4639.7 ft; the box (4000 × 2000 ft) fits in one cell, so a
    /// site already placed leaves nothing to add.
    #[test]
    fn feet_and_existing_sites() {
        let points: Vec<(f64, f64)> = (0..5)
            .flat_map(|j| (0..9).map(move |i| (500.0 * i as f64, 500.0 * j as f64)))
            .collect();
        let by_index = |a: usize, b: usize| a.cmp(&b);
        let d = density_sites(&points, &[7], 0.3048, 2.0, &by_index);
        assert!((d.cell_side - 2.0f64.sqrt() * 1000.0 / 0.3048).abs() < 1e-9);
        assert_eq!((d.occupied_cells, d.cells_with_site), (1, 1));
        assert!(d.sites.is_empty());
    }
}
