//! `pipenet dma`: a DMA's night flows per day (MNF, legitimate use, leakage, night-day factor), new-burst flags and meter checks; or, with `--generate`, a seeded test series from a model run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use pipenet::leakage::burst_flags::{flag_bursts, BurstSettings};
use pipenet::leakage::flow_series::FlowSeries;
use pipenet::leakage::generate::{
    generate_series, random_bursts, DiurnalProfile, GeneratorSettings, Rng,
};
use pipenet::leakage::meters::{check_meters, MeterCheckSettings, MeterFinding};
use pipenet::leakage::night_flow::{analyse_nights, NightFlowSettings};
use pipenet::leakage::timestamp;

/// Arguments of `pipenet dma`.
#[derive(Args)]
pub struct DmaArgs {
    /// The flow series (CSV: timestamp, inflow, outflow*, sub* columns).
    flows: Option<PathBuf>,
    /// Flow unit of the CSV: lps, m3h or gpm.
    #[arg(long, default_value = "lps")]
    flow_units: String,
    /// Night window, clock times h:mm-h:mm.
    #[arg(long, default_value = "2:00-4:00")]
    window: String,
    /// The MNF is the lowest moving average over this many minutes (0: single readings).
    #[arg(long, default_value_t = 60)]
    average: i64,
    /// Household properties.
    #[arg(long, default_value_t = 0.0)]
    households: f64,
    /// Night use per household, L/h.
    #[arg(long, default_value_t = 1.7)]
    household_use: f64,
    /// Non-household properties.
    #[arg(long, default_value_t = 0.0)]
    non_households: f64,
    /// Night use per non-household, L/h.
    #[arg(long, default_value_t = 8.0)]
    non_household_use: f64,
    /// Exceptional night use (known large users), L/s.
    #[arg(long, default_value_t = 0.0)]
    exceptional: f64,
    /// Service connections (default: households + non-households).
    #[arg(long)]
    connections: Option<f64>,
    /// The zone's model: hourly average zone pressures for the night-day
    /// factor (and, with --generate, the demand profile).
    #[arg(long)]
    network: Option<PathBuf>,
    /// FAVAD leakage exponent N1.
    #[arg(long, default_value_t = 1.0)]
    n1: f64,
    /// A new burst: MNF above its baseline by more than this fraction of it.
    #[arg(long, default_value_t = 0.06)]
    threshold: f64,
    /// Most nights in the burst baseline.
    #[arg(long, default_value_t = 7)]
    baseline_days: usize,
    /// The inlet meter's minimum accurate flow Q1, L/s.
    #[arg(long)]
    q1: Option<f64>,
    /// Write a generated series to this CSV instead of analysing one (needs --network).
    #[arg(long)]
    generate: Option<PathBuf>,
    /// Days to generate.
    #[arg(long, default_value_t = 60)]
    days: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Bursts to generate: DAY:FRACTION[:REPAIR_DAYS],...: DAY is the index,
    /// from 0, of the first night that shows the burst (it starts at a
    /// random time after the night window of the day before), FRACTION its
    /// flow as a fraction of the minimum night flow, REPAIR_DAYS how many
    /// days it runs (to the end of the series if not given).
    #[arg(long)]
    bursts: Option<String>,
    /// Or this many random bursts of 10-20 % of the MNF.
    #[arg(long)]
    random_bursts: Option<usize>,
    /// Measurement noise of generated readings, a fraction.
    #[arg(long, default_value_t = 0.03)]
    noise: f64,
    /// Day-to-day variation of generated flows, a fraction.
    #[arg(long, default_value_t = 0.0)]
    day_variation: f64,
}

fn parse_clock(text: &str) -> Option<i64> {
    let (h, m) = text.trim().split_once(':').unwrap_or((text.trim(), "0"));
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=24).contains(&h) && (0..60).contains(&m)).then_some(h * 3600 + m * 60)
}

fn parse_window(text: &str) -> Result<(i64, i64)> {
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((parse_clock(a)?, parse_clock(b)?)));
    match parsed {
        Some((a, b)) if a < b => Ok((a, b)),
        _ => bail!("--window '{text}': give two clock times h:mm-h:mm, the first earlier"),
    }
}

fn scale_to_ls(units: &str) -> Result<f64> {
    Ok(match units.to_ascii_lowercase().as_str() {
        "lps" | "l/s" => 1.0,
        "m3h" | "m3/h" => 1000.0 / 3600.0,
        "gpm" => 3.785_411_784 / 60.0,
        other => bail!("--flow-units '{other}': use lps, m3h or gpm"),
    })
}

/// Runs `pipenet dma`.
pub fn run(args: &DmaArgs) -> Result<ExitCode> {
    let window = parse_window(&args.window)?;
    if let Some(out) = &args.generate {
        return generate(args, out, window);
    }
    let Some(path) = &args.flows else {
        bail!("give a flow series FLOWS.csv, or --generate OUT.csv --network NET.inp");
    };
    let series = FlowSeries::read_csv(path, scale_to_ls(&args.flow_units)?)?;
    let hourly_pressure_m = match &args.network {
        Some(net_path) => {
            let net = super::read(net_path, false)?;
            Some(pipenet::leakage::zone::zone_pressure(&net)?.hourly_m())
        }
        None => None,
    };
    let settings = NightFlowSettings {
        window_start_s: window.0,
        window_end_s: window.1,
        average_s: args.average * 60,
        households: args.households,
        household_use_l_per_h: args.household_use,
        non_households: args.non_households,
        non_household_use_l_per_h: args.non_household_use,
        exceptional_use_ls: args.exceptional,
        connections: args.connections,
        hourly_pressure_m,
        n1: args.n1,
    };
    let nights = analyse_nights(&series, &settings);
    if nights.is_empty() {
        bail!("{}: no readings in any night window", path.display());
    }
    let burst_settings = BurstSettings {
        baseline_days: args.baseline_days,
        threshold_fraction: args.threshold,
        ..Default::default()
    };
    let mnf: Vec<f64> = nights.iter().map(|n| n.mnf_ls).collect();
    let steps = flag_bursts(&mnf, &burst_settings);

    println!(
        "{}: {} every {} min, {}; legitimate night use {:.3} L/s",
        path.display(),
        super::plural(series.times_s.len(), "reading"),
        series.interval_s() / 60,
        super::plural(nights.len(), "night"),
        settings.legitimate_night_use_ls()
    );
    if settings.hourly_pressure_m.is_none() {
        println!("no --network: night-day factor 24 h (pressure taken as constant)");
    }
    println!(
        "{:<10} {:>5} {:>8} {:>8} {:>9} {:>6} {:>9} {:>8}  flag",
        "date", "time", "MNF L/s", "leak L/s", "L/conn/h", "NDF h", "leak m3/d", "base L/s"
    );
    for (night, step) in nights.iter().zip(&steps) {
        let flag = if step.burst {
            format!("NEW BURST +{:.3} L/s", step.rise_ls)
        } else if step.drop {
            format!("drop {:.3} L/s", step.rise_ls)
        } else {
            String::new()
        };
        println!(
            "{:<10} {:>5} {:>8.3} {:>8.3} {:>9.2} {:>6.2} {:>9.1} {:>8}  {flag}",
            timestamp::format_date(night.day),
            timestamp::format_clock(night.mnf_clock_s),
            night.mnf_ls,
            night.night_leakage_ls,
            night.leakage_l_per_connection_h,
            night.night_day_factor_h,
            night.daily_leakage_m3,
            step.baseline_ls.map_or("-".into(), |b| format!("{b:.3}")),
        );
    }
    let flagged = steps.iter().filter(|s| s.burst).count();
    println!("{} flagged", super::plural(flagged, "new burst"));

    let meter_settings = MeterCheckSettings {
        inlet_q1_ls: args.q1,
        ..Default::default()
    };
    print_meter_findings(&check_meters(&series, &meter_settings));
    Ok(ExitCode::SUCCESS)
}

fn print_meter_findings(findings: &[MeterFinding]) {
    if findings.is_empty() {
        println!("meter checks: nothing found");
        return;
    }
    println!("meter checks:");
    for f in findings {
        match f {
            MeterFinding::Zero {
                meter,
                from_s,
                readings,
            } => println!(
                "  {meter} reads zero for {} from {}",
                super::plural(*readings, "reading"),
                timestamp::format(*from_s)
            ),
            MeterFinding::Negative {
                meter,
                readings,
                first_s,
            } => println!(
                "  {meter}: {readings} negative readings from {}: a meter fitted backwards or a sign error? \
                 night flows and leakage computed from them are not meaningful",
                timestamp::format(*first_s)
            ),
            MeterFinding::SubmetersAboveInlet {
                day,
                inlet_m3,
                submeters_m3,
            } => println!(
                "  {}: sub-meters {submeters_m3:.1} m3 exceed the net inflow {inlet_m3:.1} m3",
                timestamp::format_date(*day)
            ),
            MeterFinding::LowFlow {
                readings,
                limit_ls,
                from_q1,
            } => println!(
                "  inlet meter: {} below {limit_ls:.3} L/s ({}): it may under-register night flows",
                super::plural(*readings, "reading"),
                if *from_q1 { "its Q1" } else { "2 % of its highest reading" }
            ),
        }
    }
}

fn parse_bursts(text: &str) -> Result<Vec<(usize, f64, Option<usize>)>> {
    text.split(',')
        .map(|item| {
            let parts: Vec<&str> = item.trim().split(':').collect();
            let bad = || format!("--bursts '{item}': give DAY:FRACTION[:REPAIR_DAYS]");
            let day = parts
                .first()
                .and_then(|d| d.parse().ok())
                .with_context(bad)?;
            let fraction = parts
                .get(1)
                .and_then(|f| f.parse().ok())
                .with_context(bad)?;
            let repair = match parts.get(2) {
                Some(r) => Some(r.parse().ok().with_context(bad)?),
                None => None,
            };
            Ok((day, fraction, repair))
        })
        .collect()
}

fn generate(args: &DmaArgs, out: &Path, window: (i64, i64)) -> Result<ExitCode> {
    let Some(net_path) = &args.network else {
        bail!("--generate needs --network NET.inp for the demand profile");
    };
    let net = super::read(net_path, false)?;
    let profile = DiurnalProfile::from_model(&net)?;
    let bursts = match (&args.bursts, args.random_bursts) {
        (Some(text), _) => parse_bursts(text)?,
        (None, Some(count)) => {
            let mut rng = Rng::new(args.seed.wrapping_add(0x5eed));
            random_bursts(&mut rng, args.days, count, 8, 14)
        }
        (None, None) => Vec::new(),
    };
    let settings = GeneratorSettings {
        seed: args.seed,
        days: args.days,
        noise: args.noise,
        day_variation: args.day_variation,
        bursts,
        window_s: window,
        ..Default::default()
    };
    let (series, truth) = generate_series(&profile, &settings);
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    series.write_csv(std::io::BufWriter::new(file))?;
    println!(
        "{}: {} of 15-minute inflow from {} (profile MNF {:.3} L/s), seed {}",
        out.display(),
        super::plural(args.days, "day"),
        net_path.display(),
        profile.minimum_ls(window.0, window.1),
        args.seed
    );
    for b in &truth {
        println!(
            "  burst from {} ({:.3} L/s, {:.0} % of the MNF), first night {}, repaired {}",
            timestamp::format(b.start_s),
            b.flow_ls,
            100.0 * b.fraction,
            timestamp::format_date(settings.first_day + b.day as i64),
            b.end_s.map_or("never".into(), timestamp::format)
        );
    }
    Ok(ExitCode::SUCCESS)
}
