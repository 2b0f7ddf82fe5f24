"""Tunnel MTU and MSS: AWS's published table, and packets that really fit."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import VpnInputError
from awscore.vpn import (
    SecurityAssociation,
    encapsulate,
    ipv4_packet,
    mtu_arithmetic,
    tunnel_mtu,
)

# AWS Site-to-Site VPN user guide, "MTU and MSS" (copied from the documentation,
# not computed): (cipher, integrity) -> ((MTU, MSS), (MTU, MSS) with NAT-T).
AWS_TABLE = [
    ("aes-128-gcm", None, (1446, 1406), (1438, 1398)),
    ("aes-256-gcm", None, (1446, 1406), (1438, 1398)),
    ("aes-128-cbc", "sha1", (1438, 1398), (1422, 1382)),
    ("aes-256-cbc", "sha2-256", (1438, 1398), (1422, 1382)),
    ("aes-256-cbc", "sha2-384", (1422, 1382), (1422, 1382)),
    ("aes-256-cbc", "sha2-512", (1422, 1382), (1406, 1366)),
]


@pytest.mark.parametrize(("cipher", "integrity", "plain", "nat"), AWS_TABLE)
def test_aws_published_cells(
    cipher: str,
    integrity: str | None,
    plain: tuple[int, int],
    nat: tuple[int, int],
) -> None:
    assert tunnel_mtu(cipher, integrity) == plain
    assert tunnel_mtu(cipher, integrity, nat_t=True) == nat


def test_aws_phase_2_names_are_accepted() -> None:
    assert tunnel_mtu("AES128-GCM-16") == (1446, 1406)
    assert tunnel_mtu("AES256", "SHA2-512", nat_t=True) == (1406, 1366)


def test_explain_shows_each_term() -> None:
    text = mtu_arithmetic("aes-256-cbc", "sha2-512", nat_t=True).explain()
    assert "1500 (path MTU) - 20 (outer IPv4) - 8 (UDP, NAT-T)" in text
    assert "floor(1416 / 16) * 16 = 1408" in text
    assert "mtu     = 1408 - 2" in text
    assert "mss     = 1406 - 20 (IPv4) - 20 (TCP) = 1366" in text


def _sa(cipher: str, integrity: str | None) -> SecurityAssociation:
    if integrity is None:
        size = 16 if "128" in cipher else 32
        return SecurityAssociation(spi=0x1001, cipher=cipher, key=bytes(size + 4))
    sizes = {"sha1": 20, "sha2-256": 32, "sha2-384": 48, "sha2-512": 64}
    return SecurityAssociation(
        spi=0x1001,
        cipher=cipher,
        key=bytes(16 if "128" in cipher else 32),
        integrity=integrity,
        integrity_key=bytes(sizes[integrity]),
        iv_source=os.urandom,
    )


@pytest.mark.parametrize(("cipher", "integrity", "plain", "nat"), AWS_TABLE)
@pytest.mark.parametrize("nat_t", [False, True])
def test_the_mtu_is_the_largest_inner_packet_that_fits_1500(
    cipher: str,
    integrity: str | None,
    plain: tuple[int, int],
    nat: tuple[int, int],
    nat_t: bool,
) -> None:
    """Encapsulating an MTU-sized packet gives at most 1500 bytes; one more, over."""
    mtu = (nat if nat_t else plain)[0]
    sa = _sa(cipher, integrity)
    for size, fits in ((mtu, True), (mtu + 1, False)):
        inner = ipv4_packet(
            src="10.0.1.50", dst="172.31.1.100", protocol=17, payload=bytes(size - 20)
        )
        outer = encapsulate(
            inner, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1", nat_t=nat_t
        )
        assert (len(outer) <= 1500) is fits


def test_other_path_mtus_and_short_icvs() -> None:
    assert mtu_arithmetic("aes-128-gcm", path_mtu=9001).mtu == 8946
    assert mtu_arithmetic("aes-128-gcm", icv_size=8).mtu == 1454
    assert mtu_arithmetic("aes-128-cbc", "sha1", icv_size=12).mtu == 1438


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        (("aes-128-gcm", "sha1"), {}, "takes no integrity"),
        (("aes-128-cbc",), {}, "needs an integrity"),
        (("des",), {}, "not supported"),
        (("aes-128-cbc", "md5"), {}, "not supported"),
        (("aes-128-gcm",), {"path_mtu": 100}, "576..65535"),
        (("aes-128-gcm",), {"icv_size": 4}, "8, 12 or 16"),
        (("aes-128-cbc", "sha1"), {"icv_size": 16}, "fixed at 12"),
    ],
)
def test_bad_arguments(
    args: tuple[str, ...], kwargs: dict[str, int], fragment: str
) -> None:
    with pytest.raises(VpnInputError, match=fragment):
        mtu_arithmetic(*args, **kwargs)  # type: ignore[arg-type]


@settings(max_examples=60)
@given(
    path_mtu=st.integers(min_value=576, max_value=9001),
    algorithm=st.sampled_from([(c, i) for c, i, _, _ in AWS_TABLE]),
    nat_t=st.booleans(),
)
def test_the_formula_holds_for_any_path_mtu(
    path_mtu: int, algorithm: tuple[str, str | None], nat_t: bool
) -> None:
    """For any path MTU: an inner packet of the tunnel MTU fits it once
    encapsulated, and one byte more does not (the MTU is the largest that fits)."""
    cipher, integrity = algorithm
    mtu, mss = tunnel_mtu(cipher, integrity, nat_t, path_mtu=path_mtu)
    assert mss == mtu - 40
    sa = _sa(cipher, integrity)
    sizes = []
    for size in (mtu, mtu + 1):
        inner = ipv4_packet(
            src="10.0.1.50", dst="172.31.1.100", protocol=17, payload=bytes(size - 20)
        )
        outer = encapsulate(
            inner, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1", nat_t=nat_t
        )
        sizes.append(len(outer))
    assert sizes[0] <= path_mtu < sizes[1]
