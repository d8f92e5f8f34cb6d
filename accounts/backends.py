from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.selectors import user_for_login


class EmailBackend(ModelBackend):
    """Log in by email address, compared case-insensitively.

    Runs after axes' backend (settings.AUTHENTICATION_BACKENDS), which refuses attempts of a
    locked-out client before any password is checked (accounts.services.login_lockout).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email is None or password is None:
            return None
        user = user_for_login(identifier=email)
        if user is None:
            # Run the hasher anyway so that a missing account takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
