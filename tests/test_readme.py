"""The README's code runs as printed."""

import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from descend import LogisticClassifier

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_material_loop_in_the_readme_matches_fit():
    blocks = [block for block in _python_blocks() if "_update_params" in block]
    assert len(blocks) == 1, "the README shows the material's loop once"
    scope = {}
    exec(compile(blocks[0], str(README), "exec"), scope)
    clf, X, y = scope["clf"], scope["X"], scope["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = LogisticClassifier(solver="gd", learning_rate=0.5, standardize=False,
                                    max_iter=100, tol=0).fit(X, y)
    np.testing.assert_allclose(clf.coef_, fitted.coef_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, fitted.intercept_, rtol=1e-12, atol=1e-12)
    assert np.abs(clf.coef_).min() > 0.1                   # the loop learned something
    assert fitted.n_iter_ == 100



def test_the_batches_example_in_the_readme_runs_and_keeps_its_promise():
    blocks = [block for block in _python_blocks() if "partial_fit" in block]
    assert len(blocks) == 1
    scope = {}
    exec(compile(blocks[0], str(README), "exec"), scope)
    sgd, stream = scope["sgd"], scope["stream"]
    assert sgd.converged_ and sgd.n_iter_ < 30
    gap = sgd.history_["gap"][-1]
    assert 0 <= gap <= 1e-3 * sgd.history_["loss"][-1]
    assert stream.n_iter_ == 5 and stream.score(scope["housing"].X, scope["housing"].y) > 0.5


def test_the_family_example_in_the_readme_runs_as_it_says():
    blocks = [block for block in _python_blocks() if "load_iris" in block]
    assert len(blocks) == 1
    scope = {}
    exec(compile(blocks[0], str(README), "exec"), scope)
    assert scope["lasso"].coef_.shape == (3,) and (scope["lasso"].coef_ == 0).sum() >= 1
    X, y = scope["X"], scope["y"]
    softmax = LogisticClassifier(alpha=0.01).fit(X, y)
    assert softmax.coef_.shape == (3, 4)
    np.testing.assert_allclose(softmax.predict_proba(X).sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert scope["clf"].classes_.tolist() == [False, True]


def test_the_summary_example_in_the_readme_shows_statsmodels_numbers():
    sm = __import__("pytest").importorskip("statsmodels.api")
    blocks = [block for block in _python_blocks() if ".summary()" in block]
    assert len(blocks) == 1
    scope = {}
    exec(compile(blocks[0], str(README), "exec"), scope)
    X, y, summary = scope["X"], scope["cancer"].y, scope["summary"]
    theirs = sm.Logit(y, sm.add_constant(X.to_numpy())).fit(disp=0)
    np.testing.assert_allclose(summary.bse.to_numpy(), theirs.bse, rtol=1e-5)
    text = README.read_text(encoding="utf-8")
    shown = re.search(r"```text\n( +coef +std err.*?)```", text, flags=re.S).group(1)
    printed = {line.split()[0]: line.split() for line in str(summary).splitlines()
               if line.strip()}
    for line in shown.splitlines()[1:]:
        assert line.split() == printed[line.split()[0]], line
