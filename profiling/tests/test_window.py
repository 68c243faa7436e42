"""Energy-window alignment against a fake NVML counter that updates every 100 ms."""

import math
import unittest

import _path  # noqa: F401
from riirc_profile.window import CounterStuck, EdgeWindow, median, steady_rate


class FakeCounter:
    """Total energy in mJ of a constant `power_w` load, published only at updates every `period_s`."""

    def __init__(self, power_w, period_s=0.1, phase_s=0.037):
        self.power_w, self.period_s, self.phase_s = power_w, period_s, phase_s

    def last_update(self, t):
        if t < self.phase_s:
            return None
        return self.phase_s + math.floor((t - self.phase_s) / self.period_s) * self.period_s

    def __call__(self, t):
        u = self.last_update(t)
        return 0 if u is None else math.floor(self.power_w * u * 1000.0)


def run(counter, poll_s, settle_s=0.25, window_s=1.0, start=0.0):
    w = EdgeWindow(start, settle_s, window_s, timeout_s=10.0)
    t = start
    while not w.feed(t, counter(t)):
        t += poll_s
    return w


class Alignment(unittest.TestCase):
    def test_recovers_constant_power_within_the_polling_error(self):
        for power in (117.0, 450.0, 700.0):
            for poll in (0.0005, 0.0034):
                w = run(FakeCounter(power), poll)
                # Each edge is placed within half a poll of the true update: relative error ≤ poll/window,
                # plus one millijoule of counter resolution.
                bound = poll / w.length_s() + 1e-3 / (power * w.length_s())
                self.assertLessEqual(abs(w.power_w() - power) / power, bound, (power, poll))

    def test_edges_sit_on_counter_updates(self):
        c, poll = FakeCounter(300.0), 0.002
        w = run(c, poll)
        for t_edge in (w.t0, w.t1):
            u = c.last_update(t_edge + poll)
            self.assertLessEqual(abs(t_edge - u), poll / 2 + 1e-12)

    def test_window_respects_settle_and_minimum_length(self):
        w = run(FakeCounter(300.0), 0.001, settle_s=0.25, window_s=1.0)
        self.assertGreaterEqual(w.t0, 0.25)
        self.assertGreaterEqual(w.length_s(), 1.0)
        # It closes on the first update after the minimum: no more than one period plus a poll longer.
        self.assertLess(w.length_s(), 1.0 + 0.1 + 0.002)
        self.assertGreaterEqual(w.edges, 12)

    def test_no_edge_is_taken_from_the_first_sample(self):
        # A counter already mid-period at the start: the first sample is not a change.
        w = EdgeWindow(5.0, 0.0, 0.5, timeout_s=3.0)
        self.assertFalse(w.feed(5.0, 1000))
        self.assertFalse(w.opened)
        self.assertFalse(w.feed(5.01, 1100))
        self.assertTrue(w.opened)
        self.assertAlmostEqual(w.t0, 5.005)

    def test_stuck_counter_times_out(self):
        w = EdgeWindow(0.0, 0.0, 1.0, timeout_s=2.0)
        with self.assertRaises(CounterStuck):
            t = 0.0
            while True:
                w.feed(t, 42)
                t += 0.01

    def test_counter_going_backwards_is_an_error(self):
        w = EdgeWindow(0.0, 0.0, 1.0, timeout_s=2.0)
        w.feed(0.0, 100)
        with self.assertRaises(CounterStuck):
            w.feed(0.01, 50)

    def test_window_must_be_positive(self):
        with self.assertRaises(ValueError):
            EdgeWindow(0.0, 0.0, 0.0, timeout_s=1.0)


class SteadyRate(unittest.TestCase):
    def test_uses_first_and_last_marks_inside_the_window(self):
        # (host time seen, GPU time s, invocations done): 10 µs per invocation, 1000 per mark.
        marks = [(0.01 * i, 0.01 * i, 1000 * i) for i in range(1, 200)]
        sec, n = steady_rate(marks, 0.5, 1.5)
        self.assertAlmostEqual(sec, 1e-5)
        self.assertEqual(n, 100 * 1000)

    def test_needs_two_marks(self):
        with self.assertRaises(ValueError):
            steady_rate([(0.1, 0.1, 10), (2.0, 2.0, 200)], 0.5, 1.5)

    def test_marks_must_advance(self):
        with self.assertRaises(ValueError):
            steady_rate([(0.6, 0.6, 10), (0.7, 0.7, 10)], 0.5, 1.5)

    def test_median(self):
        self.assertEqual(median([3, 1, 2]), 2.0)
        self.assertEqual(median([4, 1, 2, 3]), 2.5)
        with self.assertRaises(ValueError):
            median([])


if __name__ == "__main__":
    unittest.main()
