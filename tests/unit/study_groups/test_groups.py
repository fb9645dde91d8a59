"""Groups, membership, permissions and member time zones."""

import pytest

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.services.study_groups import StudyGroupService

from .conftest import ALICE, BOB, CAROL, GUILD, ROLE

OTHER_GUILD = 700000000000000099


async def test_create_join_leave_and_capacity(service: StudyGroupService) -> None:
    groups = service.groups
    g = await groups.create(GUILD, ALICE, "  Step 2   CK crew ", "step 2 ck", "UWorld daily", 2, ROLE)
    assert (g.name, g.topic, g.capacity, g.role_id, g.member_count) == (
        "Step 2 CK crew", "Step 2 CK", 2, ROLE, 1
    )
    assert g.announce_offsets == (1440, 15, 0)
    assert (await groups.join(GUILD, g.id, BOB)).member_count == 2
    with pytest.raises(Conflict, match="is full"):
        await groups.join(GUILD, g.id, CAROL)
    with pytest.raises(Conflict, match="already in"):
        await groups.join(GUILD, g.id, BOB)
    with pytest.raises(Conflict, match="transfer"):
        await groups.leave(GUILD, g.id, ALICE)
    assert (await groups.leave(GUILD, g.id, BOB)).member_count == 1
    with pytest.raises(NotFound, match="not in"):
        await groups.leave(GUILD, g.id, BOB)
    assert [m.user_id for m in await groups.members(GUILD, g.id)] == [ALICE]


async def test_names_are_unique_per_guild_among_live_groups(service: StudyGroupService) -> None:
    g = await service.groups.create(GUILD, ALICE, "OET writing", "OET")
    with pytest.raises(Conflict, match="already a group"):
        await service.groups.create(GUILD, BOB, "oet WRITING", "OET")
    await service.groups.create(OTHER_GUILD, BOB, "OET writing", "OET")  # another server: fine
    await service.groups.archive(GUILD, g.id, ALICE, False)
    again = await service.groups.create(GUILD, BOB, "OET writing", "OET")
    assert (await service.groups.find(GUILD, "oet writing")).id == again.id
    assert (await service.groups.find(GUILD, str(g.id))).archived


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("x", "OET"), "2 to 60 characters"),
        (("A" * 61, "OET"), "2 to 60 characters"),
        (("Good name", "Step 4"), "Pick a topic"),
        (("Good name", "OET", "d" * 501), "at most 500"),
        (("Good name", "OET", "", 1), "Capacity is 2 to 1000"),
    ],
)
async def test_bad_group_input_changes_nothing(service: StudyGroupService, args: tuple, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        await service.groups.create(GUILD, ALICE, *args)
    assert await service.groups.list(GUILD) == []


async def test_only_owner_or_moderator_manage(service: StudyGroupService) -> None:
    g = await service.groups.create(GUILD, ALICE, "Step 1 night owls", "Step 1")
    await service.groups.join(GUILD, g.id, BOB)
    with pytest.raises(Forbidden, match="owner"):
        await service.groups.edit(GUILD, g.id, BOB, False, name="Mine now")
    edited = await service.groups.edit(GUILD, g.id, BOB, True, name="Step 1 early birds",
                                       announce_offsets="2h, 10m, 0")
    assert (edited.name, edited.announce_offsets) == ("Step 1 early birds", (120, 10, 0))
    with pytest.raises(Conflict, match="must be a member"):
        await service.groups.transfer(GUILD, g.id, ALICE, False, CAROL)
    moved = await service.groups.transfer(GUILD, g.id, ALICE, False, BOB)
    assert moved.owner_id == BOB
    with pytest.raises(Forbidden):
        await service.groups.archive(GUILD, g.id, ALICE, False)
    archived, _ = await service.groups.archive(GUILD, g.id, BOB, False)
    assert archived.archived
    with pytest.raises(Conflict, match="archived"):
        await service.groups.join(GUILD, g.id, CAROL)
    assert await service.groups.list(GUILD) == []
    assert len(await service.groups.list(GUILD, include_archived=True)) == 1


async def test_guilds_do_not_see_each_others_groups(service: StudyGroupService) -> None:
    g = await service.groups.create(GUILD, ALICE, "Interview prep", "Interviews")
    with pytest.raises(NotFound):
        await service.groups.get(OTHER_GUILD, g.id)
    with pytest.raises(NotFound):
        await service.groups.join(OTHER_GUILD, g.id, BOB)
    assert await service.groups.search(OTHER_GUILD, "inter") == []
    assert [x.id for x in await service.groups.search(GUILD, "VIEW")] == [g.id]


@pytest.mark.parametrize("text", ["", "1w", "abc", "8d", "1,2,3,4,5,6"])
async def test_bad_offsets(service: StudyGroupService, text: str) -> None:
    g = await service.groups.create(GUILD, ALICE, "Step 3", "Step 3")
    with pytest.raises(InvalidInput):
        await service.groups.edit(GUILD, g.id, ALICE, False, announce_offsets=text)
    assert (await service.groups.get(GUILD, g.id)).announce_offsets == (1440, 15, 0)


async def test_timezones_and_the_one_time_prompt(service: StudyGroupService) -> None:
    tz = service.timezones
    assert await tz.get(ALICE) is None
    assert (await tz.zone_for(ALICE)).key == "UTC"
    assert await tz.should_ask(ALICE) is True
    assert await tz.should_ask(ALICE) is False  # asked once only
    assert await tz.set(ALICE, "africa/lagos") == "Africa/Lagos"
    assert (await tz.zone_for(ALICE)).key == "Africa/Lagos"
    assert await tz.should_ask(BOB) is True
    await tz.set(BOB, "Asia/Karachi")
    assert await tz.zones_of([ALICE, BOB, CAROL]) == {ALICE: "Africa/Lagos", BOB: "Asia/Karachi"}
    assert await tz.should_ask(CAROL) is True
    with pytest.raises(InvalidInput):
        await tz.set(CAROL, "Lagos/Nigeria")
    assert await tz.get(CAROL) is None
