"""The ``descend`` command: a thin layer over the library (see :mod:`.main`)."""

from .main import main

__all__ = ["main"]
