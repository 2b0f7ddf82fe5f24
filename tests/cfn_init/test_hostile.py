"""Hostile input (issue 22): each example is a typed error, quickly, and changes
nothing; every size a document can set has a bound."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from awscore.cfn_init import (
    MAX_SET_DEPTH,
    ArchiveLimits,
    DryRunBackend,
    HookPath,
    HupConfig,
    LocalBackend,
    execute,
    fetch_url,
    hooks_to_fire,
    interpret_boolean,
    load_init_metadata,
    package_manager_key,
    parse_template,
    plan,
    render_mustache,
    service_operations,
    validate,
)
from awscore.cfn_init._mustache import MAX_DEPTH, MAX_OUTPUT_BYTES
from awscore.errors import (
    ArchiveLimitError,
    CfnInitArgumentError,
    CfnInitInputError,
    CfnInitStepError,
)
from tests.conftest import require_peer


def test_a_5000_digit_interval() -> None:
    with pytest.raises(CfnInitInputError, match="at most 9 digits") as caught:
        HupConfig.parse("[main]\nstack=s\ninterval=" + "9" * 5000 + "\n")
    assert len(str(caught.value)) < 300  # the value is not echoed whole


def test_3000_nested_sections() -> None:
    template = "{{#a}}" * 3000 + "x" + "{{/a}}" * 3000
    with pytest.raises(CfnInitInputError, match=f"deeper than {MAX_DEPTH}"):
        render_mustache(template, {"a": [1]})


def test_a_billion_characters_is_refused_not_built() -> None:
    template = "{{#a}}" * 9 + "x" + "{{/a}}" * 9
    with pytest.raises(CfnInitInputError, match=f"exceed {MAX_OUTPUT_BYTES} bytes"):
        render_mustache(template, {"a": [1] * 10})
    # the same through a file's context: the plan fails at that file
    files = {"/x": {"content": template, "context": {"a": [1] * 10}}}
    failure = plan({"config": {"files": files}}).failure
    assert failure is not None
    assert failure.key == "/x"


def test_distinct_items_are_bounded_too() -> None:
    template = "{{#a}}" * 5 + "{{.}}" + "{{/a}}" * 5
    with pytest.raises(CfnInitInputError, match="exceed 1000 bytes"):
        render_mustache(template, {"a": list(range(10))}, max_bytes=1000)


def test_bytes_and_circular_contexts() -> None:
    with pytest.raises(CfnInitInputError, match="not bytes"):
        render_mustache("{{v}}", {"v": b"raw"})
    circular: dict[str, Any] = {}
    circular["self"] = circular
    chevron = require_peer("chevron")
    # printed as chevron prints it (Python's str), never a RecursionError
    assert render_mustache("{{self}}", circular) == chevron.render("{{self}}", circular)
    assert render_mustache("{{#self}}{{#self}}ok{{/self}}{{/self}}", circular) == "ok"


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("{{a}} {{b}} {{c}} {{d}} {{&e}} {{{f}}}",
         {"a": True, "b": [1, 2], "c": "<'\">&", "d": None, "e": "<", "f": 1.5}),
        ("{{#l}}[{{.}}]{{/l}}|{{^z}}none{{/z}}|{{x.y}}",
         {"l": [1, "b"], "x": {"y": 3}}),
        ("{{#m}}{{k}}{{/m}}", {"m": {"k": "v"}}),
        ("{{! a comment }}x", {}),
    ],
)  # fmt: skip
def test_rendering_agrees_with_chevron(template: str, context: dict[str, Any]) -> None:
    """cfn-init 2.0 renders with chevron: the same text for the same input."""
    chevron = require_peer("chevron")
    assert render_mustache(template, context) == chevron.render(template, context)


def test_hooks_on_a_5000_deep_document() -> None:
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(5000):
        cursor["a"] = {}
        cursor = cursor["a"]
    config = HupConfig.parse(
        "[main]\nstack=s\n",
        ["[h]\ntriggers=post.update\npath=Resources.R.Metadata\naction=x\n"],
    )
    with pytest.raises(CfnInitInputError, match="nests deeper than 200"):
        hooks_to_fire(config, {}, {"Resources": {"R": {"Metadata": deep}}})


def test_config_set_lists_nest_to_a_bound() -> None:
    nested: list[Any] = ["c"]
    for _ in range(MAX_SET_DEPTH + 1):
        nested = [nested]
    failure = plan({"configSets": {"default": nested}, "c": {}}).failure
    assert failure is not None
    assert "nest deeper" in failure.message


def _bomb(size: int) -> bytes:
    """A tar.gz of one ``size``-byte member of zeros, about size/1000 bytes long,
    made without ever holding or writing the member: gzip members concatenate,
    so one compressed MiB of zeros is repeated."""
    header = tarfile.TarInfo("zeros")
    header.size = size
    head = header.tobuf(format=tarfile.GNU_FORMAT)
    mib = 1 << 20
    chunk = gzip.compress(bytes(mib), compresslevel=9)
    assert size % mib == 0
    return gzip.compress(head) + chunk * (size // mib) + gzip.compress(bytes(1024))


def test_a_2_mb_tar_gz_with_a_2_gib_member(tmp_path: Path) -> None:
    data = _bomb(2 << 30)
    assert len(data) < 3 << 20
    root = tmp_path / "root"
    root.mkdir()
    metadata = {"config": {"sources": {"/opt": "https://e/bomb"}}}
    with (
        LocalBackend(root, fetch=lambda u, a: data) as backend,
        pytest.raises(CfnInitStepError) as caught,
    ):
        execute(plan(metadata), backend)
    assert isinstance(caught.value.__cause__, ArchiveLimitError)
    assert "max_member_bytes" in str(caught.value)
    assert list(root.iterdir()) == []  # refused before anything was written


def test_archive_totals_and_counts_are_bounded(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for index in range(5):
            info = tarfile.TarInfo(f"f{index}")
            info.size = 100
            archive.addfile(info, io.BytesIO(bytes(100)))
    data = buffer.getvalue()
    root = tmp_path / "root"
    root.mkdir()
    for limits, fragment in [
        (ArchiveLimits(max_total_bytes=300), "max_total_bytes"),
        (ArchiveLimits(max_members=3), "more than 3 members"),
    ]:
        with (
            LocalBackend(root, fetch=lambda u, a: data, limits=limits) as backend,
            pytest.raises(CfnInitStepError, match=fragment),
        ):
            execute(plan({"config": {"sources": {"/t": "https://e/a"}}}), backend)
    assert list(root.iterdir()) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda: plan(5),
        lambda: plan({}, 5),  # type: ignore[arg-type]
        lambda: validate({}, 5),  # type: ignore[arg-type]
        lambda: render_mustache(5, {}),  # type: ignore[arg-type]
        lambda: render_mustache("x", 5),  # type: ignore[arg-type]
        lambda: render_mustache("x", {}, max_bytes="big"),  # type: ignore[arg-type]
        lambda: hooks_to_fire(5, {}, {}),  # type: ignore[arg-type]
        lambda: hooks_to_fire([], 5, {}),  # type: ignore[arg-type]
        lambda: HupConfig.parse(5),  # type: ignore[arg-type]
        lambda: HupConfig.parse("", 5),  # type: ignore[arg-type]
        lambda: HookPath.parse(5),  # type: ignore[arg-type]
        lambda: parse_template(5),  # type: ignore[arg-type]
        lambda: load_init_metadata(b"{}", 5),  # type: ignore[arg-type]
        lambda: LocalBackend(5),  # type: ignore[arg-type]
        lambda: execute(5, DryRunBackend()),  # type: ignore[arg-type]
        lambda: execute(plan({}), 5),  # type: ignore[arg-type]
        lambda: execute(plan({}), DryRunBackend(), start="a"),  # type: ignore[arg-type]
        lambda: execute(plan({}), DryRunBackend(), start=9),
        lambda: service_operations(5, triggered=False, running=False),  # type: ignore[arg-type]
        lambda: package_manager_key(5),  # type: ignore[arg-type]
        lambda: fetch_url(5),  # type: ignore[arg-type]
        lambda: interpret_boolean([1]),
    ],
)
def test_wrong_typed_arguments_are_typed_errors_naming_the_argument(call: Any) -> None:
    with pytest.raises(CfnInitInputError) as caught:
        call()
    message = str(caught.value)
    assert ":" in message
    assert "NoneType" not in message
    assert "'int'" not in message
    if not isinstance(caught.value, CfnInitArgumentError):
        assert isinstance(caught.value, ValueError)
    else:
        assert isinstance(caught.value, TypeError)
