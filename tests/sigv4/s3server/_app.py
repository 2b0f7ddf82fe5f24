"""The S3 REST API (path-style) over :class:`Store`, as a WSGI application.

It sits behind :class:`~awscore.sigv4.SigV4WsgiMiddleware` and trusts nothing
but the :class:`~awscore.sigv4.VerifiedRequest` the middleware puts in the
environ: a request that reaches it without one is answered 400 (not 500, which
SDKs would retry and so hide). Operations, each as the S3 API reference shapes
it: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
ListObjects (v1) and ListObjectsV2, PutObject, GetObject (with ``Range``),
HeadObject, DeleteObject, CreateMultipartUpload, UploadPart,
CompleteMultipartUpload, AbortMultipartUpload, and the browser POST form upload
(see :mod:`._form`). Anything else is 501 ``NotImplemented``, so a client that
needs more says so loudly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, quote
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from awscore.sigv4 import IDENTITY_KEY, VerifiedRequest
from tests.sigv4.s3server._form import FormUpload, FormUploadError, parse_form_upload
from tests.sigv4.s3server._store import Listing, Store, StoredObject, StoreError

__all__ = ["S3_NS", "S3App"]

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
#: the most objects one ListObjects page holds (S3's default and maximum)
_MAX_KEYS = 1000


def _xml(root: str, inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{S3_NS}">'
        f"{inner}</{root}>"
    ).encode()


def _iso(stored: StoredObject) -> str:
    return stored.modified.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class _Reply:
    """What one operation answers: status, headers and body."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: int, headers: Headers | None = None, body: bytes = b""
    ) -> None:
        self.status = status
        self.headers = headers or []
        self.body = body


_REASONS = {
    200: "OK",
    204: "No Content",
    206: "Partial Content",
    303: "See Other",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    416: "Requested Range Not Satisfiable",
    501: "Not Implemented",
}


class S3App:
    """A path-style S3 endpoint over ``store`` (``/bucket/key``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        identity = environ.get(IDENTITY_KEY)
        method = environ["REQUEST_METHOD"]
        if not isinstance(identity, VerifiedRequest):
            reply = _Reply(
                400,
                [("Content-Type", "text/plain")],
                b"the middleware passed no VerifiedRequest in the environ",
            )
        else:
            try:
                reply = self._dispatch(environ, method)
            except StoreError as error:
                reply = _error(error, environ.get("PATH_INFO", "/"))
        headers = [*reply.headers, ("x-amz-request-id", uuid.uuid4().hex.upper())]
        if not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(reply.body))))
        start_response(f"{reply.status} {_REASONS.get(reply.status, 'Error')}", headers)
        return [b""] if method == "HEAD" else [reply.body]

    def _dispatch(self, environ: dict[str, Any], method: str) -> _Reply:
        # PEP 3333: PATH_INFO is the decoded path as latin-1 text of its bytes.
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8")
        bucket, _, key = path.lstrip("/").partition("/")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if not bucket:
            if method == "GET":
                return self._list_buckets()
            raise _not_implemented(method, "/")
        if not key:
            return self._bucket(environ, method, bucket, query)
        return self._object(environ, method, bucket, key, query)

    # --- the service and buckets -------------------------------------------

    def _list_buckets(self) -> _Reply:
        buckets = "".join(
            f"<Bucket><Name>{escape(name)}</Name>"
            "<CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"
            for name in self.store.buckets()
        )
        return _ok_xml(
            "ListAllMyBucketsResult",
            "<Owner><ID>awscore</ID><DisplayName>awscore</DisplayName></Owner>"
            f"<Buckets>{buckets}</Buckets>",
        )

    def _bucket(
        self,
        environ: dict[str, Any],
        method: str,
        bucket: str,
        query: dict[str, list[str]],
    ) -> _Reply:
        if method == "PUT" and not query:
            _read_body(environ)  # an optional CreateBucketConfiguration
            self.store.create_bucket(bucket)
            return _Reply(200, [("Location", f"/{bucket}")])
        if method == "HEAD" and not query:
            if not self.store.has_bucket(bucket):
                raise StoreError("NoSuchBucket", 404, "Not Found")
            return _Reply(200, [("x-amz-bucket-region", "us-east-1")])
        if method == "DELETE" and not query:
            self.store.delete_bucket(bucket)
            return _Reply(204)
        if method == "GET" and "location" in query:
            if not self.store.has_bucket(bucket):
                raise StoreError("NoSuchBucket", 404, "The bucket does not exist")
            # us-east-1 is the empty LocationConstraint
            return _ok_xml("LocationConstraint", "")
        if method == "GET" and query.keys() <= _LIST_PARAMETERS:
            return self._list_objects(bucket, query)
        if method == "POST" and not query:
            return self._form_upload(environ, bucket)
        raise _not_implemented(method, f"/{bucket}", query)

    def _list_objects(self, bucket: str, query: dict[str, list[str]]) -> _Reply:
        def one(name: str) -> str:
            return query.get(name, [""])[0]

        version2 = one("list-type") == "2"
        url_encoded = one("encoding-type") == "url"
        prefix, delimiter = one("prefix"), one("delimiter")
        try:
            max_keys = min(int(one("max-keys") or _MAX_KEYS), _MAX_KEYS)
        except ValueError:
            raise StoreError(
                "InvalidArgument", 400, "Provided max-keys not an integer"
            ) from None
        if version2:
            token = one("continuation-token")
            after = _untoken(token) if token else one("start-after")
        else:
            after = one("marker")
        listing = self.store.list_objects(
            bucket, prefix=prefix, delimiter=delimiter, after=after, max_keys=max_keys
        )

        def text(value: str) -> str:
            return escape(quote(value, safe="/") if url_encoded else value)

        inner = [
            f"<Name>{escape(bucket)}</Name><Prefix>{text(prefix)}</Prefix>",
            f"<MaxKeys>{max_keys}</MaxKeys>",
        ]
        if delimiter:
            inner.append(f"<Delimiter>{text(delimiter)}</Delimiter>")
        if url_encoded:
            inner.append("<EncodingType>url</EncodingType>")
        inner.append(f"<IsTruncated>{str(listing.truncated).lower()}</IsTruncated>")
        inner += _page_markers(query, listing, version2, text)
        for key, stored in listing.objects:
            inner.append(
                f"<Contents><Key>{text(key)}</Key>"
                f"<LastModified>{_iso(stored)}</LastModified>"
                f"<ETag>{escape(stored.etag)}</ETag><Size>{len(stored.body)}</Size>"
                "<StorageClass>STANDARD</StorageClass></Contents>"
            )
        inner += [
            f"<CommonPrefixes><Prefix>{text(rolled)}</Prefix></CommonPrefixes>"
            for rolled in listing.prefixes
        ]
        return _ok_xml("ListBucketResult", "".join(inner))

    def _form_upload(self, environ: dict[str, Any], bucket: str) -> _Reply:
        try:
            upload = parse_form_upload(environ)
        except FormUploadError as error:
            raise StoreError("MalformedPOSTRequest", 400, str(error)) from None
        return self._store_form_upload(bucket, upload)

    def _store_form_upload(self, bucket: str, upload: FormUpload) -> _Reply:
        stored = self.store.put(
            bucket,
            upload.key,
            upload.content,
            content_type=upload.fields.get("content-type", "binary/octet-stream"),
            metadata=_metadata(upload.fields.items()),
        )
        location = f"/{quote(bucket)}/{quote(upload.key)}"
        headers = [("ETag", stored.etag), ("Location", location)]
        status = upload.fields.get("success_action_status", "204")
        if status == "201":
            return _Reply(
                201,
                [*headers, ("Content-Type", "application/xml")],
                _xml(
                    "PostResponse",
                    f"<Location>{escape(location)}</Location>"
                    f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(upload.key)}</Key>"
                    f"<ETag>{escape(stored.etag)}</ETag>",
                ),
            )
        return _Reply(200 if status == "200" else 204, headers)

    # --- objects -----------------------------------------------------------

    def _object(
        self,
        environ: dict[str, Any],
        method: str,
        bucket: str,
        key: str,
        query: dict[str, list[str]],
    ) -> _Reply:
        if "uploads" in query or "uploadId" in query:
            return self._multipart(environ, method, bucket, key, query)
        # presigned URLs carry their X-Amz-* parameters in the query
        if any(name != "x-id" and not name.startswith("X-Amz-") for name in query):
            raise _not_implemented(method, f"/{bucket}/{key}", query)
        if method == "PUT":
            if environ.get("HTTP_X_AMZ_COPY_SOURCE"):
                raise _not_implemented("PUT (CopyObject)", f"/{bucket}/{key}")
            stored = self.store.put(
                bucket,
                key,
                _checked_body(environ),
                content_type=environ.get("CONTENT_TYPE") or "binary/octet-stream",
                metadata=_metadata(_http_headers(environ)),
            )
            return _Reply(200, [("ETag", stored.etag)])
        if method in ("GET", "HEAD"):
            return _get(self.store.get(bucket, key), environ.get("HTTP_RANGE"))
        if method == "DELETE":
            self.store.delete(bucket, key)
            return _Reply(204)
        raise _not_implemented(method, f"/{bucket}/{key}", query)

    def _multipart(
        self,
        environ: dict[str, Any],
        method: str,
        bucket: str,
        key: str,
        query: dict[str, list[str]],
    ) -> _Reply:
        upload_id = query.get("uploadId", [""])[0]
        if method == "POST" and "uploads" in query:
            upload_id = self.store.create_upload(
                bucket,
                key,
                content_type=environ.get("CONTENT_TYPE") or "binary/octet-stream",
                metadata=_metadata(_http_headers(environ)),
            )
            return _ok_xml(
                "InitiateMultipartUploadResult",
                f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key>"
                f"<UploadId>{escape(upload_id)}</UploadId>",
            )
        if method == "PUT" and "partNumber" in query:
            body = _checked_body(environ)
            try:
                number = int(query["partNumber"][0])
            except ValueError:
                number = 0
            etag = self.store.upload_part(upload_id, bucket, key, number, body)
            return _Reply(200, [("ETag", etag)])
        if method == "POST":
            stored = self.store.complete_upload(
                upload_id, bucket, key, _completed_parts(_read_body(environ))
            )
            return _ok_xml(
                "CompleteMultipartUploadResult",
                f"<Location>/{escape(quote(bucket))}/{escape(quote(key))}</Location>"
                f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key>"
                f"<ETag>{escape(stored.etag)}</ETag>",
            )
        if method == "DELETE":
            self.store.abort_upload(upload_id, bucket, key)
            return _Reply(204)
        raise _not_implemented(method, f"/{bucket}/{key}", query)


_LIST_PARAMETERS = {
    "list-type",
    "prefix",
    "delimiter",
    "max-keys",
    "continuation-token",
    "start-after",
    "marker",
    "encoding-type",
    "fetch-owner",
}


def _page_markers(
    query: dict[str, list[str]],
    listing: Listing,
    version2: bool,
    text: Callable[[str], str],
) -> list[str]:
    if version2:
        count = len(listing.objects) + len(listing.prefixes)
        out = [f"<KeyCount>{count}</KeyCount>"]
        if "continuation-token" in query:
            token = query["continuation-token"][0]
            out.append(f"<ContinuationToken>{escape(token)}</ContinuationToken>")
        if "start-after" in query:
            out.append(f"<StartAfter>{text(query['start-after'][0])}</StartAfter>")
        if listing.truncated and listing.last is not None:
            token = base64.urlsafe_b64encode(listing.last.encode()).decode()
            out.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        return out
    out = [f"<Marker>{text(query.get('marker', [''])[0])}</Marker>"]
    if listing.truncated and listing.last is not None and "delimiter" in query:
        out.append(f"<NextMarker>{text(listing.last)}</NextMarker>")
    return out


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise StoreError(
            "InvalidArgument", 400, "The continuation token provided is incorrect"
        ) from None


def _get(stored: StoredObject, wanted: str | None) -> _Reply:
    headers = [
        ("Content-Type", stored.content_type),
        ("ETag", stored.etag),
        ("Last-Modified", format_datetime(stored.modified, usegmt=True)),
        ("Accept-Ranges", "bytes"),
        *((f"x-amz-meta-{name}", value) for name, value in stored.metadata.items()),
    ]
    size = len(stored.body)
    match = _RANGE.fullmatch(wanted.strip()) if wanted else None
    if match is None or match.groups() == ("", ""):
        return _Reply(200, headers, stored.body)
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        raise StoreError("InvalidRange", 416, "The requested range is not satisfiable")
    headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    return _Reply(206, headers, stored.body[start : end + 1])


def _http_headers(environ: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in environ.items():
        if name.startswith("HTTP_"):
            yield name[5:].replace("_", "-").lower(), str(value)


def _metadata(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {
        name.lower()[11:]: value
        for name, value in headers
        if name.lower().startswith("x-amz-meta-")
    }


def _read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return bytes(environ["wsgi.input"].read(length)) if length > 0 else b""


def _checked_body(environ: dict[str, Any]) -> bytes:
    """The body, refused with BadDigest if it does not match its Content-MD5."""
    body = _read_body(environ)
    declared = environ.get("HTTP_CONTENT_MD5")
    if declared is not None:
        digest = hashlib.md5(body, usedforsecurity=False).digest()
        if base64.b64encode(digest).decode() != declared.strip():
            raise StoreError(
                "BadDigest",
                400,
                "The Content-MD5 you specified did not match what we received.",
            )
    return body


def _completed_parts(body: bytes) -> list[tuple[int, str]]:
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - the client is a test's
        parts = [
            (
                int(
                    part.findtext(f"{{{S3_NS}}}PartNumber")
                    or part.findtext("PartNumber")
                    or ""
                ),
                part.findtext(f"{{{S3_NS}}}ETag") or part.findtext("ETag") or "",
            )
            for part in root.iter()
            if part.tag in (f"{{{S3_NS}}}Part", "Part")
        ]
    except (ElementTree.ParseError, ValueError):
        raise StoreError(
            "MalformedXML",
            400,
            "The XML you provided was not well-formed or did not validate",
        ) from None
    return parts


def _ok_xml(root: str, inner: str) -> _Reply:
    return _Reply(200, [("Content-Type", "application/xml")], _xml(root, inner))


def _error(error: StoreError, resource: str) -> _Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(error.code)}</Code>"
        f"<Message>{escape(error.message)}</Message>"
        f"<Resource>{escape(resource)}</Resource></Error>"
    ).encode()
    return _Reply(error.status, [("Content-Type", "application/xml")], body)


def _not_implemented(
    method: str, resource: str, query: dict[str, list[str]] | None = None
) -> StoreError:
    asked = f"{method} {resource}" + (f"?{'&'.join(sorted(query))}" if query else "")
    return StoreError(
        "NotImplemented",
        501,
        f"the test server does not implement {asked}",
    )
