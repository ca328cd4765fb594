"""The explorer's interface over real HTTP on localhost: the shapes of its answers, the
numbers against descend's own estimators and the material's formulas, bad requests,
divergence, and a page that needs no network."""

import json
import re
import threading
import urllib.error
import urllib.request
from importlib import resources

import numpy as np
import pytest

from descend import LinearRegression, LogisticClassifier, datasets
from descend.explore.server import MAX_BODY, make_server


@pytest.fixture(scope="module")
def address():
    server = make_server(0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def call(address, path, body=None, raw=None):
    """(status, parsed JSON or bytes) of a GET, or of a POST of ``body``."""
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(address + path, data=data,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as answer:
            status, payload = answer.status, answer.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload


def test_the_page_and_its_files_are_served_and_need_no_network(address):
    status, page = call(address, "/")
    assert status == 200 and b"<canvas id=\"surface\"" in page
    for name in ("explorer.js", "explorer.css"):
        status, text = call(address, f"/static/{name}")
        assert status == 200 and len(text) > 100
    for name in ("index.html", "explorer.js", "explorer.css"):
        text = resources.files("descend.explore").joinpath("static", name).read_text()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), name   # no CDN, no font
    for control in ("dataset", "model", "solver", "learning-rate", "standardize", "run", "step",
                    "reset"):
        assert f'id="{control}"' in page.decode()
    assert call(address, "/static/../api.py")[0] == 404
    assert call(address, "/nothing")[0] == 404


def test_a_run_answers_with_descend_s_own_numbers(address):
    status, answer = call(address, "/api/run", {"dataset": "blobs", "model": "logistic",
                                                "solver": "gd", "max_iter": 40})
    assert status == 200, answer
    n_iter = answer["iterations"]
    assert n_iter == 40 and len(answer["path"]) == len(answer["loss"]) == len(answer["fit"]) == 41
    data = datasets.make_blobs(n=200, separation=3.0, seed=0)
    model = LogisticClassifier(solver="gd", max_iter=40, tol=1e-10).fit(data.X, data.y)
    np.testing.assert_allclose(answer["path"][-1][:2], model.coef_[0], rtol=1e-12)
    np.testing.assert_allclose(answer["loss"][1:], model.history_["loss"][1:], rtol=1e-12)
    best = LogisticClassifier(solver="newton", tol=1e-12).fit(data.X, data.y)
    assert answer["optimum"]["loss"] == pytest.approx(best.history_["loss"][-1], rel=1e-12)
    assert answer["gap"][-1] == pytest.approx(answer["loss"][-1] - answer["optimum"]["loss"])
    assert answer["loss"][-1] < answer["loss"][0]
    rates = answer["rates"]
    assert rates["two_over_L"] == pytest.approx(2 * rates["one_over_L"])
    assert rates["stable"] == pytest.approx(rates["two_over_L"])          # gd's
    surface = answer["surface"]
    assert surface["params"] == ["w1", "w2"] and len(surface["contours"]) > 5
    assert any(level["lines"] for level in surface["contours"])
    assert len(answer["data"]["x"]) == 200 and set(answer["data"]["y"]) == {0.0, 1.0}
    assert not any("did not converge" in w for w in answer["warnings"])   # max_iter by design


def test_one_feature_draws_w_and_b_and_the_fit_line(address):
    status, answer = call(address, "/api/run", {"dataset": "line", "model": "linear",
                                                "solver": "gd", "learning_rate": 0.01,
                                                "standardize": False, "max_iter": 30})
    assert status == 200, answer
    assert answer["surface"]["params"] == ["w", "b"]
    (x0, y0), *_, (x1, y1) = answer["fit"][-1]
    w, b = answer["path"][-1]
    assert y0 == pytest.approx(w * x0 + b) and y1 == pytest.approx(w * x1 + b)


def test_a_rate_above_2_over_L_flies_off_and_says_so(address):
    status, first = call(address, "/api/run", {"dataset": "line", "model": "linear"})
    too_large = 1.5 * first["rates"]["two_over_L"]
    status, answer = call(address, "/api/run", {"dataset": "line", "model": "linear",
                                                "learning_rate": too_large})
    assert status == 200 and answer["diverged"]
    assert "largest stable rate" in answer["message"] and "2/L" in answer["message"]
    loss = [v for v in answer["loss"] if v is not None]
    assert len(loss) >= 4 and all(b > a for a, b in zip(loss, loss[1:]))   # drawn flying off
    assert answer["runaway"] >= 1


def test_the_example_is_the_material_s_chain_rule(address):
    run = {"dataset": "blobs", "model": "logistic", "solver": "gd", "max_iter": 10,
           "standardize": False, "learning_rate": 0.5}        # the material's update, as is
    status, answer = call(address, "/api/example", {"run": run, "iteration": 4, "index": 7})
    assert status == 200, answer
    x, y = np.array(answer["x"]), answer["y"]
    *w, b = answer["before"]
    z = float(np.dot(w, x) + b)
    a = 1 / (1 + np.exp(-z))
    assert answer["z"] == pytest.approx(z) and answer["a"] == pytest.approx(a)
    np.testing.assert_allclose(answer["dL_dw"], (a - y) * x, rtol=1e-9)        # (a - y) x
    data = datasets.make_blobs(n=200, separation=3.0, seed=0)
    p = 1 / (1 + np.exp(-(data.X @ w + b)))
    np.testing.assert_allclose(answer["gradient"][:2], data.X.T @ (p - data.y) / 200, rtol=1e-9)
    step = np.subtract(answer["before"], answer["after"]) / answer["learning_rate"]
    np.testing.assert_allclose(step, answer["gradient"], rtol=1e-6)           # gd: w - t grad


@pytest.mark.parametrize("body, words", [
    ({"dataset": "nope"}, "dataset must be one of"),
    ({"dataset": "line", "model": "logistic"}, "choose the linear model"),
    ({"dataset": "blobs", "learning_rate": -1}, "learning_rate must be a number"),
    ({"dataset": "blobs", "max_iter": 10**6}, "max_iter must be a whole number from 1 to 500"),
    ({"dataset": "blobs", "solver": "newton", "learning_rate": 0.1}, "chooses its own steps"),
    ({"dataset": "housing", "features": ["no_such"]}, "features must be one or two"),
    ({"dataset": "upload"}, "choose a CSV file first"),
    ({"dataset": "upload", "csv": "a,b\n1,x\n2,y\n", "target": "zzz"}, "zzz"),
    ({"run": "x"}, None),
])
def test_bad_requests_get_a_400_with_a_message(address, body, words):
    path = "/api/example" if "run" in body else "/api/run"
    status, answer = call(address, path, body)
    assert status == 400 and isinstance(answer["error"], str) and "Traceback" not in answer["error"]
    if words:
        assert words in answer["error"], answer["error"]


def test_malformed_and_oversized_requests(address):
    assert call(address, "/api/run", raw=b"{not json")[0] == 400
    assert call(address, "/api/run", raw=b"[1, 2]")[0] == 400
    big = {"dataset": "upload", "target": "y", "csv": "x,y\n" + "1,2\n" * (MAX_BODY // 4)}
    status, answer = call(address, "/api/run", body=big)
    assert status == 413 and "explorer takes up to" in answer["error"]
    upload = {"dataset": "upload", "target": "y", "csv": "x,y\n" + "1,2\n" * 260_000}
    status, answer = call(address, "/api/run", body=upload)
    assert status == 400 and "files up to 1,000,000 bytes" in answer["error"]


def test_an_uploaded_csv_is_read_as_descend_reads_files(address):
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    text = "size;price\n" + "".join(f"{a:.3f};{3 * a + 2 + rng.normal() * 0.1:.3f}\n" for a in x)
    status, answer = call(address, "/api/run", {"dataset": "upload", "csv": text,
                                                "target": "price", "model": "linear",
                                                "solver": "newton"})
    assert status == 200, answer
    assert answer["data"]["features"] == ["size"] and answer["optimum"]["coef"][0] == pytest.approx(3, abs=0.1)
    ref = LinearRegression(solver="newton").fit(x.round(3)[:, None], np.array(answer["data"]["y"]))
    assert answer["path"][-1][0] == pytest.approx(ref.coef_[0], rel=1e-6)


def test_every_solver_runs(address):
    for solver in ("gd", "nesterov", "sgd", "lbfgs", "lbfgs-newton", "newton"):
        status, answer = call(address, "/api/run", {"dataset": "cancer", "model": "logistic",
                                                    "solver": solver, "alpha": 0.01,
                                                    "max_iter": 30})
        assert status == 200, (solver, answer)
        assert answer["loss"][-1] < answer["loss"][0] and answer["solver"] == solver


def test_descend_explore_serves_until_ctrl_c(tmp_path):
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "descend", "explore", "--no-browser"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        status, page = call(found.group(0).rstrip("/"), "/")
        assert status == 200 and b"descend explore" in page
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err
    assert not list(tmp_path.iterdir())                    # it wrote nothing


def test_a_port_in_use_is_said_in_the_command_line_s_words():
    import subprocess
    import sys

    server = make_server(0)
    try:
        port = server.server_address[1]
        proc = subprocess.run([sys.executable, "-m", "descend", "explore", "--no-browser",
                               "--port", str(port)], capture_output=True, text=True, timeout=60)
    finally:
        server.server_close()
    assert proc.returncode == 1 and f"--port {port}: cannot listen there" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_slider_s_share_of_2_over_L_becomes_the_rate_run(address):
    status, first = call(address, "/api/run", {"dataset": "moons", "model": "logistic"})
    status, answer = call(address, "/api/run", {"dataset": "moons", "model": "logistic",
                                                "rate_share": 0.25})
    assert status == 200, answer
    assert answer["learning_rate_used"] == pytest.approx(0.25 * first["rates"]["two_over_L"])


def test_an_upload_s_columns_and_first_run_follow_the_data(address):
    text = '"size, m2",price\n' + "".join(f"{a},{2 * a + 1}\n" for a in range(1, 40))
    status, answer = call(address, "/api/columns", {"csv": text})
    assert status == 200 and answer["columns"] == ["size, m2", "price"]   # a quoted comma
    status, answer = call(address, "/api/run", {"dataset": "upload", "csv": text,
                                                "target": "price", "model": "logistic",
                                                "fresh": True})
    assert status == 200 and answer["model"] == "linear", answer
    classes = "x,y\n" + "".join(f"{a},{a % 3}\n" for a in range(60))
    status, answer = call(address, "/api/run", {"dataset": "upload", "csv": classes,
                                                "target": "y", "model": "logistic"})
    assert status == 400 and "classes" in answer["error"]          # not a 500
    huge = "x,y\n" + "".join(f"{a}e300,{a}e300\n" for a in range(1, 30))
    status, answer = call(address, "/api/run", {"dataset": "upload", "csv": huge, "target": "y",
                                                "fresh": True})
    assert status in (200, 400) and (status == 400 or json.dumps(answer))


def test_a_request_without_a_body_is_refused(address):
    req = urllib.request.Request(address + "/api/run", data=b"", method="POST")
    try:
        urllib.request.urlopen(req, timeout=30)
        status = 200
    except urllib.error.HTTPError as e:
        status, body = e.code, json.loads(e.read())
    assert status == 400 and "no body" in body["error"]
