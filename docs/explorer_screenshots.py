"""Take the README's screenshots of the explorer: python docs/explorer_screenshots.py
(writes docs/explorer.png and docs/explorer_diverging.png; needs Debian's chromium and
playwright, the test extras)."""

import shutil
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from descend.explore.server import make_server

HERE = Path(__file__).resolve().parent


def shoot(page, address, dataset, solver, rate_of_L, out, example=True):
    page.goto(address + "/")
    page.wait_for_function("window.explorer.result !== null", timeout=60_000)
    page.select_option("#dataset", dataset)
    page.select_option("#solver", solver)
    page.wait_for_function(f"explorer.result && explorer.result.dataset === '{dataset}' && "
                           f"explorer.result.solver === '{solver}'", timeout=60_000)
    rate = rate_of_L * page.evaluate("explorer.result.rates.one_over_L")
    page.evaluate("""(rate) => { const s = document.getElementById('learning-rate');
        s.value = sliderFor(rate); s.dispatchEvent(new Event('input')); }""", rate)
    page.wait_for_function(f"Math.abs(explorer.result.learning_rate_used / {rate} - 1) < 0.05",
                           timeout=60_000)
    page.wait_for_timeout(500)
    page.evaluate("document.getElementById('speed').value = 60")
    page.click("#run")
    page.wait_for_function("!explorer.running", timeout=60_000)
    if example:
        box = page.locator("#data").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.4)
        page.wait_for_timeout(1500)
    page.screenshot(path=str(out), full_page=True)


def main():
    server = make_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    address = f"http://{host}:{port}"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 860})
        shoot(page, address, "blobs", "gd", 1.0, HERE / "explorer.png")
        shoot(page, address, "line", "gd", 2.3, HERE / "explorer_diverging.png", example=False)
        browser.close()
    server.shutdown()
    return HERE / "explorer.png", HERE / "explorer_diverging.png"


if __name__ == "__main__":
    print(main())
