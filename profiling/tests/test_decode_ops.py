"""The decode step's op list and the kernel-sum comparison built on it."""

import unittest

import _path  # noqa: F401
from compose import compose
from riirc_profile import analytic
from riirc_profile.decode_ops import decode_step_ops, totals_by_class

SHARD = dict(layers=80, hidden=8192, heads=8, kv_heads=1, head_dim=128, ffn=3584, batch=64, ctx=4096)


class DecodeOps(unittest.TestCase):
    def test_launch_counts_of_the_llama_3_70b_tp8_shard(self):
        t = totals_by_class(decode_step_ops(**SHARD, precision="bf16"))
        # Per layer: 4 linears, 1 attention, 2 norms, 2 KV copies + 2 adds + 1 silu_mul; plus the input copy.
        self.assertEqual(t["linear"][2], 320)
        self.assertEqual(t["attention_decode"][2], 80)
        self.assertEqual(t["norm"][2], 160)
        self.assertEqual(t["elementwise"][2], 5 * 80 + 1)
        fp8 = totals_by_class(decode_step_ops(**SHARD, precision="fp8"))
        self.assertEqual(fp8["elementwise"][2], 9 * 80 + 1, "fp8 adds one cast per linear")

    def test_weight_bytes_halve_in_fp8_and_flops_do_not_change(self):
        bf = totals_by_class(decode_step_ops(**SHARD, precision="bf16"))["linear"]
        f8 = totals_by_class(decode_step_ops(**SHARD, precision="fp8"))["linear"]
        weights = 80 * (8192 * 1280 + 1024 * 8192 + 8192 * 7168 + 3584 * 8192)
        self.assertEqual(bf[0] - f8[0], weights + 80 * 64 * (8192 + 1024 + 8192 + 3584))
        self.assertEqual(bf[1], f8[1])

    def test_attention_bytes_are_the_kv_cache(self):
        att = totals_by_class(decode_step_ops(**SHARD, precision="bf16"))["attention_decode"]
        self.assertEqual(att[0], 80 * analytic.attention_decode(64, 4096, 8, 1, 128, "bf16")[0])

    def test_only_bf16_and_fp8_weights(self):
        with self.assertRaises(ValueError):
            decode_step_ops(**SHARD, precision="fp16")


class Compose(unittest.TestCase):
    def test_sums_means_times_counts_and_lists_missing_ops(self):
        ops = decode_step_ops(**dict(SHARD, layers=2), precision="bf16")
        rows = []
        for c, _ in ops[1:]:
            rows += [{"config": c.id, "latency_us": "10.0", "joules": "0.001"},
                     {"config": c.id, "latency_us": "12.0", "joules": "0.003"}]
        lat, joules, missing = compose(rows, ops)
        present = sum(n for _, n in ops[1:])
        self.assertAlmostEqual(lat, 11.0 * present)
        self.assertAlmostEqual(joules, 0.002 * present)
        self.assertEqual(missing, [(ops[0][0].id, ops[0][1])])


if __name__ == "__main__":
    unittest.main()
