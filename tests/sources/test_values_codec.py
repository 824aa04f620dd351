"""Row keys as JSON: integers and texts untagged (a sweep journals millions), every other
type tagged, blobs of every form (and the database's own writing) read back the same."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa

from pledge.sources.connect import create_source_engine
from pledge.sources.values_codec import decode_keys, encode_keys

MIXED = [
    (7, dt.date(2026, 1, 31), Decimal("12.50"), UUID("12345678-1234-5678-1234-567812345678")),
    (8, dt.date(2025, 12, 1), Decimal("0.01"), UUID("87654321-4321-8765-4321-876543218765")),
]


def test_one_column_of_integers_or_texts_is_a_plain_list() -> None:
    assert json.loads(encode_keys([(1,), (2,), (3,)])) == {"column": [1, 2, 3]}
    assert json.loads(encode_keys([("a@example.com",), ("é",)])) == {
        "column": ["a@example.com", "é"]
    }
    assert decode_keys(encode_keys([(1,), (2,)])) == [(1,), (2,)]
    assert decode_keys(encode_keys([])) == []


def test_keys_of_several_integers_or_texts_are_plain_lists() -> None:
    keys = [(1, "a"), (1, "b"), (2, "a")]
    assert json.loads(encode_keys(keys)) == {"plain": [[1, "a"], [1, "b"], [2, "a"]]}
    assert decode_keys(encode_keys(keys)) == keys


def test_any_other_type_keeps_its_tags() -> None:
    # True would come back 1 from a plain list, and a date a text.
    for keys in ([(True,), (False,)], [(1,), (None,)], MIXED, [(1.5,)]):
        blob = encode_keys(keys)
        assert isinstance(json.loads(blob), list)
        assert decode_keys(blob) == keys
        assert [type(v) for key in decode_keys(blob) for v in key] == [
            type(v) for key in keys for v in key
        ]


def test_blobs_written_before_the_plain_forms_still_open() -> None:
    old = b'[[["", 7]], [["date", "2026-01-31"]], [["", "x"]]]'
    assert decode_keys(old) == [(7,), (dt.date(2026, 1, 31),), ("x",)]


def test_the_list_postgresql_writes_for_a_batch_opens_as_python_wrote_it(
    postgres_company_url: str,
) -> None:
    engine = create_source_engine(postgres_company_url)
    query = sa.text(
        "SELECT json_build_object('column', json_agg(v))::text FROM"
        " (VALUES (:a), (:b), (:c)) AS t(v)"
    )
    with engine.connect() as connection:
        texts = connection.execute(query, {"a": 'quote " here', "b": "é\nline", "c": "x"})
        blob = texts.scalar_one()
        numbers = connection.exec_driver_sql(
            "SELECT json_build_object('column', json_agg(v))::text"
            " FROM (VALUES (9007199254740993::bigint), (-1)) AS t(v)"
        ).scalar_one()
    engine.dispose()
    assert decode_keys(blob.encode()) == [('quote " here',), ("é\nline",), ("x",)]
    # Beyond a double's precision, still the exact integer.
    assert decode_keys(numbers.encode()) == [(9007199254740993,), (-1,)]
