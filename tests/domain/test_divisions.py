"""Regions in the official order (GB/T 2260 division codes), unknown names by first appearance."""

from __future__ import annotations

import json
from pathlib import Path

from tests.registry.registry_helpers import ORG_B, row, write_registry
from tracker.domain.divisions import TABLE, RegionOrder, build, division_code

FUJIAN_IN_UNICODE_ORDER = sorted(["福建省/福州市", "福建省/厦门市", "福建省/莆田市", "福建省/三明市", "福建省/泉州市",
                                  "福建省/漳州市", "福建省/南平市", "福建省/龙岩市", "福建省/宁德市"])


def test_fujian_cities_follow_their_codes_the_province_level_row_first() -> None:
    paths = ["福建省/平潭综合实验区", *FUJIAN_IN_UNICODE_ORDER, "福建省"]
    assert RegionOrder().sorted(paths) == [
        "福建省", "福建省/福州市", "福建省/厦门市", "福建省/莆田市", "福建省/三明市", "福建省/泉州市",
        "福建省/漳州市", "福建省/南平市", "福建省/龙岩市", "福建省/宁德市", "福建省/平潭综合实验区"]


def test_names_are_looked_up_under_their_parent() -> None:
    assert division_code("福建省/福州市/鼓楼区") == "350102"
    assert division_code("江苏省/南京市/鼓楼区") == "320106"   # the same name in another city
    assert division_code("北京市/东城区") == "110101"          # a municipality's districts sit under it
    assert division_code("河南省/济源市") == "419001"          # a county-level city the province governs
    assert division_code("福建省/厦门市/鼓楼区") is None       # no such district: not a guess


def test_unknown_names_follow_their_known_siblings_in_order_of_first_appearance() -> None:
    order = RegionOrder(["福建省/福州市/高新区", "福建省/福州市/鼓楼区", "福建省/福州市/滨海新城"])
    assert order.sorted(["福建省/福州市/滨海新城", "福建省/福州市/高新区", "福建省/福州市/台江区",
                         "福建省/福州市/鼓楼区"]) == [
        "福建省/福州市/鼓楼区", "福建省/福州市/台江区", "福建省/福州市/高新区", "福建省/福州市/滨海新城"]


def test_the_table_is_what_its_header_says_it_was_generated_from(tmp_path: Path) -> None:
    source = tmp_path / "adcodes.csv"
    source.write_text("adcode,name,longitude,latitude\n350200000000,厦门市,1,1\n350000000000,福建省,1,1\n",
                      encoding="utf-8")
    assert build(source).splitlines()[-2:] == ["350000\t福建省", "350200\t厦门市"]
    header = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("cpca 0.5.5" in line for line in header) and any("Generated" in line for line in header)
    assert sum(1 for line in TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")) > 3000


def test_report_rows_and_the_named_list_follow_the_codes(cli, tmp_path: Path) -> None:
    regions = ["福建省/平潭综合实验区", "福建省/宁德市", "福建省/厦门市", "福建省", "福建省/福州市"]
    rows = [row(f"r{index}", region=region, org_code=ORG_B, org_name=f"单位{index}", opened_on="2026-01-05")
            for index, region in enumerate(regions)]
    cli("registry", "import", str(write_registry(tmp_path / "registry.csv", rows)))
    report = json.loads(cli("report", "--quarter", "2026Q3", "--format", "json").stdout)
    assert [r["region"] for r in report["rows"]] == [
        "福建省", "福建省/福州市", "福建省/厦门市", "福建省/宁德市", "福建省/平潭综合实验区"]
    markdown = cli("report", "--quarter", "2026Q3", "--format", "md").stdout
    named = markdown.split("## 不合格政务新媒体名单")[1].split("## ")[0]
    listed = [line.split("|")[2].strip() for line in named.splitlines() if line.startswith("| ") and "序号" not in line]
    assert listed == ["福建省", "福建省/福州市", "福建省/厦门市", "福建省/宁德市", "福建省/平潭综合实验区"]
