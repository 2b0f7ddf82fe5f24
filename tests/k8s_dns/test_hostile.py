# The wrong-typed calls are the point of these tests.
# mypy: disable-error-code="arg-type, dict-item"
"""Hostile cluster files and wrong-typed calls: typed errors naming the field
(issues 19 and 22), and a rejected input changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns import (
    Cluster,
    DnsServer,
    Endpoint,
    Pod,
    PodDnsConfig,
    Port,
    ResolvConf,
    Service,
    answer_wire,
    cluster_from_dict,
    cluster_from_kubectl,
    load_cluster,
    resolv_conf,
    resolve,
    resolve_with,
    upstream_resolver,
)
from awscore.k8s_dns._load import MAX_CLUSTER_BYTES, MAX_DEPTH, MAX_DIGITS
from tests.conftest import require_peer
from tests.strategies.k8s_dns import cluster_texts


def problems(call: Callable[[], object]) -> list[str]:
    with pytest.raises(K8sDnsInputError) as info:
        call()
    assert isinstance(info.value, ValueError)  # K8sDnsInputError is an input error
    return list(info.value.problems)


@pytest.mark.parametrize(
    "text",
    ["[" * 2500, "[" * 2500 + "]" * 2500, "{a: " * 3000, "- " * 3000 + "x"],
)
def test_nesting_thousands_deep_is_a_typed_error(text: str) -> None:
    """Issue 22: ``load_cluster("[" * 2500)`` was a RecursionError."""
    assert problems(lambda: load_cluster(text)) == [
        f"the cluster file nests deeper than {MAX_DEPTH} levels at line 1"
    ]


def test_json_nested_too_deep_is_a_typed_error() -> None:
    """JSON that YAML rejects (a tab) still goes through a bounded parser."""
    text = '{"services":\t' + "[" * 5000 + "]" * 5000 + "}"
    [problem] = problems(lambda: load_cluster(text))
    assert problem.startswith("the cluster file is not YAML or JSON")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ttl: " + "9" * 5000, "ttl a 5000-digit number must be an integer 0..3600"),
        ('{"ttl":\t' + "9" * 5000 + "}", "ttl a 5000-digit number must be an integer"),
        ("serial: -" + "1" * 4400, "serial a 4400-digit number must be an integer"),
        (
            "services: [{name: a, ports: [{port: " + "8" * 5000 + "}]}]",
            "services[0].ports[0].port a 5000-digit number must be an integer",
        ),
    ],
)
def test_a_5000_digit_number_names_its_field(text: str, expected: str) -> None:
    """Issue 22: ``ttl: 999...`` was Python's bare int-conversion ValueError."""
    [problem] = problems(lambda: load_cluster(text))
    assert problem.startswith(expected)


def test_numbers_up_to_the_digit_bound_are_read() -> None:
    text = "serial: " + "0" * (MAX_DIGITS - 1) + "7"
    assert load_cluster(text).serial == 7


@pytest.mark.parametrize(
    ("value", "shown"),
    [("'²'", "'²'"), ("'٣'", "'٣'"), ("'5 '", "'5 '"), ("'-1'", "'-1'"), ("''", "''")],
)
def test_ndots_in_a_dns_config_must_be_ascii_digits(value: str, shown: str) -> None:
    """Issue 19: ``ndots:²`` in a pod's dnsConfig (``str.isdigit`` takes ``²``)."""
    text = (
        "pods: [{name: p, ip: 10.0.0.1, dns_policy: None, dns_config: "
        f"{{nameservers: [1.1.1.1], options: [{{name: ndots, value: {value}}}]}}}}]"
    )
    assert problems(lambda: load_cluster(text)) == [
        f"pods[0].dns_config.options[0].value {shown} of ndots is not a count: "
        f"decimal digits 0-9, at most {MAX_DIGITS}"
    ]


def test_kubectl_dns_config_options_are_checked_too() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"dnsConfig": {"options": [{"name": "timeout", "value": "²"}]}},
        "status": {"podIP": "10.0.0.1"},
    }
    [problem] = problems(lambda: cluster_from_kubectl({"items": [pod]}))
    assert problem.startswith("items[0] Pod default/p: spec.dnsConfig.options[0].value")
    assert "of timeout is not a count" in problem


def test_numeric_options_take_numbers_and_others_take_text() -> None:
    text = (
        "pods: [{name: p, ip: 10.0.0.1, dns_config: {options: "
        "[{name: ndots, value: 2}, {name: attempts, value: '3'}, {name: edns0}]}}]"
    )
    conf = load_cluster(text).resolv_conf("default/p")
    assert "ndots:2" in conf.text
    assert "attempts:3" in conf.text
    bad = "pods: [{name: p, dns_config: {options: [{name: x, value: [1]}]}}]"
    assert problems(lambda: load_cluster(bad)) == [
        "pods[0].dns_config.options[0].value of x must be text, not a list"
    ]
    nameless = "pods: [{name: p, dns_config: {options: [{value: '1'}]}}]"
    assert problems(lambda: load_cluster(nameless)) == [
        "pods[0].dns_config.options[0].name must be the option's name as text, not null"
    ]


def test_yaml_aliases_are_refused() -> None:
    """A few aliases could make a small file describe millions of endpoints."""
    text = "x: &eps [{ip: 10.0.0.1}]\nservices: [{name: a, endpoints: *eps}]\n"
    assert problems(lambda: load_cluster(text)) == [
        "the cluster file uses a YAML alias at line 2: anchors and aliases are "
        "not accepted, write each object out"
    ]


def test_a_file_past_the_size_bound_is_refused() -> None:
    text = " " * (MAX_CLUSTER_BYTES + 1)
    [problem] = problems(lambda: load_cluster(text))
    assert f"at most {MAX_CLUSTER_BYTES:,} are accepted" in problem


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: load_cluster(None),
            "the cluster file must be YAML or JSON text, not null",
        ),
        (
            lambda: load_cluster(5),
            "the cluster file must be YAML or JSON text, not a number",
        ),
        (
            lambda: load_cluster([]),
            "the cluster file must be YAML or JSON text, not a list",
        ),
        (
            lambda: cluster_from_dict(None),
            "the cluster description must be a mapping with services and pods",
        ),
        (lambda: cluster_from_kubectl(None), "kubectl output must be a List object"),
        (
            lambda: Cluster(services=None),
            "services must be a list of Services, not null",
        ),
        (lambda: Cluster(services=[1]), "services[0] must be Services, not a number"),
        (lambda: Cluster(pods=None), "pods must be a list of Pods, not null"),
        (lambda: Cluster(pods=["a"]), "pods[0] must be Pods, not text"),
        (lambda: Cluster(namespaces=None), "namespaces must be a list of namespace"),
        (lambda: Cluster(namespaces="prod"), "namespaces must be a list of namespace"),
        (
            lambda: Cluster(dns_ips=None),
            "dns_ips must be a list of addresses, not null",
        ),
        (lambda: Cluster(service_cidrs=None), "service_cidrs must be a list of CIDRs"),
        (lambda: Cluster(upstream=None), "upstream must be a mapping of names"),
        (
            lambda: Cluster(upstream={"a.example": None}),
            "upstream['a.example'] must be a list of addresses, not null",
        ),
        (
            lambda: Cluster(node_resolv_conf=None),
            "node_resolv_conf must be a ResolvConf",
        ),
        (lambda: Cluster(zone=None), "zone must be text, not null"),
        (lambda: Cluster(ttl=None), "ttl None must be an integer 0..3600"),
        (lambda: Cluster(ttl=10**5000), "ttl a number that large is out of range"),
        (lambda: Cluster(ttl=-7), "ttl -7 is out of range: must be 0..3600"),
        (lambda: Service(name="a", namespace="b", ports=None), "ports must be a list"),
        (
            lambda: Service(name="a", namespace="b", ports=[80]),
            "ports[0] must be ports",
        ),
        (
            lambda: Service(name="a", namespace="b", endpoints=None),
            "endpoints must be a list of endpoints, not null",
        ),
        (
            lambda: Service(name="a", namespace="b", endpoints=["10.0.0.1"]),
            "endpoints[0] must be endpoints, not text",
        ),
        (
            lambda: Service(name="a", namespace="b", cluster_ips="10.96.0.1"),
            "cluster_ips must be a list of addresses, not text",
        ),
        (lambda: Service(name=None, namespace="b"), "name must be text, not null"),
        (lambda: Endpoint(ip="10.0.0.1", ports=None), "ports must be a list of ports"),
        (lambda: Endpoint(ip="10.0.0.1", ports=[1]), "ports[0] must be ports"),
        (lambda: Endpoint(ip="10.0.0.1", ready=None), "ready must be true or false"),
        (lambda: Endpoint(ip=None), "ip must be text, not null"),
        (lambda: Port(port=None), "port None must be an integer 1..65535"),
        (lambda: Port(port=80, protocol=None), "protocol None is not accepted"),
        (
            lambda: Pod(name="a", namespace="b", ips=None),
            "ips must be a list of addresses",
        ),
        (lambda: Pod(name="a", namespace="b", dns_config=1), "dns_config must be a"),
        (
            lambda: Pod(name="a", namespace="b", host_network=None),
            "host_network must be true or false, not null",
        ),
        (lambda: Cluster().query(None), "qname None must be a string"),
        (lambda: Cluster().query("a", None), "qtype None is not a record type"),
        (lambda: Cluster().query("a", upstream=5), "upstream must be a function"),
        (lambda: Cluster().upstream_query(None), "qname None must be a string"),
        (lambda: Cluster().resolv_conf(5), "pod must be a Pod or its namespace/name"),
        (lambda: Cluster().pod(None), "pod None is not in the cluster"),
    ],
)
def test_wrong_typed_calls_are_typed_errors(
    call: Callable[[], object], expected: str
) -> None:
    """Issue 22: ``load_cluster(None)`` and ~40 other wrong-typed calls raised
    TypeError/AttributeError from deep inside; each names its argument now."""
    assert any(p.startswith(expected) for p in problems(call)), expected


def test_wrong_typed_server_calls_are_typed_errors() -> None:
    require_peer("dns")
    cluster = Cluster()
    assert problems(lambda: answer_wire(None, bytes(12))) == [
        "cluster must be a Cluster, not null"
    ]
    assert problems(lambda: answer_wire(cluster, "x" * 20)) == [
        "wire must be the message's bytes, not text"
    ]
    assert problems(lambda: DnsServer(None, "nohost", -1)) == [
        "cluster must be a Cluster, not null",
        "host 'nohost' is not an IP address to listen on, e.g. 127.0.0.1 or ::1",
        "port -1 must be 0..65535 (0: any free port)",
    ]
    assert problems(lambda: DnsServer(cluster, 5, True)) == [
        "host 5 is not an IP address to listen on, e.g. 127.0.0.1 or ::1",
        "port True must be 0..65535 (0: any free port)",
    ]


@settings(max_examples=200, deadline=None)
@given(cluster_texts())
def test_hostile_cluster_texts_only_raise_typed_errors(text: str) -> None:
    """Any cluster file text loads or raises K8sDnsInputError, nothing else."""
    try:
        cluster = load_cluster(text)
    except K8sDnsInputError:
        return
    assert isinstance(cluster, Cluster)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_are_not_numbers(constant: str) -> None:
    """JSON read by the fallback parser (YAML refuses the tab) never yields NaN."""
    [problem] = problems(lambda: load_cluster('{"ttl":\t' + constant + "}"))
    assert problem.startswith("the cluster file is not YAML or JSON")


def test_an_oversized_option_value_is_reported_as_such() -> None:
    text = (
        "pods: [{name: p, dns_config: {options: [{name: ndots, value: "
        + "9" * 60
        + "}]}}]"
    )
    assert problems(lambda: load_cluster(text)) == [
        "pods[0].dns_config.options[0].value 'a 60-digit number' of ndots is not a "
        f"count: decimal digits 0-9, at most {MAX_DIGITS}"
    ]


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _nested(10_000)  # its repr is a RecursionError
HUGE = 10**5000  # its repr is past Python's int-to-string limit
DEEP_SHOWN = "<a value nested too deeply to show>"
HUGE_SHOWN = "<an integer of about 5,001 digits>"


@pytest.mark.parametrize(
    ("value", "quoted"),
    [(DEEP, DEEP_SHOWN), (HUGE, HUGE_SHOWN)],
    ids=["nested-10000-deep", "5001-digits"],
)
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda v: Cluster().query("a", v), "qtype {} is not a record type"),
        (lambda v: Cluster().upstream_query("a", v), "qtype {} is not a record type"),
        (
            lambda v: resolve_with(ResolvConf(), "api", lambda n, t: None, v),
            "qtype {} is not a record type",
        ),
        (lambda v: Cluster().query(v), "qname {} must be a string"),
        (lambda v: Cluster().upstream_query(v), "qname {} must be a string"),
        (lambda v: Cluster().pod(v), "pod {} is not in the cluster"),
        (lambda v: Port(port=80, protocol=v), "protocol {} is not accepted"),
        (lambda v: Pod(name="a", namespace="b", dns_policy=v), "dns_policy {} is not"),
        (lambda v: Service(name="a", namespace="b", type=v), "type {} is not"),
        (lambda v: ResolvConf(options=(v,)), "options[0] {} is not an option"),
        (lambda v: resolv_conf(Pod(name="a", namespace="b"), v), "dnsPolicy {} is not"),
        (lambda v: resolve_with(ResolvConf(), v, lambda n, t: None), "name {} is not"),
        (
            lambda v: resolve_with(ResolvConf(), "a", lambda n, t: None, libc=v),
            "libc {} is not accepted",
        ),
    ],
)
def test_hostile_values_are_quoted_safely_in_messages(
    call: Callable[[object], object], expected: str, value: object, quoted: str
) -> None:
    """Issue 22 fuzzing: ``normalise_qtype(10**5000)``, ``Cluster.pod([[...]])``,
    ``Port(protocol=[[...]])`` and the like built their message with ``{x!r}``
    (or an Enum lookup that reprs its argument), so the message itself raised
    ValueError (past the int-to-string limit) or RecursionError. Each is a typed
    error that quotes the value with ``shown()``."""
    message = expected.format(quoted)
    assert any(p.startswith(message) for p in problems(lambda: call(value))), message


def test_a_hostile_port_number_is_quoted_safely() -> None:
    """Issue 22 fuzzing: ``Port(port=[[...]])`` was a RecursionError."""
    assert problems(lambda: Port(port=DEEP)) == [
        f"port {DEEP_SHOWN} must be an integer 1..65535"
    ]
    assert problems(lambda: Port(port=HUGE)) == [
        "port a number that large is out of range: must be 1..65535"
    ]


def test_hostile_server_addresses_are_quoted_safely() -> None:
    """Issue 22 fuzzing: ``DnsServer(cluster, [[...]], 10**5000)`` raised
    RecursionError/ValueError while naming the host and the port."""
    require_peer("dns")
    assert problems(lambda: DnsServer(Cluster(), DEEP, HUGE)) == [
        f"host {DEEP_SHOWN} is not an IP address to listen on, e.g. 127.0.0.1 or ::1",
        f"port {HUGE_SHOWN} must be 0..65535 (0: any free port)",
    ]


@pytest.mark.parametrize(
    "address",
    [None, frozenset(), "", "127.0.0.1", ("127.0.0.1",), ("nohost", 53),
     ("127.0.0.1", 70000), ("127.0.0.1", True), ("127.0.0.1", "53"), DEEP],
)  # fmt: skip
def test_upstream_resolver_checks_its_address(address: object) -> None:
    """Issue 22 fuzzing: ``upstream_resolver(None)`` was a TypeError and
    ``upstream_resolver(frozenset())`` a ValueError from ``host, port = address``."""
    require_peer("dns")
    [problem] = problems(lambda: upstream_resolver(address))
    assert problem.startswith("upstream address ")
    assert problem.endswith(
        "is not a DNS server's (host, port): an IP address and a port 0..65535, "
        "e.g. ('10.0.0.2', 53)"
    )


@pytest.mark.parametrize(
    "timeout",
    [0, -1, float("nan"), float("inf"), 3600.5, HUGE, "2", True],
    ids=["0", "-1", "nan", "inf", "past-an-hour", "5001-digits", "text", "true"],
)
def test_upstream_resolver_checks_its_timeout(timeout: object) -> None:
    require_peer("dns")
    [problem] = problems(lambda: upstream_resolver(("127.0.0.1", 53), timeout=timeout))
    assert problem.endswith("must be a number of seconds above 0, at most 3600")
    assert callable(upstream_resolver(("::1", 53), timeout=3600))


def test_a_server_with_a_bad_upstream_is_a_typed_error() -> None:
    require_peer("dns")
    [problem] = problems(lambda: DnsServer(Cluster(), upstream=("127.0.0.1",)))
    assert problem.startswith("upstream address ('127.0.0.1',) is not")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: ResolvConf(options=False), "options must be a list of options, not"),
        (lambda: ResolvConf(nameservers=None), "nameservers must be a list of text"),
        (lambda: ResolvConf(search=1e308), "search must be a list of text, not a num"),
        (lambda: ResolvConf(search=["a", 5]), "search[1] must be text, not a number"),
        (lambda: ResolvConf(warnings=False), "warnings must be a list of text"),
        (lambda: PodDnsConfig(options=None), "options must be a list of a pair"),
        (lambda: PodDnsConfig(options=[("a",)]), "options[0] must be a pair of a name"),
        (lambda: PodDnsConfig(options=[(1, "2")]), "options[0] must be a pair of a"),
        (lambda: PodDnsConfig(options=[("a", 2)]), "options[0] must be a pair of a"),
        (lambda: PodDnsConfig(nameservers=5), "nameservers must be a list of text"),
        (lambda: PodDnsConfig(searches=[None]), "searches[0] must be text, not null"),
    ],
)
def test_resolv_conf_values_check_their_fields(
    call: Callable[[], object], expected: str
) -> None:
    """Issue 22 fuzzing: ``ResolvConf(options=False)`` was a TypeError from
    iterating the options, and PodDnsConfig took anything (to fail later)."""
    assert any(p.startswith(expected) for p in problems(call)), expected


def test_pairs_and_lists_are_accepted_as_before() -> None:
    conf = PodDnsConfig(
        nameservers=["1.1.1.1"], options=[["ndots", "2"], ("edns0", None)]
    )
    assert list(conf.nameservers) == ["1.1.1.1"]
    assert ResolvConf(nameservers=["10.0.0.2"], options=["ndots:3"]).ndots == 3


POD = Pod(name="a", namespace="b")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: resolv_conf("prod/web-0"), "pod must be a Pod, not text"),
        (lambda: resolv_conf(False), "pod must be a Pod, not true/false"),
        (lambda: resolv_conf(POD, node_resolv_conf=None), "node_resolv_conf must be"),
        (lambda: resolv_conf(POD, dns_config=1), "dns_config must be a PodDnsConfig"),
        (lambda: resolv_conf(POD, cluster_dns=5), "cluster_dns must be a list of"),
        (lambda: resolv_conf(POD, cluster_dns=[1]), "cluster_dns must be a list of"),
        (lambda: resolv_conf(POD, cluster_domain=None), "cluster_domain must be text"),
        (
            lambda: resolv_conf(POD, expanded_dns_config="inf"),
            "expanded_dns_config must be true or false, not text",
        ),
        (lambda: resolve("", "prod/web-0", "api"), "cluster must be a Cluster, not"),
        (lambda: resolve_with(None, "api", None), "conf must be a ResolvConf"),
        (lambda: resolve_with(ResolvConf(), "api", None), "lookup must be a function"),
        (
            lambda: resolve_with(ResolvConf(), "api", print, servers=[]),
            "servers must be a mapping of nameserver address to lookup, not a list",
        ),
        (
            lambda: resolve_with(ResolvConf(), "api", print, servers={"a": 5}),
            "servers['a'] must be a function",
        ),
        (
            lambda: resolve_with(ResolvConf(), "api", print, servers={5: print}),
            "servers[5] must be a function",
        ),
    ],
)
def test_resolver_functions_check_their_arguments(
    call: Callable[[], object], expected: str
) -> None:
    """Issue 22 fuzzing: ``resolv_conf("prod/web-0")``, ``resolve("", ...)`` and
    ``resolve_with(None, ...)`` were AttributeErrors from deep inside."""
    assert any(p.startswith(expected) for p in problems(call)), expected
