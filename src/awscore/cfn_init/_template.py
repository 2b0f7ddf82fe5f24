"""Reading CloudFormation templates: YAML short forms and intrinsic functions.

Sources: the CloudFormation User Guide, "Intrinsic function reference" (``Ref``,
``Fn::Sub``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Base64``, ``Fn::Select``,
``Fn::Split``, ``Fn::If`` and the condition functions, ``Fn::FindInMap``,
``Fn::ImportValue``, ``Fn::GetAZs``, ``Fn::Cidr``, ``Fn::Length``,
``Fn::ToJsonString``), "Pseudo parameters reference" and "Template anatomy".
"""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

import yaml

from awscore.cfn_init._validate import is_digits, kind_of, require
from awscore.errors import (
    CfnInitArgumentError,
    CfnInitInputError,
    UnresolvableIntrinsicError,
)

__all__ = [
    "INIT_KEY",
    "MAX_VALUES",
    "CfnYamlLoader",
    "load_init_metadata",
    "parse_template",
]

#: The metadata key cfn-init reads.
INIT_KEY = "AWS::CloudFormation::Init"

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class CfnYamlLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with CloudFormation's short-form tags.

    ``!Ref x`` becomes ``{"Ref": "x"}``, ``!Condition c`` ``{"Condition": "c"}``,
    ``!GetAtt A.B`` ``{"Fn::GetAtt": ["A", "B"]}`` and every other ``!Name v``
    ``{"Fn::Name": v}``. Dates stay strings (``AWSTemplateFormatVersion:
    2010-09-09`` is text to CloudFormation).

    ``stream`` is YAML text, bytes or a readable file; text PyYAML's reader
    refuses at once (a character YAML does not allow, bytes not UTF-8 or
    UTF-16) raises :class:`~awscore.errors.CfnInitInputError`.
    """

    def __init__(self, stream: str | bytes | IO[str] | IO[bytes]) -> None:
        if not isinstance(stream, str | bytes) and not callable(
            getattr(stream, "read", None)
        ):
            raise CfnInitArgumentError(
                [f"stream: must be YAML text, bytes or a file, not {kind_of(stream)}"]
            )
        try:
            super().__init__(stream)
        except yaml.YAMLError as exc:
            # the reader checks the characters (and decodes bytes) up front
            first = str(exc).splitlines()[0] if str(exc) else "not YAML"
            raise CfnInitInputError([f"stream: {first}"]) from None


CfnYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_SHORT_FORMS = (
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
)


def _node_value(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node, deep=True)


def _long_form(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], object]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> object:
        value = _node_value(loader, node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            return {name: value.split(".", 1)}
        return {name: value}

    return construct


for _short in ("Ref", "Condition"):
    CfnYamlLoader.add_constructor(f"!{_short}", _long_form(_short))
CfnYamlLoader.add_constructor("!GetAtt", _long_form("Fn::GetAtt"))
for _short in _SHORT_FORMS:
    CfnYamlLoader.add_constructor(f"!{_short}", _long_form(f"Fn::{_short}"))


def parse_template(text: str | bytes) -> Mapping[str, object]:
    """Parse a template's JSON or YAML text (short-form tags included).

    Raises :class:`~awscore.errors.CfnInitInputError` when it is neither, or is
    not a mapping.
    """
    require(text, (str, bytes), "text", "the template's text or bytes")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    document: object
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        try:
            document = yaml.load(text, Loader=CfnYamlLoader)  # noqa: S506 (a SafeLoader subclass)
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CfnInitInputError(
                [f"template: neither JSON nor YAML ({first})"]
            ) from None
    if not isinstance(document, Mapping):
        raise CfnInitInputError(["template: must be a mapping (JSON object)"])
    return document


#: The most values (scalars, lists, mappings) resolution walks: a guard against
#: YAML alias bombs, far above any real metadata.
MAX_VALUES = 1_000_000

_NO_VALUE = object()  # AWS::NoValue: the property disappears
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _kind(value: object) -> str:
    return "AWS::NoValue" if value is _NO_VALUE else kind_of(value)


def _partition(region: str) -> tuple[str, str]:
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    return "aws", "amazonaws.com"


class _Resolver:
    def __init__(
        self,
        template: Mapping[str, object],
        *,
        parameters: Mapping[str, object],
        attributes: Mapping[str, object],
        resource_ids: Mapping[str, str],
        imports: Mapping[str, object],
        availability_zones: Mapping[str, Sequence[str]],
    ) -> None:
        self.template = template
        self.attributes = attributes
        self.resource_ids = resource_ids
        self.imports = imports
        self.availability_zones = availability_zones
        self.values: dict[str, object] = {}
        declared = template.get("Parameters")
        self.declared = declared if isinstance(declared, Mapping) else {}
        for name, spec in self.declared.items():
            if isinstance(spec, Mapping) and "Default" in spec:
                self.values[str(name)] = self._typed(spec, spec["Default"])
        for name, value in parameters.items():
            spec = self.declared.get(name)
            self.values[name] = (
                self._typed(spec, value) if isinstance(spec, Mapping) else value
            )
        region = self.values.get("AWS::Region")
        if isinstance(region, str):
            partition, suffix = _partition(region)
            self.values.setdefault("AWS::Partition", partition)
            self.values.setdefault("AWS::URLSuffix", suffix)
        self.budget = MAX_VALUES
        self.conditions: dict[str, bool] = {}
        self.evaluating: list[str] = []

    @staticmethod
    def _typed(spec: Mapping[str, object], value: object) -> object:
        kind = spec.get("Type")
        listed = isinstance(kind, str) and (
            kind == "CommaDelimitedList" or kind.startswith("List<")
        )
        if listed and isinstance(value, str):
            return value.split(",")
        return value

    def fail(
        self, function: str, path: str, message: str
    ) -> UnresolvableIntrinsicError:
        return UnresolvableIntrinsicError(
            f"{function}: {message}", function=function, path=path
        )

    # -- the walk ---------------------------------------------------------------

    def resolve(self, value: object, path: str) -> object:
        self.budget -= 1
        if self.budget < 0:
            # YAML aliases share nodes: a small text can stand for a huge tree.
            raise CfnInitInputError(
                [f"template: metadata larger than {MAX_VALUES} values (YAML aliases?)"]
            )
        if isinstance(value, Mapping):
            if len(value) == 1:
                (key,) = value
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self.intrinsic(key, value[key], f"{path}.{key}".lstrip("."))
            out: dict[object, object] = {}
            for key, item in value.items():
                resolved = self.resolve(item, f"{path}.{key}".lstrip("."))
                if resolved is not _NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            items = [
                self.resolve(item, f"{path}[{index}]")
                for index, item in enumerate(value)
            ]
            return [item for item in items if item is not _NO_VALUE]
        return value

    def intrinsic(self, name: str, argument: object, path: str) -> object:
        handler = _FUNCTIONS.get(name)
        if handler is None:
            raise self.fail(name, path, "is not supported by awscore")
        return handler(self, argument, path)

    def text(self, value: object, function: str, path: str) -> str:
        value = self.resolve(value, path)
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.fail(function, path, f"expects a string here, got {_kind(value)}")

    def listing(self, value: object, function: str, path: str) -> list[object]:
        value = self.resolve(value, path)
        if not isinstance(value, list):
            raise self.fail(function, path, f"expects a list here, got {_kind(value)}")
        return value

    def args(self, value: object, count: int, function: str, path: str) -> list[object]:
        if not isinstance(value, list) or len(value) != count:
            raise self.fail(function, path, f"takes a list of {count} arguments")
        return value

    # -- functions --------------------------------------------------------------

    def ref(self, argument: object, path: str) -> object:
        name = self.text(argument, "Ref", path)
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.values:
            return self.values[name]
        if name in self.resource_ids:
            return self.resource_ids[name]
        resources = self.template.get("Resources")
        if isinstance(resources, Mapping) and name in resources:
            raise self.fail(
                "Ref", path, f"{name!r} is a resource: give its physical id"
            )
        what = "pseudo parameter" if name.startswith("AWS::") else "parameter"
        raise self.fail("Ref", path, f"{what} {name!r} has no value")

    def get_att(self, argument: object, path: str) -> object:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        parts = self.args(argument, 2, "Fn::GetAtt", path)
        resource = self.text(parts[0], "Fn::GetAtt", path)
        attribute = self.text(parts[1], "Fn::GetAtt", path)
        key = f"{resource}.{attribute}"
        if key not in self.attributes:
            raise self.fail("Fn::GetAtt", path, f"attribute {key!r} has no value")
        return self.attributes[key]

    def sub(self, argument: object, path: str) -> object:
        variables: Mapping[str, object] = {}
        if isinstance(argument, list):
            parts = self.args(argument, 2, "Fn::Sub", path)
            template = parts[0]
            given = self.resolve(parts[1], f"{path}[1]")
            if not isinstance(given, Mapping):
                raise self.fail(
                    "Fn::Sub", path, "its second argument must be a mapping"
                )
            variables = given
        else:
            template = argument
        if not isinstance(template, str):
            raise self.fail("Fn::Sub", path, "takes a string, or [string, variables]")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif name in self.values or name in self.resource_ids:
                value = self.ref(name, path)
            elif "." in name:
                value = self.get_att(name, path)
            else:
                raise self.fail("Fn::Sub", path, f"variable ${{{name}}} has no value")
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                raise self.fail(
                    "Fn::Sub",
                    path,
                    f"variable ${{{name}}} is {_kind(value)}, not a string",
                )
            return value

        return _SUB_VARIABLE.sub(replace, template)

    def join(self, argument: object, path: str) -> object:
        parts = self.args(argument, 2, "Fn::Join", path)
        delimiter = self.text(parts[0], "Fn::Join", path)
        items = self.listing(parts[1], "Fn::Join", f"{path}[1]")
        return delimiter.join(
            self.text(item, "Fn::Join", f"{path}[1][{i}]")
            for i, item in enumerate(items)
        )

    def base64(self, argument: object, path: str) -> object:
        text = self.text(argument, "Fn::Base64", path)
        return base64.b64encode(text.encode()).decode()

    def select(self, argument: object, path: str) -> object:
        parts = self.args(argument, 2, "Fn::Select", path)
        index = self.text(parts[0], "Fn::Select", path)
        items = self.listing(parts[1], "Fn::Select", f"{path}[1]")
        if not is_digits(index) or int(index) >= len(items):
            raise self.fail(
                "Fn::Select", path, f"index {index!r} is not in 0..{len(items) - 1}"
            )
        return items[int(index)]

    def split(self, argument: object, path: str) -> object:
        parts = self.args(argument, 2, "Fn::Split", path)
        delimiter = self.text(parts[0], "Fn::Split", path)
        if not delimiter:
            raise self.fail("Fn::Split", path, "the delimiter must not be empty")
        return self.text(parts[1], "Fn::Split", path).split(delimiter)

    def find_in_map(self, argument: object, path: str) -> object:
        parts = self.args(argument, 3, "Fn::FindInMap", path)
        keys = [self.text(p, "Fn::FindInMap", path) for p in parts]
        value: object = self.template.get("Mappings")
        for key in keys:
            if not isinstance(value, Mapping) or key not in value:
                raise self.fail(
                    "Fn::FindInMap", path, f"no mapping entry {'.'.join(keys)!r}"
                )
            value = value[key]
        return value

    def import_value(self, argument: object, path: str) -> object:
        name = self.text(argument, "Fn::ImportValue", path)
        if name not in self.imports:
            raise self.fail("Fn::ImportValue", path, f"export {name!r} has no value")
        return self.imports[name]

    def get_azs(self, argument: object, path: str) -> object:
        region = self.text(argument, "Fn::GetAZs", path) or self.values.get(
            "AWS::Region"
        )
        if not isinstance(region, str) or region not in self.availability_zones:
            raise self.fail(
                "Fn::GetAZs", path, f"the AZs of region {region!r} are not given"
            )
        return list(self.availability_zones[region])

    def cidr(self, argument: object, path: str) -> object:
        parts = self.args(argument, 3, "Fn::Cidr", path)
        block, count, bits = (self.text(p, "Fn::Cidr", path) for p in parts)
        try:
            network = ipaddress.ip_network(block)
            prefix = network.max_prefixlen - int(bits)
            subnets = network.subnets(new_prefix=prefix)
            return [str(s) for s in itertools.islice(subnets, int(count))]
        except ValueError as exc:
            raise self.fail("Fn::Cidr", path, str(exc)) from None

    def length(self, argument: object, path: str) -> object:
        return len(self.listing(argument, "Fn::Length", path))

    def to_json_string(self, argument: object, path: str) -> object:
        return json.dumps(self.resolve(argument, path), separators=(",", ":"))

    def if_(self, argument: object, path: str) -> object:
        parts = self.args(argument, 3, "Fn::If", path)
        name = self.text(parts[0], "Fn::If", path)
        chosen = parts[1] if self.condition(name, path) else parts[2]
        return self.resolve(chosen, path)

    def condition(self, name: str, path: str) -> bool:
        if name in self.conditions:
            return self.conditions[name]
        declared = self.template.get("Conditions")
        if not isinstance(declared, Mapping) or name not in declared:
            raise self.fail("Condition", path, f"condition {name!r} is not declared")
        if name in self.evaluating:
            raise self.fail("Condition", path, f"condition {name!r} refers to itself")
        self.evaluating.append(name)
        result = self.boolean(declared[name], f"Conditions.{name}")
        self.evaluating.pop()
        self.conditions[name] = result
        return result

    def boolean(self, value: object, path: str) -> bool:
        if isinstance(value, Mapping) and set(value) == {"Condition"}:
            return self.condition(
                self.text(value["Condition"], "Condition", path), path
            )
        value = self.resolve(value, path)
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise self.fail("Condition", path, f"is not a condition: got {_kind(value)}")

    def equals(self, argument: object, path: str) -> object:
        parts = self.args(argument, 2, "Fn::Equals", path)
        left, right = (self.resolve(p, path) for p in parts)
        return left == right or (
            not isinstance(left, list | dict) and str(left) == str(right)
        )

    def not_(self, argument: object, path: str) -> object:
        parts = self.args(argument, 1, "Fn::Not", path)
        return not self.boolean(parts[0], path)

    def and_(self, argument: object, path: str) -> object:
        if not isinstance(argument, list) or not argument:
            raise self.fail("Fn::And", path, "takes a list of conditions")
        results = [self.boolean(item, path) for item in argument]  # all evaluated
        return all(results)

    def or_(self, argument: object, path: str) -> object:
        if not isinstance(argument, list) or not argument:
            raise self.fail("Fn::Or", path, "takes a list of conditions")
        results = [self.boolean(item, path) for item in argument]  # all evaluated
        return any(results)


_FUNCTIONS: dict[str, Callable[[_Resolver, object, str], object]] = {
    "Ref": _Resolver.ref,
    "Fn::GetAtt": _Resolver.get_att,
    "Fn::Sub": _Resolver.sub,
    "Fn::Join": _Resolver.join,
    "Fn::Base64": _Resolver.base64,
    "Fn::Select": _Resolver.select,
    "Fn::Split": _Resolver.split,
    "Fn::FindInMap": _Resolver.find_in_map,
    "Fn::ImportValue": _Resolver.import_value,
    "Fn::GetAZs": _Resolver.get_azs,
    "Fn::Cidr": _Resolver.cidr,
    "Fn::Length": _Resolver.length,
    "Fn::ToJsonString": _Resolver.to_json_string,
    "Fn::If": _Resolver.if_,
    "Fn::Equals": _Resolver.equals,
    "Fn::Not": _Resolver.not_,
    "Fn::And": _Resolver.and_,
    "Fn::Or": _Resolver.or_,
}


def load_init_metadata(
    template: str | bytes | Mapping[str, object],
    logical_id: str,
    parameters: Mapping[str, object] | None = None,
    *,
    attributes: Mapping[str, object] | None = None,
    resource_ids: Mapping[str, str] | None = None,
    imports: Mapping[str, object] | None = None,
    availability_zones: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The resolved ``AWS::CloudFormation::Init`` metadata of one resource.

    ``template`` is JSON or YAML text, or an already parsed mapping;
    ``parameters`` gives parameter values (declared ``Default`` values fill the
    rest) and pseudo parameters (``AWS::StackName``, ``AWS::Region``,
    ``AWS::AccountId``, ...; ``AWS::Partition`` and ``AWS::URLSuffix`` follow
    from the region). ``attributes`` holds ``Fn::GetAtt`` values keyed
    ``"Resource.Attribute"``; ``resource_ids`` the physical ids a ``Ref`` to a
    resource returns; ``imports`` the exports; ``availability_zones`` the AZs of
    each region for ``Fn::GetAZs``.

    Raises :class:`~awscore.errors.UnresolvableIntrinsicError` naming the first
    intrinsic that cannot be resolved and its path in the metadata, and
    :class:`~awscore.errors.CfnInitInputError` when the resource or its metadata
    is missing.
    """
    require(logical_id, str, "logical_id", "a resource's logical id")
    document = template if isinstance(template, Mapping) else parse_template(template)
    resources = document.get("Resources")
    where = f"Resources.{logical_id}"
    if not isinstance(resources, Mapping) or logical_id not in resources:
        known = (
            sorted(str(k) for k in resources) if isinstance(resources, Mapping) else []
        )
        raise CfnInitInputError(
            [f"{where}: no such resource; known: {', '.join(known) or '(none)'}"]
        )
    resource = resources[logical_id]
    metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
    if not isinstance(metadata, Mapping) or INIT_KEY not in metadata:
        raise CfnInitInputError([f"{where}.Metadata: has no {INIT_KEY}"])
    resolver = _Resolver(
        document,
        parameters=parameters or {},
        attributes=attributes or {},
        resource_ids=resource_ids or {},
        imports=imports or {},
        availability_zones=availability_zones or {},
    )
    try:
        resolved = resolver.resolve(metadata[INIT_KEY], "")
    except RecursionError:
        raise CfnInitInputError([f"{where}.Metadata: nested too deeply"]) from None
    if not isinstance(resolved, dict):
        raise CfnInitInputError([f"{where}.Metadata.{INIT_KEY}: must be a mapping"])
    return resolved
