#!/usr/bin/env python3
"""Check `pipenet fireflow` against a bisection through EPANET 2.3 itself.

    validate_fireflow.py [--bin PATH] [--out FILE.csv]

For each case (network, time, hydrants), EPANET (owa-epanet,
`import epanet.toolkit as en`) runs the network as it stands to the fire
time T with EN_runH / EN_nextH. At T it adds a demand category with a
constant pattern at the hydrant and raises it by doubling and then
bisection (relative bracket 1e-4, as pipenet), each trial re-solving the
same period with EN_runH, until a constrained junction's pressure falls
below the residual (20 psi) or the solution stops converging (relative
error above ACCURACY). Constrained junctions are the hydrant and every
junction at or above the residual at T without a fire. The fire demand is
set back to 0 after each hydrant.

After night pressure reduction (the cases with a night setting): before
the run, EPANET gets two time-of-day controls on the PRV, the night
setting at the window's start and the day setting back at its end
(EN_addcontrol, EN_TIMEOFDAY), as `pipenet night-pressure` writes them,
and the bisection runs at a time inside the window. pipenet side:
`fireflow ... --night-setting ID=SETTING --night HH:MM-HH:MM`, whose
after-night flow is compared.

pipenet side: `BIN fireflow NET.inp --hydrants ... --residual 20psi
--time T --out F.csv`. Prints both flows per hydrant (in the file's flow
units: GPM for Net1 and Net3, L/s for the PRV networks) and their relative difference, writes the table to --out, and
exits 0 when every hydrant agrees within 1 %.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import epanet.toolkit as en

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESIDUAL_PSI = 20.0
CASES = [
    # Net1 has nine junctions: all of them at two times.
    ("networks/epanet/Net1.inp", 0, ["10", "11", "12", "13", "21", "22", "23", "31", "32"]),
    ("networks/epanet/Net1.inp", 12 * 3600, ["10", "11", "13", "21", "22", "23", "31", "32"]),
    ("networks/epanet/Net3.inp", 12 * 3600,
     ["10", "15", "35", "101", "105", "111", "123", "145", "185", "205"]),
    ("networks/epanet/Net3.inp", 3 * 3600,
     ["119", "125", "151", "167", "189", "207", "213", "231", "251", "271"]),
    # After night pressure reduction: (PRV, night setting in the file's
    # pressure units, window start and end in seconds after midnight).
    ("tests/data/zones/prv_night.inp", 3 * 3600, ["J1", "J2", "J3", "J4", "J5"],
     ("V1", 30.0, 3600, 5 * 3600)),
    ("tests/data/zones/prv_night.inp", 27 * 3600, ["J2", "J4"], ("V1", 25.0, 3600, 5 * 3600)),
    ("tests/data/fireflow/prv_hydrant.inp", 3 * 3600, ["H"], ("V1", 30.0, 3600, 5 * 3600)),
]
# Cubic metres per second per flow unit, by EPANET's flow-unit code.
M3S_PER_UNIT = {0: 0.028316846592, 1: 6.30901964e-5, 2: 0.0438126364, 3: 0.0526167525,
                4: 0.0142764673, 5: 1e-3, 6: 1.0 / 60.0, 7: 1.0 / 86.4, 8: 1.0 / 3600.0,
                9: 1.0 / 86400.0}
# Residual pressure in the file's pressure units, by EN_PRESS_UNITS code
# (psi, kPa, m, bar, ft): 20 psi with EPANET's 0.4333 psi per ft.
RESIDUAL_BY_PRESS_UNITS = {0: RESIDUAL_PSI, 1: RESIDUAL_PSI / 0.4333 * 0.3048 * 9.80665,
                           2: RESIDUAL_PSI / 0.4333 * 0.3048,
                           3: RESIDUAL_PSI / 0.4333 * 0.3048 * 0.0980665,
                           4: RESIDUAL_PSI / 0.4333}


def solve(ph, accuracy):
    en.runH(ph)
    return en.getstatistic(ph, en.RELATIVEERROR) <= accuracy


def add_night_controls(ph, night):
    """The night setting at the window's start, the day setting at its end."""
    link_id, setting, start_s, end_s = night
    k = en.getlinkindex(ph, link_id)
    day = en.getlinkvalue(ph, k, en.INITSETTING)
    en.addcontrol(ph, en.TIMEOFDAY, k, setting, 0, start_s)
    en.addcontrol(ph, en.TIMEOFDAY, k, day, 0, end_s)


def epanet_fire_flows(path, time_s, hydrants, night=None):
    ph = en.createproject()
    rpt = tempfile.mktemp(suffix=".rpt")
    en.open(ph, path, rpt, "")
    if night:
        add_night_controls(ph, night)
    residual = RESIDUAL_BY_PRESS_UNITS[int(en.getoption(ph, en.PRESS_UNITS))]
    m3s = M3S_PER_UNIT[en.getflowunits(ph)]
    accuracy = en.getoption(ph, en.ACCURACY)
    en.addpattern(ph, "FIRE")
    fire_pattern = en.getpatternindex(ph, "FIRE")
    assert en.getpatternlen(ph, fire_pattern) == 1  # a new pattern is one multiplier of 1.0
    dmult = en.getoption(ph, en.DEMANDMULT) or 1.0
    en.openH(ph)
    en.initH(ph, 0)
    while True:
        t = en.runH(ph)
        if t >= time_s:
            break
        if en.nextH(ph) == 0:
            break
    n = en.getcount(ph, en.NODECOUNT)
    junctions = [i for i in range(1, n + 1) if en.getnodetype(ph, i) == en.JUNCTION]
    base = {i: en.getnodevalue(ph, i, en.PRESSURE) for i in junctions}
    flows = {}
    for hid in hydrants:
        h = en.getnodeindex(ph, hid)
        if base[h] < residual:
            flows[hid] = 0.0
            continue
        constrained = [i for i in junctions if i == h or base[i] >= residual]
        en.adddemand(ph, h, 0.0, "FIRE", "fire")
        d = en.getnumdemands(ph, h)

        def ok(q):
            en.setbasedemand(ph, h, d, q / dmult)
            if not solve(ph, accuracy):
                return False
            return min(en.getnodevalue(ph, i, en.PRESSURE) for i in constrained) >= residual

        lo, hi = 0.0, 0.01 / m3s  # 0.01 m3/s in the file's units, as pipenet starts
        cap = 20.0 / m3s  # pipenet's largest trial, 20 m3/s
        while ok(hi):
            lo, hi = hi, min(2.0 * hi, cap)
            if lo >= cap:
                break
        while hi - lo > 1e-4 * hi:
            mid = 0.5 * (lo + hi)
            if ok(mid):
                lo = mid
            else:
                hi = mid
        flows[hid] = lo
        en.deletedemand(ph, h, d)
        solve(ph, accuracy)
    en.closeH(ph)
    en.close(ph)
    en.deleteproject(ph)
    os.path.exists(rpt) and os.remove(rpt)
    return flows


def clock(seconds):
    return f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}"


def pipenet_fire_flows(binary, path, time_s, hydrants, night=None):
    """Flows per hydrant (after the night setting if one is given)."""
    column = "after_flow_" if night else "flow_"
    command = [binary, "fireflow", path, "--hydrants", ",".join(hydrants),
               "--residual", f"{RESIDUAL_PSI}psi", "--time", str(time_s / 3600.0)]
    if night:
        link_id, setting, start_s, end_s = night
        command += ["--night-setting", f"{link_id}={setting}",
                    "--night", f"{clock(start_s)}-{clock(end_s)}"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ff.csv")
        subprocess.run(command + ["--out", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            return {row["hydrant"]: float(row[[k for k in row if k.startswith(column)][0]])
                    for row in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/pipenet"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs/validation/fireflow.csv"))
    args = ap.parse_args()
    rows, worst = [], 0.0
    for case in CASES:
        rel, time_s, hydrants = case[:3]
        night = case[3] if len(case) > 3 else None
        night_text = f"{night[0]}={night[1]:g} {clock(night[2])}-{clock(night[3])}" if night else ""
        path = os.path.join(ROOT, rel)
        ep = epanet_fire_flows(path, time_s, hydrants, night)
        pn = pipenet_fire_flows(args.bin, path, time_s, hydrants, night)
        for hid in hydrants:
            a, b = ep[hid], pn[hid]
            diff = 0.0 if a == b == 0.0 else abs(b - a) / max(abs(a), 1e-12)
            worst = max(worst, diff)
            rows.append((rel, f"{time_s // 3600}:00", night_text, hid, a, b, diff))
            print(f"{rel:<36} {time_s // 3600:>2}:00 {night_text:<18} {hid:>5} "
                  f"EPANET {a:10.2f}  pipenet {b:10.2f}  {100 * diff:6.3f} %")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["network", "time", "night_setting", "hydrant", "epanet_flow", "pipenet_flow",
                    "relative_difference"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], r[3], f"{r[4]:.3f}", f"{r[5]:.3f}", f"{r[6]:.6f}"])
    print(f"{len(rows)} hydrants, largest difference {100 * worst:.3f} %")
    return 0 if worst <= 0.01 else 1


if __name__ == "__main__":
    sys.exit(main())
