"""Energy windows aligned to the updates of NVML's total-energy counter.

NVML's counter (millijoules since the driver loaded) only changes when the driver refreshes it (about every
100 ms on an H100), so a reading taken at an arbitrary time is stale by up to one refresh period. A window that
starts and ends on a refresh has no such error: the harness keeps the GPU busy, polls the counter, and opens
the window on the first change it sees after the settle time and closes it on the first change after the
minimum length. The change happened between the previous poll and this one; its time is taken as the midpoint,
so the timing error is at most half a polling interval at each end.
"""


class CounterStuck(RuntimeError):
    pass


class EdgeWindow:
    """A state machine fed (host time s, counter mJ) samples in time order.

    `feed` returns True once the window is closed; then `t0, e0, t1, e1` hold the edges (seconds, mJ).
    """

    def __init__(self, start_s, settle_s, min_window_s, timeout_s):
        if min_window_s <= 0:
            raise ValueError("min_window_s must be positive")
        self.start_s = start_s
        self.settle_s = settle_s
        self.min_window_s = min_window_s
        self.timeout_s = timeout_s
        self._prev = None  # (t, e) of the previous sample
        self.t0 = self.e0 = self.t1 = self.e1 = None
        self.edges = 0  # counter changes seen, for the refresh-period estimate

    @property
    def done(self):
        return self.t1 is not None

    @property
    def opened(self):
        return self.t0 is not None

    def feed(self, t, e):
        if self.done:
            return True
        if t - self.start_s > self.timeout_s:
            raise CounterStuck(
                f"energy counter gave no usable window within {self.timeout_s} s (last value {e} mJ)"
            )
        prev, self._prev = self._prev, (t, e)
        if prev is None or e == prev[1]:
            return False
        if e < prev[1]:
            raise CounterStuck(f"energy counter went backwards ({prev[1]} -> {e} mJ)")
        self.edges += 1
        t_edge = 0.5 * (prev[0] + t)
        if not self.opened:
            if prev[0] - self.start_s >= self.settle_s:
                self.t0, self.e0 = t_edge, e
        elif t_edge - self.t0 >= self.min_window_s:
            self.t1, self.e1 = t_edge, e
        return self.done

    def power_w(self):
        return (self.e1 - self.e0) * 1e-3 / (self.t1 - self.t0)

    def length_s(self):
        return self.t1 - self.t0


def steady_rate(marks, t0, t1):
    """Seconds per invocation inside [t0, t1] from GPU-side marks.

    marks: (host time the mark was seen complete, GPU time of the mark in s, invocations completed at the mark),
    in order. Uses the first and last marks seen inside the window; returns (seconds per invocation,
    invocations between them). The GPU's own timestamps give the rate, the host times only pick the marks.
    """
    inside = [m for m in marks if t0 <= m[0] <= t1]
    if len(inside) < 2:
        raise ValueError(f"only {len(inside)} completion marks inside the window: chunks are too long")
    (_, g_a, n_a), (_, g_b, n_b) = inside[0], inside[-1]
    if n_b <= n_a or g_b <= g_a:
        raise ValueError("completion marks do not advance")
    return (g_b - g_a) / (n_b - n_a), n_b - n_a


def median(xs):
    s = sorted(xs)
    if not s:
        raise ValueError("median of nothing")
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else 0.5 * (s[mid - 1] + s[mid])
