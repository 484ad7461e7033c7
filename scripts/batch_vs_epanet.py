#!/usr/bin/env python3
"""A batch of bursts: `pipenet batch` against the same edits run one by one through EPANET 2.3 (issue 7).

    python3 scripts/batch_vs_epanet.py [NET.inp] [--bursts 1000] [--sample 100]
                                       [--hours 24] [--emitter 5] [--seed 7]

The network (default ../shared/networks/wntr/Net6.inp) is copied with
[TIMES] DURATION set to --hours. The first --bursts pipes (file order) are
burst, one scenario each: junction ID-burst at mid-length, the pipe split,
pressure-dependent demands (0 to 20 m of head unless the network is PDA),
emitter coefficient --emitter in the file's units from 0:00, as
scripts/validate_burst.py builds it.

pipenet: `pipenet batch COPY --bursts IDS --emitter C --threads N -o rows.csv`,
on 1 thread and on 2, timed around the process (read, every scenario,
rows written).
EPANET 2.3 (owa-epanet, in this process): --sample of those pipes drawn
with random.Random(seed), each run as `open` + the edit through the
toolkit + `openH`/`initH`/`runH`/`nextH` to the end (reading the burst
outflow at each period) + `close`; the total is scaled to --bursts runs.
EPANET is single-threaded; the ratio is EPANET's scaled time over
pipenet's. On a shared machine wall times depend on what else runs, so
the ratio of CPU times (EPANET's scaled CPU over pipenet's, each process
or loop's own user + system time) is printed too: it says how much less
work pipenet does per burst, whatever the load. The burst volumes of the sampled rows are compared as a check
that both ran the same edits. The load average is printed before and
after: on a busy machine the ratios mean little.
"""
import argparse
import csv
import math
import os
import random
import subprocess
import sys
import tempfile
import time

import epanet.toolkit as en
from shared_paths import SHARED, shared  # noqa: E402,F401

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validate_burst as vb  # noqa: E402
from batch_speedup import pipe_ids, with_duration  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Burst:
    def __init__(self, pipe, emitter):
        self.pipe, self.at, self.area, self.cd, self.emitter = pipe, 0.5, None, 0.75, emitter
        self.pmin = self.preq = None
        self.start = "0:00"


def epanet_burst(network, pipe, emitter):
    """One burst through EPANET; returns the burst volume, m3."""
    ph = en.createproject()
    en.open(ph, network, os.devnull, "")
    j, coefficient = vb.split_and_burst(ph, Burst(pipe, emitter))
    flow_m3s = vb.CFS_M3S / vb.PER_CFS[en.getflowunits(ph)]
    en.setnodevalue(ph, j, en.EMITTER, coefficient)
    en.openH(ph)
    en.initH(ph, 0)
    volume = 0.0
    while True:
        en.runH(ph)
        q = en.getnodevalue(ph, j, en.EMITTERFLOW)
        step = en.nextH(ph)
        volume += q * flow_m3s * step
        if step <= 0:
            break
    en.closeH(ph)
    en.close(ph)
    en.deleteproject(ph)
    return volume


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network", nargs="?",
                    default=shared("networks", "wntr", "Net6.inp"))
    ap.add_argument("--bursts", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=100)
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--emitter", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/pipenet"))
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as work:
        network = os.path.join(work, "net_%dh.inp" % a.hours)
        with_duration(os.path.abspath(a.network), a.hours, network)
        ids = pipe_ids(network, a.bursts)
        print(f"{os.path.basename(a.network)}, DURATION {a.hours} h: {len(ids)} bursts "
              f"(emitter {a.emitter}), EPANET sample {a.sample}, {os.cpu_count()} CPUs")
        print("load average before: %.2f %.2f %.2f" % os.getloadavg())

        times, cpu_times, rows = {}, {}, {}
        for threads in (1, 2):
            out = os.path.join(work, f"rows{threads}.csv")
            start, cpu = time.perf_counter(), os.times()
            subprocess.run([a.bin, "batch", network, "--bursts", ",".join(ids), "--emitter",
                            str(a.emitter), "--threads", str(threads), "-o", out],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[threads] = time.perf_counter() - start
            after = os.times()
            cpu_s = (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system)
            cpu_times[threads] = cpu_s
            with open(out, newline="") as f:
                rows[threads] = list(csv.DictReader(f))
            print(f"  pipenet batch, {threads} thread(s): {times[threads]:.1f} s "
                  f"({1000 * times[threads] / len(ids):.1f} ms per burst; CPU {cpu_s:.1f} s)")
        identical = rows[1] == rows[2]
        failed = sum(r["status"] == "failed" for r in rows[2])

        sample = sorted(random.Random(a.seed).sample(range(len(ids)), a.sample))
        cwd = os.getcwd()
        os.chdir(work)  # EPANET's scratch files
        worst = 0.0
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            volumes = [(i, epanet_burst(network, ids[i], a.emitter)) for i in sample]
        finally:
            os.chdir(cwd)
        epanet_s = time.perf_counter() - start
        epanet_cpu_s = time.process_time() - cpu_start
        for i, volume in volumes:
            ours = float(rows[2][i]["burst_volume_m3"] or "nan")
            worst = max(worst, abs(ours - volume) / max(1.0, abs(volume)))
        scaled = epanet_s * len(ids) / a.sample
        print(f"  EPANET one by one: {a.sample} runs in {epanet_s:.1f} s "
              f"({1000 * epanet_s / a.sample:.1f} ms per burst; CPU {epanet_cpu_s:.1f} s), "
              f"scaled to {len(ids)}: {scaled:.1f} s")
        print("load average after: %.2f %.2f %.2f" % os.getloadavg())
        print(f"ratio EPANET / pipenet: {scaled / times[1]:.2f}x on 1 thread, "
              f"{scaled / times[2]:.2f}x on 2 threads (target 5x)")
        scaled_cpu = epanet_cpu_s * len(ids) / a.sample
        print(f"ratio of CPU times EPANET / pipenet: {scaled_cpu / cpu_times[1]:.2f}x on 1 thread, "
              f"{scaled_cpu / cpu_times[2]:.2f}x on 2 threads")
        print(f"rows byte-identical on 1 and 2 threads: {identical}; failed rows: {failed}; "
              f"burst volume of the {a.sample} sampled rows, worst relative difference "
              f"from EPANET: {worst:.2e}")
    return 0 if identical and not math.isnan(worst) else 1


if __name__ == "__main__":
    sys.exit(main())
