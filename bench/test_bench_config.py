"""`make bench` without PostgreSQL: the bench's SQLite database is a file next to the dev database
that Django can open (it was `sqlite://work/...`: "unable to open database file")."""

import environ

from bench.config import bench_database_url


def test_an_absolute_sqlite_path_keeps_its_path_and_gets_the_bench_suffix(tmp_path):
    url = bench_database_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert url == f"sqlite:///{tmp_path / 'db_bench.sqlite3'}"
    assert environ.Env.db_url_config(url)["NAME"] == str(tmp_path / "db_bench.sqlite3")


def test_a_postgres_url_gets_a_database_of_its_own():
    assert (
        bench_database_url("postgres://postgres@127.0.0.1:5432/onb") == "postgres://postgres@127.0.0.1:5432/onb_bench"
    )
