"""How the command line reads CSV files.

``train`` reads its file as the flags say, the delimiter detected unless
``--sep`` names it, and the model file records how (:func:`training_record`).
``predict``, ``evaluate`` and ``plot fit`` read new files the way the
training file was read, each flag overriding what the model recorded
(:func:`load_with_data`); when the columns then do not match, another
delimiter that would make them match is named.
"""

from __future__ import annotations

from ..errors import DataError

__all__ = ["read_options", "training_record", "load_with_data"]


def read_options(args, saved=None) -> dict:
    """``sep``, ``encoding``, ``quote``, ``decimal`` for :meth:`DataContainer.from_csv`: the
    flags given, else the ``saved`` dialect (a model file's), else the defaults."""
    from ..tables.dialect import AUTO, Dialect

    base = Dialect(sep=AUTO) if saved is None else saved
    given = {"sep": args.sep, "encoding": args.encoding, "quote": args.quote,
             "decimal": args.decimal}
    chosen = {k: v if v is not None else getattr(base, k) for k, v in given.items()}
    chosen["quote"] = chosen["quote"] or "none"
    return chosen


def training_record(data) -> dict:
    """What a model file keeps of its training data, to read new files the same way."""
    record = {"target_name": data.target_name, "schema": data.schema.to_dict()}
    if data.report.dialect is not None:
        record["csv"] = data.report.dialect.to_dict()
    return record


def load_with_data(path, args, *, with_target, keep=None):
    """The model file at ``path``, and ``args.data`` read as its training data was.

    Returns
    -------
    model, data, X, target
        ``X`` the model's features in its order (a frame when the model has
        feature names); ``target`` the training target's name, or None
        unless ``with_target``.
    """
    from ..persist import check_columns, load
    from ..tables.data import DataContainer
    from ..tables.dialect import Dialect

    model = load(path)
    saved = model.training_data_ or {}
    target = saved.get("target_name") if with_target else None
    if with_target and target is None:
        raise DataError(f"{path} does not record its target column, so the data cannot "
                        "be scored; save the model with descend train.")
    recorded = Dialect.from_dict(saved["csv"]) if isinstance(saved.get("csv"), dict) else None
    options = read_options(args, recorded)
    try:
        data = DataContainer.from_csv(args.data, target, schema=saved.get("schema"),
                                      missing=getattr(args, "missing", "error"), keep=keep,
                                      **options)
        order = check_columns(model, data.feature_names)
    except DataError:
        better = _other_delimiter(args.data, options, saved, target)
        if better is None:
            raise
        from ..tables.dialect import shown_sep
        how = ("detected" if options["sep"] == "auto" else "given with --sep" if args.sep
               else "the one the model's training file was read with")
        raise DataError(f"{args.data} does not have the columns the model needs when split "
                        f"at {shown_sep(options['sep'])} ({how}), but has all of them when "
                        f"split at {shown_sep(better)}: pass --sep "
                        f"{ {',': ',', chr(9): 'tab', 'whitespace': 'whitespace'}.get(better, repr(better)) }"
                        ) from None
    X = data.X[:, order]
    if hasattr(model, "feature_names_in_"):
        import pandas as pd
        X = pd.DataFrame(X, columns=list(model.feature_names_in_))
    return model, data, X, target


def _other_delimiter(path, options, saved, target):
    """The delimiter under which the file has every column the model needs, when the one
    used does not; None when no other does."""
    from ..tables.csvfile import first_record
    from ..tables.dialect import CANDIDATES, WHITESPACE, Dialect

    schema = saved.get("schema") or {}
    needed = {f.get("source") for f in schema.get("features", []) if isinstance(f, dict)}
    needed |= {target} - {None}
    quote = "" if options["quote"] == "none" else options["quote"]
    for sep in CANDIDATES + (WHITESPACE,):
        dialect = Dialect(sep=sep, quote=quote, encoding=options["encoding"])
        if needed and sep != options["sep"] and needed <= set(first_record(path, dialect)):
            return sep
    return None
