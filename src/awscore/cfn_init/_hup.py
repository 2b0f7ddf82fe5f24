"""cfn-hup: its configuration files and the decision of which hooks fire.

Sources: CloudFormation User Guide, "cfn-hup" (``cfn-hup.conf``'s ``[main]``:
``stack``, ``region`` default us-east-1, ``interval`` in minutes default 15,
``verbose``; hooks in ``hooks.conf`` and ``hooks.d/*`` with ``triggers``,
``path``, ``action``, ``runas``), and aws-cfn-bootstrap's behaviour: the files
are read with configparser, so sections of the same name merge; the last value
seen for a path is kept per hook, saved only when the action succeeds.
"""

from __future__ import annotations

import configparser
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from awscore._inputs import shown
from awscore.cfn_init._validate import is_digits, kind_of, require
from awscore.errors import CfnInitArgumentError, CfnInitInputError

__all__ = [
    "Hook",
    "HookFiring",
    "HookPath",
    "HupConfig",
    "HupDecision",
    "Trigger",
    "hooks_to_fire",
]

_MAIN_KEYS = frozenset(
    {"stack", "region", "interval", "verbose", "credential-file", "role", "umask"}
)
_HOOK_KEYS = frozenset({"triggers", "path", "action", "runas"})
_KINDS = ("Metadata", "PhysicalResourceId")


class Trigger(StrEnum):
    """When a hook fires."""

    ADD = "post.add"  # no value before, one now
    UPDATE = "post.update"  # a value before and now, different
    REMOVE = "post.remove"  # a value before, none now


@dataclass(frozen=True, slots=True, kw_only=True)
class HookPath:
    """``Resources.<Id>[.Metadata|.PhysicalResourceId][.sub.path]``."""

    resource: str
    kind: str | None = None
    sub_path: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> HookPath:
        """Parse a hook's ``path``; raises CfnInitInputError when malformed."""
        require(text, str, "path", "text")
        parts = text.split(".")
        if len(parts) < 2 or parts[0] != "Resources" or not parts[1]:
            raise CfnInitInputError(
                [f"path {text!r}: must be Resources.<LogicalId>[.Metadata...]"]
            )
        kind = parts[2] if len(parts) > 2 else None
        if kind is not None and kind not in _KINDS:
            raise CfnInitInputError(
                [
                    f"path {text!r}: after the resource comes Metadata or "
                    f"PhysicalResourceId, not {kind!r}"
                ]
            )
        sub = tuple(parts[3:])
        if kind == "PhysicalResourceId" and sub:
            raise CfnInitInputError(
                [f"path {text!r}: PhysicalResourceId has no sub-path"]
            )
        if any(not p for p in sub):
            raise CfnInitInputError([f"path {text!r}: has an empty component"])
        return cls(resource=parts[1], kind=kind, sub_path=sub)

    @property
    def parts(self) -> tuple[str, ...]:
        """``Resources``, the logical id, the kind if any, then the sub-path."""
        kind = (self.kind,) if self.kind else ()
        return ("Resources", self.resource, *kind, *self.sub_path)

    def __str__(self) -> str:
        return ".".join(self.parts)

    def lookup(self, document: object) -> tuple[bool, object]:
        """``(found, value)`` of this path in a stack document.

        The document maps ``Resources`` to each resource's ``Metadata`` and
        ``PhysicalResourceId``; a JSON null counts as absent.
        """
        value: object = document
        for part in self.parts:
            if not isinstance(value, Mapping) or part not in value:
                return False, None
            value = value[part]
        return value is not None, value


@dataclass(frozen=True, slots=True, kw_only=True)
class Hook:
    """A named hook: its triggers, the watched path, the action and its user."""

    name: str
    triggers: frozenset[Trigger]
    path: HookPath
    action: str
    runas: str | None = None

    @property
    def state_key(self) -> str:
        """The key of this hook's last seen value in the stored state."""
        return f"{self.name}|{self.path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class HupConfig:
    """cfn-hup's configuration: ``[main]`` and every hook."""

    stack: str
    region: str = "us-east-1"
    interval: int = 15
    verbose: bool = False
    credential_file: str | None = None
    role: str | None = None
    umask: str | None = None
    hooks: tuple[Hook, ...] = ()

    @classmethod
    def parse(
        cls, main: str, hooks: Mapping[str, str] | Sequence[str] = ()
    ) -> HupConfig:
        """Parse ``cfn-hup.conf`` text and the hook files' texts, in order.

        ``hooks`` maps file names (for messages) to texts, or is a sequence of
        texts. configparser semantics: same-named sections merge, a later value
        wins. Raises :class:`~awscore.errors.CfnInitInputError` listing every
        problem.
        """
        require(main, str, "main", "the text of cfn-hup.conf")
        require(hooks, (Mapping, list, tuple), "hooks", "a mapping or list of texts")
        named = (
            list(hooks.items())
            if isinstance(hooks, Mapping)
            else [(f"hooks[{i}]", t) for i, t in enumerate(hooks)]
        )
        for name, text in named:
            if not isinstance(name, str):
                raise CfnInitArgumentError(
                    [f"hooks: a file name must be text, not {kind_of(name)}"]
                )
            require(text, str, f"hooks: {shown(name)}", "the text of a hook file")
        problems: list[str] = []
        main_parser = _read([("cfn-hup.conf", main)], problems)
        settings = _main(main_parser, problems)
        hook_parser = _read(named, problems)
        parsed = []
        if hook_parser is not None:
            for section in hook_parser.sections():
                hook = _hook(section, hook_parser[section], problems)
                if hook is not None:
                    parsed.append(hook)
        if problems or settings is None:
            raise CfnInitInputError(problems)
        return cls(hooks=tuple(parsed), **settings)

    @classmethod
    def from_directory(cls, directory: str | os.PathLike[str]) -> HupConfig:
        """Read ``cfn-hup.conf``, ``hooks.conf`` and ``hooks.d/*`` (by name).

        The files are UTF-8; one that is not raises
        :class:`~awscore.errors.CfnInitInputError` naming it.
        """
        root = Path(directory)
        main = _read_file(root, "cfn-hup.conf")
        texts: dict[str, str] = {}
        if (root / "hooks.conf").is_file():
            texts["hooks.conf"] = _read_file(root, "hooks.conf")
        hooks_d = root / "hooks.d"
        if hooks_d.is_dir():
            for path in sorted(hooks_d.iterdir()):
                if path.is_file():
                    name = f"hooks.d/{path.name}"
                    texts[name] = _read_file(root, name)
        return cls.parse(main, texts)


def _read_file(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CfnInitInputError(
            [f"{name}: not UTF-8 text (byte {exc.start})"]
        ) from None


def _read(
    texts: Iterable[tuple[str, str]], problems: list[str]
) -> configparser.ConfigParser | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    for name, text in texts:
        try:
            parser.read_string(text, source=name)
        except configparser.Error as exc:
            problems.append(f"{name}: {str(exc).splitlines()[0]}")
            return None
    return parser


def _main(
    parser: configparser.ConfigParser | None, problems: list[str]
) -> dict[str, Any] | None:
    if parser is None:
        return None
    if not parser.has_section("main"):
        problems.append("cfn-hup.conf: needs a [main] section")
        return None
    main = parser["main"]
    for key in main:
        if key not in _MAIN_KEYS:
            problems.append(
                f"cfn-hup.conf [main].{key}: unknown option; accepted: "
                + ", ".join(sorted(_MAIN_KEYS))
            )
    settings: dict[str, Any] = {}
    stack = main.get("stack", "").strip()
    if not stack:
        problems.append("cfn-hup.conf [main].stack: is required")
    settings["stack"] = stack
    settings["region"] = main.get("region", "us-east-1").strip() or "us-east-1"
    interval = main.get("interval", "15").strip()
    # at most nine digits: a bound before int(), whose own limit raises bare
    if not is_digits(interval) or len(interval) > 9 or int(interval) < 1:
        problems.append(
            f"cfn-hup.conf [main].interval: must be a whole number of minutes "
            f"(at most 9 digits), at least 1, not {interval[:20]!r}"
            + ("..." if len(interval) > 20 else "")
        )
    else:
        settings["interval"] = int(interval)
    verbose = main.get("verbose", "false").strip().lower()
    if verbose not in configparser.ConfigParser.BOOLEAN_STATES:
        problems.append(
            f"cfn-hup.conf [main].verbose: must be true or false, not {verbose!r}"
        )
    else:
        settings["verbose"] = configparser.ConfigParser.BOOLEAN_STATES[verbose]
    for key in ("credential-file", "role", "umask"):
        if key in main:
            settings[key.replace("-", "_")] = main[key].strip()
    return settings


def _hook(
    name: str, section: configparser.SectionProxy, problems: list[str]
) -> Hook | None:
    where = f"hook [{name}]"
    count = len(problems)
    for key in section:
        if key not in _HOOK_KEYS:
            problems.append(
                f"{where}.{key}: unknown option; accepted: "
                + ", ".join(sorted(_HOOK_KEYS))
            )
    for key in ("triggers", "path", "action"):
        if not section.get(key, "").strip():
            problems.append(f"{where}.{key}: is required")
    triggers: set[Trigger] = set()
    for raw in section.get("triggers", "").split(","):
        word = raw.strip()
        if not word:
            continue
        try:
            triggers.add(Trigger(word))
        except ValueError:
            problems.append(
                f"{where}.triggers: {word!r} is not post.add, post.update or "
                "post.remove"
            )
    path = None
    if section.get("path", "").strip():
        try:
            path = HookPath.parse(section["path"].strip())
        except CfnInitInputError as exc:
            problems.extend(f"{where}.{p}" for p in exc.problems)
    if len(problems) > count or path is None:
        return None
    runas = section.get("runas", "").strip() or None
    return Hook(
        name=name,
        triggers=frozenset(triggers),
        path=path,
        action=section["action"].strip(),
        runas=runas,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class HookFiring:
    """A hook to run: why, with which values, and the environment it gets.

    ``environment`` holds ``CFN_OLD_METADATA`` and ``CFN_NEW_METADATA``, each the
    JSON of the value (``null`` when there is none).
    """

    hook: Hook
    trigger: Trigger
    old: object
    new: object
    environment: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class HupDecision:
    """Which hooks fire, and the state to save for the others right away.

    ``baseline`` maps state keys to the value to store now (None: delete it) for
    hooks that do not fire; a firing hook's new value is stored only when its
    action succeeds (:meth:`next_state`).
    """

    firings: tuple[HookFiring, ...]
    baseline: Mapping[str, object]

    def next_state(
        self, state: Mapping[str, object], succeeded: Iterable[str]
    ) -> dict[str, object]:
        """The state after the actions of the hooks named in ``succeeded`` ran."""
        done = set(succeeded)
        result = dict(state)
        updates = dict(self.baseline)
        for firing in self.firings:
            if firing.hook.name in done:
                updates[firing.hook.state_key] = firing.new
        for key, value in updates.items():
            if value is None:
                result.pop(key, None)
            else:
                result[key] = value
        return result


#: How deeply a stack document may nest (cfn-hup compares documents as JSON;
#: past this the comparison would exhaust the stack).
MAX_DOCUMENT_DEPTH = 200


def _check_depth(document: object, what: str) -> None:
    """Refuse a document nested past :data:`MAX_DOCUMENT_DEPTH`, walked without
    recursion."""
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DOCUMENT_DEPTH:
            raise CfnInitInputError(
                [f"{what}: the document nests deeper than {MAX_DOCUMENT_DEPTH}"]
            )
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple):
            stack.extend((v, depth + 1) for v in value)


def hooks_to_fire(
    config: HupConfig | Sequence[Hook],
    state: Mapping[str, object],
    new: object,
) -> HupDecision:
    """Decide which hooks fire, given the stored state and the new stack document.

    ``state`` maps each hook's :attr:`Hook.state_key` to the last value saved;
    ``new`` is the stack document (``{"Resources": {"MyInstance": {"Metadata":
    ..., "PhysicalResourceId": ...}}}``). A hook fires ``post.add`` when there is
    no old value and a new one, ``post.remove`` when there is an old value and
    none now, ``post.update`` when both exist and differ as structured JSON.
    A hook that does not fire stores the new value at once (so an update-only
    hook with no stored state records a baseline).
    """
    if isinstance(config, HupConfig):
        hooks = config.hooks
    elif isinstance(config, Sequence) and all(isinstance(h, Hook) for h in config):
        hooks = tuple(config)
    else:
        raise CfnInitInputError(["config: must be a HupConfig or a list of hooks"])
    if not isinstance(state, Mapping):
        raise CfnInitInputError(["state: must be a mapping of hook keys to values"])
    _check_depth(new, "new")
    for key, value in state.items():
        _check_depth(value, f"state[{key!r}]")
    firings = []
    baseline: dict[str, object] = {}
    for hook in hooks:
        old = state.get(hook.state_key)
        found, value = hook.path.lookup(new)
        value = value if found else None
        if old is None and value is not None:
            event: Trigger | None = Trigger.ADD
        elif old is not None and value is None:
            event = Trigger.REMOVE
        elif old is not None and old != value:
            event = Trigger.UPDATE
        else:
            event = None
        if event is not None and event in hook.triggers:
            firings.append(
                HookFiring(
                    hook=hook,
                    trigger=event,
                    old=old,
                    new=value,
                    environment={
                        "CFN_OLD_METADATA": json.dumps(old),
                        "CFN_NEW_METADATA": json.dumps(value),
                    },
                )
            )
        elif old != value:
            baseline[hook.state_key] = value
    return HupDecision(firings=tuple(firings), baseline=baseline)
