"""The public pages' Jinja2 environment: escaping that settings cannot turn off, Django's habits kept."""

from __future__ import annotations

import datetime

from django.template import engines
from django.utils import timezone

from encyclopedia.templating import environment


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_values_are_escaped_even_if_settings_turn_escaping_off():
    env = environment(autoescape=False, loader=None)
    assert (
        env.from_string("{{ value }}").render(value="<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    )
    assert render("{{ value }}", value='"><img src=x>') == "&#34;&gt;&lt;img src=x&gt;"


def test_a_missing_variable_renders_as_nothing_as_in_django_templates():
    assert render("[{{ nothing }}][{{ nothing.deeper }}]") == "[][]"


def test_dates_are_shown_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    late_evening = datetime.datetime(
        2026, 3, 1, 2, 30, tzinfo=datetime.UTC
    )  # 9:30 pm the day before in New York
    assert render("{{ moment|date('Y-m-d') }}", moment=late_evening) == "2026-02-28"
    assert render("{{ day|date('F j, Y') }}", day=datetime.date(2026, 3, 1)) == "March 1, 2026"
    assert render("{{ day|us_date }}", day=datetime.date(2026, 3, 1)) == "3/1/2026"
    assert timezone.get_current_timezone_name() == "America/New_York"
