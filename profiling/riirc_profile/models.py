"""Shipped model shapes and their per-GPU projection shapes under tensor parallelism.

Tensor parallelism splits attention by heads and the FFN by its inner dimension (Megatron style): qkv and
gate_up are column-parallel (n divided by tp), o and down are row-parallel (k divided by tp). KV heads are
replicated when there are fewer of them than GPUs, so a GPU always holds at least one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    name: str
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    layers: int


# Dimensions from the models' published configs (config.json on their model cards).
MODELS = (
    Model("llama-3-8b", hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336, layers=32),
    Model("llama-3-70b", hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=28672, layers=80),
    Model("qwen2.5-72b", hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=29568, layers=80),
    # Mixtral's FFN is per expert (8 experts, top-2); a GPU runs each expert's projections with its tokens.
    Model("mixtral-8x7b", hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336, layers=32),
)

TP_DEGREES = (1, 2, 4, 8)


def model(name):
    for m in MODELS:
        if m.name == name:
            return m
    raise KeyError(f"unknown model {name!r}; known: {', '.join(m.name for m in MODELS)}")


def heads_per_gpu(m, tp):
    """(query heads, kv heads) one GPU holds at tensor parallelism `tp`."""
    if m.heads % tp != 0:
        raise ValueError(f"{m.name}: {m.heads} heads do not split over tp={tp}")
    return m.heads // tp, max(1, m.kv_heads // tp)


def projections(m, tp):
    """The four projections of one layer on one GPU, as {name: (k, n)} for y[m×n] = x[m×k]·W[k×n]."""
    if m.ffn % tp != 0:
        raise ValueError(f"{m.name}: ffn {m.ffn} does not split over tp={tp}")
    q_heads, kv_heads = heads_per_gpu(m, tp)
    return {
        "qkv": (m.hidden, (q_heads + 2 * kv_heads) * m.head_dim),
        "o": (q_heads * m.head_dim, m.hidden),
        "gate_up": (m.hidden, 2 * m.ffn // tp),
        "down": (m.ffn // tp, m.hidden),
    }
