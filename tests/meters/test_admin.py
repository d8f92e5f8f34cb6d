"""The fault queue in admin (meters.admin.FaultAdmin): what support sees and does, and may not do.

Staff are logged in past the second factor (tests/conftest.py ``admin_login``); every action is a
real POST of the change form as the browser sends it (tests/html_forms.py).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from ilusmart import clock
from meters.models import Fault, FaultNote
from tests.factories import MeterFactory, ProfileFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(client, staff_user, admin_login):
    user = staff_user("support")
    admin_login(client, user)
    return user


def make_fault(
    *,
    meter=None,
    fault_type=Fault.Type.INVERTER_SUSPECTED,
    severity=Fault.Severity.HIGH,
    days_ago=5,
    **fields,
):
    meter = meter or MeterFactory(owner=ProfileFactory().user)
    return Fault.objects.create(
        meter=meter,
        type=fault_type,
        severity=severity,
        started=clock.local_today() - timedelta(days=days_ago),
        evidence={"days": [{"day": "2026-07-08", "injection_wh": 0, "threshold_wh": 558}]},
        **fields,
    )


def change_url(fault) -> str:
    return reverse("admin:meters_fault_change", args=[fault.pk])


def post_change(client, fault, button: str | None = None, **fields):
    """Submit the fault's change form as shown, with ``fields`` changed and ``button`` pressed."""
    page = client.get(change_url(fault))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "fault_form")
    data.update({name: [value] for name, value in fields.items()})
    if button:
        data[button] = ["x"]
    return client.post(change_url(fault), data)


def changelist_ids(client, query: str = "") -> list[int]:
    page = client.get(reverse("admin:meters_fault_changelist") + query)
    assert page.status_code == 200
    return [fault.pk for fault in page.context["cl"].result_list]


# --- The queue --------------------------------------------------------------------------------------


def test_the_queue_lists_faults_to_follow_up_by_severity_then_age(client, support):
    low_old = make_fault(fault_type=Fault.Type.DATA_ANOMALY, severity=Fault.Severity.LOW, days_ago=40)
    high_new = make_fault(severity=Fault.Severity.HIGH, days_ago=2)
    high_old = make_fault(severity=Fault.Severity.HIGH, days_ago=9)
    medium = make_fault(fault_type=Fault.Type.FEED_STALE, severity=Fault.Severity.MEDIUM, days_ago=20)
    done = make_fault(
        status=Fault.Status.RESOLVED, resolved=clock.local_today(), severity=Fault.Severity.HIGH, days_ago=30
    )

    assert changelist_ids(client) == [high_old.pk, high_new.pk, medium.pk, low_old.pk]
    assert changelist_ids(client, "?status=all") == [done.pk, high_old.pk, high_new.pk, medium.pk, low_old.pk]
    assert changelist_ids(client, "?status=resolved") == [done.pk]
    assert changelist_ids(client, "?type=feed_stale") == [medium.pk]


def test_the_queue_finds_a_fault_by_ean_or_customer_and_filters_by_assignee(client, support, staff_user):
    mine = make_fault()
    other = make_fault(assignee=staff_user("support"))
    mine.meter.owner.profile.last_name = "Vermeulen"
    mine.meter.owner.profile.save()

    assert changelist_ids(client, f"?q={mine.meter.ean}") == [mine.pk]
    assert changelist_ids(client, "?q=vermeulen") == [mine.pk]
    assert changelist_ids(client, f"?q={other.meter.owner.email}") == [other.pk]
    assert changelist_ids(client, f"?assignee__id__exact={other.assignee_id}") == [other.pk]


# --- Acting on a fault --------------------------------------------------------------------------------


def test_support_acknowledges_a_fault_and_it_is_assigned_to_them(client, support):
    fault = make_fault()

    response = post_change(client, fault, "_acknowledge")

    assert response.status_code == 302 and response.url == change_url(fault)
    fault.refresh_from_db()
    assert (fault.status, fault.assignee, fault.resolved) == (Fault.Status.ACKNOWLEDGED, support, None)


def test_support_resolves_a_fault_with_a_reason(client, support):
    fault = make_fault(status=Fault.Status.ACKNOWLEDGED)

    post_change(client, fault, "_resolve", reason="Omvormer herstart door de klant.")

    fault.refresh_from_db()
    assert fault.status == Fault.Status.RESOLVED
    assert fault.resolved == clock.local_today()
    assert (fault.resolution_reason, fault.closed_by) == ("Omvormer herstart door de klant.", support)


def test_a_false_alarm_needs_a_reason(client, support):
    fault = make_fault()

    refused = post_change(client, fault, "_false_alarm")

    assert refused.status_code == 200
    assert "Geef aan waarom het vals alarm is." in refused.content.decode()
    fault.refresh_from_db()
    assert fault.status == Fault.Status.OPEN

    post_change(client, fault, "_false_alarm", reason="Panelen bewust uitgeschakeld tijdens renovatie.")
    fault.refresh_from_db()
    assert (fault.status, fault.closed_by) == (Fault.Status.FALSE_ALARM, support)


def test_a_closed_fault_cannot_be_acknowledged(client, support):
    fault = make_fault(status=Fault.Status.RESOLVED, resolved=clock.local_today())

    page = client.get(change_url(fault)).content.decode()
    assert 'name="_acknowledge"' not in page and 'name="_resolve"' not in page
    refused = post_change(client, fault, "_acknowledge")

    assert refused.status_code == 200
    fault.refresh_from_db()
    assert fault.status == Fault.Status.RESOLVED


def test_support_assigns_a_colleague_and_adds_a_contact_note(client, support, staff_user):
    colleague = staff_user("support")
    fault = make_fault()

    response = post_change(
        client,
        fault,
        assignee=str(colleague.pk),
        **{"notes-0-kind": "call", "notes-0-text": "Klant gebeld: omvormer toont fout 401."},
    )

    assert response.status_code == 302
    fault.refresh_from_db()
    assert fault.assignee == colleague
    note = FaultNote.objects.get(fault=fault)
    assert (note.kind, note.author, note.text) == ("call", support, "Klant gebeld: omvormer toont fout 401.")
    # The note is kept as written: shown, not editable.
    page = client.get(change_url(fault)).content.decode()
    assert "Klant gebeld: omvormer toont fout 401." in page
    assert 'name="notes-0-text"' not in page


def test_only_staff_can_be_assigned(client, support):
    fault = make_fault()
    homeowner = fault.meter.owner

    refused = post_change(client, fault, assignee=str(homeowner.pk))

    assert refused.status_code == 200
    fault.refresh_from_db()
    assert fault.assignee is None


def test_support_opens_a_fault_by_hand_and_detection_leaves_it_open(client, support):
    from meters.services.faults import faults_detect

    meter = MeterFactory(owner=ProfileFactory().user)
    add = reverse("admin:meters_fault_add")
    data = form_data(client.get(add).content.decode(), "fault_form")
    data.update(
        meter=[str(meter.pk)], type=["inverter_suspected"], severity=["3"], started=[str(date(2026, 7, 1))]
    )

    response = client.post(add, data)

    assert response.status_code == 302
    fault = Fault.objects.get(meter=meter)
    assert (fault.status, fault.opened_by) == (Fault.Status.OPEN, support)
    faults_detect(meter=meter)  # no data confirms it, but staff opened it: it stays
    fault.refresh_from_db()
    assert fault.status == Fault.Status.OPEN

    again = client.post(add, data)
    assert again.status_code == 200
    assert Fault.objects.filter(meter=meter).count() == 1


def test_the_bulk_action_takes_open_faults_up(client, support):
    first, second = make_fault(), make_fault(fault_type=Fault.Type.FEED_STALE)

    client.post(
        reverse("admin:meters_fault_changelist"),
        {"action": "acknowledge_selected", "_selected_action": [first.pk, second.pk]},
    )

    assert set(Fault.objects.values_list("status", "assignee")) == {(Fault.Status.ACKNOWLEDGED, support.pk)}


# --- What support may not do ---------------------------------------------------------------------------


def test_support_cannot_delete_a_fault_or_a_note(client, support):
    fault = make_fault()
    FaultNote.objects.create(fault=fault, kind="note", text="Eerste contact.", author=support)
    delete = reverse("admin:meters_fault_delete", args=[fault.pk])

    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:meters_fault_changelist"),
        {"action": "delete_selected", "_selected_action": [fault.pk], "post": "yes"},
    )
    note = FaultNote.objects.get(fault=fault)
    post_change(
        client, fault, **{"notes-0-id": str(note.pk), "notes-0-DELETE": "on", "notes-0-text": "Gewist."}
    )

    assert Fault.objects.filter(pk=fault.pk).exists()
    assert list(FaultNote.objects.filter(fault=fault).values_list("text", flat=True)) == ["Eerste contact."]
    page = client.get(change_url(fault)).content.decode()
    assert delete not in page


def test_a_superuser_may_delete_a_fault(client, staff_user, admin_login):
    admin_login(client, staff_user("superuser"))
    fault = make_fault()

    client.post(reverse("admin:meters_fault_delete", args=[fault.pk]), {"post": "yes"})

    assert not Fault.objects.filter(pk=fault.pk).exists()


def test_the_fault_admin_speaks_dutch_and_english(client, support):
    fault = make_fault()

    dutch = client.get(change_url(fault)).content.decode()
    assert "In behandeling nemen" in dutch and "omvormer vermoedelijk defect" in dutch
    assert "Storingen" in client.get(reverse("admin:index")).content.decode()

    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(change_url(fault)).content.decode()

    assert 'value="Acknowledge"' in english and 'value="False alarm"' in english
    assert "inverter suspected" in english and "Contact notes" in english
    assert "Faults" in client.get(reverse("admin:index")).content.decode()
