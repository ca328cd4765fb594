# %% [markdown]
# # 1. Losses and likelihood
#
# Both models of this material compute a **score** $z = w^\top x + b$ for an
# example $x$ and turn it into a **prediction** $a = \hat y = g(z)$: the identity
# $g(z) = z$ for linear regression, the sigmoid $g(z) = \sigma(z)$ for logistic
# regression. Learning means choosing $w$ and $b$ to make a **loss** $J$ small.
# This chapter asks where the two losses come from, and how to compute them
# without numerical accidents:
#
# 1. half the mean squared error, and why the $\tfrac12$;
# 2. the binary cross-entropy as the negative log-likelihood of coin tosses;
# 3. the coin toss worked out: the maximum-likelihood estimate $\hat p = i/N$;
# 4. the sigmoid and its derivative;
# 5. the log-loss computed from scores, which never overflows.

# %%
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("png")        # show descend's Figure objects as images

import numpy as np
from matplotlib.figure import Figure

from descend import explain, losses, plots

# %% [markdown]
# ## Half the mean squared error
#
# Linear regression measures its $m$ predictions $\hat y_i$ against the targets
# $y_i$ with
#
# $$J = \frac{1}{2m}\sum_{i=1}^{m} (\hat y_i - y_i)^2 .$$
#
# The $\tfrac12$ is a convenience: the power rule brings down a 2 that it
# cancels, so the derivative with respect to one prediction is just the
# residual over $m$,
#
# $$\frac{\partial J}{\partial \hat y_i} = \frac{\hat y_i - y_i}{m}.$$
#
# Below, `losses.squared_error_loss` on four predictions, its derivative with
# respect to $\hat y_0$ by central differences, and the closed form.

# %%
y = np.array([3.0, -0.5, 2.0, 7.0])
y_hat = np.array([2.5, 0.0, 2.0, 8.0])
m = y.size

J = losses.squared_error_loss(y, y_hat)
print(f"J (half the MSE)  = {J}")
print(f"MSE = 2 J         = {2 * J}")

h = 1e-6
step = np.array([h, 0.0, 0.0, 0.0])
numeric = (losses.squared_error_loss(y, y_hat + step) - losses.squared_error_loss(y, y_hat - step)) / (2 * h)
print(f"dJ/dy_hat[0], finite difference = {numeric:.10f}")
print(f"(y_hat[0] - y[0]) / m           = {(y_hat[0] - y[0]) / m:.10f}")

# %% [markdown]
# Multiplying a loss by a positive constant changes its values but not where
# its minimum lies. Predict one constant $c$ for every example: $J(c)$ is
# smallest at the mean of $y$, and so is the full MSE $2J(c)$. On a grid of
# $c$ both minima fall on the same grid point.

# %%
c = np.linspace(-2.0, 8.0, 10_001)                       # steps of 0.001
half_mse = np.array([losses.squared_error_loss(y, np.full(m, ck)) for ck in c])
mse = 2 * half_mse
print(f"argmin of J   : c = {c[np.argmin(half_mse)]:.3f}")
print(f"argmin of 2 J : c = {c[np.argmin(mse)]:.3f}")
print(f"mean of y     :     {y.mean():.3f}")

# %% [markdown]
# ## Binary cross-entropy is a negative log-likelihood
#
# A classifier says how likely each label is: $a_i = P(y_i = 1 \mid x_i)$.
# Read each label $y_i \in \{0, 1\}$ as the outcome of a coin toss (a
# Bernoulli trial) with probability $a_i$ of heads. The probability of the
# outcome actually seen is $a_i$ if $y_i = 1$ and $1 - a_i$ if $y_i = 0$, in
# one formula $a_i^{y_i}(1 - a_i)^{1 - y_i}$. For independent examples the
# **likelihood** of all labels is the product
#
# $$\mathcal L = \prod_{i=1}^{m} a_i^{y_i} (1 - a_i)^{1 - y_i}.$$
#
# Good parameters make the labels seen likely. Maximizing $\mathcal L$ is the
# same as minimizing $-\frac1m \log \mathcal L$, the **binary cross-entropy**:
#
# $$J = -\frac1m \sum_{i=1}^{m} \bigl[\, y_i \log a_i + (1 - y_i)\log(1 - a_i) \bigr].$$
#
# Five labels and five predicted probabilities, the product and the library's
# loss:

# %%
labels = np.array([1, 0, 1, 1, 0])
a = np.array([0.9, 0.2, 0.7, 0.6, 0.1])

likelihood = np.prod(a**labels * (1 - a) ** (1 - labels))
print(f"likelihood L                    = {likelihood:.6f}")
print(f"-log(L) / m                     = {-np.log(likelihood) / labels.size:.12f}")
print(f"losses.binary_log_loss(y, a)    = {losses.binary_log_loss(labels, a):.12f}")

# %% [markdown]
# The logarithm is not only tidier (a sum instead of a product, and the
# $\log$ is increasing, so it keeps the maximum in place); it is necessary.
# A product of many probabilities underflows: 1,100 fair coin tosses have
# likelihood $0.5^{1100} \approx 10^{-331}$, below the smallest positive
# float64 (about $4.9 \times 10^{-324}$). The sum of logs has no such problem.

# %%
fair = np.full(1100, 0.5)
print(f"product of 1,100 probabilities 0.5 : {np.prod(fair)}")
print(f"sum of their logs                  : {np.sum(np.log(fair)):.4f}")
print(f"smallest positive float64          : {np.nextafter(0.0, 1.0)}")

# %% [markdown]
# ## The coin toss: $\hat p = i/N$
#
# A coin shows heads $i$ times in $N$ tosses. The likelihood of a heads
# probability $p$ and its logarithm are
#
# $$\mathcal L(p) = p^{i}(1 - p)^{N - i}, \qquad
# \ell(p) = i \log p + (N - i)\log(1 - p).$$
#
# Setting $\ell'(p) = \frac{i}{p} - \frac{N - i}{1 - p}$ to zero gives
# $i(1 - p) = (N - i)p$, so the **maximum-likelihood estimate** is
# $\hat p = i/N$, the observed frequency. `explain.coin_toss` evaluates both
# functions on a grid of $p$ and compares the grid's best point with $i/N$:

# %%
toss = explain.coin_toss(7, 10)
print(toss)

# %% [markdown]
# The same arrays drawn: the likelihood (left) and the log-likelihood
# (middle) peak at the same $p$, because $\log$ is increasing. On the right,
# the likelihood relative to its maximum, $\mathcal L(p)/\mathcal L(\hat p)$,
# for 7 heads in 10 tosses and for 70 in 100: the same estimate, but ten
# times the data rule out much more of the range of $p$.

# %%
more = explain.coin_toss(70, 100)

fig = Figure(figsize=(13, 3.8), layout="constrained")
left, middle, right = fig.subplots(1, 3)
inside = slice(1, -1)                      # log 0 = -inf at p = 0 and p = 1
left.plot(toss.p, toss.likelihood)
middle.plot(toss.p[inside], toss.log_likelihood[inside])
middle.set_ylim(-25, 0)
for result in (toss, more):
    right.plot(result.p, result.likelihood / result.likelihood.max(),
               label=f"{result.heads} heads in {result.tosses}")
for ax in (left, middle, right):
    ax.axvline(toss.mle, color="black", linestyle="--", linewidth=1, label=r"$\hat p = i/N = 0.7$")
    ax.set_xlabel("p, the probability of heads")
left.set(ylabel=r"$\mathcal{L}(p) = p^7 (1-p)^3$", title="Likelihood, 7 heads in 10")
middle.set(ylabel=r"$\ell(p) = 7 \log p + 3 \log(1-p)$", title="Log-likelihood, 7 heads in 10")
right.set(ylabel=r"$\mathcal{L}(p) / \mathcal{L}(\hat p)$", title="More tosses, a sharper peak")
right.legend()
fig

# %%
# How wide is the range of p whose likelihood is at least 10 % of the maximum?
for result in (toss, more):
    plausible = result.p[result.likelihood >= 0.1 * result.likelihood.max()]
    print(f"{result.heads:>2} heads in {result.tosses:>3}: p from {plausible.min():.3f} to {plausible.max():.3f}")

# %% [markdown]
# **The link to the log-loss.** Record the ten tosses as labels (seven 1s,
# three 0s) and predict the same probability $p$ for each. Then the binary
# cross-entropy is $-\ell(p)/N$: minimizing the log-loss *is* maximum
# likelihood. At $p = 0.7$:

# %%
tosses = np.array([1] * 7 + [0] * 3)
k = int(np.argmin(np.abs(toss.p - 0.7)))                 # the grid point p = 0.7
print(f"-log-likelihood / N at p = {toss.p[k]:.1f} : {-toss.log_likelihood[k] / toss.tosses:.12f}")
print(f"binary_log_loss(tosses, 0.7)   : {losses.binary_log_loss(tosses, np.full(10, 0.7)):.12f}")

# %% [markdown]
# One edge case foreshadows Chapter 4. With no heads at all, $\hat p = 0/N = 0$,
# on the boundary. A logistic model can only reach $\sigma(z) = 0$ as
# $z \to -\infty$: when the data allow a perfect answer, the maximum-likelihood
# weights run off to infinity.

# %%
print(explain.coin_toss(0, 5))

# %% [markdown]
# ## The sigmoid and its derivative
#
# Logistic regression turns a score into a probability with
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
# \sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2}
#            = \frac{1}{1 + e^{-z}}\cdot\frac{e^{-z}}{1 + e^{-z}}
#            = \sigma(z)\bigl(1 - \sigma(z)\bigr).$$

# %%
plots.sigmoid_figure()

# %% [markdown]
# The figure's marks, as numbers: $\sigma(0) = \tfrac12$, the derivative is
# largest at $z = 0$ where it is $\tfrac14$, and far from 0 it all but vanishes,
# so a confident prediction barely changes when the weights move. The last
# line checks $\sigma' = \sigma(1 - \sigma)$ against central differences.

# %%
z = np.linspace(-8, 8, 1601)
slope = losses.sigmoid_derivative(z)
print(f"sigma(0) = {losses.sigmoid(0.0)},  sigma'(0) = {losses.sigmoid_derivative(0.0)}")
print(f"largest sigma' on [-8, 8]: {slope.max()} at z = {z[np.argmax(slope)]:g}")
for zk in (-10.0, -4.0, 4.0, 10.0):
    print(f"sigma'({zk:+g}) = {losses.sigmoid_derivative(zk):.3e}")

h = 1e-5
numeric = (losses.sigmoid(z + h) - losses.sigmoid(z - h)) / (2 * h)
print(f"largest |finite difference - sigma(1 - sigma)| on the grid: {np.max(np.abs(numeric - slope)):.1e}")

# %% [markdown]
# ## A log-loss that never overflows
#
# Computed from probabilities, the loss needs $\log a$ and $\log(1 - a)$. For a
# large score $\sigma(z)$ rounds to exactly 1 in float64 (from $z \approx 36.7$
# on, printed below), so $\log(1 - a) = \log 0 = -\infty$; and $0 \cdot \log 0$
# is `nan`. The way out is to write the loss in the score itself. Since
# $\log\sigma(z) = z - \log(1 + e^{z})$ and $\log(1 - \sigma(z)) = -\log(1 + e^{z})$,
#
# $$L(z, y) = -\bigl[y\log\sigma(z) + (1 - y)\log(1 - \sigma(z))\bigr]
#          = \log(1 + e^{z}) - y z ,$$
#
# and `losses.log_loss_from_scores` evaluates $\log(1 + e^{z})$ as
# $\max(z, 0) + \log(1 + e^{-|z|})$, in which $e^{\cdot}$ never sees a positive
# argument. Its derivative is $\partial L / \partial z = \sigma(z) - y$: bounded,
# so training never meets an infinite gradient either.
#
# The table compares three ways on single examples: the textbook formula with
# $\sigma(z) = 1/(1 + e^{-z})$, `binary_log_loss` (which clips the probability to
# $[\epsilon, 1 - \epsilon]$), and `log_loss_from_scores`. The exact loss is
# about $|z|$ when the score points to the wrong class and about 0 when it
# points to the right one.

# %%
grid = np.arange(30.0, 40.0, 0.01)
print(f"sigma(z) rounds to 1.0 from z = {grid[np.argmax(losses.sigmoid(grid) == 1.0)]:.2f} on\n")


def textbook_log_loss(y, z):
    a = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(a) + (1 - y) * np.log(1 - a))

print(f"{'y':>2} {'z':>8}   {'textbook':>10} {'clipped':>10} {'from scores':>12}")
for y_k, z_k in [(1, 1e4), (0, 1e4), (1, -1e4), (0, -1e4), (1, 40.0), (0, 40.0)]:
    with np.errstate(all="ignore"):                      # overflow and log(0), on purpose
        naive = textbook_log_loss(y_k, z_k)
        clipped = losses.binary_log_loss([y_k], [1.0 / (1.0 + np.exp(-z_k))])
    stable = losses.log_loss_from_scores([y_k], [z_k])
    print(f"{y_k:>2} {z_k:>8g}   {naive:>10.4g} {clipped:>10.4g} {stable:>12.6g}")

# %% [markdown]
# The textbook formula returns `inf` for a confident mistake and `nan` even for a
# confident *correct* answer ($0 \cdot \log 0$). Clipping keeps the numbers
# finite but caps every mistake at $-\log \epsilon \approx 36.04$, however
# wrong: a score of $-10^4$ for a positive example costs the same as one of
# $-40$. Only the loss from scores gives the exact values: $10^4$ and $40$ for
# the mistakes, and for the right answers $\log(1 + e^{-|z|})$, which is
# $e^{-40} \approx 4.2 \times 10^{-18}$ at $|z| = 40$ and rounds to 0 at
# $|z| = 10^4$. This is why descend trains on $z$ and never on $\sigma(z)$.
#
# ## Summary
#
# - Half the MSE has the residual $(\hat y - y)/m$ as its derivative; the
#   $\tfrac12$ moves no minimum.
# - The binary cross-entropy is $-\frac1m \log$ of the Bernoulli likelihood;
#   logs turn an underflowing product into a sum.
# - For a coin, maximum likelihood gives $\hat p = i/N$; more data, a sharper
#   likelihood.
# - $\sigma' = \sigma(1 - \sigma) \le \tfrac14$, and it vanishes for confident
#   predictions.
# - Compute the log-loss from scores, $\log(1 + e^z) - yz$: exact for any
#   finite $z$.
