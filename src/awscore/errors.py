"""The whole awscore exception hierarchy.

``AwsCoreError`` is the root; each capability has one base (``SigV4Error``,
``KinesisError``, ...) and specific leaves below it. A leaf that reports invalid
input also derives from :class:`ValueError`, so callers that already catch
``ValueError`` keep working. Messages say what was wrong, where, and what is
accepted; they never contain secrets.

Catch ``AwsCoreError`` to handle anything awscore raises on purpose: public code
raises nothing else for bad input or hostile bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AggregationError",
    "ArchiveLimitError",
    "ArgumentTypeError",
    "AutoScalingError",
    "AutoScalingInputError",
    "AwsCoreError",
    "CfnInitArgumentError",
    "CfnInitError",
    "CfnInitInputError",
    "CfnInitStepError",
    "ChecksumMismatchError",
    "ChunkSignatureMismatchError",
    "ChunkedPayloadError",
    "CliError",
    "CodeArtifactError",
    "CodeArtifactInputError",
    "CodeArtifactLimitError",
    "ContentSha256MismatchError",
    "CredentialScopeError",
    "CredentialsConfigError",
    "CredentialsError",
    "CredentialsExpiredError",
    "CredentialsFetchError",
    "CredentialsNotFoundError",
    "DecodedLengthMismatchError",
    "DnsExtraMissingError",
    "EventBridgeError",
    "EventBridgeInputError",
    "EventSourceMappingError",
    "IntegrityCheckError",
    "InvalidEventPatternError",
    "InvalidExpiresError",
    "InvalidHashKeyError",
    "InvalidHeaderError",
    "InvalidInputError",
    "InvalidOptionError",
    "InvalidPartitionKeyError",
    "InvalidPolicyDocumentError",
    "InvalidPostArgumentError",
    "InvalidPostPolicyError",
    "InvalidReshardError",
    "InvalidScopeError",
    "InvalidTimeError",
    "InvalidTrafficError",
    "InvalidUrlError",
    "K8sDnsError",
    "K8sDnsInputError",
    "KinesisError",
    "KinesisInputError",
    "MalformedAggregateError",
    "MalformedAuthorizationError",
    "MalformedChunkError",
    "MalformedPacketError",
    "MalformedPostRequestError",
    "MalformedPresignError",
    "MalformedRequestError",
    "MalformedTrailerError",
    "MissingAuthenticationError",
    "NoRouteError",
    "NotEspError",
    "OriginBlockedError",
    "PackageConflictError",
    "PathEscapeError",
    "PodNotFoundError",
    "PostEntityTooLargeError",
    "PostEntityTooSmallError",
    "PostFieldsTooLargeError",
    "PostPolicyError",
    "PresignExpiredError",
    "QuorumError",
    "QuorumInputError",
    "QuorumTooLargeError",
    "ReplayedPacketError",
    "ReplayedRequestError",
    "RepositoryNotFoundError",
    "RequestTimeTooSkewedError",
    "RequestTooLargeError",
    "S3NotificationConfigError",
    "SandboxUnavailableError",
    "SequenceExhaustedError",
    "ShardNotFoundError",
    "SigV4Error",
    "SigV4ExtraMissingError",
    "SigV4InputError",
    "SigV4VerificationError",
    "SignatureMismatchError",
    "StreamingNotSupportedError",
    "TrailerSignatureMismatchError",
    "TtlExceededError",
    "UnknownAccessKeyError",
    "UnknownSpiError",
    "UnresolvableIntrinsicError",
    "UnsafeQuorumError",
    "UnsignedHeaderError",
    "VpnError",
    "VpnInputError",
    "X509ChainError",
]


class AwsCoreError(Exception):
    """Root of every error awscore raises deliberately."""


class InvalidInputError(AwsCoreError, ValueError):
    """Input that validation rejected, with every problem it found.

    ``problems`` lists the problems, one message each (most name the field they are
    about); the error's message joins them. Each module's input error that reports
    several problems at once derives from this class, so ``except
    InvalidInputError`` catches any of them.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


# --- one base per capability -------------------------------------------------


class SigV4Error(AwsCoreError):
    """Signature Version 4 / 4A signing or verification failed."""


class KinesisError(AwsCoreError):
    """A Kinesis hashing, resharding or aggregation rule was broken."""


class QuorumError(AwsCoreError):
    """A quorum system or failure model is invalid or cannot be evaluated."""


class AutoScalingError(AwsCoreError):
    """An Auto Scaling group or scaling policy is invalid."""


class CfnInitError(AwsCoreError):
    """cfn-init metadata is invalid or a step failed."""


class CodeArtifactError(AwsCoreError):
    """A CodeArtifact domain, repository graph or request is invalid."""


class K8sDnsError(AwsCoreError):
    """A Kubernetes DNS object, query or resolver configuration is invalid."""


class VpnError(AwsCoreError):
    """An IPsec ESP packet, security association or VPN setting is invalid."""


class EventBridgeError(AwsCoreError):
    """An EventBridge event pattern, event, input transformer or S3 filter is bad."""


class CliError(AwsCoreError):
    """A command-line input (a file, an environment variable, a flag) is unusable."""


# --- kinesis leaves ---------------------------------------------------------


class KinesisInputError(KinesisError, ValueError):
    """A partition key, hash key, shard id or count is not accepted."""


class InvalidPartitionKeyError(KinesisInputError):
    """A partition key is empty or longer than 256 characters."""


class InvalidHashKeyError(KinesisInputError):
    """An explicit or new starting hash key is malformed or out of range."""


class ShardNotFoundError(KinesisInputError):
    """No shard has the given id."""


class InvalidReshardError(KinesisInputError):
    """A split, merge or shard count change that Kinesis would refuse."""


class InvalidTrafficError(KinesisInputError):
    """A key's traffic (a negative or non-finite rate, or a traffic CSV row) is bad.

    ``line`` and ``column`` locate a CSV problem (1-based line; column name);
    both are None for a :class:`KeyTraffic` built in code.
    """

    def __init__(
        self, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class AggregationError(KinesisInputError):
    """Records cannot be aggregated: one alone exceeds the aggregate size."""


class MalformedAggregateError(KinesisError):
    """An aggregated record's protobuf is corrupt despite a valid magic and digest."""


class EventSourceMappingError(KinesisInputError):
    """A Lambda event source mapping setting, write or handler response is refused.

    ``field`` names the setting (``BatchSize``, ``ParallelizationFactor``...) or the
    input (``writes[3].time``) the problem is about.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- eventbridge leaves -----------------------------------------------------


class EventBridgeInputError(EventBridgeError, ValueError):
    """An event, a transformer or an argument awscore cannot take.

    ``path`` locates the problem in the document (``detail.state[0]``), or is
    empty for the document as a whole.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class InvalidEventPatternError(EventBridgeInputError):
    """A pattern EventBridge would refuse (its InvalidEventPatternException)."""


class S3NotificationConfigError(EventBridgeInputError):
    """An S3 notification configuration S3 would refuse (its InvalidArgument)."""


# --- quorum leaves ----------------------------------------------------------


class QuorumInputError(QuorumError, InvalidInputError):
    """A probability, node, domain or quorum rule is not accepted.

    ``problems`` lists every problem found, one message each; the error's message
    joins them.
    """


class QuorumTooLargeError(QuorumError, ValueError):
    """A rule needs exact enumeration over more nodes than the limit allows.

    ``limit`` is the largest number of distinct nodes enumerated; ``nodes`` the
    number the rule involves.
    """

    def __init__(self, message: str, *, limit: int, nodes: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.nodes = nodes


class UnsafeQuorumError(QuorumError):
    """Two quorums of a quorum system can be disjoint.

    ``first`` and ``second`` are the counterexample: two disjoint sets of node ids,
    ``first`` a read quorum (or a write quorum) and ``second`` a write quorum;
    ``kind`` is ``"read/write"`` or ``"write/write"``.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        first: frozenset[str],
        second: frozenset[str],
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.first = first
        self.second = second


# --- sigv4 leaves ------------------------------------------------------------


class SigV4InputError(SigV4Error, ValueError):
    """The request or the signing parameters cannot be signed as given."""


class ArgumentTypeError(SigV4InputError, TypeError):
    """A sigv4 function or constructor was given an argument of the wrong kind."""


class InvalidHeaderError(SigV4InputError):
    """A header name is not an HTTP token, or a name or value holds CR, LF or NUL."""


class InvalidUrlError(SigV4InputError):
    """The URL has no scheme or host, or cannot be parsed."""


class InvalidScopeError(SigV4InputError):
    """A region or service is empty or holds ``/`` or whitespace."""


class InvalidTimeError(SigV4InputError):
    """The signing time is naive (no time zone) or out of range."""


class InvalidExpiresError(SigV4InputError):
    """A presigned URL's lifetime is outside 1..604800 seconds."""


class InvalidOptionError(SigV4InputError):
    """A signing option has a value that is not accepted."""


class SigV4ExtraMissingError(SigV4Error, ImportError):
    """``RequestsAuth`` or ``HttpxAuth`` without its library: install the extra."""


# --- sigv4 verification ------------------------------------------------------
# Each carries the error code and HTTP status AWS answers with: ``s3_code`` for S3
# (REST-XML), ``code`` for the JSON and query protocols.


class SigV4VerificationError(SigV4Error):
    """A request's SigV4 authentication was rejected.

    ``s3_code`` is the code S3 answers with, ``code`` the one of query-protocol
    services (STS, IAM, SQS), ``json_code`` the one of JSON-protocol services
    (DynamoDB, Kinesis); ``status`` is the HTTP status of S3 and the query
    protocol, ``json_status`` that of JSON services, which answer authentication
    failures with 400.
    """

    s3_code = "AccessDenied"
    code = "AccessDenied"
    json_code = "AccessDeniedException"
    status = 403
    json_status = 400


class MissingAuthenticationError(SigV4VerificationError):
    """The request carries neither an Authorization header nor a presigned query."""

    s3_code = "AccessDenied"
    code = "MissingAuthenticationToken"
    json_code = "MissingAuthenticationTokenException"


class MalformedAuthorizationError(SigV4VerificationError):
    """The Authorization header or X-Amz-Date cannot be parsed strictly."""

    s3_code = "AuthorizationHeaderMalformed"
    code = "IncompleteSignature"
    json_code = "IncompleteSignatureException"
    status = 400


class MalformedRequestError(SigV4VerificationError):
    """The request itself cannot be read: text that is not Unicode, a bad length."""

    s3_code = "InvalidRequest"
    code = "InvalidRequest"
    json_code = "ValidationException"
    status = 400


class MalformedPresignError(SigV4VerificationError):
    """A presigned URL's X-Amz-* query parameters are missing or malformed."""

    s3_code = "AuthorizationQueryParametersError"
    code = "IncompleteSignature"
    json_code = "IncompleteSignatureException"
    status = 400


class UnknownAccessKeyError(SigV4VerificationError):
    """No credentials are known for the access key id."""

    s3_code = "InvalidAccessKeyId"
    code = "InvalidClientTokenId"
    json_code = "UnrecognizedClientException"


class CredentialScopeError(SigV4VerificationError):
    """The credential scope's date, region or service is not accepted."""

    s3_code = "AuthorizationHeaderMalformed"
    code = "SignatureDoesNotMatch"
    json_code = "InvalidSignatureException"
    status = 400


class UnsignedHeaderError(SigV4VerificationError):
    """``host``, or an ``x-amz-*`` header that is present, is not signed."""

    s3_code = "AccessDenied"
    code = "SignatureDoesNotMatch"
    json_code = "InvalidSignatureException"


class RequestTimeTooSkewedError(SigV4VerificationError):
    """The request time is too far from the server's clock."""

    s3_code = "RequestTimeTooSkewed"
    code = "SignatureDoesNotMatch"
    json_code = "InvalidSignatureException"


class PresignExpiredError(SigV4VerificationError):
    """A presigned URL's lifetime is over, or has not begun."""

    s3_code = "AccessDenied"
    code = "AccessDenied"


class ContentSha256MismatchError(SigV4VerificationError):
    """``x-amz-content-sha256`` does not match the body."""

    s3_code = "XAmzContentSHA256Mismatch"
    code = "XAmzContentSHA256Mismatch"
    json_code = "XAmzContentSHA256Mismatch"
    status = 400


class StreamingNotSupportedError(SigV4VerificationError):
    """The body is an aws-chunked ``STREAMING-*`` payload, which is not verified yet."""

    s3_code = "NotImplemented"
    code = "NotImplemented"
    json_code = "NotImplemented"
    status = 501
    json_status = 501


# aws-chunked streaming bodies. S3 does not document which code each framing fault
# gets; these are its documented codes for the nearest case.


class ChunkedPayloadError(SigV4VerificationError):
    """An ``aws-chunked`` streaming body was rejected."""

    s3_code = "IncompleteBody"
    code = "IncompleteBody"
    json_code = "ValidationException"
    status = 400


class ChunkSignatureMismatchError(ChunkedPayloadError):
    """A chunk's ``chunk-signature`` does not match its data and position."""

    s3_code = "SignatureDoesNotMatch"
    code = "SignatureDoesNotMatch"
    json_code = "InvalidSignatureException"
    status = 403


class MalformedChunkError(ChunkedPayloadError):
    """The chunk framing is malformed, or the stream ends before it is complete."""

    s3_code = "IncompleteBody"
    code = "IncompleteBody"
    json_code = "ValidationException"
    status = 400


class DecodedLengthMismatchError(ChunkedPayloadError):
    """The data length differs from ``x-amz-decoded-content-length``."""

    s3_code = "IncompleteBody"
    code = "IncompleteBody"
    json_code = "ValidationException"
    status = 400


class MalformedTrailerError(ChunkedPayloadError):
    """A trailer is malformed, undeclared, repeated, missing or wrongly signed."""

    s3_code = "MalformedTrailerError"
    code = "MalformedTrailerError"
    json_code = "ValidationException"
    status = 400


class TrailerSignatureMismatchError(MalformedTrailerError):
    """``x-amz-trailer-signature`` does not match the trailers and the chunk chain."""

    s3_code = "SignatureDoesNotMatch"
    code = "SignatureDoesNotMatch"
    json_code = "InvalidSignatureException"
    status = 403


class ChecksumMismatchError(ChunkedPayloadError):
    """An ``x-amz-checksum-*`` trailer does not match the data received."""

    s3_code = "BadDigest"
    code = "BadDigest"
    json_code = "ValidationException"
    status = 400


class SignatureMismatchError(SigV4VerificationError):
    """The signature does not match the one computed from the request.

    ``canonical_request`` and ``string_to_sign`` are the server's, as S3 returns them
    in its ``SignatureDoesNotMatch`` error, so a client can diff them with its own.
    """

    s3_code = "SignatureDoesNotMatch"
    code = "SignatureDoesNotMatch"
    json_code = "InvalidSignatureException"

    def __init__(
        self,
        message: str,
        *,
        canonical_request: str,
        string_to_sign: str,
        access_key_id: str,
        signature_provided: str,
    ) -> None:
        super().__init__(message)
        self.canonical_request = canonical_request
        self.string_to_sign = string_to_sign
        self.access_key_id = access_key_id
        self.signature_provided = signature_provided


class ReplayedRequestError(SigV4VerificationError):
    """The same signature was already accepted within the skew window."""

    s3_code = "AccessDenied"
    code = "AccessDenied"


class InvalidPostPolicyError(SigV4InputError):
    """A POST policy condition or form field given to ``presign_post`` is not one
    S3 accepts."""


# Browser-based POST uploads (S3 API reference, "Browser-Based Uploads Using POST").
# The codes are those S3 answers with for each fault.


class MalformedPostRequestError(SigV4VerificationError):
    """The body is not well-formed multipart/form-data, or ends before it is whole."""

    s3_code = "MalformedPOSTRequest"
    code = "MalformedPOSTRequest"
    json_code = "ValidationException"
    status = 400


class PostFieldsTooLargeError(MalformedPostRequestError):
    """The form fields before the file part exceed the verifier's bound."""

    s3_code = "MaxPostPreDataLengthExceeded"
    code = "MaxPostPreDataLengthExceeded"


class InvalidPostArgumentError(SigV4VerificationError):
    """A form upload lacks its file part or a field SigV4 requires."""

    s3_code = "InvalidArgument"
    code = "InvalidArgument"
    json_code = "ValidationException"
    status = 400


class InvalidPolicyDocumentError(SigV4VerificationError):
    """The POST policy is not base64 of a UTF-8 JSON policy document S3 accepts."""

    s3_code = "InvalidPolicyDocument"
    code = "InvalidPolicyDocument"
    json_code = "ValidationException"
    status = 400


class PostPolicyError(SigV4VerificationError):
    """A form upload breaks its POST policy: expired, a condition failed, or a
    field no condition covers.

    ``condition`` is the failing condition as JSON (``["eq", "$acl",
    "public-read"]``), or None when the failure is not one condition's.
    """

    s3_code = "AccessDenied"
    code = "AccessDenied"

    def __init__(self, message: str, *, condition: str | None = None) -> None:
        super().__init__(message)
        self.condition = condition


class PostEntityTooLargeError(PostPolicyError):
    """The file is larger than the policy's ``content-length-range`` allows."""

    s3_code = "EntityTooLarge"
    code = "EntityTooLarge"
    status = 400


class PostEntityTooSmallError(PostPolicyError):
    """The file is smaller than the policy's ``content-length-range`` allows."""

    s3_code = "EntityTooSmall"
    code = "EntityTooSmall"
    status = 400


class X509ChainError(SigV4VerificationError):
    """An X.509 (IAM Roles Anywhere) signer's certificate does not chain to a
    trust anchor, is not valid at the request time, or cannot be parsed."""

    s3_code = "AccessDenied"
    code = "AccessDeniedException"


# --- sigv4 credentials -------------------------------------------------------


class CredentialsError(SigV4Error):
    """Credentials could not be resolved or refreshed.

    ``step`` names the credential-chain step that failed, with botocore's names
    (``env``, ``assume-role``, ``assume-role-with-web-identity``, ``sso``,
    ``shared-credentials-file``, ``custom-process``, ``config-file``,
    ``container-role``, ``iam-role``, ``refresh``, ``roles-anywhere``); the
    message starts with it. Messages never hold a secret.
    """

    def __init__(self, message: str, *, step: str) -> None:
        self.step = step
        super().__init__(f"{step}: {message}")


class CredentialsNotFoundError(CredentialsError):
    """No step of the credential chain found credentials."""


class CredentialsConfigError(CredentialsError, ValueError):
    """The environment or a shared config/credentials file is invalid for a step."""


class CredentialsFetchError(CredentialsError):
    """A network or process step (STS, IMDS, container, credential_process)
    failed: an error status, a timeout, or an answer that is not the contract."""


class CredentialsExpiredError(CredentialsError):
    """A refresh returned credentials that have already expired."""


class RequestTooLargeError(SigV4VerificationError):
    """The body is larger than the middleware buffers for verification."""

    s3_code = "EntityTooLarge"
    code = "RequestEntityTooLarge"
    json_code = "RequestEntityTooLargeException"
    status = 413
    json_status = 413


# --- autoscaling leaves ------------------------------------------------------


class AutoScalingInputError(AutoScalingError, InvalidInputError):
    """A group, policy, alarm, metric or load trace is not accepted.

    ``problems`` lists every problem found, one message each; the error's message
    joins them.
    """


# --- cfn_init leaves ---------------------------------------------------------


class CfnInitInputError(CfnInitError, InvalidInputError):
    """cfn-init metadata, a template or a cfn-hup file is not accepted.

    ``problems`` lists every problem found, each starting with its path into the
    metadata (``config.files./etc/x.mode: ...``); the message joins them.
    """


class UnresolvableIntrinsicError(CfnInitInputError):
    """An intrinsic function (``Ref``, ``Fn::Sub``, ...) cannot be resolved.

    ``function`` names the intrinsic, ``path`` is where it sits in the template.
    """

    def __init__(self, message: str, *, function: str, path: str) -> None:
        super().__init__([f"{path}: {message}"])
        self.function = function
        self.path = path


class CfnInitArgumentError(CfnInitInputError, TypeError):
    """A cfn_init function was called with an argument of the wrong kind."""


class PathEscapeError(CfnInitError, ValueError):
    """A file, symlink target or archive member would land outside the root."""


class ArchiveLimitError(CfnInitError, ValueError):
    """A ``sources`` archive has more or larger members than its limits allow."""


class SandboxUnavailableError(CfnInitError):
    """Commands cannot run: bubblewrap (``bwrap``) is not installed, and running
    them on the host was not asked for."""


class CfnInitStepError(CfnInitError):
    """A step of a cfn-init run failed; the run stopped there, without rollback.

    ``config``, ``section`` and ``key`` locate the step; ``report`` holds what ran
    before it (a :class:`awscore.cfn_init.Report`).
    """

    def __init__(
        self,
        message: str,
        *,
        config: str,
        section: str,
        key: str,
        report: object = None,
    ) -> None:
        super().__init__(f"{config}.{section}.{key}: {message}")
        self.config = config
        self.section = section
        self.key = key
        self.report = report


# --- codeartifact leaves -----------------------------------------------------


class CodeArtifactInputError(CodeArtifactError, InvalidInputError):
    """A name, format, package, version, pattern or domain description is not accepted.

    ``problems`` lists every problem found, one message each; the error's message
    joins them.
    """


class RepositoryNotFoundError(CodeArtifactInputError):
    """No repository of the domain has the given name."""


class CodeArtifactLimitError(CodeArtifactInputError):
    """A CodeArtifact quota would be exceeded.

    The quotas: 10 direct upstreams per repository, one external connection per
    repository, 1,000 repositories per domain.
    """


class PackageConflictError(CodeArtifactError):
    """A publish conflicts with a version already present or reachable upstream.

    CodeArtifact answers such a publish with ``ConflictException`` (HTTP 409).
    """


class OriginBlockedError(CodeArtifactError):
    """A package origin control or a package group forbids the publish."""


# --- k8s_dns leaves ----------------------------------------------------------


class K8sDnsInputError(K8sDnsError, InvalidInputError):
    """A cluster description, record name, pod DNS setting or query is not accepted.

    ``problems`` lists every problem found, one message each, each naming its field
    (``services[2].ports[0].name``); the error's message joins them.
    """


class PodNotFoundError(K8sDnsInputError):
    """No pod of the cluster has the given ``namespace/name``."""


class DnsExtraMissingError(K8sDnsError, ImportError):
    """The DNS server needs dnspython: ``pip install 'awscore[dns]'``."""


# --- vpn leaves --------------------------------------------------------------


class VpnInputError(VpnError, InvalidInputError):
    """An address, field, key, algorithm or VPN setting is not accepted.

    ``problems`` lists every problem found, one message each; the error's message
    joins them.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(problems)


class MalformedPacketError(VpnError):
    """Bytes received are not a well-formed IP, UDP or ESP packet."""


class NotEspError(VpnError):
    """A UDP 4500 datagram is IKE (non-ESP marker) or a NAT keepalive, not ESP.

    ``kind`` is ``"ike"`` or ``"keepalive"`` (RFC 3948 §2.2, §2.3).
    """

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class UnknownSpiError(VpnError):
    """No inbound security association has the packet's SPI (RFC 4303 §3.4.2)."""

    def __init__(self, message: str, *, spi: int) -> None:
        super().__init__(message)
        self.spi = spi


class ReplayedPacketError(VpnError):
    """A duplicate, or a packet left of the anti-replay window (RFC 4303 §3.4.3).

    ``sequence`` is the (inferred, with ESN) 64-bit sequence number; ``reason`` is
    ``"duplicate"``, ``"too old"`` or ``"zero"``.
    """

    def __init__(self, message: str, *, sequence: int, reason: str) -> None:
        super().__init__(message)
        self.sequence = sequence
        self.reason = reason


class IntegrityCheckError(VpnError):
    """The ICV does not verify: the packet was altered or the keys differ."""


class SequenceExhaustedError(VpnError):
    """The outbound sequence number would cycle: the SA must be rekeyed (§3.3.3)."""


class TtlExceededError(VpnError):
    """The inner packet's TTL (hop limit) would reach 0 on entering the tunnel."""


class NoRouteError(VpnError):
    """No route (or no tunnel that is up) leads to the destination."""
