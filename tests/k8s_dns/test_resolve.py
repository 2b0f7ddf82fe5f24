"""glibc and musl getaddrinfo: search lists, datagrams, retries, results.

The rules pinned here were measured against glibc 2.36 and musl 1.2.3 by the
harness in ``tests/k8s_dns/libc`` (``test_resolve_libc.py`` runs it); these tests
keep each rule's branch covered without root.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.cli import main
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
NS1, NS2 = "10.96.0.10", "10.96.0.11"


def scripted(rcodes: dict[str, str]) -> tuple[list[str], Lookup]:
    """A lookup answering each name from ``rcodes`` (NOERROR, NODATA, CNAME,
    TIMEOUT, or an rcode); every other name is NXDOMAIN."""
    asked: list[str] = []

    def lookup(qname: str, qtype: str) -> DnsAnswer | None:
        asked.append(qname)
        status = rcodes.get(qname, "NXDOMAIN")
        if status == "TIMEOUT":
            return None
        if status in ("NOERROR", "CNAME"):
            if status == "CNAME":
                record = Record(name=qname, type="CNAME", ttl=5, data="db.example.")
            else:
                data = "fd00::1" if qtype == "AAAA" else "10.0.0.1"
                record = Record(name=qname, type=qtype, ttl=5, data=data)
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
        assert result.result.text == "OK 10.0.0.1"
        assert result.result.rule == "found at api.example.com."
        assert [d.server for d in result.datagrams] == [NS1] * 5
        assert [d.wait for d in result.datagrams] == [0.0] * 5
        assert result.answer is not None
        assert result.answer.qname == "api.example.com."


def test_trailing_dot_is_one_query() -> None:
    for libc in LIBCS:
        asked, lookup = scripted({})
        result = resolve_with(CONF, "api.example.com.", lookup, libc=libc)
        assert asked == ["api.example.com."]
        assert result.status == "EAI_NONAME"
        assert result.attempts[0].status == "NXDOMAIN"


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
    assert musl.result.error == "EAI_NONAME"
    assert musl.result.rule == "every name tried was NXDOMAIN"


def test_nodata_moves_glibc_on_but_stops_musl_with_eai_noname() -> None:
    rcodes = {
        "api.prod.svc.cluster.local.": "NODATA",
        "api.svc.cluster.local.": "NOERROR",
    }
    asked, lookup = scripted(rcodes)
    glibc = resolve_with(CONF, "api", lookup, libc="glibc")
    assert asked == ["api.prod.svc.cluster.local.", "api.svc.cluster.local."]
    assert glibc.found
    asked, lookup = scripted(rcodes)
    musl = resolve_with(CONF, "api", lookup, libc="musl")
    assert asked == ["api.prod.svc.cluster.local."]
    # musl 1.2.3: a name that exists without an A record is EAI_NONAME
    assert musl.status == "EAI_NONAME"
    assert "exists with no address" in musl.result.rule
    assert musl.answer is None


def test_glibc_reports_nodata_from_any_name() -> None:
    _, lookup = scripted({"api.svc.cluster.local.": "NODATA"})
    result = resolve_with(CONF, "api", lookup)
    assert result.status == "EAI_NODATA"
    assert "NO_DATA" in result.result.rule


def test_glibc_reports_the_as_is_result_when_it_came_first() -> None:
    conf = ResolvConf(search=("a.example",), options=("ndots:1",))
    asked, lookup = scripted({"x.y.": "NODATA"})
    result = resolve_with(conf, "x.y", lookup)
    assert asked == ["x.y.", "x.y.a.example."]
    assert result.status == "EAI_NODATA"


def test_servfail_is_re_sent_glibc_moves_on_musl_gives_up() -> None:
    """glibc sends a SERVFAIL name ``attempts`` times (2) and goes on; musl re-sends
    it at once twice, again each round (timeout/attempts), then EAI_AGAIN."""
    conf = ResolvConf(
        nameservers=(NS1,),
        search=("a.example", "b.example"),
        options=("ndots:1", "timeout:1", "attempts:2"),
    )
    rcodes = {"api.a.example.": "SERVFAIL"}
    _, lookup = scripted(rcodes)
    glibc = resolve_with(conf, "api", lookup, libc="glibc")
    assert [(d.qname, d.attempt, d.wait) for d in glibc.datagrams] == [
        ("api.a.example.", 1, 0.0),
        ("api.a.example.", 2, 0.0),
        ("api.b.example.", 1, 0.0),
        ("api.", 1, 0.0),
    ]
    assert glibc.datagrams[1].reason == f"SERVFAIL from {NS1}"
    # SERVFAIL then NXDOMAIN: glibc's getaddrinfo says EAI_NONAME (issue #19)
    assert glibc.status == "EAI_NONAME"
    _, lookup = scripted(rcodes)
    musl = resolve_with(conf, "api", lookup, libc="musl")
    assert [(d.attempt, d.at) for d in musl.datagrams] == [
        (1, 0.0),
        (1, 0.0),
        (1, 0.0),
        (2, 0.5),
        (2, 0.5),
        (2, 0.5),
    ]
    assert [d.wait for d in musl.datagrams] == [0.0, 0.0, 0.0, 0.5, 0.0, 0.0]
    assert musl.status == "EAI_AGAIN"
    assert musl.attempts[0].status == "SERVFAIL"


def test_glibc_unspec_keeps_try_again_from_an_earlier_servfail() -> None:
    conf = ResolvConf(search=("a.example", "b.example"), options=("ndots:1",))
    _, lookup = scripted({"api.a.example.": "SERVFAIL"})
    unspec = resolve_with(conf, "api", lookup, family="unspec")
    assert unspec.status == "EAI_AGAIN"
    assert [d.qtype for d in unspec.datagrams[:2]] == ["A", "AAAA"]
    assert unspec.family == "unspec"


def test_refused_glibc_ends_the_search_list_musl_waits_it_out() -> None:
    conf = ResolvConf(search=("a.example", "b.example"), options=("ndots:1",))
    rcodes = {"api.a.example.": "REFUSED", "api.b.example.": "NOERROR"}
    asked, lookup = scripted(rcodes)
    glibc = resolve_with(conf, "api", lookup, libc="glibc")
    assert asked == ["api.a.example.", "api.a.example.", "api."]
    assert glibc.status == "EAI_NONAME"
    assert glibc.result.rule.startswith("TRY_AGAIN at api.a.example. ends the search")
    asked, lookup = scripted(rcodes)
    musl = resolve_with(conf, "api", lookup, libc="musl")
    # the default timeout:5 attempts:2: a second round after 2.5 s, none after 5
    assert [d.at for d in musl.datagrams] == [0.0, 2.5]
    assert musl.status == "EAI_AGAIN"


def test_a_silent_server_costs_the_timeout() -> None:
    conf = ResolvConf(nameservers=(NS1, NS2), options=("timeout:2", "attempts:1"))
    rcodes = {"api.example.com.": "NOERROR"}
    _, first = scripted({"api.example.com.": "TIMEOUT"})
    _, second = scripted(rcodes)
    result = resolve_with(conf, "api.example.com.", second, servers={NS1: first})
    assert [(d.server, d.wait, d.status) for d in result.datagrams] == [
        (NS1, 0.0, "TIMEOUT"),
        (NS2, 2.0, "NOERROR"),
    ]
    assert result.datagrams[1].reason == f"no reply from {NS1} in time"
    assert result.found
    # musl asks both at once and takes the first accepted reply
    musl = resolve_with(
        conf, "api.example.com.", second, libc="musl", servers={NS1: first}
    )
    assert [(d.server, d.at) for d in musl.datagrams] == [(NS1, 0.0), (NS2, 0.0)]
    assert musl.found


def test_glibc_timeout_per_server_and_caps() -> None:
    """send_dg waits ``timeout << index`` seconds, divided by the server count
    past the first; timeout is capped at 30 and attempts at 5."""
    conf = ResolvConf(
        nameservers=("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"),
        options=("timeout:99", "attempts:12"),
    )
    _, silent = scripted({"x.": "TIMEOUT"})
    result = resolve_with(conf, "x.", silent)
    waits = [d.wait for d in result.datagrams]
    # three servers (MAXNS); 30 s, 60/3 = 20 s, 120/3 = 40 s; five tries
    assert [d.server for d in result.datagrams[:3]] == [
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.3",
    ]
    assert waits == [0.0, 30.0, 20.0] + [40.0, 30.0, 20.0] * 4
    assert len(result.datagrams) == 15
    assert result.status == "EAI_AGAIN"
    assert result.attempts[0].status == "TIMEOUT"
    musl = resolve_with(conf, "x.", silent, libc="musl")
    # musl caps timeout at 60 and attempts at 10: a round every 6 s
    assert [d.at for d in musl.datagrams[::3]] == [6.0 * i for i in range(10)]


def test_no_nameserver_means_the_local_host() -> None:
    _, lookup = scripted({"a.": "NOERROR"})
    result = resolve_with(ResolvConf(), "a.", lookup)
    assert result.datagrams[0].server == "127.0.0.1"


def test_a_cname_only_answer_is_not_found() -> None:
    """A stub does not chase a CNAME: the search stops, nothing is found."""
    conf = ResolvConf(search=("a.example", "b.example"), options=("ndots:1",))
    rcodes = {"ext.a.example.": "CNAME", "ext.b.example.": "NOERROR"}
    expected = {
        ("glibc", "inet"): "EAI_NODATA",
        ("glibc", "unspec"): "EAI_NONAME",
        ("musl", "inet"): "EAI_NONAME",
        ("musl", "unspec"): "EAI_NONAME",
    }
    for (libc, family), error in expected.items():
        asked, lookup = scripted(rcodes)
        result = resolve_with(conf, "ext", lookup, libc=libc, family=family)  # type: ignore[arg-type]
        assert set(asked) == {"ext.a.example."}
        assert not result.found
        assert result.answer is None
        assert result.status == error
        assert "CNAME" in result.result.rule


def test_glibc_absolute_failure_and_as_is_success() -> None:
    conf = ResolvConf(search=("a.example",), options=("ndots:1",))
    _, lookup = scripted({"x.y.": "NODATA"})
    absolute = resolve_with(conf, "x.y.", lookup)
    assert absolute.status == "EAI_NODATA"
    assert absolute.result.rule == "an absolute name is asked once: NO_DATA, EAI_NODATA"
    _, lookup = scripted({"x.y.": "NOERROR"})
    assert resolve_with(conf, "x.y", lookup).queries == ("x.y.",)
    _, lookup = scripted({"x.": "NOERROR"})
    assert resolve_with(conf, "x", lookup).queries == ("x.a.example.", "x.")


def test_glibc_root_on_the_search_list_is_the_as_is_query() -> None:
    conf = ResolvConf(search=("a.example", "."), options=("ndots:1",))
    asked, lookup = scripted({})
    result = resolve_with(conf, "x", lookup)
    assert asked == ["x.a.example.", "x."]
    assert result.status == "EAI_NONAME"


def test_glibc_other_rcodes_end_the_list() -> None:
    conf = ResolvConf(search=("a.example", "b.example"), options=("ndots:1",))
    asked, lookup = scripted({"x.a.example.": "FORMERR"})
    result = resolve_with(conf, "x", lookup)
    assert asked == ["x.a.example.", "x."]
    assert result.result.rule.startswith("NO_RECOVERY at x.a.example. ends")
    assert result.status == "EAI_NONAME"


def test_glibc_last_name_failing_is_eai_again() -> None:
    conf = ResolvConf(search=("a.example",), options=("ndots:1",))
    _, lookup = scripted({"x.": "SERVFAIL"})
    result = resolve_with(conf, "x", lookup)
    assert result.status == "EAI_AGAIN"
    assert "no usable reply" in result.result.rule
    _, lookup = scripted({"x.a.example.": "NODATA", "x.": "REFUSED"})
    assert resolve_with(conf, "x", lookup).status == "EAI_NODATA"


def test_glibc_single_request_and_a_bad_or_missing_second_reply() -> None:
    conf = ResolvConf(options=("single-request",))
    _, lookup = scripted({"a.": "SERVFAIL"})
    result = resolve_with(conf, "a.", lookup, family="unspec")
    # single-request: AAAA only follows a usable A reply
    assert [d.qtype for d in result.datagrams] == ["A", "A"]

    def half(qname: str, qtype: str) -> DnsAnswer | None:
        if qtype == "AAAA":
            return (
                None
                if qname == "a."
                else DnsAnswer(qname=qname, qtype=qtype, rcode=Rcode.SERVFAIL)
            )
        record = Record(name=qname, type="A", ttl=5, data="10.0.0.7")
        return DnsAnswer(
            qname=qname, qtype=qtype, rcode=Rcode.NOERROR, answer=(record,)
        )

    reopen = ResolvConf(options=("single-request-reopen", "timeout:1"))
    silent = resolve_with(reopen, "a.", half, family="unspec")
    assert [(d.qtype, d.reason) for d in silent.datagrams] == [
        ("A", "first"),
        ("AAAA", "single-request"),
    ]
    assert silent.result.text == "OK 10.0.0.7"
    bad = resolve_with(ResolvConf(), "b.", half, family="unspec")
    assert [d.qtype for d in bad.datagrams] == ["A", "AAAA"]
    assert bad.result.addresses == ("10.0.0.7",)


def test_glibc_edns0_and_trust_ad_flags_musl_sends_neither() -> None:
    conf = ResolvConf(options=("edns0", "trust-ad"))
    _, lookup = scripted({"a.": "NOERROR"})
    glibc = resolve_with(conf, "a.", lookup)
    assert (glibc.datagrams[0].edns0, glibc.datagrams[0].ad) == (True, True)
    musl = resolve_with(conf, "a.", lookup, libc="musl")
    assert (musl.datagrams[0].edns0, musl.datagrams[0].ad) == (False, False)


def test_glibc_rotate_starts_one_server_further_each_question() -> None:
    conf = ResolvConf(
        nameservers=(NS1, NS2), search=("a.example", "b.example"), options=("rotate",)
    )
    _, lookup = scripted({})
    for start, first in ((0, NS1), (1, NS2), (3, NS2)):
        result = resolve_with(conf, "x", lookup, rotate_start=start)
        servers = [d.server for d in result.datagrams]
        other = NS2 if first == NS1 else NS1
        assert servers == [first, other, first]
    plain = ResolvConf(nameservers=(NS1, NS2), search=("a.example",))
    result = resolve_with(plain, "x", lookup, rotate_start=1)
    assert [d.server for d in result.datagrams] == [NS1, NS1]


def test_musl_servfail_retry_budget_is_per_round() -> None:
    """At most 2 immediate re-sends per query per round; REFUSED is ignored."""
    conf = ResolvConf(nameservers=(NS1, NS2), options=("timeout:1", "attempts:1"))
    _, servfail = scripted({"a.": "SERVFAIL"})
    _, refused = scripted({"a.": "REFUSED"})
    result = resolve_with(
        conf, "a.", servfail, libc="musl", servers={NS2: refused}, family="unspec"
    )
    assert [(d.server, d.qtype) for d in result.datagrams] == [
        (NS1, "A"),
        (NS2, "A"),
        (NS1, "AAAA"),
        (NS2, "AAAA"),
        (NS1, "A"),
        (NS1, "AAAA"),
        (NS1, "A"),
        (NS1, "AAAA"),
    ]
    assert result.status == "EAI_AGAIN"


def test_other_query_types_follow_the_same_path() -> None:
    conf = ResolvConf(search=("a.example",), options=("ndots:1",))

    def srv(qname: str, qtype: str) -> DnsAnswer:
        if qname == "_http._tcp.api.a.example.":
            record = Record(name=qname, type="SRV", ttl=5, data="0 100 80 api.")
            return DnsAnswer(
                qname=qname, qtype=qtype, rcode=Rcode.NOERROR, answer=(record,)
            )
        return DnsAnswer(qname=qname, qtype=qtype, rcode=Rcode.NXDOMAIN)

    for libc in LIBCS:
        result = resolve_with(conf, "_http._tcp.api", srv, "srv", libc)
        assert result.qtype == "SRV"
        assert result.family is None
        # musl: two dots >= ndots:1, the name as is only
        assert result.found is (libc == "glibc")


@pytest.mark.parametrize("name", ["", ".", "a b"])
def test_bad_names_are_typed_errors(name: str) -> None:
    _, lookup = scripted({})
    with pytest.raises(K8sDnsInputError, match="host name"):
        resolve_with(CONF, name, lookup)


def test_bad_libc_family_and_rotate_start_are_typed_errors() -> None:
    _, lookup = scripted({})
    with pytest.raises(K8sDnsInputError, match="glibc or musl"):
        resolve_with(CONF, "api", lookup, libc="uclibc")  # type: ignore[arg-type]
    with pytest.raises(K8sDnsInputError, match="inet, inet6 or unspec"):
        resolve_with(CONF, "api", lookup, family="ipx")  # type: ignore[arg-type]
    for start in (-1, True, "1"):
        with pytest.raises(K8sDnsInputError, match="rotate_start"):
            resolve_with(CONF, "api", lookup, rotate_start=start)  # type: ignore[arg-type]


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
    both = resolve(cluster, "prod/web-0", "api", family="unspec")
    assert [d.qtype for d in both.datagrams] == ["A", "AAAA"]
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
            assert result.result.addresses == (ip,)


@given(clusters(), names, st.sampled_from(LIBCS))
def test_absolute_names_cost_one_query_and_no_more_than_search_plus_one(
    cluster: Cluster, name: str, libc: Libc
) -> None:
    """An absolute name costs exactly one query; no resolution tries more than
    (search entries + 1) names, each once."""
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
    stops (it never searches such a name, never moves past NODATA, SERVFAIL or
    REFUSED) while glibc goes on; on a success both stop with the same answer."""
    conf = ResolvConf(search=tuple(search), options=(f"ndots:{ndots}", "timeout:1"))
    name = ".".join(labels)
    candidates = [f"{name}.{d}." for d in search]
    plan = (
        [f"{name}.", *candidates]
        if name.count(".") >= ndots
        else [*candidates, f"{name}."]
    )
    rcodes = {q: script.get(i, "NXDOMAIN") for i, q in enumerate(plan)}
    _, lookup = scripted(rcodes)
    glibc = resolve_with(conf, name, lookup, libc="glibc")
    musl = resolve_with(conf, name, lookup, libc="musl")
    asked_g, asked_m = list(glibc.queries), list(musl.queries)
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
        assert glibc.result == musl.result
    if asked_g != asked_m:
        last = rcodes[asked_m[-1]]
        assert name.count(".") >= ndots or last in ("NODATA", "SERVFAIL", "REFUSED")


@given(
    st.integers(1, 5),
    st.lists(st.sampled_from(["a.example", "b.example"]), max_size=2, unique=True),
)
def test_glibc_sends_each_name_attempts_times_to_a_servfail_server(
    attempts: int, search: list[str]
) -> None:
    """With one nameserver answering SERVFAIL, glibc sends every name it tries
    exactly ``attempts`` times, with no wait, and reports EAI_AGAIN."""
    conf = ResolvConf(search=tuple(search), options=(f"attempts:{attempts}",))

    def servfail(qname: str, qtype: str) -> DnsAnswer:
        return DnsAnswer(qname=qname, qtype=qtype, rcode=Rcode.SERVFAIL)

    result = resolve_with(conf, "x", servfail)
    assert len(result.datagrams) == attempts * (len(search) + 1)
    assert [d.attempt for d in result.datagrams] == list(range(1, attempts + 1)) * (
        len(search) + 1
    )
    assert all(d.wait == 0 for d in result.datagrams)
    assert result.status == "EAI_AGAIN"


def test_musl_re_sends_only_the_unanswered_query() -> None:
    """An accepted A answer is kept; the next round asks AAAA alone."""

    def a_only(qname: str, qtype: str) -> DnsAnswer:
        rcode = Rcode.NXDOMAIN if qtype == "A" else Rcode.REFUSED
        return DnsAnswer(qname=qname, qtype=qtype, rcode=rcode)

    conf = ResolvConf(options=("timeout:1", "attempts:2"))
    result = resolve_with(conf, "a.", a_only, libc="musl", family="unspec")
    assert [(d.qtype, d.attempt, d.at) for d in result.datagrams] == [
        ("A", 1, 0.0),
        ("AAAA", 1, 0.0),
        ("AAAA", 2, 0.5),
    ]
    assert result.datagrams[2].reason == "no accepted reply in time"
    # name_from_dns looks at the A reply first: its NXDOMAIN moves on (musl's
    # source; the harness's servers answer both types alike, so not measured)
    assert result.status == "EAI_NONAME"


def test_a_dot_on_the_search_list() -> None:
    """glibc reads "." as the root (the name as is, not asked again at the end);
    musl appends it as written and sends "x..", which no server can read, so the
    lookup waits out the timeout and fails with EAI_AGAIN (measured)."""
    conf = ResolvConf(search=("a.example", ".", "b.example"), options=("ndots:1",))
    asked, lookup = scripted({"x.b.example.": "NOERROR"})
    glibc = resolve_with(conf, "x", lookup)
    assert glibc.queries == ("x.a.example.", "x.", "x.b.example.")
    assert glibc.found
    asked, lookup = scripted({"x.b.example.": "NOERROR"})
    musl = resolve_with(conf, "x", lookup, libc="musl")
    assert musl.queries == ("x.a.example.", "x..")
    assert asked == ["x.a.example."]  # the broken question reaches no lookup
    assert [d.status for d in musl.datagrams[1:]] == ["TIMEOUT", "TIMEOUT"]
    assert musl.status == "EAI_AGAIN"
    assert "no server can read" in musl.result.rule
    trailing = ResolvConf(search=("a.example.",), options=("ndots:1",))
    _, lookup = scripted({"x.a.example.": "NOERROR"})
    assert resolve_with(trailing, "x", lookup, libc="musl").queries == ("x.a.example.",)


def test_the_cli_shows_datagrams_and_the_getaddrinfo_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``awscore k8s-dns resolve`` (built-in example cluster) prints the count of
    datagrams and getaddrinfo's result with its rule; ``--json`` lists them."""
    assert (
        main(["k8s-dns", "resolve", "--pod", "prod/web-0", "nope", "--libc", "musl"])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "  5 datagrams; getaddrinfo: EAI_NONAME (every name tried was NXDOMAIN)" in out
    )
    argv = ["k8s-dns", "resolve", "--pod", "prod/web-0", "api", "--json"]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    glibc = document["resolutions"][0]
    assert glibc["result"] == "OK 10.96.0.20"
    assert glibc["datagrams"] == [
        {
            "qname": "api.prod.svc.cluster.local.",
            "qtype": "A",
            "server": "10.96.0.10",
            "attempt": 1,
            "wait": 0.0,
            "status": "NOERROR",
        }
    ]


def test_attempts_zero_glibc_sends_nothing_musl_dies() -> None:
    """attempts:0 (measured): glibc makes zero tries and getaddrinfo says
    EAI_AGAIN; musl 1.2.3 divides its timeout by attempts and dies of SIGFPE."""
    _, lookup = scripted({"x.a.example.": "NOERROR", "x.y.": "NOERROR"})
    for search in ((), ("a.example",)):
        conf = ResolvConf(search=search, options=("ndots:1", "attempts:0"))
        for name in ("x", "x.y", "x.y."):
            glibc = resolve_with(conf, name, lookup)
            assert glibc.datagrams == ()
            assert glibc.status == "EAI_AGAIN"
            musl = resolve_with(conf, name, lookup, libc="musl")
            assert musl.datagrams == ()
            assert musl.result.text == "SIGFPE"
            assert "SIGFPE" in musl.result.rule
    conf = ResolvConf(search=("a.example",), options=("ndots:1", "attempts:0"))
    assert resolve_with(conf, "x", lookup).queries == ("x.a.example.",)


def test_timeout_zero_glibc_waits_a_second_musl_sends_nothing() -> None:
    conf = ResolvConf(options=("timeout:0",))
    _, silent = scripted({"x.": "TIMEOUT"})
    glibc = resolve_with(conf, "x.", silent)
    assert [d.at for d in glibc.datagrams] == [0.0, 1.0]
    musl = resolve_with(conf, "x.", silent, libc="musl")
    assert musl.datagrams == ()
    assert musl.status == "EAI_AGAIN"
