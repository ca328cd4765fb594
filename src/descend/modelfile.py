"""A model file's envelope, and what it says, read without building an estimator.

:func:`read_document` reads a model file and checks its envelope: JSON within
bounds, the format and its version, the estimator named, the keys present.
:func:`descend.persist.load` goes on to check the meaning of every field and
build the estimator. :func:`summary` gives ``descend info`` what a file says
without importing scikit-learn (about a second): a file whose checksum
matches is what descend wrote, so its fields are read as they are; any other
file is first loaded in full, so that its problems are named.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from . import jsonfile
from .errors import DataError

__all__ = ["read_document", "summary", "FORMAT", "FORMAT_VERSION", "ESTIMATOR_NAMES"]

FORMAT = "descend-model"
#: 3: K classes (a weight vector per class), class_weight and l1_ratio; 2: a checksum of
#: the content; 1 (none) still loads.
FORMAT_VERSION = 3
ESTIMATOR_NAMES = ("LinearRegression", "LogisticClassifier")
_REQUIRED = ("estimator", "params", "n_features_in", "feature_names", "feature_names_in",
             "coef", "intercept", "x_mean", "x_scale", "fit")
#: File names taken for tables, not model files.
CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt", ".dat")


def read_document(path):
    """The JSON document of the model file at ``path``, its envelope checked.

    Returns
    -------
    doc : dict
    bad : callable
        ``bad(problem)`` makes the :class:`DataError` that names this file.
    """
    path = Path(path)

    def bad(problem):
        return DataError(f"cannot load model file '{path}': {problem}")

    try:
        doc = jsonfile.read(path)
    except FileNotFoundError:
        raise bad("no such file; check the path.") from None
    except jsonfile.JSONFileError as e:
        if _looks_like_csv(path):
            raise bad("it looks like a CSV file, not a model file. Give a model file "
                      "written by descend.persist.save (predict and evaluate take the model "
                      "first, then the data).") from None
        raise bad(f"{e}. Save the model again.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise bad(f"it cannot be read as a text file ({e}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise bad(f"it is JSON but not a descend model file (its \"format\" is {found!r}, "
                  f"expected {FORMAT!r}). Give the path of a file written by descend.persist.save.")
    version = doc.get("format_version")
    if type(version) is not int or version < 1:
        raise bad(f"\"format_version\" must be a positive integer, got {version!r}.")
    if version > FORMAT_VERSION:
        from . import __version__
        raise bad(f"it has format_version {version}, written by a newer descend; descend "
                  f"{__version__} reads format_version {FORMAT_VERSION}. Upgrade descend "
                  "(pip install --upgrade descend) to load it.")
    name = doc.get("estimator")
    required = _REQUIRED + (("classes", "classes_dtype") if name == "LogisticClassifier" else ())
    missing = [key for key in required if key not in doc]
    if missing:
        shown = ", ".join(repr(k) for k in missing)
        raise bad(f"missing the key{'s' * (len(missing) > 1)} {shown}; "
                  "the file is incomplete or was edited. Save the model again.")
    if name not in ESTIMATOR_NAMES:
        raise bad(f"unknown estimator {name!r}; descend can load {', '.join(ESTIMATOR_NAMES)}.")
    if version >= 2 and "checksum" not in doc:
        raise bad("missing the key 'checksum'; the file is incomplete or was edited. Save the "
                  "model again.")
    return doc, bad


def _looks_like_csv(path):
    """Whether a file that is not JSON reads as a table: a CSV name, or a first line of
    several delimited fields."""
    if path.name.lower().endswith(CSV_SUFFIXES):
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            first = f.readline(4096)
    except OSError:
        return False
    return not first.lstrip().startswith(("{", "[")) and any(c in first for c in ",;\t|")


def summary(path):
    """What the model file at ``path`` says, as attributes named like a fitted estimator's.

    ``estimator`` (its name), ``classifies``, ``classes_``, ``params``, ``solver``,
    ``max_iter``, ``solver_``, ``n_iter_``, ``converged_``, ``stop_reason_``,
    ``history_`` (lists, None where not finite), ``n_features_in_``, ``names``,
    ``coef`` and ``intercept`` (in the data's units: a list of n and a number, or for
    K > 2 classes K lists and K numbers), ``training_data_``, and ``summary`` (the record of
    the summary kept in the file, or None).
    """
    doc, _ = read_document(path)
    if jsonfile.seal_state(doc) != "intact":
        from .persist import load
        load(path)                       # names the problem, or vouches for an old file
    fit, params = doc["fit"], doc["params"]
    history = {key: [float("nan") if x is None else x for x in values]
               for key, values in fit["history"].items()}
    n = doc["n_features_in"]
    return SimpleNamespace(
        estimator=doc["estimator"], classifies=doc["estimator"] == "LogisticClassifier",
        classes_=doc.get("classes"), params=params, solver=params.get("solver"),
        max_iter=params.get("max_iter"), solver_=fit.get("solver", params.get("solver")),
        n_iter_=fit["n_iter"], converged_=fit["converged"], stop_reason_=fit["stop_reason"],
        history_=history, n_features_in_=n,
        names=doc["feature_names"] or [f"x{j}" for j in range(n)],
        coef=doc["coef"], intercept=doc["intercept"], training_data_=doc.get("training_data"),
        summary=doc.get("summary"))
