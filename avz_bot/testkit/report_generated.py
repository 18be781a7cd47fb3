"""Generated caseload of a whole network for the demo's trend report (no personal data).

``seed_generated_network`` adds a year of cases in all ten Groningen municipalities on top
of whatever is in the database: per month and municipality a random number around a
weight (the city largest, the "Ommelander" municipalities growing through the year, as the
AVZ letter describes: 137 → 189 complex cases a year), the usual case types, regie taken
after a few working days (some never), older cases closed, and per case a few agreements
with deadlines, most done on time, some late, some still open. The same ``seed`` gives the
same network. References start at ``AVZ-<year>-10001`` so they never meet the known
fixture's (``avz_bot.testkit.report_fixture``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.settings_sections.cases import CASE_TYPES, GRONINGEN_MUNICIPALITIES
from avz_bot.testkit.report_fixture import Seeder, at, plus_working_days

#: New cases per month at the start of the year (about 40 in all); the city is largest.
MONTHLY_WEIGHT = {code: 2.9 for code in GRONINGEN_MUNICIPALITIES} | {"groningen": 14.0}
#: How much the Ommelander municipalities grow over the year (1.0: not at all).
OMMELAND_GROWTH = 1.8
#: Working days until the first regiehouder (None: not yet).
REGIE_AFTER = (0, 0, 1, 1, 1, 2, 2, 3, 5, 8, None)


def _count(rnd: random.Random, mean: float) -> int:
    """A small random count around ``mean`` (a binomial with three tries per unit)."""
    tries = max(1, round(mean * 3))
    return sum(rnd.random() < mean / tries for _ in range(tries))


def _weekday(rnd: random.Random, year: int, month: int) -> datetime:
    """09:00 UTC on a random weekday of that month."""
    day = at(year, month, rnd.randint(3, 28))
    # A weekend day moves back to its Friday (still in the month: the 3rd at the earliest).
    return day - timedelta(days=max(0, day.weekday() - 4))


async def seed_generated_network(session: AsyncSession, now: datetime, seed: int = 25) -> int:
    """Twelve months of cases up to ``now``'s month; returns how many cases it made."""
    rnd = random.Random(seed)
    seeder = Seeder(session)
    seeder.count = 10_000
    types = list(CASE_TYPES)
    made = 0
    for back in range(12, -1, -1):
        year, month = now.year, now.month - back
        while month < 1:
            year, month = year - 1, month + 12
        progress = (12 - back) / 12
        for code, weight in MONTHLY_WEIGHT.items():
            mean = (
                weight if code == "groningen" else weight * (1 + (OMMELAND_GROWTH - 1) * progress)
            )
            for _ in range(_count(rnd, mean)):
                created = _weekday(rnd, year, month)
                if created >= now:
                    continue
                closed = created + timedelta(days=rnd.randint(60, 200))
                case = await seeder.case(
                    code,
                    rnd.choice(types),
                    created,
                    regie_after=rnd.choice(REGIE_AFTER),
                    closed=closed if closed < now and rnd.random() < 0.7 else None,
                )
                made += 1
                for _ in range(rnd.randint(0, 3)):
                    deadline = plus_working_days(created, rnd.randint(5, 40))
                    if deadline >= now:
                        await seeder.agreement(case, deadline)
                        continue
                    late = rnd.random() < 0.3
                    done = plus_working_days(deadline, rnd.randint(1, 6)) if late else deadline
                    await seeder.agreement(case, deadline, completed=min(done, now))
    return made
