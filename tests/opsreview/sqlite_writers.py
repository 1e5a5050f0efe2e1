"""Concurrent writers on a file SQLite database, run in its own process by test_sqlite_writers.

    python -m tests.opsreview.sqlite_writers PATH/TO/db.sqlite3

Prints one JSON object: per write path, how many writers succeeded, how many failed with
"database is locked" (or any other database error), and how many were refused by a rule.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from collections import Counter

WRITERS = 12


def main(db_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsreview.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from tests.conftest import load_shipped_questionnaires

    load_shipped_questionnaires()
    print(json.dumps(run()))


def run() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import DatabaseError, connection
    from django.utils import timezone

    from catalog.models import Membership
    from orr import services as orr_services
    from postmortems import services as coe_services
    from postmortems.models import ContributingFactor, Postmortem
    from reviews.models import Answer
    from reviews.services import document_assign_reviewer, document_decide, document_submit
    from tests.conftest import answer_everything, join, make_service, make_team

    users = get_user_model().objects
    payments, platform = make_team("Payments", slug="payments"), make_team("Platform", slug="pl")
    service = make_service(payments, tier=1)
    author = users.create_user("author", password="pw")
    join(author, payments)
    review = orr_services.orr_start(service=service, by=author, trigger="pre_launch")
    answer_everything(review, author)
    reviewers = []
    for n in range(WRITERS):
        reviewer = users.create_user(f"reviewer{n}", password="pw")
        join(reviewer, platform, Membership.Role.REVIEWER)
        document_assign_reviewer(document=review, reviewer=reviewer, by=author)
        reviewers.append(reviewer)
    document_submit(document=review, by=author)
    other = orr_services.orr_start(service=make_service(payments), by=author, trigger="pre_launch")
    coe = coe_services.postmortem_create(
        service=service, by=author, title="Writers", incident_start=timezone.now(),
        incident_tz="UTC", severity=Postmortem.Severity.SEV2, customers_affected=1,
        customers_description="", tag_names=[],
    )
    connection.close()

    def milestone(n):
        orr_services.milestone_save(review=other, name=f"M{n}", by=author)

    def autosave(n):
        answer = Answer.objects.filter(document=other).order_by("pk")[n % 5]
        answer.save_if_current(base_revision=answer.revision, by=author, text=f"autosave {n}",
                               risk=Answer.Risk.NONE)

    def approve(n):
        document_decide(document=review, reviewer=reviewers[n], verdict="approve",
                        reason="Looks ready.")

    def action(n):
        coe_services.action_add(
            postmortem=coe, by=author, title=f"Action {n}", owner=author, priority="P2",
            due_date=timezone.localdate() + dt.timedelta(days=30),
        )

    def factor(n):
        coe_services.factor_add(postmortem=coe, by=author, text=f"Factor {n}",
                                category=ContributingFactor.Category.TECHNICAL)

    def race(*writers) -> Counter:
        outcome: Counter = Counter()
        barrier = threading.Barrier(len(writers))

        def one(write, n):
            barrier.wait()
            try:
                write(n)
                outcome["saved"] += 1
            except (ValidationError, PermissionDenied):
                outcome["refused"] += 1
            except DatabaseError as exc:
                outcome["error: " + str(exc)] += 1
            finally:
                connection.close()

        threads = [threading.Thread(target=one, args=(w, n)) for n, w in enumerate(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return outcome

    return {
        "milestone": race(*[milestone] * WRITERS),
        "milestone+autosave": race(*[milestone, autosave] * (WRITERS // 2)),
        "approval": race(*[approve] * WRITERS),
        "action item": race(*[action] * WRITERS),
        "factor": race(*[factor] * WRITERS),
    }


if __name__ == "__main__":
    main(sys.argv[1])
