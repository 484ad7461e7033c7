#!/usr/bin/env python3
"""How pipenet's time and memory grow with network size, on synthetic networks.

    scaling.py [--bin PATH] [--sizes 10000,25000,...] [--runs N] [--hours H]

Writes each size's network with scripts/synthetic_network.py into a
temporary directory, runs `pipenet run NET.inp --quality none` --runs times
(default 3), and prints, from the fastest run: the read time, the time per
hydraulic period (simulate time / periods), the trials per period, the
peak resident memory, and the log-log slope of time per period against
nodes over all sizes (1: linear).
"""
import argparse
import math
import os
import re
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run_once(binary, inp):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([binary, "run", inp, "--quality", "none"],
                         capture_output=True, text=True).stdout
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    nodes = int(re.search(r"^(\d+) nodes", out, re.M).group(1))
    m = re.search(r"hydraulics: (\d+) periods .*?, (\d+) trials", out)
    periods, trials = int(m.group(1)), int(m.group(2))
    t = re.search(r"time: read ([\d.]+) ms, simulate ([\d.]+) ms", out)
    # ru_maxrss of children is the largest so far: only a new maximum is this run's.
    return nodes, periods, trials, float(t.group(1)), float(t.group(2)), max(rss_kb, before)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("--sizes", default="10000,25000,50000,100000,200000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--hours", type=int, default=24)
    a = ap.parse_args()
    print(f"{'nodes':>8} {'links':>8} {'periods':>7} {'trials/period':>13} "
          f"{'read ms':>8} {'ms/period':>10} {'peak MiB':>9}")
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in a.sizes.split(",")):
            inp = os.path.join(tmp, f"synthetic-{size}.inp")
            subprocess.run([sys.executable, os.path.join(HERE, "synthetic_network.py"),
                            str(size), inp, "--hours", str(a.hours)], check=True)
            links = count_links(inp)
            # Peak memory: a fresh parent per size would be cleaner; runs go
            # from small to large, so the children's maximum is this size's.
            best = min((run_once(a.bin, inp) for _ in range(a.runs)), key=lambda r: r[4])
            nodes, periods, trials, read_ms, sim_ms, rss_kb = best
            per_period = sim_ms / periods
            points.append((nodes, per_period))
            print(f"{nodes:>8} {links:>8} {periods:>7} {trials / periods:>13.2f} "
                  f"{read_ms:>8.1f} {per_period:>10.2f} {rss_kb / 1024:>9.1f}", flush=True)
    if len(points) >= 2:
        xs = [math.log(n) for n, _ in points]
        ys = [math.log(t) for _, t in points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        print(f"log-log slope of time per period against nodes: {slope:.2f}")


def count_links(inp):
    section, n = None, 0
    for line in open(inp):
        s = line.split(";")[0].strip()
        if s.startswith("["):
            section = s.upper()
        elif s and section in ("[PIPES]", "[PUMPS]", "[VALVES]"):
            n += 1
    return n


if __name__ == "__main__":
    main()
