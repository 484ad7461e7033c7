#!/usr/bin/env python3
"""Run pipenet on every network that has an EPANET reference and tabulate.

    validate.py [--bin PATH] [--networks DIR] [--references DIR]
                [--compare PATH] [--out FILE] [--jobs N] [--timeout S]
                [--filter TEXT] [COMPARE ARGS ...]

For each NET.inp under --networks (default ../shared/networks) that has a
reference NET.json.gz at the same relative path under --references
(default ../shared/reference), runs `BIN run NET.inp --out TMP.json`
(BIN defaults to target/release/pipenet), times it, and compares the
results with --compare (default ../shared/tools/compare_results.py),
passing it every argument this script does not know, e.g.
`--times first --fields head,pressure,demand,flow`. Networks with no
reference are ones EPANET rejects; pipenet is run on them too, to see
whether it rejects them as well. Relative default paths are relative to
the repository root.

Results go to a Markdown table in --out (default docs/validation.md),
between the lines `<!-- validation:begin -->` and `<!-- validation:end -->`;
the rest of that file is left alone. Outputs are written to a temporary
directory, never next to the networks. Runs --jobs (default 2) networks at
a time. Exits 0 when every network passes.
"""
import argparse
import concurrent.futures
import datetime
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from shared_paths import SHARED, shared  # noqa: E402,F401

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- validation:begin -->", "<!-- validation:end -->"


def repo_path(path):
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(REPO, path))


def parse_args():
    ap = argparse.ArgumentParser(description="Validate pipenet against EPANET references.")
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("--networks", default=shared("networks"))
    ap.add_argument("--references", default=shared("reference"))
    ap.add_argument("--compare", default=shared("tools", "compare_results.py"))
    ap.add_argument("--out", default="docs/validation.md")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per pipenet run")
    ap.add_argument("--filter", default="", help="only networks whose path contains this")
    args, compare_args = ap.parse_known_args()
    for name in ("bin", "networks", "references", "compare", "out"):
        setattr(args, name, repo_path(getattr(args, name)))
    args.compare_args = compare_args
    return args


def find_networks(args):
    """(relative path of the .inp, reference path or None), sorted."""
    found = []
    for root, _, files in os.walk(args.networks):
        for name in files:
            if not name.endswith(".inp"):
                continue
            rel = os.path.relpath(os.path.join(root, name), args.networks)
            if args.filter and args.filter not in rel:
                continue
            ref = os.path.join(args.references, rel[:-4] + ".json.gz")
            found.append((rel, ref if os.path.exists(ref) else None))
    return sorted(found)


def run_pipenet(args, inp, out):
    """Run pipenet; returns (exit code or None on timeout, seconds, last stderr line)."""
    start = time.perf_counter()
    try:
        done = subprocess.run([args.bin, "run", inp, "--out", out], capture_output=True,
                              text=True, errors="replace", timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, f"timed out after {args.timeout:g} s"
    except OSError as error:
        return -1, time.perf_counter() - start, str(error)
    seconds = time.perf_counter() - start
    lines = [l for l in (done.stderr or done.stdout).splitlines() if l.strip()]
    return done.returncode, seconds, lines[-1] if lines else ""


def compare(args, results, reference):
    """Run compare_results.py: (passed, worst head diff or None, failures, output)."""
    cmd = [sys.executable, args.compare, results, reference] + args.compare_args
    done = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    output = done.stdout + done.stderr
    head = re.search(r"^node\.head: worst \|diff\| (\S+?);?\s", output, re.M)
    failed = re.search(r"^FAIL (\d+)", output, re.M)
    passed = re.search(r"^PASS (\S+)", output, re.M)
    worst = head.group(1) if head else (passed.group(1) if passed else None)
    if done.returncode == 0 and passed:
        return True, worst, 0, output
    return False, worst, int(failed.group(1)) if failed else None, output


def counts(reference):
    with gzip.open(reference, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    return len(doc["nodes"]), len(doc["links"])


def validate_one(args, scratch, rel, reference):
    inp = os.path.join(args.networks, rel)
    out = os.path.join(scratch, rel.replace(os.sep, "__")[:-4] + ".json")
    code, seconds, message = run_pipenet(args, inp, out)
    row = {"network": rel, "seconds": seconds, "reference": reference is not None}
    if reference is None:
        row["result"] = "rejects" if code != 0 else "accepts"
        row["message"] = message
        return row
    row["nodes"], row["links"] = counts(reference)
    # Exit code 1: the run ended unconverged but wrote its results, which
    # are compared like any other (EPANET's reference is unconverged there too).
    if code not in (0, 1) or not os.path.exists(out):
        row.update(result="ERROR", message=message or f"exit code {code}")
        return row
    passed, worst, failures, output = compare(args, out, reference)
    row.update(result="PASS" if passed else "FAIL", worst=worst, failures=failures,
               message="" if passed else output.strip().splitlines()[-1] if output.strip() else "")
    os.remove(out)
    return row


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(args, rows):
    checked = [r for r in rows if r["reference"]]
    rejected = [r for r in rows if not r["reference"]]
    passed = sum(r["result"] == "PASS" for r in checked)
    share = 100.0 * passed / len(checked) if checked else 0.0
    compare_args = " ".join(args.compare_args) or "(defaults)"
    lines = [
        f"Generated {datetime.date.today().isoformat()} by `scripts/validate.py`; "
        f"compared with `compare_results.py {compare_args}`.",
        "",
        f"**{passed} of {len(checked)} pass ({share:.1f} %)**",
        "",
        "| network | nodes | links | result | worst head diff | values out of tolerance | pipenet time |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for r in checked:
        worst = r.get("worst") or ""
        failures = r.get("failures")
        failures = "" if failures is None or r["result"] == "ERROR" else failures
        result = r["result"] if r["result"] != "ERROR" else f"ERROR: {cell(r['message'])[:120]}"
        lines.append(f"| `{r['network']}` | {r['nodes']:,} | {r['links']:,} | {result} | "
                     f"{worst} | {failures} | {r['seconds']:.2f} s |")
    lines += ["", "Networks EPANET rejects (no reference):", ""]
    if rejected:
        lines += ["| network | pipenet |", "|---|---|"]
        for r in rejected:
            verdict = "rejects it too" if r["result"] == "rejects" else "**accepts it**"
            detail = f": {cell(r['message'])[:160]}" if r["message"] else ""
            lines.append(f"| `{r['network']}` | {verdict}{detail} |")
    else:
        lines.append("(none)")
    return "\n".join(lines)


def write_section(path, body):
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else f"{BEGIN}\n{END}\n"
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        sys.exit(f"{path}: markers {BEGIN} and {END} not found")
    text = text[: start + len(BEGIN)] + "\n" + body + "\n" + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    args = parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin}: no such binary (cargo build --release, or pass --bin)")
    networks = find_networks(args)
    if not networks:
        sys.exit(f"no .inp files under {args.networks}")
    with tempfile.TemporaryDirectory(prefix="pipenet-validate-") as scratch:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            jobs = [pool.submit(validate_one, args, scratch, rel, ref) for rel, ref in networks]
            rows = []
            for job in concurrent.futures.as_completed(jobs):
                row = job.result()
                rows.append(row)
                print(f"{row['result']:8} {row['seconds']:7.2f} s  {row['network']}", flush=True)
    rows.sort(key=lambda r: r["network"])
    write_section(args.out, markdown(args, rows))
    checked = [r for r in rows if r["reference"]]
    passed = sum(r["result"] == "PASS" for r in checked)
    print(f"{passed} of {len(checked)} pass; table written to {args.out}")
    sys.exit(0 if passed == len(checked) else 1)


if __name__ == "__main__":
    main()
