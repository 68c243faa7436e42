"""Analytic HBM bytes and FLOPs of each measured kernel: the x-axis of the energy and latency model.

Bytes count every operand read once and every result written once from/to HBM (the harness rotates inputs
over enough copies that they do not stay in L2, see measure.py). FLOPs count a multiply-add as 2.

- linear / gemm, y[m×n] = x[m×k]·W[k×n]: flops 2·m·n·k; bytes m·k·a + k·n·w + m·n·o, where a, w are the
  operand element sizes (2 for fp16/bf16, 1 for fp8 e4m3) and o the output's (2: fp8 products are written
  in bf16, as torch._scaled_mm does here).
- attention_decode (one query token per sequence over a KV cache of ctx tokens): flops 4·batch·heads·ctx·d
  (q·Kᵀ and p·V); bytes 2·batch·kv_heads·ctx·d·e (K and V read) + 2·batch·heads·d·e (q read, out written).
- norm (RMSNorm over rows×cols): bytes 2·rows·cols·e + cols·e (x read, y written, gamma read); flops 4·rows·cols.
- elementwise: silu_mul reads gate and up (2·rows·cols) and writes rows·cols, 5 flops per output; add reads
  two and writes one, 1 flop per output; cast_fp8 reads bf16 and writes fp8, 1 flop per element; copy (device
  to device) reads and writes each element once, no flops.
"""

ELEM_BYTES = {"fp16": 2, "bf16": 2, "fp8": 1}
# Where a kernel consumes fp8 it still produces 16-bit results.
OUT_BYTES = {"fp16": 2, "bf16": 2, "fp8": 2}


def elem_bytes(precision):
    try:
        return ELEM_BYTES[precision]
    except KeyError:
        raise ValueError(f"unknown precision {precision!r}; expected one of fp16, bf16, fp8") from None


def matmul(m, n, k, precision):
    """(bytes_hbm, flops) of y[m×n] = x[m×k]·W[k×n]."""
    e = elem_bytes(precision)
    return m * k * e + k * n * e + m * n * OUT_BYTES[precision], 2 * m * n * k


def attention_decode(batch, ctx, heads, kv_heads, head_dim, precision):
    """(bytes_hbm, flops) of one decode step of attention over a KV cache of ctx tokens."""
    if heads % kv_heads != 0:
        raise ValueError(f"heads {heads} is not a multiple of kv_heads {kv_heads}")
    e = elem_bytes(precision)
    kv = 2 * batch * kv_heads * ctx * head_dim * e
    q_out = 2 * batch * heads * head_dim * e
    return kv + q_out, 4 * batch * heads * ctx * head_dim


def rmsnorm(rows, cols, precision):
    e = elem_bytes(precision)
    return 2 * rows * cols * e + cols * e, 4 * rows * cols


def elementwise(op, rows, cols, precision):
    e = elem_bytes(precision)
    if op == "silu_mul":
        return 3 * rows * cols * e, 5 * rows * cols
    if op == "add":
        return 3 * rows * cols * e, rows * cols
    if op == "cast_fp8":
        # Reads 16-bit activations, writes fp8: the quantisation in front of every fp8 linear.
        return rows * cols * (2 + 1), rows * cols
    if op == "copy":
        return 2 * rows * cols * e, 0
    raise ValueError(f"unknown elementwise op {op!r}")


def of_config(c):
    """(bytes_hbm, flops) of a KernelConfig."""
    if c.kernel in ("linear", "gemm"):
        return matmul(c.m, c.n, c.k, c.precision)
    if c.kernel == "attention_decode":
        return attention_decode(c.batch, c.ctx, c.heads, c.kv_heads, c.head_dim, c.precision)
    if c.kernel == "norm":
        return rmsnorm(c.m, c.n, c.precision)
    if c.kernel == "elementwise":
        return elementwise(c.op, c.m, c.n, c.precision)
    raise ValueError(f"unknown kernel class {c.kernel!r}")
