from django.urls import reverse


def test_wording_check_endpoint_returns_findings(client, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:lint"),
                           {"text": "The operator forgot to drain the node.", "field": "factor"})
    findings = response.json()["findings"]
    assert findings and findings[0]["rule"] == "blame" and findings[0]["severity"] == "block"
    assert set(findings[0]) == {"rule", "severity", "start", "end", "message", "suggestion",
                                "rule_id", "category"}


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


def test_wording_check_endpoint_knows_the_coes_participants(client, author, coe):
    from postmortems import services

    services.set_participants(postmortem=coe, by=author, names=["Przemek Kowalczyk"])
    client.force_login(author)
    text = "Przemek's typo in the hostname removed the data directory."
    url = reverse("postmortems:lint")
    assert client.post(url, {"text": text, "field": "factor"}).json()["findings"] == []
    findings = client.post(url, {"text": text, "field": "factor", "postmortem": coe.code}
                           ).json()["findings"]
    assert [(f["rule_id"], f["severity"]) for f in findings] == [("possessive-fault", "block")]


def test_wording_check_endpoint_hides_a_coe_the_user_cannot_see(client, coe,
                                                                django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x")
    client.force_login(outsider)
    coe.restricted = True
    coe.save(update_fields=["restricted"])
    response = client.post(reverse("postmortems:lint"),
                           {"text": "x", "field": "factor", "postmortem": coe.code})
    assert response.status_code in (403, 404)
