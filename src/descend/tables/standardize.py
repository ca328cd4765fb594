"""Scaling each feature to mean 0 and standard deviation 1: :class:`Standardizer`.

The statistics come from the training part only and are then applied,
unchanged, to any other part.
"""

from __future__ import annotations

import numpy as np

from ..arrays import as_matrix
from ..errors import DataError
from ..moments import column_moments


def _is_container(X):
    """Whether ``X`` is a DataContainer (by what it offers, so that this module needs
    nothing of :mod:`descend.tables.data`, which re-exports it)."""
    return hasattr(X, "with_X") and hasattr(X, "feature_names")


class Standardizer:
    """Scale each feature to mean 0 and standard deviation 1.

    Fit on the training part only, then transform the training and the test
    parts with the same ``mean_`` and ``scale_``: the test part never leaks
    into the statistics. A constant column gets ``scale_ = 1`` (it becomes 0).

    .. math::
        x'_{ij} = (x_{ij} - \\mu_j) / s_j, \\qquad s_j = \\sqrt{\\tfrac1m
        \\textstyle\\sum_i (x_{ij} - \\mu_j)^2}

    Works on arrays (returns arrays) and on DataContainers (returns new
    containers with the same ``y``); inputs are never modified.

    Attributes
    ----------
    mean_, scale_ : numpy.ndarray, shape (n,)
    feature_names_in_ : list of str or None
        Names seen by ``fit`` when it was given a container.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        From ``transform`` or ``inverse_transform`` before ``fit`` (it is a
        ``ValueError``, as scikit-learn's estimators raise).
    DataError
        For data that cannot be scaled: wrong columns, non-finite values.
    """

    def fit(self, X) -> Standardizer:
        """Learn ``mean_`` and ``scale_`` from ``X`` (array or DataContainer)."""
        A = _features(X)
        mean, scale = column_moments(A)                   # the models' own statistics
        const = np.max(A, axis=0) == np.min(A, axis=0)
        mean[const] = A[0, const]                         # exact, so constants map to 0
        scale[const] = 1.0
        with np.errstate(over="ignore"):
            reach = np.max(np.abs(A), axis=0) + np.abs(mean)    # the largest |x - mean|, bounded
        if not np.all(np.isfinite(reach)):
            raise DataError("some columns span more than the float range, so x - mean would "
                            "overflow; rescale them first")
        self.mean_, self.scale_ = mean, scale
        self.feature_names_in_ = X.feature_names if _is_container(X) else None
        return self

    def transform(self, X):
        """Return ``(X - mean_) / scale_`` as a new array or container."""
        A = self._checked(X)
        with np.errstate(over="ignore"):
            out = (A - self.mean_) / self.scale_
        return self._wrap(X, out)

    def inverse_transform(self, X):
        """Return ``X * scale_ + mean_``, undoing :meth:`transform`."""
        A = self._checked(X)
        with np.errstate(over="ignore"):
            out = A * self.scale_ + self.mean_
        return self._wrap(X, out)

    def fit_transform(self, X):
        """Fit on ``X``, then transform it."""
        return self.fit(X).transform(X)

    def _checked(self, X):
        if not hasattr(self, "mean_"):
            from sklearn.exceptions import NotFittedError   # scikit-learn only when needed

            raise NotFittedError("This Standardizer is not fitted yet: call fit(X_train) "
                                 "first, then transform the training and test parts")
        A = _features(X)
        if A.shape[1] != self.mean_.size:
            raise DataError(f"X has {A.shape[1]} columns but the Standardizer was fitted on "
                            f"{self.mean_.size}")
        names = self.feature_names_in_
        if _is_container(X) and names is not None and X.feature_names != names:
            raise DataError(f"feature names differ from those seen in fit: {X.feature_names} "
                            f"vs {names}")
        return A

    @staticmethod
    def _wrap(X, out):
        if not np.all(np.isfinite(out)):
            raise DataError("the result overflowed the float range; rescale the data first")
        return X.with_X(out) if _is_container(X) else out


def _features(X) -> np.ndarray:
    """The (m, n) float features of an array or a container."""
    return X.X if _is_container(X) else as_matrix(X)
