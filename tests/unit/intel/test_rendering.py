"""What the cog renders: autocomplete names within Discord's 100 characters, the form's two
steps within five rows, and a below-k field that says nothing but "not enough reports yet"."""

from __future__ import annotations

import pytest

from bot.services.intel import FIELDS, FieldSummary, MyReport, Program
from bot.ui import Menu
from cogs.intel.views import ReportForm, choice_name


@pytest.mark.parametrize(("name", "city"), [
    ("Short Program", "Bronx"),
    ("Montefiore Medical Center/Albert Einstein College of Medicine (Moses and Weiler Campuses) "
     "Program", "Bronx"),
    ("N" * 200, "C" * 100),
])
def test_choice_names_fit_and_keep_the_id_when_they_can(name: str, city: str) -> None:
    text = choice_name(Program("1403521287", name, "Internal Medicine", city, "NY"))
    assert len(text) <= 100
    if len(city) < 50:
        assert text.endswith(f"· {city}, NY · 1403521287")


def test_below_k_says_nothing_else() -> None:
    for field in FIELDS:
        assert FieldSummary(field, revealed=False).text() == "not enough reports yet"


async def test_the_form_has_at_most_five_rows_per_step() -> None:
    program = Program("1403521287", "P", "Internal Medicine", "Bronx", "NY")

    async def submit(*_: object) -> MyReport:
        raise AssertionError("not submitted here")

    form = ReportForm(1, program, 2027, 5, {"j1": "no", "yog": None}, submit)
    assert "pseudonymous, not anonymous" in form.content and len(form.content) <= 2000
    menus = {m.placeholder: m for m in form.children if isinstance(m, Menu)}
    assert len(menus) == 4 and max(c.row or 0 for c in form.children) <= 4
    assert [o.value for o in menus["Sponsored J-1 this cycle"].options if o.default] == ["no"]
    assert [o.value for o in menus["Year-of-graduation cutoff"].options if o.default] == ["unknown"]
    assert all(len(o.label) <= 100 for m in menus.values() for o in m.options)
    form.stop()
