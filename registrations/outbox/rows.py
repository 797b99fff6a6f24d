"""New rows of one model in one INSERT whose SQL is written once per model and row count: for
the few tables written under the conference lock that every registration waits for (its emails
here, its consents and session bookings in places), where compiling bulk_create's statement
cost more CPU than the database takes to answer. The outbox is the lowest layer that writes
them, hence here."""

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import NOT_PROVIDED, Field, Model

# (model, number of rows, database alias, unique column) -> the statement and the fields of
# its columns.
_STATEMENTS: dict[tuple[type[Model], int, str, str], tuple[str, list[Field]]] = {}


def _statement(
    model: type[Model], rows: int, alias: str, unique: str = ""
) -> tuple[str, list[Field]] | None:
    """The INSERT … RETURNING of `rows` rows (that inserts nothing when the `unique` field's
    value is taken), or None when bulk_create must do it (a field with a database default,
    whose value the database picks)."""
    key = (model, rows, alias, unique)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    meta = model._meta
    fields = [
        field
        for field in meta.concrete_fields
        if not field.primary_key and not getattr(field, "generated", False)
    ]
    if any(field.db_default is not NOT_PROVIDED for field in fields):
        return None
    quote = connections[alias].ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    conflict = (
        f" ON CONFLICT ({quote(next(f.column for f in fields if f.name == unique))}) DO NOTHING"
        if unique
        else ""
    )
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * rows)}{conflict} RETURNING {quote(meta.pk.column)}"
    )
    _STATEMENTS[key] = (statement, fields)
    return statement, fields


class StatementBatch:
    """Statements whose answers nothing reads before the locked section ends (rows inserted,
    counters moved), sent to the database together, in one round trip, when the caller says
    (send): under the conference lock, every registration waits for each statement's round
    trip. The statements run in the order added; a statement that must run at once sends those
    waiting first (send, or rows_insert's fallback to bulk_create), so the order stays the
    code's. Several statements in one string are PostgreSQL's simple query protocol, which
    psycopg's client-side binding cursor uses (Django's default); elsewhere, or with a cursor
    that binds on the server (server_side_binding, or a cursor_factory in OPTIONS: the server
    prepares the string, one statement only), each statement runs when added."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        connection = connections[using]
        self.batching = connection.vendor == "postgresql" and _binds_client_side(connection)
        self._waiting: list[tuple[str, Sequence[Any], Callable[[Any], None] | None]] = []

    def add(
        self, sql: str, params: Sequence[Any], done: Callable[[Any], None] | None = None
    ) -> None:
        """Run `sql` with the batch; `done` is then called with the cursor on its answer."""
        self._waiting.append((sql, params, done))
        if not self.batching:
            self.send()

    def send(self, sql: str | None = None, params: Sequence[Any] = ()) -> list[tuple] | None:
        """Run the statements waiting, then `sql` if given, whose rows are returned; in one
        round trip where the database allows."""
        waiting, self._waiting = self._waiting, []
        if sql is not None:
            waiting.append((sql, params, None))
        if not waiting:
            return None
        rows = None
        with connections[self.using].cursor() as cursor:
            if self.batching:
                cursor.execute(
                    ";\n".join(statement for statement, _params, _done in waiting),
                    [value for _statement, values, _done in waiting for value in values],
                )
            for index, (statement, values, done) in enumerate(waiting):
                if self.batching:
                    if index:
                        cursor.nextset()
                else:
                    cursor.execute(statement, values)
                if done is not None:
                    done(cursor)
            if sql is not None:
                rows = cursor.fetchall()
        return rows


def _binds_client_side(connection: Any) -> bool:
    # The cursor class psycopg was given, whichever option chose it.
    connection.ensure_connection()
    return issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)


def rows_insert(
    objs: Sequence[Model],
    *,
    batch: StatementBatch | None = None,
    then: Callable[[], None] | None = None,
) -> None:
    """As Model.objects.bulk_create(objs), for new rows of one model without a primary key:
    the related rows saved since the instances were built are referred to, each field's
    pre_save runs (auto_now_add) and its value is prepared for the database, the primary keys
    come back, the instances are marked saved. No signals, as bulk_create sends none. With a
    `batch`, the INSERT is sent with it; `then` is called once the rows are saved and have
    their keys."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    found = (
        _statement(model, len(objs), alias)
        if connection.features.can_return_rows_from_bulk_insert
        and all(obj.pk is None and type(obj) is model for obj in objs)
        else None
    )
    if found is None:
        _bulk_create(objs, alias, batch, then)
        return
    statement, fields = found
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        for field in fields:
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                # An expression is bulk_create's to compile.
                _bulk_create(objs, alias, batch, then)
                return
            params.append(field.get_db_prep_save(value, connection))

    def saved(cursor: Any) -> None:
        for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = key
            obj._state.adding = False
            obj._state.db = alias
        if then is not None:
            then()

    if batch is not None:
        batch.add(statement, params, saved)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        saved(cursor)


def _bulk_create(
    objs: Sequence[Model],
    alias: str,
    batch: StatementBatch | None,
    then: Callable[[], None] | None,
) -> None:
    if batch is not None:
        # After the statements before it, as the code orders them.
        batch.send()
    type(objs[0])._default_manager.using(alias).bulk_create(objs)
    if then is not None:
        then()


def row_insert_possible(model: type[Model]) -> bool:
    """Can row_insert_unless_taken write new rows of this model here (None otherwise)?"""
    alias = router.db_for_write(model)
    features = connections[alias].features
    return (
        features.supports_update_conflicts_with_target
        and features.can_return_rows_from_bulk_insert
        and _statement(model, 1, alias) is not None
    )


def row_insert_unless_taken(obj: Model, *, unique: str) -> bool | None:
    """Insert one new row as rows_insert does, unless the value of its `unique` field (which
    has a unique index of its own) is taken: then nothing is written and the transaction goes
    on, without the savepoint that catching the IntegrityError needs. False when taken; None
    when this cannot be done here (as rows_insert falls back to bulk_create), for the caller
    to save the row its own way."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    found = _statement(model, 1, alias, unique) if row_insert_possible(model) else None
    if found is None or obj.pk is not None:
        return None
    statement, fields = found
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    params = []
    for field in fields:
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):
            return None
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = alias
    return True
