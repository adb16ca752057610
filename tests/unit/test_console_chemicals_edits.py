"""The console's forms to keep the 危化品 catalogue and to edit a store, against the real
grid and hazard apps in process: a refused form shows the Chinese reason beside its field
and keeps what was typed; an edit from a stale page is refused, not overwritten."""

from __future__ import annotations

import re
from html import unescape

from tests.support.fixtures import bearer
from tests.unit.test_console_registers import (  # noqa: F401  (fixtures)
    campus,
    console,
    english,
    field,
    grid,
    hazards,
    post,
    rows,
    signed_in,
    text,
)

ETHANOL = {"name": "无水乙醇", "cas_no": "64-17-5", "hazard_class": "flammable", "measure": "mL"}


def test_the_office_adds_and_corrects_catalogue_entries(console, campus, hazards):  # noqa: F811
    office = signed_in(console, "S001")
    page = text(office.get("/registers/chemicals"))
    assert "加入危化品目录" in page
    bad = post(office, "/registers/chemicals/items/new", {**ETHANOL, "cas_no": "乙醇"})
    assert bad.status_code == 422 and not english(text(bad))
    assert "CAS 号格式" in field(text(bad), "i-cas") and 'value="无水乙醇"' in text(bad)
    assert 'id="form-refused"' in text(bad) and "未登记" in text(bad)  # said on top too
    made = post(office, "/registers/chemicals/items/new", {**ETHANOL, "precursor": "true"})
    assert made.status_code == 302, text(made)
    acetone = {**ETHANOL, "name": "丙酮", "cas_no": "67-64-1"}
    assert post(office, "/registers/chemicals/items/new", acetone).status_code == 302
    [first, _] = rows(text(office.get("/registers/chemicals")), "catalogue")
    assert "丙酮" in first  # sorted by name
    ethanol = next(
        i
        for i in hazards.test_client()
        .get("/chemicals", headers=bearer("security_office"))
        .get_json()
        if i["cas_no"] == "64-17-5"
    )
    url = f"/registers/chemicals/items/{ethanol['id']}"
    form = text(office.get(url))
    assert (
        "修改：无水乙醇" in form
        and 'name="etag" value="&#34;1&#34;"' in office.get(url).get_data(as_text=True)
        or 'name="etag"' in form
    )
    assert re.search(r'id="i-precursor"\s+checked', form)
    taken = post(office, url, {**ETHANOL, "cas_no": "67-64-1", "precursor": "true"})
    assert taken.status_code == 409 and "已登记" in field(text(taken), "i-cas")
    assert 'value="67-64-1"' in text(taken) and re.search(
        r'id="i-precursor"\s+checked', text(taken)
    )
    saved = post(office, url, {**ETHANOL, "name": "乙醇（无水）", "highly_toxic": "true"})
    assert saved.status_code == 302
    row = next(
        r for r in rows(text(office.get("/registers/chemicals")), "catalogue") if "64-17-5" in r
    )
    assert "乙醇（无水）" in row and "剧毒" in row and "易制毒" not in row  # unticked: cleared

    manager = signed_in(console, "J001")
    assert "加入危化品目录" not in text(manager.get("/registers/chemicals"))


def test_a_manager_edits_a_store_within_what_it_holds(console, campus, hazards):  # noqa: F811
    office = bearer("security_office", sub="office")
    item = hazards.test_client().post("/chemicals", json=ETHANOL, headers=office).get_json()
    manager = signed_in(console, "J001")
    store = {
        "name": "化工实训室危化品柜",
        "cell_id": campus["b1"],
        "capacity": "1000",
        "segregation_class": "flammable",
        "keeper_name": "李明",
    }
    assert post(manager, "/registers/chemicals/new", store).status_code == 302
    jd = bearer("unit_manager", unit="JD", sub="jd")
    [listed] = hazards.test_client().get("/chemical-stores", headers=jd).get_json()
    buy = {
        "item_id": item["id"],
        "kind": "purchase",
        "quantity": 600,
        "occurred_on": "2026-11-02",
        "counterparty": "兰州化学试剂公司",
    }
    moved = hazards.test_client().post(
        f"/chemical-stores/{listed['id']}/movements", json=buy, headers=jd
    )
    assert moved.status_code == 201
    url = f"/registers/chemicals/{listed['id']}"
    assert f'href="{url}"' in text(manager.get("/registers/chemicals"))
    form = text(manager.get(url))
    assert "修改：化工实训室危化品柜" in form and 'value="1000"' in form
    raw = manager.get(url).get_data(as_text=True)
    stale_etag = unescape(re.search(r'name="etag" value="([^"]+)"', raw).group(1))
    small = post(manager, url, {**store, "capacity": "500", "keeper_name": "王芳"})
    assert small.status_code == 422 and "现存 600" in field(text(small), "s-capacity")
    assert 'value="王芳"' in text(small) and not english(text(small))
    saved = post(manager, url, {**store, "capacity": "800", "keeper_name": "王芳"})
    assert saved.status_code == 302
    [row] = rows(text(manager.get("/registers/chemicals")), "stores")
    assert "王芳" in row and "800" in row
    stale = post(manager, url, {**store, "keeper_name": "赵六", "etag": stale_etag})
    assert stale.status_code == 412 and "已被他人修改" in text(stale)


def test_a_count_short_of_the_ledger_is_refused_or_recorded_and_listed_as_due(
    console,  # noqa: F811
    campus,  # noqa: F811
    hazards,  # noqa: F811
):
    """盘点 from the store's row: a count without its counter is refused beside 盘点人 (the
    typed count kept); 590 found where the ledger says 600 is recorded, said on the page,
    and the hazard it opened is on 待处理 with its number linking to the hazard."""
    office = bearer("security_office", sub="office")
    item = hazards.test_client().post("/chemicals", json=ETHANOL, headers=office).get_json()
    manager = signed_in(console, "J001")
    assert "没有待处理的危化品隐患" in text(manager.get("/registers/chemicals"))
    jd = bearer("unit_manager", unit="JD", sub="jd")
    api = hazards.test_client()
    body = {
        "name": "化工实训室危化品柜",
        "cell_id": campus["b1"],
        "capacity": 1000,
        "segregation_class": "flammable",
        "keeper_name": "李明",
    }
    store = api.post("/chemical-stores", json=body, headers=jd).get_json()
    buy = {
        "item_id": item["id"],
        "kind": "purchase",
        "quantity": 600,
        "occurred_on": "2026-11-02",
        "counterparty": "兰州化学试剂公司",
    }
    moved = api.post(f"/chemical-stores/{store['id']}/movements", json=buy, headers=jd)
    assert moved.status_code == 201
    url = f"/registers/chemicals/{store['id']}/counts/new"
    assert f'href="{url}"' in text(manager.get("/registers/chemicals"))
    form = text(manager.get(url))
    assert "无水乙醇（账面 600mL）" in form
    count = {"item_id": item["id"], "counted": "590", "counted_on": "2026-11-30"}
    bad = post(manager, url, count)
    assert bad.status_code == 422 and "必填" in field(text(bad), "c-by")
    assert 'value="590"' in text(bad) and 'id="form-refused"' in text(bad)
    done = post(manager, url, {**count, "counted_by": "李明"}, follow_redirects=True)
    page = text(done)
    assert "账面结余 600，账实不符，已立为隐患" in page
    [row] = rows(page, "chem-due")
    assert "账实不符" in row and "1号教学楼" in row and 'href="/hazards/' in row
    assert 'data-label="隐患"' in row and not english(page)
