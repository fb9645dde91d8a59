"""Views, modals, persistent buttons and embeds for `cogs/mentoring/cog.py`.

Accept/Decline are `DynamicItem`s whose custom id carries the request id, so a mentor can
answer a message sent days ago, after any number of restarts: the state lives in the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord.utils import TimestampStyle, format_dt

from bot.errors import Forbidden, InvalidInput
from bot.paging import Pages
from bot.services.mentoring import (
    CADENCES,
    BatchPlan,
    Candidate,
    MenteeInput,
    MenteeProfile,
    MenteeUpdate,
    MentorInput,
    MentorProfile,
    Pairing,
)
from bot.services.mentoring.profile_review import PendingEdit
from bot.services.mentoring.profiles import BIO_MAX, GOALS_MAX
from bot.services.mentoring.vocab import (
    EXAM_STAGES,
    LANGUAGES,
    SPECIALTIES,
    VISA_ROUTES,
    labels,
)
from bot.services.text import one_line, sanitize
from bot.ui import FmgModal, FmgView, Menu, OwnerView, bot_of, persistent_view, run_safely

if TYPE_CHECKING:
    pass

NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour.teal()
_SPEC_KEYS = list(SPECIALTIES)
# 28 specialties, a menu holds at most 25 options: two menus, A-N and O-Z.
SPEC_PAGES = (_SPEC_KEYS[:14], _SPEC_KEYS[14:])


def _options(keys: Sequence[str], vocabulary: dict[str, str] | Any,
             chosen: Sequence[str]) -> list[discord.SelectOption]:
    return [discord.SelectOption(label=vocabulary[k][:100], value=k, default=k in chosen)
            for k in keys]


def stamp(at: datetime | None, style: TimestampStyle) -> str:
    """An instant as ``<t:...>`` (each reader sees their own zone); "-" for none."""
    return "-" if at is None else format_dt(at, style)


# -- profile wizard -------------------------------------------------------------------------
class ProfileWizard(OwnerView):
    """Selects on two pages, then a modal for free text. ``kind``: "mentor" or "mentee".

    Nothing is saved until the modal is submitted; the service validates everything again.
    """

    not_yours = "This form belongs to whoever opened it."

    def __init__(self, *, kind: str, owner_id: int, guild_id: int, timezone: str,
                 capacity: int = 1, editing: bool = False,
                 mentor: MentorProfile | None = None, mentee: MenteeProfile | None = None,
                 ) -> None:
        super().__init__(owner_id, timeout=900)
        self.kind, self.guild_id = kind, guild_id
        self.timezone, self.capacity, self.editing = timezone, capacity, editing
        if mentor is not None:
            self.specialties = [list(s for s in page if s in mentor.specialties)
                                for page in SPEC_PAGES]
            self.visas, self.stage = list(mentor.visas), mentor.stage
            self.languages, self.text = list(mentor.languages), mentor.bio
        elif mentee is not None:
            self.specialties = [[mentee.specialty] if mentee.specialty in page else []
                                for page in SPEC_PAGES]
            self.visas, self.stage = [mentee.visa], mentee.stage
            self.languages, self.text = list(mentee.languages), mentee.goals
        else:
            self.specialties, self.visas, self.stage = [[], []], [], None
            self.languages, self.text = [], ""
        self._page_one()

    @property
    def content(self) -> str:
        who = "mentor" if self.kind == "mentor" else "mentee"
        return (f"**Your {who} profile** (timezone {self.timezone}). Step 1 of 2: "
                + ("your specialties, visa experience and the exam stage you reached."
                   if self.kind == "mentor" else
                   "the specialty you aim for (one), your visa need and your exam stage."))

    def _page_one(self) -> None:
        self.clear_items()
        multi = self.kind == "mentor"
        for number, page in enumerate(SPEC_PAGES):
            menu = Menu(
                placeholder=f"Specialties {SPECIALTIES[page[0]][0]}-{SPECIALTIES[page[-1]][0]}",
                min_values=0, max_values=len(page) if multi else 1,
                options=_options(page, SPECIALTIES, self.specialties[number]), row=number,
            )
            menu.callback = self._store_specialties(number, menu)
            self.add_item(menu)
        visa = Menu(
            placeholder="Visa routes you have lived" if multi else "The visa you will need",
            min_values=0, max_values=len(VISA_ROUTES) if multi else 1,
            options=_options(list(VISA_ROUTES), VISA_ROUTES, self.visas), row=2,
        )
        visa.callback = self._store(visa, "visas")
        self.add_item(visa)
        stage = Menu(
            placeholder="Exam stage reached", min_values=1, max_values=1,
            options=_options(list(EXAM_STAGES)[0 if not multi else 1:], EXAM_STAGES,
                             [self.stage] if self.stage else []), row=3,
        )
        stage.callback = self._store(stage, "stage")
        self.add_item(stage)
        button = discord.ui.Button(label="Next: languages", style=discord.ButtonStyle.primary,
                                   row=4)
        button.callback = self._next
        self.add_item(button)

    def _page_two(self) -> None:
        self.clear_items()
        languages = Menu(
            placeholder="Languages you speak", min_values=1, max_values=len(LANGUAGES),
            options=_options(list(LANGUAGES), LANGUAGES, self.languages), row=0,
        )
        languages.callback = self._store(languages, "languages")
        self.add_item(languages)
        back = discord.ui.Button(label="Back", style=discord.ButtonStyle.secondary, row=1)
        back.callback = self._back
        self.add_item(back)
        finish = discord.ui.Button(
            label="Write your bio and save" if self.kind == "mentor" else "Write your goals and save",
            style=discord.ButtonStyle.success, row=1,
        )
        finish.callback = self._finish
        self.add_item(finish)

    def _store_specialties(self, number: int, menu: Menu):
        async def callback(interaction: discord.Interaction) -> None:
            self.specialties[number] = list(menu.values)
            await interaction.response.defer()
        return callback

    def _store(self, menu: Menu, attribute: str):
        async def callback(interaction: discord.Interaction) -> None:
            values = list(menu.values)
            setattr(self, attribute, values[0] if attribute == "stage" else values)
            await interaction.response.defer()
        return callback

    def _chosen_specialties(self) -> list[str]:
        return [k for page in self.specialties for k in page]

    async def _next(self, interaction: discord.Interaction) -> None:
        chosen = self._chosen_specialties()
        if not chosen:
            raise InvalidInput("Pick at least one specialty.")
        if self.kind == "mentee" and len(chosen) > 1:
            raise InvalidInput("As a mentee, pick one target specialty (clear the other list).")
        if not self.visas:
            raise InvalidInput("Pick a visa route.")
        if not self.stage:
            raise InvalidInput("Pick your exam stage.")
        self._page_two()
        await interaction.response.edit_message(
            content=f"**Step 2 of 2**: the languages you speak, then "
                    f"{'a short bio' if self.kind == 'mentor' else 'your goals'}.", view=self)

    async def _back(self, interaction: discord.Interaction) -> None:
        self._page_one()
        await interaction.response.edit_message(content=self.content, view=self)

    async def _finish(self, interaction: discord.Interaction) -> None:
        if not self.languages:
            raise InvalidInput("Pick at least one language.")
        await interaction.response.send_modal(ProfileTextModal(self))

    async def save(self, interaction: discord.Interaction, text: str) -> None:
        service = bot_of(interaction).services.mentoring
        if self.kind == "mentor":
            data = MentorInput.validated(
                specialties=self._chosen_specialties(), visas=self.visas, stage=str(self.stage),
                languages=self.languages, timezone=self.timezone, capacity=self.capacity,
                bio=text,
            )
            if self.editing:
                profile = await service.edit_mentor(self.guild_id, self.owner_id, data)
                note = "Your mentor profile is updated."
                if profile.bio != data.bio:  # an approved mentor's new text waits for review
                    note += (" Your new bio waits for a moderator's review; until then mentees "
                             "see your approved bio, and you stay available.")
                    await _tell_coordinators(interaction, self.owner_id, "bio_edit")
            else:
                profile = await service.register_mentor(self.guild_id, self.owner_id, data)
                note = ("Thank you! Your mentor profile waits for a moderator's approval; "
                        "you will be suggested to mentees once approved.")
                await _tell_coordinators(interaction, self.owner_id, "registration")
            embed = mentor_embed(profile)
            if profile.bio != data.bio:
                embed.add_field(name="New bio, waiting for review",
                                value=sanitize(data.bio)[:1024] or "(empty)", inline=False)
        else:
            mentee = await service.set_mentee_profile(self.guild_id, self.owner_id,
                                                      MenteeInput.validated(
                specialty=self._chosen_specialties()[0], visa=self.visas[0],
                stage=str(self.stage), languages=self.languages, timezone=self.timezone,
                goals=text,
            ))
            note = "Your mentee profile is saved. Find a mentor with `/mentor request`."
            embed = mentee_embed(mentee)
        self.stop()
        await interaction.response.edit_message(content=note, embed=embed, view=None)


class ProfileTextModal(FmgModal):
    def __init__(self, wizard: ProfileWizard) -> None:
        mentor = wizard.kind == "mentor"
        super().__init__(title="Mentor bio" if mentor else "Your goals")
        self.wizard = wizard
        self.body: discord.ui.TextInput = discord.ui.TextInput(
            label="Short bio" if mentor else "What you want help with",
            style=discord.TextStyle.paragraph, required=False,
            max_length=BIO_MAX if mentor else GOALS_MAX, default=wizard.text or None,
            placeholder=("Your path, what you can help with" if mentor
                         else "e.g. Step 2 CK plan, IM applications, J-1 waiver questions"),
        )
        self.add_item(self.body)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.wizard.save(interaction, self.body.value)


COORDINATOR_NOTES = {
    "registration": "registered as a mentor and waits for review (`/mentor review`).",
    "bio_edit": "edited their approved mentor bio; the new text waits for review "
                "(`/mentor edit-review`).",
}


async def _tell_coordinators(interaction: discord.Interaction, user_id: int,
                             about: Literal["registration", "bio_edit"]) -> None:
    """Post a review note for the coordinator role in the mentoring channel, when both are set."""
    bot = bot_of(interaction)
    assert interaction.guild_id is not None
    config = await bot.services.guild_settings.get(interaction.guild_id)
    channel_id, role_id = config.get("mentoring_channel"), config.get("mentor_coordinator_role")
    if not channel_id or not role_id:
        return
    if not bot.services.mentoring.claim_coordinator_ping(interaction.guild_id, user_id, about):
        return  # a register/delete loop must not ping them every round: `/mentor review` lists it
    channel = bot.get_channel(int(channel_id))
    if isinstance(channel, discord.TextChannel):
        await channel.send(
            f"<@&{role_id}> <@{user_id}> {COORDINATOR_NOTES[about]}",
            allowed_mentions=discord.AllowedMentions(everyone=False, users=False,
                                                     roles=[discord.Object(int(role_id))]),
        )


# -- embeds ---------------------------------------------------------------------------------
def mentor_line(m: MentorProfile) -> str:
    state = m.status + (", paused" if m.paused else "")
    return (f"<@{m.user_id}> · **{state}** · {labels(m.specialties, SPECIALTIES)} · "
            f"{labels(m.visas, VISA_ROUTES)} · {EXAM_STAGES[m.stage]} · "
            f"{labels(m.languages, LANGUAGES)} · {m.timezone} · {m.active}/{m.capacity} mentees")


def mentor_embed(m: MentorProfile) -> discord.Embed:
    embed = discord.Embed(title="Mentor profile", colour=COLOUR, description=sanitize(m.bio) or None)
    embed.add_field(name="Status", value=m.status + (" (paused)" if m.paused else ""))
    embed.add_field(name="Specialties", value=labels(m.specialties, SPECIALTIES)[:1024])
    embed.add_field(name="Visa routes", value=labels(m.visas, VISA_ROUTES))
    embed.add_field(name="Exam stage", value=EXAM_STAGES[m.stage])
    embed.add_field(name="Languages", value=labels(m.languages, LANGUAGES)[:1024])
    embed.add_field(name="Timezone", value=m.timezone)
    embed.add_field(name="Mentees", value=f"{m.active} of {m.capacity}")
    return embed


def edit_embed(edit: PendingEdit) -> discord.Embed:
    """A waiting bio edit beside the approved text, for moderators (privately)."""
    embed = discord.Embed(title="Edited mentor bio", colour=COLOUR,
                          description=f"<@{edit.user_id}> · submitted {stamp(edit.submitted_at, 'R')}")
    embed.add_field(name="Approved (mentees see this)",
                    value=sanitize(edit.approved_bio)[:1024] or "(empty)", inline=False)
    embed.add_field(name="Proposed", value=sanitize(edit.bio)[:1024] or "(empty)", inline=False)
    return embed


def mentee_embed(e: MenteeProfile) -> discord.Embed:
    embed = discord.Embed(title="Mentee profile", colour=COLOUR, description=sanitize(e.goals) or None)
    embed.add_field(name="Target specialty", value=SPECIALTIES[e.specialty])
    embed.add_field(name="Visa need", value=VISA_ROUTES[e.visa])
    embed.add_field(name="Exam stage", value=EXAM_STAGES[e.stage])
    embed.add_field(name="Languages", value=labels(e.languages, LANGUAGES)[:1024])
    embed.add_field(name="Timezone", value=e.timezone)
    return embed


def candidates_embed(candidates: Sequence[Candidate]) -> discord.Embed:
    embed = discord.Embed(
        title="Your best mentor matches", colour=COLOUR,
        description="Pick one: they get your request and have a few days to answer. "
                    "If they can't, it moves to the next best match by itself.",
    )
    for number, c in enumerate(candidates, start=1):
        why = "\n".join(f"• {r}" for r in c.score.reasons)
        bio = f"\n> {one_line(c.mentor.bio)[:300]}" if c.mentor.bio else ""
        embed.add_field(name=f"{number}. Match score {c.score.total:.0f}/100",
                        value=f"<@{c.mentor.user_id}>\n{why}{bio}"[:1024], inline=False)
    return embed


def offer_embed(mentee: MenteeProfile, expires_at: datetime) -> discord.Embed:
    embed = mentee_embed(mentee)
    embed.title = "A mentee asks you to mentor them"
    embed.description = (f"<@{mentee.user_id}> would like you as their mentor.\n"
                         f"Please answer by {stamp(expires_at, 'F')} "
                         f"({stamp(expires_at, 'R')}); after that "
                         f"the request moves to another mentor.\n\n"
                         + (f"**Goals**: {sanitize(mentee.goals)}" if mentee.goals else ""))
    return embed


def update_text(update: MenteeUpdate) -> str:
    """A mentee's DM: why their request moved, and to whom (or that it closed)."""
    if update.legacy_text is not None:
        return update.legacy_text
    if update.mentor_user_id is not None:
        return (f"The mentor you asked {update.why}. Your request now goes to "
                f"<@{update.mentor_user_id}>, who has until {stamp(update.expires_at, 'F')} to answer.")
    return (f"The mentor you asked {update.why}, and no other mentor fits your profile right "
            "now. Your request is closed: try `/mentor request` again later.")


def intro_text(pairing: Pairing, mentee: MenteeProfile | None) -> str:
    goals = f"\n**Goals**: {sanitize(mentee.goals)}" if mentee and mentee.goals else ""
    target = (f"\n**Aiming for**: {SPECIALTIES[mentee.specialty]} · "
              f"{VISA_ROUTES[mentee.visa]} · now at {EXAM_STAGES[mentee.stage]}") if mentee else ""
    cadence = (f"\n**Cadence**: you meet {CADENCES[pairing.cadence]} (change it below)"
               if pairing.cadence in CADENCES else
               "\n**Cadence**: not chosen yet: pick how often you will meet below")
    return (f"Welcome <@{pairing.mentee_user_id}> and <@{pairing.mentor_user_id}>: you are now "
            f"mentor and mentee. This private thread is yours; say hello and agree on how "
            f"and when to meet.{target}{goals}{cadence}\n\nI will check in at weeks 2, 6 and "
            f"12. When you are done, either of you can close the pairing with `/mentor end` (and "
            f"leave feedback for the moderators).")


def roster_pages(mentors: Sequence[MentorProfile], title: str,
                 per_page: int = 10) -> Pages[list[str]]:
    if not mentors:
        return Pages([], lambda _: discord.Embed(
            title=title, description="No mentor matches these filters.", colour=COLOUR))
    # At most ``per_page`` mentors and 4,000 characters per page (a long profile line is ~900).
    chunks: list[list[str]] = [[]]
    for line in (mentor_line(m) for m in mentors):
        if chunks[-1] and (len(chunks[-1]) == per_page
                           or sum(len(x) + 1 for x in chunks[-1]) + len(line) > 4000):
            chunks.append([])
        chunks[-1].append(line)
    return Pages(chunks, lambda one: discord.Embed(title=f"{title} ({len(mentors)})", colour=COLOUR,
                                                   description="\n".join(one[0])))


# -- requests -------------------------------------------------------------------------------
class AskMentorButton(discord.ui.DynamicItem[discord.ui.Button],
                      template=r"fmg:mentor:ask:(?P<mentor_id>\d+):(?P<number>\d+)"):
    """"Ask match n" under the suggestions: the member who clicks asks that mentor (the reply
    is private, so that is the member who ran `/mentor request`; the service checks the rest)."""

    def __init__(self, mentor_id: int, number: int) -> None:
        super().__init__(discord.ui.Button(
            label=f"Ask match {number}", style=discord.ButtonStyle.primary,
            custom_id=f"fmg:mentor:ask:{mentor_id}:{number}",
        ))
        self.mentor_id = mentor_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> AskMentorButton:
        return cls(int(match["mentor_id"]), int(match["number"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._ask(interaction))

    async def _ask(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise InvalidInput("Mentor requests are made in a server.")
        bot = bot_of(interaction)
        status = await bot.services.mentoring.request(interaction.guild_id, interaction.user.id,
                                                      self.mentor_id)
        await interaction.response.edit_message(
            content=f"Request sent to <@{status.mentor_user_id}>. They have until "
                    f"{stamp(status.expires_at, 'F')} to answer; `/mentor status` shows where it "
                    f"stands.", embed=None, view=None)


def candidate_buttons(candidates: Sequence[Candidate]) -> discord.ui.View:
    return persistent_view(*(AskMentorButton(c.mentor.id, number)
                             for number, c in enumerate(candidates, start=1)))


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=r"fmg:mentor:(?P<action>accept|decline):(?P<request_id>\d+)"):
    """The persistent Accept/Decline buttons of a request (all state is in the database)."""

    def __init__(self, action: str, request_id: int) -> None:
        super().__init__(discord.ui.Button(
            label=action.title(), custom_id=f"fmg:mentor:{action}:{request_id}",
            style=(discord.ButtonStyle.success if action == "accept"
                   else discord.ButtonStyle.danger),
        ))
        self.action, self.request_id = action, request_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> AnswerButton:
        return cls(match["action"], int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._answer(interaction))

    async def _answer(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        service = bot.services.mentoring
        if self.action == "accept":
            pairing = await service.accept(self.request_id, interaction.user.id)
            text = (f"You accepted <@{pairing.mentee_user_id}> as your mentee. A private thread "
                    f"for the two of you is being opened.")
        else:
            await service.decline(self.request_id, interaction.user.id)
            text = "You declined; the request goes on to another mentor. Thank you for answering."
        await interaction.response.edit_message(content=text, view=None)


def answer_view(request_id: int) -> discord.ui.View:
    return persistent_view(AnswerButton("accept", request_id), AnswerButton("decline", request_id))


# -- match-all --------------------------------------------------------------------------------
class MatchAllConfirm(FmgView):
    """Confirm or cancel a match-all preview (the moderator who asked only)."""

    def __init__(self, owner_id: int, plan: BatchPlan) -> None:
        super().__init__(timeout=600)
        self.owner_id, self.plan = owner_id, plan
        self.confirm.disabled = not plan.pairs

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            raise Forbidden("Only the moderator who ran match-all can confirm it.")
        return True

    @discord.ui.button(label="Create these pairings", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()
        bot = bot_of(interaction)
        created, skipped = await bot.services.mentoring.apply_plan(self.plan)
        self.stop()
        note = f" {skipped} planned pairs were skipped (things changed meanwhile)." if skipped else ""
        await interaction.edit_original_response(
            content=f"Created {len(created)} pairings; their private threads are being opened."
                    f"{note}", view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content="Match-all cancelled: nothing changed.",
                                                embed=None, view=None, attachments=[])
