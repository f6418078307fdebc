"""The report in a real headless Chromium, opened from disk.

Set REPORT_SCREENSHOT_DIR to keep the screenshots; they always go to the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdp import Browser
from conformance.report import write_run_outputs
from results_factory import make_results

pytestmark = pytest.mark.browser

MAX_LOAD_MS = 2000
ROWS = 53
WARMUP_ANCHOR = "st.fit.warmup_steps::default[tiny-cpu]"

# Runs before the page's own script, so it records every blocked fetch.
RECORD_VIOLATIONS = (
    "window.__blocked = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__blocked.push(e.blockedURI));"
)
VISIBLE_ROWS = "[...document.querySelectorAll('#matrix tr.mrow')].filter(r => r.offsetParent !== null).length"
VISIBLE_RECORDS = "[...document.querySelectorAll('article.record')].filter(a => a.offsetParent !== null).length"


@pytest.fixture()
def browser(chromium: str, tmp_path: Path) -> Iterator[Browser]:
    with Browser(chromium, tmp_path / "profile", tmp_path / "chromium.log") as opened:
        yield opened


@pytest.fixture()
def report_url(tmp_path: Path) -> str:
    paths = write_run_outputs(make_results(records=60, points=300), tmp_path / "run")
    return paths["html"].resolve().as_uri()


def _open(browser: Browser, url: str) -> tuple[str, float]:
    page = browser.new_page()
    browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS}, page)
    started = time.perf_counter()
    browser.send("Page.navigate", {"url": url}, page)
    browser.wait_event("Page.loadEventFired", page, timeout=30)
    return page, time.perf_counter() - started


def _save_screenshot(browser: Browser, page: str, tmp_path: Path, name: str) -> Path:
    shot = browser.screenshot(tmp_path / name, page)
    keep = os.environ.get("REPORT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / name)
    return shot


def test_browser_report(browser: Browser, report_url: str, tmp_path: Path) -> None:
    page, wall_s = _open(browser, report_url)

    # 1. Loads fast, with no script error.
    load_ms = browser.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd", page)
    print(f"report load: {load_ms:.0f} ms by navigation timing, {wall_s:.2f} s wall")
    assert load_ms < MAX_LOAD_MS
    assert browser.events_named("Runtime.exceptionThrown") == []

    # 2. The matrix renders one cell per row and column (cpu/tiny and cpu/real).
    assert browser.evaluate("document.querySelectorAll('#matrix td.cell').length", page) == ROWS * 2
    assert browser.evaluate(VISIBLE_ROWS, page) == ROWS

    # 3. A detail view renders its loss chart with drawn curves.
    chart = browser.evaluate(
        f"(() => {{ const a = document.getElementById({json.dumps(WARMUP_ANCHOR)});"
        " const p = a.querySelector('svg.chart path.series-new');"
        " return {d: p.getAttribute('d').length, width: p.getBBox().width, shown: a.offsetParent !== null}; })()",
        page,
    )
    assert chart["d"] > 100
    assert chart["width"] > 100
    assert chart["shown"] is True

    # 4. Unchecking "equivalent" leaves the rows that have another verdict.
    browser.click('input[name="verdict"][value="equivalent"]', page)
    assert browser.evaluate(VISIBLE_ROWS, page) == 6
    assert browser.evaluate(VISIBLE_RECORDS, page) == 6
    assert "6 of 53 rows, 6 records shown" == browser.evaluate("document.getElementById('shown-count').textContent", page)
    _save_screenshot(browser, page, tmp_path, "report-filtered.png")
    browser.click("#show-all", page)
    assert browser.evaluate(VISIBLE_ROWS, page) == ROWS

    # 5. The stable row anchor reaches the row's first record, even when filtered out.
    browser.click('input[name="verdict"][value="equivalent"]', page)
    browser.evaluate("location.hash = '#st.flow'", page)
    target = browser.evaluate(
        "(() => { const t = document.querySelector(':target'); const r = t.getBoundingClientRect();"
        " return {id: t.id, article: t.closest('article').id, top: r.top, shown: t.offsetParent !== null}; })()",
        page,
    )
    assert target["id"] == "st.flow"
    assert target["article"] == "st.flow::default[tiny-cpu]"
    assert target["shown"] is True
    assert 0 <= target["top"] < 200
    shot = _save_screenshot(browser, page, tmp_path, "report-st.flow.png")
    assert shot.stat().st_size > 10_000

    # 6. Nothing but the file itself was requested, and nothing was blocked.
    urls = [event["request"]["url"] for event in browser.events_named("Network.requestWillBeSent")]
    assert urls == [report_url]
    assert browser.evaluate("window.__blocked", page) == []


def test_browser_network_check_can_fail(browser: Browser, tmp_path: Path) -> None:
    # Port 9 (discard) on this machine: the request only has to be sent, not served.
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/probe.png">', encoding="utf-8")

    _open(browser, probe.resolve().as_uri())

    urls = [event["request"]["url"] for event in browser.events_named("Network.requestWillBeSent")]
    assert "http://127.0.0.1:9/probe.png" in urls
