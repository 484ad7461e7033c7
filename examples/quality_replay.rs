//! Runs water quality on hydraulics recorded from another engine, to judge the quality engine alone.
//!
//!     cargo run --release --example quality_replay -- NET.inp HYD.json [age|chemical|trace:NODE] OUT.json
//!
//! HYD.json is a list of `[time_s, step_s, flows, node_demands]`, one per
//! hydraulic step, in the network's flow units (closed links at 0 flow),
//! as EPANET's toolkit reports them. OUT.json gets `[time_s,
//! node_qualities, link_qualities]` at every step's start.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, hydraulics, spec, out] = args.as_slice() else {
        return Err("usage: quality_replay NET.inp HYD.json KIND OUT.json".into());
    };
    let net = pipenet::inp::read_file(path)?.network;
    let kind = pipenet::quality::kind_from_spec(&net, spec)?;
    let steps: Vec<(u64, u64, Vec<f64>, Vec<f64>)> =
        serde_json::from_str(&std::fs::read_to_string(hydraulics)?)?;
    let flow_unit = net.units().flow;
    let sim = pipenet::hydraulics::Simulation::new(&net)?;
    let mut state = sim.state().clone();
    let mut quality = pipenet::quality::QualitySimulation::new(&net, &kind)?;
    let mut dumped = Vec::new();
    for (time_s, step_s, flows, demands) in &steps {
        for (k, q) in flows.iter().enumerate() {
            state.flow_m3s[k] = q * flow_unit;
            state.status[k] = pipenet::hydraulics::LinkStatus::Open;
        }
        for (i, d) in demands.iter().enumerate() {
            state.node_demand_m3s[i] = d * flow_unit;
        }
        quality.load_hydraulics(&state);
        let mut q = Vec::new();
        quality.node_qualities_into(&mut q);
        let l: Vec<f64> = (0..quality.link_count())
            .map(|k| quality.link_quality(k))
            .collect();
        dumped.push((*time_s, q, l));
        quality.advance(*step_s);
    }
    std::fs::write(out, serde_json::to_string(&dumped)?)?;
    Ok(())
}
