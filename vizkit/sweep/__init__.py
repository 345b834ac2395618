"""Sweeps: variants of one recipe's run recorded and drawn on Dask workers, their
cells composed into one animation (small multiples); a sweep is a recipe of
:func:`vizkit.pipeline.produce`, which names, writes and commits its files.

May import every stage below it (``recording``, ``run``, ``inspect``, ``views``,
``output``); nothing below imports it.
"""
