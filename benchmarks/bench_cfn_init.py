"""cfn-init planning and template loading on a large metadata.

Workloads:

* **cfn-init-plan**: ``plan()`` of a metadata with 20 configs, each with 50
  packages over 5 managers, 20 groups, 20 users, 50 files, 50 commands and 10
  services (4,000 items), run through two config sets that name every config
  twice (8,400 actions, every item validated). The floor sorts the same keys
  per section with ``sorted()`` and builds one tuple per action: the least any
  planner must do.
* **cfn-init-template**: ``load_init_metadata()`` of the same metadata written as
  a YAML template where every file's content is a ``!Sub`` (1,000 intrinsics).
  The floor is PyYAML's pure-Python ``SafeLoader`` on the same text (no
  intrinsics resolved), the parser awscore's ``CfnYamlLoader`` extends; ``libyaml``
  is PyYAML's C ``CSafeLoader``, for scale (when PyYAML was built with it).

Implementations (``benchmark.extra_info["implementation"]``): ``awscore``,
``floor`` and ``libyaml``; there is no other library that plans cfn-init
metadata. The machine is shared: compare ratios within one run.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tests.conftest import require_peer

from awscore.cfn_init import load_init_metadata, plan

CONFIGS = 20
MANAGERS = ("yum", "python", "apt", "rubygems", "rpm")


def big_metadata(*, sub: bool = False) -> dict[str, Any]:
    """20 configs of 210 items each, and two sets naming every config twice."""
    metadata: dict[str, Any] = {}
    for c in range(CONFIGS):
        files: dict[str, Any] = {}
        for i in range(50):
            content: object = f"file {i} of config {c}"
            if sub:
                content = {"Fn::Sub": "${AWS::StackName} file " + str(i)}
            files[f"/etc/app{c}/f{(i * 7919) % 50:03d}"] = {"content": content}
        metadata[f"config{c}"] = {
            # an rpm package is its location (cfn-init 2.0 skips one without)
            "packages": {
                m: {
                    f"pkg{c}-{m}-{i}": [f"https://repo/p{i}.rpm"] if m == "rpm" else []
                    for i in range(10)
                }
                for m in MANAGERS
            },
            "groups": {f"g{(i * 31) % 20}": {"gid": str(1000 + i)} for i in range(20)},
            "users": {f"u{(i * 13) % 20}": {"uid": str(2000 + i)} for i in range(20)},
            "files": files,
            "commands": {
                f"{(i * 37) % 50}_cmd": {"command": f"echo {i}", "ignoreErrors": "yes"}
                for i in range(50)
            },
            "services": {
                "systemd": {
                    f"svc{i}": {"enabled": True, "files": [f"/etc/app{c}/f001"]}
                    for i in range(10)
                }
            },
        }
    names = [f"config{c}" for c in range(CONFIGS)]
    metadata["configSets"] = {"first": names, "second": [{"ConfigSet": "first"}, names]}
    return metadata


METADATA = big_metadata()
SETS = ("first", "second")


def floor_plan(metadata: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Sort each section's keys and build one tuple per action: no validation."""
    runs = [name for _ in range(3) for name in metadata["configSets"]["first"]]
    actions: list[tuple[str, str, str]] = []
    for config in runs:
        body = metadata[config]
        for manager in body["packages"]:
            actions.extend(
                (config, "packages", name) for name in body["packages"][manager]
            )
        for section in ("groups", "users", "files", "commands"):
            actions.extend((config, section, key) for key in sorted(body[section]))
        actions.extend((config, "services", k) for k in body["services"]["systemd"])
    return actions


@pytest.mark.parametrize("implementation", ["awscore", "floor"])
def test_plan(benchmark: Any, implementation: str) -> None:
    benchmark.group = "cfn-init-plan"
    benchmark.extra_info["implementation"] = implementation
    benchmark.extra_info["workload"] = "20 configs x 210 items, run 3 times"
    if implementation == "awscore":
        result = benchmark(plan, METADATA, SETS)
        count = len(result.actions)
    else:
        count = len(benchmark(floor_plan, METADATA))
    assert count == 3 * CONFIGS * (50 + 20 + 20 + 50 + 50 + 10)


def template_text() -> str:
    init = big_metadata(sub=True)
    template = {"Resources": {"Box": {"Metadata": {"AWS::CloudFormation::Init": init}}}}
    text: str = yaml.safe_dump(template)
    return text


TEMPLATE = template_text()


@pytest.mark.parametrize("implementation", ["awscore", "floor", "libyaml"])
def test_template(benchmark: Any, implementation: str) -> None:
    benchmark.group = "cfn-init-template"
    benchmark.extra_info["implementation"] = implementation
    benchmark.extra_info["workload"] = "YAML template, 1,000 Fn::Sub"
    if implementation == "awscore":
        result = benchmark(
            load_init_metadata, TEMPLATE, "Box", {"AWS::StackName": "web"}
        )
        content = result["config0"]["files"]["/etc/app0/f000"]["content"]
        assert content == "web file 0"
    else:
        loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.SafeLoader
        if implementation == "libyaml":
            require_peer("yaml._yaml")  # PyYAML's libyaml binding
            loader = yaml.CSafeLoader
        result = benchmark(yaml.load, TEMPLATE, Loader=loader)
        assert "Resources" in result
