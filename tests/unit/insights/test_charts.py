"""Each topic's chart: a PNG that opens, has the expected size and is not blank (no golden
images: the figures behind it are compared exactly in test_figures.py)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from bot.clock import ManualClock
from bot.db import Database
from bot.services.insights import TOPICS, InsightsService
from bot.services.insights.charts import BACKGROUND, HEIGHT, INK, SERIES, WIDTH, chart
from bot.services.mentoring import MentoringService
from tests.unit.insights.seed import G, seed


def _service(db: Database, clock: ManualClock) -> InsightsService:
    return InsightsService(db, clock, MentoringService(db, clock, request_timeout=timedelta(hours=72)))


def _check_png(data: bytes) -> set[tuple[int, ...]]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT)
        colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert len(colours) > 1, "a blank chart"
    return colours


@pytest.mark.parametrize("topic", list(TOPICS))
async def test_each_chart_is_a_png_of_the_expected_size_and_not_blank(
    db: Database, clock: ManualClock, topic: str
) -> None:
    await seed(db, clock.now())
    service = _service(db, clock)
    colours = _check_png(chart(await service.topic(topic, G, service.period(30))))
    background = tuple(int(BACKGROUND[i:i + 2], 16) for i in (1, 3, 5))
    assert background in colours  # the solid background that keeps it readable in both themes
    assert len(colours) > 20  # bars, text and antialiasing, not just a frame


@pytest.mark.parametrize("topic", list(TOPICS))
async def test_an_empty_server_still_gets_a_labelled_chart(
    db: Database, clock: ManualClock, topic: str
) -> None:
    service = _service(db, clock)
    _check_png(chart(await service.topic(topic, G, service.period(None))))


def test_a_chart_needs_figures_it_knows() -> None:
    with pytest.raises(TypeError):
        chart(object())


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_and_bars_contrast_with_the_solid_background() -> None:
    assert _contrast(INK, BACKGROUND) >= 7.0  # text: WCAG AAA
    assert all(_contrast(colour, BACKGROUND) >= 3.0 for colour in SERIES)  # graphics
    assert _contrast("#E69F00", BACKGROUND) < 3.0  # the check can fail: plain Okabe-Ito orange
