"""Load questionnaire versions from YAML files: `manage.py load_questionnaire FILE [FILE …]`."""

from django.core.management.base import BaseCommand, CommandError

from reviews.loading import QuestionnaireFileError, load_questionnaire_file
from reviews.models import QuestionnaireVersion


class Command(BaseCommand):
    help = (
        "Load questionnaire versions from YAML files. Loading an unchanged file again does "
        "nothing; a changed file needs a new version number."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="YAML files, e.g. fixtures/orr/v1.yaml")

    def handle(self, *args, files: list[str], **options):
        for path in files:
            # One transaction per file: files loaded before a failing one stay loaded, and the
            # output says which ones those were.
            try:
                version, created = load_questionnaire_file(path)
            except QuestionnaireFileError as exc:
                raise CommandError(str(exc)) from exc
            if options["verbosity"] > 0:
                self._report(path, version, created)

    def _report(self, path: str, version: QuestionnaireVersion, created: bool) -> None:
        label = f"{version.questionnaire.kind} v{version.number} ({version.status})"
        if created:
            self.stdout.write(self.style.SUCCESS(f"created: {label} from {path}"))
            return
        self.stdout.write(f"unchanged: {label} from {path}")
        if version.status == QuestionnaireVersion.Status.DRAFT:
            self.stdout.write(
                f"  it is a draft; publish it with: manage.py publish_questionnaire "
                f"{version.questionnaire.kind} {version.number}"
            )
