"""Pod resolv.conf as kubelet writes it (pkg/kubelet/network/dns/dns.go)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns import (
    Cluster,
    DnsPolicy,
    Pod,
    PodDnsConfig,
    ResolvConf,
    resolv_conf,
)
from tests.k8s_dns._data import CLUSTER_YAML

NODE = ResolvConf.parse(
    "# written by systemd\nnameserver 10.0.0.2\nsearch ec2.internal corp.example\n"
    "options timeout:2 attempts:3\n"
)
POD = Pod(name="web-0", namespace="prod", ips=("10.244.1.5",))


def test_cluster_first() -> None:
    conf = resolv_conf(POD, node_resolv_conf=NODE)
    assert conf.text == (
        "nameserver 10.96.0.10\n"
        "search prod.svc.cluster.local svc.cluster.local cluster.local "
        "ec2.internal corp.example\n"
        "options ndots:5\n"
    )
    assert conf.ndots == 5


def test_node_search_duplicates_are_dropped() -> None:
    node = ResolvConf(nameservers=("10.0.0.2",), search=("cluster.local", "a.b"))
    conf = resolv_conf(POD, node_resolv_conf=node)
    assert conf.search == (
        "prod.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
        "a.b",
    )


def test_host_network_cluster_first_is_default() -> None:
    pod = Pod(name="agent", namespace="prod", host_network=True)
    assert resolv_conf(pod, node_resolv_conf=NODE) == NODE
    with_host = resolv_conf(
        pod, DnsPolicy.CLUSTER_FIRST_WITH_HOST_NET, node_resolv_conf=NODE
    )
    assert with_host.nameservers == ("10.96.0.10",)
    assert with_host.options == ("ndots:5",)


def test_default_is_the_node_file_and_no_cluster_dns_falls_back() -> None:
    assert resolv_conf(POD, "Default", node_resolv_conf=NODE).text == (
        "nameserver 10.0.0.2\nsearch ec2.internal corp.example\n"
        "options timeout:2 attempts:3\n"
    )
    assert resolv_conf(POD, node_resolv_conf=NODE, cluster_dns=()) == NODE


def test_none_needs_a_nameserver() -> None:
    with pytest.raises(K8sDnsInputError, match=r"dnsConfig\.nameservers"):
        resolv_conf(POD, DnsPolicy.NONE)
    conf = resolv_conf(POD, "None", dns_config=PodDnsConfig(nameservers=("1.1.1.1",)))
    assert conf.text == "nameserver 1.1.1.1\n"


def test_dns_config_appends_and_merges_options() -> None:
    extra = PodDnsConfig(
        nameservers=("10.96.0.10", "1.1.1.1"),
        searches=("svc.cluster.local", "corp.example"),
        options=(("ndots", "2"), ("edns0", None)),
    )
    conf = resolv_conf(POD, node_resolv_conf=ResolvConf(), dns_config=extra)
    assert conf.nameservers == ("10.96.0.10", "1.1.1.1")
    assert conf.search == (
        "prod.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
        "corp.example",
    )
    assert conf.options == ("ndots:2", "edns0")
    assert conf.ndots == 2


def test_limits_three_nameservers() -> None:
    extra = PodDnsConfig(nameservers=("1.1.1.1", "8.8.8.8", "9.9.9.9"))
    conf = resolv_conf(POD, node_resolv_conf=NODE, dns_config=extra)
    assert conf.nameservers == ("10.96.0.10", "1.1.1.1", "8.8.8.8")
    assert "9.9.9.9" in conf.warnings[0]


def test_limits_search_entries_legacy_and_expanded() -> None:
    node = ResolvConf(search=tuple(f"d{i}.example" for i in range(40)))
    legacy = resolv_conf(POD, node_resolv_conf=node, expanded_dns_config=False)
    assert len(legacy.search) == 6
    expanded = resolv_conf(POD, node_resolv_conf=node)
    assert len(expanded.search) == 32
    assert expanded.warnings


def test_limits_search_characters_and_long_entries() -> None:
    node = ResolvConf(search=("ok.example", "y" * 254))
    conf = resolv_conf(POD, node_resolv_conf=node, expanded_dns_config=False)
    assert conf.search[-1] == "ok.example"  # the 254-character entry is dropped
    # The cluster entries take 22 + 1 + 17 + 1 + 13 = 54 characters; three
    # 82-character entries make 54 + 3 * 83 = 303 > 256, so whole entries are cut
    # from the end: 54 + 2 * 83 = 220 fits.
    long = "x" * 80
    more = ResolvConf(search=tuple(f"{long}.{c}" for c in "abc"))
    cut = resolv_conf(POD, node_resolv_conf=more, expanded_dns_config=False)
    assert cut.search[3:] == (f"{long}.a", f"{long}.b")
    assert any("256" in w for w in cut.warnings)


def test_parse_last_search_wins_and_comments() -> None:
    conf = ResolvConf.parse(
        "search a.example\ndomain b.example ; old\nnameserver 10.0.0.2 # vpc\n"
        "bogus line\noptions ndots:20\n"
    )
    assert conf.search == ("b.example",)
    assert conf.nameservers == ("10.0.0.2",)
    assert conf.ndots == 15  # glibc caps ndots at 15
    assert ResolvConf().ndots == 1


def test_unknown_policy_is_a_typed_error() -> None:
    with pytest.raises(K8sDnsInputError, match="ClusterFirstWithHostNet"):
        resolv_conf(POD, "Cluster")


def test_cluster_resolv_conf_uses_the_pod_spec() -> None:
    cluster = Cluster.load(CLUSTER_YAML)
    custom = cluster.resolv_conf("prod/custom")
    assert custom.text == (
        "nameserver 1.1.1.1\nsearch corp.example\noptions ndots:2 edns0\n"
    )
    assert cluster.resolv_conf("prod/agent").options == ("timeout:2",)


def test_options_the_resolvers_read() -> None:
    conf = ResolvConf.parse(
        "nameserver 10.0.0.2\noptions ndots:2 timeout:1 attempts:3 rotate\n"
        "options single-request single-request-reopen edns0 trust-ad use-vc\n"
        "options attempts:4\n"
    )
    assert (conf.ndots, conf.timeout, conf.attempts) == (2, 1, 4)  # last wins
    flags = ("rotate", "single_request", "single_request_reopen", "edns0", "trust_ad")
    assert [getattr(conf, flag) for flag in flags] == [True] * 5
    plain = ResolvConf()
    assert (plain.ndots, plain.timeout, plain.attempts) == (1, 5, 2)
    assert [getattr(plain, flag) for flag in flags] == [False] * 5
    # a bare name or an unknown option is ignored, as both libcs do
    assert ResolvConf.parse("options ndots inet6 no-tld-query\n").ndots == 1


@pytest.mark.parametrize(
    "option",
    ["ndots:²", "ndots:٣", "timeout:", "attempts:-1", "ndots:1e3", "ndots:" + "9" * 10],
)
def test_a_numeric_option_must_be_ascii_digits(option: str) -> None:
    """``str.isdigit`` accepts '²' (issue #22): neither libc reads it as a number."""
    name = option.partition(":")[0]
    with pytest.raises(K8sDnsInputError, match=f"{name} must be a whole number") as err:
        ResolvConf.parse(f"options {option}\n")
    assert "ASCII digits" in str(err.value)
    with pytest.raises(K8sDnsInputError, match=r"options\[0\]"):
        ResolvConf(options=(option,))


def test_bad_option_words_and_a_pod_dns_config_are_typed_errors() -> None:
    for bad in ("", "two words", 5):
        with pytest.raises(K8sDnsInputError, match="is not an option"):
            ResolvConf(options=(bad,))  # type: ignore[arg-type]
    extra = PodDnsConfig(options=(("ndots", "²"),))
    with pytest.raises(K8sDnsInputError, match="ndots must be a whole number"):
        resolv_conf(POD, node_resolv_conf=ResolvConf(), dns_config=extra)


def test_parse_needs_text() -> None:
    with pytest.raises(K8sDnsInputError, match=r"resolv\.conf must be text"):
        ResolvConf.parse(b"nameserver 10.0.0.2\n")  # type: ignore[arg-type]


_FRAGMENTS = st.sampled_from(
    [
        "nameserver ",
        "search ",
        "domain ",
        "options ",
        "ndots:",
        "timeout:",
        "attempts:",
        "rotate",
        "edns0",
        "²",
        "٣",
        "5",
        "99999999999",
        "#",
        ";",
        " ",
        "\n",
        "\t",
        "\x00",
        "a.example",
    ]
)


@given(st.lists(_FRAGMENTS | st.text(max_size=4), max_size=40).map("".join))
def test_parse_any_text_is_a_conf_or_a_typed_error(text: str) -> None:
    """Any text is a ResolvConf or a K8sDnsInputError, never another exception;
    a parsed file's numeric options read back within each cap."""
    try:
        conf = ResolvConf.parse(text)
    except K8sDnsInputError as err:
        problems = list(err.problems)
    else:
        assert 0 <= conf.ndots <= 15
        assert conf.timeout >= 0
        assert conf.attempts >= 0
        return
    assert problems
    assert all("must be a whole number" in p for p in problems)


@given(st.integers(0, 10**9 - 1), st.sampled_from(["ndots", "timeout", "attempts"]))
def test_ascii_numbers_read_back(value: int, name: str) -> None:
    """``name:n`` with n in ASCII digits reads back as n (ndots capped at 15)."""
    conf = ResolvConf.parse(f"options {name}:{value}\n")
    expected = min(value, 15) if name == "ndots" else value
    assert getattr(conf, name) == expected
