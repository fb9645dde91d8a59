"""Interaction callbacks without the echo: answer, and do not ask Discord to send the answer back.

Since 2.5, discord.py posts every initial response (message, defer, modal, autocomplete, update)
with ``?with_response=1``, so Discord returns the whole message just sent, and discord.py
parses it into an ``InteractionMessage`` (embeds, components, interaction metadata) that only
the return value of ``response.send_message()`` and friends exposes. The bot never reads that
value: it reads its messages back with ``original_response()`` when it needs them. Under load
the echo cost ~10% of the bot's CPU per command (parsing JSON and building a Message it throws
away), and Discord the work of rendering it.

Without ``with_response`` Discord answers 204 No Content; the adapter then hands discord.py the
one field its bookkeeping reads (the interaction id), so ``InteractionCallbackResponse`` is built
as before with ``message_id`` None. Views sent in a reply are then stored by their custom ids
instead of by message id, as discord.py did before 2.5; every view the bot sends either has
discord.py's random custom ids or is made of DynamicItems, so nothing can collide.

``install()`` puts the adapter in discord.py's context variable for the current task; the bot
calls it in ``setup_hook``, which runs in the task that then connects and spawns every event
handler, so each interaction inherits it.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
from discord.http import MultipartParameters, Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.deadline import expired

__all__ = ["EchoFreeAdapter", "install"]

AUTOCOMPLETE_RESULT = 8  # the callback type of an autocomplete answer


class EchoFreeAdapter(AsyncWebhookAdapter):
    async def create_interaction_response(
        self,
        interaction_id: int,
        token: str,
        *,
        session: aiohttp.ClientSession,
        proxy: str | None = None,
        proxy_auth: aiohttp.BasicAuth | None = None,
        params: MultipartParameters,
    ) -> dict[str, Any]:
        route = Route(
            "POST",
            "/interactions/{webhook_id}/{webhook_token}/callback",
            webhook_id=interaction_id,
            webhook_token=token,
        )
        try:
            if params.files:
                data = await self.request(route, session=session, proxy=proxy,
                                          proxy_auth=proxy_auth, files=params.files,
                                          multipart=params.multipart)
            else:
                data = await self.request(route, session=session, proxy=proxy,
                                          proxy_auth=proxy_auth, payload=params.payload)
        except discord.NotFound as error:
            # Suggestions that came too late: the member's client has moved on, and nothing
            # is lost. discord.py would log each as an error it cannot handle.
            if not (expired(error) and (params.payload or {}).get("type") == AUTOCOMPLETE_RESULT):
                raise
            return {"interaction": {"id": str(interaction_id)}}
        # 204 gives "" (discord.py's json_or_text); a server that echoes anyway gives the payload.
        return data if isinstance(data, dict) else {"interaction": {"id": str(interaction_id)}}


def install() -> None:
    """Answer this task's interactions (and those of the tasks it starts) without the echo."""
    async_context.set(EchoFreeAdapter())
