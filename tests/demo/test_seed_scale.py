"""The scale data is built with the domains' own shapes (orr.services.snapshot_of)."""

import pytest
from django.core.management import call_command

from orr import services as orr_services
from orr.models import Milestone
from postmortems.models import FactorAction


@pytest.mark.django_db(transaction=True)
def test_seeded_milestones_are_what_the_orr_service_freezes(questionnaires):
    call_command("seed_scale", "--teams=2", "--services=4", "--orrs=12", "--coes=4",
                 "--actions=40", "--seed=3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    milestones = list(Milestone.objects.filter(automatic=True).select_related("review"))
    assert milestones, "the seed approved no ORR"
    for milestone in milestones:
        assert milestone.snapshot == orr_services.snapshot(milestone.review)
    assert FactorAction.objects.exists()  # COE items link to their factors
