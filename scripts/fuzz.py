#!/usr/bin/env python3
"""Fuzz every public parser, constructor, method and CLI verb of awscore.

The rule (issue #22): hostile input only ever raises ``awscore.errors`` types; it
never crashes, hangs or exhausts anything, and a rejected input changes no state.
Each *target* is one public callable (a function, a class, a method of a built
instance) or one CLI verb. Its inputs are drawn by hypothesis from the shared
strategies (``tests/strategies/hostile.py`` for hostile values and documents,
``tests/strategies/sigv4_hostile.py`` for hostile SigV4 requests, the module
strategies for plausible ones): each argument is a plausible value for its name
three times in four, a hostile one (a wrong kind, a 5,000-digit number, nan,
nesting 10,000 deep, text with lone surrogates) otherwise. Every input is
classified:

* **untyped**: it raised something that is not an ``AwsCoreError`` (a
  ``MemoryError`` past the memory limit included); for a CLI verb, a traceback,
  a death by signal, an exit code outside 0-3, or exit 1 without exactly one
  line on stderr;
* **hang**: it ran past the per-call time limit (``--call-timeout``);
* **state changed**: it raised an awscore error, yet the object it was called on
  (a replay window, a domain, a replay guard, a stream, a cluster) differs
  afterwards.

A Python-level call is stopped by ``SIGALRM``; a CLI verb runs in a forked child
(``awscore`` already imported, so no interpreter starts per input) under
``RLIMIT_AS`` and ``RLIMIT_CPU``, killed at the time limit, with four times a
library target's share of the time (a whole command per input is dear). The whole
run is under ``RLIMIT_AS`` too (``--memory-mib`` above its size at
start), so a memory blow-up is a ``MemoryError`` finding, not a dead machine.

Usage::

    python scripts/fuzz.py [--budget SECONDS] [--seed N] [--modules kinesis,vpn]
                           [--targets SUBSTRING,...] [--report] [--list]

``--seed`` defaults to the clock (printed first, so a run can be replayed: the
same seed and target give the same inputs). ``--budget`` is split evenly over
the selected targets. ``--report`` rewrites the fuzz table in
``docs/reliability.md``. Exit status: 0 when every target found nothing, 1
otherwise (each distinct finding is printed with its input and traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import itertools
import os
import random
import re
import resource
import runpy
import select
import signal
import sys
import tempfile
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the shared strategies live in tests/strategies
# The fuzzed credential chain must never reach a real metadata service or container
# endpoint (169.254.169.254, 169.254.170.2): those steps are off for the whole run.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
):
    os.environ.pop(_name, None)

import hypothesis  # noqa: E402 - after the path is set
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from tests.strategies import hostile, sigv4_hostile  # noqa: E402

from awscore import (  # noqa: E402
    autoscaling,
    cfn_init,
    codeartifact,
    eventbridge,
    k8s_dns,
    kinesis,
    quorum,
    sigv4,
    vpn,
)
from awscore.errors import AwsCoreError  # noqa: E402
from fuzz_targets import (  # noqa: E402
    CLI,
    COMMON,
    EXAMPLES,
    EXCLUDED,
    HUP_HOOK,
    HUP_MAIN,
    INSTANCES,
    STATE_OUTCOMES,
    File,
)

MODULES = (
    "sigv4",
    "kinesis",
    "quorum",
    "autoscaling",
    "cfn_init",
    "codeartifact",
    "k8s_dns",
    "vpn",
    "eventbridge",
)
PACKAGES: dict[str, types.ModuleType] = {
    "sigv4": sigv4,
    "kinesis": kinesis,
    "quorum": quorum,
    "autoscaling": autoscaling,
    "cfn_init": cfn_init,
    "codeartifact": codeartifact,
    "k8s_dns": k8s_dns,
    "vpn": vpn,
    "eventbridge": eventbridge,
}
OMIT = object()  # "leave this optional argument at its default"
CHUNK = 40  # inputs per hypothesis run; runs repeat until the target's time is up
TABLE_START = "<!-- fuzz-table:start -->"
TABLE_END = "<!-- fuzz-table:end -->"


class Hang(BaseException):
    """Raised by SIGALRM in a call that ran past its time limit.

    A BaseException, so the library's own ``except Exception`` cannot swallow it.
    """


# --- the generic argument drawing ------------------------------------------------


def _plausible(module: str, name: str) -> st.SearchStrategy[Any] | None:
    found = EXAMPLES[module].get(name, COMMON.get(name))
    if found is None:
        return None
    if isinstance(found, st.SearchStrategy):
        return found
    return st.sampled_from(tuple(found))


def _argument(module: str, name: str) -> st.SearchStrategy[Any]:
    plausible = _plausible(module, name)
    if plausible is None:
        return hostile.values()
    # one_of picks a branch uniformly: three plausible branches to one hostile
    return st.one_of(plausible, plausible, plausible, hostile.values())


Call = tuple[tuple[Any, ...], dict[str, Any]]


def arguments(module: str, function: Callable[..., Any]) -> st.SearchStrategy[Call]:
    """Arguments for ``function``, drawn parameter by parameter."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return st.just(((), {}))
    parts: list[tuple[str, inspect.Parameter, st.SearchStrategy[Any]]] = []
    for name, parameter in signature.parameters.items():
        if name in {"self", "cls"} or parameter.kind is parameter.VAR_KEYWORD:
            continue
        value = _argument(module, name)
        if parameter.kind is parameter.VAR_POSITIONAL:
            value = st.lists(value, max_size=3)
        elif parameter.default is not parameter.empty:
            value = st.one_of(st.just(OMIT), value)
        parts.append((name, parameter, value))

    @st.composite
    def draw_call(draw: st.DrawFn) -> Call:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional = True
        for name, parameter, strategy in parts:
            value = draw(strategy)
            if parameter.kind is parameter.VAR_POSITIONAL:
                if positional:
                    args.extend(value)
                continue
            if value is OMIT:
                positional = False  # later positionals must go by keyword
                continue
            if parameter.kind is parameter.KEYWORD_ONLY or not positional:
                if parameter.kind is parameter.POSITIONAL_ONLY:
                    continue
                kwargs[name] = value
            else:
                args.append(value)
        return tuple(args), kwargs

    return draw_call()


# --- state snapshots --------------------------------------------------------------


def snapshot(  # noqa: PLR0911 - one return per kind of value reads best
    value: object, depth: int = 0, seen: frozenset[int] = frozenset()
) -> object:
    """A comparable picture of ``value``'s state, walked to a bounded depth."""
    if value is None or isinstance(value, bool | str | bytes | Enum):
        return value
    if isinstance(value, int):
        return ("int", value.bit_length(), value % 1_000_003)
    if isinstance(value, float):
        return ("float", repr(value))  # nan equals nan as text
    if depth > 12 or id(value) in seen:
        return ("...", type(value).__name__)
    seen = seen | {id(value)}
    if isinstance(value, list | tuple):
        return (
            type(value).__name__,
            tuple(snapshot(v, depth + 1, seen) for v in value),
        )
    if isinstance(value, dict | types.MappingProxyType):
        return (
            "dict",
            tuple(
                (snapshot(k, depth + 1, seen), snapshot(v, depth + 1, seen))
                for k, v in value.items()
            ),
        )
    if isinstance(value, set | frozenset):
        return (
            "set",
            len(value),
            tuple(sorted(repr(snapshot(v, depth + 1, seen)) for v in value)),
        )
    if isinstance(value, bytearray | memoryview):
        return ("bytes", bytes(value))
    attributes: dict[str, object] = {}
    for klass in type(value).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if hasattr(value, slot):
                attributes[slot] = getattr(value, slot)
    attributes.update(getattr(value, "__dict__", {}))
    if not attributes:
        return ("opaque", type(value).__name__)
    return (
        type(value).__name__,
        tuple(
            (k, snapshot(v, depth + 1, seen))
            for k, v in sorted(attributes.items())
            if not callable(v)
        ),
    )


# --- targets --------------------------------------------------------------------


@dataclass(slots=True)
class Finding:
    """The first input that failed one way, and how often that way recurred."""

    kind: str  # "untyped", "hang", "state changed"
    signature: str
    case: str
    details: str
    count: int = 1


@dataclass(slots=True)
class Target:
    """One callable or CLI verb, its inputs, and what was found."""

    module: str
    name: str
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], object]
    state: Callable[[], object] | None = None
    prepare: Callable[[], None] | None = None
    cli: bool = False
    tried: int = 0
    untyped: int = 0
    hangs: int = 0
    changed: int = 0
    findings: dict[str, Finding] = field(default_factory=dict)

    def record(self, kind: str, signature: str, case: Any, details: str) -> None:
        if kind == "untyped":
            self.untyped += 1
        elif kind == "hang":
            self.hangs += 1
        else:
            self.changed += 1
        key = f"{kind}:{signature}"
        if key in self.findings:
            self.findings[key].count += 1
        else:
            self.findings[key] = Finding(kind, signature, _show_case(case), details)


def _show_case(case: Any) -> str:
    with contextlib.suppress(Exception):
        text = hostile_repr(case)
        return text if len(text) < 600 else text[:600] + "..."
    return "<unprintable>"


def hostile_repr(value: Any, depth: int = 0) -> str:
    """A repr that survives huge ints and deep nesting (for reports)."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() > 200
    ):
        return f"<int of {value.bit_length()} bits>"
    if depth > 6:
        return "..."
    if isinstance(value, list | tuple):
        inner = ", ".join(hostile_repr(v, depth + 1) for v in value[:8])
        more = ", ..." if len(value) > 8 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{hostile_repr(k, depth + 1)}: {hostile_repr(v, depth + 1)}"
            for k, v in list(value.items())[:8]
        )
        return "{" + inner + "}"
    if isinstance(value, str | bytes) and len(value) > 120:
        return repr(value[:120]) + f"...({len(value)} long)"
    text = repr(value)
    return text if len(text) < 200 else text[:200] + "..."


def _crash_site(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if "awscore" in f.filename] or frames
    if not inside:
        return type(error).__name__
    last = inside[-1]
    where = last.filename.split("awscore/")[-1]
    return f"{type(error).__name__} at {where}:{last.lineno}"


def _consume(result: object) -> None:
    """Run a lazy result (a generator) as far as a caller would, within reason."""
    if isinstance(result, Iterator):
        for _ in itertools.islice(result, 10_000):
            pass


def call_target(module: str, qualified: str, function: Callable[..., Any]) -> Target:
    strategy = arguments(module, function)

    def run(case: Call) -> object:
        args, kwargs = case
        result = function(*args, **kwargs)
        _consume(result)
        return result

    return Target(module, qualified, strategy, run)


def method_target(
    module: str, qualified: str, factory: Callable[[], object], method: str
) -> Target:
    holder: dict[str, object] = {}
    calls = itertools.count()

    def prepare() -> None:
        # a fresh instance now and then, so state from earlier inputs cannot pile up
        if "it" not in holder or next(calls) % 200 == 0:
            holder["it"] = factory()

    sample = getattr(factory(), method)
    strategy = arguments(module, sample)

    def run(case: Call) -> object:
        args, kwargs = case
        result = getattr(holder["it"], method)(*args, **kwargs)
        _consume(result)
        return result

    def state() -> object:
        return snapshot(holder["it"])

    return Target(module, qualified, strategy, run, state=state, prepare=prepare)


class WrongAnswerError(Exception):
    """A verifier accepted a request that does not carry the signer's signature."""


def verifier_targets() -> list[Target]:
    """``Verifier.verify`` on hostile requests, with the old fuzzer's oracle.

    Anything that verifies must carry exactly the signature the signer produced
    (compared as the verifier reads it): a tampered request that verifies is a
    finding, filed as untyped ("oracle").
    """
    verifier = sigv4_hostile.make_verifier()
    targets = []
    for label, strategy in (
        ("hostile Authorization headers", sigv4_hostile.hostile_authorization_requests),
        ("hostile presigned URLs", sigv4_hostile.hostile_presigned_requests),
        ("hostile headers", sigv4_hostile.hostile_header_requests),
        ("hostile URLs", sigv4_hostile.hostile_url_requests),
        ("hostile bodies", sigv4_hostile.hostile_body_requests),
    ):
        cases = strategy().flatmap(
            lambda c: st.tuples(st.just(c), sigv4_hostile.nows(c.original.when))
        )

        def run(case: tuple[Any, datetime]) -> object:
            hostile_case, now = case
            verified = verifier.verify(hostile_case.request, now=now)
            original = hostile_case.original
            claimed = sigv4_hostile.claimed_signatures(
                hostile_case.request, presigned=original.presigned
            )
            if claimed != [original.signature]:
                raise WrongAnswerError(
                    f"verified with signature(s) {claimed}, signed {original.signature}"
                )
            return verified

        targets.append(
            Target("sigv4", f"sigv4.Verifier.verify ({label}, oracle)", cases, run)
        )
    return targets


def _is_protocol(klass: type) -> bool:
    return bool(getattr(klass, "_is_protocol", False))


def library_targets(module: str) -> list[Target]:
    """One target per public function, class and method of ``module``."""
    package = PACKAGES[module]
    targets: list[Target] = []
    for name in package.__all__:
        obj = getattr(package, name)
        qualified = f"{module}.{name}"
        if qualified in EXCLUDED:
            continue
        if inspect.isclass(obj):
            if issubclass(obj, BaseException) or _is_protocol(obj):
                continue
            # Enum(...) is a lookup, not a parser; an abstract class has no instances
            if not issubclass(obj, Enum) and not inspect.isabstract(obj):
                targets.append(call_target(module, qualified, obj))
            for attr, raw in vars(obj).items():
                method_name = f"{qualified}.{attr}"
                if attr.startswith("_") or method_name in EXCLUDED:
                    continue
                if isinstance(raw, classmethod | staticmethod):
                    targets.append(call_target(module, method_name, getattr(obj, attr)))
                elif inspect.isfunction(raw) and qualified in INSTANCES:
                    targets.append(
                        method_target(module, method_name, INSTANCES[qualified], attr)
                    )
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            targets.append(call_target(module, qualified, obj))
    return targets


# --- CLI verbs, each in a forked child under resource limits ----------------


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-call limits."""

    seconds: float
    memory_mib: int


def _vm_bytes() -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_cli(  # noqa: PLR0915 - the child's set-up and the parent's wait, together
    argv: list[str], limits: Limits
) -> tuple[int | None, str, bool]:
    """(exit status or None if killed, stderr, timed out), from a forked child."""
    read_err, write_err = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become `awscore ARGV` under limits
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.close(read_err)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.dup2(write_err, 2)
            memory = _vm_bytes() + limits.memory_mib * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            cpu = int(limits.seconds) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            sys.stdout = io.TextIOWrapper(
                os.fdopen(1, "wb"), encoding="utf-8", errors="backslashreplace"
            )
            sys.stderr = io.TextIOWrapper(
                os.fdopen(2, "wb"),
                encoding="utf-8",
                errors="backslashreplace",
                line_buffering=True,
            )
            sys.argv = ["awscore", *argv]
            code: object = 0
            try:
                runpy.run_module("awscore", run_name="__main__", alter_sys=True)
            except SystemExit as exc:
                code = exc.code
            except BaseException:  # what the interpreter would print and exit 1 on
                traceback.print_exc()
                code = 1
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            status = code if isinstance(code, int) else (0 if code is None else 1)
            os._exit(status)
        except BaseException:
            os._exit(70)
    os.close(write_err)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.seconds
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([read_err], [], [], left)
        if ready:
            chunk = os.read(read_err, 65536)
            if not chunk:
                break
            if sum(map(len, chunks)) < 1_000_000:
                chunks.append(chunk)
    os.close(read_err)
    _, status = os.waitpid(pid, 0)
    stderr = b"".join(chunks).decode("utf-8", "replace")
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status), stderr, timed_out
    return None, stderr, timed_out


def cli_targets(module: str, limits: Limits, workdir: Path) -> list[Target]:
    targets: list[Target] = []
    hupconf = workdir / "hup"
    hupconf.mkdir(exist_ok=True)
    (hupconf / "cfn-hup.conf").write_text(HUP_MAIN)
    (hupconf / "hooks.d").mkdir(exist_ok=True)
    (hupconf / "hooks.d" / "r.conf").write_text(HUP_HOOK)
    counter = itertools.count()
    for verb, template in CLI[module]:
        parts = [
            p if isinstance(p, st.SearchStrategy) else st.just(p) for p in template
        ]
        strategy = st.tuples(*parts)

        def run(case: tuple[Any, ...], verb: str = verb) -> object:
            argv: list[str] = []
            for part in case:
                if isinstance(part, File):
                    path = workdir / f"input-{next(counter) % 8}"
                    path.write_bytes(part.contents)
                    argv.append(str(path))
                elif part == "@ROOT@":
                    root = workdir / "root"
                    root.mkdir(exist_ok=True)
                    argv.append(str(root))
                elif part == "@HUPCONF@":
                    argv.append(str(hupconf))
                else:
                    argv.append(part)
            code, stderr, timed_out = run_cli(argv, limits)
            if timed_out:
                raise Hang(f"awscore {' '.join(argv[:2])} ran past {limits.seconds}s")
            if "Traceback (most recent call last)" in stderr:
                raise CliContractError(f"traceback: {_traceback_site(stderr)}", stderr)
            if code is None:
                raise CliContractError("killed by a signal (a resource limit?)", stderr)
            if code not in (0, 1, 2, 3, 130):
                raise CliContractError(f"exit {code}", stderr)
            if code == 1 and stderr.count("\n") != 1:
                raise CliContractError(
                    f"exit 1 with {stderr.count(chr(10))} lines on stderr", stderr
                )
            return code

        targets.append(
            Target(
                module,
                f"cli: awscore {template[0]} {verb}".replace(
                    f"{template[0]} {template[0]}", template[0]
                ),
                strategy,
                run,
                cli=True,
            )
        )
    return targets


_FRAME = re.compile(r'File "[^"]*awscore/([^"]+)", line (\d+)')


def _traceback_site(stderr: str) -> str:
    """``Error at module.py:line`` from a printed traceback (one finding per site)."""
    last = stderr.strip().splitlines()[-1]
    error = last.split(":", 1)[0][:60]
    frames = _FRAME.findall(stderr)
    return f"{error} at {frames[-1][0]}:{frames[-1][1]}" if frames else error


class CliContractError(Exception):
    """A CLI run that broke the exit-code contract."""

    def __init__(self, summary: str, stderr: str) -> None:
        super().__init__(summary)
        self.stderr = stderr


# --- running -----------------------------------------------------------------------


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


def one_input(target: Target, case: Any, limits: Limits) -> None:
    """Run ``case`` through ``target`` and file its outcome."""
    target.tried += 1
    WATCH.update(target=target.name, started=time.monotonic())
    if target.prepare is not None:
        target.prepare()
    before = target.state() if target.state is not None else None
    if target.cli:
        try:
            target.run(case)
        except Hang as exc:
            target.record("hang", str(exc) or "timeout", case, "")
        except CliContractError as exc:
            target.record("untyped", str(exc), case, exc.stderr[-2000:])
        return
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)
    try:
        target.run(case)
    except Hang:
        signal.setitimer(signal.ITIMER_REAL, 0)
        target.record("hang", f"ran past {limits.seconds}s", case, "")
        return
    except AwsCoreError as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if isinstance(exc, STATE_OUTCOMES.get(target.name, ())):
            return
        if target.state is not None and target.state() != before:
            target.record(
                "state changed", "a rejected input changed the object", case, ""
            )
        return
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        details = "".join(traceback.format_exception(exc))[-3000:]
        target.record("untyped", _crash_site(exc), case, details)
        return
    signal.setitimer(signal.ITIMER_REAL, 0)


#: What the watchdog thread reads: the target running and when its call started.
WATCH: dict[str, Any] = {}


def fuzz_target(target: Target, seed: int, seconds: float, limits: Limits) -> None:
    """Feed ``target`` hypothesis-drawn inputs for ``seconds``."""
    deadline = time.monotonic() + seconds
    base = random.Random(f"{seed}:{target.name}").getrandbits(64)  # noqa: S311

    def body(case: Any) -> None:
        if time.monotonic() < deadline:
            one_input(target, case, limits)

    for chunk in itertools.count():
        if time.monotonic() >= deadline:
            break
        run = settings(
            max_examples=CHUNK,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=False,
        )(hypothesis.seed(base + chunk)(hypothesis.given(target.strategy)(body)))
        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            break
        except Exception as exc:
            target.record(
                "untyped",
                f"fuzzer: {_crash_site(exc)}",
                None,
                traceback.format_exc()[-2000:],
            )
            break


def select_targets(
    args: argparse.Namespace, limits: Limits, workdir: Path
) -> list[Target]:
    modules = (
        [m.strip() for m in args.modules.split(",")] if args.modules else list(MODULES)
    )
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        raise SystemExit(
            f"fuzz.py: unknown modules {unknown}; known: {', '.join(MODULES)}"
        )
    targets: list[Target] = []
    for module in modules:
        if not args.no_library:
            targets.extend(library_targets(module))
            if module == "sigv4":
                targets.extend(verifier_targets())
        if not args.no_cli:
            targets.extend(cli_targets(module, limits, workdir))
    if args.targets:
        wanted = [w.strip() for w in args.targets.split(",") if w.strip()]
        targets = [t for t in targets if any(w in t.name for w in wanted)]
    return targets


CLI_WEIGHT = 4


def _weight(target: Target) -> int:
    return CLI_WEIGHT if target.cli else 1


def table(
    targets: Sequence[Target], *, seed: int, budget: float, elapsed: float
) -> str:
    """The per-target table, as Markdown."""
    lines = [
        f"Seed {seed}, budget {budget:.0f} s ({elapsed:.0f} s run), "
        f"{sum(t.tried for t in targets):,} inputs over {len(targets)} targets, "
        f"{datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| module | target | inputs tried | untyped | hangs | state changed |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for t in targets:
        lines.append(
            f"| {t.module} | `{t.name}` | {t.tried:,} | {t.untyped} | {t.hangs} "
            f"| {t.changed} |"
        )
    return "\n".join(lines) + "\n"


def write_report(text: str, page: Path) -> None:
    content = page.read_text(encoding="utf-8")
    start, end = content.index(TABLE_START), content.index(TABLE_END)
    page.write_text(
        content[: start + len(TABLE_START)] + "\n\n" + text + "\n" + content[end:],
        encoding="utf-8",
    )


def _watchdog(limits: Limits, state: dict[str, Any]) -> None:
    """If one call outlives SIGALRM (stuck in C code), report it and stop the run."""
    while True:
        time.sleep(1)
        started = state.get("started")
        if (
            started is not None
            and time.monotonic() - started > 10 * limits.seconds + 10
        ):
            sys.stderr.write(
                f"\nfuzz.py: HANG in {state.get('target')} (stuck in C code past "
                f"{10 * limits.seconds + 10:.0f}s): exiting\n"
            )
            os._exit(1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds in all")
    parser.add_argument("--seed", type=int, default=None, help="default: the clock")
    parser.add_argument("--modules", help="comma-separated modules (default: all)")
    parser.add_argument("--targets", help="comma-separated substrings of target names")
    parser.add_argument(
        "--call-timeout", type=float, default=3.0, help="seconds per call"
    )
    parser.add_argument("--memory-mib", type=int, default=1024, help="memory per call")
    parser.add_argument("--no-cli", action="store_true", help="library targets only")
    parser.add_argument("--no-library", action="store_true", help="CLI targets only")
    parser.add_argument(
        "--report", action="store_true", help="rewrite docs/reliability.md's table"
    )
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    limits = Limits(seconds=args.call_timeout, memory_mib=args.memory_mib)
    print(f"fuzz.py: seed {seed} (replay with --seed {seed})", flush=True)
    with tempfile.TemporaryDirectory(prefix="awscore-fuzz-") as tmp:
        targets = select_targets(args, limits, Path(tmp))
        if args.list:
            for t in targets:
                print(f"{t.module:13} {t.name}")
            return 0
        if not targets:
            print("fuzz.py: no target matches", file=sys.stderr)
            return 2
        memory = _vm_bytes() + 3 * args.memory_mib * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, resource.RLIM_INFINITY))
        signal.signal(signal.SIGALRM, _alarm)
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
        threading.Thread(target=_watchdog, args=(limits, WATCH), daemon=True).start()
        started = time.monotonic()
        for index, target in enumerate(targets):
            # A CLI input costs a fork and a whole command: those targets get
            # CLI_WEIGHT times a library target's share of what is left.
            remaining = args.budget - (time.monotonic() - started)
            weights = sum(_weight(t) for t in targets[index:])
            share = max(remaining * _weight(target) / weights, 0.05)
            fuzz_target(target, seed, share, limits)
            WATCH["started"] = None
        elapsed = time.monotonic() - started
    report = table(targets, seed=seed, budget=args.budget, elapsed=elapsed)
    print(report)
    failed = [t for t in targets if t.findings]
    for t in failed:
        for f in t.findings.values():
            print(
                f"--- {t.name}: {f.kind}: {f.signature} (x{f.count})\n"
                f"    input: {f.case}"
            )
            if f.details:
                print("    " + f.details.strip().replace("\n", "\n    ")[-1500:])
    if args.report:
        write_report(report, ROOT / "docs" / "reliability.md")
    total = sum(t.tried for t in targets)
    print(
        f"fuzz.py: {total:,} inputs, {len(failed)} of {len(targets)} targets with "
        f"findings (seed {seed})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
