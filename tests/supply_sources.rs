//! `--sources`: one trace per reservoir and tank, on the same hydraulics.
//!
//! Physical checks: the reservoirs' shares of a node never add up to more
//! than all of its water (100 %; a tank's share overlaps them, as EPANET's
//! trace of a tank counts its outflow as 100 % its own), each reservoir is
//! 100 % itself, and the shares agree with
//! a single-source trace run on its own (the same analysis EPANET's TRACE
//! does; `scripts/validate_sources.py` checks them against EPANET itself:
//! within 0.02 points on Net3).

use pipenet::hydraulics::Simulation;
use pipenet::network::QualityKind;
use pipenet::quality::{QualitySimulation, SourceTrace};

#[test]
fn shares_of_every_source_add_up_to_at_most_all_the_water() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net3.inp");
    let net = pipenet::inp::read_file(path).unwrap().network;
    let mut sim = Simulation::new(&net).unwrap();
    let mut all = SourceTrace::new(&net).unwrap();
    assert_eq!(all.sources().len(), 5); // River, Lake and tanks 1, 2, 3
    let lake = net.node_ix("Lake").unwrap();
    let lake_slot = all.sources().iter().position(|&i| i == lake.ix()).unwrap();
    let mut alone = QualitySimulation::new(&net, &QualityKind::Trace { node: lake }).unwrap();
    let mut checked = 0;
    loop {
        sim.solve_period();
        all.load_hydraulics(sim.state());
        alone.load_hydraulics(sim.state());
        if sim.is_report_time() {
            for i in 0..net.nodes.len() {
                let reservoirs = (0..all.sources().len()).filter(|&s| {
                    matches!(
                        net.nodes[all.sources()[s]].kind,
                        pipenet::network::NodeKind::Reservoir(_)
                    )
                });
                let total: f64 = reservoirs.map(|s| all.share_percent(s, i)).sum();
                // Segments whose shares differ by less than the quality
                // tolerance are merged (EPANET's scheme): each trace may be
                // off by that much.
                let slack = 2.0 * net.options.quality.tolerance;
                assert!(
                    total <= 100.0 + slack,
                    "node {} at {} s: {total} %",
                    net.nodes[i].id,
                    sim.time_s()
                );
                assert!(
                    (all.share_percent(lake_slot, i) - alone.node_quality(i)).abs() < 1e-9,
                    "the Lake share at {} differs from a trace of Lake alone",
                    net.nodes[i].id
                );
            }
            for (s, &src) in all.sources().iter().enumerate() {
                if !net.nodes[src].is_junction()
                    && matches!(
                        net.nodes[src].kind,
                        pipenet::network::NodeKind::Reservoir(_)
                    )
                {
                    assert!((all.share_percent(s, src) - 100.0).abs() < 1e-9);
                }
            }
            checked += 1;
        }
        let step = sim.advance();
        all.advance(step);
        alone.advance(step);
        if step == 0 {
            break;
        }
    }
    assert_eq!(checked, 25);
}
