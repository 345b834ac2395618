"""Small image data sets, each read the right way up, split into train and test."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import VizkitError, parameter, spoken

__all__ = ["ImageSet", "load_image_set", "load_image_file", "is_image_run",
           "lab_rows_to_images", "DATASETS", "FASHION_CLASSES"]

DATASETS = ("digits", "lab", "fashion-mnist")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")


@dataclass(frozen=True)
class ImageSet:
    """Images (n, h, w) or (n, h, w, channels) scaled to 0…1 with integer labels,
    split train/test; ``held_out`` names the second set in titles (``test``, or
    ``validation`` for a ``Recorder`` run's validation data)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    held_out: str = "test"

    @property
    def shape(self):
        """``(h, w)`` or ``(h, w, channels)`` of one image."""
        return self.x_train.shape[1:]

    @classmethod
    def of_trajectory(cls, trajectory):
        """The image set a trajectory was recorded on: its training images (stored
        as the model takes them), and the test images and class names it keeps as
        extras and info; a ``vizkit.Recorder`` run of an image model holds its
        validation images instead."""
        extras = trajectory.extras
        held_out = "test" if "x_test" in extras else "validation"
        if held_out == "validation" and "val_x" not in extras:
            raise VizkitError("this image model's run keeps no held-out images to draw; "
                              "record it with validation data (fit(..., validation_split=0.2) "
                              "or Recorder(validation_data=...))")
        x_test = extras["x_test" if held_out == "test" else "val_x"]
        y_test = np.asarray(extras["y_test" if held_out == "test" else "val_y"]).reshape(-1)
        x_train = trajectory.x.reshape((len(trajectory.x),) + x_test.shape[1:])
        n_classes = int(max(np.max(trajectory.y), np.max(y_test))) + 1
        names = trajectory.info.get("class_names") or [str(k) for k in range(n_classes)]
        return cls(trajectory.info.get("dataset", "images"), x_train, trajectory.y, x_test,
                   y_test.astype(np.int64), tuple(names), held_out)

    def flat(self, images):
        """Images as rows of pixels, for a Dense network."""
        return images.reshape(len(images), -1).astype(np.float32)

    def as_input(self, images, input_shape):
        """``images`` in the shape a model takes (``input_shape``, no batch axis):
        flat pixels, the images, or the images with their channel axis added or
        dropped; a one-line error when they cannot be."""
        input_shape = tuple(input_shape)
        shape = images.shape[1:]
        size = int(np.prod(shape))
        if input_shape == shape:
            return images.astype(np.float32)
        if len(input_shape) == 1 and input_shape[0] == size:
            return self.flat(images)
        if (int(np.prod(input_shape)) == size and len(input_shape) in (2, 3)
                and tuple(d for d in input_shape if d != 1) == tuple(d for d in shape if d != 1)):
            return images.reshape((len(images),) + input_shape).astype(np.float32)
        raise VizkitError(f"the images are {'×'.join(map(str, shape))} but the model takes "
                          f"inputs of shape {input_shape}; give images of the model's input "
                          "size (or a model of theirs)")

    def display(self, images):
        """Images as drawn: (n, h, w) grey, or (n, h, w, 3) colour."""
        if images.ndim == 4 and images.shape[-1] == 1:
            return images[..., 0]
        return images

    def check_test_image(self, index, name="image"):
        """``index`` must number one of the test images, else a one-line error naming the
        parameter ``name`` that chose it."""
        count = len(self.x_test)
        if not 0 <= index < count:
            raise VizkitError(f"{parameter(name, index)}: the {self.held_out} set has {count} "
                              f"images, numbered 0 to {count - 1}; choose one of them")


def is_image_run(trajectory):
    """Whether ``trajectory`` is an image classifier's run: it keeps test images, or its
    model takes images (a ``vizkit.Recorder`` run of a convolutional model)."""
    return (("x_test" in trajectory.extras and trajectory.extras["x_test"].ndim >= 3)
            or np.ndim(trajectory.x) >= 3)


def load_image_file(path, *, seed=0, test_share=0.2):
    """The :class:`ImageSet` of a user's ``.npz`` whose ``x`` holds images (n, h, w)
    or (n, h, w, 1 or 3) and ``y`` integer labels; ``x_test``/``y_test`` and
    ``class_names`` are optional (without a test set, a seeded ``test_share`` of
    the images is held out). ``None`` when ``x`` is a table (no images). Pixels
    of 0–255 are scaled to 0–1."""
    from .safe_load import max_rows, read_npz

    path = Path(path)
    arrays = read_npz(path, "an .npz file",
                      names=("x", "y", "x_test", "y_test", "class_names"))
    x = arrays.get("x")
    if x is None or x.ndim < 3:
        return None
    if x.ndim > 4 or (x.ndim == 4 and x.shape[-1] not in (1, 3)):
        raise VizkitError(f"{path.name}: x has shape {x.shape}; give images as (n, h, w) or "
                          "(n, h, w, channels) with 1 or 3 channels")
    if "y" not in arrays:
        raise VizkitError(f"{path.name} has images x but no labels y; save it with "
                          "np.savez(path, x=images, y=labels)")
    if ("x_test" in arrays) != ("y_test" in arrays):
        raise VizkitError(f"{path.name} holds one of x_test and y_test; give both, or neither "
                          f"(then {test_share:.0%} of x is held out)")
    if len(x) > max_rows():
        raise VizkitError(f"{path.name} has more than {max_rows():,} images; if you mean it, "
                          "set VIZKIT_MAX_ROWS to a larger count")
    x, y = _images(path.name, "x", x), _labels(path.name, "y", arrays["y"], len(x))
    if "x_test" in arrays:
        x_test = _images(path.name, "x_test", arrays["x_test"])
        if x_test.shape[1:] != x.shape[1:]:
            raise VizkitError(f"{path.name}: x_test images are {x_test.shape[1:]} but x images "
                              f"{x.shape[1:]}; give both the same size")
        y_test = _labels(path.name, "y_test", arrays["y_test"], len(x_test))
    else:
        order = np.random.default_rng(seed).permutation(len(x))
        cut = int(round(len(x) * (1 - test_share)))
        if cut in (0, len(x)):
            raise VizkitError(f"{path.name} has {len(x)} images: too few to hold out a test "
                              "set; give more, or x_test and y_test")
        x, y, x_test, y_test = x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]
    if x.max() > 1 or x_test.max() > 1:
        x, x_test = x / 255.0, x_test / 255.0
    n_classes = int(max(y.max(), y_test.max())) + 1
    names = arrays.get("class_names")
    if names is not None:
        names = tuple(str(n) for n in np.asarray(names).reshape(-1))
        if len(names) < n_classes:
            raise VizkitError(f"{path.name}: {len(names)} class_names for labels up to "
                              f"{n_classes - 1}; give one name per class")
    else:
        names = tuple(str(k) for k in range(n_classes))
    return ImageSet(path.stem, x.astype(np.float32), y, x_test.astype(np.float32), y_test,
                    names)


def _images(source, name, images):
    images = np.asarray(images)
    if images.dtype.kind not in "uif" or not np.all(np.isfinite(images)):
        raise VizkitError(f"{source}: {name} must hold finite numbers (pixels)")
    if images.min() < 0 or images.max() > 255:
        raise VizkitError(f"{source}: {name} pixels run from {images.min():g} to "
                          f"{images.max():g}; give 0–1 or 0–255")
    return images.astype(np.float32)


def _labels(source, name, labels, count):
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != count:
        raise VizkitError(f"{source}: {count} images but {len(labels)} labels in {name}")
    if (labels.dtype.kind not in "uif" or not np.all(np.isfinite(labels))
            or np.any(labels != np.round(labels)) or labels.min() < 0):
        raise VizkitError(f"{source}: {name} must hold class numbers 0, 1, 2, ...")
    return labels.astype(np.int64)


def load_image_set(name, data=None, *, seed=0, test_share=0.2):
    """``digits`` (scikit-learn's 8 × 8, bundled), ``lab`` (a folder with the lab's
    ``X.npy`` / ``y.npy``, 20 × 20 stored column by column) or ``fashion-mnist``
    (28 × 28: Keras's cached download, or a local ``.npz`` given as ``data``)."""
    if name == "digits":
        images, labels = _digits()
        names = tuple(str(i) for i in range(10))
    elif name == "lab":
        images, labels = _lab(data)
        names = tuple(str(i) for i in range(10))
    elif name == "fashion-mnist":
        (x_train, y_train), (x_test, y_test) = _fashion_mnist(data)
        return ImageSet(name, x_train, y_train, x_test, y_test, FASHION_CLASSES)
    else:
        raise VizkitError(f"unknown data set {name!r}; use one of: {', '.join(DATASETS)}")
    order = np.random.default_rng(seed).permutation(len(images))
    cut = int(round(len(images) * (1 - test_share)))
    train, test = order[:cut], order[cut:]
    return ImageSet(name, images[train], labels[train], images[test], labels[test], names)


def _digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int64)


def lab_rows_to_images(rows, side=20):
    """The lab stores each 20 × 20 image column by column: ``row.reshape(20, 20).T``."""
    return np.asarray(rows, np.float32).reshape(-1, side, side).transpose(0, 2, 1)


def _lab(folder):
    if folder is None:
        raise VizkitError(f"{spoken('the lab data set', parameter('dataset', 'lab'))} needs "
                          f"{spoken('data, the folder', parameter('data', 'FOLDER'))} holding "
                          "the lab's X.npy and y.npy")
    folder = Path(folder)
    try:
        rows, labels = np.load(folder / "X.npy"), np.load(folder / "y.npy")
    except FileNotFoundError as exc:
        raise VizkitError(f"{Path(exc.filename).name} not found in {folder}; the lab folder "
                          "holds X.npy (5000 × 400) and y.npy (5000 × 1)") from None
    except ValueError:
        raise VizkitError(f"X.npy or y.npy in {folder} is not a readable .npy file") from None
    if rows.ndim != 2 or rows.shape[1] != 400 or len(rows) != len(labels):
        raise VizkitError(f"X.npy is {rows.shape} and y.npy {labels.shape}; expected rows of "
                          "400 pixels and one label per row")
    return lab_rows_to_images(rows), labels.reshape(-1).astype(np.int64)


def _fashion_mnist(path):
    if path is not None:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = [data[k] for k in ("x_train", "y_train", "x_test", "y_test")]
        except (OSError, KeyError, ValueError):
            raise VizkitError(f"{path} is not an .npz with x_train, y_train, x_test, y_test; "
                              "save one with np.savez") from None
    else:
        cache = Path.home() / ".keras" / "datasets" / "fashion-mnist"
        needed = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                  "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
        if not all((cache / f).exists() for f in needed):
            raise VizkitError(f"Fashion-MNIST is not in Keras's cache ({cache}) and vizkit "
                              "does not download; run keras.datasets.fashion_mnist.load_data() "
                              f"once where there is network, or give {parameter('data')} (an .npz "
                              "file)")
        from .._keras import import_keras

        arrays = [a for pair in import_keras().datasets.fashion_mnist.load_data() for a in pair]
    x_train, y_train, x_test, y_test = arrays
    return ((_unit_scale(x_train), y_train.reshape(-1).astype(np.int64)),
            (_unit_scale(x_test), y_test.reshape(-1).astype(np.int64)))


def _unit_scale(images):
    """Pixels to 0…1: 0…255 images are divided by 255, others kept."""
    images = np.asarray(images, np.float32)
    return images / 255.0 if images.max() > 1 else images
