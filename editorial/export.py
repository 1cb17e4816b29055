"""All content as one JSON document, and that document loaded into an empty database.

pg_dump is the backup of record. This export is for what pg_dump cannot do: move the content
between SQLite and PostgreSQL or to a new server, or keep a readable archive. It holds every
content row with its primary key, because django-reversion's versions name rows by key, so
history and the links between rows survive as they are. Accounts are named by username and
exported without passwords. Derived tables (search, the A–Z index, the Infobutton codes) are not exported: loading
rebuilds them from the live publications.

Public surface:

- ``export_content(stream)`` writes the document and says what it holds.
- ``read_export(stream)`` opens a document: checks its header now, without the database, and
  reads its records one at a time as they are loaded.
- ``load_content(export)`` writes an opened document into an empty database. Call it inside
  ``transaction.atomic()``; ``editorial.actions.restore_content`` does, with the permission
  check and the audit event.
- ``content_counts()`` says how many content rows the database holds; ``describe(counts)`` puts
  counts in words and ``database_label()`` names the database, for messages.
- ``RestoreRefused`` is raised with a message that says what is wrong and where.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import reversion
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone
from reversion.models import Revision, Version

from editorial import publishing
from editorial.errors import EditorialError
from editorial.models import AuditEvent, OutgoingMail, ReminderLog, ReviewRecord
from encyclopedia.models import (
    AccreditationNotice,
    AlternativeName,
    Article,
    ArticleCitation,
    ArticleCredit,
    ArticleImage,
    Citation,
    CodedConcept,
    CodeEntry,
    CrossReference,
    EditorialCredit,
    HeadingPlacement,
    ImageAwaitingUpload,
    IndexEntry,
    IssuedArticleId,
    PendingPurge,
    PolicyPage,
    Publication,
    RelatedArticle,
    RenderedPage,
    Reviewer,
    ReviewOrganization,
    SearchEntry,
    Section,
    SectionHeading,
    SharedCacheEpoch,
    SiteSettings,
)
from encyclopedia.text import normalize_text

FORMAT = "medical-encyclopedia-export"
FORMAT_VERSION = 1

# Every content table, in an order that loads: rows that others name by natural key come first.
CONTENT_MODELS: tuple[type[models.Model], ...] = (
    SectionHeading,
    HeadingPlacement,
    SiteSettings,
    IssuedArticleId,
    ReviewOrganization,
    Reviewer,
    EditorialCredit,
    Citation,
    PolicyPage,
    AccreditationNotice,
    Article,
    Section,
    AlternativeName,
    CodedConcept,
    ArticleCitation,
    ArticleCredit,
    RelatedArticle,
    ArticleImage,
    ImageAwaitingUpload,
    Revision,
    Version,
    Publication,
    CrossReference,
    ReviewRecord,
    AuditEvent,
    ReminderLog,
)
# Rows the migrations create in every new database: the export's replace them.
SEEDED_MODELS: tuple[type[models.Model], ...] = (SectionHeading, HeadingPlacement, SiteSettings)
# Rebuilt from the live publications, never exported (stored pages: by a reader's first view, or
# `manage.py render_pages`).
DERIVED_MODELS: tuple[type[models.Model], ...] = (SearchEntry, IndexEntry, CodeEntry, RenderedPage)
# The running site's own queues and counters, which belong to the server that wrote them: a
# restored copy starts without them, so it never re-sends another server's mail or purges.
OPERATIONAL_MODELS: tuple[type[models.Model], ...] = (SharedCacheEpoch, PendingPurge, OutgoingMail)
# The schema an export was written against: a database must have these migrations to load it.
SCHEMA_APPS = ("auth", "contenttypes", "reversion", "encyclopedia", "editorial")
USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "groups",
    "user_permissions",
)
# What the commands' one-line summaries count.
SUMMARY_LABELS = (
    "encyclopedia.article",
    "encyclopedia.publication",
    "reversion.version",
    "editorial.reviewrecord",
    "editorial.auditevent",
    "encyclopedia.reviewer",
    "encyclopedia.citation",
    "auth.user",
)
_BATCH = 1000
# The working copy's text: restored as the admin's forms and the importer store it
# (``encyclopedia.text.normalize_text``). History (versions, publications, audit) is kept as written.
TEXT_MODELS: tuple[type[models.Model], ...] = (Article, Section, AlternativeName, CodedConcept, ArticleImage)


class RestoreRefused(EditorialError):
    """The export cannot be loaded here; nothing was saved."""


@dataclass
class ExportSummary:
    counts: dict[str, int]
    media_files: int  # uploaded files the rows name: they live in MEDIA_ROOT, not in the export

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass
class LoadSummary:
    counts: dict[str, int]
    exported_at: str
    accounts_created: list[str] = field(default_factory=list)
    accounts_kept: list[str] = field(default_factory=list)
    live_articles: int = 0

    @property
    def records(self) -> int:
        return sum(self.counts.values())


# ---------------------------------------------------------------- export


def export_content(stream: IO[str]) -> ExportSummary:
    """Write every content row, and the accounts and groups they name, as one JSON document.

    One consistent snapshot: a single transaction, REPEATABLE READ on PostgreSQL. One record
    a line, so a diff of two exports reads well.
    """
    User = get_user_model()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        user_ids = _referenced_user_ids()
        permissions = Prefetch("permissions", Permission.objects.select_related("content_type"))
        users = (
            User._default_manager.filter(pk__in=user_ids)
            .order_by("pk")
            .prefetch_related("groups", Prefetch("user_permissions", permissions.queryset))
        )
        groups = (
            Group.objects.filter(user__in=user_ids).distinct().order_by("name").prefetch_related(permissions)
        )
        counts = {_label(Group): groups.count(), _label(User): users.count()}
        counts.update({_label(model): model._base_manager.count() for model in CONTENT_MODELS})
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "schema": _schema(),
            "counts": counts,
        }
        # The header's closing brace gives way to the records, written one a line as they are read.
        stream.write(json.dumps(header, ensure_ascii=False)[:-1] + ',\n"objects": [\n')
        records = itertools.chain(
            _records(groups, use_natural_primary_keys=True),
            _records(users, fields=USER_FIELDS),
            *(_records(model._base_manager.order_by("pk")) for model in CONTENT_MODELS),
        )
        for index, record in enumerate(records):
            stream.write((",\n" if index else "") + json.dumps(record, cls=_Encoder, ensure_ascii=False))
        stream.write("\n]}\n")
        media = sum(
            bool(name)
            for name in itertools.chain(
                ArticleImage.objects.values_list("image", flat=True),
                ArticleImage.objects.values_list("thumbnail", flat=True),
                AccreditationNotice.objects.values_list("badge", flat=True),
            )
        )
    return ExportSummary(counts=counts, media_files=media)


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _records(queryset: models.QuerySet, **options: Any) -> Iterator[dict[str, Any]]:
    """Django's own serialization (natural keys for accounts and content types), in batches."""
    wanted = options.get("fields")
    natural = [
        f.name
        for f in queryset.model._meta.concrete_fields
        if f.is_relation and hasattr(f.related_model, "natural_key") and (wanted is None or f.name in wanted)
    ]
    if natural:
        queryset = queryset.select_related(*natural)
    serializer = serializers.get_serializer("python")()
    batch: list[models.Model] = []
    for obj in queryset.iterator(chunk_size=_BATCH):
        batch.append(obj)
        if len(batch) == _BATCH:
            yield from serializer.serialize(batch, use_natural_foreign_keys=True, **options)
            batch = []
    if batch:
        yield from serializer.serialize(batch, use_natural_foreign_keys=True, **options)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _schema() -> dict[str, str]:
    """The latest applied migration of each app the content lives in."""
    latest: dict[str, str] = {}
    recorder = MigrationRecorder(connection)
    if recorder.has_table():
        for app, name in recorder.applied_migrations():
            if app in SCHEMA_APPS and name > latest.get(app, ""):
                latest[app] = name
    return latest


def _user_fields(model: type[models.Model]) -> list[models.Field]:
    User = get_user_model()
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is User]


def _versioned_user_fields() -> dict[type[models.Model], list[str]]:
    """Versioned models whose stored versions name accounts by key (a reviewer's login)."""
    found = {}
    for model in reversion.get_registered_models():
        names = [f.name for f in _user_fields(model)]
        if names:
            found[model] = names
    return found


def _version_user_ids(data: str, names: list[str]) -> Iterator[Any]:
    try:
        items = json.loads(data)
    except ValueError:
        return
    for item in items if isinstance(items, list) else []:
        fields = item.get("fields", {}) if isinstance(item, dict) else {}
        for name in names:
            if isinstance(fields.get(name), int | str):
                yield fields[name]


def _referenced_user_ids() -> set[Any]:
    """Every account a content row names, now or in a stored version."""
    ids: set[Any] = set()
    for model in CONTENT_MODELS:
        for user_field in _user_fields(model):
            ids.update(
                model._base_manager.filter(**{f"{user_field.attname}__isnull": False})
                .values_list(user_field.attname, flat=True)
                .distinct()
            )
    for model, names in _versioned_user_fields().items():
        versions = Version.objects.get_for_model(model).filter(format="json")
        for data in versions.values_list("serialized_data", flat=True).iterator():
            ids.update(_version_user_ids(data, names))
    return ids


# ---------------------------------------------------------------- reading


@dataclass
class ExportFile:
    """An export being read: its checked header, and its records one at a time as (number, record)."""

    header: dict[str, Any]
    records: Iterator[tuple[int, dict[str, Any]]]


def read_export(stream: IO[bytes] | IO[str]) -> ExportFile:
    """Open an export: parse and check its header now (no database), its records as they are read.

    A file laid out as ``export_content`` writes it (one record a line) is read a line at a time,
    so memory stays flat however large it is; any other valid JSON is read whole. Each record's
    shape is checked as it is read, and the counts once the last is read.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig") if isinstance(stream, io.BufferedIOBase) else stream
    try:
        first, second = text.readline(), text.readline()
        header = _header_line(first) if second == '"objects": [\n' else None
        if header is None:
            document = json.loads(first + second + text.read())
            header = document if isinstance(document, dict) else None
            objects = document.get("objects") if header is not None else None
            lines = None
        else:
            objects, lines = [], text
    except json.JSONDecodeError as error:
        raise RestoreRefused(_json_error(error)) from None
    except UnicodeDecodeError as error:
        raise RestoreRefused(f"it is not UTF-8 text (byte {error.start}: {error.reason})") from None
    if header is None or header.get("format") != FORMAT:
        raise RestoreRefused(
            f'it is not an export of this encyclopedia (no "format": "{FORMAT}"; '
            "write one with manage.py export_articles)"
        )
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise RestoreRefused(
            f"it is in export format version {version!r}; this version of the software reads "
            f"version {FORMAT_VERSION} only"
        )
    if not isinstance(objects, list):
        raise RestoreRefused('it has no "objects" list')
    if not isinstance(header.get("counts"), dict) or not isinstance(header.get("schema"), dict):
        raise RestoreRefused('its header lacks "counts" or "schema"')
    header = {key: value for key, value in header.items() if key != "objects"}
    raw = _lines(lines) if lines is not None else enumerate(objects, 1)
    return ExportFile(header=header, records=_checked(raw, header["counts"]))


def _header_line(line: str) -> dict[str, Any] | None:
    """The header as ``export_content`` writes it: a JSON object whose closing brace is a comma."""
    if not line.endswith(",\n"):
        return None
    try:
        header = json.loads(line[:-2] + "}")
    except json.JSONDecodeError:
        return None
    return header if isinstance(header, dict) else None


def _json_error(error: json.JSONDecodeError, line: int | None = None) -> str:
    return f"it is not valid JSON (line {line or error.lineno}, column {error.colno}: {error.msg})"


def _lines(text: IO[str]) -> Iterator[tuple[int, Any]]:
    """Records one a line, after the two header lines; the file ends with "]}"."""
    number = 0
    try:
        for line_number, line in enumerate(text, 3):
            line = line.strip()
            if line == "]}":
                if text.read().strip():
                    raise RestoreRefused(f"it goes on after the end of its records (line {line_number})")
                return
            if not line:
                continue
            try:
                record = json.loads(line.removesuffix(","))
            except json.JSONDecodeError as error:
                raise RestoreRefused(_json_error(error, line_number)) from None
            number += 1
            yield number, record
    except UnicodeDecodeError as error:
        raise RestoreRefused(f"it is not UTF-8 text ({error.reason}, after record {number})") from None
    raise RestoreRefused(f"it ends after record {number}, before the end of the list: the file is incomplete")


def _checked(raw: Iterable[tuple[int, Any]], counts: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each record's shape as it is read; the header's counts once all are read."""
    allowed = {_label(Group), _label(get_user_model())} | {_label(m) for m in CONTENT_MODELS}
    found: Counter[str] = Counter()
    for number, record in raw:
        where = f"record {number}"
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise RestoreRefused(f'{where} is not an object with "model" and "fields"')
        label = record.get("model")
        if label not in allowed:
            raise RestoreRefused(f"{where} is of {label!r}, which an export does not hold")
        if label != _label(Group) and record.get("pk") is None:
            raise RestoreRefused(f"{where} ({label}) has no primary key")
        found[label] += 1
        yield number, record
    for label in sorted(set(found) | set(counts)):
        said = counts.get(label, 0)
        if said != found[label]:
            raise RestoreRefused(
                f"its header says it holds {said} {label} records but it holds {found[label]}: "
                "the file is incomplete or was edited"
            )


# ---------------------------------------------------------------- loading


def database_label() -> str:
    """Which database this is, in words: where a refusal happened."""
    name = connection.settings_dict.get("NAME")
    if connection.vendor == "sqlite":
        return f"the SQLite database {name}"
    host = connection.settings_dict.get("HOST") or "localhost"
    return f"the {connection.display_name} database {name} on {host}"


def content_counts() -> dict[str, int]:
    """Content rows the database holds, by model label, leaving out those every migrated database has."""
    counts = {_label(m): m._base_manager.count() for m in CONTENT_MODELS if m not in SEEDED_MODELS}
    return {label: count for label, count in counts.items() if count}


def describe(counts: dict[str, int], labels: Iterable[str] | None = None) -> str:
    """ "57 articles, 1 review record": counts by model label, in words."""
    phrases = []
    for label in counts if labels is None else labels:
        meta = apps.get_model(label)._meta
        count = counts.get(label, 0)
        phrases.append(f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}")
    return ", ".join(phrases)


def load_content(export: ExportFile) -> LoadSummary:
    """Write an export opened by ``read_export`` into this database, which must hold no content.

    Rows keep their primary keys. Accounts are matched by username: one that exists is kept
    as it is; a new one gets an unusable password. Raises ``RestoreRefused`` naming the
    record; the caller's transaction then rolls everything back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("load_content writes many tables: call it inside transaction.atomic().")
    _check_schema(export.header["schema"])
    held = content_counts()
    if held:
        raise RestoreRefused(
            f"{database_label()} already holds content ({describe(held)}); restore only into a new, empty "
            "database (create it and run manage.py migrate)"
        )
    summary = LoadSummary(counts={}, exported_at=str(export.header.get("exported_at", "")))
    for model in reversed(SEEDED_MODELS):
        model._base_manager.all().delete()
    group_label, user_label, version_label = _label(Group), _label(get_user_model()), _label(Version)
    content_labels = {_label(model): model for model in CONTENT_MODELS}
    moved: dict[Any, Any] = {}  # exported account key -> key here
    content_types: set[tuple[str, str]] = set()
    deferred = []
    loaded: Counter[str] = Counter()
    for number, record in export.records:
        label = record["model"]
        loaded[label] += 1
        if label == group_label:
            _load_group(number, record)
            continue
        if label == user_label:
            _load_user(number, record, summary, moved)
            continue
        if label == version_label:
            _add_content_type(number, record, content_types)
        if content_labels[label] in TEXT_MODELS:
            _normalize_text_fields(record, content_labels[label])
        obj = _deserialize(number, record, content_labels[label])
        _save(number, record, obj, force_insert=True)  # a repeated key is refused, never merged
        if obj.deferred_fields:
            deferred.append((number, record, obj))
    for number, record, obj in deferred:
        try:
            obj.save_deferred_fields()
        except (DeserializationError, ObjectDoesNotExist, ValueError):
            named = "; ".join(f"field {f.name} names {value!r}" for f, value in obj.deferred_fields.items())
            raise RestoreRefused(
                f"{_where(number, record)}: {named}, which is neither in the export nor in this database"
            ) from None
    try:
        connection.check_constraints(table_names=[model._meta.db_table for model in CONTENT_MODELS])
    except DatabaseError as error:
        raise RestoreRefused(f"a record names a row that is not in the export: {_one_line(error)}") from None
    _remap_version_users(moved)
    _reset_sequences()
    # Every loaded article is new to this site: its indexes are written and any page a server
    # kept for this database before (its generations) is stale.
    articles = list(Article.objects.select_related("live_publication"))
    publishing.announce(articles)
    summary.live_articles = sum(1 for article in articles if article.is_live)
    summary.counts = {label: loaded[label] for label in (group_label, user_label, *content_labels)}
    return summary


def _normalize_text_fields(record: dict[str, Any], model: type[models.Model]) -> None:
    fields = record["fields"]
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.TextField) and isinstance(fields.get(model_field.name), str):
            fields[model_field.name] = normalize_text(fields[model_field.name])


def _where(number: int, record: dict[str, Any]) -> str:
    return f"record {number} ({record['model']} pk {record.get('pk')})"


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _check_schema(schema: dict[str, Any]) -> None:
    recorder = MigrationRecorder(connection)
    done = set(recorder.applied_migrations()) if recorder.has_table() else set()
    for app, name in sorted(schema.items()):
        if (app, name) not in done:
            have = _schema().get(app, "none")
            raise RestoreRefused(
                f"it was written by a database at migration {app}.{name}, which {database_label()} "
                f"has not applied (its latest is {have}): update the software and run manage.py migrate"
            )


def _deserialize(
    number: int, record: dict[str, Any], model: type[models.Model], exempt: tuple[str, ...] = ()
) -> Any:
    missing = [
        f.name
        for f in model._meta.local_concrete_fields
        if not f.primary_key
        and f.name not in record["fields"]
        and f.name not in exempt
        and not (f.has_default() or f.null or f.blank)
    ]
    if missing:
        raise RestoreRefused(f"{_where(number, record)} lacks {', '.join(missing)}")
    try:
        return next(serializers.deserialize("python", [record], handle_forward_references=True))
    except (
        DeserializationError,
        FieldDoesNotExist,
        ValidationError,
        ValueError,
        TypeError,
        LookupError,
    ) as error:
        name, reason = _broken_field(model, record, error)
        where = _where(number, record) + (f", field {name}," if name else "")
        raise RestoreRefused(f"{where} is broken: {reason}") from None


def _broken_field(model: type[models.Model], record: dict[str, Any], error: Exception) -> tuple[str, str]:
    """Which field a deserialization error is about, and why, without Django's repeated context."""
    for name, value in record["fields"].items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name, f"{model._meta.label_lower} has no such field"
        if model_field.is_relation:
            continue
        try:
            model_field.to_python(value)
        except ValidationError as invalid:
            return name, " ".join(invalid.messages)
        except (ValueError, TypeError) as invalid:
            return name, _one_line(invalid)
    cause = error.__context__ if isinstance(error, DeserializationError) and error.__context__ else error
    return "", _one_line(cause)


def _save(number: int, record: dict[str, Any], obj: Any, **options: Any) -> None:
    try:
        obj.save(**options)
    except (DatabaseError, ValueError, TypeError) as error:
        raise RestoreRefused(
            f"{_where(number, record)} was refused by the database: {_one_line(error)}"
        ) from None


def _load_group(number: int, record: dict[str, Any]) -> None:
    """A group (a role) is created if this database lacks it; one it has is left as it is."""
    name = record["fields"].get("name")
    if not name or Group.objects.filter(name=name).exists():
        return
    obj = _deserialize(number, record, Group)
    _save(number, record, obj)


def _load_user(number: int, record: dict[str, Any], summary: LoadSummary, moved: dict[Any, Any]) -> None:
    """A new account without a password (it must be reset); an existing one is kept as it is."""
    User = get_user_model()
    username = record["fields"].get(User.USERNAME_FIELD)
    if not username:
        raise RestoreRefused(f"{_where(number, record)} has no {User.USERNAME_FIELD}")
    existing = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    if existing is not None:
        summary.accounts_kept.append(username)
        moved[record["pk"]] = existing.pk
        return
    obj = _deserialize(number, record, User, exempt=("password",))  # exported without one
    user = obj.object
    if User._default_manager.filter(pk=user.pk).exists():
        user.pk = None  # the key is taken: a new one; the versions that name it are rewritten
    user.set_unusable_password()
    _save(number, record, obj)
    summary.accounts_created.append(username)
    moved[record["pk"]] = user.pk


def _add_content_type(number: int, record: dict[str, Any], done: set[tuple[str, str]]) -> None:
    """Versions name their model by (app, model); one removed since needs its row back."""
    key = record["fields"].get("content_type")
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)):
        raise RestoreRefused(f"{_where(number, record)} has no content type [app, model]")
    if tuple(key) not in done:
        ContentType.objects.get_or_create(app_label=key[0], model=key[1])
        done.add((key[0], key[1]))


def _remap_version_users(moved: dict[Any, Any]) -> None:
    """Stored versions name accounts by key: follow an account that got a new one."""
    moved = {old: new for old, new in moved.items() if old != new}
    if not moved:
        return
    for model, names in _versioned_user_fields().items():
        for version in Version.objects.get_for_model(model).filter(format="json").iterator():
            items = json.loads(version.serialized_data)
            changed = False
            for item in items:
                for name in names:
                    value = item["fields"].get(name)
                    if isinstance(value, int | str) and value in moved:
                        item["fields"][name] = moved[value]
                        changed = True
            if changed:
                Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(items))


def _reset_sequences() -> None:
    """Rows came with their keys: PostgreSQL's sequences must continue after the highest."""
    statements = connection.ops.sequence_reset_sql(no_style(), [*CONTENT_MODELS, Group, get_user_model()])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
