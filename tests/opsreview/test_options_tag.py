"""{% select_options %}: the options of a long select, escaped, the chosen one selected."""

from types import SimpleNamespace

from django.template import Context, Template


def render(objects, selected):
    template = Template('{% load options %}{% select_options objects "slug" "name" selected %}')
    return template.render(Context({"objects": objects, "selected": selected}))


def test_options_are_escaped_and_the_chosen_one_is_selected():
    objects = [SimpleNamespace(slug="a", name="<b>Alpha & co</b>"),
               SimpleNamespace(slug='b"x', name="Beta")]
    html = render(objects, "a")
    assert html == ('<option value="a" selected>&lt;b&gt;Alpha &amp; co&lt;/b&gt;</option>'
                    '<option value="b&quot;x">Beta</option>')


def test_nothing_selected_when_the_choice_is_empty_or_missing():
    objects = [SimpleNamespace(slug="a", name="Alpha")]
    assert "selected" not in render(objects, None)
    assert "selected" not in render(objects, "")
