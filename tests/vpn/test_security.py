"""Tampering, hostile bytes and key hygiene."""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import VpnError
from awscore.vpn import (
    InboundSA,
    SecurityAssociation,
    decapsulate,
    dissect,
    encapsulate,
    icmp_echo,
)
from tests.strategies.vpn import inner_packets

GCM_KEY = bytes.fromhex("00112233445566778899aabbccddeeff") + b"salt"
CBC_KEY = bytes.fromhex("ffeeddccbbaa99887766554433221100")
AUTH_KEY = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0" * 2)


def _sas() -> list[SecurityAssociation]:
    return [
        SecurityAssociation(spi=0x1001, cipher="aes-128-gcm", key=GCM_KEY),
        SecurityAssociation(spi=0x1002, cipher="aes-128-gcm", key=GCM_KEY, esn=True),
        SecurityAssociation(spi=0x1003, cipher="aes-128-gcm", key=GCM_KEY, icv_size=8),
        SecurityAssociation(
            spi=0x1004,
            cipher="aes-128-cbc",
            key=CBC_KEY,
            integrity="sha2-256",
            integrity_key=AUTH_KEY,
            iv_source=os.urandom,
        ),
        SecurityAssociation(
            spi=0x1005,
            cipher="aes-128-cbc",
            key=CBC_KEY,
            integrity="sha1",
            integrity_key=AUTH_KEY[:20],
            iv_source=os.urandom,
            esn=True,
        ),
    ]


def _snapshot(state: InboundSA) -> tuple[int, list[int]]:
    return state.window.top, list(state.window._blocks)


# With NAT-T, a NAT rewrites the UDP source port by design and RFC 3948 §3.1.2
# says receivers must not depend on the UDP checksum: those 4 bytes carry no
# integrity. Every other byte is covered by the IPv4 checksum or the ICV.
NAT_T_UNPROTECTED = {20, 21, 26, 27}


@pytest.mark.parametrize("nat_t", [False, True])
@pytest.mark.parametrize("index", range(5))
def test_flipping_any_byte_is_detected_and_changes_no_state(
    index: int, nat_t: bool
) -> None:
    """Every byte flipped, in turn, with several masks: an error, same window."""
    sa = _sas()[index]
    inner = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"payload!" * 3)
    packet = encapsulate(
        inner,
        sa,
        outer_src="203.0.113.50",
        outer_dst="52.95.1.1",
        nat_t=nat_t,
        sequence=2**32 + 7 if sa.esn else 7,
    )
    state = sa.inbound()
    state.window.accept(2**32 + 6 if sa.esn else 6)
    before = _snapshot(state)
    for position in range(len(packet)):
        if nat_t and position in NAT_T_UNPROTECTED:
            continue
        for mask in (0x01, 0x80, 0xFF):
            tampered = bytearray(packet)
            tampered[position] ^= mask
            with pytest.raises(VpnError):
                decapsulate(bytes(tampered), {sa.spi: state})
            assert _snapshot(state) == before, (position, mask)
    # the genuine packet still goes through afterwards
    assert decapsulate(packet, {sa.spi: state})[12:] == inner[12:]


@settings(max_examples=300)
@given(data=st.binary(max_size=120))
def test_random_bytes_raise_only_vpn_errors(data: bytes) -> None:
    """Hostile input gives a VpnError subclass, never anything else."""
    sad = {sa.spi: sa.inbound() for sa in _sas()}
    with contextlib.suppress(VpnError):
        decapsulate(data, sad)


@settings(max_examples=150)
@given(data=st.binary(min_size=1, max_size=80), spi=st.sampled_from(range(5)))
def test_random_esp_payloads_behind_a_valid_header_raise_only_vpn_errors(
    data: bytes, spi: int
) -> None:
    """A correct outer header and a known SPI in front of garbage: VpnError only."""
    from awscore.vpn import ipv4_packet

    sas = _sas()
    sa = sas[spi]
    payload = sa.spi.to_bytes(4, "big") + (1).to_bytes(4, "big") + data
    packet = ipv4_packet(
        src="203.0.113.50", dst="52.95.1.1", protocol=50, payload=payload
    )
    sad = {s.spi: s.inbound() for s in sas}
    with pytest.raises(VpnError):
        decapsulate(packet, sad)
    with pytest.raises(VpnError):
        dissect(packet, sa)


@settings(max_examples=40)
@given(inner=inner_packets(max_payload=64))
def test_keys_never_appear_in_reprs_or_messages(inner: bytes) -> None:
    """No repr, str or error message holds a key, salt or HMAC key, in any form."""
    secrets = [GCM_KEY, GCM_KEY[:16], GCM_KEY[16:], CBC_KEY, AUTH_KEY]
    forms = {form for s in secrets for form in (s.hex(), repr(s), s.hex().upper())}
    texts: list[str] = []
    for sa in _sas():
        packet = encapsulate(inner, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1")
        state = sa.inbound()
        texts += [repr(sa), str(sa), repr(state)]
        tampered = packet[:-1] + bytes([packet[-1] ^ 1])
        for candidate in (tampered, packet[:30]):
            try:
                decapsulate(candidate, {sa.spi: state})
            except VpnError as exc:
                texts.append(str(exc))
    for bad in (
        {"key": GCM_KEY + b"x"},
        {"key": GCM_KEY, "integrity": "sha1", "integrity_key": AUTH_KEY},
    ):
        try:
            SecurityAssociation(spi=0x1001, cipher="aes-128-gcm", **bad)
        except VpnError as exc:
            texts.append(str(exc))
    blob = "\n".join(texts)
    assert texts
    for form in forms:
        assert form not in blob


@settings(max_examples=300)
@given(data=st.binary(max_size=90), mtu=st.integers(min_value=0, max_value=2000))
def test_packet_parsers_raise_only_vpn_errors(data: bytes, mtu: int) -> None:
    """Every parser and packet tool, fed arbitrary bytes, raises VpnError or works."""
    from awscore.vpn import (
        fragment_ipv4,
        icmp_fragmentation_needed,
        parse_ipv4,
        parse_ipv6,
        parse_udp,
        reassemble_ipv4,
    )

    for action in (
        lambda: parse_ipv6(data),
        lambda: parse_udp(parse_ipv4(data, verify_checksum=False)),
        lambda: fragment_ipv4(data, mtu),
        lambda: reassemble_ipv4([data, data]),
        lambda: icmp_fragmentation_needed(data, next_hop_mtu=mtu, src="1.1.1.1"),
        lambda: dissect(data, _sas()[0]),
    ):
        with contextlib.suppress(VpnError):
            action()


@settings(max_examples=300)
@given(
    data=st.binary(max_size=90),
    protocol=st.sampled_from([1, 17, 50]),
    mf=st.booleans(),
    offset=st.integers(0, 0x1FFF),
    df=st.booleans(),
    mtu=st.integers(min_value=0, max_value=200),
)
def test_valid_headers_around_random_payloads_raise_only_vpn_errors(
    data: bytes, protocol: int, mf: bool, offset: int, df: bool, mtu: int
) -> None:
    """Behind a correct IPv4 header, any payload and flags: VpnError or a result."""
    from awscore.vpn import (
        fragment_ipv4,
        ipv4_packet,
        parse_ipv4,
        parse_udp,
        reassemble_ipv4,
    )

    packet = ipv4_packet(
        src="203.0.113.50", dst="52.95.1.1", protocol=protocol, payload=data,
        mf=mf, fragment_offset=offset, df=df,
    )  # fmt: skip
    sad = {sa.spi: sa.inbound() for sa in _sas()}
    for action in (
        lambda: parse_udp(parse_ipv4(packet)),
        lambda: fragment_ipv4(packet, mtu),
        lambda: reassemble_ipv4([packet]),
        lambda: decapsulate(packet, sad),
    ):
        with contextlib.suppress(VpnError):
            action()
