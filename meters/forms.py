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
