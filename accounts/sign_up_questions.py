"""Questions a higher app adds to the sign-up form, registered by that app (accounts may not import it).

The same "the higher app calls down" rule as the admin site's pages: ``consents`` registers its
unticked newsletter opt-in here when it loads (consents/apps.py). The sign-up form shows each
question; ``accounts.services.users.user_sign_up`` hands the answer to the question's
``record`` inside the sign-up's own transaction, for a new account only: an address that
already has an account changes nothing, as the page must not tell a stranger which it was.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class SignUpQuestion:
    name: str  # the form field's name
    field: Callable[[], forms.Field]  # a new field for each form
    record: Callable[..., None]  # record(user=..., answer=...): called in the sign-up transaction


_questions: dict[str, SignUpQuestion] = {}


def sign_up_question_register(question: SignUpQuestion) -> None:
    """Add a question to the sign-up form (idempotent by name)."""
    _questions[question.name] = question


def sign_up_questions() -> list[SignUpQuestion]:
    """The registered questions, in the order they were registered."""
    return list(_questions.values())
