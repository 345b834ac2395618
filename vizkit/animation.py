"""``vizkit.animate``: any 2-input Keras model and data in, an animation out."""

import tempfile
from pathlib import Path

from .data_io import check_xy
from .model_io import check_model
from .player import Player
from .probe import layer_names

__all__ = ["animate", "Animation", "view_for", "default_animate_layers"]


class Animation:
    """An animation held in memory; Jupyter shows it as the HTML player."""

    def __init__(self, player, trajectory):
        self.player = player  # a vizkit.player.Player
        self.trajectory = trajectory

    def _repr_html_(self):
        return self.player.html()

    def save(self, path):
        """Write the player to ``path`` (``.html``), as a standalone page."""
        return self.player.save(path)


def default_animate_layers(model):
    """Every layer with an output, but a last 1-unit layer: its value colours every panel."""
    names = layer_names(model)
    last = model.layers[-1]
    if names and names[-1] == last.name and last.output.shape[-1] == 1:
        names = names[:-1]
    return [n for n in names if "/" not in n]


def view_for(trajectory, layers=None, unit_maps=False, grid_resolution=200):
    """The view that draws ``trajectory``: layer spaces, or unit maps on request."""
    if unit_maps:
        from .unit_maps import UnitMaps

        return UnitMaps(trajectory, layers=layers, grid_resolution=min(grid_resolution, 150))
    from .layer_spaces import LayerSpaces

    if layers is None:
        layers = default_animate_layers(trajectory.build_model())
    return LayerSpaces(trajectory, layers, grid_resolution=grid_resolution)


def animate(model, x, y, *, epochs=20, layers=None, out=None, fmt=None, fps=8, dpi=100,
            batch_size=32, seed=None, unit_maps=False, overwrite=False, on_frame=None):
    """Train ``model`` on ``(x, y)`` epoch by epoch and animate what its layers do.

    Parameters
    ----------
    model : keras.Model
        Compiled, with 2 input features; functional, Sequential or nested
        (name inner layers ``outer/inner``). It is trained in place.
    x, y : array-like
        Features (n, 2) and class labels (n,).
    epochs : int
    layers : list of str, optional
        Layers to draw (default: every layer with an output, see
        :func:`default_animate_layers`).
    out : path, optional
        Where to write (gif, mp4, html, png); without it an :class:`Animation`
        is returned, which Jupyter displays as a player.
    unit_maps : bool
        Draw per-unit maps of Dense layers instead of layer spaces.

    Returns
    -------
    pathlib.Path or Animation
    """
    from .recorder import record
    from .writers import check_outputs, output_paths, resolve_format

    check_model(model)
    x, y = check_xy(x, y, n_outputs=model.outputs[0].shape[-1])
    if out is not None:
        fmt = resolve_format(out, fmt)
        check_outputs(output_paths(out, fmt), overwrite)
    if layers is not None:
        from .probe import LayerProbe

        LayerProbe(model, layers)  # unknown names fail now, before training
    trajectory = record(model, x, y, epochs=epochs, batch_size=batch_size, seed=seed)
    view = view_for(trajectory, layers, unit_maps)
    if out is not None:
        frames = [trajectory.n_frames - 1] if fmt == "png" else None  # a still: the end
        result = view.render(out, fmt, frames=frames, fps=fps, dpi=dpi, overwrite=overwrite,
                             on_frame=on_frame)
        return Path(result.paths[0])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "animation.html"
        view.render(path, "html", fps=fps, dpi=dpi, on_frame=on_frame)
        return Animation(Player.load(path), trajectory)
