"""Redraw the README's figures: python docs/figures.py (writes docs/loss_curves.png,
docs/solver_paths.png, docs/batch_paths.png, docs/slips.png, docs/lasso_path.png and
docs/coefficients.png)."""

import warnings
from pathlib import Path

from matplotlib.figure import Figure

from descend import LinearRegression, LogisticClassifier, datasets, plots
from descend.teach.slips import slips_figure

SOLVERS = ("gd", "nesterov", "lbfgs", "newton")


def panel(ax, Model, data, title, **params):
    best = Model(tol=1e-9, max_iter=10_000, random_state=0, **params).fit(data.X, data.y)
    optimum = best.history_["loss"][-1]
    for solver in SOLVERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # gd stops at max_iter on purpose
            model = Model(solver=solver, max_iter=300, random_state=0, **params).fit(data.X, data.y)
        plots.loss_curve(model, ax=ax, optimum=optimum * (1 - 1e-15), label=solver, title=title)


def main(path=Path(__file__).with_name("loss_curves.png")):
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    panel(left, LinearRegression, datasets.load_housing(), "Housing prices (linear, unscaled)")
    panel(right, LogisticClassifier, datasets.load_breast_cancer(),
          f"Breast cancer (logistic, alpha={datasets.CANCER_ALPHA:g})", alpha=datasets.CANCER_ALPHA)
    fig.savefig(path, dpi=100)
    paths = path.with_name("solver_paths.png")
    cancer = datasets.load_breast_cancer()
    radius = cancer.X[:, cancer.feature_names.index("mean_radius")]
    plots.solver_paths(radius / radius.std(), cancer.y, model="logistic").savefig(paths, dpi=100)
    batches = path.with_name("batch_paths.png")
    plots.batch_paths().savefig(batches, dpi=90)
    slips = path.with_name("slips.png")
    slips_figure().savefig(slips, dpi=90)
    plots.lasso_path().savefig(path.with_name("lasso_path.png"), dpi=90)
    coefficients().savefig(path.with_name("coefficients.png"), dpi=90)
    return path, paths, batches, slips


def coefficients():
    """The README's summary example as a figure: four breast-cancer measurements."""
    import pandas as pd

    cancer = datasets.load_breast_cancer()
    X = pd.DataFrame(cancer.X, columns=cancer.feature_names).iloc[:, :4]
    summary = LogisticClassifier().fit(X, cancer.y).summary()
    return plots.coefficients(summary, title="Breast cancer: four weights, how sure they are")


if __name__ == "__main__":
    print(main())
