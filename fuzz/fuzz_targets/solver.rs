//! Fuzz target: the hydraulic solver over small generated networks, one period and a short EPS.
//!
//! The fuzz input is decoded (through `arbitrary`) into the choices that
//! make one network of up to 12 junctions: a spanning tree of pipes from
//! one or two reservoirs and maybe a tank, extra pipes closing loops, up
//! to two pumps and two control valves anywhere, emitters, a demand
//! pattern, simple controls, demand- or pressure-driven demands, in one of
//! three unit systems and three head-loss formulas. The network is written
//! as `.inp` text, read, and run period by period for up to a day.
//!
//! Reading may reject the network (valve rules, say) and building the model
//! may fail: both are typed errors. A period may not converge: that is a
//! reported outcome. What must hold is that nothing panics and that every
//! converged period has finite heads and flows and conserves mass at every
//! junction that is connected to a source, except where EPANET 2.3 cuts a
//! trial's flow step short (see `clipped_junctions`): there a converged
//! solution need not balance, and pipenet follows EPANET.

#![no_main]

use std::fmt::Write as _;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pipenet::hydraulics::{HydraulicState, Simulation};
use pipenet::network::{DemandModel, LinkKind, Network, PumpModel};

/// At most this many junctions, pipes, pumps, valves, emitters and controls.
const MAX_JUNCTIONS: usize = 12;
const MAX_EXTRA_PIPES: usize = 8;
const MAX_PUMPS: usize = 2;
const MAX_VALVES: usize = 2;
const MAX_EMITTERS: usize = 3;
const MAX_CONTROLS: usize = 3;
/// At most this many hydraulic periods are solved.
const MAX_PERIODS: usize = 60;

/// Continuity may be off by this fraction of the water supplied, plus a
/// rounding allowance for each link at the junction (see [`rounding_m3s`]).
const CONTINUITY_RELATIVE: f64 = 1e-6;
/// The largest conductance a link gets, m³/s per m of head: a pipe at
/// EPANET's smallest head-loss gradient, RQTOL = 1e-7 ft/cfs.
const MAX_CONDUCTANCE_M2S: f64 = 1.0 / (1e-7 * 0.3048 / 0.028316846592);

#[derive(Debug, Arbitrary)]
enum Units {
    Lps,
    Gpm,
    Cmh,
}

#[derive(Debug, Arbitrary)]
enum Headloss {
    HazenWilliams,
    DarcyWeisbach,
    ChezyManning,
}

/// A junction: elevation, base demand, whether it follows the pattern, and
/// the node it hangs from (a pick among the sources and earlier junctions).
#[derive(Debug, Arbitrary)]
struct JunctionSpec {
    elevation: u8,
    demand: i8,
    patterned: bool,
    parent: u8,
    pipe: PipeSpec,
}

/// A pipe's numbers; its two nodes are given by where it is used.
#[derive(Debug, Arbitrary)]
struct PipeSpec {
    length: u16,
    diameter: u8,
    roughness: u8,
    minor_loss: u8,
    status: u8,
}

#[derive(Debug, Arbitrary)]
struct ExtraPipe {
    from: u8,
    to: u8,
    pipe: PipeSpec,
}

#[derive(Debug, Arbitrary)]
enum PumpLaw {
    OnePoint { flow: u8, head: u8 },
    ThreePoint { flow: u8, head: u8 },
    Multipoint { heads: Vec<u8>, flow_step: u8 },
    Power { kw: u8 },
}

#[derive(Debug, Arbitrary)]
struct PumpSpec {
    from: u8,
    to: u8,
    law: PumpLaw,
    speed: Option<u8>,
    closed: bool,
}

#[derive(Debug, Arbitrary)]
struct ValveSpec {
    from: u8,
    to: u8,
    kind: u8,
    diameter: u8,
    setting: u8,
    status: u8,
}

#[derive(Debug, Arbitrary)]
struct TankSpec {
    elevation: u8,
    initial: u8,
    min: u8,
    max: u8,
    diameter: u8,
    overflow: bool,
    link_to: u8,
}

#[derive(Debug, Arbitrary)]
enum Condition {
    AtTime { hours: u8 },
    NodeAbove { node: u8, value: u8 },
    NodeBelow { node: u8, value: u8 },
}

#[derive(Debug, Arbitrary)]
struct ControlSpec {
    link: u8,
    open: bool,
    condition: Condition,
}

/// Everything that makes one network and its run.
#[derive(Debug, Arbitrary)]
struct Spec {
    units: Units,
    headloss: Headloss,
    pressure_driven: bool,
    continue_unbalanced: bool,
    reservoir_heads: (u8, Option<u8>),
    second_reservoir_at: u8,
    tank: Option<TankSpec>,
    junctions: Vec<JunctionSpec>,
    extra_pipes: Vec<ExtraPipe>,
    pumps: Vec<PumpSpec>,
    valves: Vec<ValveSpec>,
    emitters: Vec<(u8, u8)>,
    pattern: Vec<u8>,
    controls: Vec<ControlSpec>,
    duration_h: u8,
    hydraulic_step_min: u8,
}

fuzz_target!(|spec: Spec| {
    let Some(text) = inp_text(&spec) else {
        return;
    };
    let Ok(outcome) = pipenet::inp::read_str(&text, "generated.inp") else {
        return;
    };
    run(&outcome.network, &text);
});

/// Solves every period of the run and checks each converged one.
fn run(net: &Network, text: &str) {
    let Ok(mut sim) = Simulation::new(net) else {
        return;
    };
    for _ in 0..MAX_PERIODS {
        let outcome = sim.solve_period();
        if outcome.converged && outcome.singular_at.is_none() {
            check_solution(net, &sim, text);
        }
        if sim.advance() == 0 {
            break;
        }
    }
}

/// Finite heads and flows, and continuity at every connected junction.
fn check_solution(net: &Network, sim: &Simulation, text: &str) {
    let state = sim.state();
    let t = sim.time_s();
    assert!(
        state.head_m.iter().all(|h| h.is_finite()),
        "converged at {t} s with a non-finite head\n{text}"
    );
    assert!(
        state.flow_m3s.iter().all(|q| q.is_finite()),
        "converged at {t} s with a non-finite flow\n{text}"
    );

    let mut inflow_m3s = vec![0.0; net.nodes.len()];
    for (k, link) in net.links.iter().enumerate() {
        inflow_m3s[link.to.ix()] += state.flow_m3s[k];
        inflow_m3s[link.from.ix()] -= state.flow_m3s[k];
    }
    let supplied_m3s: f64 = (0..net.nodes.len())
        .filter(|&i| !net.nodes[i].is_junction())
        .map(|i| state.node_demand_m3s[i].abs())
        .sum();
    let mut links_at = vec![0usize; net.nodes.len()];
    for link in &net.links {
        links_at[link.to.ix()] += 1;
        links_at[link.from.ix()] += 1;
    }
    let rounding_m3s = rounding_m3s(&state.head_m);
    let clipped = clipped_junctions(net, state);
    for (i, node) in net.nodes.iter().enumerate() {
        if !node.is_junction() || !state.connected[i] || clipped[i] {
            continue;
        }
        let tolerance_m3s = CONTINUITY_RELATIVE * supplied_m3s + links_at[i] as f64 * rounding_m3s;
        let residual_m3s = inflow_m3s[i]
            - state.demand_flow_m3s[i]
            - state.emitter_flow_m3s[i]
            - state.leakage_flow_m3s[i];
        assert!(
            residual_m3s.abs() <= tolerance_m3s,
            "continuity off by {residual_m3s:e} m3/s at junction {} at {t} s \
             (tolerance {tolerance_m3s:e})\n{text}",
            node.id
        );
    }
}

/// The junctions whose last flow step EPANET 2.3, and pipenet after it,
/// may cut short, so that a converged solution need not balance there:
/// under PDA each trial's change of a junction's demand is limited to 40 %
/// of its full demand; a constant-power pump's flow change is halved
/// whenever it would reverse the flow (also once the pump is closed); and
/// an active PRV or PSV passes the flow that balanced its controlled node
/// in the trial before, which at a dead end may be all the flow there is.
fn clipped_junctions(net: &Network, state: &HydraulicState) -> Vec<bool> {
    let pressure_driven = net.options.demand_model == DemandModel::Pda;
    let mut clipped: Vec<bool> = state
        .full_demand_m3s
        .iter()
        .map(|&demand| pressure_driven && demand > 0.0)
        .collect();
    for link in &net.links {
        let stepped = match &link.kind {
            LinkKind::Pump(pump) => matches!(pump.model, PumpModel::ConstantPower(_)),
            LinkKind::Valve(_) => true,
            LinkKind::Pipe(_) => false,
        };
        if stepped {
            clipped[link.from.ix()] = true;
            clipped[link.to.ix()] = true;
        }
    }
    clipped
}

/// The flow error one link can carry from heads that are exact to
/// rounding alone, m³/s: a link's flow is updated as `Q - Y + P ΔH`, so a
/// head known to a few ulps of the largest head gives an error of `P`
/// times that, and `P` reaches `1 / RQTOL` on a pipe with almost no flow.
/// The allowance is 64 ulps, for the rounding of the linear solve.
fn rounding_m3s(head_m: &[f64]) -> f64 {
    let largest_head_m = head_m.iter().fold(1.0_f64, |m, h| m.max(h.abs()));
    64.0 * f64::EPSILON * largest_head_m * MAX_CONDUCTANCE_M2S
}

/// The `.inp` text of the network the spec describes, or `None` if it has
/// no junctions.
fn inp_text(s: &Spec) -> Option<String> {
    let junctions = &s.junctions[..s.junctions.len().min(MAX_JUNCTIONS)];
    if junctions.is_empty() {
        return None;
    }
    let mut sources = vec!["R1".to_string()];
    if s.reservoir_heads.1.is_some() {
        sources.push("R2".to_string());
    }
    if s.tank.is_some() {
        sources.push("T1".to_string());
    }
    let mut nodes = sources.clone();
    nodes.extend((1..=junctions.len()).map(|j| format!("J{j}")));
    let node = |pick: u8| nodes[pick as usize % nodes.len()].as_str();
    let us = matches!(s.units, Units::Gpm);

    let mut t = String::from("[TITLE]\nfuzz\n\n[JUNCTIONS]\n");
    for (j, spec) in junctions.iter().enumerate() {
        let demand = f64::from(spec.demand) / 10.0;
        let pattern = if spec.patterned { " DEM" } else { "" };
        let _ = writeln!(t, "J{} {} {demand}{pattern}", j + 1, spec.elevation % 100);
    }

    t.push_str("\n[RESERVOIRS]\n");
    let _ = writeln!(t, "R1 {}", 20 + u32::from(s.reservoir_heads.0));
    if let Some(head) = s.reservoir_heads.1 {
        let _ = writeln!(t, "R2 {}", 20 + u32::from(head));
    }
    if let Some(tank) = &s.tank {
        let min = tank.min % 10;
        let max = min + 1 + tank.max % 20;
        let initial = min + tank.initial % (max - min + 1);
        let overflow = if tank.overflow { " YES" } else { "" };
        let _ = writeln!(
            t,
            "\n[TANKS]\nT1 {} {initial} {min} {max} {} 0 *{overflow}",
            tank.elevation % 100,
            2 + tank.diameter % 40
        );
    }

    t.push_str("\n[PIPES]\n");
    let mut links = Vec::new();
    for (j, spec) in junctions.iter().enumerate() {
        let parent = nodes[spec.parent as usize % (sources.len() + j)].as_str();
        let id = format!("P{}", links.len() + 1);
        pipe_line(
            &mut t,
            &id,
            parent,
            &format!("J{}", j + 1),
            &spec.pipe,
            s,
            us,
        );
        links.push(id);
    }
    if s.reservoir_heads.1.is_some() {
        let at = format!("J{}", 1 + s.second_reservoir_at as usize % junctions.len());
        let id = format!("P{}", links.len() + 1);
        pipe_line(&mut t, &id, "R2", &at, &junctions[0].pipe, s, us);
        links.push(id);
    }
    if let Some(tank) = &s.tank {
        let at = format!("J{}", 1 + tank.link_to as usize % junctions.len());
        let id = format!("P{}", links.len() + 1);
        pipe_line(&mut t, &id, "T1", &at, &junctions[0].pipe, s, us);
        links.push(id);
    }
    for extra in s.extra_pipes.iter().take(MAX_EXTRA_PIPES) {
        let (from, to) = (node(extra.from), node(extra.to));
        if from != to {
            let id = format!("P{}", links.len() + 1);
            pipe_line(&mut t, &id, from, to, &extra.pipe, s, us);
            links.push(id);
        }
    }

    let mut curves = String::new();
    t.push_str("\n[PUMPS]\n");
    for (p, pump) in s.pumps.iter().take(MAX_PUMPS).enumerate() {
        let (from, to) = (node(pump.from), node(pump.to));
        if from == to {
            continue;
        }
        let id = format!("PU{}", p + 1);
        let law = pump_law(&mut curves, &id, &pump.law);
        let _ = write!(t, "{id} {from} {to} {law}");
        if let Some(speed) = pump.speed {
            let _ = write!(t, " SPEED {}", f64::from(speed % 21) / 10.0);
        }
        t.push('\n');
        links.push(id);
    }

    t.push_str("\n[VALVES]\n");
    let mut statuses = String::new();
    for (v, valve) in s.valves.iter().take(MAX_VALVES).enumerate() {
        let (from, to) = (node(valve.from), node(valve.to));
        if from == to {
            continue;
        }
        let id = format!("V{}", v + 1);
        let kind = ["PRV", "PSV", "PBV", "FCV", "TCV"][valve.kind as usize % 5];
        let diameter = if us {
            4 + u32::from(valve.diameter) % 12
        } else {
            100 + u32::from(valve.diameter) % 200
        };
        let _ = writeln!(
            t,
            "{id} {from} {to} {diameter} {kind} {} 0",
            valve.setting % 80
        );
        match valve.status % 4 {
            0 => {
                let _ = writeln!(statuses, "{id} OPEN");
            }
            1 => {
                let _ = writeln!(statuses, "{id} CLOSED");
            }
            _ => {}
        }
        links.push(id);
    }
    for (p, pump) in s.pumps.iter().take(MAX_PUMPS).enumerate() {
        let id = format!("PU{}", p + 1);
        if pump.closed && links.contains(&id) {
            let _ = writeln!(statuses, "{id} CLOSED");
        }
    }
    let _ = writeln!(t, "\n[STATUS]\n{statuses}");
    let _ = writeln!(t, "[CURVES]\n{curves}");

    t.push_str("[EMITTERS]\n");
    for &(at, coefficient) in s.emitters.iter().take(MAX_EMITTERS) {
        let at = 1 + at as usize % junctions.len();
        let _ = writeln!(t, "J{at} {}", f64::from(coefficient) / 100.0);
    }

    t.push_str("\n[PATTERNS]\nDEM 1");
    for m in s.pattern.iter().take(24) {
        let _ = write!(t, " {}", f64::from(*m) / 100.0);
    }

    t.push_str("\n\n[CONTROLS]\n");
    for control in s.controls.iter().take(MAX_CONTROLS) {
        let link = &links[control.link as usize % links.len()];
        let action = if control.open { "OPEN" } else { "CLOSED" };
        let condition = match control.condition {
            Condition::AtTime { hours } => format!("AT TIME {}", hours % 24),
            Condition::NodeAbove { node: n, value } => format!("IF NODE {} ABOVE {value}", node(n)),
            Condition::NodeBelow { node: n, value } => format!("IF NODE {} BELOW {value}", node(n)),
        };
        let _ = writeln!(t, "LINK {link} {action} {condition}");
    }

    let units = match s.units {
        Units::Lps => "LPS",
        Units::Gpm => "GPM",
        Units::Cmh => "CMH",
    };
    let headloss = match s.headloss {
        Headloss::HazenWilliams => "H-W",
        Headloss::DarcyWeisbach => "D-W",
        Headloss::ChezyManning => "C-M",
    };
    let _ = writeln!(t, "\n[OPTIONS]\nUNITS {units}\nHEADLOSS {headloss}");
    if s.pressure_driven {
        t.push_str("DEMAND MODEL PDA\nMINIMUM PRESSURE 0\nREQUIRED PRESSURE 15\n");
    }
    if s.continue_unbalanced {
        t.push_str("UNBALANCED CONTINUE 10\n");
    }
    let step_min = 5 + u32::from(s.hydraulic_step_min % 56);
    let _ = writeln!(
        t,
        "\n[TIMES]\nDURATION {}:00\nHYDRAULIC TIMESTEP 0:{step_min:02}\nPATTERN TIMESTEP 1:00\n\
         REPORT TIMESTEP 1:00\n\n[END]",
        s.duration_h % 25
    );
    Some(t)
}

/// Writes one `[PIPES]` line in the file's units.
fn pipe_line(t: &mut String, id: &str, from: &str, to: &str, p: &PipeSpec, s: &Spec, us: bool) {
    let length = 1 + p.length % 5000;
    let diameter = if us {
        [2.0, 4.0, 6.0, 8.0, 12.0, 20.0][p.diameter as usize % 6]
    } else {
        [50.0, 100.0, 150.0, 200.0, 300.0, 500.0][p.diameter as usize % 6]
    };
    let roughness = match s.headloss {
        Headloss::HazenWilliams => 60.0 + f64::from(p.roughness % 91),
        Headloss::DarcyWeisbach => 0.01 + f64::from(p.roughness) / 50.0,
        Headloss::ChezyManning => 0.009 + f64::from(p.roughness % 12) / 1000.0,
    };
    let minor_loss = p.minor_loss % 10;
    let status = match p.status % 8 {
        0 => "CV",
        1 => "CLOSED",
        _ => "OPEN",
    };
    let _ = writeln!(
        t,
        "{id} {from} {to} {length} {diameter} {roughness} {minor_loss} {status}"
    );
}

/// The `[PUMPS]` parameters of a pump, adding its curve to `curves`.
fn pump_law(curves: &mut String, id: &str, law: &PumpLaw) -> String {
    let curve = format!("C{id}");
    match law {
        PumpLaw::OnePoint { flow, head } => {
            let _ = writeln!(curves, "{curve} {} {}", 1 + flow % 100, 5 + head % 100);
        }
        PumpLaw::ThreePoint { flow, head } => {
            let (q, h) = (1 + u32::from(flow % 100), 5 + u32::from(head % 100));
            let _ = writeln!(
                curves,
                "{curve} 0 {}\n{curve} {q} {h}\n{curve} {} 0",
                h + h / 3,
                2 * q
            );
        }
        PumpLaw::Multipoint { heads, flow_step } => {
            let step = 1 + u32::from(flow_step % 20);
            let mut head = 150u32;
            for (n, drop) in heads.iter().take(6).enumerate() {
                let _ = writeln!(curves, "{curve} {} {head}", n as u32 * step);
                head = head.saturating_sub(1 + u32::from(*drop % 40));
            }
            if heads.is_empty() {
                let _ = writeln!(curves, "{curve} 10 50");
            }
        }
        PumpLaw::Power { kw } => return format!("POWER {}", 1 + kw % 50),
    }
    format!("HEAD {curve}")
}
