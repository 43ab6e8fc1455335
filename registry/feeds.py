"""The Atom feed of public notices: publicity notices (第十七条), list announcements, removal notices (第二十二条)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from registry.public_notices import recent_notices

FEED_LENGTH = 50


class NoticesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Green manufacturing notices of Shenzhen")
    subtitle = _("Publicity notices, list announcements and removal notices of the green manufacturing lists.")

    def link(self):
        return reverse("public_home")

    def feed_url(self):
        return reverse("open_data_notices_feed")

    def items(self):
        return recent_notices(FEED_LENGTH)

    def item_title(self, notice):
        prefix = f"{notice.document_number} " if notice.document_number else ""
        return f"{notice.kind_label}：{prefix}{notice.title}"

    def item_description(self, notice):
        return notice.summary or notice.title

    def item_link(self, notice):
        return notice.link if notice.kind == "publicity" else (notice.pdf or notice.link)

    def item_guid(self, notice):
        return f"urn:greenfactory:{notice.subject_type}:{notice.subject_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, notice):
        return notice.when

    def item_updateddate(self, notice):
        return notice.when

    def item_categories(self, notice):
        return [notice.kind]
