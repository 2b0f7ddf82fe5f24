"""Small helpers every module's boundary checks share: showing hostile values.

An error message quotes the value it refuses, but a hostile value can be a
5,000-digit integer (whose ``repr`` raises ``ValueError`` past Python's
int-to-string limit), a megabyte of text or an object whose ``repr`` itself
fails. :func:`shown` quotes any value safely, in at most about ``limit``
characters, so building a message can never raise or grow without bound.
"""

from __future__ import annotations

import math

__all__ = ["shown"]

#: Integers longer than this many (estimated) digits are described, not printed:
#: well under CPython's default int-to-string limit of 4,300 digits.
_MAX_INT_DIGITS = 60


def shown(value: object, limit: int = 120) -> str:
    """``repr(value)``, cut to about ``limit`` characters; never raises."""
    if isinstance(value, int) and not isinstance(value, bool):
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        if digits > _MAX_INT_DIGITS:
            sign = "-" if value < 0 else ""
            return f"{sign}<an integer of about {digits:,} digits>"
    try:
        text = repr(value)
    except RecursionError:
        return "<a value nested too deeply to show>"
    except Exception:  # any other failing repr is described, not raised
        return "<a value that cannot be shown>"
    if len(text) > limit:
        return f"{text[: limit - 1]}…"
    return text
