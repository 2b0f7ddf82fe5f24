"""pytest configuration for the benchmarks: collect ``bench_*.py``.

The root ``pyproject.toml`` points pytest at ``tests/`` only, so a plain
``python -m pytest`` never loads this file and never runs a benchmark;
``python -m pytest benchmarks/`` does, and this hook makes pytest collect the
``bench_<module>.py`` files it would otherwise skip (they do not match
``test_*.py``).
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

#: The distributions whose versions a benchmark result depends on.
PACKAGES = (
    "awscore",
    "botocore",
    "awscrt",
    "requests-aws4auth",
    "requests",
    "cryptography",
    "aws-kinesis-agg",
    "protobuf",
    "dnspython",
    "moto",
    "boto3",
    "scapy",
    "PyYAML",
    "pytest-benchmark",
)


def pytest_collect_file(
    parent: pytest.Collector, file_path: Path
) -> pytest.Module | None:
    # A file named on the command line is collected by pytest itself already.
    if parent.session.isinitpath(file_path):
        return None
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        module: pytest.Module = pytest.Module.from_parent(parent, path=file_path)
        return module
    return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def pytest_benchmark_update_machine_info(
    config: pytest.Config, machine_info: dict[str, Any]
) -> None:
    """Record what the README's table needs to say where its numbers came from."""
    machine_info["awscore_bench"] = {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {name: _version(name) for name in PACKAGES},
    }
