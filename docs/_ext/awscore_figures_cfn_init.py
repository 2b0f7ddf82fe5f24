"""The cfn-init figure: a plan's action order as swimlanes, drawn from ``plan()``.

Each section is a lane, in cfn-init's section order; each action is a box in its
lane, left to right in the order cfn-init runs it; a box's colour is its config run.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from awscore.cfn_init import SECTION_ORDER, Plan, plan

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")

#: The two-set example of the docs page (``-c install,configure``).
EXAMPLE: dict[str, Any] = {
    "configSets": {"install": ["base", "web"], "configure": ["web"]},
    "base": {
        "packages": {"yum": {"httpd": [], "php": []}},
        "groups": {"apache": {}},
        "users": {"apache": {"groups": ["apache"]}},
    },
    "web": {
        "files": {
            "/var/www/html/index.php": {"content": "<?php phpinfo();"},
            "/etc/httpd/conf.d/app.conf": {"content": "Listen 8080"},
        },
        "commands": {
            "2_warm": {"command": "curl -s localhost:8080"},
            "10_check": {"command": "apachectl -t"},
        },
        "services": {
            "sysvinit": {
                "httpd": {
                    "enabled": True,
                    "ensureRunning": True,
                    "files": ["/etc/httpd/conf.d/app.conf"],
                }
            }
        },
    },
}


def example_plan() -> Plan:
    """The plan the figure draws."""
    return plan(EXAMPLE, "install,configure")


def cfn_init_order_svg(steps: Plan | None = None) -> str:
    """The actions of ``steps`` as swimlanes: one lane per section, time rightwards."""
    steps = steps or example_plan()
    label_w, box_w, gap, lane_h, top = 90, 96, 6, 34, 44
    width = label_w + len(steps.actions) * (box_w + gap) + 10
    height = top + lane_h * len(SECTION_ORDER) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
    ]
    for lane, section in enumerate(SECTION_ORDER):
        y = top + lane * lane_h
        parts.append(
            f'<rect x="0" y="{y}" width="{width}" height="{lane_h}" '
            f'fill="{"#f4f4f4" if lane % 2 else "#ffffff"}"/>'
        )
        parts.append(f'<text x="4" y="{y + lane_h / 2 + 4:.0f}">{section.value}</text>')
    first_of_run: dict[int, int] = {}
    for index, action in enumerate(steps.actions):
        first_of_run.setdefault(action.run, index)
        x = label_w + index * (box_w + gap)
        y = top + SECTION_ORDER.index(action.section) * lane_h + 4
        colour = _COLOURS[action.run % len(_COLOURS)]
        key = action.key if len(action.key) <= 15 else "…" + action.key[-14:]
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{lane_h - 8}" rx="4" '
            f'fill="{colour}"><title>{escape(str(action))}</title></rect>'
        )
        parts.append(
            f'<text x="{x + box_w / 2:.0f}" y="{y + lane_h / 2 + 0:.0f}" '
            f'fill="white" text-anchor="middle">{escape(key)}</text>'
        )
    for run, index in first_of_run.items():
        config_set, config = steps.runs[run]
        x = label_w + index * (box_w + gap)
        colour = _COLOURS[run % len(_COLOURS)]
        parts.append(
            f'<text x="{x}" y="16" fill="{colour}" font-weight="bold">'
            f"run {run + 1}: {escape(config)}</text>"
        )
        parts.append(
            f'<text x="{x}" y="32" fill="#555">set {escape(config_set)}</text>'
        )
        parts.append(
            f'<line x1="{x - gap / 2}" y1="0" x2="{x - gap / 2}" y2="{height}" '
            'stroke="#999" stroke-dasharray="3,3"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "cfn-init-order.svg").write_text(cfn_init_order_svg())


def setup(app: Sphinx) -> dict[str, object]:
    """Register the figure generator."""
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
