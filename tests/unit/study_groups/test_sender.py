"""The cog's sender maps Discord's answers onto the outbox's retry rules."""

from datetime import UTC, datetime
from types import SimpleNamespace

import discord
import pytest

from bot.outbox import DueItem, SendFailed
from bot.services.study_groups.models import OutgoingMessage, RsvpCounts
from cogs.study_groups.views import DiscordSender


def _http_error(status: int, cls: type[discord.HTTPException] = discord.HTTPException):
    response = SimpleNamespace(status=status, reason="reason")
    return cls(response, {"message": "nope", "code": 0})  # type: ignore[arg-type]


class _Channel(discord.abc.Messageable):
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.sent: list[dict] = []

    async def _get_channel(self):  # pragma: no cover - send is overridden
        return self

    async def send(self, content=None, **kwargs):  # type: ignore[override]
        if self.error:
            raise self.error
        self.sent.append({"content": content, **kwargs})
        return SimpleNamespace(id=4242)


def _bot(channel: _Channel, *, mentionable: bool = True, trusted: bool = False) -> SimpleNamespace:
    async def fetch_channel(_):  # pragma: no cover - get_channel finds it
        return channel

    async def ping_trusted(occurrence_id: int, role_id: int) -> bool:
        return trusted

    role = SimpleNamespace(id=3, name="Step 1", mentionable=mentionable, is_default=lambda: False)
    guild = SimpleNamespace(get_role=lambda rid: role if rid == 3 else None)
    groups = SimpleNamespace(ping_trusted=ping_trusted)
    return SimpleNamespace(
        get_channel=lambda _: channel, fetch_channel=fetch_channel, get_guild=lambda _: guild,
        services=SimpleNamespace(study_groups=SimpleNamespace(groups=groups)),
    )


ITEM = DueItem(id=1, kind="study_announce", guild_id=1, ref_id=7, recipient_id=None,
               data={"lead": 0}, due_at=datetime(2026, 1, 1, tzinfo=UTC), nonce="abc",
               attempts=1)
MESSAGE = OutgoingMessage(
    outbox_id=1, kind="announce", guild_id=1, channel_id=2, recipient_id=None, role_id=3,
    nonce="abc", occurrence_id=7, rsvps=RsvpCounts(1, 2, 0), delayed=False,
    group_name="Step 1 crew", title="Renal @everyone", starts_at=datetime(2026, 1, 2, tzinfo=UTC),
    duration_minutes=60, location=None, voice_channel_id=5, event_id=None,
)


async def test_sends_with_nonce_role_only_mentions_and_rsvp_buttons() -> None:
    channel = _Channel(None)
    receipt = await DiscordSender(_bot(channel)).send(ITEM, MESSAGE)  # type: ignore[arg-type]
    assert receipt.message_id == 4242 and receipt.channel_id == 2
    [sent] = channel.sent
    assert sent["nonce"] == "abc"
    assert sent["content"].splitlines()[:3] == [  # rendered here, from the service's data
        "<@&3> **Step 1 crew**: Renal \uff20everyone",
        "Starts <t:1767312000:F> (<t:1767312000:R>) · 60 min", "Where: <#5>",
    ]
    assert sent["allowed_mentions"].to_dict() == {"parse": [], "roles": [3]}  # no replied_user
    labels = [item.item.label for item in sent["view"].children]
    assert labels == ["Going (1)", "Maybe (2)", "Not going (0)"]


@pytest.mark.parametrize(("mentionable", "trusted", "roles"),
                         [(True, False, [3]), (False, True, [3]), (False, False, [])])
async def test_an_unmentionable_role_is_pinged_only_if_its_attacher_could(
    mentionable: bool, trusted: bool, roles: list[int]
) -> None:
    channel = _Channel(None)
    await DiscordSender(_bot(channel, mentionable=mentionable, trusted=trusted)).send(ITEM, MESSAGE)  # type: ignore[arg-type]
    assert channel.sent[0]["allowed_mentions"].to_dict().get("roles", []) == roles


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (_http_error(503, discord.DiscordServerError), False),
        (_http_error(429), False),
        (_http_error(403, discord.Forbidden), True),
        (_http_error(404, discord.NotFound), True),
    ],
)
async def test_errors_become_retry_or_give_up(error: Exception, permanent: bool) -> None:
    with pytest.raises(SendFailed) as info:
        await DiscordSender(_bot(_Channel(error))).send(ITEM, MESSAGE)  # type: ignore[arg-type]
    assert info.value.permanent is permanent
