"""Sweeps: variants of one recipe's run recorded and drawn on Dask workers, their
cells composed into one animation (small multiples).

May import every stage below it (``recording``, ``run``, ``inspect``, ``views``,
``output``); nothing below imports it.
"""
