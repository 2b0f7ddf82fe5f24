"""awscore's ESP against scapy's ``SecurityAssociation``, byte for byte.

For each algorithm (AES-GCM; AES-CBC + HMAC-SHA-256-128), with and without NAT-T
and ESN: the same key, salt, IV, SPI, sequence number and outer header fields give
the same bytes, and each side decrypts the other's packets.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.vpn import SecurityAssociation, decapsulate, encapsulate, ipv6_packet
from tests.conftest import require_peer
from tests.strategies.vpn import aes_keys, esn_sequences, gcm_keys, inner_packets, spis

pytestmark = pytest.mark.peer

OUTER_SRC = "203.0.113.50"
OUTER_DST = "52.95.1.1"

COMBINATIONS = [
    (cipher, nat_t, esn)
    for cipher in ("gcm", "cbc")
    for nat_t in (False, True)
    for esn in (False, True)
]


def _scapy() -> Any:
    require_peer("scapy")
    from scapy.layers import inet, ipsec

    return inet, ipsec


def _forwarded(inet: Any, inner: bytes) -> tuple[bytes, Any]:
    """The inner packet as it enters the tunnel, made by scapy: TTL - 1."""
    packet = inet.IP(inner)
    packet.ttl -= 1
    del packet.chksum
    return bytes(packet), packet


@pytest.mark.parametrize(("cipher", "nat_t", "esn"), COMBINATIONS)
@settings(max_examples=50)
@given(data=st.data())
def test_same_bytes_and_each_decrypts_the_other(
    cipher: str, nat_t: bool, esn: bool, data: st.DataObject
) -> None:
    """Same key, salt, IV, SPI, sequence and outer fields: identical ESP bytes.

    The outer header is built as RFC 4301 §5.1.2.1 says: TOS copied from the
    inner header (DSCP and, in RFC 6040 normal mode, ECN), DF copied, TTL 64;
    scapy is given those fields explicitly and fills in length, protocol and
    checksum itself. The inner TTL drops by one entering the tunnel.
    """
    inet, ipsec = _scapy()
    inner = data.draw(inner_packets(), label="inner")
    spi = data.draw(spis, label="spi")
    # scapy cannot send a packet whose low 32 bits are 0 (it takes 0 for "use
    # the SA's counter"); awscore's ESN wrap through 2**32 is tested elsewhere.
    sequence = data.draw(
        esn_sequences.filter(lambda n: n & 0xFFFFFFFF)
        if esn
        else st.integers(1, 2**32 - 1),
        label="sequence",
    )
    identification = data.draw(st.integers(0, 0xFFFF), label="identification")
    nat_header = inet.UDP(sport=4500, dport=4500) if nat_t else None
    if cipher == "gcm":
        key = data.draw(gcm_keys, label="key+salt")
        iv = data.draw(st.binary(min_size=8, max_size=8), label="iv")
        ours = SecurityAssociation(
            spi=spi, cipher=f"aes-{(len(key) - 4) * 8}-gcm", key=key, esn=esn
        )
        algo = {"crypt_algo": "AES-GCM", "crypt_key": key}
    else:
        key = data.draw(aes_keys, label="key")
        auth_key = data.draw(st.binary(min_size=32, max_size=32), label="auth key")
        iv = data.draw(st.binary(min_size=16, max_size=16), label="iv")
        ours = SecurityAssociation(
            spi=spi,
            cipher=f"aes-{len(key) * 8}-cbc",
            key=key,
            integrity="sha2-256",
            integrity_key=auth_key,
            esn=esn,
            iv_source=bytes,
        )
        algo = {
            "crypt_algo": "AES-CBC",
            "crypt_key": key,
            "auth_algo": "SHA2-256-128",
            "auth_key": auth_key,
        }
    forwarded, scapy_inner = _forwarded(inet, inner)
    header = inet.IP(
        src=OUTER_SRC,
        dst=OUTER_DST,
        tos=inner[1],
        id=identification,
        flags="DF" if inner[6] & 0x40 else 0,
        ttl=64,
    )
    theirs_sa = ipsec.SecurityAssociation(
        ipsec.ESP,
        spi=spi,
        tunnel_header=header,
        nat_t_header=nat_header,
        esn_en=esn,
        esn=sequence >> 32,
        **algo,
    )
    ours_bytes = encapsulate(
        inner,
        ours,
        outer_src=OUTER_SRC,
        outer_dst=OUTER_DST,
        nat_t=nat_t,
        sequence=sequence,
        iv=iv,
        identification=identification,
    )
    theirs_bytes = bytes(
        theirs_sa.encrypt(scapy_inner, seq_num=sequence & 0xFFFFFFFF, iv=iv)
    )
    assert ours_bytes == theirs_bytes
    # scapy decrypts ours ...
    assert bytes(theirs_sa.decrypt(inet.IP(ours_bytes))) == forwarded
    # ... and we decrypt scapy's, with a window that has seen sequence - 1 (so
    # the ESN high bits are inferred from it, RFC 4303 Appendix A2.2).
    state = ours.inbound()
    if sequence > 1:
        state.window.accept(sequence - 1)
    assert decapsulate(theirs_bytes, {spi: state}) == forwarded
    assert state.window.top == sequence


def test_ipv6_inner_packet_matches_scapy() -> None:
    """Tunnel mode carries IPv6 with next header 41; the hop limit drops by one."""
    inet, ipsec = _scapy()
    from scapy.layers.inet6 import IPv6

    inner = ipv6_packet(
        src="2001:db8::50", dst="2001:db8:1::100", next_header=59, payload=b"x" * 13
    )
    key = bytes(range(20))
    sa = SecurityAssociation(spi=0x1001, cipher="aes-128-gcm", key=key)
    ours = encapsulate(
        inner,
        sa,
        outer_src=OUTER_SRC,
        outer_dst=OUTER_DST,
        iv=bytes(8),
        sequence=9,
        identification=1,
    )
    scapy_inner = IPv6(inner)
    scapy_inner.hlim -= 1
    theirs_sa = ipsec.SecurityAssociation(
        ipsec.ESP,
        spi=0x1001,
        crypt_algo="AES-GCM",
        crypt_key=key,
        tunnel_header=inet.IP(src=OUTER_SRC, dst=OUTER_DST, flags="DF"),
    )
    theirs = bytes(theirs_sa.encrypt(scapy_inner, seq_num=9, iv=bytes(8)))
    assert ours == theirs
    assert decapsulate(theirs, {0x1001: sa.inbound()}) == bytes(scapy_inner)
