"""Data sets that load offline: two real tables and toy generators.

Every function returns a :class:`~descend.tables.data.DataContainer`. The
generators take ``n`` (rows), ``noise`` (the standard deviation of the normal
noise added) and ``seed``, and draw from ``numpy.random.default_rng(seed)``,
so the same ``seed`` gives the same data; their rows come in random order.
Classification targets are the integers 0 and 1. Only their other
parameters are described below.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

import numpy as np

from ..errors import DataError
from ..tables.data import DataContainer

HOUSING_FILE = "california_housing.csv.gz"
#: The L2 penalty the examples use on the breast-cancer data, whose two classes are
#: perfectly separable: without a penalty the log-loss has no minimum.
CANCER_ALPHA = 1e-3


def load_housing(missing="median") -> DataContainer:
    """The California housing data (1990 census block groups) for linear regression.

    20,640 rows; target ``median_house_value`` (US dollars). Read from the
    gzip copy bundled with the package (see ``descend/bundled/README.md``)
    through :meth:`DataContainer.from_csv`, so ``.report`` shows the cleaning:

    * the 207 empty ``total_bedrooms`` cells are filled with the column median
      (``missing="median"``; ``"mean"``, ``"drop"`` and ``"error"`` also work);
    * the text column ``ocean_proximity`` is one-hot encoded into 4 columns
      ``ocean_proximity=INLAND`` ...; the level ``<1H OCEAN`` is the baseline.

    That leaves 12 features. The target is capped at 500,001 in the source.

    Parameters
    ----------
    missing : {"median", "mean", "drop", "error"}
        How to treat the empty ``total_bedrooms`` cells.
    """
    ref = resources.files("descend").joinpath("bundled", HOUSING_FILE)
    with resources.as_file(ref) as path:
        data = DataContainer.from_csv(path, "median_house_value", missing=missing)
    data._report = replace(data.report, source=f"the bundled California housing data ({HOUSING_FILE})")
    return data


def load_breast_cancer() -> DataContainer:
    """The Wisconsin diagnostic breast cancer data for logistic regression.

    569 rows, 30 numeric features of cell nuclei (scikit-learn's bundled copy,
    read offline). Feature names are scikit-learn's with spaces replaced by
    underscores (``mean_radius``). The target is named ``malignant`` and
    recoded so that **1 = malignant** (212 rows) and 0 = benign (357):
    scikit-learn's own coding is the reverse (0 = malignant).
    """
    from sklearn.datasets import load_breast_cancer as _sk_load

    raw = _sk_load()
    names = [str(s).replace(" ", "_") for s in raw.feature_names]
    y = (raw.target == 0).astype(np.int64)                 # 1 = malignant
    data = DataContainer(raw.data, y, names, "malignant")
    data._report = replace(data.report, source="scikit-learn's breast-cancer data")
    return data


def toy_sets(seed=None) -> dict:
    """The five two-feature classification sets, from best to worst for a line.

    Blobs far apart (separable), blobs overlapping, moons, circles and xor,
    each drawn with ``seed``; see each generator for whether a linear model
    can fit it.

    Returns
    -------
    dict of str to DataContainer
    """
    return {
        "blobs, far apart": make_blobs(separation=6.0, seed=seed),
        "blobs, overlapping": make_blobs(separation=2.5, seed=seed),
        "moons": make_moons(seed=seed),
        "circles": make_circles(seed=seed),
        "xor": make_xor(seed=seed),
    }


def make_blobs(n=200, separation=6.0, seed=None) -> DataContainer:
    """Two round clusters in 2-D, one per class.

    Each cluster is a standard 2-D normal distribution truncated to radius
    2.5 around its centre; the centres are ``separation`` apart along the
    diagonal. Can a linear model fit it? With ``separation > 5`` the discs do
    not touch, so the classes are **linearly separable** (the unpenalized
    logistic optimum then does not exist). With smaller values they overlap:
    a straight line is still the best boundary, but some points fall on the
    wrong side.

    Parameters
    ----------
    n : int
        Rows; ``n // 2`` of class 0, the rest of class 1.
    separation : float
        Distance between the two centres, in standard deviations.

    Returns
    -------
    DataContainer
        Features ``x0, x1``; target ``y`` in {0, 1}.
    """
    n = _count(n, 2)
    separation = _nonnegative(separation, "separation")
    rng = np.random.default_rng(seed)
    y = _labels(n)
    # radius of a 2-D standard normal, truncated at 2.5 (inverse CDF)
    u = rng.uniform(size=n)
    r = np.sqrt(-2.0 * np.log1p(-u * (1.0 - np.exp(-2.5**2 / 2))))
    theta = rng.uniform(0.0, 2 * np.pi, size=n)
    centre = (y[:, None] - 0.5) * separation / np.sqrt(2.0) * np.ones(2)
    X = centre + r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return _shuffled(X, y, rng)


def make_moons(n=200, noise=0.1, seed=None) -> DataContainer:
    """Two interleaving half circles.

    Class 0 lies on the upper arc ``(cos t, sin t)``, class 1 on the lower arc
    ``(1 - cos t, 1/2 - sin t)``, ``t`` in [0, π], plus normal noise of
    standard deviation ``noise``. Can a linear model fit it? **Roughly**: a
    line gets most points right (about 85-90 %) but not the tips of the arcs.
    """
    n = _count(n, 2)
    noise = _nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    y = _labels(n)
    t = rng.uniform(0.0, np.pi, size=n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))
    return _shuffled(X + noise * rng.standard_normal((n, 2)), y, rng)


def make_circles(n=200, noise=0.05, factor=0.5, seed=None) -> DataContainer:
    """A circle (class 1, radius ``factor``) inside another (class 0, radius 1).

    Can a linear model fit it? **No**: no line separates a ring from its
    centre; accuracy stays near 50 %. Adding the feature ``x0² + x1²`` would
    make it separable.

    Parameters
    ----------
    noise : float
        Standard deviation of the normal noise added to each coordinate.
    factor : float
        Inner radius, in (0, 1).
    """
    n = _count(n, 2)
    noise = _nonnegative(noise, "noise")
    if not 0 < factor < 1:
        raise DataError(f"factor={factor!r} must be between 0 and 1 (the inner radius)")
    rng = np.random.default_rng(seed)
    y = _labels(n)
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    radius = np.where(y == 1, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffled(X + noise * rng.standard_normal((n, 2)), y, rng)


def make_xor(n=200, noise=0.3, seed=None) -> DataContainer:
    """Four clusters at (±1, ±1); class 1 where the signs of x0 and x1 differ.

    Can a linear model fit it? **No**: each line leaves two opposite clusters
    on one side; accuracy stays near 50 %. The product ``x0 · x1`` separates
    the classes.

    Parameters
    ----------
    n : int
        Rows, at least 4; as equal as possible over the four clusters.
    noise : float
        Standard deviation of each cluster.
    """
    n = _count(n, 4)
    noise = _nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    corner = np.arange(n) % 4                                # 0..3
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
    y = (corner >= 2).astype(np.int64)
    X = centres[corner] + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_regression_line(n=100, w=2.0, b=1.0, noise=1.0, seed=None) -> DataContainer:
    """One feature on a line: ``y = w · x0 + b + ε``, ``x0 ~ U(0, 10)``, ``ε ~ N(0, noise²)``.

    Can a linear model fit it? **Yes**: it is the model itself; least squares
    recovers ``w`` and ``b`` up to the noise.

    Parameters
    ----------
    w, b : float
        True slope and intercept.

    Returns
    -------
    DataContainer
        Feature ``x0``, target ``y``.
    """
    return _linear(n, np.array([w], dtype=float), b, noise, seed)


def make_regression_plane(n=100, w=(2.0, -1.0), b=1.0, noise=1.0,
                          seed=None) -> DataContainer:
    """Two features on a plane: ``y = w0 x0 + w1 x1 + b + ε``, ``x ~ U(0, 10)²``.

    Can a linear model fit it? **Yes**, as for :func:`make_regression_line`.

    Parameters
    ----------
    w : pair of float
        True weights.
    b : float
    """
    w = np.asarray(w, dtype=float)
    if w.shape != (2,):
        raise DataError(f"w must hold 2 weights, one per feature; got {w.tolist()}")
    return _linear(n, w, b, noise, seed)


# ---------------------------------------------------------------- helpers
def _linear(n, w, b, noise, seed):
    n = _count(n, 2)
    noise = _nonnegative(noise, "noise")
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        raise DataError(f"w and b must be finite numbers; got w={w.tolist()}, b={b!r}")
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 10.0, size=(n, w.size))             # (m, n)
    y = X @ w + b + noise * rng.standard_normal(n)
    return DataContainer(X, y)


def _labels(n):
    return (np.arange(n) >= n // 2).astype(np.int64)


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return DataContainer(X[order], y[order])


def _count(n, least):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < least:
        raise DataError(f"n={n!r} must be an integer of at least {least}")
    return int(n)


def _nonnegative(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not np.isfinite(value) or value < 0:
        raise DataError(f"{name}={value!r} must be a finite number >= 0")
    return float(value)
