"""The register as Popolo open data (https://www.popoloproject.com/specs/): the board (Organization), the
people named in its published minutes (Person) and their seats (Membership), each published session
(Event), each resolution (Motion) and its vote (VoteEvent, with its Counts and, where the record tells them,
each member's Vote).

Everything comes from the signed records of the published minutes (`Minutes.record`), as the public pages
do, and from the board's seats for the memberships. Nothing is guessed: a divided vote's counts are as
recorded and its voters' choices, which the minutes do not record, are not given; a unanimous vote is each
counted member's «yes» (that is what unanimity records); the members absent, excused or standing aside
are given as such.

Popolo has no way to say that a member was represented, or that one stood aside from an item (Popolo
issue #119 asks for the first), so this export extends it, as `docs/open-data.md` explains and
`decisions/popolo.schema.json` describes:

- an Event's `attendance`: each member's status (present, represented, excused, absent), and for one
  represented, `proxy_id`, the member who held their proxy;
- a Vote's `proxy_id`: the member who cast it for the voter, who was represented;
- a VoteEvent's `declarations_of_interest` and `quorum`: who stood aside from the resolution's agenda
  item, why, and the item's quorum counted without them.

A written consultation is an Event classified «written consultation»; each member's answer is recorded, so
its vote event gives every voting member's vote.

Identifiers are stable: a person's is made from their name in Arabic, as the minutes spell it (the records
keep names, not database keys); a session's, a motion's and a vote event's from their numbers.
"""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from meetings.models import Board, Membership, PublishedSession

BOARD_ID = "board"
VOTING_STATUSES = ("present", "represented")
OUTCOMES = {"adopted": "pass", "rejected": "fail", "deferred": "deferred"}


def person_id(name_ar: str) -> str:
    return "person/" + hashlib.sha256(name_ar.encode()).hexdigest()[:16]


def session_id(year: int, ordinal: int) -> str:
    return f"session/{year}/{ordinal}"


def _other_names(french: str) -> list[dict]:
    return [{"name": french, "note": "fr"}] if french else []


def _who(attendance: dict) -> dict:
    """The member of an attendance row (a record kept before the rows named the whole person gives the
    name alone)."""
    return attendance.get("member") or {
        "name_ar": attendance["name"],
        "title_ar": attendance.get("title", ""),
    }


def _person(person: dict) -> dict:
    return {
        "id": person_id(person["name_ar"]),
        "name": person["name_ar"],
        "other_names": _other_names(person.get("name_fr", "")),
        **({"gender": person["gender"]} if person.get("gender") else {}),
        **({"summary": person["title_ar"]} if person.get("title_ar") else {}),
    }


def popolo(board: Board) -> dict:
    """The board's published record as one Popolo document (see the module's docstring)."""
    persons: dict[str, dict] = {}
    events, motions, vote_events = [], [], []
    published = (
        PublishedSession.objects.filter(board=board)
        .select_related("minutes")
        .order_by("date", "ordinal")
        .only("year", "ordinal", "minutes__record", "minutes__code")
    )
    for row in published.iterator(chunk_size=100):
        record = row.minutes.record
        for attendance in record["attendance"]:
            for person in (_who(attendance), attendance.get("proxy_member")):
                if person:
                    persons.setdefault(person_id(person["name_ar"]), _person(person))
        event = _event(record, row.minutes.get_absolute_url())
        events.append(event)
        items = {item["position"]: item for item in record["agenda"]}
        for resolution in record["resolutions"]:
            motion, vote_event = _decision(record, event, items.get(resolution["agenda_item"]), resolution)
            motions.append(motion)
            vote_events.append(vote_event)
    return {
        "organizations": [
            {
                "id": BOARD_ID,
                "name": board.name_ar,
                "other_names": _other_names(board.name_fr),
                "classification": "board",
                **({"parent_id": "institution"} if board.institution_ar else {}),
            },
            *(
                [
                    {
                        "id": "institution",
                        "name": board.institution_ar,
                        "other_names": _other_names(board.institution_fr),
                    }
                ]
                if board.institution_ar
                else []
            ),
        ],
        "persons": sorted(persons.values(), key=lambda person: person["id"]),
        "memberships": list(_memberships(board, persons)),
        "events": events,
        "motions": motions,
        "vote_events": vote_events,
    }


def _memberships(board: Board, persons: dict[str, dict]) -> Iterable[dict]:
    """The seats of the people the published minutes name (others are not public through this export)."""
    seats = Membership.objects.filter(board=board).select_related("member").order_by("start", "pk")
    for seat in seats:
        pid = person_id(seat.member.name_ar)
        if pid in persons:
            yield {
                "id": f"membership/{seat.pk}",
                "person_id": pid,
                "organization_id": BOARD_ID,
                "role": seat.role,
                "label": str(seat.get_role_display()),
                "start_date": seat.start.isoformat(),
                **({"end_date": seat.end.isoformat()} if seat.end else {}),
            }


def _event(record: dict, verification_path: str) -> dict:
    facts = record["session"]
    voters = [a for a in record["attendance"] if a.get("role") != "invited"]
    return {
        "id": session_id(facts["year"], facts["ordinal"]),
        "name": facts["title"],
        "classification": "written consultation" if "written" in record else "session",
        "organization_id": BOARD_ID,
        "start_date": facts["date"] + (f"T{facts['start_time']}" if facts["start_time"] else ""),
        **({"end_date": f"{facts['date']}T{facts['end_time']}"} if facts["end_time"] else {}),
        **({"location": facts["place"]} if facts["place"] else {}),
        "sources": [
            {
                "url": settings.SITE_URL
                + reverse("meetings:session_detail", args=[facts["year"], facts["ordinal"]])
            },
            {"url": settings.SITE_URL + verification_path, "note": "signed minutes"},
        ],
        # Extension: attendance, with proxies.
        "attendance": [
            {
                "person_id": person_id(_who(a)["name_ar"]),
                "status": a["status"],
                **({"proxy_id": person_id(a["proxy_member"]["name_ar"])} if a.get("proxy_member") else {}),
            }
            for a in voters
        ],
    }


def _decision(record: dict, event: dict, item: dict | None, resolution: dict) -> tuple[dict, dict]:
    facts = record["session"]
    number = f"{facts['year']}/{facts['ordinal']}/{resolution['sequence']}"
    result = OUTCOMES[resolution["outcome"]]
    motion = {
        "id": f"motion/{number}",
        "identifier": number,
        "organization_id": BOARD_ID,
        "legislative_session_id": event["id"],
        "text": resolution["text"],
        "classification": "resolution",
        "date": facts["date"],
        "result": result,
        "title": resolution["title"],
        "sources": [
            {
                "url": settings.SITE_URL
                + reverse(
                    "decisions:resolution_detail",
                    args=[facts["year"], facts["ordinal"], resolution["sequence"]],
                )
            }
        ],
    }
    declared = (item or {}).get("declarations", [])
    aside = {person_id(d["member"]["name_ar"]) for d in declared}
    quorum = (item or {}).get("quorum") or record["quorum"]
    votes = (
        _written_votes(record)
        if "written" in record
        else _votes(record, aside, unanimous=resolution["unanimous"])
    )
    counted = quorum["present"] + quorum["represented"]
    cast = resolution["votes"]
    if resolution["unanimous"]:
        counts = {"yes": counted, "no": 0, "abstain": 0}
    elif any(cast[option] is not None for option in ("for", "against", "abstain")):
        counts = {"yes": cast["for"] or 0, "no": cast["against"] or 0, "abstain": cast["abstain"] or 0}
    else:
        counts = {}
    vote_event = {
        "id": f"vote/{number}",
        "identifier": number,
        "motion_id": motion["id"],
        "organization_id": BOARD_ID,
        "legislative_session_id": event["id"],
        "start_date": event["start_date"],
        "result": result,
        "counts": [{"option": option, "value": value} for option, value in counts.items()],
        "votes": votes,
        # Extensions: who stood aside from the item, and the quorum that applied.
        "declarations_of_interest": [
            {"person_id": person_id(d["member"]["name_ar"]), "reason": d["reason"], "source": d["source"]}
            for d in declared
        ],
        "quorum": {
            "voting_members": quorum["voting_members"],
            "counted": counted,
            "represented": quorum["represented"],
            "required": quorum["required"],
            "reached": quorum["reached"],
        },
    }
    return motion, vote_event


def _votes(record: dict, aside: set[str], *, unanimous: bool) -> list[dict]:
    """Each voting member's vote as far as the record tells it: «absent» when they were neither present
    nor validly represented, «not voting» when they stood aside, and with a unanimous vote «yes» for the
    others (cast by their proxy for a represented member). A divided vote's choices are not recorded."""
    rules = record.get("rules", {})
    limit = rules.get("max_proxies", 1)
    voters = [a for a in record["attendance"] if a.get("role") != "invited"]
    present = {person_id(_who(a)["name_ar"]) for a in voters if a["status"] == "present"}
    held: dict[str, int] = {}
    votes = []
    for a in voters:
        pid = person_id(_who(a)["name_ar"])
        proxy = person_id(a["proxy_member"]["name_ar"]) if a.get("proxy_member") else None
        if a["status"] == "represented" and proxy in present and held.get(proxy, 0) < limit:
            held[proxy] = held.get(proxy, 0) + 1
        elif a["status"] != "present":
            votes.append({"voter_id": pid, "option": "absent"})
            continue
        else:
            proxy = None
        if pid in aside or proxy in aside:
            votes.append({"voter_id": pid, "option": "not voting", **({"proxy_id": proxy} if proxy else {})})
        elif unanimous:
            votes.append({"voter_id": pid, "option": "yes", **({"proxy_id": proxy} if proxy else {})})
    return votes


WRITTEN_OPTIONS = {"for": "yes", "against": "no", "abstain": "abstain"}


def _written_votes(record: dict) -> list[dict]:
    """A written consultation's votes: each voting member's answer, as recorded, or «absent»."""
    answered = {
        person_id(v["member"]["name_ar"]): WRITTEN_OPTIONS[v["choice"]] for v in record["written"]["votes"]
    }
    voters = [person_id(_who(a)["name_ar"]) for a in record["attendance"] if a.get("role") != "invited"]
    return [{"voter_id": pid, "option": answered.get(pid, "absent")} for pid in voters]
