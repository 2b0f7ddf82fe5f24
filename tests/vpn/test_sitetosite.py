"""A Site-to-Site VPN end to end: routes, tunnels, DPD failover, MTU handling."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from awscore.errors import (
    IntegrityCheckError,
    NoRouteError,
    ReplayedPacketError,
    VpnInputError,
)
from awscore.vpn import (
    Cipher,
    DpdAction,
    GatewayRoute,
    GatewayRouteSource,
    Integrity,
    SiteToSiteVpn,
    TunnelOptions,
    TunnelState,
    decapsulate,
    encapsulate,
    icmp_echo,
    parse_ipv4,
    udp_packet,
    validate_inside_cidr,
)


def make_vpn(**options: Any) -> SiteToSiteVpn:
    return SiteToSiteVpn(
        customer_gateway_ip="203.0.113.50",
        onprem_cidr="10.0.0.0/16",
        vpc_cidr="172.31.0.0/16",
        tunnels=[
            TunnelOptions(
                outside_ip="52.95.1.1", inside_cidr="169.254.10.0/30", **options
            ),
            TunnelOptions(
                outside_ip="52.95.1.2", inside_cidr="169.254.11.0/30", **options
            ),
        ],
        key_seed=b"sixteen byte seed!",
    )


PING = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"ping")


def test_onprem_to_vpc_over_tunnel_1() -> None:
    vpn = make_vpn()
    trace = vpn.send(PING)
    steps = [hop.step for hop in trace.hops]
    assert steps == [
        "route",
        "tunnel",
        "encapsulate",
        "wire",
        "decapsulate",
        "route",
        "deliver",
    ]
    assert trace.tunnel == "tunnel-1"
    wire = trace.hops[3].packet
    assert wire is not None
    outer = parse_ipv4(wire)
    assert (str(outer.src), str(outer.dst), outer.protocol) == (
        "203.0.113.50",
        "52.95.1.1",
        50,
    )
    assert trace.delivered is not None
    delivered = parse_ipv4(trace.delivered)
    assert (str(delivered.src), str(delivered.dst), delivered.ttl) == (
        "10.0.1.50",
        "172.31.1.100",
        63,
    )
    assert delivered.payload == parse_ipv4(PING).payload
    assert "172.31.0.0/16 -> local" in trace.hops[5].detail
    assert "10.0.1.50" in trace.render()


def test_dpd_failover_to_tunnel_2_and_back() -> None:
    vpn = make_vpn()
    vpn.heard("tunnel-2", 35.0)
    assert vpn.tick(39.0) == []
    events = vpn.tick(40.0)  # tunnel 1 silent for its 40 s timeout
    assert len(events) == 1
    assert "tunnel-1" in events[0]
    assert vpn.tunnel("tunnel-1").state is TunnelState.DOWN
    assert vpn.send(PING).tunnel == "tunnel-2"
    back = vpn.send(icmp_echo(src="172.31.1.100", dst="10.0.1.50", data=b"pong"))
    assert back.tunnel == "tunnel-2"
    assert [h.step for h in back.hops][:3] == ["route", "select", "tunnel"]
    # the peer answers again: tunnel 1 is re-established with new SAs
    old_spi = vpn.tunnel("tunnel-1").to_aws.spi
    vpn.heard("tunnel-1", 50.0)
    assert vpn.tunnel("tunnel-1").state is TunnelState.UP
    assert vpn.tunnel("tunnel-1").to_aws.spi != old_spi
    assert vpn.send(PING, now=51.0).tunnel == "tunnel-1"
    assert "up again" in vpn.events[-1]


def test_dpd_action_none_keeps_the_tunnel() -> None:
    vpn = make_vpn(dpd_action=DpdAction.NONE)
    assert vpn.tick(100.0) == []
    assert vpn.send(PING).tunnel == "tunnel-1"


def test_both_tunnels_dead_means_no_route() -> None:
    vpn = make_vpn()
    vpn.tick(45.0)
    with pytest.raises(NoRouteError):
        vpn.send(PING)
    with pytest.raises(NoRouteError):
        vpn.send(icmp_echo(src="172.31.1.100", dst="10.0.1.50"))


def test_more_specific_static_route_wins_over_propagated() -> None:
    vpn = make_vpn()
    vpn.add_vpc_route("10.0.5.0/24", "pcx-0123")
    trace = vpn.send(icmp_echo(src="172.31.1.100", dst="10.0.5.9"))
    assert [h.step for h in trace.hops] == ["route", "leave"]
    assert "pcx-0123 (static)" in trace.hops[0].detail
    assert trace.delivered is None
    # the rest of 10.0.0.0/16 still goes over the VPN (propagated route)
    assert vpn.send(icmp_echo(src="172.31.1.100", dst="10.0.1.50")).tunnel == "tunnel-1"


def test_gateway_static_route_beats_bgp_for_the_same_prefix() -> None:
    vpn = SiteToSiteVpn(
        customer_gateway_ip="203.0.113.50",
        onprem_cidr="10.0.0.0/16",
        vpc_cidr="172.31.0.0/16",
        bgp=True,
        key_seed=bytes(16),
        tunnels=[
            TunnelOptions(outside_ip="52.95.1.1", inside_cidr="169.254.10.0/30"),
            TunnelOptions(outside_ip="52.95.1.2", inside_cidr="169.254.11.0/30"),
        ],
    )
    back = icmp_echo(src="172.31.1.100", dst="10.0.1.50")
    assert vpn.send(back).tunnel == "tunnel-1"  # shorter AS_PATH
    vpn.add_gateway_route(
        GatewayRoute(
            destination=ipaddress.IPv4Network("10.0.0.0/16"),
            target="tunnel-2",
            source=GatewayRouteSource.VPN_STATIC,
        )
    )
    assert vpn.send(back).tunnel == "tunnel-2"


def test_df_packet_above_the_mtu_gets_icmp_fragmentation_needed() -> None:
    vpn = make_vpn()
    big = udp_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        src_port=1,
        dst_port=2,
        data=bytes(1500),
        df=True,
    )
    trace = vpn.send(big)
    assert trace.delivered is None
    assert trace.icmp is not None
    icmp = parse_ipv4(trace.icmp)
    assert str(icmp.dst) == "10.0.1.50"
    assert str(icmp.src) == "169.254.10.2"  # the customer side of tunnel 1
    # type 3, code 4, next-hop MTU 1446 (AES-256-GCM, no NAT-T)
    assert icmp.payload[:2] == b"\x03\x04"
    assert int.from_bytes(icmp.payload[6:8], "big") == 1446
    assert icmp.payload[8:28] == big[:20]


def test_packet_above_the_mtu_without_df_is_fragmented_before_encryption() -> None:
    vpn = make_vpn()
    big = udp_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        src_port=1,
        dst_port=2,
        data=bytes(range(256)) * 12,
    )
    trace = vpn.send(big)
    assert trace.fragments == 3
    wires = [h.packet for h in trace.hops if h.step == "wire"]
    assert len(wires) == 3
    assert all(w is not None and len(w) <= 1500 for w in wires)
    assert trace.delivered is not None
    delivered = parse_ipv4(trace.delivered)
    assert delivered.payload == parse_ipv4(big).payload
    assert delivered.ttl == 63


def test_cbc_tunnels_and_nat_t() -> None:
    vpn = make_vpn(cipher=Cipher.AES128_CBC, integrity=Integrity.SHA2_256, nat_t=True)
    trace = vpn.send(PING)
    wire = trace.hops[3].packet
    assert wire is not None
    assert wire[9] == 17  # UDP: NAT-T
    assert vpn.tunnel("tunnel-1").mtu == 1422


def test_a_replayed_wire_packet_is_dropped() -> None:
    vpn = make_vpn()
    trace = vpn.send(PING)
    wire = trace.hops[3].packet
    assert wire is not None
    tunnel = vpn.tunnel("tunnel-1")
    with pytest.raises(ReplayedPacketError, match="already received"):
        decapsulate(wire, tunnel.at_aws)
    # a tampered copy of a seen packet is dropped by the window, before the ICV
    with pytest.raises(ReplayedPacketError):
        decapsulate(wire[:-1] + bytes([wire[-1] ^ 1]), tunnel.at_aws)
    # a tampered new packet fails the ICV and leaves the window as it was
    fresh = vpn.send(PING).hops[3].packet
    assert fresh is not None
    top = tunnel.at_aws[tunnel.to_aws.spi].window.top
    with pytest.raises(ReplayedPacketError):
        decapsulate(fresh, tunnel.at_aws)
    assert tunnel.at_aws[tunnel.to_aws.spi].window.top == top
    sa = tunnel.to_aws
    later = encapsulate(PING, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1")
    with pytest.raises(IntegrityCheckError):
        decapsulate(later[:-1] + bytes([later[-1] ^ 1]), tunnel.at_aws)
    assert tunnel.at_aws[tunnel.to_aws.spi].window.top == top


def test_local_traffic_and_unknown_sources() -> None:
    vpn = make_vpn()
    local = vpn.send(icmp_echo(src="10.0.1.50", dst="10.0.2.2"))
    assert [h.step for h in local.hops] == ["route", "deliver"]
    with pytest.raises(NoRouteError, match="neither"):
        vpn.send(icmp_echo(src="8.8.8.8", dst="10.0.2.2"))
    with pytest.raises(VpnInputError, match="no tunnel"):
        vpn.tunnel("tunnel-3")
    assert "tunnel-1" in repr(vpn)


@pytest.mark.parametrize(
    ("cidr", "fragment"),
    [
        ("169.254.0.0/30", "reserved"),
        ("169.254.5.0/30", "reserved"),
        ("169.254.169.252/30", "reserved"),
        ("169.254.10.0/29", "/30"),
        ("10.0.0.0/30", "/30"),
        ("169.254.10.1/30", "IPv4 CIDR"),
    ],
)
def test_inside_cidr_rules(cidr: str, fragment: str) -> None:
    with pytest.raises(VpnInputError, match=fragment):
        validate_inside_cidr(cidr)


def test_connection_validation_lists_every_problem() -> None:
    with pytest.raises(VpnInputError) as raised:
        SiteToSiteVpn(
            customer_gateway_ip="nope",
            onprem_cidr="10.0.0.0/8",
            vpc_cidr="10.1.0.0/16",
            tunnels=[
                TunnelOptions(
                    outside_ip="x",
                    inside_cidr="169.254.0.0/30",
                    dpd_timeout=10,
                    replay_window=32,
                    cipher=Cipher.AES128_CBC,
                ),
                TunnelOptions(
                    outside_ip="x",
                    inside_cidr="169.254.0.0/30",
                    integrity=Integrity.SHA1,
                ),
            ],
            key_seed=b"short",
        )
    text = str(raised.value)
    for fragment in (
        "customer_gateway_ip",
        "outside_ip",
        "reserved",
        "DPD timeout",
        "replay window",
        "needs an integrity",
        "takes no integrity",
        "different outside IPs",
        "different inside CIDRs",
        "overlap",
        "key_seed",
    ):
        assert fragment in text
    with pytest.raises(VpnInputError, match="2 tunnels"):
        SiteToSiteVpn(
            customer_gateway_ip="1.1.1.1",
            onprem_cidr="bad",
            vpc_cidr="10.1.0.0/16",
            tunnels=[],
            key_seed=bytes(16),
        )
