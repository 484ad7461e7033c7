#!/usr/bin/env python3
"""Check `pipenet burst` against EPANET 2.3 running the same burst, edited independently.

    validate_burst.py NET.inp --pipe ID [--at 0.5] (--area M2 [--cd 0.75] | --emitter C)
                      [--start H:MM] [--pmin P --preq P] [--bin PATH] [--compare PATH]
                      [--keep DIR] [--expected FILE.json] [--tight]
                      [--isolate-at H:MM [--valves LAYER.csv]] [--no-backflow]
                      [COMPARE ARGS ...]

EPANET side (owa-epanet 2.3.5, `import epanet.toolkit as en`), built from
the original NET.inp through the toolkit, not from pipenet's edited file:
a junction ID-burst is added at fraction --at along the pipe (elevation
interpolated between the end nodes; a reservoir end gives way to the other
end's elevation), the pipe ends there and a new pipe ID-2 carries the rest
(length and minor loss split in proportion, same diameter, roughness,
status and check valve; simple controls on the pipe copied), demands
become pressure-dependent (pipenet's defaults: minimum 0 and required 20 m
of head unless the network is PDA or --pmin/--preq are given), and the
emitter coefficient Cd*A*sqrt(2g) (g = 32.2 ft/s^2), converted to the
file's flow and pressure units, is set on ID-burst with EN_setnodevalue
during the run, just before the first period at or after --start. (pipenet
instead keeps the emitter behind a pipe opened by a control at --start;
this checks that the two agree.)

pipenet side: `BIN burst ... --results R.json --out S.json`. The full
results are compared with ../shared/tools/compare_results.py (its default
tolerances unless COMPARE ARGS say otherwise); then the burst outflow at
each report time, the burst volume and the demand not delivered (both
integrated over hydraulic steps) are compared. --expected FILE writes
EPANET's burst outflow, volume and deficit to FILE (for tests/data).
--tight runs both engines on a copy of the network with ACCURACY 1e-5:
at a late burst's first period the two take different paths to the
solution (a pipe opening against an emitter appearing), and at EPANET's
default ACCURACY 1e-3 that alone can move a few flows by ~0.2 %.
--isolate-at T checks `pipenet burst --isolate-at T`: the script finds,
on its own, the valves of the layer (`link,node[,valve]` CSV; without
--valves, the network's own valves, each at its start node) that isolate
the burst pipe's segment (segments as connected parts of the graph of
nodes and links with the valves' (link, node) joints removed) and the
segments that closing them cuts off from every reservoir and tank. EPANET
gets one `LINK ... CLOSED AT TIME T` control per valve (a valve on the
burst pipe at its end node closes ID-2, the half touching that node);
the valves must be the ones pipenet reports. From T on, EPANET's values at
the nodes out of service are meaningless (heads of a part with no source)
and are left out of the comparison; the burst volume and the demand not
delivered are also compared before and after T. With EPANET's default
BACKFLOW ALLOWED YES, the emitter of the isolated burst draws water in at
the negative pressure of a part with no source and feeds the cut-off
customers' pressure-dependent demands with it, where pipenet counts the
part as cut off (no flow, no demand); --no-backflow runs both engines on
a copy with BACKFLOW ALLOWED NO, where the two should agree.
Exits 0 when everything agrees.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import epanet.toolkit as en
from shared_paths import SHARED, shared  # noqa: E402,F401

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
G_SI = 32.2 * 0.3048  # EPANET's gravity, m/s^2
M_PER_FT = 0.3048
CFS_M3S = 0.028317
# File flow units per cfs (EPANET types.h), by EN flow-units code.
PER_CFS = {en.CFS: 1.0, en.GPM: 448.831, en.MGD: 0.64632, en.IMGD: 0.5382, en.AFD: 1.9837,
           en.LPS: 28.317, en.LPM: 1699.0, en.MLD: 2.4466, en.CMH: 101.94, en.CMD: 2446.6}
if hasattr(en, "CMS"):
    PER_CFS[en.CMS] = CFS_M3S
SI_FLOWS = {en.LPS, en.LPM, en.MLD, en.CMH, en.CMD} | ({en.CMS} if hasattr(en, "CMS") else set())


def parse_time(text):
    if ":" in text:
        parts = [int(p) for p in text.split(":")]
        parts += [0] * (3 - len(parts))
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    return round(float(text) * 3600)


def metres_per_pressure_unit(ph):
    """m of head per file pressure unit, EPANET's factors."""
    units = en.getoption(ph, en.PRESS_UNITS) if hasattr(en, "PRESS_UNITS") else None
    si = en.getflowunits(ph) in SI_FLOWS
    per_ft = {0: 0.4333, 1: 0.4333 * 6.895, 2: M_PER_FT, 3: 0.4333 * 0.068948, 4: 1.0}
    if units is None:
        return 1.0 if si else M_PER_FT / 0.4333
    return M_PER_FT / per_ft[int(units)]


def split_and_burst(ph, a):
    """Applies the split and PDA; returns (burst junction index, emitter coefficient in file units)."""
    k = en.getlinkindex(ph, a.pipe)
    n1, n2 = en.getlinknodes(ph, k)
    length = en.getlinkvalue(ph, k, en.LENGTH)
    diameter = en.getlinkvalue(ph, k, en.DIAMETER)
    roughness = en.getlinkvalue(ph, k, en.ROUGHNESS)
    minor = en.getlinkvalue(ph, k, en.MINORLOSS)
    status = en.getlinkvalue(ph, k, en.INITSTATUS)
    link_type = en.getlinktype(ph, k)

    def elevation(i):
        return en.getnodevalue(ph, i, en.ELEVATION)
    t1, t2 = en.getnodetype(ph, n1), en.getnodetype(ph, n2)
    if t1 == en.RESERVOIR and t2 != en.RESERVOIR:
        z = elevation(n2)
    elif t2 == en.RESERVOIR and t1 != en.RESERVOIR:
        z = elevation(n1)
    else:
        z = elevation(n1) + a.at * (elevation(n2) - elevation(n1))

    j = en.addnode(ph, a.pipe + "-burst", en.JUNCTION)
    en.setnodevalue(ph, j, en.ELEVATION, z)
    # Adding a junction renumbers tanks and reservoirs: look the ends up again.
    n2 = en.getlinknodes(ph, k)[1]
    k2 = en.addlink(ph, a.pipe + "-2", link_type, en.getnodeid(ph, j), en.getnodeid(ph, n2))
    en.setlinknodes(ph, k, en.getlinknodes(ph, k)[0], j)
    for link, f in ((k, a.at), (k2, 1.0 - a.at)):
        en.setlinkvalue(ph, link, en.LENGTH, length * f)
        en.setlinkvalue(ph, link, en.DIAMETER, diameter)
        en.setlinkvalue(ph, link, en.ROUGHNESS, roughness)
        en.setlinkvalue(ph, link, en.MINORLOSS, minor * f)
        en.setlinkvalue(ph, link, en.INITSTATUS, status)
    for c in range(1, en.getcount(ph, en.CONTROLCOUNT) + 1):
        ctype, link, setting, node, level = en.getcontrol(ph, c)
        if link == k:
            en.addcontrol(ph, ctype, k2, setting, node, level)

    p_unit = metres_per_pressure_unit(ph)
    model, pmin, preq, pexp = en.getdemandmodel(ph)
    if a.pmin is not None or a.preq is not None or model != en.PDA:
        pmin = a.pmin if a.pmin is not None else (pmin if model == en.PDA else 0.0)
        preq = a.preq if a.preq is not None else (preq if model == en.PDA else 20.0 / p_unit)
        en.setdemandmodel(ph, en.PDA, pmin, preq, pexp if model == en.PDA else 0.5)

    flow_m3s = CFS_M3S / PER_CFS[en.getflowunits(ph)]
    if a.emitter is not None:
        coefficient = a.emitter
    else:
        coefficient = a.cd * a.area * math.sqrt(2 * G_SI) / flow_m3s * math.sqrt(p_unit)
    return j, coefficient


def read_layer(ph, path):
    """The valves as (link id, node id) pairs: from a CSV layer, or the network's own valves."""
    if path is None:
        valves = []
        for k in range(1, en.getcount(ph, en.LINKCOUNT) + 1):
            if en.getlinktype(ph, k) not in (en.PIPE, en.CVPIPE, en.PUMP):
                valves.append((en.getlinkid(ph, k), en.getnodeid(ph, en.getlinknodes(ph, k)[0])))
        return valves
    import csv
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    key = lambda row, name: next(v for k, v in row.items() if k and k.strip().lower() == name)  # noqa: E731
    return [(key(r, "link").strip(), key(r, "node").strip()) for r in rows]


def isolation_of(ph, pipe, valves):
    """Valves (link, node) that isolate `pipe`'s segment, and the node and link ids out
    of service (in that segment, or cut off from every source by closing it)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    joints = set(valves)
    nodes = [en.getnodeid(ph, i) for i in range(1, en.getcount(ph, en.NODECOUNT) + 1)]
    sources = {en.getnodeid(ph, i) for i in range(1, len(nodes) + 1)
               if en.getnodetype(ph, i) != en.JUNCTION}
    for n in nodes:
        find(("node", n))
    for k in range(1, en.getcount(ph, en.LINKCOUNT) + 1):
        link = en.getlinkid(ph, k)
        find(("link", link))
        for end in en.getlinknodes(ph, k):
            node = en.getnodeid(ph, end)
            if (link, node) not in joints:
                parent[find(("link", link))] = find(("node", node))
    shut = find(("link", pipe))
    closing = [(l, n) for l, n in valves
               if (find(("link", l)) == shut) != (find(("node", n)) == shut)]

    def reached(without):
        seen = {find(("node", n)) for n in sources} - {without}
        todo = list(seen)
        while todo:
            s = todo.pop()
            for l, n in valves:
                a, b = find(("link", l)), find(("node", n))
                for here, there in ((a, b), (b, a)):
                    if here == s and there not in seen and there != without:
                        seen.add(there)
                        todo.append(there)
        return seen

    before, after = reached(None), reached(shut)
    lost = lambda x: find(x) == shut or (find(x) in before and find(x) not in after)  # noqa: E731
    links = [en.getlinkid(ph, k) for k in range(1, en.getcount(ph, en.LINKCOUNT) + 1)]
    return closing, [n for n in nodes if lost(("node", n))], [k for k in links if lost(("link", k))]


def close_at(ph, a, closing, at_s):
    """One control per valve: its link closed from `at_s` (ID-2 for a valve on
    the burst pipe at its end node). Returns the link ids closed."""
    end_node = a.pipe_end_node
    closed = []
    for link, node in closing:
        target = a.pipe + "-2" if (link == a.pipe and node == end_node) else link
        en.addcontrol(ph, en.TIMER, en.getlinkindex(ph, target), 0.0, 0, at_s)
        closed.append(target)
    return closed


def epanet_run(a, out_json):
    ph = en.createproject()
    en.open(ph, a.network, os.devnull, "")
    iso = None
    if a.isolate_at:
        k = en.getlinkindex(ph, a.pipe)
        a.pipe_end_node = en.getnodeid(ph, en.getlinknodes(ph, k)[1])
        closing, out_nodes, out_links = isolation_of(ph, a.pipe, read_layer(ph, a.valves))
        # The split junction and the second half lie in the burst pipe's segment.
        out_nodes.append(a.pipe + "-burst")
        out_links.append(a.pipe + "-2")
    j, coefficient = split_and_burst(ph, a)
    start_s = parse_time(a.start)
    if a.isolate_at:
        iso_s = parse_time(a.isolate_at)
        iso = {"at_s": iso_s, "closed_links": close_at(ph, a, closing, iso_s),
               "out_nodes": out_nodes, "out_links": out_links,
               "burst_after_ft3": 0.0, "deficit_after_ft3": 0.0}
    junctions = [i for i in range(1, en.getcount(ph, en.NODECOUNT) + 1)
                 if en.getnodetype(ph, i) == en.JUNCTION]
    customers = [i for i in junctions if en.getnodevalue(ph, i, en.BASEDEMAND) > 0]
    n_nodes, n_links = en.getcount(ph, en.NODECOUNT), en.getcount(ph, en.LINKCOUNT)
    rstart, rstep = en.gettimeparam(ph, en.REPORTSTART), en.gettimeparam(ph, en.REPORTSTEP)
    fields_n = {"head": en.HEAD, "pressure": en.PRESSURE, "demand": en.DEMAND}
    fields_l = {"flow": en.FLOW, "velocity": en.VELOCITY, "headloss": en.HEADLOSS,
                "status": en.STATUS, "setting": en.SETTING}
    node_res = {k: [] for k in fields_n}
    link_res = {k: [] for k in fields_l}
    times, outflow = [], []
    volume_ft3 = deficit_ft3 = 0.0
    flow_cfs = 1.0 / PER_CFS[en.getflowunits(ph)]
    en.openH(ph)
    if start_s == 0:
        en.setnodevalue(ph, j, en.EMITTER, coefficient)
    en.initH(ph, 0)
    on = start_s == 0
    while True:
        t = en.runH(ph)
        q = en.getnodevalue(ph, j, en.EMITTERFLOW)
        deficit = sum(en.getnodevalue(ph, i, en.DEMANDDEFICIT) for i in customers)
        if t >= rstart and (t - rstart) % rstep == 0:
            times.append(t)
            outflow.append(q)
            for name, code in fields_n.items():
                node_res[name].append([en.getnodevalue(ph, i, code) for i in range(1, n_nodes + 1)])
            for name, code in fields_l.items():
                link_res[name].append([en.getlinkvalue(ph, i, code) for i in range(1, n_links + 1)])
        step = en.nextH(ph)
        volume_ft3 += q * flow_cfs * step
        deficit_ft3 += deficit * flow_cfs * step
        if iso and t >= iso["at_s"]:
            iso["burst_after_ft3"] += q * flow_cfs * step
            iso["deficit_after_ft3"] += deficit * flow_cfs * step
        if step <= 0:
            break
        if not on and t + step >= start_s:
            en.setnodevalue(ph, j, en.EMITTER, coefficient)
            on = True
    en.closeH(ph)
    doc = {
        "nodes": [en.getnodeid(ph, i) for i in range(1, n_nodes + 1)],
        "links": [en.getlinkid(ph, i) for i in range(1, n_links + 1)],
        "times_s": times, "node": node_res, "link": link_res,
    }
    en.close(ph)
    en.deleteproject(ph)
    with open(out_json, "w") as f:
        json.dump(doc, f)
    m3 = CFS_M3S
    return {"times_s": times, "burst_outflow": outflow, "burst_volume_m3": volume_ft3 * m3,
            "not_delivered_m3": deficit_ft3 * m3, "emitter_coefficient": coefficient,
            "isolation": iso}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("network")
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--at", type=float, default=0.5)
    ap.add_argument("--area", type=float)
    ap.add_argument("--cd", type=float, default=0.75)
    ap.add_argument("--emitter", type=float)
    ap.add_argument("--start", default="0:00")
    ap.add_argument("--pmin", type=float)
    ap.add_argument("--preq", type=float)
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/pipenet"))
    ap.add_argument("--compare", default=shared("tools", "compare_results.py"))
    ap.add_argument("--keep")
    ap.add_argument("--expected")
    ap.add_argument("--isolate-at")
    ap.add_argument("--valves")
    ap.add_argument("--no-backflow", action="store_true",
                    help="run both engines on a copy with BACKFLOW ALLOWED NO")
    ap.add_argument("--tight", action="store_true",
                    help="run both engines on a copy with ACCURACY 1e-5")
    a, compare_args = ap.parse_known_args()
    if (a.area is None) == (a.emitter is None):
        sys.exit("give --area or --emitter")
    a.network = os.path.abspath(a.network)
    if a.valves:
        a.valves = os.path.abspath(a.valves)
    work = a.keep or tempfile.mkdtemp(prefix="burst-")
    os.makedirs(work, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(work)  # EPANET's scratch files
    try:
        if a.tight or a.no_backflow:
            a.network = edited_copy(a.network, work, a.tight, a.no_backflow)
        ok = validate(a, work, compare_args)
    finally:
        os.chdir(cwd)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


def edited_copy(network, work, tight, no_backflow):
    """A copy of the network, written by EPANET, with ACCURACY 1e-5 (`tight`)
    and/or BACKFLOW ALLOWED NO (`no_backflow`)."""
    ph = en.createproject()
    en.open(ph, network, os.devnull, "")
    if tight:
        en.setoption(ph, en.ACCURACY, 1e-5)
    if no_backflow:
        en.setoption(ph, en.EMITBACKFLOW, 0)
    path = os.path.join(work, "edited_" + os.path.basename(network))
    en.saveinpfile(ph, path)
    en.close(ph)
    en.deleteproject(ph)
    return path


def validate(a, work, compare_args):
    ref = epanet_run(a, os.path.join(work, "epanet.json"))
    cmd = [a.bin, "burst", a.network, "--pipe", a.pipe, "--at", str(a.at), "--cd", str(a.cd),
           "--start", a.start, "--results", os.path.join(work, "pipenet.json"),
           "--out", os.path.join(work, "summary.json"),
           "--write-inp", os.path.join(work, "edited.inp")]
    cmd += ["--area", str(a.area)] if a.area is not None else ["--emitter", str(a.emitter)]
    cmd += ["--pmin", str(a.pmin)] if a.pmin is not None else []
    cmd += ["--preq", str(a.preq)] if a.preq is not None else []
    if a.isolate_at:
        cmd += ["--isolate-at", a.isolate_at] + (["--valves", a.valves] if a.valves else [])
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        print(run.stderr)
        return False
    if parse_time(a.start) > 0 and not any(x.startswith("--fields") for x in compare_args):
        # pipenet's late burst has its emitter on ID-leak, EPANET's on
        # ID-burst: that one node's demand differs by design.
        compare_args = compare_args + ["--fields", "head,pressure,flow"]
    references = [("", os.path.join(work, "epanet.json"))]
    if ref["isolation"]:
        references = split_reference(work, ref["isolation"])
    compared_ok = True
    for label, reference in references:
        compare = subprocess.run([sys.executable, a.compare, os.path.join(work, "pipenet.json"),
                                  reference] + compare_args, capture_output=True, text=True)
        for line in compare.stdout.strip().splitlines():
            print(label + line)
        if compare.returncode != 0 and compare.stderr.strip():
            # A comparison that could not run (no compare_results.py at
            # --compare, say) must not look like results that disagree.
            print(label + "compare_results.py: " + compare.stderr.strip().splitlines()[-1])
        compared_ok = compared_ok and compare.returncode == 0
    with open(os.path.join(work, "summary.json")) as f:
        ours = json.load(f)
    got = {r["time_s"]: r["burst_outflow"] for r in ours["rows"]}
    worst = max((abs(got.get(t, math.nan) - q), t) for t, q in zip(ref["times_s"], ref["burst_outflow"]))
    peak = max(ref["burst_outflow"])
    print(f"emitter coefficient (file units): EPANET {ref['emitter_coefficient']:.4f}")
    print(f"burst outflow: worst |diff| {worst[0]:.4f} at {worst[1]} s (EPANET peak {peak:.3f})")
    print(f"burst volume m3: pipenet {ours['burst_volume_m3']:.3f}  EPANET {ref['burst_volume_m3']:.3f}")
    print(f"not delivered m3: pipenet {ours['not_delivered_m3']:.3f}  EPANET {ref['not_delivered_m3']:.3f}")
    if a.expected:
        keep = {k: ref[k] for k in ("times_s", "burst_outflow", "burst_volume_m3", "not_delivered_m3")}
        argv = sys.argv[1:]
        i = argv.index("--expected")
        keep["command"] = " ".join(["scripts/validate_burst.py"] + argv[:i] + argv[i + 2:])
        keep["engine"] = "EPANET " + str(en.getversion())
        with open(os.path.join(REPO, a.expected) if not os.path.isabs(a.expected) else a.expected, "w") as f:
            json.dump(keep, f, indent=1)
            f.write("\n")
    volume_ok = abs(ours["burst_volume_m3"] - ref["burst_volume_m3"]) <= 1e-3 * max(1.0, ref["burst_volume_m3"])
    deficit_ok = abs(ours["not_delivered_m3"] - ref["not_delivered_m3"]) <= 0.01 * max(1.0, ref["not_delivered_m3"])
    outflow_ok = worst[0] <= 0.01 + 0.001 * peak
    ok = compared_ok and volume_ok and deficit_ok and outflow_ok
    if ref["isolation"]:
        ok = isolation_agrees(ours, ref["isolation"]) and ok
    print("PASS" if ok else "FAIL")
    return ok


def split_reference(work, iso):
    """EPANET's results before the closing time (every element), and from it on
    without the elements out of service, whose values mean nothing in EPANET
    (a part with no source). Returns (label, path) pairs."""
    with open(os.path.join(work, "epanet.json")) as f:
        doc = json.load(f)
    cut = sum(t < iso["at_s"] for t in doc["times_s"])
    before = {"nodes": doc["nodes"], "links": doc["links"], "times_s": doc["times_s"][:cut],
              "node": {k: v[:cut] for k, v in doc["node"].items()},
              "link": {k: v[:cut] for k, v in doc["link"].items()}}
    out_nodes, out_links = set(iso["out_nodes"]), set(iso["out_links"])
    keep_n = [i for i, n in enumerate(doc["nodes"]) if n not in out_nodes]
    keep_l = [i for i, k in enumerate(doc["links"]) if k not in out_links]
    after = {"nodes": [doc["nodes"][i] for i in keep_n], "links": [doc["links"][i] for i in keep_l],
             "times_s": doc["times_s"][cut:],
             "node": {k: [[row[i] for i in keep_n] for row in v[cut:]] for k, v in doc["node"].items()},
             "link": {k: [[row[i] for i in keep_l] for row in v[cut:]] for k, v in doc["link"].items()}}
    paths = []
    for label, part in (("before closing: ", before), ("after closing, in service: ", after)):
        path = os.path.join(work, "epanet_%s.json" % ("before" if part is before else "after"))
        with open(path, "w") as f:
            json.dump(part, f)
        paths.append((label, path))
    return paths


def isolation_agrees(ours, iso):
    """Compares pipenet's isolation figures with EPANET's; prints them."""
    mine = ours["isolation"]
    m3 = CFS_M3S
    burst_after, deficit_after = iso["burst_after_ft3"] * m3, iso["deficit_after_ft3"] * m3
    burst_before = ours["burst_volume_m3"] - mine["burst_volume_after_m3"]
    print(f"isolation at {iso['at_s']} s: links closed pipenet {' '.join(mine['closed_links'])}, "
          f"script {' '.join(iso['closed_links'])}; out of service after closing (not compared): "
          f"{len(iso['out_nodes'])} nodes, {len(iso['out_links'])} links")
    print(f"burst m3 after closing: pipenet {mine['burst_volume_after_m3']:.3f}  EPANET {burst_after:.3f}"
          f"  (before: pipenet {burst_before:.3f})")
    print(f"not delivered m3 after closing: pipenet {mine['not_delivered_after_m3']:.3f}  EPANET {deficit_after:.3f}")
    same_links = sorted(mine["closed_links"]) == sorted(iso["closed_links"])
    burst_ok = abs(mine["burst_volume_after_m3"] - burst_after) <= 1e-3 * max(1.0, burst_after)
    deficit_ok = abs(mine["not_delivered_after_m3"] - deficit_after) <= 0.01 * max(1.0, deficit_after)
    return same_links and burst_ok and deficit_ok


if __name__ == "__main__":
    main()
