"""``awscore sigv4 sign|presign|verify``: sign and verify requests from the shell."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from awscore.cli._output import (
    EXIT_FOUND,
    add_json_flag,
    aws_code,
    epilog,
    error_line,
    write_json,
)
from awscore.cli._tour import TourPart, TourSection
from awscore.cli.credentials import (
    add_profile_option,
    credentials_for,
    register_credentials_verb,
)
from awscore.errors import (
    CliError,
    InvalidTimeError,
    SignatureMismatchError,
    SigV4VerificationError,
)
from awscore.sigv4 import (
    ALGORITHM,
    ALGORITHM_V4A,
    Credentials,
    HttpRequest,
    SigningDetails,
    Verifier,
    claimed_scope,
    parse_raw_request,
    serialize_request,
    sign_details,
)

__all__ = ["TOUR", "register"]

# AWS's published example credentials, so every example can be checked by hand
_KEYS = (
    "AWS_ACCESS_KEY_ID=AKIDEXAMPLE "
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)
_SIGN_EXAMPLE = epilog(
    f"{_KEYS}\nawscore sigv4 sign GET https://example.amazonaws.com/ "
    "--region us-east-1 --service service\n--time 2015-08-30T12:36:00Z --explain",
    f"{_KEYS}\n"
    "awscore sigv4 sign POST 'https://example.amazonaws.com/orders?status=new'\n"
    "--region us-east-1 --service execute-api -H 'Content-Type: application/json'\n"
    "--data-file examples/sigv4/order.json",
    notes="Credentials: --access-key-id/--secret-access-key, else $AWS_ACCESS_KEY_ID, "
    "$AWS_SECRET_ACCESS_KEY\nand $AWS_SESSION_TOKEN. The examples use AWS's "
    "published example key.",
)
_VERIFY_EXAMPLE = epilog(
    f"{_KEYS}\nawscore sigv4 verify examples/sigv4/captured-request.txt "
    "--now 2015-08-30T12:36:00Z",
    f"{_KEYS}\nawscore sigv4 verify examples/sigv4/rejected-request.txt "
    "--now 2015-08-30T12:36:00Z\n--client-canonical-request "
    "examples/sigv4/client-canonical-request.txt  # exits 3",
    notes="--now: a captured request verifies only within 15 minutes of its "
    "X-Amz-Date; give that\ntime (or the time it was received) to check it later.",
    found="the request is rejected; AWS's error code is on stderr",
)
_PRESIGN_EXAMPLE = epilog(
    f"{_KEYS}\n"
    "awscore sigv4 presign GET https://examplebucket.s3.amazonaws.com/test.txt\n"
    "--region us-east-1 --service s3 --expires 86400 --time 2013-05-24T00:00:00Z",
    f"{_KEYS}\n"
    "awscore sigv4 presign GET https://mrap.accesspoint.s3-global.amazonaws.com/key\n"
    "--region us-east-1 --service s3 --sigv4a --region-set '*'",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore sigv4`` and its verbs."""
    parser = subparsers.add_parser(
        "sigv4",
        help="AWS Signature Version 4: sign requests and presign URLs",
        description="Sign HTTP requests with AWS Signature Version 4.",
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)
    sign = verbs.add_parser(
        "sign",
        help="sign a request (Authorization header)",
        description="Sign a request and print it with its signing headers.",
        epilog=_SIGN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_request_arguments(sign)
    sign.set_defaults(handler=_sign, presigned=False)
    presign = verbs.add_parser(
        "presign",
        help="make a presigned URL",
        description="Print a presigned URL for the request.",
        epilog=_PRESIGN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_request_arguments(presign)
    presign.add_argument(
        "--expires",
        type=int,
        default=3600,
        help="lifetime in seconds, 1..604800 (default: 3600)",
    )
    presign.set_defaults(handler=_sign, presigned=True)
    verify = verbs.add_parser(
        "verify",
        help="verify a raw HTTP request's signature, as AWS would",
        description="Read a raw HTTP/1.1 request (a file, or - for stdin) and verify "
        "its SigV4 signature with the given credentials. On a mismatch, compare "
        "with the canonical request AWS returned.",
        epilog=_VERIFY_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("request", help="file holding the raw request, or - for stdin")
    verify.add_argument(
        "--scheme", default="https", help="scheme of the request URL (default: https)"
    )
    verify.add_argument(
        "--now",
        help="the server's time, ISO 8601 with a zone; default: the clock. Use the "
        "request's own X-Amz-Date to check a captured request later.",
    )
    verify.add_argument(
        "--region", action="append", help="accepted region (default: the request's)"
    )
    verify.add_argument(
        "--service", action="append", help="accepted service (default: the request's)"
    )
    verify.add_argument("--access-key-id", help="default: $AWS_ACCESS_KEY_ID")
    verify.add_argument("--secret-access-key", help="default: $AWS_SECRET_ACCESS_KEY")
    verify.add_argument(
        "--client-canonical-request",
        type=Path,
        metavar="FILE",
        help="the canonical request from AWS's SignatureDoesNotMatch error: print a "
        "line diff against the one recomputed here",
    )
    verify.add_argument(
        "--explain",
        action="store_true",
        help="print the recomputed canonical request and string to sign on a mismatch",
    )
    add_json_flag(verify)
    add_profile_option(verify)
    verify.set_defaults(handler=_verify, session_token=None)
    register_credentials_verb(verbs)


def _add_request_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("method", help="HTTP method, e.g. GET")
    parser.add_argument("url", help="absolute URL as sent, e.g. https://host/path?q=1")
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a request header; repeat for more (repeated names are kept)",
    )
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--data", help="the request body, as UTF-8 text")
    body.add_argument("--data-file", type=Path, help="read the request body from FILE")
    parser.add_argument(
        "--region", required=True, help="signing region, e.g. us-east-1"
    )
    parser.add_argument("--service", required=True, help="signing name, e.g. s3")
    parser.add_argument(
        "--time",
        help="signing time, ISO 8601 with a zone (e.g. 2015-08-30T12:36:00Z); "
        "default: now",
    )
    parser.add_argument("--access-key-id", help="default: $AWS_ACCESS_KEY_ID")
    parser.add_argument(
        "--secret-access-key",
        help="default: $AWS_SECRET_ACCESS_KEY (prefer the variable: flags show in ps)",
    )
    parser.add_argument("--session-token", help="default: $AWS_SESSION_TOKEN")
    parser.add_argument(
        "--sigv4a",
        action="store_true",
        help="sign with SigV4A (AWS4-ECDSA-P256-SHA256), valid in --region-set",
    )
    parser.add_argument(
        "--region-set",
        help="SigV4A: comma-separated regions the signature is valid in, or '*' "
        "(default: --region)",
    )
    parser.add_argument(
        "--unsigned-payload",
        action="store_true",
        help="sign UNSIGNED-PAYLOAD instead of the body's hash",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print the canonical request and the string to sign",
    )
    add_json_flag(parser)
    add_profile_option(parser)


def _credentials(args: argparse.Namespace) -> Credentials:
    # Flags first, then the standard chain (env, --profile, files, roles, IMDS).
    return credentials_for(args)


def parse_time(text: str | None) -> datetime:
    """An ISO 8601 time with a zone (``Z`` allowed), or now when ``text`` is None."""
    if text is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise InvalidTimeError(
                f"time {text!r} is not ISO 8601: use e.g. 2015-08-30T12:36:00Z"
            ) from None
    if when.tzinfo is None:
        raise InvalidTimeError(
            f"time {text!r} has no time zone: add Z or an offset such as +00:00"
        )
    return when


def _headers(raw: list[str]) -> list[tuple[str, str]]:
    headers = []
    for item in raw:
        name, colon, value = item.partition(":")
        if not colon:
            raise CliError(f"header {item!r} is not 'Name: value'")
        headers.append((name.strip(), value.strip()))
    return headers


def _body(args: argparse.Namespace) -> bytes:
    if args.data is not None:
        try:
            return str(args.data).encode()
        except UnicodeEncodeError:
            # The shell passed bytes that are not UTF-8 (Python keeps them as
            # lone surrogates): the option promises text.
            raise CliError(
                "--data is not valid UTF-8 text: pass a binary body with --data-file"
            ) from None
    if args.data_file is not None:
        return Path(args.data_file).read_bytes()
    return b""


def _http_url(url: str) -> str:
    scheme = url.partition(":")[0].lower()
    if scheme not in ("http", "https"):
        raise CliError(
            f"URL {url!r} is not http or https: SigV4 signs HTTP requests, e.g. "
            "https://example.amazonaws.com/"
        )
    return url


def _sign(args: argparse.Namespace) -> int:
    request = HttpRequest(
        args.method, _http_url(args.url), _headers(args.header), _body(args)
    )
    details = sign_details(
        request,
        _credentials(args),
        region=args.region,
        service=args.service,
        when=parse_time(args.time),
        presigned=args.presigned,
        expires=getattr(args, "expires", 3600),
        payload="UNSIGNED-PAYLOAD" if args.unsigned_payload else None,
        algorithm=ALGORITHM_V4A if args.sigv4a else ALGORITHM,
        region_set=_region_set(args),
    )
    out = sys.stdout
    if args.json:
        write_json(_as_json(details))
        return 0
    if args.explain:
        out.write(_explain(details) + "\n")
    if details.presigned:
        out.write(details.url + "\n")
    else:
        head = serialize_request(details.request).partition(b"\r\n\r\n")[0]
        out.write(head.decode().replace("\r\n", "\n") + "\n")
    return 0


def _verify(args: argparse.Namespace) -> int:
    raw = (
        sys.stdin.buffer.read()
        if args.request == "-"
        else Path(args.request).read_bytes()
    )
    request = parse_raw_request(raw, scheme=args.scheme)
    credentials = _credentials(args)
    scope = claimed_scope(request)
    regions = args.region or ([scope.region] if scope else [])
    services = args.service or ([scope.service] if scope else [])
    verifier = Verifier(
        {credentials.access_key_id: credentials}.get,
        regions=regions,
        services=services,
    )
    out = sys.stdout
    now = parse_time(args.now)
    try:
        verified = verifier.verify(request, now=now)
    except SignatureMismatchError as mismatch:
        if args.client_canonical_request is not None:
            theirs = Path(args.client_canonical_request).read_text(encoding="utf-8")
            out.write(_diff(theirs, mismatch.canonical_request))
        if args.explain:
            out.write(
                f"# canonical request (recomputed)\n{mismatch.canonical_request}\n\n"
                f"# string to sign (recomputed)\n{mismatch.string_to_sign}\n"
            )
        if args.json:
            write_json(
                {
                    "valid": False,
                    "error": aws_code(mismatch),
                    "message": str(mismatch),
                    "canonical_request": mismatch.canonical_request,
                    "string_to_sign": mismatch.string_to_sign,
                }
            )
        # a rejected request is the verdict asked for: exit 3, not an error
        sys.stderr.write(error_line(mismatch))
        return EXIT_FOUND
    except SigV4VerificationError as rejected:
        if args.json:
            write_json(
                {"valid": False, "error": aws_code(rejected), "message": str(rejected)}
            )
        sys.stderr.write(error_line(rejected))
        return EXIT_FOUND
    if args.json:
        write_json(
            {
                "valid": True,
                "access_key_id": verified.access_key_id,
                "region": verified.region,
                "service": verified.service,
                "signed_at": verified.signed_at.isoformat(),
                "signed_headers": list(verified.signed_headers),
                "payload_mode": verified.payload_mode,
                "presigned": verified.presigned,
            }
        )
        return 0
    how = "presigned URL" if verified.presigned else "Authorization header"
    out.write(
        f"valid: {how} signed by {verified.access_key_id} for "
        f"{verified.region}/{verified.service} at {verified.signed_at.isoformat()}\n"
        f"signed headers: {';'.join(verified.signed_headers)}\n"
        f"payload: {verified.payload_mode} ({verified.payload_hash})\n"
    )
    return 0


def _diff(theirs: str, ours: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        theirs.rstrip("\n").split("\n"),
        ours.split("\n"),
        fromfile="client (from AWS's error)",
        tofile="recomputed here",
        lineterm="",
    )
    text = "\n".join(lines)
    return (text + "\n") if text else "canonical requests are identical\n"


def _region_set(args: argparse.Namespace) -> list[str] | None:
    if args.region_set is None:
        return None
    if not args.sigv4a:
        raise CliError("--region-set needs --sigv4a")
    return str(args.region_set).split(",")


def _explain(details: SigningDetails) -> str:
    return (
        f"# canonical request\n{details.canonical_request}\n\n"
        f"# string to sign\n{details.string_to_sign}\n\n"
        f"# signature\n{details.signature}\n"
    )


def _as_json(details: SigningDetails) -> dict[str, object]:
    return {
        "presigned": details.presigned,
        "method": details.request.method,
        "url": details.url,
        "headers": [list(h) for h in details.request.headers],
        "signed_headers": list(details.signed_headers),
        "credential_scope": details.credential_scope,
        "amz_date": details.amz_date,
        "payload_hash": details.payload_hash,
        "canonical_request": details.canonical_request,
        "string_to_sign": details.string_to_sign,
        "signature": details.signature,
    }


def _wrap_authorization(value: str) -> str:
    # one component per line keeps the tour inside an 80-column terminal
    return ",\n        ".join(part.strip() for part in value.split(","))


def _wrap_url(url: str) -> str:
    base, _, query = url.partition("?")
    return base + "\n      ?" + "\n      &".join(query.split("&"))


def _tour() -> TourPart:
    # AWS's published example credentials and the test suite's date, so the
    # output can be checked against the AWS documentation by hand.
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    when = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
    request = HttpRequest(
        "GET",
        "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        [("My-Header1", "  a   b   c ")],
    )
    signed = sign_details(
        request, creds, region="us-east-1", service="service", when=when
    )
    presigned = sign_details(
        HttpRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt"),
        creds,
        region="us-east-1",
        service="s3",
        when=when,
        presigned=True,
        expires=86400,
    )
    verifier = Verifier(
        {creds.access_key_id: creds}.get, regions={"us-east-1"}, services={"service"}
    )
    verified = verifier.verify(signed.request, now=when)
    verdict_ok = (
        f"valid: signed by {verified.access_key_id} for "
        f"{verified.region}/{verified.service}, headers "
        f"{';'.join(verified.signed_headers)}"
    )
    tampered = replace(
        signed.request, url=signed.request.url.replace("value2", "value3")
    )
    try:
        verifier.verify(tampered, now=when)
        verdict_bad = "accepted (this would be a bug)"
    except SignatureMismatchError as error:
        verdict_bad = f"rejected: {error.s3_code}"
    text = f"""\
Every AWS API call is signed with Signature Version 4. Here is one GET, signed
with AWS's published example key (AKIDEXAMPLE) on 2015-08-30 12:36 UTC.

1. The canonical request: method, path, sorted query, lower-cased trimmed
   headers, the signed-header list and the payload's SHA-256:

{_indent(signed.canonical_request)}

2. The string to sign: algorithm, time, scope and the canonical request's hash:

{_indent(signed.string_to_sign)}

3. The signing key: HMAC-SHA256 from "AWS4"+secret through date, region,
   service and "aws4_request" (derived once per day and scope, then cached):

    {(signed.signing_key or b"").hex()}

4. The signature, HMAC(signing key, string to sign), in the Authorization header:

    Authorization: {_wrap_authorization(signed.authorization or "")}

A presigned S3 URL carries the same proof in its query (S3 signs
UNSIGNED-PAYLOAD, skips path normalization, and lets the URL live 1 day here):

    {_wrap_url(presigned.url)}

A server checks all of this the way AWS does. The signed GET verifies; the same
request with one query value changed does not:

    {verdict_ok}
    {verdict_bad}

When AWS answers SignatureDoesNotMatch, diff its canonical request with
`awscore sigv4 sign ... --explain`: the first differing line is the culprit."""
    return TourPart(
        text=text,
        data={
            "canonical_request": signed.canonical_request,
            "string_to_sign": signed.string_to_sign,
            "signature": signed.signature,
            "authorization": signed.authorization,
            "presigned_url": presigned.url,
            "verified": verdict_ok,
            "tampered": verdict_bad,
        },
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.split("\n"))


TOUR = TourSection(name="sigv4", title="sigv4: AWS Signature Version 4", run=_tour)
