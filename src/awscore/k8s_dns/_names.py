"""Kubernetes name rules and the DNS name forms built from IP addresses.

Sources: Kubernetes API validation (``k8s.io/apimachinery/pkg/util/validation``):
DNS-1123 labels and subdomains, DNS-1035 labels, ``IANA_SVC_NAME`` port names;
CoreDNS's ``kubernetes`` plugin for the dashed IP forms.
"""

from __future__ import annotations

import ipaddress
import re

from awscore._inputs import shown

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")
_PORT_NAME = re.compile(r"[-a-z0-9]+\Z")
_DNS_NAME_LABEL = re.compile(r"[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?\Z")

LABEL_MAX = 63
SUBDOMAIN_MAX = 253


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "true/false"),
    ((int, float), "a number"),
    (str, "text"),
    ((bytes, bytearray), "bytes"),
    (dict, "a mapping"),
    ((list, tuple), "a list"),
)


def kind(value: object) -> str:
    """What a value is, in the words of a YAML/JSON document (for messages)."""
    if value is None:
        return "null"
    for types, words in _KINDS:
        if isinstance(value, types):
            return words
    return "an object of another kind"


def dns1123_label_problem(value: object, field: str) -> str | None:
    """Why ``value`` is not a DNS-1123 label (namespaces, hostnames), or None."""
    if not isinstance(value, str):
        return f"{field} must be text, not {kind(value)}"
    if len(value) > LABEL_MAX or not _DNS1123_LABEL.match(value):
        return (
            f"{field} {shown(value)} is not a DNS-1123 label: at most 63 characters of "
            "[a-z0-9-], starting and ending with a letter or digit"
        )
    return None


def dns1035_label_problem(value: object, field: str) -> str | None:
    """Why ``value`` is not a DNS-1035 label (service names), or None."""
    if not isinstance(value, str):
        return f"{field} must be text, not {kind(value)}"
    if len(value) > LABEL_MAX or not _DNS1035_LABEL.match(value):
        return (
            f"{field} {shown(value)} is not a DNS-1035 label: at most 63 characters of "
            "[a-z0-9-], starting with a letter and ending with a letter or digit"
        )
    return None


def dns1123_subdomain_problem(value: object, field: str) -> str | None:
    """Why ``value`` is not a DNS-1123 subdomain (pod names), or None."""
    if not isinstance(value, str):
        return f"{field} must be text, not {kind(value)}"
    if (
        not value
        or len(value) > SUBDOMAIN_MAX
        or not all(_DNS1123_LABEL.match(label) for label in value.split("."))
    ):
        return (
            f"{field} {shown(value)} is not a DNS-1123 subdomain: at most 253 "
            "characters, "
            "dot-separated labels of [a-z0-9-]"
        )
    return None


def port_name_problem(value: object, field: str) -> str | None:
    """Why ``value`` is not an ``IANA_SVC_NAME`` port name, or None.

    At most 15 characters of ``[-a-z0-9]``, at least one letter, no leading or
    trailing ``-`` and no ``--`` (RFC 6335 §5.1, as Kubernetes validates it).
    """
    if not isinstance(value, str):
        return f"{field} must be text, not {kind(value)}"
    if (
        not 1 <= len(value) <= 15
        or not _PORT_NAME.match(value)
        or not any(c.isalpha() for c in value)
        or value.startswith("-")
        or value.endswith("-")
        or "--" in value
    ):
        return (
            f"{field} {shown(value)} is not a port name: 1 to 15 characters of "
            "[-a-z0-9] "
            "with at least one letter, no leading or trailing '-', no '--'"
        )
    return None


def dns_name_problem(value: object, field: str) -> str | None:
    """Why ``value`` is not a DNS name (an ExternalName target, a zone), or None."""
    if not isinstance(value, str):
        return f"{field} must be text, not {kind(value)}"
    bare = value[:-1] if value.endswith(".") else value
    labels = bare.split(".")
    if (
        not bare
        or len(bare) > SUBDOMAIN_MAX
        or not all(
            len(label) <= LABEL_MAX and _DNS_NAME_LABEL.match(label) for label in labels
        )
    ):
        return (
            f"{field} {shown(value)} is not a DNS name: dot-separated labels of "
            "[A-Za-z0-9_-] of at most 63 characters, 253 in all"
        )
    return None


def ip_problem(value: object, field: str) -> str | None:
    """Why ``value`` is not an IPv4 or IPv6 address, or None."""
    if not isinstance(value, str):
        return f"{field} must be text, not {kind(value)}"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return f"{field} {shown(value)} is not an IPv4 or IPv6 address"
    return None


def canonical_ip(value: str) -> str:
    """The compressed text of an address already checked by :func:`ip_problem`."""
    return ipaddress.ip_address(value).compressed


def dashed(ip: str) -> str:
    """An IP written as one DNS label, as CoreDNS does: ``172.0.0.2`` is ``172-0-0-2``.

    IPv6 addresses replace ``:`` with ``-`` in their compressed form
    (``fd00::1`` is ``fd00--1``, ``fd00::`` is ``fd00--0``), as CoreDNS's
    ``endpointHostname`` does.
    """
    label = ip.replace(".", "-").replace(":", "-")
    # kubernetes.go endpointHostname: a label may not end in "-" ("fd00::").
    return label + "0" if label.endswith("-") else label


def undash(label: str) -> IPAddress | None:
    """The address a dashed pod label names, or None (CoreDNS's pod-name rule).

    Three ``-`` and no ``--`` is IPv4; anything else is read as IPv6.
    """
    if label.count("-") == 3 and "--" not in label:
        text = label.replace("-", ".")
    else:
        text = label.replace("-", ":")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def reverse_name(ip: str) -> str:
    """The PTR owner name of an address, absolute (RFC 1035 §3.5, RFC 3596 §2.5)."""
    return ipaddress.ip_address(ip).reverse_pointer + "."
