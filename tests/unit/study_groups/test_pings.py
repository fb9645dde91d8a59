"""Which role a study group may ping (issue 16, item 2): the rule, without Discord."""

import pytest

from bot.errors import Forbidden, InvalidInput
from bot.services.study_groups.pings import RoleFacts, attach_trust, may_ping

MENTIONABLE = RoleFacts(1, "Step 1", mentionable=True)
LOCKED = RoleFacts(2, "Moderators", mentionable=False)
EVERYONE = RoleFacts(3, "@everyone", mentionable=True, everyone=True)


def test_a_member_attaches_only_roles_they_could_mention() -> None:
    assert attach_trust(MENTIONABLE, moderator=False, can_mention_everyone=False) is False
    with pytest.raises(Forbidden, match="not mentionable"):
        attach_trust(LOCKED, moderator=False, can_mention_everyone=False)
    assert attach_trust(LOCKED, moderator=True, can_mention_everyone=False) is True
    assert attach_trust(LOCKED, moderator=False, can_mention_everyone=True) is True
    for moderator in (False, True):
        with pytest.raises(InvalidInput, match="everyone"):
            attach_trust(EVERYONE, moderator=moderator, can_mention_everyone=True)


@pytest.mark.parametrize(
    ("role", "trusted", "pinged"),
    [(MENTIONABLE, False, True), (LOCKED, False, False), (LOCKED, True, True),
     (EVERYONE, True, False), (None, True, False)],
)
def test_send_time_check(role: RoleFacts | None, trusted: bool, pinged: bool) -> None:
    assert may_ping(role, trusted) is pinged
