"""EC2 instance metadata (IMDSv2) role credentials: the protocol's rules.

botocore's ``InstanceMetadataFetcher``, whose rules these follow:

1. ``PUT /latest/api/token`` with ``x-aws-ec2-metadata-token-ttl-seconds: 21600``.
   200: the token. 403, 404, 405 or a timeout: no token, fall back to IMDSv1
   (unless ``AWS_EC2_METADATA_V1_DISABLED``, which is then an error). 400: the
   step is skipped. A connection error is retried.
2. ``GET /latest/meta-data/iam/security-credentials/`` (with the token as
   ``x-aws-ec2-metadata-token``): the role name.
3. ``GET .../security-credentials/<role>``: JSON with ``AccessKeyId``,
   ``SecretAccessKey``, ``Token``, ``Expiration``.

Every request times out after ``AWS_METADATA_SERVICE_TIMEOUT`` (default 1 s) and
is tried ``AWS_METADATA_SERVICE_NUM_ATTEMPTS`` times (default 1); a non-200, an
empty body, or (for step 3) a body that is not JSON is a failed attempt. When the
attempts run out, or the JSON lacks a field, the step is *skipped* (botocore
returns no credentials rather than an error), and the chain goes on. A 401 (the
token expired between calls) is a failed attempt like any other: botocore does
not fetch a new token within one resolution, and neither does awscore.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "IMDS_ENDPOINTS",
    "IMDS_ROLE_PATH",
    "IMDS_TOKEN_PATH",
    "IMDS_TOKEN_TTL",
    "imds_endpoint",
]

STEP = "iam-role"
IMDS_TOKEN_PATH = "latest/api/token"  # noqa: S105 - a URL path
IMDS_TOKEN_TTL = "21600"  # noqa: S105 - six hours, botocore's token lifetime
IMDS_ROLE_PATH = "latest/meta-data/iam/security-credentials/"
IMDS_ENDPOINTS = {"ipv4": "http://169.254.169.254/", "ipv6": "http://[fd00:ec2::254]/"}


def imds_endpoint(env: Mapping[str, str], profile: Mapping[str, str]) -> str:
    """The IMDS base URL (ending in ``/``): ``AWS_EC2_METADATA_SERVICE_ENDPOINT``
    or the profile's ``ec2_metadata_service_endpoint``, else by endpoint mode."""
    url = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or profile.get(
        "ec2_metadata_service_endpoint"
    )
    if url:
        return url if url.endswith("/") else url + "/"
    mode = (
        env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
        or profile.get("ec2_metadata_service_endpoint_mode")
        or "ipv4"
    ).lower()
    return IMDS_ENDPOINTS.get(mode, IMDS_ENDPOINTS["ipv4"])
