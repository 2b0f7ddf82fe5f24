"""``awscore quorum``: output forms, exit codes, and Aurora's numbers."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from awscore.cli import main
from awscore.quorum import Cluster, KOfN, unavailability

AURORA = ["quorum", "--azs", "3", "--per-az", "2", "--write", "4", "--read", "3"]


def test_prints_reads_writes_tolerance_and_the_3_copy_comparison(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*AURORA, "--p-node", "0.01", "--p-az", "0.001"]) == 0
    out = capsys.readouterr().out
    assert "read    3/6" in out
    assert "write   4/6" in out
    assert "AZ + 1: yes" in out  # reads
    assert "3 copies, 2/3:" in out


def test_exact_prints_fractions(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main([*AURORA, "--p-node", "1/100", "--p-az", "1/1000", "--exact", "--json"])
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    cluster = Cluster.uniform(3, 2, p_node=Fraction(1, 100), p_az=Fraction(1, 1000))
    expected = unavailability(cluster, KOfN(4))
    assert isinstance(expected, Fraction)
    assert document["quorum"]["write"]["unavailability"] == str(expected)
    assert document["quorum"]["read"]["survives_az_plus_one"] is True
    assert document["three_copies_2_of_3"]["write"]["survives_az_plus_one"] is False


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--write", "7"], "7"),
        (["--p-node", "1.5"], "1.5"),
        (["--p-az", "abc"], "not a number"),
        (["--p-node", "1e400"], "'1e400' is out of range"),
    ],
)
def test_domain_errors_exit_1(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*AURORA, *argv]) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1


def test_tour_shows_aurora(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "quorum"]) == 0
    assert "Aurora, 6 copies in 3 AZs" in capsys.readouterr().out


def test_exact_text_output_prints_fractions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # One replica that is down half the time, in an AZ that never fails: reads
    # and writes of 1/1 are available 1/2 of the time. The 3-copy comparison
    # (2 of 3 up, each up with 1/2) is too: 3 * (1/2)**3 + (1/2)**3 = 1/2.
    argv = ["quorum", "--azs", "1", "--per-az", "1", "--write", "1", "--read", "1"]
    assert main([*argv, "--p-node", "1/2", "--p-az", "0", "--exact"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 AZs x 1 replicas, p(node) = 1/2, p(AZ) = 0\n")
    assert out.count("availability 1/2  unavailability 1/2") == 4
