"""NVML readings the harness needs: total energy, SM clock, temperatures, power limit, throttle reasons.

Uses NVIDIA's own binding `pynvml` (package nvidia-ml-py, itself a ctypes wrapper of libnvidia-ml). Reads only:
the harness never changes clocks, power limits or any other setting of the GPU.
"""

import math

try:
    import pynvml
except ImportError as e:  # the harness cannot measure energy without NVML
    raise SystemExit("riirc profiling needs NVML's Python binding: pip install nvidia-ml-py") from e

# nvmlFieldValue id of the HBM temperature (nvml.h: NVML_FI_DEV_MEMORY_TEMP).
_FI_DEV_MEMORY_TEMP = 82


class Gpu:
    def __init__(self, index):
        pynvml.nvmlInit()
        self.h = pynvml.nvmlDeviceGetHandleByIndex(index)

    def energy_mj(self):
        return pynvml.nvmlDeviceGetTotalEnergyConsumption(self.h)

    def sm_mhz(self):
        return pynvml.nvmlDeviceGetClockInfo(self.h, pynvml.NVML_CLOCK_SM)

    def mem_mhz(self):
        return pynvml.nvmlDeviceGetClockInfo(self.h, pynvml.NVML_CLOCK_MEM)

    def gpu_temp_c(self):
        return pynvml.nvmlDeviceGetTemperature(self.h, pynvml.NVML_TEMPERATURE_GPU)

    def mem_temp_c(self):
        try:
            v = pynvml.nvmlDeviceGetFieldValues(self.h, [_FI_DEV_MEMORY_TEMP])[0]
            if v.nvmlReturn != 0:
                return math.nan
            # The field's value type varies by driver; temperatures come back as an unsigned integer.
            return float(v.value.uiVal)
        except pynvml.NVMLError:
            return math.nan

    def throttle_reasons(self):
        # Renamed from ...ThrottleReasons in newer bindings; both read the same NVML call.
        f = getattr(pynvml, "nvmlDeviceGetCurrentClocksEventReasons", None) or getattr(
            pynvml, "nvmlDeviceGetCurrentClocksThrottleReasons")
        return f(self.h)

    def describe(self):
        """Static facts for a run's metadata."""
        def safe(f, *a):
            try:
                v = f(*a)
                return v.decode() if isinstance(v, bytes) else v
            except pynvml.NVMLError as e:
                return f"unavailable ({e})"
        return {
            "name": safe(pynvml.nvmlDeviceGetName, self.h),
            "driver": safe(pynvml.nvmlSystemGetDriverVersion),
            "uuid": safe(pynvml.nvmlDeviceGetUUID, self.h),
            "power_limit_w": safe(lambda: pynvml.nvmlDeviceGetEnforcedPowerLimit(self.h) / 1000.0),
            "max_sm_mhz": safe(pynvml.nvmlDeviceGetMaxClockInfo, self.h, pynvml.NVML_CLOCK_SM),
            "max_mem_mhz": safe(pynvml.nvmlDeviceGetMaxClockInfo, self.h, pynvml.NVML_CLOCK_MEM),
            "persistence_mode": safe(pynvml.nvmlDeviceGetPersistenceMode, self.h),
            "vbios": safe(pynvml.nvmlDeviceGetVbiosVersion, self.h),
        }
