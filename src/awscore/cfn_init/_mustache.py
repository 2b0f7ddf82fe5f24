"""The Mustache subset cfn-init's ``context`` uses, rendered without a dependency.

cfn-init renders a file with ``context`` through pystache (Mustache spec): ``{{x}}``
is HTML-escaped, ``{{{x}}}`` and ``{{& x}}`` are not, ``{{#x}}...{{/x}}`` repeats
for a list or shows when truthy, ``{{^x}}...{{/x}}`` shows when falsy, ``{{! x}}``
is a comment, dotted names walk into mappings. Partials and delimiter changes are
not supported (a typed error says so).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence

from awscore.errors import CfnInitInputError

__all__ = ["render"]

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
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping | list):
        return json.dumps(value)
    return str(value)


def _parse(template: str) -> list[tuple[str, str, object]]:
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


def _render(
    tokens: list[tuple[str, str, object]], stack: list[object], out: list[str]
) -> None:
    for kind, name, children in tokens:
        if kind == "text":
            out.append(name)
        elif kind == "raw":
            out.append(_text(_lookup(name, stack)))
        elif kind == "var":
            out.append(html.escape(_text(_lookup(name, stack)), quote=True))
        else:
            assert isinstance(children, list)
            value = _lookup(name, stack)
            if kind == "inverted":
                if not value:
                    _render(children, stack, out)
            elif isinstance(value, list):
                for item in value:
                    _render(children, [*stack, item], out)
            elif value:
                _render(children, [*stack, value], out)


def render(template: str, context: Mapping[str, object]) -> str:
    """Render ``template`` with ``context`` (the file's Mustache variables).

    Raises :class:`~awscore.errors.CfnInitInputError` on an unclosed or unmatched
    section, or a partial.
    """
    out: list[str] = []
    _render(_parse(template), [context], out)
    return "".join(out)
