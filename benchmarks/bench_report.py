"""The interleaved table's machinery, checked quickly (CI runs this file).

``python benchmarks/report.py --rounds 30`` takes minutes, so CI does not run
it; these checks keep its parts working: the round-robin measurement, the
per-round ratios and the table, on two trivial contenders.
"""

from __future__ import annotations

import _interleaved as interleaved


def test_measure_interleaves_every_contender_each_round() -> None:
    order: list[str] = []
    calls = {name: (lambda name=name: order.append(name)) for name in "abc"}
    times = interleaved.measure(calls, rounds=3)  # type: ignore[arg-type]
    assert {name: len(t) for name, t in times.items()} == {"a": 3, "b": 3, "c": 3}
    assert all(t > 0 for series in times.values() for t in series)
    # after warm-up and calibration, round r starts at contender r
    starts = [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name]
    assert starts[-3:] == ["c", "a", "b"]


def test_table_says_whether_each_target_holds() -> None:
    rows = [
        interleaved.Measured("x / floor", 1.2, 1.1, 1.3, 30, "<= 1.50x", True),
        interleaved.Measured("y / peer", 0.9, 0.8, 1.0, 30, ">= 1.40x", False),
        interleaved.Measured("z: peak RSS", 52.0, 51.0, 0.0, 1, "<= 64 MiB", True),
    ]
    table = interleaved.format_table(rows).splitlines()
    assert table[2].startswith("| x / floor | 1.20x | 1.10-1.30x | 30 | <= 1.50x | yes")
    assert "| **no** |" in table[3]
    assert table[4].startswith("| z: peak RSS | 52 MiB | - | 1 | <= 64 MiB | yes")
    assert interleaved._ratios({"a": [2.0, 3.0], "b": [1.0, 2.0]}, "a", "b") == [
        2.0,
        1.5,
    ]
