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


def test_plain_rows_are_written_as_the_widget_writes_them():
    from django import forms

    choices = [("", "Any"), ("a", "Alpha's <b>"), ('b"x', "Beta & co"), (3, "Three"),
               ("a", "Alpha again")]
    for selected in ("", "a", 3, "3", "missing", None):
        expected = forms.Select(choices=choices).render(
            "team", "" if selected is None else selected,
            attrs={"id": "f-team", "class": "form-select"})
        assert render(choices, selected) == expected, selected


def test_groups_still_go_through_the_widget():
    html = render([("Fruit", [("a", "Apple")]), ("b", "Beta")], "a")
    assert '<optgroup label="Fruit">' in html and '<option value="a" selected>' in html


def test_the_same_rows_are_drawn_again_when_a_label_changes():
    assert ">Alpha<" in render([("a", "Alpha")], "a")
    assert ">Alpha renamed<" in render([("a", "Alpha renamed")], "a")
    assert "<option value=\"a\">" in render([("a", "Alpha renamed")], "b")


def test_a_form_field_with_plain_select_writes_what_the_select_widget_writes():
    from django import forms

    from opsreview.selects import PlainRows, PlainSelect

    class Filter(forms.Form):
        team = forms.ChoiceField(required=False, widget=PlainSelect)
        other = forms.ChoiceField(required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            rows = [("", "Any team"), ("a", "Alpha's"), ("b", "<Beta>")]
            self.fields["team"].choices = PlainRows(rows)
            self.fields["other"].choices = rows
            for f in self.fields.values():
                f.widget.attrs["class"] = "form-select"

    for data in ({}, {"team": "b", "other": "b"}, {"team": "nope", "other": "nope"}):
        form = Filter(data)
        form.is_valid()
        plain = str(form["team"])
        assert plain == str(form["other"]).replace("other", "team"), data
    assert 'aria-invalid="true"' in plain  # the last one: a choice that does not exist
