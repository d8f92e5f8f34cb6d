from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User

DEMO_EMAIL = "demo@ilusmart.be"
DEMO_PASSWORD = "zonnepanelen-demo"  # noqa: S105 (local demo only; printed for the person running it)


class Command(BaseCommand):
    help = "Create (or refresh) the demo homeowner and print the login."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)

    @transaction.atomic
    def handle(self, *args, email, **options):
        if not (settings.DEBUG or settings.FLUVIUS_SIMULATOR_ENABLED):
            raise CommandError("seed_demo creates a user with a known password: development only (DEBUG=true).")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "first_name": "Demo",
                "last_name": "Bewoner",
                "street": "Zonnestraat",
                "house_number": "1",
                "postal_code": "9000",
                "municipality": "Gent",
                "country": "BE",
                "phone": "+32470123456",
            },
        )
        self.stdout.write(self.style.SUCCESS(f"Demo homeowner: {email} / {DEMO_PASSWORD}"))
