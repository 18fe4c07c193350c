"""Keys that make two spellings of one company, or of one phone number, compare equal."""

import re
import unicodedata

# Longest first, so 股份有限公司 is stripped whole rather than leaving 股份.
CHINESE_LEGAL_FORMS = ("有限责任公司", "股份有限公司", "有限公司", "集团公司", "集团", "公司")
ENGLISH_LEGAL_FORMS = ("co ltd", "coltd", "co", "ltd", "inc", "limited")
COMPANY_SUFFIXES = sorted((*CHINESE_LEGAL_FORMS, *ENGLISH_LEGAL_FORMS), key=len, reverse=True)
LEADING_CITY_IN_BRACKETS = re.compile(r"^[(\[【（][^)\]】）]{1,10}[)\]】）]")
NOT_A_WORD_CHARACTER = re.compile(r"[\W_]+", re.UNICODE)


def company_key(name: str) -> str:
    """Return the comparison key of a company name: width, case, punctuation, city prefix and legal suffix ignored."""
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    text = LEADING_CITY_IN_BRACKETS.sub("", text)
    text = NOT_A_WORD_CHARACTER.sub("", text)
    stripped = True
    while stripped:
        stripped = False
        for suffix in COMPANY_SUFFIXES:
            compact = suffix.replace(" ", "")
            if text.endswith(compact) and len(text) > len(compact):
                text = text[: -len(compact)]
                stripped = True
                break
    return text


def bigrams(text: str) -> list[str]:
    """Return the two-character pieces of a text's letters and digits, normalised as company keys are.

    Chinese names are searched by fragments of two characters (星河), which trigram indexes cannot serve; a search
    for a fragment looks up its bigrams in an index, then confirms the match.
    """
    characters = NOT_A_WORD_CHARACTER.sub("", unicodedata.normalize("NFKC", text or "").lower())
    return [characters[index : index + 2] for index in range(len(characters) - 1)]


def phone_key(phone: str) -> str:
    """Return the comparison key of a phone number: digits only, without +86 / 0086."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits
