"""Package groups: patterns, the most specific match, and inherited restrictions.

Source: CodeArtifact User Guide, "Package group definition syntax and matching
behavior" and "Package group origin controls"; API Reference,
``PackageGroupOriginRestriction`` (``effectiveMode`` of ``INHERIT`` is the mode of
the first parent group that is not ``INHERIT``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import NoReturn

from awscore._inputs import shown
from awscore.codeartifact._names import (
    COMPONENT_PATTERN,
    NAMESPACE_REQUIRED,
    NO_NAMESPACE,
    PackageFormat,
    PackageId,
    normalize_name,
    normalize_namespace,
    repository_name_problems,
)
from awscore.errors import CodeArtifactInputError

ROOT_PATTERN = "/*"
# A domain's repository quota (MAX_REPOSITORIES): no restriction names more.
_MAX_ALLOWED = 1000


class RestrictionMode(StrEnum):
    """A package group restriction's mode (``PackageGroupOriginRestrictionMode``)."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"
    ALLOW_SPECIFIC_REPOSITORIES = "ALLOW_SPECIFIC_REPOSITORIES"
    INHERIT = "INHERIT"


class RestrictionType(StrEnum):
    """What a package group restriction governs."""

    #: publishing directly into a repository
    PUBLISH = "PUBLISH"
    #: ingesting from a public registry through an external connection
    EXTERNAL_UPSTREAM = "EXTERNAL_UPSTREAM"
    #: retaining a version found in an upstream repository of the domain
    INTERNAL_UPSTREAM = "INTERNAL_UPSTREAM"


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRestriction:
    """One restriction of a package group: a mode and, for
    ``ALLOW_SPECIFIC_REPOSITORIES``, the repositories allowed."""

    mode: RestrictionMode = RestrictionMode.INHERIT
    repositories: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        problems = []
        try:
            # only text is looked up: Enum would repr a hostile value
            mode = RestrictionMode(self.mode if isinstance(self.mode, str) else "")
        except ValueError:
            accepted = ", ".join(m.value for m in RestrictionMode)
            raise CodeArtifactInputError(
                [f"restriction mode {shown(self.mode)} is not one of {accepted}"]
            ) from None
        object.__setattr__(self, "mode", mode)
        repositories: object = self.repositories
        if isinstance(repositories, str) or not isinstance(repositories, Iterable):
            raise CodeArtifactInputError(
                [f"allowed repositories {shown(repositories)} are not a list of names"]
            )
        listed = list(itertools.islice(repositories, _MAX_ALLOWED + 1))
        strays = [name for name in listed if not isinstance(name, str)]
        if strays or len(listed) > _MAX_ALLOWED:
            raise CodeArtifactInputError(
                [
                    f"allowed repositories must be at most {_MAX_ALLOWED} names, "
                    f"not {shown(strays[0] if strays else listed)}"
                ]
            )
        names = frozenset(listed)
        for name in sorted(names):
            problems.extend(repository_name_problems(name, "allowed repository"))
        if names and mode is not RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES:
            problems.append(
                f"a {mode} restriction takes no repositories (only "
                "ALLOW_SPECIFIC_REPOSITORIES does)"
            )
        if problems:
            raise CodeArtifactInputError(problems)
        object.__setattr__(self, "repositories", names)

    def allows(self, repository: str) -> bool:
        """Whether this (effective, non-INHERIT) restriction lets ``repository`` in."""
        if self.mode is RestrictionMode.ALLOW:
            return True
        if self.mode is RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES:
            return repository in self.repositories
        return False

    @classmethod
    def coerce(cls, value: object, where: str) -> GroupRestriction:
        """A restriction from itself, a mode name, or ``{mode, repositories}``."""
        label: object = where  # checked: callers may not be type-checked
        if not isinstance(label, str):
            where = f"restriction {shown(label)}"
        if isinstance(value, GroupRestriction):
            return value
        if isinstance(value, str):
            if value not in _MODES:
                _bad(value, where)
            return cls(mode=RestrictionMode(value))
        if isinstance(value, dict):
            unknown = set(value) - {"mode", "repositories"}
            if unknown:
                raise CodeArtifactInputError(
                    [
                        f"{where}: unknown keys {sorted(map(str, unknown))}; "
                        "accepted: mode, repositories"
                    ]
                )
            mode = value.get("mode", "INHERIT")
            if not isinstance(mode, str) or mode not in _MODES:
                _bad(mode, where)
            return cls(
                mode=RestrictionMode(mode),
                repositories=frozenset(_names(value.get("repositories", ()), where)),
            )
        raise CodeArtifactInputError(
            [
                f"{where} {shown(value)} is not a mode name or a "
                f"{{mode, repositories}} map"
            ]
        )


_MODES = frozenset(m.value for m in RestrictionMode)


def _bad(value: object, where: str) -> NoReturn:
    accepted = ", ".join(m.value for m in RestrictionMode)
    raise CodeArtifactInputError(
        [f"{where}: mode {shown(value)} is not one of {accepted}"]
    )


def _names(value: object, where: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise CodeArtifactInputError(
            [f"{where}: repositories {shown(value)} are not a list of names"]
        )
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        raise CodeArtifactInputError(
            [f"{where}: repository {shown(bad[0])} is not a name"]
        )
    return [str(v) for v in value]


class PatternKind(IntEnum):
    """The shapes a package group pattern can take, least specific first."""

    ALL = 0  # /*
    FORMAT = 1  # /npm/*
    NAMESPACE_PREFIX = 2  # /maven/com.anycompany~
    NAMESPACE = 3  # /npm/space/*
    NAME_PREFIX = 4  # /npm/space/anycompany-ui~
    EXACT = 5  # /maven/org.apache.logging.log4j/log4j-core$


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupPattern:
    """A parsed package group pattern.

    ``namespace`` is the namespace (or its prefix) and ``name`` the name (or its
    prefix); an empty namespace stands for packages without one.
    """

    kind: PatternKind
    format: PackageFormat | None = None
    namespace: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: object) -> GroupPattern:
        """Parse a pattern such as ``/npm/space/*``; raise on anything else."""
        if not isinstance(text, str):
            raise CodeArtifactInputError(
                [f"package group pattern {shown(text)} is not a string"]
            )
        shape = (
            "accepted shapes: /*, /format/*, /format/namespace-prefix~, "
            "/format/namespace/*, /format/namespace/name-prefix~, "
            "/format/namespace/name$"
        )
        if text == ROOT_PATTERN:
            return cls(kind=PatternKind.ALL)
        parts = text.split("/")
        if parts[0] != "" or len(parts) not in (3, 4):
            raise CodeArtifactInputError(
                [f"package group pattern {shown(text)}: {shape}"]
            )
        try:
            fmt = PackageFormat(parts[1])
        except ValueError:
            accepted = ", ".join(f.value for f in PackageFormat)
            raise CodeArtifactInputError(
                [
                    f"package group pattern {shown(text)}: format {shown(parts[1])} is "
                    "not one "
                    f"of {accepted}"
                ]
            ) from None
        shape_of = _shape(parts[2:])
        if shape_of is None:
            raise CodeArtifactInputError(
                [f"package group pattern {shown(text)}: {shape}"]
            )
        kind, namespace, name = shape_of
        problems: list[str] = []
        if namespace is not None:
            cls._check(fmt, namespace, name, text, problems)
            if fmt in NO_NAMESPACE and namespace:
                problems.append(
                    f"package group pattern {shown(text)}: {fmt} packages have no "
                    f"namespace (write /{fmt}//...)"
                )
            if fmt in NAMESPACE_REQUIRED and not namespace and name is not None:
                problems.append(
                    f"package group pattern {shown(text)}: {fmt} packages need a "
                    "namespace"
                )
        if problems:
            raise CodeArtifactInputError(problems)
        return cls(kind=kind, format=fmt, namespace=namespace, name=name)

    @staticmethod
    def _check(
        fmt: PackageFormat,
        namespace: str,
        name: str | None,
        text: str,
        problems: list[str],
    ) -> None:
        for label, value, normal in (
            ("namespace", namespace, normalize_namespace(fmt, namespace)),
            ("name", name, normalize_name(fmt, name) if name is not None else None),
        ):
            if value is None or (label == "namespace" and value == ""):
                continue
            if not COMPONENT_PATTERN.fullmatch(value) or any(c in value for c in "~$*"):
                problems.append(
                    f"package group pattern {shown(text)}: {label} {shown(value)} is "
                    "not "
                    "accepted: no '#', '/', whitespace, '~', '$' or '*'"
                )
            elif normal != value:
                problems.append(
                    f"package group pattern {shown(text)}: {fmt} {label}s are compared "
                    f"normalized; write {shown(normal)}"
                )

    def __str__(self) -> str:
        if self.kind is PatternKind.ALL:
            return ROOT_PATTERN
        if self.kind is PatternKind.FORMAT:
            return f"/{self.format}/*"
        if self.kind is PatternKind.NAMESPACE_PREFIX:
            return f"/{self.format}/{self.namespace}~"
        if self.kind is PatternKind.NAMESPACE:
            return f"/{self.format}/{self.namespace}/*"
        suffix = "~" if self.kind is PatternKind.NAME_PREFIX else "$"
        return f"/{self.format}/{self.namespace}/{self.name}{suffix}"

    @property
    def specificity(self) -> tuple[int, int]:
        """Orders patterns: a package belongs to the matching one that is greatest.

        Exact beats a name prefix, a longer prefix beats a shorter one, a name
        prefix beats a whole namespace, which beats a namespace prefix, which
        beats a whole format, which beats ``/*``.
        """
        length = 0
        if self.kind is PatternKind.NAMESPACE_PREFIX:
            length = len(self.namespace or "")
        elif self.kind is PatternKind.NAME_PREFIX:
            length = len(self.name or "")
        return (int(self.kind), length)

    def matches(self, package: PackageId) -> bool:
        """Whether ``package``'s normalized path matches this pattern."""
        if not isinstance(package, PackageId):
            raise CodeArtifactInputError(
                [f"package {shown(package)} is not a PackageId (PackageId.parse)"]
            )
        return self.kind is PatternKind.ALL or self._fits(*package.key)

    def contains(self, other: GroupPattern) -> bool:
        """Whether every package ``other`` matches is matched by this pattern too
        (this pattern is then an ancestor of ``other`` in the group hierarchy).

        A pattern can only contain patterns of its own kind or more specific
        kinds; their namespace and name are then prefixes (or values) that
        this pattern's components must cover.
        """
        if not isinstance(other, GroupPattern):
            raise CodeArtifactInputError(
                [f"pattern {shown(other)} is not a GroupPattern (GroupPattern.parse)"]
            )
        if self == other or self.kind is PatternKind.EXACT or other.kind < self.kind:
            return False
        if self.kind is PatternKind.ALL:
            return True
        assert other.format is not None
        return self._fits(other.format, other.namespace or "", other.name or "")

    def _fits(self, fmt: PackageFormat, namespace: str, name: str) -> bool:
        ok = fmt is self.format
        if self.kind is PatternKind.NAMESPACE_PREFIX:
            ok = ok and namespace.startswith(self.namespace or "")
        elif self.kind >= PatternKind.NAMESPACE:
            ok = ok and namespace == self.namespace
        if self.kind is PatternKind.NAME_PREFIX:
            ok = ok and name.startswith(self.name or "")
        elif self.kind is PatternKind.EXACT:
            ok = ok and name == self.name
        return ok


def _shape(rest: list[str]) -> tuple[PatternKind, str | None, str | None] | None:
    """The kind, namespace and name of a pattern from its parts after the format."""
    last = rest[-1]
    if len(rest) == 1:
        if last == "*":
            return (PatternKind.FORMAT, None, None)
        if len(last) > 1 and last.endswith("~"):
            return (PatternKind.NAMESPACE_PREFIX, last[:-1], None)
        return None
    kinds = {"~": PatternKind.NAME_PREFIX, "$": PatternKind.EXACT}
    if last == "*":
        return (PatternKind.NAMESPACE, rest[0], None)
    if len(last) > 1 and last[-1] in kinds:
        return (kinds[last[-1]], rest[0], last[:-1])
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageGroup:
    """A package group: its pattern and its three origin restrictions."""

    pattern: str
    publish: GroupRestriction = field(default_factory=GroupRestriction)
    external_upstream: GroupRestriction = field(default_factory=GroupRestriction)
    internal_upstream: GroupRestriction = field(default_factory=GroupRestriction)

    def restriction(self, kind: RestrictionType) -> GroupRestriction:
        """The restriction of the given type, as set (possibly INHERIT)."""
        if kind is RestrictionType.PUBLISH:
            return self.publish
        if kind is RestrictionType.EXTERNAL_UPSTREAM:
            return self.external_upstream
        return self.internal_upstream


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectiveRestriction:
    """A restriction after INHERIT is followed: its mode, its repositories, and
    the group it was set on."""

    restriction: GroupRestriction
    group: str

    def allows(self, repository: str) -> bool:
        """Whether ``repository`` is let in."""
        return self.restriction.allows(repository)


def root_group() -> PackageGroup:
    """The root group ``/*`` every domain has: everything allowed."""
    allow = GroupRestriction(mode=RestrictionMode.ALLOW)
    return PackageGroup(
        pattern=ROOT_PATTERN,
        publish=allow,
        external_upstream=allow,
        internal_upstream=allow,
    )
