"""ilusmart/mail.py: locally, every mail is printed and saved as an .eml file whose path is logged."""

import io
import logging
from email import message_from_bytes

from django.core.mail import EmailMessage

from ilusmart.mail import ConsoleAndFileBackend


def test_each_message_becomes_an_eml_file_with_its_path_in_the_log(settings, tmp_path, caplog):
    settings.DEV_MAIL_DIR = str(tmp_path / "mail")
    console = io.StringIO()
    messages = [
        EmailMessage(
            "Bevestig je e-mailadres", f"Klik op https://ilusmart.test/link/{n}/", to=["els@example.be"]
        )
        for n in (1, 2)
    ]
    with caplog.at_level(logging.INFO, logger="ilusmart.mail"):
        assert ConsoleAndFileBackend(stream=console).send_messages(messages) == 2

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2  # two mails in the same second stay apart
    parsed = [message_from_bytes(f.read_bytes()) for f in files]
    assert [m["To"] for m in parsed] == ["els@example.be", "els@example.be"]
    bodies = sorted(m.get_payload(decode=True).decode().strip() for m in parsed)
    assert bodies == ["Klik op https://ilusmart.test/link/1/", "Klik op https://ilusmart.test/link/2/"]
    for path in files:
        assert str(path.resolve()) in caplog.text
    assert "Bevestig je e-mailadres" in console.getvalue()  # still on the console too


def test_local_settings_choose_it():
    # ilusmart/settings_test.py imports the settings with DEBUG on and EMAIL_URL=consolemail://.
    from ilusmart import settings as project_settings

    assert project_settings.MAILERS["default"]["BACKEND"] == "ilusmart.mail.ConsoleAndFileBackend"
