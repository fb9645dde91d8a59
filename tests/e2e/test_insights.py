"""`/stats` through the real bot on localdiscord: a PNG chart per topic attached to a private
reply with the same figures as text, for moderators only (issue 20). localdiscord checks every
upload against Discord's limits (files, sizes, attachment entries)."""

from __future__ import annotations

import io

from PIL import Image

from bot.clock import ManualClock
from bot.services.insights import TOPICS, lines
from bot.services.insights.charts import HEIGHT, WIDTH
from bot.services.text import md
from tests.unit.insights.seed import seed


async def test_stats_attaches_a_chart_per_topic_with_its_figures_as_text(
    e2e, discord, clock: ManualClock, mira
):
    guild = e2e.world.guild_id
    await seed(e2e.bot.db, clock.now(), guild=guild)
    reply = await discord.invoke("stats", user=mira, period=30)
    await reply.wait_followups(len(TOPICS) - 1)  # the first replaces the "thinking" message
    messages = reply.messages
    assert [m.attachments[0].filename for m in messages] == [f"stats-{t}.png" for t in TOPICS]
    insights = e2e.bot.services.insights
    for topic, message in zip(TOPICS, messages, strict=True):
        assert message.ephemeral and not message.pings_anyone
        [png] = message.attachments
        assert png.content_type == "image/png"
        with Image.open(io.BytesIO(png.data)) as image:
            assert image.size == (WIDTH, HEIGHT)
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 1
        [embed] = message.embeds
        figures = await insights.topic(topic, guild, insights.period(30))
        assert embed["title"] == f"{TOPICS[topic]} · last 30 days"
        assert embed["description"] == "\n".join(lines(figures, clean=md))
    assert "4 mentees waiting for a mentor, 2 free mentor slots" in messages[0].embeds[0]["description"]
    assert messages[0].data["attachments"][0]["description"].startswith("Chart: Mentoring")

    one = await discord.invoke("stats", user=mira, period=0, topic="resources")
    [message] = one.messages
    assert message.embeds[0]["title"] == "Resource searches · all time"
    assert "20 searches" in message.embeds[0]["description"]


async def test_stats_is_for_moderators_only(e2e, discord, alice):
    refused = await discord.invoke("stats", user=alice, period=7)
    assert refused.ephemeral and "moderator command" in refused.text
    assert not refused.attachments
