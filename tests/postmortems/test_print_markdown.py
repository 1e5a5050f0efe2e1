"""The COE PDF renders contributing factors as Markdown, as the page does."""

from django.template.loader import render_to_string

from postmortems import services
from postmortems.models import ContributingFactor
from postmortems.printing import coe_print_context


def test_contributing_factor_is_markdown_in_print(coe, author):
    services.factor_add(postmortem=coe, by=author, category=ContributingFactor.Category.TECHNICAL,
                        text="The `max_connections` setting had **no** upper bound.")
    template = "postmortems/print.html"
    html = render_to_string(template, coe_print_context(coe))
    assert "<code>max_connections</code>" in html
    assert "<strong>no</strong>" in html
    assert "`max_connections`" not in html
