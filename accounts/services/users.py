"""Writes on users and profiles: sign-up, email verification, profile changes."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from accounts.selectors import address_suppressed
from accounts.services.rate_limits import mail_quota_take
from accounts.sign_up_questions import sign_up_questions
from ilusmart import clock
from ilusmart.errors import ApplicationError

User = get_user_model()
_VERIFY_SALT = "accounts.email-verification"

PROFILE_FIELDS = Profile.EDITABLE_FIELDS


class VerificationError(ApplicationError):
    """A verification link that is invalid, expired or already used."""

    default_code = "verification_link_invalid"


@transaction.atomic
def user_sign_up(*, email: str, password: str, profile: dict, answers: dict | None = None) -> User | None:
    """Create a homeowner with a profile; the account stays unverified until the mailed link is used.

    If the address already has an account, nothing is created and its owner gets a mail saying
    so (returns None). The page says the same in both cases, so sign-up never tells a stranger
    whether someone is an iLumen customer; and both paths hash the password (the one costly
    step, tens of milliseconds of Argon2), so neither does the time the answer takes
    (benchmarks/sign_up_timing.py). ``answers`` go to the questions other apps added to the
    form (``accounts.sign_up_questions``), for a new account only.
    """
    password_hash = make_password(password)
    if address_suppressed(email=email):
        # Its owner had the address erased: nothing is made and nothing is mailed (issue 10),
        # and the page says what it says to everyone.
        return None
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        transaction.on_commit(lambda: _account_exists_email_send(user=existing))
        return None
    user = User.objects.create(email=User.objects.normalize_email(email).strip(), password=password_hash)
    Profile.objects.create(user=user, **{k: profile[k] for k in PROFILE_FIELDS if k in profile})
    for question in sign_up_questions():  # e.g. the newsletter opt-in (consents/sign_up.py)
        question.record(user=user, answer=(answers or {}).get(question.name))
    transaction.on_commit(lambda: verification_email_send(user=user, email=user.email))
    return user


def _account_exists_email_send(*, user: User) -> None:
    context = {
        "login": settings.SITE_URL + reverse("accounts:login"),
        "reset": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    subject = render_to_string("accounts/email/account_exists_subject.txt", context).strip()
    body = render_to_string("accounts/email/account_exists_body.txt", context)
    account_mail_send(subject=subject, body=body, to=user.email)


def account_mail_send(*, subject: str, body: str, to: str) -> bool:
    """Send one mail about an account to ``to``, unless that address had its hourly quota.

    Every account mail (verification, "you already have an account", email change) goes through
    here, so no form can be used to flood a mailbox (``accounts.services.rate_limits``). Returns
    whether it was sent; a dropped mail is logged there, and the page says the same either way.
    """
    if not mail_quota_take(address=to):
        return False
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    return True


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def verification_token_make(*, user: User, email: str) -> str:
    """A signed, expiring token that proves control of `email` for `user`.

    It names the address only by a hash: a signed token is readable (base64 JSON), and a link
    ends up in browser histories, proxies and mail scanners.
    """
    return signing.dumps({"u": user.pk, "h": _address_digest(email)}, salt=_VERIFY_SALT)


def verification_email_send(*, user: User, email: str) -> None:
    """Mail a verification link for `email` (the account's address, or a new one to switch to)."""
    token = verification_token_make(user=user, email=email)
    context = {
        "user": user,
        "link": settings.SITE_URL + reverse("accounts:verify", args=[token]),
        "max_age_days": settings.EMAIL_VERIFICATION_MAX_AGE // 86400,
    }
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/verify_subject.txt", context).strip()
        body = render_to_string("accounts/email/verify_body.txt", context)
    account_mail_send(subject=subject, body=body, to=email)


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Mark the address in `token` as verified (a change of address has its own links: email_change)."""
    try:
        data = signing.loads(token, salt=_VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature as exc:
        raise VerificationError("invalid") from exc
    user = User.objects.select_for_update().filter(pk=data.get("u")).first()
    if user is None:
        raise VerificationError("unknown user")
    # "e" (the address itself): links mailed before the address was hashed, valid 3 days.
    matches = data.get("h") == _address_digest(user.email) or data.get("e") == user.email.lower()
    if matches:
        if user.email_verified_at is None:
            user.email_verified_at = clock.now()
            user.save(update_fields=["email_verified_at"])
        return user
    raise VerificationError("stale")


@transaction.atomic
def profile_update(*, user: User, data: dict) -> list[str]:
    """Save the homeowner's corrected details (the email address changes through email_change).

    Returns the names of the fields that changed.
    """
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(profile, f) != data[f]]
    for field in changed:
        setattr(profile, field, data[field])
    if changed or profile.pk is None:
        profile.save()
    return changed
