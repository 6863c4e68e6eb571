"""The board's name after «ل» (of, for) is one word with it, «ل» + «ال» written «لل», wherever the
product writes it: the minutes' title and the convocation (was «لـالمجلس» in every Arabic convocation)."""

import datetime

import pytest
from django.utils import timezone

from meetings.convocation import convening
from meetings.models import Message
from meetings.text.grammar import after_li
from tests import factory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, written",
    [
        ("المجلس الإداري لمؤسسة التعاون الوطني", "للمجلس الإداري لمؤسسة التعاون الوطني"),
        ("مجلس الإدارة", "لمجلس الإدارة"),
    ],
)
def test_li_before_a_name(name, written):
    assert after_li(name) == written


def test_the_convocation_convenes_to_the_session_of_the_board_in_one_word_each_language():
    board = factory.board(name_ar="المجلس الإداري لمؤسسة التعاون الوطني", name_fr="Conseil d'administration")
    factory.seat(board, email="ar@entraide.ma", language="ar")
    factory.seat(board, email="fr@entraide.ma", language="fr")
    session = factory.session(board, date=timezone.localdate() + datetime.timedelta(days=20))

    convening.convene(session, by=factory.secretariat_user(), reason="")

    arabic = Message.objects.get(kind=Message.Kind.CONVOCATION, address="ar@entraide.ma").text
    french = Message.objects.get(kind=Message.Kind.CONVOCATION, address="fr@entraide.ma").text
    assert "لحضور الدورة التالية للمجلس الإداري لمؤسسة التعاون الوطني." in arabic
    assert "لـ" not in arabic
    assert "à la session suivante du Conseil d'administration." in french
