"""glibc and musl search algorithms, and resolution from a pod."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import K8sDnsInputError, PodNotFoundError
from awscore.k8s_dns import (
    LIBCS,
    Cluster,
    DnsAnswer,
    Libc,
    Rcode,
    Record,
    ResolvConf,
    resolve,
    resolve_with,
)
from awscore.k8s_dns._resolve import Lookup
from tests.k8s_dns._data import CLUSTER_YAML
from tests.strategies.k8s_dns import clusters, names

CONF = ResolvConf(
    nameservers=("10.96.0.10",),
    search=(
        "prod.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
        "ec2.internal",
    ),
    options=("ndots:5",),
)


def scripted(rcodes: dict[str, str]) -> tuple[list[str], Lookup]:
    """A lookup answering each name from ``rcodes`` (NOERROR, NODATA, ...)."""
    asked: list[str] = []

    def lookup(qname: str, qtype: str) -> DnsAnswer:
        asked.append(qname)
        status = rcodes.get(qname, "NXDOMAIN")
        if status == "NOERROR":
            record = Record(name=qname, type=qtype, ttl=5, data="10.0.0.1")
            return DnsAnswer(
                qname=qname, qtype=qtype, rcode=Rcode.NOERROR, answer=(record,)
            )
        rcode = Rcode.NOERROR if status == "NODATA" else Rcode(status)
        return DnsAnswer(qname=qname, qtype=qtype, rcode=rcode)

    return asked, lookup


def test_api_example_com_costs_five_queries_with_both_libcs() -> None:
    for libc in LIBCS:
        asked, lookup = scripted({"api.example.com.": "NOERROR"})
        result = resolve_with(CONF, "api.example.com", lookup, libc=libc)
        assert asked == [
            "api.example.com.prod.svc.cluster.local.",
            "api.example.com.svc.cluster.local.",
            "api.example.com.cluster.local.",
            "api.example.com.ec2.internal.",
            "api.example.com.",
        ]
        assert result.found
        assert result.status == "NOERROR"


def test_trailing_dot_is_one_query() -> None:
    for libc in LIBCS:
        asked, lookup = scripted({})
        result = resolve_with(CONF, "api.example.com.", lookup, libc=libc)
        assert asked == ["api.example.com."]
        assert result.status == "NXDOMAIN"


def test_enough_dots_glibc_tries_as_is_then_searches_musl_stops() -> None:
    conf = ResolvConf(search=("a.example", "b.example"), options=("ndots:1",))
    asked, lookup = scripted({"web.b.example.": "NOERROR"})
    glibc = resolve_with(conf, "web", lookup, libc="glibc")
    assert asked == ["web.a.example.", "web.b.example."]
    assert glibc.found
    asked, lookup = scripted({"x.y.b.example.": "NOERROR"})
    glibc = resolve_with(conf, "x.y", lookup, libc="glibc")
    assert asked == ["x.y.", "x.y.a.example.", "x.y.b.example."]
    assert glibc.found
    asked, lookup = scripted({"x.y.b.example.": "NOERROR"})
    musl = resolve_with(conf, "x.y", lookup, libc="musl")
    assert asked == ["x.y."]
    assert not musl.found


def test_nodata_moves_glibc_on_but_stops_musl() -> None:
    asked, lookup = scripted(
        {"api.prod.svc.cluster.local.": "NODATA", "api.svc.cluster.local.": "NOERROR"}
    )
    glibc = resolve_with(CONF, "api", lookup, libc="glibc")
    assert asked == ["api.prod.svc.cluster.local.", "api.svc.cluster.local."]
    assert glibc.found
    asked, lookup = scripted(
        {"api.prod.svc.cluster.local.": "NODATA", "api.svc.cluster.local.": "NOERROR"}
    )
    musl = resolve_with(CONF, "api", lookup, libc="musl")
    assert asked == ["api.prod.svc.cluster.local."]
    assert musl.status == "NODATA"
    assert musl.answer is None


def test_servfail_moves_glibc_on_but_stops_musl() -> None:
    rcodes = {"api.prod.svc.cluster.local.": "SERVFAIL"}
    asked, lookup = scripted(rcodes)
    glibc = resolve_with(CONF, "api", lookup, libc="glibc")
    assert len(asked) == 5
    assert glibc.status == "SERVFAIL"
    asked, lookup = scripted(rcodes)
    assert resolve_with(CONF, "api", lookup, libc="musl").status == "SERVFAIL"
    assert len(asked) == 1


def test_glibc_other_errors_end_the_list_then_try_as_is() -> None:
    asked, lookup = scripted({"api.prod.svc.cluster.local.": "REFUSED"})
    result = resolve_with(CONF, "api", lookup, libc="glibc")
    assert asked == ["api.prod.svc.cluster.local.", "api."]
    assert result.status == "NXDOMAIN"


def test_glibc_prefers_nodata_over_nxdomain_and_reports_the_as_is_result() -> None:
    asked, lookup = scripted({"api.svc.cluster.local.": "NODATA"})
    assert resolve_with(CONF, "api", lookup).status == "NODATA"
    conf = ResolvConf(search=("a.example",), options=("ndots:1",))
    asked, lookup = scripted({"x.y.": "NODATA"})
    result = resolve_with(conf, "x.y", lookup)
    assert asked == ["x.y.", "x.y.a.example."]
    assert result.status == "NODATA"


@pytest.mark.parametrize("name", ["", ".", "a b"])
def test_bad_names_are_typed_errors(name: str) -> None:
    _, lookup = scripted({})
    with pytest.raises(K8sDnsInputError, match="host name"):
        resolve_with(CONF, name, lookup)


def test_bad_libc_is_a_typed_error() -> None:
    _, lookup = scripted({})
    with pytest.raises(K8sDnsInputError, match="glibc or musl"):
        resolve_with(CONF, "api", lookup, libc="uclibc")  # type: ignore[arg-type]


def test_resolve_from_pods_of_the_fixture() -> None:
    cluster = Cluster.load(CLUSTER_YAML)
    result = resolve(cluster, "prod/web-0", "api")
    assert result.queries == ("api.prod.svc.cluster.local.",)
    assert result.answer is not None
    assert [r.data for r in result.answer.answer] == ["10.96.0.20"]
    staging = resolve(cluster, "staging/tools", "api.prod", libc="musl")
    assert staging.queries == (
        "api.prod.staging.svc.cluster.local.",
        "api.prod.svc.cluster.local.",
    )
    # A hostNetwork pod asks the node's resolver, which knows no cluster names.
    agent = resolve(cluster, "prod/agent", "api.prod.svc.cluster.local")
    assert agent.queries == (
        "api.prod.svc.cluster.local.",
        "api.prod.svc.cluster.local.ec2.internal.",
    )
    assert not agent.found
    with pytest.raises(PodNotFoundError, match="prod/nope"):
        resolve(cluster, "prod/nope", "api")


@given(clusters(), st.sampled_from(LIBCS), st.data())
def test_services_resolve_by_short_and_namespaced_names(
    cluster: Cluster, libc: Libc, data: st.DataObject
) -> None:
    """A ClusterIP service resolves by its short name from any pod in its
    namespace, and by <svc>.<ns> from any namespace, under both libcs."""
    service = data.draw(st.sampled_from(cluster.services))
    ip = service.cluster_ips[0]
    for pod in cluster.pods:
        names = [f"{service.name}.{service.namespace}"]
        if pod.namespace == service.namespace:
            names.append(service.name)
        for name in names:
            result = resolve(cluster, pod, name, libc=libc)
            assert result.answer is not None, (pod.key, name, result.queries)
            assert [r.data for r in result.answer.answer] == [ip]


@given(clusters(), names, st.sampled_from(LIBCS))
def test_absolute_names_cost_one_query_and_no_more_than_search_plus_one(
    cluster: Cluster, name: str, libc: Libc
) -> None:
    """An absolute name costs exactly one query; no resolution tries more than
    (search entries + 1) names."""
    pod = cluster.pods[0]
    result = resolve(cluster, pod, name, libc=libc)
    conf = cluster.resolv_conf(pod)
    if name.endswith("."):
        assert len(result.attempts) == 1
    assert len(result.attempts) <= len(conf.search) + 1
    assert len(set(result.queries)) == len(result.queries)


_STATUSES = st.sampled_from(["NOERROR", "NODATA", "NXDOMAIN", "SERVFAIL", "REFUSED"])


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(["a.example", "b.example", "c.example"]),
        max_size=3,
        unique=True,
    ),
    st.integers(0, 3),
    st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3),
    st.dictionaries(st.integers(0, 4), _STATUSES),
)
def test_glibc_and_musl_differ_exactly_where_the_rules_say(
    search: list[str], ndots: int, labels: list[str], script: dict[int, str]
) -> None:
    """Both libcs ask the same names until the first answer that is neither
    success nor NXDOMAIN, or until a name with at least ndots dots: there musl
    stops (it never searches such a name, never moves past NODATA or SERVFAIL)
    while glibc goes on; on a success both stop with the same answer."""
    conf = ResolvConf(search=tuple(search), options=(f"ndots:{ndots}",))
    name = ".".join(labels)
    candidates = [f"{name}.{d}." for d in search]
    plan = (
        [f"{name}.", *candidates]
        if name.count(".") >= ndots
        else [*candidates, f"{name}."]
    )
    rcodes = {q: script.get(i, "NXDOMAIN") for i, q in enumerate(plan)}
    asked_g, lookup_g = scripted(rcodes)
    asked_m, lookup_m = scripted(rcodes)
    glibc = resolve_with(conf, name, lookup_g, libc="glibc")
    musl = resolve_with(conf, name, lookup_m, libc="musl")
    # musl, by its rule: as-is only with enough dots; else search, stop on
    # anything but NXDOMAIN.
    if name.count(".") >= ndots:
        expected_musl = [f"{name}."]
    else:
        expected_musl = []
        for q in plan:
            expected_musl.append(q)
            if rcodes[q] != "NXDOMAIN":
                break
    assert asked_m == expected_musl
    assert asked_g[: len(asked_m)] == asked_m
    if musl.found:
        assert glibc.found
        assert asked_g == asked_m
    if asked_g != asked_m:
        last = rcodes[asked_m[-1]]
        assert name.count(".") >= ndots or last in ("NODATA", "SERVFAIL", "REFUSED")
