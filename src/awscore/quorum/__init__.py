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
    QuorumSystem,
    availability,
    max_tolerated_failures,
    minimal_failure_sets,
    survives,
    unavailability,
)
from awscore.quorum._durability import (
    AURORA_SEGMENT_BYTES,
    DurabilityReport,
    afr_from_mttf,
    durability,
    protection_groups,
)
from awscore.quorum._model import (
    Cluster,
    Node,
    Probability,
    QuorumInputError,
    QuorumTooLargeError,
    UnsafeQuorumError,
)
from awscore.quorum._rules import AllOf, AnyOf, KOfN, QuorumRule, Votes
from awscore.quorum._simulate import SimulationResult, simulate
from awscore.quorum._staleness import staleness_probability

__all__ = [
    "AURORA_SEGMENT_BYTES",
    "ENUMERATION_LIMIT",
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
