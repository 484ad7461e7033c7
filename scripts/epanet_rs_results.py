#!/usr/bin/env python3
"""Run epanet-rs on a network and write its results in the reference JSON layout.

    epanet_rs_results.py NET.inp OUT.json [--epanet-rs PATH]

epanet-rs (Vitens' Rust engine, `cargo install epanet-rs`) writes, with
`epanet-rs run NET.inp RESULTS.json`, the node ids, the link ids, and the
heads and flows at every report step from time 0 to the duration, in the
network's own units, rounded to 3 decimals. This script runs it into a
temporary file and rewrites that as the layout that
`../shared/tools/epanet_reference.py` writes ("nodes", "links", "times_s",
"node": {"head"}, "link": {"flow"}), so that
`../shared/tools/compare_results.py --fields head,flow` can judge it
against EPANET's own results. Heads and flows are all epanet-rs writes:
pressures, demands, velocities and statuses cannot be compared.

The report step comes from the file, read by EPANET 2.3.5 (owa-epanet).
Exits non-zero, with epanet-rs's last message, when epanet-rs fails.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

DEFAULT_EPANET_RS = "/work/tools/epanet-rs/bin/epanet-rs"


def report_step_s(inp):
    """The file's REPORT STEP, s, as EPANET reads it."""
    import epanet.toolkit as en

    project = en.createproject()
    en.open(project, inp, os.devnull, "")
    step = en.gettimeparam(project, en.REPORTSTEP)
    en.close(project)
    en.deleteproject(project)
    return step


def run_epanet_rs(binary, inp, raw_json):
    """Runs epanet-rs, writing its own JSON; returns (ok, message).

    Runs it verbose (`-v`), which logs each period's time, so that a failure
    can be placed in time: the message is then "at H:MM:SS: " and epanet-rs's
    last log line, without its colour codes and time stamp.
    """
    done = subprocess.run([binary, "run", inp, raw_json, "-v"],
                          capture_output=True, text=True,
                          env=dict(os.environ, RAYON_NUM_THREADS="1", NO_COLOR="1"))
    text = [plain(line) for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    ok = done.returncode == 0 and os.path.exists(raw_json)
    if ok:
        return True, ""
    times = [m.group(1) for m in map(PERIOD.search, text) if m]
    last = text[-1] if text else "no message"
    return False, (f"at {times[-1]}: {last}" if times else last)


# epanet-rs's verbose log line for the start of each period.
PERIOD = re.compile(r"Running hydraulics at hour: (\d+:\d\d:\d\d)")


def plain(line):
    """A log line of epanet-rs without colour codes, time stamp and level."""
    line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
    return re.sub(r"^[\d:.]+\s+\[\w+\]\s*(\(\d+\)\s*)?", "", line)


def to_reference_layout(raw, step_s):
    """epanet-rs's {nodes, links, heads, flows} as the reference layout."""
    times = [k * step_s for k in range(len(raw["heads"]))]
    return {
        "engine": "epanet-rs",
        "nodes": raw["nodes"],
        "links": raw["links"],
        "times_s": times,
        "node": {"head": raw["heads"]},
        "link": {"flow": raw["flows"]},
    }


def write_results(binary, inp, out):
    """Runs epanet-rs on `inp` and writes `out`; returns (ok, message)."""
    with tempfile.TemporaryDirectory(prefix="epanet-rs-") as tmp:
        raw_json = os.path.join(tmp, "results.json")
        ok, last = run_epanet_rs(binary, inp, raw_json)
        if not ok:
            return False, last or "epanet-rs wrote no results"
        with open(raw_json) as f:
            raw = json.load(f)
    doc = to_reference_layout(raw, report_step_s(inp))
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return True, f"{len(doc['times_s'])} report times"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network")
    ap.add_argument("out")
    ap.add_argument("--epanet-rs", default=DEFAULT_EPANET_RS)
    a = ap.parse_args()
    ok, message = write_results(a.epanet_rs, os.path.abspath(a.network), a.out)
    print(f"{a.network}: {message}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
