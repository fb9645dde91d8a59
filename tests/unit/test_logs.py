import io
import logging

from bot.logs import REDACTED, setup_logging

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.canary-token-abcdefghijklmnopqrstuvwxyz"


def test_token_is_redacted_from_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = setup_logging("DEBUG", secrets=[TOKEN], stream=stream)
    try:
        log = logging.getLogger("discord.http")
        log.info("Authorization: Bot %s", TOKEN)
        log.debug(f"direct {TOKEN}")
        try:
            raise RuntimeError(f"login failed for {TOKEN}")
        except RuntimeError:
            logging.getLogger("bot").exception("oops")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count(REDACTED) == 3  # argument, f-string, exception message
    assert "Authorization: Bot [redacted]" in text


# The shape of a real interaction token: base64("interaction:<id>:<secret>").
INTERACTION_TOKEN = (
    "aW50ZXJhY3Rpb246MTQ1NzcwNTk0ODU0NTAyNDA1MDpDdDdZcm5MbEZ0S1lVa3VwN0ZwQmRqUkdxd2F4"
    "NlpqVlh3dFRGWDNuYkJ0Q1h0cFpjSjZpeGJsWDZ6dGJtc2FUQnpQbkE2Z0t4c0VzM3g"
)
WEBHOOK_TOKEN = "Xy9-w3bHOOk_t0kenAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopq"


def test_interaction_and_webhook_tokens_never_reach_a_line_at_any_level() -> None:
    """discord.py writes each request URL at DEBUG (``discord.http``,
    ``discord.webhook.async_``); the token in it is the key to the asker's private reply."""
    stream = io.StringIO()
    handler = setup_logging("DEBUG", stream=stream)
    base = "https://discord.com/api/v10"
    lines = [
        "POST %s/interactions/1457705948545024050/%s/callback with None has returned 204",
        "GET %s/webhooks/1457705189376000001/%s/messages/@original has returned 200",
        "PATCH %s/webhooks/1457705189376000001/%s?wait=true has returned 200",
    ]
    try:
        for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
            for name in ("discord.http", "discord.webhook.async_", "aiohttp.client", "bot"):
                log = logging.getLogger(name)
                for line in lines:
                    log.log(level, line, base, INTERACTION_TOKEN)
                    log.log(level, line, base, WEBHOOK_TOKEN)
                log.log(level, "payload %s", {"id": "1", "token": WEBHOOK_TOKEN, "type": 2})
                log.log(level, 'json {"token": "%s", "type": 2}', WEBHOOK_TOKEN)
                log.log(level, "bare %s.", INTERACTION_TOKEN)
                log.log(level, "bare webhook token %s", WEBHOOK_TOKEN)
                log.log(level, "another bot's token %s", TOKEN)
                log.log(level, "code 12-ABCDE-FGHJK-MNPQR-STVWX typed")
        try:
            raise RuntimeError(f"404 for /webhooks/1/{WEBHOOK_TOKEN}/messages/2")
        except RuntimeError:
            logging.getLogger("discord.webhook.async_").exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert text.count("\n") > 4 * 4 * 10  # every line was written...
    for secret in (INTERACTION_TOKEN, WEBHOOK_TOKEN, INTERACTION_TOKEN[16:40], "ABCDE-FGHJK",
                   TOKEN, TOKEN[30:]):
        assert secret not in text  # ...without the secret
    # What helps debugging stays: the route, the ids, the status, the question number.
    assert "/interactions/1457705948545024050/[redacted]/callback with None" in text
    assert "/webhooks/1457705189376000001/[redacted]/messages/@original" in text
    assert "code 12-[redacted] typed" in text


def test_ordinary_lines_are_left_alone() -> None:
    stream = io.StringIO()
    handler = setup_logging("DEBUG", stream=stream)
    lines = [
        "resource search index rebuilt for vocabulary 9452dbd203ef6866",
        "backed up the database to /data/backups/fmg-bot-20260105T120000Z.sqlite3",
        "anonymous post 12 (question) sent for question 7",
        "GET https://discord.com/api/v10/channels/1457705189376000046/messages has returned 200",
    ]
    try:
        for line in lines:
            logging.getLogger("bot").info(line)
    finally:
        logging.getLogger().removeHandler(handler)
    assert REDACTED not in stream.getvalue() and all(line in stream.getvalue() for line in lines)
