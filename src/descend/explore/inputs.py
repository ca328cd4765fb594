"""What a request to the explorer asks for, read and checked: the data set (a toy set,
housing or breast cancer with one or two columns, or an uploaded CSV read as descend
reads files) and each parameter, or a :class:`BadRequest` that says what is wrong in
the words of the page."""

from __future__ import annotations

import numpy as np

import os
import tempfile

__all__ = ["BadRequest", "datasets", "columns", "read_data", "choice", "number", "MAX_UPLOAD"]

#: The largest CSV text the page may upload, in bytes.
MAX_UPLOAD = 1_000_000

_TOYS = {
    "blobs": ("make_blobs", {"n": 200, "separation": 3.0}),
    "moons": ("make_moons", {"n": 200, "noise": 0.2}),
    "circles": ("make_circles", {"n": 200, "noise": 0.1}),
    "xor": ("make_xor", {"n": 200, "noise": 0.3}),
    "line": ("make_regression_line", {"n": 100, "noise": 2.0}),
}
_BUNDLED = {"housing": (["median_income"], "linear"),
            "cancer": (["mean_radius", "mean_texture"], "logistic")}


class BadRequest(ValueError):
    """A request the explorer cannot serve; its message is shown on the page."""


def datasets():
    """What the page offers: each data set, its kind and its columns."""
    from ..teach import datasets as data

    out = {}
    for name, (maker, _) in _TOYS.items():
        model = "linear" if name == "line" else "logistic"
        features = ["x0"] if name == "line" else ["x0", "x1"]
        out[name] = {"model": model, "features": features, "columns": features}
    for name, (features, model) in _BUNDLED.items():
        loaded = data.load_housing() if name == "housing" else data.load_breast_cancer()
        numeric = [f for f in loaded.feature_names if "=" not in f]
        out[name] = {"model": model, "features": features, "columns": numeric}
    out["upload"] = {"model": None, "features": [], "columns": [], "max_bytes": MAX_UPLOAD}
    return out


# -- reading a request ---------------------------------------------------------------------
def choice(request, key, options, default):
    value = request.get(key, default)
    if value not in options:
        raise BadRequest(f"{key} must be one of {', '.join(map(str, options))}; got {value!r}.")
    return value


def number(request, key, default, *, low, high, integer=False, none=False):
    value = request.get(key, default)
    if value is None and none:
        return None
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not (low <= value <= high):
        what = "a whole number" if integer else "a number"
        raise BadRequest(f"{key} must be {what} from {low:g} to {high:g}"
                         f"{' (or empty)' if none else ''}; got {value!r}.")
    return value


def read_data(request):
    """``(X, y, names, target, kind)`` for the request's data set."""
    from ..tables.data import DataContainer
    from ..teach import datasets as data

    name = choice(request, "dataset", [*_TOYS, *_BUNDLED, "upload"], "blobs")
    seed = number(request, "seed", 0, low=0, high=2**31 - 1, integer=True)
    if name in _TOYS:
        maker, params = _TOYS[name]
        found = getattr(data, maker)(seed=seed, **params)
        kind = "linear" if name == "line" else "logistic"
        return found.X, found.y, found.feature_names, "y", kind
    if name in _BUNDLED:
        found = data.load_housing() if name == "housing" else data.load_breast_cancer()
        features = _features(request, found.feature_names, _BUNDLED[name][0])
        X = found.X[:, [found.feature_names.index(f) for f in features]]
        return X, found.y, features, found.target_name, _BUNDLED[name][1]
    target, features = request.get("target"), request.get("features")

    def read(path):
        if not isinstance(target, str) or not target:
            raise BadRequest("upload: choose the target column.")
        return DataContainer.from_csv(path, target, sep="auto", features=features or None,
                                      missing="drop")

    found = _uploaded(request, read)
    if not 1 <= found.shape[1] <= 2:
        raise BadRequest(f"upload: the explorer draws one or two features; the file gives "
                         f"{found.shape[1]} ({', '.join(found.feature_names[:5])}...): choose "
                         "one or two in features.")
    from ..tables.targets import is_class_label
    kind = "logistic" if is_class_label(found.y) else "linear"
    labels = np.unique(found.y.astype(str)) if kind == "logistic" else ()
    if len(labels) > 2:
        raise BadRequest(f"upload: the target {target!r} has {len(labels)} classes "
                         f"({', '.join(labels[:5])}{', ...' if len(labels) > 5 else ''}); the "
                         "explorer draws the loss surface and boundary of two classes. Pick a "
                         "two-class target, or fit all the classes with descend train.")
    return found.X, found.y, found.feature_names, target, kind


def _features(request, columns, default):
    features = request.get("features") or default
    if (not isinstance(features, list) or not 1 <= len(features) <= 2
            or not all(f in columns for f in features) or len(set(features)) < len(features)):
        raise BadRequest(f"features must be one or two of the data's columns "
                         f"({', '.join(columns[:8])}...); got {features!r}.")
    return features


def columns(request):
    """The answer to ``POST /api/columns``: the columns of an uploaded CSV, read as descend
    reads files (its delimiter detected, quotes honoured)."""
    from ..tables.csvfile import read_csv

    frame = _uploaded(request, lambda path: read_csv(path, sep="auto", quote="auto").frame)
    return {"columns": [str(c).strip() for c in frame.columns]}


def _uploaded(request, read):
    """``read(path)`` of the request's CSV text written to a temporary file, within the
    size limit; the reader's errors name "the file", not the temporary path."""
    text = request.get("csv")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("upload: choose a CSV file first.")
    size = len(text.encode("utf-8"))
    if size > MAX_UPLOAD:
        raise BadRequest(f"upload: the file is {size:,} bytes; the explorer takes files up to "
                         f"{MAX_UPLOAD:,} bytes (pick one or two columns and fewer rows).")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            return read(path)
        except BadRequest:
            raise
        except (ValueError, KeyError) as e:
            raise BadRequest("upload: " + str(e).replace(repr(path), "the file")
                             .replace(path, "the file")) from None
