"""CRC-32C and CRC-64/NVME give the same result on any byte order.

The slicing loops read little-endian words: natively on a little-endian host,
through :mod:`struct` on a big-endian one. The struct path is forced here and
checked against the CRC catalogue's check values (the CRC of ``b"123456789"``:
CRC-32/ISCSI ``0xE3069283``, CRC-64/NVME ``0xAE8B14860A799888``), with inputs
that have whole words and a tail.
"""

from __future__ import annotations

import pytest

from awscore.sigv4 import _checksums
from awscore.sigv4._checksums import crc32c, crc64nvme


@pytest.fixture(params=[True, False], ids=["native", "struct"])
def byte_order(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_checksums, "_LITTLE_ENDIAN", request.param)


@pytest.mark.usefixtures("byte_order")
def test_check_values() -> None:
    assert crc32c(b"123456789") == 0xE3069283
    assert crc64nvme(b"123456789") == 0xAE8B14860A799888


@pytest.mark.usefixtures("byte_order")
def test_continuing_over_any_split_gives_the_check_value() -> None:
    data = b"123456789"
    for cut in range(len(data) + 1):
        assert crc32c(data[cut:], crc32c(data[:cut])) == 0xE3069283
        assert crc64nvme(data[cut:], crc64nvme(data[:cut])) == 0xAE8B14860A799888
