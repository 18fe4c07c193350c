import pytest

from leads.models import Lead


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "13*******78"),
        ("0571-8812-3456", "05********56"),
        ("87654321", "87****21"),
        ("8765432", "8****32"),
        ("1234", "1**4"),
        ("12", "*2"),
        ("7", "*"),
        ("", ""),
    ],
)
def test_the_public_pool_shows_at_most_four_digits_and_never_half(phone, shown):
    masked = Lead(phone=phone, phone_key="".join(ch for ch in phone if ch.isdigit())).masked_phone

    assert masked == shown
    digits = sum(character.isdigit() for character in masked)
    assert digits <= 4
    assert digits <= len(masked) // 2
