"""Data in: tables of features, image sets, saved model files and model configs,
read safely; the built-in data sets.

Owns everything that reads a user's file into arrays or a model. Imports only
:mod:`vizkit.errors`, :mod:`vizkit._keras`, :mod:`vizkit.seeding` and
:mod:`vizkit.inspect.readout` (what a model's outputs mean, to check labels
against them).
"""
