"""Open the built docs in headless Chromium and check they render as a reader sees them.

    python3 scripts/check_docs_in_browser.py docs/_build/html [--screenshots DIR]

Serves the HTML on a loopback port, loads the landing page and each module page in
Debian's Chromium (through chromedriver and selenium), and checks that every page has
its title, its API reference where it should, and that every image on it loaded with a
real size (a broken figure has ``naturalWidth`` 0). Pages with figures must show at
least one. Screenshots go to ``--screenshots`` for a person to look at. Exits 1 with
one line per problem.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

#: (page, needs at least one figure) checked on every run
PAGES = (
    ("index.html", True),
    ("sigv4.html", False),
    ("kinesis.html", True),
    ("quorum.html", True),
    ("autoscaling.html", True),
    ("cfn-init.html", True),
    ("codeartifact.html", True),
    ("k8s-dns.html", True),
    ("vpn.html", True),
    ("tour.html", False),
    ("verified.html", False),
    ("performance.html", False),
)

_IMAGES = """
return Array.from(document.images).map(
    (img) => [img.getAttribute("src"), img.complete, img.naturalWidth]);
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on an ephemeral loopback port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _browser() -> WebDriver:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # As root in a sandbox without a network: no sandbox, no background traffic.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check(root: Path, screenshots: Path | None) -> list[str]:
    """Every problem found on the pages in :data:`PAGES`."""
    from selenium.webdriver.common.by import By

    problems: list[str] = []
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    with serve(root) as base:
        driver = _browser()
        try:
            for page, needs_figure in PAGES:
                if not (root / page).exists():
                    problems.append(f"{page}: not built")
                    continue
                driver.get(base + page)
                title = driver.title
                if "awscore" not in title:
                    problems.append(f"{page}: unexpected title {title!r}")
                headings = driver.find_elements(By.TAG_NAME, "h1")
                if not headings or not headings[0].text.strip():
                    problems.append(f"{page}: no visible h1")
                images = driver.execute_script(_IMAGES)
                shown = [src for src, done, width in images if done and width > 0]
                problems += [
                    f"{page}: image {src} did not load"
                    for src, done, width in images
                    if not (done and width > 0)
                ]
                if needs_figure and not shown:
                    problems.append(f"{page}: no figure rendered")
                if screenshots is not None:
                    driver.save_screenshot(str(screenshots / f"{page}.png"))
                print(f"{page}: {title!r}, {len(shown)} image(s) rendered")
        finally:
            driver.quit()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built HTML folder")
    parser.add_argument("--screenshots", type=Path, help="save a PNG of each page here")
    args = parser.parse_args(argv)
    problems = check(args.html, args.screenshots)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
