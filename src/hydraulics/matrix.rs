//! The head matrix of the global gradient algorithm: a sparse symmetric
//! positive-definite system `A H = F` with a pattern fixed for a whole run.
//!
//! Every Newton iteration of the GGA (Todini and Pilati, 1988; EPANET manual,
//! appendix D) solves for the junction heads `H`. `A` has one diagonal entry
//! per junction and one off-diagonal entry per pair of junctions joined by at
//! least one link; links to tanks and reservoirs only add to the diagonal.
//! Closed links keep a tiny conductance, so the pattern never changes: the
//! fill-reducing ordering and the symbolic factorisation are done once in
//! [`HeadMatrix::new`], and each iteration only refills values, factors them
//! numerically and solves, without allocating.
//!
//! The numeric work sits behind one small private interface with several
//! [`Backend`]s; `docs/performance.md` has the measurements behind the
//! default.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt::factor::{LltError, LltRegularization};
use faer::sparse::linalg::amd;
use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, CholeskySymbolicParams, LltRef, SymbolicCholesky,
    SymbolicCholeskyRaw, SymmetricOrdering,
};
use faer::sparse::linalg::SupernodalThreshold;
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par, Side, Spec};

/// What can go wrong when building or solving the head matrix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// A link names an unknown that does not exist.
    #[error("link {link} joins unknown {unknown}, but there are only {count} unknowns")]
    UnknownOutOfRange {
        /// Index of the offending link.
        link: usize,
        /// The unknown it names.
        unknown: usize,
        /// Number of unknowns of the matrix.
        count: usize,
    },
    /// A link joins an unknown that was to be left out of the system.
    #[error("link {link} joins unknown {unknown}, which is left out of the system")]
    LeftOutUnknownLinked {
        /// Index of the offending link.
        link: usize,
        /// The unknown left out.
        unknown: usize,
    },
    /// A link has both ends at the same unknown.
    #[error("link {link} joins unknown {unknown} to itself")]
    SelfLoop {
        /// Index of the offending link.
        link: usize,
        /// The unknown at both of its ends.
        unknown: usize,
    },
    /// The factorisation met a pivot that is not positive: the matrix is not
    /// positive definite (typically a part of the network cut off from every
    /// tank and reservoir, or a negative coefficient).
    #[error("head matrix is not positive definite: the pivot of unknown {row} is not positive")]
    NotPositiveDefinite {
        /// The failing unknown, in the caller's numbering.
        row: usize,
    },
    /// The sparse library could not set up the factorisation (out of memory
    /// or an index overflow).
    #[error("sparse factorisation could not be set up: {reason}")]
    Setup {
        /// The library's own description.
        reason: String,
    },
}

/// Which numeric factorisation a [`HeadMatrix`] uses. All give the same
/// heads up to rounding; they differ in speed only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Backend {
    /// [`Backend::ColumnLdlt`] unless the factor is dense enough for
    /// blocks to pay (more than 40 multiply-adds per stored entry of `L`, as
    /// on large street grids), then [`Backend::FaerSupernodal`]. Decided once,
    /// after the ordering; [`HeadMatrix::backend`] tells which was taken.
    #[default]
    Auto,
    /// Junctions ordered once by faer's approximate minimum degree (AMD),
    /// then a hand-written up-looking `L D Lᵀ` over a pattern computed once.
    UpLookingLdlt,
    /// Junctions ordered once by AMD, then a hand-written column-by-column
    /// (right-looking) `L D Lᵀ` where each update's place in `L` is found
    /// once, with the forward substitution in the same sweep, and runs of
    /// columns that share many rows below them (supernodes, where a street
    /// lattice fills) taken together from a dense panel. The same
    /// operations in the same order as [`Backend::UpLookingLdlt`], so the
    /// same heads to the bit, with less overhead on the very sparse factors
    /// of water networks; the fastest on tree-like networks (see
    /// `docs/performance.md`).
    ColumnLdlt,
    /// Junctions ordered once by AMD, then faer's simplicial `L Lᵀ` with the
    /// identity ordering on the permuted upper triangle.
    FaerSimplicial,
    /// Junctions ordered once by AMD, then faer's supernodal `L Lᵀ` with the
    /// identity ordering on the permuted lower triangle.
    FaerSupernodal,
    /// faer orders the matrix itself (AMD inside
    /// `factorize_symbolic_cholesky`) and chooses simplicial or supernodal;
    /// it permutes the values at every factorisation.
    FaerAutomatic,
}

impl Backend {
    /// Whether the junctions are ordered by us once, before the pattern of
    /// the stored matrix is laid out.
    fn orders_once(self) -> bool {
        self != Backend::FaerAutomatic
    }

    /// Which triangle of the matrix the backend reads.
    fn side(self) -> Side {
        match self {
            Backend::FaerSupernodal => Side::Lower,
            _ => Side::Upper,
        }
    }
}

/// Sparsity pattern and values of the head matrix, with its right-hand side
/// and solution, built once per network.
///
/// Unknowns are numbered by the caller (`0..n`); internally they are stored
/// in a fill-reducing order, which the methods hide.
pub struct HeadMatrix {
    /// Off-diagonal slot of each link, `None` for a link that touches a
    /// fixed-head node.
    link_slot: Vec<Option<usize>>,
    /// Index in `values` of each unknown's diagonal entry (caller's numbering).
    diagonal_index: Vec<usize>,
    /// Index in `values` of each off-diagonal slot.
    slot_index: Vec<usize>,
    /// Caller's unknown stored at each internal position.
    unknown_at: Vec<usize>,
    /// Internal position of each of the caller's unknowns ([`LEFT_OUT`]
    /// for those left out of the system).
    position: Vec<usize>,
    /// Stored triangle in compressed columns, internal numbering.
    pattern: Pattern,
    /// Coefficients of the stored triangle, in `pattern` order, or for the
    /// column factorisation in the caller's order (slots, then diagonals,
    /// then a zero that the factor's fill reads, outside what
    /// [`HeadMatrix::entries_mut`] gives).
    values: Vec<f64>,
    /// How many of `values` the caller may add to.
    caller_values: usize,
    /// Right-hand side, caller's numbering (left-out unknowns stay zero),
    /// in the order the assembly visits it.
    rhs: Vec<f64>,
    /// Right-hand side turned into the solution, internal numbering.
    work: Vec<f64>,
    /// Heads of the last solve, caller's numbering.
    solution: Vec<f64>,
    /// The numeric factorisation, with all its buffers.
    factorization: Box<dyn Factorization>,
    /// Which factorisation that is.
    backend: Backend,
}

impl std::fmt::Debug for HeadMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadMatrix")
            .field("unknowns", &self.position.len())
            .field("slots", &self.slot_index.len())
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl HeadMatrix {
    /// Builds the pattern of the head matrix of `n` unknowns with the default
    /// [`Backend`].
    ///
    /// `edges` holds, for each link, `Some((i, j))` when both of its ends are
    /// unknowns (`i != j`) and `None` otherwise. Links joining the same pair
    /// of unknowns (parallel links) share one off-diagonal slot, which
    /// [`HeadMatrix::link_slot`] returns.
    ///
    /// Orders the unknowns, analyses the factor's pattern and allocates every
    /// buffer that [`HeadMatrix::solve`] needs.
    pub fn new(n: usize, edges: &[Option<(usize, usize)>]) -> Result<Self, MatrixError> {
        Self::with_backend(n, edges, Backend::default())
    }

    /// As [`HeadMatrix::new`], with the numeric factorisation chosen.
    pub fn with_backend(
        n: usize,
        edges: &[Option<(usize, usize)>],
        backend: Backend,
    ) -> Result<Self, MatrixError> {
        Self::with_left_out(n, edges, &[], backend)
    }

    /// As [`HeadMatrix::with_backend`], for the system without the unknowns
    /// `u` for which `left_out[u]` is true (`left_out` may be shorter than
    /// `n`; unknowns past its end are kept). No link may join a left-out
    /// unknown; their coefficients and right-hand side cannot be set
    /// (`add_diagonal` and `add_rhs` panic on them) and their heads in
    /// [`HeadMatrix::solution`] stay zero. The kept unknowns are ordered
    /// as in the system of all `n`, so they are factored and solved with
    /// the same operations, but none of the work passes over the others.
    ///
    /// The solver leaves out the junctions at the ends of tree branches,
    /// whose heads follow from the rest (see `hydraulics::branches`).
    pub fn with_left_out(
        n: usize,
        edges: &[Option<(usize, usize)>],
        left_out: &[bool],
        backend: Backend,
    ) -> Result<Self, MatrixError> {
        let (link_slot, pairs) = number_slots(n, edges)?;
        let is_left_out = |u: usize| left_out.get(u).copied().unwrap_or(false);
        if let Some((link, unknown)) = edges.iter().enumerate().find_map(|(link, edge)| {
            let (i, j) = (*edge)?;
            [i, j]
                .into_iter()
                .find(|&u| is_left_out(u))
                .map(|u| (link, u))
        }) {
            return Err(MatrixError::LeftOutUnknownLinked { link, unknown });
        }

        let mut unknown_at = if backend.orders_once() {
            minimum_degree_order(n, &pairs)?
        } else {
            (0..n).collect()
        };
        unknown_at.retain(|&u| !is_left_out(u));
        let mut position = vec![LEFT_OUT; n];
        for (p, &unknown) in unknown_at.iter().enumerate() {
            position[unknown] = p;
        }

        let kept = unknown_at.len();
        let mut layout = Pattern::lay_out(&pairs, &position, kept, Side::Upper);
        let mut ldlt = None;
        let backend = match backend {
            Backend::Auto => {
                let factor = FactorPattern::of(&layout.pattern);
                if factor.flops_per_entry() > SUPERNODAL_FLOPS_PER_ENTRY {
                    Backend::FaerSupernodal
                } else {
                    ldlt = Some(factor);
                    Backend::ColumnLdlt
                }
            }
            chosen => chosen,
        };
        if backend.side() != Side::Upper {
            layout = Pattern::lay_out(&pairs, &position, kept, backend.side());
        }
        // Coefficients are stored in pattern order, except for the column
        // factorisation: there in the caller's order, which follows the
        // links that the assembly visits (on a 200k-node town its scattered
        // additions into a factor-ordered array were a fifth of the
        // solver's time), and the factorisation gathers them.
        let mut value_count = layout.pattern.row_idx.len();
        let mut caller_values = value_count;
        let factorization: Box<dyn Factorization> = match backend {
            Backend::UpLookingLdlt => {
                Box::new(UpLookingLdlt::new(FactorPattern::of(&layout.pattern)))
            }
            Backend::Auto | Backend::ColumnLdlt => {
                let factor = ldlt.unwrap_or_else(|| FactorPattern::of(&layout.pattern));
                let (mut column, place) = ColumnLdlt::new(&layout.pattern, factor)?;
                // Coefficients in the caller's order: slots, then diagonals
                // by unknown, then a zero that the factor's fill reads.
                let zero = pairs.len() + n;
                let mut sources = vec![zero as u32; column.value_count()];
                for (s, index) in layout.slot_index.iter_mut().enumerate() {
                    sources[place[*index]] = s as u32;
                    *index = s;
                }
                for (u, index) in layout.diagonal_index.iter_mut().enumerate() {
                    if *index != LEFT_OUT {
                        sources[place[*index]] = (pairs.len() + u) as u32;
                        *index = pairs.len() + u;
                    }
                }
                column.read_from(sources);
                (caller_values, value_count) = (zero, zero + 1);
                Box::new(column)
            }
            Backend::FaerSimplicial => Box::new(FaerLlt::new(
                &layout.pattern,
                false,
                SupernodalThreshold::FORCE_SIMPLICIAL,
            )?),
            Backend::FaerSupernodal => Box::new(FaerLlt::new(
                &layout.pattern,
                false,
                SupernodalThreshold::FORCE_SUPERNODAL,
            )?),
            Backend::FaerAutomatic => Box::new(FaerLlt::new(
                &layout.pattern,
                true,
                SupernodalThreshold::AUTO,
            )?),
        };

        Ok(Self {
            link_slot,
            diagonal_index: layout.diagonal_index,
            slot_index: layout.slot_index,
            unknown_at,
            position,
            values: vec![0.0; value_count],
            caller_values,
            pattern: layout.pattern,
            rhs: vec![0.0; n],
            work: vec![0.0; kept],
            solution: vec![0.0; n],
            factorization,
            backend,
        })
    }

    /// Number of unknowns, those left out included.
    pub fn len(&self) -> usize {
        self.position.len()
    }

    /// Whether the matrix has no unknowns.
    pub fn is_empty(&self) -> bool {
        self.position.is_empty()
    }

    /// Number of off-diagonal slots (pairs of unknowns joined by a link).
    pub fn slot_count(&self) -> usize {
        self.slot_index.len()
    }

    /// The numeric factorisation in use (never [`Backend::Auto`]).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Off-diagonal slot of `link`, or `None` when the link touches a
    /// fixed-head node (or `link` is out of range).
    pub fn link_slot(&self, link: usize) -> Option<usize> {
        self.link_slot.get(link).copied().flatten()
    }

    /// Sets every coefficient and the right-hand side to zero.
    pub fn clear(&mut self) {
        self.values.fill(0.0);
        self.rhs.fill(0.0);
    }

    /// `A_ii += v`.
    ///
    /// # Panics
    /// If `i` is not an unknown, or was left out.
    pub fn add_diagonal(&mut self, i: usize, v: f64) {
        self.values[self.diagonal_index[i]] += v;
    }

    /// `A_ij += v` and `A_ji += v` for the pair of unknowns of `slot`.
    ///
    /// # Panics
    /// If `slot` is not a slot of this matrix.
    pub fn add_off_diagonal(&mut self, slot: usize, v: f64) {
        self.values[self.slot_index[slot]] += v;
    }

    /// `F_i += v`.
    ///
    /// # Panics
    /// If `i` is not an unknown, or was left out.
    pub fn add_rhs(&mut self, i: usize, v: f64) {
        assert!(self.position[i] != LEFT_OUT, "unknown {i} is left out");
        self.rhs[i] += v;
    }

    /// Index in [`HeadMatrix::entries_mut`]'s coefficients of `A_ii`
    /// ([`LEFT_OUT`] if `i` was left out).
    ///
    /// # Panics
    /// If `i` is not an unknown.
    pub fn diagonal_entry(&self, i: usize) -> usize {
        self.diagonal_index[i]
    }

    /// Index in [`HeadMatrix::entries_mut`]'s coefficients of the pair of
    /// off-diagonal entries of `slot`.
    ///
    /// # Panics
    /// If `slot` is not a slot of this matrix.
    pub fn off_diagonal_entry(&self, slot: usize) -> usize {
        self.slot_index[slot]
    }

    /// Index in [`HeadMatrix::entries_mut`]'s right-hand side of `F_i`
    /// ([`LEFT_OUT`] if `i` was left out).
    ///
    /// # Panics
    /// If `i` is not an unknown.
    pub fn rhs_entry(&self, i: usize) -> usize {
        if self.position[i] == LEFT_OUT {
            LEFT_OUT
        } else {
            i
        }
    }

    /// Lengths of the coefficients and of the right-hand side that
    /// [`HeadMatrix::entries_mut`] gives.
    pub fn entry_counts(&self) -> (usize, usize) {
        (self.caller_values, self.rhs.len())
    }

    /// The stored coefficients and the right-hand side, for callers that
    /// add terms at indices looked up once with
    /// [`HeadMatrix::diagonal_entry`], [`HeadMatrix::off_diagonal_entry`]
    /// and [`HeadMatrix::rhs_entry`] (the same sums as the `add_` methods,
    /// without their look-ups on every call).
    pub fn entries_mut(&mut self) -> (&mut [f64], &mut [f64]) {
        (&mut self.values[..self.caller_values], &mut self.rhs)
    }

    /// Factors the matrix and solves `A H = F`; returns `H` in the caller's
    /// numbering (also kept in [`HeadMatrix::solution`]).
    ///
    /// The coefficients and right-hand side are left as they were, so the
    /// same system can be solved again. Allocates nothing.
    ///
    /// # Errors
    /// [`MatrixError::NotPositiveDefinite`] names the caller's unknown whose
    /// pivot was not positive; the solution is then left unchanged.
    pub fn solve(&mut self) -> Result<&[f64], MatrixError> {
        for (w, &unknown) in self.work.iter_mut().zip(&self.unknown_at) {
            *w = self.rhs[unknown];
        }
        self.factorization
            .factor_and_solve(&self.pattern, &self.values, &mut self.work)
            .map_err(|pivot| MatrixError::NotPositiveDefinite {
                row: self.unknown_at[pivot],
            })?;
        for (&unknown, &head) in self.unknown_at.iter().zip(&self.work) {
            self.solution[unknown] = head;
        }
        Ok(&self.solution)
    }

    /// Heads of the last successful [`HeadMatrix::solve`] (zero before any),
    /// in the caller's numbering.
    pub fn solution(&self) -> &[f64] {
        &self.solution
    }
}

/// The entry index given to an unknown left out of the system.
pub const LEFT_OUT: usize = usize::MAX;

/// Checks the links and gives each distinct pair of unknowns a slot.
///
/// Returns each link's slot and each slot's pair `(a, b)` with `a < b`;
/// slots are numbered in increasing `(a, b)`, so the numbering depends only
/// on the set of pairs.
#[allow(clippy::type_complexity)]
fn number_slots(
    n: usize,
    edges: &[Option<(usize, usize)>],
) -> Result<(Vec<Option<usize>>, Vec<(usize, usize)>), MatrixError> {
    let mut ends = Vec::with_capacity(edges.len());
    for (link, edge) in edges.iter().enumerate() {
        let Some((i, j)) = *edge else { continue };
        for unknown in [i, j] {
            if unknown >= n {
                return Err(MatrixError::UnknownOutOfRange {
                    link,
                    unknown,
                    count: n,
                });
            }
        }
        if i == j {
            return Err(MatrixError::SelfLoop { link, unknown: i });
        }
        ends.push((i.min(j), i.max(j), link));
    }
    // In increasing (a, b, link): links are in increasing order already,
    // and both counting sorts keep the order of equal keys.
    let ends = sorted_by_key(&sorted_by_key(&ends, n, |e| e.1), n, |e| e.0);

    let mut link_slot = vec![None; edges.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (a, b, link) in ends {
        if pairs.last() != Some(&(a, b)) {
            pairs.push((a, b));
        }
        link_slot[link] = Some(pairs.len() - 1);
    }
    Ok((link_slot, pairs))
}

/// The items in increasing `key`, those of equal key in their order in
/// `items`: a counting sort, every key below `keys`. Sorting by a minor key
/// and then by a major one sorts by both, in O(items + keys) where
/// `sort_unstable` took a twentieth of the solver's setup on a 25k-node
/// network.
fn sorted_by_key<T: Copy>(items: &[T], keys: usize, key: impl Fn(&T) -> usize) -> Vec<T> {
    let mut next = vec![0usize; keys + 1];
    for item in items {
        next[key(item) + 1] += 1;
    }
    for k in 0..keys {
        next[k + 1] += next[k];
    }
    let mut sorted = items.to_vec();
    for item in items {
        let place = &mut next[key(item)];
        sorted[*place] = *item;
        *place += 1;
    }
    sorted
}

/// Fill-reducing order of the unknowns by faer's approximate minimum degree:
/// the unknown eliminated at each position.
fn minimum_degree_order(n: usize, pairs: &[(usize, usize)]) -> Result<Vec<usize>, MatrixError> {
    // Strict upper triangle in compressed columns; `pairs` is sorted by
    // `(a, b)`, so the rows of each column come out sorted.
    let mut col_ptr = vec![0usize; n + 1];
    for &(_, b) in pairs {
        col_ptr[b + 1] += 1;
    }
    for j in 0..n {
        col_ptr[j + 1] += col_ptr[j];
    }
    let mut next = col_ptr.clone();
    let mut row_idx = vec![0usize; pairs.len()];
    for &(a, b) in pairs {
        row_idx[next[b]] = a;
        next[b] += 1;
    }

    let mut order = vec![0usize; n];
    let mut inverse = vec![0usize; n];
    let setup = |e: faer::sparse::FaerError| MatrixError::Setup {
        reason: format!("{e:?}"),
    };
    let mut memory =
        MemBuffer::try_new(amd::order_scratch::<usize>(n, pairs.len())).map_err(|e| {
            MatrixError::Setup {
                reason: format!("{e:?}"),
            }
        })?;
    let upper = SymbolicSparseColMatRef::new_checked(n, n, &col_ptr, None, &row_idx);
    amd::order(
        &mut order,
        &mut inverse,
        upper,
        amd::Control::default(),
        MemStack::new(&mut memory),
    )
    .map_err(setup)?;
    Ok(order)
}

/// One triangle of the matrix in compressed sparse columns, rows sorted in
/// each column and the diagonal present in every column.
#[derive(Debug)]
struct Pattern {
    /// Start of each column in `row_idx`, plus the end.
    col_ptr: Vec<usize>,
    /// Row of each stored entry.
    row_idx: Vec<usize>,
    /// Which triangle is stored.
    side: Side,
}

/// A laid-out pattern and where each coefficient goes in it.
struct Layout {
    pattern: Pattern,
    /// Index of each unknown's diagonal (caller's numbering).
    diagonal_index: Vec<usize>,
    /// Index of each slot's entry.
    slot_index: Vec<usize>,
}

impl Pattern {
    /// Lays out the triangle `side` of the matrix of `m` unknowns with the
    /// given pairs, after moving each unknown `u` to `position[u]` (those
    /// at [`LEFT_OUT`] are left out).
    fn lay_out(pairs: &[(usize, usize)], position: &[usize], m: usize, side: Side) -> Layout {
        let n = position.len();

        // Entries as (column, row, origin): origins below `n` are the
        // diagonal of that unknown, the others slot `origin - n`.
        let mut entries = Vec::with_capacity(m + pairs.len());
        for (unknown, &p) in position.iter().enumerate() {
            if p != LEFT_OUT {
                entries.push((p, p, unknown));
            }
        }
        for (slot, &(a, b)) in pairs.iter().enumerate() {
            let (low, high) = {
                let (p, q) = (position[a], position[b]);
                (p.min(q), p.max(q))
            };
            let (col, row) = match side {
                Side::Upper => (high, low),
                Side::Lower => (low, high),
            };
            entries.push((col, row, n + slot));
        }
        // In increasing (column, row); no two entries share both.
        let entries = sorted_by_key(&sorted_by_key(&entries, m, |e| e.1), m, |e| e.0);

        let mut col_ptr = vec![0usize; m + 1];
        let mut row_idx = Vec::with_capacity(entries.len());
        let mut diagonal_index = vec![LEFT_OUT; n];
        let mut slot_index = vec![0usize; pairs.len()];
        for (index, &(col, row, origin)) in entries.iter().enumerate() {
            col_ptr[col + 1] += 1;
            row_idx.push(row);
            if origin < n {
                diagonal_index[origin] = index;
            } else {
                slot_index[origin - n] = index;
            }
        }
        for j in 0..m {
            col_ptr[j + 1] += col_ptr[j];
        }

        Layout {
            pattern: Pattern {
                col_ptr,
                row_idx,
                side,
            },
            diagonal_index,
            slot_index,
        }
    }

    /// The other triangle of the same symmetric matrix, rows sorted.
    fn transposed(&self) -> Pattern {
        let n = self.n();
        let mut col_ptr = vec![0usize; n + 1];
        for &row in &self.row_idx {
            col_ptr[row + 1] += 1;
        }
        for j in 0..n {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut next = col_ptr.clone();
        let mut row_idx = vec![0usize; self.row_idx.len()];
        for col in 0..n {
            for &row in &self.row_idx[self.col_ptr[col]..self.col_ptr[col + 1]] {
                row_idx[next[row]] = col;
                next[row] += 1;
            }
        }
        let side = match self.side {
            Side::Upper => Side::Lower,
            Side::Lower => Side::Upper,
        };
        Pattern {
            col_ptr,
            row_idx,
            side,
        }
    }

    /// Number of rows and columns.
    fn n(&self) -> usize {
        self.col_ptr.len() - 1
    }

    /// The pattern as faer sees it.
    fn symbolic(&self) -> SymbolicSparseColMatRef<'_, usize> {
        // SAFETY: `lay_out` builds non-decreasing column pointers ending at
        // `row_idx.len()`, and sorted, distinct rows below `n` in each
        // column; the pattern is never changed afterwards.
        unsafe {
            SymbolicSparseColMatRef::new_unchecked(
                self.n(),
                self.n(),
                &self.col_ptr,
                None,
                &self.row_idx,
            )
        }
    }
}

/// A numeric factorisation of a symmetric positive-definite matrix whose
/// pattern was analysed once.
trait Factorization: Send + Sync {
    /// Factors the matrix with coefficients `values` (in `pattern` order,
    /// or for [`ColumnLdlt`] in the order [`ColumnLdlt::read_from`] was
    /// given). On a pivot that is not positive, returns its position.
    fn factor(&mut self, pattern: &Pattern, values: &[f64]) -> Result<(), usize>;

    /// Overwrites `x` (the right-hand side) with the solution, using the
    /// last successful factorisation.
    fn solve_in_place(&mut self, x: &mut [f64]);

    /// [`Factorization::factor`], then [`Factorization::solve_in_place`]
    /// unless the factorisation failed (`x` is then left in any state).
    fn factor_and_solve(
        &mut self,
        pattern: &Pattern,
        values: &[f64],
        x: &mut [f64],
    ) -> Result<(), usize> {
        self.factor(pattern, values)?;
        self.solve_in_place(x);
        Ok(())
    }
}

/// faer's sparse `L Lᵀ`, numeric factorisation into buffers allocated once.
struct FaerLlt {
    symbolic: SymbolicCholesky<usize>,
    /// Values of the factor `L`.
    factor_values: Vec<f64>,
    /// Scratch memory for the factorisation and the solve.
    scratch: MemBuffer,
    /// Which triangle of the input is read.
    side: Side,
}

impl FaerLlt {
    /// Analyses `pattern`, letting faer order it by AMD when `faer_orders`,
    /// and keeping it as it is otherwise.
    fn new(
        pattern: &Pattern,
        faer_orders: bool,
        supernodal: SupernodalThreshold,
    ) -> Result<Self, MatrixError> {
        let setup = |reason: String| MatrixError::Setup { reason };
        let ordering = if faer_orders {
            SymmetricOrdering::Amd
        } else {
            SymmetricOrdering::Identity
        };
        let params = CholeskySymbolicParams {
            supernodal_flop_ratio_threshold: supernodal,
            ..Default::default()
        };
        // With the identity ordering faer's symbolic analysis reads its input
        // as the upper triangle whatever `side` says, so a lower triangle is
        // analysed through its transpose (same matrix, same factor pattern).
        let upper;
        let analysed = match pattern.side {
            Side::Lower if !faer_orders => {
                upper = pattern.transposed();
                &upper
            }
            _ => pattern,
        };
        let symbolic =
            factorize_symbolic_cholesky(analysed.symbolic(), analysed.side, ordering, params)
                .map_err(|e| setup(format!("{e:?}")))?;
        let scratch = StackReq::any_of(&[
            symbolic.factorize_numeric_llt_scratch::<f64>(Par::Seq, Spec::default()),
            symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
        ]);
        let scratch = MemBuffer::try_new(scratch).map_err(|e| setup(format!("{e:?}")))?;
        Ok(Self {
            factor_values: vec![0.0; symbolic.len_val()],
            symbolic,
            scratch,
            side: pattern.side,
        })
    }
}

impl Factorization for FaerLlt {
    fn factor(&mut self, pattern: &Pattern, values: &[f64]) -> Result<(), usize> {
        let matrix = SparseColMatRef::new(pattern.symbolic(), values);
        let outcome = self.symbolic.factorize_numeric_llt(
            &mut self.factor_values,
            matrix,
            self.side,
            LltRegularization::default(),
            Par::Seq,
            MemStack::new(&mut self.scratch),
            Spec::default(),
        );
        match outcome {
            Ok(_) => Ok(()),
            Err(LltError::NonPositivePivot { index }) => {
                // In faer's own (possibly permuted) order; faer 0.24 counts
                // simplicial pivots from one and supernodal ones from zero.
                let pivot = match self.symbolic.raw() {
                    SymbolicCholeskyRaw::Simplicial(_) => index.saturating_sub(1),
                    SymbolicCholeskyRaw::Supernodal(_) => index,
                };
                Err(match self.symbolic.perm() {
                    Some(perm) => perm.arrays().0[pivot],
                    None => pivot,
                })
            }
        }
    }

    fn solve_in_place(&mut self, x: &mut [f64]) {
        let n = x.len();
        LltRef::new(&self.symbolic, &self.factor_values).solve_in_place_with_conj(
            Conj::No,
            MatMut::from_column_major_slice_mut(x, n, 1),
            Par::Seq,
            MemStack::new(&mut self.scratch),
        );
    }
}

/// Up-looking `L D Lᵀ` (unit lower `L`, diagonal `D`), with the pattern of
/// `L` computed once.
///
/// Row `k` of `L` solves `L[..k, ..k] D[..k] l_k = a_k`, where `a_k` is the
/// part of column `k` of `A` above the diagonal; then
/// `d_k = a_kk - Σ_i l_ki² d_i`. The nonzeros of row `k` are the nodes
/// reached from the rows of `a_k` by climbing the elimination tree (whose
/// parent of `i` is the first row below `i` in column `i` of `L`); they are
/// kept sorted, which is a valid elimination order because column `i` of `L`
/// only updates rows below `i`.
struct UpLookingLdlt {
    /// Start of each row's pattern in `row_cols` and `row_slots`, plus the end.
    row_ptr: Vec<usize>,
    /// Columns of the strictly lower nonzeros of each row of `L`, sorted.
    row_cols: Vec<usize>,
    /// Index in `l_values` of each of those nonzeros.
    row_slots: Vec<usize>,
    /// Start of each column of `L` in `l_rows` and `l_values`, plus the end.
    col_ptr: Vec<usize>,
    /// Row of each strictly lower nonzero of `L`, sorted in each column.
    l_rows: Vec<usize>,
    /// Values of the strictly lower part of `L`.
    l_values: Vec<f64>,
    /// The diagonal `D`.
    d: Vec<f64>,
    /// Dense accumulator of one row, zero between rows.
    y: Vec<f64>,
}

/// The pattern of the factor `L` of a matrix, by rows and by columns.
struct FactorPattern {
    /// Start of each row's pattern in `row_cols` and `row_slots`, plus the end.
    row_ptr: Vec<usize>,
    /// Columns of the strictly lower nonzeros of each row of `L`, sorted.
    row_cols: Vec<usize>,
    /// Index in the column-ordered values of each of those nonzeros.
    row_slots: Vec<usize>,
    /// Start of each column of `L` in `l_rows`, plus the end.
    col_ptr: Vec<usize>,
    /// Row of each strictly lower nonzero of `L`, sorted in each column.
    l_rows: Vec<usize>,
}

impl FactorPattern {
    /// Computes the elimination tree and the pattern of `L` from the upper
    /// triangle `pattern`.
    fn of(pattern: &Pattern) -> Self {
        debug_assert!(pattern.side == Side::Upper);
        let n = pattern.n();
        let parent = elimination_tree(pattern);

        // Rows of L: climb from each entry above the diagonal to column k.
        let mut row_ptr = Vec::with_capacity(n + 1);
        let mut row_cols = Vec::new();
        let mut visited = vec![usize::MAX; n];
        row_ptr.push(0);
        for k in 0..n {
            let start = row_cols.len();
            visited[k] = k;
            for &row in &pattern.row_idx[pattern.col_ptr[k]..pattern.col_ptr[k + 1]] {
                let mut i = row;
                while visited[i] != k {
                    visited[i] = k;
                    row_cols.push(i);
                    i = parent[i];
                }
            }
            row_cols[start..].sort_unstable();
            row_ptr.push(row_cols.len());
        }

        // Columns of L: rows arrive in increasing k, so each column is sorted.
        let mut col_ptr = vec![0usize; n + 1];
        for &i in &row_cols {
            col_ptr[i + 1] += 1;
        }
        for j in 0..n {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut next = col_ptr.clone();
        let mut l_rows = vec![0usize; row_cols.len()];
        let mut row_slots = vec![0usize; row_cols.len()];
        for k in 0..n {
            for e in row_ptr[k]..row_ptr[k + 1] {
                let i = row_cols[e];
                l_rows[next[i]] = k;
                row_slots[e] = next[i];
                next[i] += 1;
            }
        }

        Self {
            row_ptr,
            row_cols,
            row_slots,
            col_ptr,
            l_rows,
        }
    }

    /// Number of rows and columns.
    fn n(&self) -> usize {
        self.col_ptr.len() - 1
    }

    /// Slot of `L[row, col]` in the column-ordered values, if stored.
    fn slot(&self, row: usize, col: usize) -> Option<usize> {
        let column = self.col_ptr[col]..self.col_ptr[col + 1];
        let offset = self.l_rows[column.clone()].binary_search(&row).ok()?;
        Some(column.start + offset)
    }
}

impl UpLookingLdlt {
    fn new(factor: FactorPattern) -> Self {
        let n = factor.n();
        Self {
            l_values: vec![0.0; factor.l_rows.len()],
            row_ptr: factor.row_ptr,
            row_cols: factor.row_cols,
            row_slots: factor.row_slots,
            col_ptr: factor.col_ptr,
            l_rows: factor.l_rows,
            d: vec![0.0; n],
            y: vec![0.0; n],
        }
    }
}

/// Multiply-adds per stored entry of `L` above which [`Backend::Auto`] takes
/// the supernodal factorisation (faer 0.24 uses the same rule, measured in
/// `docs/performance.md` to split our tree-like and grid-like graphs well).
const SUPERNODAL_FLOPS_PER_ENTRY: f64 = 40.0;

impl FactorPattern {
    /// Work of one factorisation per stored entry of `L` (diagonal
    /// included): `Σ_j (c_j + c_j (c_j + 1) / 2) / Σ_j (c_j + 1)`, where `c_j`
    /// counts the entries below the diagonal in column `j`.
    fn flops_per_entry(&self) -> f64 {
        let n = self.n();
        let mut flops = 0.0;
        for j in 0..n {
            let c = (self.col_ptr[j + 1] - self.col_ptr[j]) as f64;
            flops += c + c * (c + 1.0) / 2.0;
        }
        flops / (self.l_rows.len() + n).max(1) as f64
    }
}

/// Parent of each column in the elimination tree of the upper triangle
/// `pattern` (`usize::MAX` for a root), by path-compressed ancestor climbing
/// (Liu, 1986).
fn elimination_tree(pattern: &Pattern) -> Vec<usize> {
    let n = pattern.n();
    let mut parent = vec![usize::MAX; n];
    let mut ancestor = vec![usize::MAX; n];
    for k in 0..n {
        for &row in &pattern.row_idx[pattern.col_ptr[k]..pattern.col_ptr[k + 1]] {
            if row >= k {
                continue;
            }
            let mut i = row;
            loop {
                let next = ancestor[i];
                if next == k {
                    break;
                }
                ancestor[i] = k;
                if next == usize::MAX {
                    parent[i] = k;
                    break;
                }
                i = next;
            }
        }
    }
    parent
}

impl Factorization for UpLookingLdlt {
    fn factor(&mut self, pattern: &Pattern, values: &[f64]) -> Result<(), usize> {
        let n = self.d.len();
        assert!(
            pattern.col_ptr.len() == n + 1 && values.len() == pattern.row_idx.len(),
            "the pattern this factorisation was analysed for"
        );
        let y = &mut self.y[..n];
        let d_all = &mut self.d[..n];
        let l_values = &mut self.l_values[..];
        for k in 0..n {
            // Scatter column k of A above the diagonal into y; the diagonal
            // itself is stored last in the column (`lay_out` sorts rows and
            // stores every diagonal).
            let (start, diagonal) = (pattern.col_ptr[k], pattern.col_ptr[k + 1] - 1);
            let mut d = values[diagonal];
            for (&i, &a_ik) in pattern.row_idx[start..diagonal]
                .iter()
                .zip(&values[start..diagonal])
            {
                // SAFETY: rows of the pattern are below n (`lay_out`).
                unsafe { *y.get_unchecked_mut(i) += a_ik };
            }

            // Row k of L by a sparse triangular solve in increasing column order.
            for e in self.row_ptr[k]..self.row_ptr[k + 1] {
                // SAFETY: `new` builds `row_cols` and `row_slots` of equal
                // length with `row_ptr` ending at that length, columns below
                // n, slots inside column i of `l_rows`/`l_values` (so
                // `col_ptr[i] <= slot < l_values.len()`), and rows of L
                // below n; none of them change afterwards.
                unsafe {
                    let i = *self.row_cols.get_unchecked(e);
                    let slot = *self.row_slots.get_unchecked(e);
                    let y_i = *y.get_unchecked(i);
                    *y.get_unchecked_mut(i) = 0.0;
                    for p in *self.col_ptr.get_unchecked(i)..slot {
                        let r = *self.l_rows.get_unchecked(p);
                        *y.get_unchecked_mut(r) -= *l_values.get_unchecked(p) * y_i;
                    }
                    let l_ki = y_i / *d_all.get_unchecked(i);
                    d -= l_ki * y_i;
                    *l_values.get_unchecked_mut(slot) = l_ki;
                }
            }

            // Written so that a NaN pivot fails too.
            if d.is_nan() || d <= 0.0 {
                return Err(k);
            }
            d_all[k] = d;
        }
        Ok(())
    }

    fn solve_in_place(&mut self, x: &mut [f64]) {
        let n = self.d.len();
        assert_eq!(x.len(), n, "one right-hand side entry per unknown");
        // SAFETY (all three loops): `new` builds `col_ptr` of length n + 1,
        // non-decreasing and ending at `l_rows.len() == l_values.len()`,
        // with every row in `l_rows` below n.
        // L z = b, forward.
        for i in 0..n {
            let x_i = x[i];
            unsafe {
                for p in *self.col_ptr.get_unchecked(i)..*self.col_ptr.get_unchecked(i + 1) {
                    let r = *self.l_rows.get_unchecked(p);
                    *x.get_unchecked_mut(r) -= *self.l_values.get_unchecked(p) * x_i;
                }
            }
        }
        // D w = z.
        for (x_i, d_i) in x.iter_mut().zip(&self.d) {
            *x_i /= d_i;
        }
        // Lᵀ x = w, backward.
        for i in (0..n).rev() {
            let mut x_i = x[i];
            unsafe {
                for p in *self.col_ptr.get_unchecked(i)..*self.col_ptr.get_unchecked(i + 1) {
                    let r = *self.l_rows.get_unchecked(p);
                    x_i -= *self.l_values.get_unchecked(p) * *x.get_unchecked(r);
                }
            }
            x[i] = x_i;
        }
    }
}

/// Column-by-column ("right-looking") `L D Lᵀ` over a pattern computed
/// once, with the forward substitution `L z = b` and the division by `D`
/// in the same sweep (`z_j / d_j` as soon as both are final, off the chain
/// of dependent operations of the backward substitution).
///
/// When the columns before `j` have been applied, column `j` holds
/// `u_rj`, the entries of `A` minus their updates so far, and `d_j` is
/// final: `l_rj = u_rj / d_j`, and every pair of rows `r1 < r2` of the
/// column updates `L[r2, r1] -= l_{r1 j} u_{r2 j}` (and `d_r2 -= l_{r2 j}
/// u_{r2 j}`). Each target sees its updates in increasing `j`, the order of
/// the up-looking variant, which does the same operations; here where each
/// update lands is looked up once, which leaves a flat list of multiply-adds
/// instead of the row-by-row scatter and gather through a dense vector.
///
/// Large supernodes (runs of columns sharing the rows below them, as the
/// middle and top of a street lattice's elimination tree have) are taken as
/// panels: their columns' `l` and `u` sit in a dense scratch, and each
/// target below them, looked up once for the panel instead of once per
/// column, is loaded once, takes the panel's updates one after the other
/// and is stored once. Still the same operations in the same order for
/// every target, so the same bits.
struct ColumnLdlt {
    /// Start of each column of `L` in `l_rows` and in `factor`, plus the
    /// end.
    col_ptr: Vec<u32>,
    /// Row of each strictly lower nonzero of `L`, sorted in each column.
    l_rows: Vec<u32>,
    /// The coefficients in the layout read, factored in place: the
    /// strictly lower part of `L` by columns (`l_values` in the sweep),
    /// then the diagonal `D` (`d`).
    factor: Vec<f64>,
    /// Where each of those is read from in the coefficients given.
    sources: Vec<u32>,
    /// One more than the largest source: the fewest coefficients a gather
    /// may be given.
    sources_len: usize,
    /// The supernodes taken as panels, as `first..end` column ranges: runs
    /// of consecutive columns where each column's pattern is the next one's
    /// with that next column added on top, so that all of them share the
    /// rows below the last; taken as a panel when its first column has at
    /// least [`PANEL_MIN_ROWS`] rows.
    panels: Vec<(u32, u32)>,
    /// Where each update lands in `l_values`, in the sweep's order: for each
    /// column, for each of its entries `r2`, for each entry `r1` above it,
    /// the slot of `L[r2, r1]`; but for a panel, only once, for the rows
    /// below its last column (updates inside a panel find their place from
    /// its shape).
    targets: Vec<u32>,
    /// Scratch of the sweep: a panel's `l` and `u` by columns (rows: the
    /// panel's columns, then the rows below), the right-hand side at its
    /// columns, and one row of targets below it.
    panel_l: Vec<f64>,
    panel_u: Vec<f64>,
    panel_x: Vec<f64>,
    scratch: Vec<f64>,
}

impl ColumnLdlt {
    /// Looks up, once, where each update of the factorisation lands in `L`.
    ///
    /// The matrix's coefficients are read in the factor's own layout: the
    /// strictly lower part of `L` by columns (fill-in included, where the
    /// matrix has zeros), then the diagonal. Also returns where each entry
    /// of the upper triangle `pattern` goes in that layout.
    fn new(pattern: &Pattern, factor: FactorPattern) -> Result<(Self, Vec<usize>), MatrixError> {
        let n = factor.n();
        let index = |i: usize| {
            u32::try_from(i).map_err(|_| MatrixError::Setup {
                reason: format!("the factor needs {i} entries, more than 32-bit indices reach"),
            })
        };
        index(factor.l_rows.len().max(pattern.row_idx.len()))?;
        let slot = |row: usize, col: usize| factor.slot(row, col).expect("in L's pattern");

        let mut place = Vec::with_capacity(pattern.row_idx.len());
        for k in 0..n {
            let column = &pattern.row_idx[pattern.col_ptr[k]..pattern.col_ptr[k + 1]];
            // A's entry (i, k) above the diagonal is L's (k, i) below.
            place.extend(column.iter().map(|&i| {
                if i == k {
                    factor.l_rows.len() + k
                } else {
                    slot(k, i)
                }
            }));
        }

        // One update per pair of entries in a column: a few per entry of `L`
        // on tree-like networks, far more where the factor fills.
        let count = |j: usize| factor.col_ptr[j + 1] - factor.col_ptr[j];
        let update_count: usize = (0..n)
            .map(|j| count(j) * count(j).saturating_sub(1) / 2)
            .sum();
        let entries = factor.l_rows.len() + n;
        if update_count as f64 > SUPERNODAL_FLOPS_PER_ENTRY * entries as f64 {
            return Err(MatrixError::Setup {
                reason: format!(
                    "the factor fills too much for the column L D Lᵀ ({update_count} updates \
                     for {entries} entries); Backend::Auto takes the supernodal one here"
                ),
            });
        }

        // Column j joins the supernode of j + 1 when j + 1 is its first row
        // (its parent in the elimination tree) and it has one row more:
        // then its rows are j + 1 and those of j + 1. A small supernode is
        // taken column by column, whose bookkeeping is lighter.
        let mut panels = Vec::new();
        let (mut panel, mut first) = (0, 0);
        for j in 0..n {
            let joins_next = j + 1 < n
                && count(j) == count(j + 1) + 1
                && factor.l_rows.get(factor.col_ptr[j]) == Some(&(j + 1));
            if !joins_next {
                if j > first && count(first) >= PANEL_MIN_ROWS {
                    panel = panel.max((j + 1 - first) * (j + 1 - first + count(j)));
                    panels.push((first, j + 1));
                }
                first = j + 1;
            }
        }
        // Targets in the order the sweep takes them: each column's pairs of
        // rows, but a panel's once, for the rows below its last column.
        let mut targets = Vec::new();
        let mut panel_at = panels.iter().peekable();
        let mut j = 0;
        while j < n {
            let last = match panel_at.next_if(|&&(first, _)| first == j) {
                Some(&(_, end)) => end - 1,
                None => j,
            };
            let rows = &factor.l_rows[factor.col_ptr[last]..factor.col_ptr[last + 1]];
            for (e, &r2) in rows.iter().enumerate() {
                for &r1 in &rows[..e] {
                    targets.push(slot(r2, r1));
                }
            }
            j = last + 1;
        }
        index(targets.len())?;
        let widest = panels.iter().map(|&(f, e)| e - f).max().unwrap_or(0);
        let tallest = panels.iter().map(|&(_, e)| count(e - 1)).max().unwrap_or(0);

        let column = Self {
            col_ptr: factor.col_ptr.iter().map(|&p| p as u32).collect(),
            l_rows: factor.l_rows.iter().map(|&r| r as u32).collect(),
            factor: vec![0.0; factor.l_rows.len() + n],
            sources: (0..(factor.l_rows.len() + n) as u32).collect(),
            sources_len: factor.l_rows.len() + n,
            panels: panels
                .into_iter()
                .map(|(f, e)| (f as u32, e as u32))
                .collect(),
            targets: targets.into_iter().map(|t| t as u32).collect(),
            panel_l: vec![0.0; panel],
            panel_u: vec![0.0; panel],
            panel_x: vec![0.0; widest],
            scratch: vec![0.0; tallest],
        };
        Ok((column, place))
    }

    /// Number of coefficients read: the strictly lower part of `L`, then `D`.
    fn value_count(&self) -> usize {
        self.factor.len()
    }

    /// Reads the coefficients from `sources` from now on: each entry of
    /// `factor`'s layout from that index of the coefficients given.
    fn read_from(&mut self, sources: Vec<u32>) {
        assert_eq!(sources.len(), self.factor.len(), "one source per entry");
        self.sources_len = sources.iter().max().map_or(0, |&m| m as usize + 1);
        self.sources = sources;
    }

    /// Fills `factor` from the coefficients `values`.
    fn gather(&mut self, values: &[f64]) {
        assert!(self.sources_len <= values.len(), "the layout analysed");
        for (f, &source) in self.factor.iter_mut().zip(&self.sources) {
            // SAFETY: every source is below `sources_len` (`read_from`).
            *f = unsafe { *values.get_unchecked(source as usize) };
        }
    }

    /// Number of unknowns.
    fn n(&self) -> usize {
        self.col_ptr.len() - 1
    }

    /// Factors the coefficients in `factor` in place; with `SOLVE`, also
    /// overwrites `x` with `D⁻¹ z`, `z` the solution of `L z = x`.
    fn sweep<const SOLVE: bool>(&mut self, x: &mut [f64]) -> Result<(), usize> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            return unsafe { self.sweep_avx2::<SOLVE>(x) };
        }
        self.sweep_body::<SOLVE>(x)
    }

    /// [`Self::sweep`] compiled for AVX2, whose four-wide multiplications
    /// and subtractions round each element as the scalar ones do.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn sweep_avx2<const SOLVE: bool>(&mut self, x: &mut [f64]) -> Result<(), usize> {
        self.sweep_body::<SOLVE>(x)
    }

    #[inline(always)]
    fn sweep_body<const SOLVE: bool>(&mut self, x: &mut [f64]) -> Result<(), usize> {
        let n = self.n();
        assert!(
            !SOLVE || x.len() == n,
            "one right-hand side entry per unknown"
        );

        let (mut t, mut j) = (0, 0);
        for p in 0..self.panels.len() {
            let (first, end) = (self.panels[p].0 as usize, self.panels[p].1 as usize);
            t = self.columns::<SOLVE>(j..first, t, x)?;
            t = self.supernode::<SOLVE>(first, end, t, x)?;
            j = end;
        }
        let t = self.columns::<SOLVE>(j..n, t, x)?;
        debug_assert_eq!(t, self.targets.len(), "every target taken, in order");
        Ok(())
    }

    /// Applies the columns `range` one by one: every pair of rows of a
    /// column updates the slot the next target names. `t` must be the index
    /// of the first target of `range.start`, as [`Self::sweep_body`] keeps it
    /// (the unchecked reads of `targets` rely on it). Returns the next
    /// target's index.
    #[inline(always)]
    fn columns<const SOLVE: bool>(
        &mut self,
        range: std::ops::Range<usize>,
        mut t: usize,
        x: &mut [f64],
    ) -> Result<usize, usize> {
        let (col_ptr, l_rows, targets) = (&self.col_ptr[..], &self.l_rows[..], &self.targets[..]);
        let (l_values, d) = self.factor.split_at_mut(self.l_rows.len());
        assert!(range.end <= d.len(), "columns of the factor");
        assert!(
            !SOLVE || x.len() == d.len(),
            "one right-hand side entry per unknown"
        );
        for j in range {
            // SAFETY: `j` is a column (asserted above), and `x` has one entry
            // per column when read; `new` builds `col_ptr` (n + 1 entries,
            // non-decreasing, ending at `l_rows.len() == l_values.len()`),
            // rows in `l_rows` below n, and one target per update between
            // rows below a column taken alone or a panel, each a slot of
            // `l_values`, in the order the sweep consumes them; none of it
            // changes after.
            unsafe {
                let d_j = *d.get_unchecked(j);
                // Written so that a NaN pivot fails too.
                if d_j.is_nan() || d_j <= 0.0 {
                    return Err(j);
                }
                let x_j = if SOLVE { *x.get_unchecked(j) } else { 0.0 };
                let (start, end) = (
                    *col_ptr.get_unchecked(j) as usize,
                    *col_ptr.get_unchecked(j + 1) as usize,
                );
                for p2 in start..end {
                    let u_2 = *l_values.get_unchecked(p2);
                    for p1 in start..p2 {
                        let target = *targets.get_unchecked(t) as usize;
                        t += 1;
                        *l_values.get_unchecked_mut(target) -= *l_values.get_unchecked(p1) * u_2;
                    }
                    let l_2 = u_2 / d_j;
                    *l_values.get_unchecked_mut(p2) = l_2;
                    let r2 = *l_rows.get_unchecked(p2) as usize;
                    *d.get_unchecked_mut(r2) -= l_2 * u_2;
                    if SOLVE {
                        *x.get_unchecked_mut(r2) -= l_2 * x_j;
                    }
                }
                if SOLVE {
                    // z_j is final and used: keep z_j / d_j for the backward
                    // pass, off the chain of dependent operations it runs on.
                    *x.get_unchecked_mut(j) = x_j / d_j;
                }
            }
        }
        Ok(t)
    }

    /// Applies the columns `first..end` of one supernode, their `l` and `u`
    /// kept in a dense panel by columns (rows: the supernode's columns, then
    /// the rows below). Each column first takes the updates of the earlier
    /// ones, then all of them update the rows below. Every target still
    /// takes its updates one by one in column order; only now many targets
    /// are worked on side by side, out of a dense scratch row.
    #[inline(always)]
    fn supernode<const SOLVE: bool>(
        &mut self,
        first: usize,
        end: usize,
        t: usize,
        x: &mut [f64],
    ) -> Result<usize, usize> {
        let width = end - first;
        let last = end - 1;
        let col_ptr = &self.col_ptr[..];
        let (l_values, d) = self.factor.split_at_mut(self.l_rows.len());
        let below = col_ptr[end] as usize - col_ptr[last] as usize;
        let height = width + below;
        let panel_l = &mut self.panel_l[..height * width];
        let panel_u = &mut self.panel_u[..height * width];
        let panel_x = &mut self.panel_x[..width];
        let scratch = &mut self.scratch[..below];

        for (k, c) in (first..end).zip(0..) {
            // Column c of the panel, from row c on: d_k, then column k's rows.
            let (done_l, rest_l) = panel_l.split_at_mut(c * height);
            let (done_u, rest_u) = panel_u.split_at_mut(c * height);
            let mut d_k = d[k];
            let mut x_k = if SOLVE { x[k] } else { 0.0 };
            for m in 0..c {
                let l_km = done_l[m * height + c];
                d_k -= l_km * done_u[m * height + c];
                if SOLVE {
                    x_k -= l_km * panel_x[m];
                }
            }
            d[k] = d_k;
            if d_k.is_nan() || d_k <= 0.0 {
                return Err(k);
            }
            if SOLVE {
                panel_x[c] = x_k;
                x[k] = x_k / d_k;
            }
            let column = col_ptr[k] as usize..col_ptr[k + 1] as usize;
            let u = &mut rest_u[c + 1..height];
            u.copy_from_slice(&l_values[column.clone()]);
            let column_u = |m: usize| &done_u[m * height + c + 1..(m + 1) * height];
            let l_k = |m: usize| done_l[m * height + c];
            subtract_columns(u, c, column_u, l_k);
            let l = &mut rest_l[c + 1..height];
            for (l, &u) in l.iter_mut().zip(&*u) {
                *l = u / d_k;
            }
            l_values[column].copy_from_slice(l);
        }

        let rows = &self.l_rows[col_ptr[last] as usize..col_ptr[end] as usize];
        let pairs = below * below.saturating_sub(1) / 2;
        let mut targets = &self.targets[t..t + pairs];
        for (i2, &r2) in rows.iter().enumerate() {
            let (row_targets, rest) = targets.split_at(i2);
            targets = rest;
            let s = &mut scratch[..i2];
            for (s, &target) in s.iter_mut().zip(row_targets) {
                *s = l_values[target as usize];
            }
            let r2 = r2 as usize;
            let (mut d_r2, mut x_r2) = (d[r2], if SOLVE { x[r2] } else { 0.0 });
            let column_l = |m: usize| &panel_l[m * height + width..m * height + width + i2];
            let u_2 = |m: usize| panel_u[m * height + width + i2];
            subtract_columns(s, width, column_l, u_2);
            for m in 0..width {
                let l_2m = panel_l[m * height + width + i2];
                d_r2 -= l_2m * u_2(m);
                if SOLVE {
                    x_r2 -= l_2m * panel_x[m];
                }
            }
            for (&s, &target) in s.iter().zip(row_targets) {
                l_values[target as usize] = s;
            }
            d[r2] = d_r2;
            if SOLVE {
                x[r2] = x_r2;
            }
        }
        Ok(t + pairs)
    }

    /// Overwrites `D⁻¹ z` (`z` the solution of `L z = b`) with the solution
    /// `x` of `Lᵀ x = D⁻¹ z`.
    fn backward(&self, x: &mut [f64]) {
        let n = self.n();
        let l_values = &self.factor[..self.l_rows.len()];
        assert_eq!(x.len(), n, "one right-hand side entry per unknown");
        for i in (0..n).rev() {
            let mut x_i = x[i];
            // SAFETY: as in `sweep`: columns end inside `l_rows` and
            // `l_values`, and their rows are below n.
            unsafe {
                let (start, end) = (
                    *self.col_ptr.get_unchecked(i) as usize,
                    *self.col_ptr.get_unchecked(i + 1) as usize,
                );
                for p in start..end {
                    let r = *self.l_rows.get_unchecked(p) as usize;
                    x_i -= *l_values.get_unchecked(p) * *x.get_unchecked(r);
                }
            }
            x[i] = x_i;
        }
    }
}

/// Rows of a supernode's first column from which [`ColumnLdlt`] takes its
/// columns together rather than one by one: smaller panels cost more in
/// bookkeeping than they save (measured on the 200k-node town, 4 to 96
/// tried: 16 to 32 best; Net6, whose supernodes are all smaller, is then
/// column by column throughout).
const PANEL_MIN_ROWS: usize = 24;

/// `y -= a(m) x(m)` for `m` in `0..count`, each element taking the columns
/// one after the other, four columns per pass over `y`: the same
/// operations in the same order as one pass per column, so the same bits.
#[inline(always)]
fn subtract_columns<'a>(
    y: &mut [f64],
    count: usize,
    x: impl Fn(usize) -> &'a [f64],
    a: impl Fn(usize) -> f64,
) {
    let mut m = 0;
    while m + 4 <= count {
        let columns = [x(m), x(m + 1), x(m + 2), x(m + 3)];
        subtract_scaled4(y, columns, [a(m), a(m + 1), a(m + 2), a(m + 3)]);
        m += 4;
    }
    for m in m..count {
        subtract_scaled(y, x(m), a(m));
    }
}

/// `y -= a x`, element by element: one multiplication and one subtraction
/// each, as the scalar loops do, so the same bits.
#[inline(always)]
fn subtract_scaled(y: &mut [f64], x: &[f64], a: f64) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y -= x * a;
    }
}

/// `y -= a[0] x[0]`, then `y -= a[1] x[1]` and so on, element by element,
/// with each element of `y` read and written once: the same operations in
/// the same order as four calls of [`subtract_scaled`].
#[inline(always)]
fn subtract_scaled4(y: &mut [f64], x: [&[f64]; 4], a: [f64; 4]) {
    let n = y.len();
    let [x0, x1, x2, x3] = x.map(|x| &x[..n]);
    for i in 0..n {
        let mut v = y[i];
        v -= x0[i] * a[0];
        v -= x1[i] * a[1];
        v -= x2[i] * a[2];
        v -= x3[i] * a[3];
        y[i] = v;
    }
}

impl Factorization for ColumnLdlt {
    fn factor(&mut self, _pattern: &Pattern, values: &[f64]) -> Result<(), usize> {
        self.gather(values);
        self.sweep::<false>(&mut [])
    }

    fn solve_in_place(&mut self, x: &mut [f64]) {
        let n = self.n();
        assert_eq!(x.len(), n, "one right-hand side entry per unknown");
        let (l_values, d) = self.factor.split_at(self.l_rows.len());
        for i in 0..n {
            let x_i = x[i];
            let (start, end) = (self.col_ptr[i] as usize, self.col_ptr[i + 1] as usize);
            for (&value, &r) in l_values[start..end].iter().zip(&self.l_rows[start..end]) {
                x[r as usize] -= value * x_i;
            }
            x[i] = x_i / d[i];
        }
        self.backward(x);
    }

    fn factor_and_solve(
        &mut self,
        _pattern: &Pattern,
        values: &[f64],
        x: &mut [f64],
    ) -> Result<(), usize> {
        self.gather(values);
        self.sweep::<true>(x)?;
        self.backward(x);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKENDS: [Backend; 6] = [
        Backend::Auto,
        Backend::UpLookingLdlt,
        Backend::ColumnLdlt,
        Backend::FaerSimplicial,
        Backend::FaerSupernodal,
        Backend::FaerAutomatic,
    ];

    /// Deterministic pseudo-random numbers (a 64-bit linear congruential
    /// generator), so tests need no dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next_u64(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 11
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }

        /// Uniform in `[low, high)`.
        fn uniform(&mut self, low: f64, high: f64) -> f64 {
            low + (high - low) * (self.next_u64() as f64 / (1u64 << 53) as f64)
        }
    }

    /// A linear network: link conductances `g` and, per unknown, the
    /// conductance to a fixed head and the demand.
    struct LinearNetwork {
        n: usize,
        edges: Vec<Option<(usize, usize)>>,
        conductance: Vec<f64>,
        to_fixed_head: Vec<f64>,
        rhs: Vec<f64>,
    }

    impl LinearNetwork {
        /// A random tree of `n` unknowns plus `loops` extra links (some of
        /// them parallel), every fifth unknown tied to a fixed head.
        fn random(n: usize, loops: usize, seed: u64) -> Self {
            let mut rng = Lcg(seed);
            let mut edges = vec![None];
            for k in 1..n {
                edges.push(Some((rng.below(k), k)));
            }
            for _ in 0..loops {
                let i = rng.below(n);
                let j = rng.below(n);
                edges.push(if i == j { None } else { Some((i, j)) });
            }
            let conductance = edges.iter().map(|_| rng.uniform(0.1, 10.0)).collect();
            let to_fixed_head = (0..n)
                .map(|i| {
                    if i % 5 == 0 {
                        rng.uniform(0.5, 2.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            let rhs = (0..n).map(|_| rng.uniform(-5.0, 5.0)).collect();
            Self {
                n,
                edges,
                conductance,
                to_fixed_head,
                rhs,
            }
        }

        /// Refills `matrix` with this network's coefficients.
        fn assemble(&self, matrix: &mut HeadMatrix) {
            self.assemble_kept(&vec![false; self.n], matrix);
        }

        /// Refills `matrix`, which leaves out the unknowns `left_out`, with
        /// this network's coefficients.
        fn assemble_kept(&self, left_out: &[bool], matrix: &mut HeadMatrix) {
            matrix.clear();
            for (link, edge) in self.edges.iter().enumerate() {
                if let Some((i, j)) = *edge {
                    let g = self.conductance[link];
                    matrix.add_diagonal(i, g);
                    matrix.add_diagonal(j, g);
                    let slot = matrix
                        .link_slot(link)
                        .expect("link between unknowns has a slot");
                    matrix.add_off_diagonal(slot, -g);
                }
            }
            for i in (0..self.n).filter(|&i| !left_out[i]) {
                matrix.add_diagonal(i, self.to_fixed_head[i]);
                matrix.add_rhs(i, self.rhs[i]);
            }
        }

        /// The same matrix, dense, row-major.
        fn dense(&self) -> Vec<Vec<f64>> {
            let mut a = vec![vec![0.0; self.n]; self.n];
            for (link, edge) in self.edges.iter().enumerate() {
                if let Some((i, j)) = *edge {
                    let g = self.conductance[link];
                    a[i][i] += g;
                    a[j][j] += g;
                    a[i][j] -= g;
                    a[j][i] -= g;
                }
            }
            for (i, row) in a.iter_mut().enumerate() {
                row[i] += self.to_fixed_head[i];
            }
            a
        }
    }

    /// Gaussian elimination with partial pivoting.
    fn dense_solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
        let n = b.len();
        for k in 0..n {
            let pivot = (k..n)
                .max_by(|&p, &q| a[p][k].abs().total_cmp(&a[q][k].abs()))
                .expect("non-empty range");
            a.swap(k, pivot);
            b.swap(k, pivot);
            let (above, below) = a.split_at_mut(k + 1);
            let pivot_row = &above[k];
            for (offset, row) in below.iter_mut().enumerate() {
                let factor = row[k] / pivot_row[k];
                for (entry, pivot_entry) in row[k..].iter_mut().zip(&pivot_row[k..]) {
                    *entry -= factor * pivot_entry;
                }
                b[k + 1 + offset] -= factor * b[k];
            }
        }
        let mut x = vec![0.0; n];
        for k in (0..n).rev() {
            let sum: f64 = (k + 1..n).map(|c| a[k][c] * x[c]).sum();
            x[k] = (b[k] - sum) / a[k][k];
        }
        x
    }

    fn assert_close(actual: &[f64], expected: &[f64], tolerance: f64) {
        assert_eq!(actual.len(), expected.len());
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a - e).abs() <= tolerance * e.abs().max(1.0),
                "unknown {i}: {a} != {e}"
            );
        }
    }

    /// Reservoir at 100 m, then junctions 0, 1, 2 in a line; links with
    /// linear conductances 2, 1 and 0.5 m²/s; demands 1, 1 and 0.5 m³/s.
    /// By hand: the last link carries 0.5 so loses 1 m, the middle one 1.5
    /// (1.5 m), the first 2.5 (1.25 m): heads 98.75, 97.25, 96.25 m.
    #[test]
    fn path_of_three_junctions_gives_hand_computed_heads() {
        let edges = [None, Some((0, 1)), Some((1, 2))];
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(3, &edges, backend).unwrap();
            matrix.add_diagonal(0, 2.0 + 1.0);
            matrix.add_diagonal(1, 1.0 + 0.5);
            matrix.add_diagonal(2, 0.5);
            matrix.add_off_diagonal(matrix.link_slot(1).unwrap(), -1.0);
            matrix.add_off_diagonal(matrix.link_slot(2).unwrap(), -0.5);
            matrix.add_rhs(0, 2.0 * 100.0 - 1.0);
            matrix.add_rhs(1, -1.0);
            matrix.add_rhs(2, -0.5);
            let heads = matrix.solve().unwrap().to_vec();
            assert_close(&heads, &[98.75, 97.25, 96.25], 1e-12);
            assert_eq!(matrix.solution(), heads.as_slice());
            assert_eq!(matrix.link_slot(0), None);
        }
    }

    #[test]
    fn random_laplacian_plus_diagonal_matches_dense_solve() {
        for (n, loops, seed) in [(1, 0, 1), (2, 1, 2), (40, 8, 3), (120, 30, 4)] {
            let network = LinearNetwork::random(n, loops, seed);
            let expected = dense_solve(network.dense(), network.rhs.clone());
            for backend in BACKENDS {
                let mut matrix = HeadMatrix::with_backend(n, &network.edges, backend).unwrap();
                network.assemble(&mut matrix);
                let heads = matrix.solve().unwrap();
                assert_close(heads, &expected, 1e-9);
            }
        }
    }

    /// Two junctions joined by two parallel links of conductance 1 each and
    /// tied to fixed heads by 1 each: `[[3, -2], [-2, 3]] H = [1, 1]` gives
    /// `H = [1, 1]`.
    #[test]
    fn parallel_links_share_one_slot() {
        let edges = [Some((0, 1)), None, Some((1, 0))];
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(2, &edges, backend).unwrap();
            assert_eq!(matrix.slot_count(), 1);
            assert_eq!(matrix.link_slot(0), Some(0));
            assert_eq!(matrix.link_slot(2), Some(0));
            for link in [0, 2] {
                matrix.add_off_diagonal(matrix.link_slot(link).unwrap(), -1.0);
            }
            for i in 0..2 {
                matrix.add_diagonal(i, 3.0);
                matrix.add_rhs(i, 1.0);
            }
            assert_close(matrix.solve().unwrap(), &[1.0, 1.0], 1e-14);
        }
    }

    /// In a path of five junctions, strongly tied to fixed heads except
    /// junction 3, whose diagonal is negative: every principal submatrix
    /// without junction 3 is positive definite and the pivot of 3 can only
    /// be smaller than its diagonal, so 3 must be the failing row whatever
    /// the elimination order.
    #[test]
    fn not_positive_definite_names_the_original_row() {
        let edges = [Some((0, 1)), Some((1, 2)), Some((2, 3)), Some((3, 4))];
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(5, &edges, backend).unwrap();
            for i in 0..5 {
                matrix.add_diagonal(i, if i == 3 { -1.0 } else { 10.0 });
            }
            for link in 0..4 {
                matrix.add_off_diagonal(matrix.link_slot(link).unwrap(), -1.0);
            }
            assert_eq!(
                matrix.solve(),
                Err(MatrixError::NotPositiveDefinite { row: 3 }),
                "{backend:?}"
            );
        }
    }

    /// The same argument on a larger random network and on a street grid,
    /// where faer's supernodal factor has many supernodes: removing one
    /// junction from a connected Laplacian-plus-diagonal leaves a positive
    /// definite matrix, so a strongly negative diagonal there fails there.
    #[test]
    fn not_positive_definite_names_the_original_row_in_large_networks() {
        let mut grid = LinearNetwork::random(400, 0, 11);
        grid.edges = (0..400)
            .flat_map(|k| {
                [
                    (k % 20 < 19).then(|| (k, k + 1)),
                    (k + 20 < 400).then(|| (k, k + 20)),
                ]
            })
            .collect();
        grid.conductance = vec![1.0; grid.edges.len()];
        for mut network in [LinearNetwork::random(300, 20, 9), grid] {
            let failing = 137;
            network.to_fixed_head[failing] = -1000.0;
            for backend in BACKENDS {
                let mut matrix =
                    HeadMatrix::with_backend(network.n, &network.edges, backend).unwrap();
                network.assemble(&mut matrix);
                assert_eq!(
                    matrix.solve(),
                    Err(MatrixError::NotPositiveDefinite { row: failing }),
                    "{backend:?}"
                );
            }
        }
    }

    /// A junction with no link at all and nothing on its diagonal (cut off
    /// from the network) has a zero pivot.
    #[test]
    fn isolated_junction_is_not_positive_definite() {
        let edges = [Some((0, 1)), Some((1, 3))];
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(4, &edges, backend).unwrap();
            for i in [0, 1, 3] {
                matrix.add_diagonal(i, 2.0);
            }
            for link in 0..2 {
                matrix.add_off_diagonal(matrix.link_slot(link).unwrap(), -0.5);
            }
            assert_eq!(
                matrix.solve(),
                Err(MatrixError::NotPositiveDefinite { row: 2 }),
                "{backend:?}"
            );
        }
    }

    #[test]
    fn repeated_refill_and_solve_gives_identical_bits() {
        let network = LinearNetwork::random(500, 40, 7);
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(500, &network.edges, backend).unwrap();
            network.assemble(&mut matrix);
            let first = bits(matrix.solve().unwrap());
            for _ in 0..3 {
                network.assemble(&mut matrix);
                let again = bits(matrix.solve().unwrap());
                assert_eq!(first, again, "{backend:?}");
            }
        }
    }

    /// A solve leaves the coefficients as they were (the column
    /// factorisation reads them into its own layout): solving again gives
    /// the same bits, and a new right-hand side on the same coefficients
    /// its own solution.
    #[test]
    fn solving_again_gives_the_same_heads() {
        let network = LinearNetwork::random(400, 30, 21);
        let dense = network.dense();
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(network.n, &network.edges, backend).unwrap();
            network.assemble(&mut matrix);
            let before = matrix.entries_mut().0.to_vec();
            let first = matrix.solve().unwrap().to_vec();
            assert_eq!(matrix.entries_mut().0, &before[..], "{backend:?}");
            assert_eq!(matrix.solve().unwrap(), &first[..], "{backend:?}");

            // A new right-hand side, F + 1, on the same coefficients.
            for i in 0..network.n {
                matrix.add_rhs(i, 1.0);
            }
            let rhs: Vec<f64> = network.rhs.iter().map(|f| f + 1.0).collect();
            assert_close(
                matrix.solve().unwrap(),
                &dense_solve(dense.clone(), rhs),
                1e-9,
            );
        }
    }

    /// The column-by-column factorisation does the up-looking one's
    /// operations in the same order, so both give the same bits, on tree-like
    /// networks and on a street grid with much fill.
    #[test]
    fn column_and_up_looking_factorisations_agree_to_the_bit() {
        let mut grid = LinearNetwork::random(900, 0, 13);
        grid.edges = (0..900)
            .flat_map(|k| {
                [
                    (k % 30 < 29).then(|| (k, k + 1)),
                    (k + 30 < 900).then(|| (k, k + 30)),
                ]
            })
            .collect();
        grid.conductance = (0..grid.edges.len())
            .map(|k| 1.0 + (k % 7) as f64)
            .collect();
        // Many loops on few junctions: wide panels at the top of the tree.
        let dense: Vec<_> = (0..6)
            .map(|seed| LinearNetwork::random(150, 150 + 60 * seed, 30 + seed as u64))
            .collect();
        for network in &dense {
            assert!(!column_ldlt(network.n, &network.edges).0.panels.is_empty());
        }
        for network in [LinearNetwork::random(2000, 150, 14), grid]
            .into_iter()
            .chain(dense)
        {
            assert_eq!(
                head_bits(&network, Backend::ColumnLdlt),
                head_bits(&network, Backend::UpLookingLdlt)
            );
        }
    }

    /// The column factorisation of an `n`-unknown matrix joined by `edges`,
    /// ordered as [`HeadMatrix`] orders it, and the unknown at each column.
    fn column_ldlt(n: usize, edges: &[Option<(usize, usize)>]) -> (ColumnLdlt, Vec<usize>) {
        let (_, pairs) = number_slots(n, edges).unwrap();
        let order = minimum_degree_order(n, &pairs).unwrap();
        let mut position = vec![0; n];
        for (p, &unknown) in order.iter().enumerate() {
            position[unknown] = p;
        }
        let layout = Pattern::lay_out(&pairs, &position, n, Side::Upper);
        let column = ColumnLdlt::new(&layout.pattern, FactorPattern::of(&layout.pattern));
        (column.unwrap().0, order)
    }

    /// The street grids of the tests above do have panels, wide and tall
    /// ones among them, and the column-by-column parts still take most
    /// columns; a tree-like network has none worth taking.
    #[test]
    fn street_grids_are_factored_by_panels() {
        let side = 30;
        let grid: Vec<_> = (0..side * side)
            .flat_map(|k| {
                [
                    (k % side + 1 < side).then_some((k, k + 1)),
                    (k + side < side * side).then_some((k, k + side)),
                ]
            })
            .collect();
        let (column, order) = column_ldlt(side * side, &grid);
        let widths: Vec<u32> = column.panels.iter().map(|&(f, e)| e - f).collect();
        assert!(widths.len() >= 10, "{widths:?}");
        assert!(widths.iter().any(|&w| w >= 8), "{widths:?}");
        let in_panels: u32 = widths.iter().sum();
        assert!((in_panels as usize) < side * side / 2, "{in_panels}");
        // Each panel's columns share the rows below its last one.
        for &(first, end) in &column.panels {
            let rows = |j: u32| {
                &column.l_rows
                    [column.col_ptr[j as usize] as usize..column.col_ptr[j as usize + 1] as usize]
            };
            let below = rows(end - 1);
            assert!(end - first >= 2 && rows(first).len() >= PANEL_MIN_ROWS);
            for j in first..end {
                let own = rows(j);
                assert_eq!(&own[own.len() - below.len()..], below);
                assert!(own[..own.len() - below.len()]
                    .iter()
                    .copied()
                    .eq(j + 1..end));
            }
        }

        // A pivot that fails inside the widest panel names its unknown, as
        // in `not_positive_definite_names_the_original_row_in_large_networks`.
        let &(first, _) = column.panels.iter().max_by_key(|&&(f, e)| e - f).unwrap();
        let failing = order[first as usize + 2];
        let mut network = LinearNetwork::random(side * side, 0, 3);
        network.edges = grid;
        network.conductance = vec![1.0; network.edges.len()];
        network.to_fixed_head[failing] = -1000.0;
        let mut matrix =
            HeadMatrix::with_backend(network.n, &network.edges, Backend::ColumnLdlt).unwrap();
        network.assemble(&mut matrix);
        assert_eq!(
            matrix.solve(),
            Err(MatrixError::NotPositiveDefinite { row: failing })
        );

        let tree = LinearNetwork::random(2000, 100, 5);
        assert!(column_ldlt(tree.n, &tree.edges).0.panels.len() < 20);
    }

    /// Tree-like networks have almost no fill and take the hand-written
    /// factorisation; a 158 x 158 street grid fills enough for blocks.
    #[test]
    fn automatic_backend_follows_the_fill() {
        let tree = LinearNetwork::random(2000, 100, 5);
        let matrix = HeadMatrix::new(tree.n, &tree.edges).unwrap();
        assert_eq!(matrix.backend(), Backend::ColumnLdlt);

        let side = 158;
        let grid: Vec<_> = (0..side * side)
            .flat_map(|k| {
                [
                    (k % side + 1 < side).then_some((k, k + 1)),
                    (k + side < side * side).then_some((k, k + side)),
                ]
            })
            .collect();
        let matrix = HeadMatrix::new(side * side, &grid).unwrap();
        assert_eq!(matrix.backend(), Backend::FaerSupernodal);
        // Its update list would be too long to keep: the column
        // factorisation refuses it rather than take the memory.
        assert!(matches!(
            HeadMatrix::with_backend(side * side, &grid, Backend::ColumnLdlt),
            Err(MatrixError::Setup { .. })
        ));
    }

    /// Leaving out unknowns that no link joins solves the others as the
    /// whole system does: the left-out rows, each `[1] h = f` on its own,
    /// do not couple to the rest. Same bits, since the kept unknowns are
    /// eliminated in the same order with the same operations.
    #[test]
    fn left_out_unknowns_leave_the_others_unchanged() {
        let mut network = LinearNetwork::random(300, 30, 12);
        // Every seventh unknown loses its links and becomes a lone row.
        let lone = |u: usize| u % 7 == 3;
        for edge in &mut network.edges {
            if edge.is_some_and(|(i, j)| lone(i) || lone(j)) {
                *edge = None;
            }
        }
        let left_out: Vec<bool> = (0..network.n).map(lone).collect();
        // Every unknown tied to a fixed head, so that what the removed
        // links cut off stays positive definite.
        for tie in &mut network.to_fixed_head {
            *tie += 0.1;
        }
        for backend in BACKENDS {
            let mut whole = HeadMatrix::with_backend(network.n, &network.edges, backend).unwrap();
            network.assemble(&mut whole);
            let expected = whole.solve().unwrap().to_vec();

            let mut part =
                HeadMatrix::with_left_out(network.n, &network.edges, &left_out, backend).unwrap();
            network.assemble_kept(&left_out, &mut part);
            assert_eq!(part.diagonal_entry(3), LEFT_OUT);
            let heads = part.solve().unwrap();
            for u in 0..network.n {
                let want = if lone(u) { 0.0 } else { expected[u] };
                assert_eq!(
                    heads[u].to_bits(),
                    want.to_bits(),
                    "{backend:?} unknown {u}"
                );
            }
        }
    }

    #[test]
    fn a_link_to_a_left_out_unknown_is_reported() {
        let edges = [Some((0, 1)), Some((1, 2))];
        assert_eq!(
            HeadMatrix::with_left_out(3, &edges, &[false, false, true], Backend::Auto).unwrap_err(),
            MatrixError::LeftOutUnknownLinked {
                link: 1,
                unknown: 2
            }
        );
    }

    #[test]
    fn bad_links_are_reported() {
        assert_eq!(
            HeadMatrix::new(3, &[None, Some((0, 3))]).unwrap_err(),
            MatrixError::UnknownOutOfRange {
                link: 1,
                unknown: 3,
                count: 3
            }
        );
        assert_eq!(
            HeadMatrix::new(3, &[Some((2, 2))]).unwrap_err(),
            MatrixError::SelfLoop {
                link: 0,
                unknown: 2
            }
        );
    }

    #[test]
    fn empty_matrix_solves_to_nothing() {
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(0, &[None], backend).unwrap();
            assert!(matrix.is_empty());
            assert_eq!(matrix.solve().unwrap(), &[] as &[f64]);
        }
    }

    /// Links of a `rows` x `cols` street grid, unknown `r * cols + c` at row
    /// `r` and column `c`.
    fn grid_edges(rows: usize, cols: usize) -> Vec<Option<(usize, usize)>> {
        (0..rows * cols)
            .flat_map(|k| {
                [
                    (k % cols + 1 < cols).then_some((k, k + 1)),
                    (k + cols < rows * cols).then_some((k, k + cols)),
                ]
            })
            .collect()
    }

    /// Links joining every pair of `nodes`.
    fn clique_edges(nodes: &[usize]) -> Vec<Option<(usize, usize)>> {
        (nodes.iter().enumerate())
            .flat_map(|(e, &a)| nodes[..e].iter().map(move |&b| Some((b, a))))
            .collect()
    }

    /// A network of `n` unknowns joined by `edges` with random conductances,
    /// every fifth unknown tied to a fixed head, and random demands.
    fn network_with(n: usize, edges: Vec<Option<(usize, usize)>>, seed: u64) -> LinearNetwork {
        let mut network = LinearNetwork::random(n, 0, seed);
        let mut rng = Lcg(seed ^ 0x9e37_79b9);
        network.conductance = edges.iter().map(|_| rng.uniform(0.1, 10.0)).collect();
        network.edges = edges;
        network
    }

    /// Networks whose column factor has panels of every width modulo 4,
    /// with and without rows below them, at column 0, at the last column
    /// and directly after one another, besides grids, random dense
    /// networks and parallel links.
    fn networks_with_panels() -> Vec<LinearNetwork> {
        let mut networks = Vec::new();
        // A clique of m is one supernode from column 0 to the last, its
        // first column with m - 1 rows: a panel from m = 25 on.
        for m in 25..=29 {
            let nodes: Vec<usize> = (0..m).collect();
            networks.push(network_with(m, clique_edges(&nodes), m as u64));
        }
        // Two small cliques A1 and A2 each joined wholly to a separator S
        // of 25: A1's columns, A2's and S's follow one another, with 25
        // rows below A1 and A2.
        for (a1, a2) in [(2, 3), (4, 5), (3, 6), (7, 2), (5, 9)] {
            let n = a1 + a2 + 25;
            let separator: Vec<usize> = (a1 + a2..n).collect();
            let first: Vec<usize> = (0..a1).chain(separator.iter().copied()).collect();
            let second: Vec<usize> = (a1..a1 + a2).chain(separator.iter().copied()).collect();
            let mut edges = clique_edges(&first);
            edges.extend(clique_edges(&second));
            edges.sort_unstable();
            edges.dedup();
            networks.push(network_with(n, edges, 40 + n as u64));
        }
        // Cliques of 26 to 29 hung from a random tree, with parallel links
        // doubling some of their links.
        let mut tree = LinearNetwork::random(400, 0, 50);
        let mut rng = Lcg(51);
        let mut next = tree.n;
        for m in 26..=29 {
            let nodes: Vec<usize> = (next..next + m).collect();
            tree.edges.push(Some((rng.below(400), next)));
            let links = clique_edges(&nodes);
            let doubled: Vec<_> = (links.iter().step_by(7))
                .map(|e| e.map(|(i, j)| (j, i)))
                .collect();
            tree.edges.extend(links);
            tree.edges.extend(doubled);
            next += m;
        }
        networks.push(network_with(next, tree.edges, 52));
        // Street grids of several shapes.
        for (rows, cols) in [(20, 20), (25, 25), (30, 30), (35, 17), (40, 21), (36, 36)] {
            networks.push(network_with(
                rows * cols,
                grid_edges(rows, cols),
                (rows * cols) as u64,
            ));
        }
        // Random networks with many loops on few junctions.
        for seed in 0..6 {
            networks.push(LinearNetwork::random(
                120 + 30 * seed,
                200 + 90 * seed,
                60 + seed as u64,
            ));
        }
        networks
    }

    /// The heads of `network` by `backend`, as bits.
    fn head_bits(network: &LinearNetwork, backend: Backend) -> Vec<u64> {
        let mut matrix = HeadMatrix::with_backend(network.n, &network.edges, backend).unwrap();
        network.assemble(&mut matrix);
        bits(matrix.solve().unwrap())
    }

    /// The bits of each value, to compare results exactly.
    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    /// Panels of every width modulo 4 (the four-at-a-time loops' every
    /// remainder), with rows below them and without, at column 0, ending
    /// at the last column and directly after one another: the column
    /// factorisation gives the up-looking one's bits, and the heads solve
    /// the system.
    #[test]
    fn column_factorisation_agrees_to_the_bit_on_panels_of_every_shape() {
        let mut widths = [false; 4];
        let mut widths_with_rows_below = [false; 4];
        let (mut at_first, mut at_last, mut adjacent) = (false, false, false);
        for network in networks_with_panels() {
            let n = network.n;
            let (column, _) = column_ldlt(n, &network.edges);
            assert!(!column.panels.is_empty(), "{n} unknowns");
            for (p, &(first, end)) in column.panels.iter().enumerate() {
                let width = (end - first) as usize;
                let below = column.col_ptr[end as usize] - column.col_ptr[end as usize - 1];
                widths[width % 4] = true;
                widths_with_rows_below[width % 4] |= below >= 2;
                at_first |= first == 0;
                at_last |= end as usize == n;
                adjacent |= column.panels.get(p + 1).is_some_and(|&(f, _)| f == end);
            }

            let bits = head_bits(&network, Backend::ColumnLdlt);
            assert_eq!(
                bits,
                head_bits(&network, Backend::UpLookingLdlt),
                "{n} unknowns"
            );
            let heads: Vec<f64> = bits.into_iter().map(f64::from_bits).collect();
            let expected = if n <= 600 {
                dense_solve(network.dense(), network.rhs.clone())
            } else {
                let faer = head_bits(&network, Backend::FaerSimplicial);
                faer.into_iter().map(f64::from_bits).collect()
            };
            assert_close(&heads, &expected, 1e-9);
        }
        assert_eq!(widths, [true; 4]);
        assert_eq!(widths_with_rows_below, [true; 4]);
        assert!(at_first && at_last && adjacent);
    }

    /// A panel is taken from a first column of [`PANEL_MIN_ROWS`] rows on:
    /// a clique of m unknowns is one supernode whose first column has
    /// m - 1 rows.
    #[test]
    fn a_panel_starts_at_its_minimum_rows() {
        let clique = |m: usize| column_ldlt(m, &clique_edges(&(0..m).collect::<Vec<_>>())).0;
        assert!(clique(PANEL_MIN_ROWS).panels.is_empty());
        let m = PANEL_MIN_ROWS + 1;
        assert_eq!(clique(m).panels, [(0, m as u32)]);
    }

    /// Whatever its place in the order, a strongly negative or NaN
    /// diagonal fails at its own unknown when every other unknown is tied
    /// to a fixed head: every principal submatrix without it is then
    /// strictly diagonally dominant, so the pivots before it are positive,
    /// and its own pivot is at most its diagonal (or NaN). A NaN on the
    /// off-diagonal of a pair fails at the one of the pair eliminated
    /// last, the first pivot whose leading submatrix holds it. Tried at
    /// the first, second and last column of every panel, at the first
    /// and last rows below it, and at the first and last columns.
    #[test]
    fn failing_pivots_in_and_around_panels_name_their_unknown() {
        for mut network in networks_with_panels() {
            let n = network.n;
            let (column, order) = column_ldlt(n, &network.edges);
            let mut places = vec![0, n - 1];
            for &(first, end) in &column.panels {
                let (first, last) = (first as usize, end as usize - 1);
                let below = &column.l_rows
                    [column.col_ptr[last] as usize..column.col_ptr[end as usize] as usize];
                places.extend([first, first + 1, last]);
                places.extend(below.first().map(|&r| r as usize));
                places.extend(below.last().map(|&r| r as usize));
            }
            places.sort_unstable();
            places.dedup();
            for tie in &mut network.to_fixed_head {
                *tie += 0.1;
            }
            let ties = network.to_fixed_head.clone();

            for backend in [Backend::ColumnLdlt, Backend::UpLookingLdlt] {
                let mut matrix = HeadMatrix::with_backend(n, &network.edges, backend).unwrap();
                for &place in &places {
                    let failing = order[place];
                    for bad in [-1e6, f64::NAN] {
                        network.to_fixed_head[failing] = bad;
                        network.assemble(&mut matrix);
                        assert_eq!(
                            matrix.solve(),
                            Err(MatrixError::NotPositiveDefinite { row: failing }),
                            "{backend:?}, {n} unknowns, column {place}, diagonal {bad}"
                        );
                    }
                    network.to_fixed_head[failing] = ties[failing];

                    // A NaN on a link of the unknown at this place.
                    let position = |u: usize| order.iter().position(|&o| o == u).unwrap();
                    let Some((link, other)) =
                        network.edges.iter().enumerate().find_map(|(k, e)| {
                            let (i, j) = (*e)?;
                            (i == failing)
                                .then_some((k, j))
                                .or((j == failing).then_some((k, i)))
                        })
                    else {
                        continue;
                    };
                    let later = if position(other) > place {
                        other
                    } else {
                        failing
                    };
                    network.assemble(&mut matrix);
                    matrix.add_off_diagonal(matrix.link_slot(link).unwrap(), f64::NAN);
                    assert_eq!(
                        matrix.solve(),
                        Err(MatrixError::NotPositiveDefinite { row: later }),
                        "{backend:?}, {n} unknowns, link {link} at column {place}"
                    );
                }
            }
        }
    }

    /// A clique of 47 unknowns (a panel of the whole kept system) among
    /// 23 unknowns without links, every third from 1, which are left out;
    /// every unknown tied to a fixed head.
    fn clique_among_lone_unknowns() -> (LinearNetwork, Vec<bool>) {
        let n = 70;
        let left_out: Vec<bool> = (0..n).map(|u| u % 3 == 1).collect();
        let kept: Vec<usize> = (0..n).filter(|&u| !left_out[u]).collect();
        let mut network = network_with(n, clique_edges(&kept), 71);
        for tie in &mut network.to_fixed_head {
            *tie += 0.1;
        }
        (network, left_out)
    }

    /// With unknowns left out around a panel, the kept ones are solved to
    /// the bits of the whole system (the lone rows do not couple), by the
    /// column and the up-looking factorisations alike, and a pivot failing
    /// in the panel names the caller's unknown, not its place among the
    /// kept ones.
    #[test]
    fn left_out_unknowns_around_a_panel() {
        let (mut network, left_out) = clique_among_lone_unknowns();
        let n = network.n;
        let whole = head_bits(&network, Backend::UpLookingLdlt);
        for backend in [Backend::ColumnLdlt, Backend::UpLookingLdlt] {
            let mut part =
                HeadMatrix::with_left_out(n, &network.edges, &left_out, backend).unwrap();
            network.assemble_kept(&left_out, &mut part);
            let heads = part.solve().unwrap();
            for u in 0..n {
                let want = if left_out[u] { 0 } else { whole[u] };
                assert_eq!(heads[u].to_bits(), want, "{backend:?} unknown {u}");
            }

            for failing in [0, 2, 47, 68, 69] {
                let tie = network.to_fixed_head[failing];
                network.to_fixed_head[failing] = -1e6;
                network.assemble_kept(&left_out, &mut part);
                network.to_fixed_head[failing] = tie;
                assert_eq!(
                    part.solve(),
                    Err(MatrixError::NotPositiveDefinite { row: failing }),
                    "{backend:?}"
                );
            }
        }
    }

    /// The entries given for direct addition are distinct and inside
    /// `entry_counts`, adding there is adding through the `add_` methods
    /// (same bits), and left-out unknowns have none.
    #[test]
    fn entries_are_distinct_inside_their_counts_and_add_as_the_methods_do() {
        let (network, left_out) = clique_among_lone_unknowns();
        let n = network.n;
        for backend in BACKENDS {
            let mut by_methods =
                HeadMatrix::with_left_out(n, &network.edges, &left_out, backend).unwrap();
            network.assemble_kept(&left_out, &mut by_methods);
            let expected = bits(by_methods.solve().unwrap());

            let mut matrix =
                HeadMatrix::with_left_out(n, &network.edges, &left_out, backend).unwrap();
            let (n_values, n_rhs) = matrix.entry_counts();
            let kept = (0..n).filter(|&u| !left_out[u]);
            let mut coefficients: Vec<usize> =
                kept.clone().map(|u| matrix.diagonal_entry(u)).collect();
            coefficients.extend((0..matrix.slot_count()).map(|s| matrix.off_diagonal_entry(s)));
            let mut rhs: Vec<usize> = kept.map(|u| matrix.rhs_entry(u)).collect();
            for (entries, count) in [(&mut coefficients, n_values), (&mut rhs, n_rhs)] {
                let len = entries.len();
                entries.sort_unstable();
                entries.dedup();
                assert_eq!(entries.len(), len, "{backend:?}: distinct entries");
                assert!(entries.iter().all(|&e| e < count), "{backend:?}");
            }
            for u in (0..n).filter(|&u| left_out[u]) {
                assert_eq!(
                    (matrix.diagonal_entry(u), matrix.rhs_entry(u)),
                    (LEFT_OUT, LEFT_OUT)
                );
            }

            // The same sums through the entries.
            for (link, edge) in network.edges.iter().enumerate() {
                if let Some((i, j)) = *edge {
                    let g = network.conductance[link];
                    let slot = matrix.link_slot(link).unwrap();
                    let entries = [
                        matrix.diagonal_entry(i),
                        matrix.diagonal_entry(j),
                        matrix.off_diagonal_entry(slot),
                    ];
                    let (values, _) = matrix.entries_mut();
                    values[entries[0]] += g;
                    values[entries[1]] += g;
                    values[entries[2]] += -g;
                }
            }
            for u in (0..n).filter(|&u| !left_out[u]) {
                let (diagonal, f) = (matrix.diagonal_entry(u), matrix.rhs_entry(u));
                let (values, rhs) = matrix.entries_mut();
                values[diagonal] += network.to_fixed_head[u];
                rhs[f] += network.rhs[u];
            }
            let heads = bits(matrix.solve().unwrap());
            assert_eq!(heads, expected, "{backend:?}");
        }
    }

    #[test]
    #[should_panic(expected = "left out")]
    fn the_right_hand_side_of_a_left_out_unknown_cannot_be_set() {
        let (network, left_out) = clique_among_lone_unknowns();
        let mut matrix =
            HeadMatrix::with_left_out(network.n, &network.edges, &left_out, Backend::ColumnLdlt)
                .unwrap();
        matrix.add_rhs(1, 1.0);
    }

    /// A solve that fails in a panel leaves the last heads as they were,
    /// and once the coefficients are right again the heads are those of
    /// the first solve, to the bit.
    #[test]
    fn a_failed_solve_in_a_panel_keeps_the_heads_and_the_next_one_recovers() {
        let mut network = network_with(29, clique_edges(&(0..29).collect::<Vec<_>>()), 81);
        for tie in &mut network.to_fixed_head {
            *tie += 0.1;
        }
        assert!(!column_ldlt(network.n, &network.edges).0.panels.is_empty());
        for backend in BACKENDS {
            let mut matrix = HeadMatrix::with_backend(network.n, &network.edges, backend).unwrap();
            network.assemble(&mut matrix);
            let first = bits(matrix.solve().unwrap());

            network.assemble(&mut matrix);
            matrix.add_diagonal(17, -1e6);
            assert_eq!(
                matrix.solve(),
                Err(MatrixError::NotPositiveDefinite { row: 17 }),
                "{backend:?}"
            );
            let kept = bits(matrix.solution());
            assert_eq!(kept, first, "{backend:?}");

            network.assemble(&mut matrix);
            let again = bits(matrix.solve().unwrap());
            assert_eq!(again, first, "{backend:?}");
        }
    }

    /// The sweep's AVX2 build (taken when the processor has it) and its
    /// portable build give the same factor and the same forward solve to
    /// the bit, and so do a separate factorisation and solve; all of them
    /// the heads of the head matrix itself.
    #[test]
    fn sweep_builds_and_separate_solve_agree_to_the_bit() {
        for network in networks_with_panels() {
            let n = network.n;
            let (mut column, order) = column_ldlt(n, &network.edges);
            // Coefficients in the factor's own layout, from the dense
            // matrix (the same sums in the same order as the assembly).
            let a = network.dense();
            let mut values = vec![0.0; column.value_count()];
            for j in 0..n {
                for p in column.col_ptr[j] as usize..column.col_ptr[j + 1] as usize {
                    values[p] = a[order[column.l_rows[p] as usize]][order[j]];
                }
                values[column.l_rows.len() + j] = a[order[j]][order[j]];
            }
            let rhs: Vec<f64> = order.iter().map(|&u| network.rhs[u]).collect();

            let mut dispatched = rhs.clone();
            column.gather(&values);
            column.sweep::<true>(&mut dispatched).unwrap();
            let factor = bits(&column.factor);
            let mut portable = rhs.clone();
            column.gather(&values);
            column.sweep_body::<true>(&mut portable).unwrap();
            assert_eq!(bits(&column.factor), factor, "{n} unknowns");
            assert_eq!(bits(&portable), bits(&dispatched), "{n} unknowns");

            // The column factorisation reads no pattern: an empty one.
            let unread = Pattern {
                col_ptr: vec![0],
                row_idx: vec![],
                side: Side::Upper,
            };
            let mut separate = rhs.clone();
            column.factor(&unread, &values).unwrap();
            assert_eq!(bits(&column.factor), factor, "{n} unknowns");
            column.solve_in_place(&mut separate);
            column.backward(&mut dispatched);
            assert_eq!(bits(&separate), bits(&dispatched), "{n} unknowns");

            let mut heads = vec![0.0; n];
            for (p, &u) in order.iter().enumerate() {
                heads[u] = dispatched[p];
            }
            assert_eq!(
                bits(&heads),
                head_bits(&network, Backend::ColumnLdlt),
                "{n} unknowns"
            );
        }
    }
}
