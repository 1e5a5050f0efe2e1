"""What a COE prints (postmortems/print.html): the PDF export of a postmortem."""

from __future__ import annotations

from postmortems.models import Postmortem
from postmortems.selectors import page_data
from reviews.printing import print_base_context

PRINT_TEMPLATE = "postmortems/print.html"


def coe_print_context(postmortem: Postmortem) -> dict:
    """For postmortems/print.html: the COE page's own data (``page_data``)."""
    return {
        **print_base_context(
            postmortem.title,
            f"{postmortem.code} · {postmortem.get_state_display()} · {postmortem.version}",
        ),
        "postmortem": postmortem,
        "data": page_data(postmortem),
    }
