"""Signing an aws-chunked upload: the seed signature and its chunk encoder.

A streamed S3 upload is signed in two steps (S3 "Signature calculations for
streaming uploads"): the request's headers are signed as usual, with
``x-amz-content-sha256`` naming the streaming mode instead of a payload hash
(that signature is the *seed*); then each chunk of the body carries a signature
chained from the previous one, so the body can be sent, and checked, piece by
piece in constant memory.
"""

from __future__ import annotations

from datetime import datetime

from awscore._inputs import shown
from awscore.errors import ArgumentTypeError, InvalidOptionError
from awscore.sigv4._checksums import checksum_header
from awscore.sigv4._chunked import DEFAULT_CHUNK_SIZE, ChunkedEncoder, StreamingMode
from awscore.sigv4._credentials import CredentialsProvider, current_credentials
from awscore.sigv4._model import Credentials, HttpRequest, kind_of
from awscore.sigv4._signer import sign_details

__all__ = ["sign_chunked"]

_REPLACED = frozenset(
    {"content-encoding", "content-length", "x-amz-decoded-content-length"}
)


def sign_chunked(
    request: HttpRequest,
    credentials: Credentials | CredentialsProvider,
    *,
    region: str,
    service: str,
    when: datetime,
    data_length: int,
    mode: str = StreamingMode.SIGNED,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    trailer_checksum: str | None = None,
    omit_session_token: bool = False,
) -> tuple[HttpRequest, ChunkedEncoder]:
    """Sign an aws-chunked upload of ``data_length`` bytes; return its headers'
    request and the encoder that frames (and signs) the body.

    ``request`` carries the method, URL and headers, not the body;
    ``credentials`` may be a provider, asked once for the seed signature. The result has
    ``Content-Encoding: aws-chunked``, the framed ``Content-Length``,
    ``x-amz-decoded-content-length``, ``x-amz-trailer`` (with a
    ``trailer_checksum``: ``crc32``, ``crc32c``, ``crc64nvme``, ``sha1`` or
    ``sha256``), ``x-amz-content-sha256: <mode>`` and the seed ``Authorization``.
    Feed the body to the encoder's :meth:`~ChunkedEncoder.feed` and send what it
    yields, then what :meth:`~ChunkedEncoder.finish` yields.

    ``mode`` is ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD`` (signed chunks, the
    default), ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`` (signed chunks and a
    signed checksum trailer) or ``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` (plain
    chunks, a checksum trailer; what the AWS SDKs send over TLS).
    """
    if not isinstance(request, HttpRequest):
        raise ArgumentTypeError(
            f"request must be awscore.sigv4.HttpRequest, not {kind_of(request)}"
        )
    try:
        # A text check first: an Enum lookup reprs what it refuses, and the repr
        # of a hostile value (nested 3,000 deep) raises.
        if not isinstance(mode, str):
            raise ValueError
        streaming = StreamingMode(mode)
    except ValueError:
        raise InvalidOptionError(
            f"mode {shown(mode, 60)} is not an aws-chunked mode: use one of "
            f"{', '.join(m.value for m in StreamingMode)}"
        ) from None
    trailers: tuple[str, ...] = ()
    if trailer_checksum is not None:
        header = (
            checksum_header(trailer_checksum)
            if isinstance(trailer_checksum, str)
            else None
        )
        if header is None:
            raise InvalidOptionError(
                f"trailer_checksum {shown(trailer_checksum)} is not supported: use "
                "crc32, crc32c, crc64nvme, sha1 or sha256"
            )
        trailers = (header,)
    framing = ChunkedEncoder.request_headers(
        data_length, mode=streaming, chunk_size=chunk_size, trailer_names=trailers
    )
    kept = [(n, v) for n, v in request.headers if n.lower() not in _REPLACED]
    details = sign_details(
        HttpRequest(request.method, request.url, [*kept, *framing]),
        current_credentials(credentials),
        region=region,
        service=service,
        when=when,
        payload=streaming.value,
        content_sha256_header=True,
        omit_session_token=omit_session_token,
    )
    # sign_details made a SigV4 (HMAC) signature, which always has a key.
    assert details.signing_key is not None
    encoder = ChunkedEncoder(
        mode=streaming,
        signing_key=details.signing_key,
        amz_date=details.amz_date,
        scope=details.credential_scope,
        seed_signature=details.signature,
        chunk_size=chunk_size,
        trailer_checksum=trailer_checksum,
    )
    return details.request, encoder
