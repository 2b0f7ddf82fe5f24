"""Wrong-shaped inputs are refused naming what was expected; rough edges, smoothed.

Each case is one the first-run review found accepted silently or answered oddly.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

import awscore.sigv4
from awscore.cli import main
from awscore.errors import SigV4ExtraMissingError
from tests.cli._shell import ROOT

EX = ROOT / "examples"
HUP = ["cfn-hup", "check", "--conf", str(EX / "cfn-hup/conf")]
KEY = ["--cipher", "aes-128-gcm", "--key", "000102030405060708090a0b0c0d0e0f10111213"]


def _err(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err


@pytest.mark.parametrize("document", ["[1, 2]", "{}", "null", '{"Resources": []}'])
@pytest.mark.parametrize("flag", ["--new", "--old"])
def test_cfn_hup_refuses_what_is_not_a_stack_document(
    document: str, flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "doc.json"
    path.write_text(document)
    other = "--old" if flag == "--new" else "--new"
    argv = [*HUP, flag, str(path), other, str(EX / "cfn-hup/new.json")]
    err = _err(argv, capsys)
    assert 'not a stack document: expected an object with "Resources"' in err


@pytest.mark.parametrize("document", ["{}", "domain: acme\n", "repositories: []\n"])
def test_codeartifact_refuses_a_domain_without_repositories(
    document: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "domain.yaml"
    path.write_text(document)
    err = _err(["codeartifact", "check", str(path)], capsys)
    assert "not a domain description" in err
    assert "non-empty repositories list" in err


@pytest.mark.parametrize("qtype", ["BOGUS", "A A", "TYPE", "TYPEx1"])
def test_k8s_dns_refuses_a_record_type_that_does_not_exist(
    qtype: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _err(["k8s-dns", "query", "api.prod.svc.cluster.local", qtype], capsys)
    assert f"qtype {qtype!r} is not a record type that exists" in err
    err = _err(
        ["k8s-dns", "resolve", "--pod", "prod/web-0", "api", "--type", qtype], capsys
    )
    assert "is not a record type that exists" in err


@pytest.mark.parametrize("qtype", ["srv", "TYPE65", "HTTPS", "caa"])
def test_k8s_dns_takes_every_real_record_type(
    qtype: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["k8s-dns", "query", "api.prod.svc.cluster.local", qtype]) == 0
    assert capsys.readouterr().out.startswith(";; api.prod.svc.cluster.local. ")


@pytest.mark.parametrize("verb", ["sign", "presign"])
@pytest.mark.parametrize("url", ["ftp://example.com/f", "file:///etc/passwd", "x"])
def test_sigv4_signs_only_http_urls(
    verb: str, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sigv4", verb, "GET", url, "--region", "us-east-1", "--service", "s3"]
    err = _err(argv, capsys)
    assert "is not http or https: SigV4 signs HTTP requests" in err


def test_sigv4_takes_an_upper_case_scheme(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sigv4", "sign", "GET", "HTTPS://example.amazonaws.com/"]
    keys = ["--access-key-id", "AKIDEXAMPLE", "--secret-access-key", "secret"]
    assert main([*argv, "--region", "us-east-1", "--service", "s3", *keys]) == 0
    assert "Authorization: AWS4-HMAC-SHA256" in capsys.readouterr().out


def test_policies_are_numbered_by_their_place_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three unnamed bad policies are #0, #1 and #2, not #0 three times."""
    path = tmp_path / "policies.json"
    path.write_text(json.dumps([{"PolicyType": "Bogus"}, 3, {"PolicyType": "Nope"}]))
    argv = ["autoscaling", "evaluate", "--policy", str(path)]
    err = _err([*argv, "--group", "min=1,max=3,desired=2", "--metric", "5"], capsys)
    assert f"{path}: policy #0 PolicyType='Bogus'" in err
    assert f"{path}: policy #1 must be an object" in err
    assert f"{path}: policy #2 PolicyType='Nope'" in err


def test_decap_shows_the_inner_packet_and_its_hex(
    capsys: pytest.CaptureFixture[str],
) -> None:
    packet = (EX / "vpn/packet.hex").read_text().strip()
    assert main(["vpn", "decap", packet, *KEY]) == 0
    out = capsys.readouterr().out
    assert "  inner IPv4 10.0.1.50 -> 172.31.1.100  protocol 1" in out
    assert "    ICMP     type 8 code 0" in out  # echo request (RFC 792)
    assert "data 'hello VPC'" in out
    inner = out.split("inner packet hex:\n")[1].strip()
    assert inner != packet
    raw = bytes.fromhex(inner)
    # RFC 791: version 4, 20-byte header, the total length in bytes 2-3; ICMP (1)
    assert raw[0] == 0x45
    assert int.from_bytes(raw[2:4], "big") == len(raw)
    assert raw[9] == 1
    assert raw[12:16] == bytes([10, 0, 1, 50])
    assert raw[16:20] == bytes([172, 31, 1, 100])
    assert raw.endswith(b"hello VPC")


def test_decap_json_carries_the_inner_layers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    packet = (EX / "vpn/packet-nat-t.hex").read_text().strip()
    assert main(["vpn", "decap", packet, *KEY, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    payload = document["inner"]["payload"]
    assert payload["layer"] == "UDP"
    assert (payload["src_port"], payload["dst_port"]) == (40000, 7)
    assert bytes.fromhex(payload["data"]) == b"dns query"
    assert document["inner_hex"] != document["hex"]


def test_encap_shows_the_outer_hex_and_other_protocols(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from awscore.cli.vpn import _payload_layer, _payload_line

    assert _payload_layer(6, b"\x00" * 20) == {"layer": "protocol 6", "data": "00" * 20}
    assert _payload_line({"layer": "protocol 6", "data": "00" * 20}) == (
        "    protocol 6  20 bytes"
    )
    line = _payload_line({"layer": "UDP", "src_port": 1, "dst_port": 2, "data": "ff"})
    assert line.endswith("data 1 bytes")


@pytest.mark.parametrize("name", ["cfn-init", "k8s-dns", "cfn_init", "k8s_dns"])
def test_tour_takes_the_command_names(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tour", "--module", name]) == 0
    out = capsys.readouterr().out
    assert out.startswith(name.replace("_", "-").replace("k8s-dns", "k8s_dns")[:3])


def test_tour_fits_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour"]) == 0
    wide = [line for line in capsys.readouterr().out.splitlines() if len(line) > 100]
    assert wide == []


@pytest.mark.parametrize(
    ("name", "library", "extra"),
    [("RequestsAuth", "requests", "requests"), ("HttpxAuth", "httpx", "httpx")],
)
def test_auth_without_its_library_says_how_to_install_it(
    name: str, library: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = f"awscore.sigv4._{library}"
    monkeypatch.delattr(awscore.sigv4, name, raising=False)  # the cached class
    monkeypatch.setitem(sys.modules, library, None)  # `import requests` now fails
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(SigV4ExtraMissingError) as caught:
        getattr(importlib.import_module("awscore.sigv4"), name)
    assert str(caught.value) == (
        f"{name} needs {library}, which is not installed: "
        f"pip install 'awscore[{extra}]'"
    )
    assert isinstance(caught.value, ImportError)
