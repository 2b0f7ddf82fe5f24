"""EventBridge's wildcard patterns: ``*`` for any run of characters, in linear time.

The rules (EventBridge user guide, "Wildcard matching"; event-ruler's README): a
value may hold any number of ``*``, but never two in a row; ``\\*`` is a literal
asterisk and ``\\\\`` a literal backslash; a backslash before anything else is
refused. Matching is the classic greedy glob walk that backtracks only to the
last ``*``, so it takes at most O(len(text) x len(pattern)) steps: no pattern can
make it exponential.
"""

from __future__ import annotations

__all__ = ["WildcardPattern", "parse_wildcard"]

#: a wildcard pattern's most characters (a whole event pattern is 4,096 at most)
MAX_WILDCARD_LENGTH = 4096


class WildcardPattern:
    """A parsed wildcard: literal pieces between the stars."""

    __slots__ = ("pieces", "text")

    def __init__(self, text: str, pieces: tuple[str, ...]) -> None:
        self.text = text
        #: the literal text between stars: n stars give n + 1 pieces
        self.pieces = pieces

    def __repr__(self) -> str:
        return f"WildcardPattern({self.text!r})"

    def matches(self, value: str) -> bool:
        """Whether ``value`` matches, star spanning any run (also empty)."""
        pieces = self.pieces
        if len(pieces) == 1:
            return value == pieces[0]
        first, last = pieces[0], pieces[-1]
        if len(value) < len(first) + len(last):
            return False
        if not value.startswith(first) or not value.endswith(last):
            return False
        # The middle pieces, each found leftmost after the previous one: leftmost
        # placement is always safe for a star-separated sequence, so no backtracking.
        position = len(first)
        end = len(value) - len(last)
        for piece in pieces[1:-1]:
            found = value.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True


def parse_wildcard(text: str) -> WildcardPattern:
    """Parse a wildcard value; a ValueError says what rule it breaks."""
    if len(text) > MAX_WILDCARD_LENGTH:
        raise ValueError(f"a wildcard is at most {MAX_WILDCARD_LENGTH} characters")
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    previous_star = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            following = text[index + 1 : index + 2]
            if following not in ("*", "\\"):
                raise ValueError(
                    f"a backslash may escape only '*' or '\\' (position {index})"
                )
            current.append(following)
            index += 2
            previous_star = False
            continue
        if char == "*":
            if previous_star:
                raise ValueError(f"consecutive wildcard characters at position {index}")
            pieces.append("".join(current))
            current = []
            previous_star = True
        else:
            current.append(char)
            previous_star = False
        index += 1
    pieces.append("".join(current))
    return WildcardPattern(text, tuple(pieces))
