"""The shared start and end of two texts, found in blocks: equal to the obvious count.

Three modules (the diff engine, region.py, logcache.py) skip what two texts share before
diffing, through these two functions; a wrong length by one would shift every change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.text import ends


def naive_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def naive_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


texts = st.text(alphabet="ab\n é", max_size=40)


@given(texts, texts, texts, st.integers(min_value=0, max_value=60))
def test_the_shared_ends_are_counted_exactly(shared, a, b, limit):
    for x, y in ((shared + a, shared + b), (a + shared, b + shared)):
        assert ends.common_prefix(x, y) == naive_prefix(x, y)
        assert ends.common_suffix(x, y) == naive_suffix(x, y)
        assert ends.common_prefix(x, y, limit) == min(naive_prefix(x, y), limit)
        assert ends.common_suffix(x, y, limit) == min(naive_suffix(x, y), limit)


def test_blocks_longer_than_one_comparison_step():
    """Past the block size (4096), where the block loop and the halving meet."""
    for size in (4095, 4096, 4097, 3 * 4096 + 5):
        same = "w" * size
        assert ends.common_prefix(same + "x", same + "y") == size
        assert ends.common_suffix("x" + same, "y" + same) == size
        assert ends.common_prefix(same, same) == size
        assert ends.common_suffix(same, same, size - 7) == size - 7
