"""Write the teaching notebooks: ``python notebooks/build.py``.

Each chapter is a list of markdown and code cells below; this script turns
them into ``notebooks/NN_*.ipynb`` without outputs, with fixed cell ids, so
rebuilding gives byte-identical files and the diffs stay readable. The test
suite (``tests/test_notebooks.py``) executes them.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

# Every notebook starts with this: the library's figures are matplotlib Figure
# objects made without pyplot; this makes Jupyter show them as PNG images when
# they are the last expression of a cell or passed to display().
SHOW_FIGURES = """\
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("png")        # show descend's Figure objects as images"""


def md(text):
    return new_markdown_cell(dedent(text).strip("\n"))


def code(text):
    return new_code_cell(dedent(text).strip("\n"))


def setup(text):
    """The first code cell: display of figures, then the chapter's imports."""
    return code(SHOW_FIGURES + "\n\n" + dedent(text).strip("\n"))


# ====================================================================== chapter 1
CHAPTER_1 = [
    md(r"""
    # 1. Losses and likelihood

    Both models of this material compute a **score** $z = w^\top x + b$ for an
    example $x$ and turn it into a **prediction** $a = \hat y = g(z)$: the identity
    $g(z) = z$ for linear regression, the sigmoid $g(z) = \sigma(z)$ for logistic
    regression. Learning means choosing $w$ and $b$ to make a **loss** $J$ small.
    This chapter asks where the two losses come from, and how to compute them
    without numerical accidents:

    1. half the mean squared error, and why the $\tfrac12$;
    2. the binary cross-entropy as the negative log-likelihood of coin tosses;
    3. the coin toss worked out: the maximum-likelihood estimate $\hat p = i/N$;
    4. the sigmoid and its derivative;
    5. the log-loss computed from scores, which never overflows.
    """),
    setup("""

    import numpy as np
    from matplotlib.figure import Figure

    from descend import explain, losses, plots"""),
    md(r"""
    ## Half the mean squared error

    Linear regression measures its $m$ predictions $\hat y_i$ against the targets
    $y_i$ with

    $$J = \frac{1}{2m}\sum_{i=1}^{m} (\hat y_i - y_i)^2 .$$

    The $\tfrac12$ is a convenience: the power rule brings down a 2 that it
    cancels, so the derivative with respect to one prediction is just the
    residual over $m$,

    $$\frac{\partial J}{\partial \hat y_i} = \frac{\hat y_i - y_i}{m}.$$

    Below, `losses.squared_error_loss` on four predictions, its derivative with
    respect to $\hat y_0$ by central differences, and the closed form.
    """),
    code("""
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
    print(f"(y_hat[0] - y[0]) / m           = {(y_hat[0] - y[0]) / m:.10f}")"""),
    md(r"""
    Multiplying a loss by a positive constant changes its values but not where
    its minimum lies. Predict one constant $c$ for every example: $J(c)$ is
    smallest at the mean of $y$, and so is the full MSE $2J(c)$. On a grid of
    $c$ both minima fall on the same grid point.
    """),
    code("""
    c = np.linspace(-2.0, 8.0, 10_001)                       # steps of 0.001
    half_mse = np.array([losses.squared_error_loss(y, np.full(m, ck)) for ck in c])
    mse = 2 * half_mse
    print(f"argmin of J   : c = {c[np.argmin(half_mse)]:.3f}")
    print(f"argmin of 2 J : c = {c[np.argmin(mse)]:.3f}")
    print(f"mean of y     :     {y.mean():.3f}")"""),
    md(r"""
    ## Binary cross-entropy is a negative log-likelihood

    A classifier says how likely each label is: $a_i = P(y_i = 1 \mid x_i)$.
    Read each label $y_i \in \{0, 1\}$ as the outcome of a coin toss (a
    Bernoulli trial) with probability $a_i$ of heads. The probability of the
    outcome actually seen is $a_i$ if $y_i = 1$ and $1 - a_i$ if $y_i = 0$, in
    one formula $a_i^{y_i}(1 - a_i)^{1 - y_i}$. For independent examples the
    **likelihood** of all labels is the product

    $$\mathcal L = \prod_{i=1}^{m} a_i^{y_i} (1 - a_i)^{1 - y_i}.$$

    Good parameters make the labels seen likely. Maximizing $\mathcal L$ is the
    same as minimizing $-\frac1m \log \mathcal L$, the **binary cross-entropy**:

    $$J = -\frac1m \sum_{i=1}^{m} \bigl[\, y_i \log a_i + (1 - y_i)\log(1 - a_i) \bigr].$$

    Five labels and five predicted probabilities, the product and the library's
    loss:
    """),
    code("""
    labels = np.array([1, 0, 1, 1, 0])
    a = np.array([0.9, 0.2, 0.7, 0.6, 0.1])

    likelihood = np.prod(a**labels * (1 - a) ** (1 - labels))
    print(f"likelihood L                    = {likelihood:.6f}")
    print(f"-log(L) / m                     = {-np.log(likelihood) / labels.size:.12f}")
    print(f"losses.binary_log_loss(y, a)    = {losses.binary_log_loss(labels, a):.12f}")"""),
    md(r"""
    The logarithm is not only tidier (a sum instead of a product, and the
    $\log$ is increasing, so it keeps the maximum in place); it is necessary.
    A product of many probabilities underflows: 1,100 fair coin tosses have
    likelihood $0.5^{1100} \approx 10^{-331}$, below the smallest positive
    float64 (about $4.9 \times 10^{-324}$). The sum of logs has no such problem.
    """),
    code("""
    fair = np.full(1100, 0.5)
    print(f"product of 1,100 probabilities 0.5 : {np.prod(fair)}")
    print(f"sum of their logs                  : {np.sum(np.log(fair)):.4f}")
    print(f"smallest positive float64          : {np.nextafter(0.0, 1.0)}")"""),
    md(r"""
    ## The coin toss: $\hat p = i/N$

    A coin shows heads $i$ times in $N$ tosses. The likelihood of a heads
    probability $p$ and its logarithm are

    $$\mathcal L(p) = p^{i}(1 - p)^{N - i}, \qquad
    \ell(p) = i \log p + (N - i)\log(1 - p).$$

    Setting $\ell'(p) = \frac{i}{p} - \frac{N - i}{1 - p}$ to zero gives
    $i(1 - p) = (N - i)p$, so the **maximum-likelihood estimate** is
    $\hat p = i/N$, the observed frequency. `explain.coin_toss` evaluates both
    functions on a grid of $p$ and compares the grid's best point with $i/N$:
    """),
    code("""
    toss = explain.coin_toss(7, 10)
    print(toss)"""),
    md(r"""
    The same arrays drawn: the likelihood (left) and the log-likelihood
    (middle) peak at the same $p$, because $\log$ is increasing. On the right,
    the likelihood relative to its maximum, $\mathcal L(p)/\mathcal L(\hat p)$,
    for 7 heads in 10 tosses and for 70 in 100: the same estimate, but ten
    times the data rule out much more of the range of $p$.
    """),
    code("""
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
        ax.axvline(toss.mle, color="black", linestyle="--", linewidth=1, label=r"$\\hat p = i/N = 0.7$")
        ax.set_xlabel("p, the probability of heads")
    left.set(ylabel=r"$\\mathcal{L}(p) = p^7 (1-p)^3$", title="Likelihood, 7 heads in 10")
    middle.set(ylabel=r"$\\ell(p) = 7 \\log p + 3 \\log(1-p)$", title="Log-likelihood, 7 heads in 10")
    right.set(ylabel=r"$\\mathcal{L}(p) / \\mathcal{L}(\\hat p)$", title="More tosses, a sharper peak")
    right.legend()
    fig"""),
    code("""
    # How wide is the range of p whose likelihood is at least 10 % of the maximum?
    for result in (toss, more):
        plausible = result.p[result.likelihood >= 0.1 * result.likelihood.max()]
        print(f"{result.heads:>2} heads in {result.tosses:>3}: p from {plausible.min():.3f} to {plausible.max():.3f}")"""),
    md(r"""
    **The link to the log-loss.** Record the ten tosses as labels (seven 1s,
    three 0s) and predict the same probability $p$ for each. Then the binary
    cross-entropy is $-\ell(p)/N$: minimizing the log-loss *is* maximum
    likelihood. At $p = 0.7$:
    """),
    code("""
    tosses = np.array([1] * 7 + [0] * 3)
    k = int(np.argmin(np.abs(toss.p - 0.7)))                 # the grid point p = 0.7
    print(f"-log-likelihood / N at p = {toss.p[k]:.1f} : {-toss.log_likelihood[k] / toss.tosses:.12f}")
    print(f"binary_log_loss(tosses, 0.7)   : {losses.binary_log_loss(tosses, np.full(10, 0.7)):.12f}")"""),
    md(r"""
    One edge case foreshadows Chapter 4. With no heads at all, $\hat p = 0/N = 0$,
    on the boundary. A logistic model can only reach $\sigma(z) = 0$ as
    $z \to -\infty$: when the data allow a perfect answer, the maximum-likelihood
    weights run off to infinity.
    """),
    code("""
    print(explain.coin_toss(0, 5))"""),
    md(r"""
    ## The sigmoid and its derivative

    Logistic regression turns a score into a probability with

    $$\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
    \sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2}
               = \frac{1}{1 + e^{-z}}\cdot\frac{e^{-z}}{1 + e^{-z}}
               = \sigma(z)\bigl(1 - \sigma(z)\bigr).$$
    """),
    code("""
    plots.sigmoid_figure()"""),
    md(r"""
    The figure's marks, as numbers: $\sigma(0) = \tfrac12$, the derivative is
    largest at $z = 0$ where it is $\tfrac14$, and far from 0 it all but vanishes,
    so a confident prediction barely changes when the weights move. The last
    line checks $\sigma' = \sigma(1 - \sigma)$ against central differences.
    """),
    code("""
    z = np.linspace(-8, 8, 1601)
    slope = losses.sigmoid_derivative(z)
    print(f"sigma(0) = {losses.sigmoid(0.0)},  sigma'(0) = {losses.sigmoid_derivative(0.0)}")
    print(f"largest sigma' on [-8, 8]: {slope.max()} at z = {z[np.argmax(slope)]:g}")
    for zk in (-10.0, -4.0, 4.0, 10.0):
        print(f"sigma'({zk:+g}) = {losses.sigmoid_derivative(zk):.3e}")

    h = 1e-5
    numeric = (losses.sigmoid(z + h) - losses.sigmoid(z - h)) / (2 * h)
    print(f"largest |finite difference - sigma(1 - sigma)| on the grid: {np.max(np.abs(numeric - slope)):.1e}")"""),
    md(r"""
    ## A log-loss that never overflows

    Computed from probabilities, the loss needs $\log a$ and $\log(1 - a)$. For a
    large score $\sigma(z)$ rounds to exactly 1 in float64 (from $z \approx 36.7$
    on, printed below), so $\log(1 - a) = \log 0 = -\infty$; and $0 \cdot \log 0$
    is `nan`. The way out is to write the loss in the score itself. Since
    $\log\sigma(z) = z - \log(1 + e^{z})$ and $\log(1 - \sigma(z)) = -\log(1 + e^{z})$,

    $$L(z, y) = -\bigl[y\log\sigma(z) + (1 - y)\log(1 - \sigma(z))\bigr]
             = \log(1 + e^{z}) - y z ,$$

    and `losses.log_loss_from_scores` evaluates $\log(1 + e^{z})$ as
    $\max(z, 0) + \log(1 + e^{-|z|})$, in which $e^{\cdot}$ never sees a positive
    argument. Its derivative is $\partial L / \partial z = \sigma(z) - y$: bounded,
    so training never meets an infinite gradient either.

    The table compares three ways on single examples: the textbook formula with
    $\sigma(z) = 1/(1 + e^{-z})$, `binary_log_loss` (which clips the probability to
    $[\epsilon, 1 - \epsilon]$), and `log_loss_from_scores`. The exact loss is
    about $|z|$ when the score points to the wrong class and about 0 when it
    points to the right one.
    """),
    code("""
    grid = np.arange(30.0, 40.0, 0.01)
    print(f"sigma(z) rounds to 1.0 from z = {grid[np.argmax(losses.sigmoid(grid) == 1.0)]:.2f} on\\n")


    def textbook_log_loss(y, z):
        a = 1.0 / (1.0 + np.exp(-z))
        return -(y * np.log(a) + (1 - y) * np.log(1 - a))

    print(f"{'y':>2} {'z':>8}   {'textbook':>10} {'clipped':>10} {'from scores':>12}")
    for y_k, z_k in [(1, 1e4), (0, 1e4), (1, -1e4), (0, -1e4), (1, 40.0), (0, 40.0)]:
        with np.errstate(all="ignore"):                      # overflow and log(0), on purpose
            naive = textbook_log_loss(y_k, z_k)
            clipped = losses.binary_log_loss([y_k], [1.0 / (1.0 + np.exp(-z_k))])
        stable = losses.log_loss_from_scores([y_k], [z_k])
        print(f"{y_k:>2} {z_k:>8g}   {naive:>10.4g} {clipped:>10.4g} {stable:>12.6g}")"""),
    md(r"""
    The textbook formula returns `inf` for a confident mistake and `nan` even for a
    confident *correct* answer ($0 \cdot \log 0$). Clipping keeps the numbers
    finite but caps every mistake at $-\log \epsilon \approx 36.04$, however
    wrong: a score of $-10^4$ for a positive example costs the same as one of
    $-40$. Only the loss from scores gives the exact values: $10^4$ and $40$ for
    the mistakes, and for the right answers $\log(1 + e^{-|z|})$, which is
    $e^{-40} \approx 4.2 \times 10^{-18}$ at $|z| = 40$ and rounds to 0 at
    $|z| = 10^4$. This is why descend trains on $z$ and never on $\sigma(z)$.

    ## Summary

    - Half the MSE has the residual $(\hat y - y)/m$ as its derivative; the
      $\tfrac12$ moves no minimum.
    - The binary cross-entropy is $-\frac1m \log$ of the Bernoulli likelihood;
      logs turn an underflowing product into a sum.
    - For a coin, maximum likelihood gives $\hat p = i/N$; more data, a sharper
      likelihood.
    - $\sigma' = \sigma(1 - \sigma) \le \tfrac14$, and it vanishes for confident
      predictions.
    - Compute the log-loss from scores, $\log(1 + e^z) - yz$: exact for any
      finite $z$.
    """),
]


# ====================================================================== chapter 2
CHAPTER_2 = [
    md(r"""
    # 2. Gradients and the chain rule

    Gradient descent needs the gradient of the loss with respect to every
    weight. For one example with loss $L$, score $z = w^\top x + b$ and
    prediction $a = g(z)$, the chain rule splits the derivative into three
    factors, one per step of the computation:

    $$\frac{\partial L}{\partial w_j}
      = \frac{dL}{da}\cdot\frac{da}{dz}\cdot\frac{\partial z}{\partial w_j}.$$

    | model | loss $L$ | link | $\dfrac{dL}{da}$ | $\dfrac{da}{dz}$ | $\dfrac{\partial z}{\partial w_j}$ | product |
    |---|---|---|---|---|---|---|
    | linear | $\tfrac12 (a - y)^2$ | $a = z$ | $a - y$ | $1$ | $x_j$ | $(a - y)\,x_j$ |
    | logistic | $-[y\log a + (1-y)\log(1-a)]$ | $a = \sigma(z)$ | $\dfrac{a - y}{a(1 - a)}$ | $a(1 - a)$ | $x_j$ | $(a - y)\,x_j$ |

    For the log-loss, $\frac{dL}{da} = -\frac{y}{a} + \frac{1 - y}{1 - a} = \frac{a - y}{a(1-a)}$,
    and the sigmoid's derivative $a(1 - a)$ cancels its denominator. Both models
    end at the same expression. This chapter computes the three factors on real
    examples with `explain.chain_rule`, compares the two models with
    `explain.same_gradient`, and checks the full gradient on real data with
    `explain.check_gradient`.
    """),
    setup("""

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
    print(housing)"""),
    md(r"""
    ## Logistic regression, one breast-cancer example

    To have realistic weights, fit a logistic model on two features of the
    breast-cancer data (mean radius and mean texture; $y = 1$ is malignant),
    then differentiate the loss of one example at those weights. The example
    chosen is the one the model gets most wrong, the largest $|a - y|$.
    `chain_rule` prints the three factors, their product, the closed form
    $(a - y)x_j$, and a central finite difference of the example's loss.
    """),
    code("""
    features = ["mean_radius", "mean_texture"]
    columns = [cancer.feature_names.index(name) for name in features]
    X2 = cancer.X[:, columns]                                # (569, 2)
    clf = LogisticClassifier(alpha=1e-3).fit(X2, cancer.y)
    w, b = clf.coef_[0], clf.intercept_[0]
    print(f"fitted w = {w}, b = {b:.4f}")

    worst = int(np.argmax(np.abs(clf.predict_proba(X2)[:, 1] - cancer.y)))
    print(f"example {worst}: mean_radius {X2[worst, 0]}, mean_texture {X2[worst, 1]}, y = {cancer.y[worst]}")
    print(explain.chain_rule(X2[worst], cancer.y[worst], w, b, model="logistic", j=0))"""),
    md(r"""
    The product of the three factors, the closed form and the finite difference
    agree to the digits shown. The factors tell a story: the model gives this
    malignant tumour a probability $a$ of under 2 %, so $\frac{dL}{da}$ is large,
    but the sigmoid is nearly flat there and $\frac{da}{dz} = a(1 - a)$ is small;
    what survives is $a - y$, how wrong the prediction is. A confident mistake,
    like this one, pulls hardest on the weights.

    ## Linear regression, one housing example

    The same for a linear model of the house value on two housing features,
    median income and median age, differentiated with respect to the weight of
    median income ($j = 0$) for the first block group.
    """),
    code("""
    features = ["median_income", "housing_median_age"]
    columns = [housing.feature_names.index(name) for name in features]
    H2 = housing.X[:, columns]                               # (20640, 2)
    reg = LinearRegression().fit(H2, housing.y)
    print(f"fitted w = {reg.coef_}, b = {reg.intercept_:.1f}")
    print(f"example 0: median_income {H2[0, 0]}, housing_median_age {H2[0, 1]}, y = {housing.y[0]:.0f}")
    print(explain.chain_rule(H2[0], housing.y[0], reg.coef_, reg.intercept_, model="linear", j=0))"""),
    md(r"""
    Here $\frac{da}{dz} = 1$ and $\frac{dL}{da}$ is the residual in dollars. The
    product and the closed form agree exactly; the finite difference agrees to
    about six significant digits. The missing digits are rounding, not an error
    in the gradient: the example's loss is about $\tfrac12 (3 \times 10^4)^2
    \approx 5 \times 10^8$ dollars squared, and the difference of two such
    numbers, divided by a step of $10^{-6}$, loses about
    $\epsilon \cdot 5 \times 10^8 / 10^{-6} \approx 0.1$ (more on this at the
    end of the chapter).

    ## Two routes, one gradient

    `explain.same_gradient` puts one example through both models: the same
    $x$, $y$, $w$, $b$, hence the same score $z$, but different links and losses.
    """),
    code("""
    linear, logistic = explain.same_gradient()
    print(linear, logistic, sep="\\n\\n")"""),
    code("""
    table = pd.DataFrame(
        {name: [r.a, r.dL_da, r.da_dz, r.dz_dw, r.product, r.closed_form]
         for name, r in (("linear", linear), ("logistic", logistic))},
        index=["a", "dL/da", "da/dz", "dz/dw_0 = x_0", "product", "(a - y) x_0"],
    )
    table"""),
    md(r"""
    $\frac{dL}{da}$ and $\frac{da}{dz}$ differ between the models, yet in both the
    product is $(a - y)\,x_0$, with each model's own $a$. This is the reason
    descend has one gradient and one training loop for both models: only the
    link $a = g(z)$ and the loss change.

    ## From one example to the whole data set

    The loss of the data set is the mean of the examples' losses,
    $J = \frac1m\sum_i L_i$, so its gradient is the mean of their gradients:

    $$\frac{\partial J}{\partial w_j} = \frac1m \sum_{i=1}^{m} (a_i - y_i)\,x_{ij}
    \quad\Longleftrightarrow\quad
    \nabla_w J = \frac1m X^\top (a - y), \qquad
    \frac{\partial J}{\partial b} = \frac1m\sum_{i=1}^{m} (a_i - y_i).$$

    Check on all 569 breast-cancer examples: the average of the per-example
    chain-rule products, against the vectorized gradient that descend trains
    with (`descend.gradient.loss_grad`).
    """),
    code("""
    y01 = cancer.y.astype(float)
    per_example = np.array([
        [explain.chain_rule(x, y, w, b, model="logistic", j=j).product for j in range(2)]
        for x, y in zip(X2, y01)
    ])                                                       # (569, 2)
    J, grad_w, grad_b, _ = loss_grad(X2, y01, w, b, LogLoss)
    print(f"mean of per-example products : {per_example.mean(axis=0)}")
    print(f"X^T (a - y) / m              : {grad_w}")
    print(f"largest difference           : {np.max(np.abs(per_example.mean(axis=0) - grad_w)):.1e}")"""),
    md(r"""
    (These are gradients of the unpenalized loss; the model was fitted with a
    small penalty $\frac{\alpha}{2}\lVert w \rVert^2$, whose gradient $\alpha w$
    they do not include, so they are not zero.)

    ## Checking the gradient on real data

    A gradient derived by hand can be wrong by a sign or a factor, and a descent
    with a wrong gradient may still lower the loss for a while. The test is to
    compare with central differences of $J$ itself, parameter by parameter:

    $$\hat g_k = \frac{J(\theta + h_k e_k) - J(\theta - h_k e_k)}{2h_k},
    \qquad \text{error} = \frac{\max_k |g_k - \hat g_k|}{\max_k |g_k|}.$$

    `explain.check_gradient(model, X, y)` does this with all $n + 1$ parameters,
    at the fitted values moved by a small random step (at the optimum the
    gradient is zero, and a relative error meaningless), or at a random point
    for an unfitted model. The penalty's gradient is included.
    """),
    code("""
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
        assert error < 1e-3"""),
    md(r"""
    All four errors are small (the logistic models are on the breast-cancer
    data, with and without the penalty, and unfitted); the unpenalized fit's is
    the largest, for a reason the step-size sweep below shows. For scale, here is what
    a *wrong* gradient looks like: forget the factor $\frac{da}{dz}$ in the chain rule of the
    breast-cancer example above and compare with the finite difference.
    """),
    code("""
    r = explain.chain_rule(X2[worst], cancer.y[worst], w, b, model="logistic", j=0)
    forgot = r.dL_da * r.dz_dw                               # da/dz left out
    print(f"right product {r.product:.6g}, without da/dz {forgot:.6g}, finite difference {r.finite_difference:.6g}")
    print(f"relative error of the right one: {abs(r.product - r.finite_difference) / abs(r.finite_difference):.1e}")
    print(f"relative error of the wrong one: {abs(forgot - r.finite_difference) / abs(r.finite_difference):.1e}")"""),
    md(r"""
    A mistake shows up as an error of order one or more; a correct gradient as
    one many orders of magnitude smaller. How small depends on the step $h$, because
    two errors pull in opposite directions:

    - **truncation**: the central difference is exact for a quadratic and off by
      $O(h^2 \cdot J''')$ otherwise, so it grows with $h$ where the loss bends
      fast;
    - **rounding**: $J$ is stored with a relative precision
      $\epsilon \approx 2.2\times10^{-16}$, so the difference of two values of $J$
      carries an error of about $\epsilon |J| / h$, which grows as $h$ shrinks.

    The sweep below shows both. The housing loss is a quadratic in dollars
    squared ($J \approx 10^9$): no truncation error, so the largest $h$ is best.
    The unpenalized breast-cancer fit has huge weights (the classes are
    separable, Chapter 4), scores $|z|$ in the thousands, and a loss that bends
    sharply: there a small $h$ is best. The penalized fit sits in between.
    """),
    code("""
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
          f"penalized: {np.abs(penalized.decision_function(cancer.X)).max():.0f}")"""),
    md(r"""
    The same table drawn, with the error of the gradient that forgot
    $\frac{da}{dz}$ for comparison:
    """),
    code("""
    fig = Figure(figsize=(7, 4.2), layout="constrained")
    ax = fig.subplots()
    for name in sweep.columns:
        ax.loglog(steps, sweep[name], marker="o", label=name)
    ax.axhline(abs(forgot - r.finite_difference) / abs(r.finite_difference), color="black", linestyle="--",
               label="a wrong gradient (da/dz forgotten)")
    ax.set(xlabel="step h", ylabel="relative error", title="Gradient check: error against step size")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig"""),
    md(r"""
    The best step differs from curve to curve, as the two error sources trade
    places, but every point lies hundreds to billions of times below the error
    of the wrong gradient.

    ## Summary

    - Per example and per weight, $\frac{\partial L}{\partial w_j} =
      \frac{dL}{da}\frac{da}{dz}x_j = (a - y)\,x_j$ for both models.
    - Averaged over the data: $\nabla_w J = X^\top(a - y)/m$ and
      $\partial J/\partial b$ is the mean residual.
    - A finite-difference check separates a right gradient (small relative
      error over a range of $h$) from a wrong one (error of order one or more).
    """),
]


# ====================================================================== chapter 3
CHAPTER_3 = [
    md(r"""
    # 3. Gradient descent and the learning rate

    With the gradient in hand, gradient descent repeats one update: step
    against the gradient, scaled by the **learning rate** $\alpha$,

    $$w \leftarrow w - \alpha \nabla_w J, \qquad b \leftarrow b - \alpha \frac{\partial J}{\partial b},
    \qquad \nabla_w J = \frac1m X^\top(a - y).$$

    This chapter looks at that update four ways: written as a loop and as
    matrix products, and as the material's training loop with the estimator's
    own methods; as a walk on the loss surface; under learning rates that are
    too small, right and too large; and against two faster solvers that use the
    same gradient.
    """),
    setup("""

    import warnings

    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure
    from sklearn.exceptions import ConvergenceWarning

    from descend import DivergenceError, LinearRegression, LogisticClassifier, datasets, explain, losses, plots"""),
    md(r"""
    ## One update, looped and vectorized

    The material first writes the update as loops: for each example, for each
    feature, accumulate $(a_i - y_i)\,x_{ij}$, then divide by $m$ and step.
    Vectorized, the whole accumulation is the one product $X^\top(a - y)$.
    `explain.loop_vs_vector` runs both from zero weights for the same number of
    updates on the same random data, compares the weights and times them.
    """),
    code("""
    for model in ("linear", "logistic"):
        for m in (1_000, 5_000):
            result = explain.loop_vs_vector(m=m, n=5, n_iter=10, model=model, seed=0)
            print(f"{model:<8} {result}")
            assert result.max_difference < 1e-12"""),
    md(r"""
    The two give the same weights up to rounding (differences near
    $10^{-16}$), and the vectorized update is more than ten times faster
    (the exact ratio depends on the machine): the loop runs in the Python
    interpreter, the products in compiled linear algebra.

    ## The material's loop, with the estimator's own two methods

    The material's `LogisticClassifier` learns with two methods.
    `_compute_loss_grad(X, delta)` turns the **mean error vector**
    $\delta = (\hat y - y)/m$ into the gradient, $\nabla_w J = X^\top\delta$ and
    $\partial J/\partial b = \sum_i \delta_i$; `_update_params(grad_w, grad_b)`
    steps $w$ and $b$ by the model's `learning_rate`. descend's estimators have
    both, fitted or not, so the loop can be written exactly as the material
    writes it. The data: two overlapping clusters, 100 points of each class.
    """),
    code("""
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
    print(f"the loop, 100 steps:   w = {clf.coef_[0]}, b = {clf.intercept_[0]:.6f}")"""),
    md(r"""
    `fit` starts from $w = 0$ and the best constant $b$, the log-odds of the
    positive class, which for balanced classes is $b = 0$: the loop's start.
    With `solver="gd"`, the same fixed learning rate and no standardization it
    takes the same steps, computed by descend's fused pass over $X$ instead of
    `X.T @ delta`, and reaches the same weights to rounding:
    """),
    code("""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)    # tol=0: it stops after max_iter steps, on purpose
        fitted = LogisticClassifier(solver="gd", learning_rate=0.5, standardize=False,
                                    max_iter=100, tol=0).fit(X, y)
    print(f"fit(solver='gd'), {fitted.n_iter_} steps: w = {fitted.coef_[0]}, b = {fitted.intercept_[0]:.6f}")
    difference = max(np.abs(clf.coef_ - fitted.coef_).max(), np.abs(clf.intercept_ - fitted.intercept_).max())
    print(f"largest difference: {difference:.1e}")
    assert difference < 1e-12"""),
    md(r"""
    ## The loss surface and the path of the descent

    With one feature, a model has two parameters, $w$ and $b$, and its loss
    $J(w, b)$ is a surface over the plane. `plots.loss_surface` fits a model
    with plain gradient descent (`solver="gd"`, learning rate $1/L$ with
    backtracking, on the raw feature) and draws every iterate on that surface.
    The data: 50 points around the line $y = 2x + 1$, $x$ uniform on $[0, 10]$.
    """),
    code("""
    line = datasets.make_regression_line(n=50, w=2.0, b=1.0, noise=1.0, seed=0)
    fig = plots.loss_surface(line.X, line.y, view="both")
    print(f"{fig.descend_path.shape[0] - 1} iterations, from (w, b) = {fig.descend_path[0]} to {fig.descend_path[-1]}")
    fig"""),
    md(r"""
    The bowl is a long, narrow valley, and the descent needs about two thousand
    steps to cross it. The reason is in the curvature. For half the MSE the
    Hessian with respect to $(w, b)$ is $\frac1m[x\ 1]^\top[x\ 1]$, constant
    over the plane. Because $x$ lies on $[0, 10]$, far from centred, $w$ and $b$
    can trade off against each other: the Hessian's two eigenvalues are far
    apart. A learning rate must stay below $2/L$, $L$ the larger eigenvalue, so
    along the flat direction each step removes only a fraction about $1/\kappa$
    of the remaining error, $\kappa$ the ratio of the eigenvalues (the
    **condition number**). Reducing the gradient by the default tolerance,
    a factor $10^{6}$, then takes of the order of $\kappa \ln 10^{6}$ steps:
    """),
    code("""
    A = np.column_stack([line.X, np.ones(len(line))])         # (m, 2): [x, 1]
    eigenvalues = np.linalg.eigvalsh(A.T @ A / len(line))
    kappa = eigenvalues.max() / eigenvalues.min()
    print(f"Hessian eigenvalues {eigenvalues}, condition number kappa = {kappa:.1f}")
    print(f"kappa * ln(1e6) = {kappa * np.log(1e6):.0f} steps; the descent took {fig.descend_path.shape[0] - 1}")"""),
    md(r"""
    Two ways out. **Momentum** (`solver="nesterov"`) lets steps build up speed
    along the valley floor. **Standardizing** the feature, $(x - \mu)/s$, makes
    the Hessian the identity in the coordinates the descent works in, so one
    step of $1/L$ lands on the optimum; descend does this by default
    (`standardize=True`) and reports $w$ and $b$ in the original units, which is
    how the path below is drawn.
    """),
    code("""
    fig = Figure(figsize=(12, 5), layout="constrained")
    left, right = fig.subplots(1, 2)
    plots.loss_surface(line.X, line.y, ax=left,
                       model=LinearRegression(solver="nesterov", standardize=False, max_iter=5000))
    plots.loss_surface(line.X, line.y, ax=right,
                       model=LinearRegression(solver="gd", standardize=True, max_iter=5000))
    for ax, name in ((left, "nesterov, raw x"), (right, "gd, standardized x")):
        print(f"{name:<20}: {ax.get_title().splitlines()[-1]}")
    fig"""),
    md(r"""
    The log-loss surface of a logistic model has the same kind of bowl near its
    optimum. The data: the first feature of two overlapping clusters.
    """),
    code("""
    blobs = datasets.make_blobs(n=200, separation=2.5, seed=0)
    fig = plots.loss_surface(blobs.X[:, [0]], blobs.y, model="logistic")
    print(f"{fig.descend_path.shape[0] - 1} iterations to {fig.descend_path[-1]}")
    fig"""),
    md(r"""
    Unlike half the MSE, the log-loss is not a quadratic: far from the optimum
    it rises along straight lines rather than parabolas, because a score on the
    wrong side costs about $|z|$ (Chapter 1). Along the line $b = 0$, doubling
    $|w|$ about doubles $J$ where a quadratic would quadruple it:
    """),
    code("""
    x0 = blobs.X[:, 0]
    for w in (-5.0, -10.0, -20.0, -40.0):
        print(f"J(w = {w:>5}, b = 0) = {losses.log_loss_from_scores(blobs.y, w * x0):7.3f}")"""),
    md(r"""
    ## Learning rates: too small, right, too large

    `plots.learning_rates` runs plain gradient descent at fixed rates
    $0.05/L$, $1/L$ and $2.2/L$ and draws the loss after each update. The data:
    100 points on the plane $y = 2x_0 - x_1 + 1$ plus noise, with the raw
    features on the left and standardized ones on the right.
    """),
    code("""
    plane = datasets.make_regression_plane(n=100, seed=0)
    fig = Figure(figsize=(13, 4.8), layout="constrained")
    raw_ax, std_ax = fig.subplots(1, 2)
    plots.learning_rates(plane.X, plane.y, model=LinearRegression(standardize=False), ax=raw_ax)
    plots.learning_rates(plane.X, plane.y, model=LinearRegression(standardize=True), ax=std_ax)
    raw_ax.set_title("raw features\\n" + raw_ax.get_title().splitlines()[-1], fontsize="medium")
    std_ax.set_title("standardized features\\n" + std_ax.get_title().splitlines()[-1], fontsize="medium")
    fig"""),
    md(r"""
    - $\alpha = 0.05/L$ is **too small**: every step is safe, but the loss creeps down.
    - $\alpha = 1/L$ is **right** in the sense that no larger safe rate exists
      along the steepest direction; on raw features it still slows to a crawl
      once only the flat direction is left (the condition number again), while
      on standardized features it converges within a few steps.
    - $\alpha = 2.2/L$ is **too large**: along the steepest direction each step
      multiplies the error by $|1 - \alpha L| = 1.2$. On the raw features the
      loss first falls (the other directions still improve) and then climbs; on
      the standardized ones it rises at once. Either way the fit stops with a
      `DivergenceError` (the triangle).

    The $L$ in the titles is computed by descend by power iteration. It agrees
    with the largest eigenvalue of the Hessian computed directly:
    """),
    code("""
    A = np.column_stack([plane.X, np.ones(len(plane))])       # (m, 3): [x0, x1, 1]
    eigenvalues = np.linalg.eigvalsh(A.T @ A / len(plane))
    L = eigenvalues.max()
    print(f"raw features: Hessian eigenvalues {eigenvalues}")
    print(f"L = {L:.4f}, 2/L = {2 / L:.5f}, condition number {L / eigenvalues.min():.0f}")"""),
    md(r"""
    ## What `DivergenceError` says

    With a fixed learning rate, descend watches the loss: if it rises above its
    starting value, keeps rising for ten steps in a row, or stops being a
    finite number, the fit stops with a `DivergenceError` instead of returning
    weights that are `nan`. The message names the rate, the largest stable
    rate $2/L$ for these data, and the fix:
    """),
    code("""
    too_large = LinearRegression(solver="gd", standardize=False, learning_rate=2.2 / L)
    try:
        too_large.fit(plane.X, plane.y)
    except DivergenceError as error:
        print(f"DivergenceError: {error}")
    print(f"fitted after the error? {hasattr(too_large, 'coef_')}")"""),
    md(r"""
    Just below $2/L$ the same descent converges, slowly; with the default
    `learning_rate="auto"` descend starts at $1/L$, backtracks whenever the loss
    would rise, and so cannot diverge:
    """),
    code("""
    below = LinearRegression(solver="gd", standardize=False, learning_rate=1.9 / L, max_iter=5000).fit(plane.X, plane.y)
    print(f"learning_rate = 1.9/L: {below.stop_reason_} after {below.n_iter_} iterations, w = {below.coef_}, b = {below.intercept_:.4f}")
    auto = LinearRegression(solver="gd").fit(plane.X, plane.y)
    print(f"learning_rate='auto', standardized: {auto.stop_reason_} after {auto.n_iter_} iterations, w = {auto.coef_}, b = {auto.intercept_:.4f}")"""),
    md(r"""
    ## Three solvers, one gradient

    descend offers three ways to use the gradient:

    - `"gd"`: the update above, $\theta \leftarrow \theta - \alpha\nabla J$;
    - `"nesterov"`: Nesterov's accelerated gradient, which steps from a point
      extrapolated along the previous step, $\theta_k + \beta_k(\theta_k - \theta_{k-1})$
      (momentum), and restarts the momentum when the loss rises;
    - `"lbfgs"` (the default): a quasi-Newton direction built from the last few
      gradients, which approximates the inverse curvature, with a line search.

    On the two data sets of the material (all features, each model with its
    defaults, standardized) and at most 300 iterations each, the plot shows the
    distance to the optimal loss, $J - J^*$, on a log scale: how many digits
    each iteration gains. $J^*$ comes from a separate L-BFGS fit with a very
    tight tolerance; points where $J - J^* \le 0$ (the optimum reached to the
    last digit) are not drawn.
    """),
    code("""
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
            for solver in ("gd", "nesterov", "lbfgs"):
                model = Model(solver=solver, max_iter=300, **params).fit(data.X, data.y)
                plots.loss_curve(model, ax=ax, optimum=optimum, label=solver, title=name)
                rows.append({"problem": name, "solver": solver, "iterations": model.n_iter_,
                             "stopped": model.stop_reason_, "J - J*": model.history_["loss"][-1] - optimum,
                             "(J - J*) / J*": (model.history_["loss"][-1] - optimum) / optimum})
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2e}"))
    fig"""),
    md(r"""
    Plain gradient descent gains digits slowly and uses up its 300 iterations;
    momentum is much faster. L-BFGS gains digits fastest on both problems: on
    housing it converges in the fewest iterations, and on breast cancer, where
    none of the three meets the tolerance within 300 iterations, it ends several
    digits closer to $J^*$ than the others. Its direction accounts for the
    curvature that makes the valleys of this chapter narrow. All three follow the same
    gradient $X^\top(a - y)/m$; only what they do with it differs.

    ## Summary

    - The looped and the vectorized update compute the same numbers; the
      vectorized one is much faster.
    - On the loss surface, badly scaled features make a narrow valley; plain
      gradient descent then needs about $\kappa \ln(1/\text{tol})$ steps.
      Standardizing or momentum fixes that.
    - A fixed learning rate must stay below $2/L$; above it descend stops with a
      `DivergenceError` that names $2/L$ for your data. `learning_rate="auto"`
      cannot diverge.
    - L-BFGS uses the same gradient and gains digits fastest.
    """),
]


# ====================================================================== chapter 4
CHAPTER_4 = [
    md(r"""
    # 4. Logistic regression

    A logistic classifier predicts $P(y = 1 \mid x) = \sigma(w^\top x + b)$ and the
    class 1 where that probability exceeds $\tfrac12$, that is where
    $w^\top x + b > 0$. Its **decision boundary** $w^\top x + b = 0$ is a straight
    line in two dimensions (a hyperplane in more). This chapter asks on which
    data that is enough, and then fits the breast-cancer data, whose classes a
    hyperplane separates perfectly: a case with no best unpenalized model.
    """),
    setup("""

    import warnings

    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import cross_val_score

    from descend import LogisticClassifier, SeparationWarning, datasets, losses, plots
    from descend.data import DataContainer
    from descend.metrics import classification_metrics"""),
    md(r"""
    ## Where a straight line is enough

    `plots.decision_boundaries` fits a logistic classifier to each of five toy
    data sets with two features (a stratified 70/30 split, seed 0) and shades
    the predicted probability; the black line is the boundary, circles are
    training points and triangles test points.
    """),
    code("""
    boundaries = plots.decision_boundaries(seed=0)
    boundaries"""),
    md(r"""
    The titles carry the accuracies. The figure keeps what it fitted
    (`boundaries.descend_fits`), so the numbers go in a table with two more:
    the largest weight $\max_j |w_j|$, and how far from $\tfrac12$ the
    predicted probabilities get on the training points.
    """),
    code("""
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
    print(scores.to_string(float_format=lambda v: f"{v:.3f}"))"""),
    md(r"""
    Best to worst:

    - **Blobs far apart** (separable): every point right, on both parts. A line
      is all it takes; the fit stops at the first weights that classify every
      training point (`separable`, see below).
    - **Blobs overlapping**: for two round clusters of equal spread the best
      possible boundary is itself a straight line, so the errors come from the
      overlap, not from the model. (The test part, 60 points, happens to score
      higher than the training part.)
    - **Moons**: a line gets most points right but not the tips of the arcs,
      which reach past each other; the best boundary is curved.
    - **Circles** and **xor**: a poor fit, near chance. No line separates a ring
      from its centre, or one diagonal pair of clusters from the other. The
      model does the best a line can, which is almost nothing: weights close to
      0 and probabilities close to $\tfrac12$ everywhere (last columns). On
      circles the test accuracy even falls below $\tfrac12$, which is noise
      around a classifier that has learnt nothing.
    """),
    code("""
    assert scores.loc["blobs, far apart", "test accuracy"] == 1.0
    assert scores.loc[["circles", "xor"], "test accuracy"].max() < 0.6"""),
    md(r"""
    ## A new feature bends the boundary

    The model is linear in its *features*, and the features need not be the raw
    coordinates. For circles use $(x_0,\ x_0^2 + x_1^2)$, the squared radius; for
    xor use $(x_0,\ x_0 x_1)$, whose sign is the class. A straight line in the new
    coordinates is a circle, or a pair of axes, in the old ones.
    """),
    code("""
    circles, xor = datasets.make_circles(seed=0), datasets.make_xor(seed=0)
    engineered = {
        "circles, (x0, x0² + x1²)": DataContainer(
            np.column_stack([circles.X[:, 0], (circles.X**2).sum(axis=1)]), circles.y, ["x0", "x0² + x1²"]),
        "xor, (x0, x0·x1)": DataContainer(
            np.column_stack([xor.X[:, 0], xor.X[:, 0] * xor.X[:, 1]]), xor.y, ["x0", "x0·x1"]),
    }
    bent = plots.decision_boundaries(engineered, seed=0)
    print(score_table(bent.descend_fits)[["train accuracy", "test accuracy"]].to_string(float_format=lambda v: f"{v:.3f}"))
    bent"""),
    md(r"""
    ## Breast cancer

    569 tumours, 30 measurements of their cell nuclei, $y = 1$ for malignant.
    Hold out a stratified fifth for testing.
    """),
    code("""
    cancer = datasets.load_breast_cancer()
    train, test = cancer.train_test_split(0.8, seed=0, stratify=True)
    print(cancer)
    print(f"train {len(train)} rows ({train.y.mean():.1%} malignant), test {len(test)} rows ({test.y.mean():.1%} malignant)")"""),
    md(r"""
    ### Separable classes: no best unpenalized model

    Fit without a penalty and keep the warning:
    """),
    code("""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unpenalized = LogisticClassifier().fit(train.X, train.y)
    for warning in caught:
        print(f"{warning.category.__name__}: {warning.message}")
    print()
    print(f"stop reason {unpenalized.stop_reason_!r} after {unpenalized.n_iter_} iterations")
    print(f"training accuracy {unpenalized.score(train.X, train.y)}, ||w|| = {np.linalg.norm(unpenalized.coef_):.4g}")"""),
    md(r"""
    Why there is no optimum: if some $(w, b)$ puts every training example on its
    side of the boundary, every score has the sign of its class, and scaling
    $(w, b)$ by $c > 1$ scales every score by $c$. Each example's loss
    $\log(1 + e^{z}) - yz$ then falls towards 0, so $J(cw, cb)$ keeps falling as
    $c$ grows and no finite weights minimize it. With the fitted weights:
    """),
    code("""
    z = unpenalized.decision_function(train.X)                  # (456,)
    print(f"every example on its side: {bool(np.all((2 * train.y - 1) * z > 0))}")
    for c in (1, 2, 4, 8, 16):
        print(f"J(c w, c b) for c = {c:>2}: {losses.log_loss_from_scores(train.y, c * z):.3e}")"""),
    md(r"""
    descend notices this (weights that put every training example on its side
    of the boundary prove the classes separable), stops, and warns with
    `SeparationWarning` rather than letting the weights grow without bound.

    ### A penalized fit

    A penalty $\frac{\alpha}{2}\lVert w\rVert^2$ on the weights (not the
    intercept) makes the objective

    $$J_\alpha(w, b) = -\frac1m\sum_{i=1}^{m}\bigl[y_i\log a_i + (1-y_i)\log(1-a_i)\bigr] + \frac{\alpha}{2}\lVert w\rVert^2$$

    grow again as the weights grow, so it has exactly one minimum. Choose
    $\alpha$ by 5-fold cross-validation on the training part only (descend's
    estimators work with scikit-learn's tools), scoring the held-out log-loss:
    """),
    code("""
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
    print(f"stop reason {penalized.stop_reason_!r} after {penalized.n_iter_} iterations, ||w|| = {np.linalg.norm(penalized.coef_):.4g}")"""),
    md(r"""
    ### Held-out metrics

    Both fits on the test part. Accuracy counts which side of $\tfrac12$ each
    probability falls; precision and recall are those of the malignant class
    (of the tumours called malignant, the fraction that are; of the malignant
    tumours, the fraction found); the log-loss also asks how *confident* the
    probabilities were.
    """),
    code("""
    metrics = pd.DataFrame({
        "unpenalized": classification_metrics(test.y, unpenalized.predict_proba(test.X)[:, 1], unpenalized.classes_),
        f"alpha = {best_alpha:g}": classification_metrics(test.y, penalized.predict_proba(test.X)[:, 1], penalized.classes_),
    })
    print(metrics.to_string(float_format=lambda v: f"{v:.4f}"))
    print()
    print("confusion matrix of the penalized fit (rows: true benign, malignant; columns: predicted)")
    print(confusion_matrix(test.y, penalized.predict(test.X)))"""),
    md(r"""
    The accuracies are close, but the log-loss of the unpenalized fit is about
    ten times larger: its huge weights push almost every probability to 0 or 1,
    so each test mistake is a confident one and costs dearly. The histograms
    show it: nearly all unpenalized probabilities sit in the two end bins, while
    the penalized ones spread out for the less clear cases.
    """),
    code("""
    fig = Figure(figsize=(12, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    for ax, (name, model) in zip((left, right), (("unpenalized", unpenalized), (f"alpha = {best_alpha:g}", penalized))):
        plots.probability_histogram(test.y, model.predict_proba(test.X)[:, 1], model.classes_, ax=ax,
                                    title=f"Test set, {name}")
    fig"""),
    code("""
    for name, model in (("unpenalized", unpenalized), ("penalized", penalized)):
        p = model.predict_proba(test.X)[:, 1]
        wrong = model.predict(test.X) != test.y
        p_true = np.where(test.y == 1, p, 1 - p)[wrong]          # probability given to the true class
        print(f"{name:<12}: {np.mean((p < 0.01) | (p > 0.99)):.0%} of the test probabilities below 1 % or above 99 %; "
              f"the {wrong.sum()} mistakes gave the true class {np.array2string(np.sort(p_true), precision=3)}")"""),
    md(r"""
    The same number of mistakes, but the unpenalized model makes them with
    near certainty, giving the true class a probability close to 0, and the
    log-loss charges $-\log$ of that probability for each.
    """),
    md(r"""
    ## Summary

    - A logistic classifier draws a straight boundary. It fits clusters that a
      line separates, or that overlap evenly; it fails on rings and xor, where it
      settles for probabilities near $\tfrac12$.
    - Nonlinear features, such as $x_0^2 + x_1^2$ or $x_0x_1$, make a linear model
      draw curved boundaries.
    - On separable data the unpenalized loss has no minimum; descend stops with
      a `SeparationWarning`. A penalty $\frac{\alpha}{2}\lVert w\rVert^2$ gives a
      unique fit with less overconfident probabilities and a much lower
      held-out log-loss.
    """),
]


# ====================================================================== chapter 5
CHAPTER_5 = [
    md(r"""
    # 5. Linear regression: California housing

    The whole path on real data: read and clean the 1990 census table of
    California block groups, hold out a test part, fit
    $\hat y = w^\top x + b$ by minimizing half the MSE, read the coefficients in
    the units of the data, and measure the fit on the held-out part.
    """),
    setup("""

    import numpy as np
    import pandas as pd

    from descend import LinearRegression, datasets, plots
    from descend.metrics import regression_metrics"""),
    md(r"""
    ## The data and their cleaning

    `datasets.load_housing` reads the bundled CSV file through
    `DataContainer.from_csv`, and its `report` says what cleaning did.
    """),
    code("""
    housing = datasets.load_housing()
    print(housing)
    print()
    print(housing.report)"""),
    md(r"""
    Two steps: the empty `total_bedrooms` cells were filled with the column's
    median, and the text column `ocean_proximity` became four 0/1 columns, one
    per level except the baseline `<1H OCEAN`. A fifth column would be
    redundant: the five would always sum to 1, which is the intercept's column,
    so the weights would not be unique.

    The columns in numbers. Note the scales, from fractions to tens of
    thousands, and the target's maximum:
    """),
    code("""
    frame = housing.to_frame()
    print(frame.describe().T[["mean", "std", "min", "max"]].to_string(float_format=lambda v: f"{v:,.4g}"))
    capped = housing.y == housing.y.max()
    print(f"\\n{capped.sum()} block groups ({capped.mean():.1%}) have the largest value, {housing.y.max():,.0f}")"""),
    md(r"""
    The source caps house values at 500,001 dollars: those 965 targets say
    "500,001 or more", not what the houses were worth. A linear model will
    be wrong on them in a way no weights can fix; keep that in mind for the
    residuals.

    ## Split and fit

    80 % of the rows for training, 20 % held out, seed 0 so the split is
    reproducible. The model uses its defaults: L-BFGS on standardized features,
    no penalty.
    """),
    code("""
    train, test = housing.train_test_split(0.8, seed=0)
    print(f"train {len(train)} rows, test {len(test)} rows")

    model = LinearRegression().fit(train.X, train.y)
    print(f"{model.stop_reason_} after {model.n_iter_} iterations; "
          f"J from {model.history_['loss'][0]:.4g} to {model.history_['loss'][-1]:.4g}")
    plots.loss_curve(model)"""),
    md(r"""
    Is this the least-squares solution? The optimum of half the MSE solves the
    normal equations, which `numpy.linalg.lstsq` solves directly with the
    intercept as a column of ones. The two agree to about four significant
    digits (the default tolerance stops the descent when the gradient has
    fallen by a factor $10^{6}$):
    """),
    code("""
    A = np.column_stack([train.X, np.ones(len(train))])         # (m, n + 1)
    solution = np.linalg.lstsq(A, train.y, rcond=None)[0]
    print(f"condition number of [X, 1]: {np.linalg.cond(A):.2g}")
    print(f"largest relative difference of the weights: {np.max(np.abs(model.coef_ - solution[:-1]) / np.abs(solution[:-1])):.1e}")
    print(f"intercept: descend {model.intercept_:,.1f}, lstsq {solution[-1]:,.1f}")"""),
    md(r"""
    ## Coefficients in the units of the data

    descend descends on standardized features but reports $w$ and $b$ for the
    raw ones: $w_j$ is the change of the predicted value, in dollars, for one
    unit more of feature $j$ **with all other features held fixed**.
    """),
    code("""
    coefficients = pd.DataFrame({
        "dollars per unit": model.coef_,
        "std of the feature": train.X.std(axis=0),
        "dollars per std": model.coef_ * train.X.std(axis=0),
    }, index=train.feature_names)
    print(coefficients.to_string(formatters={"dollars per unit": "{:,.1f}".format,
                                             "std of the feature": "{:,.4g}".format,
                                             "dollars per std": "{:,.0f}".format}))
    print(f"\\nintercept b = {model.intercept_:,.0f} dollars")"""),
    md(r"""
    How to read them:

    - `median_income` is recorded in units of 10,000 dollars (its values run from
      0.5 to 15), so one unit more of income, holding location, age and size
      fixed, goes with a predicted value higher by the coefficient in dollars.
      Per standard deviation it is the strongest numeric effect.
    - The `ocean_proximity=...` coefficients compare with the baseline
      `<1H OCEAN`: `INLAND` block groups are predicted that many dollars
      cheaper than comparable ones within an hour of the ocean. The `ISLAND`
      coefficient rests on a handful of rows (below), so it is poorly
      determined.
    - `longitude` and `latitude` both have negative weights: moving east or
      north lowers the prediction, a crude linear stand-in for where the
      expensive coast lies.
    - `total_rooms` and `total_bedrooms`, `population` and `households` have
      opposite signs. They measure the size of the block group and move together
      strongly, so each coefficient is the effect of one with the others fixed
      (more rooms for the same number of bedrooms and households), not the
      effect of the column alone.
    - The intercept is the prediction at all features 0, far outside the data
      (longitude 0 is in the Atlantic), and means nothing on its own.
    """),
    code("""
    print(f"ISLAND rows: {int(train.X[:, train.feature_names.index('ocean_proximity=ISLAND')].sum())} in train, "
          f"{int(test.X[:, test.feature_names.index('ocean_proximity=ISLAND')].sum())} in test")
    print(frame[["total_rooms", "total_bedrooms", "population", "households"]].corr().round(3))"""),
    md(r"""
    ## Held-out R² and RMSE

    On the test part, with $\bar y$ the mean of the test targets,

    $$R^2 = 1 - \frac{\sum_i (y_i - \hat y_i)^2}{\sum_i (y_i - \bar y)^2}, \qquad
    \text{RMSE} = \sqrt{\frac1m\sum_i (y_i - \hat y_i)^2}.$$

    $R^2$ is the fraction of the variance of $y$ the model explains; the RMSE is
    a typical error in dollars. For scale, the baseline predicts the training
    mean for every block group.
    """),
    code("""
    predicted = model.predict(test.X)
    table = pd.DataFrame({
        "linear regression": regression_metrics(test.y, predicted),
        "training mean": regression_metrics(test.y, np.full(len(test), train.y.mean())),
    })
    print(table.to_string(float_format=lambda v: f"{v:,.4g}"))
    print(f"RMSE of the model / RMSE of the baseline = {table.loc['RMSE'].iloc[0] / table.loc['RMSE'].iloc[1]:.2f}")
    assert 0.5 < table.loc["R2", "linear regression"] < 0.7"""),
    md(r"""
    The model explains about 60 % of the variance and cuts the baseline's RMSE
    by about 40 %, which still leaves a typical error of tens of thousands of
    dollars.

    ## Predicted versus actual
    """),
    code("""
    plots.predicted_vs_actual(test.y, predicted, title="California housing, test part")"""),
    code("""
    at_cap = test.y == housing.y.max()
    rmse = lambda rows: np.sqrt(np.mean((test.y[rows] - predicted[rows]) ** 2))
    print(f"RMSE on the {at_cap.sum()} capped test targets: {rmse(at_cap):,.0f}; on the others: {rmse(~at_cap):,.0f}")
    print(f"mean residual on the capped targets: {np.mean(test.y[at_cap] - predicted[at_cap]):,.0f}")
    print(f"predictions below 0: {np.sum(predicted < 0)}; above the cap: {np.sum(predicted > housing.y.max())}")

    lowest = int(np.argmin(predicted))
    print(f"\\nthe lowest prediction, {predicted[lowest]:,.0f} for a true value of {test.y[lowest]:,.0f}, is a block group with")
    for name in ("total_rooms", "total_bedrooms", "population", "households"):
        j = test.feature_names.index(name)
        print(f"  {name:<15} {test.X[lowest, j]:>8,.0f}   (largest in the training part {train.X[:, j].max():>8,.0f})")"""),
    md(r"""
    The points gather around the diagonal, with flaws that no choice of
    weights can repair:

    - the **vertical stripe** at 500,001: the capped targets. The model spreads
      its predictions for them over a wide range, mostly below the cap, so they
      carry a much larger error than the rest. In the residual panel they form
      the straight line $y - \hat y = 500{,}001 - \hat y$.
    - **negative predictions**, impossible for a price: nothing in a linear
      model keeps $\hat y$ positive.
    - **extrapolation**: the lowest prediction, far below zero, belongs to a
      block group with more than twice the population of any in the training
      part. A linear model extends its per-resident effect (the `population`
      coefficient, in dollars per person) to it without limit.

    ## Summary

    - `load_housing` fills 207 missing bedroom counts with the median and
      one-hot encodes the ocean proximity; `report` records both.
    - The fit reaches the least-squares solution of `lstsq` on the raw,
      badly conditioned features.
    - Coefficients are in dollars per unit of each feature, each with the
      others held fixed.
    - On held-out data: $R^2 \approx 0.6$; the capped targets, negative
      predictions and extreme block groups are where a linear model falls short.
    """),
]


CHAPTERS = {
    "01_losses_and_likelihood": CHAPTER_1,
    "02_gradients_and_chain_rule": CHAPTER_2,
    "03_gradient_descent_and_learning_rate": CHAPTER_3,
    "04_logistic_regression": CHAPTER_4,
    "05_linear_regression_housing": CHAPTER_5,
}


def build(name, cells):
    """A notebook without outputs, with cell ids fixed by position."""
    for k, cell in enumerate(cells):
        cell.id = f"{name[:2]}-{k:02d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def main():
    for name, cells in CHAPTERS.items():
        path = HERE / f"{name}.ipynb"
        nbformat.write(build(name, cells), path)
        print(path)


if __name__ == "__main__":
    main()
