#!/usr/bin/env python3
"""Measures the kernel sweep on this machine's GPU and writes a riirc trace CSV (see ../README.md).

    python3 profiling/run.py --out traces/ --repeat 1
    python3 profiling/run.py --out traces/ --repeat 2      # a second, independent pass for the noise floor
    python3 profiling/merge.py trace --out examples/traces/mygpu/trace.csv traces/trace-r1.csv traces/trace-r2.csv

Writes, under --out: trace-r<repeat>.csv (one row per config, flushed as measured), extras-r<repeat>.jsonl
(per-measurement details that are not model inputs) and meta-r<repeat>.json (device, software, idle power,
counter behaviour). Reads NVML only; never changes clocks or power limits.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riirc_profile import configs as cfgs  # noqa: E402
from riirc_profile.trace import TraceWriter  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--repeat", type=int, default=1, help="repeat number written to the trace (1, 2, ...)")
    p.add_argument("--window-s", type=float, default=1.0, help="minimum energy window per config, seconds")
    p.add_argument("--settle-s", type=float, default=0.25, help="running time before the window opens")
    p.add_argument("--deadline-s", type=float, default=0.0,
                   help="stop starting new configs after this many seconds (0: no limit)")
    p.add_argument("--only", nargs="*", default=[], help="measure only configs whose id contains one of these")
    p.add_argument("--limit", type=int, default=0, help="measure at most this many configs (0: all)")
    p.add_argument("--check", action="store_true", help="check each kernel's result against a float32 reference")
    p.add_argument("--gpu", type=int, default=0, help="CUDA/NVML device index")
    p.add_argument("--list", action="store_true", help="print the config ids and exit (no GPU needed)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    selected = cfgs.select(cfgs.all_configs(), args.only)
    order = cfgs.sweep_order(selected, args.repeat)
    if args.limit:
        order = order[: args.limit]
    if args.list:
        for c in order:
            print(c.id)
        return 0
    if not order:
        print("no config matches --only", file=sys.stderr)
        return 2

    import torch

    from riirc_profile import measure, workloads
    from riirc_profile.nvml import Gpu

    t_start = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    torch.cuda.set_device(args.gpu)
    gpu = Gpu(args.gpu)
    meta = {
        "started_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "gpu": gpu.describe(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "python": platform.python_version(),
        "host": platform.node(),
        "method": "cuda_graph_replay; energy window aligned to NVML total-energy counter updates",
        "window_s_min": args.window_s,
        "settle_s": args.settle_s,
        "rotate_bytes": workloads.ROTATE_BYTES,
        "configs_planned": len(order),
    }
    meta["counter_idle"] = measure.probe_counter(gpu, 1.5)
    meta["idle_before"] = measure.measure_idle(gpu)
    print(f"idle {meta['idle_before']['power_w']:.1f} W; counter {meta['counter_idle']}", flush=True)

    tag = f"r{args.repeat}"
    done, failed, skipped = 0, [], []
    with TraceWriter(os.path.join(args.out, f"trace-{tag}.csv")) as tw, \
            open(os.path.join(args.out, f"extras-{tag}.jsonl"), "a", encoding="utf-8") as extras:
        for i, c in enumerate(order):
            if args.deadline_s and time.perf_counter() - t_start > args.deadline_s:
                skipped = [x.id for x in order[i:]]
                print(f"deadline reached: {len(skipped)} configs not measured", flush=True)
                break
            t_c = time.perf_counter()
            try:
                row, extra = measure_one(c, args, gpu, measure, workloads, torch)
            except Exception as e:  # one failing kernel must not lose the rest of the sweep
                failed.append(c.id)
                extras.write(json.dumps({"config": c.id, "repeat": args.repeat, "error": repr(e),
                                         "traceback": traceback.format_exc()}) + "\n")
                extras.flush()
                print(f"[{i + 1}/{len(order)}] {c.id}: FAILED {e!r}", flush=True)
                torch.cuda.empty_cache()
                continue
            tw.write(row)
            extras.write(json.dumps(extra, sort_keys=True) + "\n")
            extras.flush()
            done += 1
            print(f"[{i + 1}/{len(order)}] {c.id}: {row['latency_us']:.2f} us {row['joules'] * 1e3:.4f} mJ "
                  f"{row['power_w']:.0f} W {row['sm_mhz']:.0f} MHz err={extra['rel_err']} "
                  f"({time.perf_counter() - t_c:.1f} s)", flush=True)
    meta["idle_after"] = measure.measure_idle(gpu)
    meta.update({
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "measured": done, "failed": failed, "skipped_deadline": skipped,
        "elapsed_s": time.perf_counter() - t_start,
    })
    with open(os.path.join(args.out, f"meta-{tag}.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print(f"measured {done}, failed {len(failed)}, skipped {len(skipped)}; "
          f"idle {meta['idle_before']['power_w']:.1f} -> {meta['idle_after']['power_w']:.1f} W; "
          f"{meta['elapsed_s']:.0f} s", flush=True)
    return 0 if not failed else 1


def measure_one(c, args, gpu, measure, workloads, torch):
    w = workloads.build(c)
    err = w.check() if args.check else None
    copies = w.copies
    graph, inner = measure.capture(w)
    replay_s = measure.replay_seconds(graph)
    m = measure.measure(gpu, graph.replay, inner, replay_s, args.window_s, args.settle_s)
    del graph, w
    torch.cuda.empty_cache()
    bytes_hbm, flops = c.analytic()
    row = {
        "kernel": c.kernel, "precision": c.precision, "bytes_hbm": bytes_hbm, "flops": flops,
        "sm_mhz": m["sm_mhz"], "link_active_us": 0.0, "joules": m["joules"], "latency_us": m["latency_us"],
        "config": c.id, "repeat": args.repeat, "m": c.m, "n": c.n, "k": c.k, "batch": c.batch, "ctx": c.ctx,
        "heads": c.heads, "kv_heads": c.kv_heads, "head_dim": c.head_dim, "iters": m["iters"],
        "window_s": m["window_s"], "gpu_temp_c": m["gpu_temp_c"], "mem_temp_c": m["mem_temp_c"],
        "power_w": m["power_w"],
    }
    extra = {"config": c.id, "repeat": args.repeat, "op": c.op, "inner": inner, "rotated_copies": copies,
             "replay_s": replay_s, "rel_err": err, **{k: m[k] for k in (
                 "sm_mhz_min", "sm_mhz_max", "clock_event_reasons", "counter_edges", "chunk_replays", "energy_j")}}
    return row, extra


if __name__ == "__main__":
    sys.exit(main())
