"""Readers for AWS's SigV4 test suites in the vectors folder.

See ``tests/vectors/sigv4/README.md`` for the layout and
``tests/vectors/PROVENANCE.md`` for where the files come from. Each reader returns plain
values; the tests decide what to compare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from awscore.sigv4 import Credentials, HttpRequest, parse_raw_request

V4_CASES = 38
LEGACY_CASES = 31


@dataclass(frozen=True, slots=True, kw_only=True)
class V4Case:
    """One aws-c-auth test case: an unsigned request, its context, expected files."""

    name: str
    folder: Path
    request: HttpRequest
    credentials: Credentials
    region: str
    service: str
    when: datetime
    normalize: bool
    sign_body: bool
    expires: int
    omit_session_token: bool

    def expected(self, mode: str, what: str) -> str:
        return (self.folder / f"{mode}-{what}.txt").read_text(encoding="utf-8")

    def expected_request(self, mode: str) -> HttpRequest:
        raw = (self.folder / f"{mode}-signed-request.txt").read_bytes()
        return parse_raw_request(raw)


def read_v4_case(folder: Path) -> V4Case:
    context = json.loads((folder / "context.json").read_text(encoding="utf-8"))
    creds = context["credentials"]
    return V4Case(
        name=folder.name,
        folder=folder,
        request=parse_raw_request((folder / "request.txt").read_bytes()),
        credentials=Credentials(
            creds["access_key_id"], creds["secret_access_key"], creds.get("token")
        ),
        region=context["region"],
        service=context["service"],
        when=datetime.fromisoformat(context["timestamp"].replace("Z", "+00:00")),
        normalize=context["normalize"],
        sign_body=context["sign_body"],
        expires=context["expiration_in_seconds"],
        omit_session_token=context.get("omit_session_token", False),
    )


def v4_case_folders(root: Path) -> list[Path]:
    """Every complete case (one with a request and a context) under ``root``."""
    return sorted(
        p
        for p in root.iterdir()
        if (p / "request.txt").is_file() and (p / "header-string-to-sign.txt").is_file()
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LegacyCase:
    """One case of the 2015 AWS Signature Version 4 Test Suite."""

    name: str
    stem: Path

    def read(self, suffix: str) -> str:
        return self.stem.with_suffix(suffix).read_text(encoding="utf-8")

    def raw(self, suffix: str) -> bytes:
        return self.stem.with_suffix(suffix).read_bytes()


def legacy_cases(root: Path) -> list[LegacyCase]:
    """Every legacy case: a folder holding ``<name>.req`` (nested ones included)."""
    return sorted(
        (
            LegacyCase(name=str(req.parent.relative_to(root)), stem=req.with_suffix(""))
            for req in root.rglob("*.req")
        ),
        key=lambda c: c.name,
    )
