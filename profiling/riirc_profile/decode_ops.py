"""The kernels of one decode step of a tensor-parallel shard, as sweep configurations with their counts.

This is the op list decode.Shard runs (and what its measurement covers), kept free of torch so that the
analytic totals and the kernel-sum comparison (compose.py) can be computed anywhere.
"""

from .configs import KernelConfig, linear


def decode_step_ops(layers, hidden, heads, kv_heads, head_dim, ffn, batch, ctx, precision):
    """[(KernelConfig, count)] for one step; weights in `precision` (bf16 or fp8), everything else bf16."""
    if precision not in ("bf16", "fp8"):
        raise ValueError("weights must be bf16 or fp8")
    q_dim, kv_dim = heads * head_dim, kv_heads * head_dim
    per_layer = [
        (KernelConfig("norm", "rmsnorm", "bf16", m=batch, n=hidden), 2),
        (linear(batch, hidden, q_dim + 2 * kv_dim, precision), 1),
        # The new token's K and V written into the cache.
        (KernelConfig("elementwise", "copy", "bf16", m=batch, n=kv_dim), 2),
        (KernelConfig("attention_decode", "sdpa", "bf16", batch=batch, ctx=ctx, heads=heads, kv_heads=kv_heads,
                      head_dim=head_dim, m=batch), 1),
        (linear(batch, q_dim, hidden, precision), 1),
        (KernelConfig("elementwise", "add", "bf16", m=batch, n=hidden), 2),
        (linear(batch, hidden, 2 * ffn, precision), 1),
        (KernelConfig("elementwise", "silu_mul", "bf16", m=batch, n=ffn), 1),
        (linear(batch, ffn, hidden, precision), 1),
    ]
    if precision == "fp8":
        # Each fp8 linear quantises its input first.
        for k in (hidden, q_dim, hidden, ffn):
            per_layer.append((KernelConfig("elementwise", "cast_fp8", "fp8", m=batch, n=k), 1))
    counts = {}
    for c, n in per_layer:
        counts[c] = counts.get(c, 0) + n * layers
    # The step's input copied into the residual stream once.
    x_copy = KernelConfig("elementwise", "copy", "bf16", m=batch, n=hidden)
    counts[x_copy] = counts.get(x_copy, 0) + 1
    return sorted(counts.items(), key=lambda cn: cn[0].id)


def totals_by_class(ops):
    """{kernel class: (bytes_hbm, flops, launches)} summed over a step's ops."""
    out = {}
    for c, n in ops:
        b, f = c.analytic()
        tb, tf, tn = out.get(c.kernel, (0, 0, 0))
        out[c.kernel] = (tb + n * b, tf + n * f, tn + n)
    return dict(sorted(out.items()))
