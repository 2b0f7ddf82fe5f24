"""Route selection in the VPC route table and at the virtual private gateway.

Rules from the Amazon VPC user guide ("How route priority works") and the
Site-to-Site VPN user guide ("Route tables and VPN route priority").
"""

from __future__ import annotations

import ipaddress

import pytest

from awscore.errors import NoRouteError, VpnInputError
from awscore.vpn import (
    GatewayRoute,
    GatewayRouteSource,
    Route,
    RouteOrigin,
    RouteTable,
    select_gateway_route,
)

TABLE = RouteTable(
    name="rtb",
    routes=(
        Route.of("172.31.0.0/16", "local", "local"),
        Route.of("10.0.0.0/16", "vgw", "propagated"),
        Route.of("10.0.5.0/24", "pcx-1"),
        Route.of("0.0.0.0/0", "igw"),
        Route.of("192.168.0.0/24", "vgw", "propagated"),
        Route.of("192.168.0.0/24", "eni-1"),
        Route.of("172.31.7.0/24", "vgw", "propagated"),
    ),
)


@pytest.mark.parametrize(
    ("destination", "target"),
    [
        ("10.0.1.50", "vgw"),  # propagated /16
        ("10.0.5.9", "pcx-1"),  # a more specific static route wins
        ("8.8.8.8", "igw"),  # default route
        ("192.168.0.9", "eni-1"),  # same prefix: static beats propagated
        ("172.31.7.7", "local"),  # local beats a more specific propagated route
        ("172.31.1.100", "local"),
    ],
)
def test_vpc_route_table(destination: str, target: str) -> None:
    assert TABLE.lookup(destination).target == target


def test_no_route_and_withdrawal() -> None:
    table = RouteTable(name="t", routes=(Route.of("10.0.0.0/16", "tunnel-1"),))
    with pytest.raises(NoRouteError, match=r"no route to 11\.0\.0\.1"):
        table.lookup("11.0.0.1")
    with pytest.raises(NoRouteError):
        table.without("tunnel-1").lookup("10.0.0.1")
    assert (
        table.with_route(Route.of("11.0.0.0/8", "x")).lookup("11.0.0.1").target == "x"
    )


def test_bad_routes() -> None:
    with pytest.raises(VpnInputError, match="CIDR"):
        Route.of("10.0.0.1/16", "x")
    with pytest.raises(VpnInputError, match="origin"):
        Route.of("10.0.0.0/16", "x", "bgp")
    with pytest.raises(VpnInputError, match="IPv4 address"):
        TABLE.lookup("nowhere")
    assert str(Route.of("10.0.0.0/16", "x")) == "10.0.0.0/16 -> x (static)"
    assert Route.of("10.0.0.0/16", "x").origin is RouteOrigin.STATIC


def _gw(
    cidr: str, target: str, source: str, as_path: tuple[int, ...] = (), med: int = 0
) -> GatewayRoute:
    return GatewayRoute(
        destination=ipaddress.IPv4Network(cidr),
        target=target,
        source=GatewayRouteSource(source),
        as_path=as_path,
        med=med,
    )


@pytest.mark.parametrize(
    ("routes", "target"),
    [
        # longest prefix first, whatever the source
        (
            [
                _gw("10.0.0.0/16", "dx", "direct-connect-bgp"),
                _gw("10.0.1.0/24", "t2", "vpn-bgp"),
            ],
            "t2",
        ),
        # same prefix: Direct Connect BGP, then VPN static, then VPN BGP
        (
            [
                _gw("10.0.0.0/16", "t1", "vpn-bgp"),
                _gw("10.0.0.0/16", "t2", "vpn-static"),
                _gw("10.0.0.0/16", "dx", "direct-connect-bgp"),
            ],
            "dx",
        ),
        (
            [
                _gw("10.0.0.0/16", "t1", "vpn-bgp"),
                _gw("10.0.0.0/16", "t2", "vpn-static"),
            ],
            "t2",
        ),
        # BGP: shortest AS_PATH, then lowest MED
        (
            [
                _gw("10.0.0.0/16", "t1", "vpn-bgp", (65000, 65000)),
                _gw("10.0.0.0/16", "t2", "vpn-bgp", (65000,)),
            ],
            "t2",
        ),
        (
            [
                _gw("10.0.0.0/16", "t1", "vpn-bgp", (65000,), med=200),
                _gw("10.0.0.0/16", "t2", "vpn-bgp", (65000,), med=100),
            ],
            "t2",
        ),
        # a full tie: the first listed
        (
            [
                _gw("10.0.0.0/16", "t1", "vpn-static"),
                _gw("10.0.0.0/16", "t2", "vpn-static"),
            ],
            "t1",
        ),
    ],
)
def test_gateway_preference(routes: list[GatewayRoute], target: str) -> None:
    assert select_gateway_route(routes, "10.0.1.50").target == target


def test_gateway_without_route() -> None:
    with pytest.raises(NoRouteError, match="virtual private gateway"):
        select_gateway_route([_gw("10.0.0.0/16", "t1", "vpn-bgp")], "11.0.0.1")
