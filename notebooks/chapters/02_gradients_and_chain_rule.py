# %% [markdown]
# # 2. Gradients and the chain rule
#
# Gradient descent needs the gradient of the loss with respect to every
# weight. For one example with loss $L$, score $z = w^\top x + b$ and
# prediction $a = g(z)$, the chain rule splits the derivative into three
# factors, one per step of the computation:
#
# $$\frac{\partial L}{\partial w_j}
#   = \frac{dL}{da}\cdot\frac{da}{dz}\cdot\frac{\partial z}{\partial w_j}.$$
#
# | model | loss $L$ | link | $\dfrac{dL}{da}$ | $\dfrac{da}{dz}$ | $\dfrac{\partial z}{\partial w_j}$ | product |
# |---|---|---|---|---|---|---|
# | linear | $\tfrac12 (a - y)^2$ | $a = z$ | $a - y$ | $1$ | $x_j$ | $(a - y)\,x_j$ |
# | logistic | $-[y\log a + (1-y)\log(1-a)]$ | $a = \sigma(z)$ | $\dfrac{a - y}{a(1 - a)}$ | $a(1 - a)$ | $x_j$ | $(a - y)\,x_j$ |
#
# For the log-loss, $\frac{dL}{da} = -\frac{y}{a} + \frac{1 - y}{1 - a} = \frac{a - y}{a(1-a)}$,
# and the sigmoid's derivative $a(1 - a)$ cancels its denominator. Both models
# end at the same expression. This chapter computes the three factors on real
# examples with `explain.chain_rule`, compares the two models with
# `explain.same_gradient`, and checks the full gradient on real data with
# `explain.check_gradient`.

# %%
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("png")        # show descend's Figure objects as images

import warnings

import numpy as np
import pandas as pd

from matplotlib.figure import Figure

from descend import LinearRegression, LogisticClassifier, SeparationWarning, datasets, explain
from descend.gradient import loss_grad
from descend.losses import LogLoss

cancer = datasets.load_breast_cancer()
housing = datasets.load_housing()
print(cancer)
print(housing)

# %% [markdown]
# ## Logistic regression, one breast-cancer example
#
# To have realistic weights, fit a logistic model on two features of the
# breast-cancer data (mean radius and mean texture; $y = 1$ is malignant),
# then differentiate the loss of one example at those weights. The example
# chosen is the one the model gets most wrong, the largest $|a - y|$.
# `chain_rule` prints the three factors, their product, the closed form
# $(a - y)x_j$, and a central finite difference of the example's loss.

# %%
features = ["mean_radius", "mean_texture"]
columns = [cancer.feature_names.index(name) for name in features]
X2 = cancer.X[:, columns]                                # (569, 2)
clf = LogisticClassifier(alpha=1e-3).fit(X2, cancer.y)
w, b = clf.coef_[0], clf.intercept_[0]
print(f"fitted w = {w}, b = {b:.4f}")

worst = int(np.argmax(np.abs(clf.predict_proba(X2)[:, 1] - cancer.y)))
print(f"example {worst}: mean_radius {X2[worst, 0]}, mean_texture {X2[worst, 1]}, y = {cancer.y[worst]}")
print(explain.chain_rule(X2[worst], cancer.y[worst], w, b, model="logistic", j=0))

# %% [markdown]
# The product of the three factors, the closed form and the finite difference
# agree to the digits shown. The factors tell a story: the model gives this
# malignant tumour a probability $a$ of under 2 %, so $\frac{dL}{da}$ is large,
# but the sigmoid is nearly flat there and $\frac{da}{dz} = a(1 - a)$ is small;
# what survives is $a - y$, how wrong the prediction is. A confident mistake,
# like this one, pulls hardest on the weights.
#
# ## Linear regression, one housing example
#
# The same for a linear model of the house value on two housing features,
# median income and median age, differentiated with respect to the weight of
# median income ($j = 0$) for the first block group.

# %%
features = ["median_income", "housing_median_age"]
columns = [housing.feature_names.index(name) for name in features]
H2 = housing.X[:, columns]                               # (20640, 2)
reg = LinearRegression().fit(H2, housing.y)
print(f"fitted w = {reg.coef_}, b = {reg.intercept_:.1f}")
print(f"example 0: median_income {H2[0, 0]}, housing_median_age {H2[0, 1]}, y = {housing.y[0]:.0f}")
print(explain.chain_rule(H2[0], housing.y[0], reg.coef_, reg.intercept_, model="linear", j=0))

# %% [markdown]
# Here $\frac{da}{dz} = 1$ and $\frac{dL}{da}$ is the residual in dollars. The
# product and the closed form agree exactly; the finite difference agrees to
# about six significant digits. The missing digits are rounding, not an error
# in the gradient: the example's loss is about $\tfrac12 (3 \times 10^4)^2
# \approx 5 \times 10^8$ dollars squared, and the difference of two such
# numbers, divided by a step of $10^{-6}$, loses about
# $\epsilon \cdot 5 \times 10^8 / 10^{-6} \approx 0.1$ (more on this at the
# end of the chapter).
#
# ## Two routes, one gradient
#
# `explain.same_gradient` puts one example through both models: the same
# $x$, $y$, $w$, $b$, hence the same score $z$, but different links and losses.

# %%
linear, logistic = explain.same_gradient()
print(linear, logistic, sep="\n\n")

# %%
table = pd.DataFrame(
    {name: [r.a, r.dL_da, r.da_dz, r.dz_dw, r.product, r.closed_form]
     for name, r in (("linear", linear), ("logistic", logistic))},
    index=["a", "dL/da", "da/dz", "dz/dw_0 = x_0", "product", "(a - y) x_0"],
)
table

# %% [markdown]
# $\frac{dL}{da}$ and $\frac{da}{dz}$ differ between the models, yet in both the
# product is $(a - y)\,x_0$, with each model's own $a$. This is the reason
# descend has one gradient and one training loop for both models: only the
# link $a = g(z)$ and the loss change.
#
# ## From one example to the whole data set
#
# The loss of the data set is the mean of the examples' losses,
# $J = \frac1m\sum_i L_i$, so its gradient is the mean of their gradients:
#
# $$\frac{\partial J}{\partial w_j} = \frac1m \sum_{i=1}^{m} (a_i - y_i)\,x_{ij}
# \quad\Longleftrightarrow\quad
# \nabla_w J = \frac1m X^\top (a - y), \qquad
# \frac{\partial J}{\partial b} = \frac1m\sum_{i=1}^{m} (a_i - y_i).$$
#
# Check on all 569 breast-cancer examples: the average of the per-example
# chain-rule products, against the vectorized gradient that descend trains
# with (`descend.gradient.loss_grad`).

# %%
y01 = cancer.y.astype(float)
per_example = np.array([
    [explain.chain_rule(x, y, w, b, model="logistic", j=j).product for j in range(2)]
    for x, y in zip(X2, y01)
])                                                       # (569, 2)
J, grad_w, grad_b, _ = loss_grad(X2, y01, w, b, LogLoss)
print(f"mean of per-example products : {per_example.mean(axis=0)}")
print(f"X^T (a - y) / m              : {grad_w}")
print(f"largest difference           : {np.max(np.abs(per_example.mean(axis=0) - grad_w)):.1e}")

# %% [markdown]
# (These are gradients of the unpenalized loss; the model was fitted with a
# small penalty $\frac{\alpha}{2}\lVert w \rVert^2$, whose gradient $\alpha w$
# they do not include, so they are not zero.)
#
# ## Checking the gradient on real data
#
# A gradient derived by hand can be wrong by a sign or a factor, and a descent
# with a wrong gradient may still lower the loss for a while. The test is to
# compare with central differences of $J$ itself, parameter by parameter:
#
# $$\hat g_k = \frac{J(\theta + h_k e_k) - J(\theta - h_k e_k)}{2h_k},
# \qquad \text{error} = \frac{\max_k |g_k - \hat g_k|}{\max_k |g_k|}.$$
#
# `explain.check_gradient(model, X, y)` does this with all $n + 1$ parameters,
# at the fitted values moved by a small random step (at the optimum the
# gradient is zero, and a relative error meaningless), or at a random point
# for an unfitted model. The penalty's gradient is included.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SeparationWarning)   # on purpose, see below
    unpenalized = LogisticClassifier().fit(cancer.X, cancer.y)
penalized = LogisticClassifier(alpha=1e-3).fit(cancer.X, cancer.y)
linear = LinearRegression().fit(housing.X, housing.y)

cases = {
    "cancer, alpha=1e-3": (penalized, cancer),
    "cancer, unfitted": (LogisticClassifier(), cancer),
    "cancer, unpenalized": (unpenalized, cancer),
    "housing, linear": (linear, housing),
}
for name, (model, data) in cases.items():
    error = explain.check_gradient(model, data.X, data.y)
    print(f"{name:<20} {data.X.shape[1] + 1:>3} parameters   relative error {error:.1e}")
    assert error < 1e-3

# %% [markdown]
# All four errors are small (the logistic models are on the breast-cancer
# data, with and without the penalty, and unfitted); the unpenalized fit's is
# the largest, for a reason the step-size sweep below shows. For scale, here is what
# a *wrong* gradient looks like: forget the factor $\frac{da}{dz}$ in the chain rule of the
# breast-cancer example above and compare with the finite difference.

# %%
r = explain.chain_rule(X2[worst], cancer.y[worst], w, b, model="logistic", j=0)
forgot = r.dL_da * r.dz_dw                               # da/dz left out
print(f"right product {r.product:.6g}, without da/dz {forgot:.6g}, finite difference {r.finite_difference:.6g}")
print(f"relative error of the right one: {abs(r.product - r.finite_difference) / abs(r.finite_difference):.1e}")
print(f"relative error of the wrong one: {abs(forgot - r.finite_difference) / abs(r.finite_difference):.1e}")

# %% [markdown]
# A mistake shows up as an error of order one or more; a correct gradient as
# one many orders of magnitude smaller. How small depends on the step $h$, because
# two errors pull in opposite directions:
#
# - **truncation**: the central difference is exact for a quadratic and off by
#   $O(h^2 \cdot J''')$ otherwise, so it grows with $h$ where the loss bends
#   fast;
# - **rounding**: $J$ is stored with a relative precision
#   $\epsilon \approx 2.2\times10^{-16}$, so the difference of two values of $J$
#   carries an error of about $\epsilon |J| / h$, which grows as $h$ shrinks.
#
# The sweep below shows both. The housing loss is a quadratic in dollars
# squared ($J \approx 10^9$): no truncation error, so the largest $h$ is best.
# The unpenalized breast-cancer fit has huge weights (the classes are
# separable, Chapter 4), scores $|z|$ in the thousands, and a loss that bends
# sharply: there a small $h$ is best. The penalized fit sits in between.

# %%
steps = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7]
sweep = pd.DataFrame(
    {name: [explain.check_gradient(model, data.X, data.y, h=h) for h in steps]
     for name, (model, data) in cases.items()},
    index=pd.Index([f"{h:.0e}" for h in steps], name="h"),
)
print(sweep.map(lambda e: f"{e:.1e}").to_string())
print("best h:", ", ".join(f"{name} {h}" for name, h in sweep.idxmin().items()))
print()
print(f"housing: J at the fit = {linear.history_['loss'][-1]:.3g} (dollars squared)")
print(f"unpenalized breast cancer: largest |z| = {np.abs(unpenalized.decision_function(cancer.X)).max():.0f}, "
      f"penalized: {np.abs(penalized.decision_function(cancer.X)).max():.0f}")

# %% [markdown]
# The same table drawn, with the error of the gradient that forgot
# $\frac{da}{dz}$ for comparison:

# %%
fig = Figure(figsize=(7, 4.2), layout="constrained")
ax = fig.subplots()
for name in sweep.columns:
    ax.loglog(steps, sweep[name], marker="o", label=name)
ax.axhline(abs(forgot - r.finite_difference) / abs(r.finite_difference), color="black", linestyle="--",
           label="a wrong gradient (da/dz forgotten)")
ax.set(xlabel="step h", ylabel="relative error", title="Gradient check: error against step size")
ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
fig

# %% [markdown]
# The best step differs from curve to curve, as the two error sources trade
# places, but every point lies hundreds to billions of times below the error
# of the wrong gradient.
#
# ## Summary
#
# - Per example and per weight, $\frac{\partial L}{\partial w_j} =
#   \frac{dL}{da}\frac{da}{dz}x_j = (a - y)\,x_j$ for both models.
# - Averaged over the data: $\nabla_w J = X^\top(a - y)/m$ and
#   $\partial J/\partial b$ is the mean residual.
# - A finite-difference check separates a right gradient (small relative
#   error over a range of $h$) from a wrong one (error of order one or more).
