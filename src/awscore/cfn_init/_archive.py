"""Reading ``sources`` archives as streams, within size limits.

A tar (plain, gzip, bzip2, xz) or zip archive is read twice: first its headers
only, so that a name leaving the target, a device, or a declared size past the
limits is refused before anything is written; then member by member, each
file's data streamed in chunks and counted again against the same limits (a zip
may lie about its sizes). Nothing is ever read whole into memory.
"""

from __future__ import annotations

import io
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from awscore._inputs import shown
from awscore.cfn_init._validate import require
from awscore.errors import (
    ArchiveLimitError,
    CfnInitError,
    CfnInitInputError,
    PathEscapeError,
)

__all__ = ["ArchiveLimits", "Member", "members"]

_CHUNK = 1 << 20
_LINK_LIMIT = 4096  # a symlink's target in a zip is its data: PATH_MAX at most


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveLimits:
    """Bounds on one ``sources`` archive (zip and tar bombs): each member's
    size, all members' total, and their number."""

    max_member_bytes: int = 1 << 30
    max_total_bytes: int = 4 << 30
    max_members: int = 100_000

    def __post_init__(self) -> None:
        for name in ("max_member_bytes", "max_total_bytes", "max_members"):
            value = getattr(self, name)
            require(value, int, name, "a whole number, 0 or more")
            if value < 0:
                raise CfnInitInputError(
                    [f"{name}: must be 0 or more, not {shown(value)}"]
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One archive member: ``kind`` is file, dir or symlink; ``target`` a
    symlink's target; ``mode`` the permission bits to give a file."""

    name: str
    kind: str
    mode: int = 0o644
    target: str = ""


class _Counter:
    def __init__(self, limits: ArchiveLimits, url: str) -> None:
        self.limits, self.url, self.total, self.count = limits, url, 0, 0

    def member(self, name: str, size: int) -> None:
        self.count += 1
        if self.count > self.limits.max_members:
            raise ArchiveLimitError(
                f"{self.url}: more than {self.limits.max_members} members"
            )
        self.add(name, size, size)

    def add(self, name: str, size: int, member_size: int) -> None:
        if member_size > self.limits.max_member_bytes:
            raise ArchiveLimitError(
                f"{self.url}: member {name!r} is larger than "
                f"{self.limits.max_member_bytes} bytes (max_member_bytes)"
            )
        self.total += size
        if self.total > self.limits.max_total_bytes:
            raise ArchiveLimitError(
                f"{self.url}: members total more than {self.limits.max_total_bytes} "
                "bytes (max_total_bytes)"
            )


def _checked_name(name: str, url: str) -> str:
    """The member's name, refused if it is absolute or climbs out (as 2.0's
    ``_check_all_members_in_path`` does)."""
    if name.startswith("/") or "\\" in name or "\0" in name:
        raise PathEscapeError(f"{url}: member {name!r} is absolute or uses '\\'")
    depth = 0
    for part in name.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise PathEscapeError(
                    f"{url}: member {name!r} climbs out of the target"
                )
        elif part not in ("", "."):
            depth += 1
    return name


_BAD_ARCHIVE = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,  # an unsupported zip compression method
    RuntimeError,  # an encrypted zip member
    zlib.error,
    lzma.LZMAError,
)


def members(
    data: bytes, url: str, limits: ArchiveLimits
) -> Iterator[tuple[Member, Iterator[bytes]]]:
    """Each member with a stream of its data (empty for dirs and links), after
    every header was checked. Raises :class:`~awscore.errors.PathEscapeError`,
    :class:`~awscore.errors.ArchiveLimitError` or
    :class:`~awscore.errors.CfnInitError` (not an archive)."""
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            yield from _zip(data, url, limits)
        else:
            yield from _tar(data, url, limits)
    except (ArchiveLimitError, PathEscapeError):
        raise
    except _BAD_ARCHIVE as exc:
        raise CfnInitError(
            f"{url}: not a readable tar, tar.gz, tar.bz2, tar.xz or zip archive ({exc})"
        ) from None


def _stream(
    read: io.BufferedIOBase | None, name: str, counter: _Counter
) -> Iterator[bytes]:
    if read is None:
        return
    size = 0
    while True:
        try:
            chunk = read.read(_CHUNK)
        except _BAD_ARCHIVE as exc:  # corrupt data shows only when read
            raise CfnInitError(
                f"{counter.url}: member {name!r} is corrupt ({exc})"
            ) from None
        if not chunk:
            return
        size += len(chunk)
        counter.add(name, len(chunk), size)
        yield chunk


def _tar(
    data: bytes, url: str, limits: ArchiveLimits
) -> Iterator[tuple[Member, Iterator[bytes]]]:
    header = _Counter(limits, url)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for info in archive:  # headers only: data is skipped, never kept
            _checked_name(info.name, url)
            if not (info.isdir() or info.isfile() or info.issym() or info.islnk()):
                raise PathEscapeError(
                    f"{url}: member {info.name!r} is a device or a FIFO"
                )
            if info.islnk():
                _checked_name(info.linkname, url)
            header.member(info.name, info.size)
    streamed = _Counter(limits, url)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for info in archive:
            mode = stat.S_IMODE(info.mode) & 0o777
            if info.isdir():
                yield Member(name=info.name, kind="dir", mode=mode or 0o755), iter(())
            elif info.issym():
                yield (
                    Member(name=info.name, kind="symlink", target=info.linkname),
                    iter(()),
                )
            else:  # a file, or a hard link: its data is the linked member's
                reader = archive.extractfile(info)
                yield (
                    Member(name=info.name, kind="file", mode=mode or 0o644),
                    _stream(reader, info.name, streamed),  # type: ignore[arg-type]
                )


def _zip(
    data: bytes, url: str, limits: ArchiveLimits
) -> Iterator[tuple[Member, Iterator[bytes]]]:
    header = _Counter(limits, url)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        for info in infos:
            _checked_name(info.filename, url)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK):
                raise PathEscapeError(
                    f"{url}: member {info.filename!r} is a device or a FIFO"
                )
            header.member(info.filename, info.file_size)
        streamed = _Counter(limits, url)
        for info in infos:
            unix = info.external_attr >> 16
            mode = stat.S_IMODE(unix) & 0o777
            if info.is_dir():
                yield (
                    Member(name=info.filename, kind="dir", mode=mode or 0o755),
                    iter(()),
                )
            elif stat.S_ISLNK(unix):
                with archive.open(info) as link:
                    target = link.read(_LINK_LIMIT + 1)
                if len(target) > _LINK_LIMIT:
                    raise ArchiveLimitError(
                        f"{url}: link {info.filename!r} is too long"
                    )
                text = target.decode("utf-8", "surrogateescape")
                yield Member(name=info.filename, kind="symlink", target=text), iter(())
            else:
                with archive.open(info) as reader:
                    yield (
                        Member(name=info.filename, kind="file", mode=mode or 0o644),
                        _stream(reader, info.filename, streamed),  # type: ignore[arg-type]
                    )
