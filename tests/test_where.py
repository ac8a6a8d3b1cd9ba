"""Where a change sits: paragraph and line numbers, and the words around it."""

from hypothesis import given
from hypothesis import strategies as st

from tracker.where import Places


def test_paragraphs_are_counted_across_line_endings_and_blank_lines_with_spaces() -> None:
    text = "Title\r\n\r\nFirst para\nstill first\n \t\nSecond para\n\n\nThird"
    places = Places(text)
    assert places.paragraphs == 4
    assert places.place(text.index("still"), text.index("still") + 5).paragraph == 2
    assert places.place(text.index("Second"), text.index("Second") + 6).paragraph == 3
    third = places.place(text.index("Third"), len(text))
    assert (third.paragraph, third.line) == (4, 9)


def test_context_is_a_few_words_each_side_and_stays_in_its_paragraph() -> None:
    text = "Before words here.\n\nOne two three four five six seven eight nine.\n\nAfter."
    start = text.index("five")
    place = Places(text).place(start, start + 4, words=2)
    assert (place.before, place.after) == ("three four", "six seven")
    first = text.index("One")
    assert Places(text).place(first, first + 3).before == ""
    last = text.index("nine")
    assert Places(text).place(last, last + 4).after == "."


@given(st.lists(st.sampled_from(["w", "x y", "", " ", "\n", "\r\n"]), max_size=30))
def test_paragraph_numbers_never_decrease_and_never_exceed_the_count(parts: list[str]) -> None:
    text = "\n".join(parts)
    places = Places(text)
    numbers = [places.paragraph_of(offset) for offset in range(len(text) + 1)]
    assert numbers == sorted(numbers)
    assert all(1 <= n <= max(places.paragraphs, 1) for n in numbers)
