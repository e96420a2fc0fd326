"""The package's test tools, as CuPy keeps its own in `cupy.testing`: a CPU emulator of CUDA that runs chapter 10's kernels, a stand-in for CuPy on it, and its check against real CuPy (appendix 92)."""
from .runtime import EMU_HEADER, available, cxx, kernel_params, find_kernels, launchers
from .device import (DeviceArray, current_device, host_counts, run_kernels, reset_counts, device_empty, device_array,
                     check_guards)
from .launch import EmuFunction, EmuRawKernel, EmuModule, block_order, memory, faults
from .stand_in import alloc_pinned_memory, fake_cupy, emulated, on_gpu
from .recorder import Recording, recording, conformance

__all__ = ['available', 'emulated', 'on_gpu', 'fake_cupy', 'block_order', 'memory', 'faults', 'host_counts', 'reset_counts',
           'run_kernels', 'current_device', 'device_empty', 'device_array', 'check_guards', 'DeviceArray', 'EmuModule',
           'EmuRawKernel', 'alloc_pinned_memory', 'recording', 'conformance', 'Recording']
