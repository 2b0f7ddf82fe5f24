"""A seeded Monte Carlo simulation: an independent check of the exact numbers.

Each trial draws every domain's state, then every node's, from the same model
:func:`~awscore.quorum.availability` computes exactly (independent domain
failures taking their nodes with them, independent node failures), and asks the
rule. The estimate comes with its standard error and a 95% interval, so a test can
ask whether the exact value lies within a few standard errors.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from awscore._inputs import shown
from awscore.errors import QuorumInputError
from awscore.quorum._model import Cluster
from awscore.quorum._rules import QuorumRule, check_judged

__all__ = ["MAX_TRIALS", "SimulationResult", "simulate"]

MAX_TRIALS = 10_000_000
"""The most trials :func:`simulate` runs (its ``max_trials`` default): about a
minute of work on a small cluster; the standard error is then below 2e-4."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationResult:
    """How often the rule could be met in ``trials`` simulated failure draws."""

    trials: int
    successes: int
    seed: int

    @property
    def estimate(self) -> float:
        """The estimated availability: successes / trials."""
        return self.successes / self.trials

    @property
    def standard_error(self) -> float:
        """The binomial standard error of :attr:`estimate`."""
        p = self.estimate
        return math.sqrt(p * (1 - p) / self.trials)

    @property
    def interval(self) -> tuple[float, float]:
        """A 95% confidence interval (Wilson score), within [0, 1]."""
        n, p, z = self.trials, self.estimate, 1.959963984540054
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    def agrees_with(self, exact: float | Fraction, *, sigmas: float = 4.0) -> bool:
        """Whether ``exact`` lies within ``sigmas`` standard errors of the estimate.

        With no variance seen (every trial alike) the check falls back to the
        interval, which stays honest when the true value is near 0 or 1. Raises
        :class:`~awscore.errors.QuorumInputError` unless ``exact`` is a
        probability and ``sigmas`` a finite number >= 0.
        """
        problems = []
        if (
            isinstance(exact, bool)
            or not isinstance(exact, int | float | Fraction)
            or not 0 <= exact <= 1  # False for nan
        ):
            problems.append(f"exact={shown(exact)} must be a probability in [0, 1]")
        if (
            isinstance(sigmas, bool)
            or not isinstance(sigmas, int | float)
            or not 0 <= sigmas <= 1e9
        ):
            problems.append(f"sigmas={shown(sigmas)} must be a number from 0 to 1e9")
        if problems:
            raise QuorumInputError(problems)
        error = self.standard_error
        if error == 0:
            low, high = self.interval
            return low <= float(exact) <= high
        return abs(self.estimate - float(exact)) <= sigmas * error


def simulate(
    cluster: Cluster,
    rule: QuorumRule,
    *,
    trials: int = 100_000,
    seed: int = 0,
    max_trials: int = MAX_TRIALS,
) -> SimulationResult:
    """Estimate ``availability(cluster, rule)`` from ``trials`` seeded random draws.

    The same seed gives the same result. Raises
    :class:`~awscore.errors.QuorumInputError` for fewer than one trial or more
    than ``max_trials`` (:data:`MAX_TRIALS`), a seed that is not an integer, or a
    rule the cluster cannot judge.
    """
    problems = [
        f"{name} must be an integer >= 1, not {shown(value)}"
        for name, value in (("trials", trials), ("max_trials", max_trials))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1
    ]
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(f"seed must be an integer, not {shown(seed)}")
    if problems:
        raise QuorumInputError(problems)
    if trials > max_trials:
        raise QuorumInputError(
            [
                f"trials={shown(trials)} is above max_trials={shown(max_trials)}: "
                "pass a larger max_trials to run that many"
            ]
        )
    check_judged(cluster, rule)
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not crypto
    domains = [
        (
            float(p),
            [(n.node_id, float(n.p_fail)) for n in cluster.nodes if n.domain == d],
        )
        for d, p in cluster.domain_failure.items()
    ]
    draw = rng.random
    successes = 0
    for _ in range(trials):
        up = frozenset(
            node_id
            for p_domain, nodes in domains
            if draw() >= p_domain
            for node_id, p_node in nodes
            if draw() >= p_node
        )
        if rule.satisfied(up):
            successes += 1
    return SimulationResult(trials=trials, successes=successes, seed=seed)
