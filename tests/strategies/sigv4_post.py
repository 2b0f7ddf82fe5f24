"""Hypothesis strategies for S3 presigned POST forms and their policies.

The inputs are the ones a caller of boto3's ``generate_presigned_post`` passes:
a bucket name, an object key (sometimes ending in ``${filename}``), extra form
fields and the conditions that name them, an expiry and a signing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from awscore.sigv4 import Credentials

#: A few credentials (one with a session token), so that a boto3 client can be
#: made once for each and reused across examples.
CREDENTIALS = (
    Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    Credentials("AKIDPOSTEXAMPLE2", "s3cr3t+/with=symbols", "FwoGZXIvYXdzEJr//token="),
)
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")

_bucket_names = st.from_regex(r"[a-z0-9][a-z0-9\-]{1,20}[a-z0-9]", fullmatch=True)
# Keys are any text S3 stores: unicode, spaces, sub-delims, '/', '~'.
_key_text = st.text(
    alphabet=st.characters(codec="utf-8", min_codepoint=0x20),
    min_size=1,
    max_size=30,
)
_field_names = st.sampled_from(
    [
        "acl",
        "Cache-Control",
        "Content-Type",
        "Content-Disposition",
        "Content-Encoding",
        "Expires",
        "success_action_redirect",
        "success_action_status",
        "x-amz-meta-uuid",
        "x-amz-meta-tag",
        "x-amz-storage-class",
        "x-amz-server-side-encryption",
    ]
)
_values = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)


@dataclass(frozen=True, slots=True, kw_only=True)
class PostInputs:
    """The arguments of one presigned POST, as boto3 and awscore both take them."""

    bucket: str
    key: str
    credentials: Credentials
    region: str
    when: datetime
    expires: int
    fields: dict[str, str]
    conditions: list[Any]


@st.composite
def post_inputs(draw: st.DrawFn) -> PostInputs:
    """A presigned POST's inputs: fields, and conditions of every kind for them."""
    key = draw(_key_text)
    if draw(st.booleans()):
        key += "${filename}"
    fields = draw(st.dictionaries(_field_names, _values, max_size=4))
    conditions: list[Any] = []
    for name, value in fields.items():
        kind = draw(st.sampled_from(["object", "eq", "starts-with"]))
        if kind == "object":
            conditions.append({name: value})
        elif kind == "eq":
            conditions.append(["eq", f"${name}", value])
        else:
            cut = draw(st.integers(0, len(value)))
            conditions.append(["starts-with", f"${name}", value[:cut]])
    if draw(st.booleans()):
        low = draw(st.integers(0, 10**6))
        conditions.append(
            ["content-length-range", low, draw(st.integers(low, 5 * 1024**3))]
        )
    conditions = draw(st.permutations(conditions))
    when = draw(
        st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=datetime(2090, 12, 31),
            timezones=st.just(UTC),
        )
    )
    return PostInputs(
        bucket=draw(_bucket_names),
        key=key,
        credentials=draw(st.sampled_from(CREDENTIALS)),
        region=draw(st.sampled_from(REGIONS)),
        when=when,
        expires=draw(st.integers(1, 7 * 24 * 3600)),
        fields=fields,
        conditions=list(conditions),
    )
