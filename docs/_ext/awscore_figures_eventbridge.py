"""The eventbridge figure: how a RuleSet files three rules, drawn from the library.

Written into ``docs/_generated/`` when the docs are built: the seed's ECS rule and
two more are added to a :class:`awscore.eventbridge.RuleSet`, and the figure draws
what :meth:`~awscore.eventbridge.RuleSet.filed` reports: the field each rule is
filed under, the exact values that lead to it, and the checks left for the rule's
full pattern once an event reaches it.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from sphinx.application import Sphinx

from awscore.eventbridge import RuleSet

#: the rules the figure files: the seed's ECS rule, an EC2 rule, an S3 rule
RULES = {
    "ecs-stopped": {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {"lastStatus": ["STOPPED"]},
    },
    "ec2-us-terminated": {
        "source": ["aws.ec2"],
        "region": [{"prefix": "us-"}],
        "detail": {"state": ["terminated", "stopped"]},
    },
    "big-uploads": {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"object": {"size": [{"numeric": [">", 1048576]}]}},
    },
}


def _checks(pattern: object, prefix: str = "") -> list[str]:
    lines = []
    assert isinstance(pattern, dict)
    for name, value in pattern.items():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            lines += _checks(value, path)
        else:
            lines.append(f"{path}: {json.dumps(value)}")
    return lines


def ruleset_svg() -> str:
    """Field -> value -> rule, with each rule's full pattern beside it."""
    rules = RuleSet()
    for name, pattern in RULES.items():
        rules.add(name, json.dumps(pattern))
    rows = rules.filed()
    width, row_height = 900, 112
    height = 40 + row_height * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<text x="10" y="18" font-weight="bold">filed under</text>',
        '<text x="200" y="18" font-weight="bold">exact value</text>',
        '<text x="450" y="18" font-weight="bold">rule, then its full pattern</text>',
    ]
    for n, (path, value, names) in enumerate(rows):
        top = 30 + n * row_height
        middle = top + 30
        label = path or "(every event)"
        parts += [
            f'<rect x="10" y="{top + 14}" width="160" height="32" rx="16" '
            'fill="#4e79a7"/>',
            f'<text x="90" y="{top + 34}" fill="white" text-anchor="middle">'
            f"{escape(label)}</text>",
            f'<line x1="170" y1="{middle}" x2="440" y2="{middle}" stroke="#555" '
            'stroke-width="1.5"/>',
            f'<text x="200" y="{middle - 6}">'
            f"{escape(value or 'no exact field')}</text>",
        ]
        for k, name in enumerate(names):
            checks = _checks(RULES[name])
            y = top + 8 + k * 20
            parts += [
                f'<rect x="440" y="{y}" width="450" height="{22 + 14 * len(checks)}" '
                'fill="#f1f5fb" stroke="#4e79a7"/>',
                f'<text x="450" y="{y + 14}" font-weight="bold">{escape(name)}</text>',
            ]
            for j, line in enumerate(checks):
                parts.append(
                    f'<text x="460" y="{y + 28 + 14 * j}" font-size="11" '
                    f'font-family="monospace">{escape(line)}</text>'
                )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "eventbridge-ruleset.svg").write_text(ruleset_svg(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
