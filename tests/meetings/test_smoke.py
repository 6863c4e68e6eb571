import pytest

from tests import factory


@pytest.mark.django_db
def test_the_public_session_page_answers(client):
    board = factory.board()
    session = factory.session(board)
    response = client.get(session.get_absolute_url())
    assert response.status_code == 200
    assert "الدورة الثانية برسم سنة 2025" in response.content.decode()
