"""`/cohort form role:True`: a Discord role per new cohort, made after the forming committed.

Discord calls cannot sit inside the database transaction that forms the cohorts, so the roles
come after it: each one is created, given to the cohort's members and recorded on its study
group (`Cohorts.role_created`, so the group's session announcements ping it). When Discord
refuses (no Manage Roles permission, the server's role limit), the reason is kept on the cohort
(`Cohorts.role_failed`) and returned for the moderator's reply: a missing role is never silent.
"""

from __future__ import annotations

import discord

from bot.services.journey import FormedCohort, FormResult, JourneyService

#: One reason for every cohort when the bot cannot manage roles at all.
NO_PERMISSION = "the bot lacks the Manage Roles permission"


async def give_cohort_roles(journey: JourneyService, guild: discord.Guild, result: FormResult,
                            moderator_id: int) -> list[str]:
    """Create and hand out each formed cohort's role; returns one line per cohort that did
    not get its role (empty: every cohort has one)."""
    problems = []
    allowed = guild.me.guild_permissions.manage_roles
    for cohort in result.cohorts:
        made = await _give(guild, cohort) if allowed else NO_PERMISSION
        if isinstance(made, int):
            await journey.cohorts.role_created(cohort.cohort_id, made, moderator_id)
            continue
        await journey.cohorts.role_failed(cohort.cohort_id, made)
        problems.append(f"**{cohort.group.name}**: no role ({made}).")
    return problems


async def _give(guild: discord.Guild, cohort: FormedCohort) -> int | str:
    """Make the role and give it to the cohort's members: its id, or why Discord refused."""
    try:
        role = await guild.create_role(name=cohort.group.name[:100], mentionable=True,
                                       reason="A cohort formed by /cohort form")
        for user_id in cohort.member_ids:
            member = guild.get_member(user_id) or await guild.fetch_member(user_id)
            await member.add_roles(role, reason="A member of a cohort formed by /cohort form")
    except discord.HTTPException as exc:
        return f"Discord refused: {exc.status} {exc.text}"[:200]
    return role.id
