"""Run the case table against the real glibc and musl, and compare with awscore.

:func:`build` compiles ``gai.c`` with ``gcc`` (glibc) and ``musl-gcc -static``
(musl); :func:`measure` runs the cases in a few network namespaces at once
(``unshare --mount --net``, see ``namespace.py``), so the seconds spent waiting on
SERVFAIL, REFUSED and silent servers overlap; :func:`compare` lists every way
awscore's prediction departs from a measurement; :func:`table` renders the docs'
glibc-vs-musl table from measurements.

``python -m tests.k8s_dns.libc.harness --write`` (as root) re-measures and writes
the committed table, ``tests/k8s_dns/libc/table.md``, which the docs include.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awscore.k8s_dns import Resolution, resolve_with
from awscore.k8s_dns._resolve import LIBCS, Libc
from tests.k8s_dns.libc.cases import ADDRESSES, Case, all_cases, lookups

HERE = Path(__file__).resolve().parent
TABLE = HERE / "table.md"
#: Namespaces run at once; most of a namespace's time is spent waiting.
PARALLEL = 6
#: How far a measured wait may come after the predicted one (a loaded machine
#: is late, never early), and how much earlier (the libcs' millisecond clocks).
LATE, EARLY = 0.35, 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class Measured:
    """What one libc did for one case: its output line and logged datagrams."""

    case: str
    libc: Libc
    result: str
    datagrams: tuple[dict[str, Any], ...]


def build(directory: Path) -> dict[Libc, Path]:
    """Compile the getaddrinfo program against each libc."""
    source = HERE / "gai.c"
    programs: dict[Libc, Path] = {
        "glibc": directory / "gai-glibc",
        "musl": directory / "gai-musl",
    }
    glibc = ["gcc", "-O2", "-o", str(programs["glibc"]), str(source)]
    musl = ["musl-gcc", "-static", "-O2", "-o", str(programs["musl"]), str(source)]
    for command in (glibc, musl):
        # the compilers from PATH (require_tool checked them), fixed arguments
        subprocess.run(command, check=True)  # noqa: S603
    return programs


def _batches(cases: tuple[Case, ...], count: int) -> list[list[Case]]:
    # longest first onto the lightest batch: the waiting cases spread out
    batches: list[list[Case]] = [[] for _ in range(count)]
    loads = [0] * count
    for case in sorted(cases, key=lambda c: -c.weight):
        lightest = loads.index(min(loads))
        batches[lightest].append(case)
        loads[lightest] += case.weight
    return [b for b in batches if b]


def _run_batch(batch: list[Case], programs: dict[Libc, Path]) -> list[Measured]:
    payload = json.dumps(
        {
            "addresses": list(ADDRESSES),
            "programs": {libc: str(path) for libc, path in programs.items()},
            "cases": [case.wire() for case in batch],
        }
    )
    done = subprocess.run(  # noqa: S603 - unshare from PATH, this interpreter
        [  # noqa: S607
            "unshare",
            "--mount",
            "--net",
            "--",
            sys.executable,
            str(HERE / "namespace.py"),
        ],
        input=payload,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"libc harness namespace failed: {done.stderr.strip()}")
    out = []
    for line in done.stdout.splitlines():
        row = json.loads(line)
        out.append(
            Measured(
                case=row["case"],
                libc=row["libc"],
                result=row["result"],
                datagrams=tuple(row["datagrams"]),
            )
        )
    return out


def measure(
    cases: tuple[Case, ...], programs: dict[Libc, Path]
) -> dict[tuple[str, Libc], Measured]:
    """Run every case under both libcs; keyed by (case id, libc)."""
    batches = _batches(cases, PARALLEL)
    with ThreadPoolExecutor(len(batches)) as pool:
        results = list(pool.map(lambda b: _run_batch(b, programs), batches))
    return {(m.case, m.libc): m for batch in results for m in batch}


def predict(case: Case, libc: Libc, rotate_start: int = 0) -> Resolution:
    """awscore's prediction for ``case`` under ``libc``."""
    servers = lookups(case)
    return resolve_with(
        case.conf,
        case.name,
        servers[case.nameservers[0]],
        libc=libc,
        family=case.family,
        servers=servers,
        rotate_start=rotate_start,
    )


def _measured_attempts(measured: Measured, libc: Libc, interval: float) -> list[int]:
    """Each datagram's attempt number, read off the wire.

    glibc re-sends the same query (same ID, name and type) once per try of each
    server; musl re-sends a round every ``interval`` seconds, and its immediate
    SERVFAIL re-sends belong to the round they answer. The name and type are part
    of the key: two questions of one lookup can draw the same random ID.
    """
    seen: dict[tuple[int, str, str, str], int] = {}
    first: dict[tuple[int, str, str], float] = {}
    attempts = []
    for d in measured.datagrams:
        if libc == "glibc":
            key = (d["id"], d["server"], d["qname"], d["qtype"])
            seen[key] = seen.get(key, 0) + 1
            attempts.append(seen[key])
        else:
            start = first.setdefault((d["id"], d["qname"], d["qtype"]), d["at"])
            attempts.append(int((d["at"] - start) / interval + 0.3) + 1)
    return attempts


def _unreadable_match(logged: str, predicted: str) -> bool:
    """A question no server could read is logged as its bytes: it is the
    predicted name with an empty label when those bytes spell its labels."""
    if not logged.startswith("malformed:") or ".." not in predicted:
        return False
    return predicted.rstrip(".").encode().hex() in logged


def compare(case: Case, libc: Libc, measured: Measured) -> list[str]:
    """How awscore's prediction departs from ``measured`` (empty: it agrees).

    Compared: the getaddrinfo result (addresses as a set), and for every
    datagram in order its server, qname, qtype, attempt number, EDNS and AD
    flags, and the wait before it. With ``rotate`` glibc starts at a random
    nameserver: the prediction must agree for one of the possible starts.
    """
    starts = range(len(case.nameservers)) if "rotate" in case.options else range(1)
    problems: list[str] = []
    for start in starts:
        problems = differences(case, libc, measured, predict(case, libc, start))
        if not problems:
            return []
    return problems


def differences(
    case: Case, libc: Libc, measured: Measured, predicted: Resolution
) -> list[str]:
    """Every way ``predicted`` departs from ``measured`` (see :func:`compare`)."""
    problems = []
    want = measured.result.split()
    got = predicted.result.text.split()
    if want[:1] != got[:1] or sorted(want[1:]) != sorted(got[1:]):
        problems.append(
            f"result: measured {measured.result!r}, awscore {predicted.result.text!r}"
        )
    conf = case.conf
    interval = conf.timeout / max(min(conf.attempts, 10), 1)
    attempts = _measured_attempts(measured, libc, interval)
    real = [
        (d["server"], d["qname"], d["qtype"], n, d["edns0"], d["ad"])
        for d, n in zip(measured.datagrams, attempts, strict=True)
    ]
    ours = [
        (d.server, d.qname, d.qtype, d.attempt, d.edns0, d.ad)
        for d in predicted.datagrams
    ]
    for i, (mine, theirs) in enumerate(zip(ours, real, strict=False)):
        if _unreadable_match(theirs[1], mine[1]):
            real[i] = (theirs[0], mine[1], mine[2], *theirs[3:])
    if real != ours:
        problems.append(f"datagrams: measured {real}, awscore {ours}")
        return problems
    previous = 0.0
    for i, (d, p) in enumerate(
        zip(measured.datagrams, predicted.datagrams, strict=True)
    ):
        wait = d["at"] - previous
        previous = d["at"]
        if not p.wait - EARLY <= wait <= p.wait + LATE:
            problems.append(
                f"datagram {i + 1}: waited {wait:.3f}s, awscore {p.wait:.3f}s"
            )
    return problems


# --- the docs table -----------------------------------------------------------


def _trace(measured: Measured) -> str:
    """A datagram count and the total wait, e.g. ``6 (1.0 s)``."""
    count = len(measured.datagrams)
    if not count:
        return "0"
    # rounded to half seconds: what a reader compares, and stable run to run
    span = round(measured.datagrams[-1]["at"] * 2) / 2
    return f"{count} ({span:.1f} s)" if span else str(count)


def table(measurements: dict[tuple[str, Libc], Measured]) -> str:
    """The Markdown table of the cases marked for the docs, from measurements."""
    lines = [
        "| Case | glibc 2.36: datagrams | glibc result "
        "| musl 1.2.3: datagrams | musl result |",
        "| --- | --- | --- | --- | --- |",
    ]
    for case in all_cases():
        if case.table is None:
            continue
        g, m = measurements[case.id, "glibc"], measurements[case.id, "musl"]
        cells = (case.table, _trace(g), f"`{g.result}`", _trace(m), f"`{m.result}`")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure every case and write the docs table (``--write``)."""
    with tempfile.TemporaryDirectory() as directory:
        programs = build(Path(directory))
        cases = all_cases()
        measurements = measure(cases, programs)
    failures = 0
    for case in cases:
        for libc in LIBCS:
            problems = compare(case, libc, measurements[case.id, libc])
            if problems:
                failures += 1
                print(f"{case.id} [{libc}]:", *problems, sep="\n  ")
    print(f"{len(cases) * 2 - failures}/{len(cases) * 2} agree")
    if "--write" in sys.argv:
        TABLE.write_text(table(measurements))


if __name__ == "__main__":
    main()
