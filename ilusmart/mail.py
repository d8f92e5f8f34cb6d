"""Development mail: printed on the console and written as one ``.eml`` file per message.

With ``EMAIL_URL=consolemail://`` (the local default), a developer or a tester needs to click
the link in a verification or reset mail: each message is also saved under ``DEV_MAIL_DIR``
(default ``.run/mail/``) and its path is logged, so it opens in a mail program or a browser.
Never used in production (settings only choose it with DEBUG on).
"""

import itertools
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend

from ilusmart import clock

logger = logging.getLogger("ilusmart.mail")
_numbers = itertools.count(1)  # keeps two mails of one second apart


class ConsoleAndFileBackend(ConsoleBackend):
    def write_message(self, message):
        super().write_message(message)
        folder = Path(settings.DEV_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{clock.now():%Y%m%d-%H%M%S}-{next(_numbers):04d}.eml"
        path.write_bytes(message.message().as_bytes())
        logger.info("mail to %s written to %s", ", ".join(message.to), path.resolve())
