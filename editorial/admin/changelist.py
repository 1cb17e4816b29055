"""The article list's speed-ups: row links, checkboxes and search without the per-row cost.

Each of these does what Django's own does, and gives the same page (tests/test_admin.py compares
them); they exist because the list shows 100 rows of 10,000 articles (BENCHMARKS.md).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext

from encyclopedia.models import AlternativeName, Article


class ArticleChangeList(ChangeList):
    """Django's change list, with each row's links made from one reverse() per page.

    The list links two columns of each of its 100 rows to the article; Django makes each link with
    a reverse() and, when filters or a search are to be kept, a resolve() of that link too.
    """

    _PK = "__pk__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sample = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(self._PK,),
            current_app=self.model_admin.admin_site.name,
        )
        sample = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, sample
        )
        path, mark, query = sample.partition("?")
        self._url_around_pk = path.split(self._PK, 1)
        self._url_query = mark + query
        # Already in every row's link: items_for_result() must not resolve and add them again.
        self.preserved_filters = ""

    def url_for_result(self, result) -> str:
        return str(quote(getattr(result, self.pk_attname))).join(self._url_around_pk) + self._url_query


class FastArticleList:
    """Mixed into the article admin: its change list, its checkboxes and its search."""

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj: Article) -> str:
        """Django's checkbox, without rendering a widget template for each row."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def get_search_results(self, request, queryset, search_term):
        """Each word of the search in the article id, the title or an alternative name.

        Django's own search joins the alternative names, so the list, and both its counts, need a
        DISTINCT over every column; a subquery of the matching names needs none.
        """
        if not search_term:
            return queryset, False
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            named = AlternativeName.objects.filter(name__icontains=bit).values("article_id")
            queryset = queryset.filter(
                Q(public_id__icontains=bit) | Q(title__icontains=bit) | Q(pk__in=named)
            )
        return queryset, False
