"""The Mustache subset cfn-init's ``context`` uses, rendered without a dependency.

cfn-init 2.0 renders a file with ``context`` through chevron (pystache on old
installs): ``{{x}}`` is HTML-escaped (``& < > "``, as chevron escapes), ``{{{x}}}``
and ``{{& x}}`` are not, ``{{#x}}...{{/x}}`` repeats for a list or shows when
truthy, ``{{^x}}...{{/x}}`` shows when falsy, ``{{! x}}`` is a comment, dotted
names walk into mappings, and a value prints as Python's ``str`` (``True``,
``[1, 2]``) as chevron prints it. Partials and delimiter changes are not
supported (a typed error says so).

Bounds (hostile templates and contexts): sections nest at most
:data:`MAX_DEPTH` deep, the output is at most ``max_bytes`` (default
:data:`MAX_OUTPUT_BYTES`, 16 MiB), and at most :data:`MAX_SECTION_ITEMS` section
bodies are rendered; past any of them a typed error, never a hang.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from awscore.errors import CfnInitInputError

__all__ = ["MAX_DEPTH", "MAX_OUTPUT_BYTES", "MAX_SECTION_ITEMS", "render"]

#: How deeply sections may nest.
MAX_DEPTH = 100
#: The default bound on a rendered file, in UTF-8 bytes' worth of characters.
MAX_OUTPUT_BYTES = 16 << 20
#: How many section bodies one render may render (list items and shown sections).
MAX_SECTION_ITEMS = 1_000_000

_TAG = re.compile(r"\{\{\{([^}]*)\}\}\}|\{\{([^}]*)\}\}")


def _lookup(name: str, stack: Sequence[object]) -> object:
    if name == ".":
        return stack[-1]
    first, *rest = name.split(".")
    for frame in reversed(stack):
        if isinstance(frame, Mapping) and first in frame:
            value: object = frame[first]
            for part in rest:
                if not isinstance(value, Mapping) or part not in value:
                    return None
                value = value[part]
            return value
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        raise CfnInitInputError(["context: values must be text, not bytes"])
    try:
        return str(value)
    except (RecursionError, ValueError):  # a circular or enormous value
        raise CfnInitInputError(
            ["context: a value cannot be printed (circular or too large)"]
        ) from None


def _escape(text: str) -> str:
    """chevron's escape: ``&``, ``<``, ``>`` and ``"`` (not ``'``)."""
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _parse(template: str) -> list[tuple[str, str, object]]:  # noqa: PLR0912 (one branch per tag kind)
    """Tokens ``(kind, name, children)``, sections nested."""
    root: list[tuple[str, str, object]] = []
    stack: list[tuple[str, list[tuple[str, str, object]]]] = [("", root)]
    pos = 0
    for match in _TAG.finditer(template):
        if match.start() > pos:
            stack[-1][1].append(("text", template[pos : match.start()], None))
        pos = match.end()
        if match.group(1) is not None:  # {{{name}}}
            stack[-1][1].append(("raw", match.group(1).strip(), None))
            continue
        body = match.group(2)
        body = body.strip()
        sigil, name = (body[0], body[1:].strip()) if body else ("", "")
        if sigil == "!":
            continue
        if sigil == "&":
            stack[-1][1].append(("raw", name, None))
        elif sigil in ("#", "^"):
            children: list[tuple[str, str, object]] = []
            if len(stack) > MAX_DEPTH:
                raise CfnInitInputError(
                    [f"context: sections nest deeper than {MAX_DEPTH}"]
                )
            stack[-1][1].append(
                ("section" if sigil == "#" else "inverted", name, children)
            )
            stack.append((name, children))
        elif sigil == "/":
            if len(stack) == 1 or stack[-1][0] != name:
                raise CfnInitInputError(
                    [f"context: unexpected closing tag {{{{/{name}}}}}"]
                )
            stack.pop()
        elif sigil in (">", "="):
            raise CfnInitInputError(
                [
                    f"context: Mustache {{{{{sigil}...}}}} (partials, delimiters) "
                    "is not supported"
                ]
            )
        else:
            stack[-1][1].append(("var", body, None))
    if len(stack) > 1:
        raise CfnInitInputError(
            [f"context: section {{{{#{stack[-1][0]}}}}} is never closed"]
        )
    if pos < len(template):
        root.append(("text", template[pos:], None))
    return root


class _Budget:
    def __init__(self, max_bytes: int) -> None:
        self.left = max_bytes
        self.max_bytes = max_bytes
        self.sections = MAX_SECTION_ITEMS

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise CfnInitInputError(
                [f"context: the rendered file would exceed {self.max_bytes} bytes"]
            )

    def enter(self) -> None:
        self.sections -= 1
        if self.sections < 0:
            raise CfnInitInputError(
                [f"context: more than {MAX_SECTION_ITEMS} section bodies to render"]
            )


_Token = tuple[str, str, object]


def _render(tokens: list[_Token], stack: list[object], budget: _Budget) -> str:
    out: list[str] = []
    for kind, name, children in tokens:
        if kind == "text":
            piece = name
        elif kind == "raw":
            piece = _text(_lookup(name, stack))
        elif kind == "var":
            piece = _escape(_text(_lookup(name, stack)))
        else:
            assert isinstance(children, list)
            value = _lookup(name, stack)
            if kind == "inverted":
                items: list[object] = [] if value else [None]
                frames = [stack] if items else []
            elif isinstance(value, list | tuple):
                items = list(value)
                frames = [[*stack, item] for item in items]
            else:
                frames = [[*stack, value]] if value else []
            # Identical items in one list render the same: render each once.
            # This keeps "{{#a}}" nested many times over [1, 1, ...] from doing
            # the exponential work; the byte budget still bounds the output.
            seen: dict[int, str] = {}
            parts = []
            for frame in frames:
                budget.enter()
                key = id(frame[-1]) if frame is not stack else -1
                if key not in seen:
                    seen[key] = _render(children, frame, budget)
                else:
                    budget.spend(len(seen[key]))
                parts.append(seen[key])
            out.append("".join(parts))
            continue
        budget.spend(len(piece))
        out.append(piece)
    return "".join(out)


def render(
    template: str, context: Mapping[str, object], *, max_bytes: int = MAX_OUTPUT_BYTES
) -> str:
    """Render ``template`` with ``context`` (the file's Mustache variables).

    Raises :class:`~awscore.errors.CfnInitInputError` on an unclosed or unmatched
    section, a partial, sections nested past :data:`MAX_DEPTH`, output past
    ``max_bytes`` or more than :data:`MAX_SECTION_ITEMS` section bodies, and on
    arguments of the wrong kind (``template`` must be text, ``context`` a
    mapping).
    """
    if not isinstance(template, str):
        raise CfnInitInputError(["template: must be text"])
    if not isinstance(context, Mapping):
        raise CfnInitInputError(["context: must be a mapping of names to values"])
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise CfnInitInputError(["max_bytes: must be a whole number of bytes"])
    return _render(_parse(template), [context], _Budget(max_bytes))
