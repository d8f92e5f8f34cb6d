"""The staff admin: iLusmart's name, a lock-out-aware login, and a second factor before anything.

Served at ``settings.ADMIN_URL``. ``has_permission`` requires an active staff user who passed
the second factor in this session (django-otp's ``is_verified``); the pages that get them there
(enrolment and the code page) live here too, and accounts.middleware keeps an unverified
staff user on them. The logic is in accounts.services.second_factor.
"""

import django_otp
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import login_refusal_error
from accounts.services.second_factor import (
    second_factor_confirmed,
    second_factor_verify,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_key_base32,
    totp_qr_svg_data_uri,
)


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's password step, saying so when the lock-out refused the attempt."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            refused = login_refusal_error(self.request)
            if refused is not None:
                raise refused from None
            raise


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class IlusmartAdminSite(admin.AdminSite):
    site_header = _("iLusmart-beheer")
    site_title = _("iLusmart-beheer")
    index_title = _("Beheer van iLusmart")
    login_form = StaffLoginForm
    # The index lists the same apps; without the side bar a list gets the page's whole width and
    # support's lists (faults, customers) fit at 1,280 px without scrolling sideways.
    enable_nav_sidebar = False

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and getattr(user, "is_verified", lambda: False)()

    def __init__(self, name="admin"):
        super().__init__(name)
        self._page_urls = []

    def register_pages(self, patterns):
        """Add admin pages that are not a model's (the support console, meters/admin_customers.py).

        Apps above accounts register them when their admin module loads (accounts cannot import
        them); each view must be wrapped in ``admin_view`` and check its own permission.
        """
        self._page_urls.extend(patterns)

    def get_urls(self):
        return [
            path("tweede-factor/", self.second_factor_verify_view, name="second_factor_verify"),
            path("tweede-factor/instellen/", self.second_factor_enrol_view, name="second_factor_enrol"),
            *self._page_urls,
            *super().get_urls(),
        ]

    # --- second factor ------------------------------------------------------------------------

    def _staff_only(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)):
            return redirect(f"{reverse('admin:login')}?next={request.get_full_path()}")
        return None

    def _next_url(self, request):
        target = request.POST.get("next") or request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return target if safe and target else reverse("admin:index")

    def _page(self, request, template, context, status=200):
        context = {**self.each_context(request), "next": self._next_url(request), **context}
        return TemplateResponse(request, template, context, status=status)

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @method_decorator(sensitive_post_parameters("token"))
    def second_factor_verify_view(self, request):
        """A staff user with an authenticator types its code (or a recovery code)."""
        if (refused := self._staff_only(request)) is not None:
            return refused
        if request.user.is_verified():
            return redirect(self._next_url(request))
        if not second_factor_confirmed(user=request.user):
            return redirect("admin:second_factor_enrol")
        form = SecondFactorForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            device = second_factor_verify(user=request.user, token=form.cleaned_data["token"])
            if device is not None:
                request.session.cycle_key()
                django_otp.login(request, device)
                return redirect(self._next_url(request))
            form.add_error("token", _("Deze code klopt niet (of je probeerde te snel opnieuw)."))
        title = _("Tweede factor")
        return self._page(
            request,
            "admin/accounts/second_factor_verify.html",
            {"form": form, "title": title},
            status=400 if form.errors else 200,
        )

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @method_decorator(sensitive_post_parameters("token"))
    def second_factor_enrol_view(self, request):
        """A staff user without a confirmed authenticator sets one up; recovery codes are shown once."""
        if (refused := self._staff_only(request)) is not None:
            return refused
        if second_factor_confirmed(user=request.user):
            return redirect("admin:second_factor_verify")
        form = SecondFactorForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            confirmed = totp_enrolment_confirm(user=request.user, token=form.cleaned_data["token"])
            if confirmed is not None:
                device, codes = confirmed
                request.session.cycle_key()
                django_otp.login(request, device)
                return self._page(
                    request,
                    "admin/accounts/second_factor_codes.html",
                    {"codes": codes, "title": _("Je herstelcodes")},
                )
            form.add_error("token", _("Deze code klopt niet. Kijk of de tijd van je telefoon juist staat."))
        device = totp_enrolment_start(user=request.user)
        context = {
            "form": form,
            "qr_data_uri": totp_qr_svg_data_uri(device=device),
            "key": totp_key_base32(device=device),
            "title": _("Tweede factor instellen"),
        }
        return self._page(
            request, "admin/accounts/second_factor_enrol.html", context, status=400 if form.errors else 200
        )
