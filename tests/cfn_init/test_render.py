"""Mustache rendering of ``context``, and how plans and reports print."""

from __future__ import annotations

import json

import pytest

from awscore.cfn_init import (
    DryRunBackend,
    execute,
    plan,
    render_mustache,
)
from awscore.errors import CfnInitInputError


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ("Hello {{name}}!", {"name": "World"}, "Hello World!"),
        (
            "{{x}}|{{{x}}}|{{& x}}",
            {"x": '<a href="q">'},
            '&lt;a href=&quot;q&quot;&gt;|<a href="q">|<a href="q">',
        ),
        ("{{missing}}.", {}, "."),
        ("{{a.b.c}}", {"a": {"b": {"c": 7}}}, "7"),
        ("{{a.b.x}}{{a.z.y}}", {"a": {"b": {"c": 7}, "z": 1}}, ""),
        (
            "{{t}} {{f}} {{n}} {{l}}",
            {"t": True, "f": False, "n": None, "l": [1]},
            "True False  [1]",
        ),
        ("{{#items}}<{{.}}>{{/items}}", {"items": [1, 2, 3]}, "<1><2><3>"),
        (
            "{{#users}}{{name}}@{{host}};{{/users}}",
            {"host": "h", "users": [{"name": "a"}, {"name": "b"}]},
            "a@h;b@h;",
        ),
        ("{{#on}}yes{{/on}}{{^on}}no{{/on}}", {"on": False}, "no"),
        ("{{#on}}yes{{/on}}{{^on}}no{{/on}}", {"on": True}, "yes"),
        ("{{#cfg}}{{port}}{{/cfg}}", {"cfg": {"port": 80}}, "80"),
        ("a{{! a comment }}b", {}, "ab"),
        ("{{}}x", {}, "x"),
        ("{{x}}} and {{{ x }}}", {"x": "v"}, "v} and v"),
    ],
)
def test_mustache(template: str, context: dict[str, object], expected: str) -> None:
    assert render_mustache(template, context) == expected


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{{#a}}x", "section {{#a}} is never closed"),
        ("x{{/a}}", "unexpected closing tag {{/a}}"),
        ("{{#a}}{{/b}}", "unexpected closing tag {{/b}}"),
        ("{{> partial}}", "partials, delimiters"),
        ("{{=<% %>=}}", "partials, delimiters"),
    ],
)
def test_unsupported_mustache(template: str, fragment: str) -> None:
    with pytest.raises(CfnInitInputError) as caught:
        render_mustache(template, {"a": 1})
    assert fragment in str(caught.value)


EVERYTHING = {
    "config": {
        "packages": {
            "python": {"boto": ["2.9", "2.10"]},
            "rpm": {"epel": "http://e/epel.rpm"},
        },
        "groups": {"admins": {"gid": 45}, "plain": {}},
        "users": {
            "u": {"uid": "50", "groups": ["admins"], "homeDir": "/home/u"},
            "v": {},
        },
        "sources": {"/opt/app": "https://e/app.tgz"},
        "files": {
            "/etc/a": {
                "content": "x",
                "mode": "000644",
                "owner": "root",
                "group": "root",
            },
            "/etc/b": {"source": "https://e/b", "context": {"k": "v"}},
            "/etc/c": {"content": "a", "mode": "120777"},
            "/etc/g": {"content": "\u00ff", "owner": "only"},
        },
        "commands": {
            "c1": {
                "command": ["echo", "hi"],
                "test": "true",
                "cwd": "/",
                "env": {"A": "1"},
                "ignoreErrors": True,
                "waitAfterCompletion": "forever",
            },
            "c2": {"command": "plain"},
        },
        "services": {
            "systemd": {
                "web": {
                    "enabled": False,
                    "ensureRunning": True,
                    "files": ["/etc/a"],
                    "sources": ["/opt/app"],
                    "packages": {"python": ["boto"]},
                    "commands": ["c1"],
                },
            }
        },
    }
}


def test_plan_prints_every_kind_of_step() -> None:
    text = str(plan(EVERYTHING))
    for fragment in [
        "packages rpm epel http://e/epel.rpm",
        "packages python boto 2.9, 2.10",
        "groups   admins gid=45",
        "groups   plain",
        "users    u uid=50 groups=admins home=/home/u",
        "sources  /opt/app <- https://e/app.tgz",
        "files    /etc/a (1 bytes, mode 000644, owner root:root)",
        "files    /etc/b (from https://e/b, mustache)",
        "files    /etc/c -> a",
        "files    /etc/g (2 bytes, owner only:)",
        'commands c1: ["echo", "hi"] (test: true; cwd /; env: A; ignoreErrors; '
        "waitAfterCompletion forever)",
        "commands c2: plain",
        "services systemd web enabled=false ensureRunning=true restart on /etc/a, "
        "/opt/app, python:boto, command c1",
    ]:
        assert fragment in text, fragment


def test_plan_and_report_as_json() -> None:
    steps = plan(EVERYTHING)
    document = json.loads(json.dumps(steps.to_dict()))
    assert document["config_sets"] == ["default"]
    assert document["runs"] == [["default", "config"]]
    first = document["actions"][0]
    assert first == {
        "config_set": "default",
        "config": "config",
        "run": 0,
        "section": "packages",
        "key": "rpm.epel",
        "details": {
            "manager": "rpm",
            "name": "epel",
            "versions": ["http://e/epel.rpm"],
        },
    }
    service = document["actions"][-1]["details"]
    assert service["packages"] == [["python", "boto"]]
    files = [a for a in document["actions"] if a["section"] == "files"]
    assert files[0]["details"]["content"] == "x"
    assert files[1]["details"]["context"] == {"k": "v"}
    report = execute(steps, DryRunBackend())
    as_json = report.to_dict()
    results = as_json["results"]
    assert isinstance(results, list)
    # c1 waits "forever": the run stops after it, before c2 (the 13th step).
    assert as_json["resume_at"] == len(results) == 12
    assert results[0]["status"] == "changed"
    assert str(report).splitlines()[0] == (
        "changed        config.packages.rpm.epel: would install rpm epel http://e/epel.rpm"
    )
