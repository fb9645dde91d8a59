"""The setup checks behind `fmg-bot doctor` and `/settings check`, on plain facts."""

from __future__ import annotations

from dataclasses import replace

from bot.services.guild_settings import SETTING_SPECS, GuildConfig
from bot.services.health import (
    PERMISSION_NEEDS,
    ChannelFacts,
    Finding,
    GuildFacts,
    check_guild,
    needs_for,
    pick_welcome_channel,
    problems,
    setup_guide,
)

GUILD = 100000000000000001
ANNOUNCE, FORUM = 200000000000000001, 200000000000000002
GENERAL, RULES = 200000000000000003, 200000000000000004
MOD_ROLE = 300000000000000001
EVERYTHING = frozenset(
    {"view_channel", "send_messages", "send_messages_in_threads", "embed_links", "attach_files",
     "read_message_history", "create_public_threads", "manage_threads", "manage_events",
     "create_private_threads", "manage_messages"}
)


def facts(**channels: ChannelFacts) -> GuildFacts:
    base = {
        ANNOUNCE: ChannelFacts(ANNOUNCE, "study-sessions", "text", EVERYTHING),
        FORUM: ChannelFacts(FORUM, "ask-anonymously", "forum", EVERYTHING, forum_tags=("visa",)),
        GENERAL: ChannelFacts(GENERAL, "general", "text", EVERYTHING),
        RULES: ChannelFacts(RULES, "rules", "text", frozenset({"view_channel"})),
    }
    for channel in channels.values():
        base[channel.id] = channel
    return GuildFacts(
        GUILD, "FMG Network", base, {GUILD: "@everyone", MOD_ROLE: "Moderators"}, EVERYTHING,
        channel_order=(RULES, GENERAL, ANNOUNCE, FORUM),
    )


def configured(**extra: int) -> GuildConfig:
    values = {
        "announcements_channel": ANNOUNCE, "anonymous_channel": FORUM, "mentoring_channel": GENERAL,
        "moderator_role": MOD_ROLE, "anonymous_review_channel": GENERAL,
    }
    values.update(extra)
    return GuildConfig(GUILD, {k: v for k, v in values.items() if k in SETTING_SPECS})


def test_a_complete_setup_has_no_problems() -> None:
    findings = check_guild(facts(), configured())
    assert problems(findings) == []
    assert any(f.subject == "Study groups · Announcements channel" and f.level == "ok" for f in findings)


def test_a_deleted_channel_is_an_error_with_a_fix() -> None:
    gone = 200000000000000099
    found = problems(check_guild(facts(), configured(announcements_channel=gone)))
    assert found == [
        Finding(
            "error", "Study groups · Announcements channel",
            f"the channel ({gone}) no longer exists or the bot cannot see it",
            "choose another with /settings channel setting:Announcements channel channel:#…, "
            "or give the bot View Channel there",
        )
    ]


def test_a_missing_permission_names_the_permission_and_the_channel() -> None:
    no_threads = ChannelFacts(
        FORUM, "ask-anonymously", "forum", EVERYTHING - {"manage_threads", "create_public_threads"}
    )
    found = problems(check_guild(facts(forum=no_threads), configured()))
    assert len(found) == 1
    assert found[0].level == "error"
    assert found[0].message == (
        "the bot lacks Create Public Threads, Manage Threads in #ask-anonymously"
    )
    assert "allow Create Public Threads, Manage Threads" in found[0].fix


def test_a_missing_server_permission_is_reported_for_its_capability() -> None:
    guild = replace(facts(), bot_permissions=EVERYTHING - {"manage_events"})
    found = problems(check_guild(guild, configured()))
    assert [(f.subject, f.message.split(" (")[0]) for f in found] == [
        ("Study groups · server permissions", "the bot lacks Manage Events")
    ]


def test_wrong_channel_kind_and_forum_that_requires_tags() -> None:
    voice = ChannelFacts(ANNOUNCE, "lounge", "voice", EVERYTHING)
    strict_forum = ChannelFacts(FORUM, "ask-anonymously", "forum", EVERYTHING, requires_tag=True)
    found = problems(check_guild(facts(a=voice, f=strict_forum), configured()))
    assert [f.message for f in found] == [
        "#lounge is a voice channel, it must be a text channel or announcement channel",
        "the forum #ask-anonymously requires a tag on every post, and the bot posts without one",
    ]


def test_unset_channels_are_warnings_and_a_missing_role_is_an_error() -> None:
    found = check_guild(facts(), GuildConfig(GUILD, {"moderator_role": 300000000000000999}))
    levels = {f.subject: f.level for f in found}
    assert levels["Study groups · Announcements channel"] == "warning"
    assert levels["Anonymous questions · Anonymous questions channel"] == "warning"
    assert levels["Server · Moderator role"] == "error"
    assert levels["Mentoring · Mentor coordinator role"] == "info"


def test_every_need_names_a_real_setting_and_known_permissions() -> None:
    for need in PERMISSION_NEEDS:
        assert need.setting is None or SETTING_SPECS[need.setting].kind == "channel"
        assert need.permissions
    permissions, kinds = needs_for("a_setting_nobody_declared")
    assert permissions == ("view_channel", "send_messages", "embed_links") and "text" in kinds


def test_the_welcome_goes_to_the_system_channel_else_the_first_postable_one() -> None:
    assert pick_welcome_channel(replace(facts(), system_channel_id=ANNOUNCE)) == ANNOUNCE
    assert pick_welcome_channel(replace(facts(), system_channel_id=RULES)) == GENERAL  # read-only
    muted = {cid: replace(c, bot_permissions=frozenset()) for cid, c in facts().channels.items()}
    assert pick_welcome_channel(replace(facts(), channels=muted)) is None


def test_the_setup_guide_lists_what_is_missing() -> None:
    guide = setup_guide(check_guild(facts(), GuildConfig(GUILD, {})))
    assert "/settings check" in guide
    assert "Announcements channel: not set" in guide
    assert len(guide) <= 2000


def test_discord_permissions_become_the_names_the_table_uses() -> None:
    import discord

    from bot.guild_facts import granted

    names = granted(discord.Permissions(view_channel=True, send_messages=True, manage_events=True))
    assert {"view_channel", "send_messages", "manage_events"} <= names
    assert "manage_threads" not in names
    every_needed = {p for need in PERMISSION_NEEDS for p in need.permissions}
    assert every_needed <= granted(discord.Permissions.all())
    assert every_needed <= discord.Permissions.VALID_FLAGS.keys()
