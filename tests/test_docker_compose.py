"""docker-compose.yml runs several web and worker containers behind its proxy: read, as there
is no Docker engine to run it here (`docker compose up --scale web=2 --scale worker=2`)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_web_and_worker_can_scale():
    compose = services()
    for name in ("web", "worker"):
        # A container name or a published host port would stop a second replica starting.
        assert "container_name" not in compose[name], name
        assert "ports" not in compose[name], name
    # Migrations run once, before any replica starts.
    assert "migrate" not in compose["web"]["command"]
    assert compose["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    for name in ("web", "worker", "beat"):
        assert compose[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_the_proxy_is_the_one_entrance_and_finds_every_web_replica():
    compose = services()
    proxy = compose["proxy"]
    assert proxy["ports"][0].endswith(":80")
    mounted = {volume.split(":")[0] for volume in proxy["volumes"]}
    assert "./deploy/Caddyfile" in mounted
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    # Docker's DNS answers with every replica of `web`; Caddy asks again as they change.
    assert re.search(r"dynamic a \{\s*name web\s*port 8000", caddyfile)
    # The app believes X-Forwarded-For from the proxy's fixed address, and no other.
    address = proxy["networks"]["default"]["ipv4_address"]
    trusted = compose["web"]["environment"]["DJANGO_TRUSTED_PROXIES"]
    assert trusted == f"${{DJANGO_TRUSTED_PROXIES:-{address}/32}}"


def test_every_app_container_is_told_where_files_are_kept():
    for name in ("migrate", "web", "worker", "beat"):
        environment = services()[name]["environment"]
        assert environment["DJANGO_MEDIA_STORAGE"] == "${DJANGO_MEDIA_STORAGE:-filesystem}"
        assert {key for key in environment if key.startswith("DJANGO_S3_")} >= {
            "DJANGO_S3_BUCKET",
            "DJANGO_S3_ENDPOINT_URL",
            "DJANGO_S3_ACCESS_KEY_ID",
            "DJANGO_S3_SECRET_ACCESS_KEY",
        }
