"""Privacy: the policy documents (privacy statement, cookie policy) in every published version.

Staff draft a document in admin and publish it with ``privacy.services.policies.policy_publish``;
a published version gets the next number for its kind and language and is never changed or
deleted again (PostgreSQL refuses it, migration 0001), so every version a visitor was shown
stays readable at ``/privacy/?versie=N`` and ``/cookies/?versie=N``.
"""

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from consents.models import CommunicationConsent
from ilusmart import clock


class PolicyDocument(models.Model):
    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("privacyverklaring")
        COOKIES = "cookies", _("cookiebeleid")

    class Language(models.TextChoices):
        NL = "nl", _("Nederlands")
        EN = "en", _("Engels")

    class Status(models.TextChoices):
        DRAFT = "draft", _("ontwerp")
        PUBLISHED = "published", _("gepubliceerd")

    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices)
    # Given when published: 1, 2, 3 … per kind and language. Empty for a draft.
    version = models.PositiveIntegerField(_("versie"), null=True, blank=True, editable=False)
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(
        _("tekst"),
        help_text=_(
            "Alinea's scheiden met een lege regel. '## ' begint een tussentitel, '- ' een opsomming, "
            "[tekst](https://…) of [tekst](mailto:…) is een link. [[cookies]] wordt bij publicatie de "
            "tabel van de cookies die de portal zet."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("gewijzigd op"), default=clock.now, editable=False)
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("gepubliceerd door"),
    )

    class Meta:
        verbose_name = _("beleidstekst")
        verbose_name_plural = _("beleidsteksten")
        ordering = ["kind", "language", "-version", "-created_at"]
        permissions = [("publish_policydocument", _("Een beleidstekst publiceren"))]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="privacy_policy_one_per_version"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="draft", version__isnull=True, published_at__isnull=True)
                    | models.Q(status="published", version__isnull=False, published_at__isnull=False)
                ),
                name="privacy_policy_version_iff_published",
            ),
        ]

    def __str__(self):
        label = f"{self.get_kind_display()} ({self.language})"
        return f"{label} v{self.version}" if self.version else f"{label} – {self.get_status_display()}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ErasureReceipt(models.Model):
    """Proof of one erasure or pause on a person's request (issue 10): who executed what, when.

    Holds no personal data: the person only as the keyed hash of their email address
    (``ilusmart.erasure.email_hash``), and counts of rows per model. Every receipt is also
    appended to the ledger file outside the database (``ERASURE_LEDGER_PATH``), so
    ``replay_erasures`` can apply it again after the database is restored from a backup.
    """

    class Mode(models.TextChoices):
        PERMANENT = "permanent", _("definitief")
        TEMPORARY = "temporary", _("tijdelijk (pauze)")

    class Via(models.TextChoices):
        ADMIN = "admin", _("DPO-wachtrij")
        COMMAND = "command", _("commando erase_person")
        LINK = "link", _("bevestigingslink van de persoon")
        MYDATA = "mydata", _("Mijn gegevens")
        REPLAY = "replay", _("replay_erasures na een herstelde back-up")

    uuid = models.UUIDField(_("kenmerk"), unique=True, editable=False)
    subject_hash = models.CharField(_("sleutelhash van de persoon"), max_length=64, db_index=True)
    mode = models.CharField(_("soort"), max_length=10, choices=Mode.choices)
    personal = models.BooleanField(_("persoonsgegevens"))
    meter = models.BooleanField(_("meetgegevens"))
    executed_at = models.DateTimeField(_("uitgevoerd op"), default=clock.now)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uitgevoerd door"),
    )
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    reason = models.TextField(_("reden"), blank=True)
    counts = models.JSONField(_("aantallen per model"), default=dict, blank=True)
    replays = models.UUIDField(_("herhaalt kenmerk"), null=True, blank=True)

    class Meta:
        verbose_name = _("wisbewijs")
        verbose_name_plural = _("wisbewijzen")
        ordering = ["-executed_at", "-pk"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.executed_at:%Y-%m-%d %H:%M} {self.get_mode_display()} {str(self.uuid)[:8]}"


class DeletionRequest(models.Model):
    """A person's request to erase or pause their data, by mail, from Mijn gegevens or the API.

    Nothing destructive happens before it is confirmed: by the signed link mailed to the address
    on file (``privacy.services.deletion_requests``), by being logged in when asking, or by the
    DPO with a written reason. Once executed, its personal fields are erased with the rest of
    the person's data; the row stays as proof that the request was answered in time.
    """

    class Source(models.TextChoices):
        MAIL = "mail", _("e-mail (DPO-mailbox)")
        FILE = "file", _("e-mailbestand (dpo_import_mail)")
        MYDATA = "mydata", _("Mijn gegevens")
        API = "api", _("app (API)")
        OPERATOR = "operator", _("DPO")

    class Mode(models.TextChoices):
        PERMANENT = "permanent", _("definitief")
        TEMPORARY = "temporary", _("tijdelijk (pauze)")
        UNCLEAR = "unclear", _("niet duidelijk")

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("wacht op bevestiging")
        CONFIRMED = "confirmed", _("bevestigd")
        CLARIFY = "clarify", _("verduidelijking gevraagd")
        EXECUTED = "executed", _("uitgevoerd")
        REJECTED = "rejected", _("geweigerd")

    class ConfirmedHow(models.TextChoices):
        LINK = "link", _("bevestigingslink")
        LOGGED_IN = "logged_in", _("aangemeld gevraagd")
        OVERRIDE = "override", _("door de DPO, met reden")

    OPEN_STATUSES = (Status.AWAITING, Status.CONFIRMED, Status.CLARIFY)

    received_at = models.DateTimeField(_("ontvangen op"), default=clock.now)
    due_on = models.DateField(_("uiterlijk te beantwoorden op"))
    source = models.CharField(_("herkomst"), max_length=10, choices=Source.choices)
    sender_email = models.EmailField(_("afzender"), max_length=254, blank=True)
    sender_hash = models.CharField(
        _("sleutelhash van de afzender"), max_length=64, db_index=True, editable=False
    )
    message_id_hash = models.CharField(
        _("sleutelhash van de Message-ID"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    subject = models.CharField(_("onderwerp"), max_length=300, blank=True)
    body_text = models.TextField(_("tekst"), blank=True)
    raw_message = models.BinaryField(_("ruw bericht"), blank=True, default=b"", editable=False)
    language = models.CharField(_("taal"), max_length=2, default="nl")
    what_personal = models.BooleanField(_("persoonsgegevens"), default=False)
    what_meter = models.BooleanField(_("meetgegevens"), default=False)
    mode = models.CharField(_("soort"), max_length=10, choices=Mode.choices, default=Mode.UNCLEAR)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deletion_requests",
        verbose_name=_("account van de afzender"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    token_digest = models.CharField(
        _("hash van de bevestigingslink"), max_length=64, blank=True, editable=False
    )
    confirmation_sent_at = models.DateTimeField(_("bevestiging gevraagd op"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    confirmed_how = models.CharField(
        _("bevestigd via"), max_length=10, choices=ConfirmedHow.choices, blank=True
    )
    override_reason = models.TextField(_("reden van de DPO om zonder bevestiging te wissen"), blank=True)
    handled_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgehandeld door"),
    )
    rejection_reason = models.TextField(_("reden van weigering"), blank=True)
    clarification_text = models.TextField(_("gevraagde verduidelijking"), blank=True)
    receipt = models.ForeignKey(
        ErasureReceipt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wisbewijs"),
    )

    class Meta:
        verbose_name = _("verzoek tot wissen")
        verbose_name_plural = _("verzoeken tot wissen")
        ordering = ["due_on", "received_at", "pk"]
        permissions = [("execute_deletionrequest", _("Een verzoek tot wissen uitvoeren"))]

    def __str__(self):
        return f"#{self.pk} {self.received_at:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


# Longest path kept; a longer one (no page of ours has one) is cut to this.
PAGE_VIEW_PATH_MAX_LENGTH = 500


class PageView(models.Model):
    """One page view: when, which page, from which address, and by whom if logged in.

    The "log files" of the privacy statement ("op welk moment welke pagina's werden bekeken …
    het IP adres van de bezoeker"). Written in batches by ``privacy.services.page_views`` from
    a Redis list the middleware fills; the address is cut to its network (IPv4 /24, IPv6 /48)
    after ``PAGE_VIEWS_IP_DAYS`` and the row deleted after ``PAGE_VIEWS_KEEP_DAYS``. Staff see
    totals per day and per page only (no model admin: no row and no address is ever shown).
    """

    viewed_at = models.DateTimeField(_("bekeken op"))
    path = models.CharField(_("pagina"), max_length=PAGE_VIEW_PATH_MAX_LENGTH)
    ip = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    ip_truncated = models.BooleanField(_("IP-adres ingekort"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index below: most views are anonymous
        related_name="page_views",
        verbose_name=_("gebruiker"),
    )

    class Meta:
        verbose_name = _("paginabezoek")
        verbose_name_plural = _("paginabezoeken")
        # No add/change/delete/view of rows for anyone: only the totals page.
        default_permissions = ()
        permissions = [("view_pageview_totals", _("Bezoekcijfers per dag en per pagina bekijken"))]
        indexes = [
            # Rows arrive in time order: a BRIN index is tiny and serves days and retention.
            BrinIndex(fields=["viewed_at"], name="privacy_pageview_at_brin"),
            # The rows whose address is still whole: what the daily truncation looks for.
            models.Index(
                fields=["viewed_at"], condition=models.Q(ip_truncated=False), name="privacy_pageview_ip_whole"
            ),
            models.Index(
                fields=["user"], condition=models.Q(user__isnull=False), name="privacy_pageview_user"
            ),
        ]

    def __str__(self):
        return f"{self.path} @ {self.viewed_at:%Y-%m-%d %H:%M}"


class PageViewBatch(models.Model):
    """A batch of page views moved out of Redis and written: its key, so no batch is written twice.

    The flush writes a batch's rows and this row in one transaction, then deletes the batch from
    Redis; a batch found in Redis whose key is here was written already (the flush stopped in
    between) and is only deleted. Kept ``PAGE_VIEWS_BATCH_KEEP_DAYS``.
    """

    key = models.CharField(_("sleutel"), max_length=100, unique=True)
    rows = models.PositiveIntegerField(_("rijen"))
    written_at = models.DateTimeField(_("geschreven op"), default=clock.now)

    class Meta:
        verbose_name = _("schrijfbeurt paginabezoeken")
        verbose_name_plural = _("schrijfbeurten paginabezoeken")
        default_permissions = ()

    def __str__(self):
        return self.key


def _staff_member(label):
    """Who of staff did something to a campaign (kept when they leave: the link is cut)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=label,
    )


class Campaign(models.Model):
    """A newsletter, survey or piece of information that staff send by e-mail or by post.

    Composed in admin as a draft; "Versturen" (e-mail) fixes its recipients, one
    ``CampaignDelivery`` per person opted in at that moment, and a Celery task sends them in
    batches; "Postadressen exporteren" (post) fixes them the same way and hands staff a CSV of
    their addresses (``privacy.services.campaigns``). Only a draft can be changed or deleted.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("ontwerp")
        SENDING = "sending", _("wordt verstuurd")
        SENT = "sent", _("verstuurd")
        EXPORTED = "exported", _("adressen geëxporteerd")

    channel = models.CharField(
        _("kanaal"),
        max_length=8,
        choices=CommunicationConsent.Channel.choices,
        default=CommunicationConsent.Channel.EMAIL,
    )
    topic = models.CharField(
        _("onderwerp"),
        max_length=16,
        choices=CommunicationConsent.Topic.choices,
        help_text=_("Alleen wie voor dit onderwerp en dit kanaal ingeschreven is, krijgt de campagne."),
    )
    subject = models.CharField(_("titel"), max_length=150, help_text=_("Het onderwerp van de e-mail."))
    body = models.TextField(
        _("tekst"),
        help_text=_(
            "Platte tekst, zoals de klant hem leest. Onder elk bericht komt vanzelf een afmeldlink en een "
            "link naar de keuzes voor communicatie."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now, editable=False)
    created_by = _staff_member(_("opgesteld door"))
    started_at = models.DateTimeField(_("verstuurd vanaf"), null=True, blank=True, editable=False)
    started_by = _staff_member(_("verstuurd door"))
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True, editable=False)
    recipients_total = models.PositiveIntegerField(_("ontvangers"), default=0, editable=False)
    batches_done = models.PositiveIntegerField(_("verstuurde reeksen"), default=0, editable=False)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-created_at", "-pk"]
        permissions = [("send_campaign", _("Een campagne versturen of haar postadressen exporteren"))]

    def __str__(self):
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class CampaignDelivery(models.Model):
    """One person of a campaign: one row per recipient, so a re-run never mails anyone twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("te versturen")
        SENDING = "sending", _("in verzending")
        SENT = "sent", _("verstuurd")
        SKIPPED = "skipped", _("overgeslagen (afgemeld of gepauzeerd)")
        FAILED = "failed", _("mislukt")
        EXPORTED = "exported", _("in de adressenlijst")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("campagne")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="campaign_deliveries",
        verbose_name=_("klant"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    batch = models.PositiveIntegerField(_("reeks"), null=True, blank=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    error = models.CharField(_("fout"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ontvanger van een campagne")
        verbose_name_plural = _("ontvangers van een campagne")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="privacy_one_delivery_per_person"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="privacy_delivery_status")]

    def __str__(self):
        return f"{self.campaign_id} → {self.user_id} ({self.status})"


class DataExport(models.Model):
    """A homeowner's download of everything held about them (GDPR art. 15 and 20), as one ZIP.

    Built by the Celery task ``privacy.build_export`` (``privacy.services.exports``), which moves
    ``progress`` from 0 to 100; the file lies in ``settings.PRIVACY_EXPORT_DIR`` (outside the
    static files) and is fetched once, by its owner, through a signed link valid
    ``PRIVACY_EXPORT_VALID_DAYS`` days. ``used_at`` marks the one download; the file is deleted
    then, or by the periodic cleanup once expired.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("aangevraagd")
        BUILDING = "building", _("wordt gemaakt")
        READY = "ready", _("klaar")
        USED = "used", _("gedownload")
        EXPIRED = "expired", _("verlopen")
        FAILED = "failed", _("mislukt")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("klant"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    requested_at = models.DateTimeField(_("aangevraagd op"), default=clock.now)
    ready_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    expires_at = models.DateTimeField(_("vervalt op"), null=True, blank=True)
    used_at = models.DateTimeField(_("gedownload op"), null=True, blank=True)
    # Relative to settings.PRIVACY_EXPORT_DIR; emptied when the file is deleted.
    file_name = models.CharField(_("bestand"), max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("grootte (bytes)"), null=True, blank=True)
    error = models.CharField(_("fout"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("download van je gegevens")
        verbose_name_plural = _("downloads van gegevens")
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("restrict_processing", _("De verwerking van een klant pauzeren en hervatten")),
        ]

    def __str__(self):
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M} ({self.status})"


class Partner(models.Model):
    """Someone iLumen shares customers' data with, as the privacy statement says: an opdrachtgever,
    a sister company or a subcontractor, with the legal basis for sharing (kept by staff)."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("opdrachtgever")
        SISTER = "sister", _("zustervennootschap")
        SUBCONTRACTOR = "subcontractor", _("onderaannemer")

    class LegalBasis(models.TextChoices):
        CONTRACT = "contract", _("uitvoering van de overeenkomst (art. 6.1.b AVG)")
        LEGAL_OBLIGATION = "legal_obligation", _("wettelijke verplichting (art. 6.1.c AVG)")
        LEGITIMATE_INTEREST = "legitimate_interest", _("gerechtvaardigd belang (art. 6.1.f AVG)")
        CONSENT = "consent", _("toestemming (art. 6.1.a AVG)")

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    legal_basis = models.CharField(_("rechtsgrond"), max_length=24, choices=LegalBasis.choices)
    purpose = models.TextField(
        _("doel van het delen"), help_text=_("Waarvoor krijgt deze partner gegevens? De klant leest dit.")
    )
    active = models.BooleanField(
        _("actief"), default=True, help_text=_("Alleen met actieve partners wordt gedeeld.")
    )
    # Where an erasure is announced (GDPR art. 19): the partner's privacy contact (issue 10).
    privacy_email = models.EmailField(
        _("e-mailadres voor privacyverzoeken"),
        blank=True,
        help_text=_("Wist een klant zijn gegevens, dan melden we het hier aan deze partner (art. 19 AVG)."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Disclosure(models.Model):
    """One sharing of a customer's data with a partner: who got what, of which period, when, by whom.

    Written only by ``privacy.services.disclosures.disclosure_share`` (which refuses a paused
    customer), never changed afterwards; the customer sees them on Mijn gegevens.
    """

    class Category(models.TextChoices):
        PROFILE = "profile", _("naam, adres en telefoon")
        METERS = "meters", _("meters en installatie")
        READINGS = "readings", _("meetgegevens per kwartier")
        DAILY = "daily", _("dagtotalen")

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("ontvanger")
    )
    # Nullable: cut (NULL) when the customer is erased; the row stays as proof of the sharing.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("klant"),
    )
    categories = models.JSONField(_("categorieën"), default=list)
    period_from = models.DateField(_("periode van"), null=True, blank=True)
    period_to = models.DateField(_("periode tot en met"), null=True, blank=True)
    legal_basis = models.CharField(_("rechtsgrond"), max_length=24, choices=Partner.LegalBasis.choices)
    purpose = models.TextField(_("doel"), blank=True)
    at = models.DateTimeField(_("gedeeld op"), default=clock.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gedeeld door"),
    )

    class Meta:
        verbose_name = _("verstrekking aan een partner")
        verbose_name_plural = _("verstrekkingen aan partners")
        ordering = ["-at", "-pk"]
        permissions = [("share_with_partner", _("Gegevens van een klant met een partner delen"))]

    def __str__(self):
        return f"{self.partner} {self.at:%Y-%m-%d}"

    def category_labels(self) -> list[str]:
        labels = dict(self.Category.choices)
        return [str(labels.get(c, c)) for c in self.categories]
