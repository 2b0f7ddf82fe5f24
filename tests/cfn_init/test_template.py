"""Templates: YAML short forms, intrinsic functions, and what cannot be resolved."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from awscore.cfn_init import (
    CfnYamlLoader,
    File,
    load_init_metadata,
    parse_template,
    plan,
)
from awscore.errors import CfnInitError, CfnInitInputError, UnresolvableIntrinsicError

STACK = {
    "AWS::StackName": "web",
    "AWS::StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/web/1",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
}

# The User Guide's cfn-hup set-up, with the httpd example.
TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
Parameters:
  Greeting: {Type: String, Default: Hello}
  Subnets: {Type: CommaDelimitedList, Default: "a,b,c"}
Resources:
  MyInstance:
    Type: AWS::EC2::Instance
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {httpd: []}}
          files:
            /var/www/html/index.html:
              content: !Sub "${Greeting} World from ${AWS::StackName}"
            /etc/cfn/cfn-hup.conf:
              content: !Sub |
                [main]
                stack=${AWS::StackId}
                region=${AWS::Region}
              mode: "000400"
              owner: root
              group: root
            /etc/cfn/hooks.d/cfn-auto-reloader.conf:
              content: !Sub |
                [cfn-auto-reloader-hook]
                triggers=post.update
                path=Resources.MyInstance.Metadata.AWS::CloudFormation::Init
                action=@ACTION@
                runas=root
          services:
            sysvinit:
              httpd: {enabled: true, ensureRunning: true}
              cfn-hup:
                enabled: true
                ensureRunning: true
                files: [/etc/cfn/cfn-hup.conf, /etc/cfn/hooks.d/cfn-auto-reloader.conf]
""".replace(
    "@ACTION@",
    "/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource MyInstance "
    "--region ${AWS::Region}",
)


def file_content(metadata: dict[str, Any], path: str) -> str:
    content = metadata["config"]["files"][path]["content"]
    assert isinstance(content, str)
    return content


def test_httpd_and_cfn_hup_templates_resolve() -> None:
    metadata = load_init_metadata(TEMPLATE, "MyInstance", STACK)
    assert file_content(metadata, "/var/www/html/index.html") == "Hello World from web"
    assert file_content(metadata, "/etc/cfn/cfn-hup.conf") == (
        "[main]\nstack=arn:aws:cloudformation:eu-west-1:123456789012:stack/web/1\n"
        "region=eu-west-1\n"
    )
    reloader = file_content(metadata, "/etc/cfn/hooks.d/cfn-auto-reloader.conf")
    assert "--stack web --resource MyInstance --region eu-west-1\n" in reloader
    assert "path=Resources.MyInstance.Metadata.AWS::CloudFormation::Init\n" in reloader
    result = plan(metadata)
    assert [a.key for a in result.actions] == [
        "yum.httpd",
        "/etc/cfn/cfn-hup.conf",
        "/etc/cfn/hooks.d/cfn-auto-reloader.conf",
        "/var/www/html/index.html",
        "sysvinit.httpd",
        "sysvinit.cfn-hup",
    ]
    hup = result.actions[1].details
    assert isinstance(hup, File)
    assert (hup.mode, hup.owner, hup.group) == ("000400", "root", "root")


def test_json_templates_and_parameters_override_defaults() -> None:
    document = {
        "Parameters": {"Greeting": {"Type": "String", "Default": "Hello"}},
        "Resources": {
            "R": {
                "Metadata": {
                    "AWS::CloudFormation::Init": {
                        "config": {"commands": {"a": {"command": {"Ref": "Greeting"}}}}
                    }
                }
            }
        },
    }
    text = json.dumps(document)
    assert (
        load_init_metadata(text, "R")["config"]["commands"]["a"]["command"] == "Hello"
    )
    resolved = load_init_metadata(text.encode(), "R", {"Greeting": "Hi"})
    assert resolved["config"]["commands"]["a"]["command"] == "Hi"
    assert (
        load_init_metadata(document, "R", {"Greeting": "Yo"})["config"]["commands"][
            "a"
        ]["command"]
        == "Yo"
    )


def test_yaml_short_forms_become_long_forms() -> None:
    text = """
a: !Ref P
b: !GetAtt Res.Attr.Deep
c: !GetAtt [Res, Attr]
d: !Sub ["${x}", {x: 1}]
e: !Join [",", [a, b]]
f: !Base64 hi
g: !Select [0, !Split [",", "x,y"]]
h: !If [Cond, 1, 2]
i: !Equals [a, b]
j: !FindInMap [M, K, V]
k: !ImportValue Exp
l: !GetAZs ""
m: !Not [!Condition C]
n: !And [!Condition C, !Or [!Condition D]]
o: 2010-09-09
p: !Cidr [10.0.0.0/16, 2, 8]
"""
    document = yaml.load(text, Loader=CfnYamlLoader)  # noqa: S506 (a SafeLoader)
    assert document == {
        "a": {"Ref": "P"},
        "b": {"Fn::GetAtt": ["Res", "Attr.Deep"]},
        "c": {"Fn::GetAtt": ["Res", "Attr"]},
        "d": {"Fn::Sub": ["${x}", {"x": 1}]},
        "e": {"Fn::Join": [",", ["a", "b"]]},
        "f": {"Fn::Base64": "hi"},
        "g": {"Fn::Select": [0, {"Fn::Split": [",", "x,y"]}]},
        "h": {"Fn::If": ["Cond", 1, 2]},
        "i": {"Fn::Equals": ["a", "b"]},
        "j": {"Fn::FindInMap": ["M", "K", "V"]},
        "k": {"Fn::ImportValue": "Exp"},
        "l": {"Fn::GetAZs": ""},
        "m": {"Fn::Not": [{"Condition": "C"}]},
        "n": {"Fn::And": [{"Condition": "C"}, {"Fn::Or": [{"Condition": "D"}]}]},
        "o": "2010-09-09",
        "p": {"Fn::Cidr": ["10.0.0.0/16", 2, 8]},
    }


def resolve(value: object, **kwargs: Any) -> object:
    """Resolve ``value`` as the content of a file in a one-resource template."""
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "prod"}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["1", 1]}]},
            "Either": {"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "Both"}]},
            "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
        },
        "Mappings": {"Regions": {"eu-west-1": {"Ami": "ami-123"}}},
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "R": {"Metadata": {"AWS::CloudFormation::Init": {"v": value}}},
        },
    }
    parameters = {**STACK, **kwargs.pop("parameters", {})}
    return load_init_metadata(template, "R", parameters, **kwargs)["v"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        ({"Fn::Sub": "${AWS::AccountId}-${Env}"}, "123456789012-prod"),
        ({"Fn::Sub": "${!Literal} and ${Env}"}, "${Literal} and prod"),
        ({"Fn::Sub": ["${A}/${Env}", {"A": {"Ref": "AWS::StackName"}}]}, "web/prod"),
        ({"Fn::Sub": "${Bucket.Arn}"}, "arn:aws:s3:::b"),
        ({"Fn::Sub": "${Bucket}"}, "my-bucket"),
        ({"Fn::Sub": ["${N}", {"N": 3}]}, "3"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::b"),
        ({"Fn::GetAtt": "Bucket.Arn"}, "arn:aws:s3:::b"),
        ({"Ref": "Bucket"}, "my-bucket"),
        ({"Fn::Join": ["-", ["a", {"Ref": "Env"}, 3]]}, "a-prod-3"),
        ({"Fn::Join": [",", {"Fn::Split": ["|", "x|y"]}]}, "x,y"),
        ({"Fn::Base64": "Hello"}, "SGVsbG8="),
        ({"Fn::Select": ["1", ["a", "b"]]}, "b"),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "eu-west-1a"),
        ({"Fn::If": ["IsProd", "big", "small"]}, "big"),
        ({"Fn::If": ["IsDev", "big", "small"]}, "small"),
        ({"Fn::If": ["Either", "y", "n"]}, "y"),
        ({"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Ami"]}, "ami-123"),
        ({"Fn::ImportValue": "SharedVpc"}, "vpc-1"),
        ({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}, ["10.0.0.0/24", "10.0.1.0/24"]),
        ({"Fn::Length": ["a", "b", "c"]}, 3),
        ({"Fn::ToJsonString": {"a": [1]}}, '{"a":[1]}'),
        ({"Fn::Equals": ["a", "a"]}, True),
        ({"k": {"Ref": "AWS::NoValue"}, "j": 1}, {"j": 1}),
        ([1, {"Ref": "AWS::NoValue"}], [1]),
    ],
)
def test_intrinsics(value: object, expected: object) -> None:
    extras = {
        "attributes": {"Bucket.Arn": "arn:aws:s3:::b"},
        "resource_ids": {"Bucket": "my-bucket"},
        "imports": {"SharedVpc": "vpc-1"},
        "availability_zones": {"eu-west-1": ["eu-west-1a", "eu-west-1b"]},
    }
    assert resolve(value, **extras) == expected


def test_partition_follows_the_region_and_lists_split() -> None:
    region = {"AWS::Region": "cn-north-1"}
    assert resolve({"Ref": "AWS::Partition"}, parameters=region) == "aws-cn"
    assert resolve({"Ref": "AWS::URLSuffix"}, parameters=region) == "amazonaws.com.cn"
    gov = {"AWS::Region": "us-gov-west-1"}
    assert resolve({"Ref": "AWS::Partition"}, parameters=gov) == "aws-us-gov"
    metadata = load_init_metadata(
        TEMPLATE.replace(
            'content: !Sub "${Greeting} World from ${AWS::StackName}"',
            "content: !Select [2, !Ref Subnets]",
        ),
        "MyInstance",
        STACK,
    )
    assert file_content(metadata, "/var/www/html/index.html") == "c"


@pytest.mark.parametrize(
    ("value", "function", "fragment"),
    [
        ({"Ref": "Missing"}, "Ref", "parameter 'Missing' has no value"),
        ({"Ref": "AWS::NotificationARNs"}, "Ref", "pseudo parameter"),
        ({"Ref": "Bucket"}, "Ref", "'Bucket' is a resource: give its physical id"),
        ({"Fn::Sub": "${Nope}"}, "Fn::Sub", "variable ${Nope} has no value"),
        ({"Fn::Sub": "${Bucket.Arn}"}, "Fn::GetAtt", "'Bucket.Arn' has no value"),
        (
            {"Fn::Sub": ["${X}", {"X": ["l"]}]},
            "Fn::Sub",
            "${X} is a list, not a string",
        ),
        ({"Fn::Sub": ["${X}", ["l"]]}, "Fn::Sub", "second argument must be a mapping"),
        ({"Fn::Sub": 3}, "Fn::Sub", "takes a string"),
        ({"Fn::GetAtt": ["Bucket"]}, "Fn::GetAtt", "takes a list of 2"),
        ({"Fn::Join": [",", "notalist"]}, "Fn::Join", "expects a list"),
        ({"Fn::Join": [",", [["x"]]]}, "Fn::Join", "expects a string"),
        ({"Fn::Select": [5, ["a"]]}, "Fn::Select", "index '5' is not in 0..0"),
        ({"Fn::Select": ["\u00b2", ["a"]]}, "Fn::Select", "index '\u00b2' is not"),
        ({"Fn::Split": ["", "a"]}, "Fn::Split", "delimiter must not be empty"),
        ({"Fn::FindInMap": ["Regions", "mars", "Ami"]}, "Fn::FindInMap", "no mapping"),
        ({"Fn::ImportValue": "Nope"}, "Fn::ImportValue", "export 'Nope'"),
        ({"Fn::GetAZs": "us-east-2"}, "Fn::GetAZs", "'us-east-2' are not given"),
        ({"Fn::If": ["Unknown", 1, 2]}, "Condition", "'Unknown' is not declared"),
        ({"Fn::If": ["Loop", 1, 2]}, "Condition", "refers to itself"),
        ({"Fn::Not": [3]}, "Condition", "is not a condition"),
        ({"Fn::And": []}, "Fn::And", "takes a list of conditions"),
        ({"Fn::Or": "x"}, "Fn::Or", "takes a list of conditions"),
        ({"Fn::Cidr": ["nonsense", 2, 8]}, "Fn::Cidr", "does not appear"),
        ({"Fn::Transform": {}}, "Fn::Transform", "is not supported"),
        ({"Fn::Nope": 1}, "Fn::Nope", "is not supported"),
    ],
)
def test_unresolvable_intrinsics_name_themselves_and_their_path(
    value: object, function: str, fragment: str
) -> None:
    with pytest.raises(UnresolvableIntrinsicError) as caught:
        resolve({"files": {"/etc/x": {"content": value}}})
    error = caught.value
    assert isinstance(error, CfnInitInputError)
    assert error.function == function
    # A condition's own fault is located in the Conditions section.
    assert error.path.startswith(("v.files./etc/x.content", "Conditions.Loop"))
    assert fragment in str(error)


def test_unresolvable_path_inside_a_real_config() -> None:
    text = TEMPLATE.replace("${Greeting}", "${Farewell}")
    with pytest.raises(UnresolvableIntrinsicError) as caught:
        load_init_metadata(text, "MyInstance", STACK)
    assert str(caught.value) == (
        "config.files./var/www/html/index.html.content.Fn::Sub: "
        "Fn::Sub: variable ${Farewell} has no value"
    )


@pytest.mark.parametrize(
    ("template", "logical_id", "fragment"),
    [
        ("Resources: {}", "MyInstance", "Resources.MyInstance: no such resource"),
        ("Resources: {A: {Type: X}}", "A", "Resources.A.Metadata: has no AWS::"),
        (
            "Resources: {A: {Metadata: {AWS::CloudFormation::Init: 3}}}",
            "A",
            "must be a mapping",
        ),
        ("[1, 2]", "A", "template: must be a mapping"),
        ("a: [", "A", "template: neither JSON nor YAML"),
        ("a: !Unknown x", "A", "template: neither JSON nor YAML"),
    ],
)
def test_template_problems(template: str, logical_id: str, fragment: str) -> None:
    with pytest.raises(CfnInitInputError) as caught:
        load_init_metadata(template, logical_id)
    assert fragment in str(caught.value)


@given(st.text(max_size=200))
def test_property_any_text_parses_or_raises_a_typed_error(text: str) -> None:
    """Any template text parses to a mapping or raises a CfnInitError."""
    with contextlib.suppress(CfnInitError):
        assert isinstance(parse_template(text), dict)


def test_deeply_nested_templates_are_refused_cleanly() -> None:
    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(CfnInitInputError):
        parse_template(deep)
    nested: object = "x"
    for _ in range(3000):
        nested = [nested]
    document = {
        "Resources": {"A": {"Metadata": {"AWS::CloudFormation::Init": {"c": nested}}}}
    }
    with pytest.raises(CfnInitInputError, match="nested too deeply"):
        load_init_metadata(document, "A")


intrinsic_names = st.sampled_from(
    [
        "Ref",
        "Fn::Sub",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::Base64",
        "Fn::FindInMap",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::Not",
        "Fn::Equals",
        "Fn::Length",
        "Fn::ToJsonString",
        "Condition",
        "Fn::ImportValue",
    ]
)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 300)
    | st.sampled_from(
        [
            "",
            "a",
            "Env",
            "AWS::Region",
            "AWS::NoValue",
            "${Env}",
            "${!x}",
            "${a.b}",
            ",",
            "10.0.0.0/16",
            "IsProd",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(intrinsic_names, inner, min_size=1, max_size=1)
        | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=12,
)


@given(values)
def test_property_any_intrinsic_tree_resolves_or_raises_a_typed_error(
    value: object,
) -> None:
    """Any tree of intrinsic functions resolves or raises a CfnInitError."""
    with contextlib.suppress(CfnInitError):
        resolve(value, availability_zones={"eu-west-1": ["a"]})


def test_yaml_alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)
    ]
    text = "\n".join(
        [
            "Resources:",
            "  A:",
            "    Metadata:",
            "      AWS::CloudFormation::Init:",
            "        config: {}",
            "        bomb:",
            *("          " + line for line in lines),
        ]
    )
    with pytest.raises(CfnInitInputError, match="larger than 1000000 values"):
        load_init_metadata(text, "A")


def test_parameter_values_stay_out_of_error_messages() -> None:
    uses = {
        "a": {"Fn::Sub": "${Secret}"},
        "c": {"Fn::Join": ["", [{"Ref": "Secret"}]]},
    }
    for use in uses.values():
        template = {
            "Parameters": {"Secret": {"Type": "CommaDelimitedList", "NoEcho": True}},
            "Resources": {"R": {"Metadata": {"AWS::CloudFormation::Init": {"v": use}}}},
        }
        with pytest.raises(UnresolvableIntrinsicError) as caught:
            load_init_metadata(template, "R", {"Secret": "hunter2,other"})
        assert "hunter2" not in str(caught.value)
        assert "a list" in str(caught.value)
