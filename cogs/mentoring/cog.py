"""Mentor matchmaking on Discord: `/mentor ...` and `/mentee profile`.

A thin adapter over `bot.services.mentoring`: it parses options, checks moderator rights,
renders, and sends what the service's due work asks for (offers with Accept/Decline, reminders,
updates to mentees, private threads) as the outbox's sender of the mentoring kinds.
"""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands

from bot.app import FmgBot
from bot.checks import moderator_only
from bot.errors import Conflict, NotFound
from bot.outbox import DueItem, Receipt, Sender
from bot.paging import Pages, send_pages
from bot.services.mentoring import (
    ANSWER,
    CHECKIN,
    QUESTION,
    SENT_KINDS,
    STALLED,
    MentoringService,
    Notice,
)
from bot.services.mentoring.profile_review import decide_edit, pending_edit, pending_edits
from bot.services.mentoring.profiles import MAX_CAPACITY, MENTOR_STATUSES, MIN_CAPACITY
from bot.services.mentoring.vocab import LANGUAGES, SPECIALTIES, VISA_ROUTES
from bot.services.preparation import reviews_given
from bot.services.text import one_line
from bot.services.timezones import check_timezone
from bot.ui import pack_lines, send_ephemeral, send_failed, timezone_autocomplete
from cogs._base import FmgCog, guild_group
from cogs._threads import open_private_thread, thread_name
from cogs.mentoring.batch_preview import unpaired_csv, unpaired_summary
from cogs.mentoring.followup import (
    CadenceMenu,
    CallButton,
    CheckInButton,
    DetailsButton,
    FollowUpSender,
    ReplyButton,
    intro_view,
    offer_view,
)
from cogs.mentoring.views import (
    NO_MENTIONS,
    AnswerButton,
    AskMentorButton,
    MatchAllConfirm,
    ProfileWizard,
    candidate_buttons,
    candidates_embed,
    edit_embed,
    intro_text,
    mentee_embed,
    mentor_embed,
    offer_embed,
    roster_pages,
    stamp,
    update_text,
)

log = logging.getLogger(__name__)
PREVIEW_LINES = 20
#: Issue 20's kinds: check-ins and the coordinators' alert, a question and its answer.
FOLLOW_UP_KINDS = (CHECKIN, STALLED, QUESTION, ANSWER)


async def specialty_autocomplete(interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
    needle = current.casefold()
    return [app_commands.Choice(name=label, value=key) for key, label in SPECIALTIES.items()
            if needle in label.casefold()][:25]


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


class MentoringSender:
    """Sends the mentoring rows of the outbox: offers with Accept/Decline, reminders, updates
    to mentees, private threads. The engine claims, retries and marks; Discord refusing for good
    (closed DMs, deleted channel) gives the row up, and an offer that cannot reach its mentor
    moves on (the service decides that)."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    @property
    def service(self) -> MentoringService:
        return self.bot.services.mentoring

    async def send(self, item: DueItem, notice: Notice) -> Receipt:
        try:
            return Receipt(await self._send(notice, item))
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc

    async def _user(self, user_id: int) -> discord.User:
        return self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)

    async def _send(self, notice: Notice, item: DueItem) -> int | None:
        nonce = item.nonce
        if notice.kind == "thread":
            return await self._open_thread(notice, item)
        user = await self._user(notice.user_id)
        if notice.kind == "mentee_update":
            assert notice.update is not None
            message = await user.send(update_text(notice.update), allowed_mentions=NO_MENTIONS,
                                      nonce=nonce)
            return message.id
        assert notice.mentee is not None and notice.request_id is not None
        assert notice.expires_at is not None
        embed = offer_embed(notice.mentee, notice.expires_at)
        content = None
        if notice.kind == "reminder":
            content = (f"Reminder: <@{notice.mentee.user_id}> is still waiting for your answer "
                       f"(time runs out {stamp(notice.expires_at, 'R')}).")
        message = await user.send(content, embed=embed, view=offer_view(notice.request_id),
                                  allowed_mentions=NO_MENTIONS, nonce=nonce)
        return message.id

    async def _open_thread(self, notice: Notice, item: DueItem) -> int | None:
        pairing = notice.pairing
        assert pairing is not None
        config = await self.bot.services.guild_settings.get(pairing.guild_id)
        channel_id = config.get("mentoring_channel")
        if not channel_id:
            raise LookupError(f"guild {pairing.guild_id} has no mentoring channel configured")
        channel = self.bot.get_channel(int(channel_id)) or await self.bot.fetch_channel(
            int(channel_id))
        if not isinstance(channel, discord.TextChannel):
            raise LookupError(f"mentoring channel {channel_id} is not a text channel")
        mentor, mentee = (await self._user(pairing.mentor_user_id),
                          await self._user(pairing.mentee_user_id))
        thread = await open_private_thread(
            self.bot, channel,
            thread_name(f"Mentoring: {mentor.display_name} & {mentee.display_name}", pairing.id),
            item=item, recorded=pairing.thread_id,
            record=lambda thread_id: self.service.record_thread(pairing.id, thread_id))
        for user in (mentor, mentee):
            await thread.add_user(user)
        intro = await thread.send(
            intro_text(pairing, notice.mentee), view=intro_view(pairing.id), nonce=item.nonce,
            # The goals are the mentee's words: ping exactly the pair, nobody they may name.
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False,
                                                     users=[mentor, mentee]),
        )
        await intro.pin()
        return intro.id






class MentoringCog(FmgCog, name="Mentoring"):
    """Find a mentor who has walked your path, or become one."""

    mentor = guild_group("mentor", "Mentor matchmaking")
    mentee = guild_group("mentee", "Your mentee profile")
    dynamic_items = (AnswerButton, AskMentorButton, CadenceMenu, CallButton, CheckInButton,
                     DetailsButton, ReplyButton)

    def senders(self) -> dict[str, Sender]:
        senders: dict[str, Sender] = dict.fromkeys(SENT_KINDS, MentoringSender(self.bot))
        return senders | dict.fromkeys(FOLLOW_UP_KINDS, FollowUpSender(self.bot))

    @property
    def service(self) -> MentoringService:
        return self.bot.services.mentoring

    # -- mentors ----------------------------------------------------------------------------
    @mentor.command(name="register", description="Offer to mentor other FMGs")
    @app_commands.describe(timezone="Your IANA timezone, e.g. Asia/Kolkata",
                           capacity="How many mentees you can take at once (1-10)")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def register(self, interaction: discord.Interaction, timezone: str,
                       capacity: app_commands.Range[int, MIN_CAPACITY, MAX_CAPACITY]) -> None:
        existing = await self.service.get_mentor(_guild(interaction), interaction.user.id)
        if existing is not None and existing.status in ("pending", "approved"):
            raise Conflict("You are already registered: use `/mentor profile-edit`.")
        await self.service.check_not_removed(_guild(interaction), interaction.user.id)
        wizard = ProfileWizard(kind="mentor", owner_id=interaction.user.id,
                               guild_id=_guild(interaction), timezone=check_timezone(timezone),
                               capacity=capacity)
        await send_ephemeral(interaction, wizard.content, view=wizard)

    @mentor.command(name="profile-edit", description="Change your mentor profile")
    @app_commands.describe(timezone="A new IANA timezone (leave empty to keep yours)",
                           capacity="A new mentee capacity (leave empty to keep yours)")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def profile_edit(
        self, interaction: discord.Interaction, timezone: str | None = None,
        capacity: app_commands.Range[int, MIN_CAPACITY, MAX_CAPACITY] | None = None,
    ) -> None:
        mentor = await self.service.get_mentor(_guild(interaction), interaction.user.id)
        if mentor is None or mentor.status == "removed":
            raise NotFound("You have no mentor profile: register with `/mentor register`.")
        wizard = ProfileWizard(
            kind="mentor", owner_id=interaction.user.id, guild_id=_guild(interaction),
            timezone=check_timezone(timezone) if timezone else mentor.timezone,
            capacity=capacity or mentor.capacity, editing=True, mentor=mentor,
        )
        await send_ephemeral(interaction, wizard.content, view=wizard)

    @mentor.command(name="profile", description="Your mentor profile, with the document reviews you gave")
    async def mentor_profile(self, interaction: discord.Interaction) -> None:
        mentor = await self.service.get_mentor(_guild(interaction), interaction.user.id)
        if mentor is None:
            raise NotFound("You have no mentor profile: register with `/mentor register`.")
        embed = mentor_embed(mentor)
        given = await reviews_given(self.bot.services.preparation, _guild(interaction),
                                    interaction.user.id)
        embed.add_field(name="Document reviews given", value=str(given))
        await send_ephemeral(interaction, embed=embed)

    @mentor.command(name="pause", description="Stop receiving new mentee requests for now")
    async def pause(self, interaction: discord.Interaction) -> None:
        moved = await self.service.set_paused(_guild(interaction), interaction.user.id, True)
        extra = f" {moved} waiting request(s) went on to other mentors." if moved else ""
        await send_ephemeral(interaction, f"You are paused: no new requests will reach you "
                                          f"(`/mentor resume` to come back).{extra}")

    @mentor.command(name="resume", description="Receive mentee requests again")
    async def resume(self, interaction: discord.Interaction) -> None:
        await self.service.set_paused(_guild(interaction), interaction.user.id, False)
        await send_ephemeral(interaction, "Welcome back: mentees can be matched with you again.")

    # -- mentees ----------------------------------------------------------------------------
    @mentor.command(name="request", description="See your best mentor matches and ask one")
    async def request(self, interaction: discord.Interaction) -> None:
        config = await self.bot.services.guild_settings.get(_guild(interaction))
        if not config.get("mentoring_channel"):
            raise NotFound("Mentoring is not set up here yet: a moderator needs to choose the "
                           "mentoring channel with `/settings channel`.")
        candidates = await self.service.candidates(_guild(interaction), interaction.user.id)
        if not candidates:
            await send_ephemeral(interaction, "No mentor fits your profile right now (shared "
                                              "language, free capacity). Try again later.")
            return
        await send_ephemeral(interaction, embed=candidates_embed(candidates),
                             view=candidate_buttons(candidates))

    @mentor.command(name="status", description="Where your mentor request stands")
    async def status(self, interaction: discord.Interaction) -> None:
        state = await self.service.status(_guild(interaction), interaction.user.id)
        lines = []
        req = state.request
        if req is None:
            lines.append("You have not requested a mentor yet: `/mentor request`.")
        elif req.status == "pending" and req.paused:
            lines.append(f"Your request (sent {stamp(req.created_at, 'R')}) waits for <@"
                         f"{req.mentor_user_id}>, who asked you a question (see your DMs): their "
                         f"time to answer is paused until you reply. Mentors asked so far: "
                         f"{req.tried}.")
        elif req.status == "pending":
            lines.append(f"Your request (sent {stamp(req.created_at, 'R')}) waits for <@"
                         f"{req.mentor_user_id}>, who has until {stamp(req.expires_at, 'F')}. "
                         f"Mentors asked so far: {req.tried}.")
        elif req.status == "accepted" and req.ended_at is not None:
            lines.append(f"Your pairing with <@{req.mentor_user_id}> ended {stamp(req.ended_at, 'D')}; "
                         "`/mentor request` to find another mentor.")
        elif req.status == "accepted":
            lines.append(f"Your latest request was accepted by <@{req.mentor_user_id}>.")
        elif req.status == "exhausted":
            lines.append("Your latest request found no mentor; `/mentor request` to try again.")
        else:
            lines.append("You withdrew your latest request.")
        for p in state.pairings:
            where = f" in <#{p.thread_id}>" if p.thread_id else ""
            partner = (f"Mentoring <@{p.mentee_user_id}>" if p.mentor_user_id == interaction.user.id
                       else f"Paired with your mentor <@{p.mentor_user_id}>")
            lines.append(f"{partner} since {stamp(p.started_at, 'D')}{where}.")
        await send_ephemeral(interaction, "\n".join(lines))

    @mentor.command(name="withdraw", description="Withdraw your waiting mentor request")
    async def withdraw(self, interaction: discord.Interaction) -> None:
        await self.service.withdraw(_guild(interaction), interaction.user.id)
        await send_ephemeral(interaction, "Your request is withdrawn.")

    @mentor.command(name="end", description="End a mentoring pairing, with feedback")
    @app_commands.describe(member="The mentor or mentee to end with (if you have several)",
                           rating="How it went, 1 (poor) to 5 (great); moderators only see it",
                           feedback="A few words for the moderators (never shown to the other)")
    async def end(self, interaction: discord.Interaction, member: discord.User | None = None,
                  rating: app_commands.Range[int, 1, 5] | None = None,
                  feedback: app_commands.Range[str, 1, 1000] | None = None) -> None:
        pairing = await self.service.end_pairing(
            _guild(interaction), interaction.user.id,
            partner_user_id=member.id if member else None, rating=rating, feedback=feedback,
        )
        other = (pairing.mentee_user_id if pairing.mentor_user_id == interaction.user.id
                 else pairing.mentor_user_id)
        await send_ephemeral(interaction, f"Your pairing with <@{other}> has ended. Thank you!")

    # -- moderators -------------------------------------------------------------------------
    @mentor.command(name="roster", description="Browse mentors, with filters (moderators)")
    @app_commands.describe(status="Only mentors in this review state",
                           specialty="Only mentors of this specialty",
                           visa="Only mentors with this visa experience",
                           language="Only mentors speaking this language",
                           has_room="Only mentors with (or without) a free slot")
    @app_commands.choices(
        status=[app_commands.Choice(name=s, value=s) for s in MENTOR_STATUSES],
        visa=[app_commands.Choice(name=v, value=k) for k, v in VISA_ROUTES.items()],
        language=[app_commands.Choice(name=v, value=k) for k, v in LANGUAGES.items()],
    )
    @app_commands.autocomplete(specialty=specialty_autocomplete)
    @moderator_only()
    async def roster(self, interaction: discord.Interaction, status: str | None = None,
                     specialty: str | None = None, visa: str | None = None,
                     language: str | None = None, has_room: bool | None = None) -> None:
        mentors = await self.service.roster(_guild(interaction), status=status,
                                            specialty=specialty, visa=visa, language=language,
                                            has_room=has_room)
        await send_pages(interaction, roster_pages(mentors, "Mentor roster"))

    @mentor.command(name="review", description="Approve, reject, pause or remove a mentor")
    @app_commands.describe(member="The mentor", action="What to do")
    @app_commands.choices(action=[app_commands.Choice(name=a, value=a)
                                  for a in ("approve", "reject", "pause", "remove",
                                            "lift-removal")])
    @moderator_only()
    async def review(self, interaction: discord.Interaction, member: discord.User,
                     action: str) -> None:
        if action == "lift-removal":  # also for members who deleted their data since
            lifted = await self.service.lift_removal(_guild(interaction), member.id)
            await send_ephemeral(interaction, f"Done: <@{member.id}> may register as a mentor "
                                 "again." if lifted else f"<@{member.id}> was not removed.")
            return
        profile = await self.service.moderate(_guild(interaction), member.id, action)
        await send_ephemeral(interaction, f"Done: <@{member.id}> is now {profile.status}"
                             + (" (paused)." if profile.paused else "."),
                             embed=mentor_embed(profile))

    @mentor.command(name="edit-review",
                          description="Review mentors' edited profile text (moderators)")
    @app_commands.describe(member="The mentor whose edit to show or decide (empty: list them all)",
                           action="Show the edit (default), or approve or reject it")
    @app_commands.choices(action=[app_commands.Choice(name=a, value=a)
                                  for a in ("show", "approve", "reject")])
    @moderator_only()
    async def edit_review(self, interaction: discord.Interaction,
                          member: discord.User | None = None, action: str = "show") -> None:
        guild_id = _guild(interaction)
        if member is None:
            edits = await pending_edits(self.service, guild_id)
            lines = [f"<@{e.user_id}> · {stamp(e.submitted_at, 'R')}" for e in edits]
            await send_pages(interaction, Pages(
                pack_lines(lines or ["No profile edits are waiting."], limit=4000),
                lambda texts: discord.Embed(title="Profile edits waiting for review",
                                            description=texts[0], colour=discord.Colour.teal()),
            ))
            return
        if action == "show":
            waiting = await pending_edit(self.service, guild_id, member.id)
            if waiting is None:
                raise NotFound("That member has no profile edit waiting for review.")
            await send_ephemeral(interaction, embed=edit_embed(waiting))
            return
        decided = await decide_edit(self.service, guild_id, member.id, approve=action == "approve")
        outcome = "now shown to mentees" if action == "approve" else "dropped; the approved bio stays"
        await send_ephemeral(interaction, f"<@{decided.user_id}>'s edited bio is {outcome}.")

    @mentor.command(name="match-all",
                          description="Pair every waiting mentee optimally (preview first)")
    @moderator_only()
    async def match_all(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.service.plan_match_all(_guild(interaction))
        ratio = f" ({plan.total / plan.greedy_total:.3f}x greedy)" if plan.greedy_total else ""
        lines = [f"<@{p.mentee.user_id}> → <@{p.mentor.user_id}> · {p.score:.0f}"
                 for p in plan.pairs]
        shown = lines[:PREVIEW_LINES]
        more = (f"\n…and {len(lines) - len(shown)} more: every pair is in the attached CSV."
                if len(lines) > len(shown) else "")
        left_out = unpaired_summary(plan.unpaired)
        embed = discord.Embed(
            title="Match-all preview", colour=discord.Colour.teal(),
            description=(f"Waiting mentees: **{plan.waiting}**; proposed pairs: "
                         f"**{len(plan.pairs)}**; total score **{plan.total:.0f}**{ratio}.\n"
                         + (f"{left_out}\n" if left_out else "") + "\n"
                         + "\n".join(shown) + more)[:4096],
        )
        files = []
        if plan.pairs:
            csv_text = "mentee_user_id,mentor_user_id,score\n" + "".join(
                f"{p.mentee.user_id},{p.mentor.user_id},{p.score:.1f}\n" for p in plan.pairs)
            files.append(discord.File(io.BytesIO(csv_text.encode()), "match-all-preview.csv"))
        if plan.unpaired:
            files.append(discord.File(io.BytesIO(unpaired_csv(plan.unpaired).encode()),
                                      "match-all-unpaired.csv"))
        await interaction.followup.send(embed=embed, files=files, ephemeral=True,
                                        view=MatchAllConfirm(interaction.user.id, plan),
                                        allowed_mentions=NO_MENTIONS)

    @mentor.command(name="export", description="Download the mentor roster as CSV")
    @moderator_only()
    async def export(self, interaction: discord.Interaction) -> None:
        text = await self.service.roster_csv(_guild(interaction))
        await send_ephemeral(interaction, "The mentor roster:",
                             file=discord.File(io.BytesIO(text.encode()), "mentor-roster.csv"))

    @mentor.command(name="feedback", description="Read feedback from ended pairings")
    @moderator_only()
    async def feedback(self, interaction: discord.Interaction) -> None:
        entries = await self.service.feedback(_guild(interaction))
        lines = [f"<@{f.pairing.mentee_user_id}> & <@{f.pairing.mentor_user_id}> · by <@"
                 f"{f.ended_by}> · {f.rating or '-'}/5 · {stamp(f.pairing.ended_at, 'D')}\n> "
                 f"{one_line(f.text or '')[:1000]}" for f in entries]
        await send_pages(interaction, Pages(
            pack_lines(lines or ["No feedback yet."], limit=4000, sep="\n\n"),
            lambda texts: discord.Embed(title="Mentoring feedback", description=texts[0],
                                        colour=discord.Colour.teal()),
        ))

    # -- /mentee ----------------------------------------------------------------------------
    @mentee.command(name="profile", description="Create or update your mentee profile")
    @app_commands.describe(timezone="Your IANA timezone, e.g. Asia/Karachi")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def profile(self, interaction: discord.Interaction, timezone: str) -> None:
        assert interaction.guild_id is not None
        existing = await self.bot.services.mentoring.get_mentee(interaction.guild_id,
                                                                interaction.user.id)
        wizard = ProfileWizard(kind="mentee", owner_id=interaction.user.id,
                               guild_id=interaction.guild_id, timezone=check_timezone(timezone),
                               mentee=existing)
        kwargs = {"embed": mentee_embed(existing)} if existing else {}
        await send_ephemeral(interaction, wizard.content, view=wizard, **kwargs)
