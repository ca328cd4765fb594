"""How the command line reads CSV files.

``train`` reads its file as the flags say, the delimiter detected unless
``--sep`` names it, and the model file records how (:func:`training_record`).
``predict``, ``evaluate`` and ``plot fit`` read new files the way the
training file was read, each flag overriding what the model recorded
(:func:`load_with_data`): the same decimal mark, quote and encoding, and the
delimiter given to ``train``, or detected again where ``train`` detected it.
When the columns then do not match, another reading that would make them
match (delimiter, quote) is named.
"""

from __future__ import annotations

import dataclasses

from ..errors import DataError

__all__ = ["read_options", "training_record", "load_with_data"]


def read_options(args, saved=None) -> dict:
    """``sep``, ``encoding``, ``quote``, ``decimal`` for :meth:`DataContainer.from_csv`: the
    flags given, else the ``saved`` dialect (a model file's), else the defaults."""
    from ..tables.dialect import AUTO, Dialect

    base = Dialect(sep=AUTO, quote=AUTO) if saved is None else saved
    if base.detected:                   # detected in training: detected in each new file too
        base = dataclasses.replace(base, sep=AUTO)
    given = {"sep": args.sep, "encoding": args.encoding, "quote": args.quote,
             "decimal": args.decimal}
    chosen = {k: v if v is not None else getattr(base, k) for k, v in given.items()}
    chosen["quote"] = chosen["quote"] or "none"
    return chosen


def training_record(data, sample_weight=None) -> dict:
    """What a model file keeps of its training data, to read new files the same way, and
    the column of sample weights the fit was weighted by (``sample_weight``), if any."""
    record = {"target_name": data.target_name, "schema": data.schema.to_dict()}
    if sample_weight is not None:
        record["sample_weight"] = data.report.weights
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
    weights = getattr(args, "sample_weight", None)
    try:
        data = DataContainer.from_csv(args.data, target, schema=saved.get("schema"),
                                      missing=getattr(args, "missing", "error"), keep=keep,
                                      weights=weights, **options)
        order = check_columns(model, data.feature_names)
    except DataError as err:
        raise DataError(_why_not(err, args, options, saved, target)) from None
    X = data.X[:, order]
    if hasattr(model, "feature_names_in_"):
        import pandas as pd
        X = pd.DataFrame(X, columns=list(model.feature_names_in_))
    return model, data, X, target


def _why_not(err, args, options, saved, target):
    """The message for a file the model cannot read: another delimiter or quote under which
    it has every column the model needs, named first; a UTF-8 file read as another
    encoding; else the error as it was."""
    from ..tables.csvfile import sniff
    from ..tables.dialect import AUTO, shown_sep

    if options["sep"] == AUTO:
        options = {**options, "sep": sniff(args.data, options["encoding"])}
    if options["quote"] == AUTO:
        options = {**options, "quote": '"'}
    better = _other_reading(args.data, options, saved, target,
                            getattr(args, "sample_weight", None))
    if better:
        how = ("given with --sep" if args.sep else "as given to descend train"
               if (saved.get("csv") or {}).get("detected") is False else "detected")
        flags = " ".join(f"--{k} {_flag(k, v)}" for k, v in better.items())
        return (f"{args.data} does not have the columns the model needs when read with "
                f"delimiter {shown_sep(options['sep'])} ({how}) and quote "
                f"{options['quote']!r}, but has all of them with {flags}: pass {flags}")
    if options["encoding"].replace("_", "-").lower() not in ("utf-8", "utf8") and _utf8(args.data):
        return (f"{err} The file reads as UTF-8 (it holds non-ASCII text that is valid "
                f"UTF-8), but it was read as {options['encoding']}, the training file's "
                "encoding: pass --encoding utf-8")
    return str(err)


def _flag(key, value):
    if key == "sep":
        return {",": ",", "\t": "tab", "whitespace": "whitespace"}.get(value, repr(value))
    return repr(value) if value != "none" else value


def _utf8(path):
    """Whether the file's first 64 KiB hold non-ASCII bytes that decode as UTF-8."""
    try:
        with open(path, "rb") as f:
            raw = f.read(1 << 16)
        raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False                        # (a character cut at the end: no claim made)
    return not raw.isascii()


def _other_reading(path, options, saved, target, weights=None):
    """The delimiter and quote (those that differ from ``options``) under which the file's
    header holds every column the model needs (and the ``weights`` column); {} when no
    other reading does."""
    from ..tables.csvfile import first_record
    from ..tables.dialect import CANDIDATES, WHITESPACE, Dialect

    schema = saved.get("schema") or {}
    needed = {f.get("source") for f in schema.get("features", []) if isinstance(f, dict)}
    needed |= {target, weights} - {None}
    def header(sep, quote):
        return set(first_record(path, Dialect(sep=sep, quote="" if quote == "none" else quote,
                                              encoding=options["encoding"])))

    if not needed or needed <= header(options["sep"], options["quote"]):
        return {}                                   # the reading is not what is wrong
    for quote in dict.fromkeys((options["quote"], '"', "'", "none")):
        for sep in CANDIDATES + (WHITESPACE,):
            if (sep, quote) == (options["sep"], options["quote"]):
                continue
            if needed <= header(sep, quote):
                return {k: v for k, v in (("sep", sep), ("quote", quote))
                        if v != options[k]}
    return {}
