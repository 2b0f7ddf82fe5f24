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

__all__ = [
    "AutoScalingError",
    "AwsCoreError",
    "CfnInitError",
    "CliError",
    "CodeArtifactError",
    "InvalidExpiresError",
    "InvalidHeaderError",
    "InvalidOptionError",
    "InvalidScopeError",
    "InvalidTimeError",
    "InvalidUrlError",
    "K8sDnsError",
    "KinesisError",
    "QuorumError",
    "SigV4Error",
    "SigV4InputError",
    "VpnError",
]


class AwsCoreError(Exception):
    """Root of every error awscore raises deliberately."""


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


class CliError(AwsCoreError):
    """A command-line input (a file, an environment variable, a flag) is unusable."""


# --- sigv4 leaves ------------------------------------------------------------


class SigV4InputError(SigV4Error, ValueError):
    """The request or the signing parameters cannot be signed as given."""


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
