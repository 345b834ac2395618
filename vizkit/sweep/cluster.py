"""Where a sweep runs: a Dask cluster of worker processes on this machine, or a
running Dask cluster reached through its scheduler.

vizkit uses ``dask.distributed`` rather than a process pool of its own: it
schedules, moves data between workers, reports failures with their
exceptions and spans machines, and the same code runs on both.

On Linux, a local cluster's workers are forked from one process that has loaded
TensorFlow (:func:`_keras_forkserver`), so a sweep pays for importing it once,
not once per worker; that process has no thread but its own when it forks.
vizkit's tasks run in the worker itself: the runs are seeded apart from the
worker's own use of Python's ``random`` (:mod:`vizkit.seeding`).
"""

import logging
import os
import resource
import sys
from contextlib import contextmanager

from ..errors import VizkitError, parameter

__all__ = ["dask_client", "default_workers", "local_workers", "peak_rss_mib"]

_CONNECT_S = 10  # to reach a scheduler
_JOIN_S = 60  # for its first worker to be there


def default_workers(n_tasks=None):
    """One worker per core this process may use (no more than there are tasks)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, n_tasks or cores or 1))


def local_workers(workers=None, n_tasks=None):
    """The worker processes a cluster on this machine starts: ``workers`` (default
    :func:`default_workers`), never more than there are tasks (a worker without a task
    would only hold memory)."""
    n_workers = workers or default_workers(n_tasks)
    return min(n_workers, n_tasks) if n_tasks else n_workers


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _keras_forkserver():
    """The start method of a local cluster's workers: on Linux ``forkserver``, its
    server started now with TensorFlow loading (:mod:`vizkit.sweep.preload`) while
    the cluster starts; elsewhere ``spawn`` (macOS's system libraries are not safe
    to use after a fork, Windows cannot fork), each worker loading TensorFlow."""
    if sys.platform != "linux":
        return "spawn"
    from multiprocessing import forkserver

    forkserver.set_forkserver_preload(["vizkit.sweep.preload"])
    # Started first, TensorFlow loads there while Dask imports here; in the
    # environment Dask's nanny gives a worker it spawns (numpy's BLAS on one
    # thread, so the server has no thread but its own when it forks).
    with _environment(_worker_environ()):
        forkserver.ensure_running()
    import distributed.utils

    # Dask sets a list of its own on first use (importing pandas here to make it);
    # where a forkserver already runs, neither list applies.
    distributed.utils._forkserver_preload_set = True
    return "forkserver"


def _worker_environ():
    """The variables Dask's nanny sets before it starts a worker process."""
    import dask

    environ = {name: str(value) for name, value in
               dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()}
    if environ.get("PYTHONHASHSEED") in (None, "0"):
        environ["PYTHONHASHSEED"] = "6640"  # as the nanny does: the same str hashes everywhere
    return environ


@contextmanager
def _environment(variables):
    """``os.environ`` with ``variables`` inside the block, as it was after it."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def dask_client(*, workers=None, scheduler=None, n_tasks=None):
    """A ``distributed.Client`` for the duration of the ``with`` block.

    Without ``scheduler``: a ``LocalCluster`` of :func:`local_workers` worker
    processes (``workers``, at most ``n_tasks``), one thread each, on 127.0.0.1, stopped
    at the end. With ``scheduler`` (``tcp://HOST:PORT``): that cluster, whose
    workers must import vizkit (same version, same Python packages).
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if workers is not None:
            raise VizkitError(f"{parameter('workers')} sizes a cluster on this machine; with "
                              f"{parameter('scheduler')} the cluster's own workers run the "
                              "sweep: give one of them")
        try:
            client = Client(scheduler, timeout=_CONNECT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise VizkitError(f"cannot reach the Dask scheduler at {scheduler} "
                              f"({_first_line(exc)}); start one with `dask scheduler`, or leave "
                              f"out {parameter('scheduler')} to run on this machine") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=_JOIN_S)
            except (TimeoutError, OSError):
                raise VizkitError(f"the Dask scheduler at {scheduler} has no worker after "
                                  f"{_JOIN_S} s; start some with `dask worker {scheduler} "
                                  "--nthreads 1`") from None
            _check_workers(client, scheduler)
            yield client
        return
    if workers is not None and workers < 1:
        raise VizkitError(f"{parameter('workers')} must be at least 1, got {workers}")
    import dask

    n_workers = local_workers(workers, n_tasks)
    method = _keras_forkserver()
    settings = {"distributed.worker.multiprocessing-method": method,
                "distributed.worker.profile.enabled": False}
    with (dask.config.set(settings),
          LocalCluster(n_workers=0, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=None, silence_logs=logging.CRITICAL,
                       # its HTTP server (health checks) on a free port: not on 8787,
                       # which a second sweep would find taken, and warn
                       scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster,
          Client(cluster, set_as_default=False) as client):
        # The workers join inside the block (they wait for TensorFlow to load): a sweep
        # interrupted meanwhile closes the cluster as any other, not half-built at exit.
        cluster.scale(n_workers)
        client.wait_for_workers(n_workers)
        yield client


def _check_workers(client, scheduler):
    """Every worker of a remote cluster runs one task at a time and imports vizkit, else
    one line saying how to start them. (Two tasks at once in one worker would share
    matplotlib's global style while they draw.)"""
    threaded = {address: n for address, n in client.nthreads().items() if n != 1}
    if threaded:
        address, n = next(iter(sorted(threaded.items())))
        raise VizkitError(f"the Dask worker {address} runs {n} threads; vizkit draws one cell at "
                          f"a time per worker: start workers with `dask worker {scheduler} "
                          "--nthreads 1` (and --nworkers for more)")
    try:
        client.run(peak_rss_mib)  # defined in vizkit: the worker imports it
    except Exception as exc:  # whatever the worker raised (ModuleNotFoundError, most often)
        raise VizkitError(f"a Dask worker of {scheduler} cannot run vizkit ({_first_line(exc)}); "
                          "start workers with vizkit's Python and PYTHONPATH (see the README, "
                          "Sweeps)") from None


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
