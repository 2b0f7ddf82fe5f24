"""S3 browser-based uploads: presigned POST forms and their server-side check.

Sources: Amazon S3 API reference, "Browser-Based Uploads Using POST (AWS Signature
Version 4)", "Creating a POST Policy" (``sigv4-HTTPPOSTConstructPolicy``) and
"Example: Browser-Based Upload using HTTP POST" (``sigv4-post-example``).

A POST policy is a JSON document ``{"expiration": ..., "conditions": [...]}``. The
form carries it base64-encoded in its ``policy`` field, and the SigV4 signature is
the hex HMAC-SHA256 of that base64 text under the day's signing key (the string to
sign *is* the base64 policy). S3 accepts the upload when the signature matches,
the policy has not expired, every condition holds for the form's fields, and every
form field (except ``x-amz-signature``, ``file``, ``policy`` and names starting
``x-ignore-``) is named by at least one condition.

Condition kinds: an object ``{"acl": "public-read"}`` or ``["eq", "$acl",
"public-read"]`` (exact match), ``["starts-with", "$key", "user/"]`` (prefix; an
empty prefix allows any value), ``["content-length-range", min, max]`` (file size
in bytes, both ends inclusive). Field names are not case-sensitive; values are.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from awscore._inputs import shown
from awscore.errors import (
    ArgumentTypeError,
    CredentialScopeError,
    InvalidExpiresError,
    InvalidPolicyDocumentError,
    InvalidPostArgumentError,
    InvalidPostPolicyError,
    MalformedPostRequestError,
    MalformedRequestError,
    MissingAuthenticationError,
    PostEntityTooLargeError,
    PostEntityTooSmallError,
    PostPolicyError,
    SignatureMismatchError,
    UnknownAccessKeyError,
)
from awscore.sigv4._keys import derive_signing_key, hmac_sha256_hex
from awscore.sigv4._model import Credentials, kind_of
from awscore.sigv4._signer import (
    ALGORITHM,
    S3_SERVICES,
    format_amz_date,
)
from awscore.sigv4._signer import _check_scope as check_scope
from awscore.sigv4._uri import split_url

__all__ = [
    "POST_EXEMPT_FIELDS",
    "PostForm",
    "PresignedPost",
    "check_post_form",
    "presign_post",
]

#: Form fields no policy condition needs to name (S3 API reference, "Creating a
#: POST Policy"), besides any field whose name starts with ``x-ignore-``.
POST_EXEMPT_FIELDS = frozenset({"x-amz-signature", "file", "policy"})
_IGNORED_PREFIX = "x-ignore-"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_SCOPE = re.compile(r"([^/\s]+)/(\d{8})/([^/\s]+)/([^/\s]+)/aws4_request")
# ISO 8601 in UTC, as S3 writes and reads a policy's expiration.
_EXPIRATION = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?Z")
_MAX_CONDITION_TEXT = 200
_RANGE_BOUND = re.compile(r"\d{1,19}")

Condition = Mapping[str, str] | Sequence[str | int]
Lookup = Callable[[str], Credentials | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class PresignedPost:
    """A presigned POST form: where to send it, and the fields it must carry.

    ``fields`` holds the form fields in the order boto3's
    ``generate_presigned_post`` gives them (the caller's, then ``key``,
    ``x-amz-algorithm``, ``x-amz-credential``, ``x-amz-date``,
    ``x-amz-security-token`` with a session token, ``policy``,
    ``x-amz-signature``); the file goes last, as a part named ``file``. The
    ``repr`` leaves the field values out (a session token is among them).
    """

    url: str
    fields: Mapping[str, str] = field(repr=False)

    @property
    def policy(self) -> dict[str, Any]:
        """The decoded POST policy document."""
        document: dict[str, Any] = json.loads(base64.b64decode(self.fields["policy"]))
        return document


def _bucket_from_url(bucket_url: str) -> str:
    url = split_url(bucket_url)
    path = url.path.strip("/")
    if path:
        # path-style: http://host[:port]/bucket
        return unquote(path.split("/")[0])
    # virtual-hosted: https://bucket.s3.region.amazonaws.com/
    return url.host.partition(":")[0].split(".")[0]


def _is_bound(value: object) -> bool:
    # S3 reads a content-length-range bound given as a number or digit string.
    if isinstance(value, str):
        return _RANGE_BOUND.fullmatch(value) is not None
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_condition(condition: object, where: str) -> list[Any] | dict[str, str]:
    """The condition as JSON values, or raise naming what S3 would refuse."""
    if isinstance(condition, Mapping):
        if len(condition) != 1 or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in condition.items()
        ):
            raise InvalidPostPolicyError(
                f"{where} must map one form field name to a string, e.g. "
                '{"acl": "public-read"}'
            )
        return dict(condition)
    if isinstance(condition, list | tuple) and condition:
        kind = condition[0]
        operation = kind.lower() if isinstance(kind, str) else None
        if operation in ("eq", "starts-with"):
            if (
                len(condition) == 3
                and isinstance(condition[1], str)
                and condition[1].startswith("$")
                and len(condition[1]) > 1
                and isinstance(condition[2], str)
            ):
                return list(condition)
            raise InvalidPostPolicyError(
                f'{where} must be ["{kind}", "$<field name>", <string>]'
            )
        if operation == "content-length-range":
            if (
                len(condition) == 3
                and all(_is_bound(n) for n in condition[1:])
                and int(condition[1]) <= int(condition[2])
            ):
                return list(condition)
            raise InvalidPostPolicyError(
                f'{where} must be ["content-length-range", <min>, <max>] with '
                "0 <= min <= max (bytes)"
            )
    raise InvalidPostPolicyError(
        f"{where} is not a POST policy condition: expected an object such as "
        '{"acl": "public-read"}, ["eq", "$field", value], '
        '["starts-with", "$field", prefix] or ["content-length-range", min, max]'
    )


def _check_post_arguments(
    bucket_url: object,
    key: object,
    credentials: object,
    *,
    region: str,
    expires: object,
    bucket: object,
) -> str:
    """The bucket name, once every argument of presign_post is checked."""
    if not isinstance(credentials, Credentials):
        raise ArgumentTypeError(
            f"credentials must be awscore.sigv4.Credentials, not {kind_of(credentials)}"
        )
    if not isinstance(key, str) or not key:
        raise InvalidPostPolicyError("key must be a non-empty string")
    if not isinstance(bucket_url, str):
        raise ArgumentTypeError("bucket_url must be a URL string")
    if bucket is None:
        bucket = _bucket_from_url(bucket_url)
    else:
        split_url(bucket_url)
    if not isinstance(bucket, str) or not bucket:
        raise InvalidPostPolicyError(
            f"no bucket name in {bucket_url[:200]!r}: pass bucket="
        )
    check_scope(region, "s3")
    if isinstance(expires, bool) or not isinstance(expires, int) or expires < 1:
        raise InvalidExpiresError(
            f"expires {shown(expires)} is invalid: a POST policy lives a whole number "
            "of seconds, at least 1"
        )
    return bucket


def presign_post(
    bucket_url: str,
    key: str,
    credentials: Credentials,
    *,
    region: str,
    when: datetime,
    expires: int = 3600,
    conditions: Sequence[Condition] = (),
    fields: Mapping[str, str] | None = None,
    bucket: str | None = None,
) -> PresignedPost:
    """A presigned POST form for uploading ``key`` to a bucket from a browser.

    Builds what boto3's ``generate_presigned_post`` builds, field for field: the
    policy expires ``expires`` seconds after ``when``; its conditions are
    ``conditions``, then ``{"bucket": ...}``, then ``{"key": key}`` (or
    ``["starts-with", "$key", prefix]`` when ``key`` ends with ``${filename}``,
    which S3 replaces with the uploaded file's name), then the signing fields.
    As with boto3, a field in ``fields`` is not given a condition of its own: add
    one to ``conditions`` (S3 refuses a field no condition names).

    Args:
        bucket_url: the form's ``action``: ``https://bucket.s3.region.amazonaws.com/``
            or, path-style, ``http://host:port/bucket``; it is returned unchanged.
        key: the object key, optionally ending in ``${filename}``.
        credentials: the signer's credentials.
        region: the bucket's region (the credential scope's).
        when: the signing time, aware.
        expires: the policy's lifetime in seconds (at least 1).
        conditions: extra policy conditions (see the module docs for the kinds).
        fields: extra form fields (``acl``, ``Content-Type``, ``x-amz-meta-*``,
            ``success_action_status``, ...).
        bucket: the bucket name for the ``bucket`` condition; by default the
            first path segment of a path-style ``bucket_url``, else the first label
            of its host.

    Raises:
        SigV4InputError: a subclass naming the argument that is not accepted.
    """
    bucket = _check_post_arguments(
        bucket_url, key, credentials, region=region, expires=expires, bucket=bucket
    )
    amz_date = format_amz_date(when)
    try:
        expiration = when.astimezone(UTC) + timedelta(seconds=expires)
    except OverflowError:
        raise InvalidExpiresError(
            f"expires {expires} puts the policy's expiration past the year 9999"
        ) from None
    if isinstance(conditions, str | bytes | Mapping) or not isinstance(
        conditions, Sequence
    ):
        raise InvalidPostPolicyError("conditions must be a list of conditions")
    checked: list[Any] = [
        _check_condition(c, f"condition {i}") for i, c in enumerate(conditions)
    ]
    form: dict[str, str] = {}
    if fields is not None:
        if not isinstance(fields, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise InvalidPostPolicyError(
                "fields must map form field names to string values"
            )
        form.update(fields)
    date = amz_date[:8]
    credential = f"{credentials.access_key_id}/{date}/{region}/s3/aws4_request"
    checked.append({"bucket": bucket})
    if key.endswith("${filename}"):
        checked.append(["starts-with", "$key", key[: -len("${filename}")]])
    else:
        checked.append({"key": key})
    form["key"] = key
    signing = [
        ("x-amz-algorithm", ALGORITHM),
        ("x-amz-credential", credential),
        ("x-amz-date", amz_date),
    ]
    if credentials.session_token is not None:
        signing.append(("x-amz-security-token", credentials.session_token))
    for name, value in signing:
        form[name] = value
        checked.append({name: value})
    policy = {
        "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": checked,
    }
    try:
        # A lone surrogate cannot travel in a form (the browser sends UTF-8), even
        # though json.dumps would escape it in the policy.
        json.dumps(policy, ensure_ascii=False).encode()
        "".join([*form, *form.values()]).encode()
        encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    except UnicodeEncodeError as exc:
        raise InvalidPostPolicyError(
            f"the policy holds text that is not valid Unicode ({exc.reason})"
        ) from None
    form["policy"] = encoded
    signing_key = derive_signing_key(credentials.secret_access_key, date, region, "s3")
    form["x-amz-signature"] = hmac_sha256_hex(signing_key, encoded.encode())
    return PresignedPost(url=bucket_url, fields=MappingProxyType(form))


@dataclass(frozen=True, slots=True, kw_only=True)
class PostForm:
    """A multipart/form-data POST upload as received, ready to be checked.

    ``fields`` are the form fields that came before the file part, in order, with
    their names as sent (S3 ignores fields after the file). ``file_size`` is the
    file part's length in bytes. The ``repr`` shows the field names only: a
    session token may be among the values.
    """

    bucket: str
    fields: tuple[tuple[str, str], ...] = field(repr=False)
    file_size: int
    filename: str | None = None
    file_content_type: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        """The fields' names, in order."""
        return tuple(name for name, _ in self.fields)

    def get(self, name: str) -> str | None:
        """The value of field ``name`` (not case-sensitive), or None."""
        lname = name.lower()
        return next((v for n, v in self.fields if n.lower() == lname), None)


def _condition_text(parts: list[Any]) -> str:
    text = json.dumps(parts)
    if len(text) > _MAX_CONDITION_TEXT:
        text = text[:_MAX_CONDITION_TEXT] + "..."
    return text


class _Rule:
    """One condition, read: its kind, field (lower-cased) and operands."""

    __slots__ = ("kind", "name", "operand", "source")

    def __init__(self, kind: str, name: str, operand: Any, source: list[Any]) -> None:
        self.kind = kind
        self.name = name
        self.operand = operand
        self.source = source

    @property
    def text(self) -> str:
        """The condition as JSON, as S3 quotes it (only needed on a failure)."""
        return _condition_text(self.source)


def _invalid(what: str) -> InvalidPolicyDocumentError:
    return InvalidPolicyDocumentError(f"Invalid Policy: {what}")


def _simple(condition: dict[str, Any]) -> _Rule:
    """``{"field": "value"}``: one exact match."""
    if len(condition) != 1:
        raise _invalid(
            "Invalid Simple-Condition: Simple-Conditions must have exactly one "
            "property specified."
        )
    ((name, value),) = condition.items()
    if value is None:
        raise _invalid("Invalid JSON.")  # what S3 answers for a null value
    if not isinstance(value, str):
        raise _invalid("Invalid Simple-Condition: value must be a string.")
    return _Rule("eq", name.lower(), value, ["eq", f"${name}", value])


def _range(condition: list[Any]) -> _Rule:
    """``["content-length-range", min, max]``; S3 also reads digit strings."""
    low, high = condition[1:]
    bounds = []
    for bound in (low, high):
        if isinstance(bound, bool | float) or bound is None:
            raise _invalid("Invalid JSON.")
        if isinstance(bound, int):
            if bound < 0:
                raise _invalid(
                    "Invalid Condition: content-length-range bounds must not be "
                    "negative."
                )
            bounds.append(bound)
        elif isinstance(bound, str) and _RANGE_BOUND.fullmatch(bound):
            bounds.append(int(bound))
        elif isinstance(bound, str):
            # Observed: a bound S3 cannot read fails the condition (403).
            return _Rule("never", "", None, condition)
        else:
            raise _invalid("Invalid JSON.")
    if bounds[0] > bounds[1]:
        raise _invalid(
            "Invalid Condition: content-length-range's minimum is above its maximum."
        )
    return _Rule("range", "", (bounds[0], bounds[1]), condition)


def _operation(condition: list[Any]) -> _Rule:
    """``["eq" | "starts-with" | "content-length-range", ...]``."""
    if not condition:
        raise _invalid("Invalid Condition: missing operation identifier.")
    kind = condition[0]
    if not isinstance(kind, str):
        raise _invalid("Invalid JSON.")
    # Operation names are read without regard to case (S3's own test suite,
    # ceph s3-tests, writes "StArTs-WiTh").
    operation = kind.lower()
    if operation not in ("eq", "starts-with", "content-length-range"):
        raise _invalid(f"Invalid Condition: unknown operation '{kind[:40]}'.")
    if len(condition) != 3:
        raise _invalid(f"Invalid {kind[:40]}: wrong number of arguments.")
    if operation == "content-length-range":
        return _range(condition)
    first, second = condition[1:]
    if not isinstance(first, str) or not isinstance(second, str):
        raise _invalid("Invalid JSON.")
    if first[:1] != "$" or len(first) < 2:
        # Observed: S3 answers a name without '$' as a failed condition.
        return _Rule("never", "", None, condition)
    return _Rule(operation, first[1:].lower(), second, condition)


def _read_conditions(conditions: object) -> list[_Rule]:
    if not isinstance(conditions, list):
        raise _invalid("Invalid 'conditions' value: must be a List.")
    rules: list[_Rule] = []
    for condition in conditions:
        if isinstance(condition, dict):
            rules.append(_simple(condition))
        elif isinstance(condition, list):
            rules.append(_operation(condition))
        else:
            raise _invalid("Invalid condition test: must be a List or Object.")
    return rules


def _decode_policy(encoded: str) -> tuple[datetime, list[_Rule]]:
    try:
        text = base64.b64decode(encoded.encode("ascii"), validate=True).decode("utf-8")
    except (UnicodeError, binascii.Error):
        raise InvalidPolicyDocumentError(
            "Invalid Policy: Invalid 'Base64' encoding: the policy field must be "
            "the base64 of a UTF-8 JSON document"
        ) from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        # ValueError also covers an integer past Python's digit limit
        raise InvalidPolicyDocumentError("Invalid Policy: Invalid JSON.") from None
    if not isinstance(document, dict):
        raise InvalidPolicyDocumentError(
            "Invalid Policy: the policy must be a JSON object with 'expiration' "
            "and 'conditions'"
        )
    extra = sorted(set(document) - {"expiration", "conditions"})
    if extra:
        # S3 names the member lower-cased, in single quotes.
        raise _invalid(f"Unexpected: '{extra[0][:80].lower()}'")
    if "expiration" not in document:
        raise _invalid("Policy missing expiration.")
    expiration = document["expiration"]
    match = _EXPIRATION.fullmatch(expiration) if isinstance(expiration, str) else None
    try:
        if match is None:
            raise ValueError
        expires_at = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
    except ValueError:
        # S3 reads an ISO 8601 time in UTC only: an offset or a space is refused.
        raise _invalid(
            f"Invalid 'expiration' value: '{str(expiration)[:80]}' (expected UTC, "
            "e.g. '2015-12-30T12:00:00.000Z')"
        ) from None
    fraction = match.group(2)
    if fraction:
        expires_at += timedelta(microseconds=int(fraction[1:7].ljust(6, "0")))
    if "conditions" not in document:
        raise _invalid("Policy missing conditions.")
    return expires_at, _read_conditions(document["conditions"])


_SIGNING_FIELDS = frozenset(
    {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"}
)
_CANONICAL_NAMES = {
    "x-amz-algorithm": "X-Amz-Algorithm",
    "x-amz-credential": "X-Amz-Credential",
    "x-amz-date": "X-Amz-Date",
    "x-amz-signature": "X-Amz-Signature",
    "policy": "Policy",
}


def _required(values: dict[str, str], name: str) -> str:
    value = values.get(name)
    if value is None:
        # S3's words, two spaces included.
        raise InvalidPostArgumentError(
            f"Bucket POST must contain a field named '{_CANONICAL_NAMES[name]}'.  "
            "If it is specified, please check the order of the fields."
        )
    return value


def _field_map(form: PostForm) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in form.fields:
        lname = name.lower()
        if lname in values:
            raise MalformedPostRequestError(
                f"the form field {name[:80]!r} appears more than once"
            )
        values[lname] = value
    return values


def _read_scope(
    credential: str,
    amz_date: str,
    *,
    regions: Collection[str],
    services: Collection[str],
) -> tuple[str, str, str, datetime]:
    """The credential's key id, region and service, and the signing time."""
    match = _SCOPE.fullmatch(credential)
    if match is None:
        raise InvalidPostArgumentError(
            f"X-Amz-Credential {credential[:120]!r} is malformed: expected "
            "'<access key id>/YYYYMMDD/<region>/s3/aws4_request'"
        )
    akid, date, region, service = match.groups()
    if not _AMZ_DATE.fullmatch(amz_date):
        raise InvalidPostArgumentError(
            "X-Amz-Date must be formatted via ISO8601 Long format "
            f"(YYYYMMDD'T'HHMMSS'Z'), not {amz_date[:40]!r}"
        )
    try:
        signed_at = datetime.fromisoformat(amz_date)
    except ValueError:
        raise InvalidPostArgumentError(
            f"X-Amz-Date {amz_date!r} is not a valid time"
        ) from None
    if date != amz_date[:8]:
        raise CredentialScopeError(
            "date in credential scope does not match YYYYMMDD from X-Amz-Date: "
            f"{date!r} != {amz_date[:8]!r}"
        )
    if region not in regions:
        # S3 answers a form in another region with InvalidArgument (400).
        raise InvalidPostArgumentError(
            f"the region '{region}' is wrong; expecting "
            + " or ".join(f"'{r}'" for r in sorted(regions))
        )
    if service not in services or service not in S3_SERVICES:
        raise CredentialScopeError(
            f"credential should be scoped to a valid service: {service!r} is not "
            f"one of {sorted(set(services) & S3_SERVICES)}"
        )
    return akid, region, service, signed_at.replace(tzinfo=UTC)


def check_post_form(
    form: PostForm,
    *,
    lookup: Lookup,
    regions: Collection[str],
    services: Collection[str],
    now: datetime,
) -> tuple[str, str, str, datetime, str | None]:
    """Check a POST upload's signature and policy as S3 does.

    Returns ``(access key id, region, service, signing time, session token)``;
    raises the :class:`~awscore.errors.SigV4VerificationError` subclass S3's error
    code corresponds to, naming the failing condition.
    """
    if not isinstance(form, PostForm):
        raise ArgumentTypeError(
            f"form must be awscore.sigv4.PostForm, not {kind_of(form)}"
        )
    values = _field_map(form)
    if "awsaccesskeyid" in values and "signature" in values:
        raise MalformedRequestError(
            "the authorization mechanism you have provided (Signature Version 2) is "
            "not supported: please use AWS4-HMAC-SHA256"
        )
    if not _SIGNING_FIELDS & values.keys():
        # S3 (observed): a form with none of the SigV4 fields is anonymous, and
        # refused as such, a policy field or not; with some, it names the first
        # one missing.
        raise MissingAuthenticationError(
            "the form upload is not signed: it has none of the fields "
            "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Signature"
        )
    algorithm = _required(values, "x-amz-algorithm")
    credential = _required(values, "x-amz-credential")
    amz_date = _required(values, "x-amz-date")
    signature = _required(values, "x-amz-signature")
    policy = _required(values, "policy")
    if algorithm != ALGORITHM:
        raise InvalidPostArgumentError(
            f'X-Amz-Algorithm only supports "{ALGORITHM}", not {algorithm[:40]!r}'
        )
    akid, region, service, signed_at = _read_scope(
        credential, amz_date, regions=regions, services=services
    )
    credentials = lookup(akid)
    if credentials is None:
        raise UnknownAccessKeyError(
            f"the AWS access key id {akid!r} does not exist in our records"
        )
    if not _HEX64.fullmatch(signature):
        raise InvalidPostArgumentError(
            "X-Amz-Signature must be 64 lower-case hex digits"
        )
    key = derive_signing_key(
        credentials.secret_access_key, amz_date[:8], region, service
    )
    # The string to sign is the base64 policy itself, as the form carries it.
    expected = hmac_sha256_hex(key, policy.encode())
    if not hmac.compare_digest(expected, signature):
        raise SignatureMismatchError(
            "the request signature we calculated does not match the signature you "
            "provided: a POST form signs its base64 policy field, as sent",
            canonical_request="",
            string_to_sign=policy,
            access_key_id=akid,
            signature_provided=signature,
        )
    expires_at, rules = _decode_policy(policy)
    if now > expires_at:
        raise PostPolicyError(
            f"Invalid according to Policy: Policy expired. (expiration "
            f"{expires_at.isoformat()}, now {now.isoformat()})"
        )
    _check_rules(rules, values, form)
    return (
        akid,
        region,
        service,
        signed_at.replace(tzinfo=UTC),
        values.get("x-amz-security-token"),
    )


def _check_rules(rules: list[_Rule], values: dict[str, str], form: PostForm) -> None:
    named: set[str] = set()
    for rule in rules:
        if rule.kind == "range":
            low, high = rule.operand
            if form.file_size > high:
                raise PostEntityTooLargeError(
                    "Your proposed upload exceeds the maximum allowed size: "
                    f"{form.file_size} bytes, policy condition {rule.text}",
                    condition=rule.text,
                )
            if form.file_size < low:
                raise PostEntityTooSmallError(
                    "Your proposed upload is smaller than the minimum allowed size: "
                    f"{form.file_size} bytes, policy condition {rule.text}",
                    condition=rule.text,
                )
            continue
        named.add(rule.name)
        # The bucket is the one the form is posted to. A field the form lacks
        # fails its condition, even ["starts-with", "$f", ""] (observed on S3).
        actual = form.bucket if rule.name == "bucket" else values.get(rule.name)
        if actual is None or rule.kind == "never":
            ok = False
        elif rule.kind == "eq":
            ok = actual == rule.operand
        elif rule.name == "content-type":
            # S3: for Content-Type, each comma-separated value must match.
            ok = all(v.startswith(rule.operand) for v in actual.split(","))
        else:
            ok = actual.startswith(rule.operand)
        if not ok:
            raise PostPolicyError(
                f"Invalid according to Policy: Policy Condition failed: {rule.text}",
                condition=rule.text,
            )
    extra = [
        name
        for name in values
        if name not in named
        and name not in POST_EXEMPT_FIELDS
        and not name.startswith(_IGNORED_PREFIX)
    ]
    if extra:
        raise PostPolicyError(
            "Invalid according to Policy: Extra input fields: "
            + ", ".join(name[:80] for name in extra[:20])
        )
