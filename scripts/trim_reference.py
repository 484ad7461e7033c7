#!/usr/bin/env python3
"""Keep only some report times of an EPANET reference results file.

    trim_reference.py IN.json[.gz] OUT.json[.gz] --max-times N

IN is a results file in the layout of ../shared/tools/epanet_reference.py.
OUT holds the same document with only N report times kept (N >= 2),
evenly spaced, the first and the last among them: the same rule as
epanet_reference.py's --max-times, so a trimmed file equals what
epanet_reference.py would have written with that option. Files with N
report times or fewer are copied unchanged. Every other field, including
warning_times_s, is kept as it is.
"""
import argparse
import gzip
import json
import sys


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def save(doc, path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))


def kept_indices(count, max_times):
    """Indices of the report times to keep out of `count`."""
    if count <= max_times:
        return list(range(count))
    last = count - 1
    return sorted({round(i * last / (max_times - 1)) for i in range(max_times)})


def trim(doc, max_times):
    keep = kept_indices(len(doc["times_s"]), max_times)
    doc["times_s"] = [doc["times_s"][i] for i in keep]
    for kind in ("node", "link"):
        doc[kind] = {field: [rows[i] for i in keep] for field, rows in doc[kind].items()}
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--max-times", type=int, required=True)
    a = ap.parse_args()
    if a.max_times < 2:
        sys.exit("--max-times needs at least 2")
    save(trim(load(a.input), a.max_times), a.output)


if __name__ == "__main__":
    main()
