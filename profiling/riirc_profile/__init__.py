"""riirc profiling harness: measures decode-relevant kernels on a GPU and writes riirc trace CSVs.

Pure-Python modules (no torch, unit-tested on any machine): models, analytic, configs, trace, window, summary.
GPU modules (need torch, a CUDA GPU and NVML): nvml, workloads, measure.
"""
