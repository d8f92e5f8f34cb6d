"""A benchmark's own PostgreSQL database, and a fast bulk copy of meter readings into it.

Import before Django is set up: ``bench_database_create(name)`` (re)creates ``name`` on the
server of the configured ``DATABASE_URL`` and points ``DATABASE_URL`` at it, so that
``django.setup()`` and any subprocess started afterwards use it; ``bench_database_drop(name)``
at the end. ``readings_copy`` needs Django.
"""

from __future__ import annotations

import os

BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ilusmart")


def server_url(database: str) -> str:
    """``DATABASE_URL`` with its database name replaced by ``database``."""
    return BASE_URL.rsplit("/", 1)[0] + "/" + database


def admin_execute(sql: str, params=None) -> None:
    """Run ``sql`` outside a transaction in the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg2

    conn = psycopg2.connect(server_url("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        conn.close()


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


def bench_database_create(name: str) -> str:
    """Drop ``name`` if it exists, create it empty, point ``DATABASE_URL`` at it; its URL."""
    bench_database_drop(name)
    admin_execute(f"CREATE DATABASE {_quoted(name)}")
    url = server_url(name)
    os.environ["DATABASE_URL"] = url
    return url


def bench_database_drop(name: str) -> None:
    """Drop ``name`` (closing the connections other processes may still hold to it)."""
    admin_execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


def readings_copy(*, source_ids: list[int], target_ids: list[int]) -> None:
    """Give each meter of ``target_ids`` the stored rows of one meter of ``source_ids`` (round robin).

    ``meters_readingday`` and ``meters_dailytotal`` rows are copied with INSERT … SELECT, one
    transaction per table: loading 1,000 meter-years takes seconds instead of an ingest each.
    """
    from django.db import connection, transaction

    from meters.services.ingest import READING_COLUMNS, TOTAL_COLUMNS

    for table, columns in (("meters_readingday", READING_COLUMNS), ("meters_dailytotal", TOTAL_COLUMNS)):
        others = ", ".join(f"r.{c}" for c in columns[1:])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT m.id, {others} FROM unnest(%s::bigint[]) WITH ORDINALITY AS m(id, n) "
                f"JOIN {table} r ON r.meter_id = (%s::bigint[])[1 + (m.n - 1) %% %s]",
                [target_ids, source_ids, len(source_ids)],
            )
