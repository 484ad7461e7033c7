#!/usr/bin/env python3
"""Time water quality in EPANET 2.3.5 and in pipenet on the same network, in one run.

    quality_speed.py NET.inp [age|chemical|trace:NODE]

EPANET's time is its toolkit's solveQ after solveH (the quality pass alone,
hydraulics read back from its scratch file); pipenet's is the quality
part of `cargo run --release --example quality_timing` (load_hydraulics
and advance over the whole run). Needs owa-epanet==2.3.5.
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import epanet.toolkit as en


def epanet_seconds(inp, kind):
    warnings.simplefilter("ignore")
    here = os.getcwd()
    os.chdir(tempfile.mkdtemp(prefix="epanet-"))
    try:
        ph = en.createproject()
        en.open(ph, inp, os.devnull, "")
        if kind == "age":
            en.setqualtype(ph, en.AGE, "", "", "")
        elif kind.startswith("trace:"):
            en.setqualtype(ph, en.TRACE, "", "", kind[len("trace:"):])
        en.solveH(ph)
        started = time.perf_counter()
        en.solveQ(ph)
        elapsed = time.perf_counter() - started
        en.close(ph)
        en.deleteproject(ph)
        return elapsed
    finally:
        os.chdir(here)


def pipenet_seconds(inp, kind):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["cargo", "run", "--release", "-q", "--example", "quality_timing", "--", inp, kind],
        cwd=root, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"quality ([0-9.]+) s", out).group(1))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    inp = os.path.abspath(sys.argv[1])
    kind = sys.argv[2] if len(sys.argv) > 2 else "age"
    ours = pipenet_seconds(inp, kind)
    theirs = epanet_seconds(inp, kind)
    print(f"{os.path.basename(inp)} {kind}: EPANET solveQ {theirs:.3f} s, "
          f"pipenet {ours:.3f} s, ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
