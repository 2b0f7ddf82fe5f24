"""The two resolvers of ``_root.Root`` agree: openat2(RESOLVE_IN_ROOT) and the
O_NOFOLLOW walk give the same directory, or the same error, for any path through
any tree of directories and links."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.cfn_init._root import HAS_OPENAT2, Root
from tests.conftest import missing

_NAMES = ["a", "b", "c"]
_TARGETS = st.sampled_from(
    ["a", "b", "..", "../..", "/", "/a", "/a/b", "a/..", "c/../b", "x", "/../../a", "."]
)


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """Entries (kind, path, link target) under the root, parents first."""
    out: list[tuple[str, str, str]] = []
    for top in draw(st.lists(st.sampled_from(_NAMES), unique=True, max_size=3)):
        kind = draw(st.sampled_from(["dir", "link"]))
        out.append((kind, top, draw(_TARGETS)))
        if kind == "dir":
            for child in draw(
                st.lists(st.sampled_from(_NAMES), unique=True, max_size=2)
            ):
                out.append((draw(st.sampled_from(["dir", "link"])), f"{top}/{child}",
                            draw(_TARGETS)))  # fmt: skip
    return out


def _resolve(root: Path, path: str, use_openat2: bool) -> object:
    with Root.open(root, use_openat2=use_openat2) as tree:
        try:
            fd = tree.directory(path)
        except OSError as exc:
            return ("error", exc.errno)
        try:
            info = os.fstat(fd)
            return ("dir", info.st_dev, info.st_ino)
        finally:
            os.close(fd)


@settings(max_examples=300)
@given(trees(), st.lists(st.sampled_from([*_NAMES, "..", "."]), max_size=5))
def test_openat2_and_the_walk_resolve_alike(
    tree: list[tuple[str, str, str]], parts: list[str]
) -> None:
    """Both resolvers follow chroot's rules: absolute targets start at the root,
    '..' at the root stays there, 40 links at most."""
    if not HAS_OPENAT2:
        missing("this kernel has no openat2 (Linux 5.6+)")
    with tempfile.TemporaryDirectory() as top:
        root = Path(top) / "root"
        root.mkdir()
        for kind, path, target in tree:
            if kind == "dir":
                (root / path).mkdir()
            else:
                (root / path).symlink_to(target)
        path = "/" + "/".join(parts)
        assert _resolve(root, path, True) == _resolve(root, path, False)
        # and the result is never outside the root
        result = _resolve(root, path, False)
        if result[0] == "dir":  # type: ignore[index]
            inside = {(os.stat(root).st_dev, os.stat(root).st_ino)} | {
                (s.st_dev, s.st_ino)
                for d, _dirs, _files in os.walk(root)
                for s in [os.stat(d)]
            }
            assert result[1:] in inside  # type: ignore[index]
