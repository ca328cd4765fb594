# %% [markdown]
# # 5. Linear regression: California housing
#
# The whole path on real data: read and clean the 1990 census table of
# California block groups, hold out a test part, fit
# $\hat y = w^\top x + b$ by minimizing half the MSE, read the coefficients in
# the units of the data, and measure the fit on the held-out part.

# %%
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("png")        # show descend's Figure objects as images

import numpy as np
import pandas as pd

from descend import LinearRegression, datasets, explain, plots
from descend.metrics import regression_metrics

# %% [markdown]
# ## The data and their cleaning
#
# `datasets.load_housing` reads the bundled CSV file through
# `DataContainer.from_csv`, and its `report` says what cleaning did.

# %%
housing = datasets.load_housing()
print(housing)
print()
print(housing.report)

# %% [markdown]
# Two steps: the empty `total_bedrooms` cells were filled with the column's
# median, and the text column `ocean_proximity` became four 0/1 columns, one
# per level except the baseline `<1H OCEAN`. A fifth column would be
# redundant: the five would always sum to 1, which is the intercept's column,
# so the weights would not be unique.
#
# The columns in numbers. Note the scales, from fractions to tens of
# thousands, and the target's maximum:

# %%
frame = housing.to_frame()
print(frame.describe().T[["mean", "std", "min", "max"]].to_string(float_format=lambda v: f"{v:,.4g}"))
capped = housing.y == housing.y.max()
print(f"\n{capped.sum()} block groups ({capped.mean():.1%}) have the largest value, {housing.y.max():,.0f}")

# %% [markdown]
# The source caps house values at 500,001 dollars: those 965 targets say
# "500,001 or more", not what the houses were worth. A linear model will
# be wrong on them in a way no weights can fix; keep that in mind for the
# residuals.
#
# ## Split and fit
#
# 80 % of the rows for training, 20 % held out, seed 0 so the split is
# reproducible. The model uses its defaults: L-BFGS on standardized features,
# no penalty.

# %%
train, test = housing.train_test_split(0.8, seed=0)
print(f"train {len(train)} rows, test {len(test)} rows")

model = LinearRegression().fit(train.X, train.y)
print(f"{model.stop_reason_} after {model.n_iter_} iterations; "
      f"J from {model.history_['loss'][0]:.4g} to {model.history_['loss'][-1]:.4g}")
plots.loss_curve(model)

# %% [markdown]
# Is this the least-squares solution? The optimum of half the MSE solves the
# normal equations, which `numpy.linalg.lstsq` solves directly with the
# intercept as a column of ones. The two agree to about four significant
# digits (the default tolerance stops the descent when the gradient has
# fallen by a factor $10^{6}$):

# %%
A = np.column_stack([train.X, np.ones(len(train))])         # (m, n + 1)
solution = np.linalg.lstsq(A, train.y, rcond=None)[0]
print(f"condition number of [X, 1]: {np.linalg.cond(A):.2g}")
print(f"largest relative difference of the weights: {np.max(np.abs(model.coef_ - solution[:-1]) / np.abs(solution[:-1])):.1e}")
print(f"intercept: descend {model.intercept_:,.1f}, lstsq {solution[-1]:,.1f}")

# %% [markdown]
# ## Coefficients in the units of the data
#
# descend descends on standardized features but reports $w$ and $b$ for the
# raw ones: $w_j$ is the change of the predicted value, in dollars, for one
# unit more of feature $j$ **with all other features held fixed**.

# %%
coefficients = pd.DataFrame({
    "dollars per unit": model.coef_,
    "std of the feature": train.X.std(axis=0),
    "dollars per std": model.coef_ * train.X.std(axis=0),
}, index=train.feature_names)
print(coefficients.to_string(formatters={"dollars per unit": "{:,.1f}".format,
                                         "std of the feature": "{:,.4g}".format,
                                         "dollars per std": "{:,.0f}".format}))
print(f"\nintercept b = {model.intercept_:,.0f} dollars")

# %% [markdown]
# How to read them:
#
# - `median_income` is recorded in units of 10,000 dollars (its values run from
#   0.5 to 15), so one unit more of income, holding location, age and size
#   fixed, goes with a predicted value higher by the coefficient in dollars.
#   Per standard deviation it is the strongest numeric effect.
# - The `ocean_proximity=...` coefficients compare with the baseline
#   `<1H OCEAN`: `INLAND` block groups are predicted that many dollars
#   cheaper than comparable ones within an hour of the ocean. The `ISLAND`
#   coefficient rests on a handful of rows (below), so it is poorly
#   determined.
# - `longitude` and `latitude` both have negative weights: moving east or
#   north lowers the prediction, a crude linear stand-in for where the
#   expensive coast lies.
# - `total_rooms` and `total_bedrooms`, `population` and `households` have
#   opposite signs. They measure the size of the block group and move together
#   strongly, so each coefficient is the effect of one with the others fixed
#   (more rooms for the same number of bedrooms and households), not the
#   effect of the column alone.
# - The intercept is the prediction at all features 0, far outside the data
#   (longitude 0 is in the Atlantic), and means nothing on its own.

# %%
print(f"ISLAND rows: {int(train.X[:, train.feature_names.index('ocean_proximity=ISLAND')].sum())} in train, "
      f"{int(test.X[:, test.feature_names.index('ocean_proximity=ISLAND')].sum())} in test")
print(frame[["total_rooms", "total_bedrooms", "population", "households"]].corr().round(3))

# %% [markdown]
# ## Held-out R² and RMSE
#
# On the test part, with $\bar y$ the mean of the test targets,
#
# $$R^2 = 1 - \frac{\sum_i (y_i - \hat y_i)^2}{\sum_i (y_i - \bar y)^2}, \qquad
# \text{RMSE} = \sqrt{\frac1m\sum_i (y_i - \hat y_i)^2}.$$
#
# $R^2$ is the fraction of the variance of $y$ the model explains; the RMSE is
# a typical error in dollars. For scale, the baseline predicts the training
# mean for every block group.

# %%
predicted = model.predict(test.X)
table = pd.DataFrame({
    "linear regression": regression_metrics(test.y, predicted),
    "training mean": regression_metrics(test.y, np.full(len(test), train.y.mean())),
})
print(table.to_string(float_format=lambda v: f"{v:,.4g}"))
print(f"RMSE of the model / RMSE of the baseline = {table.loc['RMSE'].iloc[0] / table.loc['RMSE'].iloc[1]:.2f}")
assert 0.5 < table.loc["R2", "linear regression"] < 0.7

# %% [markdown]
# The model explains about 60 % of the variance and cuts the baseline's RMSE
# by about 40 %, which still leaves a typical error of tens of thousands of
# dollars.
#
# ## Predicted versus actual

# %%
plots.predicted_vs_actual(test.y, predicted, title="California housing, test part")

# %%
at_cap = test.y == housing.y.max()
rmse = lambda rows: np.sqrt(np.mean((test.y[rows] - predicted[rows]) ** 2))
print(f"RMSE on the {at_cap.sum()} capped test targets: {rmse(at_cap):,.0f}; on the others: {rmse(~at_cap):,.0f}")
print(f"mean residual on the capped targets: {np.mean(test.y[at_cap] - predicted[at_cap]):,.0f}")
print(f"predictions below 0: {np.sum(predicted < 0)}; above the cap: {np.sum(predicted > housing.y.max())}")

lowest = int(np.argmin(predicted))
print(f"\nthe lowest prediction, {predicted[lowest]:,.0f} for a true value of {test.y[lowest]:,.0f}, is a block group with")
for name in ("total_rooms", "total_bedrooms", "population", "households"):
    j = test.feature_names.index(name)
    print(f"  {name:<15} {test.X[lowest, j]:>8,.0f}   (largest in the training part {train.X[:, j].max():>8,.0f})")

# %% [markdown]
# The points gather around the diagonal, with flaws that no choice of
# weights can repair:
#
# - the **vertical stripe** at 500,001: the capped targets. The model spreads
#   its predictions for them over a wide range, mostly below the cap, so they
#   carry a much larger error than the rest. In the residual panel they form
#   the straight line $y - \hat y = 500{,}001 - \hat y$.
# - **negative predictions**, impossible for a price: nothing in a linear
#   model keeps $\hat y$ positive.
# - **extrapolation**: the lowest prediction, far below zero, belongs to a
#   block group with more than twice the population of any in the training
#   part. A linear model extends its per-resident effect (the `population`
#   coefficient, in dollars per person) to it without limit.

# %% [markdown]
# ## Which features matter: the lasso path
#
# An L1 penalty, $\alpha\lVert w\rVert_1$ (`l1_ratio=1`), sets weights exactly to
# zero. Gradient descent takes it as a *proximal* step: the material's update,
# then each weight pulled towards zero by $t\alpha$ and held at zero once it
# gets there (the soft threshold, left). Relaxing $\alpha$ from the value at
# which every weight is zero lets the features in one at a time, the most
# useful first (right; columns standardized, so that the penalty weighs them
# alike).

# %%
fig = plots.lasso_path()
fig

# %%
Z = (housing.X - housing.X.mean(axis=0)) / housing.X.std(axis=0)
print(explain.lasso_path(Z, housing.y / 1000, names=housing.feature_names, n_alphas=15))

# %% [markdown]
# ## Summary
#
# - `load_housing` fills 207 missing bedroom counts with the median and
#   one-hot encodes the ocean proximity; `report` records both.
# - The fit reaches the least-squares solution of `lstsq` on the raw,
#   badly conditioned features.
# - Coefficients are in dollars per unit of each feature, each with the
#   others held fixed.
# - On held-out data: $R^2 \approx 0.6$; the capped targets, negative
#   predictions and extreme block groups are where a linear model falls short.
# - The lasso path lets the features in one by one as the L1 penalty is
#   relaxed, median income first.
