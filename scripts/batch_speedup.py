#!/usr/bin/env python3
"""Batch speed-up: `pipenet batch` on 1 and 2 threads, median wall time of several runs.

Issue 5 asks that on Net6, 200 scenarios run at least 1.8x faster on 2
threads than on 1 (median of 5). This script bursts the first N pipes of
the network (file order, emitter coefficient 5 in the file's units), runs
the batch REPS times on each thread count, alternating 1 and 2 threads so
that changes in the machine's load hit both alike, and prints the median
wall times, their ratio, the CPU time used (if 2 threads use no more CPU
than 1 but are not faster, the cores were busy with other work), the CPU load before and after, and whether the
rows were byte-identical.

    python3 scripts/batch_speedup.py [--scenarios 200] [--reps 5] [--hours H] [NET.inp]

--hours H runs a copy of the network with [TIMES] DURATION H hours (Net6's
own is 96 h; 200 scenarios of 96 h, five times on each thread count, take
about half an hour on an idle machine).

It runs target/release/pipenet (build it first: cargo build --release).
The ratio only means something on an otherwise idle machine with at least
two cores: the load average is printed so a reader can judge.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pipe_ids(path, count):
    """The ids of the first `count` pipes in [PIPES]."""
    ids, section = [], None
    with open(path, encoding="latin-1") as f:
        for line in f:
            text = line.split(";", 1)[0].strip()
            if text.startswith("["):
                section = text.upper()
                continue
            if section == "[PIPES]" and text:
                ids.append(text.split()[0])
                if len(ids) == count:
                    break
    return ids


def with_duration(network, hours, out):
    """A copy of `network` whose [TIMES] DURATION is `hours`."""
    section, done = None, False
    with open(network, encoding="latin-1") as f, open(out, "w", encoding="latin-1") as w:
        for line in f:
            text = line.split(";", 1)[0].strip()
            if text.startswith("["):
                if section == "[TIMES]" and not done:
                    w.write(f" Duration {hours}:00\n")
                    done = True
                section = text.upper()
            elif section == "[TIMES]" and text.upper().startswith("DURATION"):
                line, done = f" Duration {hours}:00\n", True
            w.write(line)


def run_batch(binary, network, ids, threads, out):
    args = [binary, "batch", network, "--bursts", ",".join(ids), "--emitter", "5",
            "--threads", str(threads), "-o", out]
    start, cpu = time.perf_counter(), os.times()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = os.times()
    cpu_s = (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system)
    return time.perf_counter() - start, cpu_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", nargs="?",
                        default=os.path.join(ROOT, "networks/wntr/Net6.inp"))
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--hours", type=int)
    args = parser.parse_args()
    binary = os.path.join(ROOT, "target/release/pipenet")
    times = {1: [], 2: []}
    cpus = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.basename(args.network)
        if args.hours:
            copy = os.path.join(tmp, name)
            with_duration(args.network, args.hours, copy)
            args.network = copy
            name += f" (DURATION {args.hours} h)"
        ids = pipe_ids(args.network, args.scenarios)
        print(f"{name}: {len(ids)} burst scenarios, "
              f"{args.reps} runs per thread count, {os.cpu_count()} CPUs")
        print("load average before: %.2f %.2f %.2f" % os.getloadavg())
        outs = {t: os.path.join(tmp, f"rows{t}.csv") for t in times}
        for rep in range(args.reps):
            for threads in (1, 2):
                wall, cpu = run_batch(binary, args.network, ids, threads, outs[threads])
                times[threads].append(wall)
                cpus[threads].append(cpu)
            print(f"  run {rep + 1}: 1 thread {times[1][-1]:.2f} s (CPU {cpus[1][-1]:.2f} s), "
                  f"2 threads {times[2][-1]:.2f} s (CPU {cpus[2][-1]:.2f} s)")
        with open(outs[1], "rb") as a, open(outs[2], "rb") as b:
            identical = a.read() == b.read()
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    m1, m2 = statistics.median(times[1]), statistics.median(times[2])
    print(f"median: 1 thread {m1:.2f} s, 2 threads {m2:.2f} s, speed-up {m1 / m2:.2f}x "
          f"(target 1.8x); rows byte-identical: {identical}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
