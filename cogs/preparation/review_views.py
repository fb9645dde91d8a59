"""Document review on Discord: rendering, the reviewer's and member's buttons, the forms, and
the outbox sender of the ``review_*`` kinds (offers, documents, results, updates by DM).

Nothing sent to a reviewer names an anonymous member: the payloads carry no member id then,
and the custom ids carry only the request id.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.app import FmgBot
from bot.outbox import DueItem, Receipt
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation import (
    COMMENTS_MAX,
    DOCUMENT_KINDS,
    RUBRIC,
    SENTENCE_MAX,
    Finding,
    ReviewDocument,
    ReviewOffer,
    ReviewResult,
    ReviewUpdate,
    Submitted,
)
from bot.services.text import sanitize
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    MAX_CONTENT,
    FmgModal,
    bot_of,
    persistent_view,
    run_safely,
    send_ephemeral,
    send_failed,
)

NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour.teal()
#: Pasted text in one modal field (Discord's limit for a text input); longer: attach a file.
PASTE_MAX = 4000


def kind_label(kind: str) -> str:
    return DOCUMENT_KINDS[kind]


def finding_lines(findings: Sequence[Finding]) -> list[str]:
    return [f"• {f.what}" + (f" ({f.where})" if f.where else "") for f in findings]


def checks_embed(submitted: Submitted, kind: str, specialty: str) -> discord.Embed:
    """The automatic checks, as the member gets them at once."""
    lines = finding_lines(submitted.findings) or ["• Nothing to fix: no check found a problem."]
    description, shown = "", 0
    for line in lines:
        if len(description) + len(line) + 80 > EMBED_DESCRIPTION_LIMIT:
            break
        description += line + "\n"
        shown += 1
    if shown < len(lines):
        description += f"…and {len(lines) - shown} more findings (fix these and ask again)."
    embed = discord.Embed(
        title=f"Automatic checks: {kind_label(kind)}, {SPECIALTIES[specialty]}"[:256],
        description=description, colour=COLOUR)
    embed.set_footer(text=f"{submitted.characters:,} characters. Field limits: "
                     f"{submitted.limit.source}"[:2048])
    return embed


def request_reply(submitted: Submitted) -> str:
    if submitted.request_id is None:
        return ("No reviewer has room for this kind of document and specialty this week, so "
                "nothing was kept. Here are the automatic checks; ask again later.")
    return ("Your document went to a reviewer (one at a time; if one cannot take it, the next "
            "is asked). The review comes by DM. Here are the automatic checks meanwhile.")


# -- the reviewer's offer ---------------------------------------------------------------------
class ReviewAnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                         template=r"fmg:review:(?P<action>accept|decline):(?P<request_id>\d+)"):
    """Accept or decline a review request (state is in the database)."""

    def __init__(self, action: str, request_id: int) -> None:
        super().__init__(discord.ui.Button(
            label=action.title(), custom_id=f"fmg:review:{action}:{request_id}",
            style=(discord.ButtonStyle.success if action == "accept"
                   else discord.ButtonStyle.danger)))
        self.action, self.request_id = action, request_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any],
                             match: re.Match[str], /) -> ReviewAnswerButton:
        return cls(match["action"], int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._answer(interaction))

    async def _answer(self, interaction: discord.Interaction) -> None:
        review = bot_of(interaction).services.preparation.review
        if self.action == "accept":
            await review.accept(self.request_id, interaction.user.id)
            text = "You accepted. The document comes in a moment, with a button to answer."
        else:
            await review.decline(self.request_id, interaction.user.id)
            text = "You declined; the request goes on to another reviewer. Thank you."
        await interaction.response.edit_message(content=text, embed=None, view=None)


def offer_text(offer: ReviewOffer) -> str:
    who = "A member" if offer.member_id is None else f"<@{offer.member_id}>"
    return (f"{who} asks you to review a **{kind_label(offer.kind).lower()}** for "
            f"**{SPECIALTIES[offer.specialty]}** ({offer.characters:,} characters). Accept before "
            f"<t:{int(offer.expires_at.timestamp())}:F>, or it goes to another reviewer. You "
            "read it here, in this DM, once you accept.")


# -- the reviewer's answer ------------------------------------------------------------------
class WriteReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                        template=r"fmg:review:write:(?P<request_id>\d+)"):
    def __init__(self, request_id: int) -> None:
        super().__init__(discord.ui.Button(label="Write the review",
                                           style=discord.ButtonStyle.primary,
                                           custom_id=f"fmg:review:write:{request_id}"))
        self.request_id = request_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any],
                             match: re.Match[str], /) -> WriteReviewButton:
        return cls(int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._open(interaction))

    async def _open(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).services.preparation.review.check_reviewer(
            self.request_id, interaction.user.id)
        await interaction.response.send_modal(ReviewModal(self.request_id))


class ReviewModal(FmgModal):
    """The rubric (four rows: a score of 1-4 and a sentence each) and free comments."""

    def __init__(self, request_id: int) -> None:
        super().__init__(title="Your review")
        self.request_id = request_id
        self.rows: dict[str, discord.ui.TextInput[ReviewModal]] = {}
        for key, label in RUBRIC.items():
            self.rows[key] = discord.ui.TextInput(
                label=f"{label} (1-4, then a sentence)", max_length=SENTENCE_MAX + 10,
                placeholder="3 Clear story, but the ending is rushed.")
            self.add_item(self.rows[key])
        self.comments: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            label="Comments", style=discord.TextStyle.paragraph, required=False,
            max_length=COMMENTS_MAX)
        self.add_item(self.comments)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).services.preparation.review.answer(
            self.request_id, interaction.user.id,
            {key: row.value for key, row in self.rows.items()}, self.comments.value)
        await send_ephemeral(interaction, "Sent: the member gets your review by DM. Thank you!")


def document_text(doc: ReviewDocument) -> str:
    who = "an anonymous member" if doc.member_id is None else f"<@{doc.member_id}>"
    head = (f"The **{kind_label(doc.kind).lower()}** ({SPECIALTIES[doc.specialty]}) of {who} is "
            "attached as text. Answer with the button: a score of 1-4 and a sentence for "
            "structure, specificity, red flags addressed and language, then any comments.")
    checks = "\n".join(finding_lines(doc.findings)[:8])
    text = f"{head}\nThe automatic checks already told the member:\n{checks}" if checks else head
    return text[:MAX_CONTENT]


# -- the member's result ----------------------------------------------------------------------
class RateReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                       template=r"fmg:review:rate:(?P<request_id>\d+):(?P<rating>[1-5])"):
    def __init__(self, request_id: int, rating: int) -> None:
        super().__init__(discord.ui.Button(label=f"{rating}", style=discord.ButtonStyle.secondary,
                                           custom_id=f"fmg:review:rate:{request_id}:{rating}"))
        self.request_id, self.rating = request_id, rating

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any],
                             match: re.Match[str], /) -> RateReviewButton:
        return cls(int(match["request_id"]), int(match["rating"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._rate(interaction))

    async def _rate(self, interaction: discord.Interaction) -> None:
        await bot_of(interaction).services.preparation.review.rate(
            self.request_id, interaction.user.id, self.rating)
        await interaction.response.edit_message(
            content=f"Thank you: you rated this review {self.rating}/5.", view=None)


def result_embed(result: ReviewResult) -> discord.Embed:
    by = "a reviewer" if result.reviewer_id is None else f"<@{result.reviewer_id}>"
    embed = discord.Embed(
        title=f"Your {kind_label(result.kind).lower()}: the review"[:256], colour=COLOUR,
        description=(f"By {by}.\n" + (sanitize(result.comments) or "(no further comments)"))[
            :EMBED_DESCRIPTION_LIMIT])
    for answer in result.rubric:
        embed.add_field(name=f"{RUBRIC[answer.key]}: {answer.score}/4",
                        value=sanitize(answer.sentence)[:1024] or "-", inline=False)
    embed.set_footer(text="Your document and this review are erased on "
                     f"{result.erase_at:%d %b %Y} (UTC).")
    return embed


def update_text(update: ReviewUpdate) -> str:
    why = ("the reviewer who accepted it did not answer in time" if update.overdue
           else "no reviewer could take it this time (each was asked in turn)")
    return (f"No review is coming for your {kind_label(update.kind).lower()}: {why}. It is "
            f"erased <t:{int(update.erase_at.timestamp())}:R>; try `/review request` again "
            "later.")


class ReviewSender:
    """DMs the review rows with their nonce: offers and documents to the reviewer, the review
    and updates to the member."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, payload: object) -> Receipt:
        try:
            user = self.bot.get_user(item.recipient) or await self.bot.fetch_user(item.recipient)
            message = await self._send(user, payload, item.nonce)
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc
        return Receipt(message.id)

    async def _send(self, user: discord.User, payload: object, nonce: str) -> discord.Message:
        if isinstance(payload, ReviewOffer):
            return await user.send(offer_text(payload), nonce=nonce, allowed_mentions=NO_MENTIONS,
                                   view=persistent_view(
                                       ReviewAnswerButton("accept", payload.request_id),
                                       ReviewAnswerButton("decline", payload.request_id)))
        if isinstance(payload, ReviewDocument):
            file = discord.File(io.BytesIO(payload.text.encode("utf-8")),
                                filename=f"{payload.kind}.txt")
            return await user.send(document_text(payload), file=file, nonce=nonce,
                                   allowed_mentions=NO_MENTIONS,
                                   view=persistent_view(WriteReviewButton(payload.request_id)))
        if isinstance(payload, ReviewResult):
            return await user.send(
                "Rate this review (1 poor, 5 great): your rating helps the reviewers.",
                embed=result_embed(payload), nonce=nonce, allowed_mentions=NO_MENTIONS,
                view=persistent_view(*(RateReviewButton(payload.request_id, n)
                                       for n in range(1, 6))))
        assert isinstance(payload, ReviewUpdate)
        return await user.send(update_text(payload), nonce=nonce, allowed_mentions=NO_MENTIONS)


class PasteModal(FmgModal):
    """`/review request` without a file: the text pasted in one field."""

    def __init__(self, kind: str, specialty: str, anonymous: bool) -> None:
        super().__init__(title=f"Paste your {kind_label(kind).lower()}"[:45])
        self.kind, self.specialty, self.anonymous = kind, specialty, anonymous
        self.text: discord.ui.TextInput[PasteModal] = discord.ui.TextInput(
            label="Your document", style=discord.TextStyle.paragraph, max_length=PASTE_MAX)
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        review = bot_of(interaction).services.preparation.review
        text = review.read_pasted(interaction.user.id, self.text.value)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_request(interaction, text, self.kind, self.specialty, self.anonymous)


async def send_request(interaction: discord.Interaction, text: str, kind: str, specialty: str,
                       anonymous: bool) -> None:
    assert interaction.guild_id is not None
    submitted = await bot_of(interaction).services.preparation.review.request(
        interaction.guild_id, interaction.user.id, kind, specialty, anonymous, text)
    await send_ephemeral(interaction, request_reply(submitted),
                         embed=checks_embed(submitted, kind, specialty))
