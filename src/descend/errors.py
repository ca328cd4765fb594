"""The exceptions and warnings descend raises.

Every error is a ``ValueError`` subclass, so code written for scikit-learn's
conventions (``except ValueError``) keeps working.
"""

from __future__ import annotations


class DescendError(ValueError):
    """Base class of descend's errors."""


class DataError(DescendError):
    """The data given (a file, a frame, an array) cannot be used as it is."""


class DivergenceError(DescendError):
    """Gradient descent diverged: the loss grew or became non-finite.

    ``iteration`` is the update at which it was detected, ``loss`` the loss
    it reached there, and ``stable_rate`` the largest stable rate of the solver in use
    (2/L for "gd", 1/L for "nesterov").
    """

    iteration = None
    loss = None
    stable_rate = None

    @classmethod
    def at(cls, iteration, loss, stable_rate, message):
        err = cls(message)
        err.iteration, err.loss, err.stable_rate = iteration, loss, stable_rate
        return err


class SeparationWarning(UserWarning):
    """The classes are perfectly separable, so the unpenalized optimum does not exist."""


class IdentifierWarning(UserWarning):
    """A feature column looks like a row number or an identifier, not a measurement."""
