"""Provides how much two texts share at their start and at their end.

The diff engine, the region a diff can change (region.py) and the log's change finder
(logcache.py) all skip what two texts share before any costly work. Slice comparisons
run in C, so the shared part is found a block at a time, then by halving inside the
first block that differs: halving the whole length instead would copy the whole text at
every step.
"""

from __future__ import annotations

_BLOCK = 4096


def common_prefix(a: str, b: str, limit: int | None = None) -> int:
    """Length of the common start of ``a`` and ``b``, at most ``limit``."""
    most = min(len(a), len(b)) if limit is None else min(limit, len(a), len(b))
    low = 0
    while low + _BLOCK <= most and a[low : low + _BLOCK] == b[low : low + _BLOCK]:
        low += _BLOCK
    high = min(low + _BLOCK, most)
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def common_suffix(a: str, b: str, limit: int | None = None) -> int:
    """Length of the common end of ``a`` and ``b``, at most ``limit``."""
    la, lb = len(a), len(b)
    most = min(la, lb) if limit is None else min(limit, la, lb)
    low = 0
    while (
        low + _BLOCK <= most and a[la - low - _BLOCK : la - low] == b[lb - low - _BLOCK : lb - low]
    ):
        low += _BLOCK
    high = min(low + _BLOCK, most)
    while low < high:
        mid = (low + high + 1) // 2
        if a[la - mid : la - low] == b[lb - mid : lb - low]:
            low = mid
        else:
            high = mid - 1
    return low
