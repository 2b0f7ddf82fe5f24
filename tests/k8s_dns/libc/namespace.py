"""The inside of one libc harness namespace: a logging DNS responder and a case runner.

Run as root by :mod:`tests.k8s_dns.libc.harness` under ``unshare --mount --net``
(a network namespace where only loopback exists, and a private mount namespace).
It brings ``lo`` up, bind-mounts its own ``/etc/resolv.conf``, ``/etc/hosts`` and
``/etc/nsswitch.conf``, answers UDP (and refuses TCP) on port 53 of every
nameserver address the cases use, and for each case (read as JSON from stdin)
rewrites resolv.conf, runs the getaddrinfo program once per libc and records every
datagram that reached a nameserver: its server, qname, qtype and the time since
the first. It prints one JSON object per case and libc on stdout.

This file is a program, not a module of the test suite: it imports nothing of
awscore, so it cannot share the model it is measuring.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

#: The hosts file and name service switch every case runs with: DNS only for
#: names other than localhost, as in a container image.
HOSTS = "127.0.0.1 localhost\n::1 localhost\n"
NSSWITCH = "hosts: files dns\n"
#: Linux's SO_TIMESTAMPNS (asm-generic/socket.h), which Python does not name:
#: the kernel's arrival time of each datagram, so the log orders datagrams that
#: reach two sockets by when they arrived, not by when they were read.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
#: The start of the datagram the runner sends each server after a case: a
#: server socket reads datagrams in order, so once it has read the marker it has
#: read (and logged) everything the program sent it.
MARK = b"libc-harness-end-of-case "
ALL_ADDRESSES: list[str] = []
#: How long the responder lets a burst of datagrams land before answering it.
BURST = 0.002


@dataclass
class Server:
    """One nameserver address's behaviour for the current case."""

    mode: str = "zone"  # zone | SERVFAIL | REFUSED | drop
    zone: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class State:
    """The current case's servers and the datagrams logged so far."""

    servers: dict[str, Server] = field(default_factory=dict)
    log: list[tuple[int, str, str, str, bool, bool, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: the end-of-case markers each server socket has read
    marks: set[tuple[str, bytes]] = field(default_factory=set)
    marked: threading.Condition = field(default_factory=threading.Condition)


def reply(server: Server, query: dns.message.Message) -> dns.message.Message | None:
    """The answer ``server`` gives to ``query`` (None: it stays silent)."""
    if server.mode == "drop":
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.RA
    if server.mode in ("SERVFAIL", "REFUSED"):
        response.set_rcode(dns.rcode.from_text(server.mode))
        return response
    question = query.question[0]
    qname = question.name.to_text().lower()
    qtype = dns.rdatatype.to_text(question.rdtype)
    entry = server.zone.get(qname)
    if entry is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
        return response
    if "rcode" in entry:
        response.set_rcode(dns.rcode.from_text(entry["rcode"]))
        return response
    response.flags |= dns.flags.AA
    if qtype in entry:
        values = entry[qtype]
        response.answer.append(
            dns.rrset.from_text_list(question.name, 5, "IN", qtype, values)
        )
    elif "CNAME" in entry:
        # a stub's server that does not chase: the CNAME and nothing else
        response.answer.append(
            dns.rrset.from_text_list(question.name, 5, "IN", "CNAME", [entry["CNAME"]])
        )
    return response


def _drain(
    sock: socket.socket, ancillary: int
) -> list[tuple[int, socket.socket, bytes, Any]]:
    """Every datagram waiting on ``sock``, each with its kernel arrival time."""
    out: list[tuple[int, socket.socket, bytes, Any]] = []
    while True:
        try:
            data, cmsgs, _, peer = sock.recvmsg(4096, ancillary)
        except BlockingIOError:
            return out
        stamp = time.time_ns()
        for level, kind, value in cmsgs:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanos = struct.unpack("qq", value[:16])
                stamp = seconds * 1_000_000_000 + nanos
        out.append((stamp, sock, data, peer))


def serve(
    state: State, sockets: dict[socket.socket, str], stop: threading.Event
) -> None:
    """Answer and log every datagram until ``stop`` is set."""
    ancillary = socket.CMSG_LEN(struct.calcsize("qq"))
    while not stop.is_set():
        ready, _, _ = select.select(list(sockets), [], [], 0.05)
        if not ready:
            continue
        # A libc sends a burst (every question to every server) in a tight loop.
        # Let the burst land, read every socket dry until a pass finds nothing,
        # then answer in the order the datagrams arrived, as one fast server
        # would: reading only the sockets select named, or one datagram per
        # socket per turn, would reorder one server's replies against another's.
        time.sleep(BURST)
        arrivals = []
        while True:
            found = [arrival for sock in sockets for arrival in _drain(sock, ancillary)]
            if not found:
                break
            arrivals.extend(found)
        for stamp, sock, data, peer in sorted(arrivals, key=lambda a: a[0]):
            address = sockets[sock]
            if data.startswith(MARK):
                with state.marked:
                    state.marks.add((address, data))
                    state.marked.notify_all()
                continue
            try:
                query = dns.message.from_wire(data)
                question = query.question[0]
            except Exception:  # any undecodable datagram
                # is logged (a libc sent it) and left unanswered
                with state.lock:
                    state.log.append(
                        (
                            stamp,
                            address,
                            "malformed:" + data.hex(),
                            "?",
                            False,
                            False,
                            -1,
                        )
                    )
                continue
            qname = question.name.to_text()
            qtype = dns.rdatatype.to_text(question.rdtype)
            edns = query.edns >= 0
            ad = bool(query.flags & dns.flags.AD)
            with state.lock:
                state.log.append((stamp, address, qname, qtype, edns, ad, query.id))
                server = state.servers.get(address, Server(mode="drop"))
            answer = reply(server, query)
            if answer is not None:
                sock.sendto(answer.to_wire(), peer)


def bind_file(text: str, target: str, keep: list[Any]) -> str:
    """Bind-mount a private file holding ``text`` over ``target``."""
    with tempfile.NamedTemporaryFile(
        "w", delete=False, prefix="libc-harness-"
    ) as handle:
        handle.write(text)
    keep.append(handle.name)
    # mount from PATH with fixed arguments, in this process's own mount namespace
    subprocess.run(["mount", "--bind", handle.name, target], check=True)  # noqa: S603, S607
    return handle.name


def main() -> None:
    """Read the batch from stdin, run every case, print one JSON line per run."""
    batch = json.load(sys.stdin)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)  # noqa: S607
    files: list[str] = []
    try:
        resolv = bind_file("", "/etc/resolv.conf", files)
        bind_file(HOSTS, "/etc/hosts", files)
        bind_file(NSSWITCH, "/etc/nsswitch.conf", files)
        serve_batch(batch, resolv)
    finally:
        for name in files:
            os.unlink(name)


def serve_batch(batch: dict[str, Any], resolv: str) -> None:
    """Serve every nameserver address while the batch's cases run."""
    state = State()
    sockets: dict[socket.socket, str] = {}
    ALL_ADDRESSES.extend(batch["addresses"])
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(state, sockets, stop), daemon=True)
    try:
        for address in batch["addresses"]:
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sockets[udp] = address
            udp.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            udp.bind((address, 53))
            udp.setblocking(False)
            # no TCP listener: a connection attempt is refused, as from a
            # UDP-only server; none of the answers is large enough to truncate
        thread.start()
        for case in batch["cases"]:
            for libc, program in batch["programs"].items():
                run_case(case, libc, program, resolv, state)
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
        for sock in sockets:
            sock.close()


def drain(case: dict[str, Any], state: State) -> None:
    """Wait until every server socket has read all the program sent it."""
    mark = MARK + case["id"].encode() + b" " + str(time.time_ns()).encode()
    wanted = {(address, mark) for address in ALL_ADDRESSES}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for address in ALL_ADDRESSES:
            sender.sendto(mark, (address, 53))
    with state.marked:
        if not state.marked.wait_for(lambda: wanted <= state.marks, timeout=30):
            raise RuntimeError(f"the responder never read the end of {case['id']}")
        state.marks -= wanted


def _death(code: int) -> str:
    """How a program that printed nothing ended: ``SIGFPE``, ``exit 1``, ..."""
    if code < 0:
        return signal.Signals(-code).name
    return f"exit {code}"


def run_case(
    case: dict[str, Any], libc: str, program: str, resolv: str, state: State
) -> None:
    """Run one case under one libc and print what happened."""
    with open(resolv, "w") as handle:  # same inode: the bind mount sees it
        handle.write(case["resolv_conf"])
    with state.lock:
        state.servers = {
            address: Server(mode=spec.get("mode", "zone"), zone=spec.get("zone", {}))
            for address, spec in case["servers"].items()
        }
        state.log = []
    started = time.time_ns()
    done = subprocess.run(  # noqa: S603 - the harness's own compiled program
        [program, case["family"], case["name"]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    drain(case, state)
    with state.lock:
        log = sorted(state.log)
        state.servers = {}
    first = log[0][0] if log else started
    print(
        json.dumps(
            {
                "case": case["id"],
                "libc": libc,
                "result": done.stdout.strip() or _death(done.returncode),
                "stderr": done.stderr.strip(),
                "datagrams": [
                    {
                        "server": server,
                        "qname": qname,
                        "qtype": qtype,
                        "at": (stamp - first) / 1e9,
                        "edns0": edns,
                        "ad": ad,
                        "id": ident,
                    }
                    for stamp, server, qname, qtype, edns, ad, ident in log
                ],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
