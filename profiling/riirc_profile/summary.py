"""Run-to-run spread of a trace: the noise floor any model of it is judged against.

For every config measured at least twice, the spread of a quantity is |r1 − r2| / mean(r1, r2) of its first two
repeats. Reported as median and 90th percentile over configs, for joules and latency, overall and per class.
"""

import math


def percentile(xs, q):
    """Linear-interpolated percentile (q in [0, 100]) of a non-empty list."""
    s = sorted(xs)
    if not s:
        raise ValueError("percentile of nothing")
    pos = (len(s) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def pair_spread(a, b):
    mean = 0.5 * (a + b)
    if mean <= 0:
        raise ValueError(f"cannot take a relative spread of {a} and {b}")
    return abs(a - b) / mean


def spreads(rows, column):
    """{config: spread of `column` between its repeats 1 and 2} for configs that have both."""
    by = {}
    for r in rows:
        by.setdefault(r["config"], {})[int(r["repeat"])] = float(r[column])
    return {c: pair_spread(v[1], v[2]) for c, v in by.items() if 1 in v and 2 in v}


def report(rows):
    """Lines of text: counts, then spread median and p90 for joules and latency, overall and per class."""
    configs = {r["config"] for r in rows}
    kernel_of = {r["config"]: r["kernel"] for r in rows}
    lines = [f"{len(rows)} measurements of {len(configs)} configs"]
    for column in ("joules", "latency_us"):
        sp = spreads(rows, column)
        if not sp:
            lines.append(f"{column}: no config has two repeats")
            continue
        lines.append(
            f"{column}: run-to-run spread over {len(sp)} configs: median {100 * percentile(list(sp.values()), 50):.2f}%"
            f", p90 {100 * percentile(list(sp.values()), 90):.2f}%"
        )
        for kernel in sorted({kernel_of[c] for c in sp}):
            v = [s for c, s in sp.items() if kernel_of[c] == kernel]
            lines.append(
                f"  {kernel:<17} n={len(v):<4} median {100 * percentile(v, 50):.2f}%  p90 {100 * percentile(v, 90):.2f}%"
            )
    return lines
