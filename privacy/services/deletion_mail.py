"""Reading a deletion request out of a mail (issue 10): any bytes give a request or a clear refusal.

``deletion_mail_parse`` takes the raw message (RFC 5322 bytes, as IMAP or an .eml file gives it)
and returns who sent it (the From address: a Reply-To is never used), its Message-ID (or a
digest of the bytes when it has none), its date, subject and text, and what the text asks, as
far as Dutch, French or English keywords say: personal data, meter data or both, temporary
(a pause) or permanent. It never raises anything but ``MailRejected`` (fuzzed with hypothesis
in tests/privacy/test_deletion_mail.py).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from ilusmart import errors
from ilusmart.errors import ApplicationError

MAX_TEXT = 20_000


class MailRejected(ApplicationError):
    """A message that cannot become a deletion request (no sender, too large)."""

    kind = errors.INVALID
    default_code = "mail_rejected"


@dataclass(frozen=True)
class ParsedMail:
    sender: str
    message_id: str
    sent_at: datetime | None
    subject: str
    text: str
    what_personal: bool
    what_meter: bool
    mode: str  # "permanent", "temporary" or "unclear"
    language: str  # "nl", "fr" or "en"
    raw: bytes


def _plain(text: str) -> str:
    """Lower case without accents, so 'données' and 'donnees' match alike."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _words(*alternatives: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


METER = _words(
    r"meetgegevens",
    r"meterstand",
    r"verbruik",
    r"afname",
    r"injectie",
    r"kwartier",
    r"meetwaarden",
    r"donnees de comptage",
    r"consommation",
    r"releves",
    r"compteur",
    r"injection",
    r"meter data",
    r"meter readings",
    r"readings",
    r"consumption",
    r"offtake",
    r"energy data",
)
PERSONAL = _words(
    r"persoonsgegevens",
    r"persoonlijke gegevens",
    r"account",
    r"profiel",
    r"e-?mailadres",
    r"donnees personnelles",
    r"donnees a caractere personnel",
    r"compte",
    r"profil",
    r"personal data",
    r"personal details",
    r"personal information",
    r"profile",
)
EVERYTHING = _words(
    r"al mijn gegevens",
    r"alle gegevens",
    r"alles",
    r"toutes mes donnees",
    r"toutes les donnees",
    r"all my data",
    r"all data",
    r"everything",
)
TEMPORARY = _words(
    r"tijdelijk",
    r"pauze",
    r"pauzeer",
    r"opschort",
    r"temporaire",
    r"temporairement",
    r"suspend",
    r"pause",
    r"temporar",
)
FOR_GOOD = _words(
    r"definitief",
    r"voorgoed",
    r"permanent",
    r"definitivement",
    r"definitif",
    r"for good",
    r"forever",
)
DELETE = _words(
    r"wissen",
    r"wis\b",
    r"verwijder",
    r"schrappen",
    r"supprim",
    r"effac",
    r"delete",
    r"erase",
    r"remove",
)


def _whole(*words: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


LANGUAGE_HINTS = {
    "nl": _whole(r"ik", r"mijn", r"gegevens", r"graag", r"verwijder", r"wissen", r"bedankt", r"groeten"),
    "fr": _whole(r"je", r"mes", r"donnees", r"veuillez", r"supprimer", r"merci", r"bonjour", r"cordialement"),
    "en": _whole(r"i", r"my", r"please", r"data", r"delete", r"thanks", r"regards", r"hello"),
}


def request_read(text: str) -> tuple[bool, bool, str, str]:
    """(personal, meter, mode, language) as far as ``text`` says; both categories when it names none."""
    plain = _plain(text)
    everything = bool(EVERYTHING.search(plain))
    personal = everything or bool(PERSONAL.search(plain))
    meter = everything or bool(METER.search(plain))
    if not (personal or meter):
        personal = meter = True  # "delete my data": all of it
    temporary, for_good = bool(TEMPORARY.search(plain)), bool(FOR_GOOD.search(plain))
    if temporary and for_good:
        mode = "unclear"  # both said: the DPO asks
    elif temporary:
        mode = "temporary"
    elif for_good or DELETE.search(plain):
        mode = "permanent"  # "delete my data", said without "for now", is for good
    else:
        mode = "unclear"
    scores = {lang: len(pattern.findall(plain)) for lang, pattern in LANGUAGE_HINTS.items()}
    language = max(scores, key=lambda lang: (scores[lang], lang == "nl"))
    return personal, meter, mode, language


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except Exception:  # a malformed header is a missing one  # noqa: BLE001
        return ""


def _sender(message) -> str:
    """The From address, if exactly one valid address is there (never Reply-To or Sender)."""
    raw = _header(message, "From")
    try:
        addresses = [a for _name, a in email.utils.getaddresses([raw]) if a]
    except Exception:  # noqa: BLE001
        addresses = []
    if len(addresses) != 1:
        return ""
    address = addresses[0].strip()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address if len(address) <= 254 else ""


def _text(message) -> str:
    """The message's text: its text/plain parts, else its HTML without tags."""
    plain, html = [], []
    try:
        parts = list(message.walk())
    except Exception:  # noqa: BLE001
        parts = [message]
    for part in parts:
        try:
            if part.is_multipart() or part.get_content_disposition() == "attachment":
                continue
            kind = part.get_content_type()
            if kind not in ("text/plain", "text/html"):
                continue
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            try:
                content = payload.decode(charset, errors="replace")
            except LookupError:
                content = payload.decode("utf-8", errors="replace")
        except Exception:  # noqa: BLE001, S112 (an unreadable part is skipped; the rest is read)
            continue
        (plain if kind == "text/plain" else html).append(content)
    text = "\n".join(plain) if plain else strip_tags("\n".join(html))
    return text.replace("\x00", "")[:MAX_TEXT]


def _sent_at(message) -> datetime | None:
    try:
        sent = email.utils.parsedate_to_datetime(_header(message, "Date"))
    except Exception:  # noqa: BLE001
        return None
    if sent is None:
        return None
    return sent if sent.tzinfo else sent.replace(tzinfo=UTC)


def deletion_mail_parse(raw: bytes) -> ParsedMail:
    """Read a deletion request out of ``raw``; ``MailRejected`` (with a reason) when it cannot be one."""
    if not isinstance(raw, bytes | bytearray):
        raise MailRejected(_("Dit is geen e-mailbericht."), code="mail_not_bytes")
    raw = bytes(raw)
    if not raw.strip():
        raise MailRejected(_("Het bericht is leeg."), code="mail_empty")
    if len(raw) > settings.DELETION_MAIL_MAX_BYTES:
        raise MailRejected(_("Het bericht is te groot om als verzoek te lezen."), code="mail_too_large")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as error:  # noqa: BLE001
        raise MailRejected(_("Dit is geen leesbaar e-mailbericht."), code="mail_unreadable") from error
    sender = _sender(message)
    if not sender:
        raise MailRejected(
            _("Het bericht heeft geen (geldige) afzender: er is niemand om te antwoorden."),
            code="mail_no_sender",
        )
    message_id = _header(message, "Message-ID").strip()[:998] or "sha256:" + hashlib.sha256(raw).hexdigest()
    subject = " ".join(_decoded_header(_header(message, "Subject")).split())[:300]
    text = _text(message)
    personal, meter, mode, language = request_read(subject + "\n" + text)
    return ParsedMail(
        sender=sender,
        message_id=message_id,
        sent_at=_sent_at(message),
        subject=subject.replace("\x00", ""),
        text=text,
        what_personal=personal,
        what_meter=meter,
        mode=mode,
        language=language,
        raw=raw,
    )


def _decoded_header(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:  # noqa: BLE001
        return value
