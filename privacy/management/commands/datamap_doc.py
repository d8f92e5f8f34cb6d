from django.core.management.base import BaseCommand, CommandError

from privacy.datamap import unclassified
from privacy.datamap.document import DOCUMENT, markdown


class Command(BaseCommand):
    help = "Write docs/data-map.md from the personal-data map (privacy/datamap/); --check only compares."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if docs/data-map.md is out of date")

    def handle(self, *args, check=False, **options):
        problems = unclassified()
        if problems:
            raise CommandError("the data map is out of step with the models:\n" + "\n".join(problems))
        text = markdown()
        if check:
            if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
                raise CommandError(f"{DOCUMENT} is out of date: run python manage.py datamap_doc")
            self.stdout.write("docs/data-map.md is up to date")
            return
        DOCUMENT.write_text(text)
        self.stdout.write(f"wrote {DOCUMENT}")
