"""The credentials figure: the standard chain, and one resolution walked through it.

Written into ``docs/_generated/`` when the docs are built. The steps and their
order are :data:`awscore.sigv4.CHAIN_STEPS`; the walk is a real
:func:`awscore.sigv4.resolve_credentials` call on an in-memory
``~/.aws/credentials`` (no network, IMDS disabled), so the skipped steps, their
reasons and the step that answered are what the library did.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sphinx.application import Sphinx

from awscore.sigv4 import CHAIN_STEPS, Resolution, resolve_credentials

_SOURCES = {
    "env": "AWS_ACCESS_KEY_ID / _SECRET_ / _SESSION_TOKEN",
    "assume-role": "role_arn + source_profile | credential_source → STS",
    "assume-role-with-web-identity": "AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN → STS",
    "sso": "sso_* keys: cached token → GetRoleCredentials",
    "shared-credentials-file": "[profile] in ~/.aws/credentials",
    "custom-process": "credential_process (JSON Version 1)",
    "config-file": "[profile x] in ~/.aws/config",
    "container-role": "ECS / EKS Pod Identity endpoint",
    "iam-role": "EC2 IMDSv2 (token PUT, then role)",
}


def example_resolution() -> Resolution:
    """A profile ``dev`` whose keys are in the credentials file."""
    env = {
        "HOME": "/home/dev",
        "AWS_PROFILE": "dev",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    files = {
        "/home/dev/.aws/credentials": "[dev]\naws_access_key_id = AKIDEXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
        "/home/dev/.aws/config": "[profile dev]\nregion = us-east-1\n",
    }
    return resolve_credentials(env=env, files=files)


def credentials_chain_svg() -> str:
    """One box per step, top to bottom; the example's walk drawn over it."""
    found = example_resolution()
    reasons = {s.step: s.reason for s in found.skipped}
    left, box_w, box_h, gap, top = 20, 330, 40, 14, 50
    height = top + len(CHAIN_STEPS) * (box_h + gap) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="940" height="{height}" '
        'font-family="sans-serif">',
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>',
        f'<text x="{left}" y="20" font-size="14">The standard credential chain '
        "(botocore's order): the first step that finds credentials answers</text>",
        f'<text x="{left}" y="38" font-size="12" fill="#555">'
        f"drawn over resolve_credentials() for AWS_PROFILE=dev with keys in "
        "~/.aws/credentials</text>",
    ]
    for i, step in enumerate(CHAIN_STEPS):
        y = top + i * (box_h + gap)
        answered = step == found.step
        skipped = step in reasons
        fill = "#59a14f" if answered else ("#e8e8e8" if skipped else "#ffffff")
        colour = "#fff" if answered else "#222"
        parts.append(
            f'<rect x="{left}" y="{y}" width="{box_w}" height="{box_h}" rx="6" '
            f'fill="{fill}" stroke="#333"/>'
        )
        parts.append(
            f'<text x="{left + 10}" y="{y + 17}" font-size="13" font-weight="bold" '
            f'fill="{colour}">{i + 1}. {escape(step)}</text>'
        )
        parts.append(
            f'<text x="{left + 10}" y="{y + 33}" font-size="11" fill="{colour}">'
            f"{escape(_SOURCES[step])}</text>"
        )
        if i + 1 < len(CHAIN_STEPS):
            x = left + box_w / 2
            parts.append(
                f'<line x1="{x}" y1="{y + box_h}" x2="{x}" y2="{y + box_h + gap - 1}" '
                'stroke="#555" marker-end="url(#arrow)"/>'
            )
        note = ""
        if answered:
            note = f"answered: {found.credentials.access_key_id} ({found.reason})"
        elif skipped:
            note = f"skipped: {reasons[step]}"
        elif CHAIN_STEPS.index(step) > CHAIN_STEPS.index(found.step):
            note = "not reached"
        if note:
            parts.append(
                f'<text x="{left + box_w + 14}" y="{y + 25}" font-size="11" '
                f'fill="{"#2d6a27" if answered else "#666"}">{escape(note[:95])}</text>'
            )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="11" fill="#555">A step that is '
        "configured but broken raises a CredentialsError naming it (the chain stops, "
        "as in botocore)</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "credentials-chain.svg").write_text(
        credentials_chain_svg(), encoding="utf-8"
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
