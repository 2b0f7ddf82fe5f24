"""Hypothesis strategies for CodeArtifact domains, and a reference search order.

A generated domain is a description (the dict :func:`domain_from_dict` loads), so
a test can read the controls it set from the data instead of from the library.
Repositories are ``r00``, ``r01``, ...; upstream graphs may have cycles and
diamonds; one npm package, ``pkg``, has versions ``1``..``3`` spread over the
repositories and the public registry.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from awscore.codeartifact import Repository
from awscore.errors import CodeArtifactInputError
from tests.strategies import hostile

PACKAGE = "pkg"
VERSIONS = ("1", "2", "3")


def repo_name(i: int) -> str:
    """The i-th generated repository's name."""
    return f"r{i:02d}"


@st.composite
def upstream_graphs(
    draw: st.DrawFn, *, max_repos: int = 40, max_upstreams: int = 10
) -> dict[str, list[str]]:
    """Repository name -> its upstream list (priority order), cycles allowed."""
    n = draw(st.integers(min_value=1, max_value=max_repos))
    names = [repo_name(i) for i in range(n)]
    graph: dict[str, list[str]] = {}
    for name in names:
        graph[name] = draw(
            st.lists(st.sampled_from(names), unique=True, max_size=max_upstreams)
        )
    return graph


@st.composite
def domain_specs(
    draw: st.DrawFn,
    *,
    max_repos: int = 30,
    controls: bool = True,
    groups: bool = True,
) -> dict[str, Any]:
    """A domain description: graph, holdings, public versions, and (optionally)
    origin controls on ``pkg`` and a package group restriction for it."""
    graph = draw(upstream_graphs(max_repos=max_repos, max_upstreams=4))
    names = list(graph)
    repositories: list[dict[str, Any]] = []
    for name in names:
        entry: dict[str, Any] = {"name": name}
        if graph[name]:
            entry["upstreams"] = graph[name]
        elif draw(st.integers(min_value=0, max_value=3)) == 0:
            entry["external_connection"] = "public:npmjs"
        repositories.append(entry)
    packages: list[dict[str, Any]] = []
    for name in names:
        held = draw(st.lists(st.sampled_from(VERSIONS), unique=True, max_size=2))
        control = draw(st.sampled_from([None, "ALLOW", "BLOCK"])) if controls else None
        if not held and control is None:
            continue
        entry = {
            "repository": name,
            "format": "npm",
            "package": PACKAGE,
            "versions": held,
            "origin": draw(st.sampled_from(["published", "upstream", "external"])),
        }
        if control is not None:
            entry["origin_controls"] = {"publish": "ALLOW", "upstream": control}
        packages.append(entry)
    public = draw(st.lists(st.sampled_from(VERSIONS), unique=True, max_size=3))
    spec: dict[str, Any] = {
        "domain": "test-domain",
        "repositories": repositories,
        "packages": packages,
        "public": {"public:npmjs": {PACKAGE: public}} if public else {},
    }
    if groups and draw(st.booleans()):
        allowed = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
        restriction = {"mode": "ALLOW_SPECIFIC_REPOSITORIES", "repositories": allowed}
        spec["package_groups"] = [
            {
                "pattern": draw(st.sampled_from(["/npm/*", "/npm//pkg$", "/npm//p~"])),
                "external_upstream": draw(
                    st.sampled_from(["ALLOW", "BLOCK", "INHERIT", restriction])
                ),
                "internal_upstream": draw(
                    st.sampled_from(["ALLOW", "BLOCK", "INHERIT", restriction])
                ),
            }
        ]
    return spec


def upstreams_of(spec: dict[str, Any]) -> dict[str, list[str]]:
    """The upstream lists of a description's repositories."""
    return {r["name"]: list(r.get("upstreams", [])) for r in spec["repositories"]}


def reference_order(
    upstreams: dict[str, list[str]], root: str, limit: int = 25
) -> list[str]:
    """Depth-first pre-order from ``root``, each repository once, at most
    ``limit``: an explicit-stack version, written apart from the library's
    recursive one."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [root]
    while stack and len(order) < limit:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        order.append(name)
        stack.extend(reversed(upstreams[name]))
    return order


def default_upstream_control(spec: dict[str, Any], repository: str) -> str | None:
    """The upstream control in force: the one set, else the default for how the
    listed versions arrived (published: BLOCK; otherwise ALLOW), else None."""
    for entry in spec["packages"]:
        if entry["repository"] == repository:
            if "origin_controls" in entry:
                control: str = entry["origin_controls"]["upstream"]
                return control
            return "BLOCK" if entry["origin"] == "published" else "ALLOW"
    return None


def group_allows(spec: dict[str, Any], key: str, repository: str) -> bool:
    """Whether the description's package group (if any) lets ``repository`` in for
    restriction ``key`` (``external_upstream`` or ``internal_upstream``); INHERIT
    reaches the root group, which allows everything."""
    for group in spec.get("package_groups", []):
        value = group[key]
        if isinstance(value, dict):
            return bool(repository in value["repositories"])
        return bool(value != "BLOCK")  # ALLOW, or INHERIT from the root group
    return True


#: Domain methods that change the domain (resolve retains what it serves).
MUTATORS = (
    "add_repository",
    "set_upstreams",
    "add_upstream",
    "associate_external_connection",
    "add_public_version",
    "publish",
    "set_origin_controls",
    "set_package_group",
    "delete_package_group",
    "set_dist_tag",
    "resolve",
)


@st.composite
def domain_calls(
    draw: st.DrawFn, names: list[str]
) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """One call of a mutating Domain method: its name, arguments and keywords.

    Arguments are mostly plausible (the domain's repository names, real formats,
    ``pkg``, known versions) with hostile values mixed in (a wrong kind, a
    5,000-digit number, text with lone surrogates, deep nesting), so calls reach
    past the first check as well as fail at it.
    """

    def pick(*plausible: Any) -> Any:
        return draw(st.one_of(st.sampled_from(plausible), hostile.values()))

    repo = pick(*(names or ["repo-0"]), "missing-repo")
    fmt = pick("npm", "pypi", "maven", "NPM", "")
    package = pick(PACKAGE, "@scope/pkg", "other", "org.x:y")
    version = pick(*VERSIONS, "1.0.0", "")
    method = draw(st.sampled_from(MUTATORS))
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = {}
    if method == "add_repository":
        new_name = pick("new-repo", *(names[:1] or ["repo-0"]))
        try:
            value: Any = Repository(
                new_name, draw(st.sampled_from([(), tuple(names[:2])]))
            )
        except CodeArtifactInputError:  # a hostile name: pass the raw value
            value = new_name
        args = (draw(st.one_of(st.just(value), hostile.values())),)
    elif method == "set_upstreams":
        args = (
            repo,
            draw(
                st.one_of(st.lists(st.sampled_from(names or ["x"])), hostile.values())
            ),
        )
    elif method in ("add_upstream", "associate_external_connection"):
        other = pick(*(names or ["x"]), "public:npmjs", "public:pypi")
        args = (repo, other)
    elif method == "add_public_version":
        args = (pick("public:npmjs", "public:pypi", "public:nope"), package, version)
        kwargs = {"dist_tags": pick((), ("latest",), "latest")}
    elif method == "publish":
        args = (repo, fmt, package, version)
        kwargs = {"dist_tags": pick((), ("latest",))}
    elif method == "set_origin_controls":
        args = (repo, fmt, package)
        kwargs = {
            "publish": pick(None, "ALLOW", "BLOCK"),
            "upstream": pick(None, "BLOCK"),
        }
    elif method == "set_package_group":
        args = (pick("/npm/*", "/npm//pkg$", "/*", "/bad"),)
        kwargs = {
            "publish": pick(
                "INHERIT",
                "BLOCK",
                {"mode": "ALLOW_SPECIFIC_REPOSITORIES", "repositories": names[:1]},
            )
        }
    elif method == "delete_package_group":
        args = (pick("/npm/*", "/*", "/npm//pkg$"),)
    elif method == "set_dist_tag":
        args = (repo, package, pick("latest", ""), version)
    else:
        args = (repo, fmt, package, version)
    return method, args, kwargs
