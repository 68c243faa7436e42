"""The sweep: which kernel configurations the harness measures, each with a stable id.

The set covers what a decode step of the shipped models runs on one GPU: linear layers at decode batch sizes
for every projection shape of the models at tp 1/2/4/8, decode attention over KV caches of several lengths
and GQA ratios, prefill-sized GEMMs (to reach the compute roof and the power cap), RMSNorm, elementwise ops,
and device-to-device copies (as elementwise identity ops), in bf16, fp16 and fp8 (e4m3) where the op has such a form.
"""

import random
from dataclasses import dataclass

from . import analytic
from .models import MODELS, TP_DEGREES, model, projections


@dataclass(frozen=True)
class KernelConfig:
    kernel: str  # class, as the energy model names it: linear, attention_decode, gemm, norm, elementwise
    op: str  # the concrete op within the class (e.g. silu_mul)
    precision: str
    m: int = 0  # rows (batch for linear), 0 where unused
    n: int = 0
    k: int = 0
    batch: int = 0
    ctx: int = 0
    heads: int = 0
    kv_heads: int = 0
    head_dim: int = 0

    @property
    def id(self):
        """Stable, human-readable id: the same configuration always gets the same id."""
        if self.kernel == "attention_decode":
            return (
                f"{self.kernel}.{self.op}.{self.precision}.b{self.batch}.ctx{self.ctx}"
                f".h{self.heads}.kv{self.kv_heads}.d{self.head_dim}"
            )
        if self.kernel in ("linear", "gemm"):
            return f"{self.kernel}.{self.op}.{self.precision}.m{self.m}.n{self.n}.k{self.k}"
        return f"{self.kernel}.{self.op}.{self.precision}.r{self.m}.c{self.n}"

    def analytic(self):
        return analytic.of_config(self)


def linear(m, k, n, precision):
    op = "scaled_mm" if precision == "fp8" else "matmul"
    return KernelConfig("linear", op, precision, m=m, n=n, k=k, batch=m)


def _primary_linears():
    # The shapes of the end-to-end measurement (Llama-3-70B, tp 8) at every decode batch size.
    out = []
    shapes = projections(model("llama-3-70b"), 8)
    for (k, n) in shapes.values():
        for m in (1, 8, 32, 64, 128, 256):
            for p in ("bf16", "fp8"):
                out.append(linear(m, k, n, p))
        for m in (1, 64):
            out.append(linear(m, k, n, "fp16"))
    return out


def _secondary_linears(primary_shapes):
    # Every other projection shape of the shipped models at tp 1/2/4/8, once each; batch and precision cycle so
    # that the set still spans both axes without multiplying the sweep's length.
    shapes = sorted(
        {kn for mdl in MODELS for tp in TP_DEGREES for kn in projections(mdl, tp).values()} - primary_shapes
    )
    batches = (4, 16, 64, 128, 256)
    return [
        linear(batches[i % len(batches)], k, n, ("bf16", "fp8")[i % 2]) for i, (k, n) in enumerate(shapes)
    ]


def _attention():
    out = []
    for heads, kv in ((8, 1), (16, 2), (32, 8), (8, 8)):
        for ctx in (512, 2048, 4096, 8192):
            for batch in (1, 16, 64):
                out.append(KernelConfig("attention_decode", "sdpa", "bf16", batch=batch, ctx=ctx, heads=heads,
                                        kv_heads=kv, head_dim=128, m=batch))
    for batch in (1, 64):
        for ctx in (512, 4096):
            out.append(KernelConfig("attention_decode", "sdpa", "fp16", batch=batch, ctx=ctx, heads=8,
                                    kv_heads=1, head_dim=128, m=batch))
    return out


def _gemms():
    out = []
    for m in (512, 2048, 8192):
        for n, k in ((8192, 8192), (1280, 8192), (7168, 8192)):
            for p in ("bf16", "fp8"):
                out.append(KernelConfig("gemm", "scaled_mm" if p == "fp8" else "matmul", p, m=m, n=n, k=k))
    for n, k in ((8192, 8192), (1280, 8192), (7168, 8192)):
        out.append(KernelConfig("gemm", "matmul", "fp16", m=2048, n=n, k=k))
    return out


def _norms():
    out = [KernelConfig("norm", "rmsnorm", "bf16", m=r, n=c) for c in (4096, 8192)
           for r in (1, 16, 64, 256, 1024, 8192)]
    out += [KernelConfig("norm", "rmsnorm", "fp16", m=r, n=8192) for r in (64, 1024)]
    return out


def _elementwise():
    out = [KernelConfig("elementwise", "silu_mul", "bf16", m=r, n=c) for c in (3584, 14336)
           for r in (1, 64, 256, 4096)]
    out += [KernelConfig("elementwise", "add", "bf16", m=r, n=8192) for r in (1, 64, 256, 4096)]
    out += [KernelConfig("elementwise", "cast_fp8", "fp8", m=r, n=8192) for r in (1, 64, 256)]
    # The quantisations in front of the o and down projections of a Llama-3-70B tp 8 shard.
    out += [KernelConfig("elementwise", "cast_fp8", "fp8", m=r, n=c) for r, c in ((64, 1024), (64, 3584), (256, 3584))]
    out += [KernelConfig("elementwise", "silu_mul", "fp16", m=64, n=3584),
            KernelConfig("elementwise", "add", "fp16", m=64, n=8192)]
    return out


COPY_COLS = 1024


def _copies():
    # Device-to-device copies are elementwise identity ops: the energy model has no separate copy class.
    out = []
    for p, sizes in (("bf16", (1 << 16, 1 << 20, 1 << 24, 1 << 26, 1 << 28, 1 << 30)), ("fp8", (1 << 20, 1 << 28))):
        e = analytic.elem_bytes(p)
        for size in sizes:
            out.append(KernelConfig("elementwise", "copy", p, m=size // (COPY_COLS * e), n=COPY_COLS))
    # The small copies of a decode step: one token's K or V per sequence, a residual-stream row block.
    out += [KernelConfig("elementwise", "copy", "bf16", m=64, n=c) for c in (128, 1024, 8192)]
    return out


def all_configs():
    """Every configuration of the sweep, in a fixed order, without duplicates."""
    primary = _primary_linears()
    primary_shapes = {(c.k, c.n) for c in primary}
    configs = primary + _secondary_linears(primary_shapes) + _attention() + _gemms() + _norms() + _elementwise()
    configs += _copies()
    seen, out = set(), []
    for c in configs:
        if c.id not in seen:
            seen.add(c.id)
            out.append(c)
    return out


def sweep_order(configs, repeat):
    """The order one repeat measures in: shuffled with a seed per repeat, so that slow drifts (temperature) do
    not line up with a kernel class or a shape, and each repeat meets each kernel in a different thermal state."""
    order = list(configs)
    random.Random(1000 + repeat).shuffle(order)
    return order


def select(configs, patterns):
    """Configs whose id contains any of the substrings (all when none are given)."""
    if not patterns:
        return list(configs)
    return [c for c in configs if any(p in c.id for p in patterns)]
