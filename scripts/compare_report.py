#!/usr/bin/env python3
"""pipenet's text report (.rpt) against EPANET's, section by section.

Runs EPANET 2.3.5 (../shared/tools/runepanet) and `pipenet run NET.inp
--report F.rpt` on each network, splits both reports into sections (the
summary, the hydraulic status log, warnings, the flow balance, the quality
mass balance, the energy table, and each node or link table), and checks
that every section of EPANET's report is in pipenet's and that, line by
line, the words are the same and every number equals EPANET's to its
printed precision, plus or minus one in the last digit. Banner, page and
date lines are not compared.

By default it compares epanet/Net1 as shipped, a copy with `[REPORT]
SUMMARY YES, ENERGY YES, NODES ALL, LINKS ALL`, so every table is compared,
a copy that also turns every optional field on (elevation, length,
diameter, setting, reaction rate, friction factor; `QUALITY YES`, which
EPANET applies to nodes only), and copies with each `[TIMES] STATISTIC`
(AVERAGED, MINIMUM, MAXIMUM, RANGE: one table of statistics instead of one
per report time) and every field but the friction factor. A friction factor
is ill-defined where a link's head loss is nil (pipe 10 of Net1 while its
pump is off carries 2e-6 cfs; EPANET's heads at its ends are equal and it
writes 0, pipenet's differ by 3e-11 ft): such differences are listed as
known in the time series, and the statistics, which mix them in, are left
to scripts/validate_out.py (which compares friction factors of links that
move at every report time).

    python3 scripts/compare_report.py [--pipenet PATH] [NET.inp ...]
Exit status 1 when a section is missing or a line differs (apart from the
differences listed in KNOWN).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from shared_paths import SHARED, shared  # noqa: E402,F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)(e[-+]\d+)?$", re.I)
# Lines that may differ, and why.
KNOWN = {
    "Total Segments:": "pipenet counts its quality segments differently (not a result)",
}
SKIP = ("Page ", "Analysis begun", "Analysis ended", "*")
STAT_TABLE = re.compile(r"^(AVERAGE|MINIMUM|MAXIMUM|DIFFERENTIAL) (Node|Link) Results:")
FULL = " Summary Yes\n Energy Yes\n Nodes All\n Links All\n"
EVERY_FIELD = (" Elevation Yes\n Length Yes\n Diameter Yes\n Quality Yes\n Setting Yes\n"
               " Reaction Yes\n F-Factor Yes\n")
NO_FRICTION = EVERY_FIELD.replace(" F-Factor Yes\n", "")
STATISTICS = ("AVERAGED", "MINIMUM", "MAXIMUM", "RANGE")


def sections(text):
    """Maps a section name to its lines (stripped, empty ones dropped)."""
    out = {}
    name = "banner"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(SKIP) or set(line) <= set("-="):
            continue
        if line.startswith("Input Data File"):
            name = "summary"
        elif line.startswith("Hydraulic Status:"):
            name = "status log"
        elif line.startswith("Hydraulic Flow Balance"):
            name = "flow balance"
        elif line.startswith("Water Quality Mass Balance"):
            name = "mass balance"
        elif line.startswith("Energy Usage:"):
            name = "energy"
        elif line.startswith(("Node Results at", "Link Results at")) or STAT_TABLE.match(line):
            name = line.rstrip(":")
        elif line.startswith("WARNING:"):
            out.setdefault("warnings", []).append(line)
            continue
        if name == "banner":
            continue
        out.setdefault(name, []).append(line)
    return out


def same_number(a, b):
    """Equal to b's printed precision, within one unit of its last digit."""
    mant = b.lower().split("e")[0]
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    if "e" in b.lower():
        exp = int(b.lower().split("e")[1])
        unit = 10.0 ** (exp - decimals)
    else:
        unit = 10.0 ** -decimals
    return abs(float(a) - float(b)) <= unit * 1.0001


def same_line(mine, theirs):
    a, b = mine.split(), theirs.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if NUMBER.match(x) and NUMBER.match(y):
            if not same_number(x, y):
                return False
        elif x != y and not (x.lower() == y.lower()):
            return False
    return True


def ill_defined_friction(table, mine, theirs):
    """Whether two rows of a link table differ only in the friction factor,
    where EPANET prints the link's head loss as zero."""
    # The section's lines: its title, the column heads, the units, the rows.
    heads = table[1].split() if len(table) > 1 else []
    if "F-Factor" not in heads or "Headloss" not in heads:
        return False
    a, b = mine.split(), theirs.split()
    if len(a) != len(b):
        return False
    friction, headloss = 1 + heads.index("F-Factor"), 1 + heads.index("Headloss")
    others = [j for j in range(len(b)) if j != friction]
    return (same_line(" ".join(a[j] for j in others), " ".join(b[j] for j in others))
            and abs(float(b[headloss])) < 0.005)


def compare(mine, theirs):
    """Returns (sections compared, lines compared, problems, known)."""
    problems, known = [], []
    lines = 0
    for name, want in theirs.items():
        got = mine.get(name)
        if got is None:
            problems.append(f"section missing: {name}")
            continue
        if name == "summary":
            # The input file name differs (pipenet is given the same path).
            want = [w for w in want if not w.startswith("Input Data File")]
            got = [g for g in got if not g.startswith("Input Data File")]
        if len(got) != len(want):
            problems.append(f"{name}: {len(got)} lines, EPANET {len(want)}")
        for g, w in zip(got, want):
            lines += 1
            if same_line(g, w):
                continue
            why = next((v for k, v in KNOWN.items() if w.startswith(k)), None)
            if why is None and ill_defined_friction(want, g, w):
                why = "friction factor where the head loss is nil (ill-defined)"
            entry = f"{name}: pipenet '{g}'  EPANET '{w}'"
            (known if why else problems).append(entry + (f"  ({why})" if why else ""))
    return len(theirs), lines, problems, known


def variant(inp, tmp, suffix, extra, statistic=None):
    """A copy of the network with `extra` lines at the top of [REPORT] (its
    own SUMMARY line dropped) and, if given, another [TIMES] STATISTIC."""
    text = open(inp).read()
    text = re.sub(r"(?im)^\s*summary\s+\S+\s*$", "", text)
    text = re.sub(r"(?i)\[REPORT\]\s*\n", "[REPORT]\n" + extra, text, count=1)
    if statistic:
        text = re.sub(r"(?im)^\s*statistic\s+\S+\s*$", "", text)
        text = re.sub(r"(?i)\[TIMES\]\s*\n", f"[TIMES]\n Statistic {statistic}\n", text,
                      count=1)
    path = os.path.join(tmp, os.path.splitext(os.path.basename(inp))[0] + suffix + ".inp")
    open(path, "w").write(text)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pipenet", default=os.path.join(ROOT, "target", "release", "pipenet"))
    ap.add_argument("networks", nargs="*")
    args = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        nets = args.networks
        if not nets:
            net1 = os.path.join(SHARED, "networks", "epanet", "Net1.inp")
            nets = [net1, variant(net1, tmp, "_full", FULL),
                    variant(net1, tmp, "_fields", FULL + EVERY_FIELD)]
            nets += [variant(net1, tmp, "_" + s.lower(), FULL + NO_FRICTION, s)
                     for s in STATISTICS]
        for inp in nets:
            name = os.path.basename(inp)
            ref, mine = os.path.join(tmp, "epanet.rpt"), os.path.join(tmp, "pipenet.rpt")
            subprocess.run([os.path.join(SHARED, "tools", "runepanet"), inp, ref],
                           check=True, stdout=subprocess.DEVNULL)
            subprocess.run([args.pipenet, "run", inp, "--report", mine, "-q"], check=True)
            theirs = sections(open(ref, encoding="latin-1").read())
            got = sections(open(mine).read())
            n_sections, n_lines, problems, known = compare(got, theirs)
            status = "OK" if not problems else "FAIL"
            print(f"{name}: {n_sections} sections of EPANET's report, {n_lines} lines "
                  f"compared: {status}")
            for p in problems[:40]:
                print("  FAIL", p)
            if len(problems) > 40:
                print(f"  ... {len(problems) - 40} more")
            for k in known:
                print("  known", k)
            failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
