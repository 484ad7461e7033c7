#!/usr/bin/env python3
"""Compare pipenet's water quality with EPANET 2.3.5's references.

    validate_quality.py [--bin PATH] [--shared DIR] [--out FILE] [--filter TEXT]

Runs, as issue 4 asks:
  - water age on ../shared/reference/age/* (`pipenet run --quality age`),
    compared with `--fields quality --qual-tol 0.1 --qual-rel 0.01` (hours);
  - source trace on ../shared/reference/trace/* (`--quality trace:NODE`),
    `--fields quality --qual-tol 0.5 --qual-rel 0` (percent);
  - every shared network with its own quality analysis ([OPTIONS] QUALITY
    other than NONE) whose reference holds quality, with the default
    tolerances.
Writes a Markdown table between `<!-- quality:begin -->` and
`<!-- quality:end -->` in --out (default docs/validation.md); prints the
rows as it goes. Needs python3 and the shared collection; not EPANET.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import tempfile
from shared_paths import SHARED, shared  # noqa: E402,F401

BEGIN, END = "<!-- quality:begin -->", "<!-- quality:end -->"

# (reference under reference/, network under networks/, pipenet quality)
OVERRIDES = [
    ("age/Net1", "epanet/Net1", "age"),
    ("age/Net2", "epanet/Net2", "age"),
    ("age/Net3", "epanet/Net3", "age"),
    ("age/Net6", "wntr/Net6", "age"),
    ("age/example1_2comp", "examples/tanks/example1_2comp", "age"),
    ("age/example1_LIFO", "examples/tanks/example1_LIFO", "age"),
    ("age/L-TOWN", "large/L-TOWN", "age"),
    ("trace/Net3-Lake", "epanet/Net3", "trace:Lake"),
    ("trace/Net3-River", "epanet/Net3", "trace:River"),
]
TOLERANCES = {
    "age": ["--qual-tol", "0.1", "--qual-rel", "0.01"],
    "trace": ["--qual-tol", "0.5", "--qual-rel", "0"],
    "own": [],
}


def own_quality(inp):
    """The network's [OPTIONS] QUALITY keyword, upper case ('NONE' if absent)."""
    section = None
    with open(inp, encoding="latin-1") as f:
        for line in f:
            line = line.split(";")[0].strip()
            if line.startswith("["):
                section = line.upper()
            elif section == "[OPTIONS]" and line.upper().startswith("QUALITY"):
                words = line.split()
                return words[1].upper() if len(words) > 1 else "NONE"
    return "NONE"


def has_quality(reference):
    with gzip.open(reference, "rt", encoding="utf-8") as f:
        return "quality" in json.load(f).get("node", {})


def cases(shared):
    found = [(r, n, q, q.split(":")[0]) for r, n, q in OVERRIDES]
    networks = os.path.join(shared, "networks")
    for root, _, files in sorted(os.walk(networks)):
        for name in sorted(files):
            if not name.endswith(".inp"):
                continue
            rel = os.path.relpath(os.path.join(root, name), networks)[:-4]
            ref = os.path.join(shared, "reference", rel + ".json.gz")
            if not os.path.exists(ref):
                continue
            kind = own_quality(os.path.join(root, name))
            # Any QUALITY other than NONE is an analysis (a chemical may be
            # named by its own name, "Chlorine").
            if kind != "NONE" and has_quality(ref):
                found.append((rel, rel, None, "own"))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/pipenet")
    ap.add_argument("--shared", default=SHARED)
    ap.add_argument("--out", default="docs/validation.md")
    ap.add_argument("--filter", default="")
    a = ap.parse_args()
    compare = os.path.join(a.shared, "tools", "compare_results.py")
    rows = []
    with tempfile.TemporaryDirectory(prefix="pipenet-quality-") as scratch:
        for ref_rel, net_rel, quality, family in cases(a.shared):
            if a.filter not in ref_rel:
                continue
            inp = os.path.join(a.shared, "networks", net_rel + ".inp")
            ref = os.path.join(a.shared, "reference", ref_rel + ".json.gz")
            out = os.path.join(scratch, "out.json")
            cmd = [a.bin, "run", inp, "-q", "--out", out]
            if quality:
                cmd += ["--quality", quality]
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode not in (0, 1) or not os.path.exists(out):
                rows.append((ref_rel, family, "ERROR", "", run.stderr.strip()[-120:]))
                print(rows[-1])
                continue
            cmp = subprocess.run(["python3", compare, out, ref, "--fields", "quality"]
                                 + TOLERANCES[family], capture_output=True, text=True)
            text = cmp.stdout + cmp.stderr
            worst = re.search(r"node\.quality: worst \|diff\| (\S+?);?\s", text)
            last = text.strip().splitlines()[-1] if text.strip() else ""
            result = "PASS" if cmp.returncode == 0 else "FAIL"
            rows.append((ref_rel, family, result, worst.group(1) if worst else "",
                         "" if result == "PASS" else last))
            print(f"{result:5} {ref_rel} ({family}) worst {rows[-1][3]} {rows[-1][4]}")
    passed = sum(r[2] == "PASS" for r in rows)
    table = [f"**{passed} of {len(rows)} pass**", "",
             "| reference | compared as | result | worst quality diff | note |",
             "|---|---|---|---:|---|"]
    table += [f"| `{r}` | {f} | {res} | {w} | {m} |" for r, f, res, w, m in rows]
    block = "\n".join([BEGIN] + table + [END])
    if os.path.exists(a.out):
        doc = open(a.out, encoding="utf-8").read()
        if BEGIN in doc and END in doc:
            doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            doc += "\n## Water quality\n\n" + block + "\n"
        open(a.out, "w", encoding="utf-8").write(doc)
    print(f"{passed} of {len(rows)} pass; table written to {a.out}")


if __name__ == "__main__":
    main()
