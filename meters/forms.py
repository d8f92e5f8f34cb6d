from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class MeterLinkForm(forms.Form):
    ean = forms.CharField(
        label=_("EAN-code van je elektriciteitsmeter"),
        max_length=40,
        help_text=_("18 cijfers, begint met 5414; je vindt hem op je energiefactuur."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    label = forms.CharField(label=_("Naam (bv. Thuis, Vakantiehuis)"), max_length=100, required=False)


class ReadingsExportForm(forms.Form):
    """A CSV download: local dates ``van`` to ``tot`` (both included) at one resolution."""

    RESOLUTIONS = [
        ("quarter_hour", _("Per kwartier")),
        ("day", _("Per dag")),
        ("month", _("Per maand")),
    ]

    van = forms.DateField(label=_("Van"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    tot = forms.DateField(
        label=_("Tot en met"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    resolutie = forms.ChoiceField(label=_("Resolutie"), choices=RESOLUTIONS, initial="day")
    formaat = forms.ChoiceField(
        label=_("Bestand"),
        choices=[
            ("standard", _("CSV (komma's, decimale punt): voor programma's en de meeste rekenbladen")),
            ("excel_be", _("CSV voor Excel met Belgische instellingen (puntkomma's, decimale komma)")),
        ],
        initial="standard",
        required=False,  # links made before the choice existed still work: the standard CSV
        widget=forms.RadioSelect,
    )

    def clean_formaat(self):
        return self.cleaned_data.get("formaat") or "standard"

    def clean(self):
        cleaned = super().clean()
        start, last = cleaned.get("van"), cleaned.get("tot")
        if start and last:
            if start.year < 2000 or last.year > 2999:
                raise forms.ValidationError(_("Kies datums tussen 2000 en 2999."))
            if last < start:
                raise forms.ValidationError(_("'Tot en met' mag niet voor 'van' liggen."))
        return cleaned


class ReadingImportForm(forms.Form):
    """Upload of a Mijn Fluvius CSV export (checked by ``meters.services.csv_import``)."""

    file = forms.FileField(
        label=_("CSV-bestand uit Mijn Fluvius"),
        help_text=_(
            "In Mijn Fluvius: Verbruik → rapport downloaden → kwartiertotalen. "
            "Laad het bestand op zoals je het downloadde (.csv)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        allow_empty_file=True,  # the import service explains what is wrong with an empty file
    )


class FaultEmailForm(forms.Form):
    """The homeowner's opt-in for a mail when a new fault (storing) of a meter opens."""

    fault_email = forms.BooleanField(label=_("Mail me als er een nieuwe storing is"), required=False)


def _decimal_field(label, *, places=3, maximum="1000", help_text="", step=None):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(maximum),
        decimal_places=places,
        max_digits=places + 6,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": step or f"0.{'0' * (places - 1)}1", "inputmode": "decimal"}),
    )


class ContractPricesForm(forms.Form):
    """Energy prices of a contract: offtake day and night, injection, fixed parts, capacity tariff."""

    PRICE_FIELDS = ("prijs_dag", "prijs_nacht", "prijs_injectie", "vast")

    prijs_dag = _decimal_field(_("Afname dag (€/kWh)"), places=5, maximum="10")
    prijs_nacht = _decimal_field(_("Afname nacht (€/kWh)"), places=5, maximum="10")
    prijs_injectie = _decimal_field(_("Injectievergoeding (€/kWh)"), places=5, maximum="10")
    vast = _decimal_field(_("Vaste kosten (€/jaar)"), places=2, maximum="100000")
    capaciteit = _decimal_field(_("Capaciteitstarief (€/kW/jaar)"), places=5, maximum="10000")


def _battery_fields():
    """One battery's fields of the what-if: capacity, power, price."""
    return (
        _decimal_field(_("Capaciteit (kWh)"), maximum="200"),
        _decimal_field(_("Vermogen (kW)"), maximum="100"),
        _decimal_field(_("Prijs van de batterij (€)"), places=2, maximum="1000000"),
    )


class BatteryWhatIfForm(ContractPricesForm):
    """The what-if's assumptions, all in the URL (GET): up to three batteries, how they run, the
    battery prices and (optionally) the homeowner's own energy prices."""

    SIZES = 3
    DEFAULTS = {
        "kwh1": "5",
        "kw1": "2.5",
        "kwh2": "10",
        "kw2": "5",
        "kwh3": "15",
        "kw3": "5",
        "rendement": "90",
        "diepte": "90",
        "strategie": "zelfverbruik",
        "reserve": "50",
    }
    STRATEGIES = [("zelfverbruik", _("Zelfverbruik")), ("piekbeperking", _("Met piekbeperking"))]

    vanaf = forms.CharField(
        label=_("Vanaf maand (jjjj-mm)"),
        widget=forms.TextInput(attrs={"type": "month", "pattern": "[0-9]{4}-[0-9]{2}"}),
        help_text=_("We rekenen 12 maanden vanaf deze maand."),
    )
    rendement = _decimal_field(_("Rendement heen en terug (%)"), places=1, maximum="100", step="0.1")
    diepte = _decimal_field(_("Bruikbare diepte (%)"), places=1, maximum="100", step="0.1")
    strategie = forms.ChoiceField(label=_("Strategie"), choices=STRATEGIES, required=False)
    doelpiek = _decimal_field(_("Doelpiek (kW)"), help_text=_("Alleen bij piekbeperking."), maximum="100")
    reserve = _decimal_field(
        _("Reserve voor pieken (%)"),
        places=1,
        maximum="100",
        step="0.1",
        help_text=_("Deel van de bruikbare capaciteit dat alleen pieken boven de doelpiek afvlakt."),
    )
    # per battery (SIZES) its capacity, power and price, declared (copied per form, as every
    # declared field) rather than built anew in each form's __init__
    kwh1, kw1, prijs1 = _battery_fields()
    kwh2, kw2, prijs2 = _battery_fields()
    kwh3, kw3, prijs3 = _battery_fields()

    def __init__(self, *args, first_month: date, last_month: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_month, self.last_month = first_month, last_month
        self.fields["vanaf"].widget.attrs.update(
            min=first_month.strftime("%Y-%m"), max=last_month.strftime("%Y-%m")
        )

    def size_fields(self):
        """Per battery: its capacity, power and price fields (for the template)."""
        return [(n, self[f"kwh{n}"], self[f"kw{n}"], self[f"prijs{n}"]) for n in range(1, self.SIZES + 1)]

    def clean_vanaf(self):
        text = self.cleaned_data["vanaf"].strip()
        try:
            month = date.fromisoformat(f"{text}-01")
        except ValueError:
            raise forms.ValidationError(_("Geef een maand als jjjj-mm.")) from None
        if not self.first_month <= month <= self.last_month:
            raise forms.ValidationError(
                _("Kies een maand tussen %(first)s en %(last)s.")
                % {"first": self.first_month.strftime("%Y-%m"), "last": self.last_month.strftime("%Y-%m")}
            )
        return month

    def clean(self):
        cleaned = super().clean()
        sizes = []
        for n in range(1, self.SIZES + 1):
            if f"kwh{n}" in self.errors or f"kw{n}" in self.errors:
                continue  # the field says what is wrong
            kwh, kw = cleaned.get(f"kwh{n}"), cleaned.get(f"kw{n}")
            if kwh is None and kw is None:
                continue
            if kwh is None or kw is None:
                raise forms.ValidationError(
                    _("Geef voor batterij %(n)s zowel capaciteit als vermogen.") % {"n": n}
                )
            sizes.append((kwh, kw, cleaned.get(f"prijs{n}")))
        if not sizes and not self.errors:
            raise forms.ValidationError(_("Geef minstens één batterij (capaciteit en vermogen)."))
        cleaned["sizes"] = sizes
        given = [name for name in self.PRICE_FIELDS if cleaned.get(name) is not None]
        if given and len(given) < len(self.PRICE_FIELDS):
            raise forms.ValidationError(
                _("Vul alle vier de prijzen in (dag, nacht, injectie, vaste kosten), of geen enkele.")
            )
        if cleaned.get("strategie") == "piekbeperking" and cleaned.get("doelpiek") is None:
            self.add_error("doelpiek", _("Geef een doelpiek voor piekbeperking."))
        return cleaned


class HomeTariffForm(ContractPricesForm):
    """The homeowner's own contract prices, kept for the what-if (POST)."""

    def clean(self):
        cleaned = super().clean()
        for name in self.PRICE_FIELDS:
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, _("Vul deze prijs in."))
        return cleaned
