import pytest

from tracker.domain.orgcode import check_character, make_org_code, org_code_problem


@pytest.mark.parametrize("code", ["91350100M000100Y43", "113500000035910001", "11350000MB9876541B"])
def test_valid_codes(code: str) -> None:
    assert org_code_problem(code) is None


def test_published_example_check_character() -> None:
    # 91350100M000100Y4 + check character 3 (a published 统一社会信用代码 example)
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "check character is 4"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100I43", "not allowed"),
        ("9135010OM000100Y43", "not allowed"),
    ],
)
def test_invalid_codes(code: str, fragment: str) -> None:
    assert fragment in org_code_problem(code)


def test_make_org_code_round_trips() -> None:
    assert org_code_problem(make_org_code("12350100488888880")) is None
