"""The failure classes of issue #16, each with fresh sentences (not from any corpus).

False alarms the check must not raise, and blame, hindsight and vague actions it must find.
"""

from __future__ import annotations

import pytest

from wording import lint

CLEAN = [
    ("factor", "The retry limiter should have capped the retries at five per second."),
    ("factor", "The validator should have rejected the malformed manifest."),
    ("summary", "Latency should have returned to normal by 09:30 once the cache warmed."),
    ("factor", "The new cluster should have more headroom than the old one."),
    ("factor", "They restarted the pods in the order the runbook listed."),
    ("factor", "We rolled back at 10:14 and they recovered within a minute."),
    ("factor", "The DNS record was deleted by mistake during the zone migration."),
    ("lesson", "Guard rails help us avoid mistakes of this kind."),
    ("factor", "The cleanup script forgot to skip the primary because its host filter was empty."),
    ("lesson", 'Calling it "human error" would have ended the analysis too early.'),
    ("factor", "The deploy tool accepted a hostname that did not match the environment."),
    ("factor", "The engineer on call was paged at 02:14 and acknowledged within 3 minutes."),
    ("action", "Add a pre-deploy check that fails when the manifest has over 200 features."),
    ("action", "Page the payments on-call when checkout p99 latency exceeds 800 ms for 5 min."),
    ("summary", "Customers missed push notifications for 40 minutes."),
    ("factor", "A forgotten cron job kept writing to the decommissioned bucket."),
    ("lesson", "Onboarding for new engineers did not cover the failover runbook."),
]

FOUND = [
    ("blame", "factor", "A junior engineer deleted the production table."),
    ("blame", "factor", "The release engineer pushed the wrong build."),
    ("blame", "factor", "The technician unplugged the wrong power feed."),
    ("blame", "factor", "The deployer ignored the canary alarm."),
    ("blame", "factor", "She had accidentally dropped the users table."),
    ("blame", "factor", "The operator on call misread the dashboard."),
    ("blame", "factor", "The customer misconfigured their origin and took down the POP."),
    ("blame", "factor", "Dmitri's change broke the login flow."),
    ("blame", "factor", "The engineer neglected to run the migration check."),
    ("blame", "factor", "The developer was careless with the feature flag."),
    ("counterfactual", "factor", "The outage could have been completely prevented with a canary."),
    ("counterfactual", "factor", "We should have at least been alerted by the error budget alarm."),
    ("counterfactual", "factor", "We could've caught this in staging."),
    ("counterfactual", "factor", "A load test might have caught it."),
    ("counterfactual", "factor",
     "Had anyone looked at the dashboard, the outage would have been shorter."),
    ("counterfactual", "factor", "The team needed to have tested the restore procedure."),
    ("counterfactual", "lesson", "In hindsight the engineers should have paused the rollout."),
    ("vague_action", "action", "Review the on-call procedures."),
    ("vague_action", "action", "Add more dashboards."),
    ("vague_action", "action", "Improve the robustness of the ingestion pipeline."),
    ("vague_action", "action", "Strengthen our deployment processes."),
    ("vague_action", "action", "Try harder to avoid outages."),
    ("vague_action", "action", "Stay alert during deploys."),
    ("vague_action", "action", "Be more diligent when reviewing changes."),
    ("vague_action", "action", "Educate developers about rate limits."),
    ("vague_action", "action", "Monitor the database more closely."),
    ("vague_action", "action", "Make sure this never happens again."),
    ("vague_action", "action", "Harden the deploy pipeline."),
    ("vague_action", "action", "Make deploys safer."),
    ("vague_action", "action", "Revisit the rollback strategy."),
]


@pytest.mark.parametrize(("field", "text"), CLEAN, ids=[t[:40] for _, t in CLEAN])
def test_clean_sentence_is_not_flagged(field, text):
    assert [(text[f.start : f.end], f.rule_id) for f in lint(text, field)] == []


@pytest.mark.parametrize(("category", "field", "text"), FOUND, ids=[t[:40] for *_, t in FOUND])
def test_sentence_of_the_class_is_found(category, field, text):
    assert category in {f.rule for f in lint(text, field)}
