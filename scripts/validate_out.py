#!/usr/bin/env python3
"""pipenet's EPANET binary results (.out) against EPANET's own, read independently.

For each network: run EPANET 2.3.5 (../shared/tools/runepanet) and pipenet
(`pipenet run NET.inp --out F.out`, and again with `--out F.json`), read both
.out files with the reader in scripts/epanet_out.py (written from the
published layout, not from pipenet's code) and, when it is installed, with
WNTR's binary reader, then compare:

  * prolog: counts, units, ids, link ends and types, tank areas, elevations,
    lengths, diameters: equal (REAL4 within 1e-6 relative);
  * energy: per pump, within rtol 0.01 / atol 1e-4 (EPANET's nrtest values);
  * every period, node and link field: |pipenet - epanet| <= atol + rtol |epanet|
    with the project's usual tolerances (../shared/tools/compare_results.py:
    heads and pressures 0.01; demands, flows, velocities, head losses 0.01 +
    0.001 relative; quality 0.01 + 0.01 relative; statuses and settings
    equal); friction factors (ill-defined at no flow) where the velocity
    exceeds 0.01 and the pipe's head loss 0.05 length units, within 0.001 +
    0.01 relative; a pipe's head loss per 1000 length units also passes
    when the total loss differs by at most 1e-4 length units (a 1 ft pipe
    multiplies the solver's head noise by 1000); link reaction rates within
    0.01 + 0.01 relative;
  * epilog: the four average reaction rates (bulk, wall, tank, source
    inflow, mass per hour) within rtol 0.01 / atol 1e-4, the number of
    periods and the warning flag equal;
  * pipenet's .out against pipenet's JSON rounded to 32-bit floats: equal
    (with a statistic, the statistic EPANET's rules give from the JSON's
    time series).

By default: Net1, Net3 and Net6 (issue 8), the networks with reactions or
sources (Net2's fluoride source; Net1 with two-compartment and LIFO tanks;
MSX examples net2-cl2 and batch-nh2cl, chlorine with bulk and wall
reactions), Net3 made to carry chlorine (1 mg/L at both sources, bulk
-0.5/day, wall -1 ft/day; Net3 itself traces the Lake, which reacts
nothing), and Net1 with each [TIMES] STATISTIC (AVERAGED, MINIMUM,
MAXIMUM, RANGE), whose friction factors are compared on links that move at
every report time of EPANET's time series. Given networks are checked as
they are, and with --statistics also with each statistic.

    python3 scripts/validate_out.py [--pipenet target/release/pipenet] [--statistics] [NET.inp ...]
Exit status 1 if any check fails.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from shared_paths import SHARED, shared  # noqa: E402,F401

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from epanet_out import LINK_FIELDS, NODE_FIELDS, read_out  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NETWORKS = ["epanet/Net1.inp", "epanet/Net3.inp", "wntr/Net6.inp"]
REACTIVE = ["epanet/Net2.inp", "examples/tanks/example1_2comp.inp",
            "examples/tanks/example1_LIFO.inp", "examples/msx-examples/net2-cl2.inp",
            "examples/msx-examples/batch-nh2cl.inp"]
STATISTICS = ("AVERAGED", "MINIMUM", "MAXIMUM", "RANGE")
RATES = ("bulk_rate", "wall_rate", "tank_rate", "source_rate")
RTOL, ATOL = 0.01, 1e-4
# (absolute, relative) tolerance per field.
TOLERANCE = {
    "node_head": (0.01, 0.0), "node_pressure": (0.01, 0.0),
    "node_demand": (0.01, 0.001), "link_flow": (0.01, 0.001),
    "link_velocity": (0.01, 0.001), "link_headloss": (0.01, 0.001),
    "node_quality": (0.01, 0.01), "link_quality": (0.01, 0.01),
    "link_status": (0.0, 0.0), "link_setting": (1e-4, 1e-6),
    "link_reaction": (0.01, 0.01), "link_friction": (0.001, 0.01),
}


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def close(a, b, atol=ATOL, rtol=RTOL, where=None):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    bad = np.abs(a - b) > atol + rtol * np.abs(b)
    if where is not None:
        bad &= where
    return int(bad.sum()), float(np.max(np.abs(a - b))) if a.size else 0.0


def compare_prolog(mine, ref, problems):
    for key in ("version", "n_nodes", "n_tanks", "n_links", "n_pumps", "n_valves",
                "quality", "trace_node", "flow_units", "pressure_units",
                "statistic", "report_start", "report_step", "duration",
                "titles", "chem_name", "chem_units", "node_ids", "link_ids"):
        a, b = mine[key], ref[key]
        if a != b:
            problems.append(f"prolog {key}: pipenet {a!r:.80} epanet {b!r:.80}")
    for key in ("from_node", "to_node", "link_type", "tank_nodes"):
        if not np.array_equal(mine[key], ref[key]):
            problems.append(f"prolog {key} differs")
    for key in ("tank_area", "elevation", "length", "diameter"):
        if not np.allclose(mine[key], ref[key], rtol=1e-6, atol=1e-6):
            i = int(np.argmax(np.abs(mine[key] - ref[key])))
            problems.append(f"prolog {key}[{i}]: pipenet {mine[key][i]} epanet {ref[key][i]}")


def compare_energy(mine, ref, problems):
    if len(mine["pumps"]) != len(ref["pumps"]):
        problems.append("energy: pump counts differ")
        return
    worst = 0.0
    for a, b in zip(mine["pumps"], ref["pumps"]):
        for key in b:
            bad, diff = close([a[key]], [b[key]])
            worst = max(worst, diff) if key != "link" else worst
            if bad:
                problems.append(f"energy pump {b['link']} {key}: pipenet {a[key]:.6g} "
                                f"epanet {b[key]:.6g}")
    bad, _ = close([mine["demand_charge"]], [ref["demand_charge"]])
    if bad:
        problems.append("energy demand charge differs")
    return worst


def moving_links(ref):
    """Where a friction factor is well defined: [period, link] masks of
    links whose velocity exceeds 0.01 and whose head loss exceeds 0.05
    length units."""
    b = ref["periods"]
    pipe = ref["prolog"]["link_type"] <= 1
    length = np.where(pipe, ref["prolog"]["length"], 1000.0)
    total_loss = np.abs(b["link_headloss"]) * length / 1000.0
    return (np.abs(b["link_velocity"]) > 0.01) & (total_loss > 0.05)


def compare_periods(mine, ref, problems, moving):
    """Every period's fields; `moving` masks the friction factors compared."""
    a, b = mine["periods"], ref["periods"]
    if mine["epilog"]["n_periods"] != ref["epilog"]["n_periods"]:
        problems.append(f"periods: pipenet {mine['epilog']['n_periods']} "
                        f"epanet {ref['epilog']['n_periods']}")
        return {}
    stats = {}
    pipe = ref["prolog"]["link_type"] <= 1
    length = np.where(pipe, ref["prolog"]["length"], 1000.0)
    loss_noise = np.abs(a["link_headloss"] - b["link_headloss"]) * length / 1000.0 > 1e-4
    for key in [f"node_{f}" for f in NODE_FIELDS] + [f"link_{f}" for f in LINK_FIELDS]:
        atol, rtol = TOLERANCE[key]
        where = {"link_friction": moving, "link_headloss": loss_noise}.get(key)
        bad, diff = close(a[key], b[key], atol, rtol, where)
        stats[key] = (bad, diff, a[key].size)
        if bad:
            excess = np.abs(a[key] - b[key]) - rtol * np.abs(b[key])
            if where is not None:
                excess = np.where(where, excess, -np.inf)
            t, e = np.unravel_index(np.argmax(excess), a[key].shape)
            problems.append(f"{key}: {bad} of {a[key].size} values beyond tolerance, "
                            f"worst at period {t} element {e}: pipenet {a[key][t, e]:.6g} "
                            f"epanet {b[key][t, e]:.6g}")
    if mine["epilog"]["warning"] != ref["epilog"]["warning"]:
        problems.append(f"epilog warning flag: pipenet {mine['epilog']['warning']} "
                        f"epanet {ref['epilog']['warning']}")
    for key in RATES:
        bad, _ = close([mine["epilog"][key]], [ref["epilog"][key]])
        if bad:
            problems.append(f"epilog {key}: pipenet {mine['epilog'][key]:.6g} "
                            f"epanet {ref['epilog'][key]:.6g}")
    return stats


def statistic_of(key, series, statistic):
    """EPANET's statistic (prolog code 1-4) of a [time][element] series of
    32-bit floats, computed as EPANET does: in 32-bit floats, flows by
    their size, the average a running sum divided by the number of periods,
    minima and maxima from +-1e10."""
    series = np.abs(series) if key == "link_flow" else series
    total = np.zeros(series.shape[1], dtype=np.float32)
    low = np.full(series.shape[1], 1e10, dtype=np.float32)
    high = np.full(series.shape[1], -1e10, dtype=np.float32)
    for row in series:
        total += row
        low = np.minimum(low, row)
        high = np.maximum(high, row)
    result = {1: total / np.float32(len(series)), 2: low, 3: high, 4: high - low}[statistic]
    return result[np.newaxis, :]


def compare_json(mine, doc, problems):
    """The .out's values are the JSON's, rounded to 32-bit floats (with a
    statistic, the statistic of the JSON's series so rounded)."""
    a = mine["periods"]
    statistic = mine["prolog"]["statistic"]
    pairs = [("node_head", doc["node"]["head"]), ("node_pressure", doc["node"]["pressure"]),
             ("node_demand", doc["node"]["demand"]), ("link_flow", doc["link"]["flow"]),
             ("link_velocity", doc["link"]["velocity"])]
    if doc["node"].get("quality"):
        pairs.append(("node_quality", doc["node"]["quality"]))
        pairs.append(("link_quality", doc["link"]["quality"]))
    if doc["link"].get("reaction"):
        pairs.append(("link_reaction", doc["link"]["reaction"]))
    elif mine["prolog"]["quality"] == 1:
        problems.append("json: a chemical analysis without link reaction rates")
    for key, values in pairs:
        want = np.asarray(values, dtype=np.float64).astype(np.float32)
        # The JSON keeps 7 significant digits: one float32 step either way.
        step = np.spacing(np.abs(want)).astype(np.float64) * 2 + 1e-12
        if statistic:
            # Inputs a step apart, and a running sum rounded differently
            # (at most half a step of the sum per period, over the periods).
            size = np.abs(want).astype(np.float64)
            step = (2 * np.spacing(size.max(axis=0, keepdims=True).astype(np.float32))
                    + np.spacing(size.sum(axis=0, keepdims=True).astype(np.float32)))
            step = step.astype(np.float64) + 1e-12
            want = statistic_of(key, want, statistic)
        diff = np.abs(a[key].astype(np.float64) - want.astype(np.float64))
        if np.any(diff > np.maximum(step, 1e-6 * np.abs(want))):
            problems.append(f"json {key}: .out differs from the JSON rounded to f32 "
                            f"(max {diff.max():.3g})")


def wntr_check(path, ref_path, mine, problems, notes):
    """WNTR's binary reader on pipenet's file; where it fails, on EPANET's
    too, so that a failure of the reader itself is a note, not a problem."""
    try:
        import wntr  # noqa: F401
        from wntr.epanet.io import BinFile
    except Exception as e:  # WNTR is optional
        notes.append(f"WNTR reader not available ({e.__class__.__name__})")
        return
    if mine["prolog"]["statistic"]:
        # WNTR 1.5's BinFile expects a time series (its period count comes
        # from the duration and report step); it fails on EPANET's own
        # files with a statistic the same way.
        notes.append("WNTR's BinFile reads time series only: not tried")
        return
    try:
        results = BinFile().read(path)
    except Exception as e:
        try:
            BinFile().read(ref_path)
        except Exception:
            # WNTR 1.5 counts periods from (duration - report start) / report
            # step and fails on a report start between report steps.
            notes.append(f"WNTR's BinFile fails on EPANET's own file too "
                         f"({e.__class__.__name__}): not compared")
            return
        problems.append(f"WNTR cannot read pipenet's file but reads EPANET's: {e}")
        return
    head = results.node["head"].to_numpy()
    flow = results.link["flowrate"].to_numpy()
    n_periods = mine["epilog"]["n_periods"]
    if head.shape[0] != n_periods or head.shape[1] != mine["prolog"]["n_nodes"]:
        problems.append(f"WNTR reads {head.shape} node heads, expected "
                        f"({n_periods}, {mine['prolog']['n_nodes']})")
        return
    # WNTR converts to SI: heads in m, flows in m3/s.
    ft = 0.3048 if mine["prolog"]["flow_units"] <= 4 else 1.0
    if not np.allclose(head, mine["periods"]["node_head"] * ft, rtol=1e-5, atol=1e-5):
        problems.append("WNTR's heads differ from the file's")
    if flow.shape != mine["periods"]["link_flow"].shape:
        problems.append(f"WNTR reads link flows of shape {flow.shape}")
    notes.append(f"WNTR {wntr.__version__} BinFile reads it: {head.shape[0]} periods, "
                 f"{head.shape[1]} nodes, {flow.shape[1]} links")


def net3_with_chlorine(tmp):
    """Net3 analysing chlorine: 1 mg/L at River and Lake, bulk -0.5/day,
    wall -1 ft/day."""
    text = open(os.path.join(SHARED, "networks", "epanet", "Net3.inp"), encoding="latin-1").read()
    text = re.sub(r"(?im)^\s*quality\s+trace\s+\S+\s*$", " Quality Chlorine mg/L", text)
    text = re.sub(r"(?im)^\s*global\s+bulk\s+\S+\s*$", " Global Bulk -0.5", text)
    text = re.sub(r"(?im)^\s*global\s+wall\s+\S+\s*$", " Global Wall -1", text)
    text = re.sub(r"(?i)\[QUALITY\]\s*\n", "[QUALITY]\n River 1.0\n Lake 1.0\n", text, count=1)
    path = os.path.join(tmp, "Net3_chlorine.inp")
    open(path, "w", encoding="latin-1").write(text)
    return path


def with_statistic(inp, statistic, tmp):
    """A copy of a network with [TIMES] STATISTIC set."""
    text = open(inp, encoding="latin-1").read()
    text = re.sub(r"(?im)^\s*statistic\s+\S+\s*$", "", text)
    text = re.sub(r"(?i)\[TIMES\]\s*\n", f"[TIMES]\n Statistic {statistic}\n", text, count=1)
    name = os.path.splitext(os.path.basename(inp))[0] + "_" + statistic.lower()
    path = os.path.join(tmp, name + ".inp")
    open(path, "w", encoding="latin-1").write(text)
    return path


def check(inp, series, pipenet, tmp):
    """Compares pipenet's .out of one network with EPANET's; `series` is the
    network without a statistic (the same file for a time series), whose
    EPANET run tells which friction factors are well defined. Returns
    whether it passed."""
    runepanet = os.path.join(SHARED, "tools", "runepanet")
    name = os.path.splitext(os.path.basename(inp))[0]
    ref_out = os.path.join(tmp, name + "_epanet.out")
    my_out = os.path.join(tmp, name + "_pipenet.out")
    my_json = os.path.join(tmp, name + "_pipenet.json")
    run([runepanet, inp, os.path.join(tmp, name + ".rpt"), ref_out])
    run([pipenet, "run", inp, "--out", my_out, "-q"])
    run([pipenet, "run", inp, "--out", my_json, "-q"])
    mine, ref = read_out(my_out), read_out(ref_out)
    if series == inp:
        moving = moving_links(ref)
    else:
        series_out = os.path.join(tmp, name + "_series_epanet.out")
        run([runepanet, series, os.path.join(tmp, name + "_series.rpt"), series_out])
        moving = moving_links(read_out(series_out)).all(axis=0, keepdims=True)
    problems, notes = [], []
    compare_prolog(mine["prolog"], ref["prolog"], problems)
    compare_energy(mine["energy"], ref["energy"], problems)
    stats = compare_periods(mine, ref, problems, moving)
    with open(my_json) as f:
        compare_json(mine, json.load(f), problems)
    wntr_check(my_out, ref_out, mine, problems, notes)
    print(f"{name}: {mine['prolog']['n_nodes']} nodes, {mine['prolog']['n_links']} links, "
          f"{mine['epilog']['n_periods']} periods, "
          f"{'OK' if not problems else 'FAIL'}")
    for key, (bad, diff, size) in stats.items():
        print(f"  {key:<15} max |diff| {diff:10.3g}  beyond tolerance {bad}/{size}")
    rates = ", ".join(f"{k.split('_')[0]} {mine['epilog'][k]:.6g} ({ref['epilog'][k]:.6g})"
                      for k in RATES)
    print(f"  epilog mass/h, pipenet (EPANET): {rates}")
    for p in problems:
        print("  FAIL", p)
    for n in notes:
        print("  note", n)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pipenet", default=os.path.join(ROOT, "target", "release", "pipenet"))
    ap.add_argument("--statistics", action="store_true",
                    help="also check each network with each [TIMES] STATISTIC")
    ap.add_argument("networks", nargs="*")
    args = ap.parse_args()
    networks = args.networks or [os.path.join(SHARED, "networks", n)
                                 for n in NETWORKS + REACTIVE]
    with_statistics = networks if args.statistics else []
    if not args.networks:
        with_statistics = [os.path.join(SHARED, "networks", NETWORKS[0])]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        if not args.networks:
            networks.append(net3_with_chlorine(tmp))
        for inp in networks:
            failed |= not check(inp, inp, args.pipenet, tmp)
        for inp in with_statistics:
            for statistic in STATISTICS:
                copy = with_statistic(inp, statistic, tmp)
                failed |= not check(copy, inp, args.pipenet, tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
