"""Django's Redis cache, with one Redis client kept per connection pool.

Django's RedisCacheClient builds a `redis.Redis` object around its pool on every call (its
__init__ copies and checks a dozen options: about 0.1 ms of CPU, against 0.05 for the GET
itself), five or six times a registration. A client is only its pool and options, and is
thread-safe; the backend object is one per thread already (django.core.cache.caches). The
pools, the keys, the serialisation and every operation are Django's."""

from typing import Any

import redis
from django.core.cache.backends import redis as django_redis


class KeptClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
