#!/usr/bin/env python3
"""Check `pipenet batch --bursts all` against EPANET 2.3 running the same bursts (issue 5).

    validate_batch.py [NET.inp] [--area 0.01] [--cd 0.75] [--sample 5] [--seed 5]
                      [--expect-rows 117] [--bin PATH]

1. Runs `pipenet batch NET --bursts all --area A` on 1 and on 2 threads
   and checks that the rows are byte-identical and that there is one per
   pipe (117 on epanet/Net3).
2. Draws --sample rows at random (Python's `random.Random(seed)`) and
   builds each burst in EPANET 2.3 (owa-epanet, `import epanet.toolkit as
   en`) from the original file, with the same edit as
   scripts/validate_burst.py (junction ID-burst on the pipe at 0.5 of its
   length, the pipe split, PDA from 0 to 20 m of head, emitter
   Cd*A*sqrt(2g) from 0:00), then computes the row's figures from EPANET's
   own results at every hydraulic period, as pipenet defines them:
   customers are junctions with a base demand; the lowest customer
   pressure (and where); customers below the service pressure (20 m of
   head, as the batch's default) at some period; demand asked and not
   delivered (DEMANDDEFICIT), burst peak and burst volume, each period's
   value times the step that follows it.
Tolerances: pressure 0.01 in file units (compare_results.py's head
tolerance), same critical node, customers below exactly, volumes within
0.1 % (deficit within 1 % or 1 m3), peak within 0.1 %.
Prints one line per row and PASS/FAIL; exits 0 when all agree.
"""
import argparse
import csv
import io
import math
import os
import random
import subprocess
import sys
import tempfile

import epanet.toolkit as en

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validate_burst as vb  # noqa: E402  (the shared burst edit)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICE_M = 20.0


def pipenet_rows(binary, network, area, cd, threads):
    out = subprocess.run([binary, "batch", network, "--bursts", "all", "--area", str(area),
                          "--cd", str(cd), "--threads", str(threads)],
                         capture_output=True, check=True)
    return out.stdout


class Burst:
    """The arguments validate_burst.split_and_burst reads."""

    def __init__(self, pipe, area, cd):
        self.pipe, self.at, self.area, self.cd, self.emitter = pipe, 0.5, area, cd, None
        self.pmin = self.preq = None
        self.start = "0:00"


def epanet_row(network, pipe, area, cd):
    """The batch row's figures from EPANET running the burst of `pipe`."""
    ph = en.createproject()
    en.open(ph, network, os.devnull, "")
    j, coefficient = vb.split_and_burst(ph, Burst(pipe, area, cd))
    service = SERVICE_M / vb.metres_per_pressure_unit(ph)
    flow_m3s = vb.CFS_M3S / vb.PER_CFS[en.getflowunits(ph)]
    customers = [i for i in range(1, en.getcount(ph, en.NODECOUNT) + 1)
                 if en.getnodetype(ph, i) == en.JUNCTION and en.getnodevalue(ph, i, en.BASEDEMAND) > 0]
    row = {"min_pressure": math.inf, "min_pressure_node": "", "below": set(), "demand_m3": 0.0,
           "not_delivered_m3": 0.0, "burst_peak_flow": 0.0, "burst_volume_m3": 0.0, "periods": 0}
    en.setnodevalue(ph, j, en.EMITTER, coefficient)
    en.openH(ph)
    en.initH(ph, 0)
    while True:
        en.runH(ph)
        row["periods"] += 1
        q = en.getnodevalue(ph, j, en.EMITTERFLOW)
        asked = deficit = 0.0
        for i in customers:
            p = en.getnodevalue(ph, i, en.PRESSURE)
            if p < row["min_pressure"]:
                row["min_pressure"], row["min_pressure_node"] = p, en.getnodeid(ph, i)
            if p < service:
                row["below"].add(i)
            asked += en.getnodevalue(ph, i, en.FULLDEMAND)
            deficit += max(0.0, en.getnodevalue(ph, i, en.DEMANDDEFICIT))
        row["burst_peak_flow"] = max(row["burst_peak_flow"], q)
        step = en.nextH(ph)
        row["demand_m3"] += asked * flow_m3s * step
        row["not_delivered_m3"] += deficit * flow_m3s * step
        row["burst_volume_m3"] += q * flow_m3s * step
        if step <= 0:
            break
    en.closeH(ph)
    en.close(ph)
    en.deleteproject(ph)
    row["customers_below_service"] = len(row.pop("below"))
    return row


def compare(ours, ref):
    """The figures that disagree, as text; empty when all agree."""
    problems = []
    num = lambda key: float(ours[key])  # noqa: E731
    if abs(num("min_pressure") - ref["min_pressure"]) > 0.01:
        problems.append(f"min pressure {ours['min_pressure']} vs {ref['min_pressure']:.3f}")
    if ours["min_pressure_node"] != ref["min_pressure_node"]:
        problems.append(f"critical node {ours['min_pressure_node']} vs {ref['min_pressure_node']}")
    if int(ours["customers_below_service"]) != ref["customers_below_service"]:
        problems.append(f"customers below {ours['customers_below_service']} vs {ref['customers_below_service']}")
    for key, rel, floor in (("demand_m3", 1e-3, 1e-3), ("burst_volume_m3", 1e-3, 1e-3),
                            ("burst_peak_flow", 1e-3, 1e-3), ("not_delivered_m3", 1e-2, 1.0)):
        if abs(num(key) - ref[key]) > max(floor, rel * abs(ref[key])):
            problems.append(f"{key} {ours[key]} vs {ref[key]:.3f}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network", nargs="?", default=os.path.join(REPO, "networks/epanet/Net3.inp"))
    ap.add_argument("--area", type=float, default=0.01)
    ap.add_argument("--cd", type=float, default=0.75)
    ap.add_argument("--sample", type=int, default=5)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--expect-rows", type=int, default=117)
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/pipenet"))
    a = ap.parse_args()
    network = os.path.abspath(a.network)

    one = pipenet_rows(a.bin, network, a.area, a.cd, 1)
    two = pipenet_rows(a.bin, network, a.area, a.cd, 2)
    rows = list(csv.DictReader(io.StringIO(one.decode())))
    identical = one == two
    print(f"{os.path.basename(network)}: {len(rows)} rows (expected {a.expect_rows}); "
          f"byte-identical on 1 and 2 threads: {identical}")
    ok = identical and len(rows) == a.expect_rows

    picked = sorted(random.Random(a.seed).sample(range(len(rows)), a.sample))
    print(f"{a.sample} rows drawn with random.Random({a.seed}): {picked}; EPANET {en.getversion()}")
    print(f"{'row':>4} {'pipe':>6} {'min p (ours/EPANET)':>22} {'node':>9} {'below':>7} "
          f"{'burst m3 (ours/EPANET)':>24} {'not deliv. m3':>18}  result")
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)  # EPANET's scratch files
        try:
            for r in picked:
                ours = rows[r]
                pipe = ours["scenario"].split(" ", 1)[1]
                ref = epanet_row(network, pipe, a.area, a.cd)
                problems = compare(ours, ref)
                ok = ok and not problems
                print(f"{r:>4} {pipe:>6} {ours['min_pressure']:>10}/{ref['min_pressure']:<11.3f} "
                      f"{ours['min_pressure_node']:>4}/{ref['min_pressure_node']:<4} "
                      f"{ours['customers_below_service']:>3}/{ref['customers_below_service']:<3} "
                      f"{ours['burst_volume_m3']:>11}/{ref['burst_volume_m3']:<12.3f} "
                      f"{ours['not_delivered_m3']:>8}/{ref['not_delivered_m3']:<9.3f} "
                      f"{'PASS' if not problems else 'FAIL: ' + '; '.join(problems)}")
        finally:
            os.chdir(cwd)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
