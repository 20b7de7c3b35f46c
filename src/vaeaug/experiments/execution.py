"""How a grid's independent groups of cells run: one after another, or in parallel on an existing engine.

Parallel runs go through joblib: its loky backend (processes on this machine) by
default, or a Dask or Ray cluster through joblib's own backend mechanism (the
``dask`` and ``ray`` extras). vaeaug has no scheduler of its own. Every worker
trains or loads the models of the groups it gets (a file lock in the model
cache makes sure each is trained once) and returns its records; the calling
process alone writes the results.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from joblib import Parallel, parallel_config

from .._choices import BACKENDS
from .._settings import EXECUTION, section
from .._validation import check_choice, check_positive

__all__ = ["check_execution", "execution_context", "parallel", "threads_per_worker"]

EXECUTION_KEYS = tuple(section(EXECUTION))


def check_execution(execution, where="the config") -> None:
    """``execution: {jobs: N, threads: T, backend: loky | dask | ray, scheduler: ADDRESS}``, checked before
    anything runs."""
    if not isinstance(execution, dict):
        raise ValueError(f"execution in {where} must be a mapping such as {{jobs: 2}}; got {execution!r}.")
    unknown = sorted(set(execution) - set(EXECUTION_KEYS))
    if unknown:
        raise ValueError(f"Unknown key(s) {unknown} in execution in {where}; it takes {', '.join(EXECUTION_KEYS)}.")
    check_positive(execution.get("jobs", EXECUTION.jobs), name=f"execution.jobs in {where}", integer=True)
    if execution.get("threads") is not None:
        check_positive(execution["threads"], name=f"execution.threads in {where}", integer=True)
    backend = check_choice(execution.get("backend", EXECUTION.backend), BACKENDS,
                           name=f"execution.backend in {where}")
    scheduler = execution.get("scheduler")
    if scheduler is not None and (not isinstance(scheduler, str) or backend == "loky"):
        raise ValueError(f"execution.scheduler in {where} is the address of a Dask or Ray cluster (a string, with "
                         f"backend dask or ray); got {scheduler!r} with backend {backend!r}.")


def threads_per_worker(jobs: int) -> int:
    """The threads each of ``jobs`` workers may use, so that together they do not oversubscribe the cores."""
    return max(1, (os.cpu_count() or 1) // jobs)


def parallel(jobs: int) -> Parallel:
    """joblib's ``Parallel`` for ``jobs`` workers, handing back each group's records as soon as it finishes."""
    return Parallel(n_jobs=jobs, return_as="generator_unordered")


@contextlib.contextmanager
def execution_context(execution: dict, jobs: int, threads: int | None) -> Iterator[None]:
    """The joblib backend ``execution`` names, connected for the run and closed after it; each worker's
    numerical libraries limited to ``threads``."""
    backend, scheduler = execution.get("backend", EXECUTION.backend), execution.get("scheduler")
    if jobs == 1:
        yield
    elif backend == "loky":  # processes on this machine
        with parallel_config(backend="loky", inner_max_num_threads=threads):
            yield
    elif backend == "dask":
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ValueError("execution backend dask needs Dask's distributed scheduler: pip install "
                             "'vaeaug[dask]', or use backend loky.") from None
        # Without an address: a cluster of local processes, as a stand-in for a real one.
        local = contextlib.nullcontext(scheduler) if scheduler else LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        with local as cluster, Client(cluster), parallel_config(backend="dask"):
            yield
    else:
        try:
            import ray
            from ray.util.joblib import register_ray
        except ImportError:
            raise ValueError("execution backend ray needs Ray: pip install 'vaeaug[ray]', or use backend loky.") \
                from None
        register_ray()
        ray.init(address=scheduler) if scheduler else ray.init(num_cpus=jobs)
        try:
            with parallel_config(backend="ray"):
                yield
        finally:
            ray.shutdown()
