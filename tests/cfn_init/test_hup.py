"""cfn-hup: its files, and which hooks fire on a metadata change."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.cfn_init import (
    Hook,
    HookPath,
    HupConfig,
    LocalBackend,
    Trigger,
    execute,
    hooks_to_fire,
    load_init_metadata,
    plan,
)
from awscore.errors import CfnInitInputError
from tests.cfn_init.test_template import STACK, TEMPLATE

MAIN = "[main]\nstack=arn:aws:cloudformation:us-east-1:123456789012:stack/web/1\n"
RELOADER = """\
[cfn-auto-reloader-hook]
triggers=post.update
path=Resources.MyInstance.Metadata.AWS::CloudFormation::Init
action=/opt/aws/bin/cfn-init -v --stack web --resource MyInstance --region us-east-1
runas=root
"""
INIT_V1 = {"config": {"files": {"/var/www/html/index.html": {"content": "v1"}}}}
INIT_V2 = {"config": {"files": {"/var/www/html/index.html": {"content": "v2"}}}}
KEY = "cfn-auto-reloader-hook|Resources.MyInstance.Metadata.AWS::CloudFormation::Init"


def stack(init: object, physical_id: str = "i-1") -> dict[str, object]:
    metadata = {} if init is None else {"AWS::CloudFormation::Init": init}
    return {
        "Resources": {
            "MyInstance": {"Metadata": metadata, "PhysicalResourceId": physical_id}
        }
    }


def test_the_usual_files(tmp_path: Path) -> None:
    (tmp_path / "cfn-hup.conf").write_text(
        MAIN + "region=eu-west-1\ninterval=5\nverbose=true\n"
    )
    (tmp_path / "hooks.d").mkdir()
    (tmp_path / "hooks.d" / "cfn-auto-reloader.conf").write_text(RELOADER)
    (tmp_path / "hooks.d" / "subdir").mkdir()
    config = HupConfig.from_directory(tmp_path)
    assert (config.region, config.interval, config.verbose) == ("eu-west-1", 5, True)
    (hook,) = config.hooks
    assert hook == Hook(
        name="cfn-auto-reloader-hook",
        triggers=frozenset({Trigger.UPDATE}),
        path=HookPath(
            resource="MyInstance",
            kind="Metadata",
            sub_path=("AWS::CloudFormation::Init",),
        ),
        action="/opt/aws/bin/cfn-init -v --stack web --resource MyInstance "
        "--region us-east-1",
        runas="root",
    )
    assert hook.state_key == KEY


def test_a_file_that_is_not_utf8_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "cfn-hup.conf").write_text(MAIN)
    (tmp_path / "hooks.d").mkdir()
    (tmp_path / "hooks.d" / "x.conf").write_bytes(b"[h]\naction=\xff\n")
    with pytest.raises(CfnInitInputError, match=r"hooks.d/x.conf: not UTF-8 text"):
        HupConfig.from_directory(tmp_path)


def test_defaults() -> None:
    config = HupConfig.parse(MAIN)
    assert (config.region, config.interval, config.verbose, config.hooks) == (
        "us-east-1",
        15,
        False,
        (),
    )


def test_same_named_sections_merge_and_later_values_win(tmp_path: Path) -> None:
    (tmp_path / "cfn-hup.conf").write_text(
        MAIN + "credential-file=/etc/cfn/creds\nrole=r\numask=022\n"
    )
    (tmp_path / "hooks.conf").write_text("[h]\ntriggers=post.add\npath=Resources.A\n")
    (tmp_path / "hooks.d").mkdir()
    (tmp_path / "hooks.d" / "a.conf").write_text("[h]\naction=first\n")
    (tmp_path / "hooks.d" / "b.conf").write_text(
        "[h]\naction=second\n[h]\nrunas=nobody\n"
    )
    config = HupConfig.from_directory(tmp_path)
    assert (config.credential_file, config.role, config.umask) == (
        "/etc/cfn/creds",
        "r",
        "022",
    )
    (hook,) = config.hooks
    assert (hook.action, hook.runas, str(hook.path)) == (
        "second",
        "nobody",
        "Resources.A",
    )
    assert hook.triggers == frozenset({Trigger.ADD})


@pytest.mark.parametrize(
    ("main", "hooks", "fragment"),
    [
        ("[other]\nx=1\n", "", "needs a [main] section"),
        ("[main]\nregion=us-east-1\n", "", "[main].stack: is required"),
        (MAIN + "interval=0\n", "", "at least 1, not '0'"),
        (MAIN + "interval=often\n", "", "not 'often'"),
        (MAIN + "interval=\u00b2\n", "", "not '\u00b2'"),
        (MAIN + "verbose=loud\n", "", "verbose: must be true or false"),
        (MAIN + "stacks=x\n", "", "[main].stacks: unknown option"),
        ("no header", "", "cfn-hup.conf: File contains no section headers"),
        (MAIN, "garbage", "hooks[0]: File contains no section headers"),
        (MAIN, "[h]\ntriggers=post.update\naction=x\n", "hook [h].path: is required"),
        (
            MAIN,
            "[h]\ntriggers=post.change\npath=Resources.A\naction=x\n",
            "'post.change' is not",
        ),
        (MAIN, "[h]\npath=Resources.A\naction=x\n", "hook [h].triggers: is required"),
        (
            MAIN,
            "[h]\ntriggers=post.add\npath=Stack.A\naction=x\n",
            "must be Resources.<LogicalId>",
        ),
        (
            MAIN,
            "[h]\ntriggers=post.add\npath=Resources.A.Meta\naction=x\n",
            "not 'Meta'",
        ),
        (
            MAIN,
            "[h]\ntriggers=post.add\npath=Resources.A.PhysicalResourceId.x\naction=x\n",
            "no sub-path",
        ),
        (
            MAIN,
            "[h]\ntriggers=post.add\npath=Resources.A.Metadata..x\naction=x\n",
            "empty component",
        ),
        (
            MAIN,
            "[h]\ntriggers=post.add\npath=Resources.A\naction=x\nuser=root\n",
            "[h].user: unknown option",
        ),
    ],
)
def test_bad_files(main: str, hooks: str, fragment: str) -> None:
    with pytest.raises(CfnInitInputError) as caught:
        HupConfig.parse(main, [hooks] if hooks else [])
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_every_problem_is_listed() -> None:
    hooks = {"hooks.conf": "[a]\ntriggers=post.x\n[b]\npath=nowhere\n"}
    with pytest.raises(CfnInitInputError) as caught:
        HupConfig.parse("[main]\ninterval=-1\n", hooks)
    # main: stack, interval; [a]: path, action, post.x; [b]: triggers, action, path
    assert len(caught.value.problems) == 8


def reloader() -> HupConfig:
    return HupConfig.parse(MAIN, {"hooks.d/cfn-auto-reloader.conf": RELOADER})


def test_auto_reloader_records_a_baseline_then_fires_on_update() -> None:
    config = reloader()
    first = hooks_to_fire(config, {}, stack(INIT_V1))
    assert first.firings == ()
    assert first.baseline == {KEY: INIT_V1}
    state = first.next_state({}, [])
    assert state == {KEY: INIT_V1}
    # The same metadata again: nothing.
    same = hooks_to_fire(config, state, stack(json.loads(json.dumps(INIT_V1))))
    assert (same.firings, same.baseline) == ((), {})
    # A stack update changes the page: the hook fires with both values.
    update = hooks_to_fire(config, state, stack(INIT_V2))
    (firing,) = update.firings
    assert firing.trigger is Trigger.UPDATE
    assert (firing.old, firing.new) == (INIT_V1, INIT_V2)
    assert json.loads(firing.environment["CFN_OLD_METADATA"]) == INIT_V1
    assert json.loads(firing.environment["CFN_NEW_METADATA"]) == INIT_V2
    # The action failed: the state stays, so the next poll fires again.
    assert update.next_state(state, []) == state
    assert hooks_to_fire(config, state, stack(INIT_V2)).firings
    # It succeeded: the new value is saved and the next poll is quiet.
    saved = update.next_state(state, ["cfn-auto-reloader-hook"])
    assert saved == {KEY: INIT_V2}
    assert hooks_to_fire(config, saved, stack(INIT_V2)).firings == ()


def test_key_order_does_not_count_as_a_change() -> None:
    old = {"a": 1, "b": [1, {"x": 1, "y": 2}]}
    new = {"b": [1, {"y": 2, "x": 1}], "a": 1}
    assert hooks_to_fire(reloader(), {KEY: old}, stack(new)).firings == ()
    assert hooks_to_fire(
        reloader(), {KEY: old}, stack({"a": "1", "b": old["b"]})
    ).firings


def hook(
    *triggers: Trigger, path: str = "Resources.MyInstance.PhysicalResourceId"
) -> Hook:
    return Hook(
        name="h", triggers=frozenset(triggers), path=HookPath.parse(path), action="x"
    )


@pytest.mark.parametrize(
    ("triggers", "old", "new", "fired", "saved_now"),
    [
        ((Trigger.ADD,), None, "i-1", Trigger.ADD, None),
        ((Trigger.UPDATE,), None, "i-1", None, "i-1"),
        ((Trigger.REMOVE,), "i-1", None, Trigger.REMOVE, None),
        ((Trigger.UPDATE,), "i-1", None, None, "deleted"),
        ((Trigger.UPDATE,), "i-1", "i-2", Trigger.UPDATE, None),
        ((Trigger.ADD, Trigger.REMOVE), "i-1", "i-2", None, "i-2"),
        ((Trigger.ADD, Trigger.UPDATE, Trigger.REMOVE), "i-1", "i-1", None, None),
        ((Trigger.ADD,), None, None, None, None),
    ],
)
def test_trigger_rules(
    triggers: tuple[Trigger, ...],
    old: str | None,
    new: str | None,
    fired: Trigger | None,
    saved_now: str | None,
) -> None:
    h = hook(*triggers)
    state = {} if old is None else {h.state_key: old}
    document = {"Resources": {}} if new is None else stack(None, new)
    decision = hooks_to_fire([h], state, document)
    assert [f.trigger for f in decision.firings] == ([fired] if fired else [])
    if saved_now == "deleted":
        assert decision.baseline == {h.state_key: None}
        assert decision.next_state(state, []) == {}
    elif saved_now is not None:
        assert decision.baseline == {h.state_key: saved_now}
    else:
        assert decision.baseline == {}
    if fired is Trigger.REMOVE:
        assert decision.firings[0].environment["CFN_NEW_METADATA"] == "null"
        assert decision.next_state(state, ["h"]) == {}


def test_path_lookup() -> None:
    document = stack({"a": {"b": None}})
    assert HookPath.parse("Resources.MyInstance").lookup(document)[0]
    assert HookPath.parse(
        "Resources.MyInstance.Metadata.AWS::CloudFormation::Init.a"
    ).lookup(document) == (True, {"b": None})
    assert HookPath.parse(
        "Resources.MyInstance.Metadata.AWS::CloudFormation::Init.a.b"
    ).lookup(document) == (False, None)
    assert HookPath.parse("Resources.Other.Metadata").lookup(document) == (False, None)
    assert HookPath.parse("Resources.MyInstance.Metadata.x.y").lookup([1]) == (
        False,
        None,
    )


@given(
    st.one_of(st.none(), st.integers(0, 3)),
    st.one_of(st.none(), st.integers(0, 3)),
    st.sets(st.sampled_from(list(Trigger))),
)
def test_property_trigger_rules(
    old: int | None, new: int | None, triggers: set[Trigger]
) -> None:
    """add fires on nothing -> something, remove on something -> nothing, update on
    something -> something else; a hook fires at most once; a hook that does not
    fire has the new value saved at once, one that fires only on success."""
    h = hook(*triggers, path="Resources.R.Metadata.v")
    state = {} if old is None else {h.state_key: old}
    document = {"Resources": {"R": {"Metadata": {} if new is None else {"v": new}}}}
    decision = hooks_to_fire([h], state, document)
    event = (
        Trigger.ADD
        if old is None and new is not None
        else Trigger.REMOVE
        if old is not None and new is None
        else Trigger.UPDATE
        if old is not None and new is not None and old != new
        else None
    )
    fires = event is not None and event in triggers
    assert [f.trigger for f in decision.firings] == ([event] if fires else [])
    expected_after_failure = (
        state if fires else ({} if new is None else {h.state_key: new})
    )
    assert decision.next_state(state, []) == expected_after_failure
    assert decision.next_state(state, ["h"]) == (
        {} if new is None else {h.state_key: new}
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Resources", "MyInstance", "Metadata", "a"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=15,
)


@given(json_values, json_values)
def test_property_any_documents_decide_without_crashing(
    old: object, new: object
) -> None:
    """Any JSON as the stored value and as the stack document gives a decision in
    which a hook fires at most once."""
    h = hook(
        Trigger.ADD,
        Trigger.UPDATE,
        Trigger.REMOVE,
        path="Resources.MyInstance.Metadata.a",
    )
    decision = hooks_to_fire([h], {h.state_key: old}, new)
    assert len(decision.firings) <= 1


@given(st.text(max_size=120), st.lists(st.text(max_size=80), max_size=2))
def test_property_any_text_is_a_config_or_a_typed_error(
    main: str, hooks: list[str]
) -> None:
    """Any cfn-hup.conf and hook texts parse, or raise CfnInitInputError."""
    with contextlib.suppress(CfnInitInputError):
        HupConfig.parse(main, hooks)


def test_cfn_init_writes_the_cfn_hup_files_that_cfn_hup_then_reads(
    tmp_path: Path,
) -> None:
    """The User Guide's set-up end to end: the template's !Sub-resolved cfn-hup
    files are written by cfn-init and read back by cfn-hup, whose reloader fires
    when the stack update changes the metadata."""
    root = tmp_path / "root"
    root.mkdir()
    init = load_init_metadata(TEMPLATE, "MyInstance", STACK)
    execute(plan(init), LocalBackend(root))
    config = HupConfig.from_directory(root / "etc" / "cfn")
    assert config.stack == STACK["AWS::StackId"]
    assert config.region == "eu-west-1"
    (reloader,) = config.hooks
    assert reloader.action.endswith(
        "--stack web --resource MyInstance --region eu-west-1"
    )
    document = {
        "Resources": {"MyInstance": {"Metadata": {"AWS::CloudFormation::Init": init}}}
    }
    first = hooks_to_fire(config, {}, document)
    assert first.firings == ()
    state = first.next_state({}, [])
    updated = json.loads(json.dumps(document))
    files = updated["Resources"]["MyInstance"]["Metadata"]["AWS::CloudFormation::Init"][
        "config"
    ]["files"]
    files["/var/www/html/index.html"]["content"] = "Goodbye"
    (firing,) = hooks_to_fire(config, state, updated).firings
    assert firing.hook is reloader
    assert firing.trigger is Trigger.UPDATE
