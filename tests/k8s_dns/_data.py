"""Hand-written cluster descriptions shared by the k8s_dns tests."""

from __future__ import annotations

import json
from typing import Any

CLUSTER_YAML = """\
zone: cluster.local
dns_ips: [10.96.0.10]
service_cidrs: [10.96.0.0/12, "fd00:10:96::/112"]
ttl: 5
serial: 1700000000
node_resolv_conf: |
  nameserver 10.0.0.2
  search ec2.internal
  options timeout:2
upstream:
  api.example.com: [93.184.216.34, "2606:2800:220:1::1"]
services:
  - name: api
    namespace: prod
    cluster_ip: 10.96.0.20
    ports:
      - {name: http, port: 80}
      - {name: dns, port: 53, protocol: UDP}
      - {port: 9090}
  - name: dual
    namespace: prod
    cluster_ips: [10.96.0.30, "fd00:10:96::30"]
  - name: db
    namespace: prod
    cluster_ip: None
    ports: [{name: pg, port: 5432}]
    endpoints:
      - {ip: 10.244.1.10, hostname: db-0}
      - {ip: 10.244.2.11}
      - {ip: 10.244.3.12, ready: false}
  - name: search
    namespace: prod
    type: ExternalName
    external_name: search.example.com
  - name: alias
    namespace: prod
    type: ExternalName
    external_name: api.prod.svc.cluster.local
  - name: api
    namespace: staging
    cluster_ip: 10.96.1.20
    ports: [{name: http, port: 8080}]
  - name: many
    namespace: prod
    cluster_ip: None
    endpoints: []
pods:
  - {name: web-0, namespace: prod, ip: 10.244.1.5}
  - {name: db-0, namespace: prod, ip: 10.244.1.10, hostname: db-0, subdomain: db}
  - {name: tools, namespace: staging, ip: 10.244.4.4}
  - {name: agent, namespace: prod, ip: 10.0.1.9, host_network: true}
  - name: custom
    namespace: prod
    ip: 10.244.1.6
    dns_policy: None
    dns_config:
      nameservers: [1.1.1.1]
      searches: [corp.example]
      options: [{name: ndots, value: "2"}, {name: edns0}]
"""


def _meta(name: str, namespace: str) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "uid": f"uid-{namespace}-{name}"}


#: What `kubectl get services,endpoints,pods -A -o json` prints, trimmed by hand
#: to the fields DNS reads plus a few others it must ignore.
KUBECTL: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "List",
    "metadata": {"resourceVersion": ""},
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("kube-dns", "kube-system"),
            "spec": {
                "type": "ClusterIP",
                "clusterIP": "10.100.0.10",
                "clusterIPs": ["10.100.0.10"],
                "ipFamilies": ["IPv4"],
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {
                        "name": "dns-tcp",
                        "port": 53,
                        "protocol": "TCP",
                        "targetPort": 53,
                    },
                ],
                "selector": {"k8s-app": "kube-dns"},
            },
            "status": {"loadBalancer": {}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("checkout", "shop"),
            "spec": {
                "type": "LoadBalancer",
                "clusterIP": "10.100.23.7",
                "clusterIPs": ["10.100.23.7"],
                "ports": [
                    {"name": "https", "port": 443, "protocol": "TCP", "nodePort": 31443}
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("cart", "shop"),
            "spec": {
                "type": "ClusterIP",
                "clusterIP": "None",
                "clusterIPs": ["None"],
                "ports": [{"name": "redis", "port": 6379, "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("payments", "shop"),
            "spec": {"type": "ExternalName", "externalName": "pay.example.net"},
        },
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": _meta("cart", "shop"),
            "subsets": [
                {
                    "addresses": [
                        {
                            "ip": "192.168.5.20",
                            "hostname": "cart-0",
                            "nodeName": "ip-192-168-5-1.ec2.internal",
                            "targetRef": {"kind": "Pod", "name": "cart-0"},
                        },
                        {"ip": "192.168.6.21"},
                    ],
                    "notReadyAddresses": [{"ip": "192.168.7.22", "hostname": "cart-2"}],
                    # appProtocol and the like: kubectl fields the loader ignores
                    "ports": [
                        {
                            "name": "redis",
                            "port": 6380,
                            "protocol": "TCP",
                            "appProtocol": "redis",
                        }
                    ],
                }
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": _meta("checkout", "shop"),
            "subsets": [{"addresses": [{"ip": "192.168.5.30"}], "ports": []}],
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta("cart-0", "shop"),
            "spec": {
                "hostname": "cart-0",
                "subdomain": "cart",
                "dnsPolicy": "ClusterFirst",
                "containers": [{"name": "redis", "image": "redis:7"}],
            },
            "status": {
                "phase": "Running",
                "podIP": "192.168.5.20",
                "podIPs": [{"ip": "192.168.5.20"}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta("frontend-7d9c", "shop"),
            "spec": {"dnsPolicy": "ClusterFirst", "containers": []},
            "status": {"phase": "Running", "podIP": "192.168.5.31"},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta("pending", "shop"),
            "spec": {"dnsPolicy": "ClusterFirst"},
            "status": {"phase": "Pending"},
        },
    ],
}

KUBECTL_JSON = json.dumps(KUBECTL, indent=4)
