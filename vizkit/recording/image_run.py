"""Record an image classifier's run: the images as the model takes them, the test set
kept with the trajectory so that every view can draw the run again."""

from dataclasses import replace

import numpy as np

from ..errors import VizkitError

__all__ = ["record_image_run"]


def record_image_run(model, image_set, *, epochs, batch_size=32, seed=None, on_epoch=None,
                     info=None):
    """Train ``model`` (compiled, a classifier) on ``image_set``'s training images,
    measuring the test images at every epoch; the trajectory keeps the test images
    (``extras``) and the class names (``info``), as :func:`vizkit.record` otherwise."""
    from ..inspect.readout import Readout
    from .fit import record

    readout = Readout.of(model)
    if readout.is_regression:
        raise VizkitError("the model's output is a regression; the image view draws "
                          "classifiers (a softmax, logits or a sigmoid output)")
    for name, labels in (("y", image_set.y_train), ("y_test", image_set.y_test)):
        readout.targets(labels, f"{image_set.name} {name}")
    input_shape = tuple(model.inputs[0].shape[1:])
    x_train = image_set.as_input(image_set.x_train, input_shape)
    x_test = image_set.as_input(image_set.x_test, input_shape)
    info = dict(info or {}, dataset=image_set.name, class_names=list(image_set.class_names),
                image_shape=list(image_set.shape))
    trajectory = record(model, x_train, image_set.y_train, epochs=epochs,
                        batch_size=batch_size, seed=seed, on_epoch=on_epoch,
                        eval_sets={"test": (x_test, image_set.y_test)}, info=info)
    return replace(trajectory, extras={**trajectory.extras,
                                       "x_test": np.asarray(image_set.x_test, np.float32),
                                       "y_test": np.asarray(image_set.y_test)})
