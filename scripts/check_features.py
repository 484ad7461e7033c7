#!/usr/bin/env python3
"""Check with EPANET itself that each feature network exercises its feature.

    check_features.py [FEATURES_DIR]      (default tests/data/features)

Needs python3 -m pip install owa-epanet==2.3.5. Opens every feature network
in EPANET, runs its hydraulics and checks the behaviour the file's header
promises (a valve really active, a tank really overflowing, backflow really
prevented compared with a run that allows it, ...). Prints one line per
file and exits non-zero if any check fails. Reference results are written
separately, by ../shared/tools/epanet_reference.py.
"""
import math
import os
import sys
import tempfile

import epanet.toolkit as en

HERE = os.path.dirname(os.path.abspath(__file__))
PSI_PER_M = 0.4333 / 0.3048  # EPANET's own conversion (PSIperFT / MperFT)


def simulate(path, edit=None):
    """Hydraulic results at every hydraulic time: {time: {id: values}}."""
    ph = en.createproject()
    en.open(ph, path, os.devnull, "")
    if edit:
        edit(ph)
    node_ids = {i: en.getnodeid(ph, i) for i in range(1, en.getcount(ph, en.NODECOUNT) + 1)}
    link_ids = {i: en.getlinkid(ph, i) for i in range(1, en.getcount(ph, en.LINKCOUNT) + 1)}
    en.openH(ph)
    en.initH(ph, 0)
    steps = {}
    while True:
        t = en.runH(ph)
        row = {}
        for i, name in node_ids.items():
            row[name] = {k: en.getnodevalue(ph, i, c) for k, c in (
                ("head", en.HEAD), ("pressure", en.PRESSURE), ("demand", en.DEMAND),
                ("elevation", en.ELEVATION), ("emitter", en.EMITTERFLOW),
                ("leakage", en.LEAKAGEFLOW), ("full", en.FULLDEMAND))}
        for i, name in link_ids.items():
            row[name] = {k: en.getlinkvalue(ph, i, c) for k, c in (
                ("flow", en.FLOW), ("headloss", en.HEADLOSS), ("status", en.STATUS))}
        steps[t] = row
        if en.nextH(ph) <= 0:
            break
    en.closeH(ph)
    en.close(ph)
    en.deleteproject(ph)
    return steps


def near(a, b, tol=1e-3):
    return abs(a - b) <= tol


def check_leakage(run):
    return all(r[j]["leakage"] > 0.01 for r in run().values() for j in ("J1", "J2", "J3", "J4"))


def check_pcv(run):
    r = run()[0]
    # Fully open V3 loses K V^2/2g with K = 3; V1 and V2 lose far more.
    area = math.pi * 0.15 ** 2 / 4
    v3 = r["V3"]["flow"] / 1000 / area
    open_loss = 3 * v3 ** 2 / (2 * 9.81)
    return near(r["V3"]["headloss"], open_loss, 0.01) and r["V1"]["headloss"] > 3 * r["V2"]["headloss"] > 0


def check_cms_psi(run):
    return all(near(v["pressure"], (v["head"] - v["elevation"]) * PSI_PER_M, 0.01)
               for r in run().values() for k, v in r.items() if k.startswith("J"))


def check_tank_overflow(run, run_edited):
    full_times = [t for t, r in run().items() if near(r["T1"]["head"], 34.0) and r["P2"]["flow"] > 1]
    no_overflow = run_edited(lambda ph: en.setnodevalue(ph, en.getnodeindex(ph, "T1"), en.CANOVERFLOW, 0))
    closed = [t for t, r in no_overflow.items() if abs(r["P2"]["flow"]) < 1e-3]
    return len(full_times) >= 4 and len(closed) >= 4


def check_emitter_no_backflow(run, run_edited):
    # The barrier leaves a residual of about -2e-6 L/s, not exactly zero.
    blocked = run()[0]
    allowed = run_edited(lambda ph: en.setoption(ph, en.EMITBACKFLOW, 1))[0]
    return (blocked["J3"]["pressure"] < 0 and abs(blocked["J3"]["emitter"]) < 1e-4
            and allowed["J3"]["emitter"] < -1 and blocked["J2"]["emitter"] > 1
            and allowed["J4"]["head"] > blocked["J4"]["head"] + 1)


def check_pda(run):
    for r in run().values():
        if not (near(r["J1"]["demand"], r["J1"]["full"]) and r["J4"]["demand"] < 0.9 * r["J4"]["full"]
                and abs(r["J5"]["demand"]) < 1e-6):
            return False
    return True


def check_prv_psv_fcv(run):
    return all(near(r["J2"]["pressure"], 25) and near(r["J5"]["pressure"], 45)
               and near(r["FCV1"]["flow"], 6) and r["PRV1"]["status"] == 2
               and r["PSV1"]["status"] == 2 and r["FCV1"]["status"] == 2
               for r in run().values())


def check_pumps(run):
    r = run()[0]
    return all(r[p]["flow"] > 1 for p in ("PU1", "PU2", "PU3", "PU4"))


def check_constant_power_dead_end(run):
    r = run()[0]
    # PU1 was left open in the file; EPANET closes it itself.
    return (r["PU1"]["status"] == 0 and r["PU1"]["flow"] == 0
            and r["PU2"]["status"] == 1 and r["PU2"]["flow"] > 1)


def check_dw(run):
    r = run()[0]
    # PLAM is laminar: f = 64 / Re, hand-calculated head loss (SI units).
    q, d, nu = r["PLAM"]["flow"] / 1000, 0.05, 1.1e-5 * 0.3048 ** 2
    v = q / (math.pi * d ** 2 / 4)
    reynolds = v * d / nu
    laminar = 64 / reynolds * 100 / d * v ** 2 / (2 * 9.81)
    q_t = r["PTRANS"]["flow"] / 1000
    re_t = 4 * q_t / (math.pi * d * nu)
    return reynolds < 2000 and 2000 < re_t < 4000 and near(r["PLAM"]["headloss"], laminar, 2e-5)


def check_opens(run):
    return bool(run())


CHECKS = {
    "leakage": check_leakage, "pcv": check_pcv, "cms_psi": check_cms_psi,
    "tank_overflow": check_tank_overflow, "emitter_no_backflow": check_emitter_no_backflow,
    "pda": check_pda, "prv_psv_fcv": check_prv_psv_fcv, "pumps": check_pumps,
    "constant_power_dead_end": check_constant_power_dead_end,
    "dw": check_dw, "cm": check_opens, "latin1_ids": check_opens, "quoted_ids": check_opens,
}


def main():
    folder = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(HERE, "..", "tests", "data", "features"))
    os.chdir(tempfile.mkdtemp(prefix="epanet-"))  # EPANET's scratch files
    failed = 0
    for name in sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".inp")):
        path = os.path.join(folder, name + ".inp")
        check = CHECKS.get(name, check_opens)
        run = lambda: simulate(path)  # noqa: E731
        edited = lambda edit: simulate(path, edit)  # noqa: E731
        try:
            ok = check(run, edited) if check.__code__.co_argcount == 2 else check(run)
        except Exception as error:  # EPANET rejected the file
            ok, name = False, f"{name} ({error})"
        failed += not ok
        print(("ok    " if ok else "FAIL  ") + name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
