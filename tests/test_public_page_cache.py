"""Issue 13: whole public pages are kept for anonymous visitors (registry/page_cache.py): a kept page costs one
query, every change to the lists shows at once, and nothing personal is ever kept or served from the cache."""

import pytest
from django.urls import reverse

from applications.models import RemovalGround, State
from registry.services import remove_from_list
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/public/lists/", "/public/removals/", "/public/publicity/", "/public/lists/?page=1&year=2026"]


@pytest.mark.parametrize("url", PUBLIC)
def test_the_second_anonymous_request_is_the_kept_page_for_one_query(client, world, url, django_assert_max_num_queries):
    make_dossier(world.org_a, State.LISTED)
    first = client.get(url)
    assert first.status_code == 200
    assert not first.cookies  # no CSRF cookie, no session: the same page for every anonymous visitor
    with django_assert_max_num_queries(2):
        second = client.get(url)
    assert second["X-Public-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"]


def test_a_removal_shows_at_once_on_the_kept_pages(client, world, django_capture_on_commit_callbacks):
    listed = make_dossier(world.org_a, State.LISTED)
    name = world.org_a.name
    assert name in client.get("/public/lists/").content.decode()
    assert client.get("/public/lists/")["X-Public-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        remove_from_list(listed, ground=RemovalGround.FALSIFIED_DATA, reason="数据造假", by=world.municipal)
    after = client.get("/public/lists/")
    assert "X-Public-Page-Cache" not in after
    assert name not in after.content.decode()
    assert name in client.get("/public/removals/").content.decode()


def test_signed_in_visitors_never_get_or_leave_a_kept_page(client, world):
    make_dossier(world.org_a, State.LISTED)
    client.get("/public/lists/")  # kept for anonymous visitors
    client.force_login(world.officer_nanshan)
    page = client.get("/public/lists/")
    assert "X-Public-Page-Cache" not in page
    assert reverse("logout") in page.content.decode()
    client.logout()
    anonymous = client.get("/public/lists/")
    assert reverse("logout") not in anonymous.content.decode()


def test_each_language_has_its_own_copy_and_the_link_switches(client, world):
    chinese = client.get("/public/lists/")
    assert "绿色制造名单" in chinese.content.decode()
    switch = client.get(reverse("switch_language", args=["en"]), {"next": "/public/lists/"})
    assert switch.status_code == 302
    assert switch.url == "/public/lists/"
    english = client.get("/public/lists/")
    assert "X-Public-Page-Cache" not in english
    assert english.content != chinese.content
    assert english["Content-Language"] == "en"


def test_the_language_link_refuses_other_sites_and_unknown_languages(client):
    assert client.get(reverse("switch_language", args=["en"]), {"next": "https://evil.example/"}).url == "/"
    assert client.get(reverse("switch_language", args=["xx"])).status_code == 404


def test_a_visitor_with_a_message_waiting_is_not_served_a_kept_page(client, world):
    client.get("/public/lists/")
    client.cookies["messages"] = "anything"
    assert "X-Public-Page-Cache" not in client.get("/public/lists/")
