"""Statements of the hottest path, built and compiled by the ORM once per process, then run with each call's values.

Django builds and compiles every query anew. For the small statements of a visit's entry that costs far more than
the database takes to run them (a lead read by its id: ~0.5 ms of Python against ~0.05 ms in PostgreSQL), and the
evening rush is thousands of entries a minute. A statement here is still written as a queryset, with a `Slot` where
each value of a call goes, so the rule it expresses keeps its one home (the Q objects and fields it is built from).
Everything that varies from call to call must be a Slot: any other value (a `timezone.now()`) is fixed at the first run.

Only what the evening's pages need (a visit's entry, the form, Today, the evening meeting, every request's session and
user): reads, as tuples or as objects with their select_related() ones and annotations, and UPDATEs.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Expression, Field, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery
from django.db.transaction import TransactionManagementError


class Slot(Expression):
    """Where the value named `name` goes when the statement runs; `output_field` says how it is written for the
    database (a date is text on SQLite, a date on PostgreSQL)."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def __repr__(self):
        return f"Slot({self.name!r})"


@dataclass(frozen=True)
class _Compiled:
    """What a statement's first run compiles: everything a call reads, published at once (see `_compile`)."""

    sql: str
    params: list
    slots: list
    model: type[Model]
    using: str
    converters: dict
    locking: bool = False
    # How to make objects of a row, as the ORM does; None for a values_list() or an UPDATE.
    init_list: list | None = None
    own_columns: slice | None = None
    related: list = field(default_factory=list)
    annotations: list = field(default_factory=list)


class Statement:
    """A queryset with `Slot`s, from `build()`, compiled the first time it runs: `rows(**values)` reads tuples (a
    values_list()), `objects(**values)` model objects, and with `update` (the fields to set, Slots allowed) the
    statement is that UPDATE of the rows it selects, run by `update(**values)`."""

    def __init__(self, build: Callable[[], QuerySet], *, update: Callable[[], dict] | None = None):
        self._build = build
        self._update = update
        self._compiled = None

    def _compile(self) -> _Compiled:
        # Built whole, then published in one assignment: threads that run a new statement at once (a threaded
        # server's first requests) may each compile it, but none ever reads another's half-built compilation.
        queryset = self._build()
        query, using = queryset.query, queryset.db
        objects = {}
        converters, locking = {}, False
        if self._update is not None:
            sql, params = self._statement_of(query).get_compiler(using).as_sql()
        else:
            compiler = query.get_compiler(using)
            sql, params = compiler.as_sql()
            columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
            converters = compiler.get_converters(columns)
            if compiler.klass_info and not query.values_select:
                # As the ORM reads objects: the model's own columns, each select_related() one's, the annotations.
                own = compiler.klass_info["select_fields"]
                own_columns = slice(own[0], own[-1] + 1)
                objects = {
                    "own_columns": own_columns,
                    "init_list": [column.target.attname for column in columns[own_columns]],
                    "related": get_related_populators(compiler.klass_info, compiler.select, using),
                    "annotations": list(compiler.annotation_col_map.items()),
                }
            # As the ORM: a locking read outside a transaction is a mistake, except where locks do not exist.
            locking = query.select_for_update and connections[using].features.has_select_for_update
        slots = [(index, param) for index, param in enumerate(params) if isinstance(param, Slot)]
        if self._written() != (sql, [None if isinstance(param, Slot) else param for param in params]):
            # Something of the moment in the build (a timezone.now()) would stay the first call's for good.
            raise ValueError("a compiled statement must be built the same every time: give what varies as a Slot")
        compiled = _Compiled(
            sql=sql,
            params=list(params),
            slots=slots,
            model=queryset.model,
            using=using,
            converters=converters,
            locking=locking,
            **objects,
        )
        self._compiled = compiled
        return compiled

    def _statement_of(self, query):
        """The query a build's queryset stands for: itself, or the UPDATE of the rows it selects."""
        if self._update is None:
            return query
        update = query.chain(UpdateQuery)
        update.add_update_values(self._update())
        return update

    def _written(self) -> tuple[str, list]:
        """The statement built and compiled once more, its Slots blanked."""
        queryset = self._build()
        sql, params = self._statement_of(queryset.query).get_compiler(queryset.db).as_sql()
        return sql, [None if isinstance(param, Slot) else param for param in params]

    def _execute(self, compiled: _Compiled, values: dict):
        if {slot.name for _index, slot in compiled.slots} != values.keys():
            names = sorted({slot.name for _index, slot in compiled.slots})
            raise TypeError(f"the statement takes {names}, not {sorted(values)}")
        connection = connections[compiled.using]
        if compiled.locking and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for index, slot in compiled.slots:
            params[index] = slot.output_field.get_db_prep_value(values[slot.name], connection, prepared=False)
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, params)
        except BaseException:
            cursor.close()
            raise
        return cursor, connection

    def rows(self, **values) -> list[tuple]:
        if self._update is not None:
            raise ValueError("this statement is an UPDATE: run it with update()")
        return self._rows(self._compiled or self._compile(), values)

    def _rows(self, compiled: _Compiled, values: dict) -> list[tuple]:
        cursor, connection = self._execute(compiled, values)
        with cursor:
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, (converters, expression) in compiled.converters.items():
                for converter in converters:
                    row[index] = converter(row[index], expression, connection)
            converted.append(tuple(row))
        return converted

    def objects(self, **values) -> list[Model]:
        compiled = self._compiled or self._compile()
        if compiled.init_list is None:
            raise ValueError("this statement reads values, not model objects: use rows()")
        found = []
        for row in self._rows(compiled, values):
            model = compiled.model.from_db(compiled.using, compiled.init_list, row[compiled.own_columns])
            for related in compiled.related:
                related.populate(row, model)
            for name, column in compiled.annotations:
                setattr(model, name, row[column])
            found.append(model)
        return found

    def first(self, **values) -> Model | None:
        """The first object `objects` reads, or None."""
        found = self.objects(**values)
        return found[0] if found else None

    def update(self, **values) -> int:
        if self._update is None:
            raise ValueError("this statement reads: run it with rows() or objects()")
        cursor, _connection = self._execute(self._compiled or self._compile(), values)
        with cursor:
            return cursor.rowcount


class Counting(Statement):
    """How many rows a queryset selects, as its `.count()` says, compiled once: `count(**values)`. `by` is a field
    its filter holds to one value (a rep, a user): the count is grouped by it, one row or none."""

    def __init__(self, build: Callable[[], QuerySet], *, by: str):
        super().__init__(lambda: build().order_by().values(by).annotate(counted=Count("pk")).values_list("counted"))

    def count(self, **values) -> int:
        rows = self.rows(**values)
        return rows[0][0] if rows else 0
