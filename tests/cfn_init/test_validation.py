"""Bad metadata: every problem reported with its path into the metadata."""

from __future__ import annotations

from typing import Any

import pytest

from awscore.cfn_init import File, plan, validate
from awscore.errors import CfnInitError, CfnInitInputError


def problems(config: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(CfnInitInputError) as caught:
        validate({"config": config})
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, CfnInitError)
    return caught.value.problems


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"file": {}}, "config.file: unknown section; accepted: packages, groups"),
        ({"files": []}, "config.files: must be a mapping, not a list"),
        (
            {"files": {"etc/x": {"content": ""}}},
            "config.files.etc/x: must be an absolute path",
        ),
        (
            {"files": {"/etc/x": {"content": "", "mode": 644}}},
            "config.files./etc/x.mode: must be a string of six octal digits",
        ),
        (
            {"files": {"/etc/x": {"content": "", "mode": "0644"}}},
            "config.files./etc/x.mode: must be six octal digits like '000644'",
        ),
        (
            {"files": {"/etc/x": {"content": "", "mode": "000968"}}},
            "config.files./etc/x.mode: must be six octal digits",
        ),
        (
            {"files": {"/etc/x": {"content": "", "mode": "040755"}}},
            "config.files./etc/x.mode: '040755': the first three digits",
        ),
        (
            {"files": {"/etc/x": {"content": 5}}},
            "config.files./etc/x.content: must be a string, not a number",
        ),
        ({"files": {"/etc/x": {}}}, "config.files./etc/x: needs content or source"),
        (
            {"files": {"/etc/x": {"content": "", "source": "https://e/x"}}},
            "config.files./etc/x: give content or source, not both",
        ),
        (
            {"files": {"/etc/x": {"content": "", "encoding": "hex"}}},
            "config.files./etc/x.encoding: must be plain or base64, not 'hex'",
        ),
        (
            {"files": {"/etc/x": {"content": {"a": 1}, "encoding": "base64"}}},
            "config.files./etc/x.encoding: must be plain for JSON content",
        ),
        (
            {"files": {"/etc/x": {"content": "%%%", "encoding": "base64"}}},
            "config.files./etc/x.content: is not valid base64",
        ),
        (
            {"files": {"/etc/x": {"source": "https://e/x", "mode": "120777"}}},
            "config.files./etc/x.mode: a symlink (120xxx) takes its target in content",
        ),
        (
            {"files": {"/etc/x": {"content": "", "contents": ""}}},
            "config.files./etc/x.contents: unknown key; accepted: auth",
        ),
        (
            {"files": {"/etc/x": {"content": "", "context": "v"}}},
            "config.files./etc/x.context: must be a mapping",
        ),
        ({"commands": {"a": {"cmd": "x"}}}, "config.commands.a.cmd: unknown key"),
        ({"commands": {"a": {}}}, "config.commands.a: needs a command"),
        (
            {"commands": {"a": {"command": []}}},
            "config.commands.a.command: must not be an empty list",
        ),
        (
            {"commands": {"a": {"command": ["ls", 3]}}},
            "config.commands.a.command[1]: must be a string, not a number",
        ),
        (
            {"commands": {"a": {"command": "x", "ignoreErrors": "maybe"}}},
            "config.commands.a.ignoreErrors: must be a boolean (true/false, yes/no",
        ),
        (
            {"commands": {"a": {"command": "x", "ignoreErrors": None}}},
            "config.commands.a.ignoreErrors: must be a boolean, not null",
        ),
        (
            {"commands": {"a": {"command": "x", "env": {"A": 1}}}},
            "config.commands.a.env.A: must be a string, not a number",
        ),
        (
            {"commands": {"a": {"command": "x", "waitAfterCompletion": "later"}}},
            "config.commands.a.waitAfterCompletion: must be a number of seconds",
        ),
        (
            {"commands": {"a": {"command": "x", "waitAfterCompletion": "\u00b2"}}},
            "config.commands.a.waitAfterCompletion: must be a number of seconds",
        ),
        (
            {"packages": {"yum": {"httpd": 2.4}}},
            "config.packages.yum.httpd: must be a version string or a list",
        ),
        (
            {"packages": {"yum": ["httpd"]}},
            "config.packages.yum: must be a mapping, not a list",
        ),
        (
            {"groups": {"g": {"gid": "x1"}}},
            "config.groups.g.gid: must be a number, not 'x1'",
        ),
        (
            {"groups": {"g": {"gid": "\u0663"}}},
            "config.groups.g.gid: must be a number, not '\u0663'",
        ),
        ({"groups": {"g": {"guid": "1"}}}, "config.groups.g.guid: unknown key"),
        (
            {"users": {"u": {"uid": "abc"}}},
            "config.users.u.uid: must be a number, not 'abc'",
        ),
        (
            {"users": {"u": {"groups": "wheel"}}},
            "config.users.u.groups: must be a list of strings, not a string",
        ),
        ({"users": {"u": {"homeDir": 1}}}, "config.users.u.homeDir: must be a string"),
        ({"users": {"u": []}}, "config.users.u: must be a mapping"),
        (
            {"sources": {"opt": "https://e/a.zip"}},
            "config.sources.opt: must be an absolute path",
        ),
        (
            {"sources": {"/opt": ["https://e/a.zip"]}},
            "config.sources./opt: must be a string, not a list",
        ),
        (
            {"services": {"upstart": {"s": {}}}},
            "config.services.upstart: unknown service manager; accepted: sysvinit",
        ),
        (
            {"services": {"sysvinit": {"s": {"enabled": "sure"}}}},
            "config.services.sysvinit.s.enabled: must be a boolean",
        ),
        (
            {"services": {"sysvinit": {"s": {"files": "/etc/x"}}}},
            "config.services.sysvinit.s.files: must be a list of strings",
        ),
        (
            {"services": {"sysvinit": {"s": {"packages": {"yum": "httpd"}}}}},
            "config.services.sysvinit.s.packages.yum: must be a list of strings",
        ),
        (
            {"services": {"sysvinit": {"s": {"restart": True}}}},
            "config.services.sysvinit.s.restart: unknown key",
        ),
        (
            {"services": {"sysvinit": {"s": 1}}},
            "config.services.sysvinit.s: must be a mapping",
        ),
    ],
)
def test_each_problem_names_its_path(config: dict[str, Any], expected: str) -> None:
    found = problems(config)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_listed_across_configs() -> None:
    metadata = {
        "a": {"files": {"rel": {"content": ""}, "/x": {"content": "", "mode": "7"}}},
        "b": {"commands": {"c": {}}, "bogus": {}},
    }
    with pytest.raises(CfnInitInputError) as caught:
        validate(metadata)
    assert len(caught.value.problems) == 4
    assert str(caught.value) == "; ".join(caught.value.problems)
    assert {p.split(":")[0] for p in caught.value.problems} == {
        "a.files.rel",
        "a.files./x.mode",
        "b.commands.c",
        "b.bogus",
    }


def test_metadata_must_be_a_mapping_with_string_keys() -> None:
    with pytest.raises(CfnInitInputError, match="AWS::CloudFormation::Init: must be"):
        validate(["config"])
    with pytest.raises(CfnInitInputError, match="key 1 must be a string"):
        validate({"config": {1: {}}})


def test_modes_symlinks_base64_and_json_content() -> None:
    files = {
        "/etc/a": {"content": "aGk=", "encoding": "base64", "mode": "000600"},
        "/etc/b": {"content": {"k": [1, True, None]}},
        "/etc/c": {"content": "a", "mode": "120777"},
        "/etc/d": {"source": "https://example.com/x", "authentication": "S3Creds"},
        "/etc/e": {
            "content": "{{x}}",
            "context": {"x": "y"},
            "owner": "o",
            "group": "g",
        },
    }
    a, b, c, d, e = (
        action.details for action in plan({"config": {"files": files}}).actions
    )
    assert isinstance(a, File)
    assert (a.content, a.permissions, a.is_symlink) == (b"hi", 0o600, False)
    assert isinstance(b, File)
    assert b.content == b'{"k": [1, true, null]}'
    assert isinstance(c, File)
    assert c.is_symlink
    assert "/etc/c -> a" in c.describe()
    assert isinstance(d, File)
    assert (d.source, d.content, d.authentication) == (
        "https://example.com/x",
        None,
        "S3Creds",
    )
    assert isinstance(e, File)
    # inline content is rendered when planned, as 2.0 renders it when written
    assert (e.content, e.context, e.owner, e.group) == (b"y", None, "o", "g")


def test_file_content_is_not_in_the_repr() -> None:
    (action,) = plan({"config": {"files": {"/s": {"content": "hunter2"}}}}).actions
    assert "hunter2" not in repr(action)
    env = {"c": {"command": "x", "env": {"TOKEN": "hunter2"}}}
    (command,) = plan({"config": {"commands": env}}).actions
    assert "hunter2" not in repr(command)
