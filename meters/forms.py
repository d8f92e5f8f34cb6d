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
