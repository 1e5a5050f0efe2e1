from reviews.events import Verb
from reviews.models import Decision, Event
from reviews.services import document_assign_reviewer


def test_a_decision_is_logged_under_a_verb_of_the_enum():
    assert set(Decision.Verdict.values) <= set(Verb.values)


def test_the_log_stores_the_plain_verb_string(review, author, reviewer):
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    verbs = list(Event.objects.filter(document_id=review.pk).values_list("verb", flat=True))
    assert verbs == [Verb.STARTED.value, Verb.REVIEWER_ASSIGNED.value]
    assert all(verb in Verb.values for verb in verbs)
