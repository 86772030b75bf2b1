"""The excerpt of a post: its opening words on one line, cut between words."""

EXCERPT_LENGTH = 300
ELLIPSIS = "\u2026"
# Characters of the body an excerpt is made from. Twice the excerpt's length
# leaves room for collapsed whitespace; lists fetch one more character, so
# they can tell a body that goes on from one that ends there.
HEAD_LENGTH = 2 * EXCERPT_LENGTH


def excerpt_of(body_head: str) -> str:
    """Return the excerpt of a body from its first HEAD_LENGTH + 1 characters.

    Whitespace runs (newlines included) become one space. A body longer than
    the excerpt is cut at the last space before EXCERPT_LENGTH, so no word is
    split (one word longer than that is cut where it must be), and ends in an
    ellipsis; the whole excerpt is at most EXCERPT_LENGTH characters.
    """
    goes_on = len(body_head) > HEAD_LENGTH
    flat = " ".join(body_head[:HEAD_LENGTH].split())
    if not goes_on and len(flat) <= EXCERPT_LENGTH:
        return flat
    room = EXCERPT_LENGTH - len(ELLIPSIS)
    head = flat[:room]
    if len(flat) > room and flat[room] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + ELLIPSIS
