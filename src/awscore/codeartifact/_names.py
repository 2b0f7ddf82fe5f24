"""Names: domains, repositories, formats, packages and versions, validated and compared.

Sources: the CodeArtifact API Reference (``CreateDomain``, ``CreateRepository``,
``PackageDescription``, ``PackageVersionSummary``, ``AssociateExternalConnection``)
for the patterns and the lists of formats and external connections; PEP 503 for
PyPI name normalization; the CodeArtifact User Guide ("Package name, package
version, and asset name normalization") for NuGet and Swift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from awscore._inputs import shown
from awscore.errors import CodeArtifactInputError

#: ``CreateDomain``'s domain-name pattern (2..50 characters).
DOMAIN_NAME_PATTERN = re.compile(r"[a-z][a-z0-9\-]{0,48}[a-z0-9]")
#: ``CreateRepository``'s repository-name pattern (2..100 characters).
REPOSITORY_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{1,99}")
#: The pattern of a package name, a namespace and a version (1..255 characters).
COMPONENT_PATTERN = re.compile(r"[^#/\s]{1,255}")


class PackageFormat(StrEnum):
    """A package format CodeArtifact stores (``PackageFormat`` in the API)."""

    NPM = "npm"
    PYPI = "pypi"
    MAVEN = "maven"
    NUGET = "nuget"
    GENERIC = "generic"
    RUBY = "ruby"
    SWIFT = "swift"
    CARGO = "cargo"


#: Formats whose packages have no namespace (``PackageDescription.namespace``).
NO_NAMESPACE = frozenset(
    {PackageFormat.PYPI, PackageFormat.NUGET, PackageFormat.RUBY, PackageFormat.CARGO}
)
#: Formats whose packages always have one (Maven groupId, generic, Swift scope).
NAMESPACE_REQUIRED = frozenset(
    {PackageFormat.MAVEN, PackageFormat.GENERIC, PackageFormat.SWIFT}
)

#: The external connections ``AssociateExternalConnection`` accepts, with the
#: format each one serves.
EXTERNAL_CONNECTIONS: dict[str, PackageFormat] = {
    "public:npmjs": PackageFormat.NPM,
    "public:pypi": PackageFormat.PYPI,
    "public:maven-central": PackageFormat.MAVEN,
    "public:maven-googleandroid": PackageFormat.MAVEN,
    "public:maven-gradleplugins": PackageFormat.MAVEN,
    "public:maven-commonsware": PackageFormat.MAVEN,
    "public:maven-clojars": PackageFormat.MAVEN,
    "public:nuget-org": PackageFormat.NUGET,
    "public:ruby-gems-org": PackageFormat.RUBY,
    "public:crates-io": PackageFormat.CARGO,
}

_PEP503_RUN = re.compile(r"[-_.]+")


def _short(value: object) -> str:
    return shown(value, 60)


def domain_name_problems(name: object, where: str = "domain name") -> list[str]:
    """Why ``name`` is not a valid domain name (empty if it is)."""
    if not isinstance(name, str) or not DOMAIN_NAME_PATTERN.fullmatch(name):
        return [
            f"{where} {_short(name)} is not accepted: 2-50 characters, lowercase "
            "letters, digits and '-', starting with a letter and not ending with '-'"
        ]
    return []


def repository_name_problems(name: object, where: str = "repository name") -> list[str]:
    """Why ``name`` is not a valid repository name (empty if it is)."""
    if not isinstance(name, str) or not REPOSITORY_NAME_PATTERN.fullmatch(name):
        return [
            f"{where} {_short(name)} is not accepted: 2-100 characters, letters, "
            "digits, '.', '_' and '-', starting with a letter or digit"
        ]
    return []


def parse_format(value: object, where: str = "format") -> PackageFormat:
    """``value`` as a :class:`PackageFormat`, or :class:`CodeArtifactInputError`."""
    try:
        return PackageFormat(str(value) if isinstance(value, str) else "")
    except ValueError:
        accepted = ", ".join(f.value for f in PackageFormat)
        raise CodeArtifactInputError(
            [f"{where} {_short(value)} is not a package format: one of {accepted}"]
        ) from None


def external_connection_problems(
    name: object, where: str = "external connection"
) -> list[str]:
    """Why ``name`` is not a supported external connection (empty if it is)."""
    if not isinstance(name, str) or name not in EXTERNAL_CONNECTIONS:
        return [
            f"{where} {_short(name)} is not supported: one of "
            + ", ".join(EXTERNAL_CONNECTIONS)
        ]
    return []


def version_problems(version: object, where: str = "version") -> list[str]:
    """Why ``version`` is not a valid package version string (empty if it is)."""
    if not isinstance(version, str) or not COMPONENT_PATTERN.fullmatch(version):
        return [
            f"{where} {_short(version)} is not accepted: 1-255 characters, no "
            "'#', '/' or whitespace"
        ]
    return []


def normalize_name(package_format: PackageFormat, name: str) -> str:
    """The form CodeArtifact compares a package name in.

    PyPI: PEP 503 (lowercase, each run of ``-``, ``_``, ``.`` becomes ``-``).
    NuGet and Swift: lowercase (CodeArtifact normalizes both). Cargo: lowercase
    with ``_`` and ``-`` equivalent, as crates.io compares crate names (CodeArtifact
    does not document Cargo normalization; awscore follows crates.io). npm, Maven,
    Ruby and generic names compare exactly.
    """
    if package_format is PackageFormat.PYPI:
        return _PEP503_RUN.sub("-", name).lower()
    if package_format in (PackageFormat.NUGET, PackageFormat.SWIFT):
        return name.lower()
    if package_format is PackageFormat.CARGO:
        return name.lower().replace("_", "-")
    return name


def normalize_namespace(package_format: PackageFormat, namespace: str) -> str:
    """The form CodeArtifact compares a namespace in (Swift's is lowercased)."""
    if package_format is PackageFormat.SWIFT:
        return namespace.lower()
    return namespace


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageId:
    """A package's coordinates: format, namespace (or None) and name, as written.

    Two ids name the same package when their :attr:`key` is equal: npm compares
    scope and name, Maven groupId and artifactId, PyPI PEP 503 names, NuGet and
    Swift lowercase names.
    """

    format: PackageFormat
    namespace: str | None
    name: str

    @classmethod
    def parse(cls, package_format: object, package: object) -> PackageId:
        """Parse a package as a package manager writes it.

        npm ``name`` or ``@scope/name``; Maven ``groupId:artifactId``; generic and
        Swift ``namespace/name``; PyPI, NuGet, Ruby and Cargo a bare name.
        Raises :class:`CodeArtifactInputError` naming every problem.
        """
        fmt = parse_format(package_format)
        if not isinstance(package, str):
            raise CodeArtifactInputError([f"package {_short(package)} is not a string"])
        namespace: str | None
        if fmt is PackageFormat.NPM and package.startswith("@"):
            namespace, slash, name = package[1:].partition("/")
            if not slash:
                raise CodeArtifactInputError(
                    [
                        f"npm package {_short(package)} has a scope but no name: "
                        "write @scope/name"
                    ]
                )
        elif fmt is PackageFormat.MAVEN:
            namespace, colon, name = package.partition(":")
            if not colon:
                raise CodeArtifactInputError(
                    [
                        f"maven package {_short(package)} needs a groupId: write "
                        "groupId:artifactId"
                    ]
                )
        elif fmt in (PackageFormat.GENERIC, PackageFormat.SWIFT):
            namespace, slash, name = package.partition("/")
            if not slash:
                raise CodeArtifactInputError(
                    [
                        f"{fmt} package {_short(package)} needs a namespace: write "
                        "namespace/name"
                    ]
                )
        else:
            namespace, name = None, package
        return cls.build(fmt, namespace, name)

    @classmethod
    def build(
        cls, package_format: object, namespace: str | None, name: object
    ) -> PackageId:
        """Validate coordinates given apart; see :meth:`parse` for the rules."""
        fmt = parse_format(package_format)
        problems = []
        if not isinstance(name, str) or not COMPONENT_PATTERN.fullmatch(name):
            problems.append(
                f"package name {_short(name)} is not accepted: 1-255 characters, "
                "no '#', '/' or whitespace"
            )
        if namespace is not None:
            if fmt in NO_NAMESPACE:
                problems.append(f"{fmt} packages have no namespace")
            elif not isinstance(namespace, str) or not COMPONENT_PATTERN.fullmatch(
                namespace
            ):
                problems.append(
                    f"namespace {_short(namespace)} is not accepted: 1-255 "
                    "characters, no '#', '/' or whitespace"
                )
        elif fmt in NAMESPACE_REQUIRED:
            problems.append(f"{fmt} packages need a namespace")
        if problems:
            raise CodeArtifactInputError(problems)
        assert isinstance(name, str)
        return cls(format=fmt, namespace=namespace, name=name)

    @property
    def key(self) -> tuple[PackageFormat, str, str]:
        """What two ids of the same package share: format, normalized namespace
        (empty when there is none) and normalized name."""
        namespace = (
            ""
            if self.namespace is None
            else normalize_namespace(self.format, self.namespace)
        )
        return (self.format, namespace, normalize_name(self.format, self.name))

    @property
    def path(self) -> str:
        """The package path package groups match: ``/format/namespace/name``,
        normalized (an empty namespace for formats without one)."""
        fmt, namespace, name = self.key
        return f"/{fmt}/{namespace}/{name}"

    def __str__(self) -> str:
        if self.namespace is None:
            return self.name
        if self.format is PackageFormat.NPM:
            return f"@{self.namespace}/{self.name}"
        if self.format is PackageFormat.MAVEN:
            return f"{self.namespace}:{self.name}"
        return f"{self.namespace}/{self.name}"
