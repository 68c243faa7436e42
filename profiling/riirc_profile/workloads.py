"""GPU workloads for each kernel class: inputs on the device and a function that launches one invocation.

Inputs are rotated over enough copies that one pass over them is at least ROTATE_BYTES (four times the H100's
50 MB L2), so a kernel reads its operands from HBM as it does in a real decode step, where every layer has its
own weights and KV cache; the analytic byte counts assume exactly that. Values are random normal, never zeros
(a matrix product on zeros runs faster than on real data).

Ops and the code that runs them:
- linear/gemm bf16/fp16: torch.matmul(x, W.t()) with W stored [n, k] as nn.Linear stores it (cuBLAS).
- linear/gemm fp8: torch._scaled_mm(x_e4m3 [m, k] row-major, W_e4m3.t() [k, n] column-major, per-tensor
  scales, bf16 output) (cuBLASLt).
- attention_decode: F.scaled_dot_product_attention, q [b, h, 1, d] over K, V [b, kv, ctx, d], enable_gqa.
- norm: RMSNorm, one fused Triton kernel (a row per program).
- elementwise: silu_mul (SwiGLU's silu(gate)·up, fused Triton), add (torch.add), cast_fp8 (Tensor.to),
  copy (Tensor.copy_ between two device buffers).
"""

import math

import torch
import torch.nn.functional as F
import triton
import triton.language as tl

ROTATE_BYTES = 200 << 20
MAX_COPIES = 256

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp8": torch.float8_e4m3fn}


@triton.jit
def _rmsnorm_kernel(x_ptr, w_ptr, y_ptr, n_cols, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * n_cols + cols, mask=mask, other=0.0).to(tl.float32)
    r = tl.rsqrt(tl.sum(x * x, axis=0) / n_cols + eps)
    w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(tl.float32)
    tl.store(y_ptr + row * n_cols + cols, (x * r * w).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def _silu_mul_kernel(gu_ptr, y_ptr, f, total, BLOCK: tl.constexpr):
    offs = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < total
    row = offs // f
    col = offs % f
    g = tl.load(gu_ptr + row * 2 * f + col, mask=mask, other=0.0).to(tl.float32)
    u = tl.load(gu_ptr + row * 2 * f + f + col, mask=mask, other=0.0).to(tl.float32)
    tl.store(y_ptr + offs, (g / (1.0 + tl.exp(-g)) * u).to(y_ptr.dtype.element_ty), mask=mask)


def rmsnorm(x, w, out, eps=1e-5):
    rows, cols = x.shape
    block = triton.next_power_of_2(cols)
    _rmsnorm_kernel[(rows,)](x, w, out, cols, eps, BLOCK=block, num_warps=min(16, max(4, block // 1024)))
    return out


def silu_mul(gu, out):
    rows, two_f = gu.shape
    f = two_f // 2
    total = rows * f
    block = 1024
    _silu_mul_kernel[(triton.cdiv(total, block),)](gu, out, f, total, BLOCK=block, num_warps=4)
    return out


def fp8_matmul(x8, w8, scale_a, scale_b):
    """y = x8 · w8ᵀ for x8 [m, k] and w8 [n, k] in e4m3, bf16 out."""
    return torch._scaled_mm(x8, w8.t(), scale_a=scale_a, scale_b=scale_b, out_dtype=torch.bfloat16)


def randn(shape, precision, scale=1.0, device="cuda"):
    t = torch.randn(shape, device=device, dtype=torch.bfloat16 if precision == "fp8" else DTYPES[precision])
    if scale != 1.0:
        t.mul_(scale)
    return t.to(DTYPES[precision]) if precision == "fp8" else t


def copies_for(bytes_per_copy):
    return max(1, min(MAX_COPIES, math.ceil(ROTATE_BYTES / max(1, bytes_per_copy))))


class Workload:
    """copies: how many input sets; launch(i): enqueues one invocation on input set i."""

    def __init__(self, copies, launch, check=None):
        self.copies = copies
        self.launch = launch
        self.check = check


def build(c):
    if c.kernel in ("linear", "gemm"):
        return _matmul(c)
    if c.kernel == "attention_decode":
        return _attention(c)
    if c.kernel == "norm":
        return _norm(c)
    if c.kernel == "elementwise" and c.op == "copy":
        return _copy(c)
    if c.kernel == "elementwise":
        return _elementwise(c)
    raise ValueError(f"no workload for kernel class {c.kernel!r}")


def _matmul(c):
    bytes_hbm, _ = c.analytic()
    n_copies = copies_for(bytes_hbm)
    xs = [randn((c.m, c.k), c.precision) for _ in range(n_copies)]
    ws = [randn((c.n, c.k), c.precision, scale=1.0 if c.precision == "fp8" else c.k ** -0.5)
          for _ in range(n_copies)]
    if c.precision == "fp8":
        sa = torch.ones((), device="cuda", dtype=torch.float32)
        sb = torch.full((), c.k ** -0.5, device="cuda", dtype=torch.float32)
        launch = lambda i: fp8_matmul(xs[i], ws[i], sa, sb)  # noqa: E731
    else:
        launch = lambda i: torch.matmul(xs[i], ws[i].t())  # noqa: E731

    def check():
        y = launch(0).float()
        ref = xs[0].float() @ ws[0].float().t()
        if c.precision == "fp8":
            ref = ref * c.k ** -0.5
        return rel_err(y, ref)
    return Workload(n_copies, launch, check)


def _attention(c):
    bytes_hbm, _ = c.analytic()
    n_copies = copies_for(bytes_hbm)
    dt = DTYPES[c.precision]
    qs = [torch.randn((c.batch, c.heads, 1, c.head_dim), device="cuda", dtype=dt) for _ in range(n_copies)]
    ks = [torch.randn((c.batch, c.kv_heads, c.ctx, c.head_dim), device="cuda", dtype=dt) for _ in range(n_copies)]
    vs = [torch.randn((c.batch, c.kv_heads, c.ctx, c.head_dim), device="cuda", dtype=dt) for _ in range(n_copies)]
    gqa = c.heads != c.kv_heads
    launch = lambda i: F.scaled_dot_product_attention(qs[i], ks[i], vs[i], enable_gqa=gqa)  # noqa: E731

    def check():
        y = launch(0).float()
        rep = c.heads // c.kv_heads
        k = ks[0].float().repeat_interleave(rep, dim=1)
        v = vs[0].float().repeat_interleave(rep, dim=1)
        p = torch.softmax(qs[0].float() @ k.transpose(-1, -2) / math.sqrt(c.head_dim), dim=-1)
        return rel_err(y, p @ v)
    return Workload(n_copies, launch, check)


def _norm(c):
    bytes_hbm, _ = c.analytic()
    n_copies = copies_for(bytes_hbm)
    dt = DTYPES[c.precision]
    xs = [torch.randn((c.m, c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
    w = torch.randn((c.n,), device="cuda", dtype=dt)
    outs = [torch.empty_like(x) for x in xs]
    launch = lambda i: rmsnorm(xs[i], w, outs[i])  # noqa: E731

    def check():
        x = xs[0].float()
        ref = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w.float()
        return rel_err(launch(0).float(), ref)
    return Workload(n_copies, launch, check)


def _elementwise(c):
    bytes_hbm, _ = c.analytic()
    n_copies = copies_for(bytes_hbm)
    if c.op == "silu_mul":
        dt = DTYPES[c.precision]
        gus = [torch.randn((c.m, 2 * c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
        outs = [torch.empty((c.m, c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
        launch = lambda i: silu_mul(gus[i], outs[i])  # noqa: E731

        def check():
            g, u = gus[0].float()[:, : c.n], gus[0].float()[:, c.n:]
            return rel_err(launch(0).float(), F.silu(g) * u)
    elif c.op == "add":
        dt = DTYPES[c.precision]
        a = [torch.randn((c.m, c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
        b = [torch.randn((c.m, c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
        outs = [torch.empty_like(x) for x in a]
        launch = lambda i: torch.add(a[i], b[i], out=outs[i])  # noqa: E731

        def check():
            return rel_err(launch(0).float(), a[0].float() + b[0].float())
    elif c.op == "cast_fp8":
        xs = [torch.randn((c.m, c.n), device="cuda", dtype=torch.bfloat16) for _ in range(n_copies)]
        launch = lambda i: xs[i].to(torch.float8_e4m3fn)  # noqa: E731

        def check():
            return rel_err(launch(0).float(), xs[0].float())
    else:
        raise ValueError(f"unknown elementwise op {c.op!r}")
    return Workload(n_copies, launch, check)


def _copy(c):
    bytes_hbm, _ = c.analytic()
    n_copies = copies_for(bytes_hbm // 2)
    dt = torch.uint8 if c.precision == "fp8" else DTYPES[c.precision]
    if dt == torch.uint8:
        srcs = [torch.randint(0, 255, (c.m, c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
    else:
        srcs = [torch.randn((c.m, c.n), device="cuda", dtype=dt) for _ in range(n_copies)]
    dsts = [torch.empty_like(s) for s in srcs]
    launch = lambda i: dsts[i].copy_(srcs[i])  # noqa: E731

    def check():
        launch(0)
        return 0.0 if torch.equal(dsts[0], srcs[0]) else 1.0
    return Workload(n_copies, launch, check)


def rel_err(y, ref):
    y, ref = y.float(), ref.float()
    if not torch.isfinite(y).all():
        return math.inf
    return (torch.linalg.vector_norm(y - ref) / torch.linalg.vector_norm(ref)).item()
