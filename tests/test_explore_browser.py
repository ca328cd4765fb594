"""The explorer in a real browser: headless Chromium (Debian's ``chromium``, driven by
playwright with ``executable_path``), with every request off this machine refused.

Outside CI the test skips, saying why, when no browser or no playwright is found;
``.ci/run`` installs Debian's chromium when it is missing.
"""

import os
import shutil
import threading

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: CI (``.ci/run``) sets this: there a missing browser fails instead of skipping.
REQUIRED = os.environ.get("DESCEND_REQUIRE_BROWSER") == "1"
if CHROMIUM is None:
    reason = ("no Chromium on this machine (Debian: apt-get install chromium); the browser "
              "test of the explorer needs one")
    if REQUIRED:
        raise RuntimeError(reason + ", and DESCEND_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e '.[test]')")

from descend.explore.server import make_server  # noqa: E402


@pytest.fixture(scope="module")
def address():
    server = make_server(0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def _set_rate(page, rate):
    """Move the learning-rate slider to ``rate`` as a learner would (an input event)."""
    page.evaluate("""(rate) => {
        const slider = document.getElementById('learning-rate');
        slider.value = sliderFor(rate);
        slider.dispatchEvent(new Event('input'));
    }""", rate)


def test_the_page_learns_and_shows_a_divergence(address):
    outside = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()

        def offline(route):
            if route.request.url.startswith(address):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        page.route("**/*", offline)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(address + "/")
        page.wait_for_function("window.explorer.result !== null", timeout=60_000)

        page.select_option("#dataset", "line")
        page.select_option("#solver", "gd")
        page.wait_for_function("explorer.result && explorer.result.model === 'linear' && "
                               "explorer.request.solver === 'gd'", timeout=60_000)
        rate = 0.3 * page.evaluate("explorer.result.rates.one_over_L")   # a slow, sure descent
        _set_rate(page, rate)
        page.wait_for_function(f"typeof explorer.result.learning_rate_used === 'number' && "
                               f"Math.abs(explorer.result.learning_rate_used / {rate} - 1) < 0.05 "
                               "&& explorer.result.iterations > 10 && !explorer.result.diverged",
                               timeout=60_000)
        shown = float(page.inner_text("#rate-value"))                  # the rate shown is the
        assert shown == pytest.approx(page.evaluate("explorer.result.learning_rate_used"),
                                      rel=1e-3)                         # rate run
        before = page.evaluate("document.getElementById('surface').toDataURL()")
        start_loss = page.evaluate("explorer.result.loss[0]")
        page.click("#run")
        page.wait_for_function("explorer.iteration > 5", timeout=30_000)
        state = page.evaluate("({it: explorer.iteration, loss: explorer.loss, "
                              "drawn: explorer.pathDrawn, diverged: explorer.diverged})")
        assert state["loss"] < start_loss and state["drawn"] > 5 and not state["diverged"]
        assert page.evaluate("document.getElementById('surface').toDataURL()") != before
        page.click("#pause")
        assert page.evaluate("explorer.running") is False

        page.select_option("#dataset", "xor")           # another data set, the slider kept:
        page.wait_for_function("explorer.result.dataset === 'xor'", timeout=60_000)
        share = page.evaluate("explorer.result.learning_rate_used / explorer.result.rates.two_over_L")
        assert share == pytest.approx(0.15, rel=0.02)   # the same share of the new 2/L
        page.select_option("#dataset", "line")
        page.wait_for_function("explorer.result.dataset === 'line'", timeout=60_000)
        page.click("#overlay")                          # keep this run, to compare
        kept = page.evaluate("explorer.overlay.learning_rate.length")
        page.select_option("#solver", "nesterov")
        page.wait_for_function("explorer.result.solver === 'nesterov'", timeout=60_000)
        assert page.evaluate("explorer.overlay.solver") == "gd" and kept > 5
        page.click("#step")
        assert page.evaluate("explorer.iteration") == 1
        page.click("#reset")
        assert page.evaluate("explorer.iteration") == 0
        page.select_option("#solver", "gd")
        page.wait_for_function("explorer.result.solver === 'gd'", timeout=60_000)

        two_over_L = page.evaluate("explorer.result.rates.two_over_L")
        _set_rate(page, 1.3 * two_over_L)
        page.wait_for_function("explorer.result.diverged === true", timeout=60_000)
        page.click("#run")
        page.wait_for_function("explorer.diverged === true", timeout=30_000)
        message = page.inner_text("#message")
        assert "flies off" in message and "2/L" in message
        browser.close()
    assert not errors, errors
    assert not outside, f"the page asked the network for {outside}"
