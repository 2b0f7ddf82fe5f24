"""The anti-replay window (RFC 4303 §3.4.3, Appendix A; RFC 6479's bitmap).

Expected outcomes are worked out by hand from the RFC's rules: a packet is new if
it is above T (the highest authenticated number) or inside [T - W + 1, T] and
not yet seen; everything left of the window is dropped, as is 0.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import (
    IntegrityCheckError,
    ReplayedPacketError,
    VpnInputError,
)
from awscore.vpn import (
    ReplayWindow,
    SecurityAssociation,
    decapsulate,
    encapsulate,
    icmp_echo,
)

# (sequence received, outcome) in order, window 64: "ok", "duplicate",
# "too old", "zero". T after each step in the comment.
SEQUENCE_TABLE = [
    (1, "ok"),  # T = 1
    (1, "duplicate"),
    (3, "ok"),  # T = 3, 2 missing
    (2, "ok"),  # late but inside the window
    (2, "duplicate"),
    (0, "zero"),
    (100, "ok"),  # large jump: T = 100, window 37..100
    (36, "too old"),
    (37, "ok"),  # the window's left edge
    (37, "duplicate"),
    (99, "ok"),
    (100, "duplicate"),
    (1_000_000, "ok"),  # a jump of many windows clears everything
    (1_000_000 - 63, "ok"),  # left edge of the new window
    (1_000_000 - 64, "too old"),
    (100, "too old"),
    (999_999, "ok"),
]


def test_sequence_table() -> None:
    window = ReplayWindow(64)
    for sequence, outcome in SEQUENCE_TABLE:
        if outcome == "ok":
            window.check(sequence)
            window.accept(sequence)
        else:
            with pytest.raises(ReplayedPacketError) as raised:
                window.check(sequence)
            assert raised.value.reason == outcome
            assert raised.value.sequence == sequence
    assert window.top == 1_000_000


def _sa(esn: bool = False) -> SecurityAssociation:
    return SecurityAssociation(
        spi=0x1001, cipher="aes-128-gcm", key=bytes(range(20)), esn=esn
    )


def _packet(sa: SecurityAssociation, sequence: int) -> bytes:
    inner = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"x")
    return encapsulate(
        inner, sa, outer_src="203.0.113.50", outer_dst="52.95.1.1", sequence=sequence
    )


def test_icv_failure_does_not_advance_the_window() -> None:
    """A forged packet far to the right must not move T (RFC 4303 §3.4.3)."""
    sa = _sa()
    state = sa.inbound()
    sad = {sa.spi: state}
    decapsulate(_packet(sa, 5), sad)
    forged = bytearray(_packet(sa, 10_000))
    forged[-1] ^= 1  # the last ICV byte
    with pytest.raises(IntegrityCheckError):
        decapsulate(bytes(forged), sad)
    assert state.window.top == 5
    # sequence 6, which a moved window would reject as too old, still passes
    decapsulate(_packet(sa, 6), sad)
    # and the genuine 10,000 is still new
    decapsulate(_packet(sa, 10_000), sad)
    assert state.window.top == 10_000


def test_replay_of_a_whole_packet_is_dropped_before_the_icv() -> None:
    sa = _sa()
    sad = {sa.spi: sa.inbound()}
    packet = _packet(sa, 7)
    decapsulate(packet, sad)
    with pytest.raises(ReplayedPacketError, match="already received"):
        decapsulate(packet, sad)


def test_esn_case_a_same_and_next_subspace() -> None:
    """Appendix A2.2 Case A: Tl >= W - 1, the window lies in one subspace.

    T = 2**32 * 5 + 1000, W = 64: window bottom Tl - W + 1 = 937. A low number
    at or above 937 is in subspace 5; below it, in subspace 6.
    """
    window = ReplayWindow(64, esn=True)
    window.accept(5 * 2**32 + 1000)
    assert window.infer(1000) == 5 * 2**32 + 1000
    assert window.infer(937) == 5 * 2**32 + 937
    assert window.infer(2000) == 5 * 2**32 + 2000
    assert window.infer(936) == 6 * 2**32 + 936
    assert window.infer(0) == 6 * 2**32
    with pytest.raises(ReplayedPacketError, match="already"):
        window.check(window.infer(1000))


def test_esn_case_b_window_straddles_the_wrap() -> None:
    """Appendix A2.2 Case B: Tl < W - 1, the window spans two subspaces.

    T = 2**32 * 5 + 10, W = 64: the bottom is (10 - 63) mod 2**32 = 2**32 - 53.
    A low number at or above it belongs to subspace 4; below, to subspace 5.
    """
    window = ReplayWindow(64, esn=True)
    window.accept(5 * 2**32 + 10)
    assert window.infer(2**32 - 53) == 4 * 2**32 + 2**32 - 53
    assert window.infer(2**32 - 1) == 4 * 2**32 + 2**32 - 1
    assert window.infer(2**32 - 54) == 5 * 2**32 + 2**32 - 54  # far ahead
    assert window.infer(11) == 5 * 2**32 + 11
    window.check(window.infer(2**32 - 1))  # in the window, not seen: new
    window.accept(window.infer(2**32 - 1))
    with pytest.raises(ReplayedPacketError, match="already"):
        window.check(window.infer(2**32 - 1))


def test_esn_wraps_through_decapsulate() -> None:
    """Packets crossing 2**32 decrypt: the AAD carries the inferred high bits."""
    sa = _sa(esn=True)
    state = sa.inbound()
    sad = {sa.spi: state}
    for sequence in (2**32 - 100, 2**32 - 2, 2**32 - 1, 2**32, 2**32 + 1, 2**32 - 3):
        decapsulate(_packet(sa, sequence), sad)
    assert state.window.top == 2**32 + 1


def test_without_esn_the_number_is_what_travels() -> None:
    window = ReplayWindow(64)
    window.accept(2**32 - 1)
    assert window.infer(5) == 5  # no inference: 5 is simply too old
    assert window.seen(5)


def test_esn_case_b_at_start_rejects_a_previous_subspace() -> None:
    """A fresh ESN window (T = 0) infers subspace -1 for high low numbers: dropped."""
    window = ReplayWindow(64, esn=True)
    with pytest.raises(ReplayedPacketError):
        window.check(window.infer(2**32 - 1))


@pytest.mark.parametrize("size", [0, 31, True, "64", 2**21])
def test_window_size_limits(size: object) -> None:
    with pytest.raises(VpnInputError, match="replay window size"):
        ReplayWindow(size)  # type: ignore[arg-type]


@settings(max_examples=200)
@given(
    size=st.sampled_from([32, 64, 100, 1024]),
    sequences=st.lists(st.integers(1, 5000), max_size=80),
)
def test_bitmap_agrees_with_a_set(size: int, sequences: list[int]) -> None:
    """The RFC 6479 ring answers exactly like the RFC 4303 rule over a plain set."""
    window = ReplayWindow(size)
    seen: set[int] = set()
    top = 0
    for sequence in sequences:
        expected_new = sequence > top or (
            sequence > top - size and sequence not in seen
        )
        assert window.seen(sequence) is not expected_new
        if expected_new:
            window.accept(sequence)
            seen.add(sequence)
            top = max(top, sequence)
    assert window.top == top
