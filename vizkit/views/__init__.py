"""Views: a trajectory drawn frame by frame (the base view, every view class,
stills, layout in inches, pacing of frames).

A view lays out a figure with fixed scales and adds each frame's artists; it
takes its numbers from ``inspect`` and draws with ``panels``. May import
``run``, ``inspect``, ``panels`` and ``output.render``; never ``cli``.
"""
