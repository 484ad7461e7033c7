//! `pipenet export`: the network and its results at one time as GeoJSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::network::QualityKind;
use pipenet::report::{self, geojson, QualitySnapshot, Snapshot};
use pipenet::Network;

/// Arguments of `pipenet export`.
#[derive(Args)]
pub struct ExportArgs {
    /// The EPANET input file.
    pub network: PathBuf,
    /// Write GeoJSON (nodes as points, links as lines) to this file.
    #[arg(long)]
    pub geojson: PathBuf,
    /// Results at this time into the run (h, h:mm or h:mm:ss; 0 by default).
    #[arg(long, default_value = "0")]
    pub time: String,
    /// The coordinate system of the file's coordinates, e.g. EPSG:32633
    /// (declared only, not reprojected).
    #[arg(long)]
    pub crs: Option<String>,
    /// Water quality to add: none, age, chemical or trace:NODE (the
    /// file's QUALITY option by default).
    #[arg(long)]
    pub quality: Option<String>,
}

/// Runs `pipenet export`.
pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    super::check_target(&args.network, &args.geojson)?;
    let epsg = args.crs.as_deref().map(parse_epsg).transpose()?;
    let time_s = parse_time(&args.time)?;
    let net = super::read(&args.network, true)?;
    geojson::check_coordinates(&net)
        .with_context(|| format!("{}: cannot export", args.network.display()))?;
    let (snap, quality) = state_at(&net, &args.network, time_s, args.quality.as_deref())?;
    let results = geojson::ResultsAt {
        snapshot: &snap,
        quality: quality.as_ref(),
    };
    super::write_atomically(&args.geojson, |w| {
        geojson::write(w, &net, Some(results), epsg)?;
        Ok(())
    })?;
    println!(
        "{} and {} at {} written to {}",
        super::plural(net.nodes.len(), "node"),
        super::plural(net.links.len(), "link"),
        super::clock(snap.time_s),
        args.geojson.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `EPSG:n` (or just `n`) as the code n.
fn parse_epsg(text: &str) -> Result<u32> {
    let digits = text
        .strip_prefix("EPSG:")
        .or_else(|| text.strip_prefix("epsg:"))
        .unwrap_or(text);
    digits
        .parse()
        .with_context(|| format!("--crs {text}: give the coordinate system as EPSG:n"))
}

/// A time into the run, `h`, `h:mm` or `h:mm:ss`, in seconds.
pub(crate) fn parse_time(text: &str) -> Result<u64> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        bail!("time {text}: give hours, h:mm or h:mm:ss");
    }
    let mut seconds = 0.0;
    for (part, scale) in parts.iter().zip([3600.0, 60.0, 1.0]) {
        let v: f64 = part
            .trim()
            .parse()
            .with_context(|| format!("time {text}: give hours, h:mm or h:mm:ss"))?;
        if v < 0.0 {
            bail!("time {text}: must not be negative");
        }
        seconds += v * scale;
    }
    Ok(seconds.round() as u64)
}

/// Simulates up to `time_s` and returns the hydraulic state in force then
/// (the last period starting at or before it) and the water quality, if
/// any is analysed.
pub(crate) fn state_at(
    net: &Network,
    path: &Path,
    time_s: u64,
    quality: Option<&str>,
) -> Result<(Snapshot, Option<QualitySnapshot>)> {
    if time_s > net.times.duration_s {
        bail!(
            "time {} is after the end of the run ({})",
            super::clock(time_s),
            super::clock(net.times.duration_s)
        );
    }
    let kind = match quality {
        Some(spec) => pipenet::quality::kind_from_spec(net, spec)?,
        None => net.options.quality.kind.clone(),
    };
    let mut sim = pipenet::hydraulics::Simulation::new(net)
        .with_context(|| format!("{}: cannot simulate", path.display()))?;
    let mut qual = pipenet::quality::QualitySimulation::new(net, &kind)?;
    loop {
        sim.solve_period();
        qual.load_hydraulics(sim.state());
        let t = sim.time_s();
        let mut snap = report::Snapshot::of(t, sim.state());
        let step = sim.advance();
        if step == 0 || t + step > time_s {
            // The state of this period holds until the next one; quality
            // moves on to the asked time within it.
            let at = time_s.max(t);
            qual.advance(at - t);
            snap.time_s = at;
            let q = (kind != QualityKind::None).then(|| QualitySnapshot::of(at, &qual));
            return Ok((snap, q));
        }
        qual.advance(step);
    }
}
