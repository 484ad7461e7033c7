//! The `pipenet` command line: run and check EPANET networks.

mod balance;
mod batch;
mod burst;
mod dma;
mod export;
mod fireflow;
mod image;
mod isolate;
mod map;
mod night;
mod plot;
mod progress;
mod savings;
mod scenario;
mod sensors;
mod units;
mod zones;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use pipenet::hydraulics::{Element, LinkStatus, SolveOutcome};
use pipenet::report::rpt::clock;
use pipenet::report::{self, Results};
use pipenet::Network;

/// Hydraulic simulation of water distribution networks (EPANET 2.3 `.inp` files).
#[derive(Parser)]
#[command(name = "pipenet", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a network and summarise the results.
    Run {
        /// The EPANET input file.
        network: PathBuf,
        /// Write results to this file: .json, .csv (in --units), or .out
        /// (EPANET's binary results format, always in the file's units, as
        /// EPANET writes it).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Write an EPANET-style text report (status log, energy, flow
        /// balance, node and link tables as the file's [REPORT] asks), in
        /// the file's units as EPANET's is, whatever --units says.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Water quality analysis, overriding the file's QUALITY option:
        /// none, age, chemical or trace:NODE.
        #[arg(long)]
        quality: Option<String>,
        /// Trace every reservoir and tank at once: which source supplies
        /// each node (shares in the JSON results, a table in the summary).
        #[arg(long)]
        sources: bool,
        #[command(flatten)]
        units: units::UnitsArg,
    },
    /// Read and validate a network only: errors, warnings, counts, cut-off parts.
    Check {
        /// The EPANET input file.
        network: PathBuf,
    },
    /// Valve segments, and the valves to close to shut a pipe or node, with what it cuts off.
    Isolate(isolate::IsolateArgs),
    /// Burst a pipe: outflow over time, low pressures, demand not delivered.
    Burst(burst::BurstArgs),
    /// Apply a scenario file's edits, run, summarise; optionally write the edited network.
    Scenario(scenario::ScenarioArgs),
    /// Run many scenarios in parallel, one summary row each.
    Batch(batch::BatchArgs),
    /// Write the network and its results at one time as GeoJSON.
    Export(export::ExportArgs),
    /// Draw the network from its coordinates as SVG or PNG, coloured by a result at one time.
    Map(map::MapArgs),
    /// Time series of chosen nodes and links over the run as an SVG or PNG line chart.
    Plot(plot::PlotArgs),
    /// IWA/AWWA water balance, UARL, ILI and non-revenue water from annual volumes.
    Balance(balance::BalanceArgs),
    /// DMA night flows per day: MNF, leakage, night-day factor, new bursts, meter checks.
    Dma(dma::DmaArgs),
    /// Leakage, burst frequency and pump energy change between two result files.
    Savings(savings::SavingsArgs),
    /// Per hydrant the largest flow with every junction above a residual pressure.
    Fireflow(fireflow::FireFlowArgs),
    /// Pressure-logger sites: critical points, extremities, large users, density, burst detection.
    Sensors(sensors::SensorsArgs),
    /// Pressure zones of one or more layouts: inflow, demand, pressures, leakage, energy, age; ranked.
    Zones(zones::ZonesArgs),
    /// Lower a PRV setting or pump speed at night: pressures, leakage saved, nodes below a minimum.
    NightPressure(night::NightArgs),
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    end_with_an_error_when_output_fails();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            network,
            out,
            report,
            quiet,
            quality,
            sources,
            units,
        } => run(
            &network,
            Outputs {
                results: out.as_deref(),
                report: report.as_deref(),
                units,
            },
            quiet,
            quality.as_deref(),
            sources,
        ),
        Command::Check { network } => check(&network),
        Command::Isolate(args) => isolate::run(&args),
        Command::Burst(args) => burst::run(&args),
        Command::Scenario(args) => scenario::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Map(args) => map::run(&args),
        Command::Plot(args) => plot::run(&args),
        Command::Balance(args) => balance::run(&args),
        Command::Dma(args) => dma::run(&args),
        Command::Savings(args) => savings::run(&args),
        Command::Fireflow(args) => fireflow::run(&args),
        Command::Sensors(args) => sensors::run(&args),
        Command::Zones(args) => zones::run(&args),
        Command::NightPressure(args) => night::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes, "outer: inner", leaving out a cause whose text
/// the message before it already includes (many errors quote their source).
fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// Lets a closed pipe end the program quietly (`pipenet run NET.inp | head`)
/// instead of panicking in `println!`, as command-line tools do on Unix.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Makes a failed write to standard output or error (a full disk, `>
/// /dev/full`) end the program with an error and exit status 2 instead of
/// a panic: `print!` and `println!`, which every command prints with, panic
/// on such a failure, with a message that begins `failed printing to`. Files
/// the command was writing are written whole or not at all
/// ([`write_atomically`]); other panics keep the default report.
fn end_with_an_error_when_output_fails() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // What `PanicHookInfo::payload_as_str` gives, which needs Rust 1.91
        // (the crate's MSRV is 1.88).
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or_default();
        if let Some(cause) = message.strip_prefix("failed printing to stdout: ") {
            // Not eprintln!, which would panic again if stderr failed too.
            let mut stderr = std::io::stderr();
            let _ = writeln!(stderr, "error: cannot write to standard output: {cause}");
            std::process::exit(2);
        }
        if message.starts_with("failed printing to stderr") {
            std::process::exit(2);
        }
        default(info);
    }));
}

/// Reads a network, printing the reader's warnings; reading errors end the command.
fn read(path: &Path, quiet: bool) -> Result<Network> {
    match pipenet::inp::read_file(path) {
        Ok(outcome) => {
            if !quiet {
                for w in &outcome.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(outcome.network)
        }
        Err(e) => bail!("{e}"),
    }
}

/// What the periods of a run did, for the summary.
#[derive(Default)]
struct RunLog {
    /// Every junction's node index and elevation, m, in node order:
    /// gathered once, so that the checks made every period read this short
    /// table rather than every node of the network.
    junctions: Vec<(usize, f64)>,
    periods: usize,
    trials: u64,
    most_trials: (u32, u64),
    /// Periods that did not converge: time, outcome.
    unbalanced: Vec<(u64, SolveOutcome)>,
    /// Junctions cut off from every tank and reservoir over the run.
    cut_off: CutOffLog,
    /// Whether the report written was asked for STATUS FULL, whose trial
    /// log pipenet does not write.
    trial_log_asked: bool,
    /// Valves forced open, with the time of the first time each was.
    forced_valves: Vec<(u64, usize)>,
    halted_at: Option<u64>,
    /// Status changes: links and tanks.
    events: Vec<pipenet::hydraulics::Event>,
    /// Junction pressures over the report times.
    pressure: PressureRange,
    /// How many report times, and the last.
    report_times: usize,
    last_report_s: u64,
    /// Pumps and valves that could not do what is asked of them (EPANET's
    /// warnings 4 and 5): link, status, first time, how many periods.
    strained: Vec<(usize, LinkStatus, u64, usize)>,
    /// `[OPTIONS] TRIALS`, the trials a period may take before EPANET warns.
    trial_limit: u32,
    /// Periods that balanced only after more than TRIALS trials, in the
    /// extra trials of `UNBALANCED CONTINUE n` (EPANET's warning 2, "Maximum
    /// trials exceeded ... System may be unstable"): their times.
    trials_exceeded: Vec<u64>,
    /// EPANET's warning code of the last period that had one (0: none yet).
    warning_code: i32,
}

impl RunLog {
    /// An empty log for a run of `net`.
    fn new(net: &Network) -> Self {
        let junctions = net
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_junction())
            .map(|(i, n)| (i, n.elevation_m))
            .collect();
        RunLog {
            junctions,
            trial_limit: net.options.trials,
            ..RunLog::default()
        }
    }

    /// Takes in a period's EPANET warning code (see
    /// [`report::warnings::warning_code`]); the results file carries the
    /// last that is not 0, as EPANET's does.
    fn record_warning_code(&mut self, code: i32) {
        if code != 0 {
            self.warning_code = code;
        }
    }

    /// Counts a report time, and takes in its junction pressures if the
    /// summary that shows their range is `printed`.
    fn record_report_time(
        &mut self,
        t: u64,
        state: &pipenet::hydraulics::HydraulicState,
        printed: bool,
    ) {
        if printed {
            self.pressure.observe(&self.junctions, t, state);
        }
        self.report_times += 1;
        self.last_report_s = t;
    }

    fn record_strained(&mut self, t: u64, strained: impl Iterator<Item = (usize, LinkStatus)>) {
        for (k, st) in strained {
            match self.strained.iter_mut().find(|e| e.0 == k && e.1 == st) {
                Some(e) => e.3 += 1,
                None => self.strained.push((k, st, t, 1)),
            }
        }
    }

    fn record(
        &mut self,
        t: u64,
        outcome: &SolveOutcome,
        state: &pipenet::hydraulics::HydraulicState,
    ) {
        self.periods += 1;
        self.trials += u64::from(outcome.iterations);
        if outcome.iterations > self.most_trials.0 {
            self.most_trials = (outcome.iterations, t);
        }
        if !outcome.converged || outcome.singular_at.is_some() {
            self.unbalanced.push((t, outcome.clone()));
        } else if outcome.iterations > self.trial_limit {
            self.trials_exceeded.push(t);
        }
        self.cut_off.record(t, &outcome.disconnected, state);
        for &k in &outcome.forced_valves {
            if !self.forced_valves.iter().any(|&(_, v)| v == k) {
                self.forced_valves.push((t, k));
            }
        }
    }
}

/// Junctions cut off from every tank and reservoir over a run: in how many
/// periods and between which times, and the period with the most of them.
#[derive(Default)]
struct CutOffLog {
    periods: usize,
    first_s: u64,
    last_s: u64,
    /// The (first) period with the most junctions cut off: its time, the
    /// junctions, and how many of them asked for water.
    most: Option<(u64, Vec<usize>, usize)>,
}

impl CutOffLog {
    fn record(&mut self, t: u64, cut_off: &[usize], state: &pipenet::hydraulics::HydraulicState) {
        if cut_off.is_empty() {
            return;
        }
        if self.periods == 0 {
            self.first_s = t;
        }
        self.periods += 1;
        self.last_s = t;
        if self.most.as_ref().is_none_or(|m| cut_off.len() > m.1.len()) {
            let asking = cut_off
                .iter()
                .filter(|&&i| state.full_demand_m3s[i] > 0.0)
                .count();
            self.most = Some((t, cut_off.to_vec(), asking));
        }
    }

    fn print(&self, net: &Network, periods: usize) {
        let Some((t, junctions, asking)) = &self.most else {
            return;
        };
        println!(
            "  warning: junctions cut off from every tank and reservoir in {} of {periods} \
             periods, from {} to {} (no demand is delivered to them)",
            self.periods,
            clock(self.first_s),
            clock(self.last_s)
        );
        println!(
            "    most at {}: {} junctions, {asking} of them asking for water (the .rpt lists \
             those as disconnected): {}",
            clock(*t),
            junctions.len(),
            node_list(net, junctions)
        );
    }
}

/// The files `run` writes besides its summary.
#[derive(Clone, Copy)]
struct Outputs<'a> {
    /// Results (.json, .csv or .out).
    results: Option<&'a Path>,
    /// EPANET-style text report.
    report: Option<&'a Path>,
    /// Units of the summary and of .json/.csv results.
    units: units::UnitsArg,
}

fn run(
    path: &Path,
    outputs: Outputs<'_>,
    quiet: bool,
    quality: Option<&str>,
    sources: bool,
) -> Result<ExitCode> {
    let started = Instant::now();
    let out = outputs.results;
    let format = out.map(|o| check_run_output(path, o)).transpose()?;
    if let Some(r) = outputs.report {
        check_target(path, r)?;
        if let Some(o) = out {
            // Not the same file twice, through a link or a different spelling.
            let same =
                o == r || matches!((o.canonicalize(), r.canonicalize()), (Ok(a), Ok(b)) if a == b);
            if same {
                bail!("{}: given as both --out and --report", r.display());
            }
        }
    }
    let keep_results = out.is_some() || outputs.report.is_some();
    let mut net = read(path, quiet)?;
    let units = outputs.units.of(&net);
    let read_time = started.elapsed();

    // `--quality` replaces the file's analysis, so that the .out, .rpt and
    // JSON describe the analysis run (its name, units and trace node).
    if let Some(spec) = quality {
        net.options.quality.kind = pipenet::quality::kind_from_spec(&net, spec)?;
    }
    let kind = net.options.quality.kind.clone();
    let mut sim = pipenet::hydraulics::Simulation::new(&net)
        .with_context(|| format!("{}: cannot simulate", path.display()))?;
    // No quality analysis: nothing is built for it (on a large network its
    // segments and per-link data would be a few MB).
    let mut qual = match kind {
        pipenet::network::QualityKind::None => None,
        _ => Some(pipenet::quality::QualitySimulation::new(&net, &kind)?),
    };
    let mut supply = if sources {
        Some(pipenet::quality::SourceTrace::new(&net)?)
    } else {
        None
    };
    let mut shares = report::SourceShares::default();
    if let Some(st) = &supply {
        shares.sources = st.sources().to_vec();
        shares.is_reservoir = st
            .sources()
            .iter()
            .map(|&i| matches!(net.nodes[i].kind, pipenet::network::NodeKind::Reservoir(_)))
            .collect();
    }
    let mut results = Results::default();
    let mut log = RunLog::new(&net);
    let mut status_log = outputs
        .report
        .map(|_| report::rpt::StatusLog::new(&net, &kind));
    log.trial_log_asked = status_log.as_ref().is_some_and(|s| s.asks_for_trial_log());
    let mut progress = progress::RunProgress::new(net.times.duration_s, quiet);
    loop {
        progress.update(sim.time_s());
        let outcome = sim.solve_period();
        log.record(sim.time_s(), &outcome, sim.state());
        log.record_strained(sim.time_s(), sim.strained_links());
        if out.is_some() {
            // Only the warning flag of a results file tells of it.
            let strained = sim.strained_links();
            let code = report::warnings::warning_code(&net, &outcome, sim.state(), strained);
            log.record_warning_code(code);
        }
        if let Some(status) = &mut status_log {
            status.observe(
                sim.time_s(),
                &outcome,
                sim.state(),
                sim.events(),
                sim.strained_links(),
            );
        }
        if let Some(q) = &mut qual {
            q.load_hydraulics(sim.state());
        }
        if let Some(st) = &mut supply {
            st.load_hydraulics(sim.state());
        }
        // Results carry the report time they stand for (EPANET's label).
        if let Some(report_s) = sim.report_time_s() {
            if let Some(st) = &supply {
                // As for the snapshots: every report time only when written;
                // the summary needs the last one alone.
                if out.is_none() {
                    shares.percent.clear();
                }
                shares.percent.push(
                    (0..st.sources().len())
                        .map(|s| {
                            (0..net.nodes.len())
                                .map(|i| st.share_percent(s, i))
                                .collect()
                        })
                        .collect(),
                );
            }
            // Results are held only when they are written: a long run of a
            // large network would otherwise keep every report time in memory
            // (and copying the state each time is work wasted when nothing
            // is written).
            log.record_report_time(report_s, sim.state(), !quiet);
            if keep_results {
                results
                    .snapshots
                    .push(report::Snapshot::of(report_s, sim.state()));
                if let Some(q) = &qual {
                    results
                        .quality
                        .push(report::QualitySnapshot::of(report_s, q));
                }
            }
        }
        let step = sim.advance();
        if let Some(q) = &mut qual {
            q.advance(step);
        }
        if let Some(st) = &mut supply {
            st.advance(step);
        }
        if step == 0 {
            if sim.halted() {
                log.halted_at = Some(sim.time_s());
            }
            break;
        }
    }
    progress.finish();
    let solve_time = started.elapsed() - read_time;
    log.events = sim.events().to_vec();
    let energy = sim.energy();
    let balance = sim.flow_balance();

    if sources {
        results.sources = Some(shares);
    }
    let run_info = report::out::RunInfo {
        input_name: &path.display().to_string(),
        report_name: &outputs
            .report
            .map(|r| r.display().to_string())
            .unwrap_or_default(),
        energy: &energy,
        warning_flag: log.warning_code,
        reactions: qual.as_ref().map(|q| q.reaction_mass()).unwrap_or_default(),
    };
    if let (Some(out), Some(format)) = (out, format) {
        write_run_results(out, format, &net, &units, &results, &run_info)?;
    }
    if let (Some(rpt), Some(status)) = (outputs.report, status_log) {
        let body = report::rpt::Report {
            network: &net,
            input_name: run_info.input_name,
            status: &status,
            results: &results,
            energy: &energy,
            balance: &balance,
            mass_balance: qual.as_ref().map(|q| (q.mass_balance(), q.segment_count())),
        };
        write_atomically(rpt, |w| Ok(body.write(w)?))?;
    }
    if !quiet {
        print_summary(&net, &units, path, &log);
        if let Some(sh) = &results.sources {
            print_supply(&net, sh);
        }
        print!("{}", report::text::flow_balance_in(&units, &balance));
        print!("{}", report::text::energy_table_in(&net, &units, &energy));
        println!(
            "time: read {:.1} ms, simulate {:.1} ms",
            read_time.as_secs_f64() * 1e3,
            solve_time.as_secs_f64() * 1e3
        );
        if let Some(out) = out {
            println!("results written to {}", out.display());
            if format == Some("csv") {
                // The CSV's header names quantities only (see report::csv).
                println!(
                    "  units: {}",
                    report::csv::units_note(&net, &units, &results)
                );
            }
        }
    }
    let code = if log.unbalanced.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    // The process ends next: freeing the network, the simulation and the
    // results piece by piece (tens of thousands of allocations on a large
    // network) would only delay the exit, as the system takes back all of
    // the memory at once.
    std::mem::forget((sim, qual, supply, results));
    std::mem::forget(net);
    Ok(code)
}

fn check(path: &Path) -> Result<ExitCode> {
    let net = read(path, false)?;
    println!("{}: read without errors", path.display());
    print_counts(&net);
    let mut sim = pipenet::hydraulics::Simulation::new(&net)
        .with_context(|| format!("{}: cannot simulate", path.display()))?;
    println!("hydraulic model: ok");
    // The first period tells which parts the initial statuses and controls
    // cut off, and whether the network can be solved at all.
    let outcome = sim.solve_period();
    if outcome.converged {
        println!(
            "first period: converged in {}",
            plural(outcome.iterations as usize, "trial")
        );
    } else {
        println!(
            "first period: DID NOT CONVERGE in {} (largest flow change at {})",
            plural(outcome.iterations as usize, "trial"),
            element_name(&net, outcome.max_flow_change.1)
        );
    }
    if !outcome.disconnected.is_empty() {
        println!(
            "  warning: at t = 0, {} {} cut off from every tank and reservoir: {}",
            plural(outcome.disconnected.len(), "junction"),
            agree(outcome.disconnected.len(), "is", "are"),
            node_list(&net, &outcome.disconnected)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_counts(net: &Network) {
    use pipenet::network::{LinkKind, NodeKind};
    let count = |f: &dyn Fn(&NodeKind) -> bool| net.nodes.iter().filter(|n| f(&n.kind)).count();
    let junctions = count(&|k| matches!(k, NodeKind::Junction(_)));
    let reservoirs = count(&|k| matches!(k, NodeKind::Reservoir(_)));
    let tanks = count(&|k| matches!(k, NodeKind::Tank(_)));
    let lcount = |f: &dyn Fn(&LinkKind) -> bool| net.links.iter().filter(|l| f(&l.kind)).count();
    let pipes = lcount(&|k| matches!(k, LinkKind::Pipe(_)));
    let pumps = lcount(&|k| matches!(k, LinkKind::Pump(_)));
    let valves = lcount(&|k| matches!(k, LinkKind::Valve(_)));
    println!(
        "{} ({}, {}, {}), {} ({}, {}, {})",
        plural(net.nodes.len(), "node"),
        plural(junctions, "junction"),
        plural(reservoirs, "reservoir"),
        plural(tanks, "tank"),
        plural(net.links.len(), "link"),
        plural(pipes, "pipe"),
        plural(pumps, "pump"),
        plural(valves, "valve"),
    );
}

/// The worker threads of `--threads N`: N, or for 0 every core the system
/// offers (1 if it cannot tell).
pub(crate) fn threads(asked: usize) -> usize {
    if asked > 0 {
        return asked;
    }
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Counts in words ("1 period", "2 periods"), as the library writes them.
pub(crate) use pipenet::report::{agree, plural};

fn print_summary(net: &Network, units: &report::ReportUnits, path: &Path, log: &RunLog) {
    println!("{}", path.display());
    print_counts(net);
    if let Some(what) = statistic_words(net.times.statistic) {
        println!(
            "note: [TIMES] STATISTIC: the .out and the .rpt tables hold the {what} over the \
             report times, as EPANET writes them; the summary, JSON and CSV keep every report time"
        );
    }
    println!(
        "hydraulics: {} to {}, {} (most {} at {}), {}",
        plural(log.periods, "period"),
        clock(log.last_report_s),
        plural(log.trials as usize, "trial"),
        log.most_trials.0,
        clock(log.most_trials.1),
        plural(log.report_times, "report time")
    );
    if let Some(t) = log.halted_at {
        println!(
            "  STOPPED at {}: the period did not converge and [OPTIONS] UNBALANCED is STOP \
             (use UNBALANCED CONTINUE to carry on)",
            clock(t)
        );
    }
    for (t, outcome) in log.unbalanced.iter().take(5) {
        let (dq, at) = outcome.max_flow_change;
        println!(
            "  {}: DID NOT CONVERGE in {} (relative flow change {:.2e}); \
             largest flow change {:.4} {} at {}",
            clock(*t),
            plural(outcome.iterations as usize, "trial"),
            outcome.relative_error,
            units.flow(dq),
            units.flow_name(),
            element_name(net, at)
        );
        if let Some(node) = outcome.singular_at {
            println!(
                "    the equations are singular at node {} (EPANET error 110): check the links around it",
                net.nodes[node].id
            );
        }
    }
    if log.unbalanced.len() > 5 {
        println!(
            "  ... and {}",
            plural(log.unbalanced.len() - 5, "more unconverged period")
        );
    }
    print_trials_exceeded(net, log);
    for &(t, k) in &log.forced_valves {
        println!(
            "  warning: {}: valve {} could not hold its setting and was opened",
            clock(t),
            net.links[k].id
        );
    }
    log.cut_off.print(net, log.periods);
    for &(k, st, t, n) in log.strained.iter().take(10) {
        let what = match st {
            LinkStatus::XHead => "is closed: it cannot deliver the head asked of it",
            LinkStatus::XFlow => "is open but exceeds its maximum flow",
            LinkStatus::XFcv => "cannot deliver its flow setting",
            _ => "cannot deliver its pressure setting",
        };
        let l = &net.links[k];
        println!(
            "  warning: {} {} {what} (from {}, {})",
            l.kind_name(),
            l.id,
            clock(t),
            plural(n, "period")
        );
    }
    if log.strained.len() > 10 {
        println!(
            "  ... and {}",
            plural(log.strained.len() - 10, "more such warning")
        );
    }
    print_status_changes(net, &log.events);
    log.pressure.print(net, units);
    if log.trial_log_asked {
        println!(
            "note: [REPORT] STATUS FULL: the report has the status log of STATUS YES; \
             pipenet does not write EPANET's trial-by-trial log"
        );
    }
}

/// The periods that balanced only in the extra trials of `UNBALANCED
/// CONTINUE n`, which EPANET's report flags as "Maximum trials exceeded ...
/// System may be unstable" (the unbalanced ones are listed above them).
fn print_trials_exceeded(net: &Network, log: &RunLog) {
    let times = &log.trials_exceeded;
    if times.is_empty() {
        return;
    }
    const SHOWN: usize = 6;
    let mut listed: Vec<String> = times.iter().take(SHOWN).map(|&t| clock(t)).collect();
    if times.len() > SHOWN {
        listed.push(format!("and {} more", times.len() - SHOWN));
    }
    let extra = match net.options.unbalanced {
        pipenet::network::Unbalanced::Continue { extra_trials } => {
            format!(" (UNBALANCED CONTINUE {extra_trials})")
        }
        _ => String::new(),
    };
    println!(
        "  warning: maximum trials exceeded: {} balanced only after more than \
         TRIALS {}, in the extra trials{extra}: {}; the system may be unstable",
        plural(times.len(), "period"),
        log.trial_limit,
        listed.join(", ")
    );
}

/// What a `[TIMES] STATISTIC` reports instead of every report time.
fn statistic_words(statistic: pipenet::network::Statistic) -> Option<&'static str> {
    use pipenet::network::Statistic;
    match statistic {
        Statistic::None => None,
        Statistic::Average => Some("averages"),
        Statistic::Minimum => Some("minima"),
        Statistic::Maximum => Some("maxima"),
        Statistic::Range => Some("ranges (maximum minus minimum)"),
    }
}

/// Status changes: how many links changed, and the first few changes.
fn print_status_changes(net: &Network, events: &[pipenet::hydraulics::Event]) {
    use pipenet::hydraulics::{status_word, Event, TankLevel};
    if events.is_empty() {
        return;
    }
    let (mut links, mut tanks) = (0, 0);
    for e in events {
        match e {
            Event::Link { .. } => links += 1,
            Event::Tank { .. } => tanks += 1,
            Event::Control { .. } => {}
        }
    }
    println!("status changes: {links} by links, {tanks} by tanks");
    const SHOWN: usize = 12;
    let events: Vec<&Event> = events
        .iter()
        .filter(|e| !matches!(e, Event::Control { .. }))
        .collect();
    for &e in events.iter().take(SHOWN) {
        match *e {
            Event::Link {
                time_s,
                link,
                from,
                to,
            } => {
                let l = &net.links[link];
                println!(
                    "  {:>10}  {} {} {} -> {}",
                    clock(time_s),
                    l.kind_name(),
                    l.id,
                    status_word(from),
                    status_word(to)
                );
            }
            Event::Tank {
                time_s,
                node,
                level,
            } => {
                let word = match level {
                    TankLevel::Full => "full",
                    TankLevel::Empty => "empty",
                    TankLevel::Between => "between its limits",
                };
                println!(
                    "  {:>10}  Tank {} is {word}",
                    clock(time_s),
                    net.nodes[node].id
                );
            }
            Event::Control { .. } => {}
        }
    }
    if events.len() > SHOWN {
        println!("  ... {} more", events.len() - SHOWN);
    }
}

/// Which source supplies which junctions at the last report time:
/// reservoirs by their largest share, tanks by the junctions that get more
/// than half their water through them.
fn print_supply(net: &Network, sh: &report::SourceShares) {
    let Some(t) = sh.percent.len().checked_sub(1) else {
        return;
    };
    let junctions = || (0..net.nodes.len()).filter(|&i| net.nodes[i].is_junction());
    println!("supply at the last report time:");
    println!(
        "  {:<16} {:>10} {:>14}",
        "source", "junctions", "mean share %"
    );
    for (s, &src) in sh.sources.iter().enumerate() {
        let served: Vec<usize> = if sh.is_reservoir[s] {
            junctions()
                .filter(|&i| sh.dominant(t, i) == Some(s))
                .collect()
        } else {
            junctions()
                .filter(|&i| sh.percent[t][s][i] > 50.0)
                .collect()
        };
        let mean = if served.is_empty() {
            0.0
        } else {
            served.iter().map(|&i| sh.percent[t][s][i]).sum::<f64>() / served.len() as f64
        };
        let what = if sh.is_reservoir[s] {
            "largest share"
        } else {
            "tank: over half through it"
        };
        println!(
            "  {:<16} {:>10} {:>14.1}  ({what})",
            net.nodes[src].id,
            served.len(),
            mean
        );
    }
    let none = junctions().filter(|&i| sh.dominant(t, i).is_none()).count();
    if none > 0 {
        println!(
            "  {} {} no traced water yet (the water there is older than the run)",
            plural(none, "junction"),
            agree(none, "has", "have")
        );
    }
}

/// The ids of the first ten nodes of `nodes`, and "..." if there are more.
fn node_list(net: &Network, nodes: &[usize]) -> String {
    let names: Vec<&str> = nodes
        .iter()
        .take(10)
        .map(|&i| net.nodes[i].id.as_str())
        .collect();
    let more = if nodes.len() > 10 { ", ..." } else { "" };
    format!("{}{more}", names.join(", "))
}

/// The lowest and highest junction pressure over the report times;
/// junctions cut off at a time (no demand delivered) are left out there.
/// A pressure head no network reaches, m: 1 km of water, 100 bar.
pub(crate) const IMPLAUSIBLE_PRESSURE_M: f64 = 1000.0;

/// A junction pressure in m of water head, where and when it was seen.
type PressureAt = (f64, usize, u64);

/// The lowest and highest junction pressure seen over the report times.
#[derive(Default)]
struct PressureRange {
    range: Option<(PressureAt, PressureAt)>,
}

impl PressureRange {
    /// Takes in the pressures at `junctions` (node index, elevation m) at
    /// report time `time_s`; junctions cut off then (no demand delivered)
    /// are left out.
    fn observe(
        &mut self,
        junctions: &[(usize, f64)],
        time_s: u64,
        state: &pipenet::hydraulics::HydraulicState,
    ) {
        // Kept in locals through the loop; the first junction seen at the
        // lowest (highest) pressure stays.
        let mut range = self.range;
        for &(i, elevation_m) in junctions {
            if !state.connected[i] {
                continue;
            }
            let p = state.head_m[i] - elevation_m;
            match &mut range {
                None => range = Some(((p, i, time_s), (p, i, time_s))),
                Some((lo, hi)) => {
                    if p < lo.0 {
                        *lo = (p, i, time_s);
                    }
                    if p > hi.0 {
                        *hi = (p, i, time_s);
                    }
                }
            }
        }
        self.range = range;
    }

    fn print(&self, net: &Network, units: &report::ReportUnits) {
        let Some(((lo_m, i_lo, t_lo), (hi_m, i_hi, t_hi))) = self.range else {
            if net.nodes.iter().any(|n| n.is_junction()) {
                println!(
                    "junction pressure: none, every junction is cut off from every tank and \
                     reservoir at every report time"
                );
            }
            return;
        };
        let (lo, hi) = (units.pressure(lo_m), units.pressure(hi_m));
        let units = units.pressure_name();
        println!(
            "junction pressure: min {lo:.2} {units} at {} ({}), max {hi:.2} {units} at {} ({})",
            net.nodes[i_lo].id,
            clock(t_lo),
            net.nodes[i_hi].id,
            clock(t_hi)
        );
        if lo_m < 0.0 {
            println!("  warning: negative pressures at some junctions (demands may not be met)");
        }
        // Far beyond anything a real network shows: usually a unit mistake.
        if lo_m < -IMPLAUSIBLE_PRESSURE_M {
            println!(
                "  warning: a pressure of {lo:.4e} {units} at {} cannot be real: check the \
                 units of diameters (FLOW UNITS set them: inches or mm) and roughness, and \
                 demands far beyond what the pipes can carry",
                net.nodes[i_lo].id
            );
        }
    }
}

fn element_name(net: &Network, e: Element) -> String {
    match e {
        Element::Node(i) => format!("node {}", net.nodes[i].id),
        Element::Link(k) => format!("link {}", net.links[k].id),
        Element::None => "nowhere in particular".to_string(),
    }
}

/// [`check_target`] against every input a command reads.
pub(crate) fn check_target_against(inputs: &[&Path], out: &Path) -> Result<()> {
    inputs.iter().try_for_each(|input| check_target(input, out))
}

/// Checks, before any work is done, that a file can be written at `out`:
/// not over the input, not onto a folder, into a folder that exists.
pub(crate) fn check_target(input: &Path, out: &Path) -> Result<()> {
    let same = match (input.canonicalize(), out.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        bail!(
            "{}: the output file would overwrite the input",
            out.display()
        );
    }
    if out.is_dir() {
        bail!("{}: is a folder; give a file name", out.display());
    }
    let dir = output_dir(out);
    if !dir.is_dir() {
        bail!(
            "{}: the folder {} does not exist",
            out.display(),
            dir.display()
        );
    }
    Ok(())
}

/// Checks, before any work is done, that results can go to `out`
/// ([`check_target`]) as .json or .csv. Returns the format.
fn check_output(input: &Path, out: &Path) -> Result<&'static str> {
    match check_run_output(input, out)? {
        "out" => bail!(
            "{}: EPANET binary results are written by `pipenet run` only (use .json or .csv)",
            out.display()
        ),
        format => Ok(format),
    }
}

/// Checks, before any work is done, that results can go to `out`
/// ([`check_target`]) with a known extension. Returns the format.
fn check_run_output(input: &Path, out: &Path) -> Result<&'static str> {
    check_target(input, out)?;
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "json" => Ok("json"),
        Some(e) if e == "csv" => Ok("csv"),
        Some(e) if e == "out" => Ok("out"),
        _ => bail!(
            "{}: unknown results format (use .json, .csv or .out)",
            out.display()
        ),
    }
}

/// The folder a results file goes into.
fn output_dir(out: &Path) -> &Path {
    out.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes .json or .csv results whole or not at all; `input` is the
/// network's file.
fn write_results(
    out: &Path,
    format: &str,
    net: &Network,
    units: &report::ReportUnits,
    input: &Path,
    results: &Results,
) -> Result<()> {
    let name = input
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("network");
    write_atomically(out, |w| {
        match format {
            "json" => report::json::write(w, net, units, name, results)?,
            _ => report::csv::write(w, net, units, results)?,
        }
        Ok(())
    })
}

/// Writes the results of `pipenet run` whole or not at all, .out included.
fn write_run_results(
    out: &Path,
    format: &str,
    net: &Network,
    units: &report::ReportUnits,
    results: &Results,
    run: &report::out::RunInfo<'_>,
) -> Result<()> {
    let name = Path::new(run.input_name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("network");
    write_atomically(out, |w| {
        match format {
            "json" => report::json::write(w, net, units, name, results)?,
            "out" => report::out::write(w, net, results, run)?,
            _ => report::csv::write(w, net, units, results)?,
        }
        Ok(())
    })
}

/// Writes a file whole or not at all: to a temporary file beside the
/// target, renamed over it once complete.
pub(crate) fn write_atomically(
    out: &Path,
    body: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    // A link is written through, to the file it points at; a pipe or a
    // device (`/dev/stdout`) is written into directly, never replaced.
    let resolved;
    let out = match std::fs::canonicalize(out) {
        Ok(target) if out.is_symlink() => {
            resolved = target;
            resolved.as_path()
        }
        _ => out,
    };
    if std::fs::metadata(out).is_ok_and(|m| !m.is_file()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        let mut w = std::io::BufWriter::new(file);
        body(&mut w).with_context(|| format!("cannot write {}", out.display()))?;
        return w
            .into_inner()
            .map(drop)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", out.display(), e.error()));
    }
    let file_name = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("results");
    let tmp = output_dir(out).join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        body(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, out)?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.context(format!("cannot write {}", out.display())));
    }
    Ok(())
}
