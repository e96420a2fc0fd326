__version__ = "0.1.0"
# The public API, importable from the package; the modules themselves are exported from the notebooks in nbs/.
from .moments import batch_moments
from .forward import batch_norm_forward
from .backward import batch_norm_backward
from .inference import batch_norm, BatchNorm1d, BatchNorm2d, BatchNorm3d, fold_batch_norm
from .data import load_mnist5k, load_mnist
from .after_paper import (update_bn, BatchRenorm1d, BatchRenorm2d, BatchRenorm3d, GhostBatchNorm1d, GhostBatchNorm2d, GhostBatchNorm3d,
                          FrozenBatchNorm1d, FrozenBatchNorm2d, FrozenBatchNorm3d, freeze)

__all__ = ['batch_moments', 'batch_norm_forward', 'batch_norm_backward', 'batch_norm',
           'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'fold_batch_norm', 'load_mnist5k', 'load_mnist',
           'update_bn', 'BatchRenorm1d', 'BatchRenorm2d', 'BatchRenorm3d', 'GhostBatchNorm1d', 'GhostBatchNorm2d', 'GhostBatchNorm3d',
           'FrozenBatchNorm1d', 'FrozenBatchNorm2d', 'FrozenBatchNorm3d', 'freeze']
