#!/usr/bin/env python3
"""Adds up a trace's per-kernel measurements over the kernels of a decode step and compares the sum with the
measured step: how much of the step the isolated kernels explain (pure Python, no torch needed).

    python3 profiling/compose.py examples/traces/h100/trace.csv examples/measurements/llama-3-70b-tp8-decode-step.json

Each op of the step (decode_ops.decode_step_ops) is looked up by config id in the trace and its mean over
repeats is multiplied by its launch count. Ops the sweep did not measure are listed with their counts and are
left out of the sum, so the sum is a lower bound when any are missing.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riirc_profile.decode_ops import decode_step_ops  # noqa: E402
from riirc_profile.trace import read_rows  # noqa: E402


def compose(rows, ops):
    """(latency_us, joules, [(config id, count) not in the trace]) summed over a step's ops."""
    by = {}
    for r in rows:
        by.setdefault(r["config"], []).append((float(r["latency_us"]), float(r["joules"])))
    lat = joules = 0.0
    missing = []
    for c, n in ops:
        ms = by.get(c.id)
        if not ms:
            missing.append((c.id, n))
            continue
        lat += n * sum(m[0] for m in ms) / len(ms)
        joules += n * sum(m[1] for m in ms) / len(ms)
    return lat, joules, missing


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        rows = read_rows(argv[0])
        with open(argv[1], encoding="utf-8") as f:
            doc = json.load(f)
        s = doc["shape"]
        for prec, measured in sorted(doc["precisions"].items()):
            ops = decode_step_ops(s["layers"], s["hidden"], s["heads"], s["kv_heads"], s["head_dim"], s["ffn"],
                                  s["batch"], s["ctx"], prec)
            lat, joules, missing = compose(rows, ops)
            m_lat, m_j = measured["latency_ms_mean"], measured["joules_mean"]
            print(f"{prec}: kernel sum {lat / 1e3:.3f} ms, {joules:.3f} J; measured step {m_lat:.3f} ms, {m_j:.3f} J "
                  f"(sum/measured: latency {lat / 1e3 / m_lat:.3f}, energy {joules / m_j:.3f})")
            for cid, n in missing:
                print(f"  not in the trace: {cid} x{n}")
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
