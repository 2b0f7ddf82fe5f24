"""Route selection: a VPC route table, and the virtual private gateway's choice.

VPC route table (Amazon VPC user guide, "How route priority works"; Site-to-Site
VPN user guide, "Route tables and VPN route priority"):

1. the longest prefix that matches wins;
2. except that a propagated route overlapping the VPC's local route never wins
   over it, "even if the propagated routes are more specific";
3. for the same prefix, a local route, then a static route, beat a propagated one.

Virtual private gateway, choosing among the routes it learned for on-premises
prefixes: the longest prefix; for the same prefix, Direct Connect BGP routes,
then VPN static routes, then VPN BGP routes; among BGP routes the shortest
AS_PATH, then the lowest MED. AWS does not say what breaks a remaining tie;
awscore takes the route listed first (tunnel 1 before tunnel 2), which is
deterministic.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from awscore._inputs import shown
from awscore.errors import NoRouteError, VpnInputError

__all__ = [
    "GatewayRoute",
    "GatewayRouteSource",
    "Route",
    "RouteOrigin",
    "RouteTable",
    "select_gateway_route",
]


def _network(value: str | ipaddress.IPv4Network, where: str) -> ipaddress.IPv4Network:
    try:
        if not isinstance(value, str | ipaddress.IPv4Network):
            raise TypeError  # ipaddress would repr a hostile value (deep nesting)
        return ipaddress.IPv4Network(value)
    except (ValueError, TypeError):
        raise VpnInputError(
            f"{where} {shown(value)} is not an IPv4 CIDR block with no host bits, "
            "like 10.0.0.0/16"
        ) from None


def _address(value: str | ipaddress.IPv4Address, where: str) -> ipaddress.IPv4Address:
    try:
        if not isinstance(value, str | ipaddress.IPv4Address):
            raise TypeError  # ipaddress would repr a hostile value (deep nesting)
        return ipaddress.IPv4Address(value)
    except (ValueError, TypeError):
        raise VpnInputError(f"{where} {shown(value)} is not an IPv4 address") from None


class RouteOrigin(StrEnum):
    """How a route entered a VPC route table."""

    LOCAL = "local"
    STATIC = "static"
    PROPAGATED = "propagated"


_ORIGIN_RANK = {RouteOrigin.LOCAL: 0, RouteOrigin.STATIC: 1, RouteOrigin.PROPAGATED: 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """A route: traffic to ``destination`` goes to ``target`` (a gateway, a tunnel)."""

    destination: ipaddress.IPv4Network
    target: str
    origin: RouteOrigin = RouteOrigin.STATIC

    @classmethod
    def of(
        cls, destination: str, target: str, origin: RouteOrigin | str = "static"
    ) -> Route:
        """Build a route from text, validating the CIDR and the origin."""
        try:
            parsed = RouteOrigin(origin if isinstance(origin, str) else "")
        except ValueError:
            raise VpnInputError(
                f"route origin {shown(origin)} is not one of local, static, propagated"
            ) from None
        return cls(
            destination=_network(destination, "destination"),
            target=target,
            origin=parsed,
        )

    def __str__(self) -> str:
        return f"{self.destination} -> {self.target} ({self.origin.value})"


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTable:
    """A route table: immutable; :meth:`with_route` and :meth:`without` copy it."""

    name: str
    routes: tuple[Route, ...] = field(default_factory=tuple)

    def with_route(self, route: Route) -> RouteTable:
        """This table plus ``route``."""
        return replace(self, routes=(*self.routes, route))

    def without(self, target: str) -> RouteTable:
        """This table minus every route to ``target`` (a withdrawn tunnel, say)."""
        return replace(self, routes=tuple(r for r in self.routes if r.target != target))

    def lookup(self, destination: str | ipaddress.IPv4Address) -> Route:
        """The route traffic to ``destination`` takes (see the module's rules).

        Raises :class:`~awscore.errors.NoRouteError` when no route matches.
        """
        address = _address(destination, "destination")
        matching = [r for r in self.routes if address in r.destination]
        locals_ = [r.destination for r in self.routes if r.origin is RouteOrigin.LOCAL]
        # A propagated route overlapping the local route never beats it.
        if any(address in local for local in locals_):
            matching = [r for r in matching if r.origin is not RouteOrigin.PROPAGATED]
        if not matching:
            raise NoRouteError(f"route table {self.name} has no route to {address}")
        return min(
            matching,
            key=lambda r: (-r.destination.prefixlen, _ORIGIN_RANK[r.origin]),
        )


class GatewayRouteSource(StrEnum):
    """Where a virtual private gateway learned a route, in order of preference."""

    DIRECT_CONNECT_BGP = "direct-connect-bgp"
    VPN_STATIC = "vpn-static"
    VPN_BGP = "vpn-bgp"


_SOURCE_RANK = {
    GatewayRouteSource.DIRECT_CONNECT_BGP: 0,
    GatewayRouteSource.VPN_STATIC: 1,
    GatewayRouteSource.VPN_BGP: 2,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayRoute:
    """A route the virtual private gateway knows towards on-premises.

    ``as_path`` and ``med`` matter for BGP routes only.
    """

    destination: ipaddress.IPv4Network
    target: str
    source: GatewayRouteSource
    as_path: tuple[int, ...] = ()
    med: int = 0


def select_gateway_route(
    routes: Iterable[GatewayRoute], destination: str | ipaddress.IPv4Address
) -> GatewayRoute:
    """The route a virtual private gateway picks for ``destination``.

    Longest prefix; then Direct Connect BGP, VPN static, VPN BGP; then the
    shortest AS_PATH; then the lowest MED; then the first listed. Raises
    :class:`~awscore.errors.NoRouteError` when none matches.
    """
    address = _address(destination, "destination")
    given: object = routes  # checked: callers may not be type-checked
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise VpnInputError(f"routes must be GatewayRoutes, not {shown(given)}")
    routes = list(given)
    strays = [r for r in routes if not isinstance(r, GatewayRoute)]
    if strays:
        raise VpnInputError(f"routes must be GatewayRoutes, not {shown(strays[0])}")
    candidates = [r for r in routes if address in r.destination]
    if not candidates:
        raise NoRouteError(f"the virtual private gateway has no route to {address}")
    return min(
        candidates,
        key=lambda r: (
            -r.destination.prefixlen,
            _SOURCE_RANK[r.source],
            len(r.as_path) if r.source is not GatewayRouteSource.VPN_STATIC else 0,
            r.med if r.source is not GatewayRouteSource.VPN_STATIC else 0,
        ),
    )
