# %% [markdown]
# # 4. Logistic regression
#
# A logistic classifier predicts $P(y = 1 \mid x) = \sigma(w^\top x + b)$ and the
# class 1 where that probability exceeds $\tfrac12$, that is where
# $w^\top x + b > 0$. Its **decision boundary** $w^\top x + b = 0$ is a straight
# line in two dimensions (a hyperplane in more). This chapter asks on which
# data that is enough, and then fits the breast-cancer data, whose classes a
# hyperplane separates perfectly: a case with no best unpenalized model.

# %%
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("png")        # show descend's Figure objects as images

import warnings

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import cross_val_score

from descend import DataContainer, LogisticClassifier, SeparationWarning, datasets, explain, losses, plots
from descend.metrics import classification_metrics

# %% [markdown]
# ## Where a straight line is enough
#
# `plots.decision_boundaries` fits a logistic classifier to each of five toy
# data sets with two features (a stratified 70/30 split, seed 0) and shades
# the predicted probability; the black line is the boundary, circles are
# training points and triangles test points.

# %%
boundaries = plots.decision_boundaries(seed=0)
boundaries

# %% [markdown]
# The titles carry the accuracies. The figure keeps what it fitted
# (`boundaries.descend_fits`), so the numbers go in a table with two more:
# the largest weight $\max_j |w_j|$, and how far from $\tfrac12$ the
# predicted probabilities get on the training points.

# %%
def score_table(fits):
    rows = {}
    for name, fit in fits.items():
        model, train, test = fit["model"], fit["train"], fit["test"]
        proba = model.predict_proba(train.X)[:, 1]
        rows[name] = {"train accuracy": model.score(train.X, train.y),
                      "test accuracy": model.score(test.X, test.y),
                      "max |w_j|": np.abs(model.coef_).max(),
                      "max |P - 1/2|": np.abs(proba - 0.5).max(),
                      "stopped": model.stop_reason_}
    return pd.DataFrame.from_dict(rows, orient="index")


scores = score_table(boundaries.descend_fits)
print(scores.to_string(float_format=lambda v: f"{v:.3f}"))

# %% [markdown]
# Best to worst:
#
# - **Blobs far apart** (separable): every point right, on both parts. A line
#   is all it takes; the fit stops at the first weights that classify every
#   training point (`separable`, see below).
# - **Blobs overlapping**: for two round clusters of equal spread the best
#   possible boundary is itself a straight line, so the errors come from the
#   overlap, not from the model. (The test part, 60 points, happens to score
#   higher than the training part.)
# - **Moons**: a line gets most points right but not the tips of the arcs,
#   which reach past each other; the best boundary is curved.
# - **Circles** and **xor**: a poor fit, near chance. No line separates a ring
#   from its centre, or one diagonal pair of clusters from the other. The
#   model does the best a line can, which is almost nothing: weights close to
#   0 and probabilities close to $\tfrac12$ everywhere (last columns). On
#   circles the test accuracy even falls below $\tfrac12$, which is noise
#   around a classifier that has learnt nothing.

# %%
assert scores.loc["blobs, far apart", "test accuracy"] == 1.0
assert scores.loc[["circles", "xor"], "test accuracy"].max() < 0.6

# %% [markdown]
# ## A new feature bends the boundary
#
# The model is linear in its *features*, and the features need not be the raw
# coordinates. For circles use $(x_0,\ x_0^2 + x_1^2)$, the squared radius; for
# xor use $(x_0,\ x_0 x_1)$, whose sign is the class. A straight line in the new
# coordinates is a circle, or a pair of axes, in the old ones.

# %%
circles, xor = datasets.make_circles(seed=0), datasets.make_xor(seed=0)
engineered = {
    "circles, (x0, x0² + x1²)": DataContainer(
        np.column_stack([circles.X[:, 0], (circles.X**2).sum(axis=1)]), circles.y, ["x0", "x0² + x1²"]),
    "xor, (x0, x0·x1)": DataContainer(
        np.column_stack([xor.X[:, 0], xor.X[:, 0] * xor.X[:, 1]]), xor.y, ["x0", "x0·x1"]),
}
bent = plots.decision_boundaries(engineered, seed=0)
print(score_table(bent.descend_fits)[["train accuracy", "test accuracy"]].to_string(float_format=lambda v: f"{v:.3f}"))
bent

# %% [markdown]
# ## Breast cancer
#
# 569 tumours, 30 measurements of their cell nuclei, $y = 1$ for malignant.
# Hold out a stratified fifth for testing.

# %%
cancer = datasets.load_breast_cancer()
train, test = cancer.train_test_split(0.8, seed=0, stratify=True)
print(cancer)
print(f"train {len(train)} rows ({train.y.mean():.1%} malignant), test {len(test)} rows ({test.y.mean():.1%} malignant)")

# %% [markdown]
# ### Separable classes: no best unpenalized model
#
# Fit without a penalty and keep the warning:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    unpenalized = LogisticClassifier().fit(train.X, train.y)
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
print()
print(f"stop reason {unpenalized.stop_reason_!r} after {unpenalized.n_iter_} iterations")
print(f"training accuracy {unpenalized.score(train.X, train.y)}, ||w|| = {np.linalg.norm(unpenalized.coef_):.4g}")

# %% [markdown]
# Why there is no optimum: if some $(w, b)$ puts every training example on its
# side of the boundary, every score has the sign of its class, and scaling
# $(w, b)$ by $c > 1$ scales every score by $c$. Each example's loss
# $\log(1 + e^{z}) - yz$ then falls towards 0, so $J(cw, cb)$ keeps falling as
# $c$ grows and no finite weights minimize it. With the fitted weights:

# %%
z = unpenalized.decision_function(train.X)                  # (456,)
print(f"every example on its side: {bool(np.all((2 * train.y - 1) * z > 0))}")
for c in (1, 2, 4, 8, 16):
    print(f"J(c w, c b) for c = {c:>2}: {losses.log_loss_from_scores(train.y, c * z):.3e}")

# %% [markdown]
# descend notices this (weights that put every training example on its side
# of the boundary prove the classes separable), stops, and warns with
# `SeparationWarning` rather than letting the weights grow without bound.
#
# ### A penalized fit
#
# A penalty $\frac{\alpha}{2}\lVert w\rVert^2$ on the weights (not the
# intercept) makes the objective
#
# $$J_\alpha(w, b) = -\frac1m\sum_{i=1}^{m}\bigl[y_i\log a_i + (1-y_i)\log(1-a_i)\bigr] + \frac{\alpha}{2}\lVert w\rVert^2$$
#
# grow again as the weights grow, so it has exactly one minimum. Choose
# $\alpha$ by 5-fold cross-validation on the training part only (descend's
# estimators work with scikit-learn's tools), scoring the held-out log-loss:

# %%
alphas = [1e-4, 1e-3, 1e-2, 1e-1]
cv_loss = pd.Series(
    [-cross_val_score(LogisticClassifier(alpha=a), train.X, train.y, cv=5, scoring="neg_log_loss").mean()
     for a in alphas],
    index=pd.Index(alphas, name="alpha"), name="cross-validated log-loss",
)
best_alpha = cv_loss.idxmin()
print(cv_loss.to_string(float_format=lambda v: f"{v:.4f}"))
print(f"chosen alpha = {best_alpha:g}")

penalized = LogisticClassifier(alpha=best_alpha).fit(train.X, train.y)
print(f"stop reason {penalized.stop_reason_!r} after {penalized.n_iter_} iterations, ||w|| = {np.linalg.norm(penalized.coef_):.4g}")

# %% [markdown]
# ### Held-out metrics
#
# Both fits on the test part. Accuracy counts which side of $\tfrac12$ each
# probability falls; precision and recall are those of the malignant class
# (of the tumours called malignant, the fraction that are; of the malignant
# tumours, the fraction found); the log-loss also asks how *confident* the
# probabilities were.

# %%
metrics = pd.DataFrame({
    "unpenalized": classification_metrics(test.y, unpenalized.predict_proba(test.X)[:, 1], unpenalized.classes_),
    f"alpha = {best_alpha:g}": classification_metrics(test.y, penalized.predict_proba(test.X)[:, 1], penalized.classes_),
})
print(metrics.to_string(float_format=lambda v: f"{v:.4f}"))
print()
print("confusion matrix of the penalized fit (rows: true benign, malignant; columns: predicted)")
print(confusion_matrix(test.y, penalized.predict(test.X)))

# %% [markdown]
# The accuracies are close, but the log-loss of the unpenalized fit is about
# ten times larger: its huge weights push almost every probability to 0 or 1,
# so each test mistake is a confident one and costs dearly. The histograms
# show it: nearly all unpenalized probabilities sit in the two end bins, while
# the penalized ones spread out for the less clear cases.

# %%
fig = Figure(figsize=(12, 4), layout="constrained")
left, right = fig.subplots(1, 2)
for ax, (name, model) in zip((left, right), (("unpenalized", unpenalized), (f"alpha = {best_alpha:g}", penalized))):
    plots.probability_histogram(test.y, model.predict_proba(test.X)[:, 1], model.classes_, ax=ax,
                                title=f"Test set, {name}")
fig

# %%
for name, model in (("unpenalized", unpenalized), ("penalized", penalized)):
    p = model.predict_proba(test.X)[:, 1]
    wrong = model.predict(test.X) != test.y
    p_true = np.where(test.y == 1, p, 1 - p)[wrong]          # probability given to the true class
    print(f"{name:<12}: {np.mean((p < 0.01) | (p > 0.99)):.0%} of the test probabilities below 1 % or above 99 %; "
          f"the {wrong.sum()} mistakes gave the true class {np.array2string(np.sort(p_true), precision=3)}")

# %% [markdown]
# The same number of mistakes, but the unpenalized model makes them with
# near certainty, giving the true class a probability close to 0, and the
# log-loss charges $-\log$ of that probability for each.

# %% [markdown]
# ### How sure are the weights?
#
# The log-loss is the negative log-likelihood of Bernoulli trials, so the
# curvature of the summed loss at its minimum, the Hessian
# $H = X_1^\top \operatorname{diag}(a(1-a))\, X_1$ that Newton's method
# uses ($X_1$ is $X$ with a column of ones), is the *information* in the data
# about the weights, and its inverse is their covariance: the standard error
# of each weight is the square root of a diagonal entry of $H^{-1}$.
# `summary()` reports them, with z statistics, p-values and intervals, named
# as statsmodels names them. The full data are separable, so there is no
# finite unpenalized fit to be sure about; four of the thirty measurements
# are not, and have one:

# %%
four = pd.DataFrame(cancer.X, columns=cancer.feature_names).iloc[:, :4]
fitted = LogisticClassifier().fit(four, cancer.y)
summary = fitted.summary()
print(summary)

# %% [markdown]
# The same standard errors from the formula, with numpy:

# %%
X1 = np.column_stack([np.ones(len(four)), four.to_numpy()])
a = fitted.predict_proba(four)[:, 1]
H = X1.T @ (X1 * (a * (1 - a))[:, None])
by_hand = np.sqrt(np.diag(np.linalg.inv(H)))
print(pd.DataFrame({"summary()": summary.bse, "sqrt(diag(H^-1))": by_hand}).to_string(float_format=lambda v: f"{v:.6f}"))

# %% [markdown]
# ## More than two classes: the softmax
#
# With $K$ classes the model keeps a weight vector per class and turns the
# $K$ scores $z = W^\top x + b$ into probabilities with the softmax,
# $\hat y_k = e^{z_k} / \sum_l e^{z_l}$. The loss is still the negative
# log-likelihood, now of the true class, and its derivative in the scores is
# still the residual $\delta = \hat y - Y$, with $Y$ the one-hot target: the
# gradient is the same $X^\top\delta/m$, with a column per class.

# %%
print(explain.softmax_gradient())

# %% [markdown]
# The iris flowers have three species. `LogisticClassifier` fits them with the
# softmax when it sees three labels; its loss matches scikit-learn's
# multinomial `LogisticRegression` (with `C = 1/(alpha m)`).

# %%
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X_iris, y_iris = load_iris(return_X_y=True)
softmax_model = LogisticClassifier(alpha=0.01, tol=1e-10).fit(X_iris, y_iris)
reference = LogisticRegression(C=1 / (0.01 * len(y_iris)), tol=1e-12, max_iter=10_000).fit(X_iris, y_iris)
print("coef_ shape:", softmax_model.coef_.shape, " classes:", softmax_model.classes_)
print("largest difference of the probabilities from scikit-learn's:",
      f"{np.abs(softmax_model.predict_proba(X_iris) - reference.predict_proba(X_iris)).max():.1e}")
print(f"training accuracy: {softmax_model.score(X_iris, y_iris):.3f}")

# %% [markdown]
# ## Summary
#
# - A logistic classifier draws a straight boundary. It fits clusters that a
#   line separates, or that overlap evenly; it fails on rings and xor, where it
#   settles for probabilities near $\tfrac12$.
# - Nonlinear features, such as $x_0^2 + x_1^2$ or $x_0x_1$, make a linear model
#   draw curved boundaries.
# - On separable data the unpenalized loss has no minimum; descend stops with
#   a `SeparationWarning`. A penalty $\frac{\alpha}{2}\lVert w\rVert^2$ gives a
#   unique fit with less overconfident probabilities and a much lower
#   held-out log-loss.
# - The Hessian at the optimum is the information the data hold about the
#   weights; its inverse is their covariance, which `summary()` turns into
#   standard errors, tests and intervals.
# - With more than two classes the softmax takes the sigmoid's place, and the
#   residual $\hat y - Y$ and the gradient $X^\top\delta/m$ stay the same.
