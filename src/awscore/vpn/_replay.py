"""The anti-replay window: RFC 4303 §3.4.3 and Appendix A, with RFC 6479's bitmap.

The receiver keeps T, the highest authenticated sequence number, and a bitmap of
the W numbers ending at T. A packet is checked twice: before its ICV is verified
(:meth:`ReplayWindow.check`, cheap rejection of duplicates and packets left of the
window) and after (:meth:`ReplayWindow.accept`, which alone changes state), so a
forged packet can never move the window.

With extended sequence numbers only the low 32 bits travel; the high 32 bits are
inferred from T and W (RFC 4303 Appendix A2.2), in two cases: the window lies in
one 2**32 subspace (Case A) or straddles two (Case B).

RFC 6479 keeps the bitmap as a ring of 32-bit blocks with one block more than the
window needs, so sliding the window clears whole blocks instead of shifting bits.
"""

from __future__ import annotations

from awscore._inputs import shown
from awscore.errors import ReplayedPacketError, VpnInputError

__all__ = ["ReplayWindow"]

_BLOCK_BITS = 32
_BLOCK_SHIFT = 5
_LOW = 0xFFFFFFFF


class ReplayWindow:
    """An anti-replay window of ``size`` sequence numbers (RFC 4303 §3.4.3).

    ``size`` must be at least 32 (RFC 4303 says 32 at least, 64 by default; AWS
    lets a tunnel choose 64..2048, default 1024). ``esn`` turns on 64-bit extended
    sequence numbers, of which the packet carries the low 32 bits.

    The window holds mutable state; it belongs to one inbound SA.
    """

    __slots__ = ("_blocks", "_mask", "_nblocks", "esn", "size", "top")

    def __init__(self, size: int = 64, *, esn: bool = False) -> None:
        if (
            isinstance(size, bool)
            or not isinstance(size, int)
            or not 32 <= size <= 1 << 20
        ):
            raise VpnInputError(
                f"replay window size {shown(size)} is not accepted: must be "
                "32..1048576 "
                "(RFC 4303 §3.4.3 asks for at least 32; AWS allows 64..2048)"
            )
        if not isinstance(esn, bool):
            raise VpnInputError(f"esn={shown(esn)} must be True or False")
        self.size = size
        self.esn = esn
        #: T: the highest sequence number authenticated so far (0: none yet).
        self.top = 0
        # RFC 6479 §2: one redundant block so the newest numbers never share a
        # block with the oldest ones in the window.
        nblocks = 1
        while nblocks * _BLOCK_BITS < size + _BLOCK_BITS:
            nblocks <<= 1
        self._nblocks = nblocks
        self._mask = nblocks - 1
        self._blocks = [0] * nblocks

    def __repr__(self) -> str:
        return f"ReplayWindow(size={self.size}, esn={self.esn}, top={self.top})"

    def infer(self, low: int) -> int:
        """The full sequence number of a packet carrying ``low`` (Appendix A2.2).

        Without ESN this is ``low`` itself. With ESN, Case A (the window lies in
        one subspace, Tl >= W - 1): a ``low`` at or above the window's bottom is in
        the same subspace, one below it in the next. Case B (Tl < W - 1, the
        window straddles two subspaces): a ``low`` at or above the bottom modulo
        2**32 belongs to the previous subspace, one below it to the current one.
        May return a negative number (a packet from before subspace 0), which
        :meth:`check` rejects.
        """
        if isinstance(low, bool) or not isinstance(low, int) or not 0 <= low <= _LOW:
            raise VpnInputError(
                f"low sequence bits {shown(low)} are not accepted: must be an "
                f"integer 0..{_LOW}"
            )
        if not self.esn:
            return low
        top = self.top
        top_low = top & _LOW
        top_high = top >> 32
        bottom = (top_low - self.size + 1) & _LOW
        if top_low >= self.size - 1:  # Case A
            high = top_high if low >= bottom else top_high + 1
        else:  # Case B
            high = top_high - 1 if low >= bottom else top_high
        return high << 32 | low

    def check(self, sequence: int) -> None:
        """Raise ``ReplayedPacketError`` unless ``sequence`` is new.

        New means: above T, or inside the window and not yet seen. Called before
        the ICV is verified; it changes nothing. Raises
        :class:`~awscore.errors.VpnInputError` for a sequence number that is not
        an integer or is above the largest one (2**32 - 1, 2**64 - 1 with ESN).
        """
        self._check_number(sequence)
        if sequence <= 0:
            raise ReplayedPacketError(
                f"sequence number {shown(sequence)} is never sent (the first is 1)",
                sequence=sequence,
                reason="zero",
            )
        top = self.top
        if sequence > top:
            return
        if sequence <= top - self.size:
            raise ReplayedPacketError(
                f"sequence number {shown(sequence)} is left of the window "
                f"{max(1, top - self.size + 1)}..{top}",
                sequence=sequence,
                reason="too old",
            )
        block = (sequence >> _BLOCK_SHIFT) & self._mask
        if self._blocks[block] >> (sequence & 31) & 1:
            raise ReplayedPacketError(
                f"sequence number {shown(sequence)} was already received",
                sequence=sequence,
                reason="duplicate",
            )

    def accept(self, sequence: int) -> None:
        """Mark ``sequence`` received, sliding the window if it is above T.

        Call only after the packet's ICV has verified and :meth:`check` passed
        (RFC 4303 §3.4.3: the window is updated only for authenticated packets).
        Raises :class:`~awscore.errors.VpnInputError`, changing nothing, for a
        sequence number that is not an integer in 1..2**32 - 1 (2**64 - 1 with
        ESN).
        """
        self._check_number(sequence)
        if sequence <= 0:
            raise VpnInputError(
                f"sequence number {shown(sequence)} cannot be accepted: the first is 1"
            )
        blocks = self._blocks
        top = self.top
        index = sequence >> _BLOCK_SHIFT
        if sequence > top:
            # RFC 6479 §2.3: clear every block between T's block and the new one.
            current = top >> _BLOCK_SHIFT
            diff = index - current
            diff = min(diff, self._nblocks)
            mask = self._mask
            for step in range(1, diff + 1):
                blocks[(current + step) & mask] = 0
            self.top = sequence
        position = index & self._mask
        blocks[position] |= 1 << (sequence & 31)

    def _check_number(self, sequence: object) -> None:
        largest = (1 << 64) - 1 if self.esn else _LOW
        if (
            isinstance(sequence, bool)
            or not isinstance(sequence, int)
            or sequence > largest
        ):
            raise VpnInputError(
                f"sequence number {shown(sequence)} is not accepted: must be an "
                f"integer up to {largest}" + (" (ESN)" if self.esn else "")
            )

    def seen(self, sequence: int) -> bool:
        """True if ``sequence`` would be rejected now (seen, zero, or too old)."""
        try:
            self.check(sequence)
        except ReplayedPacketError:
            return True
        return False
