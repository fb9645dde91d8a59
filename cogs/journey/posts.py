"""The text of the journey's due work, rendered from the service's data when it is sent:
posts in the announcements channel (Discord timestamps render in each reader's zone) and DM
reminders (push notifications do not render <t:...>: the member's own zone comes first)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.services.journey import (
    CelebrationPost,
    ChannelPost,
    CohortNotice,
    MatchDayDigest,
    ReminderDm,
    WeeklyPost,
)
from bot.services.timezones import DEFAULT_ZONE, format_local
from bot.ui import MAX_CONTENT

#: Discord's limit for a message's content.


def render_post(post: ChannelPost) -> str:
    if isinstance(post, CelebrationPost):
        return render_celebration(post)
    if isinstance(post, WeeklyPost):
        return render_weekly(post)
    if isinstance(post, MatchDayDigest):
        return render_digest(post)
    if isinstance(post, CohortNotice):
        return render_cohort_notice(post)
    raise TypeError(f"no rendering for {type(post).__name__}")


def render_celebration(post: CelebrationPost) -> str:
    who = "A member of this server" if post.user_id is None else f"<@{post.user_id}>"
    return f"🎉 {who} reached a milestone: **{post.label}**! Congratulations!"


def render_weekly(post: WeeklyPost) -> str:
    lines = [f"**This week in the Match** (from {post.week_start:%a %d %b})"]
    for step in post.steps:
        epoch = int(step.at.timestamp())
        mark = " *(projected date)*" if step.projected else ""
        lines.append(f"• <t:{epoch}:F> (<t:{epoch}:R>): {step.title}{mark}")
    lines.append("Follow the calendar for DM reminders in your own time: `/cycle follow`.")
    return "\n".join(lines)[:MAX_CONTENT]


def render_digest(post: MatchDayDigest) -> str:
    members = "member has" if post.matched == 1 else "members have"
    return (f"🎉 Match Day: **{post.matched}** {members} shared here that they matched this year. "
            "Congratulations to all of you, and to everyone still on the way: "
            "`/milestone add` when it is your turn.")


def render_cohort_notice(post: CohortNotice) -> str:
    passed = (f"{post.done} member{' has' if post.done == 1 else 's have'} shared that they "
              "passed: congratulations! ") if post.done else ""
    ask = ("How did it go? Share it with `/milestone add` (public, anonymous or private). "
           if post.member_ids else "")
    return (
        f"{' '.join(f'<@{m}>' for m in post.member_ids)}\n**{post.cohort_name}**: your exam "
        f"window ended a week ago. {passed}{ask}The group will be archived "
        f"<t:{int(post.archive_at.timestamp())}:R>; <@{post.owner_id}>, its owner, can keep it "
        "with `/cohort keep`."
    ).strip()[:MAX_CONTENT]


def render_reminder(dm: ReminderDm) -> str:
    """The DM: the member's own zone first, the official time beside it, and whether the date
    is projected."""
    step = dm.step
    when = "today" if dm.days == 0 else "tomorrow" if dm.days == 1 else f"in {dm.days} days"
    zone = ZoneInfo(dm.zone or DEFAULT_ZONE)
    lines = [
        f"Match calendar reminder{' (delayed)' if dm.delayed else ''}: **{step.title}** is {when}.",
        f"Your time: {format_local(step.at, zone)} · official: {step.local_text()} "
        f"(<t:{int(step.at.timestamp())}:R>)",
    ]
    if step.projected:
        lines.append(f"⚠️ Projected date, not yet confirmed: {step.rule}")
    lines.append(f"Source: <{step.source}>")
    if dm.zone is None:
        lines.append("Your time is shown in UTC until you set your zone with `/timezone set`.")
    lines.append("Stop these reminders with `/cycle unfollow`.")
    return "\n".join(lines)
