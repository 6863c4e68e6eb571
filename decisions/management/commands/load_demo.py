"""The reference case: Entraide Nationale's board, its June and December 2025 sessions.

What the press article in shared/seed/ tells is kept as it tells it: the chair, the members it names,
al-Fatiha for the victims of the Safi floods, the follow-up of the June decisions, the 2026 action plan
with its three strategic axes and its budget, approved. What it does not tell (the other seats, the
place and hours, the June resolutions) is illustrative and named as such in the seat titles.
Running the command twice leaves the same data.
"""

import datetime

import weasyprint
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from decisions import secretariat
from decisions.models import FollowUp, Resolution
from meetings.accounts.second_factor import GivenFactor
from meetings.convocation import answers, convening
from meetings.management.demo import refuse_outside_a_demo
from meetings.minutes import lifecycle
from meetings.models import (
    AgendaItem,
    Answer,
    Attendance,
    Board,
    Document,
    Gender,
    Member,
    Membership,
    Minutes,
    Session,
)
from meetings.seal import demo_pki

TERM_START = datetime.date(2024, 1, 1)
# «خطار المجاهدي، مدير التعاون الوطني», who presents most items, in French.
DIRECTOR_PRESENTING = "Khattar Moujahidi, directeur de l’Entraide Nationale"

# key: (name_ar, name_fr, title_ar, title_fr, role)
SEATS = {
    "president": (
        "نعيمة بن يحيى",
        "Naïma Ben Yahia",
        "وزيرة التضامن والإدماج الاجتماعي والأسرة",
        "Ministre de la Solidarité, de l’Insertion sociale et de la Famille",
        Membership.Role.PRESIDENT,
    ),
    "secretary_of_state": (
        "عبد الجبار الرشيدي",
        "Abdeljabbar Rachidi",
        "كاتب الدولة المكلف بالإدماج الاجتماعي",
        "Secrétaire d’État chargé de l’Insertion sociale",
        Membership.Role.MEMBER,
    ),
    "director": (
        "خطار المجاهدي",
        "Khattar Moujahidi",
        "مدير التعاون الوطني",
        "Directeur de l’Entraide Nationale",
        Membership.Role.RAPPORTEUR,
    ),
    "finance": (
        "ممثل وزارة الاقتصاد والمالية",
        "Représentant du ministère de l’Économie et des Finances",
        "عضو المجلس الإداري",
        "Membre du conseil d’administration",
        Membership.Role.MEMBER,
    ),
    "interior": (
        "ممثل وزارة الداخلية",
        "Représentant du ministère de l’Intérieur",
        "عضو المجلس الإداري",
        "Membre du conseil d’administration",
        Membership.Role.MEMBER,
    ),
    "health": (
        "ممثل وزارة الصحة والحماية الاجتماعية",
        "Représentant du ministère de la Santé et de la Protection sociale",
        "عضو المجلس الإداري",
        "Membre du conseil d’administration",
        Membership.Role.MEMBER,
    ),
    "education": (
        "ممثل وزارة التربية الوطنية والتعليم الأولي والرياضة",
        "Représentant du ministère de l’Éducation nationale, du Préscolaire et des Sports",
        "عضو المجلس الإداري",
        "Membre du conseil d’administration",
        Membership.Role.MEMBER,
    ),
    "employment": (
        "ممثل وزارة الإدماج الاقتصادي والمقاولة الصغرى والتشغيل والكفاءات",
        "Représentant du ministère de l’Inclusion économique, de la Petite entreprise, de l’Emploi et des Compétences",
        "عضو المجلس الإداري",
        "Membre du conseil d’administration",
        Membership.Role.MEMBER,
    ),
    "controller": (
        "المراقب المالي للدولة",
        "Contrôleur d’État",
        "مدعو بصفة استشارية",
        "Invité à titre consultatif",
        Membership.Role.INVITED,
    ),
}

# Where the messages go (files under var/mail/ in `make run`), and in which language. Illustrative
# addresses (the .example domain reaches no one); the health ministry's representative has none, so that
# the secretariat sees whom the convocation cannot reach.
CONTACTS = {
    "president": ("benyahia@entraide.example", "ar"),
    "secretary_of_state": ("rachidi@entraide.example", "ar"),
    "director": ("moujahidi@entraide.example", "ar"),
    "finance": ("finances@entraide.example", "fr"),
    "interior": ("interieur@entraide.example", "ar"),
    "health": ("", "ar"),
    "education": ("education@entraide.example", "fr"),
    "employment": ("emploi@entraide.example", "ar"),
    "controller": ("controle.etat@entraide.example", "fr"),
}
SECRETARIAT_EMAIL = "secretariat@entraide.example"

PRESENT, REPRESENTED, EXCUSED = (
    Attendance.Status.PRESENT,
    Attendance.Status.REPRESENTED,
    Attendance.Status.EXCUSED,
)

# Known for the people named; the ministries' representatives are whoever each sends.
GENDERS = {"president": Gender.FEMALE, "secretary_of_state": Gender.MALE, "director": Gender.MALE}

SECRETARIAT_USER = ("secretariat", "demo-secretariat-2025")
# Board members with an account: they read the drafts, comment, and the first two approve.
MEMBER_USERS = {
    "president": ("benyahia", "demo-president-2025"),
    "director": ("moujahidi", "demo-rapporteur-2025"),
    "secretary_of_state": ("rachidi", "demo-member-2025"),
}
LOGIN_LABELS = {"president": "president", "director": "rapporteur", "secretary_of_state": "board member"}


class Command(BaseCommand):
    help = "Loads the Entraide Nationale board and its two 2025 sessions (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        refuse_outside_a_demo("The demo (its board, sessions and accounts with known passwords)")
        board, _ = Board.objects.update_or_create(
            name_ar="المجلس الإداري لمؤسسة التعاون الوطني",
            defaults={
                "name_fr": "Conseil d’administration de l’Entraide Nationale",
                "institution_ar": "التعاون الوطني",
                "institution_fr": "Entraide Nationale",
                "is_home": True,
                "secretariat_email": SECRETARIAT_EMAIL,
            },
        )
        members = {
            key: self._seat(board, *seat, *CONTACTS[key], gender=GENDERS.get(key, ""))
            for key, seat in SEATS.items()
        }
        secretariat = self._secretariat_user()
        members_users = {key: self._member_user(members[key], *login) for key, login in MEMBER_USERS.items()}
        for key, (username, _password) in MEMBER_USERS.items():
            if username in demo_pki.PERSONS:  # the approvers' keys, at the demo's signing service
                self._signing_credential(members[key], demo_pki.credential_id(username))
        june = self._signed_session(board, 2025, 1) or self._june_session(board, members)
        december = self._signed_session(board, 2025, 2)
        if december is None:
            december = self._december_session(board, members)
            self._follow_ups(june, december)
        for session in (june, december):
            self._publish(session, secretariat, members_users)
        # The accounts' sign-in addresses (where a forgotten password's link goes), set as an administrator
        # sets them; after the approvals, whose temporary factors are the loader's business, not news.
        for key, user in members_users.items():
            if not user.email:
                user.email = CONTACTS[key][0]
                user.save(update_fields=["email"])
        upcoming = self._convened_session(board, members, secretariat)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded and published: {june} ; {december}"))
        self.stdout.write(
            f"Convened: {upcoming} (the messages: http://127.0.0.1:8000/admin/meetings/message/)"
        )
        logins = [
            ("secretariat", SECRETARIAT_USER),
            *((LOGIN_LABELS[key], login) for key, login in MEMBER_USERS.items()),
        ]
        for label, (username, password) in logins:
            self.stdout.write(f"  {label:20} user «{username}»  password «{password}»")
        self.stdout.write(
            "Secretariat: http://127.0.0.1:8000/admin/   Board members: http://127.0.0.1:8000/members/"
        )

    @staticmethod
    def _signed_session(board: Board, year: int, ordinal: int) -> Session | None:
        """A session whose minutes are signed is frozen: a second run leaves it as it is."""
        session = Session.objects.filter(board=board, year=year, ordinal=ordinal).first()
        return session if session is not None and session.is_frozen else None

    @staticmethod
    def _publish(session: Session, secretariat: User, members_users: dict[str, User]) -> None:
        """Through the real lifecycle: draft, review, both approvals, signature (pyHanko), publication."""
        minutes = session.current_minutes() or lifecycle.start_version(session, by=secretariat)
        if minutes.state == Minutes.State.DRAFT:
            lifecycle.submit_for_review(minutes, by=secretariat)
        if minutes.state == Minutes.State.IN_REVIEW:
            Command._approve_as(minutes, members_users["president"])
            minutes = Command._approve_as(minutes, members_users["director"])
        if minutes.state == Minutes.State.APPROVED:
            minutes = lifecycle.sign(minutes, by=secretariat)
        if minutes.state == Minutes.State.SIGNED:
            lifecycle.publish(minutes, by=secretariat)

    def _seat(
        self, board: Board, name_ar, name_fr, title_ar, title_fr, role, email, language, gender
    ) -> Member:
        member, _ = Member.objects.update_or_create(
            name_ar=name_ar,
            defaults={
                "gender": gender,
                "name_fr": name_fr,
                "title_ar": title_ar,
                "title_fr": title_fr,
                "email": email,
                "language": language,
            },
        )
        Membership.objects.update_or_create(
            board=board, member=member, start=TERM_START, defaults={"role": role, "end": None}
        )
        return member

    def _session(self, board, members, ordinal, date, **fields) -> Session:
        session, _ = Session.objects.update_or_create(
            board=board,
            year=date.year,
            ordinal=ordinal,
            defaults={"date": date, "chair": members["president"], "is_public": True, **fields},
        )
        return session

    def _attendance(self, session, members, statuses: dict) -> None:
        for key, status in statuses.items():
            proxy = None
            if isinstance(status, tuple):
                status, proxy = status[0], members[status[1]]
            Attendance.objects.update_or_create(
                session=session, member=members[key], defaults={"status": status, "proxy": proxy}
            )

    def _agenda(self, session, items) -> list[AgendaItem]:
        return [
            AgendaItem.objects.update_or_create(session=session, position=position, defaults=fields)[0]
            for position, fields in enumerate(items, start=1)
        ]

    def _resolution(self, session, sequence, **fields) -> Resolution:
        return Resolution.objects.update_or_create(session=session, sequence=sequence, defaults=fields)[0]

    def _june_session(self, board, members) -> Session:
        session = self._session(
            board,
            members,
            1,
            datetime.date(2025, 6, 20),
            start_time=datetime.time(10, 0),
            end_time=datetime.time(13, 0),
            place="مقر وزارة التضامن والإدماج الاجتماعي والأسرة، الرباط",
            place_fr="Siège du ministère de la Solidarité, de l’Insertion sociale et de la Famille, Rabat",
        )
        self._attendance(
            session,
            members,
            {
                "president": PRESENT,
                "secretary_of_state": PRESENT,
                "director": PRESENT,
                "finance": PRESENT,
                "interior": PRESENT,
                "health": EXCUSED,
                "education": PRESENT,
                "employment": PRESENT,
                "controller": PRESENT,
            },
        )
        items = self._agenda(
            session,
            [
                {
                    "title": "المصادقة على محضر الدورة السابقة",
                    "title_fr": "Approbation du procès-verbal de la session précédente",
                    "presenter": "مدير التعاون الوطني",
                },
                {
                    "title": "حصيلة منجزات المؤسسة برسم سنة 2024 وحساباتها",
                    "title_fr": "Bilan des réalisations de l’établissement en 2024 et ses comptes",
                    "presenter": "مدير التعاون الوطني",
                },
                {
                    "title": "برنامج تأهيل مؤسسات الرعاية الاجتماعية",
                    "title_fr": "Programme de mise à niveau des établissements de protection sociale",
                    "presenter": "مدير التعاون الوطني",
                },
            ],
        )
        common = {"unanimous": True, "outcome": Resolution.Outcome.ADOPTED}
        self._resolution(
            session,
            1,
            agenda_item=items[0],
            title="المصادقة على محضر الدورة السابقة",
            title_fr="Approbation du procès-verbal de la session précédente",
            text="صادق المجلس الإداري على محضر دورته السابقة دون تعديل.",
            text_fr="Le conseil d’administration approuve sans modification le procès-verbal de sa session précédente.",
            **common,
        )
        self._resolution(
            session,
            2,
            agenda_item=items[1],
            title="المصادقة على حصيلة سنة 2024",
            title_fr="Approbation du bilan de l’année 2024",
            text="صادق المجلس الإداري على حصيلة منجزات المؤسسة وحساباتها برسم سنة 2024.",
            text_fr="Le conseil d’administration approuve le bilan des réalisations et les comptes de l’établissement pour 2024.",
            **common,
        )
        self._resolution(
            session,
            3,
            agenda_item=items[2],
            title="تسريع تأهيل مؤسسات الرعاية الاجتماعية",
            title_fr="Accélérer la mise à niveau des établissements de protection sociale",
            text="يكلف المجلس الإدارة بتسريع برنامج تأهيل مؤسسات الرعاية الاجتماعية "
            "ورفع تقرير عن تقدمه في الدورة المقبلة.",
            responsible_unit="مديرية العمل الاجتماعي",
            responsible_unit_fr="Direction de l’action sociale",
            due_date=datetime.date(2026, 6, 30),
            **common,
        )
        self._resolution(
            session,
            4,
            agenda_item=items[2],
            title="رقمنة سجل المستفيدين",
            title_fr="Numérisation du registre des bénéficiaires",
            text="يكلف المجلس الإدارة بإعداد منظومة رقمية موحدة لتتبع المستفيدين من خدمات المؤسسة.",
            responsible_unit="قسم نظم المعلومات",
            responsible_unit_fr="Division des systèmes d’information",
            due_date=datetime.date(2025, 12, 31),
            **common,
        )
        return session

    def _december_session(self, board, members) -> Session:
        session = self._session(
            board,
            members,
            2,
            datetime.date(2025, 12, 18),
            start_time=datetime.time(15, 0),
            end_time=datetime.time(18, 0),
            place="مقر وزارة التضامن والإدماج الاجتماعي والأسرة، الرباط",
            place_fr="Siège du ministère de la Solidarité, de l’Insertion sociale et de la Famille, Rabat",
            opening="في بداية أشغال الدورة تمت تلاوة سورة الفاتحة ترحما على أرواح ضحايا فيضانات مدينة آسفي "
            "وتعبيرا عن التضامن الوطني مع الأسر المتضررة.",
            opening_fr="À l’ouverture des travaux de la session, la sourate Al-Fatiha a été récitée à la mémoire "
            "des victimes des inondations de la ville de Safi, en témoignage de la solidarité nationale avec "
            "les familles sinistrées.",
        )
        self._attendance(
            session,
            members,
            {
                "president": PRESENT,
                "secretary_of_state": PRESENT,
                "director": PRESENT,
                "finance": PRESENT,
                "interior": PRESENT,
                "health": (REPRESENTED, "finance"),
                "education": EXCUSED,
                "employment": PRESENT,
                "controller": PRESENT,
            },
        )
        items = self._agenda(
            session,
            [
                {
                    "title": "كلمة السيدة الوزيرة رئيسة المجلس الإداري",
                    "title_fr": "Allocution de Mme la Ministre, présidente du conseil d’administration",
                    "presenter": "نعيمة بن يحيى",
                    "presenter_fr": "Naïma Ben Yahia",
                    # The deliberations have no French version: the French page shows them in Arabic.
                    "deliberation": (
                        "تقدم مدير التعاون الوطني بالشكر والتقدير للسيدة الوزيرة على ما تبديه من اهتمام كبير "
                        "وما تقدمه من دعم متواصل لمختلف أوراش وبرامج المؤسسة، ورحب بكاتب الدولة المكلف بالإدماج "
                        "الاجتماعي وكافة أعضاء المجلس.\n"
                        "وأكدت السيدة الوزيرة أن مؤسسة التعاون الوطني تشكل ركيزة أساسية في تنزيل السياسات العمومية "
                        "ذات البعد الاجتماعي، لا سيما فيما يتعلق بتقديم المساعدة الاجتماعية للفئات في وضعية صعبة "
                        "وتعزيز خدمات القرب والارتقاء بجودة التكفل الاجتماعي، مبرزة أهمية هذه الدورة في تقييم "
                        "حصيلة المنجزات واستشراف أولويات المرحلة المقبلة.\n"
                        "وأكد كاتب الدولة المكلف بالإدماج الاجتماعي على أهمية تعزيز البرامج الموجهة لفائدة الأشخاص "
                        "المسنين ومواصلة تكثيف الجهود في مجال الإعاقة، ونوه بنجاعة التدخلات الميدانية للتعاون "
                        "الوطني أثناء التقلبات المناخية."
                    ),
                },
                {
                    "title": "تتبع تنفيذ قرارات المجلس الإداري المنعقد بتاريخ 20 يونيو 2025",
                    "title_fr": "Suivi de l’exécution des résolutions du conseil d’administration du 20 juin 2025",
                    "presenter": "خطار المجاهدي، مدير التعاون الوطني",
                    "presenter_fr": DIRECTOR_PRESENTING,
                    "summary": "عرض موجز لمدير التعاون الوطني حول تتبع تنفيذ قرارات الدورة الأولى لسنة 2025.",
                    "summary_fr": "Exposé succinct du directeur de l’Entraide Nationale sur le suivi de "
                    "l’exécution des résolutions de la première session de 2025.",
                },
                {
                    "title": "مشروع مخطط عمل المؤسسة برسم سنة 2026",
                    "title_fr": "Projet de plan d’action de l’établissement pour 2026",
                    "presenter": "خطار المجاهدي، مدير التعاون الوطني",
                    "presenter_fr": DIRECTOR_PRESENTING,
                    "summary": (
                        "يستند المخطط إلى التوجيهات الملكية السامية الرامية إلى معالجة الفوارق الاجتماعية والمجالية "
                        "واعتماد مقاربة جديدة قوامها التنمية الترابية المندمجة وترسيخ أسس الدولة الاجتماعية، "
                        "ويرتكز على ثلاثة محاور استراتيجية:\n"
                        "1. تطوير المساعدة الاجتماعية وتعزيز التماسك والإدماج الاجتماعي؛\n"
                        "2. تطوير منظومة اليقظة والهندسة الاجتماعية؛\n"
                        "3. تقوية قدرات المؤسسة."
                    ),
                    "summary_fr": (
                        "Le plan s’appuie sur les Hautes Orientations Royales visant à résorber les disparités "
                        "sociales et territoriales et à adopter une nouvelle approche fondée sur le développement "
                        "territorial intégré et la consolidation des fondements de l’État social. Il s’articule "
                        "autour de trois axes stratégiques\u202f:\n"
                        "1. développer l’assistance sociale et renforcer la cohésion et l’inclusion sociales\u202f;\n"
                        "2. développer le dispositif de veille et d’ingénierie sociale\u202f;\n"
                        "3. renforcer les capacités de l’établissement."
                    ),
                },
                {
                    "title": "مشروع ميزانية المؤسسة برسم سنة 2026",
                    "title_fr": "Projet de budget de l’établissement pour 2026",
                    "presenter": "خطار المجاهدي، مدير التعاون الوطني",
                    "presenter_fr": DIRECTOR_PRESENTING,
                    "deliberation": "بعد مناقشة مستفيضة، انتقل المجلس إلى التصويت على مخطط العمل والميزانية.",
                },
            ],
        )
        self._resolution(
            session,
            1,
            agenda_item=items[3],
            unanimous=True,
            outcome=Resolution.Outcome.ADOPTED,
            title="المصادقة على مخطط عمل وميزانية مؤسسة التعاون الوطني برسم سنة 2026",
            title_fr="Approbation du plan d’action et du budget de l’Entraide Nationale pour 2026",
            text="صادق المجلس الإداري بالإجماع على مخطط عمل مؤسسة التعاون الوطني وميزانيتها برسم سنة 2026.",
            text_fr="Le conseil d’administration approuve à l’unanimité le plan d’action et le budget "
            "de l’Entraide Nationale pour l’année 2026.",
            responsible_unit="مديرية الشؤون الإدارية والمالية",
            responsible_unit_fr="Direction des affaires administratives et financières",
            due_date=datetime.date(2026, 12, 31),
        )
        return session

    def _convened_session(self, board: Board, members: dict, secretariat: User) -> Session:
        """The board's next ordinary session, three weeks from the day the demo is loaded, with its agenda
        and its board pack, convened: each member's message waits in the queue for `make run`'s worker."""
        today = timezone.localdate()
        upcoming = board.sessions.filter(date__gte=today, cancelled_at__isnull=True).first()
        if upcoming is not None:
            return upcoming
        date = today + datetime.timedelta(days=21)
        last = board.sessions.filter(year=date.year).aggregate(last=Max("ordinal"))["last"] or 0
        session = self._session(
            board,
            members,
            last + 1,
            date,
            start_time=datetime.time(10, 0),
            end_time=datetime.time(13, 0),
            place="المقر المركزي للتعاون الوطني، الرباط",
            place_fr="Siège central de l’Entraide Nationale, Rabat",
        )
        items = self._agenda(
            session,
            [
                {
                    "title": "تتبع تنفيذ قرارات دورة 18 دجنبر 2025",
                    "title_fr": "Suivi de l’exécution des résolutions de la session du 18 décembre 2025",
                    "presenter": "خطار المجاهدي، مدير التعاون الوطني",
                    "presenter_fr": DIRECTOR_PRESENTING,
                    "recurring": True,
                },
                {
                    "title": "تقرير حول حصيلة تنفيذ مخطط عمل سنة 2026",
                    "title_fr": "Rapport sur le bilan d’exécution du plan d’action 2026",
                    "presenter": "خطار المجاهدي، مدير التعاون الوطني",
                    "presenter_fr": DIRECTOR_PRESENTING,
                },
                {"title": "قضايا مختلفة", "title_fr": "Questions diverses", "recurring": True},
            ],
        )
        note = weasyprint.HTML(
            string='<html lang="ar" dir="rtl"><body style="font-family: \'Noto Naskh Arabic\'">'
            "<h1>مذكرة تقديمية</h1><p>حصيلة تنفيذ مخطط عمل مؤسسة التعاون الوطني برسم سنة 2026.</p>"
            "</body></html>"
        ).write_pdf()
        Document.objects.create(
            session=session,
            agenda_item=items[1],
            title="مذكرة تقديمية حول حصيلة تنفيذ مخطط العمل",
            title_fr="Note de présentation du bilan d’exécution du plan d’action",
            file=ContentFile(note, name="note-presentation.pdf"),
        )
        convening.convene(session, by=secretariat)
        # Some members have answered already: the president attends, the interior ministry's representative
        # is excused, the employment ministry's gives its proxy to the secretary of state.
        answers.answer(session, members["president"], choice=Answer.Choice.ATTEND)
        answers.answer(session, members["interior"], choice=Answer.Choice.EXCUSED)
        answers.answer(
            session, members["employment"], choice=Answer.Choice.PROXY, proxy=members["secretary_of_state"]
        )
        return session

    def _follow_ups(self, june: Session, december: Session) -> None:
        statuses = {
            1: (FollowUp.Status.DONE, "تم.", "Fait."),
            2: (
                FollowUp.Status.DONE,
                "تم إيداع الحسابات لدى المصالح المختصة.",
                "Les comptes ont été déposés auprès des services compétents.",
            ),
            3: (
                FollowUp.Status.IN_PROGRESS,
                "انطلقت أشغال التأهيل في عدد من المؤسسات.",
                "Les travaux de mise à niveau ont commencé dans plusieurs établissements.",
            ),
            # No French version: the French page shows the Arabic original, marked so.
            4: (FollowUp.Status.IN_PROGRESS, "دفتر التحملات في طور الإعداد.", ""),
        }
        for resolution in june.resolutions.all():
            status, note, note_fr = statuses[resolution.sequence]
            FollowUp.objects.update_or_create(
                resolution=resolution,
                session=december,
                defaults={"status": status, "note": note, "note_fr": note_fr},
            )

    @staticmethod
    def _signing_credential(member: Member, credential: str) -> None:
        if member.signing_credential != credential:
            member.signing_credential = credential
            member.save(update_fields=["signing_credential"])

    @staticmethod
    def _approve_as(minutes: Minutes, user: User) -> Minutes:
        """An approval as the person gives it: a code of an authenticator app (here one the loader holds for
        the moment and removes after, so that the person enrols their own at their first sign-in), and
        their own signature, made by the demo's signing service with their demo PIN."""
        app = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
        code = f"{TOTP(app.bin_key, step=app.step, t0=app.t0, digits=app.digits).token():0{app.digits}d}"
        if not app.verify_token(code):
            raise RuntimeError("The demo's authenticator app gave a code its device refuses.")
        pin = demo_pki.PERSONS[user.username].pin
        minutes = lifecycle.approve(minutes, by=user, factor=GivenFactor(app, timezone.now()), pin=pin)
        app.delete()
        return minutes

    def _secretariat_user(self) -> User:
        username, password = SECRETARIAT_USER
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=secretariat.GROUP))
        return user

    @staticmethod
    def _member_user(member: Member, username: str, password: str) -> User:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save()
        if member.user_id != user.pk:
            member.user = user
            member.save(update_fields=["user"])
        return user
