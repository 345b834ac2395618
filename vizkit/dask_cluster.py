"""Where a sweep runs: a Dask cluster of worker processes on this machine, or a
running Dask cluster reached through its scheduler.

vizkit uses ``dask.distributed`` rather than a process pool of its own: it
schedules, moves data between workers, reports failures with their
exceptions and spans machines, and the same code runs on both.

Each worker runs vizkit's tasks in one process of its own
(:func:`in_own_process`): a single-threaded Python where nothing but vizkit
runs, started at its first task and kept, TensorFlow loaded, until the
worker stops (or, on a cluster made for one sweep, until the sweep ends).
A Dask worker's event loop draws from Python's global ``random`` while
tasks run, and Keras seeds every unseeded initializer from it, so a model
built in the worker itself would start from other weights than the same run
made alone. Workers must therefore be allowed children: not daemonic
(``DASK_DISTRIBUTED__WORKER__DAEMON=False``).
"""

import logging
import os
import resource
from contextlib import contextmanager, suppress

from distributed import WorkerPlugin

from .errors import VizkitError

__all__ = ["dask_client", "default_workers", "peak_rss_mib", "in_own_process", "worker_peaks"]

_OWN = None  # this worker's own process (a ProcessPoolExecutor of one), made on first use

_CONNECT_S = 10  # to reach a scheduler
_JOIN_S = 60  # for its first worker to be there


def default_workers(n_tasks=None):
    """One worker per core this process may use (no more than there are tasks)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, n_tasks or cores or 1))


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_own_process(function, *args):
    """``function(*args)`` in this worker's own process (see the module's notes)."""
    global _OWN
    import cloudpickle

    if _OWN is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _OWN = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_own_process)
    return _OWN.submit(_call, cloudpickle.dumps((function, args))).result()


def _start_own_process():
    """The own process is a vizkit program: Keras loads without its scikit-learn
    wrappers (1.2 s less start-up, see :func:`vizkit._keras.skip_keras_sklearn_wrappers`)."""
    from ._keras import skip_keras_sklearn_wrappers

    skip_keras_sklearn_wrappers()


def _call(payload):
    import cloudpickle

    function, args = cloudpickle.loads(payload)
    return function(*args)


def stop_own_process():
    """End this worker's own process now, if it has one, whatever it is doing (a sweep
    that was interrupted does not wait for its variants)."""
    global _OWN
    if _OWN is not None:
        own, _OWN = _OWN, None
        terminate = getattr(own, "terminate_workers", None)  # Python 3.14
        if terminate is not None:
            terminate()
        else:
            for process in list(own._processes.values()):
                process.terminate()
        own.shutdown(wait=True, cancel_futures=True)


class OwnProcess(WorkerPlugin):
    """Ends a worker's own process when the worker stops."""

    name = "vizkit-own-process"
    idempotent = True  # registered by every sweep; the first stays, its process with it

    def teardown(self, worker):
        stop_own_process()


def worker_peaks():
    """Peak memory (MiB) of this worker and of its own process."""
    peaks = {"worker": round(peak_rss_mib(), 1)}
    if _OWN is not None:
        peaks["vizkit_process"] = round(_OWN.submit(peak_rss_mib).result(), 1)
    return peaks


def _worker_ready():
    """Run on each worker: vizkit imports there, and it may start its own process."""
    import multiprocessing

    return not multiprocessing.current_process().daemon


@contextmanager
def dask_client(*, workers=None, scheduler=None, n_tasks=None):
    """A ``distributed.Client`` for the duration of the ``with`` block.

    Without ``scheduler``: a ``LocalCluster`` of ``workers`` worker processes
    (default :func:`default_workers`), one thread each, on 127.0.0.1, stopped
    at the end. With ``scheduler`` (``tcp://HOST:PORT``): that cluster, whose
    workers must import vizkit (same version, same Python packages).
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if workers is not None:
            raise VizkitError("--workers sizes a cluster on this machine; with --scheduler the "
                              "cluster's own workers run the sweep: give one of them")
        try:
            client = Client(scheduler, timeout=_CONNECT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise VizkitError(f"cannot reach the Dask scheduler at {scheduler} "
                              f"({_first_line(exc)}); start one with `dask scheduler`, or leave "
                              "out --scheduler to run on this machine") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=_JOIN_S)
            except (TimeoutError, OSError):
                raise VizkitError(f"the Dask scheduler at {scheduler} has no worker after "
                                  f"{_JOIN_S} s; start some with `dask worker {scheduler} "
                                  "--nthreads 1`") from None
            _check_workers(client, scheduler)
            client.register_plugin(OwnProcess())
            yield client
        return
    if workers is not None and workers < 1:
        raise VizkitError(f"--workers must be at least 1, got {workers}")
    import dask

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=workers or default_workers(n_tasks),
                               threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.CRITICAL)
        with cluster, Client(cluster, set_as_default=False) as client:
            try:
                yield client
            finally:  # before the cluster stops its workers, which would not wait for it
                with suppress(Exception):  # a broken cluster: the original error matters
                    client.run(stop_own_process)


def _check_workers(client, scheduler):
    """Every worker of a remote cluster imports vizkit, else one line saying how to start them."""
    try:
        ready = client.run(_worker_ready)
    except Exception as exc:  # whatever the worker raised (ModuleNotFoundError, most often)
        raise VizkitError(f"a Dask worker of {scheduler} cannot run vizkit ({_first_line(exc)}); "
                          "start workers with vizkit's Python and PYTHONPATH (see the README, "
                          "Sweeps)") from None
    daemonic = [address for address, allowed in ready.items() if not allowed]
    if daemonic:
        raise VizkitError(f"the Dask worker {daemonic[0]} may not start processes (it is "
                          "daemonic); start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False "
                          "(see the README, Sweeps)")


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
