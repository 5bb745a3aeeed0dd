"""The question library on a phone: whatever HR types, the page stays as wide as the screen."""

import pytest

from conversations.models import Area, GuideQuestion

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_question_without_spaces_wraps_instead_of_widening_the_page(ui, hr):
    question = GuideQuestion.objects.create(area=Area.ABILITIES, text="Why" * 99 + "?", position=1)
    ui.sign_in("hana")

    ui.goto("/conversations/questions/")

    assert ui.page.locator(f"#question-{question.pk} p").is_visible()
    assert ui.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
