"""Privacy: the policy documents (privacy statement, cookie policy) in every published version.

Staff draft a document in admin and publish it with ``privacy.services.policies.policy_publish``;
a published version gets the next number for its kind and language and is never changed or
deleted again (PostgreSQL refuses it, migration 0001), so every version a visitor was shown
stays readable at ``/privacy/?versie=N`` and ``/cookies/?versie=N``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
