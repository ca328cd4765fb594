"""``descend train --chunksize N``: a CSV file streamed through ``partial_fit``.

The file is read ``N`` rows at a time (:func:`descend.tables.csvfile.read_csv_chunks`),
so a file larger than memory trains in the memory of one chunk. The first chunk
fixes what a stream cannot know in advance: the columns and their encoding
(the schema, as for ``predict``), the fill values of ``--missing mean|median``,
the model (``--model auto``) and a classifier's classes (two or more), the
standardization and the step. Every later chunk is read by that schema, and its
``--sample-weight`` column weighs its rows' updates.

Each chunk holds out ``--test-frac`` of its rows, drawn from ``--seed`` and the
chunk's number, so the same rows are held out on every pass; the others are
shuffled within the chunk (unless ``--no-shuffle``) and given to ``partial_fit``.
``--max-iter`` counts passes over the file (one by default). A last pass scores
the held-out rows with the final model.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from ..tables.report import count
from ..tables.targets import whole_labels

__all__ = ["train_in_chunks"]


def _chunks(args, schema=None):
    """The file's chunks, each cleaned as a DataContainer (by ``schema`` after the first)."""
    from ..tables.csvfile import read_csv_chunks
    from ..tables.data import DataContainer
    from ..tables.schema import Schema
    from .reading import read_options

    text = () if schema is None else Schema.from_dict(schema).text_sources
    for table in read_csv_chunks(args.data, args.chunksize, text_columns=text,
                                 **read_options(args)):
        if schema is None:
            try:
                data = DataContainer.from_table(table, args.target, features=args.features,
                                                exclude=args.exclude, missing=args.missing,
                                                weights=args.sample_weight)
            except DataError as e:
                raise _in_first_chunk(e, args, table.frame.index) from None
            schema = data.schema.to_dict()
        else:
            data = DataContainer.from_table(table, args.target, schema=schema,
                                            missing="drop" if args.missing == "drop" else "error",
                                            weights=args.sample_weight)
        yield data


def _in_first_chunk(error, args, lines):
    """``error`` from the first chunk, saying that the first chunk decides."""
    return DataError(f"{error} (with --chunksize {args.chunksize} the first chunk, lines "
                     f"{lines.min()}-{lines.max()}, decides the columns, their encoding and the "
                     "classes: a larger --chunksize, or the file's rows shuffled, lets it see "
                     "more)")


def _lines(data):
    lines = data.row_labels
    return f"lines {int(lines.min())}-{int(lines.max())}" if lines.size else "no rows"


def _held_out(args, k, n):
    """Which of chunk ``k``'s ``n`` rows are held out: the same on every pass."""
    if args.test_frac == 0:
        return np.zeros(n, dtype=bool)
    return np.random.default_rng([args.seed, k]).random(n) < args.test_frac


def train_in_chunks(args, say, make_model):
    """Stream ``args.data`` through ``partial_fit``; returns ``(model, first chunk,
    (y_true, scores) of the held-out rows, or of every row with --test-frac 0)``.
    ``make_model(first chunk)`` chooses and builds the estimator."""
    from .commands import _frame, _Progress

    passes = args.max_iter or 1
    model, first, classes, trained, held = None, None, None, 0, 0
    progress = _Progress(None, args.quiet, unit=" rows", desc="streaming")
    try:
        for p in range(passes):
            progress.bar.set_description(f"pass {p + 1}/{passes}")
            for k, data in enumerate(_chunks(args, None if first is None else first.schema.to_dict())):
                if first is None:
                    try:
                        first, model = data, make_model(data)
                    except DataError as e:
                        raise _in_first_chunk(e, args, data.row_labels) from None
                    classes = _classes(model, data, args)
                    say(f"streaming: chunks of {count(args.chunksize, 'row')} through "
                        f"partial_fit, {passes} pass{'es' * (passes > 1)} over the file, batches of "
                        f"{model.batch_size}; the columns, {'classes, ' * (classes is not None)}"
                        f"standardization and step come from the first chunk ({_lines(data)})")
                out = _held_out(args, k, len(data))
                if p == 0:
                    held += int(out.sum())
                if out.all():                     # a small chunk may hold out every row
                    continue
                part = data.take(np.flatnonzero(~out))
                if model.shuffle:
                    part = part.take(np.random.default_rng([args.seed, p, k]).permutation(len(part)))
                _partial_fit(model, part, classes, _frame)
                progress.advance(len(part), float(model.history_["loss"][-1]))
                if p == 0:
                    trained += len(part)
    finally:
        progress.close()
    if model is None or not trained:
        raise DataError(f"{args.data}: no rows left to train on: --test-frac {args.test_frac} "
                        "held out every row of every chunk; lower --test-frac, or raise "
                        "--chunksize")
    say(f"trained on {count(trained, 'row')} ({count(model.n_iter_, 'chunk')} in all), "
        f"{count(held, 'row')} held out")
    return model, first, _scored(args, model, first, _frame)


def _classes(model, data, args):
    """A classifier's classes, from the first chunk; None for a regression."""
    if not model._loss.classifies:
        return None
    labels = np.unique(whole_labels(data.y))
    if labels.size < 2:
        raise DataError(
            f"--chunksize {args.chunksize}: the first chunk ({_lines(data)}) holds only the "
            f"class {labels.tolist()[0]!r} of {data.target_name!r}, and a stream learns its "
            "classes from the first chunk: raise --chunksize, or shuffle the file's rows")
    return labels


def _partial_fit(model, part, classes, frame):
    """``model.partial_fit`` on one chunk, a label the first chunk lacked named by line."""
    y = whole_labels(part.y) if classes is not None else np.asarray(part.y)
    if classes is not None:
        stray = ~np.isin(y, classes)
        if stray.any():
            where = part.row_labels[stray]
            raise DataError(
                f"{part.report.source}, line {int(where[0])}: target {part.target_name!r} is "
                f"{y[stray][0]!r}, a class the first chunk did not show ({count(int(stray.sum()), 'row')} "
                f"in this chunk); a stream learns its classes from the first chunk: raise "
                "--chunksize, or shuffle the file's rows")
    model.partial_fit(frame(part), y, classes=classes, sample_weight=part.sample_weight)


def _scored(args, model, first, frame):
    """The held-out rows' targets and scores (the probability of each class, or the
    predictions), in one more pass over the file with the final model."""
    truth, scores = [], []
    for k, data in enumerate(_chunks(args, first.schema.to_dict())):
        out = _held_out(args, k, len(data))
        if args.test_frac and not out.any():      # this chunk held out no row
            continue
        rows = data if args.test_frac == 0 else data.take(np.flatnonzero(out))
        X = frame(rows)
        if model._loss.classifies:
            truth.append(whole_labels(rows.y))
            scores.append(model.predict_proba(X))
        else:
            truth.append(np.asarray(rows.y, dtype=float))
            scores.append(model.predict(X))
    if not truth:
        return None
    return np.concatenate(truth), np.concatenate(scores)
