"""descend: linear and logistic regression trained by gradient descent, shown step by step.

The public names are loaded on first use, so ``import descend`` stays fast:
scikit-learn, pandas and matplotlib are imported only by what needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_WHERE = {
    "LinearRegression": "models",
    "LogisticClassifier": "models",
    "squared_error_loss": "losses",
    "binary_log_loss": "losses",
    "log_loss_from_scores": "losses",
    "sigmoid": "losses",
    "sigmoid_derivative": "losses",
    "DataContainer": "tables.data",
    "DaskDataContainer": "dask.container",
    "Standardizer": "tables.standardize",
    "train_test_split": "tables.data",
    "save": "persist",
    "load": "persist",
    "DescendError": "errors",
    "DataError": "errors",
    "DivergenceError": "errors",
    "SeparationWarning": "errors",
    "IdentifierWarning": "errors",
}
_MODULES = {"datasets": "teach.datasets", "explain": "teach.explain", "plots": "teach.plots"}

__all__ = sorted(_WHERE) + sorted(_MODULES)


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{_MODULES[name]}", __name__)
    else:
        raise AttributeError(f"module 'descend' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
