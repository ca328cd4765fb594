"""Model files defend themselves: every mutation is refused, naming what is wrong."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from descend import LinearRegression, LogisticClassifier, jsonfile
from descend.errors import DataError
from descend.persist import FORMAT_VERSION, load, save

RNG = np.random.default_rng(5)
X = RNG.normal(size=(60, 3)) * [1.0, 10.0, 0.1]
Y = (X @ [1.0, 0.1, 5.0] + RNG.normal(size=60) > 0)
FRAME = pd.DataFrame(X, columns=["a", "b", "c"])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A classifier saved by the command line (with its schema), and its document."""
    folder = tmp_path_factory.mktemp("cli")
    data = folder / "d.csv"
    FRAME.assign(sick=np.where(Y, "yes", "no")).to_csv(data, index=False)
    model = folder / "m.json"
    proc = subprocess.run([sys.executable, "-m", "descend", "train", str(data), "--target", "sick",
                           "--out", str(model), "--quiet", "--alpha", "0.01"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return model, json.loads(model.read_text())


def _write(tmp_path, doc, name="m.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1))
    return path


def _write_text(tmp_path, text, name="m.json"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _refused(path, match):
    with pytest.raises(DataError, match=match):
        load(path)


def test_the_saved_file_is_sealed_and_loads(saved):
    path, doc = saved
    assert doc["format_version"] == FORMAT_VERSION == 3 and doc["checksum"].startswith("sha256:")
    assert jsonfile.seal_state(doc) == "intact"
    assert load(path).classes_.tolist() == ["no", "yes"]


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.update(classes=d["classes"][::-1]), "not in sorted order"),
    (lambda d: d.update(coef=[1e308] + d["coef"][1:]), "beyond 1e\\+300 .* would overflow"),
    (lambda d: d.update(x_scale=[0.0] + d["x_scale"][1:]), "x_scale must be positive"),
    (lambda d: d.update(estimator="LinearRegression"), "holds a classifier's 'classes'"),
    (lambda d: d["fit"].update(converged=not d["fit"]["converged"]), "never gives"),
    (lambda d: d.update(feature_names=[d["feature_names"][1], d["feature_names"][0],
                                       *d["feature_names"][2:]]),
     "differ from the names of the saved schema's features"),
])
def test_meaningless_fields_are_refused_even_without_a_checksum(tmp_path, saved, mutate, match):
    # A file of format_version 1 carries no checksum: the meaning of each field is checked.
    doc = {k: v for k, v in json.loads(json.dumps(saved[1])).items() if k != "checksum"}
    doc["format_version"] = 1
    assert load(_write(tmp_path, doc)).coef_.shape == (1, 3)       # unmutated, it loads
    mutate(doc)
    _refused(_write(tmp_path, doc), match)


def _leaves(node, path=()):
    """Every scalar in a JSON document, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, path + (i,))
    else:
        yield path, node


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value * 1.5 + 1
    if isinstance(value, str):
        return value + "x"
    return 0.0                                              # null


def test_every_change_to_any_field_is_refused(tmp_path, saved):
    doc = saved[1]
    leaves = [(p, v) for p, v in _leaves(doc) if p != ("checksum",)]
    assert len(leaves) > 50
    for path, value in leaves:
        mutated = json.loads(json.dumps(doc))
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = _changed(value)
        with pytest.raises(DataError, match="cannot load model file"):
            load(_write(tmp_path, mutated))


def test_random_byte_damage_is_refused_or_harmless(tmp_path, saved):
    path, doc = saved
    raw = path.read_bytes()
    reference = load(path)
    rng = np.random.default_rng(0)
    refused = 0
    for trial in range(300):
        damaged = bytearray(raw)
        for at in rng.integers(0, len(raw), size=rng.integers(1, 4)):
            damaged[at] = int(rng.integers(0, 256))
        target = tmp_path / "damaged.json"
        target.write_bytes(bytes(damaged))
        try:
            model = load(target)
        except DataError:
            refused += 1
            continue
        # Loaded: then the damage changed no meaning (whitespace, or a spelling of the same
        # number), and the model predicts exactly as before.
        np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(X))
        assert model.classes_.tolist() == reference.classes_.tolist()
    assert refused > 250


def test_an_earlier_versions_file_still_loads(tmp_path, saved):
    doc = {k: v for k, v in saved[1].items() if k != "checksum"}
    doc["format_version"] = 1
    model = load(_write(tmp_path, doc))
    np.testing.assert_array_equal(model.predict_proba(X), load(saved[0]).predict_proba(X))
    doc["format_version"] = 2                                # but a version-2 file needs it
    _refused(_write(tmp_path, doc), "missing the key 'checksum'")


def test_deep_nesting_and_huge_files_are_clear_errors(tmp_path, monkeypatch):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000)
    _refused(deep, "nested far deeper than the 64 levels")
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100 + "]" * 100)
    _refused(nested, "nested 100 levels deep, more than the 64")
    monkeypatch.setattr(jsonfile, "MAX_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"format": "descend-model", "pad": "x" * 2000}))
    _refused(big, "more than the 1,000 a model file may have")


def test_deep_nesting_on_the_command_line_is_one_line(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000)
    proc = subprocess.run([sys.executable, "-m", "descend", "info", str(deep)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "nested far deeper" in proc.stderr


def test_save_refuses_weights_a_file_would_refuse(tmp_path):
    model = LinearRegression().fit(X, X[:, 0])
    model.coef_ = model.coef_ * 1e305
    with pytest.raises(DataError, match="beyond 1e\\+300"):
        save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_a_fit_of_huge_targets_saves_and_loads(tmp_path):
    # Targets near 1e200 are in float64's range, and so is the model fitted on them.
    model = LinearRegression().fit(X, (X @ [1.0, 2.0, 3.0] + 5.0) * 1e200)
    loaded = load(save(model, tmp_path / "m.json"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert np.all(np.isfinite(loaded.predict(X)))


def test_odd_json_is_a_clear_error_never_a_traceback(tmp_path, saved):
    for text in ("null", "7", '"text"', "[]"):
        _refused(_write_text(tmp_path, text), "not a descend model file")
    doc = json.loads(json.dumps(saved[1]))
    doc["classes"] = ["a", 1]
    doc["classes_dtype"] = "|O"
    _refused(_write(tmp_path, doc), "classes")
    doc = json.loads(json.dumps(saved[1]))
    doc["training_data"]["schema"]["features"][1]["source"] = ["unhashable"]
    _refused(_write(tmp_path, doc), "cannot load model file")


def test_keys_that_json_turns_into_text_keep_the_checksum(tmp_path):
    model = LinearRegression().fit(X, X[:, 0])
    path = save(model, tmp_path / "m.json", training_data={10: "a", 9: "b", "x": (1, 2)})
    assert load(path).training_data_ == {"10": "a", "9": "b", "x": [1, 2]}


def test_a_wide_schema_and_column_match_take_linear_time(tmp_path):
    # Reading the schema and matching columns once per feature: 200k features cost
    # about ten times 20k, not a hundred. The faster of two runs each; the bound
    # leaves room for a noisy machine and still refuses a quadratic cost.
    import time

    from descend.persist import check_columns
    from descend.tables.schema import Schema

    def cost(n):
        names = [f"f{j}" for j in range(n)]
        model = LogisticClassifier()
        model._set_fitted(np.ones(n), 0.0)
        model.classes_, model.n_features_in_ = np.array([0, 1]), n
        model.x_mean_, model.x_scale_ = np.zeros(n), np.ones(n)
        model.n_iter_, model.converged_, model.stop_reason_ = 0, True, "converged"
        model.history_ = {k: np.zeros(1) for k in ("loss", "grad_norm", "learning_rate")}
        schema = Schema.numeric(names, "y").to_dict()
        path = save(model, tmp_path / f"w{n}.json", feature_names=names,
                    training_data={"target_name": "y", "schema": schema}, overwrite=True)
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            loaded = load(path)                       # reads and checks the schema too
            check_columns(loaded, names[::-1])
            best = min(best, time.perf_counter() - start)
        return best

    small, large = cost(20_000), cost(200_000)
    print(f"20k: {small:.3f} s, 200k: {large:.3f} s, ratio {large / small:.1f}")
    assert large / small < 30, f"200k features took {large / small:.1f} times 20k"
