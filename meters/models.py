"""Meters (EAN), iLumen products at a home, and the meters' quarter-hour readings.

Readings layout (see docs/decisions/0001-readings-storage-layout.md): one ``ReadingDay`` row per
meter and local day holds both directions as integer-Wh arrays (NULL element = missing) plus
one quality character per slot and direction (state and register, see ``meters.quarterhours``).
``DailyTotal`` beside it holds that day's totals and is written in the same transaction by
``meters.services.ingest.readings_ingest``, the only writer of both tables.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ilusmart import clock
from ilusmart.fluvius.ean import ean_normalize, ean_validate


class Meter(models.Model):
    """A digital electricity meter, identified by its EAN; readings belong to the EAN."""

    ean = models.CharField(_("EAN"), max_length=18, unique=True)
    # A meter may exist (e.g. created by staff) before a homeowner is linked to it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
        verbose_name=_("eigenaar"),
    )
    meter_id = models.CharField(_("meternummer"), max_length=40, blank=True, help_text=_("bv. 1SAG…"))
    label = models.CharField(_("naam"), max_length=100, blank=True, help_text=_("bv. Vakantiehuis"))
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    # The homeowner's opt-in: a mail when a new fault (storing) of this meter opens.
    fault_email = models.BooleanField(_("e-mail bij een nieuwe storing"), default=False)

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["ean"]

    def __str__(self):
        return f"{self.ean} ({self.label})" if self.label else self.ean

    def clean_fields(self, exclude=None):
        # People paste EANs with spaces or dots; strip them before the length check runs.
        self.ean = ean_normalize(self.ean)
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        try:
            self.ean = ean_validate(self.ean, allow_test_eans=settings.FLUVIUS_ALLOW_TEST_EANS)
        except ValidationError as error:
            raise ValidationError({"ean": error.messages}) from error


class Product(models.Model):
    """An iLumen product at the meter's home: a PV installation, battery, charger, heat pump."""

    class Kind(models.TextChoices):
        PV = "pv", _("Zonnepanelen")
        BATTERY = "battery", _("Thuisbatterij")
        EV_CHARGER = "ev_charger", _("Laadpaal")
        HEAT_PUMP = "heat_pump", _("Warmtepomp")
        OTHER = "other", _("Ander")

    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="products", verbose_name=_("meter")
    )
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    kwp = models.DecimalField(_("piekvermogen (kWp)"), max_digits=7, decimal_places=3, null=True, blank=True)
    panel_count = models.PositiveIntegerField(_("aantal panelen"), null=True, blank=True)
    inverter_make = models.CharField(_("merk omvormer"), max_length=100, blank=True)
    inverter_model = models.CharField(_("model omvormer"), max_length=100, blank=True)
    inverter_serial = models.CharField(_("serienummer omvormer"), max_length=100, blank=True)
    installed_on = models.DateField(_("geïnstalleerd op"), null=True, blank=True)
    notes = models.TextField(_("notities"), blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("producten")
        ordering = ["meter", "kind", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} @ {self.meter.ean}"


class ReadingDay(models.Model):
    """One meter's quarter-hour values for one local (Europe/Brussels) day.

    Element ``i`` of each array is slot ``i``: the ``i``-th quarter-hour after local midnight
    (92, 96 or 100 slots). Values are integer Wh (kWh with 3 decimals, exactly); a NULL element
    is a missing value, never zero. ``*_quality`` holds one character per slot (state and
    register, ``-`` when missing; the code table is in ``meters.quarterhours``).
    """

    pk = models.CompositePrimaryKey("meter", "day")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    offtake_wh = ArrayField(models.IntegerField(null=True))
    injection_wh = ArrayField(models.IntegerField(null=True))
    offtake_quality = models.TextField()
    injection_quality = models.TextField()

    class Meta:
        verbose_name = _("meetdag")
        verbose_name_plural = _("meetdagen")

    def __str__(self):
        return f"{self.meter_id} {self.day}"


class DailyTotal(models.Model):
    """Totals of one meter's local day, kept in step with its ``ReadingDay`` row.

    Energy in integer Wh; a direction's totals are NULL when none of its slots has a value.
    The day/night split follows each quarter-hour's register (a ``total``-register value counts
    in the total only). ``peak_offtake_w`` is the day's highest quarter-hour offtake in W
    (Wh × 4) and ``peak_offtake_slot`` the first slot that reached it.
    """

    pk = models.CompositePrimaryKey("meter", "day")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    offtake_wh = models.IntegerField(null=True)
    injection_wh = models.IntegerField(null=True)
    offtake_day_wh = models.IntegerField(null=True)
    offtake_night_wh = models.IntegerField(null=True)
    injection_day_wh = models.IntegerField(null=True)
    injection_night_wh = models.IntegerField(null=True)
    peak_offtake_w = models.IntegerField(null=True)
    peak_offtake_slot = models.SmallIntegerField(null=True)
    slots_expected = models.SmallIntegerField()
    offtake_slots_present = models.SmallIntegerField()
    injection_slots_present = models.SmallIntegerField()
    # Values (both directions) still estimated (EST); 0 once everything is read or validated.
    estimated_values = models.SmallIntegerField()
    # Values (both directions) that came from a CSV import, not from Fluvius (meters.quarterhours).
    imported_values = models.SmallIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("dagtotaal")
        verbose_name_plural = _("dagtotalen")

    def __str__(self):
        return f"{self.meter_id} {self.day}"


class MeterSyncState(models.Model):
    """Where a meter's Fluvius sync stands: shown to staff and homeowners ("data up to …")."""

    meter = models.OneToOneField(
        Meter, on_delete=models.CASCADE, primary_key=True, related_name="sync_state", verbose_name=_("meter")
    )
    last_success_at = models.DateTimeField(_("laatst gelukt"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("laatste fout op"), null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    next_run_at = models.DateTimeField(_("volgende ophaling"), null=True, blank=True)
    # Back-fill of the mandate's data period: [backfill_from, backfill_to) in chunks; the
    # progress is committed with each chunk's data, so a killed worker resumes where it was.
    backfill_from = models.DateTimeField(_("historiek ophalen vanaf"), null=True, blank=True)
    backfill_to = models.DateTimeField(_("historiek ophalen tot"), null=True, blank=True)
    backfill_done_until = models.DateTimeField(_("historiek opgehaald tot"), null=True, blank=True)
    # The back-fill runs from the newest chunk backwards (the dashboard fills from today back):
    # [backfill_done_from, backfill_to) is fetched. A back-fill begun before this field went
    # forwards and keeps [backfill_from, backfill_done_until) as done; the rest goes backwards.
    backfill_done_from = models.DateTimeField(_("historiek opgehaald vanaf"), null=True, blank=True)
    # periodType=insertTime catch-up: values published or corrected since this instant.
    insert_time_watermark = models.DateTimeField(
        _("nieuwe en gecorrigeerde waarden opgehaald tot"), null=True, blank=True
    )
    data_until = models.DateTimeField(_("gegevens tot"), null=True, blank=True)

    class Meta:
        verbose_name = _("synchronisatiestatus")
        verbose_name_plural = _("synchronisatiestatussen")

    def __str__(self):
        return f"sync {self.meter_id}"

    @property
    def backfill_complete(self) -> bool:
        return self.backfill_to is None or (
            self.backfill_done_until is not None and self.backfill_done_until >= self.backfill_to
        )

    @property
    def backfill_percent(self) -> int | None:
        """How much of a running back-fill is fetched, 0–99 (whole %; 100 only once complete,
        then None like when none is planned)."""
        if self.backfill_from is None or self.backfill_to is None or self.backfill_complete:
            return None
        total = (self.backfill_to - self.backfill_from).total_seconds()
        if total <= 0:
            return None
        done = 0.0
        if self.backfill_done_from is not None:
            done += (self.backfill_to - max(self.backfill_done_from, self.backfill_from)).total_seconds()
        if self.backfill_done_until is not None:
            done += (min(self.backfill_done_until, self.backfill_to) - self.backfill_from).total_seconds()
        return max(0, min(99, round(100 * done / total)))


class SyncDeadLetter(models.Model):
    """A sync that failed after its last retry: kept for an operator to look at and replay."""

    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="dead_letters", verbose_name=_("meter")
    )
    task = models.CharField(_("taak"), max_length=100)
    arguments = models.JSONField(_("argumenten"), default=dict)
    error = models.TextField(_("fout"))
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("mislukte synchronisatie")
        verbose_name_plural = _("mislukte synchronisaties")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.task} {self.meter_id} {self.created_at:%Y-%m-%d %H:%M}"


class DateRange(models.Func):
    """PostgreSQL ``daterange(lower, upper, bounds)``; a NULL upper bound is open-ended."""

    function = "DATERANGE"
    output_field = DateRangeField()


def _no_overlap(name: str) -> ExclusionConstraint:
    return ExclusionConstraint(
        name=name,
        expressions=[(DateRange("valid_from", "valid_to", models.Value("[]")), RangeOperators.OVERLAPS)],
        violation_error_message=_("Deze geldigheidsperiode overlapt met een andere prijs."),
        violation_error_code="overlap",
    )


def _valid_to_after_from(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
        name=name,
        violation_error_message=_("'Geldig tot en met' mag niet voor 'geldig vanaf' liggen."),
    )


class PricePeriod(models.Model):
    """Prices that apply from ``valid_from`` up to and including ``valid_to`` (empty = until
    further notice). Periods of one kind never overlap: ``clean`` names the other one, and each
    concrete model has a PostgreSQL exclusion constraint (``_no_overlap``) as well.
    """

    valid_from = models.DateField(_("geldig vanaf"))
    valid_to = models.DateField(
        _("geldig tot en met"), null=True, blank=True, help_text=_("Leeg laten als de prijs nog geldt.")
    )

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            # ``clean`` reports an overlap naming the other price; drop the constraint's generic twin.
            errors = {
                field: [e for e in messages if e.code != "overlap"]
                for field, messages in error.update_error_dict({}).items()
            }
            errors = {field: messages for field, messages in errors.items() if messages}
            if errors:
                raise ValidationError(errors) from error

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("'Geldig tot en met' mag niet voor 'geldig vanaf' liggen.")})
        if self.valid_from:
            others = (
                type(self)
                .objects.exclude(pk=self.pk)
                .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))
            )
            if self.valid_to:
                others = others.filter(valid_from__lte=self.valid_to)
            clash = others.order_by("valid_from").first()
            if clash:
                raise ValidationError(
                    _("Deze geldigheidsperiode overlapt met %(other)s.") % {"other": clash},
                    code="overlap",
                )


class CapacityTariffPrice(PricePeriod):
    """The grid operator's capacity-tariff price per kW per year over a validity period.

    Periods never overlap (``PricePeriod``), so on any date at most one price applies;
    ``meters.selectors.capacity_price_on`` finds it.
    """

    grid_operator = models.CharField(_("netbeheerder"), max_length=100, default="Fluvius")
    label = models.CharField(_("omschrijving"), max_length=200, blank=True, help_text=_("bv. Tarieven 2026"))
    price_eur_per_kw_year = models.DecimalField(
        _("prijs (EUR per kW per jaar)"),
        max_digits=9,
        decimal_places=5,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Inclusief btw, zoals op de tarievenlijst van de netbeheerder (bv. 60.44)."),
    )

    class Meta:
        verbose_name = _("prijs capaciteitstarief")
        verbose_name_plural = _("prijzen capaciteitstarief")
        ordering = ["-valid_from"]
        constraints = [
            _valid_to_after_from("capacity_price_valid_to_after_from"),
            models.CheckConstraint(
                condition=models.Q(price_eur_per_kw_year__gte=0), name="capacity_price_not_negative"
            ),
            _no_overlap("capacity_price_no_overlap"),
        ]

    def __str__(self):
        until = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.grid_operator} {self.price_eur_per_kw_year} EUR/kW/jaar ({self.valid_from} – {until})"


def _eur_per_kwh(label):
    return models.DecimalField(
        label, max_digits=8, decimal_places=5, validators=[MinValueValidator(Decimal("0"))]
    )


class EnergyPrices(models.Model):
    """Energy prices of a supply contract, incl. VAT: offtake per kWh (day and night registers),
    injection compensation per kWh, and the yearly fixed parts a battery does not change."""

    offtake_day_eur_per_kwh = _eur_per_kwh(_("afname dag (EUR per kWh)"))
    offtake_night_eur_per_kwh = _eur_per_kwh(_("afname nacht (EUR per kWh)"))
    injection_eur_per_kwh = _eur_per_kwh(_("injectievergoeding (EUR per kWh)"))
    fixed_eur_per_year = models.DecimalField(
        _("vaste kosten (EUR per jaar)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Vaste vergoeding, databeheer en heffingen per jaar: wat een batterij niet verandert."),
    )

    class Meta:
        abstract = True


def _energy_prices_not_negative(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=models.Q(
                offtake_day_eur_per_kwh__gte=0,
                offtake_night_eur_per_kwh__gte=0,
                injection_eur_per_kwh__gte=0,
                fixed_eur_per_year__gte=0,
            ),
            name=f"{prefix}_not_negative",
        )
    ]


class EnergyTariff(PricePeriod, EnergyPrices):
    """Typical energy prices staff keep for the battery what-if, over a validity period (a
    homeowner may put the figures of their own contract in their place: ``HomeTariff``)."""

    label = models.CharField(
        _("omschrijving"), max_length=200, blank=True, help_text=_("bv. Gemiddeld Vlaanderen 2026")
    )

    class Meta:
        verbose_name = _("energietarief")
        verbose_name_plural = _("energietarieven")
        ordering = ["-valid_from"]
        constraints = [
            _valid_to_after_from("energy_tariff_valid_to_after_from"),
            *_energy_prices_not_negative("energy_tariff"),
            _no_overlap("energy_tariff_no_overlap"),
        ]

    def __str__(self):
        until = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.label or _('Energietarief')} ({self.valid_from} – {until})"


class HomeTariff(EnergyPrices):
    """A homeowner's own contract figures for the battery what-if, in place of ``EnergyTariff``
    for every day (their data: exported and erased with them). An empty capacity price keeps
    the grid operator's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_tariff"
    )
    capacity_eur_per_kw_year = models.DecimalField(
        _("capaciteitstarief (EUR per kW per jaar)"),
        max_digits=9,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    updated_at = models.DateTimeField(_("gewijzigd op"), default=clock.now)

    class Meta:
        verbose_name = _("eigen energietarief")
        verbose_name_plural = _("eigen energietarieven")
        constraints = [
            *_energy_prices_not_negative("home_tariff"),
            models.CheckConstraint(
                condition=models.Q(capacity_eur_per_kw_year__isnull=True)
                | models.Q(capacity_eur_per_kw_year__gte=0),
                name="home_tariff_capacity_not_negative",
            ),
        ]

    def __str__(self):
        return str(_("Eigen energietarief"))


class ReadingImport(models.Model):
    """One upload of a Mijn Fluvius CSV export for a meter, for audit (the file itself is not kept).

    ``summary`` holds ``ImportSummary.as_json()`` for an import, or the refusal's code and
    messages (``{"error": …, "messages": […]}``) for a refused file. ``customer`` is whose data
    it is: an imported file's days are part of what that homeowner sees.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wacht")
        RUNNING = "running", _("wordt ingelezen")
        IMPORTED = "imported", _("ingelezen")
        REJECTED = "rejected", _("geweigerd")

    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="reading_imports", verbose_name=_("meter")
    )
    # Who uploaded: the homeowner, or a staff member for them. Kept when that account goes.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opgeladen door"),
    )
    # Whose data the file is: the meter's owner when it was imported (the homeowner, or the one
    # staff imported for). Their visible periods include the file's days (meters.selectors.visibility).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voor klant"),
    )
    filename = models.CharField(_("bestandsnaam"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("opgeladen op"), auto_now_add=True)
    status = models.CharField(_("resultaat"), max_length=20, choices=Status.choices)
    summary = models.JSONField(_("samenvatting"), default=dict)
    # How far the import task has read the file (percent), and when it ended.
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0, db_default=0)
    finished_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)

    class Meta:
        verbose_name = _("CSV-import")
        verbose_name_plural = _("CSV-imports")
        ordering = ["-uploaded_at"]
        # Audit rows are written by the import service only; staff may read them, and the
        # permission below lets staff import for a homeowner from the meter's admin page.
        default_permissions = ("view",)
        permissions = [("import_readings", _("Meetwaarden uit een CSV-bestand inlezen voor een klant"))]

    def __str__(self):
        return f"{self.meter_id} {self.filename} {self.uploaded_at:%Y-%m-%d %H:%M}"


class ReadingImportFile(models.Model):
    """An uploaded CSV file waiting for the import task, gzip-compressed; deleted once it is read.

    In the database rather than on a disk, so that a Celery worker on another host reads it and
    a failed upload leaves nothing behind (it goes with its ``ReadingImport`` row's transaction).
    """

    reading_import = models.OneToOneField(
        ReadingImport, on_delete=models.CASCADE, related_name="file", verbose_name=_("CSV-import")
    )
    content = models.BinaryField(_("inhoud (gzip)"))
    size_bytes = models.PositiveIntegerField(_("grootte (bytes)"))

    class Meta:
        verbose_name = _("opgeladen CSV-bestand")
        verbose_name_plural = _("opgeladen CSV-bestanden")
        default_permissions = ()

    def __str__(self):
        return f"{self.reading_import_id} ({self.size_bytes} bytes)"


class Fault(models.Model):
    """One episode of a fault condition (storing) on a meter, found by ``meters.services.faults``.

    ``started`` and ``resolved`` are local (Europe/Brussels) dates: the first day the condition
    held and the day it cleared (or staff closed it); ``resolved`` is empty while the fault is
    open or acknowledged. ``evidence`` holds the numbers that triggered it. Thresholds and the
    lifecycle: docs/faults.md.
    """

    class Type(models.TextChoices):
        INVERTER_SUSPECTED = "inverter_suspected", _("omvormer vermoedelijk defect")
        FEED_STALE = "feed_stale", _("geen nieuwe meetgegevens")
        MANDATE_ACTION = "mandate_action", _("mandaat vraagt actie")
        DATA_ANOMALY = "data_anomaly", _("afwijkende meetgegevens")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("in behandeling")
        RESOLVED = "resolved", _("opgelost")
        FALSE_ALARM = "false_alarm", _("vals alarm")

    class Severity(models.IntegerChoices):
        LOW = 1, _("laag")
        MEDIUM = 2, _("middel")
        HIGH = 3, _("hoog")

    ACTIVE_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="faults", verbose_name=_("meter"))
    type = models.CharField(_("soort"), max_length=30, choices=Type.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    severity = models.PositiveSmallIntegerField(_("ernst"), choices=Severity.choices, default=Severity.MEDIUM)
    started = models.DateField(_("begonnen op"))
    resolved = models.DateField(_("afgesloten op"), null=True, blank=True)
    evidence = models.JSONField(_("aanwijzingen"), default=dict, blank=True)
    resolution_reason = models.TextField(_("reden van afsluiting"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_faults",
        limit_choices_to={"is_staff": True},
        verbose_name=_("toegewezen aan"),
    )
    # Who opened it by hand in admin; empty when detection opened it (detection never closes
    # a fault staff opened, and never touches one staff closed).
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geopend door"),
    )
    # Who closed it (resolved or false alarm); empty when detection closed it itself.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgesloten door"),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("gewijzigd op"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("storing")
        verbose_name_plural = _("storingen")
        ordering = ["-severity", "started", "pk"]
        constraints = [
            # One episode of a condition is one fault: at most one open at a time per meter and type.
            models.UniqueConstraint(
                fields=["meter", "type"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="meters_fault_one_active_per_meter_and_type",
            ),
            models.UniqueConstraint(fields=["meter", "type", "started"], name="meters_fault_one_per_episode"),
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["open", "acknowledged"], resolved__isnull=True)
                    | models.Q(status__in=["resolved", "false_alarm"], resolved__isnull=False)
                ),
                name="meters_fault_resolved_iff_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved__isnull=True) | models.Q(resolved__gte=models.F("started")),
                name="meters_fault_resolved_after_started",
            ),
        ]
        indexes = [models.Index(fields=["status", "-severity", "started"], name="meters_fault_queue")]

    def __str__(self):
        return f"{self.get_type_display()} {self.meter.ean} {self.started}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class Note(models.Model):
    """What a contact note holds, on a fault or about a customer: kind, who, when, what."""

    class Kind(models.TextChoices):
        CALL = "call", _("telefoon")
        EMAIL = "email", _("e-mail")
        VISIT = "visit", _("bezoek")
        NOTE = "note", _("notitie")

    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    at = models.DateTimeField(_("op"), default=clock.now)
    text = models.TextField(_("tekst"))

    class Meta:
        abstract = True


class FaultNote(Note):
    """A contact note on a fault: a call, mail or visit with the homeowner, or an internal note."""

    fault = models.ForeignKey(
        Fault, on_delete=models.CASCADE, related_name="notes", verbose_name=_("storing")
    )

    class Meta:
        verbose_name = _("contactnotitie")
        verbose_name_plural = _("contactnotities")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ContactNote(Note):
    """A contact with a customer (a call, mail or visit) or an internal note about them.

    Kept as written: support adds notes and never edits or deletes them (meters/admin_customers.py).
    Notes about one fault live on the fault (``FaultNote``); the customer page shows both.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_notes",
        verbose_name=_("klant"),
    )
    meter = models.ForeignKey(
        Meter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_notes",
        verbose_name=_("meter"),
    )

    class Meta:
        verbose_name = _("klantcontact")
        verbose_name_plural = _("klantcontacten")
        ordering = ["-at", "-pk"]
        permissions = [
            (
                "use_customer_console",
                _("De klantenfiche gebruiken: klanten zoeken, openen en er acties op doen"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PeriodicTaskRun(models.Model):
    """The last run of one periodic task (an entry of ``CELERY_BEAT_SCHEDULE``), for staff to read.

    Written by the worker when beat's message starts and ends (meters/task_runs.py, through
    ``meters.services.periodic``); one row per entry, overwritten by each run.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", _("bezig")
        SUCCESS = "success", _("gelukt")
        RETRY = "retry", _("mislukt, wordt opnieuw geprobeerd")
        FAILURE = "failure", _("mislukt")

    entry = models.CharField(_("geplande taak"), max_length=100, unique=True)
    task = models.CharField(_("taak"), max_length=200)
    task_id = models.CharField(_("uitvoering (id)"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("gestart op"))
    finished_at = models.DateTimeField(_("geëindigd op"), null=True, blank=True)
    outcome = models.CharField(_("resultaat"), max_length=10, choices=Outcome.choices)
    summary = models.TextField(_("samenvatting"), blank=True)
    last_success_at = models.DateTimeField(_("laatst gelukt op"), null=True, blank=True)

    class Meta:
        verbose_name = _("geplande taak")
        verbose_name_plural = _("geplande taken")
        ordering = ["entry"]
        default_permissions = ("view",)

    def __str__(self):
        return self.entry
