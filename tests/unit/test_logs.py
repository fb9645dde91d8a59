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
