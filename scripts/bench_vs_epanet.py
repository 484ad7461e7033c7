#!/usr/bin/env python3
"""Time pipenet and EPANET 2.3.5 side by side on the same networks, in one run.

    bench_vs_epanet.py [--runs N] [--bin PATH] NET.inp ...

For each network, alternates N runs (default 5) of each engine, each in a
fresh process, single-threaded:
  - EPANET: python3 -c "open the file; solveH" with the owa-epanet 2.3.5
    package (python3 -m pip install owa-epanet==2.3.5), timed inside the
    process (open + solveH, no start-up of Python itself);
  - pipenet: `pipenet run NET.inp -q --quality none` (read, full
    extended-period hydraulics, no results written), timed around the
    whole process. `--quality none` because EPANET's solveH runs no water
    quality either, whatever the file's [OPTIONS] ask for (Net6 asks for
    a chemical).
Prints the median times, EPANET / pipenet (above 1: pipenet is faster) and
the peak resident memory of each process (EPANET's includes the Python
interpreter, about 10 MiB; pipenet's is read by /usr/bin/time when present,
since a child of Python would count the Python it was forked from).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

EPANET_RUN = r"""
import sys, time, resource, warnings
import epanet.toolkit as en
warnings.simplefilter("ignore")
t = time.perf_counter()
p = en.createproject()
en.open(p, sys.argv[1], "/dev/null", "")
try:
    en.solveH(p)
except Exception:
    pass
dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def epanet_once(inp):
    out = subprocess.run([sys.executable, "-c", EPANET_RUN, inp],
                         capture_output=True, text=True, check=True)
    seconds, rss_kb = out.stdout.split()
    return float(seconds), int(rss_kb)


PIPENET_RUN = r"""
import os, resource, subprocess, sys, time
command = [sys.argv[1], "run", sys.argv[2], "-q", "--quality", "none"]
# A child's peak RSS counts the process it was forked from before exec: a
# Python parent would set a floor of its own size (about 14 MiB), so the
# peak is read by /usr/bin/time (a small C parent) when it is there.
timed = os.path.exists("/usr/bin/time")
if timed:
    command = ["/usr/bin/time", "-f", "%M"] + command
t = time.perf_counter()
out = subprocess.run(command, capture_output=True, text=True)
dt = time.perf_counter() - t
if timed:
    rss_kb = int(out.stderr.strip().splitlines()[-1])
else:
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(dt, rss_kb)
"""


def pipenet_once(binary, inp):
    # A fresh parent per run, so that the children's peak memory is this run's.
    out = subprocess.run([sys.executable, "-c", PIPENET_RUN, binary, inp],
                         capture_output=True, text=True, check=True)
    seconds, rss_kb = out.stdout.split()
    return float(seconds), int(rss_kb)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("networks", nargs="+")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run cargo build --release first")
    print(f"{'network':<34} {'EPANET':>10} {'pipenet':>10} {'ratio':>6} "
          f"{'EPANET MiB':>11} {'pipenet MiB':>12}")
    for inp in a.networks:
        ep, pn, ep_mem, pn_mem = [], [], 0, 0
        for _ in range(a.runs):
            t, m = epanet_once(inp)
            ep.append(t)
            ep_mem = max(ep_mem, m)
            t, m = pipenet_once(a.bin, inp)
            pn.append(t)
            pn_mem = m
        e, p = statistics.median(ep), statistics.median(pn)
        name = os.path.relpath(inp, os.path.dirname(os.path.dirname(inp)))
        print(f"{name:<34} {e * 1e3:8.1f}ms {p * 1e3:8.1f}ms {e / p:6.2f} "
              f"{ep_mem / 1024:11.1f} {pn_mem / 1024:12.1f}")


if __name__ == "__main__":
    main()
