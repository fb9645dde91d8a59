"""Mock interviews on Discord: rendering, and the outbox senders of each pair's private thread
and of the DMs (questions for the interviewer, no partner this week, sitting a round out, the
interviewee's rubric)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.app import FmgBot
from bot.outbox import DueItem, Receipt, SendFailed
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation import (
    MOCK_RUBRIC,
    MOCK_SCORES,
    WEEKDAYS,
    FeedbackDm,
    MockDm,
    MockStatus,
    PairThread,
    QuestionsDm,
    Schedule,
    SitOutDm,
    UnpairedDm,
)
from bot.services.text import sanitize
from bot.services.timezones import format_local, zone_city
from bot.ui import send_failed
from cogs._threads import open_private_thread, thread_name

NO_MENTIONS = discord.AllowedMentions.none()
CATEGORIES = (("general", "General"), ("behavioural", "Behavioural"),
              ("specialty", "Specialty"), ("img", "The IMG questions"))


def when(instant: datetime) -> str:
    epoch = int(instant.timestamp())
    return f"<t:{epoch}:F> (<t:{epoch}:R>)"


def time_line(instant: datetime, zones: Sequence[str]) -> str:
    """A proposed time: Discord shows it in each reader's zone, and the text in both members'."""
    local = " · ".join(f"{format_local(instant, ZoneInfo(z))} ({zone_city(z)})"
                       for z in dict.fromkeys(zones))
    return f"<t:{int(instant.timestamp())}:F> · {local}"


def specialty_label(key: str) -> str:
    return SPECIALTIES.get(key, key)


def schedule_text(schedule: Schedule) -> str:
    hours, minutes = divmod(schedule.close_minute, 60)
    return (f"Mock interview rounds close every **{WEEKDAYS[schedule.weekday]} at "
            f"{hours:02d}:{minutes:02d}** ({schedule.zone}); pairs get a private thread in "
            f"<#{schedule.channel_id}>. This week's round closes {when(schedule.next_close)}.")


def status_text(status: MockStatus, user_id: int) -> str:
    if status.closes_at is None:
        return ("Mock interviews are not set up in this server yet: a moderator sets when rounds "
                "close with `/mock schedule`.")
    if status.sitting_out:
        lines = [f"You sit out this week's round (it closes {when(status.closes_at)}): two of "
                 "your sessions in a row were missed."]
    elif status.entry is None:
        lines = [f"You are not in this week's round; it closes {when(status.closes_at)}. Join "
                 "with `/mock join`."]
    else:
        carried = ", paired first (no partner last week)" if status.entry.carried else ""
        lines = [f"You are in this week's round as **{status.entry.role}** "
                 f"({specialty_label(status.entry.specialty)}{carried}); it closes "
                 f"{when(status.closes_at)}."]
    pair = status.last_pair
    if pair is not None:
        role = "interviewer" if pair.interviewer_id == user_id else "interviewee"
        partner = pair.partner_of(user_id)
        who = f"<@{partner}>" if partner else "a member who has since deleted their data"
        where = f" in <#{pair.thread_id}>" if pair.thread_id else ""
        times = ", ".join(f"<t:{int(t.timestamp())}:f>" for t in pair.times)
        lines.append(f"Your last session: {role}, with {who}{where}; times proposed: "
                     f"{times or 'none'}.")
        lines.append("You gave your feedback on it." if status.feedback_given
                     else "After it, tell us how it went with `/mock feedback`.")
    return "\n".join(lines)


def thread_intro(message: PairThread) -> str:
    interviewer, interviewee = f"<@{message.interviewer_id}>", f"<@{message.interviewee_id}>"
    lines = [
        f"**Mock interview · {specialty_label(message.specialty)}**",
        f"{interviewer} interviews {interviewee} this week. These times fit both of your waking "
        "hours; agree on one here:",
        *(f"{n}. {time_line(t, message.zones)}" for n, t in enumerate(message.times, start=1)),
    ]
    if not message.times:
        lines.append("(No time in the coming week fits both of you well: agree on one here.)")
    lines += [
        f"{interviewer}: your questions are in your DMs, each with what a strong answer covers.",
        "Meet on a call (or here), 30-45 minutes of questions, then 10 minutes of feedback. "
        "Afterwards each of you runs `/mock feedback`: the interviewer's rubric goes only to "
        "the interviewee, and a missed session is recorded (two in a row sit a member out of "
        "one round).",
    ]
    return "\n".join(lines)


def questions_embeds(message: QuestionsDm) -> list[discord.Embed]:
    embeds = []
    for category, title in CATEGORIES:
        chosen = [q for q in message.questions if q.category == category]
        if not chosen:
            continue
        if category == "specialty":
            title = f"{title}: {specialty_label(message.specialty)}"
        text = "\n\n".join(f"**{q.text}**\nA strong answer: {q.strong_answer}" for q in chosen)
        embeds.append(discord.Embed(title=title, description=text[:4096],
                                    colour=discord.Colour.dark_teal()))
    return embeds


def dm_content(message: MockDm) -> str:
    if isinstance(message, QuestionsDm):
        return (f"Your mock interview with <@{message.interviewee_id}> "
                f"({specialty_label(message.specialty)}): the questions to ask, each with what "
                "a strong answer covers. Pick a time in your pair's thread; after the session, "
                "`/mock feedback` sends your rubric to the interviewee only.")
    if isinstance(message, UnpairedDm):
        return ("No mock interview partner for you this week: nobody left in the round fitted "
                "your role, a shared language and your waking hours without repeating a past "
                "partner. You are kept for next week's round and paired first; it closes "
                f"{when(message.next_close)}. `/mock leave` takes you out.")
    if isinstance(message, SitOutDm):
        return ("You sit out the mock interview round that closes "
                f"{when(message.round_closes)}: your partners reported two missed sessions in a "
                "row, and each one left a member without practice. You can `/mock join` again "
                "once it has closed.")
    return (f"Feedback on your mock interview from <@{message.interviewer_id}> (only you were "
            "sent this).")


def feedback_embed(message: FeedbackDm) -> discord.Embed:
    embed = discord.Embed(title="Your mock interview rubric", colour=discord.Colour.green(),
                          description=sanitize(message.comment)[:4000] or None)
    for key, score in message.rubric.items():
        label, strong = MOCK_RUBRIC[key]
        embed.add_field(name=f"{label}: {score}/4 ({MOCK_SCORES[score]})",
                        value=f"A 4 looks like: {strong}."[:1024], inline=False)
    return embed


class PairThreadSender:
    """Opens the pair's private thread (once: a retry reuses it), adds both members and posts the
    times with the row's nonce, pinging exactly the pair."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, message: PairThread) -> Receipt:
        try:
            channel = self.bot.get_channel(message.channel_id) or await self.bot.fetch_channel(
                message.channel_id)
            if not isinstance(channel, discord.TextChannel):
                raise SendFailed("the mock interviews channel is not a text channel",
                                 permanent=True)
            users = [self.bot.get_user(u) or await self.bot.fetch_user(u)
                     for u in (message.interviewer_id, message.interviewee_id)]
            sends = self.bot.services.preparation.mock.sends
            thread = await open_private_thread(
                self.bot, channel,
                thread_name(f"Mock interview: {users[0].display_name} & {users[1].display_name}",
                            message.pair_id),
                item=item, recorded=message.thread_id,
                record=lambda thread_id: sends.record_thread(message.pair_id, thread_id))
            for user in users:
                await thread.add_user(user)
            sent = await thread.send(
                thread_intro(message), nonce=message.nonce,
                allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=users))
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc
        return Receipt(sent.id, channel_id=message.channel_id, thread_id=thread.id)


class MockDmSender:
    """Sends one of the mock interview DMs with the row's nonce."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, message: MockDm) -> Receipt:
        embeds = (questions_embeds(message) if isinstance(message, QuestionsDm)
                  else [feedback_embed(message)] if isinstance(message, FeedbackDm) else [])
        try:
            user = self.bot.get_user(message.recipient_id) or await self.bot.fetch_user(
                message.recipient_id)
            sent = await user.send(dm_content(message), embeds=embeds,
                                   allowed_mentions=NO_MENTIONS, nonce=message.nonce)
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc
        return Receipt(sent.id)
