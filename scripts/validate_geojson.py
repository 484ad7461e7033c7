#!/usr/bin/env python3
"""pipenet's GeoJSON export checked with the PyPI `geojson` validator.

Runs `pipenet export NET.inp --geojson F --time T --crs EPSG:n` on
epanet/Net3 (and any networks given), loads the file with
`geojson.load`, and requires `is_valid` on the collection and on every
feature, one Point per node and one LineString per link (vertices
included), and the results at the time asked. A network without
coordinates must be refused with a message naming a node.

    python3 scripts/validate_geojson.py [--pipenet PATH] [NET.inp ...]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import geojson
from shared_paths import SHARED, shared  # noqa: E402,F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipenet", default=os.path.join(ROOT, "target", "release", "pipenet"))
    ap.add_argument("networks", nargs="*")
    args = ap.parse_args()
    nets = args.networks or [os.path.join(SHARED, "networks", "epanet", "Net3.inp"),
                             os.path.join(SHARED, "networks", "wntr", "Net6.inp")]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for inp in nets:
            out = os.path.join(tmp, "net.geojson")
            subprocess.run([args.pipenet, "export", inp, "--geojson", out, "--time", "12",
                            "--crs", "EPSG:3857", "--quality", "age"],
                           check=True, stdout=subprocess.DEVNULL)
            with open(out) as f:
                doc = geojson.load(f)
            problems = []
            if not doc.is_valid:
                problems.append(f"collection invalid: {doc.errors()}")
            kinds = {"Point": 0, "LineString": 0}
            for feat in doc["features"]:
                if not feat.is_valid:
                    problems.append(f"feature {feat['id']} invalid: {feat.errors()}")
                kinds[feat["geometry"]["type"]] = kinds.get(feat["geometry"]["type"], 0) + 1
            with_results = sum(1 for feat in doc["features"]
                               if any(k.startswith(("head_", "flow_")) for k in feat["properties"]))
            vertices = sum(max(0, len(feat["geometry"]["coordinates"]) - 2)
                           for feat in doc["features"] if feat["geometry"]["type"] == "LineString")
            print(f"{os.path.basename(inp)}: {kinds['Point']} points, {kinds['LineString']} lines "
                  f"({vertices} vertices), {with_results} features with results at "
                  f"{doc.get('time_s')} s, valid: {doc.is_valid}")
            for p in problems[:10]:
                print("  FAIL", p)
            failed |= bool(problems) or with_results != len(doc["features"])

        # No coordinates: a clear error.
        bare = os.path.join(tmp, "bare.inp")
        with open(bare, "w") as f:
            f.write("[RESERVOIRS]\n R1 10\n[JUNCTIONS]\n J1 0\n[PIPES]\n P1 R1 J1 100 100 100\n[END]\n")
        r = subprocess.run([args.pipenet, "export", bare, "--geojson", os.path.join(tmp, "b.json")],
                           capture_output=True, text=True)
        ok = r.returncode != 0 and "no coordinates" in r.stderr
        print(f"no coordinates: exit {r.returncode}, {r.stderr.strip()!r}: {'OK' if ok else 'FAIL'}")
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
