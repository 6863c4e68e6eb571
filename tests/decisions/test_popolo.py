"""The register as Popolo open data: validated against its published schema, and saying what the signed
minutes say (attendance with proxies, declarations of interest, counts, each vote the record tells)."""

import json

import jsonschema
import pytest
from django.db import transaction

from decisions.popolo import person_id
from meetings.models import Attendance, Declaration, Session
from tests import factory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    """A board of six voting members (its quorum: more than 40%, so 3) and an invited one: four present,
    one represented by the holder, one excused; the holder declared an interest in item 2. Item 1's
    resolution was adopted unanimously, item 2's by a divided vote."""
    with django_db_blocker.unblock(), transaction.atomic():
        board = factory.board(name_fr="Conseil d'administration", quorum_percent=40)
        president = factory.seat(board, role="president")
        rapporteur = factory.seat(board, role="rapporteur")
        holder, represented, excused, other = (factory.seat(board) for _ in range(4))
        guest = factory.seat(board, role="invited")
        session = factory.session(board, start_time=None)
        for person in (president, rapporteur, holder, other, guest):
            factory.attend(session, person)
        factory.attend(session, represented, status=Attendance.Status.REPRESENTED, proxy=holder)
        factory.attend(session, excused, status=Attendance.Status.EXCUSED)
        first = factory.agenda_item(session, 1, title="مخطط العمل")
        second = factory.agenda_item(session, 2, title="اتفاقية شراكة")
        Declaration(
            session=session, agenda_item=second, member=holder, reason="عضو في الجمعية الشريكة"
        ).save()
        factory.resolution(session, 1, agenda_item=first, unanimous=True)
        factory.resolution(
            session, 2, agenda_item=second, unanimous=False, votes_for=2, votes_against=0, votes_abstain=1
        )
        factory.publish(Session.objects.get(pk=session.pk))
        yield {
            "president": president,
            "holder": holder,
            "represented": represented,
            "excused": excused,
            "guest": guest,
        }
        transaction.set_rollback(True)


def schema(client) -> dict:
    response = client.get("/popolo.schema.json")
    assert response["Content-Type"] == "application/schema+json"
    return json.loads(b"".join(response.streaming_content))


def checker(client) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema(client), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_popolo_export_validates_against_its_schema(client, published):
    response = client.get("/resolutions.popolo.json")

    assert response.status_code == 200
    assert response["Link"] == f'<{SITE}/popolo.schema.json>; rel="describedby"'
    data = json.loads(response.content)
    assert list(checker(client).iter_errors(data)) == []
    assert (len(data["events"]), len(data["motions"]), len(data["vote_events"])) == (1, 2, 2)


def test_the_schema_would_catch_a_changed_export(client, published):
    data = json.loads(client.get("/resolutions.popolo.json").content)
    check = checker(client)
    vote_event = data["vote_events"][0]
    for broken in (
        {**data, "vote_events": [{**vote_event, "result": "adopted"}]},
        {**data, "vote_events": [{k: v for k, v in vote_event.items() if k != "declarations_of_interest"}]},
        {
            **data,
            "events": [
                {
                    **data["events"][0],
                    "attendance": [{"person_id": "person/0000000000000000", "status": "represented"}],
                }
            ],
        },
    ):
        assert list(check.iter_errors(broken)), broken


def test_attendance_by_proxy_is_given(client, published):
    event = json.loads(client.get("/resolutions.popolo.json").content)["events"][0]
    by_person = {row["person_id"]: row for row in event["attendance"]}
    represented = by_person[person_id(published["represented"].name_ar)]
    assert represented == {
        "person_id": person_id(published["represented"].name_ar),
        "status": "represented",
        "proxy_id": person_id(published["holder"].name_ar),
    }
    assert by_person[person_id(published["excused"].name_ar)]["status"] == "excused"
    assert person_id(published["guest"].name_ar) not in by_person  # invited, without vote


def test_a_unanimous_vote_gives_each_counted_members_yes(client, published):
    vote_event = json.loads(client.get("/resolutions.popolo.json").content)["vote_events"][0]
    assert vote_event["identifier"] == "2025/2/1"
    assert vote_event["counts"] == [
        {"option": "yes", "value": 5},
        {"option": "no", "value": 0},
        {"option": "abstain", "value": 0},
    ]
    votes = {vote["voter_id"]: vote for vote in vote_event["votes"]}
    assert votes[person_id(published["represented"].name_ar)] == {
        "voter_id": person_id(published["represented"].name_ar),
        "option": "yes",
        "proxy_id": person_id(published["holder"].name_ar),
    }
    assert votes[person_id(published["excused"].name_ar)]["option"] == "absent"
    assert vote_event["declarations_of_interest"] == []


def test_a_declaration_takes_the_member_and_their_proxies_out_of_the_vote(client, published):
    vote_event = json.loads(client.get("/resolutions.popolo.json").content)["vote_events"][1]
    holder, represented = person_id(published["holder"].name_ar), person_id(published["represented"].name_ar)
    assert vote_event["declarations_of_interest"] == [
        {"person_id": holder, "reason": "عضو في الجمعية الشريكة", "source": "secretariat"}
    ]
    assert vote_event["quorum"] == {
        "voting_members": 6,
        "counted": 3,
        "represented": 0,
        "required": 3,
        "reached": True,
    }
    votes = {vote["voter_id"]: vote["option"] for vote in vote_event["votes"]}
    # A divided vote: who chose what is not recorded; who did not vote is.
    assert votes == {
        holder: "not voting",
        represented: "not voting",
        person_id(published["excused"].name_ar): "absent",
    }
    assert vote_event["counts"] == [
        {"option": "yes", "value": 2},
        {"option": "no", "value": 0},
        {"option": "abstain", "value": 1},
    ]
    assert vote_event["result"] == "pass"


def test_the_export_reads_a_fixed_number_of_queries(client, published, django_assert_num_queries):
    """The last publication, the home board, the published versions' records, the seats: whatever the
    number of sessions (each record is read whole with its version)."""
    with django_assert_num_queries(4):
        assert client.get("/resolutions.popolo.json").status_code == 200
