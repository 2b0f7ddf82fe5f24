# These tests pass wrong kinds of values on purpose, as an untyped caller would:
# mypy: disable-error-code="arg-type,dict-item,list-item,return-value"
"""Hostile input to the vpn module: typed errors, no state changed (issue #22)."""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import AwsCoreError, MalformedPacketError, VpnError, VpnInputError
from awscore.vpn import (
    InboundSA,
    ReplayWindow,
    Route,
    RouteTable,
    SecurityAssociation,
    SiteToSiteVpn,
    TunnelOptions,
    classify_udp_4500,
    decapsulate,
    dissect,
    encapsulate,
    fragment_ipv4,
    icmp_echo,
    internet_checksum,
    ipv6_packet,
    make_sad,
    parse_ipv4,
    parse_udp,
    reassemble_ipv4,
    select_gateway_route,
    validate_inside_cidr,
)
from awscore.vpn._packet import MAX_FRAGMENTS
from awscore.vpn._sitetosite import MAX_CLOCK
from tests.strategies import hostile
from tests.strategies.vpn import corrupted

SA = SecurityAssociation(spi=0x1001, cipher="aes-128-gcm", key=bytes(20))
INNER = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"hi")
TUNNELS = [
    TunnelOptions(outside_ip="52.95.1.1", inside_cidr="169.254.10.0/30"),
    TunnelOptions(outside_ip="52.95.1.2", inside_cidr="169.254.11.0/30"),
]
DEEP = hostile.nested_list(3000)


def _outer(sa: SecurityAssociation = SA, **kwargs: Any) -> bytes:
    return encapsulate(
        INNER, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1", **kwargs
    )


def _site() -> SiteToSiteVpn:
    return SiteToSiteVpn(
        customer_gateway_ip="203.0.113.50",
        onprem_cidr="10.0.0.0/16",
        vpc_cidr="172.31.0.0/16",
        tunnels=TUNNELS,
        key_seed=b"an IKE-derived secret, here fixed",
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: decapsulate(5, make_sad(SA)), "outer packet must be bytes, not 5"),
        (lambda: decapsulate(_outer(), [SA]), "sad=.* must be a mapping"),
        (lambda: decapsulate(_outer(), {0x1001: SA}), r"sad\[0x00001001\] is"),
        (lambda: dissect(_outer(), "sa"), "sa='sa' must be a SecurityAssociation"),
        (lambda: dissect(_outer(), SA, sequence=-1), "sequence=-1 must be None"),
        (lambda: dissect(None, SA), "outer packet must be bytes, not None"),
        (
            lambda: encapsulate(INNER, None, outer_src="1.2.3.4", outer_dst="1.2.3.5"),
            "sa=None",
        ),
        (
            lambda: encapsulate("x", SA, outer_src="1.2.3.4", outer_dst="1.2.3.5"),
            "inner packet must be bytes",
        ),
        (
            lambda: encapsulate(INNER, SA, outer_src=[1], outer_dst="1.2.3.5"),
            r"outer_src \[1\] is not",
        ),
        (
            lambda: encapsulate(
                INNER, SA, outer_src="1.2.3.4", outer_dst="1.2.3.5", nat_t=[]
            ),
            r"nat_t=\[\] must be",
        ),
        (
            lambda: encapsulate(
                INNER, SA, outer_src="1.2.3.4", outer_dst="1.2.3.5", iv="abcdefgh"
            ),
            "IV 'abcdefgh'",
        ),
        (
            lambda: encapsulate(
                INNER,
                SecurityAssociation(
                    spi=0x1002,
                    cipher="aes-128-gcm",
                    key=bytes(20),
                    iv_source=lambda n: "x" * n,
                ),
                outer_src="1.2.3.4",
                outer_dst="1.2.3.5",
            ),
            "the IV source gave 'xxxxxxxx'",
        ),
        (lambda: classify_udp_4500(None), "UDP payload must be bytes"),
        (lambda: make_sad(SA, 5), "make_sad takes SecurityAssociations, not 5"),
        (lambda: InboundSA(sa=5, window=[]), "sa=5 must be a SecurityAssociation"),
        (lambda: parse_ipv4("45000014"), "IPv4 packet must be bytes"),
        (lambda: parse_udp(INNER), "parse_udp takes an IPv4Packet"),
        (lambda: internet_checksum(5), "checksummed data must be bytes"),
        (lambda: fragment_ipv4(INNER, "1400"), "mtu '1400'"),
        (lambda: reassemble_ipv4(INNER), "fragments must be an iterable"),
        (lambda: select_gateway_route(5, "10.0.0.1"), "routes must be GatewayRoutes"),
        (
            lambda: select_gateway_route([5], "10.0.0.1"),
            "routes must be GatewayRoutes, not 5",
        ),
        (lambda: icmp_echo(src=5, dst="10.0.0.1"), "src 5 is not an IPv4 address"),
        (lambda: ipv6_packet(src=5, dst="::1", next_header=59, payload=b""), "src 5"),
        (lambda: Route.of(DEEP, "vgw"), "is not an IPv4 CIDR block"),
        (lambda: RouteTable(name="t").lookup(5), "destination 5 is not"),
        (lambda: validate_inside_cidr(DEEP), r"inside CIDR <a value nested too deeply"),
        (lambda: SecurityAssociation(spi=0x1001, cipher=DEEP, key=bytes(20)), "cipher"),
        (
            lambda: SecurityAssociation(
                spi=0x1001, cipher="aes-128-gcm", key=bytes(20), ecn=DEEP
            ),
            "ECN mode",
        ),
        (lambda: ReplayWindow(64, esn=1), "esn=1 must be True or False"),
    ],
)
def test_wrong_kinds_are_typed_errors(call: Any, message: str) -> None:
    """decapsulate(5, sad) and its kin raised TypeError/AttributeError/RecursionError
    from deep inside; each is now a VpnInputError naming the argument."""
    with pytest.raises(VpnInputError, match=message):
        call()


def test_reassembly_reads_no_more_than_the_most_fragments() -> None:
    """An endless iterable of fragments was read for ever; now one past the bound."""
    with pytest.raises(MalformedPacketError, match=f"more than {MAX_FRAGMENTS}"):
        reassemble_ipv4(iter(lambda: INNER, None))


@pytest.mark.parametrize("sequence", [1.0, "1", None, 2**32, 2**64], ids=str)
def test_replay_window_refuses_what_is_not_a_sequence_number(sequence: Any) -> None:
    """check/accept/seen compared a str with an int (TypeError); now typed."""
    window = ReplayWindow(64)
    for method in (window.check, window.accept, window.seen):
        with pytest.raises(VpnInputError, match="sequence number"):
            method(sequence)
    with pytest.raises(VpnInputError, match="cannot be accepted"):
        window.accept(0)
    with pytest.raises(VpnInputError, match="low sequence bits"):
        ReplayWindow(64, esn=True).infer(2**32)
    assert window.top == 0


def test_the_vpn_clock_and_tunnel_options_are_checked() -> None:
    """A clock of 10**400 overflowed float arithmetic in tick; names and kinds of
    tunnel options are checked when the VPN or a tunnel is built."""
    site = _site()
    for bad in (10**400, math.nan, "1", True):
        with pytest.raises(VpnInputError, match="seconds within"):
            site.tick(bad)
    with pytest.raises(VpnInputError, match=re.escape(f"{MAX_CLOCK:.0e}")):
        site.heard("tunnel-1", -10.0 * MAX_CLOCK)
    with pytest.raises(VpnInputError, match="tunnel name 5 must be a string"):
        site.tunnel(5)
    with pytest.raises(VpnInputError, match="must be a list of two TunnelOptions"):
        SiteToSiteVpn(
            customer_gateway_ip="203.0.113.50",
            onprem_cidr="10.0.0.0/16",
            vpc_cidr="172.31.0.0/16",
            tunnels="tunnels",
            key_seed=b"an IKE-derived secret, here fixed",
        )
    odd = TunnelOptions(
        outside_ip="52.95.1.3",
        inside_cidr="169.254.12.0/30",
        cipher="aes",
        dpd_timeout="40",
        dpd_action="clear",
        replay_window=1.5,
        nat_t=1,
        integrity="sha1",
    )
    with pytest.raises(VpnInputError) as info:
        SiteToSiteVpn(
            customer_gateway_ip=[1],
            onprem_cidr=DEEP,
            vpc_cidr="172.31.0.0/16",
            tunnels=[TUNNELS[0], odd],
            key_seed=b"an IKE-derived secret, here fixed",
            bgp=None,
        )
    assert len(info.value.problems) == 9  # bgp, two addresses, six option kinds
    with pytest.raises(VpnInputError, match=r"tunnel-1 \.\. tunnel-9"):
        site.tunnels[0].__class__("tunnel-x", TUNNELS[0], b"seed", 0.0)
    tunnel = site.tunnels[0]
    with pytest.raises(VpnInputError, match="tunnel options 5"):
        type(tunnel)("tunnel-3", 5, b"", 0.0)
    with pytest.raises(VpnInputError, match="replay window 32 is outside"):
        type(tunnel)(
            "tunnel-3",
            TunnelOptions(
                outside_ip="52.95.1.1", inside_cidr="169.254.13.0/30", replay_window=32
            ),
            b"seed",
            0.0,
        )
    with pytest.raises(VpnInputError, match="integrity"):
        type(tunnel)(
            "tunnel-3",
            TunnelOptions(
                outside_ip="52.95.1.1",
                inside_cidr="169.254.13.0/30",
                cipher=SA.cipher.__class__("aes-128-cbc"),
            ),
            b"seed",
            0.0,
        )
    with pytest.raises(VpnInputError, match="seconds within"):
        tunnel.restart(math.inf)


def _window_state(window: ReplayWindow) -> tuple[int, tuple[int, ...]]:
    return window.top, tuple(window._blocks)


@settings(max_examples=300)
@given(
    sequences=st.lists(st.integers(min_value=1, max_value=300), max_size=20),
    hostile_value=st.one_of(hostile.values(), st.integers(-(2**70), 2**70)),
)
def test_a_rejected_sequence_number_changes_no_replay_window(
    sequences: list[int], hostile_value: Any
) -> None:
    """ReplayWindow.check never changes the window; accept and seen change nothing
    when they raise (RFC 4303 §3.4.3: only authenticated packets move it)."""
    window = ReplayWindow(64)
    for sequence in sequences:
        with contextlib.suppress(VpnError):
            window.check(sequence)
            window.accept(sequence)
    before = _window_state(window)
    for method in (window.check, window.seen, window.accept):
        try:
            method(hostile_value)
        except AwsCoreError:
            assert _window_state(window) == before
        else:
            before = _window_state(window)


@settings(max_examples=300)
@given(data=st.data(), count=st.integers(min_value=1, max_value=6))
def test_a_rejected_packet_changes_no_security_association_database(
    data: st.DataObject, count: int
) -> None:
    """decapsulate of a corrupted, truncated, replayed or wrong-kind packet raises
    a VpnError and leaves every window of the SAD as it was; encapsulate that
    raises leaves the SA's sequence counter as it was."""
    sa = SecurityAssociation(spi=0x2001, cipher="aes-128-gcm", key=bytes(range(20)))
    packets = [_outer(sa) for _ in range(count)]
    sad = make_sad(sa)
    decapsulate(packets[0], sad)
    for packet in packets[1:]:
        hostile_packet = data.draw(
            st.one_of(corrupted(packet), hostile.values(), st.just(packets[0]))
        )
        before = _window_state(sad[0x2001].window)
        try:
            decapsulate(hostile_packet, sad)
        except VpnError:
            assert _window_state(sad[0x2001].window) == before
        counter = sa.next_sequence
        with contextlib.suppress(VpnError):
            encapsulate(
                INNER,
                sa,
                outer_src=data.draw(st.sampled_from(["203.0.113.50", "bad", ""])),
                outer_dst="52.95.1.1",
                ttl=data.draw(st.sampled_from([64, 0, 300])),
            )
            counter += 1
        assert sa.next_sequence == counter


def test_send_checks_the_packet_before_moving_the_clock() -> None:
    """send(garbage, now=...) advanced the clock (and DPD) before refusing."""
    site = _site()
    with pytest.raises(MalformedPacketError):
        site.send(b"\x45junk", now=500.0)
    assert site.now == 0.0
