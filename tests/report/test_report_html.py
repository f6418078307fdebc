"""The HTML report: self-contained, escaped, every anchor present, charts drawn."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.report import render_html
from conformance.report.formatting import format_number
from conformance.report.svg import MAX_POINTS, Series, line_chart, nice_ticks
from conformance.report.view import build_report
from results_factory import make_record, make_results, write_json

# Attributes through which a page can load or link a resource.
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "xlink:href", "background", "manifest"}


class _PageScan(HTMLParser):
    """Collects ids, URL-bearing attributes and inline CSS of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.css: list[str] = []
        self.tags: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
            if name == "style" and value:
                self.css.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def _scan(page: str) -> _PageScan:
    scan = _PageScan()
    scan.feed(page)
    return scan


@pytest.fixture()
def page(results: dict[str, Any]) -> str:
    return render_html([results])


def test_html_links_only_to_own_anchors(page: str) -> None:
    scan = _scan(page)
    assert scan.urls, "the page should contain links"
    not_anchors = [url for url in scan.urls if not url[2].startswith("#")]
    assert not_anchors == []


def test_html_has_no_remote_resources(results: dict[str, Any]) -> None:
    record = results["records"][0]
    record["reason"] = '<img src="https://example.com/x.png"> see http://example.com'
    record["legacy_code"] = "load('https://example.com/model')  # </script><script src=http://x>"

    page = render_html([results])

    scan = _scan(page)
    assert [url for url in scan.urls if re.match(r"\s*(https?:)?//", url[2])] == []
    assert not any("url(" in css or "@import" in css for css in scan.css)
    assert "img" not in scan.tags
    assert scan.tags.count("script") == 1
    assert "&lt;img src=&#34;https://example.com/x.png&#34;&gt;" in page


def test_html_forbids_fetches_by_policy(page: str) -> None:
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"" in page


def test_html_contains_every_record_anchor(results: dict[str, Any], page: str) -> None:
    ids = _scan(page).ids
    for record in results["records"]:
        assert record["id"] in ids, record["id"]
    for row in {record["row"] for record in results["records"]}:
        assert row in ids, row
    assert len(ids) == len(set(ids))


def test_html_row_anchor_on_first_record(page: str) -> None:
    heading = re.search(r'<article class="record[^"]*" id="([^"]+)"[^>]*>\s*<h3 id="st\.fit\.warmup_steps">', page)
    assert heading is not None
    assert heading.group(1) == "st.fit.warmup_steps::default[tiny-cpu]"


def test_html_matrix_cells(results: dict[str, Any], page: str) -> None:
    rows = len({(record["row"], record["case"]) for record in results["records"]})
    assert rows == 53
    assert page.count('<td class="col cell"') == rows * 2
    assert page.count('<tr class="mrow"') == rows


def test_html_escapes_warning_text(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_summary_counts(page: str) -> None:
    summary = re.search(r'<p class="summary" id="summary">(.*?)</p>', page, re.S).group(1)
    assert "60 records" in summary
    assert '<span class="v v-equivalent">54 equivalent</span>' in summary
    assert "4 unexpected" in summary


def test_html_unexpected_list(page: str) -> None:
    listing = re.search(r'<section id="unexpected".*?</section>', page, re.S).group(0)
    assert listing.count("<li ") == 4
    assert 'href="#st.fit.warmup_steps::default[tiny-cpu]"' in listing


def test_html_sections_in_first_appearance_order() -> None:
    results = make_results(records=53, points=5)
    results["records"].reverse()
    report = build_report([results])
    assert [name for name, _ in report.sections][0] == "CrossEncoder evaluators"
    assert [row.row for row in report.sections[0][1]][0] == "ce.evaluator.CERerankingEvaluator"


def test_html_detail_shows_curves_and_code(page: str) -> None:
    article = re.search(r'<article class="record[^"]*" id="st\.fit\.warmup_steps::default\[tiny-cpu\]".*?</article>', page, re.S).group(0)
    assert article.count('<svg class="chart"') == 2
    assert 'class="series series-negative_control"' in article
    assert 'class="marker"' in article
    assert "model.fit(" in article
    assert "# &lt;not a tag&gt; &amp; more" in article
    assert "Negative control warnings (1)" in article
    assert "<th>first divergent step</th>" in article


def test_html_control_not_run(results: dict[str, Any]) -> None:
    results["records"][0]["negative_control"]["verdict"] = "not run"
    page = render_html([results])
    assert '<span class="v v-not-run">not run</span> new invocation with warmup_steps dropped' in page


def test_html_other_figure_as_json(results: dict[str, Any]) -> None:
    results["records"][0]["figures"]["progress"] = {"legacy": {"shown": True}, "new": {"shown": False}}
    page = render_html([results])
    assert "<summary>Figure <code>progress</code></summary>" in page
    assert "&#34;shown&#34;: false" in page


def test_html_log_of_failed_invocation(page: str) -> None:
    article = re.search(r'<article class="record[^"]*" id="ce\.evaluator\.CERerankingEvaluator::default\[tiny-cpu\]".*?</article>', page, re.S).group(0)
    assert '<details class="log"><summary>Log of the new invocation</summary>' in article
    assert "TimeoutError: ran past 300 s" in article


def test_html_size_of_large_run(tmp_path: Path) -> None:
    large = make_results(records=60, points=300)
    page = render_html([large])
    assert len(page.encode("utf-8")) < 5_000_000


def test_report_command_combines_runs(tmp_path: Path, results: dict[str, Any]) -> None:
    other = make_results(records=10, points=5, spec="sentence-transformers==5.1.0", version="5.1.0", run_id="run-b")
    first = write_json(tmp_path / "a.json", results)
    second = write_json(tmp_path / "b.json", other)
    out = tmp_path / "combined.html"

    status = main(["report", str(first), str(second), "-o", str(out), "--junit", str(tmp_path / "junit.xml")])

    page = out.read_text(encoding="utf-8")
    ids = _scan(page).ids
    assert status == 0
    assert page.count('class="run-head"') == 2
    assert ">sentence-transformers==5.1.0</th>" in page
    assert page.count('<td class="col cell"') == 53 * 3
    assert "20261204T201500-3f2a/st.flow::default[tiny-cpu]" in ids
    assert "run-b/st.flow::default[tiny-cpu]" in ids
    assert ids.count("st.flow") == 1
    assert (tmp_path / "junit.xml").exists()


def test_report_command_same_target_twice(tmp_path: Path, results: dict[str, Any]) -> None:
    again = copy.deepcopy(results)
    first = write_json(tmp_path / "a.json", results)
    second = write_json(tmp_path / "b.json", again)
    out = tmp_path / "twice.html"

    assert main(["report", str(first), str(second), "-o", str(out)]) == 0

    page = out.read_text(encoding="utf-8")
    assert "reference 0.1.0 (20261204T201500-3f2a-2)" in page
    assert len(_scan(page).ids) == len(set(_scan(page).ids))


def test_report_command_default_output(tmp_path: Path, results: dict[str, Any]) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_json(run_dir / "results.json", results)
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "index.html").exists()


def test_report_command_needs_output_for_several(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path / "a.json", results)
    assert main(["report", str(path), str(path)]) == 2
    assert "add -o combined.html" in capsys.readouterr().err


def test_chart_breaks_path_at_gaps() -> None:
    chart = line_chart([Series("new", [1.0, 2.0, None, 3.0, float("nan"), 4.0])], "loss")
    path = re.search(r'<path class="series series-new" d="([^"]+)"', chart).group(1)
    assert path.count("M") == 3
    assert path.count("L") == 1


def test_chart_decimates_long_curves() -> None:
    values = [float(i % 7) for i in range(20_000)]
    chart = line_chart([Series("legacy", values)], "loss")
    path = re.search(r'd="(M[^"]+)"', chart).group(1)
    assert path.count("L") + path.count("M") <= MAX_POINTS + 2
    assert "(20000)" in chart


def test_chart_empty_without_values() -> None:
    assert line_chart([Series("legacy", []), Series("new", [None])], "loss") == ""


def test_chart_single_point() -> None:
    chart = line_chart([Series("legacy", [0.5])], "loss")
    assert 'class="series series-legacy" d="M' in chart


def test_nice_ticks_cover_range() -> None:
    assert nice_ticks(0.12, 0.93) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(2e-5, 2e-5)[0] <= 2e-5 <= nice_ticks(2e-5, 2e-5)[-1]
    assert nice_ticks(1, 300, 6) == [0.0, 100.0, 200.0, 300.0]


def test_format_number_forms() -> None:
    assert format_number(None) == "\N{EM DASH}"
    assert format_number(39) == "39"
    assert format_number(0.41234567) == "0.412346"
    assert format_number(3.1e-8) == "3.1e-08"
    assert format_number(0.0) == "0"
    assert format_number(True) == "True"


def test_make_record_case_in_matrix() -> None:
    data = make_results(records=2, points=5)
    data["records"].append(make_record("st.flow", case="several-epochs", points=5))
    page = render_html([data])
    assert '<span class="case">several-epochs</span>' in page
