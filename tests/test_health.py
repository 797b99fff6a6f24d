import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_in_process_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@pytest.mark.django_db
def test_healthz_is_unhealthy_when_broker_is_unreachable(client, settings, celery_broker):
    from tests.smtp import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = url
    celery_broker(url)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


@pytest.mark.services
@pytest.mark.django_db
def test_healthz_with_real_redis_is_healthy(client, settings, celery_broker):
    celery_broker(settings.REDIS_URL)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
