"""{% select %}: a whole select from (value, label) rows: escaped, the chosen one selected,
keyword arguments as attributes."""

from django.template import Context, Template


def render(choices, selected, extra=""):
    template = Template('{% load options %}{% select "team" choices selected id="f-team" '
                        'class="form-select"' + extra + " %}")
    return template.render(Context({"choices": choices, "selected": selected}))


def test_options_are_escaped_and_the_chosen_one_is_selected():
    html = render([("a", "<b>Alpha & co</b>"), ('b"x', "Beta")], "a")
    assert html == ('<select name="team" id="f-team" class="form-select">'
                    '\n  <option value="a" selected>&lt;b&gt;Alpha &amp; co&lt;/b&gt;</option>\n'
                    '\n  <option value="b&quot;x">Beta</option>\n\n</select>')


def test_nothing_selected_when_the_choice_is_empty_or_missing():
    assert "selected" not in render([("a", "Alpha")], None)
    assert "selected" not in render([("a", "Alpha")], "")


def test_keyword_arguments_become_attributes():
    assert 'class="form-select" data-risk>' in render([("a", "A")], "a", " data_risk=True")
