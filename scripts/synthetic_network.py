#!/usr/bin/env python3
"""Write a synthetic water network of about N nodes as an EPANET .inp file.

    synthetic_network.py NODES OUT.inp [--layout town|grid] [--seed S] [--hours H]

Two layouts; both are deterministic for a given seed, run --hours of
simulation (default 24) at a 1 h hydraulic step under one daily demand
pattern (24 hourly multipliers, mean 0.975), with every junction drawing
0.02 L/s at a multiplier of 1 and the ground rising gently across the town
(0 to 20 m).

`town` (the default) is shaped like a real town's network, links / nodes
about 1.12 (real networks: 1.04 to 1.18):
  - street junctions on a square lattice 100 m apart; a 300 mm trunk main
    along every 8th street, always laid (loops of 800 m); the local
    streets (150 mm) are a random spanning forest of the rest of the
    lattice, joined to the mains, plus 35 % of the remaining street
    segments, so that blocks are looped but not every street is;
  - from 40 % of the street junctions a dead-end tree (100 mm pipes, 40 to
    80 m): a line of 1 to 6 junctions, a third of them with a side branch
    of 1 or 2;
  - supply that grows with the area served: one source per 10 000 nodes
    (a reservoir 5 m below ground feeding a main crossing through a pump)
    and one tank per 20 000 nodes (on a main crossing), spread evenly over
    the town; every pump is sized for its share of the mean demand and to
    lift its reservoir to the same grade line (60 m, the highest ground
    plus 40 m), and every tank floats on that grade line, holding 6 hours
    of its share of the mean demand, so that sources do not work against
    each other and tanks fill at night and drain by day;
  - one pressure-reduced district per 10 000 nodes (15 x 15 street
    junctions and their trees, on the lowest ground), cut off from the rest
    but for one PRV on a main that holds 35 m, as a DMA is fed.

`grid` is the first generator, kept to compare with (links / nodes 1.32):
  - a square grid of street junctions, 100 m apart, joined by pipes of
    150 mm, with a 300 mm main on every 8th street;
  - from each street junction a branch of 2 junctions (50 m pipes of
    100 mm);
  - one reservoir per 10 000 nodes, each feeding the grid through a pump
    (one-point curve, all pumps alike) on a main; one tank per 20 000
    nodes, on a main, 30 m above its ground; one PRV per 10 000 nodes, in
    a main street pipe of the looped grid, holding 35 m.
"""
import argparse
import math
import random

DAILY = [0.5, 0.45, 0.4, 0.4, 0.45, 0.6, 0.9, 1.3, 1.4, 1.3, 1.2, 1.1,
         1.1, 1.05, 1.0, 1.0, 1.05, 1.2, 1.4, 1.5, 1.3, 1.0, 0.8, 0.6]
BASE_DEMAND_LPS = 0.02
SPACING_M = 100.0
MAIN_EVERY = 8


class Network:
    """The elements of a network, as the [JUNCTIONS] ... [CURVES] rows need them."""

    def __init__(self):
        self.junctions = []  # (id, elevation m, base demand L/s)
        self.reservoirs = []  # (id, head m)
        self.tanks = []  # (id, bottom elevation m, init, min, max level m, diameter m)
        self.pipes = []  # (id, node 1, node 2, length m, diameter mm, Hazen-Williams C)
        self.pumps = []  # (id, node 1, node 2, curve id)
        self.valves = []  # (id, node 1, node 2, diameter mm, PRV setting m)
        self.curves = []  # (id, flow L/s, head m)
        self.coords = []  # (id, x m, y m)


def ground_m(i, j, side, rnd):
    """Ground elevation at street junction (i, j): 0 to 20 m across the town."""
    return 20.0 * (i + j) / (2 * side) + rnd.uniform(-0.5, 0.5)


def street(i, j):
    return f"S{i}_{j}"


# ---------------------------------------------------------------- grid


def grid_layout(nodes, rnd):
    """The first generator: a full street grid with short branches (see the module doc)."""
    net = Network()
    side = max(4, int(math.sqrt(nodes / 3.0)))
    elevation, where = {}, {}
    for i in range(side):
        for j in range(side):
            name = street(i, j)
            z = ground_m(i, j, side, rnd)
            elevation[name] = z
            where[name] = (i * SPACING_M, j * SPACING_M)
            net.junctions.append((name, z, BASE_DEMAND_LPS))
            net.coords.append((name, i * SPACING_M, j * SPACING_M))
            prev = name
            for b in (1, 2):
                leaf = f"B{i}_{j}_{b}"
                net.junctions.append((leaf, z + rnd.uniform(-0.3, 0.3), BASE_DEMAND_LPS))
                net.coords.append((leaf, i * SPACING_M + 30.0 * b, j * SPACING_M + 20.0))
                net.pipes.append((f"PB{i}_{j}_{b}", prev, leaf, 50.0, 100.0, 110.0))
                prev = leaf

    def diameter(i, j, horizontal):
        line = j if horizontal else i
        return 300.0 if line % MAIN_EVERY == 0 else 150.0

    for i in range(side):
        for j in range(side):
            if i + 1 < side:
                net.pipes.append((f"PH{i}_{j}", street(i, j), street(i + 1, j), SPACING_M,
                                  diameter(i, j, True), 120.0))
            if j + 1 < side:
                net.pipes.append((f"PV{i}_{j}", street(i, j), street(i, j + 1), SPACING_M,
                                  diameter(i, j, False), 120.0))

    total = len(net.junctions)
    mains = list(range(0, side, MAIN_EVERY))
    n_sources = max(1, total // 10000)
    n_tanks = max(1, total // 20000)
    n_prvs = max(1, total // 10000)

    def main_junction(r):
        i = mains[(r * 7 + 3) % len(mains)]
        j = mains[(r * 3 + 1) % len(mains)]
        return street(i, j)

    for r in range(n_sources):
        at = main_junction(r * 2)
        x, y = where[at]
        net.reservoirs.append((f"R{r}", elevation[at] - 5.0))
        net.coords.append((f"R{r}", x - 40.0, y - 40.0))
        net.pumps.append((f"PU{r}", f"R{r}", at, "PC"))
    for t in range(n_tanks):
        at = main_junction(t * 2 + 1)
        x, y = where[at]
        net.tanks.append((f"T{t}", elevation[at] + 30.0, 3.0, 1.0, 6.0, 20.0))
        net.coords.append((f"T{t}", x + 40.0, y + 40.0))
        net.pipes.append((f"PT{t}", at, f"T{t}", 50.0, 300.0, 120.0))
    # A PRV replaces a main street pipe (the pipe removed, the valve in its place).
    main_pipes = [p for p in net.pipes if p[0].startswith("PH") and p[4] == 300.0]
    for v in range(min(n_prvs, len(main_pipes))):
        p = main_pipes[(v * 7919 + len(main_pipes) // 2) % len(main_pipes)]
        net.pipes.remove(p)
        net.valves.append((f"V{v}", p[1], p[2], 300.0, 35.0))
    net.curves.append(("PC", 1000.0 * BASE_DEMAND_LPS * 1e-3 * total * 1.3 / n_sources, 45.0))
    return net


# ---------------------------------------------------------------- town

LOOP_SHARE = 0.35  # share of the street segments left over by the spanning forest, laid
TREE_SHARE = 0.4  # share of street junctions with a dead-end tree
DISTRICT = 15  # street junctions across a pressure-reduced district
DISTRICT_PITCH = 24  # lattice steps between district origins (a gap of 8 streets)
GRADE_LINE_M = 60.0  # the head every pump lifts to and every tank floats at
PRV_PRESSURE_M = 35.0
STORAGE_HOURS = 6.0  # a tank's volume, in hours of its share of the mean demand
TANK_RANGE_M = (0.5, 4.0, 7.5)  # minimum, initial, maximum level


class Forest:
    """Union-find over lattice positions, to lay a random spanning forest."""

    def __init__(self, count):
        self.parent = list(range(count))

    def root(self, a):
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a, b):
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return False
        self.parent[ra] = rb
        return True


def town_side(nodes):
    """Street junctions across: a tree holds about 1.6 junctions per street junction."""
    mean_tree = TREE_SHARE * (3.5 + 0.5)
    return max(2 * MAIN_EVERY + 2, int(math.sqrt(nodes / (1.0 + mean_tree))))


def districts(side, count):
    """Origins (i, j) of `count` districts on the lowest ground, none touching another."""
    starts = range(0, side - DISTRICT - 1, DISTRICT_PITCH)
    origins = sorted(((a, b) for a in starts for b in starts), key=lambda o: (o[0] + o[1], o))
    return origins[:count]


def district_of(i, j, origins):
    for k, (a, b) in enumerate(origins):
        if a < i <= a + DISTRICT and b < j <= b + DISTRICT:
            return k
    return None


def spread_points(count, offset):
    """`count` points in the unit square, evenly spread (a Fibonacci lattice)."""
    golden = (math.sqrt(5.0) - 1.0) / 2.0
    return [((k + 0.5) / count, ((k + 0.5) * golden + offset) % 1.0) for k in range(count)]


def nearest_crossing(point, side, origins, taken):
    """The main crossing nearest to a point of the unit square, outside districts."""
    crossings = [(i, j) for i in range(0, side, MAIN_EVERY) for j in range(0, side, MAIN_EVERY)
                 if district_of(i, j, origins) is None and (i, j) not in taken]
    x, y = point[0] * (side - 1), point[1] * (side - 1)
    return min(crossings, key=lambda c: ((c[0] - x) ** 2 + (c[1] - y) ** 2, c))


def lay_streets(net, side, origins, rnd):
    """Street pipes: every main segment, a random spanning forest, then some loops."""
    def on_main(i, j, horizontal):
        return (j if horizontal else i) % MAIN_EVERY == 0

    segments = []
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < side and j + dj < side:
                    segments.append((i, j, i + di, j + dj))
    # A segment across a district's edge is never laid (the PRV feeds it).
    segments = [s for s in segments
                if district_of(s[0], s[1], origins) == district_of(s[2], s[3], origins)]
    mains = [s for s in segments if on_main(s[0], s[1], s[1] == s[3])]
    local = [s for s in segments if not on_main(s[0], s[1], s[1] == s[3])]
    rnd.shuffle(local)

    forest = Forest(side * side)
    laid = list(mains)
    for s in mains:
        forest.join(s[0] * side + s[1], s[2] * side + s[3])
    spare = []
    for s in local:
        if forest.join(s[0] * side + s[1], s[2] * side + s[3]):
            laid.append(s)
        else:
            spare.append(s)
    laid += [s for s in spare if rnd.random() < LOOP_SHARE]

    for i1, j1, i2, j2 in sorted(laid):
        main = on_main(i1, j1, j1 == j2)
        net.pipes.append((f"P{i1}_{j1}_{'H' if j1 == j2 else 'V'}", street(i1, j1),
                          street(i2, j2), SPACING_M, 300.0 if main else 150.0,
                          120.0 if main else 110.0))


def lay_trees(net, side, elevation, rnd):
    """Dead-end trees off some street junctions: a line, sometimes a side branch."""
    for i in range(side):
        for j in range(side):
            if rnd.random() >= TREE_SHARE:
                continue
            root = street(i, j)
            x0, y0 = i * SPACING_M, j * SPACING_M
            line = [root]
            for k in range(1, rnd.randint(1, 6) + 1):
                leaf = f"T{i}_{j}_{k}"
                add_tree_junction(net, leaf, line[-1], elevation[root], rnd,
                                  x0 + 12.0 * k + 6.0, y0 + 14.0 * k + 5.0)
                line.append(leaf)
            if len(line) > 2 and rnd.random() < 1.0 / 3.0:
                fork = line[len(line) // 2]
                prev = fork
                for k in range(1, rnd.randint(1, 2) + 1):
                    leaf = f"{fork}b{k}"
                    add_tree_junction(net, leaf, prev, elevation[root], rnd,
                                      x0 + 30.0 + 14.0 * k, y0 + 10.0)
                    prev = leaf


def add_tree_junction(net, name, parent, z_root, rnd, x, y):
    net.junctions.append((name, z_root + rnd.uniform(-0.5, 0.5), BASE_DEMAND_LPS))
    net.coords.append((name, x, y))
    net.pipes.append((f"P{name}", parent, name, round(rnd.uniform(40.0, 80.0), 1),
                     100.0, 110.0))


def town_layout(nodes, rnd):
    """A looped street network with trees, districts and spread supply (see the module doc)."""
    net = Network()
    side = town_side(nodes)
    origins = districts(side, max(1, round(nodes / 10000)))
    elevation = {}
    for i in range(side):
        for j in range(side):
            name = street(i, j)
            elevation[name] = ground_m(i, j, side, rnd)
            net.junctions.append((name, elevation[name], BASE_DEMAND_LPS))
            net.coords.append((name, i * SPACING_M, j * SPACING_M))
    lay_streets(net, side, origins, rnd)
    lay_trees(net, side, elevation, rnd)

    total = len(net.junctions)
    mean_demand_m3s = BASE_DEMAND_LPS * 1e-3 * total * sum(DAILY) / len(DAILY)
    n_sources = max(1, round(total / 10000))
    n_tanks = max(1, round(total / 20000))
    taken = set()
    for r, point in enumerate(spread_points(n_sources, 0.0)):
        i, j = nearest_crossing(point, side, origins, taken)
        taken.add((i, j))
        at = street(i, j)
        head = elevation[at] - 5.0
        net.reservoirs.append((f"R{r}", head))
        net.coords.append((f"R{r}", i * SPACING_M - 40.0, j * SPACING_M - 40.0))
        # The design point: the share of the mean demand, lifted to the grade line.
        curve = f"C{r}"
        net.curves.append((curve, 1e3 * mean_demand_m3s / n_sources, GRADE_LINE_M - head))
        net.pumps.append((f"PU{r}", f"R{r}", at, curve))
    volume_m3 = STORAGE_HOURS * 3600.0 * mean_demand_m3s / n_tanks
    low, init, high = TANK_RANGE_M
    diameter = math.sqrt(4.0 * volume_m3 / (math.pi * (high - low)))
    for t, point in enumerate(spread_points(n_tanks, 0.5)):
        i, j = nearest_crossing(point, side, origins, taken)
        taken.add((i, j))
        at = street(i, j)
        net.tanks.append((f"TK{t}", GRADE_LINE_M - init, init, low, high, diameter))
        net.coords.append((f"TK{t}", i * SPACING_M + 40.0, j * SPACING_M + 40.0))
        net.pipes.append((f"PTK{t}", at, f"TK{t}", 50.0, 300.0, 120.0))
    # Each district's PRV: on the main through its middle, from the street
    # beyond its far edge (higher ground) to the district's edge junction.
    for d, (a, b) in enumerate(origins):
        j = b + MAIN_EVERY
        net.valves.append((f"V{d}", street(a + DISTRICT + 1, j), street(a + DISTRICT, j),
                           300.0, PRV_PRESSURE_M))
    return net


# ---------------------------------------------------------------- writing


def write_inp(net, out, title, hours):
    with open(out, "w") as f:
        w = f.write
        w(f"[TITLE]\n{title}\n\n")
        w("[JUNCTIONS]\n")
        for name, z, d in net.junctions:
            w(f" {name}\t{z:.2f}\t{d}\tDAILY\n")
        w("\n[RESERVOIRS]\n")
        for name, head in net.reservoirs:
            w(f" {name}\t{head:.2f}\n")
        w("\n[TANKS]\n")
        for name, z, init, low, high, diameter in net.tanks:
            w(f" {name}\t{z:.2f}\t{init:g}\t{low:g}\t{high:g}\t{diameter:.0f}\t0\n")
        w("\n[PIPES]\n")
        for name, n1, n2, length, d, c in net.pipes:
            w(f" {name}\t{n1}\t{n2}\t{length}\t{d}\t{c}\t0\tOpen\n")
        w("\n[PUMPS]\n")
        for name, n1, n2, curve in net.pumps:
            w(f" {name}\t{n1}\t{n2}\tHEAD {curve}\n")
        w("\n[VALVES]\n")
        for name, n1, n2, d, setting in net.valves:
            w(f" {name}\t{n1}\t{n2}\t{d}\tPRV\t{setting}\t0\n")
        w("\n[CURVES]\n")
        for name, flow, head in net.curves:
            w(f" {name}\t{flow:.1f}\t{head:g}\n")
        w("\n[PATTERNS]\n")
        w(" DAILY\t" + "\t".join(f"{m}" for m in DAILY) + "\n")
        w("\n[TIMES]\n")
        w(f" Duration\t{hours}:00\n Hydraulic Timestep\t1:00\n"
          " Pattern Timestep\t1:00\n Report Timestep\t1:00\n")
        w("\n[OPTIONS]\n Units\tLPS\n Headloss\tH-W\n Trials\t100\n Accuracy\t0.001\n")
        w("\n[COORDINATES]\n")
        for name, x, y in net.coords:
            w(f" {name}\t{x:.1f}\t{y:.1f}\n")
        w("\n[END]\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nodes", type=int)
    ap.add_argument("out")
    ap.add_argument("--layout", choices=("town", "grid"), default="town")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hours", type=int, default=24)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.layout == "grid":
        net = grid_layout(a.nodes, rnd)
        title = f"synthetic street grid, {len(net.junctions)} junctions, seed {a.seed}"
    else:
        net = town_layout(a.nodes, rnd)
        title = f"synthetic town, {len(net.junctions)} junctions, seed {a.seed}"
    write_inp(net, a.out, title, a.hours)


if __name__ == "__main__":
    main()
