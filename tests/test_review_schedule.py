"""Review dates, due dates, the dashboard, reminders, notices and site data, at frozen times."""

from __future__ import annotations

import csv
import datetime
import io
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from editorial import dashboard
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.submit import submit
from editorial.errors import EditorialError, NotAllowed
from editorial.models import ReminderLog, ReviewRecord
from encyclopedia import reviews
from encyclopedia.models import AccreditationNotice, Article, PolicyPage, Reviewer, SiteSettings
from tests.conftest import page_text
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def at(day: datetime.date, hour: int = 12):
    """Freeze time at noon, editorial office time (America/New_York is UTC-5 in winter)."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour + 5, tzinfo=datetime.UTC))


@pytest.fixture
def reviewer_user():
    user = make_user("reviewer", "Medical reviewers")
    Reviewer.objects.create(
        name="Rae Viewer",
        credentials="MD",
        institution="Example University",
        specialty="Neurology",
        user=user,
    )
    return type(user).objects.get(pk=user.pk)


def due_on(make_article, publish_article, title: str, due: datetime.date, **fields) -> Article:
    """A live article whose next review falls on ``due`` (36-month interval)."""
    review_date = datetime.date(due.year - 3, due.month, due.day)
    return publish_article(make_article(title, review_date=review_date, **fields))


# ---------------------------------------------------------------- due dates


def test_next_review_due_is_the_review_date_plus_the_interval(make_article, settings):
    article = make_article("Leap", review_date=datetime.date(2024, 2, 29))
    assert article.next_review_due == datetime.date(2027, 2, 28)
    article.review_interval_months = 12
    article.save()
    assert Article.objects.get(pk=article.pk).next_review_due == datetime.date(2025, 2, 28)
    settings.REVIEW_INTERVAL_MONTHS = {"default": 36, "test": 24}
    test = make_article("A test", article_type="test", review_date=datetime.date(2025, 1, 10))
    assert test.next_review_due == datetime.date(2027, 1, 10)
    assert make_article("Never reviewed", review_date=None).next_review_due is None


@pytest.mark.parametrize(
    ("days", "status"),
    [
        (-1, "overdue"),
        (0, "due_30"),
        (30, "due_30"),
        (31, "due_60"),
        (60, "due_60"),
        (61, "due_90"),
        (90, "due_90"),
        (91, "current"),
    ],
)
def test_due_windows_at_their_boundaries(days, status):
    assert reviews.due_status(TODAY + datetime.timedelta(days=days), TODAY) == status


@pytest.mark.parametrize(
    ("days", "window"),
    [
        (-1, "overdue"),
        (0, "due_30"),
        (30, "due_30"),
        (31, "due_60"),
        (61, "due_90"),
        (90, "due_90"),
        (91, "current"),
    ],
)
def test_the_admin_filter_puts_each_article_in_its_window(
    client, make_article, publish_article, days, window
):
    article = due_on(make_article, publish_article, "Boundary", TODAY + datetime.timedelta(days=days))
    client.force_login(make_user("boss", superuser=True))
    with at(TODAY):
        for name in ("overdue", "due_30", "due_60", "due_90", "current"):
            html = client.get("/admin/encyclopedia/article/", {"review": name}).content.decode()
            assert (f">{article.public_id}<" in html) == (name == window), name


# ---------------------------------------------------------------- confirm still accurate


def test_confirm_still_accurate_moves_the_date_without_a_content_change(
    client, make_article, publish_article, reviewer_user
):
    old_reviewer = Reviewer.objects.create(name="Old Reviewer", credentials="MD")
    article = due_on(
        make_article, publish_article, "Confirmed", TODAY - datetime.timedelta(days=10), reviewer=old_reviewer
    )
    before = article.live_publication
    # A draft in progress is not what the reviewer confirms, and it is left alone.
    section = article.sections.first()
    section.body = "Unreviewed draft words."
    section.save()
    with at(TODAY):
        confirm_still_accurate(article, reviewer_user, notes="Checked against current guidance")
    article = Article.objects.get(pk=article.pk)
    after = article.live_publication
    assert after.pk != before.pk
    assert (after.sections, after.title, after.references) == (
        before.sections,
        before.title,
        before.references,
    )
    assert after.review_date == TODAY == article.review_date
    assert after.updated_by == "Rae Viewer, MD, Example University"
    assert article.next_review_due == datetime.date(2029, 11, 24)
    record = ReviewRecord.objects.get()
    assert (record.outcome, record.notes, record.publication) == (
        "no_changes_needed",
        "Checked against current guidance",
        after,
    )
    assert article.sections.first().body == "Unreviewed draft words."
    text = page_text(client.get(f"/ency/article/{article.public_id}.htm").content.decode())
    assert "Review Date 11/24/2026" in text
    assert "Unreviewed draft words." not in text


def test_only_reviewers_confirm_and_only_live_articles(make_article, publish_article, reviewer_user):
    live = publish_article(make_article("Live"))
    with pytest.raises(NotAllowed):
        confirm_still_accurate(live, make_user("ed", "Editors"))
    with pytest.raises(EditorialError, match="needs a live article"):
        confirm_still_accurate(make_article("Draft only"), reviewer_user)


def test_a_new_affiliation_appears_on_the_next_review_only(
    client, make_article, publish_article, reviewer_user
):
    profile = reviewer_user.reviewer_profile
    article = publish_article(make_article("Credited", reviewer=profile))
    url = f"/ency/article/{article.public_id}.htm"
    profile.institution = "New Hospital"
    profile.save()
    assert "Example University" in client.get(url).content.decode()
    confirm_still_accurate(article, reviewer_user)
    html = client.get(url).content.decode()
    assert "Rae Viewer, MD, New Hospital" in html and "Example University" not in html


# ---------------------------------------------------------------- dashboard


def test_the_dashboard_shows_what_needs_attention(client, make_article, publish_article, reviewer_user):
    mine = {"reviewer": reviewer_user.reviewer_profile}
    overdue = due_on(make_article, publish_article, "Overdue one", TODAY - datetime.timedelta(days=1), **mine)
    soon = due_on(make_article, publish_article, "Due soon one", TODAY + datetime.timedelta(days=20), **mine)
    due_on(make_article, publish_article, "Due in two months", TODAY + datetime.timedelta(days=45), **mine)
    waiting = make_article("Waiting for me")
    submit(waiting, make_user("ed", "Editors"), reviewer=reviewer_user)
    client.force_login(reviewer_user)
    with at(TODAY):
        html = client.get("/admin/").content.decode()
    assert "Your dashboard" in html
    with at(TODAY):
        panels = {p.key: p for p in dashboard.panels(reviewer_user, TODAY)}
    assert [a.pk for a in panels["my_overdue"].first] == [overdue.pk]
    assert [a.pk for a in panels["my_due_soon"].first] == [soon.pk]
    assert [a.pk for a in panels["awaiting_me"].first] == [waiting.pk]
    for title in ("Overdue one", "Due soon one", "Waiting for me"):
        assert title in html
    assert "Due in two months" not in html, "a reviewer's panels are the overdue and the due soon"


def test_the_dashboard_warns_before_a_notice_expires_and_when_none_is_valid():
    assert dashboard.notice_warnings(TODAY) == [
        "No accreditation notice is valid today: public pages show none."
    ]
    AccreditationNotice.objects.create(
        body="Example Council",
        program="Health Content Provider",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=TODAY + datetime.timedelta(days=90),
        statement="x",
    )
    assert dashboard.notice_warnings(TODAY - datetime.timedelta(days=1)) == []
    assert dashboard.notice_warnings(TODAY) == [
        "The Example Council notice (Health Content Provider) expires on 2/22/2027, in 90 days, and no renewal is entered."
    ]
    AccreditationNotice.objects.create(
        body="Example Council",
        program="Health Content Provider",
        valid_from=TODAY + datetime.timedelta(days=91),
        valid_until=TODAY + datetime.timedelta(days=900),
        statement="x",
    )
    assert dashboard.notice_warnings(TODAY) == []


def test_review_schedule_csv_and_bulk_reassignment(client, make_article, publish_article, reviewer_user):
    first = due_on(make_article, publish_article, "=HYPERLINK(x)", TODAY - datetime.timedelta(days=3))
    second = due_on(make_article, publish_article, "Second", TODAY + datetime.timedelta(days=400))
    client.force_login(make_user("boss", superuser=True))
    with at(TODAY):
        response = client.post(
            "/admin/encyclopedia/article/",
            {"action": "export_review_schedule", "_selected_action": [first.pk, second.pk]},
        )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:7] == [
        "Article id",
        "Title",
        "Type",
        "Status",
        "Review date",
        "Next review due",
        "Review status",
    ]
    assert rows[1][1] == "'=HYPERLINK(x)", "a title is never a spreadsheet formula"
    assert (rows[1][6], rows[2][6]) == ("overdue", "current")

    profile = reviewer_user.reviewer_profile
    client.post(
        "/admin/encyclopedia/article/",
        {
            "action": "reassign_reviewer",
            "_selected_action": [first.pk, second.pk],
            "apply": "1",
            "reviewer": profile.pk,
            "specialty": "Neurology",
        },
    )
    assert set(Article.objects.values_list("reviewer", "specialty")) == {(profile.pk, "Neurology")}


# ---------------------------------------------------------------- reminders


def test_one_digest_per_reviewer_once_a_day(make_article, publish_article, reviewer_user, mailoutbox):
    profile = reviewer_user.reviewer_profile
    due_on(
        make_article, publish_article, "Late article", TODAY - datetime.timedelta(days=5), reviewer=profile
    )
    due_on(
        make_article, publish_article, "Soon article", TODAY + datetime.timedelta(days=10), reviewer=profile
    )
    due_on(make_article, publish_article, "Not yet", TODAY + datetime.timedelta(days=200), reviewer=profile)
    with at(TODAY):
        dry = StringIO()
        call_command("send_review_reminders", "--dry-run", stdout=dry)
        assert mailoutbox == [] and not ReminderLog.objects.exists()
        assert "To: reviewer@example.org" in dry.getvalue()
        assert "Dry run: 1 digest would be sent" in dry.getvalue()

        call_command("send_review_reminders", stdout=StringIO())
        call_command("send_review_reminders", stdout=StringIO())
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Medical reviews due: 1 overdue, 1 due within 30 days"
    assert (
        body.index("Overdue:")
        < body.index("Late article")
        < body.index("Due within 30 days:")
        < body.index("Soon article")
    )
    assert "Not yet" not in body
    with at(TODAY + datetime.timedelta(days=1)):
        call_command("send_review_reminders", stdout=StringIO())
    assert len(mailoutbox) == 2


def test_articles_in_a_specialty_queue_reach_its_reviewers(
    make_article, publish_article, reviewer_user, mailoutbox
):
    due_on(
        make_article,
        publish_article,
        "Queued article",
        TODAY - datetime.timedelta(days=1),
        specialty="Neurology",
    )
    due_on(
        make_article,
        publish_article,
        "Other queue",
        TODAY - datetime.timedelta(days=1),
        specialty="Cardiology",
    )
    with at(TODAY):
        call_command("send_review_reminders", stdout=StringIO())
    assert len(mailoutbox) == 1
    assert "Queued article" in mailoutbox[0].body and "Other queue" not in mailoutbox[0].body


def test_a_spanish_edition_in_a_specialty_queue_reaches_only_its_spanish_reviewers(
    make_article, publish_article, reviewer_user, mailoutbox
):
    due = TODAY - datetime.timedelta(days=1)
    english = due_on(make_article, publish_article, "Queued article", due, specialty="Neurology")
    due_on(
        make_article,
        publish_article,
        "Artículo en cola",
        due,
        specialty="Neurology",
        language="es",
        translation_of=english,
        public_id=english.public_id,
    )
    Reviewer.objects.create(
        name="Lucía Revisora",
        credentials="MD",
        specialty="Neurology",
        languages="en,es",
        user=make_user("lucia", "Medical reviewers"),
    )
    with at(TODAY):
        call_command("send_review_reminders", stdout=StringIO())
    bodies = {message.to[0].split("@")[0]: message.body for message in mailoutbox}
    assert "Queued article" in bodies["reviewer"] and "Artículo en cola" not in bodies["reviewer"]
    assert "Queued article" in bodies["lucia"] and "Artículo en cola" in bodies["lucia"]


# ---------------------------------------------------------------- notices and site data


def test_an_expired_notice_leaves_the_page_at_midnight_even_when_cached(
    client, make_article, publish_article
):
    AccreditationNotice.objects.create(
        body="Example Council",
        program="Health Content Provider",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=TODAY,
        statement="x",
    )
    url = f"/ency/article/{publish_article(make_article('Noticed')).public_id}.htm"
    with at(TODAY, hour=18):
        assert "Health Content Provider" in client.get(url).content.decode()
    with time_machine.travel(
        datetime.datetime(2026, 11, 24, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    ):
        assert "Health Content Provider" in client.get(url).content.decode()
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 0, 0, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    ):
        assert "Health Content Provider" not in client.get(url).content.decode()


def test_site_data_edits_show_at_once_and_copyright_rolls_over(client, make_article, publish_article):
    url = f"/ency/article/{publish_article(make_article('Footer')).public_id}.htm"
    client.get(url)  # warm the cache
    site = SiteSettings.load()
    site.disclaimer = "A brand new disclaimer."
    site.copyright_start_year = 2019
    site.save()
    PolicyPage.objects.create(slug="about", title="About us", body="We write samples.")
    with time_machine.travel(
        datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    ):
        text = page_text(client.get(url).content.decode())
    assert "A brand new disclaimer." in text and "© 2019-2026" in text
    assert "About us" in text
    with time_machine.travel(
        datetime.datetime(2027, 1, 1, 0, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    ):
        assert "© 2019-2027" in page_text(client.get(url).content.decode())


def test_policy_pages_are_linked_from_every_public_page(client, make_article, publish_article):
    PolicyPage.objects.create(slug="editorial-policy", title="Editorial policy", body="x")
    article = publish_article(make_article("Any page"))
    for url in (
        "/ency/",
        f"/ency/article/{article.public_id}.htm",
        "/ency/article/999999.htm",
        "/about/editorial-policy/",
    ):
        assert (
            '<a href="/about/editorial-policy/">Editorial policy</a>' in client.get(url).content.decode()
        ), url


# ---------------------------------------------------------------- credits at review time, not go-live time


def test_a_scheduled_approval_freezes_the_credits_when_approved(
    client, make_article, publish_article, reviewer_user
):
    from editorial.actions.approve import approve
    from editorial.actions.publish_scheduled import publish_due
    from editorial.actions.reassign import reassign_reviewer
    from encyclopedia.models import EditorialCredit

    EditorialCredit.objects.create(name="Pat Director", role="Editorial Director", standing=True)
    article = publish_article(make_article("Scheduled credit"))
    edit(article, make_user("ed", "Editors"), "New wording.")
    submit(article, make_user("ed2", "Editors"))
    go_live = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)
    with at(TODAY):
        approve(article, reviewer_user, go_live_at=go_live)
    profile = reviewer_user.reviewer_profile
    profile.institution = "Moved Elsewhere"
    profile.save()
    EditorialCredit.objects.filter(name="Pat Director").update(role="Chief Executive")
    director = make_user("dir", "Editorial directors")
    count, skipped = reassign_reviewer(
        [article], director, reviewer=Reviewer.objects.create(name="Someone Else")
    )
    assert (count, [a.pk for a in skipped]) == (0, [article.pk]), "no reassignment while approved"
    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        publish_due()
    text = page_text(client.get(f"/ency/article/{article.public_id}.htm").content.decode())
    assert "New wording." in text
    assert "Updated by: Rae Viewer, MD, Example University." in text
    assert "Pat Director, Editorial Director" in text
    assert "Moved Elsewhere" not in text and "Someone Else" not in text


def test_restore_never_brings_a_scheduled_update_live_early(
    client, make_article, publish_article, reviewer_user
):
    from editorial.actions.approve import approve
    from editorial.actions.restore import restore
    from editorial.actions.withdraw import withdraw

    article = publish_article(make_article("Early"))
    edit(article, make_user("ed", "Editors"), "Not before its time.")
    submit(article, make_user("ed2", "Editors"))
    with at(TODAY):
        approve(article, reviewer_user, go_live_at=datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC))
        director = make_user("dir", "Editorial directors")
        withdraw(article, director, reason="Pause")
        restore(article, director)
        assert (
            "Not before its time."
            not in client.get(f"/ency/article/{article.public_id}.htm").content.decode()
        )


def test_confirm_credits_the_confirming_reviewer_and_keeps_the_live_credits(
    make_article, publish_article, reviewer_user
):
    """Confirm vouches for the live page: the reviewer's credit is new, the rest is what was live."""
    from encyclopedia.models import EditorialCredit

    credit = EditorialCredit.objects.create(name="Pat Director", role="Editorial Director", standing=True)
    article = publish_article(make_article("Credits"))
    credit.role = "Medical Director"
    credit.save()
    confirm_still_accurate(article, reviewer_user)
    live = Article.objects.get(pk=article.pk).live_publication
    assert live.also_reviewed_by == "Pat Director, Editorial Director"
    assert live.updated_by == reviewer_user.reviewer_profile.credit()


def test_only_directors_reassign_and_set_intervals(client, make_article, publish_article):
    from editorial.actions.reassign import reassign_reviewer

    article = publish_article(make_article("Schedule"))
    editor = make_user("ed", "Editors")
    with pytest.raises(NotAllowed):
        reassign_reviewer([article], editor, reviewer=None, specialty="Neurology")
    client.force_login(editor)
    page = client.get(f"/admin/encyclopedia/article/{article.pk}/change/").content.decode()
    assert 'name="review_interval_months"' not in page
    assert "reassign_reviewer" not in client.get("/admin/encyclopedia/article/").content.decode()
    director = make_user("dir", "Editorial directors")
    article.reviewer = Reviewer.objects.create(name="Somebody")
    article.save()
    assert (
        reassign_reviewer([article], director, reviewer=None, specialty="Neurology", clear_reviewer=True)[0]
        == 1
    )
    article.refresh_from_db()
    assert (article.reviewer, article.specialty) == (None, "Neurology")


def test_reminders_skip_inactive_logins_and_say_who_cannot_be_reached(
    make_article, publish_article, reviewer_user, mailoutbox
):
    unlinked = Reviewer.objects.create(name="No Login")
    due_on(
        make_article, publish_article, "Unreachable", TODAY - datetime.timedelta(days=2), reviewer=unlinked
    )
    due_on(
        make_article,
        publish_article,
        "Inactive's",
        TODAY - datetime.timedelta(days=2),
        reviewer=reviewer_user.reviewer_profile,
    )
    reviewer_user.is_active = False
    reviewer_user.save()
    out = StringIO()
    with at(TODAY):
        call_command("send_review_reminders", stdout=out)
    assert mailoutbox == []
    assert "Due, but no reviewer with a login and an email to remind:" in out.getvalue()
    assert "“Unreachable”" in out.getvalue() and "“Inactive's”" in out.getvalue()


def test_a_dry_run_after_todays_send_says_so(make_article, publish_article, reviewer_user):
    due_on(
        make_article,
        publish_article,
        "Late",
        TODAY - datetime.timedelta(days=2),
        reviewer=reviewer_user.reviewer_profile,
    )
    with at(TODAY):
        call_command("send_review_reminders", stdout=StringIO())
        out = StringIO()
        call_command("send_review_reminders", "--dry-run", stdout=out)
    assert "(already sent today: a real run skips it)" in out.getvalue()
    assert "Dry run: 0 digests would be sent" in out.getvalue()


def test_imported_pages_have_their_review_in_the_history(imported_seed):
    record = ReviewRecord.objects.get(article=imported_seed)
    assert (record.reviewed_on, record.outcome, record.reviewer.name) == (
        datetime.date(2024, 3, 31),
        "imported",
        "Joseph V. Campellone",
    )
    assert record.credit.startswith("Joseph V. Campellone, MD")
    assert record.publication == imported_seed.live_publication


def test_the_overdue_filter_counts_only_live_articles(client, make_article, publish_article):
    from editorial.actions.withdraw import withdraw

    live = due_on(make_article, publish_article, "Live overdue", TODAY - datetime.timedelta(days=3))
    gone = due_on(make_article, publish_article, "Withdrawn overdue", TODAY - datetime.timedelta(days=3))
    withdraw(gone, make_user("dir", "Editorial directors"), reason="x")
    client.force_login(make_user("boss", superuser=True))
    with at(TODAY):
        html = client.get("/admin/encyclopedia/article/?review=overdue").content.decode()
    assert f">{live.public_id}<" in html and f">{gone.public_id}<" not in html
