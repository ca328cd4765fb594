"""Fitting on a Dask cluster: the rows of a fit (:mod:`.cluster`), Dask input, and a lazy container.

Nothing here imports Dask until it is used.
"""
