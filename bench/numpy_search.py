#!/usr/bin/env python3
"""NumPy reimplementation of riirc's whole-module Pareto search, for `cargo xtask bench`.

Reads the inputs Rust exports (`cargo run --release -p pareto-search --example bench_inputs -- IN.json`): per
SKU its levels and physical-model coefficients, the Llama-3-70B decode step's distinct kernels with their
counts, the memory-variant assumptions. For each SKU it enumerates the 720 points of every kernel as arrays,
prices them (precision scaling, memory variant, roofline latency, energy, power-limit feasibility), gives each
kernel its SLO share, and applies the same pruning (rule 1, non-dominated sweep, one point per precision, cap at
14). It checks the frontiers against the Rust ones in the file and prints one JSON line: the mean seconds per
whole search (all SKUs), the repetitions, and whether sizes and points matched.

Usage: numpy_search.py IN.json [--reps N]
"""

import json
import sys
import time

import numpy as np

N = 720
IDX = np.arange(N)
PREC = IDX // 180
SM = (IDX // 45) % 4
HBM = (IDX // 15) % 3
LINK = (IDX // 5) % 3
MEM = IDX % 5
BITS = np.array([16.0, 16.0, 8.0, 4.0])
AWAKE = {"lpo_sleep": "lpo_active", "cpo_sleep": "cpo_active"}


def price(sku, doc, k):
    """Costs of one kernel at all 720 points: (feasible, jpt, lat_ms, power_w)."""
    v = doc["variant"]
    e = sku["energy"]
    lat = sku["latency"]
    peak = np.array(sku["peak_dense_tflops"])[PREC]
    sm = np.array(sku["sm_mhz_levels"])[SM]
    bw = np.array(sku["hbm_bw_levels_tbps"])[HBM]
    links = sku["search_link_states"]
    parked = np.array([sku["link_power_w"][l] for l in links])[LINK]
    awake = np.array([sku["link_power_w"][AWAKE.get(l, l)] for l in links])[LINK]
    sleep = np.array([l in AWAKE for l in links])[LINK]

    w = k["weight_bytes"]
    b = (k["bytes_hbm"] - w) + (w * BITS[PREC]) / 16.0
    nonw = b - np.clip(w * BITS[PREC] / 16.0, 0.0, b)
    f = np.full(N, k["flops"])
    rc = k["reuse_confidence"]
    # Memory variants: energy work (eb, ef) and latency work (tb, tf).
    eb, ef, tb, tf = b.copy(), f.copy(), b.copy(), f.copy()
    m = MEM == 1
    eb[m] = b[m] * (1.0 + v["prefetch_overfetch"])
    tb[m] = b[m] * (1.0 - v["prefetch_hidden"])
    m = MEM == 2
    reuse_ok = rc is not None and rc > v["reuse_threshold"]
    if reuse_ok:
        eb[m] = tb[m] = b[m] - v["reuse_share"] * rc * nonw[m]
    m = MEM == 3
    eb[m] = tb[m] = b[m] * (1.0 - v["sram_share"])
    ef[m] = tf[m] = f[m] * v["sram_flop_penalty"]
    m = MEM == 4
    eb[m] = tb[m] = b[m] - v["recompute_share"] * nonw[m]
    ef[m] = tf[m] = f[m] + v["recompute_share"] * nonw[m] * v["recompute_flops_per_byte"]

    link_us = k["link_bytes"] / (doc["link_gbps"] * 1e3)
    ratio = sm / sku["max_sm_mhz"]
    with np.errstate(divide="ignore", invalid="ignore"):
        comp_peak = peak * 1e12 * ratio

        def latency(bytes_, flops):
            mem_s = bytes_ / (bw * 1e12)
            comp_s = np.where(flops == 0.0, 0.0, flops / comp_peak)
            link_s = link_us * 1e-6
            wake_s = np.where(sleep & (link_us > 0.0), sku["sleep_exit_us"] * 1e-6, 0.0)
            mem = lat[1] * mem_s
            comp = lat[2] * comp_s
            t_mem = (lat[0] + mem) + wake_s
            t_comp = (lat[0] + comp) + wake_s
            t_link = lat[0] + (wake_s + link_s)
            is_mem = (mem >= comp) & (mem >= link_s)
            is_comp = ~is_mem & (comp >= link_s)
            return np.where(is_mem, t_mem, np.where(is_comp, t_comp, t_link))

        def energy(bytes_, flops, t):
            e_link = parked * t
            if link_us > 0.0:
                extra = (awake - parked) * ((link_us + sku["sleep_entry_us"] + sku["sleep_exit_us"]) * 1e-6) + 2.0 * sku["transition_uj"] * 1e-6
                e_link = np.where(sleep, e_link + extra, e_link)
            e_flop = np.array(e[3:7])[PREC]
            j = e[0] * t
            j = j + e[1] * (ratio * ratio * ratio * t)
            j = j + e[2] * (bytes_ * 1e-12)
            j = j + e_flop * (flops * 1e-12)
            link_j = e[7] * e_link
            return j + link_j, link_j

        # Board power (links excluded) is what the board limit constrains, as energy-model's `predict`.
        t_e = latency(eb, ef)
        j_e, l_e = energy(eb, ef, t_e)
        p_e = (j_e - l_e) / t_e
        t_l = latency(tb, tf)
        j_l, l_l = energy(tb, tf, t_l)
        p_l = (j_l - l_l) / t_l
    limit = sku["board_limit_w"]
    feasible = (peak > 0.0) & (p_e <= limit)
    feasible &= ~(MEM == 1) | (p_l <= limit)
    if not reuse_ok:
        feasible &= MEM != 2
    jpt = j_e * doc["gpus"] / doc["tokens_per_step"]
    lat_ms = np.where(MEM == 1, t_l, t_e) * 1e3
    return feasible, jpt, lat_ms, p_e


def prune(feasible, jpt, lat, slo, max_plans):
    """The three rules and the 14-plan cap, as pareto-search/src/prune.rs; returns point indices, plan A first."""
    within = feasible & (lat <= slo * 1.2)
    cand = IDX[within]
    order = cand[np.lexsort((cand, jpt[cand], lat[cand]))]
    j = jpt[order]
    running = np.minimum.accumulate(np.concatenate(([np.inf], j)))[:-1]
    front = order[j < running]

    def by_energy(ix):
        ix = np.asarray(ix, dtype=np.int64)
        return ix[np.lexsort((ix, lat[ix], -jpt[ix]))]

    front = list(by_energy(front))
    reps = []
    for p in range(4):
        mine = [i for i in front if PREC[i] == p]
        if mine:
            reps.append(mine[-1])
            continue
        pts = IDX[feasible & (PREC == p)]
        if len(pts) == 0:
            continue
        ok = pts[lat[pts] <= slo * 1.2]
        if len(ok):
            best = ok[np.lexsort((ok, lat[ok], jpt[ok]))][0]
        else:
            best = pts[np.lexsort((pts, jpt[pts], lat[pts]))][0]
        reps.append(best)
        front.append(best)
    front = list(by_energy(front))
    if len(front) > max_plans:
        keep = list(reps)
        for end in (front[0], front[-1]):
            if end not in keep:
                keep.append(end)
        rest = [i for i in front if i not in keep]
        slots = max_plans - len(keep)
        keep += [rest[(2 * k + 1) * len(rest) // (2 * slots)] for k in range(slots)]
        front = [i for i in front if i in keep]
    return [int(i) for i in front]


def search(doc):
    out = []
    for sku in doc["skus"]:
        priced = [price(sku, doc, k) for k in sku["kernels"]]
        fastest = [lat[f].min() for f, _, lat, _ in priced]
        step = sum(k["count"] * t for k, t in zip(sku["kernels"], fastest))
        fronts = []
        for (f, jpt, lat, _), t in zip(priced, fastest):
            fronts.append(prune(f, jpt, lat, doc["slo_ms"] * t / step, doc["max_plans"]))
        out.append(fronts)
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    doc = json.load(open(sys.argv[1]))
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 20
    result = search(doc)
    sizes_match = points_match = True
    for sku, fronts in zip(doc["skus"], result):
        for exp, got in zip(sku["expected"], fronts):
            sizes_match &= len(exp["frontier"]) == len(got)
            points_match &= exp["frontier"] == got
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        search(doc)
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "mean_s": sum(times) / len(times),
        "min_s": min(times),
        "reps": reps,
        "kernels": sum(len(s["kernels"]) for s in doc["skus"]),
        "frontier_sizes": [[len(f) for f in fronts] for fronts in result],
        "sizes_match": bool(sizes_match),
        "points_match": bool(points_match),
        "numpy": np.__version__,
    }))
    sys.exit(0 if sizes_match else 1)


if __name__ == "__main__":
    main()
