"""The access audit (accounts/services/access_audit.py, AccessRecord, its admin)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import AccessRecord
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return ProfileFactory(
        user__email="marie.peeters@example.be",
        first_name="Marie",
        last_name="Peeters",
        street="Veldstraat",
        house_number="88",
        postal_code="3000",
        municipality="Leuven",
        phone="+32470998877",
    ).user


def test_opening_a_customer_writes_one_record_holding_no_personal_values(
    client, admin_login, staff_user, customer
):
    support = staff_user("support")
    admin_login(client, support)
    assert not AccessRecord.objects.exists()
    response = client.get(reverse("admin:accounts_user_change", args=[customer.pk]))
    assert response.status_code == 200
    assert "Veldstraat" in response.text  # the page did show personal data
    record = AccessRecord.objects.get()
    assert (record.staff_id, record.customer_id) == (support.pk, customer.pk)
    assert record.what == "admin:accounts_user_change"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_accessrecord")
        columns = [column.name for column in cursor.description]
        (row,) = cursor.fetchall()
    # The table has no room for personal values: ids, a page name and a time.
    assert columns == ["id", "at", "staff_id", "customer_id", "what"]
    stored = dict(zip(columns, row, strict=True))
    assert (stored["staff_id"], stored["customer_id"]) == (support.pk, customer.pk)
    for personal in (customer.email, "marie", "peeters", "veldstraat", "leuven", "470998877"):
        assert personal not in stored["what"].lower(), personal


def test_every_opening_is_recorded_and_nothing_else(client, admin_login, staff_user, customer):
    support = staff_user("support")
    colleague = staff_user("support")
    admin_login(client, support)
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    client.get(url)
    client.get(url)
    client.get(reverse("admin:accounts_user_changelist"))  # a list is not opening one person
    client.get(reverse("admin:accounts_user_change", args=[colleague.pk]))  # not shown to support
    client.get(reverse("admin:accounts_user_change", args=[999999]))  # no such person
    assert list(AccessRecord.objects.values_list("customer_id", flat=True)) == [customer.pk, customer.pk]


def test_records_are_append_only_in_the_database(staff_user, customer):
    from accounts.services.access_audit import access_record

    record = access_record(staff=staff_user("dpo"), customer_id=customer.pk, what="test")
    for change in (
        lambda: AccessRecord.objects.filter(pk=record.pk).update(what="gewist"),
        lambda: AccessRecord.objects.filter(pk=record.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    record.refresh_from_db()
    assert record.what == "test"


def test_the_dpo_lists_records_per_customer_and_nobody_changes_them(
    client, admin_login, staff_user, customer
):
    from accounts.services.access_audit import access_record

    support = staff_user("support")
    other = ProfileFactory().user
    access_record(staff=support, customer_id=customer.pk, what="admin:accounts_user_change")
    access_record(staff=support, customer_id=other.pk, what="admin:accounts_user_change")
    admin_login(client, staff_user("dpo"))
    changelist = reverse("admin:accounts_accessrecord_changelist")
    page = client.get(changelist, {"q": str(customer.pk)})
    assert page.status_code == 200
    assert "1 inzage" in page.text or ">1<" in page.text
    record = AccessRecord.objects.get(customer_id=customer.pk)
    assert (
        client.post(
            reverse("admin:accounts_accessrecord_change", args=[record.pk]), {"what": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:accounts_accessrecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AccessRecord.objects.count() == 2
    # Support does not see the records at all.
    admin_login(client, support)
    assert client.get(changelist).status_code == 403
