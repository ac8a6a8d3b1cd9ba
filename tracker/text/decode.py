"""Provides the checks that decide whether bytes are a text document the tracker can diff.

Text is decoded as strict UTF-8 with nothing normalised: a BOM stays a U+FEFF character,
CRLF and lone CR stay as they are, so encoding the decoded text gives the same bytes back.
"""

from __future__ import annotations

from tracker.errors import NotTextError


def decode_document(data: bytes, what: str) -> str:
    """Decode a document's bytes, or explain why it is not a text the tracker can diff."""
    if b"\x00" in data:
        raise NotTextError(
            f"{what} is a binary file (it contains NUL bytes)",
            "the tracker diffs UTF-8 text documents only",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotTextError(
            f"{what} is not valid UTF-8 (byte {exc.start})",
            "convert it to UTF-8 first, e.g. iconv -f LATIN1 -t UTF-8",
        ) from None


def not_text_kind(data: bytes) -> str | None:
    """Why bytes are not a text document: "binary" (NUL bytes), "undecodable" (not
    UTF-8), or None when they are text."""
    if b"\x00" in data:
        return "binary"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "undecodable"
    return None


def encode_document(text: str) -> bytes:
    return text.encode("utf-8")
