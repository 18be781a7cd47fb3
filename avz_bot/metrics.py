"""Prometheus metrics, held in a registry owned by the application (no globals)."""

from __future__ import annotations

import os
import platform

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)

from avz_bot import __version__

#: Set by the image build (deploy/Containerfile) to the commit it was built from.
BUILD_COMMIT_ENV = "AVZ_BUILD_COMMIT"


class BotMetrics:
    """All metrics of one bot instance."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # The process (process_start_time_seconds, process_resident_memory_bytes,
        # process_open_fds, process_cpu_seconds_total; from /proc on Linux), the Python
        # runtime (python_info) and the build (avz_build_info).
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.build = Info("avz_build", "Version and build of this bot.", registry=self.registry)
        self.build.info(
            {
                "version": __version__,
                "commit": os.environ.get(BUILD_COMMIT_ENV, "unknown"),
                "python": platform.python_version(),
            }
        )
        self.commands = Counter(
            "avz_commands_total",
            "Commands handled, by command name and outcome.",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.command_latency = Histogram(
            "avz_command_latency_seconds",
            "Time from receiving a command from sync until its reply is stored.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.syncs = Counter(
            "avz_sync_total", "Sync requests, by result.", ["result"], registry=self.registry
        )
        self.last_sync_success = Gauge(
            "avz_sync_last_success_timestamp_seconds",
            "Unix time of the last successful sync.",
            registry=self.registry,
        )
        self.sync_failures_in_row = Gauge(
            "avz_sync_consecutive_failures",
            "Failed syncs since the last successful one.",
            registry=self.registry,
        )
        self.messages_sent = Counter(
            "avz_messages_sent_total",
            "Outbound messages, by result.",
            ["result"],
            registry=self.registry,
        )
        self.undecryptable = Counter(
            "avz_undecryptable_events_total",
            "Encrypted events the bot could not decrypt on arrival.",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "avz_homeserver_rate_limited_total",
            "HTTP 429 (rate limited) answers from the homeserver, by kind of request "
            "(sync, send, messages, keys, other); counted also when the Matrix library "
            "waits and retries by itself.",
            ["request"],
            registry=self.registry,
        )
        self.database_unavailable = Counter(
            "avz_database_unavailable_total",
            "Times work was held back because the database was unreachable or locked "
            "(sync batches, scheduled jobs, outbox).",
            ["component"],
            registry=self.registry,
        )
        self.retention_pruned = Counter(
            "avz_retention_pruned_rows_total",
            "Rows deleted by the retention job, by table.",
            ["table"],
            registry=self.registry,
        )
        # Operational gauges per municipality (avz_bot.services.reports.metrics): counts only.
        self.open_cases = Gauge(
            "avz_open_cases",
            "Open cases, by municipality.",
            ["municipality"],
            registry=self.registry,
        )
        self.cases_without_regie = Gauge(
            "avz_cases_without_regie",
            "Open cases without a regiehouder, by municipality.",
            ["municipality"],
            registry=self.registry,
        )
        self.overdue_agreements = Gauge(
            "avz_overdue_agreements",
            "Open agreements past their deadline, by municipality.",
            ["municipality"],
            registry=self.registry,
        )
        self.open_escalations = Gauge(
            "avz_open_escalations",
            "Open escalations (requested or acknowledged, of open cases), by municipality.",
            ["municipality"],
            registry=self.registry,
        )
        # The signed intake endpoint (avz_bot.intake_http): outcomes only, no organisation
        # beyond its registry code, never a value from a request.
        self.intake_submissions = Counter(
            "avz_intake_submissions_total",
            "Submissions to the signed intake endpoint, by HTTP status.",
            ["status"],
            registry=self.registry,
        )
