"""Quorum systems: exact availability and fault tolerance on failure domains.

>>> from awscore.quorum import Cluster, KOfN, availability, survives
>>> aurora = Cluster.uniform(3, 2, p_node=0.01, p_az=0.001)
>>> survives(aurora, KOfN(3), domains=1, nodes=1)
True
>>> survives(aurora, KOfN(4), domains=1, nodes=1)
False
>>> round(availability(aurora, KOfN(4)), 6)
0.99986
"""

from __future__ import annotations

from awscore.quorum._availability import (
    ENUMERATION_LIMIT,
    MAX_DOMAIN_CHOICES,
    QuorumSystem,
    availability,
    max_tolerated_failures,
    minimal_failure_sets,
    survives,
    unavailability,
)
from awscore.quorum._durability import (
    AURORA_SEGMENT_BYTES,
    MAX_GROUP_SHARDS,
    MAX_GROUPS,
    DurabilityReport,
    afr_from_mttf,
    durability,
    protection_groups,
)
from awscore.quorum._model import (
    MAX_NODES,
    Cluster,
    Node,
    Probability,
    QuorumInputError,
    QuorumTooLargeError,
    UnsafeQuorumError,
)
from awscore.quorum._rules import MAX_RULE_DEPTH, AllOf, AnyOf, KOfN, QuorumRule, Votes
from awscore.quorum._simulate import MAX_TRIALS, SimulationResult, simulate
from awscore.quorum._staleness import MAX_REPLICAS, MAX_VERSIONS, staleness_probability

__all__ = [
    "AURORA_SEGMENT_BYTES",
    "ENUMERATION_LIMIT",
    "MAX_DOMAIN_CHOICES",
    "MAX_GROUPS",
    "MAX_GROUP_SHARDS",
    "MAX_NODES",
    "MAX_REPLICAS",
    "MAX_RULE_DEPTH",
    "MAX_TRIALS",
    "MAX_VERSIONS",
    "AllOf",
    "AnyOf",
    "Cluster",
    "DurabilityReport",
    "KOfN",
    "Node",
    "Probability",
    "QuorumInputError",
    "QuorumRule",
    "QuorumSystem",
    "QuorumTooLargeError",
    "SimulationResult",
    "UnsafeQuorumError",
    "Votes",
    "afr_from_mttf",
    "availability",
    "durability",
    "max_tolerated_failures",
    "minimal_failure_sets",
    "protection_groups",
    "simulate",
    "staleness_probability",
    "survives",
    "unavailability",
]
