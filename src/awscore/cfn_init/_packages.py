"""cfn-init 2.0's package tools and the Python semantics its code runs into.

2.0's tools index, iterate and test membership on whatever the metadata holds,
so what fails, and where, is Python's own behaviour: ``"mode" in "a string"`` is
a substring test, iterating a mapping gives its keys, a number cannot be
iterated, ``subprocess`` takes only text. These helpers reproduce exactly that
and raise :class:`_StopError` where 2.0 would raise. The package tools follow
``rpm_tools``, ``zypper_tool``, ``apt_tool`` and ``lang_package_tools``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from awscore.cfn_init._model import (
    PACKAGE_MANAGER_ORDER,
    PACKAGE_TOOLS,
    Detail,
    Package,
    Skip,
)
from awscore.cfn_init._validate import kind_of, require
from awscore.errors import CfnInitInputError

__all__ = ["interpret_boolean", "package_manager_key"]

_TRUES = frozenset({"true", "yes", "y", "1"})
_TRUE_VALUES: frozenset[object] = frozenset({True})
_VERSION_FIELDS = re.compile(r"[a-zA-Z]+|[0-9]+")


def interpret_boolean(value: object) -> bool:
    """cfn-init 2.0's reading of a flag (``util.interpret_boolean``).

    True for JSON true, the number 1, and ``true``, ``yes``, ``y``, ``1`` in any
    case with spaces around; False for anything else. Raises
    :class:`~awscore.errors.CfnInitInputError` for a non-empty list or mapping,
    which 2.0 cannot look up (it fails there).
    """
    if not _truthy(value):
        return False
    if isinstance(value, str):
        return value.lower().strip() in _TRUES
    try:
        return value in _TRUE_VALUES
    except TypeError:
        raise CfnInitInputError(
            [f"value: a flag must be true or false, not {kind_of(value)}"]
        ) from None


def package_manager_key(manager: str) -> tuple[int, int, str]:
    """Sort key of a package manager in 2.0: ``_pkgOrder`` first, then by name,
    case-insensitively (ties keep their order: the sort is stable)."""
    require(manager, str, "manager", "a package manager's name")
    if manager in PACKAGE_MANAGER_ORDER:
        return (0, PACKAGE_MANAGER_ORDER.index(manager), "")
    return (1, 0, manager.lower())


class _StopError(Exception):
    """2.0 raises here: ``key`` is the item it was working on, if any."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


# --- Python's own semantics, as 2.0's code meets them -------------------------


def _truthy(value: object) -> bool:
    try:
        return bool(value)
    except Exception:
        return True


def _contains(container: object, item: str, what: str) -> bool:
    """``item in container`` as Python evaluates it (a string: substring)."""
    if isinstance(container, Mapping | str | list | tuple):
        return item in container
    raise _StopError(f"{what} must be a mapping, not {kind_of(container)}")


def _index(container: object, item: str, what: str) -> object:
    """``container[item]``: only a mapping takes a string index."""
    if isinstance(container, Mapping):
        return container[item]
    raise _StopError(f"{what} must be a mapping, not {kind_of(container)}")


def _iterate(value: object, what: str) -> list[object]:
    """``for x in value``: a list, a string's characters or a mapping's keys."""
    if isinstance(value, list | tuple | str):
        return list(value)
    if isinstance(value, Mapping):
        return list(value.keys())
    raise _StopError(f"{what} must be a list, not {kind_of(value)}")


def _mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise _StopError(f"{what} must be a mapping, not {kind_of(value)}")
    return value


def _hashable(items: list[object], what: str) -> frozenset[object]:
    try:
        return frozenset(items)
    except TypeError:
        raise _StopError(f"{what} must list names, not lists or mappings") from None


def _argument(value: object, what: str) -> str:
    """A process argument: ``subprocess`` takes text only, without NUL."""
    if not isinstance(value, str):
        raise _StopError(f"{what} must be a string, not {kind_of(value)}")
    if "\0" in value:
        raise _StopError(f"{what} must not contain a NUL character")
    return value


def _argv(value: object, what: str) -> str | tuple[str, ...]:
    """A command as ``subprocess`` takes it: a shell string or a non-empty list."""
    if isinstance(value, str):
        return _argument(value, what)
    if isinstance(value, list | tuple) and value:
        return tuple(_argument(v, f"{what}[{i}]") for i, v in enumerate(value))
    raise _StopError(f"{what} must be a string or a non-empty list of strings")


def _environment(value: object, what: str) -> dict[str, str] | None:
    """``ProcessHelper``'s ``dict(env)`` and then ``subprocess``'s checks."""
    if not _truthy(value):
        return None
    pairs: list[tuple[object, object]]
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, list | tuple) and all(
        isinstance(p, list | tuple | str) and len(p) == 2 for p in value
    ):
        pairs = [(p[0], p[1]) for p in value]
    else:
        raise _StopError(f"{what} must be a mapping of names to values")
    env = {}
    for name, text in pairs:
        key = _argument(name, f"{what} name")
        if "=" in key:
            raise _StopError(f"{what}: {key!r} is not a variable name")
        env[key] = _argument(text, f"{what}.{key}")
    return env


def _rpm_fields(version: str) -> list[list[str]]:
    return [_VERSION_FIELDS.findall(part) for part in version.split("-", 1)]


def _rpm_compare(first: str | None, second: str | None) -> int:
    """RPM's newness order of VERSION-RELEASE strings, as 2.0 compares them."""
    a = _rpm_fields(first) if first else []
    b = _rpm_fields(second) if second else []
    for i in range(2):
        left = a[i] if i < len(a) else []
        right = b[i] if i < len(b) else []
        for x, y in zip(left, right, strict=False):
            if x.isdigit() and y.isdigit():
                if int(x) != int(y):
                    return 1 if int(x) > int(y) else -1
            elif x.isdigit() or y.isdigit():
                return 1 if x.isdigit() else -1
            elif x != y:
                return 1 if x > y else -1
        if len(left) != len(right):
            return 1 if len(left) > len(right) else -1
    return 0


def _newest(value: object, what: str) -> str | None:
    """2.0's ``max_version`` of a package's version list."""
    best: str | None = None
    for item in _iterate(value, what):
        if _truthy(item) and not isinstance(item, str):
            raise _StopError(f"{what} must list version strings, not {kind_of(item)}")
        text = item if isinstance(item, str) and item else None
        if _rpm_compare(best, text) < 0:
            best = text
    return best


# --- packages -----------------------------------------------------------------

_Steps = list[tuple[str, Detail]]  # (key in its section, what the step does)


def _yum(manager: str, name: str, spec: object, what: str) -> Package:
    """yum and zypper install the newest version asked for."""
    if not _truthy(spec):
        version = None
    elif isinstance(spec, str):
        version = spec
    else:
        version = _newest(spec, what)
    return Package(
        manager=manager, name=name, versions=() if version is None else (version,)
    )


def _apt(manager: str, name: str, spec: object, what: str) -> Package:
    if not _truthy(spec):
        versions: tuple[str, ...] = ()
    elif isinstance(spec, str):
        versions = (spec,)
    else:
        versions = tuple(str(v) for v in _iterate(spec, what) if _truthy(v))
    return Package(manager=manager, name=name, versions=versions)


def _python(manager: str, name: str, spec: object, what: str) -> Package:
    items = (
        [spec] if not _truthy(spec) or isinstance(spec, str) else _iterate(spec, what)
    )
    versions = tuple(_argument(v, what) for v in items if _truthy(v))
    return Package(manager=manager, name=name, versions=versions)


def _rpm(manager: str, name: str, spec: object, what: str) -> Package | None:
    items = [spec] if isinstance(spec, str) else _iterate(spec, what)
    # An empty location is skipped with a warning; the others are queried with
    # `rpm -qp`, which takes text only.
    locations = tuple(_argument(v, what) for v in items if _truthy(v))
    if not locations:
        return None
    return Package(manager=manager, name=name, versions=locations)


def _gem(manager: str, name: str, spec: object, what: str) -> Package:
    if not _truthy(spec):
        versions: tuple[str, ...] = ()
    elif isinstance(spec, str):
        versions = (spec,)
    else:
        versions = tuple(str(v) for v in _iterate(spec, what))
    return Package(manager=manager, name=name, versions=versions)


_PackageTool = Callable[[str, str, object, str], Package | None]
_TOOLS: dict[str, _PackageTool] = {
    "yum": _yum,
    "zypper": _yum,
    "apt": _apt,
    "python": _python,
    "rpm": _rpm,
    "rubygems": _gem,
}


def _upgrades_first(packages: list[Package]) -> list[Package]:
    # Nothing is installed yet, so a version upgrades unless RPM's order finds it
    # no newer than nothing (a version without letters or digits): 2.0 runs
    # `install` for the upgrades, then `downgrade` for the rest.
    def later(p: Package) -> bool:
        return not p.versions or _rpm_compare(p.versions[0], None) > 0

    return [p for p in packages if later(p)] + [p for p in packages if not later(p)]


def _packages(value: object, steps: _Steps, warnings: list[str], where: str) -> None:
    section = _mapping(value, where)
    for manager in sorted(section, key=package_manager_key):
        spec, at = section[manager], f"{where}.{manager}"
        if manager not in PACKAGE_TOOLS:
            reason = f"cfn-init has no tool for {manager}"
            warnings.append(f"{at}: {reason}; its packages are not installed")
            steps.append((manager, Skip(manager=manager, reason=reason)))
            continue
        if manager in ("zypper", "apt") and not _truthy(spec):
            continue  # these two test `if not action` before anything else
        try:
            packages = _mapping(spec, at)
        except _StopError as stop:
            raise _StopError(stop.message, manager) from None
        if not packages:
            continue
        if manager == "msi":
            raise _StopError("MSI support is only available under Windows", manager)
        tool = _TOOLS[manager]
        done: list[Package] = []
        for name, versions in packages.items():
            try:
                package = tool(manager, name, versions, f"{at}.{name}")
            except _StopError as stop:
                raise _StopError(stop.message, f"{manager}.{name}") from None
            if package is None:
                continue
            if manager == "rubygems":
                # one gem after the other: a bad gem stops after those before it
                steps.append((f"{manager}.{name}", package))
            else:
                done.append(package)
        if manager == "yum":
            # zypper upgrades whenever nothing is installed (2.0's zypper_tool
            # _should_upgrade), so its packages keep the document's order
            done = _upgrades_first(done)
        steps.extend((f"{manager}.{p.name}", p) for p in done)
