"""``awscore codeartifact``: which repository serves a version, and what can leak in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from awscore.cli._output import EXIT_FOUND, add_json_flag, epilog, found, write_json
from awscore.cli._tour import TourPart, TourSection
from awscore.codeartifact import (
    Domain,
    Exposure,
    PackageFormat,
    Repository,
    Resolution,
    load_domain,
)
from awscore.errors import CliError

__all__ = ["TOUR", "register"]

_FORMATS = [f.value for f in PackageFormat]

_DOMAIN = "examples/codeartifact/domain.yaml"
_EXAMPLES = {
    "resolve": epilog(
        f"awscore codeartifact resolve {_DOMAIN} --repo my-repo\n"
        "--format npm lodash 4.17.21 --explain",
        f"awscore codeartifact resolve {_DOMAIN} --repo my-repo\n"
        "--format npm lodash 9.9.9  # exits 3: not found",
        found="the version is not found",
    ),
    "list-versions": epilog(
        f"awscore codeartifact list-versions {_DOMAIN}\n--repo my-repo --format npm "
        "lodash",
        f"awscore codeartifact list-versions {_DOMAIN}\n--repo team-repo --format npm "
        "acme-utils --json",
    ),
    "order": epilog(
        f"awscore codeartifact order {_DOMAIN} --repo my-repo",
        f"awscore codeartifact order {_DOMAIN} --repo team-repo --json",
    ),
    "check": epilog(
        f"awscore codeartifact check {_DOMAIN} --fail-on-exposure  # exits 3",
        "awscore codeartifact check examples/codeartifact/domain-safe.yaml "
        "--fail-on-exposure",
        found="with --fail-on-exposure, an exposure is found",
    ),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore codeartifact resolve|list-versions|order|check``."""
    parser = subparsers.add_parser(
        "codeartifact",
        help="upstream resolution, retention and dependency-confusion checks",
        description="Model a CodeArtifact domain described in YAML or JSON: which "
        "repository serves a package version, the search trace, where the version "
        "is retained, and which internal packages a public registry could hijack.",
        epilog=epilog(
            f"awscore codeartifact order {_DOMAIN} --repo my-repo",
            f"awscore codeartifact check {_DOMAIN}",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("domain", help="the domain description (YAML or JSON file)")
        add_json_flag(sub)
        return sub

    resolve = verb("resolve", "request one version through a repository")
    _package_args(resolve, with_version=True)
    resolve.add_argument(
        "--explain", action="store_true", help="print every step of the search"
    )
    resolve.set_defaults(handler=_resolve)

    listing = verb("list-versions", "versions seen through a repository")
    _package_args(listing, with_version=False)
    listing.set_defaults(handler=_list_versions)

    order = verb("order", "the order a repository's upstreams are searched in")
    order.add_argument("--repo", required=True, help="the repository requested")
    order.set_defaults(handler=_order)

    check = verb("check", "internal packages a public registry could hijack")
    check.add_argument(
        "--fail-on-exposure",
        action="store_true",
        help="exit 3 if any exposure is found",
    )
    check.set_defaults(handler=_check)


def _package_args(parser: argparse.ArgumentParser, *, with_version: bool) -> None:
    parser.add_argument("--repo", required=True, help="the repository requested")
    parser.add_argument(
        "--format", required=True, choices=_FORMATS, help="the package format"
    )
    parser.add_argument(
        "package",
        help="npm name or @scope/name, Maven groupId:artifactId, generic and "
        "Swift namespace/name, else the name",
    )
    if with_version:
        parser.add_argument("version", help="the package version")


def _load(path: str) -> Domain:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    domain = load_domain(text)
    if not domain.repositories:
        raise CliError(
            f"{path}: not a domain description: expected a mapping with domain "
            "and a non-empty repositories list (see examples/codeartifact)"
        )
    return domain


def _dump(document: object) -> int:
    write_json(document)
    return 0


def resolution_dict(resolution: Resolution) -> dict[str, Any]:
    """A resolution as plain JSON data."""
    return {
        "repository": resolution.repository,
        "format": str(resolution.package.format),
        "package": str(resolution.package),
        "version": resolution.version,
        "found": resolution.found,
        "served_by": resolution.served_by,
        "external_connection": resolution.external_connection,
        "path": list(resolution.path),
        "retained_in": list(resolution.retained_in),
        "limit_reached": resolution.limit_reached,
        "trace": [
            {
                "repository": e.repository,
                "outcome": str(e.outcome),
                "depth": e.depth,
                "parent": e.parent,
                "external_connection": e.external_connection,
                "blocked_by": str(e.blocked_by) if e.blocked_by else None,
                "group": e.group,
            }
            for e in resolution.trace
        ],
    }


def explain_lines(resolution: Resolution) -> list[str]:
    """The search trace, one numbered line per repository searched."""
    lines = []
    number = 0
    for entry in resolution.trace:
        if entry.searched:
            number += 1
            label = f"{number:>2}."
        else:
            label = "   "
        lines.append(f"  {label} {'  ' * entry.depth}{entry.describe()}")
    return lines


def summary(resolution: Resolution) -> str:
    """One line: who served the version, or why nothing did."""
    what = f"{resolution.package}@{resolution.version}"
    if not resolution.found:
        why = "not found"
        if resolution.blocked:
            why += " (blocked by origin controls; see --explain)"
        if resolution.limit_reached:
            why += " (search stopped at the 25-repository limit)"
        return f"{what}: {why}"
    via = (
        f" via {resolution.external_connection}"
        if resolution.external_connection
        else ""
    )
    retained = (
        f"retained in {', '.join(resolution.retained_in)}"
        if resolution.retained_in
        else "nothing new retained"
    )
    return (
        f"{what}: served by {resolution.served_by}{via}; path "
        f"{' -> '.join(resolution.path)}; {retained}"
    )


def _resolve(args: argparse.Namespace) -> int:
    domain = _load(args.domain)
    resolution = domain.resolve(args.repo, args.format, args.package, args.version)
    # not found is a finding: exit 3, as the exit-status table says
    status = 0 if resolution.found else EXIT_FOUND
    if args.json:
        _dump(resolution_dict(resolution))
        return status
    out = sys.stdout
    out.write(summary(resolution) + "\n")
    if args.explain:
        out.write("search trace:\n")
        for line in explain_lines(resolution):
            out.write(line + "\n")
    return status


def _list_versions(args: argparse.Namespace) -> int:
    domain = _load(args.domain)
    metadata = domain.package_metadata(args.repo, args.format, args.package)
    if args.json:
        return _dump(
            {
                "repository": metadata.repository,
                "package": str(metadata.package),
                "versions": list(metadata.versions),
                "dist_tags": dict(metadata.dist_tags),
                "sources": dict(metadata.sources),
            }
        )
    out = sys.stdout
    if not metadata.versions:
        out.write(f"{metadata.package}: no versions seen through {args.repo}\n")
        return 0
    for version in metadata.versions:
        tags = [t for t, v in metadata.dist_tags.items() if v == version]
        shown = f"  [{', '.join(tags)}]" if tags else ""
        out.write(f"{version}  from {metadata.sources[version]}{shown}\n")
    return 0


def _order(args: argparse.Namespace) -> int:
    domain = _load(args.domain)
    order = domain.search_order(args.repo)
    if args.json:
        return _dump({"repository": args.repo, "order": list(order)})
    for i, name in enumerate(order, 1):
        connection = domain.repository(name).external_connection
        extra = f"  (external connection {connection})" if connection else ""
        sys.stdout.write(f"{i:>2}. {name}{extra}\n")
    return 0


def _exposure_dict(exposure: Exposure) -> dict[str, Any]:
    return {
        "repository": exposure.repository,
        "format": str(exposure.package.format),
        "package": str(exposure.package),
        "external_connection": exposure.external_connection,
        "path": list(exposure.path),
    }


def _check(args: argparse.Namespace) -> int:
    domain = _load(args.domain)
    exposures = domain.exposures()
    if args.json:
        _dump({"exposures": [_exposure_dict(e) for e in exposures]})
    elif not exposures:
        sys.stdout.write(
            f"no exposure: none of {len(domain.internal_packages())} internal "
            "packages can be served from a public registry\n"
        )
    else:
        for e in exposures:
            sys.stdout.write(
                f"EXPOSED {e.package.format} {e.package} through {e.repository}: "
                f"{' -> '.join(e.path)} -> {e.external_connection}\n"
            )
    if exposures and args.fail_on_exposure:
        return found(
            f"{len(exposures)} dependency-confusion exposure(s); block the upstream "
            "origin control of these packages or their package group's "
            "EXTERNAL_UPSTREAM"
        )
    return 0


def tour_domain() -> Domain:
    """The tour's domain: my-repo -> [team-repo, npm-store], team-repo ->
    [npm-store], npm-store -> public:npmjs; an internal ``acme-utils``."""
    domain = Domain("acme")
    domain.add_repository(Repository("npm-store", external_connection="public:npmjs"))
    domain.add_repository(Repository("team-repo", ("npm-store",)))
    domain.add_repository(Repository("my-repo", ("team-repo", "npm-store")))
    domain.add_public_version("public:npmjs", "lodash", "4.17.21", dist_tags=["latest"])
    domain.publish("team-repo", "npm", "acme-utils", "1.2.0")
    domain.add_public_version("public:npmjs", "acme-utils", "99.0.0")
    return domain


def _tour() -> TourPart:
    domain = tour_domain()
    first = domain.resolve("my-repo", "npm", "lodash", "4.17.21")
    again = domain.resolve("my-repo", "npm", "lodash", "4.17.21")
    exposures = domain.exposures()
    domain.set_package_group("/npm//acme~", external_upstream="BLOCK")
    confused = domain.resolve("my-repo", "npm", "acme-utils", "99.0.0")
    internal = domain.resolve("my-repo", "npm", "acme-utils", "1.2.0")
    text = "\n".join(
        [
            "Domain acme: my-repo -> [team-repo, npm-store], team-repo -> [npm-store];",
            "npm-store has the external connection public:npmjs. Search order "
            "(depth-first):",
            "  " + " -> ".join(domain.search_order("my-repo")),
            "",
            "npm install lodash@4.17.21 through my-repo, the first time:",
            "  " + summary(first),
            *explain_lines(first),
            "The second time my-repo holds it (team-repo, in between, never does):",
            "  " + summary(again),
            "",
            "acme-utils 1.2.0 is published to team-repo, so there its origin "
            "controls are",
            "publish ALLOW, upstream BLOCK. Then acme-utils 99.0.0 appears on "
            "npmjs. my-repo",
            "has no record of acme-utils and also reaches npm-store directly:",
            *(
                f"  EXPOSED through {e.repository}: "
                f"{' -> '.join(e.path)} -> {e.external_connection}"
                for e in exposures
            ),
            "Block public versions for the domain: package group /npm//acme~ with",
            "EXTERNAL_UPSTREAM BLOCK. Now:",
            "  " + summary(confused),
            *explain_lines(confused),
            "  " + summary(internal),
            "Try `awscore codeartifact check examples/codeartifact/domain.yaml`.",
        ]
    )
    return TourPart(
        text=text,
        data={
            "lodash": resolution_dict(first),
            "lodash_again": resolution_dict(again),
            "exposures": [_exposure_dict(e) for e in exposures],
            "acme_utils_99": resolution_dict(confused),
            "acme_utils_1_2_0": resolution_dict(internal),
        },
    )


TOUR = TourSection(
    name="codeartifact",
    title="codeartifact: upstreams, retention and dependency confusion",
    run=_tour,
)
