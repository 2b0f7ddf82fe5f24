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
    CfnYamlLoader,
    DryRunBackend,
    HookPath,
    HupConfig,
    LocalBackend,
    RecordingPackageManager,
    RecordingServiceManager,
    RecordingUserManager,
    SandboxServiceManager,
    Service,
    Source,
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
from awscore.cfn_init._root import Root
from awscore.errors import (
    ArchiveLimitError,
    CfnInitArgumentError,
    CfnInitError,
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
        lambda: LocalBackend(".", shell=0),  # type: ignore[arg-type]
        lambda: LocalBackend(".", bwrap=b"/usr/bin/bwrap"),  # type: ignore[arg-type]
        lambda: LocalBackend(".", timeout="1"),  # type: ignore[arg-type]
        lambda: LocalBackend(".", max_render_bytes=1.5),  # type: ignore[arg-type]
        lambda: LocalBackend(".", chown="yes"),  # type: ignore[arg-type]
        lambda: LocalBackend(".", network=None),  # type: ignore[arg-type]
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


# --- found by scripts/fuzz.py (seeds 1 and 2) on the merged cfn_init -----------


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.install_package(None),
        lambda b: b.create_group(None),
        lambda b: b.create_user(None),
        lambda b: b.unpack_source(0.0),
        lambda b: b.write_file(None),
        lambda b: b.run_command([]),
        lambda b: b.manage_service(False, triggered=True),
    ],
)
@pytest.mark.parametrize("local", [False, True], ids=["dry-run", "local"])
def test_a_backend_step_given_no_step_names_the_argument(
    call: Any, local: bool, tmp_path: Path
) -> None:
    """A step method given something that is not its step (the fuzzer's None, a
    list, a float) is a typed error naming the argument, and records nothing."""
    backend: Any = LocalBackend(tmp_path) if local else DryRunBackend()
    with pytest.raises(CfnInitArgumentError, match=r"^[a-z]+: must be a [A-Z]"):
        call(backend)
    if local:
        assert backend.packages.calls == []
        assert backend.users.calls == []
        assert list(tmp_path.iterdir()) == []
        backend.close()
    else:
        assert backend.calls == []


@pytest.mark.parametrize(
    ("manager", "call"),
    [
        (RecordingPackageManager, lambda m: m.install(None)),
        (RecordingUserManager, lambda m: m.ensure_group("g")),
        (RecordingUserManager, lambda m: m.ensure_user(5)),
        (RecordingServiceManager, lambda m: m.is_running("httpd")),
        (RecordingServiceManager, lambda m: m.apply(None, "start")),
    ],
)
def test_a_recording_manager_refuses_a_wrong_argument_before_recording(
    manager: Any, call: Any
) -> None:
    """The fakes check their argument first, so a refused call leaves no trace."""
    fake = manager()
    with pytest.raises(CfnInitArgumentError, match="must be a"):
        call(fake)
    assert fake.calls == []


@pytest.mark.parametrize("operation", ["status", "reboot", None, 5])
def test_an_unknown_service_operation_is_refused(
    operation: object, tmp_path: Path
) -> None:
    service = Service(manager="sysvinit", name="httpd")
    fake = RecordingServiceManager()
    with pytest.raises(CfnInitInputError, match="operation: must be one of enable"):
        fake.apply(service, operation)  # type: ignore[arg-type]
    assert fake.calls == []
    assert fake.enabled == set()
    with LocalBackend(tmp_path) as backend:
        sandboxed = SandboxServiceManager(backend)
        with pytest.raises(CfnInitInputError, match="operation: must be one of"):
            sandboxed.apply(service, operation)  # type: ignore[arg-type]
        if operation != "status":  # status is a command line, not an operation
            with pytest.raises(CfnInitInputError, match="operation: must be one"):
                sandboxed.commands(service, operation)  # type: ignore[arg-type]
        with pytest.raises(CfnInitArgumentError, match="service: must be a Service"):
            sandboxed.is_running("httpd")  # type: ignore[arg-type]


@pytest.mark.parametrize("stream", [None, 5, b"Y\xbb", "N\x8e"])
def test_the_yaml_loader_refuses_what_its_reader_cannot_read(stream: object) -> None:
    """CfnYamlLoader(x): not text, bytes or a file, or text YAML forbids (a C1
    control) or bytes not UTF-8: typed errors, and parse_template still says the
    template is neither JSON nor YAML."""
    with pytest.raises(CfnInitInputError, match=r"^stream: "):
        CfnYamlLoader(stream)  # type: ignore[arg-type]
    if isinstance(stream, str):
        with pytest.raises(CfnInitInputError, match="neither JSON nor YAML"):
            parse_template(stream)


def test_hook_texts_must_be_text() -> None:
    for hooks in ((-28406, -5.3e16), {"r.conf": 5}, {5: "[x]\n"}):
        with pytest.raises(CfnInitArgumentError, match=r"^hooks"):
            HupConfig.parse("[main]\nstack=s\n", hooks)  # type: ignore[arg-type]


@pytest.mark.parametrize("argv", [None, [None], [], "true", [b"/bin/true"]])
def test_run_argv_wants_a_list_of_words(argv: object, tmp_path: Path) -> None:
    with (
        LocalBackend(tmp_path) as backend,
        pytest.raises(CfnInitArgumentError, match=r"^argv: must be"),
    ):
        backend.run_argv(argv)  # type: ignore[arg-type]


def test_closing_a_backend_twice_is_harmless(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    backend.close()
    backend.close()  # once closed, the descriptor is not closed again (EBADF)
    assert backend.tree.fd == -1


@pytest.mark.parametrize("root", ["1" * 401, "a\0b", "x/" * 3000])
def test_a_root_the_file_system_refuses_is_a_typed_error(root: str) -> None:
    with pytest.raises(CfnInitError, match=r"^root ") as caught:
        LocalBackend(root)
    assert len(str(caught.value)) < 300


def test_a_file_under_a_file_is_a_step_error_naming_it(tmp_path: Path) -> None:
    """The file system's refusal (here ENOTDIR) is a CfnInitError naming the path,
    from the backend itself as from execute."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "motd").write_text("hi")
    (file,) = (
        a.details
        for a in plan({"config": {"files": {"/etc/motd/x": {"content": "x"}}}}).actions
    )
    with LocalBackend(tmp_path) as backend:
        with pytest.raises(CfnInitError, match=r"^'/etc/motd/x': Not a directory"):
            backend.write_file(file)  # type: ignore[arg-type]
        with pytest.raises(CfnInitStepError, match="Not a directory"):
            execute(
                plan({"config": {"files": {"/etc/motd/x": {"content": "x"}}}}), backend
            )
    assert (tmp_path / "etc" / "motd").read_text() == "hi"


def test_a_source_into_a_file_is_a_step_error(tmp_path: Path) -> None:
    (tmp_path / "opt").write_text("a file")
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        info = tarfile.TarInfo("a")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with (
        LocalBackend(tmp_path, fetch=lambda u, a: data.getvalue()) as backend,
        pytest.raises(CfnInitError, match=r"^'/opt/x': Not a directory"),
    ):
        backend.unpack_source(Source(target="/opt/x", url="https://e/a.tar"))
    assert (tmp_path / "opt").read_text() == "a file"


def test_archive_limits_in_a_backend_must_be_archive_limits(tmp_path: Path) -> None:
    with pytest.raises(CfnInitArgumentError, match=r"^limits: must be ArchiveLimits"):
        LocalBackend(tmp_path, limits={"max_members": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("limits", "error", "message"),
    [
        ({"max_members": "many"}, CfnInitArgumentError, "max_members: must be a"),
        ({"max_member_bytes": True}, CfnInitArgumentError, "max_member_bytes: must"),
        ({"max_total_bytes": -1}, CfnInitInputError, "max_total_bytes: must be 0"),
        ({"max_members": -(10**5000)}, CfnInitInputError, "about 5,001 digits"),
    ],
)
def test_archive_limits_are_whole_numbers(
    limits: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        ArchiveLimits(**limits)
    assert len(str(caught.value)) < 200


def test_a_nul_or_a_missing_program_is_a_typed_error(tmp_path: Path) -> None:
    with (
        LocalBackend(tmp_path) as backend,
        pytest.raises(CfnInitError, match="cannot run the command"),
    ):
        backend.run_argv(["/bin/echo", "a\0b"])
    with (
        LocalBackend(tmp_path, run_commands_on_host=True) as backend,
        pytest.raises(CfnInitError, match=r"^cannot run '/no/such': No such"),
    ):
        backend.run_argv(["/no/such"])
    assert list(tmp_path.iterdir()) == []


def test_a_root_that_is_not_there_is_refused_when_opened(tmp_path: Path) -> None:
    with pytest.raises(CfnInitError, match="No such file"):
        Root.open(tmp_path / ("x" * 200))
