"""The tour page: ``awscore tour``'s own output, captured when the docs are built.

Each section runs the same function the command runs (``TOUR.run`` of every CLI
module in the registry), so the page mirrors the command exactly.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from awscore.cli._tour import fit, sections


def page() -> str:
    """The Markdown of every tour section, in the command's order."""
    parts: list[str] = []
    for section in sections():
        text = fit(section.run().text.rstrip())
        parts += [
            f"## {section.title}",
            "",
            f"`awscore tour --module {section.name.replace('_', '-')}`",
            "",
            "```text",
            text,
            "```",
            "",
        ]
    return "\n".join(parts)


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "tour.md").write_text(page(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
