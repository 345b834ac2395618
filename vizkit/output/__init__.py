"""Output: the plan of a run's files, the render loop and its camera, the writers
(GIF, MP4, PNG, HTML player), TensorBoard, manifests and the transaction that
commits them all at once.

Knows nothing of any view: it renders whatever draws frames onto a figure.
Imports only :mod:`vizkit.errors` and its own modules.
"""
