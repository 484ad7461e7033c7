#!/usr/bin/env python3
"""How pipenet's time and memory grow with network size, on synthetic networks.

    scaling.py [--bin PATH] [--layout town|grid] [--sizes 10000,25000,...]
               [--runs N] [--hours H] [--keep DIR]

Writes each size's network with scripts/synthetic_network.py (--layout,
default town) into a temporary directory (or --keep DIR), and runs
`pipenet run NET.inp --quality none` --runs times (default 3), alternated
with as many runs of the same network with DURATION 0 (reading, solver
set-up and the first period only). Prints per size:
  - links / nodes, periods, trials per period;
  - hours: the simulated span; the largest size runs --hours (default
    24), a size k times smaller k times as many whole days, so that every
    size spends about as long in its periods and the per-period figures of
    small networks are not lost in the noise of a 20 ms process;
  - read ms: the CLI's wall-clock `read` time, of the run with the
    fastest `simulate`;
  - ms/period: the CLI's wall-clock `simulate` time less the DURATION 0
    run's, over the periods after the first (fastest runs of each);
  - CPU ms/period: the run's CPU time (user + system, of the child)
    less the DURATION 0 run's, over the periods after the first (medians
    of the runs): the cost of a period on its own, without reading and
    set-up, and steadier than wall time on a shared machine;
  - CPU ms/trial: the same CPU time over the trials after the first period;
  - the peak resident memory;
and the log-log slopes against nodes (1: linear) of ms/period, CPU
ms/period, CPU ms/trial and trials per period.
"""
import argparse
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


class Run:
    """One `pipenet run`: the CLI's summary and the process's CPU time and memory."""

    def __init__(self, binary, inp):
        timed = ["/usr/bin/time", "-f", "%M", binary, "run", inp, "--quality", "none"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(timed, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0:
            sys.exit(f"{inp}: pipenet failed: {out.stderr.strip()[-300:]}")
        # The children's CPU time, to the microsecond (/usr/bin/time prints
        # it to 10 ms); the peak memory from /usr/bin/time, since a child of
        # Python counts the Python it was forked from.
        self.cpu_ms = 1e3 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        self.rss_mib = int(out.stderr.strip().splitlines()[-1]) / 1024
        text = out.stdout
        self.nodes = int(re.search(r"^(\d+) nodes", text, re.M).group(1))
        m = re.search(r"hydraulics: (\d+) periods? .*?, (\d+) trials?", text)
        self.periods, self.trials = int(m.group(1)), int(m.group(2))
        t = re.search(r"time: read ([\d.]+) ms, simulate ([\d.]+) ms", text)
        self.read_ms, self.simulate_ms = float(t.group(1)), float(t.group(2))


def write_network(layout, size, hours, path):
    subprocess.run([sys.executable, os.path.join(HERE, "synthetic_network.py"), str(size),
                    path, "--layout", layout, "--hours", str(hours)], check=True)


def count_links(inp):
    section, n = None, 0
    for line in open(inp):
        s = line.split(";")[0].strip()
        if s.startswith("["):
            section = s.upper()
        elif s and section in ("[PIPES]", "[PUMPS]", "[VALVES]"):
            n += 1
    return n


def slope(points):
    """Least-squares slope of log(y) against log(x)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def measure(a, size, hours, folder):
    """The row of one size: (nodes, links, full runs, DURATION 0 runs)."""
    inp = os.path.join(folder, f"synthetic-{a.layout}-{size}.inp")
    first = os.path.join(folder, f"synthetic-{a.layout}-{size}-first-period.inp")
    write_network(a.layout, size, hours, inp)
    write_network(a.layout, size, 0, first)
    full, zero = [], []
    for _ in range(a.runs):
        full.append(Run(a.bin, inp))
        zero.append(Run(a.bin, first))
    return full[0].nodes, count_links(inp), full, zero


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("--layout", choices=("town", "grid"), default="town")
    ap.add_argument("--sizes", default="10000,25000,50000,100000,200000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--keep", help="write the networks here and keep them")
    a = ap.parse_args()
    with open("/proc/loadavg") as f:
        print(f"layout {a.layout}; load average before: {' '.join(f.read().split()[:3])}")
    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"{'nodes':>8} {'links/node':>10} {'hours':>6} {'periods':>7} {'trials/period':>13} "
          f"{'read ms':>8} {'ms/period':>10} {'CPU ms/period':>13} {'CPU ms/trial':>12} "
          f"{'peak MiB':>9}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or tmp
        os.makedirs(folder, exist_ok=True)
        for size in sizes:
            hours = a.hours * max(1, round(max(sizes) / size))
            nodes, links, full, zero = measure(a, size, hours, folder)
            fastest = min(full, key=lambda r: r.simulate_ms)
            periods, trials = fastest.periods, fastest.trials
            wall_after_first = fastest.simulate_ms - min(r.simulate_ms for r in zero)
            cpu_after_first = (statistics.median(r.cpu_ms for r in full)
                               - statistics.median(r.cpu_ms for r in zero))
            row = dict(nodes=nodes, per_period=wall_after_first / max(1, periods - 1),
                       cpu_per_period=cpu_after_first / max(1, periods - 1),
                       cpu_per_trial=cpu_after_first / max(1, trials - zero[0].trials),
                       trials_per_period=trials / periods)
            rows.append(row)
            print(f"{nodes:>8} {links / nodes:>10.3f} {hours:>6} {periods:>7} "
                  f"{trials / periods:>13.2f} "
                  f"{fastest.read_ms:>8.1f} {row['per_period']:>10.2f} "
                  f"{row['cpu_per_period']:>13.2f} {row['cpu_per_trial']:>12.2f} "
                  f"{max(r.rss_mib for r in full):>9.1f}", flush=True)
    with open("/proc/loadavg") as f:
        print(f"load average after: {' '.join(f.read().split()[:3])}")
    if len(rows) >= 2:
        def fit(key):
            points = [(r["nodes"], r[key]) for r in rows if r[key] > 0]
            return slope(points) if len(points) >= 2 else float("nan")
        print(f"log-log slopes against nodes: ms/period {fit('per_period'):.2f}, "
              f"CPU ms/period {fit('cpu_per_period'):.2f}, "
              f"CPU ms/trial {fit('cpu_per_trial'):.2f}, "
              f"trials/period {fit('trials_per_period'):.2f}")


if __name__ == "__main__":
    main()
