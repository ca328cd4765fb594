"""descend: linear and logistic regression trained by gradient descent, shown step by step."""

from .errors import DataError, DescendError, DivergenceError, SeparationWarning
from .losses import (
    binary_log_loss,
    log_loss_from_scores,
    sigmoid,
    sigmoid_derivative,
    squared_error_loss,
)
from .models import LinearRegression, LogisticClassifier

__version__ = "0.1.0"

__all__ = [
    "LinearRegression",
    "LogisticClassifier",
    "squared_error_loss",
    "binary_log_loss",
    "log_loss_from_scores",
    "sigmoid",
    "sigmoid_derivative",
    "DescendError",
    "DataError",
    "DivergenceError",
    "SeparationWarning",
]
