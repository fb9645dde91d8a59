"""Programs: the CSV import (columns, errors by line, upserts) and finding a program by name,
city, state or id, within Discord's 25 choices."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput, NotFound
from bot.services.intel import IntelService, parse_programs
from tests.unit.intel.conftest import MONTEFIORE, SAMPLE

HEADER = "program_id,name,specialty,city,state\n"


def test_the_sample_file_parses_with_real_ids_and_its_source_named() -> None:
    text = SAMPLE.read_text("utf-8")
    programs = parse_programs(text)
    assert len(programs) == 15
    assert {p.specialty for p in programs} == {"Internal Medicine", "Family Medicine",
                                                "Transitional Year"}
    assert "github.com/nmacklin/MactionCreations" in text  # where the rows come from
    by_id = {p.program_id: p for p in programs}
    assert by_id[MONTEFIORE].city == "Bronx" and by_id[MONTEFIORE].state == "NY"
    # The ACGME id's first three digits are the specialty code the file says it read.
    codes = {"140": "Internal Medicine", "120": "Family Medicine", "999": "Transitional Year"}
    assert all(codes[p.program_id[:3]] == p.specialty for p in programs)


@pytest.mark.parametrize(("text", "message"), [
    ("program_id,name,city,state\n", "no column specialty"),
    (HEADER + "14035,Short Program,Internal Medicine,Bronx,NY\n", "line 2: program_id"),
    (HEADER + "1403521287,X,Internal Medicine,Bronx,New York\n", "line 2: state"),
    (HEADER + "# a comment\n1403521287,,Internal Medicine,Bronx,NY\n", "line 3: name is empty"),
    (HEADER + "1403521287,A,IM,Bronx,NY\n1403521287,B,IM,Bronx,NY\n", "line 3: .* appears twice"),
    (HEADER + '1403521287,"A\nB",IM,Bronx,NY\n', "several lines"),
    (HEADER + f"1403521287,A,{'S' * 101},Bronx,NY\n", "specialty is longer than 100"),
])
def test_a_bad_file_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_programs(text)


def test_text_is_sanitised_and_columns_may_come_in_any_order() -> None:
    [program] = parse_programs("state,city,specialty,name,program_id,extra\n"
                               "ny,Bronx,Internal Medicine,@everyone Program,1403521287,x\n")
    assert program.state == "NY" and "@everyone" not in program.name


async def test_import_adds_updates_and_keeps(intel: IntelService) -> None:
    again = await intel.programs.import_text(SAMPLE.read_text("utf-8"))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 15)
    changed = await intel.programs.import_text(
        HEADER + f"{MONTEFIORE},Montefiore Renamed Program,Internal Medicine,Bronx,NY\n"
        "1403599999,New Program,Internal Medicine,Albany,NY\n"
    )
    assert (changed.added, changed.updated, changed.unchanged) == (1, 1, 0)
    assert (await intel.programs.get(MONTEFIORE)).name == "Montefiore Renamed Program"
    assert (await intel.programs.get("1402331152")).city == "Baltimore"  # not in the file: kept


async def test_a_bad_file_imports_nothing(intel: IntelService) -> None:
    with pytest.raises(InvalidInput):
        await intel.programs.import_text(HEADER + "1403599999,New,IM,Albany,NY\nbad,row,,,\n")
    assert await intel.programs.search("Albany") == []


async def test_search_by_name_city_state_or_id(intel: IntelService) -> None:
    assert [p.program_id for p in await intel.programs.search("montefiore")] == [MONTEFIORE]
    assert [p.city for p in await intel.programs.search("bronx")] == ["Bronx"]
    assert [p.program_id for p in await intel.programs.search("14035212")] == [MONTEFIORE]
    ny = await intel.programs.search("ny")
    assert len(ny) == 5 and all(p.state == "NY" for p in ny)
    assert [p.city for p in await intel.programs.search("ny brooklyn")] == ["Brooklyn"]
    assert await intel.programs.search("100%_") == []  # LIKE's wildcards are literal


async def test_search_offers_at_most_25_choices(intel: IntelService) -> None:
    rows = "".join(f"14035{n:05d},Program {n},Internal Medicine,Albany,NY\n" for n in range(40))
    await intel.programs.import_text(HEADER + rows)
    assert len(await intel.programs.search("albany")) == 25
    assert len(await intel.programs.search("")) == 25


async def test_get_takes_an_id_or_one_match_only(intel: IntelService) -> None:
    assert (await intel.programs.get(MONTEFIORE)).city == "Bronx"
    assert (await intel.programs.get("Norton Community")).program_id == "1405100437"
    with pytest.raises(NotFound, match="Several programs"):
        await intel.programs.get("NY")
    with pytest.raises(NotFound, match="do not know"):
        await intel.programs.get("1400000000")
