"""summary(): every number against statsmodels (OLS, Logit, MNLogit, GLM with frequency
weights, their robust covariances) on spector, longley, fair, star98 and anes96."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from descend import LinearRegression, LogisticClassifier

sm = pytest.importorskip("statsmodels.api")

RTOL = 1e-6
SHARED = ["nobs", "df_model", "df_resid", "llf", "aic", "bic"]


def _close(ours, theirs, what, rtol=RTOL, atol=0.0):
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


#: p-values far in the tail carry the last digits of their statistic times itself (the
#: log of a normal tail falls as z^2/2), so below 1e-12 they are compared absolutely.
P_ATOL = 1e-12


def _same_table(ours, theirs, rtol=RTOL):
    """Coefficients, standard errors, statistics, p-values and intervals, row by row."""
    for name in ("params", "bse", "tvalues", "pvalues"):
        _close(np.asarray(getattr(ours, name)).T.ravel(),
               np.asarray(getattr(theirs, name)).T.ravel(), name, rtol,
               P_ATOL if name == "pvalues" else 0.0)
    _close(ours.conf_int().to_numpy(), np.asarray(theirs.conf_int()).reshape(-1, 2), "conf_int",
           rtol)
    _close(ours.cov_params().to_numpy(), np.asarray(theirs.cov_params()), "cov_params", rtol)


def _spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


def _longley():
    data = sm.datasets.longley.load_pandas()
    return data.exog, data.endog


def _fair():
    data = sm.datasets.fair.load_pandas().data
    X = data[["rate_marriage", "age", "yrs_married", "children", "religious", "educ"]]
    couples = data["occupation"] * 10 + data["occupation_husb"]      # 36 groups
    return X, data["affairs"], couples


def test_logit_on_spector_matches_statsmodels_number_for_number():
    X, y = _spector()
    ours = LogisticClassifier(tol=1e-12).fit(X, y).summary()
    theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12)
    _same_table(ours, theirs)
    for name in SHARED + ["llnull", "llr", "llr_pvalue", "prsquared"]:
        _close(getattr(ours, name), getattr(theirs, name), name)
    assert list(ours.params.index) == ["intercept", "GPA", "TUCE", "PSI"]
    assert not ours.use_t and "z" in ours.to_frame().columns


def test_ols_on_longley_matches_statsmodels_to_its_condition_number():
    X, y = _longley()
    ours = LinearRegression(tol=1e-14).fit(X, y).summary()
    theirs = sm.OLS(y, sm.add_constant(X)).fit()
    _same_table(ours, theirs)
    for name in SHARED + ["rsquared", "rsquared_adj", "fvalue", "f_pvalue", "condition_number"]:
        _close(getattr(ours, name), getattr(theirs, name), name)
    assert ours.use_t and ours.df_inference == 9
    assert "Columns 'GNP', 'UNEMP', 'POP', 'YEAR' are nearly collinear" in str(ours)


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_ols_robust_covariances_match_statsmodels_on_fair(cov_type):
    X, y, _ = _fair()
    model = LinearRegression(tol=1e-12).fit(X, y)
    ours = model.summary(cov_type=cov_type)
    theirs = sm.OLS(y, sm.add_constant(X)).fit(cov_type=cov_type)
    _same_table(ours, theirs)
    _close(ours.fvalue, theirs.fvalue, "Wald F")
    _close(ours.f_pvalue, theirs.f_pvalue, "Wald F's p-value", atol=P_ATOL)


def test_ols_cluster_covariance_and_its_degrees_of_freedom_match_statsmodels():
    X, y, occupation = _fair()
    model = LinearRegression(tol=1e-12).fit(X, y)
    for use_t in (None, True):
        ours = model.summary(cov_type="cluster", groups=occupation, use_t=use_t)
        theirs = sm.OLS(y, sm.add_constant(X)).fit(
            cov_type="cluster", cov_kwds={"groups": occupation.to_numpy()}, use_t=use_t)
        _same_table(ours, theirs)
    assert ours.use_t and ours.df_inference == occupation.nunique() - 1
    _close(ours.f_pvalue, theirs.f_pvalue, "F's p-value with G - 1 degrees", atol=P_ATOL)


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_logit_robust_covariances_match_statsmodels_on_fair(cov_type):
    X, affairs, occupation = _fair()
    y = (affairs > 0).astype(int)
    kw = {"groups": occupation} if cov_type == "cluster" else {}
    ours = LogisticClassifier(tol=1e-15).fit(X, y).summary(cov_type=cov_type, **kw)
    theirs = sm.Logit(y, sm.add_constant(X)).fit(
        disp=0, tol=1e-12, cov_type=cov_type,
        **({"cov_kwds": {"groups": occupation.to_numpy()}} if kw else {}))
    _same_table(ours, theirs)


def test_logit_hc1_to_hc3_apply_the_corrections_statsmodels_leaves_out():
    """statsmodels' Logit gives HC0 for every HCx; descend applies N/(N-p) and the
    leverages of the weighted least-squares step, as R's sandwich package does: checked
    against statsmodels' scores and GLM hat values."""
    X, affairs, _ = _fair()
    y = (affairs > 0).astype(int)
    model = LogisticClassifier(tol=1e-15).fit(X, y)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    logit = sm.Logit(y, sm.add_constant(X))
    scores = logit.score_obs(glm.params.to_numpy())
    bread = np.linalg.inv(-logit.hessian(glm.params.to_numpy()))
    h = glm.get_hat_matrix_diag()
    N, p = scores.shape
    for cov_type, u in [("HC1", np.full(N, N / (N - p))), ("HC2", 1 / (1 - h)),
                        ("HC3", 1 / (1 - h) ** 2)]:
        expected = bread @ (scores.T * u) @ scores @ bread
        _close(model.summary(cov_type=cov_type).cov_params().to_numpy(), expected, cov_type)


def test_mnlogit_on_anes96_matches_statsmodels_block_for_block():
    data = sm.datasets.anes96.load_pandas().data
    X, y = data[["logpopul", "TVnews", "age", "educ", "income"]], data["PID"].astype(int)
    ours = LogisticClassifier(tol=1e-12).fit(X, y).summary()
    theirs = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    _same_table(ours, theirs)
    for name in SHARED + ["llnull", "llr", "llr_pvalue", "prsquared"]:
        _close(getattr(ours, name), getattr(theirs, name), name)
    assert list(ours.params.columns) == [str(k) for k in range(1, 7)]
    text = str(ours)
    assert text.count("(against 0):") == 6, text
    theirs_hc0 = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12,
                                                       cov_type="HC0")
    _close(LogisticClassifier(tol=1e-12).fit(X, y).summary(cov_type="HC0").bse.to_numpy().T,
           np.asarray(theirs_hc0.bse).T, "MNLogit HC0")


def test_weighted_logistic_on_star98_is_statsmodels_binomial_glm():
    """star98: successes and failures per school, as two rows weighted by their counts,
    fitted by descend, against statsmodels' binomial GLM with those frequency weights
    (and its proportions form, which has the same weights and standard errors)."""
    data = sm.datasets.star98.load_pandas()
    X = data.exog.iloc[:, :8]
    above, below = data.endog["NABOVE"], data.endog["NBELOW"]
    Xw = pd.concat([X, X], ignore_index=True)
    yw = np.r_[np.ones(len(X)), np.zeros(len(X))]
    weights = np.r_[above, below]
    ours = LogisticClassifier(tol=1e-12).fit(Xw, yw, sample_weight=weights).summary()
    theirs = sm.GLM(yw, sm.add_constant(Xw), family=sm.families.Binomial(),
                    freq_weights=weights).fit(tol=1e-13)
    _same_table(ours, theirs)
    assert ours.nobs == weights.sum() and ours.df_resid == weights.sum() - 9
    _close(ours.llf, theirs.llf, "llf")
    _close(ours.llnull, theirs.llnull, "llnull")
    grouped = sm.GLM(data.endog[["NABOVE", "NBELOW"]], sm.add_constant(X),
                     family=sm.families.Binomial()).fit(tol=1e-13)
    _close(ours.bse.to_numpy(), grouped.bse.to_numpy(), "bse against the proportions form")


def test_integer_weights_give_the_summary_of_the_repeated_rows():
    X, y, occupation = _fair()
    X, y = X.iloc[:400], y.iloc[:400]
    occupation = sm.datasets.fair.load_pandas().data["occupation"].iloc[:400]  # 6 groups
    weights = np.random.default_rng(0).integers(0, 4, size=len(y))
    model = LinearRegression(tol=1e-12).fit(X, y, sample_weight=weights)
    again = np.repeat(np.arange(len(y)), weights)
    for cov_type, kw, theirs_kw in [
            ("nonrobust", {}, {}), ("HC1", {}, {}), ("HC3", {}, {}),
            ("cluster", {"groups": occupation.to_numpy()},
             {"cov_kwds": {"groups": occupation.to_numpy()[again]}})]:
        ours = model.summary(cov_type=cov_type, **kw)
        theirs = sm.OLS(y.iloc[again], sm.add_constant(X.iloc[again])).fit(cov_type=cov_type,
                                                                          **theirs_kw)
        _same_table(ours, theirs)
        for name in SHARED + ["rsquared", "rsquared_adj"]:
            _close(getattr(ours, name), getattr(theirs, name), f"{cov_type} {name}")
        if cov_type != "cluster":
            _close(ours.fvalue, theirs.fvalue, f"{cov_type} fvalue")
    # 6 groups give a covariance of rank 5 for 6 weights: no F test (statsmodels prints
    # its Wald statistic from the singular matrix, here negative).
    assert np.isnan(ours.fvalue) and "No F test: the covariance of the weights has rank 5" \
        in str(ours)


def test_rows_given_again_give_the_same_summary_after_pickling():
    X, y = _spector()
    model = LogisticClassifier(tol=1e-12).fit(X, y)
    kept = model.summary()
    loaded = pickle.loads(pickle.dumps(model))
    assert not hasattr(loaded, "_fit_rows") and hasattr(model, "_fit_rows")
    with pytest.raises(ValueError, match=r"pass them, with their weights if any"):
        loaded.summary()
    again = loaded.summary(X, y)
    _close(again.bse, kept.bse, "bse", rtol=1e-12)
    assert str(again) == str(kept)


def test_ridge_summary_is_the_penalized_sandwich_and_says_approximate():
    X, y = _longley()
    alpha = 0.05
    model = LinearRegression(alpha=alpha, tol=1e-14).fit(X, y)
    ours = model.summary()
    D = np.column_stack([np.ones(len(y)), X])
    m, p = D.shape
    P = np.diag(np.r_[0.0, np.full(p - 1, m * alpha)])        # the penalty, not the intercept
    coef = np.r_[model.intercept_, model.coef_]
    resid = y - D @ coef
    sigma2 = resid @ resid / (m - p)
    inv = np.linalg.inv(D.T @ D + P)
    _close(ours.cov_params().to_numpy(), sigma2 * inv @ D.T @ D @ inv, "ridge sandwich",
           rtol=1e-5)
    assert "approximate" in str(ours) and ours.record["approximate"]


def test_what_summary_refuses_names_the_parameter_and_the_way_out():
    X, y = _spector()
    model = LogisticClassifier().fit(X, y)
    with pytest.raises(ValueError, match="cov_type must be one of"):
        model.summary(cov_type="HC4")
    with pytest.raises(ValueError, match="cov_type='cluster' needs groups"):
        model.summary(cov_type="cluster")
    with pytest.raises(ValueError, match="groups must hold one label per row of X"):
        model.summary(cov_type="cluster", groups=[1, 2, 3])
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        model.summary(alpha=5)
    with pytest.raises(ValueError, match="pass both X and y"):
        model.summary(X)
    lasso = LogisticClassifier(alpha=0.01, l1_ratio=1.0).fit(X, y)
    with pytest.raises(ValueError, match="no standard errors for a fit with an L1 part: which"):
        lasso.summary()
    with pytest.raises(AttributeError, match="rsquared is defined for the linear model only"):
        model.summary().rsquared


def test_collinear_columns_are_named_instead_of_standard_errors():
    X, y = _longley()
    X = X.assign(TWICE=2 * X["GNP"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"'GNP'.*'TWICE' are collinear"):
        model.summary()


def test_the_summary_shows_as_text_html_and_a_frame():
    X, y = _spector()
    summary = LogisticClassifier().fit(X, y).summary(alpha=0.1)
    frame = summary.to_frame()
    assert list(frame.columns) == ["coef", "std err", "z", "P>|z|", "[0.05", "0.95]"]
    assert frame.loc["GPA", "coef"] == pytest.approx(summary.params["GPA"])
    text = str(summary)
    assert "Pseudo R-squ." in text and "converged" in text and "GPA" in text
    page = summary._repr_html_()
    assert page.startswith("<div>") and "<td>" in page and "GPA" in page


def test_a_model_file_keeps_the_summary_and_defends_it(tmp_path):
    import json

    from descend import load, save

    X, y = _spector()
    model = LogisticClassifier(tol=1e-12).fit(X, y)
    shown = model.summary(cov_type="HC0")
    path = save(model, tmp_path / "spector.json", summary=shown)
    loaded = load(path)
    assert str(loaded.summary(cov_type="HC0")) == str(shown)
    with pytest.raises(ValueError, match=r"loaded with the summary of cov_type='HC0' only"):
        loaded.summary()
    assert str(loaded.summary(X, y)) == str(model.summary())          # the rows given again
    other = LogisticClassifier(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="the summary of another fit"):
        save(other, tmp_path / "other.json", summary=shown)
    doc = json.loads(path.read_text())
    doc["summary"]["cov"][1][2] += 1.0                                   # no longer symmetric
    path.write_text(json.dumps(doc))
    with pytest.raises(Exception, match=r"its \"summary\" holds a covariance that is not"):
        load(path)


def test_partial_fit_after_fit_forgets_the_rows_of_the_fit():
    X, y = _spector()
    model = LogisticClassifier().fit(X, y)
    model.partial_fit(X.iloc[:10], y.iloc[:10])
    with pytest.raises(ValueError, match="not at hand"):
        model.summary()


@pytest.mark.parametrize("Model", [LinearRegression, LogisticClassifier])
def test_the_certified_gap_bounds_how_far_the_weights_are_from_the_optimum(Model):
    X, affairs, _ = _fair()
    y = affairs if Model is LinearRegression else (affairs > 0).astype(int)
    loose = Model(tol=1e-5, solver="lbfgs").fit(X, y).summary()
    Peer = sm.OLS if Model is LinearRegression else sm.Logit
    exact = Peer(y, sm.add_constant(X)).fit(**({} if Model is LinearRegression else
                                               {"disp": 0, "tol": 1e-12}))
    off = np.abs(loose.params.to_numpy() - exact.params.to_numpy()) / exact.bse.to_numpy()
    assert 0 < off.max() <= loose.record["within"], (off.max(), loose.record["within"])
    assert "standard errors of the optimum's" in str(loose)


def test_the_coefficient_figure_draws_statsmodels_intervals_per_standard_deviation():
    from descend import plots

    X, y = _spector()
    summary = LogisticClassifier(tol=1e-12).fit(X, y).summary()
    theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12)
    fig = plots.coefficients(summary)
    ax = fig.axes[0]
    segments = np.array([s[:, 0] for s in ax.collections[0].get_segments()])   # (3, 2)
    expected = theirs.conf_int().iloc[1:].to_numpy() * X.std(ddof=0).to_numpy()[:, None]
    np.testing.assert_allclose(segments, expected, rtol=1e-6)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["GPA", "TUCE", "PSI"]
    assert "per standard deviation" in ax.get_xlabel()


def test_the_summary_names_a_quasi_separation_that_statsmodels_misses():
    """statsmodels' Logit converges on these data and prints finite standard errors
    (its issue #2282); the summary names the column whose weight runs to infinity."""
    rng = np.random.default_rng(0)
    dose = np.concatenate([rng.uniform(-2, -0.01, 100), np.zeros(20), rng.uniform(0.01, 2, 100)])
    X = pd.DataFrame({"dose": dose, "noise": rng.normal(size=220)})
    y = np.concatenate([np.zeros(100), rng.integers(0, 2, 20), np.ones(100)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = LogisticClassifier().fit(X, y).summary()
    assert any("quasi-completely separated" in str(w.message) for w in caught)
    notes = " ".join(summary.record["notes"])
    assert "quasi-completely separated: a boundary along column 'dose'" in notes
    assert "'noise'" not in notes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    assert np.all(np.isfinite(theirs.bse))         # what a statsmodels user is shown


def test_the_summary_of_overlapping_classes_has_no_separation_note():
    X, y = _spector()
    assert not any("separated" in note for note in LogisticClassifier().fit(X, y).summary()
                   .record["notes"])


def test_the_summary_of_the_fertility_data_names_the_collinear_years():
    data = sm.datasets.fertility.load_pandas().data
    years = [str(year) for year in range(1960, 1964)]
    rows = data[years + ["1970"]].dropna()
    summary = LinearRegression().fit(rows[years], rows["1970"]).summary()
    assert ("Columns '1960', '1961', '1962', '1963' are nearly collinear"
            in " ".join(summary.record["notes"]))


def test_the_summary_reads_the_fits_penalty_not_parameters_set_after_it():
    X, y = _longley()
    model = LinearRegression(tol=1e-14).fit(X, y)
    before = model.summary().bse.to_numpy()
    model.set_params(alpha=0.5, l1_ratio=0.5)
    after = model.summary()
    np.testing.assert_array_equal(after.bse.to_numpy(), before)
    assert not after.record["approximate"]


@pytest.mark.parametrize("scale", [1e-120, 1e120])
def test_the_linear_summary_of_a_rescaled_y_is_rescaled(scale):
    X, y = _longley()
    plain = LinearRegression(tol=1e-14).fit(X, y).summary()
    scaled = LinearRegression(tol=1e-14).fit(X, y * scale).summary()
    _close(scaled.bse.to_numpy(), plain.bse.to_numpy() * scale, "bse", rtol=1e-6)
    _close(scaled.llf, plain.llf - len(y) * np.log(scale), "llf", rtol=1e-9)
    _close(scaled.rsquared, plain.rsquared, "R2", rtol=1e-9)


def test_what_the_data_leave_without_standard_errors_is_said():
    from descend.inference import InferenceError

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    with pytest.raises(InferenceError, match="y is constant"):
        LinearRegression().fit(X, np.full(40, 3.0)).summary()
    one = np.zeros(40)
    one[7] = 1.0                                   # a category of one row: leverage 1
    model = LinearRegression().fit(np.column_stack([X, one]), X @ [1.0, 2.0] + rng.normal(size=40))
    with pytest.raises(InferenceError, match=r"leverage 1, among them row 7"):
        model.summary(cov_type="HC3")
    assert np.all(np.isfinite(model.summary(cov_type="HC1").bse))
    three = LogisticClassifier().fit(X, rng.integers(0, 3, 40))
    with pytest.raises(InferenceError, match="use 'HC0', 'HC1' or 'cluster'"):
        three.summary(cov_type="HC2")
    with pytest.raises(ValueError, match=r"groups has 1 missing label\(s\) \(first at row 4\)"):
        model.summary(cov_type="cluster", groups=pd.Series(["a", "b"] * 20).where(
            np.arange(40) != 4))
