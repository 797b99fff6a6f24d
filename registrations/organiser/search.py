"""The admin's free-text search of registrations, written so that PostgreSQL answers it from
the trigram indexes of migrations 0031_search_trigram_indexes (the fields as typed) and
name_sort_and_search_keys (the folded names) instead of scanning the table."""

from collections.abc import Sequence

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from registrations.collation import search_fold


class _EqualsAny(Func):
    """`value = ANY(array)`: true when the array holds the value."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def _related_contains(queryset: QuerySet, path: str, term: str, lookup: str = "icontains") -> Q:
    """`path` (a foreign key, then a field of its model: "authority__name") contains `term`.
    On PostgreSQL as `authority_id = ANY(ARRAY(SELECT id … WHERE name LIKE …))`: the array is
    computed once, and the condition stays on the registration table, where the planner can
    combine it with the other fields' index scans (BitmapOr). A join, or `IN (SELECT …)`, makes
    every row of the table be read and tested."""
    relation, field = path.split("__", 1)
    foreign_key = queryset.model._meta.get_field(relation)
    if connections[queryset.db].vendor != "postgresql":
        return Q(**{f"{path}__{lookup}": term})
    matching = (
        foreign_key.related_model._default_manager.filter(**{f"{field}__{lookup}": term})
        .order_by()
        .values("pk")
    )
    return Q(_EqualsAny(F(foreign_key.attname), ArraySubquery(matching)))


def _contains(queryset: QuerySet, field: str, term: str, lookup: str) -> Q:
    if "__" in field:
        return _related_contains(queryset, field, term, lookup)
    return Q(**{f"{field}__{lookup}": term})


def search_registrations(
    queryset: QuerySet[models.Model],
    search_term: str,
    fields: Sequence[str],
    folded_fields: Sequence[str] = (),
) -> QuerySet[models.Model]:
    """The rows of which, for every word of `search_term` (a quoted phrase is one word), one of
    `fields` contains the word, whatever its case: what the admin's search does with these
    search_fields; or one of `folded_fields` (text kept folded by registrations.collation,
    e.g. Registration.search_name) contains the word folded the same way, so that "aero" finds
    Ærø and "lodz" Łódź. Fields are the model's own or one foreign key away."""
    term_queries = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        folded = search_fold(bit)
        term_queries.append(
            Q(
                *(_contains(queryset, field, bit, "icontains") for field in fields),
                *(
                    _contains(queryset, field, folded, "contains")
                    for field in folded_fields
                    if folded
                ),
                _connector=Q.OR,
            )
        )
    if not term_queries:
        return queryset
    return queryset.filter(Q(*term_queries))
