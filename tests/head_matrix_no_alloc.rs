//! The head matrix's per-iteration work (clear, add, solve) allocates
//! nothing once it is built, whatever the backend.

use pipenet::hydraulics::matrix::{Backend, HeadMatrix};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting allocations made by a thread while it is
/// watched.
struct CountingAllocator;

thread_local! {
    static WATCHED: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_if_watched() {
    if WATCHED.with(Cell::get) {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_if_watched();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_if_watched();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations made by `work` on this thread.
fn allocations_in(work: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|a| a.set(0));
    WATCHED.with(|w| w.set(true));
    work();
    WATCHED.with(|w| w.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// A 40 x 40 street grid (so that `Auto` goes supernodal on the larger
/// one) or a chain with a loop every tenth junction.
fn graph(grid: bool) -> (usize, Vec<Option<(usize, usize)>>) {
    let side = 40;
    let n = side * side;
    let mut edges = vec![None];
    for k in 0..n {
        if grid {
            if k % side + 1 < side {
                edges.push(Some((k, k + 1)));
            }
            if k + side < n {
                edges.push(Some((k, k + side)));
            }
        } else if k + 1 < n {
            edges.push(Some((k, k + 1)));
            if k % 10 == 0 && k + 7 < n {
                edges.push(Some((k, k + 7)));
            }
        }
    }
    (n, edges)
}

fn refill_and_solve(matrix: &mut HeadMatrix, edges: &[Option<(usize, usize)>]) {
    matrix.clear();
    for (link, edge) in edges.iter().enumerate() {
        if let (Some((i, j)), Some(slot)) = (*edge, matrix.link_slot(link)) {
            matrix.add_diagonal(i, 1.0);
            matrix.add_diagonal(j, 1.0);
            matrix.add_off_diagonal(slot, -1.0);
        }
    }
    matrix.add_diagonal(0, 1.0);
    matrix.add_rhs(0, 50.0);
    matrix.add_rhs(1, -0.1);
    let heads = matrix
        .solve()
        .expect("grounded Laplacian is positive definite");
    assert!(heads.iter().all(|h| h.is_finite()));
}

#[test]
fn clear_add_and_solve_do_not_allocate() {
    // The counter sees an allocation when there is one.
    assert_eq!(allocations_in(|| drop(std::hint::black_box(vec![1u8]))), 1);

    for grid in [false, true] {
        let (n, edges) = graph(grid);
        for backend in [
            Backend::Auto,
            Backend::UpLookingLdlt,
            Backend::ColumnLdlt,
            Backend::FaerSimplicial,
            Backend::FaerSupernodal,
            Backend::FaerAutomatic,
        ] {
            let mut matrix = HeadMatrix::with_backend(n, &edges, backend).unwrap();
            refill_and_solve(&mut matrix, &edges);
            let count = allocations_in(|| refill_and_solve(&mut matrix, &edges));
            assert_eq!(count, 0, "{backend:?} on grid={grid}");
        }
    }
}
