from django.urls import reverse


def test_wording_check_endpoint_returns_findings(client, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:lint"),
                           {"text": "The operator forgot to drain the node.", "field": "factor"})
    findings = response.json()["findings"]
    assert findings and findings[0]["rule"] == "blame" and findings[0]["severity"] == "block"
    assert set(findings[0]) == {"rule", "severity", "start", "end", "message", "suggestion"}


def test_wording_check_endpoint_passes_technical_text(client, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:lint"),
                           {"text": "The job failed to acquire the lock.", "field": "factor"})
    assert response.json()["findings"] == []


def test_wording_check_endpoint_refuses_bad_field_and_get(client, author):
    client.force_login(author)
    assert client.post(reverse("postmortems:lint"), {"text": "x", "field": "poem"}).status_code \
        == 400
    assert client.get(reverse("postmortems:lint")).status_code == 405
