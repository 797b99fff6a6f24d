"""A lookup by one value whose SQL is compiled once per connection and language.

Django compiles a queryset into SQL on every evaluation. For the conference the registration
form reads on each GET and POST (36 columns, two joins), compiling is about two thirds of
the lookup's CPU (0.9 of 1.3 ms): here the SQL is kept, the row fetched with the new value in
place of a mark, and the instance built as Django's ModelIterable builds it (the same
converters, `from_db`, the joined rows in `select_related`'s caches)."""

import secrets
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import get_language

M = TypeVar("M", bound=Model)

# The compiler, the SQL, its parameters, where the value goes in them, the columns'
# converters; None where the value's place could not be told.
Compiled = tuple[SQLCompiler, str, tuple, int, dict] | None


def text_mark() -> str:
    return f"mark-{secrets.token_hex(8)}"


def integer_mark() -> int:
    # Negative, past 2**53: no id, count or year a queryset holds looks like it.
    return -(2**53 + secrets.randbelow(2**40))


class CompiledLookup(Generic[M]):
    """`lookup.get(value)`: the one instance of `queryset_for(value)`, or None. The queryset is
    built with a mark for the value (`mark()`: text unless told) once per connection and
    language; where the mark is not one parameter as it is and nowhere else, every lookup is
    the queryset's own. The value is passed to the database as it is: of the mark's type, and
    within its column's range."""

    def __init__(
        self,
        queryset_for: Callable[[Any], QuerySet[M]],
        *,
        mark: Callable[[], object] = text_mark,
        using: str = "default",
    ):
        self.queryset_for = queryset_for
        self.mark = mark
        self.using = using
        # Per connection (one a thread): the compiler's connection is the one it runs on.
        self._compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[str | None, Compiled]
        ] = weakref.WeakKeyDictionary()

    def _compile(self, connection: BaseDatabaseWrapper) -> Compiled:
        mark = self.mark()
        queryset = self.queryset_for(mark)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        # The value must be one parameter as it is, and in nothing else (a pattern made of it).
        holding = [n for n, param in enumerate(params) if param == mark or str(mark) in str(param)]
        if (
            len(holding) != 1
            or params[holding[0]] != mark
            or str(mark) in sql
            or compiler.connection is not connection
        ):
            return None
        # What results_iter() works out for every read: the columns' converters.
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(columns):  # rows regrouped: left to Django
            return None
        converters = compiler.get_converters(columns)
        return compiler, sql, tuple(params), holding[0], converters

    def get(self, value: Any) -> M | None:
        connection = connections[self.using]
        per_language = self._compiled.setdefault(connection, {})
        language = get_language()
        if language not in per_language:
            per_language[language] = self._compile(connection)
        compiled = per_language[language]
        if compiled is None:
            return self.queryset_for(value).first()
        compiler, sql, params, index, converters = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params[:index], value, *params[index + 1 :]))
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        assert len(rows) == 1, "a lookup by a unique value"
        return self._instance(compiler, rows, converters)

    def _instance(self, compiler: SQLCompiler, rows: list, converters: dict) -> M:
        # What ModelIterable.__iter__ does with one row (no annotations, no known related
        # objects in these querysets).
        db = self.using
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None and not compiler.annotation_col_map
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        (row,) = compiler.apply_converters(rows, converters) if converters else rows
        instance = model_cls.from_db(db, init_list, row[start:end])
        for populator in get_related_populators(klass_info, select, db):
            populator.populate(row, instance)
        return instance
