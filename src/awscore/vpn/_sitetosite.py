"""An AWS Site-to-Site VPN connection, packet by packet.

A customer gateway (the on-premises router) and a virtual private gateway (the
VPC side) joined by two IPsec tunnels, each with its own AWS outside IP and a
/30 inside CIDR from 169.254.0.0/16. Each side routes the other side's CIDR into
a tunnel; dead peer detection takes a silent tunnel down and traffic moves to the
other. :meth:`SiteToSiteVpn.send` returns every hop of a packet's journey.

Sources: AWS Site-to-Site VPN user guide ("Tunnel options", "Route tables and
VPN route priority", "MTU and MSS"), RFC 3706 (dead peer detection), RFC 4301
and RFC 4303 (the tunnels' ESP), RFC 1191 (fragmentation needed).

Keys: a real connection derives them with IKE. The model is sans-I/O, so the
caller passes ``key_seed`` and each SA's keys are HMAC-SHA-256 of the seed with the
tunnel, the direction and the tunnel's generation (a new generation after every
restart, so no key and IV pair is ever reused).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from awscore._inputs import shown
from awscore.errors import NoRouteError, VpnInputError
from awscore.vpn._esp import (
    Cipher,
    Integrity,
    SecurityAssociation,
    decapsulate,
    encapsulate,
    pairing_problem,
)
from awscore.vpn._mtu import tunnel_mtu
from awscore.vpn._packet import (
    IPv4Packet,
    fragment_ipv4,
    icmp_fragmentation_needed,
    parse_ipv4,
    reassemble_ipv4,
)
from awscore.vpn._routing import (
    GatewayRoute,
    GatewayRouteSource,
    Route,
    RouteOrigin,
    RouteTable,
    select_gateway_route,
)

__all__ = [
    "MAX_CLOCK",
    "RESERVED_INSIDE_CIDRS",
    "DpdAction",
    "Hop",
    "SiteToSiteVpn",
    "Trace",
    "Tunnel",
    "TunnelOptions",
    "TunnelState",
    "validate_inside_cidr",
]

_LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")
#: Inside CIDRs AWS refuses (Site-to-Site VPN user guide, "Tunnel options").
RESERVED_INSIDE_CIDRS = tuple(
    ipaddress.IPv4Network(c)
    for c in (
        "169.254.0.0/30",
        "169.254.1.0/30",
        "169.254.2.0/30",
        "169.254.3.0/30",
        "169.254.4.0/30",
        "169.254.5.0/30",
        "169.254.169.252/30",
    )
)
VGW = "vgw"


def validate_inside_cidr(value: str) -> ipaddress.IPv4Network:
    """A tunnel inside CIDR: a /30 in 169.254.0.0/16, not one AWS reserves.

    The customer gateway takes the second address, AWS the first usable one
    (the .1 of the /30 for AWS, .2 for the customer, as AWS configures them).
    """
    try:
        if not isinstance(value, str | ipaddress.IPv4Network):
            raise TypeError  # ipaddress would repr a hostile value (deep nesting)
        network = ipaddress.IPv4Network(value)
    except (ValueError, TypeError):
        raise VpnInputError(
            f"inside CIDR {shown(value)} is not an IPv4 CIDR block like 169.254.10.0/30"
        ) from None
    if network.prefixlen != 30 or not network.subnet_of(_LINK_LOCAL):
        raise VpnInputError(
            f"inside CIDR {network} must be a /30 inside 169.254.0.0/16"
        )
    if network in RESERVED_INSIDE_CIDRS:
        raise VpnInputError(
            f"inside CIDR {network} is reserved by AWS: not 169.254.0.0/30 .. "
            "169.254.5.0/30 nor 169.254.169.252/30"
        )
    return network


#: The largest clock reading (seconds, either sign) the VPN model takes: about
#: 31.7 million years, far inside the float range every interval is computed in.
MAX_CLOCK = 10**15


def _check_time(value: object, where: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not -MAX_CLOCK <= value <= MAX_CLOCK  # False for nan too
    ):
        raise VpnInputError(
            f"{where} {shown(value)} is not accepted: must be a finite number of "
            f"seconds within +-{MAX_CLOCK:.0e}"
        )
    return float(value)


def _is_ipv4(value: object) -> bool:
    if not isinstance(value, str | ipaddress.IPv4Address):
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


class DpdAction(StrEnum):
    """What AWS does when dead peer detection times out ("Tunnel options")."""

    CLEAR = "clear"
    NONE = "none"
    RESTART = "restart"


@dataclass(frozen=True, slots=True, kw_only=True)
class TunnelOptions:
    """One tunnel's options, with AWS's defaults and limits.

    ``dpd_timeout`` at least 30 s (default 40); ``replay_window`` 64..2048
    (default 1024); phase 2 ``cipher`` and ``integrity`` from AWS's lists.
    """

    outside_ip: str
    inside_cidr: str
    cipher: Cipher = Cipher.AES256_GCM
    integrity: Integrity | None = None
    dpd_timeout: float = 40.0
    dpd_action: DpdAction = DpdAction.CLEAR
    replay_window: int = 1024
    nat_t: bool = False


def _option_problems(options: TunnelOptions, where: str) -> list[str]:
    """Problems of kind in one TunnelOptions (its values are checked by callers)."""
    # Read as objects: the dataclass does not check its fields' kinds.
    cipher: object = options.cipher
    integrity: object = options.integrity
    dpd: object = options.dpd_timeout
    action: object = options.dpd_action
    window: object = options.replay_window
    nat_t: object = options.nat_t
    problems = []
    if not isinstance(cipher, Cipher):
        problems.append(f"{where} cipher {shown(cipher)} must be a Cipher")
    if integrity is not None and not isinstance(integrity, Integrity):
        problems.append(f"{where} integrity {shown(integrity)} must be an Integrity")
    if (
        isinstance(dpd, bool)
        or not isinstance(dpd, int | float)
        or not -MAX_CLOCK <= dpd <= MAX_CLOCK
    ):
        problems.append(f"{where} DPD timeout {shown(dpd)} must be a number")
    if not isinstance(action, DpdAction):
        problems.append(f"{where} DPD action {shown(action)} must be a DpdAction")
    if isinstance(window, bool) or not isinstance(window, int):
        problems.append(f"{where} replay window {shown(window)} must be an integer")
    if not isinstance(nat_t, bool):
        problems.append(f"{where} nat_t {shown(nat_t)} must be True or False")
    return problems


def _check_options(options: TunnelOptions, where: str) -> None:
    problems = _option_problems(options, where)
    if problems:
        raise VpnInputError(*problems)
    validate_inside_cidr(options.inside_cidr)
    if not 64 <= options.replay_window <= 2048:
        raise VpnInputError(
            f"{where} replay window {options.replay_window} is outside AWS's 64..2048"
        )
    problem = pairing_problem(options.cipher, options.integrity)
    if problem is not None:
        raise VpnInputError(f"{where}: {problem}")


class TunnelState(StrEnum):
    """Whether a tunnel carries traffic."""

    UP = "up"
    DOWN = "down"


class Tunnel:
    """One of the connection's two tunnels and its four SAs' state."""

    __slots__ = (
        "_seed",
        "at_aws",
        "at_customer",
        "aws_side",
        "customer_side",
        "generation",
        "inside",
        "last_heard",
        "mtu",
        "name",
        "options",
        "state",
        "to_aws",
        "to_customer",
    )

    def __init__(
        self, name: str, options: TunnelOptions, seed: bytes, now: float
    ) -> None:
        problems: list[str] = []
        given: tuple[object, object, object] = (
            name,
            options,
            seed,
        )  # unchecked callers
        if not isinstance(given[0], str) or not re.fullmatch(r"tunnel-[1-9]", name):
            problems.append(f"tunnel name {shown(name)} must be tunnel-1 .. tunnel-9")
        if not isinstance(given[1], TunnelOptions):
            problems.append(f"tunnel options {shown(options)} must be TunnelOptions")
        if not isinstance(given[2], bytes) or not seed:
            problems.append("tunnel seed must be non-empty bytes")
        if problems:
            raise VpnInputError(*problems)
        now = _check_time(now, "now")
        _check_options(options, name)
        self.name = name
        self.options = options
        self.inside = validate_inside_cidr(options.inside_cidr)
        hosts = list(self.inside.hosts())
        self.aws_side = hosts[0]
        self.customer_side = hosts[1]
        self.mtu = tunnel_mtu(options.cipher, options.integrity, options.nat_t)[0]
        self.state = TunnelState.UP
        self.last_heard = now
        self.generation = 0
        self._seed = seed
        self._establish()

    def __repr__(self) -> str:
        return (
            f"Tunnel({shown(self.name)}, outside_ip={shown(self.options.outside_ip)}, "
            f"inside={self.inside}, state={self.state.value}, "
            f"generation={self.generation})"
        )

    def _sa(self, direction: str, spi: int) -> SecurityAssociation:
        label = f"{self.name}/{direction}/{self.generation}".encode()
        material = hmac.new(self._seed, label, hashlib.sha512).digest()
        cipher = self.options.cipher
        iv_key = material[48:]
        counter = [0]

        def iv_source(size: int) -> bytes:
            # Unpredictable without the seed, never repeating: HMAC of a counter.
            counter[0] += 1
            return hmac.new(iv_key, counter[0].to_bytes(8, "big"), "sha256").digest()[
                :size
            ]

        if cipher.is_aead:
            return SecurityAssociation(
                spi=spi,
                cipher=cipher,
                key=material[: cipher.key_size + 4],
                replay_window=self.options.replay_window,
            )
        integrity = self.options.integrity
        assert integrity is not None
        auth = hmac.new(self._seed, label + b"/auth", hashlib.sha512).digest()
        return SecurityAssociation(
            spi=spi,
            cipher=cipher,
            key=material[: cipher.key_size],
            integrity=integrity,
            integrity_key=auth[: integrity.key_size],
            replay_window=self.options.replay_window,
            iv_source=iv_source,
        )

    def _establish(self) -> None:
        base = 0x1000 + (int(self.name[-1]) << 8) + (self.generation << 4)
        self.to_aws = self._sa("to-aws", base + 1)
        self.to_customer = self._sa("to-customer", base + 2)
        self.at_aws = {self.to_aws.spi: self.to_aws.inbound()}
        self.at_customer = {self.to_customer.spi: self.to_customer.inbound()}

    def restart(self, now: float) -> None:
        """Bring the tunnel up with fresh SAs (a new IKE negotiation)."""
        now = _check_time(now, "now")
        self.generation += 1
        self._establish()
        self.state = TunnelState.UP
        self.last_heard = now


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One step of a packet's journey: where, what happened, and the bytes if any."""

    step: str
    where: str
    detail: str
    packet: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Trace:
    """What :meth:`SiteToSiteVpn.send` did: the hops, what arrived, any ICMP."""

    hops: tuple[Hop, ...]
    delivered: bytes | None = None
    icmp: bytes | None = None
    tunnel: str | None = None
    fragments: int = 0

    def render(self) -> str:
        """The hops, one line each, as the tour prints them."""
        return "\n".join(
            f"{i:2}. {h.where:<24} {h.step:<12} {h.detail}"
            for i, h in enumerate(self.hops, 1)
        )


class SiteToSiteVpn:
    """A Site-to-Site VPN connection: customer gateway, VGW, two tunnels, routes.

    ``customer_gateway_ip`` is the on-premises router's public IP; ``onprem_cidr``
    and ``vpc_cidr`` the two private networks; ``tunnels`` exactly two
    :class:`TunnelOptions` with distinct outside IPs and inside CIDRs; ``bgp``
    chooses dynamic routing (routes learned as VPN BGP with AS_PATH lengths 1 and
    2, so tunnel 1 is preferred) instead of static routes; ``now`` starts the
    clock (seconds; the caller owns time).

    The on-premises route table sends ``vpc_cidr`` to the tunnels (tunnel 1
    first); the VPC route table has its local route and ``onprem_cidr``
    propagated to the VGW, which picks a tunnel by its own rules.
    """

    def __init__(  # noqa: PLR0912, PLR0915 - every problem is collected first
        self,
        *,
        customer_gateway_ip: str,
        onprem_cidr: str,
        vpc_cidr: str,
        tunnels: Sequence[TunnelOptions],
        key_seed: bytes,
        bgp: bool = False,
        now: float = 0.0,
    ) -> None:
        problems: list[str] = []
        given: object = tunnels  # checked: callers may not be type-checked
        if (
            isinstance(given, str | bytes)
            or not isinstance(given, Sequence)
            or not all(isinstance(t, TunnelOptions) for t in given[:3])
        ):
            raise VpnInputError(
                f"tunnels {shown(given)} must be a list of two TunnelOptions"
            )
        now = _check_time(now, "now")
        flag: object = bgp  # checked: callers may not be type-checked
        if not isinstance(flag, bool):
            problems.append(f"bgp={shown(flag)} must be True or False")
        if len(tunnels) != 2:
            problems.append(f"a VPN connection has 2 tunnels, not {len(tunnels)}")
        networks = {}
        for where, value in (("onprem_cidr", onprem_cidr), ("vpc_cidr", vpc_cidr)):
            try:
                if not isinstance(value, str | ipaddress.IPv4Network):
                    raise TypeError  # ipaddress would repr a hostile value
                networks[where] = ipaddress.IPv4Network(value)
            except (ValueError, TypeError):
                problems.append(f"{where} {shown(value)} is not an IPv4 CIDR block")
        if not _is_ipv4(customer_gateway_ip):
            problems.append(
                f"customer_gateway_ip {shown(customer_gateway_ip)} is not an IPv4 "
                "address"
            )
        for index, options in enumerate(tunnels[:2], 1):
            option_problems = _option_problems(options, f"tunnel {index}")
            if option_problems:
                problems.extend(option_problems)
                continue
            if not _is_ipv4(options.outside_ip):
                problems.append(
                    f"tunnel {index} outside_ip {shown(options.outside_ip)} is not IPv4"
                )
            try:
                validate_inside_cidr(options.inside_cidr)
            except VpnInputError as exc:
                problems.append(f"tunnel {index}: {exc}")
            if options.dpd_timeout < 30:
                problems.append(
                    f"tunnel {index} DPD timeout {options.dpd_timeout} s is below "
                    "AWS's minimum of 30 s"
                )
            if not 64 <= options.replay_window <= 2048:
                problems.append(
                    f"tunnel {index} replay window {options.replay_window} is "
                    "outside AWS's 64..2048"
                )
            problem = pairing_problem(options.cipher, options.integrity)
            if problem is not None:
                problems.append(f"tunnel {index}: {problem}")
        if len(tunnels) == 2:
            if tunnels[0].outside_ip == tunnels[1].outside_ip:
                problems.append("the two tunnels need different outside IPs")
            if tunnels[0].inside_cidr == tunnels[1].inside_cidr:
                problems.append("the two tunnels need different inside CIDRs")
        if len(networks) == 2 and networks["onprem_cidr"].overlaps(
            networks["vpc_cidr"]
        ):
            problems.append("onprem_cidr and vpc_cidr overlap")
        if not isinstance(key_seed, bytes) or len(key_seed) < 16:
            problems.append("key_seed must be at least 16 bytes")
        if problems:
            raise VpnInputError(*problems)
        self.customer_gateway_ip = customer_gateway_ip
        self.onprem = networks["onprem_cidr"]
        self.vpc = networks["vpc_cidr"]
        self.now = now
        self.tunnels = (
            Tunnel("tunnel-1", tunnels[0], key_seed, now),
            Tunnel("tunnel-2", tunnels[1], key_seed, now),
        )
        self.bgp = bgp
        self.onprem_table = self._onprem_table("customer gateway")
        self.vpc_table = RouteTable(
            name="VPC main",
            routes=(
                Route(destination=self.vpc, target="local", origin=RouteOrigin.LOCAL),
                Route(
                    destination=self.onprem, target=VGW, origin=RouteOrigin.PROPAGATED
                ),
            ),
        )
        self.gateway_routes: tuple[GatewayRoute, ...] = tuple(
            self._gateway_route(index) for index in range(len(self.tunnels))
        )
        self.events: list[str] = []
        self._identification = 0

    def __repr__(self) -> str:
        return (
            f"SiteToSiteVpn(customer_gateway_ip={shown(self.customer_gateway_ip)}, "
            f"onprem={self.onprem}, vpc={self.vpc}, tunnels={list(self.tunnels)!r})"
        )

    def tunnel(self, name: str) -> Tunnel:
        """The tunnel called ``tunnel-1`` or ``tunnel-2``."""
        for t in self.tunnels:
            if t.name == name:
                return t
        wanted: object = name  # checked: callers may not be type-checked
        if not isinstance(wanted, str):
            raise VpnInputError(f"tunnel name {shown(name)} must be a string")
        raise VpnInputError(f"no tunnel {shown(name)}: tunnel-1 or tunnel-2")

    # --- dead peer detection ------------------------------------------------

    def heard(self, name: str, now: float) -> None:
        """Record traffic or a DPD R-U-THERE-ACK from the peer of tunnel ``name``.

        A tunnel that DPD took down comes back up (a new IKE negotiation: fresh
        SAs) when its peer is heard again.
        """
        tunnel = self.tunnel(name)
        now = _check_time(now, "now")
        self.now = max(self.now, now)
        if tunnel.state is TunnelState.DOWN:
            tunnel.restart(now)
            self.events.append(
                f"t={now:g}s {name} up again (generation {tunnel.generation})"
            )
            self._restore_routes(tunnel)
        tunnel.last_heard = now

    def tick(self, now: float) -> list[str]:
        """Advance the clock to ``now``; run DPD; return what happened (RFC 3706).

        A tunnel whose peer has been silent for its DPD timeout is declared dead:
        with ``clear`` or ``restart`` it goes down and its routes are withdrawn
        on both sides (``restart`` also re-initiates IKE, which succeeds once the
        peer answers, see :meth:`heard`); with ``none`` nothing changes and
        traffic keeps flowing into the dead tunnel.
        """
        now = _check_time(now, "now")
        self.now = max(self.now, now)
        happened = []
        for tunnel in self.tunnels:
            silent = now - tunnel.last_heard
            if tunnel.state is TunnelState.UP and silent >= tunnel.options.dpd_timeout:
                action = tunnel.options.dpd_action
                if action is DpdAction.NONE:
                    continue
                tunnel.state = TunnelState.DOWN
                self.onprem_table = self.onprem_table.without(tunnel.name)
                self.gateway_routes = tuple(
                    r for r in self.gateway_routes if r.target != tunnel.name
                )
                happened.append(
                    f"t={now:g}s {tunnel.name} DPD timeout after {silent:g}s "
                    f"silence: {action.value}, tunnel down, routes withdrawn"
                )
        self.events.extend(happened)
        return happened

    def _onprem_table(self, name: str) -> RouteTable:
        """The on-premises table: the local route, then each live tunnel in order."""
        return RouteTable(
            name=name,
            routes=(
                Route(
                    destination=self.onprem, target="local", origin=RouteOrigin.LOCAL
                ),
                *(
                    Route(destination=self.vpc, target=t.name)
                    for t in self.tunnels
                    if t.state is TunnelState.UP
                ),
            ),
        )

    def _gateway_route(self, index: int) -> GatewayRoute:
        """The VGW's route to on-premises through tunnel ``index`` (0 or 1)."""
        return GatewayRoute(
            destination=self.onprem,
            target=self.tunnels[index].name,
            source=GatewayRouteSource.VPN_BGP
            if self.bgp
            else GatewayRouteSource.VPN_STATIC,
            as_path=(65000,) * (index + 1) if self.bgp else (),
        )

    def _restore_routes(self, tunnel: Tunnel) -> None:
        index = self.tunnels.index(tunnel)
        # Back in its place: tunnel 1's route ahead of tunnel 2's.
        self.onprem_table = self._onprem_table(self.onprem_table.name)
        routes = [r for r in self.gateway_routes if r.target != tunnel.name]
        routes.insert(min(index, len(routes)), self._gateway_route(index))
        self.gateway_routes = tuple(routes)

    # --- routes ------------------------------------------------------------

    def add_vpc_route(
        self, destination: str, target: str, origin: str = "static"
    ) -> None:
        """Add a route to the VPC route table (a static route by default)."""
        self.vpc_table = self.vpc_table.with_route(
            Route.of(destination, target, origin)
        )

    def add_gateway_route(self, route: GatewayRoute) -> None:
        """Add a route the virtual private gateway learned (static or BGP)."""
        self.gateway_routes = (*self.gateway_routes, route)

    # --- the data path ------------------------------------------------------

    def send(self, packet: bytes, *, now: float | None = None) -> Trace:
        """Send an inner IPv4 packet from either side; return every hop.

        The hops: the route lookup where the packet starts; the tunnel chosen
        (and, from the VPC, the VGW's route choice); the MTU check, which either
        answers ICMP "fragmentation needed" with the next-hop MTU (DF set) or
        fragments the packet before encryption (DF clear); the encapsulation
        (outer header, SPI, sequence number) and the wire bytes of each ESP
        packet; the decapsulation on the other side; the far side's route
        lookup; the delivery (after reassembly, if fragmented).

        Raises :class:`~awscore.errors.NoRouteError` if no route or no live
        tunnel leads to the destination, and the ESP errors if a tunnel fails.
        """
        inner = parse_ipv4(packet)  # checked before the clock moves
        if now is not None:
            self.tick(now)
        hops: list[Hop] = []
        chosen = self._choose_tunnel(inner, packet, hops)
        if isinstance(chosen, Trace):
            return chosen
        tunnel, to_aws = chosen
        where_in = "customer gateway" if to_aws else "virtual private gateway"
        peer = tunnel.options.outside_ip if to_aws else self.customer_gateway_ip
        hops.append(
            Hop(
                step="tunnel",
                where=where_in,
                detail=f"{tunnel.name} to {peer} ({tunnel.state.value}, "
                f"inner MTU {tunnel.mtu})",
            )
        )
        if inner.total_length > tunnel.mtu and inner.df:
            icmp = icmp_fragmentation_needed(
                packet,
                next_hop_mtu=tunnel.mtu,
                src=tunnel.customer_side if to_aws else tunnel.aws_side,
            )
            hops.append(
                Hop(
                    step="icmp",
                    where=where_in,
                    detail=f"{inner.total_length} > MTU {tunnel.mtu} with DF: "
                    f"fragmentation needed (next-hop MTU {tunnel.mtu}) to {inner.src}",
                    packet=icmp,
                )
            )
            return Trace(hops=tuple(hops), icmp=icmp, tunnel=tunnel.name)
        pieces = [bytes(packet)]
        if inner.total_length > tunnel.mtu:
            pieces = fragment_ipv4(packet, tunnel.mtu)
            hops.append(
                Hop(
                    step="fragment",
                    where=where_in,
                    detail=f"{inner.total_length} > MTU {tunnel.mtu}: "
                    f"{len(pieces)} fragments before encryption",
                )
            )
        arrived = [self._carry(tunnel, to_aws, piece, hops) for piece in pieces]
        delivered = arrived[0] if len(arrived) == 1 else reassemble_ipv4(arrived)
        if len(arrived) > 1:
            hops.append(
                Hop(
                    step="reassemble",
                    where=str(inner.dst),
                    detail=f"{len(arrived)} fragments -> {len(delivered)} bytes",
                )
            )
        far = self.vpc_table if to_aws else self.onprem_table
        hops.append(
            Hop(step="route", where=far.name, detail=str(far.lookup(inner.dst)))
        )
        hops.append(
            Hop(
                step="deliver",
                where=str(inner.dst),
                detail=f"{inner.src} -> {inner.dst}, TTL {parse_ipv4(delivered).ttl}",
                packet=delivered,
            )
        )
        return Trace(
            hops=tuple(hops),
            delivered=delivered,
            tunnel=tunnel.name,
            fragments=len(pieces) if len(pieces) > 1 else 0,
        )

    def _choose_tunnel(
        self, inner: IPv4Packet, packet: bytes, hops: list[Hop]
    ) -> tuple[Tunnel, bool] | Trace:
        """The tunnel and direction, or the finished trace if the VPN is not used."""
        if inner.src in self.onprem:
            route = self.onprem_table.lookup(inner.dst)
            hops.append(
                Hop(step="route", where=self.onprem_table.name, detail=str(route))
            )
            if route.target == "local":
                hops.append(
                    Hop(
                        step="deliver",
                        where=str(inner.dst),
                        detail="stays on premises",
                        packet=packet,
                    )
                )
                return Trace(hops=tuple(hops), delivered=bytes(packet))
            return self.tunnel(route.target), True
        if inner.src in self.vpc:
            route = self.vpc_table.lookup(inner.dst)
            hops.append(Hop(step="route", where=self.vpc_table.name, detail=str(route)))
            if route.target != VGW:
                hops.append(
                    Hop(
                        step="leave",
                        where="VPC",
                        detail=f"via {route.target}, not the VPN",
                    )
                )
                return Trace(hops=tuple(hops))
            chosen = select_gateway_route(self.gateway_routes, inner.dst)
            hops.append(
                Hop(
                    step="select",
                    where="virtual private gateway",
                    detail=f"{chosen.destination} via {chosen.target} "
                    f"({chosen.source.value})",
                )
            )
            return self.tunnel(chosen.target), False
        raise NoRouteError(
            f"source {inner.src} is in neither {self.onprem} nor {self.vpc}"
        )

    def _carry(
        self, tunnel: Tunnel, to_aws: bool, piece: bytes, hops: list[Hop]
    ) -> bytes:
        """Encapsulate one packet, put it on the wire, decapsulate it: the inner."""
        sa = tunnel.to_aws if to_aws else tunnel.to_customer
        sad = tunnel.at_aws if to_aws else tunnel.at_customer
        where_in = "customer gateway" if to_aws else "virtual private gateway"
        where_out = "virtual private gateway" if to_aws else "customer gateway"
        outer_src = self.customer_gateway_ip if to_aws else tunnel.options.outside_ip
        outer_dst = tunnel.options.outside_ip if to_aws else self.customer_gateway_ip
        self._identification = (self._identification + 1) & 0xFFFF
        sequence = sa.next_sequence
        outer = encapsulate(
            piece,
            sa,
            outer_src=outer_src,
            outer_dst=outer_dst,
            nat_t=tunnel.options.nat_t,
            identification=self._identification,
        )
        hops.append(
            Hop(
                step="encapsulate",
                where=where_in,
                detail=f"{outer_src} -> {outer_dst} ESP SPI 0x{sa.spi:08x} "
                f"seq {sequence}, {len(piece)} -> {len(outer)} bytes",
                packet=outer,
            )
        )
        hops.append(
            Hop(
                step="wire",
                where="internet",
                detail=outer[:20].hex() + " ...",
                packet=outer,
            )
        )
        opened = decapsulate(outer, sad)
        hops.append(
            Hop(
                step="decapsulate",
                where=where_out,
                detail=f"SPI 0x{sa.spi:08x} seq {sequence}: ICV ok, replay ok, "
                f"{len(opened)}-byte inner packet",
                packet=opened,
            )
        )
        return opened
