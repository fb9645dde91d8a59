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
    """Create and hand out each formed cohort's role; returns one line per cohort whose role
    is missing or was not given to every member (empty: all went well)."""
    problems = []
    allowed = guild.me.guild_permissions.manage_roles
    for cohort in result.cohorts:
        role_id, reason = await _give(guild, cohort) if allowed else (None, NO_PERMISSION)
        if role_id is not None:  # recorded even if a member could not get it: no orphan role
            await journey.cohorts.role_created(cohort.cohort_id, role_id, moderator_id)
        if reason is None:
            continue
        await journey.cohorts.role_failed(cohort.cohort_id, reason)
        what = "no role" if role_id is None else f"<@&{role_id}> not given to everyone"
        problems.append(f"**{cohort.group.name}**: {what} ({reason}).")
    return problems


async def _give(guild: discord.Guild, cohort: FormedCohort) -> tuple[int | None, str | None]:
    """Make the role and give it to the cohort's members: (its id, None), or what Discord
    refused, with the role's id if it was made before."""
    try:
        role = await guild.create_role(name=cohort.group.name[:100], mentionable=True,
                                       reason="A cohort formed by /cohort form")
    except discord.HTTPException as exc:
        return None, _refused(exc)
    try:
        for user_id in cohort.member_ids:
            member = guild.get_member(user_id) or await guild.fetch_member(user_id)
            await member.add_roles(role, reason="A member of a cohort formed by /cohort form")
    except discord.HTTPException as exc:
        return role.id, _refused(exc)
    return role.id, None


def _refused(exc: discord.HTTPException) -> str:
    return f"Discord refused: {exc.status} {exc.text}"[:200]
