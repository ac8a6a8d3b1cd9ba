"""Provides the error types that the CLI and the TUI turn into one readable line."""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the user can act on: what went wrong, and what to do about it."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and hint as one line that is safe to print on a terminal."""
        from tracker.text.escape import one_line

        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        # Never more than one line: a path or git message could hold a newline; and a file
        # name, ref or git message can hold ESC or BEL, shown, never sent to the terminal.
        return one_line(text)


class NotAStoreError(TrackerError):
    """The directory is not inside a git repository."""


class UnknownRevisionError(TrackerError):
    """A revision name that git cannot resolve, or that looks like an option."""


class UnknownDocumentError(TrackerError):
    """A document that is not in the store, or a path outside it."""


class NotTextError(TrackerError):
    """A binary or non-UTF-8 file: the tracker only diffs text."""


class NoteError(TrackerError):
    """An empty note, an unknown category, or a change number that does not exist."""


class LockedError(TrackerError):
    """Another tracker process is writing to the store."""


class DirtyStoreError(TrackerError):
    """The repository was changed by another program in a way recording would clobber."""


class RecordRefusedError(TrackerError):
    """Recording was refused, for example because changes lack a required note."""


class SigningError(TrackerError):
    """commit.gpgSign is set but the tracker cannot sign as asked (nothing is written)."""


class ReviewRefusedError(TrackerError):
    """A review the store's rules do not allow (an author approving their own revision
    under second-editor sign-off): nothing was written."""


class GitError(TrackerError):
    """git itself failed."""


class SyncRefusedError(TrackerError):
    """sync refused to merge (a rewound remote, unrelated histories, a push that kept
    losing the race): nothing was changed here or on the remote."""


class ConcurrentEditError(SyncRefusedError):
    """Two editors changed the same words of a document: nothing was written, and
    ``three_way`` holds the three versions and both sides' notes for the editor."""

    def __init__(self, message: str, hint: str = "", three_way: object = None) -> None:
        super().__init__(message, hint)
        self.three_way = three_way  # a tracker.model.ThreeWay


class PublishRefusedError(TrackerError):
    """A publish the desk's rules do not allow (a notice without a second editor's
    sign-off, a late correction without its reason): nothing was written."""
