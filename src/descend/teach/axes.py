"""The axes every figure shares: a new figure or the ``ax`` given, whole-number iteration
ticks, and a log-scale loss axis with plain labels."""

from __future__ import annotations

__all__ = ["figure_axes", "iteration_axis", "log_y"]


def figure_axes(ax, ncols=1, figsize=(6.0, 4.0)):
    """``(fig, ax)``: the given ``ax`` and its figure, or a new figure of ``ncols`` panels."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(1, ncols)


def iteration_axis(ax, label="iteration (updates of w and b)"):
    """The x axis counts updates (or epochs), in whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlabel(label)


def log_y(ax):
    """A log-scale y axis labelled 0.55, 20, 1e-12 rather than 5.5×10⁻¹ (matplotlib still
    chooses which minor ticks to label)."""
    from matplotlib.ticker import LogFormatter

    class Plain(LogFormatter):
        def __call__(self, x, pos=None):
            if not super().__call__(x, pos):
                return ""
            if 1e-3 <= abs(x) < 1e4:
                return f"{x:.6g}"
            mantissa, exponent = f"{x:.2e}".split("e")
            return f"{float(mantissa):g}e{int(exponent)}"

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(Plain(labelOnlyBase=False))
    ax.yaxis.set_minor_formatter(Plain(labelOnlyBase=False))
