"""Domains described in JSON or YAML: loading (every problem reported, with where)
and dumping back to the same shape.

The description::

    domain: my-domain
    repositories:
      - name: my-repo
        upstreams: [team-repo, npm-store]      # priority order
      - name: npm-store
        external_connection: public:npmjs
    packages:                                  # what repositories hold now
      - repository: my-repo
        format: npm
        package: "@acme/ui"
        versions: ["1.0.0"]
        origin: published                      # published | upstream | external
        dist_tags: {latest: "1.0.0"}
        origin_controls: {publish: ALLOW, upstream: BLOCK}
    public:                                    # what public registries hold
      public:npmjs:
        lodash: ["4.17.20", "4.17.21"]
    package_groups:
      - pattern: /npm/acme/*
        external_upstream: BLOCK

Repositories may name upstreams listed after them (and form cycles).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from awscore._inputs import shown
from awscore.codeartifact._domain import (
    INGESTED_DEFAULTS,
    MAX_REPOSITORIES,
    PUBLISHED_DEFAULTS,
    Domain,
    OriginControls,
    Repository,
    VersionOrigin,
    _Package,
    _PublicPackage,
)
from awscore.codeartifact._groups import ROOT_PATTERN, GroupPattern
from awscore.codeartifact._names import (
    EXTERNAL_CONNECTIONS,
    PackageId,
    external_connection_problems,
    version_problems,
)
from awscore.errors import CodeArtifactInputError

__all__ = [
    "MAX_DOCUMENT_DEPTH",
    "MAX_DOCUMENT_ENTRIES",
    "MAX_DOCUMENT_SIZE",
    "MAX_NUMBER_DIGITS",
    "domain_from_dict",
    "domain_to_dict",
    "load_domain",
]

_TOP = ("domain", "repositories", "packages", "public", "package_groups")
_REPO_KEYS = ("name", "upstreams", "external_connection")
_PACKAGE_KEYS = (
    "repository",
    "format",
    "package",
    "versions",
    "origin",
    "dist_tags",
    "origin_controls",
)
_GROUP_KEYS = ("pattern", "publish", "external_upstream", "internal_upstream")


#: The longest description :func:`load_domain` parses (its ``max_size`` default),
#: in characters (or bytes): 8 MiB, a domain of a thousand repositories and tens of
#: thousands of package versions.
MAX_DOCUMENT_SIZE = 8 * 1024 * 1024

#: The most list items and mapping entries a description may hold in all, counted
#: after YAML aliases are expanded, so a small document of aliases to aliases
#: cannot make the loader walk millions of entries.
MAX_DOCUMENT_ENTRIES = 1_000_000

#: How deeply a description may nest lists and mappings: the description itself
#: is four levels deep; a few more leave room, and YAML's own recursion stays
#: far from the interpreter's limit.
MAX_DOCUMENT_DEPTH = 32


#: The most digits a number in a description may have. No field of a description
#: is a number; the bound keeps YAML from converting a 5,000-digit one (past
#: Python's int-to-string limit, a bare ValueError) before the loader can say so.
MAX_NUMBER_DIGITS = 100


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing integers of more than MAX_NUMBER_DIGITS."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        text = str(self.construct_scalar(node))
        digits = sum(c.isdigit() for c in text)
        if digits > MAX_NUMBER_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number of {digits:,} digits (at most {MAX_NUMBER_DIGITS} are read)",
                node.start_mark,
            )
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def load_domain(
    text: str | bytes,
    *,
    max_size: int = MAX_DOCUMENT_SIZE,
    max_entries: int = MAX_DOCUMENT_ENTRIES,
) -> Domain:
    """Load a domain from its JSON or YAML description (see the module docs).

    Raises :class:`~awscore.errors.CodeArtifactInputError` listing every problem
    found, each with where it is (``repositories[2].upstreams``); also for text
    longer than ``max_size`` (:data:`MAX_DOCUMENT_SIZE`), nesting deeper than
    :data:`MAX_DOCUMENT_DEPTH` or more than ``max_entries`` list items and
    mapping entries once aliases are expanded (:data:`MAX_DOCUMENT_ENTRIES`).
    """
    if not isinstance(text, str | bytes):
        raise CodeArtifactInputError(
            [f"domain description must be text or bytes, not {shown(text)}"]
        )
    for name, limit in (("max_size", max_size), ("max_entries", max_entries)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise CodeArtifactInputError(
                [f"{name}={shown(limit)} must be an integer >= 0"]
            )
    if len(text) > max_size:
        raise CodeArtifactInputError(
            [
                f"domain description is {len(text):,} long: max_size allows at most "
                f"{max_size:,}"
            ]
        )
    depth = _nesting_depth(text)
    if depth > MAX_DOCUMENT_DEPTH:
        raise CodeArtifactInputError(
            [
                f"domain description nests {depth} levels deep: at most "
                f"{MAX_DOCUMENT_DEPTH} are accepted"
            ]
        )
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, RecursionError) as exc:
        first = _yaml_problem(exc)
        raise CodeArtifactInputError(
            [f"domain description is not valid JSON or YAML: {first}"]
        ) from None
    _check_entries(data, max_entries)
    return domain_from_dict(data)


def _yaml_problem(exc: BaseException) -> str:
    """PyYAML's problem and where it is, in one line."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"{exc.problem}{where}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _nesting_depth(text: str | bytes) -> int:
    """The deepest nesting of YAML flow brackets and block indentation, bounded.

    Counted on the text, before parsing, because PyYAML's composer recurses once
    per level; flow collections (``[``, ``{``) and block indentation steps are both
    counted, an over-estimate that only ever refuses absurd documents.
    """
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    deepest = flow = 0
    for char in raw:
        if char in "[{":
            flow += 1
            deepest = max(deepest, flow)
        elif char in "]}":
            flow = max(flow - 1, 0)
    indents = {len(line) - len(line.lstrip(" -")) for line in raw.splitlines()}
    return deepest + max(len(indents) - 1, 0)


def _check_entries(data: object, limit: int) -> None:
    """Refuse a parsed description with more than ``limit`` items and entries.

    Walked iteratively; YAML aliases make the same list appear many times, and
    each appearance counts, as the loader would walk it each time.
    """
    seen = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            seen += len(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            seen += len(node)
            stack.extend(node)
        if seen > limit:
            raise CodeArtifactInputError(
                [
                    f"domain description has more than {limit:,} list items and "
                    "mapping entries (YAML aliases expanded): max_entries allows at "
                    "most that many"
                ]
            )


def _unknown(item: Mapping[Any, Any], keys: tuple[str, ...], where: str) -> list[str]:
    extra = [k for k in item if k not in keys]
    if not extra:
        return []
    return [
        f"{where}: unknown keys {sorted(map(str, extra))}; accepted: {', '.join(keys)}"
    ]


def _list(value: object, where: str, problems: list[str]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where} is not a list")
        return []
    return value


def _strings(value: object, where: str, what: str, problems: list[str]) -> list[str]:
    items = _list(value, where, problems)
    good = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            good.append(item)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            problems.append(
                f"{where}[{i}]: {what} {shown(item)} is a number in YAML; quote it"
            )
        else:
            problems.append(f"{where}[{i}]: {what} {shown(item)} is not a string")
    return good


def _catch(problems: list[str], where: str, call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except CodeArtifactInputError as exc:
        problems.extend(f"{where}: {p}" for p in exc.problems)
    return None


def domain_from_dict(data: object) -> Domain:
    """Build a domain from an already-parsed description (a mapping)."""
    if not isinstance(data, dict):
        raise CodeArtifactInputError(
            ["domain description is not a mapping with domain, repositories, ..."]
        )
    problems = _unknown(data, _TOP, "domain description")
    domain = _catch(problems, "domain", Domain, data.get("domain", "my-domain"))
    if domain is None:
        domain = Domain()
    repositories = _load_repositories(data.get("repositories"), problems)
    domain._repositories = repositories
    domain._packages = {name: {} for name in repositories}
    for i, item in enumerate(_list(data.get("packages"), "packages", problems)):
        _load_package(domain, item, f"packages[{i}]", problems)
    _load_public_registries(domain, data.get("public"), problems)
    _load_groups(domain, data.get("package_groups"), problems)
    if problems:
        raise CodeArtifactInputError(problems)
    assert isinstance(domain, Domain)
    return domain


def _load_repositories(value: object, problems: list[str]) -> dict[str, Repository]:
    repositories: dict[str, Repository] = {}
    for i, item in enumerate(_list(value, "repositories", problems)):
        where = f"repositories[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} is not a mapping with name, upstreams, ...")
            continue
        problems.extend(_unknown(item, _REPO_KEYS, where))
        upstreams = _strings(
            item.get("upstreams"), f"{where}.upstreams", "upstream", problems
        )
        repo = _catch(
            problems,
            where,
            Repository,
            item.get("name"),
            tuple(upstreams),
            item.get("external_connection"),
        )
        if repo is None:
            continue
        if repo.name in repositories:
            problems.append(f"{where}: repository {shown(repo.name)} is listed twice")
            continue
        repositories[repo.name] = repo
    if len(repositories) > MAX_REPOSITORIES:
        problems.append(
            f"repositories: {len(repositories)} repositories; the quota is "
            f"{MAX_REPOSITORIES:,} per domain"
        )
    for repo in repositories.values():
        problems.extend(
            f"repository {shown(repo.name)}: upstream {shown(u)} is not a repository "
            "of "
            "the domain"
            for u in repo.upstreams
            if u not in repositories
        )
    return repositories


def _load_public_registries(domain: Domain, value: object, problems: list[str]) -> None:
    public = value or {}
    if not isinstance(public, dict):
        problems.append("public is not a mapping of external connection to packages")
        return
    for connection, packages in public.items():
        where = f"public[{shown(connection)}]"
        bad = external_connection_problems(connection, where)
        if bad:
            problems.extend(bad)
            continue
        if not isinstance(packages, dict):
            problems.append(f"{where} is not a mapping of package to versions")
            continue
        for package, spec in packages.items():
            _load_public(
                domain,
                connection,
                package,
                spec,
                where=f"{where}[{shown(package)}]",
                problems=problems,
            )


def _load_groups(domain: Domain, value: object, problems: list[str]) -> None:
    for i, item in enumerate(_list(value, "package_groups", problems)):
        where = f"package_groups[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} is not a mapping with pattern, publish, ...")
            continue
        problems.extend(_unknown(item, _GROUP_KEYS, where))
        pattern = _catch(problems, where, GroupPattern.parse, item.get("pattern"))
        if pattern is None:
            continue
        default = "ALLOW" if str(pattern) == ROOT_PATTERN else "INHERIT"
        _catch(
            problems,
            where,
            lambda p, i=item, d=default: domain.set_package_group(
                p,
                publish=i.get("publish", d),
                external_upstream=i.get("external_upstream", d),
                internal_upstream=i.get("internal_upstream", d),
            ),
            str(pattern),
        )


def _load_package(
    domain: Domain, item: object, where: str, problems: list[str]
) -> None:
    if not isinstance(item, dict):
        problems.append(
            f"{where} is not a mapping with repository, format, package, ..."
        )
        return
    problems.extend(_unknown(item, _PACKAGE_KEYS, where))
    repository = item.get("repository")
    if not isinstance(repository, str) or repository not in domain._repositories:
        problems.append(
            f"{where}: repository {shown(repository)} is not a repository of the domain"
        )
        return
    pid = _catch(
        problems, where, PackageId.parse, item.get("format"), item.get("package")
    )
    versions = _strings(item.get("versions"), f"{where}.versions", "version", problems)
    for version in versions:
        problems.extend(version_problems(version, f"{where}: version"))
    origin_text = item.get("origin", "published")
    if not isinstance(origin_text, str) or origin_text not in {
        o.value for o in VersionOrigin
    }:
        problems.append(
            f"{where}: origin {shown(origin_text)} is not one of "
            + ", ".join(o.value for o in VersionOrigin)
        )
        return
    origin = VersionOrigin(origin_text)
    existing = domain._packages[repository].get(pid.key) if pid else None
    defaults = (
        existing.controls
        if existing is not None
        else PUBLISHED_DEFAULTS
        if origin is VersionOrigin.PUBLISHED
        else INGESTED_DEFAULTS
    )
    controls = _controls(item.get("origin_controls"), defaults, where, problems)
    tags = _dist_tags(item.get("dist_tags"), pid, versions, where, problems)
    if pid is None or controls is None or tags is None:
        return
    # One package may be listed once per origin (as domain_to_dict writes it).
    record = domain._packages[repository].get(pid.key)
    if record is None:
        record = _Package(id=pid, controls=controls)
        domain._packages[repository][pid.key] = record
    elif item.get("origin_controls") is not None:
        record.controls = controls
    for version in versions:
        if version in record.versions:
            problems.append(f"{where}: version {shown(version)} is listed twice")
        record.versions[version] = origin
    record.dist_tags.update(tags)


def _controls(
    raw: object, defaults: OriginControls, where: str, problems: list[str]
) -> OriginControls | None:
    """The controls an entry sets; keys it leaves out keep ``defaults`` (the
    package's controls if it is listed already, else the defaults for how its
    versions arrived)."""
    if raw is None:
        return defaults
    if not isinstance(raw, dict) or set(raw) - {"publish", "upstream"}:
        problems.append(f"{where}: origin_controls is not a {{publish, upstream}} map")
        return None
    controls: OriginControls | None = _catch(
        problems,
        where,
        lambda: OriginControls(
            publish=raw.get("publish", defaults.publish),
            upstream=raw.get("upstream", defaults.upstream),
        ),
    )
    return controls


def _dist_tags(
    raw: object,
    pid: PackageId | None,
    versions: list[str],
    where: str,
    problems: list[str],
) -> dict[str, str] | None:
    tags = raw or {}
    if not isinstance(tags, dict):
        problems.append(f"{where}: dist_tags is not a mapping of tag to version")
        return None
    if tags and pid is not None and pid.format != "npm":
        problems.append(
            f"{where}: dist-tags are npm's; {pid.format} packages have none"
        )
        return None
    bad = [t for t, v in tags.items() if not isinstance(t, str) or v not in versions]
    problems.extend(
        f"{where}: dist-tag {shown(t)} does not point at a listed version" for t in bad
    )
    return None if bad else {str(t): str(v) for t, v in tags.items()}


def _load_public(
    domain: Domain,
    connection: str,
    package: object,
    spec: object,
    *,
    where: str,
    problems: list[str],
) -> None:
    pid = _catch(
        problems, where, PackageId.parse, EXTERNAL_CONNECTIONS[connection], package
    )
    if pid is None:
        return
    tags: object = {}
    if isinstance(spec, dict):
        problems.extend(_unknown(spec, ("versions", "dist_tags"), where))
        tags = spec.get("dist_tags") or {}
        spec = spec.get("versions")
    versions = _strings(spec, f"{where}.versions", "version", problems)
    for version in versions:
        problems.extend(version_problems(version, f"{where}: version"))
    if not isinstance(tags, dict) or any(v not in versions for v in tags.values()):
        problems.append(f"{where}: dist_tags must map tags to listed versions")
        return
    registry = domain._public.setdefault(connection, {})
    registry[pid.key] = _PublicPackage(
        id=pid,
        versions=set(versions),
        dist_tags={str(t): str(v) for t, v in tags.items()},
    )


def domain_to_dict(domain: Domain) -> dict[str, Any]:
    """The description of ``domain``, which :func:`domain_from_dict` loads back."""
    if not isinstance(domain, Domain):
        raise CodeArtifactInputError([f"{shown(domain)} is not a Domain"])
    packages = []
    for name, records in domain._packages.items():
        for record in records.values():
            by_origin: dict[VersionOrigin, list[str]] = {}
            for version, origin in record.versions.items():
                by_origin.setdefault(origin, []).append(version)
            groups = list(by_origin.items()) or [(VersionOrigin.PUBLISHED, [])]
            for origin, versions in groups:
                entry: dict[str, Any] = {
                    "repository": name,
                    "format": str(record.id.format),
                    "package": str(record.id),
                    "versions": versions,
                    "origin": str(origin),
                    "origin_controls": {
                        "publish": str(record.controls.publish),
                        "upstream": str(record.controls.upstream),
                    },
                }
                tags = {t: v for t, v in record.dist_tags.items() if v in versions}
                if tags:
                    entry["dist_tags"] = tags
                packages.append(entry)
    return {
        "domain": domain.name,
        "repositories": [
            {
                "name": r.name,
                **({"upstreams": list(r.upstreams)} if r.upstreams else {}),
                **(
                    {"external_connection": r.external_connection}
                    if r.external_connection
                    else {}
                ),
            }
            for r in domain.repositories
        ],
        "packages": packages,
        "public": {
            connection: {
                str(p.id): (
                    {"versions": sorted(p.versions), "dist_tags": dict(p.dist_tags)}
                    if p.dist_tags
                    else sorted(p.versions)
                )
                for p in registry.values()
            }
            for connection, registry in domain._public.items()
        },
        "package_groups": [
            {
                "pattern": g.pattern,
                **{
                    label: (
                        str(r.mode)
                        if not r.repositories
                        else {
                            "mode": str(r.mode),
                            "repositories": sorted(r.repositories),
                        }
                    )
                    for label, r in (
                        ("publish", g.publish),
                        ("external_upstream", g.external_upstream),
                        ("internal_upstream", g.internal_upstream),
                    )
                },
            }
            for g in domain.package_groups
        ],
    }
