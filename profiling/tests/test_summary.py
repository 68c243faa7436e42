"""Run-to-run spread: the noise floor reported with a trace."""

import unittest

import _path  # noqa: F401
from riirc_profile.summary import pair_spread, percentile, report, spreads


def r(config, repeat, joules, latency, kernel="linear"):
    return {"config": config, "repeat": str(repeat), "joules": str(joules), "latency_us": str(latency),
            "kernel": kernel}


class Spread(unittest.TestCase):
    def test_pair_spread_is_relative_to_the_mean(self):
        self.assertAlmostEqual(pair_spread(99.0, 101.0), 0.02)
        self.assertEqual(pair_spread(5.0, 5.0), 0.0)
        with self.assertRaises(ValueError):
            pair_spread(0.0, 0.0)

    def test_percentile_interpolates(self):
        xs = [1.0, 2.0, 3.0, 4.0, 5.0]
        self.assertEqual(percentile(xs, 50), 3.0)
        self.assertEqual(percentile(xs, 0), 1.0)
        self.assertEqual(percentile(xs, 100), 5.0)
        self.assertAlmostEqual(percentile(xs, 90), 4.6)
        with self.assertRaises(ValueError):
            percentile([], 50)

    def test_spreads_use_configs_with_both_repeats(self):
        rows = [r("a", 1, 1.0, 10.0), r("a", 2, 1.1, 10.0), r("b", 1, 2.0, 5.0)]
        sp = spreads(rows, "joules")
        self.assertEqual(list(sp), ["a"])
        self.assertAlmostEqual(sp["a"], 0.1 / 1.05)

    def test_report_counts_and_splits_by_class(self):
        rows = [r("a", 1, 1.0, 10.0), r("a", 2, 1.0, 11.0), r("n", 1, 3.0, 1.0, "norm"), r("n", 2, 3.0, 1.0, "norm")]
        text = "\n".join(report(rows))
        self.assertIn("4 measurements of 2 configs", text)
        self.assertIn("norm", text)
        self.assertIn("latency_us: run-to-run spread over 2 configs", text)


if __name__ == "__main__":
    unittest.main()
