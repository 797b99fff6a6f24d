"""The Redis cache backend (config/redis_cache.py): Django's, with its client kept."""

import uuid

import pytest
import redis
from django.core.cache import caches

pytestmark = pytest.mark.services


@pytest.fixture
def redis_cache(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    prefix = f"{settings.REDIS_KEY_PREFIX}kept-client-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(settings.REDIS_URL)
    yield caches["default"]
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client(write=True)

    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client("a key", write=True) is client


def test_operations_are_djangos(redis_cache):
    assert redis_cache.add("token", "pending", 60)
    assert not redis_cache.add("token", "other", 60)
    redis_cache.set("outcome", {"location": "/done/", "session": {"conference": 1}}, 60)
    redis_cache.set("count", 1, 60)

    assert redis_cache.get("token") == "pending"
    assert redis_cache.get_many(["outcome", "missing"]) == {
        "outcome": {"location": "/done/", "session": {"conference": 1}}
    }
    assert redis_cache.incr("count") == 2
    redis_cache.delete("token")
    assert redis_cache.get("token") is None


def test_a_server_down_raises_what_the_guards_catch(settings):
    from config.cache_safety import CACHE_ERRORS

    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    for _ in range(2):  # the kept client too
        with pytest.raises(CACHE_ERRORS):
            caches["default"].get("anything")
