#!/usr/bin/env python3
"""Check `pipenet run --sources` against one EPANET trace per source.

    validate_sources.py [--bin PATH] [--tol 0.5] NET.inp

Runs pipenet once with --sources, then EPANET 2.3.5 once per reservoir and
tank with TRACE from it (../shared/tools/epanet_reference.py --trace), and
compares each source's share at every node and report time. Prints the
worst difference per source and PASS when all are within --tol percentage
points. Needs owa-epanet 2.3.5.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from shared_paths import SHARED, shared  # noqa: E402,F401

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE_TOOL = shared("tools", "epanet_reference.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("--tol", type=float, default=0.5)
    ap.add_argument("--reference-tool", default=REFERENCE_TOOL)
    ap.add_argument("network")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pipenet-sources-") as tmp:
        ours = os.path.join(tmp, "ours.json")
        subprocess.run([a.bin, "run", a.network, "-q", "--sources", "--out", ours], check=True)
        doc = json.load(open(ours))
        times = doc["times_s"]
        nodes = doc["nodes"]
        failed = False
        for s, source in enumerate(doc["sources"]["ids"]):
            ref_path = os.path.join(tmp, f"trace-{s}.json")
            subprocess.run([sys.executable, a.reference_tool, a.network, ref_path,
                            "--trace", source], check=True, capture_output=True)
            ref = json.load(open(ref_path))
            index = {n: i for i, n in enumerate(nodes)}
            worst = (0.0, None, None)
            for ti, t in enumerate(ref["times_s"]):
                mine = doc["sources"]["percent"][times.index(t)][s]
                for e, node in enumerate(ref["nodes"]):
                    d = abs(mine[index[node]] - ref["node"]["quality"][ti][e])
                    if d > worst[0]:
                        worst = (d, t, node)
            ok = worst[0] <= a.tol
            failed |= not ok
            print(f"{'ok  ' if ok else 'FAIL'} source {source}: worst {worst[0]:.4f} points"
                  + (f" at t={worst[1]} s node {worst[2]}" if worst[1] is not None else ""))
    print("FAIL" if failed else "PASS")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
