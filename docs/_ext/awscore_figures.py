"""Figures drawn from awscore's own output when the docs are built.

Each figure is an SVG written into ``docs/_generated/`` before Sphinx reads the
pages, so a picture can never disagree with the library that it illustrates.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from awscore.kinesis import HASH_KEY_SPACE, Shard, Stream

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")


def _row(shards: tuple[Shard, ...], y: int, width: int, label: str) -> list[str]:
    parts = [f'<text x="0" y="{y + 22}" font-size="13">{label}</text>']
    left = 150
    span = width - left - 10
    for i, shard in enumerate(shards):
        x0 = left + span * shard.starting_hash_key / HASH_KEY_SPACE
        x1 = left + span * (shard.ending_hash_key + 1) / HASH_KEY_SPACE
        colour = _COLOURS[i % len(_COLOURS)]
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


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "kinesis-split.svg").write_text(kinesis_split_svg(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
