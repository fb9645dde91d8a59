"""A cohort's end: a week after its exam window the group asks its members for a milestone
(one post in the announcements channel that pings them), and three days later it is archived,
unless its owner keeps it (`/cohort keep`, which also brings the group back once the cohort
archived it). Both are rows of the one outbox:

- ``journey_cohort_notice`` (enqueued with the cohort): the post, which enqueues the archive
  row in its claim's transaction;
- ``journey_cohort_archive``: sent by the cog through the study groups' own archive (their
  sessions and scheduled events are cancelled as for any archive), then marked closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.clock import Clock
from bot.errors import Forbidden, NotFound
from bot.outbox import DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey._models import CohortArchive, CohortNotice
from bot.services.journey._store import JourneyStore
from bot.services.study_groups import StudyGroupService

NOTICE, ARCHIVE = "journey_cohort_notice", "journey_cohort_archive"
KINDS = (NOTICE, ARCHIVE)
AFTER_WINDOW = timedelta(days=7)
GRACE = timedelta(days=3)


def notice_due(window_end: date) -> datetime:
    """Noon UTC a week after the window's last exam date."""
    return datetime.combine(window_end + AFTER_WINDOW, time(12, 0), tzinfo=UTC)


class CohortClosing(Handler):
    policy = Policy(max_attempts=5, backoff_base_s=30, backoff_max_s=900)

    def __init__(self, store: JourneyStore, clock: Clock, outbox: Outbox,
                 guild_settings: GuildSettingsService, study_groups: StudyGroupService) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._guild_settings = guild_settings
        self._study = study_groups
        for kind in KINDS:
            outbox.register(kind, self)

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        cohort = await self._store.cohort(item.ref_id or 0)
        if cohort is None or cohort["kept_at"] is not None or cohort["closed_at"] is not None:
            return Skip("the cohort was kept or is closed", state="cancelled")
        if cohort["archived_at"] is not None:
            return Skip("the group was archived already", state="cancelled")
        if item.kind == ARCHIVE:
            return Send(CohortArchive(cohort["id"]))
        value = (await self._guild_settings.get(item.guild_id)).get("announcements_channel")
        if not value:
            return Skip("no announcements channel is set (/settings channel)", state="failed")
        archive_at = now + GRACE
        await self._outbox.enqueue(ARCHIVE, due=archive_at, guild_id=item.guild_id,
                                   ref_id=cohort["id"])
        done = await self._store.done_in_cohort(cohort["id"])
        members = tuple(m for m in await self._store.group_member_ids(cohort["group_id"])
                        if m not in done)
        return Send(CohortNotice(int(value), item.nonce, cohort["name"], members,
                                 cohort["owner_id"], archive_at, done=len(done)))

    async def archive(self, cohort_id: int) -> None:
        """Archive the cohort's group (what an ``journey_cohort_archive`` row's send does);
        doing it twice changes nothing."""
        cohort = await self._store.cohort(cohort_id)
        if cohort is None or cohort["kept_at"] is not None or cohort["closed_at"] is not None:
            return
        if cohort["archived_at"] is None:
            await self._study.groups.archive(cohort["guild_id"], cohort["group_id"],
                                             cohort["owner_id"], True)
        await self._store.mark_cohort(cohort_id, "closed_at", self._clock.now())

    async def keep(self, guild_id: int, group_id: int, user_id: int) -> tuple[str, bool]:
        """The owner keeps their cohort's group: it is not archived, and if the cohort has
        archived it already, it is brought back. Returns (its name, brought back)."""
        group = await self._study.groups.get(guild_id, group_id)
        limits = await self._study.quotas.limits(guild_id)
        async with self._store.db.transaction() as tx:
            cohort_id = await self._store.cohort_of_group(group_id)
            if cohort_id is None:
                raise NotFound(f"**{group.name}** is not a cohort: nothing will archive it.")
            if group.owner_id != user_id:
                raise Forbidden(f"Only the owner of **{group.name}** can keep it.")
            cohort = await self._store.cohort(cohort_id)
            restored = cohort is not None and cohort["closed_at"] is not None
            if restored:  # the cohort archived it: its owner undoes that
                await self._study.groups.restore_in(tx, limits, guild_id, group_id, user_id)
                await self._store.reopen_cohort(cohort_id)
            await self._store.mark_cohort(cohort_id, "kept_at", self._clock.now())
            await self._outbox.cancel(KINDS, cohort_id, "the owner kept the group")
        return group.name, restored
