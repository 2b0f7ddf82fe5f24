"""Site-to-Site VPN: IPsec ESP tunnel mode, anti-replay, NAT-T, MTU, routing, failover.

Real ESP bytes (RFC 4303), interoperable with scapy's ``SecurityAssociation``:

>>> from awscore.vpn import SecurityAssociation, encapsulate, decapsulate, icmp_echo
>>> sa = SecurityAssociation(spi=0x1001, cipher="aes-128-gcm", key=bytes(20))
>>> inner = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"hi")
>>> outer = encapsulate(inner, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1")
>>> len(inner), len(outer)
(30, 84)
>>> decapsulate(outer, {sa.spi: sa.inbound()})[8]  # the inner TTL, one hop less
63
>>> tunnel_mtu("aes-128-gcm", nat_t=True)
(1438, 1398)
"""

from __future__ import annotations

from awscore.vpn._esp import (
    IPPROTO_ESP,
    NAT_T_PORT,
    Cipher,
    DfPolicy,
    EcnMode,
    EspPacket,
    InboundSA,
    Integrity,
    SecurityAssociation,
    classify_udp_4500,
    decapsulate,
    dissect,
    encapsulate,
    make_sad,
    nat_keepalive,
)
from awscore.vpn._mtu import TunnelMtu, mtu_arithmetic, tunnel_mtu
from awscore.vpn._packet import (
    IPPROTO_ICMP,
    IPPROTO_IPV4,
    IPPROTO_IPV6,
    IPPROTO_UDP,
    MAX_FRAGMENTS,
    IPv4Packet,
    IPv6Packet,
    UdpDatagram,
    fragment_ipv4,
    icmp_echo,
    icmp_fragmentation_needed,
    internet_checksum,
    ipv4_packet,
    ipv6_packet,
    parse_ipv4,
    parse_ipv6,
    parse_udp,
    reassemble_ipv4,
    udp_packet,
)
from awscore.vpn._replay import ReplayWindow
from awscore.vpn._routing import (
    GatewayRoute,
    GatewayRouteSource,
    Route,
    RouteOrigin,
    RouteTable,
    select_gateway_route,
)
from awscore.vpn._sitetosite import (
    MAX_CLOCK,
    RESERVED_INSIDE_CIDRS,
    DpdAction,
    Hop,
    SiteToSiteVpn,
    Trace,
    Tunnel,
    TunnelOptions,
    TunnelState,
    validate_inside_cidr,
)

__all__ = [
    "IPPROTO_ESP",
    "IPPROTO_ICMP",
    "IPPROTO_IPV4",
    "IPPROTO_IPV6",
    "IPPROTO_UDP",
    "MAX_CLOCK",
    "MAX_FRAGMENTS",
    "NAT_T_PORT",
    "RESERVED_INSIDE_CIDRS",
    "Cipher",
    "DfPolicy",
    "DpdAction",
    "EcnMode",
    "EspPacket",
    "GatewayRoute",
    "GatewayRouteSource",
    "Hop",
    "IPv4Packet",
    "IPv6Packet",
    "InboundSA",
    "Integrity",
    "ReplayWindow",
    "Route",
    "RouteOrigin",
    "RouteTable",
    "SecurityAssociation",
    "SiteToSiteVpn",
    "Trace",
    "Tunnel",
    "TunnelMtu",
    "TunnelOptions",
    "TunnelState",
    "UdpDatagram",
    "classify_udp_4500",
    "decapsulate",
    "dissect",
    "encapsulate",
    "fragment_ipv4",
    "icmp_echo",
    "icmp_fragmentation_needed",
    "internet_checksum",
    "ipv4_packet",
    "ipv6_packet",
    "make_sad",
    "mtu_arithmetic",
    "nat_keepalive",
    "parse_ipv4",
    "parse_ipv6",
    "parse_udp",
    "reassemble_ipv4",
    "select_gateway_route",
    "tunnel_mtu",
    "udp_packet",
    "validate_inside_cidr",
]
