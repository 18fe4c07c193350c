import pytest

from leads.normalize import company_key, phone_key


@pytest.mark.parametrize(
    "spelling",
    [
        "杭州华鑫商贸有限公司",
        "杭州华鑫商贸 有限公司",
        "杭州华鑫商贸股份有限公司",
        "（杭州）杭州华鑫商贸有限责任公司",
        "杭州华鑫商贸集团",
    ],
)
def test_spellings_of_one_company_share_a_key(spelling):
    assert company_key(spelling) == "杭州华鑫商贸"


def test_full_width_case_and_punctuation_are_ignored():
    assert company_key("ＡＢＣ Trading Co., Ltd.") == company_key("abc trading")


def test_a_leading_city_in_brackets_is_ignored():
    assert company_key("(杭州)华鑫商贸有限公司") == company_key("华鑫商贸")
    assert company_key("【上海】华鑫商贸有限公司") == company_key("华鑫商贸")


@pytest.mark.parametrize("spelling", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "138-1234-5678"])
def test_spellings_of_one_mobile_share_a_key(spelling):
    assert phone_key(spelling) == "13812345678"


def test_a_landline_keeps_its_area_code():
    assert phone_key("0571-8888 6666") == "057188886666"
