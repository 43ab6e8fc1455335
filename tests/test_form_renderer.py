"""Issue 13: widgets render from Django's Jinja2 templates, and templates that exist only for Django's engine
(django-bootstrap5's radio and file widgets) still render, through it (greenfactory/form_renderer.py)."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import engines
from django.template.backends.jinja2 import Template as JinjaTemplate

from greenfactory.form_renderer import FastFormRenderer

DATA = {"district": "nanshan", "kinds": ["park"], "year": "2026", "note": "甲<乙>", "mode": "agency"}


class Sample(forms.Form):
    district = forms.ChoiceField(choices=[("", "全部"), ("futian", "福田区"), ("nanshan", "南山区<&>")])
    kinds = forms.MultipleChoiceField(choices=[("factory", "绿色工厂"), ("park", "绿色园区")], required=False)
    year = forms.IntegerField(min_value=2000, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)
    mode = forms.ChoiceField(choices=[("self", "自评价"), ("agency", "第三方评价")], widget=forms.RadioSelect)
    evidence = forms.FileField(required=False)


def squeeze(html):
    """The HTML with whitespace between tags dropped (Jinja2's templates differ there, invisibly)."""
    return re.sub(r">\s+<", "><", " ".join(str(html).split()))


def test_the_project_renders_widgets_with_the_fast_renderer():
    assert isinstance(get_default_renderer(), FastFormRenderer)
    assert isinstance(FastFormRenderer().get_template("django/forms/widgets/select.html"), JinjaTemplate)


def test_every_widget_renders_the_same_html_as_with_djangos_templates():
    fast = Sample(data=DATA, renderer=FastFormRenderer())
    slow = Sample(data=DATA, renderer=DjangoTemplates())

    for name in DATA | {"evidence": None}:
        assert squeeze(fast[name].as_widget(attrs={"class": "x"})) == squeeze(
            slow[name].as_widget(attrs={"class": "x"})
        )
    assert '<option value="nanshan" selected>南山区&lt;&amp;&gt;</option>' in str(fast["district"].as_widget())
    assert squeeze(fast.as_div()) == squeeze(slow.as_div())


@pytest.mark.django_db
def test_bootstrap_radio_and_file_widgets_render_through_djangos_engine():
    template = engines["django"].from_string("{% load django_bootstrap5 %}{% bootstrap_form form %}")

    html = template.render({"form": Sample(data={"mode": "self"})})

    assert 'type="radio"' in html and 'value="self"' in html and "checked" in html
    assert 'class="form-check-input"' in html  # django-bootstrap5's own radio template, not Django's
    assert 'type="file"' in html
