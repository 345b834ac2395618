"""Small image data sets, each read the right way up, split into train and test."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import VizkitError

__all__ = ["ImageSet", "load_image_set", "lab_rows_to_images", "DATASETS", "FASHION_CLASSES"]

DATASETS = ("digits", "lab", "fashion-mnist")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")


@dataclass(frozen=True)
class ImageSet:
    """Images (n, h, w) scaled to 0…1 with integer labels, split train/test."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple

    @property
    def shape(self):
        """``(h, w)`` of one image."""
        return self.x_train.shape[1:]

    @classmethod
    def of_trajectory(cls, trajectory):
        """The image set a trajectory was recorded on: its training images (stored
        flat), and the test images and class names it keeps as extras and info."""
        x_test = trajectory.extras["x_test"]
        x_train = trajectory.x.reshape((len(trajectory.x),) + x_test.shape[1:])
        return cls(trajectory.info.get("dataset", "images"), x_train, trajectory.y, x_test,
                   trajectory.extras["y_test"], tuple(trajectory.info["class_names"]))

    def flat(self, images):
        """Images as rows of pixels, for a Dense network."""
        return images.reshape(len(images), -1).astype(np.float32)


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
        raise VizkitError("--dataset lab needs --data FOLDER holding the lab's X.npy and y.npy")
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
                              "once where there is network, or give --data FILE.npz")
        from ._keras import import_keras

        arrays = [a for pair in import_keras().datasets.fashion_mnist.load_data() for a in pair]
    x_train, y_train, x_test, y_test = arrays
    return ((_unit_scale(x_train), y_train.reshape(-1).astype(np.int64)),
            (_unit_scale(x_test), y_test.reshape(-1).astype(np.int64)))


def _unit_scale(images):
    """Pixels to 0…1: 0…255 images are divided by 255, others kept."""
    images = np.asarray(images, np.float32)
    return images / 255.0 if images.max() > 1 else images
