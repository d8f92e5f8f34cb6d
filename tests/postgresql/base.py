"""The test suite's database backend: Django's PostgreSQL backend, emptying tables with DELETE.

A transactional test (``django_db(transaction=True)``, every browser test, tests/conftest.py)
ends with Django's flush, which empties every table with one ``TRUNCATE``. PostgreSQL gives
each truncated table and index new files: about 0.35 s for this project's tables, after every
such test, while a test leaves only a few rows behind. ``DELETE FROM`` each table empties them
the same way in a few milliseconds (same end state: every table empty, sequences not reset).

Two things ``TRUNCATE`` did on the side are done explicitly: foreign keys are checked at the
end (``SET CONSTRAINTS ALL DEFERRED``; Django's are deferrable, so the order of the deletes does
not matter), and tables whose own triggers refuse a DELETE (the append-only access records, the
final published policy versions) have those triggers switched off for the flush only, in the
flush's transaction. A flush that resets sequences or cascades is left to Django's TRUNCATE.

Only ilusmart/settings_test.py uses this; everything else is Django's backend unchanged.
"""

from django.db.backends.postgresql import base, operations

# Tables with triggers of their own (not the internal ones that enforce foreign keys).
USER_TRIGGER_TABLES = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
"""


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        with self.connection.cursor() as cursor:
            cursor.execute(USER_TRIGGER_TABLES)
            guarded = sorted({row[0] for row in cursor.fetchall()} & set(tables))
        return [
            "SET CONSTRAINTS ALL DEFERRED;",
            *(f"ALTER TABLE {self.quote_name(table)} DISABLE TRIGGER USER;" for table in guarded),
            *(f"DELETE FROM {self.quote_name(table)};" for table in tables),  # noqa: S608 (quoted table names)
            *(f"ALTER TABLE {self.quote_name(table)} ENABLE TRIGGER USER;" for table in guarded),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
