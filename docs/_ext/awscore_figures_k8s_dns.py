"""The k8s_dns figure: the queries a pod's libc sends, drawn from ``resolve()``.

Written into ``docs/_generated/`` when the docs are built, from the library's own
traces, so the picture cannot disagree with :func:`awscore.k8s_dns.resolve`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sphinx.application import Sphinx

from awscore.k8s_dns import (
    Cluster,
    Pod,
    PodDnsConfig,
    Port,
    Resolution,
    ResolvConf,
    Service,
    resolve,
)

_STATUS_COLOURS = {
    "NOERROR": "#59a14f",
    "NXDOMAIN": "#e15759",
    "NODATA": "#f28e2b",
    "SERVFAIL": "#b07aa1",
}


def example_cluster() -> Cluster:
    """The docs' cluster: one service, a glibc pod and an ndots:2 pod, an upstream."""
    return Cluster(
        services=(
            Service(
                name="api",
                namespace="prod",
                cluster_ips=("10.96.0.20",),
                ports=(Port(name="http", port=80),),
            ),
        ),
        pods=(
            Pod(name="web-0", namespace="prod", ips=("10.244.1.5",)),
            Pod(
                name="tuned",
                namespace="prod",
                ips=("10.244.1.6",),
                dns_config=PodDnsConfig(options=(("ndots", "2"),)),
            ),
        ),
        node_resolv_conf=ResolvConf(
            nameservers=("10.0.0.2",), search=("ec2.internal",)
        ),
        upstream={"api.example.com": ("93.184.216.34",)},
    )


def _column(result: Resolution, x: int, title: str) -> list[str]:
    parts = [
        f'<text x="{x}" y="18" font-size="13" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{x}" y="36" font-size="11" fill="#555">'
        f"{len(result.attempts)} "
        f"{'query' if len(result.attempts) == 1 else 'queries'}, {result.status}"
        "</text>",
    ]
    for i, attempt in enumerate(result.attempts):
        y = 48 + i * 34
        colour = _STATUS_COLOURS.get(attempt.status, "#999999")
        parts += [
            f'<rect x="{x}" y="{y}" width="290" height="28" rx="4" fill="{colour}"/>',
            f'<text x="{x + 6}" y="{y + 13}" font-size="10" fill="white">'
            f"{i + 1}. {escape(attempt.qname)}</text>",
            f'<text x="{x + 6}" y="{y + 24}" font-size="9" fill="white">'
            f"{attempt.status}</text>",
        ]
    return parts


def k8s_dns_search_svg() -> str:
    """Three lookups of ``api.example.com`` from ``prod/web-0``, and one tuned pod."""
    cluster = example_cluster()
    columns = [
        (resolve(cluster, "prod/web-0", "api.example.com"), "glibc, ndots:5"),
        (
            resolve(cluster, "prod/web-0", "api.example.com", libc="musl"),
            "musl, ndots:5",
        ),
        (resolve(cluster, "prod/web-0", "api.example.com."), "trailing dot"),
        (resolve(cluster, "prod/tuned", "api.example.com"), "dnsConfig ndots:2"),
    ]
    rows = max(len(r.attempts) for r, _ in columns)
    width = 10 + 300 * len(columns)
    height = 60 + rows * 34 + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif">'
    ]
    for i, (result, title) in enumerate(columns):
        parts += _column(result, 10 + 300 * i, title)
    legend_y = height - 8
    for i, (status, colour) in enumerate(list(_STATUS_COLOURS.items())[:2]):
        x = 10 + 120 * i
        parts += [
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{colour}"/>',
            f'<text x="{x + 14}" y="{legend_y}" font-size="10">{status}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "k8s-dns-search.svg").write_text(k8s_dns_search_svg(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
