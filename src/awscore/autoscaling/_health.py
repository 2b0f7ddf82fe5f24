"""Instance states, health checks and lifecycle hooks of an Auto Scaling group.

Sources: Amazon EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling instance
lifecycle", "Health checks for instances in an Auto Scaling group" (EC2 and ELB
checks, the health check grace period) and "Amazon EC2 Auto Scaling lifecycle
hooks" (heartbeat timeout, default result); API reference
``PutLifecycleHook`` and ``CreateAutoScalingGroup``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from awscore.autoscaling._alarm import brief, member
from awscore.errors import AutoScalingInputError

__all__ = [
    "DEFAULT_HEALTH_CHECK_GRACE_PERIOD",
    "DefaultResult",
    "HealthCheckType",
    "HealthStatus",
    "LifecycleHook",
    "LifecycleState",
    "LifecycleTransition",
]

#: The grace period the console sets (and the issue's model uses); the
#: ``CreateAutoScalingGroup`` API's own default is 0 s.
DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 300

_HOOK_NAME = re.compile(r"[A-Za-z0-9\-_/]{1,255}")


class LifecycleState(StrEnum):
    """The ``LifecycleState`` values an instance of the fleet passes through."""

    PENDING = "Pending"
    PENDING_WAIT = "Pending:Wait"
    IN_SERVICE = "InService"
    TERMINATING_WAIT = "Terminating:Wait"
    TERMINATED = "Terminated"


class HealthStatus(StrEnum):
    """``HealthStatus`` as Auto Scaling reports it."""

    HEALTHY = "Healthy"
    UNHEALTHY = "Unhealthy"


class HealthCheckType(StrEnum):
    """``HealthCheckType``: whose failures make an instance unhealthy."""

    EC2 = "EC2"
    ELB = "ELB"


class LifecycleTransition(StrEnum):
    """``LifecycleTransition`` of a lifecycle hook."""

    LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
    TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


class DefaultResult(StrEnum):
    """What happens when a hook's heartbeat times out (``DefaultResult``)."""

    CONTINUE = "CONTINUE"
    ABANDON = "ABANDON"


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleHook:
    """A lifecycle hook: holds instances in ``Pending:Wait`` or
    ``Terminating:Wait`` until completed or ``heartbeat_timeout`` seconds pass
    (30..7200, default 3600), then applies ``default_result`` (default
    ``ABANDON``), as ``PutLifecycleHook`` documents.

    Raises :class:`~awscore.errors.AutoScalingInputError` naming each bad field.
    """

    name: str
    transition: LifecycleTransition
    heartbeat_timeout: int = 3600
    default_result: DefaultResult = DefaultResult.ABANDON

    def __post_init__(self) -> None:
        problems: list[str] = []
        name: object = self.name
        if not isinstance(name, str) or not _HOOK_NAME.fullmatch(name):
            problems.append(
                f"LifecycleHookName={brief(name)} must be 1..255 characters of "
                "A-Z, a-z, 0-9, '-', '_' and '/'"
            )
        where = f"LifecycleHook {brief(name)}"
        try:
            object.__setattr__(
                self, "transition", member(LifecycleTransition, self.transition)
            )
        except ValueError:
            problems.append(
                f"{where} LifecycleTransition={brief(self.transition)} is not one of "
                + ", ".join(t.value for t in LifecycleTransition)
            )
        timeout: object = self.heartbeat_timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int)
            or not 30 <= timeout <= 7200
        ):
            problems.append(
                f"{where} HeartbeatTimeout={brief(timeout)} must be an integer number "
                "of seconds in [30, 7200]"
            )
        try:
            object.__setattr__(
                self, "default_result", member(DefaultResult, self.default_result)
            )
        except ValueError:
            problems.append(
                f"{where} DefaultResult={brief(self.default_result)} is not one of "
                "CONTINUE, ABANDON"
            )
        if problems:
            raise AutoScalingInputError(problems)
