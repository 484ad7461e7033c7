#!/usr/bin/env python3
"""Compare pipenet's valve segments with WNTR's on the same valve layers.

    validate_segments.py [--bin PATH] [--network NET.inp] [--seed N]
                         [--random-valves N] [--strategic N]
                         [--write-expected DIR]

Needs WNTR (not needed by the repository's tests), for example in a venv:

    python3 -m venv /tmp/wntr-venv
    /tmp/wntr-venv/bin/pip install wntr six
    /tmp/wntr-venv/bin/python scripts/validate_segments.py

Builds two valve layers on --network (default networks/epanet/Net3.inp)
with WNTR's `generate_valve_layer`: a random one of --random-valves valves
(default 60) with --seed (default 123), and a strategic one leaving
--strategic pipes of each node without a valve (default 1: N-1). Each
layer is written as a CSV of valve,link,node; WNTR's `valve_segments` and
`pipenet isolate NET --segments --valves LAYER --out SEGMENTS.json` segment
the network, and the two partitions of nodes and links are compared as
sets of sets (segment numbers ignored). BIN defaults to
target/release/pipenet. Exits 0 when every partition agrees.

--write-expected DIR also writes, per layer, the layer CSV and WNTR's
partition (segment,kind,id) into DIR, as vendored test data.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

import wntr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_layer(layer, path):
    """Writes a WNTR valve layer (DataFrame of link, node) as valve,link,node."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["valve", "link", "node"])
        for valve, row in layer.iterrows():
            w.writerow([f"V{valve}", row["link"], row["node"]])


def wntr_partition(graph, layer):
    """WNTR's segments as a set of frozensets of 'N:id' and 'L:id'."""
    node_seg, link_seg, _ = wntr.metrics.valve_segments(graph, layer.copy())
    groups = collections.defaultdict(set)
    for node, s in node_seg.items():
        groups[int(s)].add("N:" + node)
    for link, s in link_seg.items():
        groups[int(s)].add("L:" + link)
    return groups


def pipenet_partition(binary, network, layer_csv, workdir):
    """pipenet's segments, from `isolate --segments --out`, as a set of frozensets."""
    out = os.path.join(workdir, "segments.json")
    cmd = [binary, "isolate", network, "--segments", "--valves", layer_csv, "--out", out]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        rows = json.load(f)["rows"]
    groups = {}
    for row in rows:
        if row["record"] == "segment":
            members = {"N:" + n for n in row["nodes"]} | {"L:" + k for k in row["links"]}
            groups[int(row["id"])] = members
    return groups


def compare(name, ours, theirs):
    """Prints how the two partitions compare; returns whether they are equal."""
    a = {frozenset(s) for s in ours.values()}
    b = {frozenset(s) for s in theirs.values()}
    elements_a = set().union(*a) if a else set()
    elements_b = set().union(*b) if b else set()
    same = a == b
    print(
        f"{name}: pipenet {len(a)} segments, WNTR {len(b)} segments, "
        f"{len(elements_a)}/{len(elements_b)} elements, "
        f"{len(a & b)} identical segments: {'EQUAL' if same else 'DIFFERENT'}"
    )
    if not same:
        for s in sorted(a - b, key=len)[:5]:
            print("  only pipenet:", sorted(s))
        for s in sorted(b - a, key=len)[:5]:
            print("  only WNTR:   ", sorted(s))
    return same


def write_expected(directory, name, layer_csv, theirs):
    """Vendors a layer and WNTR's partition of it."""
    os.makedirs(directory, exist_ok=True)
    with open(layer_csv) as src, open(os.path.join(directory, f"{name}_layer.csv"), "w") as dst:
        dst.write(src.read())
    path = os.path.join(directory, f"{name}_wntr_segments.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["segment", "kind", "id"])
        for s in sorted(theirs):
            for member in sorted(theirs[s]):
                kind, ident = member.split(":", 1)
                w.writerow([s, "node" if kind == "N" else "link", ident])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "target/release/pipenet"))
    parser.add_argument("--network", default=os.path.join(ROOT, "networks/epanet/Net3.inp"))
    parser.add_argument("--seed", type=int, default=123)
    parser.add_argument("--random-valves", type=int, default=60)
    parser.add_argument("--strategic", type=int, default=1)
    parser.add_argument("--write-expected")
    args = parser.parse_args()

    wn = wntr.network.WaterNetworkModel(args.network)
    graph = wn.to_graph()
    stem = os.path.splitext(os.path.basename(args.network))[0].lower()
    layers = {
        f"{stem}_random{args.random_valves}_seed{args.seed}": wntr.network.generate_valve_layer(
            wn, "random", args.random_valves, seed=args.seed
        ),
        f"{stem}_strategic_n{args.strategic}": wntr.network.generate_valve_layer(
            wn, "strategic", args.strategic, seed=args.seed
        ),
    }
    print(f"WNTR {wntr.__version__}, {args.network}")
    all_equal = True
    with tempfile.TemporaryDirectory() as workdir:
        for name, layer in layers.items():
            layer_csv = os.path.join(workdir, f"{name}.csv")
            write_layer(layer, layer_csv)
            theirs = wntr_partition(graph, layer)
            ours = pipenet_partition(args.bin, args.network, layer_csv, workdir)
            all_equal &= compare(f"{name} ({len(layer)} valves)", ours, theirs)
            if args.write_expected:
                write_expected(args.write_expected, name, layer_csv, theirs)
    return 0 if all_equal else 1


if __name__ == "__main__":
    sys.exit(main())
