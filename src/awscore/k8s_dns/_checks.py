"""Argument checks shared by the cluster model's constructors.

Each returns or raises the problems in the words of a YAML/JSON document (no
Python type names), naming the field, so that a wrong value is a
:class:`~awscore.errors.K8sDnsInputError` at the boundary, never a TypeError
from deep inside.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

from awscore._inputs import shown
from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._names import canonical_ip, ip_problem, kind

_E = TypeVar("_E", bound=enum.StrEnum)


def enum_value(vocabulary: type[_E], value: object, where: str) -> _E:
    """``value`` as a member of ``vocabulary``, or a problem listing them."""
    # Only text is looked up: the Enum's own lookup of anything else builds a
    # message with its repr, which a hostile value (nested 10,000 deep, a
    # 5,000-digit number) makes raise.
    for member in vocabulary:
        if isinstance(value, str) and value == member.value:
            return member
    accepted = ", ".join(member.value for member in vocabulary)
    raise K8sDnsInputError(
        [f"{where} {shown(value)} is not accepted: one of {accepted}"]
    )


def raise_problems(problems: list[str]) -> None:
    """Raise :class:`K8sDnsInputError` with ``problems``, if there are any."""
    if problems:
        raise K8sDnsInputError(problems)


def int_problem(value: object, field: str, top: int, accepted: str) -> str | None:
    """Why ``value`` is not an integer 0..``top``, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{field} {shown(value)} must be an integer {accepted}"
    if not 0 <= value <= top:
        # str() of a huge int raises past Python's digit limit: say its size.
        size = str(value) if -(10**40) < value < 10**40 else "a number that large"
        return f"{field} {size} is out of range: must be {accepted}"
    return None


def shape(obj: object, *fields: tuple[str, type | tuple[type, ...], str]) -> None:
    """Refuse, naming each, fields that are not lists (or tuples) of the kind
    given: ``(field, element type, what an element is in words)``. Checked
    first, so that no later check meets a value of the wrong shape."""
    problems = []
    for name, element, words in fields:
        value = getattr(obj, name)
        if not isinstance(value, list | tuple):
            problems.append(f"{name} must be a list of {words}, not {kind(value)}")
            continue
        problems += [
            f"{name}[{i}] must be {words}, not {kind(item)}"
            for i, item in enumerate(value)
            if not isinstance(item, element)
        ]
    raise_problems(problems)


def flag(value: object, field: str) -> str | None:
    """Why ``value`` is not true or false, or None."""
    if isinstance(value, bool):
        return None
    return f"{field} must be true or false, not {kind(value)}"


def present(*problems: str | None) -> list[str]:
    """The problems that are not None."""
    return [p for p in problems if p]


def addresses(values: Iterable[object], field: str, problems: list[str]) -> list[str]:
    """The canonical text of each valid address; a problem for each other one."""
    ips = []
    for i, ip in enumerate(values):
        problem = ip_problem(ip, f"{field}[{i}]")
        if problem:
            problems.append(problem)
        else:
            assert isinstance(ip, str)
            ips.append(canonical_ip(ip))
    return ips
