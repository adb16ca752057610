"""Files of a task ledger entry's evidence (工作台账 证明材料): uploaded by the task's lead
departments and the security office, checked and stored by content hash (shared.files),
listed with the entry and served only to those who may read the entry."""

from __future__ import annotations

import hashlib
import io
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.reporting import commands
from services.reporting.models import Campaign, CampaignTask, LedgerFile
from services.reporting.work import api as work_api
from shared import files
from shared.api import state
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
LEADERSHIP = bearer("leadership", sub="leader")
BWC = bearer("lead_department", unit="BWC", sub="lead-BWC")  # leads 七
JWC = bearer("lead_department", unit="JWC", sub="lead-JWC")  # leads 十, answers for 七
JD = bearer("unit_manager", unit="JD", sub="manager-jd")
XX = bearer("unit_manager", unit="XX", sub="manager-xx")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2
MAX = 4096
MOMENT = datetime(2021, 11, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
def files_dir(tmp_path) -> Path:
    return tmp_path / "var" / "files"


@pytest.fixture
def app(make_app, files_dir, monkeypatch):
    ticks = itertools.count()  # a second per call: files are listed in upload order
    monkeypatch.setattr(work_api, "now", lambda: MOMENT + timedelta(seconds=next(ticks)))
    app = make_app("reporting", files_dir=str(files_dir), upload_max_bytes=MAX)
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        session.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ledger(app, client):
    """Task 七 (消防安全整治, led by BWC) and an evidence entry of it about JD."""
    with app.app_context(), state().session_factory() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        task_id = session.scalars(
            select(CampaignTask.id).where(
                CampaignTask.campaign_id == campaign_id, CampaignTask.number == "七"
            )
        ).one()
    base = f"/campaigns/{campaign_id}/tasks/{task_id}/ledger"
    entry = client.post(
        base,
        json={"kind": "evidence", "content": "灭火器检查记录", "unit_code": "JD"},
        headers=BWC,
    )
    assert entry.status_code == 201, entry.get_json()
    return base, entry.get_json()["id"]


def upload(client, url, content, name, content_type=None, headers=BWC):
    file = (
        (io.BytesIO(content), name, content_type) if content_type else (io.BytesIO(content), name)
    )
    return client.post(
        url, data={"file": file}, content_type="multipart/form-data", headers=headers
    )


def tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def stored_rows(app) -> int:
    with app.app_context(), state().session_factory() as session:
        return session.scalar(select(func.count()).select_from(LedgerFile))


def test_lead_department_uploads_a_pdf_and_a_png_listed_and_downloaded_intact(
    client, app, ledger, files_dir
):
    base, entry_id = ledger
    url = f"{base}/{entry_id}/files"
    pdf = upload(client, url, PDF, "检查记录.pdf", "application/pdf")
    assert pdf.status_code == 201, pdf.get_json()
    png = upload(client, url, PNG, "现场照片.png")  # no declared type: decided by the bytes
    assert png.status_code == 201, png.get_json()
    body = pdf.get_json()
    assert {k: body[k] for k in ("filename", "content_type", "size", "uploaded_by")} == {
        "filename": "检查记录.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "uploaded_by": "lead-BWC",
    }
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["uploaded_at"] == "2021-11-12T02:00:01+00:00"  # the entry was written at :00
    # stored once each, by hash, under files_dir
    assert tree(files_dir) == {
        files_dir / d[:2] / d for d in (hashlib.sha256(c).hexdigest() for c in (PDF, PNG))
    }
    # the security office attaches too; the same bytes are stored once
    assert upload(client, url, PNG, "copy.png", "image/png", headers=SO).status_code == 201
    assert len(tree(files_dir)) == 2

    listed = client.get(base, headers=LEADERSHIP).get_json()
    (entry,) = [e for e in listed if e["id"] == entry_id]
    assert [(f["filename"], f["content_type"], f["size"]) for f in entry["files"]] == [
        ("检查记录.pdf", "application/pdf", len(PDF)),
        ("现场照片.png", "image/png", len(PNG)),
        ("copy.png", "image/png", len(PNG)),
    ]
    assert set(entry["files"][0]) >= {
        "id",
        "filename",
        "content_type",
        "size",
        "uploaded_at",
        "uploaded_by",
    }
    # the unit the entry concerns reads it and its files
    mine = client.get(base, headers=JD).get_json()
    assert [len(e["files"]) for e in mine if e["id"] == entry_id] == [3]

    for created, content, media_type in ((pdf, PDF, "application/pdf"), (png, PNG, "image/png")):
        for who in (BWC, SO, LEADERSHIP, JD):
            download = client.get(f"{url}/{created.get_json()['id']}", headers=who)
            assert download.status_code == 200
            assert download.data == content  # byte-identical
            assert download.mimetype == media_type
    disposition = client.get(f"{url}/{pdf.get_json()['id']}", headers=SO).headers[
        "Content-Disposition"
    ]
    assert "filename*=UTF-8''%E6%A3%80%E6%9F%A5%E8%AE%B0%E5%BD%95.pdf" in disposition


@pytest.mark.parametrize(
    ("name", "content", "content_type", "status"),
    [
        ("big.pdf", PDF + b"\x00" * MAX, "application/pdf", 413),
        ("notes.txt", b"just some text", "text/plain", 415),
        ("photo.pdf", PNG, "application/pdf", 415),  # PNG bytes named and labelled PDF
        ("photo.png", PNG, "image/jpeg", 415),  # labelled as something else
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, None, 415),
        ("page.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", None, 415),
        ("empty.pdf", b"", None, 415),
        ("scan", PDF, None, 415),  # no extension
    ],
)
def test_oversized_and_wrong_types_are_refused_and_nothing_is_stored(
    client, app, ledger, files_dir, name, content, content_type, status
):
    base, entry_id = ledger
    before = tree(files_dir)
    response = upload(client, f"{base}/{entry_id}/files", content, name, content_type)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status
    assert tree(files_dir) == before
    assert stored_rows(app) == 0


@pytest.mark.parametrize(
    "who",
    [
        JWC,  # a lead department, but of task 十, not 七
        bearer("lead_department", unit="XCB", sub="lead-XCB"),
        JD,  # the unit manager of the unit the entry concerns: reads, never writes
        bearer("grid_staff", unit="JD", sub="staff-jd"),
        LEADERSHIP,  # reads everything, writes nothing
    ],
)
def test_only_the_task_lead_and_the_office_attach(client, app, ledger, files_dir, who):
    base, entry_id = ledger
    response = upload(client, f"{base}/{entry_id}/files", PDF, "x.pdf", headers=who)
    assert response.status_code == 403, response.get_json()
    assert tree(files_dir) == set() and stored_rows(app) == 0


def test_downloads_follow_the_ledger_readers_and_unknown_ids_are_404(client, ledger):
    base, entry_id = ledger
    url = f"{base}/{entry_id}/files"
    file_id = upload(client, url, PDF, "x.pdf").get_json()["id"]
    # XX and JWC answer for 七 but this entry concerns JD; no token: 401
    assert client.get(f"{url}/{file_id}", headers=XX).status_code == 403
    assert client.get(f"{url}/{file_id}", headers=JWC).status_code == 403
    assert client.get(f"{url}/{file_id}").status_code == 401
    assert client.get(f"{url}/nope", headers=SO).status_code == 404
    assert client.get(f"{base}/nope/files/{file_id}", headers=SO).status_code == 404
    assert upload(client, f"{base}/nope/files", PDF, "x.pdf").status_code == 404
    # a file is reached only through its own entry
    other = client.post(
        base, json={"kind": "evidence", "content": "整体情况"}, headers=BWC
    ).get_json()["id"]
    assert client.get(f"{base}/{other}/files/{file_id}", headers=SO).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\evil.pdf",
        "/etc/cron.d/evil.pdf",
        "C:\\Windows\\System32\\evil.pdf",
        "....//....//deep.pdf",
        "../files/../../up.pdf",
    ],
)
def test_a_traversal_name_is_reduced_to_a_base_name_inside_the_files_dir(
    client, ledger, files_dir, tmp_path, name
):
    base, entry_id = ledger
    outside = tree(tmp_path) - tree(files_dir)
    response = upload(client, f"{base}/{entry_id}/files", PDF, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # a bare name (how the test client escapes backslashes may vary)
    assert body["filename"].endswith(Path(name.replace("\\", "/")).name)
    assert not {"/", "\\"} & set(body["filename"])
    assert tree(tmp_path) - tree(files_dir) == outside  # nothing written outside files_dir
    (stored,) = tree(files_dir)
    assert stored.resolve().is_relative_to(files_dir.resolve())
    assert stored.name == body["sha256"] and stored.parent.name == body["sha256"][:2]
    download = client.get(f"{base}/{entry_id}/files/{body['id']}", headers=SO)
    assert download.status_code == 200 and download.data == PDF
    assert not {"\r", "\n", "/", "\\"} & set(download.headers["Content-Disposition"])


def test_traversal_ids_in_the_url_reach_no_file(client, ledger):
    base, entry_id = ledger
    upload(client, f"{base}/{entry_id}/files", PDF, "x.pdf")
    for file_id in ("..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "..", hashlib.sha256(PDF).hexdigest()):
        response = client.get(f"{base}/{entry_id}/files/{file_id}", headers=SO)
        assert response.status_code == 404, (file_id, response.status_code)


def test_a_stored_digest_that_is_not_a_hash_never_becomes_a_path(client, app, ledger, tmp_path):
    """Even a tampered row cannot point the download outside files_dir."""
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    base, entry_id = ledger
    file_id = upload(client, f"{base}/{entry_id}/files", PDF, "x.pdf").get_json()["id"]
    with app.app_context(), state().session_factory() as session:
        session.get(LedgerFile, file_id).sha256 = "../../secret.pdf"
        session.commit()
    response = client.get(f"{base}/{entry_id}/files/{file_id}", headers=SO)
    assert response.status_code == 404 and response.data != PDF
    for digest in ("../../secret.pdf", "/etc/passwd", "ab", "A" * 64, "0" * 63 + "/"):
        with pytest.raises(ValueError):
            files.path_of(str(tmp_path / "files"), digest)
