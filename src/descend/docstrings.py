r"""The estimators' shared docstrings: their parameters and fitted attributes, written once."""

__all__ = ["PARAMS_DOC", "FITTED_DOC", "CLASS_WEIGHT_DOC"]

PARAMS_DOC = r"""
    Parameters
    ----------
    learning_rate : "auto" or float, default="auto"
        The step :math:`\alpha` of :math:`\theta \leftarrow \theta - \alpha
        \nabla J`, on the standardized parameters when ``standardize``.
        "auto" starts from :math:`1/L`, with :math:`L` the largest curvature of
        :math:`J` (power iteration on :math:`X^\top X/m`, a quarter of it for
        the log-loss), and backtracks whenever the loss would rise, so it never
        diverges. A float is used as given; if the loss grows or becomes
        non-finite the fit stops with :class:`~descend.errors.DivergenceError`
        naming the solver's largest stable rate, :math:`2/L` for "gd" and
        :math:`1/L` for "nesterov". The "lbfgs" and "newton" solvers choose
        their own steps and accept only "auto".
    max_iter : int, default=1000
        The most iterations (updates of the parameters).
    tol : float, default=1e-6
        Converged means the loss is within ``tol`` of its optimum, relative to
        the loss (or to float64's resolution of the loss at the start, for a
        fit whose optimum is zero): :math:`J - J^* \le tol \cdot J`, certified
        by the Newton decrement :math:`g^\top H^{-1} g/2` (exact for the
        squared error). "newton" carries it at every step; the other solvers
        compute it once their largest gradient component has fallen to
        ``tol`` times its start, or L-BFGS's own estimate of the gap is well
        within ``tol`` (up to 2,000 features; beyond, that gradient test alone
        decides), and go on if it is not yet met. On wide data that bound
        reads the Hessian of part of the rows: still a bound, a few tens of
        times looser.
    standardize : bool, default=True
        Descend on standardized features, :math:`(x - \mu)/s`, which turns
        unscaled, ill-conditioned data into a well-conditioned problem. ``X``
        is not copied: the means and scales are folded into :math:`w` and
        :math:`b`, and ``coef_`` and ``intercept_`` are reported in the
        original units.
    alpha : float, default=0.0
        The penalty's strength: :math:`\alpha(\rho\lVert w\rVert_1 +
        \frac{1-\rho}{2}\lVert w \rVert^2)` with :math:`\rho` the ``l1_ratio``,
        the convention of scikit-learn's ``ElasticNet`` and of glum; 0 gives the
        material's loss exactly.{alpha_doc}
    l1_ratio : float, default=0.0
        The L1 share :math:`\rho` of the penalty, from 0 (L2, ridge) to 1 (L1, the
        lasso); between, the elastic net. An L1 part sets weights exactly to zero:
        "gd", "nesterov", "sgd" and ``partial_fit`` then take the proximal step (the
        gradient step, then each weight moved towards zero by :math:`t\alpha\rho` and
        set to zero if it would cross it), and "newton" is proximal Newton
        (:mod:`descend.lasso`), what "auto" takes; "lbfgs" refuses it.
    solver : {"auto", "newton", "lbfgs-newton", "lbfgs", "nesterov", "gd", "sgd"}, default="auto"
        "gd" is exactly the material's batch update; "sgd" takes it on batches
        of ``batch_size`` rows (stochastic and mini-batch descent, where
        ``max_iter`` counts epochs, passes over the rows); "nesterov" adds momentum
        with restarts; "lbfgs" uses the same gradient with a quasi-Newton
        direction; "newton" uses the curvature: one pass gives the loss, the
        gradient and the Hessian, and the step solves :math:`H d = g`. On the
        squared error it lands on the optimum in one step and then refines
        the last digits from exact residuals (NIST's certified values to 11
        digits and more). Collinear columns are solved for the minimum-norm
        weights, with a :class:`~descend.diagnosis.CollinearityWarning`
        naming them. "lbfgs-newton" runs L-BFGS for twenty steps, then Newton.
        "auto" takes "newton" for the squared error up to 2,000 features and
        "lbfgs-newton" for the log-loss up to 400, "lbfgs" beyond (where a
        Hessian, :math:`m n^2`, costs more than the passes it saves), and
        "gd" when a fixed ``learning_rate`` is given.
    verbose : int, default=0
        1 prints progress at iterations 1, 2, 4, 8, ... and every tenth of
        ``max_iter``; 2 and more print every iteration.
    random_state : int, Generator or None, default=None
        Seeds the random start of the power iteration behind ``"auto"`` and
        the order of "sgd"'s batches; None uses a fixed seed, so that repeated
        fits give identical results.
    batch_size : int or None, default=32
        Rows per update of "sgd" and ``partial_fit``: 1 is stochastic descent,
        an integer mini-batch descent, None (or at least the number of rows)
        the whole set, exactly "gd". With ``learning_rate="auto"`` the step is
        :math:`1/L(b)`, the expected largest curvature of a batch of ``b``
        rows, which grows towards the largest single row's as batches shrink
        (:mod:`descend.stochastic`).
    schedule : {"auto", "constant", "invscaling", "step"}, default="auto"
        How "sgd"'s step changes with the epochs :math:`e` done: "constant";
        "invscaling", :math:`t_0/\sqrt{1 + e}`; "step", halved every tenth of
        ``max_iter`` (at most once an epoch); "auto", constant for the first
        half of ``max_iter``, then :math:`t_0/\sqrt{1 + e - e_{1/2}}`: travel,
        then settle.
        ``partial_fit`` keeps its step constant.
    average : bool, default=False
        Return the mean of "sgd"'s iterates (Polyak averaging) from the end of
        the first epoch on (of the first half, with schedule "auto"; so
        nothing is averaged with ``max_iter=1``), or of ``partial_fit``'s from
        its second chunk: it averages out the noise of the single steps.
    shuffle : bool, default=True
        Draw "sgd"'s batches from a new permutation of the rows each epoch
        (seeded by ``random_state``); False takes them in order.
    callback : callable or None, default=None
        Called as ``callback(step)`` after every iteration with a
        :class:`Step`: the iteration, loss, largest gradient component,
        learning rate, and ``coef``/``intercept`` in the units of ``X``. For
        progress bars, live plots and drawing the path of the descent.
"""

CLASS_WEIGHT_DOC = r"""    class_weight : None, "balanced" or dict, default=None
        A weight per class, multiplying ``sample_weight``: a dict from label to
        weight (labels not named weigh 1), or "balanced", :math:`m / (K m_k)` for
        class :math:`k` with :math:`m_k` rows, so that every class weighs the same
        in total (scikit-learn's meaning).
"""

FITTED_DOC = r"""
    Attributes
    ----------
    coef_, intercept_ :
        The fitted :math:`w` and :math:`b` in the units of ``X``; for a classifier
        ``coef_`` has shape (1, n) for two classes and (K, n) for K, and
        ``intercept_`` (1,) or (K,).
    n_iter_ : int
        Iterations run (epochs for "sgd"; chunks for ``partial_fit``).
    converged_ : bool
        Whether the loss is certified to be within ``tol`` of its optimum
        (see ``tol``).
    stop_reason_ : str
        "converged", "max_iter", "stalled" (no step lowers the loss at
        float64 precision before ``tol`` is met), "separable" (logistic regression on
        perfectly separable data, see :class:`~descend.errors.SeparationWarning`), or
        "partial_fit" (updated chunk by chunk, with no certificate).
    history_ : dict of ndarray
        ``"loss"`` (:math:`J`), ``"grad_norm"`` (largest gradient component)
        and ``"learning_rate"`` (the step taken; for "lbfgs" the line-search
        step along its direction): entry ``k`` after ``k``
        updates, so each has ``n_iter_ + 1`` entries and entry 0 is the start;
        ``"gap"``, the certificate :math:`J - J^*` where one was computed
        (every step of "newton"), NaN elsewhere. For "sgd", where an
        iteration is an epoch, also ``"batch_loss"``, the loss of each batch
        before its update, and ``"batch_epoch"``, where it fell (in epochs).
    solver_ : str
        The solver the fit ran ("auto" resolved).
    x_mean_, x_scale_ : ndarray of shape (n_features,)
        The standardization used: column means, and standard deviations
        (:math:`\sqrt{s^2 + \alpha/c}` with a penalty, :math:`c` the loss's
        largest curvature, which keeps the penalized problem well conditioned);
        zeros and ones when ``standardize=False``.
    n_features_in_, feature_names_in_ :
        As in scikit-learn; ``feature_names_in_`` only for DataFrame input.
"""
