"""``awscore cfn-init plan|apply`` and ``awscore cfn-hup check``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from awscore.cfn_init import (
    DryRunBackend,
    HupConfig,
    HupDecision,
    LocalBackend,
    Plan,
    Report,
    execute,
    fetch_url,
    hooks_to_fire,
    load_init_metadata,
    plan,
    validate,
)
from awscore.cli._output import (
    EXIT_FOUND,
    add_json_flag,
    epilog,
    error_line,
    write_json,
)
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import CfnInitStepError, CliError

__all__ = ["TOUR", "register"]

_TEMPLATE = "examples/cfn-init/template.yaml --resource MyInstance"
_PLAN_EXAMPLE = epilog(
    f"awscore cfn-init plan {_TEMPLATE} -c default\n"
    "--stack-name web --region eu-west-1",
    f"awscore cfn-init plan {_TEMPLATE} --stack-name web\n"
    "--param Greeting=Hello --json",
)
_APPLY_EXAMPLE = epilog(
    f"awscore cfn-init apply {_TEMPLATE}\n--stack-name web --root /tmp/root",
    f"mkdir -p root && awscore cfn-init apply {_TEMPLATE}\n"
    "--stack-name web --root root --execute",
    notes="Without --execute nothing is written (a dry run). With it, files, sources "
    "and commands\nreally run under --root; packages, users, groups and services only "
    "go to recording\nmanagers and are listed, never installed.",
    found="a step failed (the line on stderr names it)",
)
_HUP_EXAMPLE = epilog(
    "awscore cfn-hup check --conf examples/cfn-hup/conf --old examples/cfn-hup/old.json"
    "\n--new examples/cfn-hup/new.json  # exits 3: the hook fires",
    "awscore cfn-hup check --conf examples/cfn-hup/conf "
    "--new examples/cfn-hup/new.json --json",
    notes="--old and --new are stack documents:\n"
    '  {"Resources": {"MyInstance": {"Metadata": {...}, '
    '"PhysicalResourceId": "i-1"}}}\n'
    "Without --old there is no stored state (update-only hooks record a baseline).",
    found="at least one hook fires",
)


def _pairs(values: Sequence[str] | None, flag: str) -> dict[str, str]:
    out = {}
    for item in values or ():
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CliError(f"{flag} {item!r}: expected NAME=VALUE")
        out[name] = value
    return out


def _template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("template", help="a CloudFormation template (JSON or YAML)")
    parser.add_argument("--resource", required=True, help="the resource's logical id")
    parser.add_argument(
        "-c",
        "--configsets",
        default="default",
        help="config sets to run, comma-separated, as cfn-init's -c (default)",
    )
    parser.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="a parameter value (repeatable; declared defaults fill the rest)",
    )
    parser.add_argument(
        "--attribute",
        action="append",
        metavar="RES.ATTR=VALUE",
        help="a Fn::GetAtt value (repeatable)",
    )
    parser.add_argument(
        "--resource-id",
        action="append",
        metavar="RES=PHYSICAL_ID",
        help="what a Ref to a resource returns (repeatable)",
    )
    parser.add_argument("--stack-name", help="AWS::StackName")
    parser.add_argument("--stack-id", help="AWS::StackId")
    parser.add_argument("--region", help="AWS::Region (AWS::Partition follows)")
    parser.add_argument("--account-id", help="AWS::AccountId")
    add_json_flag(parser)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore cfn-init`` and ``awscore cfn-hup``."""
    parser = subparsers.add_parser(
        "cfn-init",
        help="plan or apply AWS::CloudFormation::Init metadata in cfn-init's order",
        description="Plan AWS::CloudFormation::Init metadata in cfn-init's exact "
        "order, or apply it under a root directory.",
        epilog=_PLAN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)
    plan_parser = verbs.add_parser(
        "plan",
        help="the ordered actions, without running anything",
        epilog=_PLAN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _template_arguments(plan_parser)
    plan_parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse, listing every problem, what a linter would (unknown keys, "
        "modes, flags, every set); cfn-init 2.0 itself is far more lenient",
    )
    plan_parser.set_defaults(handler=_plan)
    apply_parser = verbs.add_parser(
        "apply",
        help="run the plan under --root (a dry run unless --execute)",
        epilog=_APPLY_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _template_arguments(apply_parser)
    apply_parser.add_argument("--root", required=True, help="the directory to act in")
    apply_parser.add_argument(
        "--execute", action="store_true", help="really write files and run commands"
    )
    apply_parser.add_argument(
        "--unsafe-host-commands",
        action="store_true",
        help="without bubblewrap, run commands on this host, where they can "
        "reach anything (files are still written only under --root)",
    )
    apply_parser.set_defaults(handler=_apply)

    hup = subparsers.add_parser(
        "cfn-hup",
        help="which cfn-hup hooks fire on a metadata change",
        description="Read cfn-hup.conf and its hooks, and decide which hooks fire "
        "between two stack documents.",
        epilog=_HUP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hup_verbs = hup.add_subparsers(title="verbs", metavar="VERB", required=True)
    check = hup_verbs.add_parser(
        "check",
        help="decide which hooks fire",
        epilog=_HUP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--conf", required=True, help="the folder of cfn-hup.conf, hooks.conf, hooks.d"
    )
    check.add_argument("--old", help="the previous stack document (JSON)")
    check.add_argument("--new", required=True, help="the current stack document (JSON)")
    add_json_flag(check)
    check.set_defaults(handler=_check)


def _load_plan(args: argparse.Namespace) -> Plan:
    parameters: dict[str, object] = dict(_pairs(args.param, "--param"))
    for flag, name in (
        ("stack_name", "AWS::StackName"),
        ("stack_id", "AWS::StackId"),
        ("region", "AWS::Region"),
        ("account_id", "AWS::AccountId"),
    ):
        if getattr(args, flag) is not None:
            parameters[name] = getattr(args, flag)
    metadata = load_init_metadata(
        Path(args.template).read_bytes(),
        args.resource,
        parameters,
        attributes=_pairs(args.attribute, "--attribute"),
        resource_ids=_pairs(args.resource_id, "--resource-id"),
    )
    if getattr(args, "strict", False):
        validate(metadata, args.configsets or "default")
    return plan(metadata, args.configsets)


def _emit(document: object) -> None:
    write_json(document, sort_keys=True)


def _plan(args: argparse.Namespace) -> int:
    steps = _load_plan(args)
    if args.json:
        _emit(steps.to_dict())
    else:
        sys.stdout.write(f"{steps}\n")
    # exit 3: the plan ran and ends where cfn-init 2.0 would fail
    return 0 if steps.failure is None else 3


def _apply(args: argparse.Namespace) -> int:
    steps = _load_plan(args)
    report: Report
    if args.execute:
        if args.unsafe_host_commands:
            sys.stderr.write(
                "warning: --unsafe-host-commands: commands run on this host, "
                "outside any sandbox\n"
            )
        backend = LocalBackend(
            args.root, fetch=fetch_url, run_commands_on_host=args.unsafe_host_commands
        )
        try:
            with backend:
                report = execute(steps, backend)
        except CfnInitStepError as failed:
            # a step that ran and failed is the apply's answer, not bad input
            sys.stderr.write(error_line(failed))
            return EXIT_FOUND
    else:
        report = execute(steps, DryRunBackend())
    if args.json:
        _emit({"executed": args.execute, "root": args.root, **report.to_dict()})
        return 0
    mode = "executed under" if args.execute else "dry run (add --execute) for"
    sys.stdout.write(f"{mode} {args.root}\n{report}\n")
    if args.execute:
        sys.stdout.write(
            "(packages, groups, users and services were recorded, not installed)\n"
        )
    return 0


def _read_json(path: str | None, flag: str) -> Any:
    if path is None:
        return None
    try:
        document = json.loads(Path(path).read_bytes())
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{flag} {path}: not JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except UnicodeDecodeError:
        raise CliError(f"{flag} {path}: not JSON (not UTF-8 text)") from None
    except RecursionError:
        raise CliError(f"{flag} {path}: JSON nested too deeply") from None
    except ValueError:  # a number past Python's 4,300-digit conversion limit
        raise CliError(
            f"{flag} {path}: a number has more than 4300 digits, which is not accepted"
        ) from None
    if not isinstance(document, dict) or not isinstance(
        document.get("Resources"), dict
    ):
        raise CliError(
            f"{flag} {path}: not a stack document: expected an object with "
            '"Resources", e.g. {"Resources": {"MyInstance": {"Metadata": {...}}}}'
        )
    return document


def _decide(config: HupConfig, old: object, new: object) -> HupDecision:
    state: dict[str, object] = {}
    for hook in config.hooks:
        found, value = hook.path.lookup(old)
        if found:
            state[hook.state_key] = value
    return hooks_to_fire(config, state, new)


def _decision_lines(decision: HupDecision, config: HupConfig) -> list[str]:
    lines = [f"stack {config.stack} in {config.region}, every {config.interval} min"]
    fired = {f.hook.name for f in decision.firings}
    for firing in decision.firings:
        hook = firing.hook
        lines.append(f"fires {hook.name} ({firing.trigger.value}) on {hook.path}")
        runas = f" as {hook.runas}" if hook.runas else ""
        lines.append(f"  action{runas}: {hook.action}")
        lines.append("  state saved only if the action succeeds")
    lines.extend(
        f"quiet {hook.name} on {hook.path}"
        + (" (baseline recorded)" if hook.state_key in decision.baseline else "")
        for hook in config.hooks
        if hook.name not in fired
    )
    return lines


def _check(args: argparse.Namespace) -> int:
    config = HupConfig.from_directory(args.conf)
    decision = _decide(
        config, _read_json(args.old, "--old"), _read_json(args.new, "--new")
    )
    if args.json:
        _emit(
            {
                "fires": [
                    {
                        "hook": f.hook.name,
                        "trigger": f.trigger.value,
                        "action": f.hook.action,
                        "runas": f.hook.runas,
                        "environment": dict(f.environment),
                    }
                    for f in decision.firings
                ],
                "baseline": sorted(decision.baseline),
            }
        )
    else:
        sys.stdout.write("\n".join(_decision_lines(decision, config)) + "\n")
    # hooks that fire are what a script asks cfn-hup check about
    return EXIT_FOUND if decision.firings else 0


_TOUR_TEMPLATE = """\
Resources:
  MyInstance:
    Type: AWS::EC2::Instance
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {httpd: []}}
          files:
            /var/www/html/index.html:
              content: !Sub "Hello World from ${AWS::StackName}"
            /etc/cfn/hooks.d/cfn-auto-reloader.conf:
              content: !Sub |
                [cfn-auto-reloader-hook]
                triggers=post.update
                path=Resources.MyInstance.Metadata.AWS::CloudFormation::Init
                action=/opt/aws/bin/cfn-init -s ${AWS::StackName} -r MyInstance
          commands:
            10_check: {command: "httpd -t"}
            2_log: {command: "echo started"}
          services:
            sysvinit:
              httpd:
                enabled: true
                ensureRunning: true
                files: [/var/www/html/index.html]
"""


def _tour() -> TourPart:
    metadata = load_init_metadata(
        _TOUR_TEMPLATE, "MyInstance", {"AWS::StackName": "web"}
    )
    steps = plan(metadata)
    dry = execute(steps, DryRunBackend())
    reloader = metadata["config"]["files"]["/etc/cfn/hooks.d/cfn-auto-reloader.conf"]
    config = HupConfig.parse("[main]\nstack=web\n", [reloader["content"]])
    updated = json.loads(json.dumps(metadata))
    updated["config"]["files"]["/var/www/html/index.html"]["content"] = "v2"

    def document(init: object) -> dict[str, object]:
        resource = {"Metadata": {"AWS::CloudFormation::Init": init}}
        return {"Resources": {"MyInstance": resource}}

    first = _decide(config, None, document(metadata))
    second = _decide(config, document(metadata), document(updated))
    text = (
        "cfn-init runs a config's sections in a fixed order: packages, groups,\n"
        "users, sources, files, commands, services. Within them, files and\n"
        'commands sort by key in code-point order ("10_check" before "2_log").\n'
        "The httpd example, its !Sub resolved for stack 'web':\n\n"
        + str(steps)
        + "\n\nA dry run: the page is new, so httpd restarts (a restart wins over\n"
        "ensureRunning):\n  "
        + str(dry.results[-1])
        + "\n\ncfn-hup's auto-reloader hook (post.update) on its first poll:\n  "
        + "\n  ".join(_decision_lines(first, config)[1:])
        + "\nand after a stack update changes the page:\n  "
        + "\n  ".join(_decision_lines(second, config)[1:3])
        + "\nTry `awscore cfn-init plan examples/cfn-init/template.yaml "
        "--resource MyInstance --stack-name web`."
    )
    return TourPart(
        text=text,
        data={
            "plan": [a.path for a in steps.actions],
            "httpd": dry.results[-1].result.detail,
            "first_poll_fires": [f.hook.name for f in first.firings],
            "after_update_fires": [f.hook.name for f in second.firings],
        },
    )


TOUR = TourSection(
    name="cfn_init", title="cfn-init: the httpd example, in order", run=_tour
)
