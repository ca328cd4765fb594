# %% [markdown]
# # 3. Gradient descent and the learning rate
#
# With the gradient in hand, gradient descent repeats one update: step
# against the gradient, scaled by the **learning rate** $\alpha$,
#
# $$w \leftarrow w - \alpha \nabla_w J, \qquad b \leftarrow b - \alpha \frac{\partial J}{\partial b},
# \qquad \nabla_w J = \frac1m X^\top(a - y).$$
#
# This chapter looks at that update four ways: written as a loop and as
# matrix products, and as the material's training loop with the estimator's
# own methods; as a walk on the loss surface; under learning rates that are
# too small, right and too large; against two faster solvers that use the
# same gradient; and against Newton's method, which also uses the curvature.

# %%
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("png")        # show descend's Figure objects as images

import warnings

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.exceptions import ConvergenceWarning

from descend import DivergenceError, LinearRegression, LogisticClassifier, datasets, explain, losses, plots

# %% [markdown]
# ## One update, looped and vectorized
#
# The material first writes the update as loops: for each example, for each
# feature, accumulate $(a_i - y_i)\,x_{ij}$, then divide by $m$ and step.
# Vectorized, the whole accumulation is the one product $X^\top(a - y)$.
# `explain.loop_vs_vector` runs both from zero weights for the same number of
# updates on the same random data, compares the weights and times them.

# %%
for model in ("linear", "logistic"):
    for m in (1_000, 5_000):
        result = explain.loop_vs_vector(m=m, n=5, n_iter=10, model=model, seed=0)
        print(f"{model:<8} {result}")
        assert result.max_difference < 1e-12

# %% [markdown]
# The two give the same weights up to rounding (differences near
# $10^{-16}$), and the vectorized update is more than ten times faster
# (the exact ratio depends on the machine): the loop runs in the Python
# interpreter, the products in compiled linear algebra.
#
# ## The material's loop, with the estimator's own two methods
#
# The material's `LogisticClassifier` learns with two methods.
# `_compute_loss_grad(X, delta)` turns the **mean error vector**
# $\delta = (\hat y - y)/m$ into the gradient, $\nabla_w J = X^\top\delta$ and
# $\partial J/\partial b = \sum_i \delta_i$; `_update_params(grad_w, grad_b)`
# steps $w$ and $b$ by the model's `learning_rate`. descend's estimators have
# both, fitted or not, so the loop can be written exactly as the material
# writes it. The data: two overlapping clusters, 100 points of each class.

# %%
blobs = datasets.make_blobs(n=200, separation=2.5, seed=0)
X, y = blobs.X, blobs.y
m, n = X.shape
clf = LogisticClassifier(solver="gd", learning_rate=0.5, standardize=False, max_iter=100, tol=0)
clf.coef_, clf.intercept_ = np.zeros((1, n)), np.zeros(1)    # start from w = 0, b = 0
for _ in range(100):
    y_hat = losses.sigmoid(X @ clf.coef_[0] + clf.intercept_[0])    # a = sigma(Xw + b)
    delta = (y_hat - y) / m                                          # the mean error vector
    grad_w, grad_b = clf._compute_loss_grad(X, delta)                # X^T delta, sum(delta)
    clf._update_params(grad_w, grad_b)                               # w -= alpha * grad_w, ...
print(f"the loop, 100 steps:   w = {clf.coef_[0]}, b = {clf.intercept_[0]:.6f}")

# %% [markdown]
# `fit` starts from $w = 0$ and the best constant $b$, the log-odds of the
# positive class, which for balanced classes is $b = 0$: the loop's start.
# With `solver="gd"`, the same fixed learning rate and no standardization it
# takes the same steps, computed by descend's fused pass over $X$ instead of
# `X.T @ delta`, and reaches the same weights to rounding:

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)    # tol=0: it stops after max_iter steps, on purpose
    fitted = LogisticClassifier(solver="gd", learning_rate=0.5, standardize=False,
                                max_iter=100, tol=0).fit(X, y)
print(f"fit(solver='gd'), {fitted.n_iter_} steps: w = {fitted.coef_[0]}, b = {fitted.intercept_[0]:.6f}")
difference = max(np.abs(clf.coef_ - fitted.coef_).max(), np.abs(clf.intercept_ - fitted.intercept_).max())
print(f"largest difference: {difference:.1e}")
assert difference < 1e-12

# %% [markdown]
# ## The loss surface and the path of the descent
#
# With one feature, a model has two parameters, $w$ and $b$, and its loss
# $J(w, b)$ is a surface over the plane. `plots.loss_surface` fits a model
# with plain gradient descent (`solver="gd"`, learning rate $1/L$ with
# backtracking, on the raw feature) and draws every iterate on that surface.
# The data: 50 points around the line $y = 2x + 1$, $x$ uniform on $[0, 10]$.

# %%
line = datasets.make_regression_line(n=50, w=2.0, b=1.0, noise=1.0, seed=0)
fig = plots.loss_surface(line.X, line.y, view="both")
print(f"{fig.descend_path.shape[0] - 1} iterations, from (w, b) = {fig.descend_path[0]} to {fig.descend_path[-1]}")
fig

# %% [markdown]
# The bowl is a long, narrow valley, and the descent needs about two thousand
# steps to cross it. The reason is in the curvature. For half the MSE the
# Hessian with respect to $(w, b)$ is $\frac1m[x\ 1]^\top[x\ 1]$, constant
# over the plane. Because $x$ lies on $[0, 10]$, far from centred, $w$ and $b$
# can trade off against each other: the Hessian's two eigenvalues are far
# apart. A learning rate must stay below $2/L$, $L$ the larger eigenvalue, so
# along the flat direction each step removes only a fraction about $1/\kappa$
# of the remaining error, $\kappa$ the ratio of the eigenvalues (the
# **condition number**). Reducing the gradient by the default tolerance,
# a factor $10^{6}$, then takes of the order of $\kappa \ln 10^{6}$ steps:

# %%
A = np.column_stack([line.X, np.ones(len(line))])         # (m, 2): [x, 1]
eigenvalues = np.linalg.eigvalsh(A.T @ A / len(line))
kappa = eigenvalues.max() / eigenvalues.min()
print(f"Hessian eigenvalues {eigenvalues}, condition number kappa = {kappa:.1f}")
print(f"kappa * ln(1e6) = {kappa * np.log(1e6):.0f} steps; the descent took {fig.descend_path.shape[0] - 1}")

# %% [markdown]
# Two ways out. **Momentum** (`solver="nesterov"`) lets steps build up speed
# along the valley floor. **Standardizing** the feature, $(x - \mu)/s$, makes
# the Hessian the identity in the coordinates the descent works in, so one
# step of $1/L$ lands on the optimum; descend does this by default
# (`standardize=True`) and reports $w$ and $b$ in the original units, which is
# how the path below is drawn.

# %%
fig = Figure(figsize=(12, 5), layout="constrained")
left, right = fig.subplots(1, 2)
plots.loss_surface(line.X, line.y, ax=left,
                   model=LinearRegression(solver="nesterov", standardize=False, max_iter=5000))
plots.loss_surface(line.X, line.y, ax=right,
                   model=LinearRegression(solver="gd", standardize=True, max_iter=5000))
for ax, name in ((left, "nesterov, raw x"), (right, "gd, standardized x")):
    print(f"{name:<20}: {ax.get_title().splitlines()[-1]}")
fig

# %% [markdown]
# The log-loss surface of a logistic model has the same kind of bowl near its
# optimum. The data: the first feature of two overlapping clusters.

# %%
blobs = datasets.make_blobs(n=200, separation=2.5, seed=0)
fig = plots.loss_surface(blobs.X[:, [0]], blobs.y, model="logistic")
print(f"{fig.descend_path.shape[0] - 1} iterations to {fig.descend_path[-1]}")
fig

# %% [markdown]
# Unlike half the MSE, the log-loss is not a quadratic: far from the optimum
# it rises along straight lines rather than parabolas, because a score on the
# wrong side costs about $|z|$ (Chapter 1). Along the line $b = 0$, doubling
# $|w|$ about doubles $J$ where a quadratic would quadruple it:

# %%
x0 = blobs.X[:, 0]
for w in (-5.0, -10.0, -20.0, -40.0):
    print(f"J(w = {w:>5}, b = 0) = {losses.log_loss_from_scores(blobs.y, w * x0):7.3f}")

# %% [markdown]
# ## Learning rates: too small, right, too large
#
# `plots.learning_rates` runs plain gradient descent at fixed rates
# $0.05/L$, $1/L$ and $2.2/L$ and draws the loss after each update. The data:
# 100 points on the plane $y = 2x_0 - x_1 + 1$ plus noise, with the raw
# features on the left and standardized ones on the right.

# %%
plane = datasets.make_regression_plane(n=100, seed=0)
fig = Figure(figsize=(13, 4.8), layout="constrained")
raw_ax, std_ax = fig.subplots(1, 2)
plots.learning_rates(plane.X, plane.y, model=LinearRegression(standardize=False), ax=raw_ax)
plots.learning_rates(plane.X, plane.y, model=LinearRegression(standardize=True), ax=std_ax)
raw_ax.set_title("raw features\n" + raw_ax.get_title().splitlines()[-1], fontsize="medium")
std_ax.set_title("standardized features\n" + std_ax.get_title().splitlines()[-1], fontsize="medium")
fig

# %% [markdown]
# - $\alpha = 0.05/L$ is **too small**: every step is safe, but the loss creeps down.
# - $\alpha = 1/L$ is **right** in the sense that no larger safe rate exists
#   along the steepest direction; on raw features it still slows to a crawl
#   once only the flat direction is left (the condition number again), while
#   on standardized features it converges within a few steps.
# - $\alpha = 2.2/L$ is **too large**: along the steepest direction each step
#   multiplies the error by $|1 - \alpha L| = 1.2$. On the raw features the
#   loss first falls (the other directions still improve) and then climbs; on
#   the standardized ones it rises at once. Either way the fit stops with a
#   `DivergenceError` (the triangle).
#
# The $L$ in the titles is computed by descend by power iteration. It agrees
# with the largest eigenvalue of the Hessian computed directly:

# %%
A = np.column_stack([plane.X, np.ones(len(plane))])       # (m, 3): [x0, x1, 1]
eigenvalues = np.linalg.eigvalsh(A.T @ A / len(plane))
L = eigenvalues.max()
print(f"raw features: Hessian eigenvalues {eigenvalues}")
print(f"L = {L:.4f}, 2/L = {2 / L:.5f}, condition number {L / eigenvalues.min():.0f}")

# %% [markdown]
# ## What `DivergenceError` says
#
# With a fixed learning rate, descend watches the loss: if it rises above its
# starting value, keeps rising for ten steps in a row, or stops being a
# finite number, the fit stops with a `DivergenceError` instead of returning
# weights that are `nan`. The message names the rate, the largest stable
# rate $2/L$ for these data, and the fix:

# %%
too_large = LinearRegression(solver="gd", standardize=False, learning_rate=2.2 / L)
try:
    too_large.fit(plane.X, plane.y)
except DivergenceError as error:
    print(f"DivergenceError: {error}")
print(f"fitted after the error? {hasattr(too_large, 'coef_')}")

# %% [markdown]
# Just below $2/L$ the same descent converges, slowly; with the default
# `learning_rate="auto"` descend starts at $1/L$, backtracks whenever the loss
# would rise, and so cannot diverge:

# %%
below = LinearRegression(solver="gd", standardize=False, learning_rate=1.9 / L, max_iter=5000).fit(plane.X, plane.y)
print(f"learning_rate = 1.9/L: {below.stop_reason_} after {below.n_iter_} iterations, w = {below.coef_}, b = {below.intercept_:.4f}")
auto = LinearRegression(solver="gd").fit(plane.X, plane.y)
print(f"learning_rate='auto', standardized: {auto.stop_reason_} after {auto.n_iter_} iterations, w = {auto.coef_}, b = {auto.intercept_:.4f}")

# %% [markdown]
# ## Three solvers, one gradient
#
# descend offers three ways to use the gradient:
#
# - `"gd"`: the update above, $\theta \leftarrow \theta - \alpha\nabla J$;
# - `"nesterov"`: Nesterov's accelerated gradient, which steps from a point
#   extrapolated along the previous step, $\theta_k + \beta_k(\theta_k - \theta_{k-1})$
#   (momentum), and restarts the momentum when the loss rises;
# - `"lbfgs"`: a quasi-Newton direction built from the last few
#   gradients, which approximates the inverse curvature, with a line search;
# - `"newton"`: the curvature itself, from the same pass (next section).
#
# On the two data sets of the material (all features, each model with its
# defaults, standardized) and at most 300 iterations each, the plot shows the
# distance to the optimal loss, $J - J^*$, on a log scale: how many digits
# each iteration gains. $J^*$ comes from a separate L-BFGS fit with a very
# tight tolerance; points where $J - J^* \le 0$ (the optimum reached to the
# last digit) are not drawn.

# %%
housing = datasets.load_housing()
cancer = datasets.load_breast_cancer()
problems = {
    "housing, linear": (LinearRegression, housing, {}),
    "breast cancer, logistic, alpha=1e-3": (LogisticClassifier, cancer, {"alpha": 1e-3}),
}

fig = Figure(figsize=(12, 4.2), layout="constrained")
rows = []
for ax, (name, (Model, data, params)) in zip(fig.subplots(1, 2), problems.items()):
    with warnings.catch_warnings():
        # The reference stops where float64 cannot lower the loss further, and gd is meant
        # to run out of iterations here: both warn about it, on purpose.
        warnings.simplefilter("ignore", ConvergenceWarning)
        optimum = Model(tol=1e-10, max_iter=10_000, **params).fit(data.X, data.y).history_["loss"][-1]
        for solver in ("gd", "nesterov", "lbfgs", "newton"):
            model = Model(solver=solver, max_iter=300, **params).fit(data.X, data.y)
            plots.loss_curve(model, ax=ax, optimum=optimum, label=solver, title=name)
            rows.append({"problem": name, "solver": solver, "iterations": model.n_iter_,
                         "stopped": model.stop_reason_, "J - J*": model.history_["loss"][-1] - optimum,
                         "(J - J*) / J*": (model.history_["loss"][-1] - optimum) / optimum})
print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2e}"))
fig

# %% [markdown]
# Plain gradient descent gains digits slowly and uses up its 300 iterations;
# momentum is much faster. L-BFGS gains digits faster still: its direction
# accounts for the curvature that makes the valleys of this chapter narrow.
# Newton's method, the next section, reaches the optimum to the last digit in
# a handful of iterations on both. All four follow the same gradient
# $X^\top(a - y)/m$; only what they do with it differs.
#
# ## Newton's method: use the curvature, not just the slope
#
# Gradient descent knows which way is down, not how far to go: the learning
# rate guesses that. Newton's method also measures how fast the slope changes,
# the **Hessian** $H$, and fits the local parabola
#
# $$J(\theta - d) \approx J(\theta) - g^\top d + \tfrac12 d^\top H d,$$
#
# whose bottom is at $d = H^{-1} g$: "fit the local parabola and jump to its
# bottom". For both models the Hessian has the gradient's shape, one more
# factor of $x$: $H = \frac1m X^\top \operatorname{diag}(a(1-a)) X$ for the
# log-loss ($\sigma' = \sigma(1-\sigma)$ again), and $\frac1m X^\top X$ for the
# squared error, a parabola already, so one step lands on the optimum. Here is
# one step with its numbers, on six examples of one feature:

# %%
print(explain.newton_step("logistic"))
print()
print(explain.newton_step("linear"))

# %% [markdown]
# The step is not a guess: no learning rate, and near the optimum each step
# doubles the number of correct digits. The same half of $g^\top H^{-1} g$,
# the **Newton decrement**, tells how far the loss still is from its optimum
# (exactly, for the squared error); descend stops on it and keeps it in
# `history_["gap"]`, so that `converged_ = True` is a promise about the loss.
# The price is the Hessian: $m n^2$ products per iteration against the
# gradient's $m n$, which is why `solver="auto"` takes Newton only up to a few
# hundred features (two thousand for the squared error) and L-BFGS beyond.
#
# On a loss surface of one feature the four solvers part ways from the same
# start: gradient descent creeps along the valley floor, momentum speeds up
# along it, L-BFGS learns the valley's shape from its steps, and Newton jumps.

# %%
radius = cancer.X[:, cancer.feature_names.index("mean_radius")]
fig = plots.solver_paths(radius / radius.std(), cancer.y, model="logistic")
print({solver: len(path) - 1 for solver, path in fig.descend_paths.items()})
fig

# %% [markdown]
# ## Batches: stochastic and mini-batch descent
#
# The material computes its loss "of a particular training dataset (whether
# that be an individual sample, a batch, or the entire set)". Every update so
# far read the entire set. An update can read a **batch** of $b$ rows instead:
# the same gradient $X_B^\top \delta_B$, averaged over the batch, is an
# unbiased estimate of the whole set's, and one pass over the rows (an
# **epoch**) now makes $m/b$ updates instead of one. `solver="sgd"` does this;
# `batch_size=1` is stochastic descent, `batch_size=None` the whole set
# (exactly `"gd"`).
#
# The step a batch can take safely shrinks with the batch: a single row may
# curve far more than the average. descend's automatic step is $1/L(b)$, from
# the whole set's curvature $L$ and the largest single row's:

# %%
print(explain.batches(housing.X, housing.y, batch_sizes=(None, 256, 16), epochs=(1, 3)))

# %% [markdown]
# On one feature, the paths show what the numbers mean. The whole set glides
# straight down; a batch of one row wanders, and ends in a **noise ball**
# around the minimum whose size is set by the step. When the step decays
# (`schedule="auto"` holds it for half of `max_iter`, then lowers it), the
# ball shrinks (right panel).

# %%
fig = plots.batch_paths(epochs=20)
fig

# %% [markdown]
# `history_` keeps the loss of every batch as well as the whole set's after
# each epoch, and the loss curve draws both: the noise of the single steps,
# and the steady fall behind it. With `average=True` the model returns the
# mean of its iterates, which averages that noise out. `converged_` keeps its
# promise here too: each epoch ends with the Newton decrement's bound on
# $J - J^*$, and the fit stops once it is within `tol`.

# %%
sgd = LinearRegression(solver="sgd", batch_size=64, max_iter=30, average=True, tol=1e-3)
sgd.fit(housing.X, housing.y)
print(sgd.n_iter_, "epochs,", sgd.history_["batch_loss"].size, "batch updates; converged:",
      sgd.converged_, "; certified (J - J*) / J:", sgd.history_["gap"][-1] / sgd.history_["loss"][-1])
plots.loss_curve(sgd, title="Housing, mini-batches of 64 rows")

# %% [markdown]
# Data that arrive in pieces, or do not fit in memory, are learned with
# `partial_fit`: one pass of mini-batch updates over each chunk, in order.
# Chunks fed in order are exactly one epoch of `"sgd"` over the same rows
# (`descend train --chunksize N` streams a CSV file this way).

# %%
stream = LinearRegression(batch_size=64, average=True)
for start in range(0, len(housing.y), 2000):
    stream.partial_fit(housing.X[start:start + 2000], housing.y[start:start + 2000])
print(stream.n_iter_, "chunks; R² on all rows:", round(stream.score(housing.X, housing.y), 3))

# %% [markdown]
# ## Three slips, caught by the gradient check
#
# The material's looped code holds two slips: the bias stepped by itself,
# `b = b - alpha * b` (it should be `db`), and `dz += a - y`, one `dz` carried
# across the examples where each needs its own. From-scratch code often drops
# the `1/m` as well. Each runs beside the right update on the same data: the
# gradient check (central differences) catches all three, while a loss curve
# alone would not (the bias slip's loss still falls).

# %%
print(explain.slips())

# %% [markdown]
# ## Watch it learn, live
#
# Everything in this chapter can be watched as it happens: `descend explore`
# (from a terminal) opens a page where you choose the data, the model, the
# solver and the learning rate, and see the path on the loss surface, the loss
# curve and the decision boundary move with every iteration, with the chain
# rule's numbers for any example you click. Slide the rate past the `2/L` mark
# to watch the descent fly off; every number on the page comes from the same
# estimators as here.
#
# ## Summary
#
# - The looped and the vectorized update compute the same numbers; the
#   vectorized one is much faster.
# - On the loss surface, badly scaled features make a narrow valley; plain
#   gradient descent then needs about $\kappa \ln(1/\text{tol})$ steps.
#   Standardizing or momentum fixes that.
# - A fixed learning rate must stay below $2/L$; above it descend stops with a
#   `DivergenceError` that names $2/L$ for your data. `learning_rate="auto"`
#   cannot diverge.
# - L-BFGS uses the same gradient and gains digits faster than momentum.
# - Newton's method uses the curvature too: it jumps to the bottom of the
#   local parabola, lands on the squared error's optimum in one step, and its
#   decrement certifies the distance to the optimum.
# - Batches of rows make many cheap, noisy updates per pass: per row read they
#   travel furthest, then wander in a noise ball that a decaying step or
#   averaging settles. `partial_fit` learns from chunks the same way.
# - A gradient check catches the slips a falling loss hides.
