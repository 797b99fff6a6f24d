"""Real concurrency for the tests that race for places on PostgreSQL: threads, each with its own
database connection, started together."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def run_concurrently(count: int, action, *, connections_at_once: int = 40) -> list:
    """Run action(0) … action(count - 1) in threads that all start together, at most
    `connections_at_once` at a time (each holds a database connection, and PostgreSQL's
    default limit is 100)."""
    start = threading.Event()

    def worker(index: int):
        try:
            start.wait()
            return action(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=min(count, connections_at_once)) as pool:
        futures = [pool.submit(worker, index) for index in range(count)]
        start.set()
        return [future.result() for future in futures]
