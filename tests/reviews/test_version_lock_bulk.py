import pytest

from reviews.models import PublishedVersionLocked, QuestionnaireVersion


def test_bulk_update_of_a_published_version_is_refused(questionnaires):
    published = QuestionnaireVersion.objects.filter(status="published")
    with pytest.raises(PublishedVersionLocked):
        published.update(guidance="rewritten")
    with pytest.raises(PublishedVersionLocked):
        published.update(status="draft")
    with pytest.raises(PublishedVersionLocked):
        published.delete()


def test_changelog_of_a_published_version_is_frozen(questionnaires):
    version = QuestionnaireVersion.objects.filter(status="published").first()
    version.changelog = "quietly changed"
    with pytest.raises(PublishedVersionLocked):
        version.save()


def test_retiring_a_published_version_is_allowed(questionnaires):
    version = QuestionnaireVersion.objects.filter(status="published").first()
    version.retire()
    assert QuestionnaireVersion.objects.get(pk=version.pk).status == "retired"
