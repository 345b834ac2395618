"""Numbers at a frame: layer probes (with a numpy engine for models of the layers it
knows, :mod:`vizkit.inspect.engine`), the readout of outputs as classes or values,
projections, input grids and planes, limits fixed over a run, layer health and
confusion counts.

Pure computation on a model and arrays (a run's trajectory, model and probe are
passed in). Imports only :mod:`vizkit.errors` and :mod:`vizkit._keras`.
"""
