"""Imported once by the forkserver that a local sweep cluster's workers are forked
from (:func:`vizkit.sweep.cluster.dask_client`): TensorFlow and what vizkit's
tasks use are loaded there, before any thread starts, and every worker has
them from its first moment."""

from .._keras import import_keras, skip_keras_sklearn_wrappers
from . import cells  # noqa: F401  (matplotlib and the cell drawing)

skip_keras_sklearn_wrappers()  # 1.2 s less: vizkit's workers never use Keras's sklearn wrappers
import_keras()
