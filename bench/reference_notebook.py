"""The notebook's recipe, literally, as the benchmark's reference.

"Understanding Neural Networks (with Graphs)" (seed 004): per epoch it
evaluates, builds two new sub-models, calls predict() six times (grid and
points, default 32-row batches), draws seaborn scatter plots of the 200 × 200
meshgrid in every panel, snaps with celluloid, trains one epoch with a fresh
fit(epochs=1); at the end celluloid's animate() is saved as a GIF. Only what
no longer runs on Keras 3 is changed (Input(shape=...), learning_rate=), and the
figure has vizkit's size so that both draw the same number of pixels.

Usage: python bench/reference_notebook.py EPOCHS OUT.gif
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
import tensorflow  # noqa: E402
from celluloid import Camera  # noqa: E402
from matplotlib.animation import PillowWriter  # noqa: E402
from tensorflow.keras.layers import Activation, Dense, Input  # noqa: E402
from tensorflow.keras.models import Model  # noqa: E402
from tensorflow.keras.optimizers import Adam  # noqa: E402

FIGSIZE = (10.8, 4.7)  # vizkit's layer-spaces frame at dpi 100

epochs, out = int(sys.argv[1]), sys.argv[2]
sns.set()
seed = 12345
np.random.seed(seed)
tensorflow.random.set_seed(seed)
sns.set_style(style="white", rc={"xtick.major.size": 0, "ytick.major.size": 0})

size = 200
x_train_1 = np.random.normal(-1, 0.5, (size // 2, 2))
x_train_2 = np.random.normal(0, 0.5, (size, 2))
x_train_3 = np.random.normal(1, 0.5, (size // 2, 2))
df_train = pd.DataFrame(np.concatenate((x_train_1, x_train_2, x_train_3)), columns=["X0", "X1"])
df_train["y"] = np.concatenate((np.repeat(0, size // 2), np.repeat(1, size),
                                np.repeat(0, size // 2)))
x_train, y_train = df_train[["X0", "X1"]].values, df_train[["y"]].values

x_in = Input(shape=(x_train.shape[1],), name="input")
x = Dense(units=2, name="hidden_1")(x_in)
x = Activation("tanh", name="activation_1")(x)
x = Dense(units=1, name="output")(x)
x_out = Activation("sigmoid", name="activation_output")(x)
model = Model(x_in, x_out)
model.compile(optimizer=Adam(learning_rate=1e-1), loss="binary_crossentropy",
              metrics=["accuracy"])

f, axes = plt.subplots(1, 3, figsize=FIGSIZE, gridspec_kw={"height_ratios": [.9]})
f.subplots_adjust(top=0.82)
camera = Camera(f)
for i in range(epochs + 1):
    evaluation = model.evaluate(x_train, y_train, verbose=0)
    model_hid_1 = Model(model.input, model.get_layer("hidden_1").output)
    model_act_1 = Model(model.input, model.get_layer("activation_1").output)
    df_hid_1 = pd.DataFrame(model_hid_1.predict(x_train, verbose=0), columns=["X0", "X1"])
    df_hid_1["y"] = y_train
    df_act_1 = pd.DataFrame(model_act_1.predict(x_train, verbose=0), columns=["X0", "X1"])
    df_act_1["y"] = y_train
    gx = np.linspace(x_train[:, 0].min(), x_train[:, 0].max(), 200)
    gy = np.linspace(x_train[:, 1].min(), x_train[:, 1].max(), 200)
    xv, yv = np.meshgrid(gx, gy)
    df_mg_train = pd.DataFrame(np.stack((xv.flatten(), yv.flatten()), axis=1),
                               columns=["X0", "X1"])
    df_mg_train["y"] = model.predict(df_mg_train.values, verbose=0)
    df_mg_hid_1 = pd.DataFrame(model_hid_1.predict(df_mg_train.values[:, :-1], verbose=0),
                               columns=["X0", "X1"])
    df_mg_hid_1["y"] = model.predict(df_mg_train.values[:, :-1], verbose=0)
    df_mg_act_1 = pd.DataFrame(model_act_1.predict(df_mg_train.values[:, :-1], verbose=0),
                               columns=["X0", "X1"])
    df_mg_act_1["y"] = model.predict(df_mg_train.values[:, :-1], verbose=0)

    palette_map = sns.diverging_palette(220, 20, as_cmap=True)
    palette_points = sns.diverging_palette(220, 20, n=2)
    for ax, grid, points, title in ((axes[0], df_mg_train, df_train, "Input layer"),
                                    (axes[1], df_mg_hid_1, df_hid_1, "Hidden layer"),
                                    (axes[2], df_mg_act_1, df_act_1, "Activation")):
        sns.scatterplot(x="X0", y="X1", data=grid, hue="y", legend=None, ax=ax,
                        palette=palette_map, alpha=0.15)
        sns.scatterplot(x="X0", y="X1", data=points, hue="y", legend=None, ax=ax,
                        palette=palette_points)
        ax.set_title(title)
    axes[1].text(x=0.5, y=1.15, s="Epoch {}".format(i + 1), fontsize=16, weight="bold",
                 ha="center", va="bottom", transform=axes[1].transAxes)
    axes[1].text(x=0.5, y=1.08, s="Accuracy {:.3f} - Loss {:.3f}".format(evaluation[1],
                                                                        evaluation[0]),
                 fontsize=13, ha="center", va="bottom", transform=axes[1].transAxes)
    camera.snap()
    if i < epochs:
        model.fit(x_train, y_train, epochs=1, verbose=0)

camera.animate().save(out, writer=PillowWriter(fps=8))
