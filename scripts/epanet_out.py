"""A small reader of EPANET's binary results file (.out), from the published layout.

The file is little-endian 4-byte records: a prolog (15 integers, titles,
file names, ids, link ends and types, tank data, elevations, lengths,
diameters), an energy section (per pump 1 integer and 6 reals, then the
demand charge), per reporting period 4 node arrays and 8 link arrays of
reals, and an epilog (4 reaction rates, periods, warning flag, magic).

    read_out(path) -> dict with 'prolog', 'energy', 'periods', 'epilog'
"""

import struct
import sys

import numpy as np

MAGIC = 516114521
NODE_FIELDS = ("demand", "head", "pressure", "quality")
LINK_FIELDS = ("flow", "velocity", "headloss", "quality", "status", "setting",
               "reaction", "friction")


def _text(raw):
    return raw.split(b"\0", 1)[0].decode("latin-1").strip()


def read_out(path):
    """Reads a whole .out file into plain Python and numpy values."""
    data = open(path, "rb").read()
    ints = struct.unpack_from("<15i", data, 0)
    (magic, version, n_nodes, n_tanks, n_links, n_pumps, n_valves, qual,
     trace, flow_units, pressure_units, statistic, rstart, rstep,
     duration) = ints
    if magic != MAGIC:
        raise ValueError(f"{path}: not an EPANET results file (magic {magic})")
    pos = 60
    titles = [_text(data[pos + 80 * i:pos + 80 * (i + 1)]) for i in range(3)]
    pos += 240
    inp_name = _text(data[pos:pos + 260])
    rpt_name = _text(data[pos + 260:pos + 520])
    pos += 520
    chem_name = _text(data[pos:pos + 32])
    chem_units = _text(data[pos + 32:pos + 64])
    pos += 64
    node_ids = [_text(data[pos + 32 * i:pos + 32 * (i + 1)]) for i in range(n_nodes)]
    pos += 32 * n_nodes
    link_ids = [_text(data[pos + 32 * i:pos + 32 * (i + 1)]) for i in range(n_links)]
    pos += 32 * n_links

    def ints_at(count):
        nonlocal pos
        v = np.frombuffer(data, "<i4", count, pos).copy()
        pos += 4 * count
        return v

    def reals_at(count):
        nonlocal pos
        v = np.frombuffer(data, "<f4", count, pos).copy()
        pos += 4 * count
        return v

    from_node = ints_at(n_links)
    to_node = ints_at(n_links)
    link_type = ints_at(n_links)
    tank_nodes = ints_at(n_tanks)
    tank_area = reals_at(n_tanks)
    elevation = reals_at(n_nodes)
    length = reals_at(n_links)
    diameter = reals_at(n_links)
    prolog = dict(version=version, n_nodes=n_nodes, n_tanks=n_tanks,
                  n_links=n_links, n_pumps=n_pumps, n_valves=n_valves,
                  quality=qual, trace_node=trace, flow_units=flow_units,
                  pressure_units=pressure_units, statistic=statistic,
                  report_start=rstart, report_step=rstep, duration=duration,
                  titles=titles, inp_name=inp_name, rpt_name=rpt_name,
                  chem_name=chem_name, chem_units=chem_units,
                  node_ids=node_ids, link_ids=link_ids, from_node=from_node,
                  to_node=to_node, link_type=link_type, tank_nodes=tank_nodes,
                  tank_area=tank_area, elevation=elevation, length=length,
                  diameter=diameter)
    if pos != 884 + 36 * n_nodes + 52 * n_links + 8 * n_tanks:
        raise ValueError(f"{path}: prolog size {pos} disagrees with the layout")

    pumps = []
    for _ in range(n_pumps):
        (link,) = struct.unpack_from("<i", data, pos)
        values = struct.unpack_from("<6f", data, pos + 4)
        pumps.append(dict(link=link, utilization=values[0], efficiency=values[1],
                          kwh_per_volume=values[2], average_kw=values[3],
                          peak_kw=values[4], cost_per_day=values[5]))
        pos += 28
    (demand_charge,) = struct.unpack_from("<f", data, pos)
    pos += 4
    energy = dict(pumps=pumps, demand_charge=demand_charge)

    epilog_at = len(data) - 28
    rates = struct.unpack_from("<4f", data, epilog_at)
    n_periods, warning, magic_end = struct.unpack_from("<3i", data, epilog_at + 16)
    if magic_end != MAGIC:
        raise ValueError(f"{path}: bad closing magic {magic_end}")
    period_bytes = 16 * n_nodes + 32 * n_links
    if pos + n_periods * period_bytes != epilog_at:
        raise ValueError(f"{path}: {n_periods} periods do not fill the results section")
    block = np.frombuffer(data, "<f4", n_periods * period_bytes // 4, pos)
    block = block.reshape(n_periods, period_bytes // 4)
    periods = {}
    col = 0
    for f in NODE_FIELDS:
        periods["node_" + f] = block[:, col:col + n_nodes]
        col += n_nodes
    for f in LINK_FIELDS:
        periods["link_" + f] = block[:, col:col + n_links]
        col += n_links
    epilog = dict(bulk_rate=rates[0], wall_rate=rates[1], tank_rate=rates[2],
                  source_rate=rates[3], n_periods=n_periods, warning=warning)
    return dict(prolog=prolog, energy=energy, periods=periods, epilog=epilog)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        r = read_out(p)
        pro = {k: v for k, v in r["prolog"].items()
               if not isinstance(v, (list, np.ndarray))}
        print(p, pro)
        print("  titles", r["prolog"]["titles"])
        print("  energy", r["energy"])
        print("  epilog", r["epilog"])
