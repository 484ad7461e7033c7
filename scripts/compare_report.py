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

    python3 scripts/compare_report.py --survey [--variant as-is|status|full]
        [--timeout S] [--out TABLE.md] [NET.inp ...]
compares each network given (default: every .inp of the shared networks
folder) as shipped, with STATUS YES, or with STATUS YES and every table,
and tabulates per network the lines that differ and how many of those
differ in more than numbers (a word, a line count, a missing section).
Networks EPANET rejects, or that an engine cannot run within the timeout,
are listed as not compared.
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
# Lines of EPANET's trial log (STATUS FULL), which pipenet does not write
# (it says so in a NOTE line of its own, skipped too).
TRIAL_LOG = re.compile(r"^(\d+:\d\d:\d\d: Balancing the network:|Trial +\d+: relative flow change"
                       r"|maximum  (flow change|head error)|\S+ \S+ switched from \w+ to \w+$)")
PIPENET_NOTE = "NOTE: pipenet"
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
        if TRIAL_LOG.match(line) or line.startswith(PIPENET_NOTE):
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
        elif (line.startswith(("Node Results at", "Link Results at"))
              or line in ("Node Results:", "Link Results:") or STAT_TABLE.match(line)):
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


def same_line(mine, theirs, strict=True):
    a, b = mine.split(), theirs.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if NUMBER.match(x) and NUMBER.match(y):
            if not same_number(x, y):
                return False
            # A zero printed with a sign ("-0.00") is text a reader sees;
            # strict=False lets it pass (see signed_zero_only).
            if strict and x != y and float(x) == 0.0 and float(y) == 0.0:
                return False
        elif x != y and not (x.lower() == y.lower()):
            return False
    return True


def signed_zero_only(mine, theirs):
    """Whether two lines differ only in the sign of printed zeros: both
    engines print C's "-0.00" for a tiny negative value, and the sign of a
    flow or pressure of 1e-9 is rounding noise of either engine."""
    return not same_line(mine, theirs) and same_line(mine, theirs, strict=False)


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


def flow_ratio_of_nothing(mine, theirs, line):
    """Whether `line` is the flow ratio of two balances whose every flow
    prints as zero: the ratio of two sums of rounding noise, which neither
    engine's arithmetic fixes."""
    if not line.startswith("Flow Ratio:"):
        return False
    flows = [x for x in mine + theirs if not x.startswith(("Flow Ratio:", "Hydraulic Flow"))]
    return all(float(x.split()[-1]) == 0.0 for x in flows if NUMBER.match(x.split()[-1]))


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
            if why is None and signed_zero_only(g, w):
                why = "the sign of a zero (rounding noise of a value of about 0)"
            if why is None and flow_ratio_of_nothing(got, want, w):
                why = "the ratio of a balance whose flows all print as 0 (rounding noise)"
            if why is None and ill_defined_friction(want, g, w):
                why = "friction factor where the head loss is nil (ill-defined)"
            entry = f"{name}: pipenet '{g}'  EPANET '{w}'"
            (known if why else problems).append(entry + (f"  ({why})" if why else ""))
    problems += [f"section not in EPANET's report: {name}" for name in mine if name not in theirs]
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


def compare_one(pipenet, inp, tmp, timeout=None):
    """Runs both engines on `inp`; returns (sections, lines, problems, known),
    or a string saying why the report could not be compared."""
    base = os.path.splitext(os.path.basename(inp))[0]
    ref, mine = os.path.join(tmp, base + ".epanet.rpt"), os.path.join(tmp, base + ".pipenet.rpt")
    try:
        subprocess.run([os.path.join(SHARED, "tools", "runepanet"), inp, ref],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"EPANET took more than {timeout:g} s"
    text = open(ref, encoding="latin-1").read() if os.path.exists(ref) else ""
    error = re.search(r"^\s*Error \d+:.*$", text, re.M)
    if error or not text:
        return "EPANET rejects it" + (f" ({error.group(0).strip()})" if error else "")
    try:
        done = subprocess.run([pipenet, "run", inp, "--report", mine, "-q"],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"pipenet took more than {timeout:g} s"
    if not os.path.exists(mine):
        lines = (done.stderr or done.stdout).strip().splitlines()
        return "pipenet wrote no report: " + (lines[-1] if lines else f"exit {done.returncode}")
    theirs = sections(text)
    # Both read byte for byte (ids may hold any bytes; EPANET pads by bytes).
    got = sections(open(mine, encoding="latin-1").read())
    return compare(got, theirs)


def all_networks():
    """Every .inp under the shared networks folder, sorted by path."""
    root = os.path.join(SHARED, "networks")
    found = []
    for folder, _, files in os.walk(root):
        found += [os.path.join(folder, f) for f in files if f.endswith(".inp")]
    return sorted(found)


def with_variant(inp, tmp, variant):
    """The network as shipped ("as-is"), or a copy that asks for the status
    log ("status": STATUS YES, so warnings sit in it as in EPANET's), or for
    the status log, the summary and every table ("full")."""
    if variant == "as-is":
        return inp
    extra = " Status Yes\n" + (FULL if variant == "full" else "")
    text = open(inp, encoding="latin-1").read()
    text = re.sub(r"(?im)^\s*status\s+(yes|no|full)\s*$", "", text)
    if not re.search(r"(?im)^\s*\[REPORT\]", text):
        # Before [END], after which EPANET reads nothing.
        end = re.search(r"(?im)^\s*\[END\]", text)
        at = end.start() if end else len(text)
        text = text[:at] + "\n[REPORT]\n" + text[at:]
    rel = os.path.relpath(inp, os.path.join(SHARED, "networks")).replace(os.sep, "__")
    path = os.path.join(tmp, rel[:-4] + "_" + variant + ".inp")
    with open(path, "w", encoding="latin-1") as f:
        f.write(text)
    return variant_of(path, extra)


def variant_of(path, extra):
    """Puts `extra` at the top of the [REPORT] section of `path`, in place
    (its own SUMMARY line dropped when `extra` has one)."""
    text = open(path, encoding="latin-1").read()
    if "Summary" in extra:
        text = re.sub(r"(?im)^\s*summary\s+\S+\s*$", "", text)
    text = re.sub(r"(?i)\[REPORT\]\s*\n", "[REPORT]\n" + extra, text, count=1)
    with open(path, "w", encoding="latin-1") as f:
        f.write(text)
    return path


ENTRY = re.compile(r"^[^:]+(:[^:']+)*: pipenet '(.*)'  EPANET '(.*)'$")


def numbers_only(problem):
    """Whether a problem is a line whose words and layout are EPANET's and
    only numbers differ (a line count or a missing section is not)."""
    m = ENTRY.match(problem)
    if not m:
        return False
    a, b = m.group(2).split(), m.group(3).split()
    return len(a) == len(b) and all(x == y or (numeric(x) and numeric(y)) for x, y in zip(a, b))


def numeric(token):
    """Whether a token is a number or a clock time, bar brackets and colons."""
    token = token.strip("():")
    return bool(NUMBER.match(token) or re.match(r"^\d+:\d\d:\d\d$", token))


def survey(args):
    """Compares every network given (or all of them) and prints a table:
    per network the sections and lines compared, lines that differ, and the
    sections they differ in."""
    nets = args.networks or all_networks()
    rows, failed = [], False
    root = os.path.join(SHARED, "networks")
    with tempfile.TemporaryDirectory() as tmp:
        for inp in nets:
            name = os.path.relpath(inp, root) if inp.startswith(root) else inp
            result = compare_one(args.pipenet, with_variant(inp, tmp, args.variant), tmp,
                                 args.timeout)
            if isinstance(result, str):
                rows.append((name, "", "", "", "", "", result))
                print(f"{name}: {result}", flush=True)
                continue
            n_sections, n_lines, problems, known = result
            where = sorted({p.split(":")[0] for p in problems})
            status = "OK" if not problems else "differs"
            wording = sum(1 for p in problems if not numbers_only(p))
            rows.append((name, n_sections, n_lines, len(problems), wording, len(known),
                         status + (": " + ", ".join(where[:6]) if where else "")))
            print(f"{name}: {n_sections} sections, {n_lines} lines, {len(problems)} differ",
                  flush=True)
            for p in problems[:args.show]:
                print("  FAIL", p)
            for p in [p for p in problems if not numbers_only(p)][:args.show]:
                print("  WORDS", p)
            failed |= bool(problems)
    table = [f"Variant `{args.variant}` (scripts/compare_report.py --survey).", "",
             "| network | sections | lines | differ | of which not in numbers only | known "
             "| result |",
             "|---|---:|---:|---:|---:|---:|---|"]
    table += ["| `{}` | {} | {} | {} | {} | {} | {} |".format(*r) for r in rows]
    compared = [r for r in rows if r[1] != ""]
    same = sum(1 for r in compared if r[3] == 0)
    numeric = sum(1 for r in compared if r[3] != 0 and r[4] == 0)
    table += ["", f"{same} of {len(compared)} compared reports read as EPANET's, {numeric} more "
              f"differ in numbers only; {len(rows) - len(compared)} not compared."]
    print("\n".join(table))
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(table) + "\n")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pipenet", default=os.path.join(ROOT, "target", "release", "pipenet"))
    ap.add_argument("--survey", action="store_true",
                    help="compare each network given (default: every network of the shared "
                         "folder) and tabulate")
    ap.add_argument("--variant", choices=("as-is", "status", "full"), default="as-is",
                    help="with --survey: the files as shipped, with STATUS YES, or with the "
                         "status log, summary and every table")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per engine run")
    ap.add_argument("--show", type=int, default=5, help="differing lines shown per network")
    ap.add_argument("--out", help="with --survey: also write the table to this file")
    ap.add_argument("networks", nargs="*")
    args = ap.parse_args()
    if args.survey:
        return survey(args)
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
            result = compare_one(args.pipenet, inp, tmp)
            if isinstance(result, str):
                print(f"{name}: {result}")
                failed = True
                continue
            n_sections, n_lines, problems, known = result
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
