"""One decode step of a tensor-parallel shard of a Llama-style model, built from the harness's own kernels.

Per layer, on one GPU (no all-reduce: the shard's share of the step only):
  h = rmsnorm(x); qkv = h·Wqkv; K/V cache[pos] = k, v; a = attention(q, K, V); x += a·Wo;
  h = rmsnorm(x); gu = h·Wgate_up; x += silu_mul(gu)·Wdown
In fp8, the four weights are e4m3 and each linear is preceded by a cast of its input to e4m3 (per-tensor
scales); the KV cache, norms, attention and the residual stream stay bf16. RoPE and sampling are left out.
A step starts by copying a fixed input into the residual stream so replays see the same values.
"""

import torch
import torch.nn.functional as F

from .decode_ops import decode_step_ops
from .workloads import fp8_matmul, rmsnorm, silu_mul


class Shard:
    def __init__(self, layers, hidden, heads, kv_heads, head_dim, ffn, batch, ctx, precision):
        if precision not in ("bf16", "fp8"):
            raise ValueError("weights must be bf16 or fp8")
        self.dims = dict(layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim,
                         ffn=ffn, batch=batch, ctx=ctx, precision=precision)
        self.precision = precision
        self.batch, self.ctx, self.heads, self.kv, self.hd = batch, ctx, heads, kv_heads, head_dim
        self.q_dim, self.kv_dim = heads * head_dim, kv_heads * head_dim
        self.pos = ctx - 1  # the new token's slot: attention covers ctx tokens including it
        dev, bf = "cuda", torch.bfloat16
        shapes = {"qkv": (self.q_dim + 2 * self.kv_dim, hidden), "o": (hidden, self.q_dim),
                  "gate_up": (2 * ffn, hidden), "down": (hidden, ffn)}
        self.layers = []
        for _ in range(layers):
            lw = {}
            for name, (n, k) in shapes.items():
                if precision == "fp8":
                    lw[name] = torch.randn((n, k), device=dev, dtype=bf).to(torch.float8_e4m3fn)
                    lw[name + "_scale"] = torch.full((), k ** -0.5, device=dev, dtype=torch.float32)
                else:
                    lw[name] = torch.randn((n, k), device=dev, dtype=bf).mul_(k ** -0.5)
            lw["norm1"] = torch.ones(hidden, device=dev, dtype=bf)
            lw["norm2"] = torch.ones(hidden, device=dev, dtype=bf)
            lw["k_cache"] = torch.randn((batch, kv_heads, ctx, head_dim), device=dev, dtype=bf)
            lw["v_cache"] = torch.randn((batch, kv_heads, ctx, head_dim), device=dev, dtype=bf)
            self.layers.append(lw)
        self.one = torch.ones((), device=dev, dtype=torch.float32)
        self.x_in = torch.randn((batch, hidden), device=dev, dtype=bf)
        self.x = torch.empty_like(self.x_in)
        self.h = torch.empty_like(self.x_in)
        self.act = torch.empty((batch, ffn), device=dev, dtype=bf)

    def _linear(self, x, lw, name):
        if self.precision == "fp8":
            return fp8_matmul(x.to(torch.float8_e4m3fn), lw[name], self.one, lw[name + "_scale"])
        return torch.matmul(x, lw[name].t())

    def step(self):
        b = self.batch
        self.x.copy_(self.x_in)
        for lw in self.layers:
            rmsnorm(self.x, lw["norm1"], self.h)
            qkv = self._linear(self.h, lw, "qkv")
            q = qkv[:, : self.q_dim].view(b, self.heads, 1, self.hd)
            k = qkv[:, self.q_dim: self.q_dim + self.kv_dim].view(b, self.kv, self.hd)
            v = qkv[:, self.q_dim + self.kv_dim:].view(b, self.kv, self.hd)
            lw["k_cache"][:, :, self.pos].copy_(k)
            lw["v_cache"][:, :, self.pos].copy_(v)
            a = F.scaled_dot_product_attention(q, lw["k_cache"], lw["v_cache"], enable_gqa=self.heads != self.kv)
            self.x.add_(self._linear(a.reshape(b, self.q_dim), lw, "o"))
            rmsnorm(self.x, lw["norm2"], self.h)
            silu_mul(self._linear(self.h, lw, "gate_up"), self.act)
            self.x.add_(self._linear(self.act, lw, "down"))
        return self.x

    def ops(self):
        """The step's kernels as [(KernelConfig, count)] (decode_ops.decode_step_ops)."""
        d = self.dims
        return decode_step_ops(d["layers"], d["hidden"], d["heads"], d["kv_heads"], d["head_dim"], d["ffn"],
                               d["batch"], d["ctx"], d["precision"])
