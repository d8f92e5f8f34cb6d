"""Per-request checks on who is logged in: session lifetime and the staff second factor."""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode

from accounts.client_ip import client_ip_address
from accounts.services.second_factor import second_factor_confirmed
from accounts.services.sessions import SEEN_AT, TRACKED, session_is_over, session_seen

# What a staff user who has not passed the second factor may still reach.
SECOND_FACTOR_EXEMPT = {
    "admin:login",
    "admin:logout",
    "admin:second_factor_verify",
    "admin:second_factor_enrol",
    "accounts:logout",
    "set_language",
    "healthz",
}


class SessionLifetimeMiddleware:
    """Ends a session past its idle or absolute limit, or ended by a superuser (services.sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        seen_before = request.session.get(SEEN_AT)
        if session_is_over(user=user, session=request.session):
            logout(request)
            admin_prefix = reverse("admin:index")
            login_url = reverse("admin:login" if request.path.startswith(admin_prefix) else "accounts:login")
            return redirect_to_login(request.get_full_path(), login_url)
        if request.session.get(SEEN_AT) != seen_before or not request.session.get(TRACKED):
            # At most once a minute: the "last seen" of the sessions list (or adopt an old session).
            session_seen(
                user=user,
                session=request.session,
                ip=client_ip_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        return self.get_response(request)


class NoStoreWhenLoggedInMiddleware:
    """Every answer to a logged-in person says ``Cache-Control: no-store, private`` (issue 8).

    Every page behind the login shows personal data (the layout names the person; the pages
    their readings, address, sessions): no browser history, back-forward cache or shared proxy
    may keep a copy for the next person at that computer. One middleware rather than a
    decorator per view, so a new page cannot forget it (tests/accounts/test_middleware.py walks
    the URL resolver).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class StaffSecondFactorMiddleware:
    """A staff user reaches nothing but the second-factor pages until they passed it.

    Without a confirmed authenticator they are led to enrolment; with one, to the code page.
    Needs django_otp.middleware.OTPMiddleware before it (``request.user.is_verified``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and (user.is_staff or user.is_superuser)) or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        if request.path.startswith(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
        ):
            return None
        name = (
            "admin:second_factor_verify"
            if second_factor_confirmed(user=user)
            else "admin:second_factor_enrol"
        )
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
