"""The riirc trace CSV: column order, row formatting, an incremental writer and an atomic merge.

The first eight columns are what `riirc calibrate` fits on; the rest describe the shape and the measurement so
that a trace can be read without the harness. Numbers are written in Python's shortest round-trip form, so the
same measurement always gives the same bytes.
"""

import csv
import io
import math
import os
import tempfile

# Model inputs and targets first (the energy-model crate's trace schema), then shape and measurement metadata.
COLUMNS = (
    "kernel", "precision", "bytes_hbm", "flops", "sm_mhz", "link_active_us", "joules", "latency_us",
    "config", "repeat", "m", "n", "k", "batch", "ctx", "heads", "kv_heads", "head_dim",
    "iters", "window_s", "gpu_temp_c", "mem_temp_c", "power_w",
)

_INT_COLUMNS = {"bytes_hbm", "flops", "repeat", "m", "n", "k", "batch", "ctx", "heads", "kv_heads", "head_dim",
                "iters"}


def format_value(column, value):
    if column in _INT_COLUMNS:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"column {column} needs an integer, got {value!r}")
        return str(int(value))
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    return repr(value)


def format_row(row):
    """One CSV line (no newline) for a dict with exactly the trace columns."""
    missing = [c for c in COLUMNS if c not in row]
    extra = [c for c in row if c not in COLUMNS]
    if missing or extra:
        raise ValueError(f"trace row: missing columns {missing}, unknown columns {extra}")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([format_value(c, row[c]) for c in COLUMNS])
    return buf.getvalue()


class TraceWriter:
    """Appends rows to a CSV as they are measured and flushes each to disk, so a run cut short keeps them."""

    def __init__(self, path):
        self.path = path
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        self._f = open(path, "a", encoding="utf-8", newline="")
        if new:
            self._f.write(",".join(COLUMNS) + "\n")
            self._flush()

    def write(self, row):
        self._f.write(format_row(row) + "\n")
        self._flush()

    def _flush(self):
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_rows(path):
    """Rows of a trace CSV as dicts of strings; rejects a file whose header is not the trace schema."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: header is not the trace schema ({','.join(COLUMNS)})")
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise ValueError(f"{path}:{line}: wrong number of fields")
            rows.append(row)
        return rows


def write_atomic(path, rows):
    """Writes rows (dicts of strings or numbers) to path through a temporary file and a rename."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".csv", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(COLUMNS) + "\n")
            for row in rows:
                f.write(format_row(row) + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def merge(paths, out_path):
    """Merges trace files into one, sorted by (config, repeat); the same (config, repeat) twice is an error."""
    rows, seen = [], {}
    for p in paths:
        for row in read_rows(p):
            key = (row["config"], int(row["repeat"]))
            if key in seen:
                raise ValueError(f"{p}: config {key[0]} repeat {key[1]} already in {seen[key]}")
            seen[key] = p
            rows.append(row)
    rows.sort(key=lambda r: (r["config"], int(r["repeat"])))
    write_atomic(out_path, rows)
    return len(rows)
