//! `pipenet savings`: leakage, burst frequency and pump energy change between two runs of the same network.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use pipenet::leakage::savings::{
    burst_frequency_ratio, check_comparable, favad_ratio, mean_maximum_pressure, model_leakage_m3,
    pipe_length_weights, pump_water_energy_kwh, RunResults,
};

/// Arguments of `pipenet savings`.
#[derive(Args)]
pub struct SavingsArgs {
    /// Results before the change (`pipenet run NET.inp --out BEFORE.json`).
    before: PathBuf,
    /// Results after the change.
    after: PathBuf,
    /// FAVAD leakage exponent N1.
    #[arg(long, default_value_t = 1.0)]
    n1: f64,
    /// Leakage before the change, m3/day (from `pipenet dma` or `balance`), to state the saving as a volume.
    #[arg(long)]
    leakage: Option<f64>,
    /// The network: nodes weighted by pipe length, pressure units, and the
    /// leakage of its own emitters and [LEAKAGE] pipes.
    #[arg(long)]
    network: Option<PathBuf>,
    /// Burst-frequency exponent N2 (no default: see the documentation).
    #[arg(long)]
    n2: Option<f64>,
}

/// Runs `pipenet savings`.
pub fn run(args: &SavingsArgs) -> Result<ExitCode> {
    let before = RunResults::read(&args.before)?;
    let after = RunResults::read(&args.after)?;
    check_comparable(&before, &after)?;
    let net = args
        .network
        .as_ref()
        .map(|p| super::read(p, false))
        .transpose()?;
    if let (Some(net), Some(path)) = (&net, &args.network) {
        // The results must be of this network: every node id found in it,
        // with the same flow units.
        let missing = before
            .nodes
            .iter()
            .filter(|id| net.node_ix(id).is_none())
            .count();
        if missing > 0 || net.options.flow_units != before.flow_units() {
            anyhow::bail!(
                "{}: is not the network of {} ({missing} of its {} {} not in it{})",
                path.display(),
                args.before.display(),
                super::plural(before.nodes.len(), "node"),
                super::agree(missing, "is", "are"),
                if net.options.flow_units != before.flow_units() {
                    ", and the flow units differ"
                } else {
                    ""
                }
            );
        }
    }
    let weights = net.as_ref().map(pipe_length_weights);
    let pressure_units = net.as_ref().map(|n| n.options.pressure_units);
    let units = before.units(pressure_units);
    let punits = pressure_units.map_or(
        if before.flow_units().is_si() {
            "m"
        } else {
            "psi"
        },
        |p| p.keyword(),
    );
    // The span the report times cover (first to last), not one step more.
    let hours = match (before.times_s.first(), before.times_s.last()) {
        (Some(a), Some(b)) => (b - a) as f64 / 3600.0,
        _ => 0.0,
    };
    println!(
        "{} report times every {} min ({:.1} h)",
        before.times_s.len(),
        before.report_step_s / 60,
        hours
    );
    let mean_pressure = |r: &RunResults| {
        let (mut sum, mut n) = (0.0, 0usize);
        for row in &r.node.pressure {
            for (i, &p) in row.iter().enumerate() {
                if r.node_types[i] == "junction" {
                    sum += p;
                    n += 1;
                }
            }
        }
        sum / n.max(1) as f64
    };
    println!(
        "junction pressure: mean {:.2} -> {:.2} {punits}, mean of maxima {:.2} -> {:.2} {punits}",
        mean_pressure(&before),
        mean_pressure(&after),
        mean_maximum_pressure(&before),
        mean_maximum_pressure(&after)
    );

    let ratio = favad_ratio(&before, &after, args.n1, weights.as_deref());
    println!(
        "leakage by FAVAD (N1 = {}, nodes weighted by {}): x {:.4} ({:+.1} %)",
        args.n1,
        if weights.is_some() {
            "pipe length"
        } else {
            "count"
        },
        ratio,
        100.0 * (ratio - 1.0)
    );
    if let Some(l0) = args.leakage {
        println!(
            "  {l0:.1} -> {:.1} m3/day, saving {:.1} m3/day",
            l0 * ratio,
            l0 * (1.0 - ratio)
        );
    }
    if let Some(net) = &net {
        // `model_leakage_m3` holds each report time's flow for one report
        // step, so the volume covers one step per report time: a day's
        // worth is the mean flow over those times for 24 h.
        let held_s = before.node.pressure.len() as f64 * before.report_step_s.max(1) as f64;
        let scale = 86_400.0 / held_s.max(1.0);
        let (l0, l1) = (
            model_leakage_m3(net, &before),
            model_leakage_m3(net, &after),
        );
        if l0 > 0.0 {
            println!(
                "model emitters and [LEAKAGE]: {:.1} -> {:.1} m3/day ({:+.1} %)",
                l0 * scale,
                l1 * scale,
                100.0 * (l1 / l0 - 1.0)
            );
        } else {
            println!("model emitters and [LEAKAGE]: the network has none");
        }
    }

    let (e0, e1) = (
        pump_water_energy_kwh(&before, &units),
        pump_water_energy_kwh(&after, &units),
    );
    if e0 > 0.0 || e1 > 0.0 {
        println!(
            "pump water energy (rho g Q H, before efficiencies): {e0:.1} -> {e1:.1} kWh ({:+.1} %)",
            100.0 * (e1 / e0.max(f64::MIN_POSITIVE) - 1.0)
        );
    } else {
        println!("pump energy: no pumps run");
    }

    match args.n2 {
        Some(n2) => {
            let r = burst_frequency_ratio(&before, &after, n2);
            println!(
                "burst frequency (Pmax1/Pmax0)^N2, N2 = {n2}: x {r:.3} ({:+.1} %) (Thornton and Lambert 2005 power law)",
                100.0 * (r - 1.0)
            );
        }
        None => println!(
            "burst frequency: not given: the published pressure-burst relations \
             (Thornton and Lambert 2005) have an exponent N2 that differs widely between \
             systems; give --n2 to apply (Pmax1/Pmax0)^N2"
        ),
    }
    Ok(ExitCode::SUCCESS)
}
