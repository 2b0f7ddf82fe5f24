"""Tunnel MTU and TCP MSS from the ESP framing arithmetic.

The largest inner packet that still fits a path MTU once wrapped in ESP tunnel
mode::

    room  = path MTU - outer IPv4 (20) - UDP (8, NAT-T only)
            - ESP header (8) - IV (8 GCM, 16 CBC) - ICV (16 GCM; 12/16/24/32 HMAC)
    mtu   = floor(room / align) * align - 2     (pad length + next header)
    mss   = mtu - 20 (inner IPv4) - 20 (TCP)

``align`` is what the encrypted part must be a multiple of: 4 bytes for AES-GCM
(RFC 4303 §2.4's 32-bit alignment) and the 16-byte AES block for CBC (RFC 3602
§2.4, which is also a multiple of 4). The encrypted part is payload, padding and
the two trailer bytes, so the payload may use all of ``floor(room/align)*align``
but two bytes. With a 1500-byte path MTU this reproduces every cell AWS
publishes (Site-to-Site VPN user guide, "MTU and MSS"): AES-GCM 1446/1406
(NAT-T 1438/1398), AES-CBC + SHA1 or SHA2-256 1438/1398 (1422/1382), + SHA2-384
1422/1382 (1422/1382), + SHA2-512 1422/1382 (1406/1366).
"""

from __future__ import annotations

from dataclasses import dataclass

from awscore._inputs import shown
from awscore.errors import VpnInputError
from awscore.vpn._esp import Cipher, Integrity, pairing_problem

__all__ = ["TunnelMtu", "mtu_arithmetic", "tunnel_mtu"]

OUTER_IPV4 = 20
UDP_HEADER = 8
ESP_HEADER = 8
TRAILER = 2
INNER_IPV4 = 20
TCP_HEADER = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class TunnelMtu:
    """Every term of the tunnel MTU arithmetic, for one algorithm choice."""

    path_mtu: int
    outer_ip: int
    udp: int
    esp_header: int
    iv: int
    icv: int
    room: int
    align: int
    aligned: int
    trailer: int
    mtu: int
    mss: int

    def explain(self) -> str:
        """The arithmetic on one line each, as the docs and the CLI print it."""
        udp = f" - {self.udp} (UDP, NAT-T)" if self.udp else ""
        return (
            f"room    = {self.path_mtu} (path MTU) - {self.outer_ip} (outer IPv4){udp}"
            f" - {self.esp_header} (ESP header) - {self.iv} (IV) - {self.icv} (ICV)"
            f" = {self.room}\n"
            f"aligned = floor({self.room} / {self.align}) * {self.align} = "
            f"{self.aligned}\n"
            f"mtu     = {self.aligned} - {self.trailer} (pad length, next header) = "
            f"{self.mtu}\n"
            f"mss     = {self.mtu} - 20 (IPv4) - 20 (TCP) = {self.mss}"
        )


def _parse(
    cipher: Cipher | str, integrity: Integrity | str | None
) -> tuple[Cipher, Integrity | None]:
    parsed = cipher if isinstance(cipher, Cipher) else Cipher.parse(cipher)
    chosen: Integrity | None = None
    if integrity is not None:
        chosen = (
            integrity
            if isinstance(integrity, Integrity)
            else Integrity.parse(integrity)
        )
    problem = pairing_problem(parsed, chosen)
    if problem is not None:
        raise VpnInputError(problem)
    return parsed, chosen


def mtu_arithmetic(
    cipher: Cipher | str,
    integrity: Integrity | str | None = None,
    nat_t: bool = False,
    *,
    path_mtu: int = 1500,
    icv_size: int | None = None,
) -> TunnelMtu:
    """The tunnel MTU and MSS with every term of the arithmetic (see the module).

    ``icv_size`` overrides the GCM tag length (8, 12 or 16; default 16).
    """
    parsed, chosen = _parse(cipher, integrity)
    if (
        isinstance(path_mtu, bool)
        or not isinstance(path_mtu, int)
        or not (576 <= path_mtu <= 65535)
    ):
        raise VpnInputError(
            f"path MTU {shown(path_mtu)} is out of range: must be 576..65535"
        )
    if parsed.is_aead:
        icv = 16 if icv_size is None else icv_size
        if icv not in (8, 12, 16):
            raise VpnInputError(f"GCM ICV size {shown(icv)} is not 8, 12 or 16 bytes")
    else:
        assert chosen is not None
        icv = chosen.icv_size
        if icv_size is not None and icv_size != icv:
            raise VpnInputError(
                f"ICV size {shown(icv_size)} is fixed at {icv} by {chosen.value}"
            )
    udp = UDP_HEADER if nat_t else 0
    room = path_mtu - OUTER_IPV4 - udp - ESP_HEADER - parsed.iv_size - icv
    align = parsed.alignment
    aligned = room // align * align
    mtu = aligned - TRAILER
    return TunnelMtu(
        path_mtu=path_mtu,
        outer_ip=OUTER_IPV4,
        udp=udp,
        esp_header=ESP_HEADER,
        iv=parsed.iv_size,
        icv=icv,
        room=room,
        align=align,
        aligned=aligned,
        trailer=TRAILER,
        mtu=mtu,
        mss=mtu - INNER_IPV4 - TCP_HEADER,
    )


def tunnel_mtu(
    cipher: Cipher | str,
    integrity: Integrity | str | None = None,
    nat_t: bool = False,
    *,
    path_mtu: int = 1500,
) -> tuple[int, int]:
    """(inner MTU, TCP MSS) of a tunnel, from the ESP framing arithmetic.

    >>> tunnel_mtu("aes-128-gcm")
    (1446, 1406)
    >>> tunnel_mtu("aes-256-cbc", "sha2-512", nat_t=True)
    (1406, 1366)
    """
    result = mtu_arithmetic(cipher, integrity, nat_t, path_mtu=path_mtu)
    return result.mtu, result.mss
