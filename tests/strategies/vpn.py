"""Hypothesis strategies for the VPN tests: inner packets, keys, sequence numbers."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from awscore.vpn import icmp_echo, ipv4_packet, udp_packet

ONPREM = ipaddress.IPv4Network("10.0.0.0/16")
VPC = ipaddress.IPv4Network("172.31.0.0/16")


def addresses(network: ipaddress.IPv4Network) -> st.SearchStrategy[str]:
    """Host addresses inside ``network``, as text."""
    return st.integers(min_value=1, max_value=network.num_addresses - 2).map(
        lambda i: str(network.network_address + i)
    )


@st.composite
def inner_packets(draw: st.DrawFn, *, max_payload: int = 200) -> bytes:
    """An IPv4 packet from on-premises to the VPC: ICMP echo, UDP, or raw.

    TTL is at least 2 so it survives the tunnel's decrement; DSCP, ECN, DF and
    the identification vary freely.
    """
    src = draw(addresses(ONPREM))
    dst = draw(addresses(VPC))
    ttl = draw(st.integers(min_value=2, max_value=255))
    df = draw(st.booleans())
    ident = draw(st.integers(min_value=0, max_value=0xFFFF))
    payload = draw(st.binary(max_size=max_payload))
    kind = draw(st.sampled_from(["icmp", "udp", "raw"]))
    if kind == "icmp":
        packet = icmp_echo(
            src=src,
            dst=dst,
            identifier=draw(st.integers(0, 0xFFFF)),
            sequence=draw(st.integers(0, 0xFFFF)),
            data=payload,
            ttl=ttl,
            df=df,
            identification=ident,
        )
    elif kind == "udp":
        packet = udp_packet(
            src=src,
            dst=dst,
            src_port=draw(st.integers(1, 0xFFFF)),
            dst_port=draw(st.integers(1, 0xFFFF)),
            data=payload,
            ttl=ttl,
            df=df,
            identification=ident,
        )
    else:
        packet = ipv4_packet(
            src=src,
            dst=dst,
            protocol=draw(st.sampled_from([6, 47, 89, 253])),
            payload=payload,
            ttl=ttl,
            df=df,
            identification=ident,
            dscp=draw(st.integers(0, 63)),
            ecn=draw(st.integers(0, 3)),
        )
    return packet


gcm_keys = st.sampled_from([16, 32]).flatmap(
    lambda n: st.binary(min_size=n + 4, max_size=n + 4)
)
aes_keys = st.sampled_from([16, 32]).flatmap(
    lambda n: st.binary(min_size=n, max_size=n)
)
spis = st.integers(min_value=256, max_value=0xFFFFFFFF)
sequences = st.integers(min_value=1, max_value=0xFFFFFFFF)
esn_sequences = st.integers(min_value=1, max_value=2**64 - 1)


@st.composite
def corrupted(draw: st.DrawFn, packet: bytes) -> bytes:
    """``packet`` with a few bytes changed, cut short, or extended: what a hostile
    network delivers in place of a valid ESP packet."""
    data = bytearray(packet)
    how = draw(st.sampled_from(("flip", "flip", "truncate", "extend", "replay")))
    if how == "truncate":
        return bytes(data[: draw(st.integers(0, len(data)))])
    if how == "extend":
        return bytes(data) + draw(st.binary(min_size=1, max_size=40))
    if how == "replay":
        return bytes(data)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] ^= draw(st.integers(1, 255))
    return bytes(data)
