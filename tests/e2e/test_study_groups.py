"""Study groups through the real bot on localdiscord: create -> join -> schedule -> the
announcement arrives with Discord timestamps and pings only the group's role; RSVP counts
update on the persistent buttons (also after a restart); the scheduled event is created
and cancelled with the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.outbox import SOURCE_NAME as OUTBOX
from cogs.study_groups.views import SOURCE_NAME

START = datetime(2026, 1, 7, 1, 0, tzinfo=UTC)  # "tomorrow 19:00" for alice in Chicago
EPOCH = int(START.timestamp())


async def _run_due(e2e) -> None:
    await e2e.bot.scheduler.run_now(SOURCE_NAME)
    await e2e.bot.scheduler.run_now(OUTBOX)


async def test_group_session_announcement_rsvp_and_event(e2e, discord, clock: ManualClock,
                                                         alice, bob, channels, roles):
    await e2e.set_setting("announcements_channel", channels.announcements.id)

    tz = await discord.invoke("timezone set", user=alice, zone="America/Chicago")
    assert tz.ephemeral and "America/Chicago" in tz.content
    zones = await discord.autocomplete("timezone set", "zone", "chica", user=alice)
    assert [c.value for c in zones][:1] == ["America/Chicago"]

    created = await discord.invoke("studygroup create", user=alice, name="Step 2 CK crew",
                                   topic="Step 2 CK", role=roles.mentors)
    assert created.ephemeral and "Step 2 CK crew" in created.text
    [choice] = await discord.autocomplete("studygroup join", "group", "step", user=bob)
    joined = await discord.invoke("studygroup join", user=bob, group=choice.value)
    assert joined.ephemeral and "You joined **Step 2 CK crew**" in joined.text
    # bob has no zone yet: asked once, privately
    [prompt] = await joined.wait_followups(1)
    assert prompt.ephemeral and "/timezone set" in prompt.content

    scheduled = await discord.invoke("session schedule", user=alice, group=choice.value,
                                     title="Cardiology", start="tomorrow 19:00", duration=90)
    assert scheduled.ephemeral
    assert f"<t:{EPOCH}:F>" in scheduled.content and "Tue 6 Jan 2026, 19:00 CST" in scheduled.content

    # the scheduled event appears in the server's Events list
    await _run_due(e2e)
    [event] = e2e.server.events.values()
    assert event["name"] == "Step 2 CK crew: Cardiology" and event["status"] == 1
    assert event["scheduled_start_time"].startswith("2026-01-07T01:00:00")

    # 24 h before: the announcement, with timestamps, pinging only the role
    clock.set(START - timedelta(hours=24))
    await _run_due(e2e)
    [announcement] = discord.messages_in(channels.announcements)
    assert f"<t:{EPOCH}:F>" in announcement.content and f"<t:{EPOCH}:R>" in announcement.content
    assert announcement.pinged_roles == {roles.mentors.id}
    assert not announcement.pinged_users and not announcement.pinged_everyone
    assert announcement.allowed_mentions["parse"] == []
    assert f"https://discord.com/events/{e2e.world.guild_id}/{event['id']}" in announcement.content
    assert [b["label"] for b in announcement.buttons] == ["Going (0)", "Maybe (0)", "Not going (0)"]

    rsvp = await discord.click(announcement, label="Going (0)", user=bob)
    assert [b["label"] for b in announcement.buttons] == ["Going (1)", "Maybe (0)", "Not going (0)"]
    [saved, *_] = await rsvp.wait_followups(1)
    assert saved.ephemeral and "**going** for **Cardiology**" in saved.content
    await discord.click(announcement, label="Maybe (0)", user=alice)
    assert [b["label"] for b in announcement.buttons] == ["Going (1)", "Maybe (1)", "Not going (0)"]

    # persistent: after a restart the same buttons still work
    await e2e.restart_bot()
    await discord.click(announcement, label="Going (1)", user=alice)
    assert [b["label"] for b in announcement.buttons] == ["Going (2)", "Maybe (0)", "Not going (0)"]

    # cancelling the session cancels its event and its remaining announcements
    [session] = await discord.autocomplete("session cancel", "session", "cardio", user=alice)
    assert "Tue 6 Jan 2026, 19:00 CST" in session.name  # alice's own zone in the label
    refused = await discord.invoke("session cancel", user=bob, session=session.value)
    assert refused.ephemeral and "owner" in refused.content
    cancelled = await discord.invoke("session cancel", user=alice, session=session.value)
    assert cancelled.ephemeral and "Cancelled 1 session" in cancelled.content
    await _run_due(e2e)
    assert e2e.server.events[int(event["id"])]["status"] == 4  # CANCELED
    clock.set(START)
    await _run_due(e2e)
    assert len(discord.messages_in(channels.announcements)) == 1


async def test_bad_input_gets_a_friendly_private_error(e2e, discord, alice):
    created = await discord.invoke("studygroup create", user=alice, name="OET", topic="OET")
    assert created.ephemeral
    reply = await discord.invoke("session schedule", user=alice, group="OET", title="Writing",
                                 start="25:00")
    assert reply.ephemeral and "hours go from 00 to 23" in reply.content
    reply = await discord.invoke("timezone set", user=alice, zone="Mars/Olympus")
    assert reply.ephemeral and "not a time zone" in reply.content
    upcoming = await discord.invoke("session upcoming", user=alice)
    assert upcoming.ephemeral and "No upcoming sessions" in upcoming.text


async def test_schedule_takes_plural_days_refuses_far_years_and_warns_of_a_clash(
    e2e, discord, alice
):
    await discord.invoke("studygroup create", user=alice, name="OET", topic="OET")
    far = await discord.invoke("session schedule", user=alice, group="OET", title="Writing",
                               start="2036-05-01 19:00")
    assert far.ephemeral and "more than two years from now" in far.content
    weekly = await discord.invoke("session schedule", user=alice, group="OET", title="Writing",
                                  start="tomorrow 19:00", repeat_on="tuesdays and thursdays")
    assert "Scheduled **Writing**" in weekly.content and "also meets then" not in weekly.content
    assert "Tuesday and Thursday" in weekly.content
    clash = await discord.invoke("session schedule", user=alice, group="OET", title="Speaking",
                                 start="tomorrow 19:30")
    assert clash.ephemeral and "Scheduled **Speaking**" in clash.content
    assert "⚠️ **Writing** of this group also meets then" in clash.content


async def test_series_calendar_suggest_upcoming_and_dm_reminder(e2e, discord, clock: ManualClock,
                                                                 alice, bob, channels):
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await discord.invoke("timezone set", user=alice, zone="Europe/London")
    await discord.invoke("timezone set", user=bob, zone="Asia/Kolkata")
    await discord.invoke("studygroup create", user=alice, name="OET writing", topic="OET",
                         description="Letters and case notes", capacity=10)
    await discord.invoke("studygroup join", user=bob, group="OET writing")

    scheduled = await discord.invoke("session schedule", user=alice, group="OET writing",
                                     title="Referral letters", start="thu 19:00",
                                     repeat_on="mon, thu", times=6, link="https://meet.example/oet",
                                     channel=channels.voice)
    assert "every Monday and Thursday, 6 times" in scheduled.content
    await discord.invoke("session schedule", user=alice, group="OET writing", title="Case notes",
                         start="tue 19:00", repeat_on="tue, fri", times=6)

    upcoming = await discord.invoke("session upcoming", user=bob, group="OET writing")
    assert upcoming.ephemeral
    [page_one] = upcoming.embeds
    assert len(page_one["fields"]) == 10 and all("<t:" in f["value"] for f in page_one["fields"])
    assert page_one["footer"]["text"] == "Page 1 of 2"
    turned = await discord.click(upcoming, label="Next", user=bob)  # read from the database now
    [page_two] = turned.embeds
    assert len(page_two["fields"]) == 2 and page_two["footer"]["text"] == "Page 2 of 2"
    assert page_two["fields"][0]["value"] not in {f["value"] for f in page_one["fields"]}

    info = await discord.invoke("studygroup info", user=bob, group="OET writing")
    assert info.embeds[0]["title"] == "OET writing" and "Next sessions" in info.text
    members = await discord.invoke("studygroup members", user=bob, group="OET writing")
    assert "Asia/Kolkata" in members.text and "Europe/London" in members.text
    assert not members.messages[0].pings_anyone

    calendar = await discord.invoke("studygroup calendar", user=bob, group="OET writing")
    [ics] = calendar.attachments
    assert ics.filename == "oet-writing.ics"
    assert "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO,TH" in ics.text and "BEGIN:VTIMEZONE" in ics.text

    suggest = await discord.invoke("session suggest", user=bob, group="OET writing")
    [embed] = suggest.embeds
    assert len(embed["fields"]) == 3 and embed["footer"]["text"] == "Your zone: Asia/Kolkata"
    assert not suggest.messages[0].pings_anyone

    remind = await discord.invoke("session remind", user=bob, group="OET writing", minutes=30)
    assert "30 minutes before" in remind.content
    first_start = datetime(2026, 1, 8, 19, 0, tzinfo=UTC)  # Thursday 19:00 GMT
    clock.set(first_start - timedelta(minutes=30))
    await _run_due(e2e)
    [dm] = discord.dms_of(bob)
    assert "Fri 9 Jan 2026, 00:30 IST" in dm.content and not dm.pings_anyone
    # the scheduled event sits in the voice channel
    [event] = [e for e in e2e.server.events.values() if e["name"].endswith("Referral letters")]
    assert event["entity_type"] == 2 and str(event["channel_id"]) == str(channels.voice.id)


async def test_a_5xx_on_the_announcement_still_posts_it_once(e2e, discord, clock: ManualClock,
                                                              alice, channels):
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await discord.invoke("studygroup create", user=alice, name="Step 3 CCS", topic="Step 3")
    await discord.invoke("session schedule", user=alice, group="Step 3 CCS", title="Cases",
                         start="2026-01-05 13:00")
    # an hour ahead: the 24 h announcement is due at once, when the session is scheduled
    await _run_due(e2e)
    [at_once] = discord.messages_in(channels.announcements)
    assert "Cases" in at_once.content
    e2e.server.faults.server_errors(status=502, times=1, route=r"/channels/\d+/messages$")
    clock.set(datetime(2026, 1, 5, 12, 45, tzinfo=UTC))
    await _run_due(e2e)
    [_, message] = discord.messages_in(channels.announcements)
    assert "Cases" in message.content and "(delayed)" not in message.content
    assert e2e.server.faults.injected  # the first attempt really failed


async def test_zone_by_city_or_abbreviation_and_the_start_echoed_in_members_zones(
        e2e, discord, alice, bob):
    # autocomplete: a city finds its zone, with the local time there (clock: Mon 12:00 UTC)
    [delhi, *_] = await discord.autocomplete("timezone set", "zone", "delhi", user=bob)
    assert delhi.value == "Asia/Kolkata" and "now 17:30 IST" in delhi.name
    tz = await discord.invoke("timezone set", user=bob, zone="IST")
    assert "**Asia/Kolkata**" in tz.content and "Asia/Jerusalem" in tz.content
    est = await discord.invoke("timezone set", user=alice, zone="EST")
    assert "**America/New_York**" in est.content  # never a fixed UTC-5
    await discord.invoke("studygroup create", user=alice, name="Night owls", topic="Step 1")
    await discord.invoke("studygroup join", user=bob, group="Night owls")
    scheduled = await discord.invoke("session schedule", user=alice, group="Night owls",
                                     title="Renal", start="7pm thursday")
    assert "Thu 8 Jan 2026, 19:00 EST (your time) = Fri 05:30 IST Kolkata" in scheduled.content
    refused = await discord.invoke("session schedule", user=alice, group="Night owls",
                                   title="Renal", start="tomorrow at 7")
    assert refused.ephemeral and "`tomorrow at 7`" in refused.content
    assert "`tomorrow 7pm`" in refused.content and "`thu 19:30`" in refused.content


async def test_erasing_a_member_updates_the_rsvp_counts_on_posted_announcements(
    e2e, discord, clock: ManualClock, alice, bob, channels
):
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await discord.invoke("timezone set", user=alice, zone="America/Chicago")
    await discord.invoke("studygroup create", user=alice, name="CK crew", topic="Step 2 CK")
    joined = await discord.invoke("studygroup join", user=bob, group="CK crew")
    await joined.wait_followups(1)  # asks bob's zone: done before the clock moves a day
    await discord.invoke("session schedule", user=alice, group="CK crew", title="Cardiology",
                         start="tomorrow 19:00")
    clock.set(START - timedelta(hours=24))
    await _run_due(e2e)
    [day_before] = discord.messages_in(channels.announcements)
    for label, who in (("Going (0)", bob), ("Maybe (0)", alice)):
        await (await discord.click(day_before, label=label, user=who)).wait_followups(1)
    clock.set(START - timedelta(minutes=15))
    await _run_due(e2e)
    _, soon = discord.messages_in(channels.announcements)
    assert [b["label"] for b in soon.buttons] == ["Going (1)", "Maybe (1)", "Not going (0)"]

    # An answer on the latest announcement recounts the earlier one too (one edit per 10 s).
    for label in ("Maybe (1)", "Going (1)", "Maybe (0)"):
        await (await discord.click(soon, label=label, user=alice)).wait_followups(1)
    assert [b["label"] for b in soon.buttons] == ["Going (1)", "Maybe (1)", "Not going (0)"]
    assert await e2e.bot.db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'study_rsvp_refresh'") == 1
    alice_going = ["Going (2)", "Maybe (0)", "Not going (0)"]
    await discord.click(day_before, label="Going (1)", user=alice)  # edits day_before itself
    assert [b["label"] for b in day_before.buttons] == alice_going
    clock.advance(timedelta(seconds=10))
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert await e2e.server.wait_until(
        lambda: [b["label"] for b in soon.buttons] == alice_going)
    await discord.click(soon, label="Maybe (0)", user=alice)

    warning = await discord.invoke("privacy delete", user=bob)
    await discord.click(warning, label="Delete my data", user=bob)
    counts = ["Going (0)", "Maybe (1)", "Not going (0)"]
    for posted in (day_before, soon):  # both still on the channel: both recount
        assert await e2e.server.wait_until(
            lambda posted=posted: [b["label"] for b in posted.buttons] == counts)


async def test_an_event_made_before_a_stop_is_found_not_made_twice(e2e, discord, alice,
                                                                    monkeypatch) -> None:
    """Creating a Discord event takes no nonce: if the bot stops between Discord's answer and
    recording the event, the next sync finds that event (ours, same name and start, no other
    session's) instead of listing the session twice in the server's Events."""
    await discord.invoke("timezone set", user=alice, zone="America/Chicago")
    await discord.invoke("studygroup create", user=alice, name="Renal rounds", topic="Step 1")
    [choice] = await discord.autocomplete("studygroup join", "group", "renal", user=alice)
    await discord.invoke("session schedule", user=alice, group=choice.value, title="Acid-base",
                         start="tomorrow 19:00")
    events = e2e.bot.services.study_groups.events
    record = events.record_created

    async def stopped(occurrence_id: int, event_id: int) -> None:
        """The process died before this write."""

    monkeypatch.setattr(events, "record_created", stopped)
    await _run_due(e2e)
    [made] = e2e.server.events.values()
    monkeypatch.setattr(events, "record_created", record)
    await _run_due(e2e)
    assert list(e2e.server.events.values()) == [made]
    [row] = await e2e.bot.db.fetchall("SELECT event_id, event_state FROM study_occurrences")
    assert (row["event_id"], row["event_state"]) == (int(made["id"]), "created")
