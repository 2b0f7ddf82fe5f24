"""IPv4 and IPv6 packets: build, parse, checksum, fragment, ICMP and UDP helpers.

Everything here works on ``bytes`` as they travel on the wire; the parsed forms
are frozen dataclasses. Sources: RFC 791 (IPv4, fragmentation), RFC 1071 and
RFC 1624 (the Internet checksum and its incremental update), RFC 792 (ICMP echo,
destination unreachable), RFC 1191 (the next-hop MTU in "fragmentation needed"),
RFC 768 (UDP), RFC 8200 (IPv6).
"""

from __future__ import annotations

import ipaddress
import itertools
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from awscore._inputs import shown
from awscore.errors import MalformedPacketError, VpnInputError

#: The most fragments :func:`reassemble_ipv4` reads: the 13-bit fragment offset
#: allows 8,192 distinct pieces (RFC 791 §3.1).
MAX_FRAGMENTS = 8192

__all__ = [
    "IPPROTO_ICMP",
    "IPPROTO_IPV4",
    "IPPROTO_IPV6",
    "IPPROTO_UDP",
    "MAX_FRAGMENTS",
    "IPv4Packet",
    "IPv6Packet",
    "UdpDatagram",
    "fragment_ipv4",
    "icmp_echo",
    "icmp_fragmentation_needed",
    "internet_checksum",
    "ipv4_packet",
    "ipv6_packet",
    "parse_ipv4",
    "parse_ipv6",
    "parse_udp",
    "reassemble_ipv4",
    "udp_packet",
]

#: IP protocol number of ICMP (RFC 792).
IPPROTO_ICMP = 1
#: IP protocol number of IPv4-in-IP: tunnel mode's next header for IPv4.
IPPROTO_IPV4 = 4
#: IP protocol number of UDP (RFC 768).
IPPROTO_UDP = 17
#: IP protocol number of IPv6-in-IP: tunnel mode's next header for IPv6.
IPPROTO_IPV6 = 41

_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_IPV6 = struct.Struct("!IHBB16s16s")
_UDP = struct.Struct("!HHHH")
_FLAG_DF = 0x4000
_FLAG_MF = 0x2000


def as_bytes(data: object, what: str) -> bytes:
    """``data`` as bytes, or :class:`VpnInputError` naming ``what`` it should be."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise VpnInputError(f"{what} must be bytes, not {shown(data)}")


def internet_checksum(data: bytes | bytearray | memoryview) -> int:
    """The 16-bit one's complement of the one's complement sum (RFC 1071).

    An odd-length input is padded with one zero byte. A header that carries a
    correct checksum sums to 0 (the function returns 0 for it).
    """
    data = as_bytes(data, "checksummed data")
    if len(data) % 2:
        data = bytes(data) + b"\x00"
    total = int.from_bytes(data, "big")
    # Folding a big integer by 16-bit words: x mod 0xFFFF is the one's complement
    # sum, except that a non-zero multiple of 0xFFFF is one's complement -0.
    folded = total % 0xFFFF
    if folded == 0 and total:
        folded = 0xFFFF
    return ~folded & 0xFFFF


def _address4(value: str | ipaddress.IPv4Address, where: str) -> bytes:
    try:
        if not isinstance(value, str | ipaddress.IPv4Address):
            raise TypeError  # ipaddress would repr a hostile value (deep nesting)
        return ipaddress.IPv4Address(value).packed
    except (ValueError, TypeError):
        raise VpnInputError(
            f"{where} {shown(value)} is not an IPv4 address: expected dotted quad "
            "like 10.0.1.50"
        ) from None


def _address6(value: str | ipaddress.IPv6Address, where: str) -> bytes:
    try:
        if not isinstance(value, str | ipaddress.IPv6Address):
            raise TypeError  # ipaddress would repr a hostile value (deep nesting)
        return ipaddress.IPv6Address(value).packed
    except (ValueError, TypeError):
        raise VpnInputError(
            f"{where} {shown(value)} is not an IPv6 address: expected e.g. 2001:db8::1"
        ) from None


def _check_range(value: int, low: int, high: int, where: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise VpnInputError(
            f"{where} {shown(value)} is out of range: must be {low}..{high}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class IPv4Packet:
    """A parsed IPv4 packet (RFC 791).

    ``dscp`` and ``ecn`` split the former TOS byte (RFC 2474, RFC 3168);
    ``payload`` is what follows the header, cut at ``total_length``.
    """

    dscp: int
    ecn: int
    total_length: int
    identification: int
    df: bool
    mf: bool
    fragment_offset: int
    ttl: int
    protocol: int
    checksum: int
    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    options: bytes
    payload: bytes

    @property
    def header_length(self) -> int:
        """The header's length in bytes (20 plus options)."""
        return 20 + len(self.options)

    @property
    def is_fragment(self) -> bool:
        """True for any fragment: more fragments follow, or the offset is not 0."""
        return self.mf or self.fragment_offset != 0


def ipv4_packet(
    *,
    src: str | ipaddress.IPv4Address,
    dst: str | ipaddress.IPv4Address,
    protocol: int,
    payload: bytes,
    ttl: int = 64,
    dscp: int = 0,
    ecn: int = 0,
    identification: int = 0,
    df: bool = False,
    mf: bool = False,
    fragment_offset: int = 0,
) -> bytes:
    """Build an IPv4 packet with a correct header checksum (no options).

    ``fragment_offset`` counts 8-byte units, as on the wire. Raises
    :class:`~awscore.errors.VpnInputError` for an address that is not IPv4, a field
    out of range, or a packet longer than 65,535 bytes.
    """
    payload = as_bytes(payload, "payload")
    _check_range(protocol, 0, 255, "protocol")
    _check_range(ttl, 0, 255, "ttl")
    _check_range(dscp, 0, 63, "dscp")
    _check_range(ecn, 0, 3, "ecn")
    _check_range(identification, 0, 0xFFFF, "identification")
    _check_range(fragment_offset, 0, 0x1FFF, "fragment_offset")
    total = 20 + len(payload)
    if total > 0xFFFF:
        raise VpnInputError(
            f"IPv4 packet of {total} bytes is too long: at most 65535 bytes"
        )
    flags = (_FLAG_DF if df else 0) | (_FLAG_MF if mf else 0) | fragment_offset
    header = _IPV4.pack(
        0x45,
        dscp << 2 | ecn,
        total,
        identification,
        flags,
        ttl,
        protocol,
        0,
        _address4(src, "src"),
        _address4(dst, "dst"),
    )
    checksum = internet_checksum(header)
    return header[:10] + checksum.to_bytes(2, "big") + header[12:] + bytes(payload)


def parse_ipv4(data: bytes, *, verify_checksum: bool = True) -> IPv4Packet:
    """Parse an IPv4 packet, checking version, lengths and the header checksum.

    Bytes after ``total_length`` (link-layer padding) are ignored. Raises
    :class:`~awscore.errors.MalformedPacketError` for anything that is not a
    well-formed IPv4 packet, :class:`~awscore.errors.VpnInputError` for data that
    is not bytes.
    """
    data = as_bytes(data, "IPv4 packet")
    if len(data) < 20:
        raise MalformedPacketError(
            f"IPv4 packet of {len(data)} bytes is too short: the header needs 20"
        )
    (vihl, tos, total, ident, flags, ttl, proto, checksum, src, dst) = (
        _IPV4.unpack_from(data)
    )
    if vihl >> 4 != 4:
        raise MalformedPacketError(f"IP version {vihl >> 4} where 4 was expected")
    ihl = (vihl & 0x0F) * 4
    if ihl < 20:
        raise MalformedPacketError(f"IPv4 header length {ihl} is below the minimum 20")
    if total < ihl or total > len(data):
        raise MalformedPacketError(
            f"IPv4 total length {total} does not fit: header {ihl} bytes, "
            f"{len(data)} bytes received"
        )
    if flags & 0x8000:
        raise MalformedPacketError("IPv4 reserved flag bit is set: it must be 0")
    if verify_checksum and internet_checksum(memoryview(data)[:ihl]) != 0:
        raise MalformedPacketError(f"IPv4 header checksum 0x{checksum:04x} is wrong")
    return IPv4Packet(
        dscp=tos >> 2,
        ecn=tos & 3,
        total_length=total,
        identification=ident,
        df=bool(flags & _FLAG_DF),
        mf=bool(flags & _FLAG_MF),
        fragment_offset=flags & 0x1FFF,
        ttl=ttl,
        protocol=proto,
        checksum=checksum,
        src=ipaddress.IPv4Address(src),
        dst=ipaddress.IPv4Address(dst),
        options=bytes(data[20:ihl]),
        payload=bytes(data[ihl:total]),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class IPv6Packet:
    """A parsed IPv6 packet (RFC 8200); extension headers stay in ``payload``."""

    dscp: int
    ecn: int
    flow_label: int
    payload_length: int
    next_header: int
    hop_limit: int
    src: ipaddress.IPv6Address
    dst: ipaddress.IPv6Address
    payload: bytes


def ipv6_packet(
    *,
    src: str | ipaddress.IPv6Address,
    dst: str | ipaddress.IPv6Address,
    next_header: int,
    payload: bytes,
    hop_limit: int = 64,
    dscp: int = 0,
    ecn: int = 0,
    flow_label: int = 0,
) -> bytes:
    """Build an IPv6 packet (no extension headers, no jumbograms)."""
    payload = as_bytes(payload, "payload")
    _check_range(next_header, 0, 255, "next_header")
    _check_range(hop_limit, 0, 255, "hop_limit")
    _check_range(dscp, 0, 63, "dscp")
    _check_range(ecn, 0, 3, "ecn")
    _check_range(flow_label, 0, 0xFFFFF, "flow_label")
    if len(payload) > 0xFFFF:
        raise VpnInputError(
            f"IPv6 payload of {len(payload)} bytes is too long: at most 65535 bytes"
        )
    first = 6 << 28 | (dscp << 2 | ecn) << 20 | flow_label
    return (
        _IPV6.pack(
            first,
            len(payload),
            next_header,
            hop_limit,
            _address6(src, "src"),
            _address6(dst, "dst"),
        )
        + payload
    )


def parse_ipv6(data: bytes) -> IPv6Packet:
    """Parse an IPv6 packet, checking the version and the payload length."""
    data = as_bytes(data, "IPv6 packet")
    if len(data) < 40:
        raise MalformedPacketError(
            f"IPv6 packet of {len(data)} bytes is too short: the header needs 40"
        )
    first, length, nh, hop, src, dst = _IPV6.unpack_from(data)
    if first >> 28 != 6:
        raise MalformedPacketError(f"IP version {first >> 28} where 6 was expected")
    if 40 + length > len(data):
        raise MalformedPacketError(
            f"IPv6 payload length {length} exceeds the {len(data) - 40} bytes received"
        )
    tc = first >> 20 & 0xFF
    return IPv6Packet(
        dscp=tc >> 2,
        ecn=tc & 3,
        flow_label=first & 0xFFFFF,
        payload_length=length,
        next_header=nh,
        hop_limit=hop,
        src=ipaddress.IPv6Address(src),
        dst=ipaddress.IPv6Address(dst),
        payload=bytes(data[40 : 40 + length]),
    )


def icmp_echo(
    *,
    src: str | ipaddress.IPv4Address,
    dst: str | ipaddress.IPv4Address,
    identifier: int = 0,
    sequence: int = 0,
    data: bytes = b"",
    reply: bool = False,
    ttl: int = 64,
    df: bool = False,
    identification: int = 0,
) -> bytes:
    """An IPv4 packet carrying an ICMP echo request (or reply) (RFC 792)."""
    data = as_bytes(data, "echo data")
    _check_range(identifier, 0, 0xFFFF, "identifier")
    _check_range(sequence, 0, 0xFFFF, "sequence")
    body = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, identifier, sequence) + data
    checksum = internet_checksum(body)
    body = body[:2] + checksum.to_bytes(2, "big") + body[4:]
    return ipv4_packet(
        src=src,
        dst=dst,
        protocol=IPPROTO_ICMP,
        payload=body,
        ttl=ttl,
        df=df,
        identification=identification,
    )


def icmp_fragmentation_needed(
    packet: bytes, *, next_hop_mtu: int, src: str | ipaddress.IPv4Address
) -> bytes:
    """ICMP destination unreachable, fragmentation needed and DF set (RFC 1191).

    Sent by the router at ``src`` back to the packet's source: type 3, code 4,
    the next-hop MTU in the low 16 bits of the second word, and the original IP
    header plus its first 8 payload bytes (RFC 792).
    """
    _check_range(next_hop_mtu, 68, 0xFFFF, "next_hop_mtu")
    original = parse_ipv4(packet)
    quoted = bytes(packet[: original.header_length + 8])
    body = struct.pack("!BBHHH", 3, 4, 0, 0, next_hop_mtu) + quoted
    checksum = internet_checksum(body)
    body = body[:2] + checksum.to_bytes(2, "big") + body[4:]
    return ipv4_packet(src=src, dst=original.src, protocol=IPPROTO_ICMP, payload=body)


@dataclass(frozen=True, slots=True, kw_only=True)
class UdpDatagram:
    """A parsed UDP datagram (RFC 768)."""

    src_port: int
    dst_port: int
    length: int
    checksum: int
    payload: bytes


def _udp_checksum(src: bytes, dst: bytes, segment: bytes) -> int:
    pseudo = src + dst + struct.pack("!BBH", 0, IPPROTO_UDP, len(segment))
    value = internet_checksum(pseudo + segment)
    return value or 0xFFFF  # RFC 768: a computed 0 is sent as all ones


def udp_packet(
    *,
    src: str | ipaddress.IPv4Address,
    dst: str | ipaddress.IPv4Address,
    src_port: int,
    dst_port: int,
    data: bytes,
    ttl: int = 64,
    df: bool = False,
    identification: int = 0,
    checksum: bool = True,
) -> bytes:
    """An IPv4 packet carrying a UDP datagram, checksummed unless told not to."""
    data = as_bytes(data, "UDP data")
    _check_range(src_port, 0, 0xFFFF, "src_port")
    _check_range(dst_port, 0, 0xFFFF, "dst_port")
    length = 8 + len(data)
    if length > 0xFFFF - 20:
        raise VpnInputError(f"UDP datagram of {length} bytes is too long")
    segment = _UDP.pack(src_port, dst_port, length, 0) + data
    if checksum:
        value = _udp_checksum(_address4(src, "src"), _address4(dst, "dst"), segment)
        segment = segment[:6] + value.to_bytes(2, "big") + segment[8:]
    return ipv4_packet(
        src=src,
        dst=dst,
        protocol=IPPROTO_UDP,
        payload=segment,
        ttl=ttl,
        df=df,
        identification=identification,
    )


def parse_udp(packet: IPv4Packet) -> UdpDatagram:
    """The UDP datagram in a parsed IPv4 packet, its checksum verified if not 0."""
    if not isinstance(packet, IPv4Packet):
        raise VpnInputError(
            f"parse_udp takes an IPv4Packet (from parse_ipv4), not {shown(packet)}"
        )
    if packet.protocol != IPPROTO_UDP:
        raise MalformedPacketError(
            f"IP protocol {packet.protocol} is not UDP ({IPPROTO_UDP})"
        )
    segment = packet.payload
    if len(segment) < 8:
        raise MalformedPacketError(f"UDP datagram of {len(segment)} bytes: needs 8")
    sport, dport, length, checksum = _UDP.unpack_from(segment)
    if length < 8 or length > len(segment):
        raise MalformedPacketError(
            f"UDP length {length} does not fit the {len(segment)} bytes received"
        )
    if checksum:
        zeroed = segment[:6] + b"\x00\x00" + segment[8:length]
        if _udp_checksum(packet.src.packed, packet.dst.packed, zeroed) != checksum:
            raise MalformedPacketError(f"UDP checksum 0x{checksum:04x} is wrong")
    return UdpDatagram(
        src_port=sport,
        dst_port=dport,
        length=length,
        checksum=checksum,
        payload=segment[8:length],
    )


def fragment_ipv4(packet: bytes, mtu: int) -> list[bytes]:
    """Split an IPv4 packet into fragments of at most ``mtu`` bytes (RFC 791 §3.2).

    Each fragment repeats the header (options are not copied past the first
    fragment unless their copy bit is set; awscore builds no options, and drops
    them from later fragments), carries a multiple of 8 payload bytes except the
    last, and keeps the identification. A packet that fits is returned alone.
    Raises :class:`~awscore.errors.VpnInputError` if the packet has DF set and does
    not fit, or if ``mtu`` leaves no room for 8 payload bytes.
    """
    _check_range(mtu, 0, 0xFFFF, "mtu")
    original = parse_ipv4(packet)
    if original.total_length <= mtu:
        return [bytes(packet[: original.total_length])]
    if original.df:
        raise VpnInputError(
            f"packet of {original.total_length} bytes has DF set and exceeds the MTU "
            f"{mtu}: send ICMP fragmentation needed instead"
        )
    room = (mtu - 20) // 8 * 8
    if room < 8 or original.header_length + 8 > mtu:
        raise VpnInputError(f"MTU {mtu} is too small to fragment into: at least 68")
    pieces: list[bytes] = []
    payload = original.payload
    first_room = (mtu - original.header_length) // 8 * 8
    offset = 0
    while offset < len(payload):
        size = first_room if offset == 0 else room
        chunk = payload[offset : offset + size]
        last = offset + len(chunk) >= len(payload)
        header_options = original.options if offset == 0 else b""
        pieces.append(
            _ipv4_with_options(
                original,
                header_options,
                chunk,
                mf=original.mf or not last,
                offset=original.fragment_offset + offset // 8,
            )
        )
        offset += len(chunk)
    return pieces


def _ipv4_with_options(
    original: IPv4Packet, options: bytes, payload: bytes, *, mf: bool, offset: int
) -> bytes:
    ihl = (20 + len(options)) // 4
    flags = (_FLAG_DF if original.df else 0) | (_FLAG_MF if mf else 0) | offset
    header = (
        _IPV4.pack(
            0x40 | ihl,
            original.dscp << 2 | original.ecn,
            20 + len(options) + len(payload),
            original.identification,
            flags,
            original.ttl,
            original.protocol,
            0,
            original.src.packed,
            original.dst.packed,
        )
        + options
    )
    checksum = internet_checksum(header)
    return header[:10] + checksum.to_bytes(2, "big") + header[12:] + payload


def reassemble_ipv4(fragments: Iterable[bytes]) -> bytes:
    """Reassemble the fragments of one IPv4 packet (any order) into the packet.

    Raises :class:`~awscore.errors.MalformedPacketError` if they do not belong to one
    datagram (src, dst, protocol, identification), overlap, or leave a hole.
    """
    given: object = fragments  # checked: callers may not be type-checked
    if isinstance(given, bytes | bytearray | str) or not isinstance(given, Iterable):
        raise VpnInputError(
            f"fragments must be an iterable of IPv4 packets, not {shown(given)}"
        )
    # The fragment offset field has 13 bits: no datagram has more pieces.
    pieces = list(itertools.islice(given, MAX_FRAGMENTS + 1))
    if len(pieces) > MAX_FRAGMENTS:
        raise MalformedPacketError(
            f"more than {MAX_FRAGMENTS} fragments: no IPv4 datagram has that many"
        )
    parsed: Sequence[IPv4Packet] = sorted(
        (parse_ipv4(f) for f in pieces), key=lambda p: p.fragment_offset
    )
    if not parsed:
        raise MalformedPacketError("no fragments to reassemble")
    first = parsed[0]
    key = (first.src, first.dst, first.protocol, first.identification)
    payload = b""
    for piece in parsed:
        if (piece.src, piece.dst, piece.protocol, piece.identification) != key:
            raise MalformedPacketError(
                "fragments of different datagrams (src, dst, protocol, id differ)"
            )
        if piece.fragment_offset * 8 != len(payload):
            raise MalformedPacketError(
                f"fragment at offset {piece.fragment_offset * 8} leaves a hole or "
                f"overlaps: {len(payload)} bytes reassembled so far"
            )
        payload += piece.payload
    if parsed[-1].mf:
        raise MalformedPacketError("the last fragment is missing (MF still set)")
    return _ipv4_with_options(first, first.options, payload, mf=False, offset=0)
