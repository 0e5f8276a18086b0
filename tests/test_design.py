"""The colour tokens of app.css meet WCAG contrast where they are used together: text
4.5:1 on every surface it sits on, the parts of controls and the focus ring 3:1."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "rj" / "static" / "app.css"


def tokens():
    root = CSS.read_text(encoding="utf-8").split(":root {", 1)[1].split("}", 1)[0]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


SURFACES = ("paper", "canvas", "column")
TEXT = ("text", "muted", "link", "error", "ok", "urgent", "high", "medium", "low", "private")

# (foreground, background): text, 4.5:1.
TEXT_PAIRS = [(fg, bg) for fg in TEXT for bg in SURFACES] + [
    ("on-primary", "primary"),  # a primary button, the current stage, the chosen order
    ("ok", "ok-wash"),  # "saved" notes
    ("error", "error-wash"),  # error messages
    ("warn-ink", "warn-wash"),  # the demo banner, the offline tablet
    ("text", "info-wash"),  # messages
    ("private", "private-wash"),  # the "Facilitators only" chip
    ("focus-ring", "focus"),  # a focused link: near-black on the yellow fill
]

# The focus ring's two tones: at least one of them 3:1 against each background it may
# sit on (the near-black outline on light surfaces, the yellow halo on dark ones).
FOCUS_BACKGROUNDS = SURFACES + ("primary", "error", "text", "ok-wash", "error-wash", "warn-wash")


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_on_its_surfaces_is_4_5_to_1(fg, bg):
    colours = tokens()
    assert contrast(colours[fg], colours[bg]) >= 4.5, f"--{fg} on --{bg}"


@pytest.mark.parametrize("bg", FOCUS_BACKGROUNDS)
def test_the_focus_ring_is_3_to_1_on_every_background(bg):
    colours = tokens()
    best = max(contrast(colours[tone], colours[bg]) for tone in ("focus", "focus-ring"))
    assert best >= 3, f"focus ring on --{bg}: {best:.2f}"


@pytest.mark.parametrize("bg", SURFACES)
def test_the_edges_of_fields_are_3_to_1(bg):
    colours = tokens()
    assert contrast(colours["field-line"], colours[bg]) >= 3


def test_the_tokens_used_above_are_defined():
    colours = tokens()
    used = {name for pair in TEXT_PAIRS for name in pair} | set(FOCUS_BACKGROUNDS)
    assert used <= set(colours), used - set(colours)
    # A test that reads nothing would pass: the palette holds what app.css says it does.
    assert colours["text"] == "#1f2430" and len(colours) >= 20


def test_every_custom_property_a_stylesheet_uses_is_defined():
    """A var() of a name no stylesheet defines makes its whole declaration invalid: a
    border or colour silently dropped."""
    sheets = {path.name: path.read_text(encoding="utf-8") for path in CSS.parent.glob("*.css")}
    defined = {name for text in sheets.values() for name in re.findall(r"(--[\w-]+)\s*:", text)}
    for name, text in sheets.items():
        used = set(re.findall(r"var\((--[\w-]+)", text))
        assert used <= defined, f"{name}: {sorted(used - defined)}"
    assert "public.css" in sheets and "--error" in defined


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
