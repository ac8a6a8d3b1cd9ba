"""Corrections reports (HTML checked in a real headless Chromium), blame and reviews."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from html_hostile import FIELDS
from html_hostile import build as build_hostile

from tracker.demo import build_demo
from tracker.recording import NoteInput, init_store, record

from conftest import ANN, DATE, git, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
EVIL = "[b]x[/b] <script>alert(1)</script> \x1b[31m \u202e | *y* & `z`"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = build_demo(tmp_path_factory.mktemp("reports") / "demo").root
    assert run_cli("-C", str(root), "review", "HEAD~8", "--approve", "--comment", "Sources checked",
                   "--author", "Rita Reviewer <r@example.org>").code == 0  # fmt: skip
    return root


@pytest.fixture
def evil_store(tmp_path):
    store = init_store(tmp_path / "evil", ANN, DATE)
    (store.root / "doc.txt").write_text("Plain words here.\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    (store.root / "doc.txt").write_text(f"Plain {EVIL} here.\n", encoding="utf-8")
    record(store, "doc.txt", EVIL, EVIL, {1: NoteInput(EVIL, "factual", EVIL)}, identity=ANN)
    return store.root


def export(root, *args) -> str:
    result = run_cli("-C", str(root), "export", *args)
    assert result.code == 0, result.err
    return result.out


def test_json_report_is_the_full_audit_record(demo):
    data = json.loads(export(demo, "--format", "json"))
    assert data["document"] == "article.txt" and len(data["revisions"]) == 10
    assert sum(data["categories"].values()) == 48
    who = next(r for r in data["revisions"] if r["summary"].startswith("Correct who is who"))
    assert who["review"]["status"] == "approved"
    assert all(c["note"] for c in who["changes"])


def test_range_selects_revisions(demo):
    one = json.loads(export(demo, "HEAD~8", "--format", "json"))
    assert [r["summary"][:18] for r in one["revisions"]] == ["Correct who is who"]
    span = json.loads(export(demo, "HEAD~3..HEAD", "--format", "json"))
    assert len(span["revisions"]) == 3
    bad = run_cli("-C", str(demo), "export", "nope..HEAD")
    assert bad.code != 0 and "unknown revision" in bad.err


def test_markdown_report_reads_like_a_corrections_page(demo, tmp_path):
    out = tmp_path / "corrections.md"
    assert run_cli("-C", str(demo), "export", "--format", "md", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Corrections: article.txt")
    assert "| factual |" in text and "**factual**" in text
    assert "approved by Rita Reviewer" in text
    assert "Los Zetas is a Mexican criminal organization" in text


def test_every_format_escapes_untrusted_text(evil_store):
    html = export(evil_store, "--format", "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\x1b" not in html and "\u202e" not in html and "⟨RLO⟩" in html
    markdown = export(evil_store, "--format", "md")
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "\\*y\\*" in markdown and "\\`z\\`" in markdown and "\x1b" not in markdown
    data = export(evil_store, "--format", "json")
    assert data.isascii() and "\x1b" not in data
    assert json.loads(data)["revisions"][-1]["summary"] == EVIL


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_html_report_renders_in_a_real_browser(demo, tmp_path):
    report = tmp_path / "report.html"
    assert run_cli("-C", str(demo), "export", "-o", str(report)).code == 0
    html = report.read_text(encoding="utf-8")
    # The one script element is the schema.org JSON-LD: a data block, never run.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']
    assert "http://" not in html.split("<body>")[0]
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert page.count('class="revision"') == 10
    assert page.count('class="note"') == 48
    assert re.search(r"<del data-change=\"1\">“Los Zetas” and </del>", page)
    assert "Los Zetas is a Mexican criminal organization" in page
    assert "approved by Rita Reviewer" in page
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}-2", "--window-size=1200,1600",
         f"--screenshot={shot}", report.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.stat().st_size > 20_000  # a page with content, not a blank canvas
    # The browser's own parse of a report full of hostile text (tests/html_hostile.py) and
    # of its plain twin: the same elements in the same order, so none was made of the text.
    pages = {}
    for kind in ("plain", "hostile"):
        out = tmp_path / f"{kind}.html"
        root = build_hostile(tmp_path / kind, hostile=kind == "hostile")
        assert run_cli("-C", str(root), "export", "-o", str(out)).code == 0
        dom = subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}-{kind}", "--dump-dom",
             out.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert dom.returncode == 0, dom.stderr[-2000:]
        pages[kind] = dom.stdout
    # Chromium serialises text with "<" escaped, so every "<" left is an element or comment.
    elements = {kind: re.findall(r"<(!--|[^\s/>]+)", page) for kind, page in pages.items()}
    assert elements["hostile"] == elements["plain"]
    # One script element: the JSON-LD data block (tests/test_jsonld.py reads it back).
    assert elements["hostile"].count("script") == 1 and "!--" not in elements["hostile"]
    assert pages["hostile"].count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 20
    # Text the browser swallowed into a bogus tag or comment is gone, not turned into an
    # element: each field must still end where it ends in the plain page.
    for key in FIELDS:
        end = re.compile(rf"-{key}(?![A-Z0-9])")
        assert len(end.findall(pages["hostile"])) == len(end.findall(pages["plain"])), key


def test_blame_names_the_revision_and_reason_of_each_sentence(demo):
    result = run_cli("-C", str(demo), "blame", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["file"] == "article.txt"
    text = (demo / "article.txt").read_text(encoding="utf-8")
    for unit in data["units"]:
        assert set(unit) >= {"text", "start", "end", "rev", "author", "date", "note"}
        assert text[unit["start"] : unit["end"]] == unit["text"]
    ero = next(u for u in data["units"] if u["text"].startswith("ERO enforces civil immigration"))
    assert ero["note"]["category"] == "factual"
    assert git(demo, "log", "-1", "--format=%s", ero["rev"]).startswith("Correct who is who")
    untouched = [u for u in data["units"] if u["note"] is None]
    first = git(demo, "rev-list", "--max-parents=0", "HEAD").strip()
    article_first = git(demo, "rev-list", "--reverse", "HEAD").split()[1]
    assert all(u["rev"] in (article_first, first) for u in untouched)
    paragraphs = json.loads(run_cli("-C", str(demo), "blame", "--by", "paragraph", "--json").out)
    assert len(paragraphs["units"]) < len(data["units"])
    assert "why:" in run_cli("-C", str(demo), "blame").out


def test_blame_attributes_a_deletion_to_the_revision_that_made_it(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "d.txt"
    doc.write_text("Alpha one. Beta two. Gamma three.")
    record(store, "d.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Alpha one. Beta 2. Gamma three.")
    second = record(store, "d.txt", "Digits", notes={1: NoteInput("digit")}, identity=ANN)
    doc.write_text("Alpha one. Beta 2. Gamma.")
    third = record(store, "d.txt", "Cut", notes={1: NoteInput("cut")}, identity=ANN)
    data = json.loads(run_cli("-C", str(store.root), "blame", "--json").out)
    got = [(u["text"], u["rev"], u["note"]["text"] if u["note"] else None) for u in data["units"]]
    first = git(store.root, "rev-list", "--reverse", "HEAD").split()[1]
    assert got == [("Alpha one.", first, None), ("Beta 2.", second, "digit"),
                   ("Gamma.", third, "cut")]  # fmt: skip


def test_reviews_approve_flag_and_unreviewed(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "d.txt"
    doc.write_text("One.")
    record(store, "d.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Two.")
    record(store, "d.txt", "Edit", notes={1: NoteInput("n")}, identity=ANN)
    root = str(store.root)
    assert run_cli("-C", root, "review", "HEAD", "--flag", "").code != 0
    assert run_cli("-C", root, "review", "HEAD", "--flag", "Source missing").code == 0
    log = json.loads(run_cli("-C", root, "log", "--json").out)["revisions"]
    assert (
        log[0]["review"]["status"] == "flagged" and log[0]["review"]["comment"] == "Source missing"
    )
    assert log[1]["review"] is None
    assert run_cli("-C", root, "review", "HEAD", "--approve").code == 0
    newest = json.loads(run_cli("-C", root, "log", "--json").out)["revisions"][0]
    assert newest["review"]["status"] == "approved" and newest["review"]["history"] == 1
    waiting = json.loads(run_cli("-C", root, "log", "--unreviewed", "--json").out)["revisions"]
    assert [r["summary"] for r in waiting] == ["Add"]
    assert "approved by" in run_cli("-C", root, "log").out
    history = git(store.root, "log", "--format=%s", "refs/notes/tracker-reviews").splitlines()
    assert history[0].startswith("Approve") and history[1].startswith("Flag")


def test_blame_does_not_credit_a_cut_paragraph_to_the_next_one(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "d.txt"
    doc.write_text("Para one is here.\n\nPara two is here.\n")
    first = record(store, "d.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Para two is here.\n")
    record(store, "d.txt", "Cut", notes={1: NoteInput("cut")}, identity=ANN)
    data = json.loads(run_cli("-C", str(store.root), "blame", "--json").out)
    assert [(u["text"], u["rev"]) for u in data["units"]] == [("Para two is here.", first)]
