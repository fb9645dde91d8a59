"""Following mentorships up, on Discord (issue 20): the intro's cadence menu and "Suggest a
call" button, check-ins with Met / Not yet / End, the coordinators' alert, and "Ask for
details" on an offer with the mentee's answer. Every button and menu is a `DynamicItem`
whose custom id carries the ids it needs, so it works after restarts; the service checks who
may use it."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.app import FmgBot
from bot.errors import InvalidInput
from bot.outbox import DueItem, Receipt
from bot.services.mentoring import (
    CADENCES,
    CheckIn,
    CheckInAnswer,
    DetailsAnswer,
    DetailsQuestion,
    StalledAlert,
)
from bot.services.text import sanitize
from bot.ui import FmgModal, Menu, bot_of, persistent_view, run_safely, send_ephemeral, send_failed
from cogs.mentoring.views import NO_MENTIONS, AnswerButton, answer_view, intro_text, stamp

TEXT_MAX = 500


# -- the intro: cadence and calls ---------------------------------------------------------
class CadenceMenu(discord.ui.DynamicItem[Menu], template=r"fmg:mentor:cadence:(?P<pairing_id>\d+)"):
    """How often the pair means to meet; choosing rewrites the pinned intro to say so."""

    def __init__(self, pairing_id: int) -> None:
        super().__init__(Menu(
            custom_id=f"fmg:mentor:cadence:{pairing_id}", placeholder="How often will you meet?",
            options=[discord.SelectOption(label=label.capitalize(), value=key)
                     for key, label in CADENCES.items()],
        ))
        self.pairing_id = pairing_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Menu,
                             match: re.Match[str], /) -> CadenceMenu:
        return cls(int(match["pairing_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._choose(interaction))

    async def _choose(self, interaction: discord.Interaction) -> None:
        service = bot_of(interaction).services.mentoring
        pairing = await service.set_cadence(self.pairing_id, interaction.user.id,
                                            self.item.values[0])
        mentee = await service.get_mentee(pairing.guild_id, pairing.mentee_user_id)
        await interaction.response.edit_message(content=intro_text(pairing, mentee),
                                                allowed_mentions=NO_MENTIONS)


class CallButton(discord.ui.DynamicItem[discord.ui.Button],
                 template=r"fmg:mentor:call:(?P<pairing_id>\d+)"):
    """Three times this week inside both members' waking hours, posted in the thread."""

    def __init__(self, pairing_id: int) -> None:
        super().__init__(discord.ui.Button(label="Suggest a call",
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"fmg:mentor:call:{pairing_id}"))
        self.pairing_id = pairing_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> CallButton:
        return cls(int(match["pairing_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._suggest(interaction))

    async def _suggest(self, interaction: discord.Interaction) -> None:
        service = bot_of(interaction).services.mentoring
        times = await service.suggest_call(self.pairing_id, interaction.user.id)
        lines = "\n".join(f"• {stamp(at, 'F')} ({stamp(at, 'R')})" for at in times)
        await interaction.response.send_message(
            f"<@{interaction.user.id}> suggests a call of an hour at one of these times, inside "
            f"both your waking hours (each of you sees them in your own time zone):\n{lines}",
            allowed_mentions=NO_MENTIONS,
        )


def offer_view(request_id: int) -> discord.ui.View:
    """An offer's (and its reminder's) buttons: Accept, Decline, Ask for details."""
    return persistent_view(AnswerButton("accept", request_id), AnswerButton("decline", request_id),
                           DetailsButton(request_id))


def intro_view(pairing_id: int) -> discord.ui.View:
    return persistent_view(CadenceMenu(pairing_id), CallButton(pairing_id))


# -- check-ins ------------------------------------------------------------------------------
CHECKIN_LABELS = {"met": "Met", "notyet": "Not yet", "end": "End"}
CHECKIN_ANSWERS: dict[str, CheckInAnswer] = {"met": "met", "notyet": "not_yet"}


class CheckInButton(discord.ui.DynamicItem[discord.ui.Button],
                    template=r"fmg:mentor:checkin:(?P<action>met|notyet|end):"
                             r"(?P<pairing_id>\d+):(?P<week>\d+)"):
    def __init__(self, action: str, pairing_id: int, week: int) -> None:
        super().__init__(discord.ui.Button(
            label=CHECKIN_LABELS[action],
            style=(discord.ButtonStyle.success if action == "met" else
                   discord.ButtonStyle.secondary if action == "notyet"
                   else discord.ButtonStyle.danger),
            custom_id=f"fmg:mentor:checkin:{action}:{pairing_id}:{week}",
        ))
        self.action, self.pairing_id, self.week = action, pairing_id, week

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> CheckInButton:
        return cls(match["action"], int(match["pairing_id"]), int(match["week"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._answer(interaction))

    async def _answer(self, interaction: discord.Interaction) -> None:
        service = bot_of(interaction).services.mentoring
        if self.action == "end":
            await service.pairing_of_member(self.pairing_id, interaction.user.id)
            await interaction.response.send_modal(EndModal(self.pairing_id))
            return
        result = await service.answer_checkin(self.pairing_id, self.week, interaction.user.id,
                                              CHECKIN_ANSWERS[self.action])
        said = "met" if result.answer == "met" else "not met yet"
        await interaction.response.send_message(
            f"<@{interaction.user.id}> says you have {said} (week {self.week} check-in)."
            + ("" if result.answer == "met" else
               " Pick a time with **Suggest a call** on the pinned introduction."),
            allowed_mentions=NO_MENTIONS,
        )


class EndModal(FmgModal):
    """Ending from a check-in asks for the rating, as `/mentor end` does."""

    def __init__(self, pairing_id: int) -> None:
        super().__init__(title="End this mentorship")
        self.pairing_id = pairing_id
        self.rating: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="How did it go? 1 (poor) to 5 (great)", max_length=1, min_length=1)
        self.feedback: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="A few words for the moderators (optional)", required=False,
            style=discord.TextStyle.paragraph, max_length=1000)
        self.add_item(self.rating)
        self.add_item(self.feedback)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not self.rating.value.isdigit():
            raise InvalidInput("The rating is a number from 1 to 5.")
        service = bot_of(interaction).services.mentoring
        pairing = await service.get_pairing(self.pairing_id)
        await service.end_pairing(pairing.guild_id, interaction.user.id, partner_user_id=None,
                                  rating=int(self.rating.value), feedback=self.feedback.value,
                                  pairing_id=self.pairing_id)
        await send_ephemeral(interaction, "This mentorship has ended. Thank you for your rating!")


def checkin_view(pairing_id: int, week: int) -> discord.ui.View:
    return persistent_view(*(CheckInButton(action, pairing_id, week) for action in CHECKIN_LABELS))


# -- ask for details --------------------------------------------------------------------------
class DetailsButton(discord.ui.DynamicItem[discord.ui.Button],
                    template=r"fmg:mentor:details:(?P<request_id>\d+)"):
    """Beside Accept/Decline: the mentor's one question to the mentee."""

    def __init__(self, request_id: int) -> None:
        super().__init__(discord.ui.Button(label="Ask for details",
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"fmg:mentor:details:{request_id}"))
        self.request_id = request_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> DetailsButton:
        return cls(int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._open(interaction))

    async def _open(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).services.mentoring.check_can_ask(self.request_id,
                                                                   interaction.user.id)
        await interaction.response.send_modal(TextModal(
            "Ask the mentee one question", "Your question", self._send))

    async def _send(self, interaction: discord.Interaction, text: str) -> None:
        asked = await bot_of(interaction).services.mentoring.ask_details(
            self.request_id, interaction.user.id, text)
        await send_ephemeral(
            interaction, f"Your question is on its way to <@{asked.mentee_user_id}>. Your time "
            f"to answer is paused until they reply, or until {stamp(asked.answer_by, 'F')} at "
            "the latest.")


class ReplyButton(discord.ui.DynamicItem[discord.ui.Button],
                  template=r"fmg:mentor:reply:(?P<offer_id>\d+)"):
    """Under the mentor's question in the mentee's DMs."""

    def __init__(self, offer_id: int) -> None:
        super().__init__(discord.ui.Button(label="Answer", style=discord.ButtonStyle.primary,
                                           custom_id=f"fmg:mentor:reply:{offer_id}"))
        self.offer_id = offer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> ReplyButton:
        return cls(int(match["offer_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, interaction.response.send_modal(TextModal(
            "Answer the mentor", "Your answer", self._send)))

    async def _send(self, interaction: discord.Interaction, text: str) -> None:
        await bot_of(interaction).services.mentoring.answer_details(self.offer_id,
                                                                    interaction.user.id, text)
        await send_ephemeral(interaction, "Your answer was sent to the mentor.")


class TextModal(FmgModal):
    def __init__(self, title: str, label: str, then: Any) -> None:
        super().__init__(title=title)
        self.then = then
        self.body: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=label, style=discord.TextStyle.paragraph, max_length=TEXT_MAX)
        self.add_item(self.body)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.then(interaction, self.body.value)


# -- the senders --------------------------------------------------------------------------------
class FollowUpSender:
    """Sends check-ins and alerts (in channels) and the question and its answer (DMs)."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, payload: object) -> Receipt:
        try:
            return Receipt(await self._send(payload, item.nonce))
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise LookupError(f"channel {channel_id} takes no messages")
        return channel

    async def _dm(self, user_id: int) -> discord.abc.Messageable:
        return self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)

    async def _send(self, payload: object, nonce: str) -> int:
        if isinstance(payload, CheckIn):
            p = payload.pairing
            assert p.thread_id is not None
            message = await (await self._channel(p.thread_id)).send(
                f"Week {payload.week} check-in: <@{p.mentee_user_id}> and <@{p.mentor_user_id}>, "
                "have you met since you were paired? Either of you can answer; **End** closes "
                "the mentorship and asks for your rating.",
                view=checkin_view(p.id, payload.week), nonce=nonce,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False,
                    users=[discord.Object(p.mentee_user_id), discord.Object(p.mentor_user_id)]),
            )
        elif isinstance(payload, StalledAlert):
            p = payload.pairing
            message = await (await self._channel(payload.channel_id)).send(
                f"<@&{payload.role_id}> The mentorship of <@{p.mentee_user_id}> with mentor "
                f"<@{p.mentor_user_id}> (since {stamp(p.started_at, 'D')}) answered \"not yet\" "
                "at two check-ins in a row: they may need a hand.",
                nonce=nonce,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(payload.role_id)]),
            )
        elif isinstance(payload, DetailsQuestion):
            message = await (await self._dm(payload.mentee_user_id)).send(
                f"<@{payload.mentor_user_id}>, the mentor your request is waiting for, asks "
                f"before answering:\n> {sanitize(payload.question)}\n\nAnswer with the button "
                f"below; their time to answer your request is paused until you do (at most "
                f"until {stamp(payload.answer_by, 'F')}).",
                view=persistent_view(ReplyButton(payload.offer_id)), nonce=nonce,
                allowed_mentions=NO_MENTIONS,
            )
        else:
            assert isinstance(payload, DetailsAnswer)
            message = await (await self._dm(payload.mentor_user_id)).send(
                f"<@{payload.mentee_user_id}> answered your question.\n**You asked**: "
                f"{sanitize(payload.question)}\n**Their answer**: {sanitize(payload.answer)}\n\n"
                f"Please accept or decline by {stamp(payload.expires_at, 'F')}.",
                view=answer_view(payload.request_id), nonce=nonce,
                allowed_mentions=NO_MENTIONS,
            )
        return message.id
