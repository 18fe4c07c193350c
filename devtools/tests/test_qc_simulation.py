"""The QC draw against uniform sampling at the same budget, on a generated month with fakers of four styles."""

from devtools.qc_simulation import STYLES, simulate


def test_the_draw_finds_every_faking_style_sooner_than_uniform_sampling_at_the_same_budget(db):
    result = simulate(honest=30, fakers_per_style=2, days=10, seed=7)

    within_a_week = {way: sum(result.found_within(way, style, 5) for style in STYLES) for way in result.found_on}
    assert result.audited_share <= 0.11
    assert within_a_week["draw"] == 2 * len(STYLES)  # every faker, whatever the style, within five working days
    assert within_a_week["draw"] > within_a_week["uniform"]
