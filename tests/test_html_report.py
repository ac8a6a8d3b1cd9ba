"""The HTML corrections report parsed, not grepped: no markup comes from the data.

Two stores are built by the same steps (tests/html_hostile.py): one with plain words, one
with hostile text in every field a person writes. Both are exported with the real CLI and
parsed with ``html.parser``. The hostile report must have exactly the plain report's
markup, the plain report exactly the template's tags, and every planted string must read
back, as text, exactly as typed, in the section that shows its field.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from html_hostile import (
    FIELDS,
    FILE_HOSTILE,
    HOSTILE,
    HOSTILE_SHOWN,
    NAME_SHOWN,
    PLAIN,
    build,
    marker,
)

import tracker.export.html as template_module
import tracker.notices as notices_module

from conftest import run_cli

# Elements that have no end tag: html.parser reports their start only.
VOID = {"meta", "br", "img", "hr", "input", "link", "wbr"}
# Runs of hex in ids and links are revision ids, which differ between the two stores.
REV = re.compile(r"[0-9a-f]{12,40}")


def template_tags() -> tuple[set[str], set[str]]:
    """Tag and attribute names the report's template can write, read from its source."""
    # The notices' fragment and the JSON-LD block are written by tracker/notices.py.
    source = Path(template_module.__file__).read_text(encoding="utf-8")
    source += Path(notices_module.__file__).read_text(encoding="utf-8")
    tags = set(re.findall(r"<([a-z][a-z0-9]*)[\s>]", source))
    # _side() writes its element through a variable: f"<{tag} ...>" with "del" or "ins".
    assert 'tag = "del" if old else "ins"' in source, "the template changed: update this test"
    tags |= {"del", "ins"}
    attributes = set(re.findall(r"\s([a-z][a-z-]*)=[\"']", source))
    return tags, attributes


class Page(HTMLParser):
    """A report as events: start and end tags, text with the elements it sits in, and
    anything else (comments, processing instructions, declarations) the markup holds."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple] = []
        self.texts: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        self.other: list[tuple[str, str]] = []
        self._open: list[tuple[str, str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        normal = tuple(sorted((k, REV.sub("REV", v or "")) for k, v in attrs))
        self.tags.append(("start", tag, normal))
        if tag not in VOID:
            self._open.append((tag, dict(attrs).get("class") or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.other.append(("self-closing", tag))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("end", tag))
        # Close what the tag closes; a stray end tag is recorded in tags and changes nothing.
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((data, tuple(self._open)))

    def handle_comment(self, data: str) -> None:
        self.other.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        if decl != "DOCTYPE html":  # the template's one declaration
            self.other.append(("declaration", decl))

    def handle_pi(self, data: str) -> None:
        self.other.append(("processing instruction", data))

    def unknown_decl(self, data: str) -> None:
        self.other.append(("unknown declaration", data))


def place(path: tuple[tuple[str, str], ...]) -> str:
    """Name the part of the report a text node sits in, from the elements around it."""
    tags = [tag for tag, _ in path]
    classes = {cls for _, cls in path for cls in cls.split()}
    if "title" in tags:
        return "title"
    if "h1" in tags:
        return "h1"
    if "nav" in tags:
        return "contents" if "a" in tags else "nav"
    if "del" in tags:
        return "deleted"
    if "ins" in tags:
        return "inserted"
    if "side" in classes and "td" in tags:
        return "unchanged"
    if "td" in tags:
        return "category table"
    if "category" in classes:
        return "note category"
    if "review-flagged" in classes or "review-approved" in classes:
        return "review"
    if "small" in tags:
        return "note byline"
    if "notice" in classes:
        return "notice"
    if "note" in classes:
        return "note"
    if "reason" in classes:
        return "reason"
    if "revision" in classes:
        return "heading" if "h2" in tags else "byline" if "meta" in classes else "revision"
    return "/".join(tags)


# Where each field must be read. A marker found anywhere else, or missing, fails.
PLACES = {
    "DOC": ["title", "h1"],
    "CAT": ["category table", "note category"],
    "SUM1": ["contents", "heading"],
    "SUM2": ["contents", "heading"],
    "R2A": ["reason"],
    "R2B": ["reason"],
    "C1": ["unchanged", "unchanged"],  # before and after the change
    "C2": ["unchanged", "unchanged"],
    "C3": ["unchanged", "unchanged"],
    "D1": ["deleted"],
    "I1": ["inserted"],
    "I2": ["inserted"],
    "I3": ["inserted"],
    "N1": ["note"],
    "S1": ["note"],
    "E1": ["note"],
    "S2": ["note"],
    "L1": ["note", "notice"],  # a factual note: the policy gives it a correction notice
    "V1": ["review"],
    "A1": ["byline", "byline", "note byline"],  # two revisions and the note of change 1
    "A2": ["note byline", "note byline"],
    "A3": ["review"],
}
# N2 is the note that E1 corrected: the report shows a note's newest wording only.
SUPERSEDED = {"N2"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, str]:
    """The HTML reports of the plain and of the hostile store, from ``tracker export``."""
    out = {}
    home = tmp_path_factory.mktemp("home")
    # Module scope runs before conftest's per-test HOME: give the build its own, so no
    # developer's git config takes part.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        patch.setenv("XDG_DATA_HOME", str(home / "data"))
        for key in [key for key in os.environ if key.startswith("GIT_")]:
            patch.delenv(key)
        for kind in ("plain", "hostile"):
            root = build(tmp_path_factory.mktemp(kind) / "store", kind == "hostile")
            result = run_cli("-C", str(root), "export", "--format", "html")
            assert result.code == 0, result.err
            out[kind] = result.out
    return out


def shown(key: str, hostile: bool) -> str:
    """The marker as the report must show it."""
    if key in ("A1", "A2", "A3"):
        return marker(key, NAME_SHOWN if hostile else PLAIN)
    if key == "DOC":
        return marker(key, FILE_HOSTILE if hostile else PLAIN)
    return marker(key, HOSTILE_SHOWN if hostile else PLAIN)


def test_the_plain_report_uses_exactly_the_templates_tags(reports):
    tags, attributes = template_tags()
    page = Page(reports["plain"])
    used = {event[1] for event in page.tags if event[0] == "start"}
    used_attributes = {name for event in page.tags if event[0] == "start" for name, _ in event[2]}
    # The plain store exercises every branch that writes a tag, so the sets are equal.
    assert used == tags
    assert used_attributes == attributes
    assert page.other == []


def test_hostile_text_adds_no_tag_attribute_or_comment(reports):
    plain, hostile = Page(reports["plain"]), Page(reports["hostile"])
    assert hostile.other == [], "the data made a comment, declaration or self-closing tag"
    # Same elements, same attributes and values, in the same order: the skeleton is the
    # template's whatever the text. A tag from the data would add or split an event.
    assert hostile.tags == plain.tags
    # The one script element is the JSON-LD data block, the same in both reports.
    assert reports["hostile"].count("<script") == 1


@pytest.mark.parametrize("key", sorted(PLACES))
def test_each_field_reads_back_as_typed_in_its_section(reports, key):
    for kind in ("plain", "hostile"):
        page = Page(reports[kind])
        expected = shown(key, kind == "hostile")
        starts = re.compile(rf"(?<![A-Z0-9]){key}-")
        # Every text node where the field starts must hold it whole: a tag or entity made
        # of the data would cut it or change it.
        found = [(text, path) for text, path in page.texts if starts.search(text)]
        assert found, f"{FIELDS[key]} is missing from the {kind} report"
        for text, _ in found:
            assert len(starts.findall(text)) == text.count(expected), (kind, FIELDS[key], text)
        places = [place(path) for text, path in found for _ in range(text.count(expected))]
        assert Counter(places) == Counter(PLACES[key]), (kind, FIELDS[key])


def test_no_hostile_string_reaches_the_markup_raw(reports):
    html = reports["hostile"]
    for key in [*PLACES, *SUPERSEDED]:
        assert marker(key, HOSTILE) not in html, FIELDS[key]
    # Control and bidi characters are shown as placeholders, never written.
    assert not {"\x07", "\x1b", "\u202e"} & set(html)
