"""The CUDA engine: batch norm's kernels for CuPy arrays (chapter 10, `nbs/10*_gpu*.ipynb`, one module a page).

This file is written by hand, as nbdev writes no package `__init__`: it re-exports what users and the rest of the
package call. The layers, from the bottom: `device` (is there a GPU, transfers, `target` and `use`, the layout),
`reductions` and `kernels` (the CUDA source and `kernel_source`), `tuning` (the kernel variants), `launch`
(compiling, caching, launch plans), `engine` (the functions the public API calls)."""
from .device import cupy, target, require, is_cupy, to_device, to_host, use, roofline_bytes
from .kernels import kernel_source
from .tuning import VARIANTS, parse_variants, variant_name, case_class, variant_for, set_variants, variants, choose_defaults, use_defaults
from .launch import all_kernels, kernel_info
from .engine import (forward_train, backward_train, forward_stats, normalize, backward_sums, backward_dx, forward_eval,
                     all_finite, update_running)

__all__ = ['available', 'require', 'is_cupy', 'to_device', 'to_host', 'use', 'roofline_bytes', 'kernel_source',
           'VARIANTS', 'parse_variants', 'variant_name', 'case_class', 'variant_for', 'set_variants', 'variants',
           'choose_defaults', 'use_defaults', 'all_kernels', 'kernel_info', 'forward_train', 'backward_train',
           'forward_stats', 'normalize', 'backward_sums', 'backward_dx', 'forward_eval', 'all_finite', 'update_running']

def __getattr__(name):
    "`available`: whether the kernels can run now (CuPy and a GPU, or what `use` installed), read when asked"
    if name == 'available': return target.available
    raise AttributeError(f"module 'bn_nbdev.cuda' has no attribute {name!r}")
