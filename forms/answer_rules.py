"""The checks an answer must pass: the definition's rules plus hard size caps.

Pure functions over plain values, shared by the WTForms builder (`forms.wtf`) and
anything that takes answers as JSON, so a browser post and an API call are held
to exactly the same rules. A check raises `Refusal`, whose message is an English
msgid with ``%(name)s`` slots: the caller translates it with whatever gettext the
reporter's page uses, then fills the slots.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Mapping
from typing import Any

from forms.schema import Field
from forms.vocabulary import YES_NO_POSTED

# Hard caps, whatever a definition says: nobody may store megabytes in one answer.
#: Longest one-line answer (text, phone): a long name or address fits many times over.
MAX_LINE_CHARS = 1_000
#: Longest free-text answer (textarea): an account of events of about fifteen pages.
MAX_TEXTAREA_CHARS = 30_000
#: Longest e-mail address the standards allow.
MAX_EMAIL_CHARS = 254
#: Longest number or date as typed.
MAX_NUMBER_CHARS = 32
#: Most files on one file question (the app's upload settings may allow fewer).
MAX_FILES_PER_FIELD = 20

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$|^[+-]?\.\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
_PHONE_MIN_DIGITS = 4


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


REQUIRED = N_("This question needs an answer.")
REQUIRED_BOX = N_("Tick this box to continue.")
NOT_TEXT = N_("This answer must be written as text.")
NOT_YES_NO = N_("This answer must be yes or no.")
NOT_YES_NO_ANSWER = N_('Answer yes (true), no (false) or "prefer_not_to_say", or leave '
                       'the question out.')
NOT_LIST = N_("This answer must be a list of the options chosen.")
NOT_FILES = N_("Files must be attached to the form; they cannot be written as an answer.")
TOO_LONG = N_("This answer is too long: it may have at most %(max)s characters, "
              "and it has %(length)s.")
TOO_SHORT = N_("This answer is too short: it needs at least %(min)s characters.")
NOT_INTEGER = N_("Write a whole number using digits only, for example 12.")
NOT_DECIMAL = N_("Write a number using digits and at most one decimal point, for example 12.5.")
BELOW_MIN = N_("The number must be %(min)s or more.")
ABOVE_MAX = N_("The number must be %(max)s or less.")
NOT_DATE = N_("Write the date as year-month-day, for example 2026-03-14.")
DATE_TOO_EARLY = N_("The date must be on or after %(min)s.")
DATE_TOO_LATE = N_("The date must be on or before %(max)s.")
NO_MATCH = N_("This answer is not written in the expected way. Check it and try again.")
NOT_EMAIL = N_("Write an e-mail address such as name@example.org.")
NOT_PHONE = N_("Write a phone number using digits, spaces and the signs + - ( ) only.")
NOT_A_CHOICE = N_("Choose one of the options offered.")
NOT_CHOICES = N_("Choose only among the options offered.")
TOO_FEW_CHOSEN = N_("Choose at least %(min)s options.")
TOO_MANY_CHOSEN = N_("Choose at most %(max)s options.")
TOO_FEW_FILES = N_("Attach at least %(min)s files.")
TOO_MANY_FILES = N_("Attach at most %(max)s files.")
UNKNOWN_QUESTION = N_("%(field)s is not a question of this form.")


class Refusal(ValueError):
    """An answer that breaks a rule; `message` is an untranslated msgid."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self, gettext: Callable[[str], str] | None = None) -> str:
        """The sentence in the language `gettext` translates to."""
        template = gettext(self.message) if gettext else self.message
        return template % self.params if self.params else template


def length_cap(field: Field) -> int:
    """The longest text accepted: the definition's max, never above the hard cap."""
    cap = {"textarea": MAX_TEXTAREA_CHARS, "email": MAX_EMAIL_CHARS}.get(field.type,
                                                                         MAX_LINE_CHARS)
    return min(cap, int(field.max)) if isinstance(field.max, int) else cap


def check_text(field: Field, value: Any) -> None:
    """Text, email and phone answers: text, within length, matching the pattern."""
    if not isinstance(value, str):
        raise Refusal(NOT_TEXT)
    cap = length_cap(field)
    if len(value) > cap:
        raise Refusal(TOO_LONG, max=cap, length=len(value))
    if field.type in ("text", "textarea") and isinstance(field.min, int) \
            and len(value) < field.min:
        raise Refusal(TOO_SHORT, min=field.min)
    if field.type == "email" and not _EMAIL.match(value):
        raise Refusal(NOT_EMAIL)
    if field.pattern:
        # A definition's pattern describes the whole answer, not a part of it.
        if not re.fullmatch(field.pattern, value):
            raise Refusal(NO_MATCH)
    elif field.type == "phone" and not _is_phone(value):
        raise Refusal(NOT_PHONE)


def _is_phone(value: str) -> bool:
    return bool(_PHONE.match(value)) and sum(c.isdigit() for c in value) >= _PHONE_MIN_DIGITS


def _number_text(value: Any, message: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, decimal.Decimal)):
        raise Refusal(message)
    text = str(value).strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise Refusal(TOO_LONG, max=MAX_NUMBER_CHARS, length=len(text))
    return text


def parse_integer(value: Any) -> int:
    """Digits of any script (Arabic-Indic and Bengali digits too) read as a whole number."""
    if isinstance(value, float) and not value.is_integer():
        raise Refusal(NOT_INTEGER)
    text = _number_text(int(value) if isinstance(value, float) else value, NOT_INTEGER)
    if not _INTEGER.match(text):
        raise Refusal(NOT_INTEGER)
    return int(text)


def parse_decimal(value: Any) -> decimal.Decimal:
    """A number with at most one decimal point, digits of any script; no exponent,
    NaN or infinity, which `Decimal` would otherwise accept."""
    text = _number_text(value, NOT_DECIMAL)
    if not _DECIMAL.match(text):
        raise Refusal(NOT_DECIMAL)
    return decimal.Decimal(text)


def decimal_text(value: decimal.Decimal) -> str:
    """Decimals are stored as plain text ("1250.50"): exact, and JSON has no decimal."""
    return format(value, "f")


def check_number(field: Field, value: int | decimal.Decimal) -> None:
    if field.min is not None and value < decimal.Decimal(str(field.min)):
        raise Refusal(BELOW_MIN, min=field.min)
    if field.max is not None and value > decimal.Decimal(str(field.max)):
        raise Refusal(ABOVE_MAX, max=field.max)


def parse_date(value: Any) -> datetime.date:
    """An ISO date (year-month-day), as a date input sends it."""
    if isinstance(value, datetime.date):
        return value
    text = _number_text(value, NOT_DATE) if isinstance(value, str) else None
    if text is None or not _DATE.match(text):
        raise Refusal(NOT_DATE)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Refusal(NOT_DATE) from None


def check_date(field: Field, value: datetime.date) -> None:
    if field.min and value < datetime.date.fromisoformat(str(field.min)):
        raise Refusal(DATE_TOO_EARLY, min=str(field.min))
    if field.max and value > datetime.date.fromisoformat(str(field.max)):
        raise Refusal(DATE_TOO_LATE, max=str(field.max))


#: What a browser posts for each yes/no answer.
_YES_NO_POSTED = frozenset(YES_NO_POSTED.values())


def check_yes_no(value: Any) -> None:
    if value not in _YES_NO_POSTED:
        raise Refusal(NOT_A_CHOICE)


def check_choice(allowed: Mapping[str, Any], value: Any) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise Refusal(NOT_A_CHOICE)


def check_choices(field: Field, allowed: Mapping[str, Any], values: Any) -> None:
    """A list of distinct offered values, as many as min and max allow."""
    if not isinstance(values, list):
        raise Refusal(NOT_LIST)
    if len(values) > len(allowed):  # repeats: nobody ticks one box a thousand times
        raise Refusal(TOO_MANY_CHOSEN, max=len(allowed))
    if any(not isinstance(v, str) or v not in allowed for v in values):
        raise Refusal(NOT_CHOICES)
    check_count(field, len(set(values)), TOO_FEW_CHOSEN, TOO_MANY_CHOSEN)


def check_count(field: Field, count: int, too_few: str, too_many: str) -> None:
    if isinstance(field.min, int) and count < field.min:
        raise Refusal(too_few, min=field.min)
    if isinstance(field.max, int) and count > field.max:
        raise Refusal(too_many, max=field.max)
