"""Figures drawn from awscore's own output when the docs are built.

Each figure is an SVG written into ``docs/_generated/`` before Sphinx reads the
pages, so a picture can never disagree with the library that it illustrates.
"""

from __future__ import annotations

import math
from pathlib import Path

from sphinx.application import Sphinx

from awscore.kinesis import HASH_KEY_SPACE, Shard, Stream
from awscore.quorum import Cluster, KOfN, unavailability

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")


def _row(shards: tuple[Shard, ...], y: int, width: int, label: str) -> list[str]:
    # A shard keeps its colour from row to row; a new shard takes the next one.
    parts = [f'<text x="0" y="{y + 22}" font-size="13">{label}</text>']
    left = 150
    span = width - left - 10
    for shard in shards:
        x0 = left + span * shard.starting_hash_key / HASH_KEY_SPACE
        x1 = left + span * (shard.ending_hash_key + 1) / HASH_KEY_SPACE
        colour = _COLOURS[int(shard.shard_id[-3:]) % len(_COLOURS)]
        parts.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{x1 - x0:.1f}" height="32" '
            f'fill="{colour}" stroke="white" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y + 21}" font-size="11" '
            f'fill="white" text-anchor="middle">{shard.shard_id[-3:]}</text>'
        )
    return parts


def kinesis_split_svg() -> str:
    """The hash-key line of a 4-shard stream, before and after one split."""
    before = Stream.create(4)
    middle = before.shards[1]
    key = (middle.starting_hash_key + middle.ending_hash_key + 1) // 2
    after = before.split_shard(middle.shard_id, key)
    width = 720
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="130" '
        'font-family="sans-serif">',
        '<text x="150" y="14" font-size="12">0</text>',
        f'<text x="{width - 10}" y="14" font-size="12" text-anchor="end">'
        "2^128 - 1</text>",
        *_row(before.open_shards, 24, width, "CreateStream(4)"),
        *_row(after.open_shards, 76, width, "split shard 001"),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


#: (label, azs, nodes per AZ, k, colour) of every curve in the quorum figure
_QUORUM_CURVES = (
    ("3 copies, 2/3 (reads and writes)", 3, 1, 2, "#e15759"),
    ("Aurora writes, 4/6", 3, 2, 4, "#4e79a7"),
    ("Aurora reads, 3/6", 3, 2, 3, "#59a14f"),
)
_QUORUM_P_AZ = (0.0, 1e-3)


def quorum_unavailability_svg(points: int = 20) -> str:
    """Read and write unavailability against p_node, log-log, from the library."""
    lo, hi = -4.0, -1.0
    xs = [10 ** (lo + (hi - lo) * i / (points - 1)) for i in range(points)]
    series = []
    for label, azs, per_az, k, colour in _QUORUM_CURVES:
        for p_az in _QUORUM_P_AZ:
            ys = [
                float(unavailability(Cluster.uniform(azs, per_az, p, p_az), KOfN(k)))
                for p in xs
            ]
            series.append((label, colour, p_az, ys))
    smallest = min(y for *_, ys in series for y in ys if y > 0)
    y_hi = 0
    step = max(1, (y_hi - math.floor(math.log10(smallest)) + 7) // 8)
    # whole steps of decades down from 1, so that 1e0 is a labelled gridline
    y_lo = y_hi - step * -(-(y_hi - math.floor(math.log10(smallest))) // step)
    width, height = 800, 460
    left, right, top, bottom = 70, 330, 20, 60
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + plot_w * (math.log10(x) - lo) / (hi - lo)

    def py(y: float) -> float:
        clamped = max(math.log10(y), y_lo) if y > 0 else y_lo
        return top + plot_h * (y_hi - clamped) / (y_hi - y_lo)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
        'fill="none" stroke="#333"/>',
    ]
    for e in range(int(lo), int(hi) + 1):
        x = px(10.0**e)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
            'stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"1e{e}</text>"
        )
    for e in range(y_hi, y_lo - 1, -step):
        y = py(10.0**e)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            'stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>'
        )
    for _label, colour, p_az, ys in series:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        dash = ' stroke-dasharray="6 4"' if p_az else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 18}" text-anchor="middle">'
        "node failure probability p_node</text>"
    )
    parts.append(
        f'<text x="16" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + plot_h / 2})">unavailability</text>'
    )
    legend_x, legend_y = left + plot_w + 16, top + 10
    for i, (label, colour, p_az, _ys) in enumerate(series):
        y = legend_y + 22 * i
        dash = ' stroke-dasharray="6 4"' if p_az else ""
        parts.append(
            f'<line x1="{legend_x}" y1="{y}" x2="{legend_x + 28}" y2="{y}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(
            f'<text x="{legend_x + 34}" y="{y + 4}" font-size="11">{label}, '
            f"p_az={p_az:g}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "kinesis-split.svg").write_text(kinesis_split_svg(), encoding="utf-8")
    (out / "quorum-unavailability.svg").write_text(
        quorum_unavailability_svg(), encoding="utf-8"
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
