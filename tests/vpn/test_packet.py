"""IPv4/IPv6/UDP/ICMP helpers: checksums, parsing, fragmentation, against scapy."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import MalformedPacketError, VpnInputError
from awscore.vpn import (
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
from tests.conftest import require_peer
from tests.strategies.vpn import inner_packets


def test_rfc_1071_example() -> None:
    """RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; checksum 220d."""
    assert internet_checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    assert internet_checksum(b"") == 0xFFFF
    assert internet_checksum(b"\x01") == 0xFEFF  # odd length: zero-padded


def test_known_header_checksum() -> None:
    """The classic example header 4500 0073 0000 4000 4011 ... has checksum b861."""
    header = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert internet_checksum(header) == 0xB861


@pytest.mark.peer
@settings(max_examples=60)
@given(packet=inner_packets())
def test_packets_match_scapy_byte_for_byte(packet: bytes) -> None:
    """scapy rebuilds each packet (checksums recomputed) to the same bytes."""
    require_peer("scapy")
    from scapy.layers.inet import IP

    parsed = IP(packet)
    del parsed.chksum
    if parsed.proto in (1, 17):
        del parsed.payload.chksum
    assert bytes(parsed) == packet


def test_parse_round_trip() -> None:
    packet = udp_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        src_port=5,
        dst_port=53,
        data=b"q",
        ttl=9,
        df=True,
        identification=77,
    )
    parsed = parse_ipv4(packet)
    assert parsed.src == ipaddress.IPv4Address("10.0.1.50")
    assert (parsed.ttl, parsed.df, parsed.identification, parsed.protocol) == (
        9,
        True,
        77,
        17,
    )
    assert parsed.header_length == 20
    assert not parsed.is_fragment
    udp = parse_udp(parsed)
    assert (udp.src_port, udp.dst_port, udp.payload) == (5, 53, b"q")


@pytest.mark.parametrize(
    ("packet", "fragment"),
    [
        (b"\x45" * 10, "too short"),
        (bytes.fromhex("65000014") + bytes(16), "version 6"),
        (bytes.fromhex("44000014") + bytes(16), "below the minimum"),
        (bytes.fromhex("450000ff") + bytes(16), "does not fit"),
        (bytes.fromhex("4500001400008000") + bytes(12), "reserved flag"),
        (bytes.fromhex("45000014") + bytes(16), "checksum"),
    ],
)
def test_parse_ipv4_rejects(packet: bytes, fragment: str) -> None:
    with pytest.raises(MalformedPacketError, match=fragment):
        parse_ipv4(packet)


def test_udp_checksum_checked_and_zero_accepted() -> None:
    good = udp_packet(src="1.1.1.1", dst="2.2.2.2", src_port=1, dst_port=2, data=b"ab")
    bad = bytearray(good)
    bad[-1] ^= 1
    # fix the IP checksum only, so the UDP checksum is what fails
    bad[10:12] = b"\x00\x00"
    bad[10:12] = internet_checksum(bytes(bad[:20])).to_bytes(2, "big")
    with pytest.raises(MalformedPacketError, match="UDP checksum"):
        parse_udp(parse_ipv4(bytes(bad)))
    unchecked = udp_packet(
        src="1.1.1.1", dst="2.2.2.2", src_port=1, dst_port=2, data=b"ab", checksum=False
    )
    assert parse_udp(parse_ipv4(unchecked)).checksum == 0
    with pytest.raises(MalformedPacketError, match="not UDP"):
        parse_udp(parse_ipv4(icmp_echo(src="1.1.1.1", dst="2.2.2.2")))
    short = ipv4_packet(src="1.1.1.1", dst="2.2.2.2", protocol=17, payload=b"abc")
    with pytest.raises(MalformedPacketError, match="needs 8"):
        parse_udp(parse_ipv4(short))
    lying = ipv4_packet(
        src="1.1.1.1",
        dst="2.2.2.2",
        protocol=17,
        payload=bytes.fromhex("0001000200ff0000"),
    )
    with pytest.raises(MalformedPacketError, match="UDP length"):
        parse_udp(parse_ipv4(lying))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"src": "10.0.0.300"}, "not an IPv4 address"),
        ({"ttl": 256}, "ttl"),
        ({"dscp": 64}, "dscp"),
        ({"protocol": True}, "protocol"),
        ({"payload": bytes(65_516)}, "too long"),
    ],
)
def test_ipv4_packet_rejects(kwargs: dict[str, object], fragment: str) -> None:
    arguments: dict[str, object] = {
        "src": "10.0.0.1",
        "dst": "10.0.0.2",
        "protocol": 17,
        "payload": b"",
    }
    arguments.update(kwargs)
    with pytest.raises(VpnInputError, match=fragment):
        ipv4_packet(**arguments)  # type: ignore[arg-type]


def test_ipv6_round_trip_and_errors() -> None:
    packet = ipv6_packet(
        src="2001:db8::1",
        dst="2001:db8::2",
        next_header=17,
        payload=b"abc",
        hop_limit=3,
        dscp=10,
        ecn=1,
        flow_label=0x12345,
    )
    parsed = parse_ipv6(packet)
    assert (parsed.dscp, parsed.ecn, parsed.flow_label, parsed.hop_limit) == (
        10,
        1,
        0x12345,
        3,
    )
    assert parsed.payload == b"abc"
    with pytest.raises(MalformedPacketError, match="too short"):
        parse_ipv6(packet[:39])
    with pytest.raises(MalformedPacketError, match="version 4"):
        parse_ipv6(b"\x40" + packet[1:])
    with pytest.raises(MalformedPacketError, match="exceeds"):
        parse_ipv6(packet[:-1])
    with pytest.raises(VpnInputError, match="IPv6"):
        ipv6_packet(src="10.0.0.1", dst="2001:db8::2", next_header=17, payload=b"")
    with pytest.raises(VpnInputError, match="too long"):
        ipv6_packet(src="::1", dst="::2", next_header=17, payload=bytes(65536))
    with pytest.raises(VpnInputError, match="UDP datagram of 65516 bytes"):
        udp_packet(src="::1", dst="::2", src_port=1, dst_port=2, data=bytes(65508))


@settings(max_examples=60)
@given(
    size=st.integers(min_value=0, max_value=4000),
    mtu=st.integers(min_value=68, max_value=1500),
)
def test_fragments_fit_and_reassemble(size: int, mtu: int) -> None:
    """Fragments are at most the MTU, carry multiples of 8 bytes but the last,
    and reassemble (in any order) to the original packet (RFC 791 §3.2)."""
    packet = ipv4_packet(
        src="10.0.1.50", dst="172.31.1.100", protocol=17, payload=bytes(range(256)) * 16
    )[: 20 + size]
    packet = ipv4_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        protocol=17,
        payload=packet[20:],
        identification=4242,
    )
    pieces = fragment_ipv4(packet, mtu)
    assert all(len(p) <= mtu for p in pieces)
    for piece in pieces[:-1]:
        assert (len(piece) - 20) % 8 == 0
        assert parse_ipv4(piece).mf
    assert reassemble_ipv4(reversed(pieces)) == packet


def test_fragmentation_refusals() -> None:
    packet = udp_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        src_port=1,
        dst_port=2,
        data=bytes(2000),
        df=True,
    )
    with pytest.raises(VpnInputError, match="DF set"):
        fragment_ipv4(packet, 1500)
    loose = udp_packet(
        src="10.0.1.50", dst="172.31.1.100", src_port=1, dst_port=2, data=bytes(100)
    )
    with pytest.raises(VpnInputError, match="too small"):
        fragment_ipv4(loose, 24)


def test_reassembly_refusals() -> None:
    packet = udp_packet(
        src="10.0.1.50", dst="172.31.1.100", src_port=1, dst_port=2, data=bytes(300)
    )
    pieces = fragment_ipv4(packet, 100)
    with pytest.raises(MalformedPacketError, match="no fragments"):
        reassemble_ipv4([])
    with pytest.raises(MalformedPacketError, match="hole"):
        reassemble_ipv4([pieces[0], pieces[2]])
    with pytest.raises(MalformedPacketError, match="last fragment"):
        reassemble_ipv4(pieces[:-1])
    other = fragment_ipv4(
        udp_packet(
            src="10.0.1.51", dst="172.31.1.100", src_port=1, dst_port=2, data=bytes(300)
        ),
        100,
    )
    with pytest.raises(MalformedPacketError, match="different datagrams"):
        reassemble_ipv4([pieces[0], other[1]])


@pytest.mark.peer
def test_fragmentation_needed_matches_scapy() -> None:
    """ICMP type 3 code 4 with the next-hop MTU (RFC 1191), as scapy builds it."""
    require_peer("scapy")
    from scapy.layers.inet import ICMP, IP

    original = udp_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        src_port=1,
        dst_port=2,
        data=bytes(1600),
        df=True,
    )
    ours = icmp_fragmentation_needed(original, next_hop_mtu=1446, src="169.254.10.2")
    theirs = (
        IP(src="169.254.10.2", dst="10.0.1.50", id=0, ttl=64)
        / ICMP(type=3, code=4, nexthopmtu=1446)
        / original[:28]
    )
    assert ours == bytes(theirs)
    parsed = IP(ours)
    assert parsed[ICMP].nexthopmtu == 1446
