"""The in-memory object store behind the test S3 server: buckets, objects, uploads.

Only what the real clients exercise, with S3's semantics where a client checks
them: an object's ETag is the hex MD5 of its body (s3cmd and rclone compare it
with their own), a multipart object's ETag is the MD5 of its parts' binary MD5s
followed by ``-<number of parts>``, and ListObjects returns keys in UTF-8 byte
order (S3 API reference, ListObjectsV2: "returned in UTF-8 binary order").
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime


class StoreError(Exception):
    """An S3 error the application answers with: its code, status and message."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredObject:
    """One object: its bytes, the headers it was stored with, its ETag."""

    body: bytes
    etag: str
    content_type: str
    #: user metadata (``x-amz-meta-*``), names lower-cased
    metadata: dict[str, str]
    modified: datetime


@dataclass(slots=True)
class _Upload:
    bucket: str
    key: str
    content_type: str
    metadata: dict[str, str]
    parts: dict[int, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """One page of ListObjects: objects, common prefixes and the next marker."""

    objects: list[tuple[str, StoredObject]]
    prefixes: list[str]
    truncated: bool
    #: the last key or prefix of this page (the next page starts after it)
    last: str | None


class Store:
    """Buckets of objects and multipart uploads; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, dict[str, StoredObject]] = {}
        self._uploads: dict[str, _Upload] = {}

    # --- buckets ---------------------------------------------------------------

    def create_bucket(self, bucket: str) -> None:
        """Create ``bucket``; creating it again is allowed (us-east-1's rule)."""
        with self._lock:
            self._buckets.setdefault(bucket, {})

    def delete_bucket(self, bucket: str) -> None:
        with self._lock:
            objects = self._objects(bucket)
            if objects:
                raise StoreError(
                    "BucketNotEmpty", 409, "The bucket you tried to delete is not empty"
                )
            del self._buckets[bucket]

    def buckets(self) -> list[str]:
        with self._lock:
            return sorted(self._buckets)

    def has_bucket(self, bucket: str) -> bool:
        with self._lock:
            return bucket in self._buckets

    def _objects(self, bucket: str) -> dict[str, StoredObject]:
        try:
            return self._buckets[bucket]
        except KeyError:
            raise StoreError(
                "NoSuchBucket", 404, "The specified bucket does not exist"
            ) from None

    # --- objects ---------------------------------------------------------------

    def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str,
        metadata: dict[str, str],
        etag: str | None = None,
    ) -> StoredObject:
        stored = StoredObject(
            body=body,
            etag=etag or f'"{_md5(body).hex()}"',
            content_type=content_type,
            metadata=dict(metadata),
            modified=datetime.now(UTC).replace(microsecond=0),
        )
        with self._lock:
            self._objects(bucket)[key] = stored
        return stored

    def get(self, bucket: str, key: str) -> StoredObject:
        with self._lock:
            try:
                return self._objects(bucket)[key]
            except KeyError:
                raise StoreError(
                    "NoSuchKey", 404, "The specified key does not exist."
                ) from None

    def delete(self, bucket: str, key: str) -> None:
        """Delete ``key``; deleting a missing key succeeds, as in S3."""
        with self._lock:
            self._objects(bucket).pop(key, None)

    def list_objects(
        self,
        bucket: str,
        *,
        prefix: str,
        delimiter: str,
        after: str,
        max_keys: int,
    ) -> Listing:
        """Keys under ``prefix`` after ``after``, rolled up at ``delimiter``."""
        with self._lock:
            objects = sorted(
                self._objects(bucket).items(), key=lambda item: item[0].encode()
            )
        found: list[tuple[str, StoredObject]] = []
        prefixes: list[str] = []
        last: str | None = None
        for key, stored in objects:
            if not key.startswith(prefix) or key.encode() <= after.encode():
                continue
            rolled = None
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    rolled = key[: cut + len(delimiter)]
            if rolled is not None and prefixes and prefixes[-1] == rolled:
                continue
            if len(found) + len(prefixes) == max_keys:
                return Listing(
                    objects=found, prefixes=prefixes, truncated=True, last=last
                )
            if rolled is None:
                found.append((key, stored))
                last = key
            else:
                prefixes.append(rolled)
                # the next page starts after every key under this prefix
                last = rolled + "\U0010ffff"
        return Listing(objects=found, prefixes=prefixes, truncated=False, last=last)

    # --- multipart uploads -----------------------------------------------------

    def create_upload(
        self, bucket: str, key: str, *, content_type: str, metadata: dict[str, str]
    ) -> str:
        upload_id = secrets.token_urlsafe(24)
        with self._lock:
            self._objects(bucket)
            self._uploads[upload_id] = _Upload(bucket, key, content_type, metadata)
        return upload_id

    def _upload(self, upload_id: str, bucket: str, key: str) -> _Upload:
        upload = self._uploads.get(upload_id)
        if upload is None or (upload.bucket, upload.key) != (bucket, key):
            raise StoreError(
                "NoSuchUpload",
                404,
                "The specified upload does not exist. The upload ID may be invalid, "
                "or the upload may have been aborted or completed.",
            )
        return upload

    def upload_part(
        self, upload_id: str, bucket: str, key: str, number: int, body: bytes
    ) -> str:
        if not 1 <= number <= 10000:
            raise StoreError(
                "InvalidArgument",
                400,
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        with self._lock:
            self._upload(upload_id, bucket, key).parts[number] = body
        return f'"{_md5(body).hex()}"'

    def complete_upload(
        self, upload_id: str, bucket: str, key: str, parts: list[tuple[int, str]]
    ) -> StoredObject:
        """Join ``parts`` (number, ETag), each as uploaded and in ascending order."""
        with self._lock:
            upload = self._upload(upload_id, bucket, key)
            numbers = [number for number, _ in parts]
            if not parts or numbers != sorted(set(numbers)):
                raise StoreError(
                    "InvalidPartOrder",
                    400,
                    "The list of parts was not in ascending order. The parts list "
                    "must be specified in order by part number.",
                )
            bodies = []
            for number, etag in parts:
                body = upload.parts.get(number)
                if body is None or etag.strip('"') != _md5(body).hex():
                    raise StoreError(
                        "InvalidPart",
                        400,
                        f"One or more of the specified parts could not be found: "
                        f"part {number}",
                    )
                bodies.append(body)
            del self._uploads[upload_id]
        joined = b"".join(_md5(body) for body in bodies)
        return self.put(
            bucket,
            key,
            b"".join(bodies),
            content_type=upload.content_type,
            metadata=upload.metadata,
            etag=f'"{_md5(joined).hex()}-{len(bodies)}"',
        )

    def abort_upload(self, upload_id: str, bucket: str, key: str) -> None:
        with self._lock:
            self._upload(upload_id, bucket, key)
            del self._uploads[upload_id]

    def uploads_in_progress(self) -> int:
        with self._lock:
            return len(self._uploads)
