"""The schema.org JSON-LD of the HTML export and of ``tracker notice --format html``: it
parses back to the article, its published corrections and the policy; no note text can
end its script element; and in headless Chromium the page builds it as data and runs no
script (the export's Content-Security-Policy stays ``default-src 'none'``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker import porcelain
from tracker.model import NoteInput, NoticeItem
from tracker.notices import jsonld, jsonld_script
from tracker.policy import PRESETS
from tracker.recording import add_review, record

from conftest import ANN, BOB

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# Text that would end the data block, open a comment or run a script if it were not escaped.
HOSTILE = "It was 12, not 10 </script><script>document.title='RAN'</script> <!-- & \u2028"
PUBLISHED = "2025-06-09T12:00:00+01:00"


def _script_body(page: str) -> str:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(found) == 1, "exactly one JSON-LD block, ended where it was written"
    return found[0]


@pytest.fixture
def published(store, monkeypatch) -> Path:
    """A store with one significant correction (hostile wording), approved and published."""
    monkeypatch.chdir(store.root)
    path = store.root / "a.txt"
    path.write_text("# Storm hits coast\n\nTen homes were damaged.\n", encoding="utf-8")
    record(store, "a.txt", "Baseline", "", {}, ANN, "2025-06-05T11:00:00+01:00")
    path.write_text("# Storm hits coast\n\nTwelve homes were damaged.\n", encoding="utf-8")
    fix = record(
        store, "a.txt", "Correct the count", "",
        {1: NoteInput(HOSTILE, "factual", "Council statement", reported="2025-06-06")},
        ANN, "2025-06-06T23:30:00-05:00",
    )  # fmt: skip
    add_review(store, fix, "approved", "", BOB, "2025-06-08T10:00:00+01:00")
    store.refresh()
    porcelain.publish(store, "a.txt", author="Carol Desk <c@example.org>", date=PUBLISHED)
    store.refresh()
    return store.root


def test_the_markup_parses_back(published):
    store = porcelain.open_store(published)
    for page in (
        porcelain.export(store, "a.txt", fmt="html"),
        porcelain.notice(store, "a.txt", fmt="html"),
    ):
        body = _script_body(page)
        assert "<" not in body and "&" not in body and body.isascii()
        data = json.loads(body)
        assert data["@type"] == "NewsArticle" and data["headline"] == "Storm hits coast"
        assert data["dateModified"] == "2025-06-06T23:30:00-05:00"
        (correction,) = data["correction"]
        assert correction == {
            "@type": "CorrectionComment",
            "text": f"Correction, 6 June 2025: {HOSTILE.replace(chr(0x2028), ' ').strip()}.",
            "datePublished": PUBLISHED,
        }
        policy = data["publisher"]
        assert policy["@type"] == "NewsMediaOrganization"
        assert policy["correctionsPolicy"].startswith("The Associated Press corrections policy")


def test_only_published_notices_are_corrections_in_the_markup():
    item = NoticeItem("a.txt", "r" * 40, 1, "correction", "significant", "Correction",
                      "2025-03-06T10:00:00+01:00", "Wrong town.")  # fmt: skip
    assert jsonld("T", "2025-03-06", [item], PRESETS["nyt"])["correction"] == []
    shown = jsonld_script(jsonld("A <b> & C", "", [item], PRESETS["nyt"]))
    assert json.loads(_script_body(shown))["headline"] == "A <b> & C"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_chromium_reads_the_markup_as_data_and_runs_no_script(published, tmp_path):
    store = porcelain.open_store(published)
    page = tmp_path / "report.html"
    page.write_text(porcelain.export(store, "a.txt", fmt="html"), encoding="utf-8")
    # A canary: the same page with a script of our own. If the page's policy let any
    # inline script run, this one would retitle the page; its DOM shows it did not.
    canary = tmp_path / "canary.html"
    canary.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>", "<script>document.title='RAN'</script></body>"
        ),
        encoding="utf-8",
    )
    doms = {}
    for name, file in (("report", page), ("canary", canary)):
        dom = subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / name}-profile",
             "--dump-dom", file.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert dom.returncode == 0, dom.stderr[-2000:]
        doms[name] = dom.stdout
    for dom in doms.values():
        assert "<title>Corrections: a.txt</title>" in dom and "RAN</title>" not in dom
    # The browser built the block as one element of text: read from its DOM, it is the
    # JSON the tracker wrote, and parses to the published correction.
    data = json.loads(_script_body(doms["report"]))
    assert data["correction"][0]["datePublished"] == PUBLISHED
    assert "document.title='RAN'" in data["correction"][0]["text"]  # as text, not run
    # The page as a reader sees it (inspected by eye while writing this test).
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path}/shot-profile",
         "--window-size=1000,900", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.stat().st_size > 10_000


def test_the_report_keeps_its_content_security_policy(published):
    page = porcelain.export(porcelain.open_store(published), "a.txt", fmt="html")
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
    ) in page
