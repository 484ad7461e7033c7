//! `pipenet balance`: the IWA/AWWA water balance, UARL, ILI and non-revenue water from annual volumes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

use pipenet::leakage::balance::{BalanceVolumes, Infrastructure, RealLossIndicators, WaterBalance};
use pipenet::network::units::{M_PER_FT, PSI_PER_FT};

/// Litres in a US gallon.
const L_PER_GAL: f64 = 3.785_411_784;
/// Kilometres in a mile.
const KM_PER_MILE: f64 = 1.609_344;

/// Units of the inputs and the report.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BalanceUnits {
    /// Volumes in m³, lengths in km, pressure in m of head.
    Si,
    /// Volumes in million US gallons (MG), lengths in miles, pressure in psi.
    Us,
}

impl BalanceUnits {
    fn m3_per_volume(self) -> f64 {
        match self {
            BalanceUnits::Si => 1.0,
            BalanceUnits::Us => 1e6 * L_PER_GAL / 1000.0,
        }
    }
    fn km_per_length(self) -> f64 {
        match self {
            BalanceUnits::Si => 1.0,
            BalanceUnits::Us => KM_PER_MILE,
        }
    }
    fn m_per_pressure(self) -> f64 {
        match self {
            BalanceUnits::Si => 1.0,
            BalanceUnits::Us => M_PER_FT / PSI_PER_FT,
        }
    }
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            BalanceUnits::Si => ("m3", "km", "m"),
            BalanceUnits::Us => ("MG", "mi", "psi"),
        }
    }
}

/// Arguments of `pipenet balance`.
#[derive(Args)]
pub struct BalanceArgs {
    /// Units of the volumes, lengths and pressure given and reported.
    #[arg(long, value_enum, default_value = "si")]
    units: BalanceUnits,
    /// System input volume over the period.
    #[arg(long)]
    system_input: f64,
    /// Billed metered consumption.
    #[arg(long, default_value_t = 0.0)]
    billed_metered: f64,
    /// Billed unmetered consumption.
    #[arg(long, default_value_t = 0.0)]
    billed_unmetered: f64,
    /// Unbilled metered consumption.
    #[arg(long, default_value_t = 0.0)]
    unbilled_metered: f64,
    /// Unbilled unmetered consumption.
    #[arg(long, default_value_t = 0.0)]
    unbilled_unmetered: f64,
    /// Unauthorised consumption.
    #[arg(long, default_value_t = 0.0)]
    unauthorized: f64,
    /// Customer metering inaccuracies.
    #[arg(long, default_value_t = 0.0)]
    metering_errors: f64,
    /// Systematic data handling errors.
    #[arg(long, default_value_t = 0.0)]
    data_errors: f64,
    /// Length of the period, days.
    #[arg(long, default_value_t = 365.0)]
    days: f64,
    /// Number of service connections.
    #[arg(long)]
    connections: Option<f64>,
    /// Length of mains (default: the model's pipes, with --network).
    #[arg(long)]
    mains_length: Option<f64>,
    /// Length of private pipe from property boundary to customer meter, in total.
    #[arg(long, default_value_t = 0.0)]
    private_length: f64,
    /// Average operating pressure (default: the model's, with --network).
    #[arg(long)]
    pressure: Option<f64>,
    /// A model of the system, for the mains length and the average pressure
    /// (base-demand-weighted junction pressure over its run).
    #[arg(long)]
    network: Option<PathBuf>,
}

/// Runs `pipenet balance`.
pub fn run(args: &BalanceArgs) -> Result<ExitCode> {
    let u = args.units;
    let (_, len, pres) = u.names();
    let v = |x: f64| x * u.m3_per_volume();
    let volumes = BalanceVolumes {
        system_input_m3: v(args.system_input),
        billed_metered_m3: v(args.billed_metered),
        billed_unmetered_m3: v(args.billed_unmetered),
        unbilled_metered_m3: v(args.unbilled_metered),
        unbilled_unmetered_m3: v(args.unbilled_unmetered),
        unauthorized_m3: v(args.unauthorized),
        metering_inaccuracies_m3: v(args.metering_errors),
        data_handling_errors_m3: v(args.data_errors),
        period_days: args.days,
    };
    let balance = volumes.balance()?;
    print_balance(&balance, u);

    let (model_length_km, model_pressure_m) = match &args.network {
        Some(path) => {
            let net = super::read(path, false)?;
            let zone = pipenet::leakage::zone::zone_pressure(&net)?;
            let length = pipenet::leakage::zone::mains_length_km(&net);
            println!(
                "model {}: {:.3} {len} of mains, average pressure {:.2} {pres} over {}",
                path.display(),
                length / u.km_per_length(),
                zone.mean_m() / u.m_per_pressure(),
                super::plural(zone.pressure_m.len(), "report time")
            );
            (Some(length), Some(zone.mean_m()))
        }
        None => (None, None),
    };
    let Some(connections) = args.connections else {
        println!("real-loss indicators need --connections (and mains length and pressure)");
        return Ok(ExitCode::SUCCESS);
    };
    let mains_length_km = match (args.mains_length, model_length_km) {
        (Some(l), _) => l * u.km_per_length(),
        (None, Some(l)) => l,
        (None, None) => bail!("give --mains-length or --network for the UARL"),
    };
    let average_pressure_m = match (args.pressure, model_pressure_m) {
        (Some(p), _) => p * u.m_per_pressure(),
        (None, Some(p)) => p,
        (None, None) => bail!("give --pressure or --network for the UARL"),
    };
    if !(mains_length_km > 0.0 && mains_length_km.is_finite()) {
        bail!("the mains length must be more than 0 for the UARL");
    }
    if !(average_pressure_m > 0.0 && average_pressure_m.is_finite()) {
        bail!("the average pressure must be more than 0 for the UARL and ILI");
    }
    let infra = Infrastructure {
        mains_length_km,
        connections,
        private_pipe_km: args.private_length * u.km_per_length(),
        average_pressure_m,
    };
    let indicators = balance.real_loss_indicators(&infra)?;
    print_indicators(&balance, &infra, &indicators, u);
    Ok(ExitCode::SUCCESS)
}

fn print_balance(b: &WaterBalance, u: BalanceUnits) {
    let (vol, _, _) = u.names();
    let show = |x: f64| x / u.m3_per_volume();
    let share = |x: f64| 100.0 * x / b.system_input_m3.max(f64::MIN_POSITIVE);
    println!(
        "water balance over {} {} ({vol}, % of system input)",
        b.period_days,
        if b.period_days == 1.0 { "day" } else { "days" }
    );
    let rows = [
        ("system input volume", b.system_input_m3),
        ("  authorised consumption", b.authorized_m3),
        ("    billed (revenue water)", b.billed_authorized_m3),
        ("    unbilled", b.unbilled_authorized_m3),
        ("  water losses", b.water_losses_m3),
        ("    apparent losses", b.apparent_losses_m3),
        ("    real losses", b.real_losses_m3),
        ("non-revenue water", b.non_revenue_water_m3),
    ];
    for (name, x) in rows {
        println!("  {name:<28} {:>14.3} {:>6.1} %", show(x), share(x));
    }
}

fn print_indicators(
    b: &WaterBalance,
    infra: &Infrastructure,
    ind: &RealLossIndicators,
    u: BalanceUnits,
) {
    let (vol, len, pres) = u.names();
    println!(
        "UARL = (18 x {:.2} km + 0.8 x {} connections + 25 x {:.2} km) x {:.2} m = {:.0} L/day (Lambert et al. 1999)",
        infra.mains_length_km,
        infra.connections,
        infra.private_pipe_km,
        infra.average_pressure_m,
        ind.uarl_litres_per_day
    );
    println!(
        "  unavoidable real losses over the period: {:.3} {vol}",
        ind.uarl_m3 / u.m3_per_volume()
    );
    println!(
        "  current real losses:                     {:.3} {vol}",
        b.real_losses_m3 / u.m3_per_volume()
    );
    println!("  infrastructure leakage index (ILI):      {:.2}", ind.ili);
    match u {
        BalanceUnits::Si => {
            println!(
                "  real losses: {:.1} L/connection/day, {:.2} L/connection/day/m, {:.2} m3/km/day",
                ind.litres_per_connection_day, ind.litres_per_connection_day_m, ind.m3_per_km_day
            );
        }
        BalanceUnits::Us => {
            let gal = ind.litres_per_connection_day / L_PER_GAL;
            println!(
                "  real losses: {:.1} gal/connection/day, {:.3} gal/connection/day/psi, {:.0} gal/mi/day",
                gal,
                gal / (infra.average_pressure_m / u.m_per_pressure()),
                ind.m3_per_km_day * 1000.0 / L_PER_GAL * KM_PER_MILE
            );
        }
    }
    println!(
        "  {:.1} connections per {len}; average pressure {:.2} {pres}",
        ind.connection_density_per_km * u.km_per_length(),
        infra.average_pressure_m / u.m_per_pressure()
    );
    for caveat in &ind.caveats {
        println!("  note: {caveat}");
    }
}
