"""A small S3-compatible server for tests: awscore's middleware in front of memory.

:func:`serve_s3` runs, on 127.0.0.1 and a free port in a thread, the S3 REST API
(:class:`~tests.sigv4.s3server._app.S3App`: buckets, PUT, GET with ranges, HEAD,
DELETE, ListObjects v1 and v2, multipart uploads, the browser POST form upload)
over an in-memory :class:`Store`, behind :class:`~awscore.sigv4.SigV4WsgiMiddleware`
with a default :class:`~awscore.sigv4.Verifier`. Real S3 clients (curl, boto3,
the AWS CLI, s3cmd, rclone) point their endpoint at its URL, path-style; see
``tests/sigv4/test_real_clients.py``::

    with serve_s3(Credentials(akid, secret), buckets=["bucket"]) as s3:
        ...  # point a client at s3.url; s3.store holds what it uploaded,
        ...  # s3.since(mark) lists what it sent and what it got back
"""

from tests.sigv4.s3server._server import Exchange, Recorder, S3Server, serve_s3
from tests.sigv4.s3server._store import Store, StoredObject, StoreError
from tests.sigv4.s3server._tls import self_signed_tls

__all__ = [
    "Exchange",
    "Recorder",
    "S3Server",
    "Store",
    "StoreError",
    "StoredObject",
    "self_signed_tls",
    "serve_s3",
]
