"""Document review through the real bot on localdiscord: bad files refused (nothing kept, the
oversized one never downloaded), the automatic checks on the shipped sample statement and CV,
a review routed, timed out to the next reviewer, answered and rated, the anonymity audit of
everything the reviewer received, and the document erased from the files after the retention
(every connection starting with secure_delete OFF, as on a default SQLite build)."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.db.backup import backup_database
from bot.logs import setup_logging
from bot.outbox import SOURCE_NAME as OUTBOX
from bot.services.preparation.review import OFFER_TIMEOUT
from localdiscord.harness import BotHarness
from localdiscord.seed import User
from tests.anonymity_scan import raw_bytes
from tests.e2e.test_mentoring import approve, register_mentor
from tests.review_files import damaged_pdf, docx, locked_docx, locked_pdf, pdf, sample, scanned_pdf

STATEMENT = sample("personal_statement.txt")
#: Words of the sample statement that appear nowhere else: searched for in the raw files.
SECRET = b"one working glucometer and forty beds"
RUBRIC = {"Structure (1-4, then a sentence)": "3 A clear arc from Lagos to residency.",
          "Specificity (1-4, then a sentence)": "2 Name one patient you changed.",
          "Red flags addressed (1-4, then a sentence)": "4 The Step 1 attempt is owned well.",
          "Language (1-4, then a sentence)": "3 Fix the smart quotes and the tab.",
          "Comments": "Strong ending; cut the program's name."}


async def _run_due(e2e: BotHarness) -> None:
    await e2e.bot.scheduler.run_now(OUTBOX)


async def _count(e2e: BotHarness, sql: str) -> int:
    return await e2e.bot.db.fetchval(sql)


async def _reviewers(e2e: BotHarness, discord, mira: User, *who: User) -> None:
    for user in who:
        await register_mentor(discord, user)
        await approve(discord, mira, user)
        reply = await discord.invoke("review reviewer", user=user, capacity=2,
                                     kind="personal_statement")
        assert "You review **Personal statement** for **Internal Medicine**" in reply.text


async def _request(discord, who: User, anonymous: bool = False):
    return await discord.invoke("review request", user=who, kind="personal_statement",
                                specialty="internal_medicine", anonymous=anonymous,
                                document=("statement.txt", STATEMENT.encode()))


async def _wait_dm(e2e: BotHarness, discord, user: User, count: int):
    await _run_due(e2e)
    assert await e2e.server.wait_until(lambda: len(discord.dms_of(user)) >= count, 5)
    return discord.dms_of(user)[count - 1]


@pytest.mark.parametrize(("name", "data", "says"), [
    ("statement.pdf", scanned_pdf(), "looks scanned"),
    ("statement.pdf", locked_pdf(["Internal medicine"]), "password-protected"),
    ("statement.docx", locked_docx(), "password-protected"),
    ("statement.pdf", damaged_pdf(), "not a valid PDF"),
    ("statement.docx", b"PK\x03\x04 damaged", "not a valid Word document"),
    ("statement.txt", b"\n \n", "That document is empty"),
    ("statement.pages", b"anything", "I can read .txt, .md, .docx and .pdf"),
])
async def test_each_bad_file_is_refused_with_its_message_and_nothing_is_kept(
    e2e, discord, alice, bob, mira, name: str, data: bytes, says: str
):
    await _reviewers(e2e, discord, mira, bob)  # someone could take it: the file is the problem
    reply = await discord.invoke("review request", user=alice, kind="personal_statement",
                                 specialty="internal_medicine", document=(name, data))
    assert reply.ephemeral and says in reply.text and "Nothing was kept" in reply.text
    assert await _count(e2e, "SELECT count(*) FROM review_requests") == 0
    assert await _count(e2e, "SELECT count(*) FROM outbox WHERE kind LIKE 'review_%'") == 0


async def test_an_oversized_file_is_refused_before_it_is_downloaded(e2e, discord, alice):
    reply = await discord.invoke("review request", user=alice, kind="cv",
                                 specialty="internal_medicine",
                                 document=("cv.pdf", b"%PDF" + bytes(3 * 1024 * 1024)))
    assert "That file is 3.0 MB; I take documents up to 2 MB" in reply.text
    assert e2e.server.downloads == []
    pasted = await discord.invoke("review request", user=alice, kind="experience",
                                  specialty="pediatrics")
    empty = await discord.submit_modal(pasted, {"Your document": "   "}, user=alice)
    assert "That document is empty" in empty.text
    assert await _count(e2e, "SELECT count(*) FROM review_requests") == 0


async def test_checks_on_the_sample_statement_and_cv(e2e, discord, alice):
    reply = await _request(discord, alice)
    assert "No reviewer has room" in reply.text and "nothing was kept" in reply.text
    [embed] = reply.embeds
    assert embed["title"] == "Automatic checks: Personal statement, Internal Medicine"
    lines = embed["description"].splitlines()
    assert any(line.startswith("• Smart quotes (1)") and line.endswith("(line 1)") for line in lines)
    assert any("Tabs (1)" in line and line.endswith("(line 5)") for line in lines)
    assert any("**Family Medicine**, not Internal Medicine" in line
               and line.endswith("(paragraph 3, line 5)") for line in lines)
    assert any("**Riverside Internal Medicine Residency Program**" in line for line in lines)
    assert "students-residents.aamc.org" in embed["footer"]["text"]
    assert not reply.messages[0].pings_anyone

    cv = await discord.invoke("review request", user=alice, kind="cv",
                              specialty="internal_medicine",
                              document=("cv.docx", docx(sample("cv.md").splitlines())))
    lines = cv.embeds[0]["description"].splitlines()
    [undated] = [line for line in lines if "without dates" in line]
    assert undated.endswith("(paragraph 5, line 16)")  # the observership
    assert any("No official page gives a length" in line for line in lines)

    as_pdf = await discord.invoke("review request", user=alice, kind="meaningful",
                                  specialty="pediatrics",
                                  document=("m.pdf", pdf(["x" * 90] * 4)))
    assert "over the ERAS limit of 300" in as_pdf.embeds[0]["description"]
    assert await _count(e2e, "SELECT count(*) FROM review_requests") == 0
    listed = await discord.invoke("help", user=alice)
    assert "Application preparation" in listed.text and "/review request" in listed.text


async def test_a_review_is_routed_timed_out_answered_and_rated(
    e2e, discord, clock: ManualClock, alice, bob, ada, mira
):
    await _reviewers(e2e, discord, mira, bob, ada)
    reply = await _request(discord, alice)
    assert "went to a reviewer" in reply.text
    offer = await _wait_dm(e2e, discord, bob, 2)  # after the approval notice
    assert f"<@{alice.id}> asks you to review a **personal statement**" in offer.content
    assert not offer.pings_anyone

    clock.advance(OFFER_TIMEOUT)  # Bob never answers: Ada is asked
    second = await _wait_dm(e2e, discord, ada, 2)
    assert "asks you to review" in second.content
    late = await discord.click(offer, label="Accept", user=bob)
    assert "no longer waiting for you" in late.text

    accepted = await discord.click(second, label="Accept", user=ada)
    assert "You accepted" in accepted.text
    document = await _wait_dm(e2e, discord, ada, 3)
    [attachment] = document.attachments
    assert attachment.data.decode() == STATEMENT.strip("\n")
    assert "Smart quotes (1)" in document.content
    form = await discord.click(document, label="Write the review", user=ada)
    bad = await discord.submit_modal(form, RUBRIC | {"Structure (1-4, then a sentence)": "Good"},
                                     user=ada)
    assert "start with a score from 1 to 4" in bad.text
    form = await discord.click(document, label="Write the review", user=ada)
    sent = await discord.submit_modal(form, RUBRIC, user=ada)
    assert "the member gets your review by DM" in sent.text

    result = await _wait_dm(e2e, discord, alice, 1)
    [embed] = result.embeds
    assert [f["name"] for f in embed["fields"]] == [
        "Structure: 3/4", "Specificity: 2/4", "Red flags addressed: 4/4", "Language: 3/4"]
    assert f"By <@{ada.id}>" in embed["description"] and not result.pings_anyone
    rated = await discord.click(result, label="5", user=alice)
    assert "you rated this review 5/5" in rated.text
    assert await _count(e2e, "SELECT rating FROM review_requests") == 5

    profile = await discord.invoke("mentor profile", user=ada)
    fields = {f["name"]: f["value"] for f in profile.embeds[0]["fields"]}
    assert fields["Document reviews given"] == "1"
    bobs = await discord.invoke("mentor profile", user=bob)
    assert {f["name"]: f["value"] for f in bobs.embeds[0]["fields"]}["Document reviews given"] == "0"


def _received_by(e2e: BotHarness, discord, reviewer: User) -> Iterator[str]:
    """Everything the bot sent that ``reviewer`` receives: messages to their DM channel and the
    answers to their own interactions (bodies and attached files, as sent)."""
    dm = discord.dm_channel(reviewer)
    theirs = [i for i in e2e.server.interactions.values() if i.user_id == reviewer.id]
    paths = [f"/channels/{dm}/"] + [f"/interactions/{i.id}/{i.token}/" for i in theirs] + [
        f"/webhooks/{e2e.server.app_id}/{i.token}" for i in theirs]
    for record in e2e.server.requests:
        if record.method != "GET" and any(record.path.startswith(p) for p in paths):
            yield json.dumps(record.body)
            yield from (data.decode("utf-8", "replace") for _, data in record.files)


async def test_an_anonymous_review_gives_the_reviewer_nothing_that_names_the_member(
    e2e, discord, alice, bob, mira
):
    await _reviewers(e2e, discord, mira, bob)
    await _request(discord, alice, anonymous=True)
    offer = await _wait_dm(e2e, discord, bob, 2)
    assert offer.content.startswith("A member asks you to review")
    await discord.click(offer, label="Accept", user=bob)
    document = await _wait_dm(e2e, discord, bob, 3)
    assert "an anonymous member" in document.content
    form = await discord.click(document, label="Write the review", user=bob)
    await discord.submit_modal(form, RUBRIC, user=bob)
    await _wait_dm(e2e, discord, alice, 1)  # Alice got her review

    received = list(_received_by(e2e, discord, bob))
    assert len(received) >= 6  # offer, accept, document (+ file), form, answer
    assert [text for text in received if str(alice.id) in text] == []

    # Control: the same audit finds Alice in a review she did not ask anonymously.
    await _request(discord, alice)
    named = await _wait_dm(e2e, discord, bob, 4)
    assert alice.mention in named.content
    assert [text for text in _received_by(e2e, discord, bob) if str(alice.id) in text]


@pytest.fixture
def default_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sqlite3 connection opened during the test starts with secure_delete OFF."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.fixture
def e2e_off(default_off: None, e2e: BotHarness) -> BotHarness:
    """The bot, started after ``default_off`` (its connection too starts with it off)."""
    return e2e


async def test_the_document_is_erased_from_the_files_after_the_retention(
    e2e_off, discord, clock: ManualClock, alice, bob, mira, tmp_path: Path
):
    e2e = e2e_off
    await e2e.set_setting("review_retention_days", 2)
    await _reviewers(e2e, discord, mira, bob)
    await _request(discord, alice)
    offer = await _wait_dm(e2e, discord, bob, 2)
    await discord.click(offer, label="Accept", user=bob)
    document = await _wait_dm(e2e, discord, bob, 3)
    form = await discord.click(document, label="Write the review", user=bob)
    await discord.submit_modal(form, RUBRIC, user=bob)
    await _wait_dm(e2e, discord, alice, 1)
    db_file = e2e.settings.database_path
    exported = await e2e.bot.services.privacy.export_member(e2e.world.guild_id, alice.id)
    assert exported["data"]["document_review"]["requests"][0]["document"] == STATEMENT.strip("\n")
    assert SECRET in raw_bytes(db_file)  # the scan sees the document while it is kept
    before = backup_database(db_file, tmp_path / "before.sqlite3")
    assert SECRET in before.read_bytes()  # and a backup taken meanwhile holds it (see README)

    clock.advance(timedelta(days=2) - timedelta(minutes=1))
    await _run_due(e2e)
    assert await _count(e2e, "SELECT count(*) FROM review_requests") == 1
    clock.advance(timedelta(minutes=1))
    await _run_due(e2e)
    assert await _count(e2e, "SELECT count(*) FROM review_requests") == 0
    assert await e2e.bot.db.fetchval("PRAGMA secure_delete") == 1
    assert SECRET not in raw_bytes(db_file)
    # a backup taken now (as the daily one is) holds no trace of it either
    backup = backup_database(db_file, tmp_path / "after.sqlite3")
    assert SECRET not in backup.read_bytes()
    late = await discord.click(discord.dms_of(alice)[0], label="4", user=alice)
    assert "erased" in late.text


@pytest.fixture
def bot_debug_log() -> Iterator[io.StringIO]:
    """The bot's own logging at DEBUG (as ``LOG_LEVEL=DEBUG``), set up before the bot starts;
    the fake Discord's own logger is left out (it is Discord's side)."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    handler = setup_logging("DEBUG", stream=stream)
    handler.addFilter(lambda record: not record.name.startswith("localdiscord"))
    try:
        yield stream
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


@pytest.fixture
def e2e_logged(bot_debug_log: io.StringIO, e2e: BotHarness) -> BotHarness:
    return e2e


async def test_no_document_text_reaches_the_log(
    e2e_logged, bot_debug_log: io.StringIO, discord, alice, bob, mira
):
    e2e = e2e_logged
    await _reviewers(e2e, discord, mira, bob)
    await _request(discord, alice)  # attached
    offer = await _wait_dm(e2e, discord, bob, 2)
    await discord.click(offer, label="Accept", user=bob)
    document = await _wait_dm(e2e, discord, bob, 3)  # sent to the reviewer as a file
    form = await discord.click(document, label="Write the review", user=bob)
    await discord.submit_modal(form, RUBRIC, user=bob)
    await _wait_dm(e2e, discord, alice, 1)
    pasted = "Xylophone-quokka: my pasted experience at the rural clinic."
    form = await discord.invoke("review request", user=alice, kind="experience",
                                specialty="pediatrics")
    await discord.submit_modal(form, {"Your document": pasted}, user=alice)
    refused = await discord.invoke("review request", user=alice, kind="cv",
                                   specialty="pediatrics",
                                   document=("cv.pdf", b"%PDF-1.4 Zanzibar-narwhal damaged"))
    assert "not a valid PDF" in refused.text

    log_text = bot_debug_log.getvalue()
    assert "discord.http" in log_text and "DEBUG" in log_text  # it did log, at DEBUG
    for secret in (SECRET.decode(), "glucometer", "Xylophone-quokka", "Zanzibar-narwhal"):
        assert secret not in log_text


async def test_privacy_export_has_the_document_and_delete_erases_it_and_hands_reviews_on(
    e2e, discord, alice, bob, ada, mira
):
    await _reviewers(e2e, discord, mira, bob, ada)
    await _request(discord, alice)
    offer = await _wait_dm(e2e, discord, bob, 2)
    await discord.click(offer, label="Accept", user=bob)
    exported = await discord.invoke("privacy export", user=alice)
    data = json.loads(exported.attachments[0].text)
    [request] = data["data"]["document_review"]["requests"]
    assert request["status"] == "accepted" and request["document"] == STATEMENT.strip("\n")
    mine = json.loads((await discord.invoke("privacy export", user=bob)).attachments[0].text)
    assert mine["data"]["document_review"]["reviewer"]["kinds"] == ["Personal statement"]

    # Bob deletes his data: the review he accepted goes on to Ada.
    warning = await discord.invoke("privacy delete", user=bob)
    assert "Document review: the documents you sent for review" in warning.text
    await discord.click(warning, label="Delete my data", user=bob)
    handed = await _wait_dm(e2e, discord, ada, 2)
    assert f"<@{alice.id}> asks you to review" in handed.content
    assert await _count(e2e, f"SELECT count(*) FROM review_reviewers WHERE user_id = {bob.id}") == 0

    # Alice deletes hers: the document is gone at once, and nothing about it is left to send.
    warning = await discord.invoke("privacy delete", user=alice)
    await discord.click(warning, label="Delete my data", user=alice)
    assert await _count(e2e, "SELECT count(*) FROM review_requests") == 0
    assert await _count(e2e, "SELECT count(*) FROM review_offers") == 0
    assert await _count(e2e, "SELECT count(*) FROM outbox WHERE kind LIKE 'review_%' "
                             "AND state = 'pending'") == 0
    assert SECRET not in raw_bytes(e2e.settings.database_path)
    late = await discord.click(handed, label="Accept", user=ada)
    assert "no longer waiting for you" in late.text


async def test_a_withdrawn_document_is_erased_at_once(e2e, discord, alice, bob, mira):
    await _reviewers(e2e, discord, mira, bob)
    await _request(discord, alice)
    offer = await _wait_dm(e2e, discord, bob, 2)
    withdrawn = await discord.invoke("review withdraw", user=alice)
    assert "your personal statement is erased" in withdrawn.text
    assert SECRET not in raw_bytes(e2e.settings.database_path)
    late = await discord.click(offer, label="Accept", user=bob)
    assert "no longer waiting for you" in late.text
    again = await discord.invoke("review withdraw", user=alice)
    assert "no document waiting" in again.text
