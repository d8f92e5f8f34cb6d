"""Reading deletion requests out of mail (privacy.services.deletion_mail): any bytes give a request
or a clear refusal, never a crash; what is asked is read in Dutch, French and English."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.services.deletion_mail import MailRejected, deletion_mail_parse, request_read


def mail(body: str, *, sender="An Peeters <an@voorbeeld.be>", extra="", subject="Verzoek") -> bytes:
    return (
        f"From: {sender}\r\nTo: ilusmart@ilumen.be\r\nSubject: {subject}\r\n"
        f"Message-ID: <m1@voorbeeld.be>\r\nDate: Mon, 30 Nov 2026 08:00:00 +0100\r\n{extra}\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Graag al mijn meetgegevens definitief verwijderen.", (False, True, "permanent", "nl")),
        ("Wis mijn account en persoonsgegevens.", (True, False, "permanent", "nl")),
        (
            "Kunnen jullie mijn verbruik tijdelijk niet meer ophalen? Pauze graag.",
            (False, True, "temporary", "nl"),
        ),
        ("Je voudrais supprimer définitivement toutes mes données.", (True, True, "permanent", "fr")),
        ("Veuillez suspendre temporairement mon compte.", (True, False, "temporary", "fr")),
        ("Please delete my personal data and my meter readings for good.", (True, True, "permanent", "en")),
        ("Please pause my account for now, thanks.", (True, False, "temporary", "en")),
        ("Hallo, ik heb een vraag over mijn gegevens.", (True, True, "unclear", "nl")),
    ],
)
def test_what_is_asked_is_read_in_three_languages(text, expected):
    assert request_read(text) == expected


def test_a_mail_gives_its_sender_id_and_request_never_the_reply_to():
    parsed = deletion_mail_parse(
        mail("Verwijder al mijn gegevens definitief.", extra="Reply-To: aanvaller@elders.be\r\n")
    )
    assert parsed.sender == "an@voorbeeld.be"
    assert parsed.message_id == "<m1@voorbeeld.be>"
    assert (parsed.what_personal, parsed.what_meter, parsed.mode) == (True, True, "permanent")
    assert parsed.sent_at.isoformat() == "2026-11-30T08:00:00+01:00"


def test_html_only_and_encoded_words_are_read():
    raw = (
        b"From: an@voorbeeld.be\r\nSubject: =?utf-8?b?U3VwcHJlc3Npb24gZGUgbWVzIGRvbm7DqWVz?=\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Supprimez <b>d\xc3\xa9finitivement</b> mon compte.</p>"
    )
    parsed = deletion_mail_parse(raw)
    assert parsed.subject == "Suppression de mes données"
    assert "définitivement" in parsed.text and parsed.mode == "permanent" and parsed.language == "fr"
    assert parsed.message_id.startswith("sha256:")  # no Message-ID: the bytes' digest


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "mail_empty"),
        (b"   \r\n", "mail_empty"),
        (b"Subject: geen afzender\r\n\r\nwis alles", "mail_no_sender"),
        (b"From: niet-een-adres\r\n\r\nwis alles", "mail_no_sender"),
        (b"From: a@b.be, c@d.be\r\n\r\nwis alles", "mail_no_sender"),
    ],
)
def test_what_cannot_be_a_request_is_refused_with_a_reason(raw, code):
    with pytest.raises(MailRejected) as refused:
        deletion_mail_parse(raw)
    assert refused.value.code == code and str(refused.value.message)


def test_a_too_large_mail_is_refused(settings):
    settings.DELETION_MAIL_MAX_BYTES = 100
    with pytest.raises(MailRejected) as refused:
        deletion_mail_parse(mail("x" * 200))
    assert refused.value.code == "mail_too_large"


HEADERS = st.sampled_from(
    [
        b"From: ",
        b"Reply-To: ",
        b"Subject: ",
        b"Message-ID: ",
        b"Date: ",
        b"Content-Type: ",
        b"Content-Transfer-Encoding: ",
        b"MIME-Version: 1.0",
        b"=?utf-8?b?",
        b"=?x-unknown?q?",
        b"--",
        b"\r\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.lists(st.one_of(HEADERS, st.binary(max_size=60)), max_size=40).map(b"".join),
    )
)
def test_any_bytes_give_a_request_or_a_clear_refusal(raw):
    try:
        parsed = deletion_mail_parse(raw)
    except MailRejected as refused:
        assert refused.code.startswith("mail_") and str(refused.message)
    else:
        assert "@" in parsed.sender and parsed.message_id
        assert parsed.mode in ("permanent", "temporary", "unclear") and parsed.language in ("nl", "fr", "en")
        assert parsed.what_personal or parsed.what_meter


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500), st.sampled_from(["utf-8", "latin-1", "quoted-printable", "base64", "x-bogus"]))
def test_mails_with_any_text_and_encoding_parse(text, encoding):
    if encoding in ("quoted-printable", "base64"):
        extra = f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: {encoding}\r\n"
    else:
        extra = f"Content-Type: text/plain; charset={encoding}\r\n"
    raw = mail("", extra=extra) + text.encode("utf-8", errors="surrogatepass")
    try:
        parsed = deletion_mail_parse(raw)
    except MailRejected as refused:
        assert str(refused.message)
    else:
        assert parsed.sender == "an@voorbeeld.be"
