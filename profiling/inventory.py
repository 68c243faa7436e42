#!/usr/bin/env python3
"""Lists the GPU kernels each configuration (and one decode step) launches, by name, with torch.profiler.

A model that charges a launch cost per kernel needs to know how many kernels an op really is (an SDPA call or a
cuBLAS matmul can be more than one). No energy is measured here, so this takes about a minute.

    python3 profiling/inventory.py --out runs/inv            # writes runs/inv/kernels.jsonl
"""

import argparse
import json
import os
import sys
from collections import Counter
from functools import partial

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from riirc_profile import configs as cfgs  # noqa: E402


def gpu_kernels(torch, fn):
    """Counter of CUDA kernel names launched by fn() (after one warm-up call)."""
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    names = Counter()
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            names[e.name] += 1
    return names


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--only", nargs="*", default=[])
    p.add_argument("--decode-layers", type=int, default=2,
                   help="layers of the Llama-3-70B tp 8 shard to profile eagerly (0: skip)")
    args = p.parse_args(argv)

    import torch

    from riirc_profile import workloads
    from riirc_profile.decode import Shard

    # One input set is enough to see which kernels run; rotation only matters for timing.
    workloads.ROTATE_BYTES = 1
    os.makedirs(args.out, exist_ok=True)
    failed = 0
    with open(os.path.join(args.out, "kernels.jsonl"), "w", encoding="utf-8") as f:
        for c in cfgs.select(cfgs.all_configs(), args.only):
            w = None
            try:
                w = workloads.build(c)
                names = gpu_kernels(torch, partial(w.launch, 0))
                rec = {"config": c.id, "kernels": sum(names.values()), "names": dict(sorted(names.items()))}
            except Exception as e:  # record and go on: one op's failure must not hide the others
                failed += 1
                rec = {"config": c.id, "error": repr(e)}
            f.write(json.dumps(rec, sort_keys=True) + "\n")
            print(rec.get("kernels", rec.get("error")), c.id, flush=True)
            w = None  # free the inputs before the next config allocates its own
            torch.cuda.empty_cache()
        if args.decode_layers:
            for prec in ("bf16", "fp8"):
                shard = Shard(args.decode_layers, 8192, 8, 1, 128, 3584, 64, 4096, prec)
                names = gpu_kernels(torch, shard.step)
                rec = {"config": f"decode_step.llama-3-70b-tp8.{prec}.layers{args.decode_layers}",
                       "kernels": sum(names.values()), "names": dict(sorted(names.items()))}
                f.write(json.dumps(rec, sort_keys=True) + "\n")
                print(rec["kernels"], rec["config"], flush=True)
                del shard
                torch.cuda.empty_cache()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
