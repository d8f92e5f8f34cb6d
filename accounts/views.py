from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.client_ip import client_ip_address
from accounts.decorators import rate_limited
from accounts.forms import EmailChangeForm, LoginForm, ProfileForm, SignUpForm, SiteUrlPasswordResetForm
from accounts.selectors import api_tokens_for_user, profile_for_user, sessions_for_user
from accounts.services.api_tokens import ApiTokenNotFound, api_token_revoke, api_tokens_end
from accounts.services.email_change import (
    EmailChangeLinkInvalid,
    EmailChangeRefused,
    email_change_request,
)
from accounts.services.email_change import email_change_cancel as email_change_cancel_service
from accounts.services.email_change import email_change_confirm as email_change_confirm_service
from accounts.services.login_lockout import login_lockout_clear
from accounts.services.sessions import (
    session_rekey,
    session_seen,
    user_sessions_end,
    user_sessions_end_others,
)
from accounts.services.users import VerificationError, profile_update, user_sign_up, user_verify_email
from ilusmart.errors import http_status

SIGN_UP_EMAIL_KEY = "sign_up_email"


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
@rate_limited("sign_up")
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user_sign_up(email=data["email"], password=data["password1"], profile=data, answers=form.answers())
        # Post/Redirect/Get: a reload of the next page does not send the form again.
        request.session[SIGN_UP_EMAIL_KEY] = data["email"]
        return redirect("accounts:sign_up_done")
    return render(request, "accounts/sign_up.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def sign_up_done(request):
    """After a sign-up: "check your mailbox", naming the address typed (kept in the session)."""
    email = request.session.get(SIGN_UP_EMAIL_KEY)
    if not email:
        return redirect("accounts:sign_up")
    return render(request, "accounts/sign_up_done.html", {"email": email})


@require_http_methods(["GET"])
def verify_email(request, token):
    try:
        user = user_verify_email(token=token)
    except VerificationError:
        return render(request, "accounts/verify_failed.html", status=400)
    messages.success(request, _("Je e-mailadres %(email)s is bevestigd.") % {"email": user.email})
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 429 if form.has_error("__all__", "locked") else 400
        return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    instance = profile_for_user(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = profile_update(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Je gegevens zijn bewaard.") if changed else _("Er was niets gewijzigd."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("email_change")
def email_change(request):
    """Ask for a new address with the current password; the links go out by mail (email_change)."""
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email_change_request(
                user=request.user,
                new_email=form.cleaned_data["new_email"],
                password=form.cleaned_data["password"],
            )
        except EmailChangeRefused as refused:
            field = "password" if refused.code == "wrong_password" else "new_email"
            form.add_error(field, refused.message)
        else:
            messages.info(
                request,
                _(
                    "We stuurden een link naar %(email)s. Je nieuwe adres geldt zodra je erop klikt; de link "
                    "blijft 24 uur geldig. Je huidige adres kreeg een bericht, met een link om het te annuleren."
                )
                % {"email": form.cleaned_data["new_email"]},
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form}, status=400 if form.errors else 200)


def _email_change_link(request, token, *, service, template):
    """GET shows a button (a mail scanner that follows links must not use a one-time link); POST acts."""
    if request.method == "GET":
        return render(request, template, {"state": "ask"})
    try:
        user = service(token=token)
    except (EmailChangeLinkInvalid, EmailChangeRefused) as refused:
        return render(
            request, template, {"state": "refused", "message": refused.message}, status=http_status(refused)
        )
    return render(request, template, {"state": "done", "email": user.email})


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token):
    return _email_change_link(
        request, token, service=email_change_confirm_service, template="accounts/email_change_confirm.html"
    )


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_cancel(request, token):
    return _email_change_link(
        request, token, service=email_change_cancel_service, template="accounts/email_change_cancel.html"
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form (current password, new twice); this browser stays logged in, every other is logged out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        request = self.request
        old_key = request.session.session_key
        response = super().form_valid(form)  # keeps this session logged in, under a new key
        session_rekey(old_key=old_key, new_key=request.session.session_key)
        user_sessions_end_others(user=form.user, keep_session_key=request.session.session_key)
        api_tokens_end(user=form.user)  # the app on every device logs in again too
        messages.success(request, _("Je wachtwoord is gewijzigd. Op je andere toestellen ben je afgemeld."))
        return response


password_change = login_required(rate_limited("password_change")(PasswordChangeView.as_view()))


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request):
    """The browsers logged in to this account (device, last seen, network), and "log out the others"."""
    session_seen(
        user=request.user,
        session=request.session,
        ip=client_ip_address(request),
        user_agent=request.headers.get("User-Agent", ""),
        force=True,
    )
    if request.method == "POST":
        ended = user_sessions_end_others(user=request.user, keep_session_key=request.session.session_key)
        messages.success(
            request,
            ngettext(
                "Je bent op %(count)s ander toestel afgemeld.",
                "Je bent op %(count)s andere toestellen afgemeld.",
                ended,
            )
            % {"count": ended},
        )
        return redirect("accounts:sessions")
    context = {"rows": sessions_for_user(user=request.user), "current_key": request.session.session_key}
    return render(request, "accounts/sessions.html", context)


@login_required
@require_http_methods(["GET"])
def api_tokens(request):
    """The devices logged in to the mobile app (one token each), each with a button to log it out."""
    return render(request, "accounts/api_tokens.html", {"rows": api_tokens_for_user(user=request.user)})


@login_required
@require_http_methods(["POST"])
def api_token_revoke_view(request, token_id):
    """Log one device out of the app (revoke its token); 404 for anyone else's."""
    try:
        api_token_revoke(user=request.user, token_id=token_id)
    except ApiTokenNotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Dat toestel is afgemeld in de app."))
    return redirect("accounts:api_tokens")


password_reset = rate_limited("password_reset")(
    auth_views.PasswordResetView.as_view(
        form_class=SiteUrlPasswordResetForm,
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset_body.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from a mailed link, under the same lock-out as every login path.

    What the lock-out covers here (accounts.services.login_lockout): the link's token is an HMAC
    that cannot be guessed, so there is no password to try; but a bad or expired link counts
    as a failure of the client's address (through Django's user_login_failed signal, like a
    wrong password), and an address locked out for spraying gets 429 here too. A completed
    reset proves control of the mailbox, so it clears the account's counters: the owner is let
    in at once, even from an address an attacker had locked.
    """

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    lockout_credentials = {"password_reset_link": "********"}

    def dispatch(self, request, *args, **kwargs):
        if not AxesProxyHandler.is_allowed(request, self.lockout_credentials):
            return get_lockout_response(request, None, self.lockout_credentials)
        response = super().dispatch(request, *args, **kwargs)
        if not self.validlink:
            user_login_failed.send(sender=__name__, credentials=self.lockout_credentials, request=request)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        login_lockout_clear(user=form.user)
        # Whoever knew the old password is out, on every device (and off the sessions list).
        user_sessions_end(user=form.user)
        api_tokens_end(user=form.user)
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
logout = auth_views.LogoutView.as_view()
