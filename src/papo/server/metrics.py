"""What a server has done and is doing, in Prometheus's text format (``--metrics``).

A chat of thousands is watched the way other servers are: Prometheus (or anything that reads
its format) scrapes ``/metrics`` now and then. Counting must cost the chat nothing it would
notice, so the counters are plain integers bumped where something already happens once (a
connection admitted, a flush of broadcasts), never once per recipient; what can be read off
the server's state (connections, users, rooms) is read only when asked. Rendering is pure.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric: its samples, each with its labels (none: one plain value)."""

    name: str
    kind: Literal["counter", "gauge"]
    help: str
    samples: tuple[tuple[Labels, float], ...]

    @classmethod
    def one(cls, name: str, kind: Literal["counter", "gauge"], help: str, value: float) -> Metric:
        return cls(name, kind, help, (({}, value),))

    @classmethod
    def by(
        cls,
        name: str,
        kind: Literal["counter", "gauge"],
        help: str,
        label: str,
        values: Mapping[str, int],
    ) -> Metric:
        """One sample per value of ``label``, in its order."""
        samples = tuple(({label: key}, float(count)) for key, count in sorted(values.items()))
        return cls(name, kind, help, samples)


@dataclass(slots=True)
class Counters:
    """What happened since the server started, bumped by the shell as it happens."""

    connections: int = 0  # admitted
    refused: Counter[str] = field(default_factory=Counter)  # by the error code said
    registrations: int = 0
    resumes: int = 0
    lines: int = 0  # lines read from registered clients and handled
    broadcasts: int = 0  # room events flushed to their members
    broadcast_writes: int = 0  # member writes those flushes made
    too_slow: int = 0  # clients dropped for not reading
    errors: Counter[str] = field(default_factory=Counter)  # told to users, by code
    missed: int = 0  # events the shared log lost before this server read them (--redis)


@dataclass(frozen=True, slots=True)
class Census:
    """Who is here now."""

    connections: int  # counted against the limits: registered or not
    users_here: int  # registered, on this server's connections
    users_held: int  # dropped here, held for a resume
    users_online: int  # names held in the whole chat (every server of it)
    rooms: int  # rooms somebody is in
    hub_available: bool | None = None  # whether Redis takes lines now (None: no --redis)


def chat_metrics(counters: Counters, census: Census) -> list[Metric]:
    c = counters
    metrics = [
        Metric.one("papo_connections", "gauge", "Connections open, registered or not",
                   census.connections),
        Metric.one("papo_users_here", "gauge", "Users connected to this server",
                   census.users_here),
        Metric.one("papo_users_held", "gauge", "Users dropped here, held for a resume",
                   census.users_held),
        Metric.one("papo_users_online", "gauge", "Names held in the whole chat, every server",
                   census.users_online),
        Metric.one("papo_rooms", "gauge", "Rooms somebody is in", census.rooms),
        Metric.one("papo_connections_total", "counter", "Connections admitted", c.connections),
        Metric.by("papo_connections_refused_total", "counter",
                  "Connections refused, by the error said", "reason", c.refused),
        Metric.one("papo_registrations_total", "counter", "Names taken by new connections",
                   c.registrations),
        Metric.one("papo_resumes_total", "counter", "Users back through /resume", c.resumes),
        Metric.one("papo_lines_total", "counter", "Lines read from clients and handled", c.lines),
        Metric.one("papo_broadcasts_total", "counter", "Room events written to their members",
                   c.broadcasts),
        Metric.one("papo_broadcast_writes_total", "counter",
                   "Writes to members that carried room events", c.broadcast_writes),
        Metric.one("papo_too_slow_total", "counter", "Clients dropped for not reading",
                   c.too_slow),
        Metric.by("papo_errors_total", "counter", "Errors told to users, by code", "code",
                  c.errors),
    ]  # fmt: skip
    if census.hub_available is not None:  # several servers: how their shared state is doing
        metrics.append(Metric.one("papo_hub_available", "gauge",
                                  "1 while Redis takes lines, 0 while they are refused",
                                  float(census.hub_available)))  # fmt: skip
        metrics.append(Metric.one("papo_missed_events_total", "counter",
                                  "Events the shared log lost before this server read them",
                                  c.missed))  # fmt: skip
    return metrics


def render(metrics: Iterable[Metric]) -> str:
    """The text format: HELP and TYPE, then each sample (label values escaped)."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {_escape_help(metric.help)}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for labels, value in metric.samples:
            shown = ",".join(f'{key}="{_escape_label(text)}"' for key, text in labels.items())
            lines.append(f"{metric.name}{{{shown}}} {_number(value)}" if labels else
                         f"{metric.name} {_number(value)}")  # fmt: skip
    return "\n".join(lines) + "\n"


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return _escape_help(text).replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 2**53 else repr(value)


def process_metrics(started: float) -> list[Metric]:
    """The process's own, under the names every Prometheus client library gives them."""
    metrics = [
        Metric.one("process_cpu_seconds_total", "counter", "CPU time, user and system, in seconds",
                   time.process_time()),
        Metric.one("process_start_time_seconds", "gauge", "When the process started (Unix time)",
                   started),
    ]  # fmt: skip
    resident = _resident_bytes()
    if resident is not None:
        metrics.append(Metric.one("process_resident_memory_bytes", "gauge",
                                  "Memory in RAM, in bytes", resident))  # fmt: skip
    descriptors = _open_descriptors()
    if descriptors is not None:
        metrics.append(Metric.one("process_open_fds", "gauge", "Open file descriptors",
                                  descriptors))  # fmt: skip
    return metrics


def _resident_bytes() -> int | None:
    """Linux's /proc; elsewhere the metric is left out rather than guessed."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _open_descriptors() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None
