"""``awscore vpn``: encap/decap round trip, MTU table, errors, tour."""

from __future__ import annotations

import io
import json

import pytest

from awscore.cli import main
from awscore.vpn import SecurityAssociation, decapsulate, make_sad

KEY = "000102030405060708090a0b0c0d0e0f10111213"
ENCAP = [
    "vpn",
    "encap",
    "--src",
    "10.0.1.50",
    "--dst",
    "172.31.1.100",
    "--outer-src",
    "203.0.113.50",
    "--outer-dst",
    "52.95.1.1",
    "--cipher",
    "aes-128-gcm",
    "--key",
    KEY,
    "--spi",
    "0x1001",
]


def test_encap_prints_layers_and_real_esp(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ENCAP) == 0
    out = capsys.readouterr().out
    assert "outer IPv4   203.0.113.50 -> 52.95.1.1  protocol 50" in out
    assert "ESP header   SPI 0x00001001  sequence 1" in out
    assert "IV           0000000000000001" in out
    assert "next header 1 (4, IPv4)" in out
    assert "inner IPv4 10.0.1.50 -> 172.31.1.100" in out
    hex_text = out.strip().splitlines()[-1]
    sa = SecurityAssociation(spi=0x1001, cipher="aes-128-gcm", key=bytes.fromhex(KEY))
    inner = decapsulate(bytes.fromhex(hex_text), make_sad(sa))
    assert inner.endswith(b"hello VPC")


def test_encap_json_and_decap_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main([*ENCAP, "--json", "--nat-t", "--proto", "udp", "--seq", "7"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["sequence"] == 7
    assert document["udp"].startswith("11941194")
    assert document["inner"]["protocol"] == 17
    monkeypatch.setattr("sys.stdin", io.StringIO(document["hex"] + "\n"))
    assert main(["vpn", "decap", "-", "--key", KEY, "--json"]) == 0
    opened = json.loads(capsys.readouterr().out)
    assert opened["inner"]["dst"] == "172.31.1.100"
    assert opened["inner"]["ttl"] == 63


def test_cbc_with_separate_salt_rules(capsys: pytest.CaptureFixture[str]) -> None:
    cbc = [
        "--cipher",
        "aes-128-cbc",
        "--integrity",
        "sha1",
        "--integrity-key",
        "11" * 20,
        "--key",
        "22" * 16,
    ]
    args = [a if a != KEY else "22" * 16 for a in ENCAP]
    args = args[: args.index("--cipher")] + args[args.index("--spi") :]
    assert main([*args, *cbc, "--iv", "33" * 16, "--hex-only"]) == 0
    packet = capsys.readouterr().out.strip()
    assert "33" * 16 in packet
    assert main(["vpn", "decap", packet, *cbc]) == 0
    assert "sequence 1" in capsys.readouterr().out
    # GCM key alone needs --salt; with it, it works
    alone = [a if a != KEY else "00" * 16 for a in ENCAP]
    assert main(alone) == 1
    assert "--salt" in capsys.readouterr().err
    assert main([*alone, "--salt", "01020304"]) == 0


def test_encap_nat_t_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ENCAP, "--nat-t", "--df", "--ttl", "9"]) == 0
    out = capsys.readouterr().out
    assert "protocol 17" in out
    assert "UDP (NAT-T)  4500 -> 4500, checksum 0" in out
    assert "DF set" in out
    assert "TTL 8" in out


def test_mtu(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "vpn",
                "mtu",
                "--cipher",
                "aes-256-cbc",
                "--integrity",
                "sha2-512",
                "--nat-t",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "MTU 1406, MSS 1366" in out
    assert "floor(1416 / 16) * 16 = 1408" in out
    assert main(["vpn", "mtu", "--all", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6
    assert rows[0] == {
        "cipher": "aes-128-gcm",
        "integrity": None,
        "mtu": 1446,
        "mss": 1406,
        "nat_t_mtu": 1438,
        "nat_t_mss": 1398,
    }
    assert main(["vpn", "mtu", "--all"]) == 0
    assert "1422/1382" in capsys.readouterr().out
    assert main(["vpn", "mtu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"mtu": 1446, "mss": 1406}


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["vpn", "mtu", "--cipher", "des"], "not supported"),
        ([*ENCAP[:-2], "--spi", "zz"], "not a number"),
        ([*ENCAP[:-6], "--key", "xyz", "--spi", "1"], "not hex"),
        ([*ENCAP[:-2], "--spi", "12"], "SPI 12"),
        (["vpn", "decap", "abcd", "--key", KEY], "too short"),
        (["vpn", "decap", "45" + "00" * 30, "--key", KEY], "valid SPI"),
        (
            [
                "vpn",
                "decap",
                "4500001c00000000403200000a0000010a000002" + "00001001" + "00000001",
                "--key",
                KEY,
            ],
            "checksum",
        ),
    ],
)
def test_domain_errors_exit_1(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1
    assert KEY not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vpn"]) == 2
    with pytest.raises(SystemExit) as raised:
        main(["vpn", "encap"])
    assert raised.value.code == 2
    capsys.readouterr()


def test_tour(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "vpn"]) == 0
    out = capsys.readouterr().out
    assert "decapsulate" in out
    assert "tunnel-2 to 52.95.1.2" in out
    assert len(out.splitlines()) <= 50
    assert main(["tour", "--module", "vpn", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["vpn"]["tunnel_after_failover"] == "tunnel-2"
