"""The Auto Scaling figures, drawn from :func:`awscore.autoscaling.simulate` when
the docs are built: three policies on the same spiky load, and a fleet's
instances per Availability Zone through a zone outage and its recovery."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    ComparisonOperator,
    FleetConfig,
    Group,
    HpaPolicy,
    LaunchSpec,
    Policy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    Timeline,
    ZoneEvent,
    simulate,
    spiky_load,
)

#: 6 hours at 10-second steps: a base of 200 (4 instances at 50%), three spikes.
HOURS = 6
STEP = 10
LOAD = spiky_load(
    duration=HOURS * 3600,
    step=STEP,
    base=200,
    spikes=[(3600, 1200, 600), (10800, 300, 1200), (14400, 2400, 350)],
)
GROUP = Group(min_size=2, max_size=40, desired_capacity=4)
TARGET = 50


def policies() -> list[tuple[str, list[Policy], str]]:
    """(label, policies, colour) of every line in the figure."""
    step_out = StepScalingPolicy(
        name="step-out",
        adjustment_type=AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
        step_adjustments=(
            StepAdjustment(lower_bound=0, upper_bound=20, scaling_adjustment=20),
            StepAdjustment(lower_bound=20, upper_bound=None, scaling_adjustment=60),
        ),
        alarm=Alarm(name="cpu-high", threshold=60, evaluation_periods=2),
        min_adjustment_magnitude=1,
    )
    step_in = StepScalingPolicy(
        name="step-in",
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        step_adjustments=(
            StepAdjustment(lower_bound=None, upper_bound=0, scaling_adjustment=-1),
        ),
        alarm=Alarm(
            name="cpu-low",
            threshold=30,
            comparison_operator=ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=5,
        ),
    )
    return [
        ("target tracking, 50", [TargetTrackingPolicy(target_value=TARGET)], "#4e79a7"),
        ("step scaling, 60 / 30", [step_out, step_in], "#f28e2b"),
        ("Kubernetes HPA, 50", [HpaPolicy(target_value=TARGET)], "#59a14f"),
    ]


def timelines() -> list[tuple[str, Timeline, str]]:
    """Each policy set simulated on :data:`LOAD` (60 s launches, 120 s warmup)."""
    return [
        (label, simulate(GROUP, chosen, LOAD, launch_delay=60, warmup=120), colour)
        for label, chosen, colour in policies()
    ]


def _panel(
    series: list[tuple[list[float], str, str]],
    *,
    top: int,
    height: int,
    y_max: float,
    title: str,
    left: int,
    width: int,
    count: int | None = None,
) -> list[str]:
    parts = [
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" '
        'fill="none" stroke="#333"/>',
        f'<text x="{left}" y="{top - 6}" font-size="12">{title}</text>',
    ]
    for i in range(5):
        value = y_max * i / 4
        y = top + height - height * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
            'stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    count = len(LOAD) if count is None else count
    for values, colour, dash in series:
        path = " ".join(
            f"{left + width * k / count:.1f},"
            f"{top + height - height * min(v, y_max) / y_max:.1f}"
            for k, v in enumerate(values)
            if k % 3 == 0
        )
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="1.6"{extra}/>'
        )
    return parts


def autoscaling_policies_svg() -> str:
    """Desired capacity and per-instance metric of three policies on one load."""
    runs = timelines()
    width, height = 900, 560
    left, plot_w = 60, 600
    needed = [d / TARGET for d in LOAD]
    capacity = [([float(p.desired) for p in t.points], c, "") for _, t, c in runs]
    metric = [
        ([p.metric if p.metric is not None else 0.0 for p in t.points], c, "")
        for _, t, c in runs
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        *_panel(
            [(needed, "#888", "5 4"), *capacity],
            top=24,
            height=220,
            y_max=40,
            title="desired capacity (dashed: demand / 50, the capacity at target)",
            left=left,
            width=plot_w,
        ),
        *_panel(
            [([TARGET] * len(LOAD), "#888", "5 4"), *metric],
            top=290,
            height=220,
            y_max=200,
            title="metric per in-service instance (dashed: the target, 50)",
            left=left,
            width=plot_w,
        ),
    ]
    for hour in range(HOURS + 1):
        x = left + plot_w * hour / HOURS
        parts.append(f'<text x="{x:.1f}" y="528" text-anchor="middle">{hour} h</text>')
    for i, (label, timeline, colour) in enumerate(runs):
        y = 40 + 22 * i
        parts.append(
            f'<line x1="{left + plot_w + 14}" y1="{y}" x2="{left + plot_w + 40}" '
            f'y2="{y}" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left + plot_w + 46}" y="{y + 4}">{label}</text>')
        parts.append(
            f'<text x="{left + plot_w + 46}" y="{y + 300}">'
            f"{timeline.instance_hours:.0f} inst-h, "
            f"{timeline.seconds_above(60) // 60} min &gt; 60</text>"
        )
        parts.append(
            f'<line x1="{left + plot_w + 14}" y1="{y + 296}" '
            f'x2="{left + plot_w + 40}" y2="{y + 296}" stroke="{colour}" '
            'stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


#: The fleet figure: 3 hours, zone us-east-1c down from 1 h to 2 h.
FLEET_ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
FLEET_EVENTS = (
    ZoneEvent(time=3600, zone="us-east-1c", outage=True),
    ZoneEvent(time=7200, zone="us-east-1c", outage=False),
)


def fleet_timeline() -> Timeline:
    """A group of 6 (max 12) with target tracking at 50% on a steady 300 (six
    instances' worth) through the outage: its zones lose and regain instances."""
    fleet = FleetConfig(
        availability_zones=FLEET_ZONES,
        min_size=3,
        max_size=12,
        launch=LaunchSpec(launch_template="web", version=1),
    )
    return simulate(
        Group(min_size=3, max_size=12, desired_capacity=6),
        [TargetTrackingPolicy(target_value=TARGET)],
        [300.0] * (3 * 3600 // STEP),
        step=STEP,
        launch_delay=60,
        warmup=120,
        fleet=fleet,
        zone_events=FLEET_EVENTS,
        seed=1,
    )


def autoscaling_fleet_svg() -> str:
    """Instances per zone, desired and in-service capacity through the outage."""
    timeline = fleet_timeline()
    count = len(timeline.points)
    width, height, left, plot_w = 900, 330, 60, 600
    colours = ("#1f77b4", "#2ca02c", "#d62728")
    zones = [
        ([float(dict(p.zones)[z]) for p in timeline.points], c, "")
        for z, c in zip(FLEET_ZONES, colours, strict=True)
    ]
    totals = [
        ([float(p.desired) for p in timeline.points], "#888", "5 4"),
        ([float(p.in_service) for p in timeline.points], "#000", "2 3"),
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        *_panel(
            [*totals, *zones],
            top=24,
            height=250,
            y_max=8,
            title="instances per zone; us-east-1c down from 1 h to 2 h",
            left=left,
            width=plot_w,
            count=count,
        ),
    ]
    for hour in range(4):
        x = left + plot_w * hour / 3
        parts.append(f'<text x="{x:.1f}" y="292" text-anchor="middle">{hour} h</text>')
    labels = [*FLEET_ZONES, "desired", "in service"]
    for i, (label, colour) in enumerate(
        zip(labels, [*colours, "#888", "#000"], strict=True)
    ):
        y = 40 + 22 * i
        parts.append(
            f'<line x1="{left + plot_w + 14}" y1="{y}" x2="{left + plot_w + 40}" '
            f'y2="{y}" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left + plot_w + 46}" y="{y + 4}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "autoscaling-policies.svg").write_text(
        autoscaling_policies_svg(), encoding="utf-8"
    )
    (out / "autoscaling-fleet.svg").write_text(
        autoscaling_fleet_svg(), encoding="utf-8"
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
