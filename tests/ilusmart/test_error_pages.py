"""The 400, 403, 404 and 500 pages: in the site's layout, Dutch first and English, a way back."""

import pytest
from django.test import Client
from django.urls import path

from ilusmart.urls import urlpatterns as site_urlpatterns


def _boom(request):
    raise RuntimeError("a bug, on purpose")


urlpatterns = [*site_urlpatterns, path("test-500/", _boom)]


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def _is_site_page(html: str, *, lang: str) -> None:
    assert f'<html lang="{lang}"' in html
    assert 'class="brand"' in html and "ilusmart@ilumen.be" in html  # the layout, with help
    assert "favicon.svg" in html


@pytest.mark.django_db
def test_404_in_dutch_and_english(client, production):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    _is_site_page(html, lang="nl-be")
    assert "Pagina niet gevonden" in html and "Naar het overzicht" in html and "Foutcode 404" in html

    english = client.get("/bestaat-niet/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    _is_site_page(english, lang="en")
    assert "Page not found" in english and "Pagina niet gevonden" not in english


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_in_the_layout_without_details(production):
    client = Client(raise_request_exception=False)
    response = client.get("/test-500/")
    assert response.status_code == 500
    html = response.content.decode()
    _is_site_page(html, lang="nl-be")
    assert "Er ging iets mis" in html and "a bug, on purpose" not in html and "Traceback" not in html


@pytest.mark.django_db
def test_a_forged_post_gets_the_expired_form_page(production):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/aanmelden/", {"username": "a@example.be", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    _is_site_page(html, lang="nl-be")
    assert "Formulier verlopen" in html and "Foutcode 403" in html
