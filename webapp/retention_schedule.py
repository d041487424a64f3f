"""The daily personal-data retention schedule, created (or brought up to date) by the worker
at start: Temporal Schedule `personal-data-retention`, visible in the Web UI's Schedules."""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from webapp.config import Settings
from workflows import retention_contracts as rc

log = logging.getLogger("aos.retention")


def retention_schedule(settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            rc.RETENTION_WORKFLOW_NAME,
            rc.RetentionInput(retention_seconds=settings.personal_data_retention),
            id=f"{rc.RETENTION_SCHEDULE_ID}-run",
            task_queue=settings.temporal_task_queue,
        ),
        spec=ScheduleSpec(cron_expressions=[rc.RETENTION_CRON]),
        # A missed day (worker or server down) runs once when they are back; never two at once.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
        state=ScheduleState(
            note="Erases personal data older than PERSONAL_DATA_RETENTION (privacy notice)."
        ),
    )


async def ensure_retention_schedule(client: Client, settings: Settings) -> str:
    """Create the schedule, or update it to the current settings: safe at every start.

    Returns "created" or "updated"."""
    schedule = retention_schedule(settings)
    try:
        await client.create_schedule(rc.RETENTION_SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:

        def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
            # Keep an operator's pause; take the action and timing from the environment.
            schedule.state = current.description.schedule.state
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(rc.RETENTION_SCHEDULE_ID).update(update)
        log.info("Retention schedule %s brought up to date", rc.RETENTION_SCHEDULE_ID)
        return "updated"
    log.info("Retention schedule %s created (daily)", rc.RETENTION_SCHEDULE_ID)
    return "created"
