"""第二十一条, 第二十二条: the removal notice publishes the ground and the facts and reasons recorded.

The removal form promises "Facts and reasons (published in the notice)"; the PDF and the public removal
notices page print Removal.reason with the ground. The ground has no preselected default: the city names it.
"""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from applications.models import RemovalGround, State
from registry.models import Removal
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db

FACTS = "2026年10月20日发生一起造成3人死亡的重大生产安全事故"


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def pdf_text(content):
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


def test_the_ground_select_starts_empty_and_a_removal_without_a_ground_is_refused(client, world):
    listed = make_dossier(world.org_a, State.LISTED)
    client.force_login(world.municipal)

    form = client.get(reverse("remove_from_list", args=[listed.pk])).context["form"]
    first_value, first_label = form.fields["ground"].choices[0]
    assert (form["ground"].value(), form.fields["ground"].required) == (None, True)
    assert (first_value, str(first_label)) == ("", zh("Choose a ground"))

    response = client.post(reverse("remove_from_list", args=[listed.pk]), {"ground": "", "reason": FACTS})

    assert response.context["form"].errors["ground"] == [zh("Choose the ground of the removal (Art. 21, 22 or 25).")]
    listed.refresh_from_db()
    assert (listed.state, Removal.objects.count()) == (State.LISTED, 0)


def test_the_notice_pdf_and_the_public_page_print_the_facts_and_the_ground(client, world):
    listed = make_dossier(world.org_a, State.LISTED)
    client.force_login(world.municipal)
    client.post(
        reverse("remove_from_list", args=[listed.pk]), {"ground": RemovalGround.MAJOR_ACCIDENT, "reason": FACTS}
    )
    removal = Removal.objects.get()
    client.post(reverse("document_issue", args=["removal", removal.pk]))  # the public reads only issued notices
    client.logout()

    text = pdf_text(client.get(reverse("removal_pdf", args=[removal.pk])).content)
    page = client.get(reverse("public_removals"))

    assert "深圳市甲绿色制造有限公司南山区绿色工厂发生重大及以上生产安全或质量事故（第二十二条）" in text
    assert f"事实与理由：{FACTS}" in text
    assert [(r.get_ground_display(), r.reason) for r in page.context["removals"]] == [
        ("发生重大及以上生产安全或质量事故（第二十二条）", FACTS)
    ]
    assert FACTS in page.content.decode()
