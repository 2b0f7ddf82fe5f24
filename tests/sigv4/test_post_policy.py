"""Server-side checks of S3 browser POST uploads (Verifier.verify_post).

Rules (S3 API reference, "Creating a POST Policy"): the signature is the HMAC of
the base64 policy field; the policy must not have expired; every condition holds
(exact match as an object or ``["eq", ...]``, ``["starts-with", "$f", prefix]``,
``["content-length-range", min, max]``); every field but ``x-amz-signature``,
``file``, ``policy`` and ``x-ignore-*`` is named by a condition. Each condition
kind is tested at its edge (accepted) and one byte past it (refused, naming the
condition).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from awscore.errors import (
    ArgumentTypeError,
    CredentialScopeError,
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
    SigV4InputError,
    UnknownAccessKeyError,
)
from awscore.sigv4 import (
    Credentials,
    PostForm,
    Verifier,
    derive_signing_key,
    presign_post,
)
from awscore.sigv4._keys import hmac_sha256_hex
from awscore.sigv4._responses import error_response

DOCS = Path(__file__).parent.parent / "vectors" / "s3-docs"
CREDS = Credentials("AKIDPOSTEXAMPLE", "post/secret+key")
WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BUCKET = "uploads"
URL = f"http://127.0.0.1:9000/{BUCKET}"


def _verifier(creds: Credentials = CREDS, region: str = "us-east-1") -> Verifier:
    return Verifier(
        lambda akid: creds if akid == creds.access_key_id else None,
        regions={region},
        services={"s3"},
    )


def _form(
    conditions: list[Any],
    fields: dict[str, str],
    *,
    size: int = 1,
    key: str = "k",
    expires: int = 3600,
    extra: tuple[tuple[str, str], ...] = (),
    bucket: str = BUCKET,
) -> PostForm:
    post = presign_post(
        URL,
        key,
        CREDS,
        region="us-east-1",
        when=WHEN,
        expires=expires,
        conditions=conditions,
        fields=fields,
    )
    return PostForm(
        bucket=bucket,
        fields=(*post.fields.items(), *extra),
        file_size=size,
    )


def _refused(form: PostForm, now: datetime = WHEN) -> PostPolicyError:
    with pytest.raises(PostPolicyError) as caught:
        _verifier().verify_post(form, now=now)
    return caught.value


# --- the S3 documentation's example ------------------------------------------


def _doc_example() -> tuple[dict[str, Any], PostForm]:
    example = json.loads((DOCS / "post-policy-upload.json").read_text("utf-8"))
    fields = []
    placeholders = {
        "<policy_base64>": example["policy_base64"],
        "<signature>": example["signature"],
    }
    for name, value in example["form_fields"]:
        fields.append((name, placeholders.get(value, value)))
    return example, PostForm(
        bucket=example["bucket"], fields=tuple(fields), file_size=1024
    )


def test_post_example_reproduces_the_published_signature() -> None:
    """sigv4-post-example: HMAC of the published base64 policy under the day's
    key is the published signature 8afdbf40..."""
    example, _ = _doc_example()
    key = derive_signing_key(
        example["credentials"]["secret_access_key"], "20151229", "us-east-1", "s3"
    )
    signature = hmac_sha256_hex(key, example["policy_base64"].encode())
    assert signature == example["signature"]


def test_post_example_form_is_accepted_until_its_expiration() -> None:
    example, form = _doc_example()
    creds = Credentials(
        example["credentials"]["access_key_id"],
        example["credentials"]["secret_access_key"],
    )
    verifier = _verifier(creds)
    expiration = datetime(2015, 12, 30, 12, tzinfo=UTC)
    verified = verifier.verify_post(form, now=expiration)
    assert verified.access_key_id == "AKIAIOSFODNN7EXAMPLE"
    assert verified.signed_at == datetime(2015, 12, 29, tzinfo=UTC)
    with pytest.raises(PostPolicyError, match="Policy expired"):
        verifier.verify_post(form, now=expiration + timedelta(microseconds=1))


def test_post_example_with_another_image_type_still_fits_its_policy() -> None:
    example, form = _doc_example()
    creds = Credentials(
        example["credentials"]["access_key_id"],
        example["credentials"]["secret_access_key"],
    )
    changed = [(n, "image/png" if n == "Content-Type" else v) for n, v in form.fields]
    png = PostForm(bucket=form.bucket, fields=tuple(changed), file_size=1)
    assert _verifier(creds).verify_post(png, now=WHEN.replace(year=2015)).region
    text = [(n, "text/plain" if n == "Content-Type" else v) for n, v in form.fields]
    with pytest.raises(PostPolicyError) as caught:
        _verifier(creds).verify_post(
            PostForm(bucket=form.bucket, fields=tuple(text), file_size=1),
            now=WHEN.replace(year=2015),
        )
    assert caught.value.condition == '["starts-with", "$Content-Type", "image/"]'


# --- each condition kind at its edge and one byte past it -------------------

_value = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
_names = st.sampled_from(
    [
        "acl",
        "Content-Type",
        "Cache-Control",
        "success_action_redirect",
        "success_action_status",
        "x-amz-meta-uuid",
        "x-amz-server-side-encryption",
        "x-amz-storage-class",
    ]
)


@given(name=_names, value=_value, extra=st.characters(codec="utf-8"))
def test_exact_match_accepts_the_value_and_refuses_one_more_character(
    name: str, value: str, extra: str
) -> None:
    """{"f": v} and ["eq", "$f", v] accept exactly v, and refuse v with one
    character more, or one less, naming the condition."""
    for condition in ({name: value}, ["eq", f"${name}", value]):
        assert (
            _verifier()
            .verify_post(_form([condition], {name: value}), now=WHEN)
            .access_key_id
        )
        for wrong in (value + extra, value[:-1]) if value else (extra,):
            error = _refused(_form([condition], {name: wrong}))
            assert error.condition == json.dumps(["eq", f"${name}", value])
            assert error.condition in str(error)


@given(
    name=_names,
    prefix=_value,
    rest=_value,
    extra=st.characters(codec="utf-8"),
)
def test_starts_with_accepts_the_prefix_itself_and_refuses_one_character_short(
    name: str, prefix: str, rest: str, extra: str
) -> None:
    """["starts-with", "$f", p] accepts p and p + anything; a value one character
    shorter than p (or differing in its last character) is refused."""
    if name == "Content-Type":
        # a comma lists several types, each held to the prefix (tested above)
        assume("," not in prefix + rest)
    condition = ["starts-with", f"${name}", prefix]
    for good in (prefix, prefix + rest):
        assert _verifier().verify_post(_form([condition], {name: good}), now=WHEN)
    if prefix:
        for bad in (prefix[:-1], prefix[:-1] + ("a" if prefix[-1] != "a" else "b")):
            error = _refused(_form([condition], {name: bad}))
            assert error.condition == json.dumps(condition)


def test_starts_with_an_empty_prefix_allows_any_value_but_not_a_missing_field() -> None:
    """S3 (observed): ["starts-with", "$f", ""] accepts any value of f, and fails
    when the form has no field f at all."""
    condition = ["starts-with", "$x-amz-meta-tag", ""]
    for value in ("", "anything at all", "ሴ"):
        assert _verifier().verify_post(
            _form([condition], {"x-amz-meta-tag": value}), now=WHEN
        )
    error = _refused(_form([condition], {}))
    assert error.condition == json.dumps(condition)


def test_content_type_starts_with_applies_to_each_listed_type() -> None:
    """S3: for Content-Type, every comma-separated value must have the prefix."""
    condition = ["starts-with", "$Content-Type", "image/"]
    fits = _form([condition], {"Content-Type": "image/jpg,image/png,image/gif"})
    assert _verifier().verify_post(fits, now=WHEN)
    _refused(_form([condition], {"Content-Type": "image/jpg,text/plain"}))
    # other fields are plain strings, commas and all
    meta = ["starts-with", "$x-amz-meta-a", "x"]
    assert _verifier().verify_post(_form([meta], {"x-amz-meta-a": "x1,y2"}), now=WHEN)


def test_operation_names_are_read_without_regard_to_case() -> None:
    conditions = [["StArTs-WiTh", "$CoNtEnT-TyPe", "text/"], ["EQ", "$AcL", "a"]]
    form = _form(conditions, {"content-type": "text/plain", "ACL": "a"})
    assert _verifier().verify_post(form, now=WHEN)


def test_a_condition_name_without_dollar_fails_as_a_condition() -> None:
    """S3 (observed): ["eq", "acl", v] is a failed condition (403), not a
    malformed policy."""
    policy = _P + _CONDITIONS + ', ["eq", "key", "k"]]}'
    error = _refused(_signed_policy(policy))
    assert error.condition == '["eq", "key", "k"]'


def test_content_length_range_bounds_may_be_digit_strings() -> None:
    """S3 (observed) reads ["content-length-range", "5", "10"] like numbers, and
    fails a bound it cannot read as a number."""
    condition = ["content-length-range", "5", "10"]
    for size in (5, 10):
        assert _verifier().verify_post(_form([condition], {}, size=size), now=WHEN)
    with pytest.raises(PostEntityTooLargeError):
        _verifier().verify_post(_form([condition], {}, size=11), now=WHEN)
    policy = _P + _CONDITIONS + ', ["content-length-range", "test", "10"]]}'
    error = _refused(_signed_policy(policy))
    assert error.condition == '["content-length-range", "test", "10"]'


def test_key_conditions_from_presign_post() -> None:
    """A ${filename} key is policed by starts-with on its prefix; a plain key by
    exact match."""
    form = _form([], {}, key="user/eric/${filename}")
    assert _verifier().verify_post(form, now=WHEN)
    moved = [(n, "user/other/x" if n == "key" else v) for n, v in form.fields]
    error = _refused(PostForm(bucket=BUCKET, fields=tuple(moved), file_size=1))
    assert error.condition == '["starts-with", "$key", "user/eric/"]'
    plain = _form([], {}, key="exact")
    longer = [(n, "exactx" if n == "key" else v) for n, v in plain.fields]
    error = _refused(PostForm(bucket=BUCKET, fields=tuple(longer), file_size=1))
    assert error.condition == '["eq", "$key", "exact"]'


def test_bucket_condition_is_checked_against_the_bucket_posted_to() -> None:
    assert _verifier().verify_post(_form([], {}), now=WHEN)
    error = _refused(_form([], {}, bucket=BUCKET + "x"))
    assert error.condition == f'["eq", "$bucket", "{BUCKET}"]'


@given(low=st.integers(0, 10**9), span=st.integers(0, 10**6))
def test_content_length_range_is_inclusive_at_both_ends(low: int, span: int) -> None:
    """["content-length-range", lo, hi] accepts lo and hi bytes, refuses hi + 1
    (EntityTooLarge) and lo - 1 (EntityTooSmall), naming the condition."""
    high = low + span
    condition = ["content-length-range", low, high]
    for size in (low, high):
        assert _verifier().verify_post(_form([condition], {}, size=size), now=WHEN)
    with pytest.raises(PostEntityTooLargeError) as large:
        _verifier().verify_post(_form([condition], {}, size=high + 1), now=WHEN)
    assert large.value.condition == json.dumps(condition)
    if low > 0:
        with pytest.raises(PostEntityTooSmallError) as small:
            _verifier().verify_post(_form([condition], {}, size=low - 1), now=WHEN)
        assert small.value.condition == json.dumps(condition)


def test_expiration_is_inclusive_to_the_second() -> None:
    form = _form([], {}, expires=60)
    assert _verifier().verify_post(form, now=WHEN + timedelta(seconds=60))
    error = _refused(form, WHEN + timedelta(seconds=60, microseconds=1))
    assert "Policy expired" in str(error)
    assert error.condition is None


def test_every_condition_on_a_field_must_hold() -> None:
    conditions = [
        ["starts-with", "$Content-Type", "image/"],
        ["eq", "$Content-Type", "image/png"],
    ]
    assert _verifier().verify_post(
        _form(conditions, {"Content-Type": "image/png"}), now=WHEN
    )
    error = _refused(_form(conditions, {"Content-Type": "image/jpeg"}))
    assert error.condition == '["eq", "$Content-Type", "image/png"]'


def test_field_names_are_not_case_sensitive_values_are() -> None:
    form = _form([{"content-type": "Image/PNG"}], {"CONTENT-TYPE": "Image/PNG"})
    assert _verifier().verify_post(form, now=WHEN)
    _refused(_form([{"content-type": "Image/PNG"}], {"Content-Type": "image/png"}))


# --- every field must be named by a condition --------------------------------


def test_a_field_no_condition_names_is_refused() -> None:
    form = _form([], {}, extra=(("x-amz-meta-sneaky", "1"), ("acl", "public-read")))
    error = _refused(form)
    assert "Extra input fields: x-amz-meta-sneaky, acl" in str(error)


@pytest.mark.parametrize(
    "name", ["x-ignore-anything", "X-Ignore-Upper", "x-amz-signature"]
)
def test_exempt_fields_need_no_condition(name: str) -> None:
    form = _form(
        [], {}, extra=((name, "whatever"),) if name != "x-amz-signature" else ()
    )
    assert _verifier().verify_post(form, now=WHEN)


def test_a_repeated_field_is_malformed() -> None:
    form = _form([{"acl": "a"}], {"acl": "a"}, extra=(("ACL", "a"),))
    with pytest.raises(MalformedPostRequestError, match="more than once"):
        _verifier().verify_post(form, now=WHEN)


# --- authentication of the form ----------------------------------------------


def _replace(form: PostForm, name: str, value: str | None) -> PostForm:
    fields = [(n, value) for n, _ in form.fields if n == name and value is not None]
    fields = [(n, v) for n, v in form.fields if n != name] + fields
    return PostForm(bucket=form.bucket, fields=tuple(fields), file_size=form.file_size)


def test_a_changed_policy_breaks_the_signature() -> None:
    form = _form([], {})
    policy = form.get("policy")
    assert policy is not None
    document = json.loads(base64.b64decode(policy))
    document["expiration"] = "2099-01-01T00:00:00Z"
    forged = base64.b64encode(json.dumps(document).encode()).decode()
    with pytest.raises(SignatureMismatchError) as caught:
        _verifier().verify_post(_replace(form, "policy", forged), now=WHEN)
    assert caught.value.string_to_sign == forged
    status, _, body = error_response(caught.value, "rest-xml", request_id="r")
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    # S3's answer for a form: the policy as StringToSign, no canonical request
    assert f"<StringToSign>{forged}</StringToSign>".encode() in body
    assert b"<CanonicalRequest>" not in body


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("x-amz-algorithm", "X-Amz-Algorithm"),
        ("x-amz-credential", "X-Amz-Credential"),
        ("x-amz-date", "X-Amz-Date"),
        ("x-amz-signature", "X-Amz-Signature"),
        ("policy", "Policy"),
    ],
)
def test_a_missing_signing_field_is_named(name: str, canonical: str) -> None:
    """S3's words: "Bucket POST must contain a field named 'X-Amz-Signature'.  If
    it is specified, please check the order of the fields." """
    with pytest.raises(InvalidPostArgumentError) as caught:
        _verifier().verify_post(_replace(_form([], {}), name, None), now=WHEN)
    assert str(caught.value) == (
        f"Bucket POST must contain a field named '{canonical}'.  If it is "
        "specified, please check the order of the fields."
    )


@pytest.mark.parametrize(
    "fields", [(("key", "k"),), (("key", "k"), ("policy", "e30="))]
)
def test_a_form_without_signing_fields_is_anonymous(
    fields: tuple[tuple[str, str], ...],
) -> None:
    """S3 (observed): key and policy alone make an anonymous upload (AccessDenied
    on a private bucket), not a missing-field error."""
    form = PostForm(bucket=BUCKET, fields=fields, file_size=1)
    with pytest.raises(MissingAuthenticationError):
        _verifier().verify_post(form, now=WHEN)


def test_a_signature_version_2_form_is_refused_by_name() -> None:
    form = PostForm(
        bucket=BUCKET,
        fields=(("AWSAccessKeyId", "AKID"), ("signature", "x"), ("policy", "e30=")),
        file_size=1,
    )
    with pytest.raises(MalformedRequestError, match="Signature Version 2"):
        _verifier().verify_post(form, now=WHEN)


@pytest.mark.parametrize(
    ("name", "value", "error", "words"),
    [
        (
            "x-amz-algorithm",
            "AWS4-ECDSA-P256-SHA256",
            InvalidPostArgumentError,
            "only supports",
        ),
        (
            "x-amz-credential",
            "AKID/20240501/us-east-1/s3",
            InvalidPostArgumentError,
            "malformed",
        ),
        (
            "x-amz-credential",
            "NOBODY/20240501/us-east-1/s3/aws4_request",
            UnknownAccessKeyError,
            "does not exist",
        ),
        (
            "x-amz-credential",
            "AKIDPOSTEXAMPLE/20240501/eu-west-1/s3/aws4_request",
            InvalidPostArgumentError,
            "the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        ),
        (
            "x-amz-credential",
            "AKIDPOSTEXAMPLE/20240501/us-east-1/sqs/aws4_request",
            CredentialScopeError,
            "service",
        ),
        (
            "x-amz-credential",
            "AKIDPOSTEXAMPLE/20240502/us-east-1/s3/aws4_request",
            CredentialScopeError,
            "does not match",
        ),
        (
            "x-amz-date",
            "2024-05-01T12:00:00Z",
            InvalidPostArgumentError,
            "ISO8601 Long format",
        ),
        (
            "x-amz-date",
            "20240230T000000Z",
            InvalidPostArgumentError,
            "not a valid time",
        ),
        ("x-amz-signature", "ABC", InvalidPostArgumentError, "64 lower-case hex"),
    ],
)
def test_signing_fields_are_checked_strictly(
    name: str, value: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        _verifier().verify_post(_replace(_form([], {}), name, value), now=WHEN)


# --- malformed policies ------------------------------------------------------


def _signed_policy(text: str | bytes) -> PostForm:
    """A form whose policy is ``text``, base64-encoded and validly signed."""
    raw = text.encode() if isinstance(text, str) else text
    encoded = base64.b64encode(raw).decode()
    return _signed_raw(encoded)


def _signed_raw(encoded: str) -> PostForm:
    key = derive_signing_key(CREDS.secret_access_key, "20240501", "us-east-1", "s3")
    fields = (
        ("key", "k"),
        ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
        ("x-amz-credential", "AKIDPOSTEXAMPLE/20240501/us-east-1/s3/aws4_request"),
        ("x-amz-date", "20240501T120000Z"),
        ("policy", encoded),
        ("x-amz-signature", hmac_sha256_hex(key, encoded.encode())),
    )
    return PostForm(bucket=BUCKET, fields=fields, file_size=1)


_P = '{"expiration": "2099-01-01T00:00:00Z", "conditions": '
_CONDITIONS = (
    '[{"key": "k"}, {"bucket": "uploads"}, {"x-amz-algorithm": "AWS4-HMAC-SHA256"},'
    ' {"x-amz-credential": "AKIDPOSTEXAMPLE/20240501/us-east-1/s3/aws4_request"},'
    ' {"x-amz-date": "20240501T120000Z"}'
)


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        (b"\xff\xfe not utf-8", "Base64"),
        ("not json", "Invalid JSON"),
        ("[" * 100_000, "Invalid JSON"),
        (
            _P + "[" + "9" * 5000 + "]}",
            "Invalid JSON",
        ),
        ("[]", "JSON object"),
        ('{"conditions": []}', "missing expiration"),
        ('{"expiration": "tomorrow", "conditions": []}', "Invalid 'expiration'"),
        ('{"expiration": 5, "conditions": []}', "Invalid 'expiration'"),
        (
            '{"expiration": "2099-01-01T00:00:00+02:00", "conditions": []}',
            "Invalid 'expiration'",
        ),
        (
            '{"expiration": "2099-02-30T00:00:00Z", "conditions": []}',
            "Invalid 'expiration'",
        ),
        ('{"EXPIRATION": "2099-01-01T00:00:00Z", "conditions": []}', "Unexpected"),
        ('{"expiration": "2099-01-01T00:00:00Z"}', "missing conditions"),
        (_P + "{}}", "must be a List"),
        (
            _P + '[], "x": 1}',
            "Unexpected",
        ),
        (_P + "[{}]}", "exactly one property"),
        (_P + '[{"acl": "a", "key": "k"}]}', "exactly one property"),
        (_P + '[{"acl": 1}]}', "value must be a string"),
        (_P + '[{"acl": null}]}', "Invalid JSON"),
        (_P + "[[]]}", "missing operation identifier"),
        (_P + '[[5, "$a", "b"]]}', "Invalid JSON"),
        (_P + '[["in", "$acl", "x"]]}', "unknown operation 'in'"),
        (_P + '[["eq", "$acl"]]}', "wrong number of arguments"),
        (_P + '[["eq", 5, "x"]]}', "Invalid JSON"),
        (_P + '[["content-length-range", 0]]}', "wrong number of arguments"),
        (_P + '[["content-length-range", 5, 1]]}', "minimum is above"),
        (_P + '[["content-length-range", -1, 0]]}', "must not be negative"),
        (_P + '[["content-length-range", 0, 512.0]]}', "Invalid JSON"),
        (_P + '[["content-length-range", true, 1]]}', "Invalid JSON"),
        (_P + '[["content-length-range", [1], 1]]}', "Invalid JSON"),
        (_P + '["x"]}', "must be a List or Object"),
    ],
)
def test_a_malformed_policy_is_a_typed_error(policy: str | bytes, words: str) -> None:
    with pytest.raises(InvalidPolicyDocumentError, match=words):
        _verifier().verify_post(_signed_policy(policy), now=WHEN)


def test_a_policy_that_is_not_base64_is_refused() -> None:
    with pytest.raises(InvalidPolicyDocumentError, match="Base64"):
        _verifier().verify_post(_signed_raw("not base64!"), now=WHEN)
    with pytest.raises(InvalidPolicyDocumentError, match="Base64"):
        _verifier().verify_post(_signed_raw("ሴ"), now=WHEN)


def test_a_hand_written_policy_with_fractional_expiration() -> None:
    policy = (
        '{"expiration": "2024-05-01T12:00:00.5Z", "conditions": ' + _CONDITIONS + "]}"
    )
    form = _signed_policy(policy)
    assert _verifier().verify_post(form, now=WHEN + timedelta(milliseconds=500))
    with pytest.raises(PostPolicyError, match="expired"):
        _verifier().verify_post(form, now=WHEN + timedelta(milliseconds=501))


def test_policy_failures_answer_in_s3s_error_shape() -> None:
    error = _refused(_form([{"acl": "private"}], {"acl": "public-read"}))
    status, _, body = error_response(error, "rest-xml", request_id="r")
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body
    assert (
        b"Invalid according to Policy: Policy Condition failed: "
        b"[&quot;eq&quot;, &quot;$acl&quot;, &quot;private&quot;]"
        in body
        or b'Policy Condition failed: ["eq", "$acl", "private"]' in body
    )
    with pytest.raises(PostEntityTooLargeError) as large:
        _verifier().verify_post(
            _form([["content-length-range", 0, 1]], {}, size=2), now=WHEN
        )
    status, _, body = error_response(large.value, "rest-xml", request_id="r")
    assert (status, b"<Code>EntityTooLarge</Code>" in body) == (400, True)


# --- presign_post's own argument checks --------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"conditions": "acl"}, InvalidPostPolicyError),
        ({"conditions": [{"acl": 1}]}, InvalidPostPolicyError),
        ({"conditions": [{}]}, InvalidPostPolicyError),
        ({"conditions": [["eq", "acl", "x"]]}, InvalidPostPolicyError),
        ({"conditions": [["starts-with", "$acl"]]}, InvalidPostPolicyError),
        ({"conditions": [["content-length-range", 2, 1]]}, InvalidPostPolicyError),
        ({"conditions": [["content-length-range", 0, True]]}, InvalidPostPolicyError),
        ({"conditions": [["within", "$a", "b"]]}, InvalidPostPolicyError),
        ({"conditions": [42]}, InvalidPostPolicyError),
        ({"fields": {"acl": 1}}, InvalidPostPolicyError),
        ({"fields": ["acl"]}, InvalidPostPolicyError),
        ({"expires": 0}, SigV4InputError),
        ({"expires": True}, SigV4InputError),
        ({"expires": 10**12}, SigV4InputError),
        ({"region": "us east"}, SigV4InputError),
        ({"when": datetime(2024, 1, 1)}, SigV4InputError),
        ({"fields": {"x-amz-meta-a": "\ud800"}}, InvalidPostPolicyError),
    ],
)
def test_presign_post_refuses_what_s3_would(
    kwargs: dict[str, Any], error: type[Exception]
) -> None:
    arguments: dict[str, Any] = {"region": "us-east-1", "when": WHEN, **kwargs}
    with pytest.raises(error):
        presign_post(URL, "k", CREDS, **arguments)


def test_presign_post_refuses_wrong_kinds_of_arguments() -> None:
    with pytest.raises(ArgumentTypeError):
        presign_post(URL, "k", "not credentials", region="us-east-1", when=WHEN)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError):
        presign_post(b"http://h/b", "k", CREDS, region="us-east-1", when=WHEN)  # type: ignore[arg-type]
    with pytest.raises(InvalidPostPolicyError):
        presign_post(URL, "", CREDS, region="us-east-1", when=WHEN)
    with pytest.raises(InvalidPostPolicyError, match="no bucket name"):
        presign_post(URL, "k", CREDS, region="us-east-1", when=WHEN, bucket="")
    with pytest.raises(ArgumentTypeError):
        _verifier().verify_post("form", now=WHEN)  # type: ignore[arg-type]


def test_presign_post_reads_the_bucket_from_either_url_style() -> None:
    virtual = presign_post(
        "https://photos.s3.eu-west-1.amazonaws.com/",
        "k",
        CREDS,
        region="eu-west-1",
        when=WHEN,
    )
    assert {"bucket": "photos"} in virtual.policy["conditions"]
    path = presign_post(
        "http://localhost:9000/my%20bucket", "k", CREDS, region="eu-west-1", when=WHEN
    )
    assert {"bucket": "my bucket"} in path.policy["conditions"]
    named = presign_post(
        "https://cdn.example.com/",
        "k",
        CREDS,
        region="eu-west-1",
        when=WHEN,
        bucket="cdn.example.com",
    )
    assert {"bucket": "cdn.example.com"} in named.policy["conditions"]
    assert "secret" not in repr(named)
    assert "policy" not in repr(named)


def test_post_form_repr_hides_values_and_get_reads_names_loosely() -> None:
    form = PostForm(
        bucket="b", fields=(("X-Amz-Security-Token", "tok3n"),), file_size=0
    )
    assert "tok3n" not in repr(form)
    assert form.get("x-amz-security-token") == "tok3n"
    assert form.get("absent") is None
    assert form.field_names == ("X-Amz-Security-Token",)


def test_a_long_failing_condition_is_quoted_shortened() -> None:
    value = "v" * 300
    error = _refused(_form([{"x-amz-meta-a": value}], {"x-amz-meta-a": "other"}))
    assert error.condition is not None
    assert error.condition.endswith("...")
    assert len(error.condition) == 203


def test_a_form_holding_a_lone_surrogate_is_malformed() -> None:
    form = _replace(_form([], {}), "policy", "\ud800")
    with pytest.raises(MalformedRequestError, match="not valid Unicode"):
        _verifier().verify_post(form, now=WHEN)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    conditions=st.lists(_json_values, max_size=6),
    expiration=st.one_of(
        st.just("2099-01-01T00:00:00Z"), st.text(max_size=30), _json_values
    ),
)
def test_hostile_policies_only_raise_awscore_errors(
    conditions: list[Any], expiration: Any
) -> None:
    """A validly signed policy of any JSON shape is accepted or refused with a
    SigV4VerificationError; nothing else escapes."""
    from awscore.errors import SigV4VerificationError

    policy = json.dumps({"expiration": expiration, "conditions": conditions})
    try:
        verified = _verifier().verify_post(_signed_policy(policy), now=WHEN)
    except SigV4VerificationError:
        return  # refused with a typed error, as S3 would answer
    assert verified.payload_mode == "post"
