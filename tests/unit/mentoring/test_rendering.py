"""The mentoring embeds stay inside Discord's limits, paginating instead of truncating."""

from bot.services.mentoring.vocab import LANGUAGES, SPECIALTIES, VISA_ROUTES
from cogs.mentoring.views import roster_pages
from tests.unit.mentoring.factories import mentor


def test_roster_pages_hold_every_mentor_within_the_embed_limit() -> None:
    widest = dict(specialties=tuple(SPECIALTIES), visas=tuple(VISA_ROUTES),
                  languages=tuple(LANGUAGES), timezone="America/Argentina/ComodRivadavia")
    mentors = [mentor(id=i, user_id=10**18 + i, **widest) for i in range(23)]
    pages = roster_pages(mentors, "Mentor roster")
    assert all(len(p.description) <= 4096 for p in pages)
    shown = "\n".join(p.description for p in pages)
    assert all(f"<@{m.user_id}>" in shown for m in mentors)
    assert len(pages) > 3  # ~900 characters a line: fewer than 10 per page


def test_short_roster_lines_fill_ten_per_page() -> None:
    pages = roster_pages([mentor(id=i, user_id=i) for i in range(1, 22)], "Mentor roster")
    assert [p.description.count("\n") + 1 for p in pages] == [10, 10, 1]
    assert roster_pages([], "Mentor roster")[0].description == "No mentor matches these filters."
