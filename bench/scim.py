"""An identity provider's first sync and re-sync over SCIM: users per second and queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careerconv python bench/scim.py [--users 10000] [--small 1000]

Runs on a fresh database named after DATABASE_URL's plus `_scim` (dropped and created), through the whole Django
stack in this process (middleware, token check, rate limit, audit of each call), the way Entra ID syncs:

1. first sync of the first `--small` users: a POST each, then a PATCH each setting its manager (a tree ten wide);
2. the same for the rest, up to `--users`: the PATCHes of step 1 and of step 2 show whether a PATCH costs more
   queries as the organisation grows ten times;
3. a re-sync that changes nothing: for each user a GET by `externalId` filter, then a PATCH sending the same values.

Prints one line per phase and ends with one key=value line.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import django_env, figures_line, fresh_database, percentile, setup_django  # noqa: E402

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "People", "Support", "Product", "Design"]


def user(n):
    return {
        "schemas": [CORE, ENTERPRISE], "externalId": f"entra-{n}", "userName": f"person{n}@example.com",
        "name": {"givenName": f"First{n}", "familyName": f"Last{n}"}, "displayName": f"First{n} Last{n}",
        "emails": [{"value": f"person{n}@example.com", "type": "work", "primary": True}], "active": True,
        "title": f"Engineer {n % 5}",
        ENTERPRISE: {"employeeNumber": f"E{n:06d}", "department": DEPARTMENTS[n % len(DEPARTMENTS)]},
    }


def manager_patch(manager_id):
    return {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": manager_id},
    ]}


def unchanged_patch(n, manager_id):
    operations = [
        {"op": "Replace", "path": "active", "value": "True"},
        {"op": "Replace", "path": "title", "value": f"Engineer {n % 5}"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": f"person{n}@example.com"},
    ]
    if manager_id:
        operations.append({"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": manager_id})
    return {"schemas": [PATCH], "Operations": operations}


class Provider:
    """Sends SCIM calls through Django's test client, counting each call's queries and time."""

    def __init__(self, secret):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.queries = {}
        self.seconds = {}

    def call(self, phase, method, path, body=None):
        from django.db import connection

        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = self.client.generic(method, f"/scim/v2/{path}", json.dumps(body) if body else "",
                                           content_type="application/scim+json")
            elapsed = time.perf_counter() - started
        assert response.status_code < 300, (method, path, response.status_code, response.content[:300])
        self.queries.setdefault(phase, []).append(len(executed))
        self.seconds[phase] = self.seconds.get(phase, 0.0) + elapsed
        return response.json() if response.content else None

    def report(self, phase, users):
        counts = self.queries[phase]
        print(f"{phase:<24} {len(counts):>6,} calls {self.seconds[phase]:8.1f} s {users / self.seconds[phase]:7.1f}"
              f" users/s  queries/call median {statistics.median(counts):g} p95 {percentile(counts, 0.95):g}"
              f" max {max(counts)}")


def sync(provider, ids, first, last, label):
    for n in range(first, last):
        ids[n] = provider.call(f"{label} POST", "POST", "Users", user(n))["id"]
    for n in range(max(first, 1), last):
        provider.call(f"{label} PATCH manager", "PATCH", f"Users/{ids[n]}", manager_patch(ids[(n - 1) // 10]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    arguments = parser.parse_args()
    total, small = arguments.users, arguments.small

    database_url = fresh_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/careerconv"),
                                  "scim")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-scim-"))
    setup_django(django_env(database_url=database_url, var_dir=var_dir, ALLOWED_HOSTS="testserver"))

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from people.models import Person
    from people.scim import tokens

    call_command("migrate", verbosity=0)
    # The benchmark's own calls must not be throttled: it measures the work, not the limit.
    settings.SCIM_RATE_LIMIT_PER_MINUTE = 10_000_000
    secret = tokens.create_token(name="bench", created_by=None, now=timezone.now())[1]
    provider = Provider(secret)
    ids = {}

    started = time.perf_counter()
    sync(provider, ids, 0, small, f"sync {small:,}")
    sync(provider, ids, small, total, f"sync to {total:,}")
    first_sync = time.perf_counter() - started
    for label, users in ((f"sync {small:,}", small), (f"sync to {total:,}", total - small)):
        provider.report(f"{label} POST", users)
        provider.report(f"{label} PATCH manager", users)

    started = time.perf_counter()
    for n in range(total):
        found = provider.call("re-sync GET", "GET", f'Users?filter=externalId eq "entra-{n}"')
        assert found["totalResults"] == 1
        provider.call("re-sync PATCH", "PATCH", f"Users/{ids[n]}",
                      unchanged_patch(n, ids[(n - 1) // 10] if n else None))
    re_sync = time.perf_counter() - started
    provider.report("re-sync GET", total)
    provider.report("re-sync PATCH", total)

    with_manager = Person.objects.filter(manager__isnull=False).count()
    assert with_manager == total - 1, with_manager
    small_patch = provider.queries[f"sync {small:,} PATCH manager"]
    large_patch = provider.queries[f"sync to {total:,} PATCH manager"]
    resync = provider.queries["re-sync GET"] + provider.queries["re-sync PATCH"]
    print(f"first sync: {total:,} users in {first_sync:.0f} s; re-sync: {re_sync:.0f} s; "
          f"{with_manager:,} reporting lines")
    print(figures_line({
        "users": total,
        "first_sync_users_per_s": f"{total / first_sync:.1f}",
        "resync_users_per_s": f"{total / re_sync:.1f}",
        "post_queries_median": f"{statistics.median(provider.queries[f'sync {small:,} POST']):g}",
        f"patch_queries_median_at_{small}": f"{statistics.median(small_patch):g}",
        f"patch_queries_p95_at_{small}": f"{percentile(small_patch, 0.95):g}",
        f"patch_queries_median_at_{total}": f"{statistics.median(large_patch):g}",
        f"patch_queries_p95_at_{total}": f"{percentile(large_patch, 0.95):g}",
        "resync_queries_median": f"{statistics.median(resync):g}",
        "resync_queries_p95": f"{percentile(resync, 0.95):g}",
    }))


if __name__ == "__main__":
    main()
