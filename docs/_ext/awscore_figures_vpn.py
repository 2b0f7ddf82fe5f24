"""The vpn figure: the bytes of a real ESP tunnel-mode packet, drawn to scale.

Written into ``docs/_generated/`` when the docs are built: the packet comes from
:func:`awscore.vpn.encapsulate` (AES-128-GCM, NAT-T, a fixed IV source so the
build is reproducible) and is taken apart by :func:`awscore.vpn.dissect`, so every
width in the picture is a field length of a packet the library really produced.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sphinx.application import Sphinx

from awscore.vpn import SecurityAssociation, dissect, encapsulate, icmp_echo

_COLOURS = {
    "outer IPv4 header": "#4e79a7",
    "UDP (NAT-T)": "#76b7b2",
    "SPI": "#f28e2b",
    "sequence number": "#edc948",
    "IV": "#b07aa1",
    "encrypted inner packet": "#59a14f",
    "encrypted padding": "#8cd17d",
    "encrypted pad length": "#8cd17d",
    "encrypted next header": "#8cd17d",
    "ICV": "#e15759",
}
_SHORT = {
    "outer IPv4 header": "outer IPv4",
    "UDP (NAT-T)": "UDP",
    "SPI": "SPI",
    "sequence number": "seq",
    "IV": "IV",
    "encrypted inner packet": "inner IPv4 packet (encrypted)",
    "encrypted padding": "padding",
    "encrypted pad length": "pad len",
    "encrypted next header": "next hdr",
    "ICV": "ICV",
}


def example_packet() -> tuple[bytes, SecurityAssociation]:
    """The figure's packet: a 45-byte ping, AES-128-GCM, NAT-T, a fixed IV."""
    sa = SecurityAssociation(
        spi=0x1001,
        cipher="aes-128-gcm",
        key=bytes(range(16)) + b"salt",
        iv_source=lambda size: bytes(range(0xA0, 0xA0 + size)),
    )
    inner = icmp_echo(
        src="10.0.1.50",
        dst="172.31.1.100",
        identifier=1,
        sequence=1,
        data=b"hello, VPC! 12345",
    )
    outer = encapsulate(
        inner, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1", nat_t=True
    )
    return outer, sa


def vpn_packet_svg() -> str:
    """Each field of the packet as a box whose width is its length in bytes."""
    outer, sa = example_packet()
    esp = dissect(outer, sa)
    total = len(outer)
    left, width = 20, 940
    scale = width / total
    top = 46
    height = 44
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left * 2 + width}" '
        f'height="250" font-family="sans-serif">',
        f'<text x="{left}" y="16" font-size="13">ESP tunnel mode, AES-128-GCM, '
        f"NAT-T: {total} bytes on the wire, {len(esp.inner)}-byte inner packet "
        f"(1 byte = {scale:.1f} px)</text>",
    ]
    offset = 0
    spans: dict[str, tuple[float, float]] = {}
    below = 0
    for name, size in esp.layout:
        x0 = left + offset * scale
        x1 = left + (offset + size) * scale
        spans[name] = (x0, x1)
        chunk = outer[offset : offset + size]
        tip = f"{name}: {size} bytes, offset {offset}" + (
            f", {chunk.hex()}" if size <= 16 else ""
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{height}" '
            f'fill="{_COLOURS[name]}" stroke="white" stroke-width="1">'
            f"<title>{escape(tip)}</title></rect>"
        )
        label = f"{_SHORT[name]} ({size})"
        if (x1 - x0) >= 7.5 * len(label):
            parts.append(
                f'<text x="{(x0 + x1) / 2:.1f}" y="{top + 27}" font-size="12" '
                f'fill="white" text-anchor="middle">{escape(label)}</text>'
            )
        else:
            # too narrow: a leader line down to a staggered label on its left, each
            # lower than the last so no line crosses a label
            y = top + height + 16 + 15 * below
            below += 1
            mid = (x0 + x1) / 2
            parts += [
                f'<line x1="{mid:.1f}" y1="{top + height}" x2="{mid:.1f}" '
                f'y2="{y}" stroke="#555" stroke-width="1"/>',
                f'<text x="{mid - 4:.1f}" y="{y}" font-size="11" '
                f'text-anchor="end">{escape(label)}</text>',
            ]
        if size * scale >= 20 or offset == 0:
            parts.append(
                f'<text x="{x0:.1f}" y="{top - 4}" font-size="9" fill="#555">'
                f"{offset}</text>"
            )
        offset += size
    parts.append(
        f'<text x="{left + width:.1f}" y="{top - 4}" font-size="9" fill="#555" '
        f'text-anchor="end">{total}</text>'
    )

    def bracket(first: str, last: str, y: int, text: str) -> list[str]:
        x0, x1 = spans[first][0], spans[last][1]
        return [
            f'<path d="M{x0:.1f},{y - 6} v6 H{x1:.1f} v-6" fill="none" '
            'stroke="#333" stroke-width="1.2"/>',
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y + 14}" font-size="12" '
            f'text-anchor="middle">{escape(text)}</text>',
        ]

    parts += bracket(
        "encrypted inner packet",
        "encrypted next header",
        top + height + 96,
        "encrypted (AES-GCM, nonce = salt | IV)",
    )
    parts += bracket(
        "SPI",
        "encrypted next header",
        top + height + 140,
        "authenticated by the ICV (SPI | seq as AAD, then the ciphertext)",
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "vpn-esp-packet.svg").write_text(vpn_packet_svg(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
