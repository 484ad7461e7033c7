//! Solves a network's first period with the solver's debug log on stderr.
//!
//! `cargo run --release --example trace_solve -- FILE.inp`

struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        eprintln!("{}", record.args());
    }
    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;

fn main() {
    log::set_logger(&LOGGER).expect("logger set once");
    log::set_max_level(log::LevelFilter::Trace);
    for arg in std::env::args().skip(1) {
        let read = match pipenet::inp::read_file(std::path::Path::new(&arg)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{arg}: {e}");
                continue;
            }
        };
        let net = &read.network;
        let mut sim = match pipenet::hydraulics::Simulation::new(net) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{arg}: {e}");
                continue;
            }
        };
        let outcome = sim.solve_period();
        eprintln!("{arg}: {outcome:?}");
    }
}
