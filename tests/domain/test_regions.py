from tracker.domain.regions import ancestors, in_region, region_level, row_region


def test_subtree_is_by_whole_segments() -> None:
    assert in_region("福建省/福州市/鼓楼区", "福建省/福州市")
    assert in_region("福建省/福州市", "福建省/福州市/")
    assert not in_region("福建省/福州市辖区", "福建省/福州市")
    assert in_region("福建省", None) and in_region("福建省", "")


def test_rows_levels_and_ancestors() -> None:
    assert row_region("福建省/厦门市/思明区/鹭江街道") == "福建省/厦门市"
    assert row_region("福建省") == "福建省"
    assert [region_level(r) for r in ("福建省", "福建省/厦门市", "福建省/厦门市/思明区/鹭江街道")] == ["省级", "市级", "县级"]
    assert ancestors("福建省/厦门市/思明区") == ["福建省", "福建省/厦门市", "福建省/厦门市/思明区"]
