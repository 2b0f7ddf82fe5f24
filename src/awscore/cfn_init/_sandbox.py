"""Running a command inside bubblewrap, with the root as its ``/``.

The command sees the backend's root bind-mounted as ``/``, the host's ``/usr``
(and ``/bin``, ``/sbin``, ``/lib*``, which on merged-/usr systems are links into
it) read-only so that a shell exists, a private ``/tmp``, its own ``/proc`` and a
minimal ``/dev``; it runs in new user, mount, PID, IPC, UTS, cgroup and network
namespaces (no network unless asked), in a new session, and dies with its
parent. Its ``cwd`` is resolved by the kernel inside that ``/``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

__all__ = ["HOST_SYSTEM_DIRS", "Sandbox", "find_bwrap"]

#: Host directories a command needs for a shell and its libraries, read-only.
HOST_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def find_bwrap() -> str | None:
    """The path of ``bwrap`` (Debian's ``bubblewrap``), or None."""
    return shutil.which("bwrap")


@dataclass(frozen=True, slots=True, kw_only=True)
class Sandbox:
    """How to wrap a command: which ``bwrap``, which root, network or not."""

    bwrap: str
    root: str
    network: bool = False

    def argv(self, command: list[str], *, cwd: str | None) -> list[str]:
        """The ``bwrap`` command line that runs ``command`` inside the root."""
        out = [self.bwrap, "--bind", self.root, "/", "--ro-bind", "/usr", "/usr"]
        for path in HOST_SYSTEM_DIRS:
            inside = os.path.join(self.root, path.lstrip("/"))
            if not os.path.lexists(path):
                continue
            if os.path.islink(path):
                link = os.readlink(path)
                if not os.path.lexists(inside):
                    out += ["--symlink", link, path]
                    continue
                if os.path.islink(inside) and os.readlink(inside) == link:
                    continue  # left by an earlier run: it leads into /usr too
            if os.path.isdir(path):
                out += ["--ro-bind", os.path.realpath(path), path]
        out += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]  # noqa: S108 (the sandbox's own private /tmp)
        out += ["--unshare-all", "--die-with-parent", "--new-session"]
        if self.network:
            out.append("--share-net")
        out += ["--chdir", cwd or "/", "--", *command]
        return out
