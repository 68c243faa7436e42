"""The trace CSV: schema, formatting, incremental writing, atomic merge."""

import math
import os
import tempfile
import unittest

import _path  # noqa: F401
from riirc_profile import trace

ENERGY_MODEL_COLUMNS = ("kernel", "precision", "bytes_hbm", "flops", "sm_mhz", "link_active_us", "joules",
                        "latency_us")


def slurp(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def row(config="linear.matmul.bf16.m1.n16.k16", repeat=1, joules=1e-5):
    r = {c: 0 for c in trace.COLUMNS}
    r.update(kernel="linear", precision="bf16", bytes_hbm=1056, flops=512, sm_mhz=1980.0, joules=joules,
             latency_us=2.5, config=config, repeat=repeat, m=1, n=16, k=16, batch=1, iters=1000, window_s=1.1,
             gpu_temp_c=50.0, mem_temp_c=math.nan, power_w=400.0)
    return r


class Format(unittest.TestCase):
    def test_schema_starts_with_the_energy_model_columns(self):
        self.assertEqual(trace.COLUMNS[:8], ENERGY_MODEL_COLUMNS)
        self.assertEqual(len(set(trace.COLUMNS)), len(trace.COLUMNS))

    def test_row_is_formatted_in_column_order_round_trip(self):
        line = trace.format_row(row()).split(",")
        self.assertEqual(line[0], "linear")
        self.assertEqual(line[2], "1056")
        self.assertEqual(float(line[6]), 1e-5)
        self.assertEqual(line[trace.COLUMNS.index("mem_temp_c")], "NaN")
        self.assertEqual(line[trace.COLUMNS.index("config")], "linear.matmul.bf16.m1.n16.k16")

    def test_floats_round_trip_exactly(self):
        r = row(joules=0.1 + 0.2)
        line = trace.format_row(r).split(",")
        self.assertEqual(float(line[trace.COLUMNS.index("joules")]), 0.1 + 0.2)

    def test_missing_or_unknown_columns_and_fractional_ints_are_rejected(self):
        r = row()
        del r["joules"]
        with self.assertRaises(ValueError):
            trace.format_row(r)
        r = row()
        r["extra"] = 1
        with self.assertRaises(ValueError):
            trace.format_row(r)
        r = row()
        r["bytes_hbm"] = 1.5
        with self.assertRaises(ValueError):
            trace.format_row(r)


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def test_writer_appends_and_writes_the_header_once(self):
        p = os.path.join(self.d, "t.csv")
        with trace.TraceWriter(p) as w:
            w.write(row("a"))
            # Flushed as written: readable before close.
            self.assertEqual(len(trace.read_rows(p)), 1)
        with trace.TraceWriter(p) as w:
            w.write(row("b"))
        rows = trace.read_rows(p)
        self.assertEqual([r["config"] for r in rows], ["a", "b"])
        self.assertEqual(slurp(p).count("kernel,precision"), 1)

    def test_read_rejects_a_foreign_header_and_short_rows(self):
        p = os.path.join(self.d, "bad.csv")
        with open(p, "w") as f:
            f.write("kernel,joules\nlinear,1\n")
        with self.assertRaises(ValueError):
            trace.read_rows(p)
        with open(p, "w") as f:
            f.write(",".join(trace.COLUMNS) + "\nlinear,bf16\n")
        with self.assertRaisesRegex(ValueError, ":2:"):
            trace.read_rows(p)

    def test_merge_sorts_and_rejects_duplicates(self):
        a, b, out = (os.path.join(self.d, n) for n in ("a.csv", "b.csv", "out.csv"))
        with trace.TraceWriter(a) as w:
            w.write(row("z", 1))
            w.write(row("a", 1))
        with trace.TraceWriter(b) as w:
            w.write(row("z", 2))
        self.assertEqual(trace.merge([a, b], out), 3)
        self.assertEqual([(r["config"], r["repeat"]) for r in trace.read_rows(out)],
                         [("a", "1"), ("z", "1"), ("z", "2")])
        before = slurp(out)
        with self.assertRaises(ValueError):
            trace.merge([a, a], out)
        self.assertEqual(slurp(out), before, "a failed merge must leave the old file")
        self.assertEqual([n for n in os.listdir(self.d) if n.startswith(".trace-")], [])

    def test_merge_is_deterministic(self):
        a, o1, o2 = (os.path.join(self.d, n) for n in ("a.csv", "o1.csv", "o2.csv"))
        with trace.TraceWriter(a) as w:
            for i in range(5):
                w.write(row(f"c{i}", 1, joules=i * 1e-6 + 1e-7))
        trace.merge([a], o1)
        trace.merge([o1], o2)
        self.assertEqual(slurp(o1, "rb"), slurp(o2, "rb"))


if __name__ == "__main__":
    unittest.main()
