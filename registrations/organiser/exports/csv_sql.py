"""The attendee list's CSV lines written by PostgreSQL: each row's line comes from the database
whole, quoted, formula-safe and ended, and Python only joins them. The Python path
(writers.attendee_csv_in_python: columns.attendee_columns and the question columns reading
each row, spreadsheet_safe_row, the csv module) spent some 30 µs a row on its 26 cells; this
path is the reference's output byte for byte (tests/registrations/organiser/exports/
test_csv_sql.py holds it to it on PostgreSQL), built from the same sources:

- labels (status, category, languages, countries, yes and no, choices, booked sessions) are
  worked out in Python, in the export's language, by the functions the Python columns use,
  and sent as JSON maps (value -> label) that each cell looks its value up in;
- the questions' cells are worked out over the registration's answers, each answer's cell
  as the Python column prints it (numbers as Python prints an int or a
  float: trim_scale; dates in ISO; moments at the conference's clock, to the minute; choices
  in the choices' order, or as copied when one was deleted since);
- every cell is quoted as the csv module's QUOTE_ALL quotes it (quotes doubled), and the
  formula escaping runs once over the lines: columns._FORMULA_AFTER_BREAK finds in the lines
  of quoted cells the places spreadsheet_safe() finds in each cell (see _LINE_BREAK_FIRST;
  _FORMULA_REVERSED finds them, from the end);
- moments come from to_char() as on the Python path of PostgreSQL (columns.local_moment_text);
- the booked sessions' and the questions' cells come, for an export of most of its
  conferences' registrations, from the bookings and the answers read once each, grouped by
  registration and joined to the rows (`_Joined`); for a smaller one, from a subquery a row,
  which costs in the rows exported rather than in the conferences' size.

`attendee_csv_lines()` says None when the database cannot write an export as Python would: on
SQLite, for a DISTINCT list, and when a conference's time zone is one the server does not know
(Python converts those moments); the caller then takes the Python path."""

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Expression, F, Q, QuerySet, TextField
from django_countries.fields import Country

from conference.models import SESSION_LANGUAGES, Conference, Session
from registrations.models import (
    Answer,
    Authority,
    Question,
    QuestionType,
    Registration,
    SessionBooking,
)
from registrations.organiser.exports.columns import (
    Column,
    attendee_columns,
    database_knows_time_zone,
    session_label,
)
from registrations.organiser.exports.questions import (
    columns_of_questions,
    conferences_and_answered_questions,
    country_name,
    yes_no_labels,
)

# The quote spreadsheet_safe() puts in each cell, put in a chunk of CSV lines ("a","b",…) that
# a line break is put before, each line's end a line break: columns._FORMULA_AFTER_BREAK. A
# cell starts after a line break (the line's first) or a separator (`,` or `;`), then the
# cell's opening quote: both are "a separator, then quotes and spaces" as the pattern reads
# them, so the quote goes after the opening quote and the cell's own quotes and spaces, where
# spreadsheet_safe() puts it. Inside a cell, doubling its quotes keeps a run of quotes and
# spaces a run. No run crosses into the next cell or line: what follows a closing quote (a
# separator, a line break) is neither a quote, a space nor a trigger. Lines are ended with
# CRLF only after (the \r is a trigger).
_LINE_BREAK_FIRST = "\n"
_LINE_END = "\r\n"

# _FORMULA_AFTER_BREAK read from the end of the text: a trigger that a separator, then quotes
# and spaces, come before. The scan of the reversed text stops at the triggers, rather than at
# every separator and opening quote (two a cell), so the quote goes in 30 % faster (in the
# reversed text, after the trigger). The trigger alone is matched (the run is looked at, not
# consumed): a trigger that is a separator too (\t, \r) starts the next run, as forwards.
_FORMULA_REVERSED = re.compile(r'[=+\-@\t\r](?=[" ]*[,;\t\r\n])')


def _disarmed_reversed(match: re.Match) -> str:
    return match[0] + "'"


def _formula_safe(text: str) -> str:
    """_FORMULA_AFTER_BREAK.sub(_disarmed, text), the same text, found backwards."""
    return _FORMULA_REVERSED.sub(_disarmed_reversed, text[::-1])[::-1]


# COPY's text format writes these characters of a value as backslash sequences.
_COPY_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_COPY_UNESCAPED = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v"}


def _copy_unescaped(match: re.Match) -> str:
    return _COPY_UNESCAPED[match[1]]


def csv_text(copied: str) -> str:
    """CSV text of the lines COPY wrote (text format: a line a row, each ended by a line
    break), made formula-safe as spreadsheet_safe() makes each cell (see _LINE_BREAK_FIRST)
    and ended by CRLF."""
    if "\\" not in copied:
        # Nothing escaped, so no cell holds a line break, a tab or a carriage return: the
        # lines are searched at once, each line break the end of one.
        safe = _formula_safe(_LINE_BREAK_FIRST + copied[:-1])
        return safe[1:].replace("\n", _LINE_END) + _LINE_END
    return "".join(
        _formula_safe(_LINE_BREAK_FIRST + _COPY_ESCAPE.sub(_copy_unescaped, line))[1:] + _LINE_END
        for line in copied[:-1].split("\n")
    )


# A choice question of at most this many choices has its cells looked up by the set chosen
# (a bit a choice: 2**n - 1 cells); one of more sorts its choices in each answer.
_CHOICES_AS_BITS = 10

# On the grouped path, the choices of such questions are packed into one bigint an answer, a
# bit a choice, at most this many in all (bit 62 marks a choice that is none of them, the
# sign bit is left alone); their ids, looked up in an array, span at most _PACKED_SPAN.
_PACKED_BITS = 62
_PACKED_SPAN = 10_000
_NOT_PACKED = 1 << _PACKED_BITS

# concat() takes at most 100 arguments: longer lists are nested.
_CONCAT_ARGUMENTS = 90

_PLACEHOLDER = re.compile(r"\{(\d+)\}|%s")

# An export of at least this share of its conferences' registrations reads the bookings and
# the answers grouped (a pass over each, 30 % less of the database's time at 100,000 rows than
# a subquery a row); a smaller one, a subquery a row.
_GROUPED_SHARE = 0.5

_PARAMETER_OR_PERCENT = re.compile(r"%[s%]")


class Sql(Expression):
    """SQL text in which {0}, {1}… stand for the SQL of the expressions and %s for the
    parameters, taken in the order they appear in the text."""

    def __init__(self, template: str, *expressions: Any, params: Sequence[object] = ()):
        super().__init__(output_field=TextField())
        self.template = template
        self.expressions = [
            expression if hasattr(expression, "resolve_expression") else F(expression)
            for expression in expressions
        ]
        self.params = list(params)

    def get_source_expressions(self) -> list:
        return self.expressions

    def set_source_expressions(self, expressions) -> None:
        self.expressions = list(expressions)

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(expression) for expression in self.expressions]
        given = iter(self.params)
        params: list = []

        def piece(match: re.Match) -> str:
            if match[0] == "%s":
                params.append(next(given))
                return "%s"
            sql, expression_params = compiled[int(match[1])]
            params.extend(expression_params)
            return sql

        return _PLACEHOLDER.sub(piece, self.template), tuple(params)


def _json(mapping: dict) -> str:
    return json.dumps(mapping, ensure_ascii=False, separators=(",", ":"))


def _label(field: str, choices) -> Sql:
    """As columns._row_labels(): the value's label, or the value when it has none."""
    labels = {value: str(label) for value, label in choices}
    return Sql("COALESCE(%s::jsonb ->> {0}, {0})", field, params=[_json(labels)])


def _concat(parts: list[str]) -> str:
    """concat() of SQL parts (NULL counts as empty), nested past its argument limit."""
    while len(parts) > _CONCAT_ARGUMENTS:
        parts = [
            f"concat({', '.join(parts[start : start + _CONCAT_ARGUMENTS])})"
            for start in range(0, len(parts), _CONCAT_ARGUMENTS)
        ]
    return f"concat({', '.join(parts)})"


def _quoted(sql: str) -> str:
    return f"replace({sql}, '\"', '\"\"')"


@dataclass(frozen=True)
class _Labels:
    """What the cells look up, read once per export."""

    countries: dict[str, str]  # an authority's country code -> str(Country(code).name)
    answer_countries: dict[str, str]  # a country answer's code -> questions.country_name()
    sessions: dict[str, list]  # a session's id -> [its rank by start and id, its label]


def _labels(
    registrations: QuerySet[Registration],
    conferences: list[Conference],
    country_questions: list[int],
) -> _Labels:
    # The codes in the data (authorities', and answers' to country questions), in one query.
    query = f"SELECT DISTINCT country, false FROM {Authority._meta.db_table}"
    if country_questions:
        ids = ", ".join(str(int(pk)) for pk in country_questions)
        query += (
            f" UNION SELECT DISTINCT value_country, true FROM {Answer._meta.db_table}"
            f" WHERE question_id IN ({ids})"
        )
    with connection.cursor() as cursor:
        cursor.execute(query)
        pairs = cursor.fetchall()
    codes = {code for code, answer in pairs if not answer}
    answer_codes = {code for code, answer in pairs if answer}
    # The sessions of the conferences listed, and of any other one a registration is booked
    # into, as the Python column reads them (a conference at a time, when one is named).
    booked_elsewhere = Session.objects.filter(
        bookings__registration__in=registrations.order_by().values("pk"),
        bookings__status=SessionBooking.Status.BOOKED,
    ).exclude(conference__in=conferences)
    sessions = sorted(
        session_label(session)
        for session in Session.objects.filter(
            Q(conference__in=conferences)
            | Q(conference__in=booked_elsewhere.order_by().values("conference"))
        ).select_related("conference")
    )
    return _Labels(
        countries={code: str(Country(code=code).name) for code in codes if code is not None},
        answer_countries={code: country_name(code) for code in answer_codes if code},
        sessions={str(pk): [rank, label] for rank, (_start, pk, label) in enumerate(sessions)},
    )


_LITERAL_OR_PARENTHESIS = re.compile(r"'(?:[^']|'')*'|[()]")


def _outer(sql: str, text: str) -> int:
    """Where `text` first appears in `sql` outside any parenthesis and string literal: the
    query's own FROM, not a subquery's."""
    depth, start = 0, 0
    for found in _LITERAL_OR_PARENTHESIS.finditer(sql):
        if depth == 0 and (at := sql.find(text, start, found.start())) >= 0:
            return at
        if found[0] == "(":
            depth += 1
        elif found[0] == ")":
            depth -= 1
        start = found.end()
    if depth == 0 and (at := sql.find(text, start)) >= 0:
        return at
    raise ValueError(f"{text!r} is not in the query outside its subqueries")


@dataclass(frozen=True)
class _Joined:
    """A table of cells, one row per registration (`rid`), that the rows are LEFT JOINed to:
    its SQL (the derived table's, aliased `alias`) with its parameters."""

    alias: str
    sql: str
    params: list

    def clause(self) -> str:
        quote = connection.ops.quote_name
        rows = f"{quote(Registration._meta.db_table)}.{quote(Registration._meta.pk.column)}"
        return f" LEFT JOIN ({self.sql}) {self.alias} ON {self.alias}.rid = {rows}"


def _booked_sessions(sessions: dict[str, list]) -> Sql:
    """As columns._session_labels(): the booked sessions' labels by start and id, "; "-joined."""
    booking = SessionBooking._meta
    return Sql(
        "(SELECT string_agg(m.v ->> 1, '; ' ORDER BY (m.v ->> 0)::int)"
        f" FROM {booking.db_table} b"
        " CROSS JOIN LATERAL (SELECT %s::jsonb -> b.session_id::text AS v) m"
        " WHERE b.registration_id = {0} AND b.status = %s)",
        "pk",
        params=[_json(sessions), SessionBooking.Status.BOOKED],
    )


def _booked_sessions_grouped(sessions: dict[str, list]) -> _Joined:
    """_booked_sessions() of every registration at once: the bookings of the sessions
    labelled, grouped."""
    booking = SessionBooking._meta
    listed = [
        {"id": int(pk), "rank": rank, "label": label} for pk, (rank, label) in sessions.items()
    ]
    return _Joined(
        "export_booked",
        "SELECT b.registration_id AS rid, string_agg(m.label, '; ' ORDER BY m.rank) AS cell"
        f" FROM {booking.db_table} b"
        " JOIN jsonb_to_recordset(%s::jsonb) AS m(id bigint, rank int, label text)"
        " ON m.id = b.session_id WHERE b.status = %s GROUP BY b.registration_id",
        [json.dumps(listed, ensure_ascii=False), SessionBooking.Status.BOOKED],
    )


@dataclass(frozen=True)
class _Packed:
    """The choices of the questions whose answers' choices are read grouped (the grouped path):
    each question's first bit in the packed bigint, each choice's bit."""

    offsets: dict[int, int]  # a question's id -> its first bit
    bits: dict[int, int]  # a choice's id -> its bit (1 << its question's offset + index)

    alias = "export_chosen"

    def clause(self) -> str:
        """The LEFT JOIN of each answer `a` to its choices packed (`bits`): an answer without
        choices has none (NULL), a choice of no question packed sets _NOT_PACKED. Only the
        choices of answers to the questions packed are read: the other conferences' answers,
        which the table holds too, cost nothing."""
        low, high = min(self.bits), max(self.bits)
        bits = ",".join(str(self.bits.get(pk, _NOT_PACKED)) for pk in range(low, high + 1))
        questions = ", ".join(str(int(pk)) for pk in self.offsets)
        return (
            " LEFT JOIN (SELECT t.answer_id, bit_or(COALESCE(CASE WHEN t.questionchoice_id"
            f" BETWEEN {low} AND {high} THEN ('[0:{high - low}]={{{bits}}}'::bigint[])"
            f"[(t.questionchoice_id - {low})::int] END, {_NOT_PACKED})) AS bits"
            f" FROM {Answer.choices.through._meta.db_table} t"
            f" JOIN {Answer._meta.db_table} packed ON packed.id = t.answer_id"
            f" WHERE packed.question_id IN ({questions}) GROUP BY t.answer_id)"
            f" {self.alias} ON {self.alias}.answer_id = a.id"
        )


def _packed(questions: list[tuple[Conference, Question, str]]) -> _Packed | None:
    """The choice questions whose cells are looked up by their choices packed (those of at
    most _CHOICES_AS_BITS choices, in order, while _PACKED_BITS last), or None when there is
    none or their ids span more than _PACKED_SPAN. One pass over the chosen choices, grouped
    by answer, then costs less than an index scan of each answer's choices."""
    offsets: dict[int, int] = {}
    bits: dict[int, int] = {}
    used = 0
    for _conference, question, _label in questions:
        choices = list(question.choices.all()) if question.has_choices else []
        if not choices or len(choices) > _CHOICES_AS_BITS or used + len(choices) > _PACKED_BITS:
            continue
        offsets[question.pk] = used
        for index, choice in enumerate(choices):
            bits[choice.pk] = 1 << (used + index)
        used += len(choices)
    if not bits or max(bits) - min(bits) >= _PACKED_SPAN:
        return None
    return _Packed(offsets, bits)


def _answer_cell(
    question: Question,
    time_zone: str,
    labels: _Labels,
    yes: str,
    no: str,
    packed: _Packed | None = None,
) -> tuple[str, list]:
    """The SQL of the question's cell over an answer `a` (joined to its choices packed when
    `packed` holds the question), as questions._question_columns() prints it in CSV, and its
    parameters."""
    kind = question.type
    if kind == QuestionType.NUMBER:
        # questions.number_value(): an int when whole (no decimals), else a float, which
        # Python prints as its shortest text: the decimal itself (14 digits at most, fewer
        # than a float keeps), trailing zeros cut.
        return "trim_scale(a.value_number)::text", []
    if kind == QuestionType.DATE:
        return "to_char(a.value_date, 'YYYY-MM-DD')", []
    if kind == QuestionType.DATETIME:
        return "to_char(timezone(%s, a.value_datetime), 'YYYY-MM-DD HH24:MI')", [time_zone]
    if kind == QuestionType.YES_NO:
        return "CASE WHEN a.value_bool THEN %s WHEN NOT a.value_bool THEN %s END", [yes, no]
    if kind == QuestionType.COUNTRY:
        return "(%s::jsonb ->> a.value_country)", [_json(labels.answer_countries)]
    if kind == QuestionType.FILE:
        return "a.file_name", []
    if not question.has_choices:
        return "a.value_text", []
    # The choices made, in the choices' order, when all are still the question's; else the
    # labels copied with the answer (a choice deleted since).
    through = Answer.choices.through._meta.db_table
    choices = list(question.choices.all())
    copied = (
        "(SELECT string_agg(x.label, '; ' ORDER BY x.n) FROM jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(a.choice_labels) = 'array' THEN a.choice_labels END)"
        " WITH ORDINALITY AS x(label, n))"
    )
    if not choices:
        return f"COALESCE((SELECT NULL FROM {through} t WHERE false), {copied})", []
    if len(choices) <= _CHOICES_AS_BITS:
        # Each choice a bit; the labels of every set of choices, in their order, looked up.
        cells = {
            str(chosen): "; ".join(
                choice.label for index, choice in enumerate(choices) if chosen >> index & 1
            )
            for chosen in range(1, 1 << len(choices))
        }
        if packed is not None and question.pk in packed.offsets:
            # Its bits alone (no other question's, no _NOT_PACKED), shifted to the cells' keys.
            offset = packed.offsets[question.pk]
            others = ~(((1 << len(choices)) - 1) << offset)
            chosen = f"{packed.alias}.bits"
            return (
                f"COALESCE(CASE WHEN {chosen} & ({others}) = 0"
                f" THEN %s::jsonb ->> ({chosen} >> {offset})::text END, {copied})",
                [_json(cells)],
            )
        bits = " ".join(
            f"WHEN {int(choice.pk)} THEN {1 << index}" for index, choice in enumerate(choices)
        )
        bit = f"CASE t.questionchoice_id {bits} END"
        return (
            "COALESCE("
            f"(SELECT CASE WHEN count(*) > 0 AND count(*) = count({bit})"
            f" THEN %s::jsonb ->> bit_or({bit})::text END"
            f" FROM {through} t WHERE t.answer_id = a.id), {copied})",
            [_json(cells)],
        )
    ranks = " ".join(f"WHEN {int(choice.pk)} THEN {index}" for index, choice in enumerate(choices))
    rank = f"CASE t.questionchoice_id {ranks} END"
    label = f"CASE t.questionchoice_id {' '.join(f'WHEN {int(c.pk)} THEN %s' for c in choices)} END"
    return (
        "COALESCE("
        f"(SELECT CASE WHEN count(*) > 0 AND count(*) = count({rank})"
        f" THEN string_agg({label}, '; ' ORDER BY {rank}) END"
        f" FROM {through} t WHERE t.answer_id = a.id), {copied})",
        [choice.label for choice in choices],
    )


def _question_parts(
    questions: list[tuple[Conference, Question, str]],
    labels: _Labels,
    separator: str,
    packed: _Packed | None = None,
) -> tuple[str, str, list, str]:
    """What both ways of writing the questions' cells share: the cells of a registration's
    answers `s` (question `s.q`, cell `s.c`) put in their columns, each after a separator;
    the answer's cell over an answer `a` (see _answer_cell), with its parameters; the
    questions' ids."""
    yes, no = yes_no_labels()
    cases, cases_params = [], []
    for conference, question, _label in questions:
        sql, params = _answer_cell(question, conference.time_zone, labels, yes, no, packed)
        cases.append(f"WHEN {int(question.pk)} THEN {sql}")
        cases_params += params
    columns = []
    for _conference, question, _label in questions:
        cell = f"max(s.c) FILTER (WHERE s.q = {int(question.pk)})"
        columns += [f"'\"{separator}\"'", _quoted(cell)]
    ids = ", ".join(str(int(question.pk)) for _conference, question, _label in questions)
    return _concat(columns), f"CASE a.question_id {' '.join(cases)} END", cases_params, ids


def _question_cells(
    questions: list[tuple[Conference, Question, str]], labels: _Labels, separator: str
) -> Sql:
    """The questions' cells of a row, each after a separator: one subquery over the
    registration's answers, each answer's cell worked out once, then put in its column."""
    in_columns, cell, params, ids = _question_parts(questions, labels, separator)
    return Sql(
        f"(SELECT {in_columns} FROM (SELECT a.question_id AS q,"
        f" {cell} AS c FROM {Answer._meta.db_table} a"
        " WHERE a.registration_id = {0}"
        f" AND a.question_id IN ({ids})) s)",
        "pk",
        params=params,
    )


def _question_cells_grouped(
    questions: list[tuple[Conference, Question, str]], labels: _Labels, separator: str
) -> tuple[_Joined, Sql]:
    """_question_cells() of every registration at once (the answers to the questions,
    grouped), and the cell that reads them: a registration without answers has its
    columns' separators only, as the subquery's concat() of no cells gives. The choices of
    the answers to the questions _packed() takes are read grouped too."""
    packed = _packed(questions)
    in_columns, cell, params, ids = _question_parts(questions, labels, separator, packed)
    joined = _Joined(
        "export_answers",
        f"SELECT s.rid, {in_columns} AS cells FROM (SELECT a.registration_id AS rid,"
        f" a.question_id AS q, {cell} AS c FROM {Answer._meta.db_table} a"
        f"{packed.clause() if packed else ''}"
        f" WHERE a.question_id IN ({ids})) s GROUP BY s.rid",
        params,
    )
    separators = f'"{separator}"' * len(questions)
    return joined, Sql(f"COALESCE({joined.alias}.cells, %s)", params=[separators])


def _attendee_cells(special_needs: bool, labels: _Labels, booked_sessions: Any) -> list[Any]:
    """The cells of columns.attendee_columns(), in its order, as SQL expressions (the booked
    sessions' cell given)."""
    cells: list[Any] = [
        "reference",
        _label("status", Registration.Status.choices),
        "first_name",
        "last_name",
        "email",
        "phone",
        "job_title",
        "organisation",
        "authority__name",
        Sql("(%s::jsonb ->> {0})", "authority__country", params=[_json(labels.countries)]),
        "authority__country",
        _label("category", Registration.Category.choices),
        _label("preferred_language", Registration.Language.choices),
        _label("interpretation_language", [("", ""), *SESSION_LANGUAGES]),
        booked_sessions,
        Sql(
            "to_char(timezone({0}, {1}), 'YYYY-MM-DD HH24:MI')",
            "conference__time_zone",
            "created_at",
        ),
    ]
    if special_needs:
        cells += ["dietary_needs", "accessibility_needs"]
    return cells


class CsvLines:
    """An export's columns (for its header) and its lines, chunk_size at a time as text;
    `rows` counts the lines given so far."""

    def __init__(
        self,
        columns: list[Column],
        lines: QuerySet,
        chunk_size: int,
        joined: Sequence[_Joined] = (),
    ):
        self.columns = columns
        self.rows = 0
        self.lines = lines  # the query, a text a row
        self.joined = list(joined)  # the tables of cells its rows are joined to
        self._chunk_size = chunk_size

    def sql_with_params(self) -> tuple[str, list]:
        """The lines' query, joined to its tables of cells: their LEFT JOINs go right after
        the registrations' table, the query's first FROM (its select list is this module's
        cells, no subquery among them when tables are joined), their parameters after the
        select list's."""
        sql, params = self.lines.query.sql_with_params()
        if not self.joined:
            return sql, list(params)
        table = f" FROM {connection.ops.quote_name(Registration._meta.db_table)}"
        at = _outer(sql, table) + len(table)
        before = sum(1 for found in _PARAMETER_OR_PERCENT.findall(sql[:at]) if found == "%s")
        clauses = "".join(joined.clause() for joined in self.joined)
        joined_params = [param for joined in self.joined for param in joined.params]
        return (
            sql[:at] + clauses + sql[at:],
            [*params[:before], *joined_params, *params[before:]],
        )

    @property
    def chunks(self) -> Iterator[str]:
        """The lines, sent by PostgreSQL's COPY as it makes them (no cursor to hold them all
        first), made formula-safe and ended here (csv_text), chunk_size at a time."""
        sql, params = self.sql_with_params()
        # In a transaction of its own (or the caller's) for SET LOCAL: the plan's cost, the
        # subqueries a row counted, would have PostgreSQL compile it (JIT) for seconds of CPU,
        # more than the whole export takes.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                batch: list[bytes] = []
                for block in copy:
                    batch.append(block)
                    if len(batch) == self._chunk_size:
                        self.rows += len(batch)
                        yield csv_text(b"".join(batch).decode())
                        batch = []
                if batch:
                    self.rows += len(batch)
                    yield csv_text(b"".join(batch).decode())


def attendee_csv_lines(
    queryset: QuerySet[Registration],
    *,
    special_needs: bool,
    delimiter: str,
    chunk_size: int,
) -> CsvLines | None:
    """The attendee list of `queryset` (in its order) as CSV lines built by PostgreSQL, with
    the columns they hold: the same text as the Python path's lines. None when the database
    cannot build them (see the module's docstring). The questions, labels and sessions are
    read now; the lines when iterated, chunk_size at a time through a server-side cursor."""
    if connection.vendor != "postgresql" or queryset.query.distinct:
        # A DISTINCT query selects its ordering's columns too, which COPY would write as
        # fields of their own after each line.
        return None
    conferences, questions = conferences_and_answered_questions(
        queryset, special_needs=special_needs
    )
    if not all(database_knows_time_zone(conference.time_zone) for conference in conferences):
        return None
    columns = attendee_columns(special_needs=special_needs, for_csv=True) + columns_of_questions(
        questions, export_format="csv"
    )
    labels = _labels(
        queryset,
        conferences,
        [question.pk for _c, question, _l in questions if question.type == QuestionType.COUNTRY],
    )
    grouped = _grouped(queryset, conferences)
    joined: list[_Joined] = []
    if grouped:
        booked = _booked_sessions_grouped(labels.sessions)
        joined.append(booked)
        cells = _attendee_cells(special_needs, labels, Sql(f"{booked.alias}.cell"))
    else:
        cells = _attendee_cells(special_needs, labels, _booked_sessions(labels.sessions))
    template = ["'\"'"]
    for index in range(len(cells)):
        if index:
            template.append(f"'\"{delimiter}\"'")
        template.append(_quoted(f"{{{index}}}"))
    expressions = list(cells)
    if questions:
        template.append(f"{{{len(cells)}}}")
        if grouped:
            answers, answer_cells = _question_cells_grouped(questions, labels, delimiter)
            joined.append(answers)
            expressions.append(answer_cells)
        else:
            expressions.append(_question_cells(questions, labels, delimiter))
    template.append("'\"'")
    line = Sql(_concat(template), *expressions)
    assert len(cells) + len(questions) == len(columns), "a column without its cell"
    lines = queryset.annotate(csv_line=line).values_list("csv_line", flat=True)

    return CsvLines(columns, lines, chunk_size, joined)


def _grouped(queryset: QuerySet[Registration], conferences: list[Conference]) -> bool:
    """Whether the export is a large enough share of its conferences' registrations (see
    _GROUPED_SHARE) to read their bookings and answers grouped."""
    if not conferences:
        return False
    # Both counts in one query: the export's queries stay as few as test_query_counts holds.
    # The listed ones counted apart (distinct, as a list joined to bookings may repeat a row),
    # not as a FILTER (pk IN listed) of the conferences' rows: a hash of the listed ids probed
    # a row, 0.26 s at 100,000 rows against 0.04.
    listed, listed_params = queryset.order_by().values("pk").query.sql_with_params()
    of_conferences, of_conferences_params = (
        Registration.objects.filter(conference__in=conferences)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM (SELECT DISTINCT * FROM ({listed}) s) listed),"
            f" (SELECT count(*) FROM ({of_conferences}) s)",
            [*listed_params, *of_conferences_params],
        )
        counted, of_their_conferences = cursor.fetchone()
    return counted >= _GROUPED_SHARE * of_their_conferences
