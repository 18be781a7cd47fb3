"""Settings section ``[reminders]``: when the bot reminds people of agreements."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field

from avz_bot.domain.agreements.reminders import ReminderPolicy


class ReminderSettings(BaseModel):
    """When the bot reminds people of agreements (see README, "Reminders")."""

    model_config = ConfigDict(extra="forbid")

    #: A reminder at office start this many working days before the deadline (0: none).
    before_working_days: int = Field(default=2, ge=0, le=20)
    #: A reminder on the morning of the deadline at this time (empty: none).
    deadline_morning: time | None = time(9, 0)
    #: After the deadline: a reminder to the owner every working day (else only once).
    overdue_every_working_day: bool = True
    #: Daily overdue reminders stop after this many working days.
    max_overdue_reminders: int = Field(default=10, ge=0, le=100)
    #: On this overdue working day the regiehouder is told too (0: never).
    notify_regie_after_working_days: int = Field(default=2, ge=0, le=100)
    #: On this overdue working day the coordination room is told (0: never).
    notify_coordination_after_working_days: int = Field(default=5, ge=0, le=100)
    #: A reminder delivered this much after its planned moment says it is late.
    late_after_seconds: float = Field(default=300.0, ge=0)

    def policy(self) -> ReminderPolicy:
        """The pure-domain policy for these settings."""
        return ReminderPolicy(
            before_working_days=self.before_working_days,
            deadline_morning=self.deadline_morning,
            overdue_every_working_day=self.overdue_every_working_day,
            notify_regie_after_working_days=self.notify_regie_after_working_days or None,
            notify_coordination_after_working_days=(
                self.notify_coordination_after_working_days or None
            ),
            max_overdue_reminders=self.max_overdue_reminders,
        )
