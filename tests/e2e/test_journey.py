"""The FMG journey through the real bot on localdiscord: the Match calendar's timeline
(filtered to the member, projected dates marked), a moderator's correction (who and when
kept), and DM reminders that arrive once, across a restart, in the member's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.outbox import SOURCE_NAME as OUTBOX
from localdiscord.state import MANAGE_ROLES
from tests.e2e.test_mentoring import approve, mentee_profile, register_mentor

# The shipped 2027 cycle: rank order list entry opens Fri 15 Jan 2027, 12:00 EST (projected).
ROL_OPENS_DAY = datetime(2027, 1, 15, 5, 0, tzinfo=UTC)  # midnight New York


def _score(field_name: str) -> int:
    """``1. Match score 87/100`` -> 87."""
    return int(field_name.rsplit(" ", 1)[-1].split("/")[0])


async def _run_due(e2e) -> None:
    await e2e.bot.scheduler.run_now(OUTBOX)


async def test_timeline_filters_marks_projected_and_a_moderator_confirms(
    e2e, discord, clock: ManualClock, alice, mira
):
    clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    reply = await discord.invoke("cycle timeline", user=alice, visa="j1", stage="step2ck")
    assert reply.ephemeral and not reply.messages[0].pings_anyone
    [embed] = reply.embeds
    names = [f["name"] for f in embed["fields"]]
    assert names[0] == "Rank order list entry opens in the NRMP R3 system"
    assert "NRMP registration opens for the Main Residency Match" not in names  # passed
    rol = embed["fields"][0]["value"]
    assert "<t:1768496400:D>" not in rol and "<t:1800032400:D>" in rol  # 2027, not 2026
    assert "⚠️ Projected" in rol and "nrmp.org" in rol
    assert embed["footer"]["text"] == "For J-1 · Step 2 CK (what you told me)."

    choices = await discord.autocomplete("cycle edit", "step", "match day", user=mira)
    assert choices[0].value == "2027/match_day" and "(projected)" in choices[0].name
    refused = await discord.invoke("cycle edit", user=alice, step="2027/match_day")
    assert "moderator command" in refused.text
    bad = await discord.invoke("cycle edit", user=mira, step="2027/match_day", when="2028-03-17")
    assert "outside the 2027 Main Residency Match" in bad.text
    edited = await discord.invoke("cycle edit", user=mira, step="2027/match_day",
                                  when="2027-03-19 12:00")
    assert "Saved for this server" in edited.text
    value = edited.embeds[0]["description"]
    assert f"Confirmed here by <@{mira.id}>" in value and "Projected" not in value
    assert "official: Fri 19 Mar 2027, 12:00 EDT" in value

    posts = await discord.invoke("cycle posts", user=mira, weekly=True)
    assert "Weekly Match post: **on**; Match Day digest: **off**" in posts.text
    assert "moderator command" in (await discord.invoke("cycle posts", user=alice,
                                                        match_day=True)).text

    listed = await discord.invoke("help", user=alice)
    assert "Journey" in listed.text and "/cycle timeline" in listed.text
    assert "/cycle edit" not in listed.text  # moderators' commands are listed to moderators

    again = await discord.invoke("cycle timeline", user=alice)  # remembered, no options
    [field] = [f for f in again.embeds[0]["fields"] if f["name"].startswith("Match Day")]
    assert "Projected" not in field["value"] and "12:00 EDT" in field["value"]


async def test_reminders_arrive_once_across_a_restart_in_the_members_zone(
    e2e, discord, clock: ManualClock, alice
):
    clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    await discord.invoke("timezone set", user=alice, zone="Africa/Lagos")
    followed = await discord.invoke("cycle follow", user=alice)
    assert "You now follow the Match calendar" in followed.text

    clock.set(ROL_OPENS_DAY - timedelta(days=14))
    await _run_due(e2e)
    [first] = discord.dms_of(alice)
    assert "**Rank order list entry opens in the NRMP R3 system** is in 14 days" in first.content
    assert "Fri 15 Jan 2027, 18:00 WAT" in first.content  # 12:00 EST in Lagos
    assert "Projected date, not yet confirmed" in first.content and not first.pings_anyone

    await e2e.restart_bot()  # the same reminder is not sent again
    await _run_due(e2e)
    assert len(discord.dms_of(alice)) == 1

    # the bot is down across the 3-day reminder; it comes back the next day: one, marked late
    await e2e.stop_bot()
    clock.set(ROL_OPENS_DAY - timedelta(days=2))
    await e2e.start_bot()
    await _run_due(e2e)
    assert await e2e.server.wait_until(lambda: len(discord.dms_of(alice)) == 2, 5)
    late = discord.dms_of(alice)[-1].content
    assert late.startswith("Match calendar reminder (delayed)") and "is in 2 days" in late

    stopped = await discord.invoke("cycle unfollow", user=alice)
    assert "no more calendar reminders" in stopped.text
    clock.set(ROL_OPENS_DAY)
    await _run_due(e2e)
    assert len(discord.dms_of(alice)) == 2


def _match_day_dms(discord, who) -> list[str]:
    return [m.content for m in discord.dms_of(who)
            if "**Match Day (results released in the R3 system)**" in m.content]


async def test_reminders_follow_the_official_zone_across_a_clock_change(
    e2e, discord, clock: ManualClock, bob
):
    """US clocks go forward on Sun 14 Mar 2027, London's on 28 Mar: Match Day (Fri 19 Mar,
    13:00 New York) is 17:00 in London that week, and its reminders fall due at New York
    midnight, 05:00 UTC before the change and 04:00 UTC after it."""
    clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    await discord.invoke("timezone set", user=bob, zone="Europe/London")
    await discord.invoke("cycle follow", user=bob)

    clock.set(datetime(2027, 3, 5, 4, 59, tzinfo=UTC))
    await _run_due(e2e)
    assert _match_day_dms(discord, bob) == []
    clock.set(datetime(2027, 3, 5, 5, 0, tzinfo=UTC))  # midnight EST
    await _run_due(e2e)
    assert await e2e.server.wait_until(lambda: len(_match_day_dms(discord, bob)) == 1, 5)
    [early] = _match_day_dms(discord, bob)
    assert "is in 14 days" in early and "(delayed)" not in early
    assert "Your time: Fri 19 Mar 2027, 17:00 GMT" in early
    assert "official: Fri 19 Mar 2027, 13:00 EDT" in early

    await e2e.restart_bot()  # across the change, with a restart in between
    clock.set(datetime(2027, 3, 16, 3, 59, tzinfo=UTC))
    await _run_due(e2e)
    assert len(_match_day_dms(discord, bob)) == 1
    clock.set(datetime(2027, 3, 16, 4, 0, tzinfo=UTC))  # midnight EDT, an hour earlier in UTC
    await _run_due(e2e)
    assert await e2e.server.wait_until(lambda: len(_match_day_dms(discord, bob)) == 2, 5)
    late = _match_day_dms(discord, bob)[-1]
    assert "is in 3 days" in late and "(delayed)" not in late and "17:00 GMT" in late


async def test_the_weekly_match_post_and_the_match_day_count_in_announcements(
    e2e, discord, clock: ManualClock, alice, bob, mira, channels
):
    clock.set(datetime(2027, 3, 8, 12, 0, tzinfo=UTC))  # Mon 07:00 in New York
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await discord.invoke("cycle posts", user=mira, weekly=True, match_day=True)

    clock.set(datetime(2027, 3, 8, 14, 0, tzinfo=UTC))  # 09:00 EST: a week with no step
    await _run_due(e2e)
    assert discord.messages_in(channels.announcements) == []
    clock.set(datetime(2027, 3, 15, 13, 0, tzinfo=UTC))  # 09:00 EDT, Match Week
    await _run_due(e2e)
    weekly = await discord.wait_for_message(channels.announcements, timeout=5)
    assert weekly.content.startswith("**This week in the Match** (from Mon 15 Mar)")
    assert "Match Day (results released in the R3 system) *(projected date)*" in weekly.content
    assert "<t:1805475600:F>" in weekly.content  # Fri 19 Mar, 13:00 EDT and not weekly.pings_anyone

    await discord.invoke("milestone add", user=alice, milestone="matched", visibility="anonymous")
    await discord.invoke("milestone add", user=bob, milestone="matched", visibility="private")
    clock.set(datetime(2027, 3, 20, 0, 0, tzinfo=UTC))  # 20:00 EDT on Match Day
    await _run_due(e2e)
    assert await e2e.server.wait_until(
        lambda: "Match Day: **1** member has shared here" in
        discord.messages_in(channels.announcements)[-1].content, 5)  # Bob's is private
    assert not discord.messages_in(channels.announcements)[-1].pings_anyone


async def test_exam_dates_milestones_celebrations_and_a_changed_match_score(
    e2e, discord, alice, bob, mira, channels
):
    set_ = await discord.invoke("exam set", user=alice, exam="step2ck", date="2026-03")
    assert set_.ephemeral and "USMLE Step 2 CK on March 2026" in set_.text
    timeline = await discord.invoke("cycle timeline", user=alice)
    [mine] = [f for f in timeline.embeds[0]["fields"] if f["name"] == "Your exams"]
    assert mine["value"] == "USMLE Step 2 CK: March 2026"
    bad = await discord.invoke("exam set", user=alice, exam="step1", date="14/03/2026")
    assert bad.ephemeral and "not a date I can read" in bad.text
    cleared = await discord.invoke("exam clear", user=alice)
    assert "Removed 1 exam date." in cleared.text

    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)  # Bob: matched
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice)  # Alice: Step 1
    before = await discord.invoke("mentor request", user=alice)
    score_before = before.embeds[0]["fields"][0]["name"]
    assert score_before.startswith("1. Match score")

    await e2e.set_setting("announcements_channel", channels.announcements.id)
    added = await discord.invoke("milestone add", user=alice, milestone="passed_step3",
                                 visibility="anonymous")
    assert "Your exam stage is now **Step 3**" in added.text and "without your name" in added.text
    post = await discord.wait_for_message(channels.announcements, timeout=5)
    assert "A member of this server reached a milestone: **Passed USMLE Step 3**" in post.content
    assert str(alice.id) not in post.content and not post.pings_anyone

    after = await discord.invoke("mentor request", user=alice)
    score_after = after.embeds[0]["fields"][0]["name"]
    assert _score(score_after) < _score(score_before)  # Bob is less far ahead of Alice now

    matched = await discord.invoke("milestone add", user=bob, milestone="matched",
                                   visibility="public")
    assert "`/mentor register`" in matched.text
    assert await e2e.server.wait_until(
        lambda: any(f"<@{bob.id}> reached a milestone" in m.content
                    for m in discord.messages_in(channels.announcements)), 5)
    assert not discord.messages_in(channels.announcements)[-1].pings_anyone

    # Alice matches: the mentor form opens filled from her mentee profile
    alice_matched = await discord.invoke("milestone add", user=alice, milestone="matched",
                                         visibility="private")
    form = await discord.click(alice_matched, label="Register as a mentor (pre-filled)",
                               user=alice)
    assert "Your mentor profile" in form.text
    await discord.click(form, label="Next: languages", user=alice)  # nothing to pick again
    modal = await discord.click(form, label="Write your bio and save", user=alice)
    saved = await discord.submit_modal(modal, {"Short bio": "Matched IM, J-1"}, user=alice)
    assert "waits for a moderator" in saved.text
    mentor = await e2e.bot.services.mentoring.get_mentor(e2e.world.guild_id, alice.id)
    assert (mentor.specialties, mentor.visas, mentor.stage, mentor.timezone) == (
        ("internal_medicine",), ("j1",), "matched", "Asia/Kolkata")

    exported = await e2e.bot.services.privacy.export_member(e2e.world.guild_id, alice.id)
    assert [m["milestone"] for m in exported["data"]["journey"]["milestones"]] == [
        "Passed USMLE Step 3", "Matched"]


async def test_cohort_form_previews_then_creates_and_find_joins(
    e2e, discord, clock: ManualClock, alice, bob, ada, mira, channels
):
    for who, day, zone in ((alice, "2026-03-10", "Asia/Kolkata"),
                           (bob, "2026-03-20", "Asia/Karachi"), (ada, "2026-03-16", "Asia/Dhaka")):
        await discord.invoke("timezone set", user=who, zone=zone)
        await discord.invoke("exam set", user=who, exam="step2ck", date=day)

    lonely = await discord.invoke("cohort find", user=alice, exam="step2ck")
    assert "No study group for this exam" in lonely.text

    refused = await discord.invoke("cohort form", user=alice, exam="step2ck")
    assert "moderator command" in refused.text
    preview = await discord.invoke("cohort form", user=mira, exam="step2ck", size=2)
    [embed] = preview.embeds
    assert embed["title"] == "Cohort preview: USMLE Step 2 CK, up to 2 members"
    assert "cohorts: **1**; left unplaced: **1**" in embed["description"]
    assert alice.mention in embed["description"] and not preview.messages[0].pings_anyone
    assert await e2e.bot.services.study_groups.groups.list(e2e.world.guild_id) == []

    done = await discord.click(preview, label="Create these cohorts", user=mira)
    assert "Created 1 cohort study groups: **Step 2 CK cohort Mar 2026 #1**" in done.text
    [group] = await e2e.bot.services.study_groups.groups.list(e2e.world.guild_id)
    assert group.member_count == 2 and group.capacity == 2

    # Bob was left out: the cohort is full, so he is offered nothing; with room he could join
    full = await discord.invoke("cohort find", user=bob, exam="step2ck")
    assert "No study group for this exam" in full.text
    await e2e.bot.services.study_groups.groups.edit(
        e2e.world.guild_id, group.id, group.owner_id, False, capacity=4)
    found = await discord.invoke("cohort find", user=bob, exam="step2ck")
    assert found.embeds[0]["fields"][0]["name"] == "1. Step 2 CK cohort Mar 2026 #1"
    joined = await discord.click(found, label="Join 1", user=bob)
    assert "You joined **Step 2 CK cohort Mar 2026 #1**" in joined.text

    # Ada passed: her cohort counts her done, and her date is cleared
    passed = await discord.invoke("milestone add", user=ada, milestone="passed_step2ck",
                                  visibility="private")
    assert "You are marked as passed in **Step 2 CK cohort Mar 2026 #1**" in passed.text
    assert "Your USMLE Step 2 CK date is cleared" in passed.text

    # a week after the window (10-16 Mar) the cohort asks its members for a milestone
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    clock.set(datetime(2026, 3, 23, 12, 0, tzinfo=UTC))
    await _run_due(e2e)
    post = await discord.wait_for_message(channels.announcements, timeout=5)
    assert "`/milestone add`" in post.content and alice.mention in post.content
    assert "1 member has shared that they passed" in post.content
    assert post.pinged_users == {alice.id, bob.id}  # not Ada: she is done
    refused = await discord.invoke("cohort keep", user=bob, group=group.name)
    assert "Only the owner" in refused.text
    clock.set(datetime(2026, 3, 26, 12, 0, tzinfo=UTC))  # three days later: archived
    await _run_due(e2e)
    assert await e2e.bot.services.study_groups.groups.list(e2e.world.guild_id) == []
    back = await discord.invoke("cohort keep", user=alice, group=group.name)  # the owner undoes it
    assert f"**{group.name}** is back" in back.text
    [still] = await e2e.bot.services.study_groups.groups.list(e2e.world.guild_id)
    assert not still.archived and still.member_count == 3
    kept = await discord.invoke("cohort keep", user=alice, group=group.name)
    assert "stays: it will not be archived" in kept.text


async def _grant_the_bot_manage_roles(e2e) -> None:
    server, gid = e2e.server, e2e.world.guild_id
    role = server.add_role(gid, "Bot helpers", MANAGE_ROLES)
    server.guilds[gid]["_members"][server.app_id]["roles"].append(role["id"])
    await e2e.restart_bot()  # the bot reads its permissions from the guild it is sent
    assert e2e.bot.get_guild(gid).me.guild_permissions.manage_roles


async def test_cohort_form_with_roles_reports_a_refused_role_and_gives_the_made_one(
    e2e, discord, alice, bob, ada, mira
):
    for who, exam, day in ((alice, "step2ck", "2026-03-10"), (bob, "step2ck", "2026-03-12"),
                           (ada, "step1", "2026-04-01"), (mira, "step1", "2026-04-02")):
        await discord.invoke("exam set", user=who, exam=exam, date=day)

    preview = await discord.invoke("cohort form", user=mira, exam="step2ck", size=2, role=True)
    assert "and a role of its own" in preview.embeds[0]["description"]
    done = await discord.click(preview, label="Create these cohorts", user=mira)
    assert "Created 1 cohort study groups: **Step 2 CK cohort Mar 2026 #1**" in done.text
    assert "**Step 2 CK cohort Mar 2026 #1**: no role (the bot lacks the Manage Roles " \
        "permission)" in done.text  # reported, not silent; the group is made all the same
    [group] = await e2e.bot.services.study_groups.groups.list(e2e.world.guild_id)
    assert group.role_id is None and group.member_count == 2
    assert await e2e.bot.db.fetchval("SELECT role_error FROM journey_cohorts") == \
        "the bot lacks the Manage Roles permission"

    await _grant_the_bot_manage_roles(e2e)
    preview = await discord.invoke("cohort form", user=mira, exam="step1", size=2, role=True)
    done = await discord.click(preview, label="Create these cohorts", user=mira)
    assert "Each cohort has a role of its own." in done.text
    step1 = await e2e.bot.services.study_groups.groups.find(e2e.world.guild_id,
                                                            "Step 1 cohort Apr 2026 #1")
    [role] = [r for r in e2e.server.guilds[e2e.world.guild_id]["roles"]
              if r["name"] == step1.name]
    assert step1.role_id == int(role["id"])
    members = e2e.server.guilds[e2e.world.guild_id]["_members"]
    assert role["id"] in members[ada.id]["roles"] and role["id"] in members[mira.id]["roles"]
    assert role["id"] not in members[alice.id]["roles"]

    # a member Discord no longer has: the role is made and recorded, the miss reported
    for who, day in ((alice, "2026-06-01"), (bob, "2026-06-02")):
        await discord.invoke("exam set", user=who, exam="step3", date=day)
    del members[bob.id]  # gone from Discord, still in the bot's member cache
    preview = await discord.invoke("cohort form", user=mira, exam="step3", size=2, role=True)
    done = await discord.click(preview, label="Create these cohorts", user=mira)
    step3 = await e2e.bot.services.study_groups.groups.find(e2e.world.guild_id,
                                                            "Step 3 cohort Jun 2026 #1")
    assert step3.role_id is not None and not done.messages[0].pings_anyone
    assert f"**{step3.name}**: <@&{step3.role_id}> not given to everyone (Discord refused: " \
        "404" in done.text
    assert str(step3.role_id) in members[alice.id]["roles"]
