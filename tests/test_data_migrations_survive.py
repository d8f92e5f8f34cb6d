"""The staff roles the data migrations create are there for every test, whatever ran before it.

A transactional test empties every table when it ends; tests/conftest.py gives each one a
serialized rollback so the migrations' data comes back. The first test here empties the tables
(by being transactional), the second, in the same module right after it, still finds the roles.
"""

import pytest
from django.contrib.auth.models import Group


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_runs_first():
    assert Group.objects.filter(name__in=["support", "dpo"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_roles_and_their_permissions_are_back_after_it():
    support = Group.objects.get(name="support")
    assert support.permissions.filter(codename="change_profile").exists()
    assert not support.permissions.filter(codename="delete_user").exists()
    assert Group.objects.filter(name="dpo").exists()


@pytest.mark.django_db
def test_and_for_a_plain_test_after_them():
    assert Group.objects.get(name="support").permissions.exists()
