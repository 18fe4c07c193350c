"""The QC draw against uniform sampling at the same budget, on a generated month with fakers of four styles."""

from devtools.qc_simulation import STYLES, simulate


def test_the_draw_finds_every_faking_style_sooner_than_uniform_sampling_at_the_same_budget(db):
    result = simulate(honest=30, fakers_per_style=2, days=10, seed=7)

    def days_to_find(way):
        """Working days until each faker was exposed, a faker never found counting as the whole month and one."""
        return sum(day or result.days + 1 for style in STYLES for day in result.found_on[way][style])

    assert result.audited_share <= 0.11
    assert all(result.found_within("draw", style, 5) == 2 for style in STYLES)  # every faker within a week
    assert days_to_find("draw") < days_to_find("uniform")
