"""A headless Chromium for the page tests (dbt docs, the report, the review page).

    python -m catalog_ml.browser        # `make browser`: prints the Chromium executable

Playwright drives the browser, but its own browser download does not work offline; the
project uses Debian's `chromium` package instead (installed with apt-get when missing, as
root) and hands its path to Playwright: `chromium.launch(executable_path=chromium_path())`.
`open_page` is the one way the tests open a local HTML file in it.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog_ml import debian
from catalog_ml.debian import PackageUnavailable, ensure_binary

# Debian ships the browser as /usr/bin/chromium (package chromium).
BINARY = "chromium"


class BrowserUnavailable(RuntimeError):
    """Chromium is not installed and cannot be installed here (the reason says why)."""


def chromium_path(quiet: bool = True) -> str:
    """The Chromium executable; installs Debian's package with apt-get when missing."""
    try:
        return ensure_binary(BINARY, quiet=quiet)
    except PackageUnavailable as error:
        raise BrowserUnavailable(str(error)) from error


@contextlib.contextmanager
def open_page(url_or_path: str | Path, *, offline: bool = True) -> Iterator[Any]:
    """A Playwright page (headless Chromium) on a local file or URL; closed on exit.

    offline=True aborts every request that leaves the machine (anything but file:, data:,
    blob:, about: and 127.0.0.1/localhost), so a page that needs a CDN shows it; the
    aborted URLs are listed in page.blocked_requests.
    """
    from playwright.sync_api import sync_playwright  # imported here: only page tests need it

    target = str(url_or_path)
    if isinstance(url_or_path, Path) or not re.match(r"[a-z][a-z0-9+.-]*:", target):
        target = Path(url_or_path).resolve().as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page()
            blocked: list[str] = []
            if offline:

                def _route(route: Any) -> None:
                    if is_local(route.request.url):
                        route.continue_()
                    else:
                        blocked.append(route.request.url)
                        route.abort()

                page.route("**/*", _route)
            page.blocked_requests = blocked
            page.goto(target, wait_until="load")
            yield page
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (file, data, blob, about, loopback host)."""
    if url.split(":", 1)[0] in {"file", "data", "blob", "about"}:
        return True
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return host in {"127.0.0.1", "localhost", "[::1]"}


def main(argv: list[str] | None = None) -> int:
    """Find or install Chromium and print its path (the same as catalog_ml.debian)."""
    del argv
    return debian.main([BINARY])


if __name__ == "__main__":
    sys.exit(main())
