"""Output: the plan of a run's files, the render loop and its camera, the writers
(GIF, MP4, PNG, HTML player), TensorBoard and manifests, all committed at once through
:class:`vizkit.run.transaction.OutputTransaction`.

Knows nothing of any view: it renders whatever draws frames onto a figure.
Imports only :mod:`vizkit.errors`, the transaction (:mod:`vizkit.run.transaction`) and its
own modules.
"""
