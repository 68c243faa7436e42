"""The sweep's configuration set: size, coverage, stable ids, and the per-repeat order."""

import unittest

import _path  # noqa: F401
from riirc_profile.configs import all_configs, select, sweep_order
from riirc_profile.models import MODELS, TP_DEGREES, projections


class Configs(unittest.TestCase):
    def setUp(self):
        self.configs = all_configs()

    def test_at_least_150_distinct_configs(self):
        ids = [c.id for c in self.configs]
        self.assertGreaterEqual(len(set(ids)), 150)
        self.assertEqual(len(ids), len(set(ids)), "ids must be unique")
        self.assertEqual(len(set(self.configs)), len(self.configs), "distinct ids must mean distinct configs")

    def test_ids_are_stable(self):
        ids = {c.id for c in self.configs}
        for expected in ("linear.matmul.bf16.m64.n1280.k8192", "linear.scaled_mm.fp8.m1.n7168.k8192",
                         "attention_decode.sdpa.bf16.b64.ctx4096.h8.kv1.d128", "norm.rmsnorm.bf16.r64.c8192",
                         "elementwise.silu_mul.bf16.r64.c3584", "elementwise.copy.bf16.r512.c1024",
                         "gemm.scaled_mm.fp8.m8192.n8192.k8192"):
            self.assertIn(expected, ids)

    def test_every_class_and_precision_is_covered(self):
        self.assertEqual({c.kernel for c in self.configs},
                         {"linear", "attention_decode", "gemm", "norm", "elementwise"})
        self.assertEqual({c.precision for c in self.configs}, {"bf16", "fp16", "fp8"})
        for kernel in ("linear", "gemm"):
            self.assertEqual({c.precision for c in self.configs if c.kernel == kernel}, {"bf16", "fp16", "fp8"})
        self.assertEqual({(c.heads // c.kv_heads) for c in self.configs if c.kernel == "attention_decode"},
                         {1, 4, 8})

    def test_every_projection_shape_of_the_shipped_models_is_measured(self):
        measured = {(c.k, c.n) for c in self.configs if c.kernel == "linear"}
        for m in MODELS:
            for tp in TP_DEGREES:
                for name, kn in projections(m, tp).items():
                    self.assertIn(kn, measured, f"{m.name} tp{tp} {name}")

    def test_decode_batches_span_1_to_256(self):
        batches = {c.m for c in self.configs if c.kernel == "linear"}
        self.assertTrue({1, 8, 32, 64, 128, 256} <= batches)

    def test_fp8_matmuls_meet_scaled_mm_alignment(self):
        # torch._scaled_mm needs k and n to be multiples of 16.
        for c in self.configs:
            if c.precision == "fp8" and c.kernel in ("linear", "gemm"):
                self.assertEqual(c.k % 16, 0, c.id)
                self.assertEqual(c.n % 16, 0, c.id)
                self.assertEqual(c.op, "scaled_mm")

    def test_sweep_order_is_a_deterministic_permutation_per_repeat(self):
        a1, a2, b = sweep_order(self.configs, 1), sweep_order(self.configs, 1), sweep_order(self.configs, 2)
        self.assertEqual(a1, a2)
        self.assertNotEqual(a1, b)
        self.assertEqual(sorted(c.id for c in a1), sorted(c.id for c in self.configs))

    def test_select(self):
        self.assertEqual(select(self.configs, []), self.configs)
        picked = select(self.configs, ["norm.", "h8.kv1"])
        self.assertTrue(picked)
        self.assertTrue(all(c.kernel == "norm" or "h8.kv1" in c.id for c in picked))


if __name__ == "__main__":
    unittest.main()
