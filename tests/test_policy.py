"""The corrections policy: each preset's rules (the lint, pure), recording a notice from the
CLI and the Record screen, the policy setting, old stores, and verify's ``policy`` finding."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace

import pytest
from textual.widgets import Input, Select
from tui_helpers import ready, settle

from tracker import porcelain, present
from tracker.errors import TrackerError
from tracker.model import Note, NoteInput
from tracker.policy import (
    FLAG,
    NOTICE_TYPES,
    PRESETS,
    REFUSE,
    RULES,
    SIGNIFICANCE,
    lint,
    notice_of,
    preset,
    significance_of,
)
from tracker.recording import init_store
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.record import ChangeForm, RecordScreen

from conftest import ANN, DATE, REPO_ROOT, git, run_cli, run_cli_ok, snapshot

EDITOR = "Ann Editor <ann@example.org>"

WRITTEN = "2025-03-06T10:00:00-05:00"  # when each linted note was written (its revision)


def _note(category: str, notice: str = "", significance: str = "", **more: str) -> Note:
    return Note("Why.", category, "", "Ann <ann@example.org>", WRITTEN, "revision", (), (),
                notice, significance, **more)  # fmt: skip


# rule -> (a note it refuses or flags, a note that passes it): the same pair under every
# preset that has the rule; a preset without it must let the first note pass the rule.
CASES: dict[str, tuple[Note, Note]] = {
    "notice-type": (_note("factual", "retraction"), _note("factual", "correction")),
    "significance": (_note("factual", "", "huge"), _note("factual", "", "significant")),
    "reported-date": (
        _note("factual", reported="last week"),
        _note("factual", reported="2025-03-01"),
    ),
    "reported-after-correction": (
        _note("factual", reported="2025-04-01"),
        _note("factual", reported="2025-03-05T09:00:00-05:00"),
    ),
    "factual-as-clarification": (
        _note("factual", "clarification", "minor"),
        _note("factual", "correction", "significant"),
    ),
    "significant-without-notice": (
        _note("clarity", "none", "significant"),
        _note("clarity", "clarification", "significant"),
    ),
    "factual-without-notice": (
        _note("factual", "none", "minor"),
        _note("factual", "correction", "significant"),
    ),
    "factual-needs-correction": (
        _note("factual", "editors-note", "significant"),
        _note("factual", "correction", "significant"),
    ),
    "significant-factual-corrected": (
        _note("factual", "update", "significant"),
        _note("factual", "correction", "significant"),
    ),
    "minor-correction-refiled": (
        _note("factual", "correction", "minor"),
        _note("factual", "correction", "significant"),
    ),
    "balance-needs-editors-note": (
        _note("balance", "none", "minor"),
        _note("balance", "editors-note", "minor"),
    ),
    "minor-withdrawal": (
        _note("other", "withdrawal", "minor"),
        _note("other", "withdrawal", "significant"),
    ),
    "notice-for-style": (_note("style", "correction", "minor"), _note("style", "none", "minor")),
    "late-without-reason": (
        _note("factual", reported="2025-01-20"),
        _note("factual", reported="2025-01-20", late_reason="The source confirmed it only now."),
    ),
    "notice-names-staff": (
        replace(_note("factual", "correction", "significant"), text="Checked by ann@example.org."),
        replace(_note("factual", "correction", "significant"), text="Annual figures."),
    ),
}
# The lint's rules; the others are checked where their act is (publish, verify).
LINTED = [rule for rule, says in RULES.items() if says.at == "lint"]
APPLIES = [(name, rule) for name, policy in PRESETS.items() for rule in policy.rules()
           if rule in LINTED]  # fmt: skip
SPARED = [
    (name, rule) for name, policy in PRESETS.items() for rule in LINTED
    if rule not in policy.rules()
]  # fmt: skip


def test_every_rule_has_its_cases():
    assert set(CASES) == set(LINTED)
    assert {r.severity for r in RULES.values()} == {REFUSE, FLAG}
    # The rest are the publishing rules, each with its own tests (test_senior_editors.py).
    assert {rule: RULES[rule].at for rule in set(RULES) - set(LINTED)} == {
        "senior-issues": "publish"
    }


@pytest.mark.parametrize(("name", "rule"), APPLIES)
def test_each_preset_rule_catches_its_case_and_passes_the_other(name, rule):
    bad, good = CASES[rule]
    caught = [p for p in lint(bad, PRESETS[name]) if p.rule == rule]
    assert len(caught) == 1 and caught[0].severity == RULES[rule].severity
    assert caught[0].message and "\n" not in caught[0].message
    assert rule not in {p.rule for p in lint(good, PRESETS[name])}


@pytest.mark.parametrize(("name", "rule"), SPARED)
def test_a_preset_without_a_rule_lets_its_case_pass_that_rule(name, rule):
    assert rule not in {p.rule for p in lint(CASES[rule][0], PRESETS[name])}


@pytest.mark.parametrize("name", PRESETS)
def test_what_a_policy_derives_never_breaks_it(name):
    """A note that says nothing for readers (every old store's) reads as its policy's own
    choice, which its lint must accept."""
    policy = PRESETS[name]
    for category, (notice, significance) in policy.defaults.items():
        note = _note(category)
        assert (notice_of(note, policy), significance_of(note, policy)) == (notice, significance)
        assert notice in NOTICE_TYPES and significance in SIGNIFICANCE
        assert lint(note, policy) == [], category


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("As ann@EXAMPLE.org found, it was 1999.", True),
        ("Maria  okafor checked it.", True),
        ("Maria Okafort is not her.", False),
        ("The date was wrong.", False),
    ],
)
def test_a_notice_naming_its_author_is_flagged_by_name_or_address(text, named):
    note = replace(_note("factual", "correction", "significant"), text=text,
                   author="Maria Okafor <ann@example.org>")  # fmt: skip
    assert ("notice-names-staff" in {p.rule for p in lint(note, preset("ap"))}) is named
    # A one-word name is too often a plain word: "Will" does not flag "will be".
    word = replace(note, text="The figure will be updated.", author="Will <w@example.org>")
    assert "notice-names-staff" not in {p.rule for p in lint(word, preset("ap"))}
    silent = replace(note, category="style", notice="none", significance="minor")
    assert "notice-names-staff" not in {p.rule for p in lint(silent, preset("ap"))}


def test_the_late_rule_counts_from_the_revision_not_from_a_later_rewording():
    note = replace(_note("factual", reported="2025-03-01"), date="2025-09-01T10:00:00+00:00")
    assert "late-without-reason" in {p.rule for p in lint(note, preset("nyt"))}
    assert lint(note, preset("nyt"), corrected=WRITTEN) == []


def test_the_docs_list_each_presets_rules_and_the_parser_names_every_policy():
    from tracker.cli import parser

    docs = (REPO_ROOT / "docs" / "corrections.md").read_text(encoding="utf-8")
    section = docs.split("## Policies and their sources", 1)[1].split("\n## ", 1)[0]
    for name, policy in PRESETS.items():
        table = section.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        listed = set(re.findall(r"^\| `([a-z-]+)` \|", table, re.M))
        assert listed == set(policy.rules()), name
    assert tuple(PRESETS) == parser._POLICIES


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def story(tmp_path):
    """A store (under the NYT's policy) with story.txt recorded and two pending changes;
    set up in-process (the CLI is what each test then runs)."""
    root = tmp_path / "store"
    init_store(root, ANN, DATE, policy="nyt")
    (root / "story.txt").write_text("The cat sat on the mat.\n", encoding="utf-8")
    porcelain.add_document(Store.open(root), str(root / "story.txt"), author=EDITOR, date=ADDED)
    (root / "story.txt").write_text("The dog sat on the rug.\n", encoding="utf-8")
    return root


ADDED = "2025-06-05T11:00:00+00:00"
FIXED = "2025-06-10T10:00:00+00:00"


def test_record_with_a_notice_round_trips_through_show(story):
    result = run_cli_ok(
        "record", "story.txt", "-m", "Fix the animal", "--date", FIXED,
        "--note", "1=It was a dog, not a cat.", "--category", "1=factual",
        "--notice", "1=correction", "--significance", "1=significant",
        "--reported-by", "1=A reader", "--reported", "1=2025-06-06",
        "--note", "2=A rug.", "--category", "2=style",
        cwd=story,
    )  # fmt: skip
    assert result.err == ""
    changes = json.loads(run_cli_ok("show", "HEAD", "--json", cwd=story).out)["changes"]
    note = changes[0]["note"]
    assert (note["notice"], note["significance"], note["reported_by"]) == (
        "correction", "significant", "A reader"
    )  # fmt: skip
    assert note["reported"].startswith("2025-06-06T00:00:00")
    # A note that gives no notice stores none (its bytes are as before), and reads derived.
    assert "notice" not in changes[1]["note"] and "significance" not in changes[1]["note"]
    text = porcelain_text(story)
    assert "notice: correction, significant\n" in text
    assert "reported by A reader, 2025-06-06" in text
    assert "notice: no notice, minor (nyt policy)" in text
    assert porcelain.verify(Store.open(story)).ok


def porcelain_text(root) -> str:
    """``tracker show HEAD`` as the CLI draws it (the same renderer, in-process)."""
    return run_cli_ok("show", "HEAD", cwd=root).out


def test_a_refused_notice_writes_nothing_and_says_so_in_one_line(story):
    before = snapshot(story)
    result = run_cli(
        "record", "story.txt", "-m", "Fix", "--note", "1=It was a dog.",
        "--category", "1=factual", "--notice", "1=clarification", cwd=story,
    )  # fmt: skip
    assert result.code == 1 and result.out == "" and result.err.count("\n") == 1
    assert result.err.startswith("tracker: error: change 1: The New York Times: a factual")
    assert "rule factual-as-clarification" in result.err and "nothing was written" in result.err
    assert snapshot(story) == before


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"notice": "retraction"}, "change 1: unknown notice type 'retraction'"),
        ({"significance": "huge"}, "change 1: unknown significance 'huge'"),
        ({"reported": "last week"}, "change 1, reported date: 'last week' is not a date"),
        ({"reported": "2999-01-01"}, "change 1, reported date: the date 2999-01-01"),
        ({"notice": "none", "significance": "minor"}, "rule factual-without-notice"),
    ],
)
def test_a_wrong_value_writes_nothing(story, given, says):
    before = snapshot(story)
    store = Store.open(story)
    with pytest.raises(TrackerError) as refused:
        porcelain.record_revision(store, "story.txt", "Fix", notes={
            1: NoteInput("It was a dog.", "factual", **given)
        }, author=EDITOR)  # fmt: skip
    assert says in refused.value.one_line() and "\n" not in refused.value.one_line()
    assert snapshot(story) == before


def test_a_flagged_notice_is_recorded_with_a_warning(story):
    result = run_cli_ok(
        "record", "story.txt", "-m", "Fix", "--date", FIXED, "--note", "1=It was a dog.",
        "--category", "1=factual", "--reported", "1=2025-05-01T10:00:00+00:00", cwd=story,
    )  # fmt: skip
    assert result.err.startswith("tracker: warning: change 1: The New York Times: corrected 40")
    assert result.err.count("\n") == 1
    assert "(policy nyt, rule late-without-reason)" in result.err
    assert Store.open(story).revision("HEAD").changes[0].note.reported.startswith("2025-05-01")


def test_a_later_note_keeps_the_fields_it_does_not_change(story):
    store = Store.open(story)
    rev = porcelain.record_revision(store, "story.txt", "Fix", notes={
        1: NoteInput("It was a dog.", "factual", notice="correction", reported_by="A reader",
                     reported="2025-06-06")
    }, author=EDITOR, date=FIXED).rev  # fmt: skip
    run_cli_ok("note", rev, "1", "It was a dog, not a cat.", "--late-reason", "Checked twice.",
               cwd=story)  # fmt: skip
    entry = json.loads(git(story, "notes", "--ref=refs/notes/tracker", "show", rev))["entries"][-1]
    assert (entry["notice"], entry["reported_by"], entry["late_reason"]) == (
        "correction", "A reader", "Checked twice."
    )  # fmt: skip
    note = Store.open(story).revision(rev).changes[0].note
    assert note.late_reason == "Checked twice." and note.history[0].notice == "correction"
    # A later note may not silence a significant factual correction.
    before = snapshot(story)
    with pytest.raises(TrackerError, match="rule significant-without-notice"):
        porcelain.note(Store.open(story), rev, 1, "Silently.", notice="none")
    assert snapshot(story) == before


def test_config_policy_is_a_journaled_setting_that_verify_accepts(story):
    changed = run_cli_ok("config", "policy", "reuters", cwd=story)
    assert changed.out.startswith("policy is now reuters (settings commit ")
    config = json.loads((story / ".tracker" / "config.json").read_text(encoding="utf-8"))
    assert config["policy"] == "reuters"
    store = Store.open(story)
    assert porcelain.set_setting(store, "policy", "reuters") is None  # already: nothing
    assert porcelain.settings(store)["policy"] == "reuters"
    wrong = run_cli("config", "policy", "bbc", cwd=story)
    assert wrong.code == 1 and "the policies are: ap, reuters, nyt, ipso" in wrong.err
    assert porcelain.verify(Store.open(story)).findings == []


def test_verify_names_a_note_that_breaks_the_policy(story):
    store = Store.open(story)
    porcelain.set_setting(store, "policy", "ap")
    rev = porcelain.record_revision(Store.open(story), "story.txt", "Fix", notes={
        1: NoteInput("It was a dog.", "factual", notice="none", significance="minor")
    }, author=EDITOR).rev  # fmt: skip
    assert porcelain.verify(Store.open(story)).ok  # AP allows a silent minor factual fix
    porcelain.set_setting(Store.open(story), "policy", "nyt")  # ... the NYT does not
    report = json.loads(run_cli("verify", "--json", cwd=story).out)
    assert [(f["kind"], f["revision"], f["change"]) for f in report["findings"]] == [
        ("policy", rev, 1)
    ]
    assert (
        "the nyt policy refuses its note (rule factual-without-notice)"
        in (report["findings"][0]["message"])
    )
    # Since REV: a note added since to an older revision is checked too.
    base = git(story, "rev-parse", "HEAD").strip()
    porcelain.set_setting(Store.open(story), "policy", "ap")
    porcelain.note(Store.open(story), rev, 1, "It was a dog.", notice="none")
    porcelain.set_setting(Store.open(story), "policy", "nyt")
    since = porcelain.verify(Store.open(story), since=base)
    assert [(f.kind, f.revision) for f in since.findings] == [("policy", rev)]


# -- old stores and the views ---------------------------------------------------------------


def test_an_old_store_reads_with_derived_notices(store):
    """No policy key, notes without reader fields: the default policy's notices, marked."""
    (store.root / "a.txt").write_text("One two three.\n", encoding="utf-8")
    porcelain.add_document(
        store, str(store.root / "a.txt"), author=EDITOR, date="2025-06-05T11:00:00+01:00"
    )
    (store.root / "a.txt").write_text("One two four.\n", encoding="utf-8")
    porcelain.record_revision(store, "a.txt", "Fix", notes={1: NoteInput("Four.", "factual")},
                              author=EDITOR, date="2025-06-05T12:00:00+01:00")  # fmt: skip
    assert "policy" not in json.loads((store.root / ".tracker" / "config.json").read_text())
    store = Store.open(store.root)
    note = store.revision("HEAD").changes[0].note
    assert note.reader_fields() == {} and "notice" not in note.to_json()
    assert porcelain.policy_name(store) == "ap"
    assert present.plain(present.notice_words(note, "")) == "correction, significant (ap policy)"
    report = json.loads(porcelain.export(store, str(store.root / "a.txt"), fmt="json"))
    assert report["policy"] == "ap"
    assert report["revisions"][-1]["changes"][0]["notice"] == {
        "type": "correction", "significance": "significant", "label": "Correction",
        "derived": True,
    }  # fmt: skip
    assert "Notice: correction, significant (ap policy)." in porcelain.export(
        store, str(store.root / "a.txt"), fmt="md"
    )


def test_init_with_a_policy_writes_it_and_an_unknown_one_makes_nothing(tmp_path):
    run_cli_ok("init", str(tmp_path / "s"), "--policy", "ipso", "--author", "A <a@b.org>")
    config = json.loads((tmp_path / "s" / ".tracker" / "config.json").read_text())
    assert config["policy"] == "ipso"
    bad = run_cli("init", str(tmp_path / "t"), "--policy", "bbc", "--author", "A <a@b.org>")
    assert bad.code == 2 and not (tmp_path / "t").exists()


# -- the Record screen ---------------------------------------------------------------------


def test_the_record_screen_preselects_the_policys_notice_and_records_a_choice(store):
    (store.root / "a.txt").write_text("One two three.\n", encoding="utf-8")
    porcelain.add_document(
        store, str(store.root / "a.txt"), author=EDITOR, date="2025-06-05T11:00:00+01:00"
    )
    (store.root / "a.txt").write_text("One two four.\n", encoding="utf-8")

    async def main() -> None:
        app = TrackerApp(Store.open(store.root))
        async with app.run_test(size=(140, 40)) as pilot:
            await ready(pilot)
            await pilot.press("r")
            await settle(pilot, lambda: isinstance(app.screen, RecordScreen))
            form = app.screen.query_one(ChangeForm)
            notice = form.query_one(".notice", Select)
            significance = form.query_one(".significance", Select)
            assert (notice.value, significance.value) == ("none", "minor")  # "other"
            form.query_one(".category", Select).value = "factual"
            await settle(pilot, lambda: notice.value == "correction")
            assert significance.value == "significant"  # the policy's, for the cause
            notice.value = "update"  # the editor's choice ...
            significance.value = "minor"
            form.query_one(".category", Select).value = "clarity"
            await pilot.pause()
            assert notice.value == "update"  # ... survives a change of cause
            app.screen.query_one("#summary", Input).value = "Four"
            form.query_one(".note", Input).value = "Four, not three."
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: isinstance(app.screen, MainScreen))

    asyncio.run(main())
    note = Store.open(store.root).revision("HEAD").changes[0].note
    # The notice was chosen; the significance is the policy's for "clarity": unsaid.
    assert (note.category, note.notice, note.significance) == ("clarity", "update", "")
