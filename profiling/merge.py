#!/usr/bin/env python3
"""Combines what the GPU runs wrote into the files a repository commits (pure Python, no torch needed).

    python3 profiling/merge.py trace --out examples/traces/h100/trace.csv run1/trace-r1.csv run2/trace-r2.csv
        merges passes into one trace sorted by (config, repeat), then prints the run-to-run spread
    python3 profiling/merge.py spread examples/traces/h100/trace.csv
        prints the run-to-run spread of a trace
    python3 profiling/merge.py decode --out examples/measurements/x.json run1/decode_step.json run2/decode_step.json
        merges decode-step measurements (same shape) and prints the per-precision means and spread
"""

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riirc_profile import summary, trace  # noqa: E402
from riirc_profile.decode_ops import decode_step_ops, totals_by_class  # noqa: E402


def merge_decode(inputs):
    """One document from several decode_step.json runs of the same shape: every window kept, means per precision,
    and the step's analytic work per kernel class."""
    docs = []
    for p in inputs:
        with open(p, encoding="utf-8") as f:
            docs.append(json.load(f))
    shape = docs[0]["shape"]
    for p, d in zip(inputs, docs):
        if d["shape"] != shape:
            raise ValueError(f"{p}: shape {d['shape']} differs from {inputs[0]}'s {shape}")
    out = {"what": docs[0]["what"], "shape": shape, "kv_cache": docs[0]["kv_cache"], "gpu": docs[0]["gpu"],
           "torch": docs[0]["torch"], "cuda": docs[0]["cuda"], "runs": [], "precisions": {}}
    for p, d in zip(inputs, docs):
        out["runs"].append({"source": os.path.basename(os.path.dirname(os.path.abspath(p))) or p,
                            "started_utc": d["started_utc"], "finished_utc": d["finished_utc"],
                            "idle_before": d["idle_before"], "idle_after": d["idle_after"],
                            # Per-class work is recomputed below from decode_ops; the copies in the raw runs
                            # would only duplicate it.
                            "runs": {prec: {k: v for k, v in r.items() if k != "analytic_by_kernel"}
                                     for prec, r in d["runs"].items()}})
    precisions = sorted({prec for d in docs for prec in d["runs"]})
    for prec in precisions:
        windows = [w for d in docs if prec in d["runs"] for w in d["runs"][prec]["repeats"]]
        lat = [w["latency_us"] / 1e3 for w in windows]
        joules = [w["joules"] for w in windows]
        ops = decode_step_ops(shape["layers"], shape["hidden"], shape["heads"], shape["kv_heads"],
                              shape["head_dim"], shape["ffn"], shape["batch"], shape["ctx"], prec)
        out["precisions"][prec] = {
            "windows": len(windows),
            "latency_ms_mean": sum(lat) / len(lat),
            "latency_ms_range": [min(lat), max(lat)],
            "joules_mean": sum(joules) / len(joules),
            "joules_range": [min(joules), max(joules)],
            "power_w_mean": sum(w["power_w"] for w in windows) / len(windows),
            "output_finite": all(d["runs"][prec]["output_finite"] for d in docs if prec in d["runs"]),
            "analytic_by_kernel": {k: {"bytes_hbm": b, "flops": f, "launches": n}
                                   for k, (b, f, n) in totals_by_class(ops).items()},
        }
    return out


def write_json_atomic(path, doc):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".merge-", suffix=".json", dir=d)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trace", help="merge trace passes")
    t.add_argument("--out", required=True)
    t.add_argument("inputs", nargs="+")
    s = sub.add_parser("spread", help="run-to-run spread of a trace")
    s.add_argument("trace")
    d = sub.add_parser("decode", help="merge decode-step measurements")
    d.add_argument("--out", required=True)
    d.add_argument("inputs", nargs="+")
    args = p.parse_args(argv)
    try:
        if args.cmd == "trace":
            n = trace.merge(args.inputs, args.out)
            print(f"wrote {n} rows to {args.out}")
            print("\n".join(summary.report(trace.read_rows(args.out))))
        elif args.cmd == "spread":
            print("\n".join(summary.report(trace.read_rows(args.trace))))
        else:
            doc = merge_decode(args.inputs)
            write_json_atomic(args.out, doc)
            for prec, r in doc["precisions"].items():
                print(f"{prec}: {r['latency_ms_mean']:.3f} ms ({r['latency_ms_range'][0]:.3f}-"
                      f"{r['latency_ms_range'][1]:.3f}), {r['joules_mean']:.3f} J ({r['joules_range'][0]:.3f}-"
                      f"{r['joules_range'][1]:.3f}) per step over {r['windows']} windows, {r['power_w_mean']:.0f} W")
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
