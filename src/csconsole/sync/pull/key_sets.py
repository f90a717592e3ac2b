"""Which keys the shop and the cache disagree on, found without reading every key.

Called when a table's key count or key sum differs between shop and cache. Keys are grouped
into at most about 512 buckets of equal width; each side sends one count and sum per bucket
(a single GROUP BY), and only the keys of buckets that differ are listed and compared. One
deleted customer among a million costs two aggregate queries and a few thousand keys.
"""

from __future__ import annotations

from sqlalchemy import Connection

from csconsole.sync.pull.cache_port import CacheStore
from csconsole.sync.shop.queries import ShopQueries

TARGET_BUCKETS = 512


def bucket_width(top_key: int) -> int:
    width = 1
    while (max(top_key, 0) + 1) / width > TARGET_BUCKETS:
        width *= 2
    return width


def reconcile(
    conn: Connection, q: ShopQueries, cache: CacheStore, entity: str, top_key: int
) -> tuple[list[int], list[int]]:
    """(keys in the cache the shop no longer has, keys in the shop the cache lacks)."""
    width = bucket_width(top_key)
    shop = {int(b): (int(n), int(s)) for b, n, s in conn.execute(q.buckets(width)).all()}
    mine = cache.key_buckets(entity, width)
    differ = sorted(b for b in set(shop) | set(mine) if shop.get(b) != mine.get(b))
    gone: list[int] = []
    missing: list[int] = []
    for bucket in differ:
        lo, hi = bucket * width, (bucket + 1) * width
        theirs = {int(r[0]) for r in conn.execute(q.keys_between(), {"lo": lo, "hi": hi})}
        ours = set(cache.keys_between(entity, lo, hi))
        gone.extend(sorted(ours - theirs))
        missing.extend(sorted(theirs - ours))
    return gone, missing
