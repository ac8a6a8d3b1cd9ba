"""Makes partial clones (``git clone --filter=blob:none``) fast: the blobs a command will
read are fetched from the promisor remote in one batch, before it reads them.

In a blobless clone every blob git was not asked for is missing, and git fetches a
missing blob the moment something reads it: one ``git fetch`` (a connection, a
negotiation, a pack) per note, per review, per text. A log of ten revisions paid ten
round trips; a verify of a long history thousands. A command that knows what it will read
collects the blob ids first (from trees, which a blobless clone has) and calls
``fetch_missing``: the ones not here come in with one ``git fetch`` of exactly those
objects, as git's own lazy fetch asks for them, through the hardened door.

Whether an object is here is read from the object files themselves (loose objects and
the pack indexes, alternates followed): asking git would fetch what is missing, one by
one, which is what this module avoids. Outside a partial clone nothing is checked and no
process starts.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable
from pathlib import Path

from tracker.git import cmd as gitcmd


def promisor_remote(root: Path | str) -> str | None:
    """The remote a partial clone fetches missing objects from (None: not a partial
    clone), from the configuration the door has already read: no process."""
    name = gitcmd.config_value(root, "extensions.partialclone")
    if name and name.strip():
        return name.strip()
    # git 2.2x+ marks the remote itself (remote.<name>.promisor) instead.
    for _scope, key, value in gitcmd.config_snapshot(root):
        section, _, rest = key.partition(".")
        remote, _, setting = rest.rpartition(".")
        is_promisor = section.lower() == "remote" and remote and setting.lower() == "promisor"
        if is_promisor and (value or "true").strip().lower() in ("true", "yes", "on", "1"):
            return remote
    return None


def fetch_missing(
    root: Path | str, git_dir: Path, oids: Iterable[str], missing: Iterable[str] = ()
) -> int:
    """Fetch in one batch those of ``oids`` this partial clone lacks, and ``missing``
    (known to be missing); returns how many were asked for (0 outside a partial clone,
    or when all are here). A failed fetch is not raised: git's own lazy fetch then
    tries each object, as without this."""
    remote = promisor_remote(root)
    if remote is None:
        return 0
    here = ObjectFiles(git_dir)
    wanted = [oid for oid in dict.fromkeys(oids) if oid and not here.has(oid)]
    missing = list(dict.fromkeys([*missing, *wanted]))
    if not missing:
        return 0
    gitcmd.run(
        root,
        "-c", "fetch.negotiationAlgorithm=noop",
        "fetch", remote, "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no",
        "--filter=blob:none", "--stdin",
        input="".join(f"{oid}\n" for oid in missing).encode("ascii"),
        check=False,
    )  # fmt: skip
    return len(missing)


class ObjectFiles:
    """Which objects a repository holds, read from its object folder: loose objects and
    version-2 pack indexes (a pack in another format counts as not holding anything,
    which costs at worst a fetch of an object that was here)."""

    def __init__(self, git_dir: Path) -> None:
        self._folders = _object_folders(git_dir)
        self._indexes: list[mmap.mmap] | None = None

    def has(self, oid: str) -> bool:
        for folder in self._folders:
            if (folder / oid[:2] / oid[2:]).exists():
                return True
        raw = bytes.fromhex(oid)
        return any(_in_index(index, raw) for index in self._loaded())

    def _loaded(self) -> list[mmap.mmap]:
        if self._indexes is None:
            self._indexes = []
            for folder in self._folders:
                for idx in sorted((folder / "pack").glob("pack-*.idx")):
                    try:
                        with open(idx, "rb") as handle:
                            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                    except (OSError, ValueError):
                        continue
                    if data[:8] != b"\xfftOc\x00\x00\x00\x02" or len(data) < 8 + 1024:
                        continue
                    self._indexes.append(data)
        return self._indexes


def _in_index(data: mmap.mmap, raw: bytes) -> bool:
    """Binary search of a version-2 pack index's sorted object names."""
    size = len(raw)
    first = raw[0]
    low = int.from_bytes(data[8 + (first - 1) * 4 : 8 + first * 4], "big") if first else 0
    high = int.from_bytes(data[8 + first * 4 : 8 + (first + 1) * 4], "big")
    names = 8 + 1024
    while low < high:
        middle = (low + high) // 2
        at = names + middle * size
        found = data[at : at + size]
        if found == raw:
            return True
        if found < raw:
            low = middle + 1
        else:
            high = middle
    return False


def _object_folders(git_dir: Path) -> list[Path]:
    """The object folder of the repository (its common folder for a linked work tree)
    and its alternates, in the order git searches them."""
    common = git_dir
    try:
        pointer = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        common = (git_dir / pointer).resolve()
    except (OSError, UnicodeDecodeError):
        pass
    folders = [common / "objects"]
    seen = set()
    at = 0
    while at < len(folders):
        folder = folders[at]
        at += 1
        if folder in seen:
            continue
        seen.add(folder)
        try:
            lines = (folder / "info" / "alternates").read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                folders.append(Path(line) if os.path.isabs(line) else (folder / line).resolve())
    return folders
