from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ilusmart import clock


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).strip()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_active=True, email_verified_at=timezone.now())
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a homeowner or a staff member. Logs in by email."""

    email = models.EmailField(_("e-mailadres"), max_length=254, unique=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(_("medewerker"), default=False)
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("e-mail bevestigd op"), null=True, blank=True)
    # Sessions that began before this instant are ended (accounts.services.sessions).
    sessions_ended_at = models.DateTimeField(_("sessies beëindigd op"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class UserSession(models.Model):
    """One logged-in browser of a user, for the "active sessions" list (accounts.services.sessions).

    Holds what the person needs to recognise it and no more: a device/browser label made from the
    User-Agent at login (not the string itself), the client address shortened to its network
    (/24 for IPv4, /48 for IPv6), and when it began and was last seen (to the minute).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    device = models.CharField(_("toestel"), max_length=100, blank=True)
    ip_prefix = models.CharField(_("netwerk"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("aangemeld op"))
    last_seen_at = models.DateTimeField(_("laatst gezien op"))

    class Meta:
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self):
        return f"{self.user_id}: {self.device} {self.last_seen_at:%Y-%m-%d %H:%M}"


class EmailChange(models.Model):
    """A change of a user's email address, asked with their password and confirmed from a mailed link.

    The links carry only random tokens (the address never appears in them); the database keeps
    only their SHA-256, so a copy of the table cannot confirm or cancel anything. The new address
    applies when the link to it is used (within ``EMAIL_CHANGE_MAX_AGE``, once); the old address
    gets a notice with a cancel link (accounts.services.email_change).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(_("vorig e-mailadres"))
    new_email = models.EmailField(_("nieuw e-mailadres"))
    confirm_digest = models.CharField(max_length=64, unique=True, editable=False)
    cancel_digest = models.CharField(max_length=64, unique=True, editable=False)
    requested_at = models.DateTimeField(_("aangevraagd op"))
    expires_at = models.DateTimeField(_("geldig tot"))
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("wijziging van e-mailadres")
        verbose_name_plural = _("wijzigingen van e-mailadres")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.user_id}: {self.requested_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """The homeowner's personal details, as the privacy statement lists them."""

    # The fields the homeowner sees and corrects on the profile page (email lives on User).
    EDITABLE_FIELDS = (
        "first_name",
        "last_name",
        "street",
        "house_number",
        "box",
        "postal_code",
        "municipality",
        "country",
        "phone",
    )

    class Country(models.TextChoices):
        BELGIUM = "BE", _("België")
        NETHERLANDS = "NL", _("Nederland")
        LUXEMBOURG = "LU", _("Luxemburg")
        FRANCE = "FR", _("Frankrijk")
        GERMANY = "DE", _("Duitsland")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("naam"), max_length=100)
    street = models.CharField(_("straat"), max_length=200)
    house_number = models.CharField(_("huisnummer"), max_length=10)
    box = models.CharField(_("bus"), max_length=10, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=10)
    municipality = models.CharField(_("gemeente"), max_length=100)
    country = models.CharField(_("land"), max_length=2, choices=Country.choices, default=Country.BELGIUM)
    phone = models.CharField(_("telefoon"), max_length=20, help_text=_("Bewaard in E.164, bv. +32470123456."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profiel")
        verbose_name_plural = _("profielen")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class AccessRecord(models.Model):
    """One time a staff member opened a customer's personal data (append-only; issue 7).

    Who, whose, what and when, as ids and names of pages: never a copy of the data itself.
    Written by accounts.services.access_audit; PostgreSQL refuses UPDATE and DELETE on the table
    (migration 0004), and the admin only lists them (for the DPO).
    """

    at = models.DateTimeField(_("op"), default=timezone.now, db_index=True)
    # Plain ids, not foreign keys: a record outlives the accounts it names, unchanged.
    staff_id = models.BigIntegerField(_("medewerker (id)"))
    # Emptied (NULL) when the customer is erased: the one change PostgreSQL allows (migration 0007).
    customer_id = models.BigIntegerField(_("klant (id)"), null=True, blank=True, db_index=True)
    what = models.CharField(_("wat"), max_length=100)

    class Meta:
        verbose_name = _("inzage")
        verbose_name_plural = _("inzages")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff_id} → {self.customer_id} ({self.what})"


class SuppressedAddress(models.Model):
    """An erased person's email address, kept only as a keyed hash (issue 10).

    Sign-up and imports ask ``accounts.selectors.address_suppressed`` first, so nobody is
    silently signed up or subscribed again with an address whose owner had it erased. The hash
    cannot be read back; the DPO removes a row when the person asks to come back.
    """

    email_hash = models.CharField(_("sleutelhash van het e-mailadres"), max_length=64, unique=True)
    added_at = models.DateTimeField(_("toegevoegd op"), default=clock.now)

    class Meta:
        verbose_name = _("geweerd e-mailadres")
        verbose_name_plural = _("geweerde e-mailadressen")
        ordering = ["-added_at"]

    def __str__(self):
        return self.email_hash[:12]


class ApiToken(models.Model):
    """A bearer token of the mobile app, one per device (accounts.services.api_tokens; issue 11).

    Only the SHA-256 of the token is stored (the token is shown once, when it is made), so a copy
    of the table lets nobody in. A token that was not used for ``API_TOKEN_IDLE_DAYS`` (90) no
    longer works; the owner lists and revokes their tokens in the app and on the website.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    device = models.CharField(_("toestel"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt op"))
    last_used_at = models.DateTimeField(_("laatst gebruikt op"))

    class Meta:
        verbose_name = _("app-sleutel")
        verbose_name_plural = _("app-sleutels")
        ordering = ["-last_used_at", "-pk"]

    def __str__(self):
        return f"{self.user_id}: {self.device}"
