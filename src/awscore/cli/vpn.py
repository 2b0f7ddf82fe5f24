"""``awscore vpn``: ESP tunnel-mode packets, tunnel MTU, and a VPN walk-through."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from awscore._inputs import shown
from awscore.cli._output import add_json_flag, epilog, write_json
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import CliError
from awscore.vpn import (
    Cipher,
    EspPacket,
    Integrity,
    SecurityAssociation,
    SiteToSiteVpn,
    TunnelOptions,
    dissect,
    encapsulate,
    icmp_echo,
    mtu_arithmetic,
    parse_ipv4,
    udp_packet,
)

__all__ = ["TOUR", "register"]

_KEY = "--cipher aes-128-gcm --key 000102030405060708090a0b0c0d0e0f10111213"
_ENCAP_EXAMPLE = epilog(
    "awscore vpn encap --src 10.0.1.50 --dst 172.31.1.100 --outer-src 203.0.113.50\n"
    f"--outer-dst 52.95.1.1 --spi 0x1001\n{_KEY}",
    "awscore vpn encap --src 10.0.1.50 --dst 172.31.1.100 --outer-src 203.0.113.50\n"
    f"--outer-dst 52.95.1.1 --nat-t --proto udp --hex-only\n{_KEY}",
)
_DECAP_EXAMPLE = epilog(
    f"awscore vpn decap - < examples/vpn/packet.hex\n{_KEY}",
    f'awscore vpn decap "$(cat examples/vpn/packet-nat-t.hex)" --json\n{_KEY}',
    notes="A packet whose ICV does not verify is refused (exit 1); "
    "`encap --hex-only | decap -` round-trips.",
)
_MTU_EXAMPLE = epilog(
    "awscore vpn mtu --cipher aes-256-cbc --integrity sha2-512 --nat-t",
    "awscore vpn mtu --all --path-mtu 9001",
)
_NEXT_HEADER = {4: "IPv4", 41: "IPv6"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore vpn encap|decap|mtu``."""
    parser = subparsers.add_parser(
        "vpn",
        help="IPsec ESP tunnel-mode packets and Site-to-Site VPN tunnel MTU",
        description="Build and open real ESP tunnel-mode packets (RFC 4303, "
        "RFC 4106, RFC 3602, RFC 3948) and compute a tunnel's MTU and TCP MSS.",
        epilog=_ENCAP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB")

    encap = verbs.add_parser(
        "encap",
        help="wrap an inner packet in ESP and show its layers",
        description="Build an inner IPv4 packet (ICMP echo or UDP), encapsulate it "
        "in ESP tunnel mode and print each layer and the hex.",
        epilog=_ENCAP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    encap.add_argument("--src", required=True, help="inner source (on-premises)")
    encap.add_argument("--dst", required=True, help="inner destination (VPC)")
    encap.add_argument("--outer-src", required=True, help="customer gateway IP")
    encap.add_argument("--outer-dst", required=True, help="AWS tunnel outside IP")
    _sa_arguments(encap)
    encap.add_argument("--spi", default="0x1001", help="SPI, decimal or 0x hex")
    encap.add_argument("--seq", default="1", help="sequence number (default 1)")
    encap.add_argument(
        "--iv",
        help="IV as hex (GCM: 8 bytes, default the sequence number; CBC: 16 "
        "bytes, default random)",
    )
    encap.add_argument("--nat-t", action="store_true", help="wrap ESP in UDP 4500")
    encap.add_argument(
        "--proto", choices=["icmp", "udp"], default="icmp", help="inner payload"
    )
    encap.add_argument("--data", default="hello VPC", help="inner payload text")
    encap.add_argument("--ttl", type=int, default=64, help="inner TTL (64)")
    encap.add_argument("--df", action="store_true", help="set DF on the inner packet")
    encap.add_argument("--hex-only", action="store_true", help="print only the hex")
    add_json_flag(encap)
    encap.set_defaults(handler=_encap)

    decap = verbs.add_parser(
        "decap",
        help="verify, decrypt and show an ESP packet",
        description="Open an ESP tunnel-mode packet given as hex ('-' reads stdin), "
        "verifying its ICV, and print the inner packet.",
        epilog=_DECAP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    decap.add_argument("packet", help="the outer packet as hex, or - for stdin")
    _sa_arguments(decap)
    add_json_flag(decap)
    decap.set_defaults(handler=_decap)

    mtu = verbs.add_parser(
        "mtu",
        help="tunnel MTU and TCP MSS from the ESP framing arithmetic",
        description="The largest inner packet (and TCP MSS) that fits the path MTU "
        "once wrapped in ESP, term by term.",
        epilog=_MTU_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mtu.add_argument("--cipher", default="aes-128-gcm", help="aes-128-gcm (default)")
    mtu.add_argument("--integrity", help="sha1, sha2-256, sha2-384, sha2-512 (CBC)")
    mtu.add_argument("--nat-t", action="store_true", help="UDP 4500 encapsulation")
    mtu.add_argument("--path-mtu", type=int, default=1500, help="path MTU (1500)")
    mtu.add_argument("--all", action="store_true", help="every AWS phase 2 combination")
    add_json_flag(mtu)
    mtu.set_defaults(handler=_mtu)
    parser.set_defaults(handler=lambda _: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _sa_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cipher",
        default="aes-128-gcm",
        help="aes-128-gcm, aes-256-gcm, aes-128-cbc, aes-256-cbc (or AWS names)",
    )
    parser.add_argument(
        "--key",
        required=True,
        help="hex: for GCM the key followed by the 4-byte salt (or the key alone "
        "and --salt); for CBC the AES key",
    )
    parser.add_argument("--salt", help="GCM salt as hex, if --key is the key alone")
    parser.add_argument("--integrity", help="CBC integrity: sha1, sha2-256, ...")
    parser.add_argument("--integrity-key", help="CBC HMAC key as hex")
    parser.add_argument(
        "--esn",
        action="store_true",
        help="extended sequence numbers (decap takes the high 32 bits as 0)",
    )


def _hex(text: str | None, what: str) -> bytes | None:
    if text is None:
        return None
    cleaned = "".join(text.split()).removeprefix("0x")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise CliError(f"{what} is not hex: expected pairs of 0-9a-f digits") from None


def _int(text: str, what: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise CliError(
            f"{what} {shown(text)} is not a number (decimal or 0x hex)"
        ) from None


def _sa(
    args: argparse.Namespace, spi: int, iv: bytes | None = None
) -> SecurityAssociation:
    cipher = Cipher.parse(args.cipher)
    key = _hex(args.key, "--key") or b""
    salt = _hex(args.salt, "--salt")
    if cipher.is_aead and salt is not None:
        key += salt
    elif cipher.is_aead and len(key) == cipher.key_size:
        raise CliError(
            f"--key is the {cipher.key_size}-byte key alone: add the 4-byte --salt, "
            "or give key and salt together"
        )
    iv_source = None
    if not cipher.is_aead:
        fixed = iv
        iv_source = os.urandom if fixed is None else (lambda _: fixed)
    return SecurityAssociation(
        spi=spi,
        cipher=cipher,
        key=key,
        integrity=args.integrity,
        integrity_key=_hex(args.integrity_key, "--integrity-key"),
        esn=args.esn,
        iv_source=iv_source,
    )


def _describe(outer: bytes, esp: EspPacket) -> dict[str, object]:
    header = parse_ipv4(outer)
    inner = parse_ipv4(esp.inner) if esp.next_header == 4 else None
    document: dict[str, object] = {
        "outer": {
            "src": str(header.src),
            "dst": str(header.dst),
            "protocol": header.protocol,
            "ttl": header.ttl,
            "identification": header.identification,
            "total_length": header.total_length,
            "df": header.df,
            "dscp": header.dscp,
            "ecn": header.ecn,
            "checksum": f"0x{header.checksum:04x}",
        },
        "udp": esp.udp_header.hex() if esp.udp_header else None,
        "spi": f"0x{esp.spi:08x}",
        "sequence": esp.sequence,
        "iv": esp.iv.hex(),
        "encrypted_length": len(esp.ciphertext),
        "inner_length": len(esp.inner),
        "padding": esp.padding.hex(),
        "pad_length": esp.pad_length,
        "next_header": esp.next_header,
        "icv": esp.icv.hex(),
        "layout": [list(item) for item in esp.layout],
        "hex": outer.hex(),
    }
    if inner is not None:
        document["inner"] = {
            "src": str(inner.src),
            "dst": str(inner.dst),
            "protocol": inner.protocol,
            "ttl": inner.ttl,
            "total_length": inner.total_length,
            "payload": _payload_layer(inner.protocol, inner.payload),
        }
    document["inner_hex"] = esp.inner.hex()
    return document


def _payload_layer(protocol: int, payload: bytes) -> dict[str, object]:
    """The inner packet's ICMP or UDP header and data (RFC 792, RFC 768)."""
    if protocol == 1 and len(payload) >= 8:
        return {
            "layer": "ICMP",
            "type": payload[0],
            "code": payload[1],
            "id": int.from_bytes(payload[4:6], "big"),
            "sequence": int.from_bytes(payload[6:8], "big"),
            "data": payload[8:].hex(),
        }
    if protocol == 17 and len(payload) >= 8:
        return {
            "layer": "UDP",
            "src_port": int.from_bytes(payload[0:2], "big"),
            "dst_port": int.from_bytes(payload[2:4], "big"),
            "data": payload[8:].hex(),
        }
    return {"layer": f"protocol {protocol}", "data": payload.hex()}


def _payload_line(layer: dict[str, object]) -> str:
    data = bytes.fromhex(str(layer["data"]))
    shown = repr(data)[1:] if data.isascii() else f"{len(data)} bytes"
    if layer["layer"] == "ICMP":
        return (
            f"    ICMP     type {layer['type']} code {layer['code']}  id "
            f"{layer['id']}  sequence {layer['sequence']}  data {shown}"
        )
    if layer["layer"] == "UDP":
        return f"    UDP      {layer['src_port']} -> {layer['dst_port']}  data {shown}"
    return f"    {layer['layer']}  {len(data)} bytes"


def _render(document: dict[str, object], *, decrypted: bool = False) -> str:
    outer = document["outer"]
    assert isinstance(outer, dict)
    inner = document.get("inner")
    lines = [
        f"outer IPv4   {outer['src']} -> {outer['dst']}  protocol {outer['protocol']}"
        f"  TTL {outer['ttl']}  id {outer['identification']}  length "
        f"{outer['total_length']}  DF {'set' if outer['df'] else 'clear'}  DSCP "
        f"{outer['dscp']} ECN {outer['ecn']}  checksum {outer['checksum']}",
    ]
    if document["udp"]:
        lines.append(f"UDP (NAT-T)  4500 -> 4500, checksum 0  ({document['udp']})")
    lines += [
        f"ESP header   SPI {document['spi']}  sequence {document['sequence']}",
        f"IV           {document['iv']}",
        f"encrypted    {document['encrypted_length']} bytes = inner packet "
        f"{document['inner_length']} + padding {document['pad_length']} "
        f"({document['padding'] or '-'}) + pad length 1 + next header 1 "
        f"({document['next_header']}, "
        f"{_NEXT_HEADER.get(int(str(document['next_header'])), '?')})",
    ]
    if isinstance(inner, dict):
        lines.append(
            f"  inner IPv4 {inner['src']} -> {inner['dst']}  protocol "
            f"{inner['protocol']}  TTL {inner['ttl']}  length {inner['total_length']}"
        )
        lines.append(_payload_line(inner["payload"]))
    lines.append(f"ICV          {document['icv']}")
    if decrypted:
        # decap's answer is the inner packet: its bytes, not the outer ones again
        lines += ["", "inner packet hex:", str(document["inner_hex"])]
    else:
        lines += ["", "hex:", str(document["hex"])]
    return "\n".join(lines)


def _encap(args: argparse.Namespace) -> int:
    spi = _int(args.spi, "--spi")
    sequence = _int(args.seq, "--seq")
    iv = _hex(args.iv, "--iv")
    sa = _sa(args, spi, iv)
    data = args.data.encode()
    if args.proto == "icmp":
        inner = icmp_echo(
            src=args.src, dst=args.dst, data=data, ttl=args.ttl, df=args.df
        )
    else:
        inner = udp_packet(
            src=args.src,
            dst=args.dst,
            src_port=40000,
            dst_port=7,
            data=data,
            ttl=args.ttl,
            df=args.df,
        )
    outer = encapsulate(
        inner,
        sa,
        outer_src=args.outer_src,
        outer_dst=args.outer_dst,
        nat_t=args.nat_t,
        sequence=sequence,
        iv=iv if sa.cipher.is_aead else None,
    )
    if args.hex_only:
        sys.stdout.write(outer.hex() + "\n")
        return 0
    document = _describe(outer, dissect(outer, sa, sequence=sequence))
    _emit(args, document)
    return 0


def _decap(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.packet == "-" else args.packet
    outer = _hex(text, "packet") or b""
    spi = _peek_spi(outer)
    sa = _sa(args, spi)
    esp = dissect(outer, sa)
    _emit(args, _describe(outer, esp), decrypted=True)
    return 0


def _peek_spi(outer: bytes) -> int:
    """The SPI where the packet says ESP starts (checked again by dissect)."""
    if len(outer) < 20:
        raise CliError(f"packet of {len(outer)} bytes is too short for IPv4")
    start = (outer[0] & 0x0F) * 4 + (8 if outer[9] == 17 else 0)
    spi = int.from_bytes(outer[start : start + 4], "big")
    if len(outer) < start + 8 or spi < 256:
        raise CliError("packet does not hold an ESP header with a valid SPI")
    return spi


def _emit(
    args: argparse.Namespace, document: dict[str, object], *, decrypted: bool = False
) -> None:
    if args.json:
        write_json(document)
    else:
        sys.stdout.write(_render(document, decrypted=decrypted) + "\n")


_ALL = (
    ("aes-128-gcm", None),
    ("aes-256-gcm", None),
    ("aes-128-cbc", "sha1"),
    ("aes-128-cbc", "sha2-256"),
    ("aes-256-cbc", "sha2-384"),
    ("aes-256-cbc", "sha2-512"),
)


def _mtu_table(path_mtu: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for cipher, integrity in _ALL:
        plain = mtu_arithmetic(cipher, integrity, path_mtu=path_mtu)
        nat = mtu_arithmetic(cipher, integrity, nat_t=True, path_mtu=path_mtu)
        rows.append(
            {
                "cipher": cipher,
                "integrity": integrity,
                "mtu": plain.mtu,
                "mss": plain.mss,
                "nat_t_mtu": nat.mtu,
                "nat_t_mss": nat.mss,
            }
        )
    return rows


def _table_lines(rows: Sequence[dict[str, object]]) -> list[str]:
    lines = [f"{'cipher':<12} {'integrity':<10} {'MTU/MSS':>10} {'NAT-T':>10}"]
    for row in rows:
        plain = f"{row['mtu']}/{row['mss']}"
        nat = f"{row['nat_t_mtu']}/{row['nat_t_mss']}"
        integrity = str(row["integrity"] or "-")
        lines.append(f"{row['cipher']!s:<12} {integrity:<10} {plain:>10} {nat:>10}")
    return lines


def _mtu(args: argparse.Namespace) -> int:
    if args.all:
        rows = _mtu_table(args.path_mtu)
        if args.json:
            write_json(rows)
        else:
            sys.stdout.write("\n".join(_table_lines(rows)) + "\n")
        return 0
    result = mtu_arithmetic(
        args.cipher, args.integrity, args.nat_t, path_mtu=args.path_mtu
    )
    if args.json:
        write_json({"mtu": result.mtu, "mss": result.mss})
        return 0
    integrity = f" + {Integrity.parse(args.integrity).value}" if args.integrity else ""
    sys.stdout.write(
        f"{Cipher.parse(args.cipher).value}{integrity}"
        f"{', NAT-T' if args.nat_t else ''}: MTU {result.mtu}, MSS {result.mss}\n\n"
        + result.explain()
        + "\n"
    )
    return 0


def tour_vpn() -> SiteToSiteVpn:
    """The tour's connection: on-premises 10.0.0.0/16 to the VPC 172.31.0.0/16."""
    return SiteToSiteVpn(
        customer_gateway_ip="203.0.113.50",
        onprem_cidr="10.0.0.0/16",
        vpc_cidr="172.31.0.0/16",
        tunnels=[
            TunnelOptions(outside_ip="52.95.1.1", inside_cidr="169.254.10.0/30"),
            TunnelOptions(outside_ip="52.95.1.2", inside_cidr="169.254.11.0/30"),
        ],
        key_seed=b"awscore tour key seed",
    )


def _tour() -> TourPart:
    vpn = tour_vpn()
    ping = icmp_echo(src="10.0.1.50", dst="172.31.1.100", data=b"hello VPC")
    first = vpn.send(ping, now=1.0)
    vpn.heard("tunnel-2", 30.0)
    events = vpn.tick(41.0)
    second = vpn.send(ping, now=42.0)
    rows = _mtu_table(1500)
    text = (
        "A ping from on-premises 10.0.1.50 to 172.31.1.100 in the VPC, through a\n"
        "Site-to-Site VPN (AES-256-GCM, real ESP bytes):\n\n"
        + first.render()
        + "\n\nTunnel 1's peer stops answering; DPD (timeout 40 s) acts:\n  "
        + "\n  ".join(events)
        + "\n\nThe same ping now:\n"
        + "\n".join(second.render().splitlines()[:3])
        + "\n\nInner MTU / TCP MSS per phase 2 algorithm (from the framing):\n"
        + "\n".join(_table_lines(rows))
        + "\n\nTry `awscore vpn encap --help` and `awscore vpn mtu --all`."
    )
    return TourPart(
        text=text,
        data={
            "hops": [
                {"step": h.step, "where": h.where, "detail": h.detail}
                for h in first.hops
            ],
            "failover": events,
            "tunnel_after_failover": second.tunnel,
            "mtu": rows,
        },
    )


TOUR = TourSection(
    name="vpn", title="vpn: a packet through a Site-to-Site VPN", run=_tour
)
