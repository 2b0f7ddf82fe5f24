"""A directory tree that cannot be escaped: every path resolved under a root fd.

:class:`Root` holds an ``O_PATH`` descriptor of a directory and resolves every
path inside it the way ``chroot`` would: an absolute symlink target starts again
at the root, ``..`` at the root stays there, and nothing is ever looked up by its
host path. Linux's ``openat2(2)`` does this in the kernel with
``RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS`` (Linux 5.6, called through ctypes);
elsewhere, or when asked, a component-by-component walk with ``O_NOFOLLOW`` reads
each symlink itself and splices its target in, with the same result. Files are
written to a fresh name under the resolved parent and renamed over the old one,
their mode set with ``fchmod`` on the descriptor just written; a mode is applied
to an existing file only through a descriptor opened with ``O_NOFOLLOW`` whose
file has a single link.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager

from awscore._inputs import shown
from awscore.errors import CfnInitError, PathEscapeError

__all__ = ["HAS_OPENAT2", "MAX_SYMLINKS", "Root"]

#: Symlinks followed in one lookup before ``ELOOP``, as Linux allows.
MAX_SYMLINKS = 40

_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_IN_ROOT = 0x10
_SYS_OPENAT2 = 437  # the same number on every Linux architecture
_O_PATH = getattr(os, "O_PATH", 0)


class _OpenHow(ctypes.Structure):
    _fields_ = (
        ("flags", ctypes.c_uint64),
        ("mode", ctypes.c_uint64),
        ("resolve", ctypes.c_uint64),
    )


def _libc_syscall() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.syscall
    except (OSError, AttributeError):  # pragma: no cover (not Linux)
        return None
    call.restype = ctypes.c_long
    return call


_SYSCALL = _libc_syscall()


def _openat2(dirfd: int, path: str, flags: int) -> int:
    """``openat2(dirfd, path, {flags, 0, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS})``."""
    assert _SYSCALL is not None
    how = _OpenHow(flags | os.O_CLOEXEC, 0, _RESOLVE_IN_ROOT | _RESOLVE_NO_MAGICLINKS)
    fd = int(
        _SYSCALL(
            ctypes.c_long(_SYS_OPENAT2),
            ctypes.c_int(dirfd),
            ctypes.c_char_p(os.fsencode(path)),
            ctypes.byref(how),
            ctypes.c_size_t(ctypes.sizeof(how)),
        )
    )
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), path)
    return fd


def _probe() -> bool:
    if _SYSCALL is None or not _O_PATH:  # pragma: no cover (not Linux)
        return False
    try:
        fd = _openat2(os.open("/", _O_PATH | os.O_DIRECTORY), ".", _O_PATH)
    except OSError:  # pragma: no cover (a kernel before 5.6, or seccomp)
        return False
    os.close(fd)
    return True


#: Whether this kernel has ``openat2`` (then :class:`Root` uses it by default).
HAS_OPENAT2 = _probe()


def _parts(path: str) -> list[str]:
    if "\0" in path:
        raise PathEscapeError(f"{path!r}: a path must not contain NUL")
    return [p for p in path.split("/") if p not in ("", ".")]


class Root:
    """A directory opened once; every later lookup stays under it.

    ``use_openat2`` None picks ``openat2`` when the kernel has it; False forces
    the ``O_NOFOLLOW`` walk (tests run both). Close it with :meth:`close` or use
    it as a context manager.
    """

    def __init__(self, fd: int, *, use_openat2: bool | None = None) -> None:
        self.fd = fd
        self.openat2 = HAS_OPENAT2 if use_openat2 is None else use_openat2

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, use_openat2: bool | None = None
    ) -> Root:
        """Open ``path`` (a directory) as a root."""
        try:
            fd = os.open(path, _O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise CfnInitError(
                f"root {shown(os.fspath(path))}: {exc.strerror}"
            ) from None
        return cls(fd, use_openat2=use_openat2)

    def close(self) -> None:
        """Close the root's descriptor (once; closing again does nothing)."""
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def __del__(self) -> None:
        # a root dropped without close() gives its descriptor back, as a file does
        with contextlib.suppress(AttributeError, OSError):
            self.close()

    def __enter__(self) -> Root:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- resolution ---------------------------------------------------------------

    def _walk(self, parts: list[str], *, create: bool) -> int:  # noqa: PLR0912 (one branch per kind of entry)
        """The component walk: a directory fd for ``parts``, links spliced in."""
        stack = [os.dup(self.fd)]
        # (name, came from a link's target): like openat2 with mkdir, a missing
        # directory is made only where the path itself names it, never at the
        # far end of a dangling link
        pending = [(p, False) for p in reversed(parts)]
        links = 0
        try:
            while pending:
                name, linked = pending.pop()
                if name in ("", "."):
                    continue
                if name == "..":
                    if len(stack) > 1:
                        os.close(stack.pop())
                    continue
                here = stack[-1]
                try:
                    info = os.stat(name, dir_fd=here, follow_symlinks=False)
                except FileNotFoundError:
                    if not create or linked:
                        raise
                    os.mkdir(name, 0o755, dir_fd=here)
                    info = os.stat(name, dir_fd=here, follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    links += 1
                    if links > MAX_SYMLINKS:
                        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), name)
                    target = os.readlink(name, dir_fd=here)
                    if target.startswith("/"):
                        while len(stack) > 1:
                            os.close(stack.pop())
                    pending.extend((p, True) for p in reversed(_parts(target)))
                    continue
                if not stat.S_ISDIR(info.st_mode):
                    raise NotADirectoryError(errno.ENOTDIR, "not a directory", name)
                fd = os.open(
                    name,
                    _O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                    dir_fd=here,
                )
                stack.append(fd)
            return stack.pop()
        finally:
            for fd in stack:
                os.close(fd)

    def _kernel(self, parts: list[str], *, create: bool) -> int:
        """``openat2`` in the root; missing directories made one at a time."""
        flags = _O_PATH | os.O_DIRECTORY
        try:
            return _openat2(self.fd, "/".join(parts) or ".", flags)
        except FileNotFoundError:
            if not create or not parts:
                raise
        parent = self._kernel(parts[:-1], create=True)
        try:
            # an existing name (a dangling link, say): the lookup below decides
            with contextlib.suppress(FileExistsError):
                os.mkdir(parts[-1], 0o755, dir_fd=parent)
            # resolve the new name again from the root, never by its host path
            return _openat2(self.fd, "/".join(parts), flags)
        finally:
            os.close(parent)

    def directory(self, path: str, *, create: bool = False) -> int:
        """An ``O_PATH`` descriptor of the directory ``path`` inside the root
        (made, with its parents, when ``create``). The caller closes it."""
        parts = _parts(path)
        if self.openat2:
            return self._kernel(parts, create=create)
        return self._walk(parts, create=create)

    @contextmanager
    def parent(self, path: str, *, create: bool = True) -> Iterator[tuple[int, str]]:
        """``(directory fd, last name)`` of ``path``; the name is never ``..``."""
        parts = _parts(path)
        if not parts or parts[-1] == "..":
            raise PathEscapeError(f"{path!r}: names no file inside the root")
        fd = self.directory("/".join(parts[:-1]), create=create)
        try:
            yield fd, parts[-1]
        finally:
            os.close(fd)

    def subroot(self, path: str) -> Root:
        """The directory ``path`` (made if missing) as a root of its own."""
        return Root(self.directory(path, create=True), use_openat2=self.openat2)

    # -- files ------------------------------------------------------------------

    def lstat(self, path: str) -> os.stat_result | None:
        """The entry at ``path`` itself (a link is not followed), or None."""
        try:
            with self.parent(path, create=False) as (fd, name):
                return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def read(self, path: str, limit: int) -> bytes | None:
        """The content of the regular file at ``path`` (at most ``limit`` bytes
        read), or None when there is none. Links are not followed, and nothing
        but a regular file is ever opened for reading (no FIFO, no device)."""
        try:
            with self.parent(path, create=False) as (parent, name):
                handle = os.open(
                    name, _O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent
                )
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None
            fd = os.open(f"/proc/self/fd/{handle}", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            os.close(handle)
        try:
            chunks, left = [], limit
            while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def write(
        self,
        path: str,
        chunks: Iterator[bytes],
        mode: int,
        owner: tuple[int, int] | None = None,
    ) -> None:
        """Write ``path`` anew: a temporary file beside it, ``fchmod`` (and
        ``fchown``) on its descriptor, then renamed over whatever was there (a
        link is replaced, never followed)."""
        with self.parent(path) as (parent, name):
            old = _lstat_at(parent, name)
            if old is not None and stat.S_ISDIR(old.st_mode):
                raise CfnInitError(f"{path}: exists and is a directory")
            temporary = f".{name[:64]}.cfn-init-{secrets.token_hex(6)}"
            fd = os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=parent,
            )
            try:
                try:
                    for chunk in chunks:
                        os.write(fd, chunk)
                    os.fchmod(fd, mode)
                    if owner is not None:
                        os.fchown(fd, *owner)
                finally:
                    os.close(fd)
                os.rename(temporary, name, src_dir_fd=parent, dst_dir_fd=parent)
            except BaseException:
                os.unlink(temporary, dir_fd=parent)
                raise

    def symlink(self, path: str, target: str) -> bool:
        """Make ``path`` a link to ``target`` (replacing a file or link there);
        False when it already is exactly that link."""
        with self.parent(path) as (parent, name):
            old = _lstat_at(parent, name)
            if (
                old is not None
                and stat.S_ISLNK(old.st_mode)
                and os.readlink(name, dir_fd=parent) == target
            ):
                return False
            if old is not None and stat.S_ISDIR(old.st_mode):
                raise CfnInitError(f"{path}: exists and is a directory")
            temporary = f".{name[:64]}.cfn-init-{secrets.token_hex(6)}"
            os.symlink(target, temporary, dir_fd=parent)
            os.rename(temporary, name, src_dir_fd=parent, dst_dir_fd=parent)
            return True

    def chmod(
        self,
        path: str,
        mode: int,
        *,
        follow: bool,
        owner: tuple[int, int] | None = None,
    ) -> bool:
        """Set the mode (and owner) of the file or directory at ``path`` through
        a descriptor of it; ``follow`` resolves a final link inside the root (a
        ``120xxx`` file's target). Refuses devices, FIFOs, sockets and files with
        more than one link. True if anything changed."""
        handle = self._open_existing(path, follow=follow)
        try:
            info = os.fstat(handle)
            top = os.fstat(self.fd)
            if (info.st_dev, info.st_ino) == (top.st_dev, top.st_ino):
                raise PathEscapeError(f"{path}: is the root itself")
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                raise PathEscapeError(f"{path}: not a regular file or a directory")
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                raise PathEscapeError(
                    f"{path}: has {info.st_nlink} hard links; a mode is never applied "
                    "through a file that may be linked from elsewhere"
                )
            # Reopen the very inode held (an O_PATH descriptor cannot fchmod);
            # it was checked above, so no device is ever opened.
            fd = os.open(f"/proc/self/fd/{handle}", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            os.close(handle)
        try:
            changed = stat.S_IMODE(info.st_mode) != mode
            if changed:
                os.fchmod(fd, mode)
            if owner is not None and (info.st_uid, info.st_gid) != owner:
                os.fchown(fd, *owner)
                changed = True
            return changed
        finally:
            os.close(fd)

    def _open_existing(self, path: str, *, follow: bool) -> int:
        """An ``O_PATH`` descriptor of ``path`` (no open side effects)."""
        flags = _O_PATH | os.O_CLOEXEC
        if follow and self.openat2:
            return _openat2(self.fd, "/".join(_parts(path)), flags)
        if follow:
            # resolve the link's target inside the root, one link at a time
            for _ in range(MAX_SYMLINKS):
                with self.parent(path, create=False) as (parent, name):
                    info = os.stat(name, dir_fd=parent, follow_symlinks=False)
                    if not stat.S_ISLNK(info.st_mode):
                        break
                    target = os.readlink(name, dir_fd=parent)
                    base = "/".join(_parts(path)[:-1])
                    path = target if target.startswith("/") else f"{base}/{target}"
            else:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
        with self.parent(path, create=False) as (parent, name):
            return os.open(name, flags | os.O_NOFOLLOW, dir_fd=parent)


def _lstat_at(parent: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return None
