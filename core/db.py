"""Hot-path reads: a SELECT written once, run without the ORM's query compiler.

Every API request reads its API key, and most read one object by id. Measured on the benchmark
machine, the ORM spent about 1 ms of Python building the SQL of each such lookup (more with a join
and an ordering), against 0.2 ms to run it: two thirds of a `GET /v1/onboarding-links/{id}`.

`HotQuery` builds its SQL once per database and then only executes it. The instances it returns are
the ones the ORM returns: every column goes through the same database and field converters the
ORM's compiler applies (decryption, SQLite's dates and UUIDs), the row is built by `Model.from_db`,
and joined foreign keys are cached on the instance as `select_related` caches them. Parameters are
prepared by their fields, so callers pass Python values.

Use it only where a profile shows the compile cost; anything else reads through the ORM.

On PostgreSQL these statements are also *prepared* (`prepared_cursor`): parsed and planned once per
connection instead of on every request. Planning the list's one-statement page took 0.6 ms of the
database server's CPU per request, more than running it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections, models

Converter = Callable[[Any, Any, Any], Any]


class PreparingCursor(psycopg.Cursor):
    """A server-side binding cursor whose statements are prepared on first use per connection."""

    prepares_statements = True  # the backend's query log renders its statements client-side

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None) -> Any:
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


@contextmanager
def prepared_cursor(using: str = "default") -> Iterator[Any]:
    """A cursor whose statements are prepared server-side on PostgreSQL (`DB_PREPARED_STATEMENTS`).

    What Django's `connection.cursor()` does applies (health check, connecting, thread check, error
    wrapping, query logging and execute wrappers), around one preparing cursor kept per connection
    instead of a new client-side cursor per call. Parameters are bound by the server, not
    interpolated: write `%s::type` where PostgreSQL cannot infer a parameter's type. Elsewhere it
    is the plain cursor. A prepared plan is re-planned by PostgreSQL when a table it reads changes
    (a migration); its result columns are fixed, so only use it for statements naming their columns.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    # Django's BaseDatabaseWrapper._cursor(), with our cursor in place of create_cursor()'s.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        cursor = getattr(connection, "_preparing_cursor", None)
        if cursor is None or cursor.connection is not raw or cursor.closed:
            cursor = connection._preparing_cursor = PreparingCursor(raw)
        wrapped = connection._prepare_cursor(cursor)
    yield wrapped  # not closed: the next call reuses it (its statements stay prepared on the connection)


@dataclass(frozen=True)
class _Part:
    """The columns of one model in the row: where they start, and how each is converted."""

    model: type[models.Model]
    attname: str | None  # the foreign key on the main model this part fills (None: the main model)
    start: int
    columns: tuple[Any, ...]
    attnames: tuple[str, ...]
    converted: tuple[tuple[int, tuple[Converter, ...]], ...]  # (index, converters) of the columns having any


@dataclass(frozen=True)
class _Compiled:
    sql: str
    parts: tuple[_Part, ...]
    filter_fields: tuple[models.Field, ...]


class HotQuery:
    """`HotQuery(Model, filters=("pk", "organization"), related=("phone",), where="... IS NULL")`.

    `filters` are fields of the model compared for equality, in the order `one()` takes them;
    `related` are foreign keys joined in (LEFT JOIN when nullable); `where` is an extra SQL
    condition on the model's own table, written with its real column names; `defer` are fields of
    the model left unread (reading one later loads it, as the ORM's `defer` does).
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        filters: tuple[str, ...],
        related: tuple[str, ...] = (),
        where: str = "",
        defer: tuple[str, ...] = (),
    ) -> None:
        self.model = model
        self.defer = frozenset(defer)
        self.filters = filters
        self.related = related
        self.where = where
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        quote = connection.ops.quote_name
        meta = self.model._meta
        table = meta.db_table
        select: list[str] = []
        parts: list[_Part] = []
        joins: list[str] = []

        def add_part(model: type[models.Model], alias: str, attname: str | None) -> None:
            deferred = self.defer if attname is None else frozenset()
            fields = [field for field in model._meta.concrete_fields if field.name not in deferred]
            columns = tuple(field.get_col(alias) for field in fields)
            converters = tuple(
                tuple(connection.ops.get_db_converters(col)) + tuple(col.get_db_converters(connection))
                for col in columns
            )
            attnames = tuple(field.attname for field in fields)
            converted = tuple((index, found) for index, found in enumerate(converters) if found)
            parts.append(_Part(model, attname, len(select), columns, attnames, converted))
            select.extend(f"{quote(alias)}.{quote(field.column)}" for field in fields)

        add_part(self.model, table, None)
        for name in self.related:
            field = meta.get_field(name)
            target = field.related_model
            alias = f"r_{name}"
            kind = "LEFT OUTER JOIN" if field.null else "INNER JOIN"
            target_pk = target._meta.pk.column
            joins.append(
                f"{kind} {quote(target._meta.db_table)} {quote(alias)} "
                f"ON {quote(alias)}.{quote(target_pk)} = {quote(table)}.{quote(field.column)}"
            )
            add_part(target, alias, name)

        filter_fields = tuple(meta.pk if name == "pk" else meta.get_field(name) for name in self.filters)
        conditions = [f"{quote(table)}.{quote(field.column)} = %s" for field in filter_fields]
        if self.where:
            conditions.append(f"({self.where})")
        # Only quoted model metadata and the caller's constant `where`; values are parameters.
        sql = f"SELECT {', '.join(select)} FROM {quote(table)} {' '.join(joins)} WHERE {' AND '.join(conditions)}"  # noqa: S608
        return _Compiled(sql=sql, parts=tuple(parts), filter_fields=filter_fields)

    def _compiled_for(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        return compiled

    def row(self, *values: Any, using: str = "default") -> tuple[Any, ...] | None:
        """The single matching row as the database sent it (before conversion), or None.

        A row is immutable: a caller may keep it and `build` fresh instances from it later.
        """
        compiled = self._compiled_for(using)
        connection = connections[using]
        params = [
            field.get_db_prep_value(value, connection, prepared=False)
            for field, value in zip(compiled.filter_fields, values, strict=True)
        ]
        with prepared_cursor(using) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(f"{self.model.__name__}: more than one row for {self.filters}")
        return tuple(rows[0])

    def build(self, row: tuple[Any, ...], using: str = "default") -> models.Model:
        """New instances from a `row()`: converted by the fields, joined objects cached on the main one."""
        compiled = self._compiled_for(using)
        connection = connections[using]
        instances: list[models.Model | None] = []
        for part in compiled.parts:
            values_ = list(row[part.start : part.start + len(part.columns)])
            if part.attname is not None and values_[0] is None and all(v is None for v in values_):
                instances.append(None)  # an empty LEFT JOIN: no related object
                continue
            for index, converters in part.converted:
                for converter in converters:
                    values_[index] = converter(values_[index], part.columns[index], connection)
            instances.append(part.model.from_db(using, part.attnames, values_))
        main = instances[0]
        for part, related in zip(compiled.parts[1:], instances[1:], strict=True):
            self.model._meta.get_field(part.attname).set_cached_value(main, related)
        return main

    def one(self, *values: Any, using: str = "default") -> models.Model | None:
        """The single matching instance, or None. Filters are unique lookups: extra rows are an error."""
        row = self.row(*values, using=using)
        return None if row is None else self.build(row, using=using)


class HotInsert:
    """`HotInsert(Model).insert(instance)`: `instance.save(force_insert=True)` for a model whose
    primary key is set in Python (a UUID default), with the INSERT written once and prepared.

    On the benchmark the ORM spent a fifth of a `POST /v1/onboarding-links` compiling its INSERT.
    What `save()` does and this keeps: every concrete field's `pre_save` and `get_db_prep_save`
    (defaults, encryption, JSON), the `pre_save` and `post_save` signals, and the instance's state
    (saved, in this database). What it does not: parent models (multi-table inheritance) and
    database-returned fields; the constructor refuses such models.
    """

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        if meta.parents or any(getattr(field, "db_returning", False) for field in meta.concrete_fields):
            raise TypeError(f"HotInsert does not handle {model.__name__} (parents or database-returned fields)")
        self.model = model
        self.fields = tuple(meta.concrete_fields)
        self._sql: dict[str, str] = {}

    def _sql_for(self, using: str) -> str:
        sql = self._sql.get(using)
        if sql is None:
            quote = connections[using].ops.quote_name
            columns = ", ".join(quote(field.column) for field in self.fields)
            placeholders = ", ".join(["%s"] * len(self.fields))
            # Only quoted model metadata; values are parameters.
            sql = self._sql[using] = (
                f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
            )
        return sql

    def insert(self, instance: models.Model, using: str = "default") -> models.Model:
        from django.db.models import signals

        model = self.model
        if signals.pre_save.has_listeners(model):
            signals.pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
        connection = connections[using]
        values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in self.fields]
        with prepared_cursor(using) as cursor:
            cursor.execute(self._sql_for(using), values)
        instance._state.adding = False
        instance._state.db = using
        if signals.post_save.has_listeners(model):
            signals.post_save.send(
                sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using
            )
        return instance
