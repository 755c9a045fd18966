"""Hostile text in the class's HTML pages, opened in headless Chromium: no script runs, nothing is fetched.

Script payloads reach every page the way an attacker would put them there: an answer in
``$\\text{...}$``, a stray file's ``student:`` line (summary.html, the instructor's page), a code
exception's message and a roster name (problem and report pages), Markdown links and remote
images. Each payload, if it ran, would add a ``<pwned>`` element to the page; each URL is
marked and points at a local HTTP server or a remote host, and that server is also Chromium's
proxy, so any request for a marked URL, local or remote, is counted. Every page is opened
as written and once more without its Content-Security-Policy, so that the sanitising alone
is shown to hold. A control page with the raw payloads proves
that both detectors see a script run and a request leave.

Skips only when no Chromium is installed (``apt-get install chromium``).
"""

from __future__ import annotations

import csv
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.text.html import CSP, literal, page, sanitize
from tests.test_instructor import EXAMPLES

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "chromium-headless-shell",
                                            "google-chrome") if shutil.which(n)), None)
browser = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")

RUN = "document.body.append(document.createElement('pwned'))"
MARK = "hostile"  # in every URL of a payload; Chromium's own background requests do not have it


def payloads(server: str) -> list[str]:
    """Hostile snippets: each runs RUN or fetches a marked URL if it is ever read as markup."""
    url = f"{server}/{MARK}"
    return [
        f"![remote](http://{MARK}.invalid/remote.png)",
        f"$\\style{{background:url(http://{MARK}.invalid/bg.png)}}{{x}}$",
        f'<img src=x onerror="{RUN}">',
        f"<svg/onload={RUN}>",
        f"$\\text{{<svg/onload={RUN}>}}$",
        f"$\\text{{<img src={url}/math.png>}}$",
        f"$\\href{{javascript:{RUN}}}{{x}}$",
        f"$$\\text{{<script>{RUN}</script>}}$$",
        f"[click](javascript:{RUN})",
        f"![remote]({url}/remote.png)",
        f"<{url}/autolink>",
        f'<iframe src="{url}/frame"></iframe>',
        f'<link rel="stylesheet" href="{url}/style.css">',
        f"<style>@import url({url}/import.css);</style>",
        f"`` ` <svg/onload={RUN}> ``",
        f'&lt;img src=x onerror="{RUN}"&gt;',
    ]


class Counter(http.server.BaseHTTPRequestHandler):
    """Counts every request (also proxy requests) and answers with an empty page."""

    hits: list[str] = []

    def _any(self) -> None:
        Counter.hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = do_CONNECT = _any

    def log_message(self, *args) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def opened(path: Path, proxy: str, without_policy: bool = False) -> tuple[bool, list[str]]:
    """(whether a payload ran, the requests made) when Chromium loads the page from a file."""
    if without_policy:
        copy = path.with_name(f"nocsp-{path.name}")
        copy.write_text(path.read_text(encoding="utf-8").replace(CSP, ""), encoding="utf-8")
        path = copy
    Counter.hits.clear()
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--proxy-server={proxy}",
         "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=3000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    assert "</body>" in dom, dom[-2000:]
    return "<pwned>" in dom, [hit for hit in Counter.hits if MARK in hit]


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory, server) -> Path:
    """The example class with hostile text in a roster name, answers, a stray sheet and a code file."""
    root = tmp_path_factory.mktemp("hostile-pages")
    bad = payloads(server)
    shutil.copy(EXAMPLES / "hw1.toml", root / "hw1.toml")
    with (root / "roster.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerow(["s001", " ".join(bad)])
        writer.writerow(["s002", "Alan Turing"])
    submissions = root / "submissions"
    submissions.mkdir()
    answers = ["q1.regime", "q1.dE_dw_expr", "q1.w_1", "q2.h1", "q2.delta_o1_expr", "q2.E"]
    sheet = ["student: s001", "assignment: hw1"] + [f"{a} = {p}" for a, p in zip(answers, bad, strict=False)]
    sheet += [f"q2.o1 = {p}" for p in bad[len(answers):]]
    (submissions / "s001.txt").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    (submissions / "stray.txt").write_text(f"student: {' '.join(bad[:6])}\nq1.w_1 = 1\n", encoding="utf-8")
    message = " ".join(bad).replace("\\", "\\\\").replace('"', '\\"')
    code = f'def forward_222(p):\n    raise ValueError("{message}")\n\n\ndef backward_222(p, f):\n' \
           f'    raise RuntimeError("{message}")\n'
    (submissions / "s001.py").write_text(code, encoding="utf-8")
    shutil.copy(EXAMPLES / "submissions" / "s002.txt", submissions / "s002.txt")
    runner = CliRunner()
    generated = runner.invoke(main, ["generate", str(root / "hw1.toml"), "--roster", str(root / "roster.csv"),
                                     "--out", str(root / "sheets")], catch_exceptions=False)
    assert generated.exit_code == 0, generated.output
    graded = runner.invoke(main, ["grade", str(root / "hw1.toml"), str(submissions), "--out", str(root / "graded")],
                           catch_exceptions=False)
    assert graded.exit_code == 0, graded.output
    return root


def test_the_hostile_text_reaches_the_pages(hostile_class):
    """The payloads are on the pages (as text): otherwise the browser tests would prove nothing."""
    report = (hostile_class / "graded" / "reports" / "s001.html").read_text(encoding="utf-8")
    summary = (hostile_class / "graded" / "summary.html").read_text(encoding="utf-8")
    problem = (hostile_class / "sheets" / "students" / "s001" / "problem.html").read_text(encoding="utf-8")
    assert "svg/onload=document.body.append" in report and "ValueError" in report
    assert "svg/onload=document.body.append" in summary
    assert "onerror=" in problem


@browser
def test_the_detectors_see_a_script_run_and_a_request_leave(tmp_path, server):
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><html><body>" + "".join(payloads(server)) + "</body></html>")
    ran, requests = opened(control, server)
    assert ran and requests


PAGES = ["graded/reports/s001.html", "graded/summary.html", "sheets/students/s001/problem.html"]


@browser
@pytest.mark.parametrize("without_policy", [False, True], ids=["as-written", "without-csp"])
@pytest.mark.parametrize("name", PAGES)
def test_no_script_runs_and_no_request_leaves(hostile_class, server, name, without_policy):
    ran, requests = opened(hostile_class / name, server, without_policy)
    assert not ran, f"a script ran in {name}"
    assert requests == [], f"{name} made requests: {requests}"



def test_every_page_is_sanitised_and_forbids_scripts_and_remote_loads(hostile_class):
    for name in PAGES:
        text = (hostile_class / name).read_text(encoding="utf-8")
        assert CSP in text and "default-src 'none'" in CSP
        tags = re.findall(r"<[^>]*>", text[text.index("<body>"):])
        assert tags and not [t for t in tags if re.search(r"^<(script|svg|iframe|link|style|a)\b|\son\w+=|javascript:"
                                                          r"|(src|href)=\"?http", t)], name


def test_the_sanitiser_keeps_the_mathml_and_the_embedded_plot():
    math = page("$\\frac{a}{b}$ ![plot](data:image/png;base64,iVBORw0KGgo=)", "t")
    assert "<mfrac>" in math and 'src="data:image/png;base64,iVBORw0KGgo="' in math
    assert sanitize('<img src="data:text/html;base64,PHNjcmlwdD4=">') == "<img>"
    assert sanitize('<math><mi href="javascript:x()">a</mi></math>') == "<math><mi>a</mi></math>"


@pytest.mark.parametrize("text", ["$x$", "[a](http://e.example)", "![i](http://e.example/i.png)", "<b>x</b>",
                                  "&amp;", "*em* _em_", "# heading", "1. item", "- item", "> quote", "`code`",
                                  "a | b", "\\$x\\$", "<http://e.example>"])
def test_literal_text_renders_as_written(text):
    rendered = page(literal(text), "t")
    shown = re.sub(r"<[^>]+>", "", rendered[rendered.index("<body>"):])
    assert shown.strip().replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") == text
