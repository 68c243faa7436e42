"""Measures one workload: CUDA-graph replays keep the GPU busy while an energy window aligned to NVML's counter
updates is taken; CUDA events give the time per invocation.

Method, for each configuration:
1. Warm up outside capture (compiles Triton kernels, creates cuBLAS handles), then capture a CUDA graph of
   `inner` invocations cycling over the rotated input sets. Replaying a graph removes the host's launch cost
   but keeps each kernel's own launch and tail, which is what a decode step replayed as a graph pays.
2. Replay in chunks of ~20 ms, keeping at most two chunks queued so the GPU never idles and the host can poll.
   After `settle_s` of running, the window opens on the next counter update and closes on the first update
   after `window_s` (window.EdgeWindow). Power = Δenergy / Δtime over that window.
3. An event after each chunk gives GPU timestamps; seconds per invocation come from the first and last chunk
   marks seen inside the window (window.steady_rate). Joules per invocation = power × seconds per invocation.
4. The SM clock is sampled after each counter update (about every 100 ms); the median inside the window is reported. Temperatures
   are read when the window closes. Nothing is subtracted: idle power is measured separately (measure_idle).
"""

import math
import time
from collections import deque

import torch

from .window import EdgeWindow, median, steady_rate

MIN_GRAPH_INVOCATIONS = 16
CHUNK_S = 0.02


def capture(workload):
    inner = workload.copies * math.ceil(MIN_GRAPH_INVOCATIONS / workload.copies)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for i in range(min(3, workload.copies)):
            workload.launch(i)
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for j in range(inner):
            workload.launch(j % workload.copies)
    torch.cuda.synchronize()
    return graph, inner


def replay_seconds(graph, n=3):
    graph.replay()
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(n):
        graph.replay()
    b.record()
    b.synchronize()
    return a.elapsed_time(b) * 1e-3 / n


def measure(gpu, replay, invocations_per_replay, replay_s, window_s, settle_s):
    """Runs `replay` continuously through one aligned energy window; returns the measurement as a dict."""
    chunk = max(1, round(CHUNK_S / max(replay_s, 1e-9)))
    ref = torch.cuda.Event(enable_timing=True)
    ref.record()
    pending, marks, clocks = deque(), [], []
    reasons = 0
    count = 0
    start = time.perf_counter()
    tracker = EdgeWindow(start, settle_s, window_s, timeout_s=settle_s + window_s + 5.0)

    def poll():
        nonlocal reasons
        t_a = time.perf_counter()
        e = gpu.energy_mj()
        t = 0.5 * (t_a + time.perf_counter())
        edges = tracker.edges
        tracker.feed(t, e)
        if tracker.edges != edges:
            # An NVML read takes milliseconds here; reading the clock right after a counter update keeps those
            # reads far from the next update, whose timing the window depends on.
            clocks.append((time.perf_counter(), gpu.sm_mhz()))
            reasons |= gpu.throttle_reasons()
        while pending and pending[0][0].query():
            ev, n = pending.popleft()
            marks.append((t, ref.elapsed_time(ev) * 1e-3, n))

    while not tracker.done:
        for _ in range(chunk):
            replay()
        count += chunk * invocations_per_replay
        ev = torch.cuda.Event(enable_timing=True)
        ev.record()
        pending.append((ev, count))
        # Keep at most two chunks queued: the GPU always has the next one, the host polls meanwhile.
        while len(pending) >= 2 and not tracker.done:
            poll()
        poll()
    gpu_temp, mem_temp = gpu.gpu_temp_c(), gpu.mem_temp_c()
    torch.cuda.synchronize()
    sec_per_inv, iters = steady_rate(marks, tracker.t0, tracker.t1)
    # Reads follow every counter update, so a window of ≥ 1 s holds about ten; all reads are the fallback.
    in_window = [mhz for t, mhz in clocks if tracker.t0 <= t <= tracker.t1] or [mhz for _, mhz in clocks]
    power = tracker.power_w()
    return {
        "latency_us": sec_per_inv * 1e6,
        "joules": power * sec_per_inv,
        "power_w": power,
        "window_s": tracker.length_s(),
        "iters": iters,
        "sm_mhz": median(in_window) if in_window else math.nan,
        "sm_mhz_min": min(in_window) if in_window else math.nan,
        "sm_mhz_max": max(in_window) if in_window else math.nan,
        "gpu_temp_c": float(gpu_temp),
        "mem_temp_c": float(mem_temp),
        "clock_event_reasons": reasons,
        "counter_edges": tracker.edges,
        "chunk_replays": chunk,
        "energy_j": (tracker.e1 - tracker.e0) * 1e-3,
    }


def measure_idle(gpu, window_s=3.0):
    """Idle power with the CUDA context alive: the same aligned window with no work queued."""
    torch.cuda.synchronize()
    clocks = []
    tracker = EdgeWindow(time.perf_counter(), 0.0, window_s, timeout_s=window_s + 5.0)
    last = -1.0
    while not tracker.done:
        t = time.perf_counter()
        tracker.feed(t, gpu.energy_mj())
        if t - last >= 0.05:
            last = t
            clocks.append(gpu.sm_mhz())
        time.sleep(0.0005)
    return {"power_w": tracker.power_w(), "window_s": tracker.length_s(), "sm_mhz": median(clocks),
            "gpu_temp_c": gpu.gpu_temp_c(), "mem_temp_c": gpu.mem_temp_c()}


def probe_counter(gpu, seconds=2.0, busy=None):
    """How often the energy counter changes and how long one NVML read takes (for the run's metadata)."""
    if busy is not None:
        busy()
    reads, changes = 0, []
    last = gpu.energy_mj()
    t_end = time.perf_counter() + seconds
    t_prev = time.perf_counter()
    while time.perf_counter() < t_end:
        e = gpu.energy_mj()
        reads += 1
        if e != last:
            t = time.perf_counter()
            changes.append((t - t_prev, e - last))
            t_prev, last = t, e
    torch.cuda.synchronize()
    periods = [c[0] for c in changes[1:]]
    return {
        "reads": reads,
        "read_us": seconds / max(reads, 1) * 1e6,
        "updates": len(changes),
        "update_period_ms_median": 1e3 * median(periods) if periods else math.nan,
        "update_period_ms_min": 1e3 * min(periods) if periods else math.nan,
        "update_period_ms_max": 1e3 * max(periods) if periods else math.nan,
        "step_mj_median": median([c[1] for c in changes]) if changes else math.nan,
    }
