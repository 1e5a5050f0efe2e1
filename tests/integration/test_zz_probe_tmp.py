def test_probe_fails(celery_worker):
    assert False, "deliberate"


def test_probe_sleeps(celery_worker):
    import time
    time.sleep(60)
