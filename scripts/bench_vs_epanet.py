#!/usr/bin/env python3
"""Time pipenet, EPANET 2.3.5 and epanet-rs side by side on the same networks, in one run.

    bench_vs_epanet.py [--runs N] [--bin PATH] [--epanet-rs PATH|none]
                       [--reference-dir DIR] [--no-all-cores] NET.inp ...

For each network, alternates N runs (default 5) of each engine, each in a
fresh process, single-threaded (RAYON_NUM_THREADS=1):
  - EPANET: python3 -c "open the file; solveH" with the owa-epanet 2.3.5
    package (python3 -m pip install owa-epanet==2.3.5), timed inside the
    process (open + solveH, no start-up of Python itself);
  - epanet-rs (Vitens' Rust engine, `cargo install epanet-rs --root
    /work/tools/epanet-rs`): `epanet-rs run NET.inp --quiet` (read, full
    extended-period hydraulics, results kept in memory, none written),
    timed around the whole process;
  - pipenet: `pipenet run NET.inp -q --quality none` (read, full
    extended-period hydraulics, no results written), timed around the
    whole process. `--quality none` because neither EPANET's solveH nor
    epanet-rs runs water quality, whatever the file's [OPTIONS] ask for
    (Net6 asks for a chemical).
Then, unless --no-all-cores, N runs of each engine with every core it can
use: epanet-rs `run --parallel` with rayon's default thread count (it
solves report steps in parallel only on networks without tanks or pressure
controls, and falls back to one thread otherwise); EPANET and `pipenet run`
solve one network on one thread whatever the cores, so their all-cores runs
are the same program without RAYON_NUM_THREADS.

Where EPANET halts a run as unbalanced (UNBALANCED STOP, BWSN_Network_2 at
27:00), every engine runs a copy of the file whose DURATION ends at that
time, so that all three simulate the same span.

Before timing, epanet-rs's results are checked: its heads and flows (all it
writes) against EPANET's reference results in --reference-dir (default
../shared/reference, the same relative path as the network under
../shared/networks) with ../shared/tools/compare_results.py --fields
head,flow. The check's verdict is printed with the times; issue 7 asks
pipenet to be faster than epanet-rs where epanet-rs's results pass.

Prints median wall times, median CPU times (user + system; steadier than
wall time on a shared machine), the ratios EPANET / pipenet and epanet-rs /
pipenet (above 1: pipenet is faster), and the peak resident memory of each
process (EPANET's includes the Python interpreter, about 10 MiB; the Rust
programs' is read by /usr/bin/time, since a child of Python would count
the Python it was forked from).
"""
import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from shared_paths import SHARED, shared  # noqa: E402,F401

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the repository's scripts/
import epanet_rs_results  # noqa: E402

COMPARE = os.path.join(SHARED, "tools", "compare_results.py")

EPANET_RUN = r"""
import sys, time, resource, warnings
import epanet.toolkit as en
warnings.simplefilter("ignore")
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
t = time.perf_counter()
p = en.createproject()
en.open(p, sys.argv[1], "/dev/null", "")
try:
    en.solveH(p)
except Exception:
    pass
dt = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
print(dt, usage.ru_utime + usage.ru_stime - cpu, usage.ru_maxrss)
"""

# The last hydraulic time EPANET reaches, and whether it halted there.
EPANET_SPAN = r"""
import sys, warnings
import epanet.toolkit as en
warnings.simplefilter("ignore")
p = en.createproject()
en.open(p, sys.argv[1], "/dev/null", "")
duration = en.gettimeparam(p, en.DURATION)
en.openH(p)
en.initH(p, 0)
t, halted = 0, False
while True:
    try:
        t = en.runH(p)
    except Exception:
        halted = True
        break
    if en.nextH(p) <= 0:
        break
print(t, duration, int(halted))
"""


class Sample:
    """One process's wall time (s), CPU time (s) and peak resident memory (KiB)."""

    def __init__(self, wall_s, cpu_s, rss_kib):
        self.wall_s, self.cpu_s, self.rss_kib = wall_s, cpu_s, rss_kib


def epanet_once(inp):
    out = subprocess.run([sys.executable, "-c", EPANET_RUN, inp],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, RAYON_NUM_THREADS="1"))
    wall, cpu, rss = out.stdout.split()
    return Sample(float(wall), float(cpu), int(rss))


def process_once(command, threads_one, may_halt=False):
    """Times `command` around the process, through /usr/bin/time for CPU and memory.

    Returns None when the process fails; with `may_halt`, exit code 1 (pipenet's
    for a run stopped as unbalanced) counts as done.
    """
    env = dict(os.environ)
    if threads_one:
        env["RAYON_NUM_THREADS"] = "1"
    else:
        env.pop("RAYON_NUM_THREADS", None)
    timed = ["/usr/bin/time", "-f", "%M"] + command
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(timed, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0 and not (may_halt and out.returncode == 1):
        return None
    # CPU time of the child to the microsecond (/usr/bin/time prints it to
    # 10 ms); its peak memory from /usr/bin/time.
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Sample(wall, cpu, int(out.stderr.strip().splitlines()[-1]))


def pipenet_command(binary, inp):
    return [binary, "run", inp, "-q", "--quality", "none"]


def epanet_rs_command(binary, inp, parallel):
    return [binary, "run", inp, "--quiet"] + (["--parallel"] if parallel else [])


def simulated_span(inp, tmp):
    """The file to time: `inp`, or a copy ending where EPANET halts it.

    Returns (path, note); the note says why a copy is used.
    """
    out = subprocess.run([sys.executable, "-c", EPANET_SPAN, inp],
                         capture_output=True, text=True, check=True)
    t, duration, halted = (int(x) for x in out.stdout.split())
    if not halted and t >= duration:
        return inp, ""
    copy = os.path.join(tmp, os.path.basename(inp))
    with open(inp, encoding="latin-1") as f:
        text = f.read()
    with open(copy, "w", encoding="latin-1") as f:
        f.write(with_duration(text, t))
    return copy, f"EPANET halts at {clock(t)}: all engines run to {clock(t)}"


def with_duration(text, seconds):
    """The .inp text with its [TIMES] DURATION set to `seconds`."""
    lines, section, done = text.splitlines(), None, False
    value = f" DURATION\t{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    for i, line in enumerate(lines):
        stripped = line.split(";")[0].strip()
        if stripped.startswith("["):
            section = stripped.upper()
            continue
        if section == "[TIMES]" and re.match(r"duration\b", stripped, re.I):
            lines[i], done = value, True
    if not done:
        at = next(i for i, l in enumerate(lines) if l.strip().upper().startswith("[TIMES]"))
        lines.insert(at + 1, value)
    return "\n".join(lines) + "\n"


def clock(seconds):
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


def reference_for(inp, reference_dir):
    """EPANET's reference results for a network under shared/networks, if any."""
    parts = os.path.abspath(inp).split(os.sep)
    if "networks" not in parts:
        return None
    rel = parts[len(parts) - 1 - parts[::-1].index("networks") + 1:]
    path = os.path.join(reference_dir, *rel)[:-len(".inp")] + ".json.gz"
    return path if os.path.exists(path) else None


def check_epanet_rs(binary, inp, reference, tmp):
    """Returns (verdict, passed): epanet-rs's heads and flows against EPANET's."""
    results = os.path.join(tmp, "epanet-rs-results.json")
    # In a child process: results held in this one would raise the peak
    # memory that the children timed later inherit from it.
    out = subprocess.run([sys.executable, os.path.join(HERE, "epanet_rs_results.py"),
                          inp, results, "--epanet-rs", binary], capture_output=True, text=True)
    if out.returncode != 0:
        message = out.stdout.strip().split(": ", 1)[-1] or out.stderr.strip()
        return f"failed {message}", False
    if reference is None:
        return "ran (no reference to check)", False
    out = subprocess.run([sys.executable, COMPARE, results, reference,
                          "--fields", "head,flow"], capture_output=True, text=True)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()
    if out.returncode == 0:
        return f"heads and flows pass compare_results ({last})", True
    return f"results do not pass compare_results ({last})", False


def median(samples, attr):
    values = [getattr(s, attr) for s in samples]
    return statistics.median(values) if values else float("nan")


def mib(samples):
    """The peak resident memory of the runs, MiB, or "-" without runs."""
    return f"{max(s.rss_kib for s in samples) / 1024:.1f}" if samples else "-"


def epanet_rs_parallel_falls_back(binary, inp):
    """Whether `epanet-rs run --parallel` says it runs one thread on this network.

    epanet-rs solves report steps in parallel only without tanks and
    pressure controls, and warns (with --quiet, silently) otherwise.
    """
    out = subprocess.run([binary, "run", inp, "--parallel"], capture_output=True, text=True,
                         env=dict(os.environ, NO_COLOR="1"))
    return "cannot be solved in parallel" in out.stdout + out.stderr


def time_network(a, inp, rs_ok, halts):
    """N alternated runs of each engine, one thread; then N with all cores.

    `halts`: EPANET stops this run as unbalanced, and so does pipenet.
    """
    runs = {k: [] for k in ("epanet", "rs", "pipenet", "rs_all", "pipenet_all")}
    for _ in range(a.runs):
        runs["epanet"].append(epanet_once(inp))
        if rs_ok:
            runs["rs"].append(process_once(epanet_rs_command(a.epanet_rs, inp, False), True))
        runs["pipenet"].append(process_once(pipenet_command(a.bin, inp), True, halts))
    if not a.no_all_cores:
        for _ in range(a.runs):
            if rs_ok:
                runs["rs_all"].append(process_once(epanet_rs_command(a.epanet_rs, inp, True),
                                                   False))
            runs["pipenet_all"].append(process_once(pipenet_command(a.bin, inp), False, halts))
    if any(s is None for v in runs.values() for s in v):
        sys.exit(f"{inp}: a run failed while timing")
    return runs


def ms(seconds):
    return f"{seconds * 1e3:8.1f}ms" if seconds == seconds else f"{'-':>10}"


def ratio(a, b):
    return f"{a / b:6.2f}" if a == a and b == b and b > 0 else f"{'-':>6}"


def print_header():
    print(f"{'network':<26} {'':>5} {'EPANET':>10} {'epanet-rs':>10} {'pipenet':>10} "
          f"{'EP/pn':>6} {'rs/pn':>6}   {'MiB: EPANET':>11} {'epanet-rs':>9} {'pipenet':>7}")


def print_network(name, runs):
    ep, rs, pn = runs["epanet"], runs["rs"], runs["pipenet"]
    for attr, label in (("wall_s", "wall"), ("cpu_s", "CPU")):
        e, r, p = median(ep, attr), median(rs, attr), median(pn, attr)
        memory = ""
        if attr == "wall_s":
            memory = f"   {mib(ep):>11} {mib(rs):>9} {mib(pn):>7}"
        print(f"{name if attr == 'wall_s' else '':<26} {label:>5} {ms(e)} {ms(r)} {ms(p)} "
              f"{ratio(e, p)} {ratio(r, p)}{memory}")


def print_all_cores(rows):
    print("\nall cores (median wall time; epanet-rs `run --parallel`, EPANET and "
          "`pipenet run` on one thread whatever the cores)")
    print(f"{'network':<26} {'EPANET':>10} {'epanet-rs':>10} {'pipenet':>10}   "
          f"best of each: {'EPANET':>10} {'epanet-rs':>10} {'pipenet':>10}")
    for name, runs in rows:
        e = median(runs["epanet"], "wall_s")
        r1, r = median(runs["rs"], "wall_s"), median(runs["rs_all"], "wall_s")
        p1, p = median(runs["pipenet"], "wall_s"), median(runs["pipenet_all"], "wall_s")
        print(f"{name:<26} {ms(e)} {ms(r)} {ms(p)}   {'':>13} {ms(e)} "
              f"{ms(min(r, r1) if r == r else r1)} {ms(min(p, p1))}")


def print_targets(rows):
    print("\nissue 7 targets (medians of wall time, one thread):")
    for name, runs, rs_passed in rows:
        e = median(runs["epanet"], "wall_s")
        p = median(runs["pipenet"], "wall_s")
        line = f"  {name}: {e / p:.2f}x EPANET ({'met' if e / p >= 2 else 'not met'}, 2x asked)"
        if rs_passed is None:
            line += "; epanet-rs not run"
        elif rs_passed:
            r = median(runs["rs"], "wall_s")
            verdict = "faster" if p < r else "NOT faster"
            line += f"; {r / p:.2f}x epanet-rs ({verdict})"
        else:
            line += "; epanet-rs's results do not pass here, no target"
        print(line)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("--epanet-rs", default=epanet_rs_results.DEFAULT_EPANET_RS,
                    help="epanet-rs binary, or `none` to leave it out")
    ap.add_argument("--reference-dir", default=os.path.join(SHARED, "reference"))
    ap.add_argument("--no-all-cores", action="store_true")
    ap.add_argument("networks", nargs="+")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run cargo build --release first")
    use_rs = a.epanet_rs != "none"
    if use_rs and not os.path.exists(a.epanet_rs):
        sys.exit(f"{a.epanet_rs} not found: cargo install epanet-rs --root /work/tools/epanet-rs, "
                 "or pass --epanet-rs none")
    print(f"{os.cpu_count()} CPUs, load average before: {load_average()}; "
          f"median of {a.runs} alternated runs each")
    print_header()
    rows, notes = [], []
    for inp in a.networks:
        name = os.path.relpath(inp, os.path.dirname(os.path.dirname(inp)))
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            timed_inp, span_note = simulated_span(os.path.abspath(inp), tmp)
            if span_note:
                notes.append(f"{name}: {span_note}")
            rs_ran, rs_passed = False, None
            if use_rs:
                reference = reference_for(inp, a.reference_dir)
                verdict, rs_passed = check_epanet_rs(a.epanet_rs, timed_inp, reference, tmp)
                rs_ran = not verdict.startswith("failed")
                notes.append(f"{name}: epanet-rs {verdict}")
            if rs_ran and not a.no_all_cores and epanet_rs_parallel_falls_back(a.epanet_rs,
                                                                                timed_inp):
                notes.append(f"{name}: epanet-rs --parallel runs one thread here "
                             "(tanks or pressure controls)")
            runs = time_network(a, timed_inp, rs_ran, bool(span_note))
        print_network(name, runs)
        rows.append((name, runs, rs_passed))
    print(f"load average after: {load_average()}")
    for note in notes:
        print(note)
    if not a.no_all_cores:
        print_all_cores([(name, runs) for name, runs, _ in rows])
    print_targets(rows)


if __name__ == "__main__":
    main()
