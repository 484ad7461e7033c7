//! Benchmark of the head matrix: one numeric factorisation plus solve per
//! backend, on network-like graphs generated deterministically.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pipenet::hydraulics::matrix::{Backend, HeadMatrix};
use std::hint::black_box;
use std::time::Duration;

/// Deterministic pseudo-random numbers (64-bit linear congruential).
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

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * (self.next_u64() as f64 / (1u64 << 53) as f64)
    }
}

/// A graph of junctions: links between them and the junctions tied to a
/// reservoir.
struct Graph {
    n: usize,
    edges: Vec<Option<(usize, usize)>>,
    sources: Vec<usize>,
}

/// A tree grown along streets (each junction hangs off one of the 20 laid
/// before it, so branches are long as in real networks) plus 5 % extra
/// links closing short loops; a reservoir every 5000 junctions.
fn tree_with_loops(n: usize) -> Graph {
    let mut rng = Lcg(2024);
    let mut edges = Vec::with_capacity(n + n / 20);
    for k in 1..n {
        let back = 1 + rng.below(k.min(20));
        edges.push(Some((k - back, k)));
    }
    for _ in 0..n / 20 {
        let i = rng.below(n);
        let j = (i + 2 + rng.below(60)).min(n - 1);
        if i != j {
            edges.push(Some((i, j)));
        }
    }
    Graph {
        n,
        edges,
        sources: (0..n).step_by(5000).collect(),
    }
}

/// A square street grid of about `n` junctions, fed at two corners.
fn street_grid(n: usize) -> Graph {
    let side = (n as f64).sqrt().round() as usize;
    let n = side * side;
    let mut edges = Vec::with_capacity(2 * n);
    for k in 0..n {
        if k % side + 1 < side {
            edges.push(Some((k, k + 1)));
        }
        if k + side < n {
            edges.push(Some((k, k + side)));
        }
    }
    Graph {
        n,
        edges,
        sources: vec![0, n - 1],
    }
}

/// Fills `matrix` as a GGA iteration would: conductances on the links, the
/// reservoirs' on the diagonal, demands on the right-hand side.
fn assemble(graph: &Graph, matrix: &mut HeadMatrix) {
    let mut rng = Lcg(7);
    matrix.clear();
    for (link, edge) in graph.edges.iter().enumerate() {
        if let (Some((i, j)), Some(slot)) = (*edge, matrix.link_slot(link)) {
            let conductance = rng.uniform(0.01, 1.0);
            matrix.add_diagonal(i, conductance);
            matrix.add_diagonal(j, conductance);
            matrix.add_off_diagonal(slot, -conductance);
        }
    }
    for &source in &graph.sources {
        matrix.add_diagonal(source, 1.0);
        matrix.add_rhs(source, 100.0);
    }
    for i in 0..graph.n {
        matrix.add_rhs(i, -rng.uniform(0.0, 1e-3));
    }
}

const BACKENDS: [Backend; 6] = [
    Backend::Auto,
    Backend::UpLookingLdlt,
    Backend::ColumnLdlt,
    Backend::FaerSimplicial,
    Backend::FaerSupernodal,
    Backend::FaerAutomatic,
];

fn factor_and_solve(c: &mut Criterion) {
    for (shape, make) in [
        ("tree_loops", tree_with_loops as fn(usize) -> Graph),
        ("grid", street_grid),
    ] {
        let mut group = c.benchmark_group(format!("factor_solve/{shape}"));
        group
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(20);
        for size in [1_000, 25_000, 100_000] {
            let graph = make(size);
            for backend in BACKENDS {
                // The column factorisation refuses factors that fill too much.
                let Ok(mut matrix) = HeadMatrix::with_backend(graph.n, &graph.edges, backend)
                else {
                    eprintln!("{backend:?} skipped on {shape} {size}: the factor fills too much");
                    continue;
                };
                assemble(&graph, &mut matrix);
                let id = match backend {
                    Backend::Auto => format!("Auto({:?})", matrix.backend()),
                    _ => format!("{backend:?}"),
                };
                let id = BenchmarkId::new(id, graph.n);
                group.bench_function(id, |b| {
                    b.iter(|| {
                        let heads = matrix.solve().expect("positive definite");
                        black_box(heads[0]);
                    })
                });
            }
        }
        group.finish();
    }
}

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("setup");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10);
    for (shape, graph) in [
        ("tree_loops", tree_with_loops(100_000)),
        ("grid", street_grid(100_000)),
    ] {
        for backend in BACKENDS {
            let id = BenchmarkId::new(format!("{backend:?}"), shape);
            group.bench_function(id, |b| {
                b.iter(|| HeadMatrix::with_backend(graph.n, &graph.edges, backend).map(|m| m.len()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, factor_and_solve, setup);
criterion_main!(benches);
