"""CodeArtifact: upstream resolution, retention, origin controls and package groups.

>>> from awscore.codeartifact import Domain, Repository
>>> domain = Domain("my-domain")
>>> domain.add_repository(Repository("npm-store", external_connection="public:npmjs"))
>>> domain.add_repository(Repository("my-repo", upstreams=("npm-store",)))
>>> domain.add_public_version("public:npmjs", "lodash", "4.17.21")
>>> found = domain.resolve("my-repo", "npm", "lodash", "4.17.21")
>>> found.served_by, found.external_connection, found.retained_in
('npm-store', 'public:npmjs', ('my-repo', 'npm-store'))
"""

from __future__ import annotations

from awscore.codeartifact._domain import (
    INGESTED_DEFAULTS,
    MAX_REPOSITORIES,
    MAX_SEARCHED,
    MAX_UPSTREAMS,
    PUBLISHED_DEFAULTS,
    Control,
    Domain,
    Exposure,
    OriginControls,
    OriginMode,
    Outcome,
    PackageMetadata,
    Repository,
    Resolution,
    TraceEntry,
    VersionOrigin,
    version_sort_key,
)
from awscore.codeartifact._groups import (
    EffectiveRestriction,
    GroupPattern,
    GroupRestriction,
    PackageGroup,
    PatternKind,
    RestrictionMode,
    RestrictionType,
)
from awscore.codeartifact._load import (
    MAX_DOCUMENT_DEPTH,
    MAX_DOCUMENT_ENTRIES,
    MAX_DOCUMENT_SIZE,
    MAX_NUMBER_DIGITS,
    domain_from_dict,
    domain_to_dict,
    load_domain,
)
from awscore.codeartifact._names import (
    EXTERNAL_CONNECTIONS,
    PackageFormat,
    PackageId,
    normalize_name,
)
from awscore.errors import (
    CodeArtifactError,
    CodeArtifactInputError,
    CodeArtifactLimitError,
    OriginBlockedError,
    PackageConflictError,
    RepositoryNotFoundError,
)

__all__ = [
    "EXTERNAL_CONNECTIONS",
    "INGESTED_DEFAULTS",
    "MAX_DOCUMENT_DEPTH",
    "MAX_DOCUMENT_ENTRIES",
    "MAX_DOCUMENT_SIZE",
    "MAX_NUMBER_DIGITS",
    "MAX_REPOSITORIES",
    "MAX_SEARCHED",
    "MAX_UPSTREAMS",
    "PUBLISHED_DEFAULTS",
    "CodeArtifactError",
    "CodeArtifactInputError",
    "CodeArtifactLimitError",
    "Control",
    "Domain",
    "EffectiveRestriction",
    "Exposure",
    "GroupPattern",
    "GroupRestriction",
    "OriginBlockedError",
    "OriginControls",
    "OriginMode",
    "Outcome",
    "PackageConflictError",
    "PackageFormat",
    "PackageGroup",
    "PackageId",
    "PackageMetadata",
    "PatternKind",
    "Repository",
    "RepositoryNotFoundError",
    "Resolution",
    "RestrictionMode",
    "RestrictionType",
    "TraceEntry",
    "VersionOrigin",
    "domain_from_dict",
    "domain_to_dict",
    "load_domain",
    "normalize_name",
    "version_sort_key",
]
