from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.lockout import last_refusal
from accounts.models import Profile
from accounts.services.rate_limits import mail_quota_take
from accounts.services.users import verification_email_send
from accounts.sign_up_questions import sign_up_questions
from accounts.validators import phone_normalize, postal_code_normalize

User = get_user_model()


class ProfileFieldsMixin(forms.ModelForm):
    """Validation of the personal details shared by sign-up and the profile page."""

    class Meta:
        model = Profile
        fields = list(Profile.EDITABLE_FIELDS)
        help_texts = {"phone": _("Bv. 0470 12 34 56, 09 223 45 67 of +32 470 12 34 56.")}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "municipality": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def clean_phone(self):
        return phone_normalize(self.cleaned_data.get("phone", ""), region=self.data.get("country") or "BE")

    def clean(self):
        cleaned = super().clean()
        if "postal_code" in cleaned:
            try:
                cleaned["postal_code"] = postal_code_normalize(
                    cleaned["postal_code"], country=cleaned.get("country") or "BE"
                )
            except forms.ValidationError as exc:
                self.add_error("postal_code", exc)
        for name in ("first_name", "last_name", "street", "house_number", "box", "municipality"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        return cleaned


class SignUpForm(ProfileFieldsMixin):
    email = forms.EmailField(label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Herhaal het wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in sign_up_questions():  # added by higher apps (accounts.sign_up_questions)
            self.fields[question.name] = question.field()

    def answers(self) -> dict:
        """The answers to the registered questions, by name."""
        return {q.name: self.cleaned_data.get(q.name) for q in sign_up_questions()}

    def clean_email(self):
        # An address that already has an account is not an error here: see user_sign_up.
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De twee wachtwoorden zijn niet gelijk."))
        elif p1:
            probe = User(email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(ProfileFieldsMixin):
    field_order = ["first_name", "last_name", "phone"]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class EmailChangeForm(forms.Form):
    """A new email address, and the current password that proves it is the owner asking."""

    new_email = forms.EmailField(
        label=_("Nieuw e-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Huidig wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def login_refusal_error(request) -> forms.ValidationError | None:
    """The form error for an attempt the lock-out refused (accounts.services.login_lockout), if it was."""
    refusal = last_refusal(request)
    if refusal is None:
        return None
    request.login_refusal_shown = True  # the page says why itself: axes' middleware only sets 429
    if refusal.reason == "slowed":
        return forms.ValidationError(LoginForm.error_messages["slowed"], code="locked")
    return forms.ValidationError(LoginForm.error_messages["locked"], code="locked")


class LoginForm(forms.Form):
    """Email and password; failures are counted and locked out by axes (accounts.lockout)."""

    email = forms.EmailField(
        label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("Dit e-mailadres en wachtwoord horen niet bij elkaar. Let op hoofdletters."),
        "locked": _(
            "Te veel mislukte pogingen. Om je account te beschermen kan je het over 15 minuten opnieuw proberen, "
            "of meteen een nieuw wachtwoord aanvragen."
        ),
        "slowed": _(
            "Er werd de laatste tijd vaak een verkeerd wachtwoord geprobeerd voor dit account. Probeer het over "
            "een minuut opnieuw, of vraag meteen een nieuw wachtwoord aan."
        ),
        "unverified": _(
            "Bevestig eerst je e-mailadres met de link die we je stuurden. We hebben je net een nieuwe link gestuurd."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        user = authenticate(self.request, email=email, password=password)
        if user is None:
            raise login_refusal_error(self.request) or forms.ValidationError(
                self.error_messages["invalid_login"], code="invalid_login"
            )
        if not user.email_verified:
            verification_email_send(user=user, email=user.email)
            raise forms.ValidationError(self.error_messages["unverified"], code="unverified")
        self.user_cache = user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class SiteUrlPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the mailed link is built from SITE_URL, never the request's Host
    (a forged Host header would otherwise put an attacker's domain in the link)."""

    def save(self, **kwargs):
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        # At most MAIL_MAX_PER_ADDRESS_PER_HOUR account mails to one address: asking for reset
        # links from many client addresses must not flood someone's mailbox.
        if mail_quota_take(address=to_email):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, **kwargs
            )
