#!/usr/bin/env python
"""Compile the float16 kernels of bn_nbdev.cuda with NVRTC, as CuPy's RawModule does on a GPU machine, for sm_80 and sm_90.

No GPU is needed: NVRTC is a library (the PyPI wheel `nvidia-cuda-nvrtc-cu12`, or a CUDA toolkit's libnvrtc), called here
through ctypes. The source needs no include path (float16 is converted by PTX instructions, one code path for every compiler).
Usage: python .ci/nvrtc_check.py [path/to/libnvrtc.so]   (exit status 1 on a compile error, 2 when no NVRTC is found)
"""
import ctypes, glob, os, sys

def find_nvrtc(arg=None):
    "Path of libnvrtc: the argument, the nvidia-cuda-nvrtc wheel, $CUDA_PATH, or /usr/local/cuda*"
    if arg: return arg
    cands = []
    try:
        import nvidia.cuda_nvrtc as w
        cands += glob.glob(os.path.join(list(w.__path__)[0], 'lib', 'libnvrtc.so*'))
    except ImportError: pass
    for root in [os.environ.get('CUDA_PATH', ''), '/usr/local/cuda', *sorted(glob.glob('/usr/local/cuda-*'), reverse=True)]:
        if root: cands += glob.glob(os.path.join(root, 'lib64', 'libnvrtc.so*'))
    cands = [c for c in cands if 'builtins' not in c and 'alt' not in c]
    return cands[0] if cands else None

def compile_nvrtc(lib, src, options, name='bn_kernels.cu'):
    "(ok, log, ptx) of NVRTC compiling `src` with `options`"
    prog = ctypes.c_void_p()
    r = lib.nvrtcCreateProgram(ctypes.byref(prog), src.encode(), name.encode(), 0, None, None)
    if r: raise RuntimeError(f'nvrtcCreateProgram failed: {r}')
    opts = (ctypes.c_char_p * len(options))(*[o.encode() for o in options])
    res = lib.nvrtcCompileProgram(prog, len(options), opts)
    n = ctypes.c_size_t(); lib.nvrtcGetProgramLogSize(prog, ctypes.byref(n))
    log = ctypes.create_string_buffer(n.value); lib.nvrtcGetProgramLog(prog, log)
    ptx = b''
    if res == 0:
        lib.nvrtcGetPTXSize(prog, ctypes.byref(n)); buf = ctypes.create_string_buffer(n.value); lib.nvrtcGetPTX(prog, buf); ptx = buf.value
    lib.nvrtcDestroyProgram(ctypes.byref(prog))
    return res == 0, log.value.decode(errors='replace'), ptx.decode(errors='replace')

def main(argv):
    path = find_nvrtc(argv[1] if len(argv) > 1 else None)
    if not path:
        print('no NVRTC found: pip install nvidia-cuda-nvrtc-cu12, or pass the path of libnvrtc.so'); return 2
    lib = ctypes.CDLL(path)
    major, minor = ctypes.c_int(), ctypes.c_int(); lib.nvrtcVersion(ctypes.byref(major), ctypes.byref(minor))
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    from bn_nbdev.cuda import kernel_source, all_kernels
    half = [(k, v) for k, d, v, i32, rev in all_kernels() if d == 'float16' and not (i32 or rev)]   # every float16 kernel, default variant
    src = kernel_source(sorted({('float16', v) for _, v in half}), kinds=tuple(dict.fromkeys(k for k, _ in half)))
    bad = 0
    for arch in ('sm_80', 'sm_90'):
        # CuPy's RawModule: the source as given, no include path, `-arch=` for the device and the `-ftz=true` that
        # CuPy's compile_with_cache adds; PTX (compute_NN) and cubin (sm_NN)
        ok, log, ptx = compile_nvrtc(lib, src, [f'-arch={arch.replace("sm_", "compute_")}', '-ftz=true'])
        ok2, log2, _ = compile_nvrtc(lib, src, [f'-arch={arch}', '-ftz=true']) if ok else (False, '', '')
        ok, log = ok and ok2, log or log2
        n = ptx.count('.entry ')
        cvt = 'cvt.f32.f16' in ptx and 'cvt.rn.f16.f32' in ptx
        print(f'NVRTC {major.value}.{minor.value} ({path}) -arch={arch}: {"ok" if ok and cvt else "FAILED"}, {n} float16 kernels'
              + ('' if ok else f'\n{log}'))
        bad += not (ok and cvt and n == len(half))
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main(sys.argv))
