"""LocalDiscord + the real fmg-bot (``bot.factory.create_bot``) in one event loop.

Used by the e2e fixtures (tests/e2e/conftest.py) and by ``fmg-bot sandbox``. The bot is the
production one, unmodified: only discord.py's two base URLs point at the local server.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from typing import TYPE_CHECKING, Any

from localdiscord.connect import pointed_at, start_client, stop_client
from localdiscord.driver import Driver
from localdiscord.seed import World, seed
from localdiscord.server import LocalDiscord

if TYPE_CHECKING:
    from bot.app import FmgBot
    from bot.clock import Clock
    from bot.config import Settings

log = logging.getLogger("localdiscord.harness")

# discord.py names the tasks that run interaction handlers (2.7: view, dynamic item, modal
# dispatch, app command invoker); none pending means the bot finished with every interaction.
HANDLER_TASKS = ("discord-ui-view-dispatch-", "discord-ui-dynamic-item-",
                 "discord-ui-modal-dispatch-", "CommandTree-invoker", "discord.py: interaction")


async def wait_bot_idle(timeout: float) -> bool:
    """Wait until no interaction handler task of the in-process bot is running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    current = asyncio.current_task()
    while loop.time() < deadline:
        busy = [t for t in asyncio.all_tasks() if t is not current and not t.done()
                and t.get_name().startswith(HANDLER_TASKS)]
        if not busy:
            return True
        await asyncio.sleep(0.002)
    return False


class BotHarness:
    """Start with ``await harness.start()``; ``harness.discord`` drives, ``harness.bot`` is live.

    ``configure_moderator_role`` (default on) stores the seeded Moderators role as the guild's
    ``moderator_role`` setting, as a real server's admin would after inviting the bot, so mira
    can use moderator commands; tests of that check turn it off or clear the setting.
    ``stable_ids`` gives the application, guild, members and channels the same ids on every
    start, so a database kept between sandbox sessions still matches the guild.
    """

    def __init__(self, settings: Settings, clock: Clock | None = None, *,
                 configure_moderator_role: bool = True, interaction_deadline: float = 3.0,
                 stable_ids: bool = False, validate: bool = True) -> None:
        self.settings = settings
        self.clock = clock
        clock_fn = (lambda: clock.now().timestamp()) if clock is not None else None
        self.server = LocalDiscord(clock=clock_fn, interaction_deadline=interaction_deadline,
                                   stable_ids=stable_ids, validate=validate)
        self.world: World | None = None
        self.discord: Driver | None = None
        self.bot: FmgBot | None = None
        self._task: asyncio.Task[None] | None = None
        self._pointing: contextlib.ExitStack | None = None
        self._configure_moderator_role = configure_moderator_role

    async def start(self) -> BotHarness:
        await self.server.start()
        self.world = seed(self.server)
        self.server.ids.follow(self.server.now)
        self.discord = Driver(self.server, self.world, bot_idle=wait_bot_idle)
        self._pointing = contextlib.ExitStack()
        self._pointing.enter_context(pointed_at(self.server))
        try:
            await self.start_bot()
            if self._configure_moderator_role:
                await self.set_setting("moderator_role", self.world.roles["moderators"].id)
        except BaseException:
            await self.stop()
            raise
        return self

    async def start_bot(self) -> FmgBot:
        """Create the real bot on the same settings (same DB file) and wait until it is ready."""
        from bot.factory import create_bot

        self.bot = create_bot(self.settings, clock=self.clock)
        self._task = await start_client(self.bot, self.server)
        return self.bot

    async def stop_bot(self) -> None:
        if self.bot is not None and self._task is not None:
            await stop_client(self.bot, self._task)
        self.bot, self._task = None, None
        # The bot froze the heap after setup (a long-lived process's startup objects); in a test
        # process that would keep every stopped bot alive, so hand it back to the collector.
        gc.unfreeze()

    async def restart_bot(self) -> FmgBot:
        """Close the bot and start a new one on the same database; the server keeps its state
        (messages with their buttons), as Discord would across a deploy."""
        await self.stop_bot()
        return await self.start_bot()

    async def set_setting(self, key: str, value: Any) -> None:
        """Store a per-guild setting through the bot's own service (as /settings would)."""
        assert self.bot is not None and self.world is not None
        await self.bot.services.guild_settings.set(self.world.guild_id, key, value)

    async def stop(self) -> None:
        try:
            await self.stop_bot()
        finally:
            await self.server.stop()
            if self._pointing is not None:
                self._pointing.close()
                self._pointing = None

    def problems(self) -> list[str]:
        """Every recorded violation and unknown route, one line each."""
        return [str(v) for v in self.server.violations] + [
            f"unknown route {r.method} {r.path} (answered 404)" for r in self.server.unknown_routes
        ]
