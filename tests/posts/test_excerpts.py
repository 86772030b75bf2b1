"""The excerpt of a post's body: one line, cut between words, ellipsis on a cut."""

import pytest

from posts.excerpts import ELLIPSIS, EXCERPT_LENGTH, HEAD_LENGTH, excerpt_of


def test_a_short_body_is_its_own_excerpt():
    assert excerpt_of("Short and sweet.") == "Short and sweet."


def test_whitespace_and_newlines_become_single_spaces():
    assert (
        excerpt_of("  First line.\n\n\tSecond   line.  ") == "First line. Second line."
    )


def test_an_empty_body_has_an_empty_excerpt():
    assert excerpt_of("") == ""


def test_a_long_body_is_cut_between_words_and_ends_in_an_ellipsis():
    body = "word " * 200  # 1,000 characters

    excerpt = excerpt_of(body[: HEAD_LENGTH + 1])

    assert excerpt.endswith("word" + ELLIPSIS)
    assert len(excerpt) <= EXCERPT_LENGTH
    assert (
        excerpt.removesuffix(ELLIPSIS).split(" ") == ["word"] * 60
    )  # 60 x 5 - 1 = 299 characters


def test_no_word_is_split_at_the_cut():
    words = [f"w{n:03}" + "x" * (n % 9) for n in range(200)]
    body = " ".join(words)

    excerpt = excerpt_of(body[: HEAD_LENGTH + 1])

    kept = excerpt.removesuffix(ELLIPSIS).split(" ")
    assert kept == words[: len(kept)]
    assert len(excerpt) <= EXCERPT_LENGTH < len(" ".join(words[: len(kept) + 1])) + 1


def test_a_body_exactly_as_long_as_the_excerpt_is_not_cut():
    body = ("abcd " * 60)[:EXCERPT_LENGTH]

    assert excerpt_of(body) == body.strip()


def test_a_single_word_longer_than_the_excerpt_is_cut_where_it_must_be():
    excerpt = excerpt_of("x" * (HEAD_LENGTH + 1))

    assert excerpt == "x" * (EXCERPT_LENGTH - 1) + ELLIPSIS


@pytest.mark.parametrize("gap", [1, EXCERPT_LENGTH, HEAD_LENGTH])
def test_a_body_that_goes_on_past_its_head_always_shows_the_cut(gap):
    # Whitespace collapses, so the head may hold fewer words than the excerpt
    # could show; the body still goes on, and the ellipsis says so.
    body = "Opening" + " " * gap + "words " * 200

    excerpt = excerpt_of(body[: HEAD_LENGTH + 1])

    assert excerpt.startswith("Opening")
    assert excerpt.endswith(ELLIPSIS)
    assert len(excerpt) <= EXCERPT_LENGTH
