"""A Lambda event source mapping on a Kinesis stream: its settings and their ranges.

The ranges are the Lambda API reference's (CreateEventSourceMapping) and the
Lambda developer guide's "Lambda parameters for Amazon Kinesis Data Streams event
source mappings" table: BatchSize 1..10,000 (default 100),
MaximumBatchingWindowInSeconds 0..300, ParallelizationFactor 1..10,
MaximumRetryAttempts -1..10,000 (-1: until the record expires),
MaximumRecordAgeInSeconds -1 or 60..604,800, TumblingWindowInSeconds 0..900.
A synchronous invocation's request payload is at most 6 MB ("Lambda quotas"),
which cuts a batch short whatever its BatchSize.

Concurrency follows "Lambda function scaling": an account has 1,000 concurrent
executions by default, reserved concurrency takes a share of it for one function,
and at least 100 must stay unreserved for every other function.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from awscore._inputs import shown
from awscore.errors import EventSourceMappingError

__all__ = [
    "DEFAULT_ACCOUNT_CONCURRENCY",
    "MAX_INVOCATION_PAYLOAD",
    "MIN_UNRESERVED_CONCURRENCY",
    "ConcurrencyPool",
    "EventSourceMapping",
    "StartingPosition",
    "mapping_from_aws_json",
]

#: A synchronous invocation's payload limit ("Lambda quotas": 6 MB), in bytes.
MAX_INVOCATION_PAYLOAD = 6 * 1024 * 1024
#: An account's concurrent executions per Region unless raised ("Lambda quotas").
DEFAULT_ACCOUNT_CONCURRENCY = 1000
#: Reserved concurrency may not take the unreserved pool below this.
MIN_UNRESERVED_CONCURRENCY = 100

_REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


class StartingPosition(StrEnum):
    """Where a new mapping starts reading each shard."""

    TRIM_HORIZON = "TRIM_HORIZON"
    LATEST = "LATEST"
    AT_TIMESTAMP = "AT_TIMESTAMP"


def _integer(value: object, name: str, low: int, high: int) -> int:
    # bool is an int subclass, but True records is a caller's bug, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventSourceMappingError(
            f"{name} must be a whole number from {low} to {high}, got {shown(value)}",
            field=name,
        )
    if not low <= value <= high:
        raise EventSourceMappingError(
            f"{name} {shown(value)} is out of range: must be {low}..{high}",
            field=name,
        )
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSourceMapping:
    """A Lambda event source mapping's Kinesis settings, checked as Lambda checks them.

    Each argument is the CreateEventSourceMapping parameter of the same name, in
    seconds where AWS counts seconds: ``maximum_batching_window`` is
    MaximumBatchingWindowInSeconds, ``maximum_record_age`` is
    MaximumRecordAgeInSeconds and ``tumbling_window`` TumblingWindowInSeconds
    (``None`` or 0: no tumbling window). ``destination_on_failure`` is the
    OnFailure destination's ARN. Raises
    :class:`~awscore.errors.EventSourceMappingError` naming the parameter for a
    value Lambda refuses.

    >>> from awscore.kinesis import EventSourceMapping
    >>> EventSourceMapping(batch_size=100, maximum_batching_window=30).batch_size
    100
    >>> EventSourceMapping(parallelization_factor=11)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    awscore.errors.EventSourceMappingError: ParallelizationFactor 11 is out of ...
    """

    batch_size: int = 100
    maximum_batching_window: int = 0
    parallelization_factor: int = 1
    starting_position: StartingPosition = StartingPosition.TRIM_HORIZON
    #: AT_TIMESTAMP only: the time (seconds, on the simulation's clock) to start at
    starting_position_timestamp: float | None = None
    function_response_types: tuple[str, ...] = ()
    bisect_batch_on_function_error: bool = False
    maximum_retry_attempts: int = -1
    maximum_record_age: int = -1
    tumbling_window: int | None = None
    destination_on_failure: str | None = None

    def __post_init__(self) -> None:
        _integer(self.batch_size, "BatchSize", 1, 10_000)
        _integer(self.maximum_batching_window, "MaximumBatchingWindowInSeconds", 0, 300)
        _integer(self.parallelization_factor, "ParallelizationFactor", 1, 10)
        _integer(self.maximum_retry_attempts, "MaximumRetryAttempts", -1, 10_000)
        age = _integer(
            self.maximum_record_age, "MaximumRecordAgeInSeconds", -1, 604_800
        )
        if age != -1 and age < 60:
            raise EventSourceMappingError(
                f"MaximumRecordAgeInSeconds {age} is out of range: must be -1 "
                "(no limit) or 60..604800",
                field="MaximumRecordAgeInSeconds",
            )
        if self.tumbling_window is not None:
            _integer(self.tumbling_window, "TumblingWindowInSeconds", 0, 900)
        try:
            position = StartingPosition(self.starting_position)
        except ValueError:
            raise EventSourceMappingError(
                f"StartingPosition {shown(self.starting_position)} is not one of "
                "TRIM_HORIZON, LATEST, AT_TIMESTAMP",
                field="StartingPosition",
            ) from None
        object.__setattr__(self, "starting_position", position)
        stamp = self.starting_position_timestamp
        if (position is StartingPosition.AT_TIMESTAMP) != (stamp is not None):
            raise EventSourceMappingError(
                "StartingPositionTimestamp is required with AT_TIMESTAMP and only "
                "valid with it",
                field="StartingPositionTimestamp",
            )
        if stamp is not None and (
            isinstance(stamp, bool)
            or not isinstance(stamp, int | float)
            or not math.isfinite(stamp)
        ):
            raise EventSourceMappingError(
                "StartingPositionTimestamp must be a finite number, got "
                f"{shown(stamp)}",
                field="StartingPositionTimestamp",
            )
        types = self.function_response_types
        if not isinstance(types, tuple | list) or any(
            kind != _REPORT_BATCH_ITEM_FAILURES for kind in types
        ):
            raise EventSourceMappingError(
                "FunctionResponseTypes may hold only 'ReportBatchItemFailures', "
                f"got {shown(types)}",
                field="FunctionResponseTypes",
            )
        object.__setattr__(self, "function_response_types", tuple(types))
        if not isinstance(self.bisect_batch_on_function_error, bool):
            raise EventSourceMappingError(
                "BisectBatchOnFunctionError must be true or false",
                field="BisectBatchOnFunctionError",
            )
        destination = self.destination_on_failure
        if destination is not None and (
            not isinstance(destination, str) or not destination.startswith("arn:")
        ):
            raise EventSourceMappingError(
                f"DestinationConfig.OnFailure.Destination must be an ARN, got "
                f"{shown(destination)}",
                field="DestinationConfig",
            )

    @property
    def reports_batch_item_failures(self) -> bool:
        """Whether the function's partial-batch responses are honoured."""
        return _REPORT_BATCH_ITEM_FAILURES in self.function_response_types

    @property
    def window(self) -> int:
        """The tumbling window in seconds, 0 when there is none."""
        return self.tumbling_window or 0


# The keys `aws lambda get-event-source-mapping` prints that are state, not settings:
# read and ignored, so its output can be fed straight in.
_AWS_OUTPUT_ONLY = frozenset(
    {
        "UUID",
        "State",
        "StateTransitionReason",
        "LastModified",
        "LastProcessingResult",
        "FunctionArn",
        "FunctionName",
        "EventSourceArn",
        "EventSourceMappingArn",
        "Enabled",
        "FilterCriteria",
        "MetricsConfig",
        "Tags",
        "KMSKeyArn",
        "ProvisionedPollerConfig",
    }
)
_AWS_SETTINGS = {
    "BatchSize": "batch_size",
    "MaximumBatchingWindowInSeconds": "maximum_batching_window",
    "ParallelizationFactor": "parallelization_factor",
    "StartingPosition": "starting_position",
    "StartingPositionTimestamp": "starting_position_timestamp",
    "FunctionResponseTypes": "function_response_types",
    "BisectBatchOnFunctionError": "bisect_batch_on_function_error",
    "MaximumRetryAttempts": "maximum_retry_attempts",
    "MaximumRecordAgeInSeconds": "maximum_record_age",
    "TumblingWindowInSeconds": "tumbling_window",
}
#: the largest mapping document read (a settings file is a few hundred bytes)
MAX_MAPPING_DOCUMENT = 64 * 1024


def mapping_from_aws_json(text: str | bytes) -> EventSourceMapping:
    """An :class:`EventSourceMapping` from CreateEventSourceMapping-shaped JSON.

    Takes the request's keys (``BatchSize``, ``ParallelizationFactor``,
    ``DestinationConfig: {"OnFailure": {"Destination": ARN}}``...) or what ``aws
    lambda get-event-source-mapping`` prints (its state keys such as ``UUID`` are
    read and ignored). An unknown key, a value of the wrong type or out of range
    is an :class:`~awscore.errors.EventSourceMappingError` naming it.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise EventSourceMappingError(
                "the mapping document is not UTF-8", field="document"
            ) from None
    if not isinstance(text, str):
        raise EventSourceMappingError(
            "the mapping document must be JSON text", field="document"
        )
    if len(text) > MAX_MAPPING_DOCUMENT:
        raise EventSourceMappingError(
            f"the mapping document is over {MAX_MAPPING_DOCUMENT} characters",
            field="document",
        )
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        # ValueError also covers the int-conversion digit limit.
        raise EventSourceMappingError(
            f"the mapping document is not valid JSON: {error}", field="document"
        ) from None
    if not isinstance(document, dict):
        raise EventSourceMappingError(
            "the mapping document must be a JSON object", field="document"
        )
    settings: dict[str, object] = {}
    for key, value in document.items():
        if key in _AWS_OUTPUT_ONLY:
            continue
        if key == "DestinationConfig":
            settings["destination_on_failure"] = _destination(value)
        elif key in _AWS_SETTINGS:
            is_list = key == "FunctionResponseTypes" and isinstance(value, list)
            settings[_AWS_SETTINGS[key]] = tuple(value) if is_list else value
        else:
            raise EventSourceMappingError(
                f"unknown key {shown(key)} in the mapping document", field=key
            )
    return EventSourceMapping(**settings)  # type: ignore[arg-type]


def _destination(value: object) -> str | None:
    if value is None or value == {}:
        return None
    on_failure = value.get("OnFailure") if isinstance(value, dict) else None
    if on_failure in (None, {}):
        return None
    destination = on_failure.get("Destination") if isinstance(on_failure, dict) else 0
    if destination is not None and not isinstance(destination, str):
        raise EventSourceMappingError(
            'DestinationConfig must be {"OnFailure": {"Destination": ARN}}',
            field="DestinationConfig",
        )
    return destination


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcurrencyPool:
    """An account's concurrent executions: reserved shares and the unreserved pool.

    :meth:`reserve` returns a new pool; a reservation that would leave fewer than
    ``minimum_unreserved`` (100) unreserved is refused, as the PutFunctionConcurrency
    API refuses it. A function with no reservation draws on :attr:`unreserved`.

    >>> from awscore.kinesis import ConcurrencyPool
    >>> pool = ConcurrencyPool().reserve("a", 100).reserve("b", 200)
    >>> pool.unreserved, pool.limit_for("a"), pool.limit_for("c")
    (700, 100, 700)
    """

    account_limit: int = DEFAULT_ACCOUNT_CONCURRENCY
    minimum_unreserved: int = MIN_UNRESERVED_CONCURRENCY
    reserved: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        _integer(self.account_limit, "ConcurrentExecutions", 1, 10**7)
        _integer(self.minimum_unreserved, "UnreservedConcurrentExecutions", 0, 10**7)
        if not isinstance(self.reserved, Mapping):
            raise EventSourceMappingError(
                "reserved must map function names to reserved concurrency",
                field="ReservedConcurrentExecutions",
            )
        for name, count in self.reserved.items():
            if not isinstance(name, str) or not name:
                raise EventSourceMappingError(
                    f"a function name must be a non-empty string, got {shown(name)}",
                    field="FunctionName",
                )
            _integer(count, "ReservedConcurrentExecutions", 0, self.account_limit)
        if self.unreserved < self.minimum_unreserved:
            raise EventSourceMappingError(
                f"reserving {sum(self.reserved.values())} of {self.account_limit} "
                f"leaves {self.unreserved} unreserved: at least "
                f"{self.minimum_unreserved} must stay unreserved",
                field="ReservedConcurrentExecutions",
            )
        object.__setattr__(self, "reserved", MappingProxyType(dict(self.reserved)))

    @property
    def unreserved(self) -> int:
        """The concurrency every function without a reservation shares."""
        return self.account_limit - sum(self.reserved.values())

    def reserve(self, function: str, concurrency: int) -> ConcurrencyPool:
        """A pool where ``function`` has ``concurrency`` reserved (0 throttles it)."""
        _function_name(function)
        return ConcurrencyPool(
            account_limit=self.account_limit,
            minimum_unreserved=self.minimum_unreserved,
            reserved={**self.reserved, function: concurrency},
        )

    def limit_for(self, function: str) -> int:
        """How many instances of ``function`` can run at once."""
        return self.reserved.get(_function_name(function), self.unreserved)


def _function_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise EventSourceMappingError(
            f"a function name must be a non-empty string, got {shown(name)}",
            field="FunctionName",
        )
    return name
