#!/usr/bin/env python3
"""Measures one decode step of a tensor-parallel shard (default: Llama-3-70B, tp 8, batch 64, ctx 4096) replayed
as a CUDA graph, in bf16 and fp8 weights (KV cache bf16 in both), with the same aligned energy windows as the
kernel sweep. Writes <out>/decode_step.json.

    python3 profiling/decode_step.py --out measurements/ --window-s 3 --repeats 2
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--layers", type=int, default=80)
    p.add_argument("--hidden", type=int, default=8192)
    p.add_argument("--heads", type=int, default=8, help="query heads on this GPU")
    p.add_argument("--kv-heads", type=int, default=1, help="KV heads on this GPU")
    p.add_argument("--head-dim", type=int, default=128)
    p.add_argument("--ffn", type=int, default=3584, help="FFN inner size on this GPU")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--ctx", type=int, default=4096)
    p.add_argument("--precisions", nargs="+", default=["bf16", "fp8"])
    p.add_argument("--window-s", type=float, default=3.0)
    p.add_argument("--settle-s", type=float, default=0.5)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--gpu", type=int, default=0)
    args = p.parse_args(argv)

    import torch

    from riirc_profile import measure
    from riirc_profile.decode import Shard
    from riirc_profile.decode_ops import totals_by_class
    from riirc_profile.nvml import Gpu

    os.makedirs(args.out, exist_ok=True)
    torch.cuda.set_device(args.gpu)
    gpu = Gpu(args.gpu)
    result = {
        "what": "one decode step of one GPU's shard (no all-reduce), replayed as a CUDA graph",
        "started_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "gpu": gpu.describe(), "torch": torch.__version__, "cuda": torch.version.cuda,
        "python": platform.python_version(),
        "shape": {k: getattr(args, k) for k in ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn",
                                                 "batch", "ctx")},
        "kv_cache": "bf16",
        "idle_before": measure.measure_idle(gpu),
        "runs": {},
    }
    for prec in args.precisions:
        t0 = time.perf_counter()
        shard = Shard(args.layers, args.hidden, args.heads, args.kv_heads, args.head_dim, args.ffn,
                      args.batch, args.ctx, prec)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            shard.step()
        torch.cuda.current_stream().wait_stream(side)
        torch.cuda.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            out = shard.step()
        torch.cuda.synchronize()
        replay_s = measure.replay_seconds(graph, n=5)
        finite = bool(torch.isfinite(out).all().item())
        reps = []
        for r in range(args.repeats):
            m = measure.measure(gpu, graph.replay, 1, replay_s, args.window_s, args.settle_s)
            m["repeat"] = r + 1
            reps.append(m)
            print(f"{prec} r{r + 1}: {m['latency_us'] / 1e3:.3f} ms/step {m['joules']:.3f} J/step "
                  f"{m['power_w']:.0f} W {m['sm_mhz']:.0f} MHz", flush=True)
        finite = finite and bool(torch.isfinite(out).all().item())
        analytic = {k: {"bytes_hbm": v[0], "flops": v[1], "launches": v[2]}
                    for k, v in totals_by_class(shard.ops()).items()}
        weight_bytes = sum(t.numel() * t.element_size() for lw in shard.layers for n, t in lw.items()
                           if n in ("qkv", "o", "gate_up", "down"))
        result["runs"][prec] = {
            "repeats": reps,
            "latency_ms_mean": sum(m["latency_us"] for m in reps) / len(reps) / 1e3,
            "joules_mean": sum(m["joules"] for m in reps) / len(reps),
            "output_finite": finite,
            "weight_bytes": weight_bytes,
            "analytic_by_kernel": analytic,
            "setup_s": time.perf_counter() - t0,
        }
        del graph, shard, out
        torch.cuda.empty_cache()
    result["idle_after"] = measure.measure_idle(gpu)
    result["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    path = os.path.join(args.out, "decode_step.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)
    for prec, r in result["runs"].items():
        print(f"{prec}: {r['latency_ms_mean']:.3f} ms {r['joules_mean']:.3f} J per step; finite={r['output_finite']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
