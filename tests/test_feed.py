"""The corrections feed (``tracker feed``): order, filters, published-only and --all,
escaping, stable ids, Atom 1.0 / JSON Feed 1.1 validity, and the CLI's -o."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from tracker import porcelain
from tracker.errors import TrackerError
from tracker.export.feed import _notes_fast, _notes_in_full, _record_of, _wording
from tracker.export.feed_formats import json_ld, render_atom, render_feed_html, render_json_feed
from tracker.git.journal import EVENT_PREFIX, JOURNAL_REF
from tracker.git.write import commit_tree
from tracker.recording import NoteInput, add_later_note, init_store, record

from conftest import ANN, BOB, DATE, git, run_cli

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Says ]]> then <script>alert(1)</script> & "q" \x1b[31m red \u202e and \x07 bell'
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def publish(store, revs: list[str], date: str) -> None:
    """A publish event in the journal, as ``tracker publish`` appends it (the agreed
    shape, docs/corrections.md): written directly, so the feed is tested on its own."""
    event = {"v": 1, "event": "publish", "document": "x", "revisions": revs, "date": date,
             "author": str(BOB)}  # fmt: skip
    message = f"publish {revs[0][:12]}\n\n{EVENT_PREFIX}{json.dumps(event, sort_keys=True)}\n"
    empty = store.git("mktree", input=b"")
    old = store.ref(JOURNAL_REF)
    new = commit_tree(store, empty, old, message, BOB, date)
    store.git("update-ref", JOURNAL_REF, new)


def write(store, name: str, text: str) -> None:
    (store.root / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """Two documents, five revisions: three published notices, one pending, silent fixes."""
    store = init_store(tmp_path_factory.mktemp("feed") / "room", ANN, DATE)
    write(store, "a.txt", "Los Zetas is Venezuelan. It was founded in 1999.\n")
    write(store, "b.txt", "The agency has two divisions. The weather was fine.\n")
    record(store, "a.txt", "Add a", identity=ANN, date="2025-03-01T09:00:00+00:00")
    record(store, "b.txt", "Add b", identity=ANN, date="2025-03-01T09:05:00+00:00")
    revs = {}
    write(store, "a.txt", "Los Zetas is Mexican. It was founded in 1999.\n")
    note = NoteInput("Los Zetas is a Mexican criminal organization, not Venezuelan.", "factual",
                     "https://example.org/zetas")  # fmt: skip
    revs["a1"] = record(store, "a.txt", "Fix origin", notes={1: note}, identity=ANN,
                        date="2025-03-06T10:00:00-05:00")  # fmt: skip
    write(store, "b.txt", "The agency has three directorates. The weather was good.\n")
    notes = {1: NoteInput("It has three operational directorates.", "clarity"),
             2: NoteInput("Word choice.", "style")}  # fmt: skip
    revs["b1"] = record(store, "b.txt", "Directorates", notes=notes, identity=ANN,
                        date="2025-03-07T11:00:00+01:00")  # fmt: skip
    write(store, "a.txt", "Los Zetas is Mexican. It was founded around 1997.\n")
    hostile = NoteInput(HOSTILE, "other", notice="update", significance="minor",
                        reported="2025-01-02", late_reason="the archive was closed",
                        reported_by="Jane Roe <jane@reader.example>")  # fmt: skip
    revs["a2"] = record(store, "a.txt", "Founding", notes={1: hostile}, identity=ANN,
                        date="2025-03-08T09:00:00+00:00")  # fmt: skip
    write(store, "b.txt", "The agency has three directorates. The weather was good today.\n")
    pending = NoteInput("The forecast was for today.", "factual")
    revs["b2"] = record(store, "b.txt", "Today", notes={1: pending}, identity=ANN,
                        date="2025-03-09T09:00:00+00:00")  # fmt: skip
    publish(store, [revs["a1"]], "2025-03-07T08:00:00+00:00")
    publish(store, [revs["b1"]], "2025-03-09T08:00:00+00:00")
    publish(store, [revs["a2"]], "2025-03-10T08:00:00+00:00")
    publish(store, [revs["a1"]], "2025-04-01T08:00:00+00:00")  # again: the first date stands
    store.refresh()
    return store, revs


def test_published_notices_newest_first_and_silent_fixes_never(room):
    store, revs = room
    feed = porcelain.feed(store)
    assert [(i.rev, i.change) for i in feed.items] == [(revs["a2"], 1), (revs["b1"], 1),
                                                       (revs["a1"], 1)]  # fmt: skip
    first = feed.items[-1]
    assert (first.notice, first.label, first.significance) == ("correction", "Correction",
                                                               "significant")  # fmt: skip
    assert first.published == "2025-03-07T08:00:00+00:00"  # the first publish event's date
    assert first.corrected == "2025-03-06T10:00:00-05:00"
    assert feed.items[1].notice == "clarification"  # clarity, by the default policy
    assert feed.items[0].notice == "update"  # the note's own notice beats the default
    assert feed.updated == "2025-03-10T08:00:00+00:00"


def test_all_adds_the_pending_notices_first_and_marks_them(room):
    store, revs = room
    feed = porcelain.feed(store, everything=True)
    assert feed.items[0].rev == revs["b2"] and not feed.items[0].published
    assert len(feed.items) == 4
    atom = render_atom(feed)
    assert atom.count("(not yet published)") == 1
    data = json.loads(render_json_feed(feed))
    assert data["items"][0]["_tracker"]["published"] is None
    assert "date_published" not in data["items"][0]
    assert all("date_published" in item for item in data["items"][1:])
    page = render_feed_html(feed)
    assert page.count('<span class="pending-mark">not yet published</span>') == 1
    assert page.count('class="notice ') == 4 and page.count(" pending") == 1


def test_filters_by_document_notice_and_date(room, monkeypatch):
    store, revs = room
    monkeypatch.chdir(store.root)
    only_b = porcelain.feed(store, documents=["b.txt"], everything=True)
    assert {i.rev for i in only_b.items} == {revs["b1"], revs["b2"]}
    corrections = porcelain.feed(store, notices=["correction", "update"])
    assert [i.rev for i in corrections.items] == [revs["a2"], revs["a1"]]
    # A day is the published date as written; a time with its offset is an instant.
    assert [i.rev for i in porcelain.feed(store, since="2025-03-09").items] == [
        revs["a2"], revs["b1"]]  # fmt: skip
    assert [i.rev for i in porcelain.feed(store, until="2025-03-07").items] == [revs["a1"]]
    late = porcelain.feed(store, since="2025-03-09T09:00:00+01:00")  # 08:00 UTC: included
    assert [i.rev for i in late.items] == [revs["a2"], revs["b1"]]
    assert porcelain.feed(store, since="2025-03-09T08:00:01+00:00").items[-1].rev == revs["a2"]
    for bad in ({"notices": ["none"]}, {"notices": ["retraction"]}, {"since": "March"},
                {"documents": ["c.txt"]},
                {"until": "2025-03-09T10:00:00"}):  # fmt: skip
        with pytest.raises(TrackerError):
            porcelain.feed(store, **bad)


def test_ids_are_stable_tag_uris_and_two_runs_give_the_same_bytes(room):
    store, _revs = room
    feed = porcelain.feed(store, everything=True)
    assert re.fullmatch(r"tag:ann@example\.org,2025-06-05:tracker/[0-9a-f]{40}", feed.id)
    ids = [feed.entry_id(item) for item in feed.items]
    assert len(set(ids)) == len(ids) and all(i.startswith(feed.id + "/") for i in ids)
    assert [item["id"] for item in feed.to_json()["items"]] == ids  # the porcelain's JSON
    for fmt in ("atom", "json", "html"):
        again = porcelain.render_feed(porcelain.feed(store, everything=True), fmt)
        assert porcelain.render_feed(feed, fmt) == again
    # A clone names every notice alike (the ids come from the history, not the folder).
    clone = store.root.parent / "clone"
    git(store.root.parent, "clone", "-q", str(store.root), str(clone))
    git(clone, "fetch", "-q", "origin", f"+{JOURNAL_REF}:{JOURNAL_REF}")
    other = porcelain.feed(porcelain.open_store(clone), everything=True)
    assert [other.entry_id(item) for item in other.items] == ids


def _rfc3339(text: str | None) -> None:
    assert text and RFC3339.match(text), text
    assert datetime.fromisoformat(text).tzinfo is not None


def test_atom_has_what_rfc_4287_requires_and_hostile_text_stays_text(room):
    store, _revs = room
    feed = porcelain.feed(store, everything=True, base_url="https://news.example/a b")
    root = ET.fromstring(render_atom(feed).encode("utf-8"))
    assert root.tag == f"{A}feed"
    for element in (root, *root.findall(f"{A}entry")):
        for name in ("id", "title", "updated"):
            assert len(element.findall(f"{A}{name}")) == 1, (element.tag, name)
        _rfc3339(element.findtext(f"{A}updated"))
        for published in element.findall(f"{A}published"):
            _rfc3339(published.text)
    assert root.find(f"{A}author/{A}name").text  # the feed's author covers every entry
    entries = root.findall(f"{A}entry")
    assert len(entries) == 4
    assert all(e.find(f"{A}link").get("href").startswith("https://news.example/a b/")
               for e in entries)  # fmt: skip
    summary = entries[1].findtext(f"{A}summary")
    assert summary.startswith("Update, 8 March 2025: Says ]]> then <script>alert(1)</script>")
    assert "\x1b" not in summary and "␛[31m" in summary and "⟨RLO⟩" in summary
    content = entries[1].findtext(f"{A}content")
    assert "Reported 2 January 2025; corrected 67 days after the report" in content
    assert "(the archive was closed)" in content and "Published 10 March 2025." in content


def test_atom_parses_with_feedparser(room):
    feedparser = pytest.importorskip(
        "feedparser", reason="feedparser is not installed (the test extra should bring it)"
    )
    store, _revs = room
    parsed = feedparser.parse(render_atom(porcelain.feed(store)))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 3
    assert parsed.entries[0].summary.startswith("Update, 8 March 2025: Says ]]> then <script>")


def test_json_feed_has_the_1_1_fields_and_types(room):
    store, revs = room
    data = json.loads(render_json_feed(porcelain.feed(store, base_url="https://news.example")))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and data["home_page_url"] == "https://news.example"
    assert isinstance(data["items"], list) and len(data["items"]) == 3
    for item in data["items"]:
        assert isinstance(item["id"], str) and isinstance(item["content_text"], str)
        assert item["url"].startswith("https://news.example/")
        _rfc3339(item["date_published"])
        assert all(isinstance(tag, str) for tag in item["tags"])
        extension = item["_tracker"]
        assert set(extension) >= {"notice", "significance", "document", "rev", "change"}
    first = data["items"][0]
    assert first["_tracker"]["rev"] == revs["a2"] and first["_tracker"]["change"] == 1
    assert "<script>alert(1)</script>" in first["content_text"]
    assert "\x1b" not in first["content_text"] and "\x07" not in first["content_text"]
    # Who reported an error stays with the desk: no format of the feed names them.
    assert "reported_by" not in first["_tracker"]
    feed = porcelain.feed(store)
    for page in (render_json_feed(feed), render_atom(feed), render_feed_html(feed)):
        assert "Jane Roe" not in page and "reader.example" not in page


def test_html_page_escapes_everything_and_its_json_ld_reads_back(room):
    store, _revs = room
    page = render_feed_html(porcelain.feed(store, everything=True))
    assert "default-src 'none'" in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [attrs for attrs, _ in scripts] == [' type="application/ld+json"']
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markup = json.loads(scripts[0][1])
    articles = [element["item"] for element in markup["itemListElement"]]
    assert {a["identifier"] for a in articles} == {"a.txt", "b.txt"}
    comments = [c for a in articles for c in a["correction"]]
    assert len(comments) == 3  # published notices only, not the pending one
    assert all(c["@type"] == "CorrectionComment" and c["datePublished"] for c in comments)
    assert any("<script>alert(1)</script>" in c["text"] for c in comments)  # data, escaped
    assert markup["publisher"]["correctionsPolicy"]["name"] == "The Associated Press"


def test_a_later_note_rewords_the_notice_as_every_reader_finds_it(tmp_path):
    store = init_store(tmp_path / "later", ANN, DATE)
    write(store, "a.txt", "One two three four five six.\n")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    write(store, "a.txt", "One 2 three 4 five 6.\n")
    notes = {1: NoteInput("First.", "factual"), 2: NoteInput("Second.", "style"),
             3: NoteInput("Actually a fact", "factual")}  # fmt: skip
    rev = record(store, "a.txt", "Fix", notes=notes, identity=ANN, date=DATE)
    later = NoteInput("First, reworded.", "factual", notice="correction", reported="2025-06-01")
    add_later_note(store, rev, 1, later, ANN, DATE)
    add_later_note(store, rev, 2, NoteInput("Actually a fact.", "factual"), BOB, DATE)
    store.refresh()
    feed = porcelain.feed(store, everything=True)
    # Two corrections of one revision are one notice, each text said once, as the article
    # shows it; a third change whose note says the same thing adds nothing.
    assert [(i.change, i.text, i.reported) for i in feed.items] == [
        (1, "First, reworded. Actually a fact.", "2025-06-01")]  # fmt: skip
    # The quick reading agrees with apply_later's, field by field.
    message = git(store.root, "log", "-1", "--format=%B", rev).encode()
    later_blob = git(store.root, "notes", "--ref=refs/notes/tracker", "show", rev)
    _document, rec = _record_of(message)
    from tracker.notes import parse_later

    stored = parse_later(later_blob)
    assert [(index, _wording(raw)) for index, raw in _notes_fast(rec, rec["changes"], stored)] == [
        (index, _wording(note.to_json()))
        for index, note in _notes_in_full(store, message, rec, stored)
    ]


def test_an_empty_store_gives_a_valid_empty_feed(store):
    feed = porcelain.feed(store)
    assert feed.items == () and feed.updated == DATE
    root = ET.fromstring(render_atom(feed))
    assert root.findall(f"{A}entry") == [] and root.findtext(f"{A}updated") == DATE
    assert json.loads(render_json_feed(feed))["items"] == []


def test_cli_writes_the_feed_whole_and_refuses_a_symlink(room, tmp_path):
    store, _revs = room
    out = tmp_path / "feed.xml"
    result = run_cli("-C", str(store.root), "feed", "--all", "-o", str(out))
    assert result.code == 0, result.err
    printed = run_cli("-C", str(store.root), "feed", "--all")
    assert out.read_text(encoding="utf-8") == printed.out
    assert not list(tmp_path.glob(".tracker-export-*"))  # no temporary file left behind
    target = tmp_path / "precious.txt"
    target.write_text("keep\n")
    link = tmp_path / "link.xml"
    link.symlink_to(target)
    refused = run_cli("-C", str(store.root), "feed", "-o", str(link))
    assert refused.code != 0 and target.read_text() == "keep\n"
    assert len(refused.err.strip().splitlines()) == 1 and "Traceback" not in refused.err
    bad = run_cli("-C", str(store.root), "feed", "--notice", "retraction")
    assert bad.code != 0 and "unknown notice type" in bad.err and "Traceback" not in bad.err


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_corrections_page_renders_in_a_real_browser(room, tmp_path):
    store, _revs = room
    page = tmp_path / "corrections.html"
    page.write_text(render_feed_html(porcelain.feed(store, everything=True)), encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    elements = re.findall(r"<([a-z0-9]+)", dom.stdout)
    assert elements.count("script") == 1  # the JSON-LD block, and nothing made of a note
    assert dom.stdout.count('class="notice ') == 4
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout


def _fresh(store, everything=True):
    """The feed read from the whole history, as if no run had kept anything."""
    for kept in (store.git_dir / "tracker" / "cache").glob("feed-*.json"):
        kept.unlink()
    return porcelain.feed(store, everything=everything)


def test_the_kept_feed_reads_only_what_changed_and_says_what_a_cold_read_says(tmp_path):
    from tracker.export import feed as feed_module

    store = init_store(tmp_path / "kept", ANN, DATE)
    write(store, "a.txt", "One two three.\n")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    write(store, "a.txt", "One 2 three.\n")
    first = record(store, "a.txt", "Fix", notes={1: NoteInput("Two.", "factual")},
                   identity=ANN, date=DATE)  # fmt: skip
    assert porcelain.feed(store, everything=True) == _fresh(store)
    cache = store.git_dir / "tracker" / "cache" / "feed-v1.json"
    assert cache.is_file()
    reads: list[list[str]] = []
    real = feed_module._read

    def counted(store_, policy, revs, walk=True):
        reads.append(list(revs))
        return real(store_, policy, revs, walk)

    steps = [
        # A new revision: only it is read.
        lambda: (
            write(store, "a.txt", "One 2 3.\n"),
            record(
                store,
                "a.txt",
                "Fix 3",
                notes={1: NoteInput("Three.", "clarity")},
                identity=ANN,
                date=DATE,
            ),
        ),  # fmt: skip
        # A later note on an old revision: only that revision is read again.
        lambda: add_later_note(
            store, first, 1, NoteInput("Two, said better.", "factual"), BOB, DATE
        ),  # fmt: skip
        # A publish event: nothing on the branch changed, nothing is read.
        lambda: publish(store, [first], "2025-07-01T08:00:00+00:00"),
        # History rewritten behind the tracker's back: everything is read again.
        lambda: (
            git(store.root, "reset", "-q", "--hard", first),
            write(store, "a.txt", "One 2 three!\n"),
            record(
                store,
                "a.txt",
                "Other",
                notes={1: NoteInput("Bang.", "factual")},
                identity=ANN,
                date=DATE,
            ),
        ),  # fmt: skip
    ]
    expected_reads = [1, 1, 0, 2]  # the rewritten branch: its tip, then everything
    for step, count in zip(steps, expected_reads, strict=True):
        step()
        store.refresh()
        reads.clear()
        feed_module._read = counted
        try:
            kept = porcelain.feed(store, everything=True)
        finally:
            feed_module._read = real
        assert len(reads) == count, reads
        assert kept == _fresh(store)
    assert reads[-1] == ["HEAD"]  # the whole history
    # A damaged or planted file is read past, never trusted.
    porcelain.feed(store, everything=True)
    cache.write_text('{"v": 1, "items": [[1, 2]]}')
    assert porcelain.feed(store, everything=True) == _fresh(store)
    cache.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = cache.parent
    shutil.rmtree(folder)
    folder.symlink_to(elsewhere)
    assert porcelain.feed(store, everything=True).items
    assert list(elsewhere.iterdir()) == []  # nothing written through the link


def test_a_hostile_document_name_and_headline_stay_text_and_its_ids_stay_uris(tmp_path):
    store = init_store(tmp_path / "names", ANN, DATE)
    name = 'q <b>&"x"\u202e.txt'
    title = '# <i>&"y"\x1b[31m\u202e ##\n\n'
    write(store, name, title + "One two.\n")
    record(store, name, "Add", identity=ANN, date=DATE)
    write(store, name, title + "One 2.\n")
    record(store, name, "Fix", notes={1: NoteInput("Two.", "factual")}, identity=ANN, date=DATE)
    feed = porcelain.feed(store, everything=True, base_url='https://x.example/"><script>')
    (item,) = feed.items
    assert item.document == name
    assert feed.entry_id(item).endswith("/q%20%3Cb%3E%26%22x%22%E2%80%AE.txt/" + item.rev + "/1")
    entry = ET.fromstring(render_atom(feed)).find(f"{A}entry")
    # Titled by the document's headline (its Markdown marks off), made visible.
    assert entry.findtext(f"{A}title") == 'Correction: <i>&"y"␛[31m⟨RLO⟩ (not yet published)'
    assert entry.find(f"{A}link").get("href").startswith('https://x.example/"><script>/q%20')
    tracked = json.loads(render_json_feed(feed))["items"][0]["_tracker"]
    assert tracked["document"] == name and tracked["headline"] == '<i>&"y"␛[31m⟨RLO⟩'
    page = render_feed_html(feed)
    assert "<b>" not in page and "<i>" not in page and "<script>" not in page.split("</head>")[1]
    assert "Document: q &lt;b&gt;&amp;&quot;x&quot;⟨RLO⟩.txt" in page
    assert "&lt;i&gt;&amp;&quot;y&quot;␛[31m⟨RLO⟩</a>" in page


def test_a_document_without_a_title_is_named_by_its_path_and_titles_follow_the_tip(tmp_path):
    store = init_store(tmp_path / "titles", ANN, DATE)
    write(store, "rules.txt", "-- --\n")
    record(store, "rules.txt", "Add", identity=ANN, date=DATE)
    write(store, "rules.txt", "-- ==\n")
    record(store, "rules.txt", "Fix", notes={1: NoteInput("Rule.", "factual")}, identity=ANN,
           date=DATE)  # fmt: skip
    assert [i.document for i in porcelain.feed(store, everything=True).items] == ["rules.txt"]
    first = render_atom(porcelain.feed(store, everything=True))
    assert '<title type="text">Correction: rules.txt (not yet published)</title>' in first
    # A title written later is what the next run shows (the kept headlines follow the tip).
    write(store, "rules.txt", "Storm hits coast\n\n-- ==\n")
    record(store, "rules.txt", "Title", notes={1: NoteInput("Title.", "style")}, identity=ANN,
           date=DATE)  # fmt: skip
    store.refresh()
    publish(store, [i.rev for i in porcelain.feed(store, everything=True).items], DATE)
    kept = porcelain.feed(store, everything=True)
    assert {kept.headline(i) for i in kept.items} == {"Storm hits coast"}
    assert kept == _fresh(store)
    assert json_ld(kept)["itemListElement"][0]["item"]["headline"] == "Storm hits coast"


def test_the_kept_publish_dates_read_only_the_events_after_them(room, monkeypatch, tmp_path):
    from tracker.export import feed as feed_module

    original, revs = room
    # A copy: the shared store must stay as the other tests expect it.
    shutil.copytree(original.root, tmp_path / "copy", symlinks=True)
    store = porcelain.open_store(tmp_path / "copy")
    seen: list[int] = []
    real = feed_module._add_publish_events

    def counted(out, dates):
        seen.append(out.count(EVENT_PREFIX))
        real(out, dates)

    monkeypatch.setattr(feed_module, "_add_publish_events", counted)
    porcelain.feed(store)  # keeps the journal's tip
    publish(store, [revs["b2"]], "2025-03-11T08:00:00+00:00")
    seen.clear()
    after = porcelain.feed(store)
    assert seen == [1]  # the one new event, not the four before it
    assert after.items[0].rev == revs["b2"] and after == _fresh(store, everything=False)
    # A journal joined by a sync (a merge) is read whole: which event came first may move.
    old = store.ref(JOURNAL_REF)
    empty = store.git("mktree", input=b"")
    side = commit_tree(store, empty, old, "side\n", BOB, DATE)
    store.git(
        "update-ref", JOURNAL_REF, commit_tree(store, empty, [old, side], "join\n", BOB, DATE)
    )
    seen.clear()
    assert porcelain.feed(store) == after
    assert seen == [5]  # all of them


def test_a_journal_that_cannot_be_read_fails_once_in_the_commands_thread(room, monkeypatch, capsys):
    from tracker.errors import GitError
    from tracker.export import feed as feed_module

    def broken(store):
        raise GitError("git log failed: bad object")

    monkeypatch.setattr(feed_module, "published_dates", broken)
    with pytest.raises(GitError, match="bad object"):
        porcelain.feed(room[0])
    assert "Exception in thread" not in capsys.readouterr().err  # no thread traceback


@pytest.mark.parametrize(
    ("row", "trusted"),
    [
        (["d", "r", 1, "n", "s", "l", "c", "t", "src", "by", "rep", "late"], True),
        (["d", "r", True, "n", "s", "l", "c", "t", "src", "by", "rep", "late"], False),
        (["d", "r", "1", "n", "s", "l", "c", "t", "src", "by", "rep", "late"], False),
        (["d", "r", 1, "n", "s", "l", "c", "t", "src", "by", "rep", 7], False),
        (["d", "r", 1, "n", "s", "l", "c", "t", "src", "by", "rep"], False),
        ({"d": 1}, False),
    ],
)
def test_a_kept_row_of_the_wrong_shape_makes_the_whole_file_read_past(row, trusted):
    from tracker.export.feed_cache import _well_typed

    good = ["d", "r", 2, "n", "s", "l", "c", "t", "src", "by", "rep", "late"]
    assert _well_typed([good, row, good]) is trusted


def test_headlines_of_big_binary_and_missing_documents(tmp_path):
    from tracker.export.feed_headlines import _HEAD_BYTES, document_headlines

    store = init_store(tmp_path / "big", ANN, DATE)
    big = "Big title\n\n" + "word " * 80_000  # far past what is read, and a pipe's buffer
    for name, text in {"big.txt": big, "after.txt": "# After the big one\n"}.items():
        write(store, name, text)
        record(store, name, "Add", identity=ANN, date=DATE)
    # A title past the first 8 KB is not looked for: the document keeps its path.
    write(store, "late.txt", "\n" * (_HEAD_BYTES + 1) + "Too late\n")
    record(store, "late.txt", "Add", identity=ANN, date=DATE)
    # A binary file, committed with plain git (the tracker records only text).
    (store.root / "bin.dat").write_bytes(b"Not a title\x00\x01\n")
    git(store.root, "add", "bin.dat")
    git(store.root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-qm", "bin")
    store.refresh()
    names = ["big.txt", "after.txt", "bin.dat", "late.txt", "gone.txt"]
    assert document_headlines(store, names) == {
        "big.txt": "Big title",
        "after.txt": "After the big one",
    }
    kept = store.git_dir / "tracker" / "cache" / "feed-headlines-v1.json"
    assert kept.is_file()
    assert document_headlines(store, names) == {
        "big.txt": "Big title",
        "after.txt": "After the big one",
    }


def test_limit_keeps_the_newest_notices_and_a_bad_count_is_one_line(room):
    store, _revs = room
    whole = porcelain.feed(store)
    newest = porcelain.feed(store, limit=2)
    assert len(whole.items) == 3 and newest.items == whole.items[:2]
    assert newest.updated == whole.updated
    printed = run_cli("-C", str(store.root), "feed", "-n", "1")
    assert printed.code == 0 and printed.out.count("<entry>") == 1
    assert whole.entry_id(whole.items[0]) in printed.out
    bad = run_cli("-C", str(store.root), "feed", "--limit", "many")
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1 and "not a count" in bad.err


def test_a_headline_git_failed_to_give_is_asked_again_and_a_kept_one_starts_no_git(
    tmp_path, monkeypatch
):
    from tracker.export import feed_headlines

    store = init_store(tmp_path / "again", ANN, DATE)
    write(store, "a.txt", "Storm hits coast\n\nBody.\n")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    store.refresh()
    real = feed_headlines._read_headlines
    monkeypatch.setattr(feed_headlines, "_read_headlines", lambda store_, blobs: {})
    assert feed_headlines.document_headlines(store, ["a.txt"]) == {}  # git gave nothing
    monkeypatch.setattr(feed_headlines, "_read_headlines", real)
    assert feed_headlines.document_headlines(store, ["a.txt"]) == {"a.txt": "Storm hits coast"}

    def no_git(*_args):
        raise AssertionError("a kept headline at the same tip needs no git")

    monkeypatch.setattr(store, "file_blobs", no_git)
    monkeypatch.setattr(feed_headlines, "_read_headlines", no_git)
    assert feed_headlines.document_headlines(store, ["a.txt"]) == {"a.txt": "Storm hits coast"}
