"""The bottom layer of the package, NumPy only: what the engines and the public API share."""

__all__ = ['update_running', 'update_running', 'update_running']

# %% ../nbs/06_inference.ipynb #beaeb781
def update_running(running_mean, # buffer, updated in place
                   running_var, # buffer, updated in place
                   mean, # batch mean
                   var, # biased batch variance
                   n, # values per channel in the batch
                   factor, # averaging factor $\alpha$, or None for the cumulative average
                   count=None): # batches seen so far, a 0-d integer buffer moved by one in place (needed when `factor` is None)
    "PyTorch's running-statistics update, in place; the running variance takes the unbiased batch variance"
    if factor is None:
        if count is None: raise ValueError("The cumulative average (factor None) needs count, the number of batches seen so far")
        factor = 1 / (count + 1)   # the (k+1)-th batch weighs 1/(k+1)
    unbiased = var * (n / (n - 1))
    for r, v in ((running_mean, mean), (running_var, unbiased)):
        r *= 1 - factor
        r += (factor * v).astype(r.dtype, copy=False)
    if count is not None: count += 1

# %% ../nbs/06_inference.ipynb #beaeb781
def update_running(running_mean, # buffer, updated in place
                   running_var, # buffer, updated in place
                   mean, # batch mean
                   var, # biased batch variance
                   n, # values per channel in the batch
                   factor, # averaging factor $\alpha$, or None for the cumulative average
                   count=None): # batches seen so far, a 0-d integer buffer moved by one in place (needed when `factor` is None)
    "PyTorch's running-statistics update, in place; the running variance takes the unbiased batch variance"
    if factor is None:
        if count is None: raise ValueError("The cumulative average (factor None) needs count, the number of batches seen so far")
        factor = 1 / (count + 1)   # the (k+1)-th batch weighs 1/(k+1)
    unbiased = var * (n / (n - 1))
    for r, v in ((running_mean, mean), (running_var, unbiased)):
        r *= 1 - factor
        r += (factor * v).astype(r.dtype, copy=False)
    if count is not None: count += 1

# %% ../nbs/06_inference.ipynb #beaeb781
def update_running(running_mean, # buffer, updated in place
                   running_var, # buffer, updated in place
                   mean, # batch mean
                   var, # biased batch variance
                   n, # values per channel in the batch
                   factor, # averaging factor $\alpha$, or None for the cumulative average
                   count=None): # batches seen so far, a 0-d integer buffer moved by one in place (needed when `factor` is None)
    "PyTorch's running-statistics update, in place; the running variance takes the unbiased batch variance"
    if factor is None:
        if count is None: raise ValueError("The cumulative average (factor None) needs count, the number of batches seen so far")
        factor = 1 / (count + 1)   # the (k+1)-th batch weighs 1/(k+1)
    unbiased = var * (n / (n - 1))
    for r, v in ((running_mean, mean), (running_var, unbiased)):
        r *= 1 - factor
        r += (factor * v).astype(r.dtype, copy=False)
    if count is not None: count += 1