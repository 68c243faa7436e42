"""The committed H100 data agrees with the harness that produced it: every config measured twice, the analytic
columns equal to today's formulas, values in range, and the decode-step measurement complete."""

import json
import math
import os
import unittest

import _path
from riirc_profile.configs import all_configs
from riirc_profile.decode_ops import decode_step_ops, totals_by_class
from riirc_profile.trace import read_rows

TRACE = os.path.join(_path.REPO, "examples", "traces", "h100", "trace.csv")
KERNELS = os.path.join(_path.REPO, "examples", "traces", "h100", "raw", "kernels.jsonl")
DECODE = os.path.join(_path.REPO, "examples", "measurements", "llama-3-70b-tp8-decode-step.json")
# The kernel classes energy-model/src/kinds.rs accepts.
ENERGY_MODEL_CLASSES = {"linear", "gemm", "attention_decode", "attention_prefill", "norm", "elementwise", "softmax",
                        "embedding", "allreduce"}


class Trace(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rows = read_rows(TRACE)
        cls.configs = {c.id: c for c in all_configs()}

    def test_every_config_is_measured_exactly_twice(self):
        seen = {}
        for r in self.rows:
            seen.setdefault(r["config"], []).append(int(r["repeat"]))
        self.assertEqual(set(seen), set(self.configs))
        for cid, reps in seen.items():
            self.assertEqual(sorted(reps), [1, 2], cid)

    def test_shape_and_analytic_columns_match_the_harness(self):
        for r in self.rows:
            c = self.configs[r["config"]]
            self.assertEqual((r["kernel"], r["precision"]), (c.kernel, c.precision))
            self.assertEqual((int(r["bytes_hbm"]), int(r["flops"])), c.analytic(), c.id)
            for col in ("m", "n", "k", "batch", "ctx", "heads", "kv_heads", "head_dim"):
                self.assertEqual(int(r[col]), getattr(c, col), (c.id, col))

    def test_values_are_in_range_and_consistent(self):
        for r in self.rows:
            cid = r["config"]
            self.assertIn(r["kernel"], ENERGY_MODEL_CLASSES)
            joules, lat, power = float(r["joules"]), float(r["latency_us"]), float(r["power_w"])
            for v in (joules, lat, power, float(r["sm_mhz"])):
                self.assertTrue(math.isfinite(v) and v > 0, cid)
            self.assertLessEqual(float(r["sm_mhz"]), 1980.0, cid)
            self.assertGreater(power, 100.0, cid)  # above idle-ish, below the board limit plus overshoot
            self.assertLess(power, 800.0, cid)
            self.assertEqual(float(r["link_active_us"]), 0.0)
            self.assertGreaterEqual(float(r["window_s"]), 1.0, cid)
            self.assertGreater(int(r["iters"]), 0, cid)
            # joules per invocation = window power × seconds per invocation
            self.assertAlmostEqual(joules, power * lat * 1e-6, delta=joules * 1e-9)


class KernelInventory(unittest.TestCase):
    def test_every_config_has_its_kernels_listed(self):
        with open(KERNELS, encoding="utf-8") as f:
            recs = {r["config"]: r for r in map(json.loads, f)}
        for cid in (c.id for c in all_configs()):
            self.assertIn(cid, recs)
            self.assertNotIn("error", recs[cid], cid)
            self.assertEqual(recs[cid]["kernels"], sum(recs[cid]["names"].values()), cid)
            self.assertGreaterEqual(recs[cid]["kernels"], 1, cid)


class DecodeStep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DECODE, encoding="utf-8") as f:
            cls.doc = json.load(f)

    def test_shape_is_the_llama_3_70b_tp8_shard(self):
        self.assertEqual(self.doc["shape"], dict(layers=80, hidden=8192, heads=8, kv_heads=1, head_dim=128,
                                                 ffn=3584, batch=64, ctx=4096))
        self.assertEqual(self.doc["kv_cache"], "bf16")

    def test_both_precisions_measured_over_several_windows(self):
        s = self.doc["shape"]
        for prec in ("bf16", "fp8"):
            p = self.doc["precisions"][prec]
            self.assertGreaterEqual(p["windows"], 4)
            self.assertTrue(p["output_finite"])
            lo, hi = p["joules_range"]
            self.assertTrue(0 < lo <= p["joules_mean"] <= hi)
            lo, hi = p["latency_ms_range"]
            self.assertTrue(0 < lo <= p["latency_ms_mean"] <= hi)
            ops = decode_step_ops(s["layers"], s["hidden"], s["heads"], s["kv_heads"], s["head_dim"], s["ffn"],
                                  s["batch"], s["ctx"], prec)
            want = {k: {"bytes_hbm": b, "flops": f, "launches": n} for k, (b, f, n) in totals_by_class(ops).items()}
            self.assertEqual(p["analytic_by_kernel"], want)
        for run in self.doc["runs"]:
            for prec, r in run["runs"].items():
                for w in r["repeats"]:
                    self.assertGreaterEqual(w["window_s"], 3.0)


if __name__ == "__main__":
    unittest.main()
