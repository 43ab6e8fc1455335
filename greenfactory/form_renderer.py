"""How form widgets are rendered: Django's own widget templates in their Jinja2 version, and any template that
exists only as a Django template (django-bootstrap5's radio, checkbox and file widgets) through Django's engine.

Issue 13: a widget rendered through Django's template engine costs a template per option and per attribute list;
the three selects of the workspace's filter took 6 ms of a 34 ms page at 100,000 dossiers, and a page with a form
per row (rechecks) paid it on every row. The Jinja2 versions render the same HTML in a fraction of that
(tests/test_form_renderer.py compares them).
"""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FastFormRenderer(Jinja2):
    @cached_property
    def django_templates(self):
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)
