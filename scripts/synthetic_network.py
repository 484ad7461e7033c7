#!/usr/bin/env python3
"""Write a synthetic water network of about N nodes as an EPANET .inp file.

    synthetic_network.py NODES OUT.inp [--seed S] [--hours H]

The network is a looped street grid with trees of service branches, the
shape of a real town's distribution network:
  - a square grid of street junctions, 100 m apart, joined by pipes of
    150 mm, with a 300 mm main on every 8th street;
  - from each street junction a branch of 2 junctions (50 m pipes of
    100 mm), so that about two thirds of the nodes sit on trees, as in
    real networks where links / nodes is near 1.1;
  - one reservoir per 10 000 nodes, each feeding the grid through a pump
    (one-point curve) on a main;
  - one tank per 20 000 nodes, on a main, 30 m above ground;
  - one PRV per 10 000 nodes, on a main street pipe, holding 35 m;
  - ground rising gently across the town (0 to 20 m); every junction
    draws 0.02 L/s under one daily pattern (24 hourly multipliers).
Deterministic for a given seed. Times: --hours of simulation (default 24),
1 h hydraulic step, so a run is 25 periods plus tank and control events.
"""
import argparse
import math
import random


def grid_side(nodes):
    # Each street junction carries a branch of 2 more junctions.
    return max(4, int(math.sqrt(nodes / 3.0)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nodes", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hours", type=int, default=24)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    side = grid_side(a.nodes)
    spacing = 100.0

    junctions, pipes, coords = [], [], []
    elevation = {}

    def street(i, j):
        return f"S{i}_{j}"

    for i in range(side):
        for j in range(side):
            name = street(i, j)
            z = 20.0 * (i + j) / (2 * side) + rnd.uniform(-0.5, 0.5)
            elevation[name] = z
            junctions.append((name, z, 0.02))
            coords.append((name, i * spacing, j * spacing))
            # A branch of two service junctions.
            prev = name
            for b in (1, 2):
                leaf = f"B{i}_{j}_{b}"
                zl = z + rnd.uniform(-0.3, 0.3)
                junctions.append((leaf, zl, 0.02))
                coords.append((leaf, i * spacing + 30.0 * b, j * spacing + 20.0))
                pipes.append((f"PB{i}_{j}_{b}", prev, leaf, 50.0, 100.0, 110.0))
                prev = leaf

    def diameter(i, j, horizontal):
        line = j if horizontal else i
        return 300.0 if line % 8 == 0 else 150.0

    for i in range(side):
        for j in range(side):
            if i + 1 < side:
                pipes.append((f"PH{i}_{j}", street(i, j), street(i + 1, j), spacing,
                              diameter(i, j, True), 120.0))
            if j + 1 < side:
                pipes.append((f"PV{i}_{j}", street(i, j), street(i, j + 1), spacing,
                              diameter(i, j, False), 120.0))

    total = len(junctions)
    mains = [k for k in range(0, side, 8)]
    n_sources = max(1, total // 10000)
    n_tanks = max(1, total // 20000)
    n_prvs = max(1, total // 10000)

    def main_junction(r):
        # Spread points over the grid's main crossings.
        i = mains[(r * 7 + 3) % len(mains)]
        j = mains[(r * 3 + 1) % len(mains)]
        return street(i, j)

    reservoirs, pumps, tanks, valves = [], [], [], []
    for r in range(n_sources):
        at = main_junction(r * 2)
        res = f"R{r}"
        reservoirs.append((res, elevation[at] - 5.0))
        x, y = next((x, y) for n, x, y in coords if n == at)
        coords.append((res, x - 40.0, y - 40.0))
        pumps.append((f"PU{r}", res, at))
    for t in range(n_tanks):
        at = main_junction(t * 2 + 1)
        tank = f"T{t}"
        tanks.append((tank, elevation[at] + 30.0))
        x, y = next((x, y) for n, x, y in coords if n == at)
        coords.append((tank, x + 40.0, y + 40.0))
        pipes.append((f"PT{t}", at, tank, 50.0, 300.0, 120.0))
    # A PRV replaces a main street pipe (the pipe removed, the valve in its place).
    main_pipes = [p for p in pipes if p[0].startswith("PH") and p[4] == 300.0]
    for v in range(min(n_prvs, len(main_pipes))):
        p = main_pipes[(v * 7919 + len(main_pipes) // 2) % len(main_pipes)]
        pipes.remove(p)
        valves.append((f"V{v}", p[1], p[2], 300.0, 35.0))

    pump_flow_lps = 1000.0 * 0.02e-3 * total * 1.3 / n_sources

    with open(a.out, "w") as f:
        w = f.write
        w(f"[TITLE]\nsynthetic street grid, {total} junctions, seed {a.seed}\n\n")
        w("[JUNCTIONS]\n")
        for name, z, d in junctions:
            w(f" {name}\t{z:.2f}\t{d}\tDAILY\n")
        w("\n[RESERVOIRS]\n")
        for name, head in reservoirs:
            w(f" {name}\t{head:.2f}\n")
        w("\n[TANKS]\n")
        for name, z in tanks:
            w(f" {name}\t{z:.2f}\t3\t1\t6\t20\t0\n")
        w("\n[PIPES]\n")
        for name, n1, n2, length, d, c in pipes:
            w(f" {name}\t{n1}\t{n2}\t{length}\t{d}\t{c}\t0\tOpen\n")
        w("\n[PUMPS]\n")
        for name, n1, n2 in pumps:
            w(f" {name}\t{n1}\t{n2}\tHEAD PC\n")
        w("\n[VALVES]\n")
        for name, n1, n2, d, setting in valves:
            w(f" {name}\t{n1}\t{n2}\t{d}\tPRV\t{setting}\t0\n")
        w("\n[CURVES]\n")
        w(f" PC\t{pump_flow_lps:.1f}\t45\n")
        w("\n[PATTERNS]\n")
        daily = [0.5, 0.45, 0.4, 0.4, 0.45, 0.6, 0.9, 1.3, 1.4, 1.3, 1.2, 1.1,
                 1.1, 1.05, 1.0, 1.0, 1.05, 1.2, 1.4, 1.5, 1.3, 1.0, 0.8, 0.6]
        w(" DAILY\t" + "\t".join(f"{m}" for m in daily) + "\n")
        w("\n[TIMES]\n")
        w(f" Duration\t{a.hours}:00\n Hydraulic Timestep\t1:00\n"
          " Pattern Timestep\t1:00\n Report Timestep\t1:00\n")
        w("\n[OPTIONS]\n Units\tLPS\n Headloss\tH-W\n Trials\t100\n Accuracy\t0.001\n")
        w("\n[COORDINATES]\n")
        for name, x, y in coords:
            w(f" {name}\t{x:.1f}\t{y:.1f}\n")
        w("\n[END]\n")


if __name__ == "__main__":
    main()
