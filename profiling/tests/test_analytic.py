"""Analytic bytes and FLOPs, and the per-GPU projection shapes they are applied to."""

import unittest

import _path  # noqa: F401
from riirc_profile import analytic
from riirc_profile.configs import KernelConfig, linear
from riirc_profile.models import heads_per_gpu, model, projections


class Projections(unittest.TestCase):
    def test_llama_3_70b_tp8_matches_hand_computed_shapes(self):
        p = projections(model("llama-3-70b"), 8)
        # qkv: (64 + 2·8)·128 / 8 = 1280 columns; gate_up: 2·28672/8; down: 28672/8 rows.
        self.assertEqual(p, {"qkv": (8192, 1280), "o": (1024, 8192), "gate_up": (8192, 7168), "down": (3584, 8192)})

    def test_kv_heads_are_replicated_not_split_below_one(self):
        self.assertEqual(heads_per_gpu(model("llama-3-8b"), 8), (4, 1))
        self.assertEqual(heads_per_gpu(model("llama-3-8b"), 2), (16, 4))

    def test_tp1_is_the_whole_model(self):
        p = projections(model("qwen2.5-72b"), 1)
        self.assertEqual(p["qkv"], (8192, (64 + 16) * 128))
        self.assertEqual(p["down"], (29568, 8192))

    def test_unknown_model_and_bad_split_are_errors(self):
        with self.assertRaises(KeyError):
            model("gpt-5")
        with self.assertRaises(ValueError):
            projections(model("llama-3-8b"), 3)


class Formulas(unittest.TestCase):
    def test_matmul_bf16(self):
        b, f = analytic.matmul(64, 1280, 8192, "bf16")
        self.assertEqual(f, 2 * 64 * 1280 * 8192)
        self.assertEqual(b, (64 * 8192 + 8192 * 1280 + 64 * 1280) * 2)

    def test_matmul_fp8_reads_one_byte_operands_and_writes_bf16(self):
        b, f = analytic.matmul(64, 1280, 8192, "fp8")
        self.assertEqual(b, 64 * 8192 + 8192 * 1280 + 64 * 1280 * 2)
        self.assertEqual(f, analytic.matmul(64, 1280, 8192, "bf16")[1])

    def test_attention_decode(self):
        b, f = analytic.attention_decode(64, 4096, 8, 1, 128, "bf16")
        self.assertEqual(f, 4 * 64 * 8 * 4096 * 128)
        self.assertEqual(b, 2 * 64 * 1 * 4096 * 128 * 2 + 2 * 64 * 8 * 128 * 2)

    def test_gqa_ratio_must_divide(self):
        with self.assertRaises(ValueError):
            analytic.attention_decode(1, 512, 8, 3, 128, "bf16")

    def test_norm_and_elementwise(self):
        self.assertEqual(analytic.rmsnorm(64, 8192, "bf16"), (2 * 64 * 8192 * 2 + 8192 * 2, 4 * 64 * 8192))
        self.assertEqual(analytic.elementwise("silu_mul", 64, 3584, "bf16"), (3 * 64 * 3584 * 2, 5 * 64 * 3584))
        self.assertEqual(analytic.elementwise("add", 1, 8192, "fp16"), (3 * 8192 * 2, 8192))
        self.assertEqual(analytic.elementwise("cast_fp8", 64, 1024, "fp8"), (64 * 1024 * 3, 64 * 1024))
        self.assertEqual(analytic.elementwise("copy", 8, 1024, "fp8"), (2 * 8 * 1024, 0))

    def test_unknown_names_are_errors(self):
        with self.assertRaises(ValueError):
            analytic.matmul(1, 16, 16, "fp4")
        with self.assertRaises(ValueError):
            analytic.elementwise("gelu", 1, 16, "bf16")
        with self.assertRaises(ValueError):
            analytic.of_config(KernelConfig("softmax", "x", "bf16", m=1, n=16))

    def test_of_config_dispatches_by_class(self):
        self.assertEqual(linear(64, 8192, 1280, "fp8").analytic(), analytic.matmul(64, 1280, 8192, "fp8"))
        att = KernelConfig("attention_decode", "sdpa", "fp16", batch=2, ctx=512, heads=32, kv_heads=8, head_dim=128)
        self.assertEqual(att.analytic(), analytic.attention_decode(2, 512, 32, 8, 128, "fp16"))


if __name__ == "__main__":
    unittest.main()
