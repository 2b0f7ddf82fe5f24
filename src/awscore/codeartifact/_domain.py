"""A CodeArtifact domain: repositories, upstream search, retention and origin controls.

Sources (CodeArtifact User Guide): "Upstream repository priority order" (the search
order, depth-first, stopping at the first hit), "Requesting a package version with
upstream repositories" (10 direct upstreams, 25 repositories searched, retention),
"Package retention in intermediate repositories", "Editing package origin
controls" (the defaults by how the first version arrived), "Package group origin
controls"; API Reference: ``AssociateExternalConnection`` ("one external
connection is allowed per repository"; "a repository can have one or more
upstream repositories, or an external connection"), "Quotas" (1,000 repositories
per domain).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from awscore._inputs import shown
from awscore.codeartifact._groups import (
    ROOT_PATTERN,
    EffectiveRestriction,
    GroupPattern,
    GroupRestriction,
    PackageGroup,
    RestrictionMode,
    RestrictionType,
    root_group,
)
from awscore.codeartifact._names import (
    EXTERNAL_CONNECTIONS,
    PackageFormat,
    PackageId,
    domain_name_problems,
    external_connection_problems,
    repository_name_problems,
    version_problems,
)
from awscore.errors import (
    CodeArtifactInputError,
    CodeArtifactLimitError,
    OriginBlockedError,
    PackageConflictError,
    RepositoryNotFoundError,
)

#: Direct upstream repositories one repository may have.
MAX_UPSTREAMS = 10
#: Repositories CodeArtifact looks in for one request, the requested one included.
MAX_SEARCHED = 25
#: Repositories one domain may hold (a quota).
MAX_REPOSITORIES = 1000


@dataclass(frozen=True, slots=True, kw_only=False)
class Repository:
    """A repository: its name, its upstreams in priority order, and at most one
    external connection (``public:npmjs``, ``public:pypi``, ...).

    Raises :class:`~awscore.errors.CodeArtifactInputError` listing every problem:
    a bad name, more than 10 upstreams, an upstream listed twice, an unsupported
    external connection, or upstreams together with an external connection.
    """

    name: str
    upstreams: tuple[str, ...] = ()
    external_connection: str | None = None

    def __post_init__(self) -> None:
        problems = repository_name_problems(self.name)
        upstreams: object = self.upstreams
        if isinstance(upstreams, str) or not isinstance(upstreams, Iterable):
            problems.append(
                f"upstreams {shown(upstreams)} are not a list of repository names"
            )
            upstreams = ()
        # Read one past the quota, no more: a generator may not end.
        upstreams = tuple(itertools.islice(upstreams, MAX_UPSTREAMS + 1))
        object.__setattr__(self, "upstreams", upstreams)
        where = f"repository {shown(self.name)}"
        for i, upstream in enumerate(upstreams):
            problems.extend(
                repository_name_problems(upstream, f"{where}: upstream {i + 1}")
            )
        if len(upstreams) > MAX_UPSTREAMS:
            problems.append(
                f"{where} has more than {MAX_UPSTREAMS} upstreams: at most "
                f"{MAX_UPSTREAMS} "
                "direct upstream repositories are allowed"
            )
        seen: set[object] = set()
        for upstream in upstreams:
            if isinstance(upstream, str):
                if upstream in seen:
                    problems.append(f"{where} lists upstream {shown(upstream)} twice")
                seen.add(upstream)
        if self.external_connection is not None:
            problems.extend(
                external_connection_problems(
                    self.external_connection, f"{where}: external connection"
                )
            )
            if upstreams:
                problems.append(
                    f"{where} has upstreams and an external connection: a repository "
                    "can have upstream repositories or an external connection, not both"
                )
        if problems:
            raise CodeArtifactInputError(problems)


class OriginMode(StrEnum):
    """A package origin control's setting."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginControls:
    """A package's origin controls in one repository (``PackageOriginRestrictions``).

    ``publish``: may new versions be published directly? ``upstream``: may new
    versions be retained from upstream repositories or ingested from an
    external connection?
    """

    publish: OriginMode
    upstream: OriginMode

    def __post_init__(self) -> None:
        problems = []
        for label in ("publish", "upstream"):
            value = getattr(self, label)
            try:
                # only text is looked up: Enum would repr a hostile value
                mode = OriginMode(value if isinstance(value, str) else "")
                object.__setattr__(self, label, mode)
            except ValueError:
                problems.append(
                    f"origin control {label}={shown(value)} is not ALLOW or BLOCK"
                )
        if problems:
            raise CodeArtifactInputError(problems)


#: The controls a package gets when its first version is published directly.
PUBLISHED_DEFAULTS = OriginControls(publish=OriginMode.ALLOW, upstream=OriginMode.BLOCK)
#: The controls a package gets when its first version comes from an upstream or
#: an external connection.
INGESTED_DEFAULTS = OriginControls(publish=OriginMode.BLOCK, upstream=OriginMode.ALLOW)


class VersionOrigin(StrEnum):
    """How a version got into a repository."""

    PUBLISHED = "published"
    UPSTREAM = "upstream"
    EXTERNAL = "external"


class Outcome(StrEnum):
    """What one step of a search found."""

    #: the repository holds the version: it serves it
    HIT = "hit"
    #: the repository does not hold it; the search goes on to its upstreams
    MISS = "miss"
    #: the repository does not hold it, and a control stops the search going past it
    BLOCKED = "blocked"
    #: the repository's external connection had it: ingested and served
    EXTERNAL_HIT = "external-hit"
    #: the repository's external connection does not have it
    EXTERNAL_MISS = "external-miss"
    #: a package group forbids ingesting it through this external connection
    EXTERNAL_BLOCKED = "external-blocked"
    #: reached again through another path (a cycle or a diamond): not searched again
    ALREADY_SEARCHED = "already-searched"
    #: 25 repositories were searched already: this one, and the rest, are not
    LIMIT_REACHED = "limit-reached"


#: Outcomes that count as searching a repository (toward the 25).
SEARCHED = frozenset({Outcome.HIT, Outcome.MISS, Outcome.BLOCKED})


class Control(StrEnum):
    """Which control blocked a search step."""

    PACKAGE_UPSTREAM = "package origin control upstream=BLOCK"
    GROUP_INTERNAL_UPSTREAM = "package group INTERNAL_UPSTREAM"
    GROUP_EXTERNAL_UPSTREAM = "package group EXTERNAL_UPSTREAM"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceEntry:
    """One step of a search: a repository (or its external connection) and what
    was found there.

    ``depth`` is 0 for the requested repository; ``parent`` the repository whose
    upstream list led here; ``blocked_by`` and ``group`` say which control blocked
    (``group`` is the pattern of the package group that set it).
    """

    repository: str
    outcome: Outcome
    depth: int
    parent: str | None = None
    external_connection: str | None = None
    blocked_by: Control | None = None
    group: str | None = None

    @property
    def searched(self) -> bool:
        """Whether this step searched its repository (a hit, a miss or a block:
        the steps that count toward the 25)."""
        return self.outcome in SEARCHED

    def describe(self) -> str:
        """One line for people: ``npm-store: external-hit (public:npmjs)``,
        ``team-repo: blocked by package origin control upstream=BLOCK``."""
        text = f"{self.repository}: {self.outcome}"
        if self.external_connection:
            text += f" ({self.external_connection})"
        if self.blocked_by:
            text += f" by {self.blocked_by}"
            if self.group:
                text += f" of group {self.group}"
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """The answer to one package-version request.

    ``served_by`` is the repository whose storage held the version, or the one
    whose ``external_connection`` ingested it (None when nothing served it);
    ``path`` runs from the requested repository to ``served_by``; ``retained_in``
    lists where the request copies it (the requested repository and, for an
    external connection, the repository holding it; never those between).
    """

    repository: str
    package: PackageId
    version: str
    served_by: str | None
    external_connection: str | None
    path: tuple[str, ...]
    retained_in: tuple[str, ...]
    trace: tuple[TraceEntry, ...]
    limit_reached: bool

    @property
    def found(self) -> bool:
        """Whether some repository or external connection served the version."""
        return self.served_by is not None

    @property
    def searched(self) -> tuple[str, ...]:
        """The repositories searched, in search order (at most 25)."""
        return tuple(e.repository for e in self.trace if e.searched)

    @property
    def blocked(self) -> tuple[TraceEntry, ...]:
        """The steps where a control stopped the search."""
        return tuple(
            e
            for e in self.trace
            if e.outcome in (Outcome.BLOCKED, Outcome.EXTERNAL_BLOCKED)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageMetadata:
    """What a package manager sees of a package through one repository.

    ``versions`` (sorted, see :func:`version_sort_key`) is the union over the
    repository and what its upstreams and external connections let through;
    ``dist_tags`` are npm's, merged with the upstream's tag winning;
    ``sources`` names, for each version, the repository (or ``repo via
    connection``) it would be served from.
    """

    repository: str
    package: PackageId
    versions: tuple[str, ...]
    dist_tags: Mapping[str, str]
    sources: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """A dependency-confusion exposure: requesting a version of ``package`` through
    ``repository`` that exists only in a public registry would ingest and serve
    it, through ``path`` and ``external_connection``."""

    repository: str
    package: PackageId
    external_connection: str
    path: tuple[str, ...]


def version_sort_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """A display order: numbers compare as numbers, the rest as text.

    Not a semantic-version precedence (no format's rules are modelled):
    ``1.10.0`` sorts after ``1.9.0`` and ``1.0.0`` before ``1.0.0-beta``. A run of
    digits is keyed by its length without leading zeros, then its digits, which
    orders numbers of any length without converting them (a 5,000-digit run has
    no ``int``). Raises :class:`~awscore.errors.CodeArtifactInputError` for a
    version that is not a string.
    """
    if not isinstance(version, str):
        raise CodeArtifactInputError([f"version {shown(version)} is not a string"])
    parts: list[tuple[int, int, str]] = []
    for run in _RUNS.findall(version):
        if run[0] in _ASCII_DIGITS:
            number = run.lstrip("0") or "0"
            parts.append((0, len(number), number))
        else:
            parts.append((1, 0, run))
    return tuple(parts)


_ASCII_DIGITS = frozenset("0123456789")
#: Runs of ASCII digits and runs of anything else.
_RUNS = re.compile(r"[0-9]+|[^0-9]+")


@dataclass(slots=True, kw_only=True)
class _Package:
    """A package's state in one repository (mutable, private)."""

    id: PackageId
    controls: OriginControls
    versions: dict[str, VersionOrigin] = field(default_factory=dict)
    dist_tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class _PublicPackage:
    """A package in a public registry (mutable, private)."""

    id: PackageId
    versions: set[str] = field(default_factory=set)
    dist_tags: dict[str, str] = field(default_factory=dict)


class _Step(Enum):
    STOP = "stop"
    PRUNE = "prune"
    DESCEND = "descend"


_Key = tuple[PackageFormat, str, str]


@dataclass(slots=True)
class _Found:
    served_by: str | None = None
    external_connection: str | None = None
    path: tuple[str, ...] = ()


class Domain:
    """A CodeArtifact domain: repositories, their packages, public registries
    behind external connections, origin controls and package groups.

    A model with state: :meth:`publish` and :meth:`resolve` (which retains what
    it serves) change it, like the service. Every method validates everything
    before it changes anything, so a call that raises leaves the domain as it was.

    >>> d = Domain("my-domain")
    >>> for name, ups in [("repo-C", ()), ("repo-B", ()), ("repo-A", ("repo-C",)),
    ...                   ("my_repo", ("repo-A", "repo-B"))]:
    ...     d.add_repository(Repository(name, ups))
    >>> d.search_order("my_repo")
    ('my_repo', 'repo-A', 'repo-C', 'repo-B')
    """

    def __init__(self, name: str = "my-domain") -> None:
        problems = domain_name_problems(name)
        if problems:
            raise CodeArtifactInputError(problems)
        self.name = name
        self._repositories: dict[str, Repository] = {}
        self._packages: dict[str, dict[_Key, _Package]] = {}
        self._public: dict[str, dict[_Key, _PublicPackage]] = {}
        self._groups: dict[str, tuple[GroupPattern, PackageGroup]] = {
            ROOT_PATTERN: (GroupPattern.parse(ROOT_PATTERN), root_group())
        }

    def __repr__(self) -> str:
        return f"Domain({shown(self.name)}, repositories={len(self._repositories)})"

    # --- repositories ------------------------------------------------------

    @property
    def repositories(self) -> tuple[Repository, ...]:
        """Every repository, in the order they were added."""
        return tuple(self._repositories.values())

    def repository(self, name: str) -> Repository:
        """The repository called ``name``; :class:`RepositoryNotFoundError` if none."""
        self._require(name)
        return self._repositories[name]

    def _require(self, name: object, where: str = "repository") -> str:
        if not isinstance(name, str) or name not in self._repositories:
            problems = repository_name_problems(name, where)
            if problems:
                raise CodeArtifactInputError(problems)
            raise RepositoryNotFoundError(
                [f"{where} {shown(name)} does not exist in domain {shown(self.name)}"]
            )
        return name

    def add_repository(self, repository: Repository) -> None:
        """Create a repository (``CreateRepository``).

        Its upstreams must exist already, as CodeArtifact requires; cycles can
        only be made later, with :meth:`set_upstreams` or :meth:`add_upstream`.
        """
        if not isinstance(repository, Repository):
            raise CodeArtifactInputError([f"{shown(repository)} is not a Repository"])
        if repository.name in self._repositories:
            raise CodeArtifactInputError(
                [
                    f"repository {shown(repository.name)} already exists in domain "
                    f"{shown(self.name)}"
                ]
            )
        if len(self._repositories) >= MAX_REPOSITORIES:
            raise CodeArtifactLimitError(
                [
                    f"domain {shown(self.name)} has {MAX_REPOSITORIES} repositories "
                    "already: the quota is 1,000 per domain"
                ]
            )
        self._require_upstreams(repository)
        self._repositories[repository.name] = repository
        self._packages[repository.name] = {}

    def set_upstreams(self, name: str, upstreams: Iterable[str]) -> None:
        """Replace a repository's upstream list (``UpdateRepository``).

        Cycles are accepted (a request searches each repository at most once).
        """
        old = self.repository(name)
        new = Repository(
            name, _as_tuple(upstreams, "upstreams"), old.external_connection
        )
        self._require_upstreams(new)
        self._repositories[name] = new

    def _require_upstreams(self, repository: Repository) -> None:
        missing = [u for u in repository.upstreams if u not in self._repositories]
        if missing:
            raise RepositoryNotFoundError(
                [
                    f"repository {shown(repository.name)}: upstream {shown(u)} does "
                    "not exist in "
                    f"domain {shown(self.name)}"
                    for u in missing
                ]
            )

    def add_upstream(self, name: str, upstream: str) -> None:
        """Append ``upstream`` to the end (lowest priority) of a repository's list."""
        old = self.repository(name)
        if len(old.upstreams) >= MAX_UPSTREAMS:
            raise CodeArtifactLimitError(
                [
                    f"repository {shown(name)} has {MAX_UPSTREAMS} upstreams already: "
                    f"at most {MAX_UPSTREAMS} direct upstream repositories are allowed"
                ]
            )
        self.set_upstreams(name, (*old.upstreams, upstream))

    def associate_external_connection(self, name: str, connection: str) -> None:
        """Give a repository its external connection (AssociateExternalConnection)."""
        old = self.repository(name)
        if old.external_connection is not None:
            raise CodeArtifactLimitError(
                [
                    f"repository {shown(name)} already has external connection "
                    f"{shown(old.external_connection)}: one external connection is "
                    "allowed "
                    "per repository"
                ]
            )
        self._repositories[name] = Repository(name, old.upstreams, connection)

    def search_order(self, repository: str) -> tuple[str, ...]:
        """The repositories a request to ``repository`` looks in, in order, when
        nothing is found and nothing is blocked: the repository, then each
        upstream expanded fully before the next (depth-first pre-order), each
        repository once, at most 25."""
        self._require(repository)
        order: list[str] = []

        def visit(name: str, depth: int, path: tuple[str, ...]) -> _Step:
            order.append(name)
            return _Step.DESCEND

        self._walk(repository, visit, [])
        return tuple(order)

    def _walk(
        self,
        root: str,
        visit: Callable[[str, int, tuple[str, ...]], _Step],
        trace: list[TraceEntry],
    ) -> bool:
        """Depth-first pre-order from ``root``; True if the 25 limit stopped it."""
        visited: set[str] = set()
        stopped = False
        limited = False

        def go(name: str, depth: int, path: tuple[str, ...]) -> None:
            nonlocal stopped, limited
            parent = path[-1] if path else None
            if name in visited:
                trace.append(
                    TraceEntry(
                        repository=name,
                        outcome=Outcome.ALREADY_SEARCHED,
                        depth=depth,
                        parent=parent,
                    )
                )
                return
            if len(visited) >= MAX_SEARCHED:
                trace.append(
                    TraceEntry(
                        repository=name,
                        outcome=Outcome.LIMIT_REACHED,
                        depth=depth,
                        parent=parent,
                    )
                )
                stopped = limited = True
                return
            visited.add(name)
            here = (*path, name)
            step = visit(name, depth, here)
            if step is _Step.STOP:
                stopped = True
                return
            if step is _Step.PRUNE:
                return
            for upstream in self._repositories[name].upstreams:
                go(upstream, depth + 1, here)
                if stopped:
                    return

        go(root, 0, ())
        return limited

    # --- packages ----------------------------------------------------------

    def _record(
        self, repository: str, package_format: object, package: object
    ) -> tuple[PackageId, _Package | None]:
        """The package, parsed, and its record in ``repository`` (None if none);
        the repository must exist."""
        self._require(repository)
        pid = PackageId.parse(package_format, package)
        return pid, self._packages[repository].get(pid.key)

    @staticmethod
    def _public_id(connection: str, package: object) -> PackageId:
        """The package, parsed in the format of the public registry ``connection``."""
        problems = external_connection_problems(connection)
        if problems:
            raise CodeArtifactInputError(problems)
        return PackageId.parse(EXTERNAL_CONNECTIONS[connection], package)

    def versions_in(
        self, repository: str, format: str, package: str
    ) -> tuple[str, ...]:
        """The versions ``repository`` itself holds (``ListPackageVersions``:
        upstreams are not consulted), sorted."""
        _, record = self._record(repository, format, package)
        return tuple(sorted(record.versions, key=version_sort_key)) if record else ()

    def version_origin(
        self, repository: str, format: str, package: str, version: str
    ) -> VersionOrigin | None:
        """How ``version`` got into ``repository``, or None if it is not there."""
        _, record = self._record(repository, format, package)
        problems = version_problems(version)
        if problems:
            raise CodeArtifactInputError(problems)
        return record.versions.get(version) if record else None

    def add_public_version(
        self,
        connection: str,
        package: str,
        version: str,
        *,
        dist_tags: Iterable[str] = (),
    ) -> None:
        """Make a public registry (``public:npmjs``, ...) hold a version.

        The registry's format is the connection's; ``dist_tags`` (npm) point at
        this version.
        """
        pid = self._public_id(connection, package)
        problems = version_problems(version)
        tags = self._tags(pid, dist_tags, problems)
        if problems:
            raise CodeArtifactInputError(problems)
        registry = self._public.setdefault(connection, {})
        record = registry.setdefault(pid.key, _PublicPackage(id=pid))
        record.versions.add(version)
        record.dist_tags.update((tag, version) for tag in tags)

    @staticmethod
    def _tags(pid: PackageId, tags: Iterable[str], problems: list[str]) -> list[str]:
        if isinstance(tags, str):
            tags = (tags,)
        tags = list(_as_tuple(tags, "dist-tags"))
        if tags and pid.format is not PackageFormat.NPM:
            problems.append(f"dist-tags are npm's: {pid.format} packages have none")
        for tag in tags:
            problems.extend(version_problems(tag, "dist-tag"))
        return tags

    def public_versions(self, connection: str, package: str) -> tuple[str, ...]:
        """The versions a public registry holds of ``package``, sorted."""
        pid = self._public_id(connection, package)
        record = self._public.get(connection, {}).get(pid.key)
        return tuple(sorted(record.versions, key=version_sort_key)) if record else ()

    def publish(
        self,
        repository: str,
        format: str,
        package: str,
        version: str,
        *,
        dist_tags: Iterable[str] = (),
    ) -> None:
        """Publish a version directly into ``repository``.

        Raises :class:`~awscore.errors.OriginBlockedError` when the package's
        ``publish`` control is BLOCK or its package group's PUBLISH restriction
        does not let the repository in; :class:`~awscore.errors.PackageConflictError`
        when the version is there already, or when the package's ``upstream``
        control is ALLOW and the version can be fetched through the repository's
        upstreams or external connection. The package's first version sets its
        controls to publish ALLOW, upstream BLOCK.
        """
        pid, record = self._record(repository, format, package)
        problems = version_problems(version)
        tags = self._tags(pid, dist_tags, problems)
        if problems:
            raise CodeArtifactInputError(problems)
        if record is not None and version in record.versions:
            raise PackageConflictError(
                f"{pid.format} package {str(pid)!r} version {shown(version)} already "
                "exists "
                f"in repository {shown(repository)}: a version can be published once"
            )
        if record is not None and record.controls.publish is OriginMode.BLOCK:
            raise OriginBlockedError(
                f"publishing {pid.format} package {str(pid)!r} to {shown(repository)} "
                "is "
                "blocked by its origin control publish=BLOCK"
            )
        group = self.effective_restriction(
            pid.format, str(pid), RestrictionType.PUBLISH
        )
        if not group.allows(repository):
            raise OriginBlockedError(
                f"publishing {pid.format} package {str(pid)!r} to {shown(repository)} "
                "is "
                f"blocked by the PUBLISH restriction ({group.restriction.mode}) of "
                f"package group {group.group}"
            )
        if record is None or record.controls.upstream is OriginMode.ALLOW:
            reach = self._resolve(repository, pid, version)
            if reach.found:
                where = reach.served_by
                if reach.external_connection:
                    where = f"{where} via {reach.external_connection}"
                raise PackageConflictError(
                    f"{pid.format} package {str(pid)!r} version {shown(version)} is "
                    f"available upstream of {shown(repository)} (from {where}) while "
                    "its "
                    "origin control upstream is ALLOW: publishing it would conflict"
                )
        if record is None:
            record = _Package(id=pid, controls=PUBLISHED_DEFAULTS)
            self._packages[repository][pid.key] = record
        record.versions[version] = VersionOrigin.PUBLISHED
        record.dist_tags.update((tag, version) for tag in tags)

    # --- origin controls and package groups --------------------------------

    def origin_controls(
        self, repository: str, format: str, package: str
    ) -> OriginControls | None:
        """A package's origin controls in ``repository``; None when the repository
        has no record of the package (then nothing restricts it)."""
        _, record = self._record(repository, format, package)
        return record.controls if record else None

    def set_origin_controls(
        self,
        repository: str,
        format: str,
        package: str,
        *,
        publish: OriginMode | str | None = None,
        upstream: OriginMode | str | None = None,
    ) -> OriginControls:
        """Set a package's origin controls (``PutPackageOriginConfiguration``).

        A control left None keeps its value (ALLOW for a package the repository
        has no record of; the call creates the record, with no versions).
        Returns the controls now in force.
        """
        pid, record = self._record(repository, format, package)
        current = (
            record.controls
            if record
            else OriginControls(publish=OriginMode.ALLOW, upstream=OriginMode.ALLOW)
        )
        controls = OriginControls(
            publish=current.publish if publish is None else OriginMode(_mode(publish)),
            upstream=current.upstream
            if upstream is None
            else OriginMode(_mode(upstream)),
        )
        if record is None:
            self._packages[repository][pid.key] = _Package(id=pid, controls=controls)
        else:
            record.controls = controls
        return controls

    @property
    def package_groups(self) -> tuple[PackageGroup, ...]:
        """Every package group, the root ``/*`` first, then by pattern."""
        groups = sorted(
            self._groups.values(), key=lambda g: (g[0].specificity, str(g[0]))
        )
        return tuple(group for _, group in groups)

    def set_package_group(
        self,
        pattern: str,
        *,
        publish: GroupRestriction | str = "INHERIT",
        external_upstream: GroupRestriction | str = "INHERIT",
        internal_upstream: GroupRestriction | str = "INHERIT",
    ) -> PackageGroup:
        """Create or replace the package group ``pattern`` with its restrictions.

        A restriction is a mode name (``ALLOW``, ``BLOCK``, ``INHERIT``) or a
        :class:`GroupRestriction` (for ``ALLOW_SPECIFIC_REPOSITORIES`` and its
        repositories, which must exist). The root group ``/*`` cannot INHERIT.
        """
        parsed = GroupPattern.parse(pattern)
        restrictions: dict[str, GroupRestriction] = {}
        problems: list[str] = []
        for label, value in (
            ("publish", publish),
            ("external_upstream", external_upstream),
            ("internal_upstream", internal_upstream),
        ):
            restriction = GroupRestriction.coerce(
                value, f"package group {pattern} {label}"
            )
            restrictions[label] = restriction
            problems.extend(
                f"package group {pattern} {label}: repository {shown(r)} does not "
                "exist in "
                f"domain {shown(self.name)}"
                for r in sorted(restriction.repositories)
                if r not in self._repositories
            )
            if (
                str(parsed) == ROOT_PATTERN
                and restriction.mode is RestrictionMode.INHERIT
            ):
                problems.append(
                    f"package group {ROOT_PATTERN} {label}: the root group has no "
                    "parent to inherit from"
                )
        if problems:
            raise CodeArtifactInputError(problems)
        group = PackageGroup(pattern=str(parsed), **restrictions)
        self._groups[str(parsed)] = (parsed, group)
        return group

    def delete_package_group(self, pattern: str) -> None:
        """Delete a package group (not the root); its packages fall to its parent."""
        parsed = GroupPattern.parse(pattern)
        if str(parsed) == ROOT_PATTERN:
            raise CodeArtifactInputError(
                ["the root package group /* cannot be deleted"]
            )
        if str(parsed) not in self._groups:
            raise CodeArtifactInputError([f"package group {pattern} does not exist"])
        del self._groups[str(parsed)]

    def package_group(self, format: str, package: str) -> PackageGroup:
        """The group a package belongs to: the most specific matching pattern."""
        pid = PackageId.parse(format, package)
        return self._group_of(pid)[1]

    def _group_of(self, pid: PackageId) -> tuple[GroupPattern, PackageGroup]:
        return max(
            (g for g in self._groups.values() if g[0].matches(pid)),
            key=lambda g: g[0].specificity,
        )

    def parent_group(self, pattern: str) -> PackageGroup | None:
        """The group a group inherits from: the most specific other group whose
        pattern covers every package this one does (None for ``/*``)."""
        parsed = GroupPattern.parse(pattern)
        if str(parsed) not in self._groups:
            raise CodeArtifactInputError([f"package group {pattern} does not exist"])
        parent = self._parent_of(parsed)
        return parent[1] if parent else None

    def _parent_of(
        self, parsed: GroupPattern
    ) -> tuple[GroupPattern, PackageGroup] | None:
        ancestors = [g for g in self._groups.values() if g[0].contains(parsed)]
        if not ancestors:
            return None
        return max(ancestors, key=lambda g: g[0].specificity)

    def effective_restriction(
        self, format: str, package: str, kind: RestrictionType | str
    ) -> EffectiveRestriction:
        """A package's group restriction of ``kind``, INHERIT followed up the
        hierarchy to the nearest group that sets it."""
        pid = PackageId.parse(format, package)
        try:
            kind = RestrictionType(kind if isinstance(kind, str) else "")
        except ValueError:
            accepted = ", ".join(k.value for k in RestrictionType)
            raise CodeArtifactInputError(
                [f"restriction {shown(kind)} is not one of {accepted}"]
            ) from None
        return self._effective(pid, kind)

    def _effective(self, pid: PackageId, kind: RestrictionType) -> EffectiveRestriction:
        node: tuple[GroupPattern, PackageGroup] | None = self._group_of(pid)
        while node is not None:
            restriction = node[1].restriction(kind)
            if restriction.mode is not RestrictionMode.INHERIT:
                return EffectiveRestriction(restriction=restriction, group=str(node[0]))
            node = self._parent_of(node[0])
        raise AssertionError("the root group never inherits")  # pragma: no cover

    # --- resolution --------------------------------------------------------

    def resolve(
        self,
        repository: str,
        format: str,
        package: str,
        version: str,
        *,
        retain: bool = True,
    ) -> Resolution:
        """Request one version through ``repository``, as a package manager does.

        Searches the repository, then its upstreams depth-first in priority
        order (each repository once, at most 25), consulting the external
        connection of each repository searched, and stops at the first hit.
        Origin controls and package groups can block the search past a
        repository (see the docs for the rules). With ``retain`` (the default,
        as the service does) a version served from elsewhere is copied into the
        requested repository and, from an external connection, into the
        repository holding it.
        """
        self._require(repository)
        pid = PackageId.parse(format, package)
        problems = version_problems(version)
        if problems:
            raise CodeArtifactInputError(problems)
        resolution = self._resolve(repository, pid, version)
        if retain:
            for name in resolution.retained_in:
                origin = (
                    VersionOrigin.EXTERNAL
                    if resolution.external_connection and name == resolution.served_by
                    else VersionOrigin.UPSTREAM
                )
                record = self._packages[name].get(pid.key)
                if record is None:
                    record = _Package(id=pid, controls=INGESTED_DEFAULTS)
                    self._packages[name][pid.key] = record
                record.versions.setdefault(version, origin)
        return resolution

    def _gate(
        self,
        root: str,
        name: str,
        depth: int,
        pid: PackageId,
        record: _Package | None,
    ) -> tuple[Control, str | None] | None:
        """The control that stops the search going past ``name``, if any
        (``record`` is the package's record in ``name``)."""
        repo = self._repositories[name]
        if not repo.upstreams and repo.external_connection is None:
            return None
        if record is not None and record.controls.upstream is OriginMode.BLOCK:
            return (Control.PACKAGE_UPSTREAM, None)
        if depth == 0 and repo.upstreams:
            internal = self._effective(pid, RestrictionType.INTERNAL_UPSTREAM)
            if not internal.allows(root):
                return (Control.GROUP_INTERNAL_UPSTREAM, internal.group)
        return None

    def _external(
        self, name: str, pid: PackageId
    ) -> tuple[str, EffectiveRestriction] | None:
        connection = self._repositories[name].external_connection
        if connection is None or EXTERNAL_CONNECTIONS[connection] is not pid.format:
            return None
        return connection, self._effective(pid, RestrictionType.EXTERNAL_UPSTREAM)

    def _resolve(self, root: str, pid: PackageId, version: str | None) -> Resolution:
        """The search without side effects; ``version`` None probes for exposure
        (every external connection reached counts as holding the version)."""
        trace: list[TraceEntry] = []
        found = _Found()
        key = pid.key

        def visit(name: str, depth: int, path: tuple[str, ...]) -> _Step:
            parent = path[-2] if len(path) > 1 else None
            record = self._packages[name].get(key)
            if (
                version is not None
                and record is not None
                and version in record.versions
            ):
                trace.append(
                    TraceEntry(
                        repository=name, outcome=Outcome.HIT, depth=depth, parent=parent
                    )
                )
                found.served_by, found.path = name, path
                return _Step.STOP
            gate = self._gate(root, name, depth, pid, record)
            if gate is not None:
                trace.append(
                    TraceEntry(
                        repository=name,
                        outcome=Outcome.BLOCKED,
                        depth=depth,
                        parent=parent,
                        blocked_by=gate[0],
                        group=gate[1],
                    )
                )
                return _Step.PRUNE
            trace.append(
                TraceEntry(
                    repository=name, outcome=Outcome.MISS, depth=depth, parent=parent
                )
            )
            external = self._external(name, pid)
            if external is not None:
                connection, group = external
                public = self._public.get(connection, {}).get(key)
                if not group.allows(name):
                    outcome, control, pattern = (
                        Outcome.EXTERNAL_BLOCKED,
                        Control.GROUP_EXTERNAL_UPSTREAM,
                        group.group,
                    )
                elif version is None or (
                    public is not None and version in public.versions
                ):
                    outcome, control, pattern = Outcome.EXTERNAL_HIT, None, None
                else:
                    outcome, control, pattern = Outcome.EXTERNAL_MISS, None, None
                trace.append(
                    TraceEntry(
                        repository=name,
                        outcome=outcome,
                        depth=depth,
                        parent=parent,
                        external_connection=connection,
                        blocked_by=control,
                        group=pattern,
                    )
                )
                if outcome is Outcome.EXTERNAL_HIT:
                    found.served_by, found.path = name, path
                    found.external_connection = connection
                    return _Step.STOP
            return _Step.DESCEND

        limited = self._walk(root, visit, trace)
        retained: tuple[str, ...] = ()
        if found.external_connection is not None:
            retained = (root,) if found.served_by == root else (root, found.path[-1])
        elif found.served_by is not None and found.served_by != root:
            retained = (root,)
        return Resolution(
            repository=root,
            package=pid,
            version=version or "",
            served_by=found.served_by,
            external_connection=found.external_connection,
            path=found.path,
            retained_in=retained,
            trace=tuple(trace),
            limit_reached=limited,
        )

    def list_versions(
        self, repository: str, format: str, package: str
    ) -> tuple[str, ...]:
        """The versions a package manager sees through ``repository``: its own and
        those its upstreams and external connections let through, sorted."""
        return self.package_metadata(repository, format, package).versions

    def package_metadata(
        self, repository: str, format: str, package: str
    ) -> PackageMetadata:
        """Versions, npm dist-tags and sources seen through ``repository``.

        The same walk as :meth:`resolve` (same order, limit and controls) without
        stopping at a hit: a repository lists what it holds; a blocked step
        contributes its own versions but nothing past it. Dist-tags merge with
        the upstream's tag winning over the downstream's, and among upstreams
        the higher-priority one winning. Nothing is retained.
        """
        self._require(repository)
        pid = PackageId.parse(format, package)
        own: dict[str, dict[str, str]] = {}
        tags: dict[str, dict[str, str]] = {}
        children: dict[str, list[str]] = {}
        order: list[str] = []
        sources: dict[str, str] = {}

        def visit(name: str, depth: int, path: tuple[str, ...]) -> _Step:
            order.append(name)
            children.setdefault(name, [])
            if len(path) > 1:
                children[path[-2]].append(name)
            record = self._packages[name].get(pid.key)
            own[name] = dict(record.dist_tags) if record else {}
            for v in record.versions if record else ():
                sources.setdefault(v, name)
            if self._gate(repository, name, depth, pid, record) is not None:
                return _Step.PRUNE
            external = self._external(name, pid)
            if external is not None and external[1].allows(name):
                public = self._public.get(external[0], {}).get(pid.key)
                if public is not None:
                    node = f"{name} via {external[0]}"
                    children[name].append(node)
                    children[node] = []
                    order.append(node)
                    own[node] = dict(public.dist_tags)
                    for v in public.versions:
                        sources.setdefault(v, node)
            return _Step.DESCEND

        self._walk(repository, visit, [])
        for node in reversed(order):
            merged = dict(own[node])
            upstream: dict[str, str] = {}
            for child in reversed(children[node]):
                upstream.update(tags[child])
            merged.update(upstream)
            tags[node] = merged
        versions = tuple(sorted(sources, key=version_sort_key))
        dist_tags = {t: v for t, v in sorted(tags[repository].items()) if v in sources}
        return PackageMetadata(
            repository=repository,
            package=pid,
            versions=versions,
            dist_tags=dist_tags,
            sources=dict(
                sorted(sources.items(), key=lambda kv: version_sort_key(kv[0]))
            ),
        )

    def set_dist_tag(
        self, repository: str, package: str, tag: str, version: str
    ) -> None:
        """Point an npm dist-tag of ``package`` in ``repository`` at a version the
        repository holds."""
        pid, record = self._record(repository, PackageFormat.NPM, package)
        problems = version_problems(tag, "dist-tag") + version_problems(version)
        if problems:
            raise CodeArtifactInputError(problems)
        if record is None or version not in record.versions:
            raise CodeArtifactInputError(
                [
                    f"npm package {str(pid)!r} version {shown(version)} is not in "
                    f"repository {shown(repository)}: a dist-tag must point at a "
                    "version "
                    "it holds"
                ]
            )
        record.dist_tags[tag] = version

    # --- dependency confusion ---------------------------------------------

    def exposure(self, repository: str, format: str, package: str) -> Exposure | None:
        """Whether a version of ``package`` that exists only in a public registry
        would be ingested and served through ``repository`` (None: it would not)."""
        self._require(repository)
        pid = PackageId.parse(format, package)
        return self._exposure(repository, pid)

    def _exposure(self, repository: str, pid: PackageId) -> Exposure | None:
        probe = self._resolve(repository, pid, None)
        if probe.external_connection is None:
            return None
        return Exposure(
            repository=repository,
            package=pid,
            external_connection=probe.external_connection,
            path=probe.path,
        )

    def _published(self) -> dict[_Key, tuple[PackageId, set[str]]]:
        """Each package with a version published directly into some repository:
        its id (as first met) and the repositories holding such a version."""
        found: dict[_Key, tuple[PackageId, set[str]]] = {}
        for name, packages in self._packages.items():
            for key, record in packages.items():
                if VersionOrigin.PUBLISHED in record.versions.values():
                    found.setdefault(key, (record.id, set()))[1].add(name)
        return found

    def internal_packages(self) -> tuple[PackageId, ...]:
        """Packages with a version published directly into some repository."""
        found = self._published()
        return tuple(found[k][0] for k in sorted(found))

    def exposures(self) -> tuple[Exposure, ...]:
        """Every exposure of an internal package (see :meth:`internal_packages`)
        through a repository whose search reaches a repository holding a
        published version of it: there a consumer expects the internal package,
        and a higher public version would be served instead."""
        published = self._published()
        # The search order does not depend on the package: one walk per repository.
        reach = {name: set(self.search_order(name)) for name in self._repositories}
        result = []
        for key in sorted(published):
            pid, holders = published[key]
            for name, reached in reach.items():
                if holders.isdisjoint(reached):
                    continue
                exposure = self._exposure(name, pid)
                if exposure is not None:
                    result.append(exposure)
        return tuple(result)


def _as_tuple(values: Iterable[str], what: str) -> tuple[str, ...]:
    try:
        return tuple(values)
    except TypeError:
        raise CodeArtifactInputError(
            [f"{what} {shown(values)} are not a list"]
        ) from None


def _mode(value: object) -> str:
    if isinstance(value, str) and value in ("ALLOW", "BLOCK"):
        return value
    raise CodeArtifactInputError(
        [f"origin control {shown(value)} is not ALLOW or BLOCK"]
    )
