"""The codeartifact figures: the search order and retention, drawn from the library.

Written into ``docs/_generated/`` when the docs are built. The search-order figure
numbers each repository by its place in :meth:`Domain.resolve`'s trace and draws
each edge its trace's ``parent`` names; the retention figure colours the
repositories :attr:`Resolution.retained_in` names. Neither can disagree with the
library.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sphinx.application import Sphinx

from awscore.codeartifact import Domain, Repository, Resolution

_SEARCHED = "#4e79a7"
_RETAINED = "#59a14f"
_PASSED = "#bab0ac"
_EXTERNAL = "#f28e2b"


def documented_domain() -> Domain:
    """The User Guide's example: my_repo -> [A, B], A -> [C, D], D -> [E]
    (A..E are repo-A..repo-E: CodeArtifact names have two characters at least)."""
    domain = Domain("my-domain")
    for name, upstreams in [
        ("repo-E", ()),
        ("repo-C", ()),
        ("repo-D", ("repo-E",)),
        ("repo-B", ()),
        ("repo-A", ("repo-C", "repo-D")),
        ("my_repo", ("repo-A", "repo-B")),
    ]:
        domain.add_repository(Repository(name, upstreams))
    return domain


def _box(x: float, y: float, label: str, fill: str, width: int = 110) -> list[str]:
    return [
        f'<rect x="{x}" y="{y}" width="{width}" height="30" rx="5" fill="{fill}"/>',
        f'<text x="{x + width / 2}" y="{y + 20}" font-size="13" fill="white" '
        f'text-anchor="middle">{escape(label)}</text>',
    ]


def search_order_svg() -> str:
    """The documented graph as an outline tree, each repository numbered by the
    order a request that finds nothing searches it in."""
    miss: Resolution = documented_domain().resolve(
        "my_repo", "npm", "lodash", "4.17.21", retain=False
    )
    searched = [e for e in miss.trace if e.searched]
    place = {e.repository: i for i, e in enumerate(searched)}
    height = 30 + 48 * len(searched)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="{height}" '
        'font-family="sans-serif">'
    ]
    for i, entry in enumerate(searched):
        x, y = 40 + 130 * entry.depth, 14 + 48 * i
        if entry.parent is not None:
            px = 40 + 130 * searched[place[entry.parent]].depth + 55
            py = 14 + 48 * place[entry.parent] + 30
            parts.append(
                f'<path d="M{px} {py} V{y + 15} H{x}" fill="none" '
                'stroke="#555" stroke-width="1.5"/>'
            )
        parts += _box(x, y, entry.repository, _SEARCHED)
        parts.append(
            f'<circle cx="{x + 122}" cy="{y + 15}" r="11" fill="white" '
            f'stroke="{_SEARCHED}" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{x + 122}" y="{y + 20}" font-size="13" text-anchor="middle" '
            f'fill="{_SEARCHED}" font-weight="bold">{i + 1}</text>'
        )
    parts.append(
        f'<text x="590" y="{height - 14}" font-size="12" fill="#333" text-anchor="end">'
        "numbers: the search order; upstreams top to bottom</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def retention_svg() -> str:
    """repo-A -> repo-B -> repo-C -> public:npmjs: where a fetched version is kept,
    against the usual "cached at each level" picture."""
    domain = Domain("my-domain")
    domain.add_repository(Repository("repo-C", external_connection="public:npmjs"))
    domain.add_repository(Repository("repo-B", ("repo-C",)))
    domain.add_repository(Repository("repo-A", ("repo-B",)))
    domain.add_public_version("public:npmjs", "lodash", "4.17.21")
    result = domain.resolve("repo-A", "npm", "lodash", "4.17.21")
    assert result.external_connection is not None
    chain = [*result.path, result.external_connection]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="150" '
        'font-family="sans-serif">',
        '<text x="10" y="18" font-size="13" fill="#333">npm install lodash@4.17.21 '
        "through repo-A: the version is kept where it is green</text>",
    ]
    for i, name in enumerate(chain):
        x = 10 + 160 * i
        if name == result.external_connection:
            fill, note = _EXTERNAL, "public registry"
        elif name in result.retained_in:
            fill, note = _RETAINED, "retained"
        else:
            fill, note = _PASSED, "passed through, not kept"
        parts += _box(x, 40, name, fill, width=120)
        parts.append(
            f'<text x="{x + 60}" y="92" font-size="12" text-anchor="middle" '
            f'fill="#333">{note}</text>'
        )
        if i + 1 < len(chain):
            parts.append(
                f'<path d="M{x + 122} 55 H{x + 158}" stroke="#555" stroke-width="1.5" '
                'marker-end="url(#arrow)"/>'
            )
    parts.insert(
        1,
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0 L10 5 L0 10 z" '
        'fill="#555"/></marker></defs>',
    )
    parts.append(
        '<text x="10" y="130" font-size="12" fill="#333">(the usual diagram says '
        "&#8220;cached at each level&#8221;; the User Guide says repo-B keeps "
        "nothing)</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "codeartifact-search-order.svg").write_text(
        search_order_svg(), encoding="utf-8"
    )
    (out / "codeartifact-retention.svg").write_text(retention_svg(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
