"""ESP encapsulation rules: configuration, outer header fields, trailer, errors."""

from __future__ import annotations

import os
import struct
from typing import TypedDict

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from awscore.errors import (
    IntegrityCheckError,
    MalformedPacketError,
    NotEspError,
    SequenceExhaustedError,
    TtlExceededError,
    UnknownSpiError,
    VpnInputError,
)
from awscore.vpn import (
    Cipher,
    Integrity,
    SecurityAssociation,
    classify_udp_4500,
    decapsulate,
    dissect,
    encapsulate,
    icmp_echo,
    internet_checksum,
    ipv4_packet,
    ipv6_packet,
    make_sad,
    nat_keepalive,
    parse_ipv4,
    udp_packet,
)

KEY = bytes(range(16)) + b"SALT"


class _Outer(TypedDict):
    outer_src: str
    outer_dst: str


OUT: _Outer = {"outer_src": "203.0.113.50", "outer_dst": "52.95.1.1"}


def gcm(**kwargs: object) -> SecurityAssociation:
    arguments: dict[str, object] = {"spi": 0x1001, "cipher": "aes-128-gcm", "key": KEY}
    arguments.update(kwargs)
    return SecurityAssociation(**arguments)  # type: ignore[arg-type]


def ping(**kwargs: object) -> bytes:
    return icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"hi", **kwargs)  # type: ignore[arg-type]


def test_every_configuration_problem_is_listed() -> None:
    with pytest.raises(VpnInputError) as raised:
        SecurityAssociation(
            spi=0,
            cipher="aes-128-cbc",
            key=bytes(5),
            integrity="sha2-256",
            integrity_key=bytes(3),
            replay_window=8,
            df="maybe",
            ecn="weird",
        )
    problems = raised.value.problems
    assert len(problems) == 7
    text = str(raised.value)
    for fragment in (
        "SPI 0",
        "replay window",
        "DF policy",
        "ECN mode",
        "key is 5 bytes",
        "HMAC-sha2-256 key is 3 bytes",
        "iv_source",
    ):
        assert fragment in text


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"key": bytes(16)}, "must be 20"),
        ({"integrity": "sha1"}, "takes no integrity"),
        ({"icv_size": 10}, "8, 12 or 16"),
        ({"cipher": "rot13"}, "not supported"),
        ({"spi": 255}, "reserved"),
        ({"key": "text"}, "must be bytes"),
        ({"cipher": 128}, "cipher 128 is not supported"),
    ],
)
def test_gcm_configuration_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(VpnInputError, match=fragment):
        gcm(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "needs an integrity algorithm"),
        ({"integrity": "md5"}, "not supported"),
        ({"integrity": 5}, "integrity algorithm 5 is not supported"),
        ({"integrity": "sha1"}, "needs an integrity_key"),
        ({"integrity": "sha1", "integrity_key": bytes(20), "icv_size": 16}, "fixed"),
    ],
)
def test_cbc_configuration_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(VpnInputError, match=fragment):
        SecurityAssociation(
            spi=0x1001,
            cipher="aes-128-cbc",
            key=bytes(16),
            iv_source=os.urandom,
            **kwargs,  # type: ignore[arg-type]
        )


def test_names_and_sizes() -> None:
    assert Cipher.parse("AES256-GCM-16") is Cipher.AES256_GCM
    assert Cipher.parse("AES128") is Cipher.AES128_CBC
    assert Integrity.parse("SHA2-384").icv_size == 24
    assert Integrity.SHA1.key_size == 20
    sa = gcm()
    assert sa.overhead == 8 + 8 + 2 + 16
    assert "spi=0x00001001" in repr(sa)


def test_outer_header_fields_rfc_4301() -> None:
    """DSCP and ECN copied, DF copied, TTL and ID as given, no options, checksum."""
    inner = ipv4_packet(
        src="10.0.1.50",
        dst="172.31.1.100",
        protocol=17,
        payload=b"x" * 7,
        dscp=46,
        ecn=2,
        df=True,
        ttl=30,
    )
    outer = encapsulate(inner, gcm(), ttl=200, identification=0xBEEF, **OUT)
    header = parse_ipv4(outer)
    assert (header.dscp, header.ecn, header.df, header.ttl) == (46, 2, True, 200)
    assert header.identification == 0xBEEF
    assert header.protocol == 50
    assert header.options == b""
    # inner: TTL 30 -> 29, header checksum still valid
    opened = decapsulate(outer, make_sad(gcm()))
    assert opened[8] == 29
    assert internet_checksum(opened[:20]) == 0


@pytest.mark.parametrize(
    ("policy", "inner_df", "expected"),
    [
        ("copy", True, True),
        ("copy", False, False),
        ("set", False, True),
        ("clear", True, False),
    ],
)
def test_df_policy(policy: str, inner_df: bool, expected: bool) -> None:
    outer = encapsulate(ping(df=inner_df), gcm(df=policy), **OUT)
    assert parse_ipv4(outer).df is expected


def test_ecn_compatibility_mode_clears_outer_ecn() -> None:
    inner = ipv4_packet(
        src="10.0.1.50", dst="172.31.1.100", protocol=17, payload=b"", dscp=10, ecn=1
    )
    outer = parse_ipv4(encapsulate(inner, gcm(ecn="compatibility"), **OUT))
    assert (outer.dscp, outer.ecn) == (10, 0)


def _retos(outer: bytes, ecn: int) -> bytes:
    """Set the outer ECN field (as a congested router does) and fix the checksum."""
    packet = bytearray(outer)
    packet[1] = packet[1] & 0xFC | ecn
    packet[10:12] = b"\x00\x00"
    packet[10:12] = internet_checksum(bytes(packet[:20])).to_bytes(2, "big")
    return bytes(packet)


# RFC 6040 §4.2 Figure 4: (inner, outer) -> inner after decapsulation, or drop
ECN_EGRESS = [
    (0, 0, 0),
    (0, 1, 0),
    (0, 2, 0),
    (0, 3, None),
    (2, 0, 2),
    (2, 2, 2),
    (2, 1, 1),
    (2, 3, 3),
    (1, 0, 1),
    (1, 2, 1),
    (1, 1, 1),
    (1, 3, 3),
    (3, 0, 3),
    (3, 1, 3),
    (3, 2, 3),
    (3, 3, 3),
]


@pytest.mark.parametrize(("inner_ecn", "outer_ecn", "result"), ECN_EGRESS)
def test_ecn_egress_rfc_6040(
    inner_ecn: int, outer_ecn: int, result: int | None
) -> None:
    for inner in (
        ipv4_packet(
            src="10.0.1.50",
            dst="172.31.1.100",
            protocol=17,
            payload=b"ab",
            ecn=inner_ecn,
        ),
        ipv6_packet(
            src="2001:db8::1",
            dst="2001:db8::2",
            next_header=17,
            payload=b"ab",
            ecn=inner_ecn,
        ),
    ):
        sa = gcm()
        outer = _retos(encapsulate(inner, sa, **OUT), outer_ecn)
        if result is None:
            with pytest.raises(MalformedPacketError, match="CE"):
                decapsulate(outer, make_sad(sa))
            continue
        opened = decapsulate(outer, make_sad(sa))
        if inner[0] >> 4 == 4:
            assert opened[1] & 3 == result
            assert internet_checksum(opened[:20]) == 0
        else:
            assert opened[1] >> 4 & 3 == result


def test_nat_t_framing_rfc_3948() -> None:
    outer = encapsulate(ping(), gcm(), nat_t=True, **OUT)
    assert outer[9] == 17
    assert struct.unpack("!HHHH", outer[20:28]) == (4500, 4500, len(outer) - 20, 0)
    assert decapsulate(outer, make_sad(gcm()))[12:] == ping()[12:]


def test_udp_4500_classification_and_keepalive() -> None:
    assert classify_udp_4500(b"\xff") == "keepalive"
    assert classify_udp_4500(bytes(4) + b"ike...") == "ike"
    assert classify_udp_4500(b"\x00\x00\x10\x01abcd") == "esp"
    keepalive = nat_keepalive(src="203.0.113.50", dst="52.95.1.1")
    assert keepalive[-1:] == b"\xff"
    with pytest.raises(NotEspError) as raised:
        decapsulate(keepalive, make_sad(gcm()))
    assert raised.value.kind == "keepalive"
    ike = udp_packet(
        src="203.0.113.50",
        dst="52.95.1.1",
        src_port=4500,
        dst_port=4500,
        data=bytes(4) + b"IKEv2 header..",
    )
    with pytest.raises(NotEspError, match="non-ESP marker") as raised:
        decapsulate(ike, make_sad(gcm()))
    assert raised.value.kind == "ike"


@pytest.mark.parametrize(
    ("packet", "error", "fragment"),
    [
        (
            udp_packet(
                src="1.1.1.1",
                dst="2.2.2.2",
                src_port=4500,
                dst_port=500,
                data=b"abcdefgh",
            ),
            MalformedPacketError,
            "not NAT-T",
        ),
        (
            ipv4_packet(src="1.1.1.1", dst="2.2.2.2", protocol=17, payload=b"abc"),
            MalformedPacketError,
            "UDP header is truncated",
        ),
        (
            ipv4_packet(
                src="1.1.1.1",
                dst="2.2.2.2",
                protocol=17,
                payload=bytes.fromhex("11941194000a0000") + b"abcd",
            ),
            MalformedPacketError,
            "UDP length",
        ),
        (
            ipv4_packet(src="1.1.1.1", dst="2.2.2.2", protocol=6, payload=b"abc"),
            MalformedPacketError,
            "neither ESP",
        ),
        (
            ipv4_packet(
                src="1.1.1.1", dst="2.2.2.2", protocol=50, payload=b"abc", mf=True
            ),
            MalformedPacketError,
            "fragment",
        ),
        (
            ipv4_packet(src="1.1.1.1", dst="2.2.2.2", protocol=50, payload=b"abc"),
            MalformedPacketError,
            "needs 8",
        ),
        (
            ipv4_packet(
                src="1.1.1.1",
                dst="2.2.2.2",
                protocol=50,
                payload=bytes.fromhex("0000beef00000001") + bytes(40),
            ),
            UnknownSpiError,
            "0x0000beef",
        ),
        (b"\x60" + bytes(40), MalformedPacketError, "IPv4"),
        (bytes.fromhex("450000ff") + bytes(16), MalformedPacketError, "do not fit"),
        (b"\x45", MalformedPacketError, "too short"),
    ],
)
def test_decapsulate_rejects(
    packet: bytes, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        decapsulate(packet, make_sad(gcm()))


def _forged(plaintext: bytes, sequence: int = 1) -> bytes:
    """A correctly sealed GCM packet around an arbitrary plaintext (by hand)."""
    header = struct.pack("!II", 0x1001, sequence)
    iv = bytes(8)
    sealed = AESGCM(KEY[:16]).encrypt(KEY[16:] + iv, plaintext, header)
    return ipv4_packet(
        src="203.0.113.50", dst="52.95.1.1", protocol=50, payload=header + iv + sealed
    )


@pytest.mark.parametrize(
    ("plaintext", "fragment"),
    [
        (ping() + b"\x01\x02\x04\x03\x04", "padding"),
        (ping() + b"\x00\x3b", "dummy packet"),
        (ping() + b"\x00\x06", "not tunnel mode"),
        (ping()[:-1] + b"\x01\x01\x04", "not one IPv4"),
        (ping() + b"\x00\x29", "not one IPv6"),
        (b"\x00\x30\x04", "pad length"),
    ],
)
def test_authenticated_but_malformed_payloads(plaintext: bytes, fragment: str) -> None:
    """A sender with the key but a broken trailer: dropped, window untouched."""
    sad = make_sad(gcm())
    with pytest.raises(MalformedPacketError, match=fragment):
        decapsulate(_forged(plaintext), sad)
    assert sad[0x1001].window.top == 0


def test_padding_beyond_16_is_accepted() -> None:
    """RFC 4303 §2.4 allows up to 255 padding bytes (traffic flow confidentiality)."""
    padding = bytes(range(1, 41))
    inner = ping()
    opened = decapsulate(_forged(inner + padding + b"\x28\x04"), make_sad(gcm()))
    assert opened == inner


def test_encapsulate_rejects() -> None:
    sa = gcm()
    with pytest.raises(VpnInputError, match="total length"):
        encapsulate(ping() + b"x", sa, **OUT)
    with pytest.raises(VpnInputError, match="not an IPv4 or IPv6"):
        encapsulate(b"", sa, **OUT)
    with pytest.raises(VpnInputError, match="payload length"):
        encapsulate(
            ipv6_packet(src="::1", dst="::2", next_header=59, payload=b"") + b"x",
            sa,
            **OUT,
        )
    with pytest.raises(TtlExceededError, match="TTL 1"):
        encapsulate(ping(ttl=1), sa, **OUT)
    with pytest.raises(TtlExceededError, match="hop limit 1"):
        encapsulate(
            ipv6_packet(src="::1", dst="::2", next_header=59, payload=b"", hop_limit=1),
            sa,
            **OUT,
        )
    with pytest.raises(VpnInputError, match="IV of 3 bytes"):
        encapsulate(ping(), sa, iv=b"abc", **OUT)
    short_source = gcm(iv_source=lambda size: bytes(size - 1))
    with pytest.raises(VpnInputError, match="IV source gave 7 bytes"):
        encapsulate(ping(), short_source, **OUT)
    with pytest.raises(VpnInputError, match="sequence number 0"):
        encapsulate(ping(), sa, sequence=0, **OUT)
    with pytest.raises(VpnInputError) as raised:
        encapsulate(ping(), sa, outer_src="x", outer_dst="y", ttl=0, src_port=0)
    assert len(raised.value.problems) == 4
    with pytest.raises(VpnInputError, match="identification"):
        encapsulate(ping(), sa, identification=70000, **OUT)
    with pytest.raises(VpnInputError, match="exceeds 65535"):
        encapsulate(
            ipv4_packet(
                src="1.1.1.1", dst="2.2.2.2", protocol=17, payload=bytes(65500)
            ),
            sa,
            **OUT,
        )
    assert ping(ttl=1) == encapsulate(ping(ttl=1), sa, decrement_ttl=False, **OUT)[36:][
        :0
    ] + ping(ttl=1)


def test_sequence_counter_and_exhaustion() -> None:
    """The counter starts at 1 and must never cycle (RFC 4303 §3.3.3)."""
    sa = gcm()
    first = encapsulate(ping(), sa, **OUT)
    second = encapsulate(ping(), sa, **OUT)
    assert struct.unpack("!I", first[24:28]) == (1,)
    assert struct.unpack("!I", second[24:28]) == (2,)
    assert first[28:36] == (1).to_bytes(8, "big")  # GCM default IV: the counter
    sa.next_sequence = 2**32 - 1
    encapsulate(ping(), sa, **OUT)
    with pytest.raises(SequenceExhaustedError, match="rekey"):
        encapsulate(ping(), sa, **OUT)
    esn = gcm(esn=True)
    esn.next_sequence = 2**32
    packet = encapsulate(ping(), esn, **OUT)
    assert struct.unpack("!I", packet[24:28]) == (0,)  # low bits only


@pytest.mark.parametrize("icv_size", [8, 12])
def test_short_gcm_icvs_round_trip(icv_size: int) -> None:
    sa = gcm(icv_size=icv_size)
    outer = encapsulate(ping(), sa, **OUT)
    assert len(outer) == 20 + 8 + 8 + 32 + icv_size
    assert decapsulate(outer, make_sad(sa))[12:] == ping()[12:]
    tampered = outer[:-1] + bytes([outer[-1] ^ 1])
    with pytest.raises(IntegrityCheckError):
        decapsulate(tampered, make_sad(sa))


@pytest.mark.parametrize("integrity", ["sha1", "sha2-256", "sha2-384", "sha2-512"])
def test_cbc_every_integrity(integrity: str) -> None:
    size = Integrity(integrity).key_size
    sa = SecurityAssociation(
        spi=0x2002,
        cipher="aes-256-cbc",
        key=bytes(32),
        integrity=integrity,
        integrity_key=bytes(range(size)),
        iv_source=os.urandom,
    )
    outer = encapsulate(ping(), sa, **OUT)
    # a 30-byte inner packet + 2 trailer bytes = 32, a multiple of the AES block
    assert len(outer) == 20 + 8 + 16 + 32 + Integrity(integrity).icv_size
    assert decapsulate(outer, make_sad(sa))[12:] == ping()[12:]
    truncated = ipv4_packet(
        src="203.0.113.50",
        dst="52.95.1.1",
        protocol=50,
        payload=outer[20:60] + bytes(3) + outer[-sa.icv_size :],
    )
    with pytest.raises(MalformedPacketError, match="multiple of 16"):
        # the ICV is checked first, so fix it: a sender with the key, bad framing
        decapsulate(_resigned(truncated, sa), make_sad(sa))


def _resigned(packet: bytes, sa: SecurityAssociation) -> bytes:
    """Recompute a CBC packet's HMAC over its (altered) contents, by hand."""
    import hashlib
    import hmac

    digest = {
        12: hashlib.sha1,
        16: hashlib.sha256,
        24: hashlib.sha384,
        32: hashlib.sha512,
    }[sa.icv_size]
    key = bytes(range(Integrity(sa.integrity or "sha1").key_size))
    body = packet[20 : -sa.icv_size]
    return packet[: -sa.icv_size] + hmac.new(key, body, digest).digest()[: sa.icv_size]


def test_dissect_lays_out_the_packet() -> None:
    sa = gcm()
    # 32 bytes + 2 trailer bytes: 2 bytes of padding reach the 4-byte boundary
    inner = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"abcd")
    outer = encapsulate(inner, sa, nat_t=True, sequence=5, iv=b"IVIVIVIV", **OUT)
    esp = dissect(outer, sa)
    assert (esp.spi, esp.sequence, esp.iv) == (0x1001, 5, b"IVIVIVIV")
    assert esp.pad_length == 2
    assert esp.padding == b"\x01\x02"
    assert esp.next_header == 4
    assert len(esp.udp_header) == 8
    assert sum(size for _, size in esp.layout) == len(outer)
    plain = dissect(encapsulate(inner, sa, sequence=6, **OUT), sa)
    assert plain.layout[:2] == (("outer IPv4 header", 20), ("SPI", 4))
    with pytest.raises(UnknownSpiError):
        dissect(outer, gcm(spi=0x2000))
    with pytest.raises(VpnInputError, match="low bits"):
        dissect(outer, sa, sequence=6)
    assert dissect(outer, sa, sequence=5).sequence == 5
    with pytest.raises(MalformedPacketError, match="needs 8"):
        dissect(
            ipv4_packet(src="1.1.1.1", dst="2.2.2.2", protocol=50, payload=b"abc"), sa
        )


def test_make_sad_refuses_duplicate_spis() -> None:
    with pytest.raises(VpnInputError, match="twice"):
        make_sad(gcm(), gcm())


def test_outer_with_link_padding_and_short_esp() -> None:
    """Bytes past the IPv4 total length (Ethernet padding) are ignored."""
    sa = gcm()
    outer = encapsulate(ping(), sa, **OUT)
    assert decapsulate(outer + bytes(6), make_sad(sa))[12:] == ping()[12:]
    short = ipv4_packet(
        src="1.1.1.1",
        dst="2.2.2.2",
        protocol=50,
        payload=bytes.fromhex("0000100100000001") + bytes(10),
    )
    with pytest.raises((IntegrityCheckError, MalformedPacketError)):
        decapsulate(short, make_sad(sa))


def test_many_outer_destinations_and_ipv6_without_decrement() -> None:
    """The header template cache stays bounded; every destination still right."""
    sa = gcm()
    for i in range(70):
        outer = encapsulate(
            ping(), sa, outer_src="203.0.113.50", outer_dst=f"52.95.1.{i}"
        )
        assert str(parse_ipv4(outer).dst) == f"52.95.1.{i}"
    assert len(sa._templates) <= 64
    six = ipv6_packet(src="::1", dst="::2", next_header=59, payload=b"", hop_limit=1)
    kept = encapsulate(six, sa, decrement_ttl=False, **OUT)
    assert decapsulate(kept, make_sad(gcm())) == six


def test_an_sa_is_read_only_but_its_counter() -> None:
    sa = gcm()
    with pytest.raises(AttributeError):
        sa.spi = 0x2002  # type: ignore[misc]
    with pytest.raises(AttributeError):
        sa.surprise = 1  # type: ignore[attr-defined]
    sa.next_sequence = 9
    assert struct.unpack("!I", encapsulate(ping(), sa, **OUT)[24:28]) == (9,)
    assert (sa.df, sa.ecn, sa.replay_window, sa.iv_source) == (
        "copy",
        "normal",
        64,
        None,
    )
