"""The text machinery of the rules: normalization, ID and mobile numbers, ad domains, lexicons,
working days, and the post signals built from them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.domain.models import Post
from tracker.rules.domains import first_ad_link, host_of, matching_domain
from tracker.rules.idcard import check_character, find_mobiles, find_resident_ids, privacy_matches
from tracker.rules.lexicon import build_lexicon, read_terms
from tracker.rules.signals import post_signals, signal_config
from tracker.rules.text import normalize
from tracker.rules.workdays import workdays_after
from tracker.settings import load_settings

DOMAINS = ("jd.com", "tb.cn", "taobao.com")


def valid_id(prefix17: str = "11010519491231002") -> str:
    return prefix17 + check_character(prefix17)


def test_normalize_folds_traditional_spaces_zero_width_and_full_width() -> None:
    assert normalize("臺 灣\u200b國") == normalize("台湾国") == "台湾国"
    assert normalize("ＡＢ\u3000c\ufeff") == "abc"
    assert normalize(None) == ""


@pytest.mark.parametrize("text", [
    "身份证号 {id} 请核实", "{id}", "号码:{id}。",
])
def test_valid_resident_id_is_found(text: str) -> None:
    number = valid_id()
    assert find_resident_ids(text.format(id=number)) == [number]


def test_resident_id_with_x_check_character() -> None:
    prefix = next(p for p in (f"11010519900101{i:03d}" for i in range(1000)) if check_character(p) == "X")
    number = prefix + "X"
    assert find_resident_ids(f"证件 {number}") == [number]
    assert find_resident_ids(f"证件 {number[:17]}x") == [number[:17] + "x"]


def test_resident_id_not_found_when_wrong_masked_embedded_or_implausible() -> None:
    number = valid_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert find_resident_ids(wrong) == []                          # wrong check digit
    assert find_resident_ids("110105********0021") == []           # masked
    assert find_resident_ids("9" + number) == []                   # part of a longer digit run
    assert find_resident_ids(number + "1") == []
    future = valid_id("11010520990101002")                         # born in 2099
    assert find_resident_ids(future, today=date(2026, 9, 30)) == []
    bad_month = valid_id("11010519491331002")                      # month 13
    assert find_resident_ids(bad_month) == []


def test_mobile_numbers_unmasked_and_not_embedded() -> None:
    assert find_mobiles("咨询电话 13812345678。") == ["13812345678"]
    assert find_mobiles("电话:19912345678,或 15012345678") == ["19912345678", "15012345678"]
    assert find_mobiles("138****5678") == []
    assert find_mobiles("12812345678") == []                      # 12x is no mobile prefix
    assert find_mobiles("订单号 2013812345678901") == []           # inside a longer digit run
    assert find_mobiles(valid_id("13812345678199001")) == []       # inside an ID number


def test_privacy_matches_are_masked() -> None:
    found = privacy_matches(f"身份证 {valid_id()} 手机 13812345678")
    assert found == ["身份证号 110105********" + valid_id()[-4:], "手机号 138****5678"]


@pytest.mark.parametrize(("link", "domain"), [
    ("https://item.jd.com/100.html", "jd.com"),
    ("http://jd.com", "jd.com"),
    ("https://m.tb.cn/h.abc", "tb.cn"),
    ("HTTPS://WWW.TAOBAO.COM./x", "taobao.com"),
    ("www.taobao.com/item", "taobao.com"),
])
def test_ad_domains_match_domain_and_subdomains(link: str, domain: str) -> None:
    assert matching_domain(host_of(link), DOMAINS) == domain


@pytest.mark.parametrize("link", [
    "https://notjd.com.cn/x", "https://jd.com.evil.cn/x", "https://myjd.com", "https://tb.cn.example.org",
    "https://www.gov.cn/jd.com", "mailto:someone@jd.com.evil.cn", "not a link",
])
def test_lookalike_domains_do_not_match(link: str) -> None:
    host = host_of(link)
    assert host is None or matching_domain(host, DOMAINS) is None


def test_a_public_suffix_in_the_list_matches_nothing() -> None:
    assert matching_domain("shop.example.com.cn", ("com.cn",)) is None


def test_first_ad_link_reports_domain_and_link() -> None:
    assert first_ad_link(["https://www.gov.cn", "https://item.jd.com/1"], DOMAINS) == ("jd.com", "https://item.jd.com/1")


def test_lexicon_reads_comments_and_matches_traditional_and_spaced_text(tmp_path) -> None:
    path = tmp_path / "terms.txt"
    path.write_text("# comment\n台湾国  # trailing comment\n\n总书计\n", encoding="utf-8")
    assert read_terms(path) == ["台湾国", "总书计"]
    lexicon = build_lexicon(read_terms(path))
    assert lexicon.find("他说臺 灣\u200b國如何") == ["台湾国"]
    assert lexicon.find("习近平总书记") == []
    assert lexicon.find("總書計和台湾国") == ["总书计", "台湾国"]


def test_workdays_count_holidays_and_makeup_days() -> None:
    # 2025 National Day: Oct 1–8 off; Sep 28 (Sunday) and Oct 11 (Saturday) are make-up workdays.
    assert workdays_after(date(2025, 9, 30), date(2025, 10, 8)) == (0, True)
    assert workdays_after(date(2025, 9, 27), date(2025, 9, 28)) == (1, True)
    assert workdays_after(date(2025, 10, 8), date(2025, 10, 11)) == (3, True)


def test_workdays_outside_the_calendar_fall_back_to_weekends() -> None:
    count, known = workdays_after(date(2040, 1, 6), date(2040, 1, 13))  # Friday to Friday
    assert (count, known) == (5, False)


def test_post_signals_of_a_post() -> None:
    settings = load_settings()
    post = Post("p1", datetime(2026, 9, 1, tzinfo=UTC), title="臺灣國", text=f"身份证 {valid_id()} 已于今日停止更新",
                links=("https://item.jd.com/1",))
    signals = post_signals(post, settings)
    assert signals["sig_ad_domain"] == "item.jd.com"
    assert signals["sig_privacy"].startswith("身份证号 110105********")
    assert signals["sig_lexicon"] == "台湾国"
    assert signals["sig_stop_notice"] is True
    assert signals["signals_version"] == signal_config(settings).version
    clean = post_signals(Post("p2", None, text="今日天气晴 https://www.gov.cn"), settings)
    assert clean | {"signals_version": None} == {"sig_ad_domain": None, "sig_privacy": None, "sig_lexicon": None,
                                                  "sig_stop_notice": False, "signals_version": None}


def test_signals_version_follows_the_lists(tmp_path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[rules.ad_link]\ndomains = ["example-shop.com"]\n', encoding="utf-8")
    assert signal_config(load_settings(user)).version != signal_config(load_settings()).version


# The fast paths of the signals (ASCII/CJK text that is NFKC already, no 11-digit run, no link
# hint, no listed domain in a link) answer exactly what the full computation answers.
_PIECES = ["１３９１２３４５６７８", "13912345678", "11010519491231002X", "①②③④⑤⑥⑦⑧⑨⑩⑪", "，", "：", "（", "）",
           "\u3000", "Ａ\u0301", "臺灣國", "台 湾 国", "HTTPS://ITEM.JD.COM/1", "ＷＷＷ.TAOBAO.COM", "http://淘宝.com/x",
           "https://xn--jd-.com", "www.notjd.com.cn", "停止更新", "0591-87654321", "12345", "x", "。", "\u200b",
           # what the ASCII/CJK fast paths must not miss: phrases t2s changes though each character
           # stays (深沈 → 深沉), compatibility ideographs, characters beyond the BMP, full-width URLs
           # and digits, digits of other scripts, ligatures, every kind of space and invisible mark
           "深沈", "回覆", "乾隆", "豈", "\U0002f800", "𠁞", "😀", "ｈｔｔｐｓ：／／ｉｔｅｍ．ｊｄ．ｃｏｍ／１",
           "ｗｗｗ．ｊｄ．ｃｏｍ", "１３９", "١٣٩١٢٣٤٥٦٧٨", "12345678901", "ﬁ", "㈱", "\xa0", "\u2003", "\u00ad",
           "\u2060", "\n", "\t", "社會主意", "台灣國", "停止更新"]


def _slow_signals(title: str, text: str, url: str | None) -> tuple:
    import unicodedata

    from tracker.rules import domains as ad_domains
    from tracker.rules.idcard import mask_id, mask_mobile
    from tracker.rules.text import _STRIP, to_simplified

    cfg = signal_config(load_settings())
    body = f"{title}\n{text}"
    links = [*([url] if url else []), *ad_domains._URL.findall(body)]
    ad = ad_domains.first_ad_link(links, cfg.domains)
    ids = find_resident_ids(body, today=date(2026, 9, 30))
    mobiles = find_mobiles(body)
    normalized = to_simplified(_STRIP.sub("", unicodedata.normalize("NFKC", body))).lower()
    privacy = [f"身份证号 {mask_id(n)}" for n in ids] + [f"手机号 {mask_mobile(n)}" for n in mobiles]
    return ((ad_domains.host_of(ad[1]) or ad[0]) if ad else None, "; ".join(privacy) or None,
            "|".join(cfg.lexicon.find_normalized(normalized)) or None,
            any(phrase in normalized for phrase in cfg.stop_phrases))


def test_signal_fast_paths_agree_with_the_full_computation() -> None:
    from hypothesis import given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    from tracker.rules.signals import text_signals
    from tracker.rules.text import nfkc

    cfg = signal_config(load_settings())
    at = datetime(2026, 9, 30, tzinfo=UTC)
    texts = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=12).map("".join)

    @hsettings(max_examples=400, deadline=None)
    @given(texts, texts, st.one_of(st.none(), st.sampled_from(_PIECES), st.text(max_size=12)))
    def agree(title: str, text: str, url: str | None) -> None:
        import unicodedata

        assert nfkc(text) == unicodedata.normalize("NFKC", text)
        ad, privacy, lexicon, stop, _version = text_signals(title, text, url, (), at, cfg)
        slow = _slow_signals(title, text, url)
        clip = [(value if value is None or len(value) <= limit else value[:limit - 1] + "…")
                for value, limit in zip(slow[:3], (256, 64, 256), strict=False)]
        assert (ad, privacy, lexicon, stop) == (*clip, slow[3])

    agree()


_TRICKY = ["臺灣國", "深沈的回覆", "乾隆年間", "豈有此理", "\U0002f800\U0002f801", "𠁞𠁟", "😀台湾",
           "ｈｔｔｐｓ：／／ｉｔｅｍ．ｊｄ．ｃｏｍ／１", "电话：１３９１２３４５６７８", "٣٩١٢٣٤٥٦٧٨١", "ﬁle ㈱ Ａ\u0301",
           "台\u200b湾\u00ad国", "a\u3000b\xa0c\u2003d\u2060e\ufeff", "社會主意", "ABC DEF", "", " ", "\u180e",
           "憑藉 慰藉 深沈 瞭解 甦醒 衹是 英哩 土坏"]


@pytest.mark.parametrize("text", _TRICKY)
def test_normalize_fast_paths_agree_with_nfkc_strip_opencc(text: str) -> None:
    import unicodedata

    from tracker.rules.text import _STRIP, nfkc, normalize_folded, to_simplified

    slow = to_simplified(_STRIP.sub("", unicodedata.normalize("NFKC", text))).lower()
    assert normalize_folded(nfkc(text)) == slow == normalize(text)


def test_str_split_strips_exactly_what_backslash_s_matches() -> None:
    import re

    space = re.compile(r"\s+")
    for point in range(0x110000):
        if 0xD800 <= point < 0xE000:
            continue
        text = f"a{chr(point)}b"
        assert "".join(text.split()) == space.sub("", text), hex(point)


def test_the_t2s_character_lists_are_those_of_the_installed_opencc(tmp_path) -> None:
    """tracker/data/opencc_t2s.txt lists what makes OpenCC t2s change a text: every character
    it converts on its own (asked of OpenCC) and the characters its phrases change, read from its
    dictionaries when its `opencc_dict` tool is there to dump them."""
    import shutil
    import subprocess
    from pathlib import Path

    import opencc

    from tracker.rules.text import _read_t2s_lists, t2s_characters

    version, own, phrases = _read_t2s_lists()
    assert version == opencc.__version__, "regenerate tracker/data/opencc_t2s.txt for this OpenCC"
    assert t2s_characters()[0] == own
    clib = Path(opencc.__file__).parent / "clib"
    tool = clib / "bin" / "opencc_dict"
    if not tool.exists() or not shutil.which(str(tool)):
        pytest.skip("no opencc_dict to dump the phrase dictionary")
    dumped = tmp_path / "TSPhrases.txt"
    subprocess.run([str(tool), "-i", str(clib / "share" / "opencc" / "TSPhrases.ocd2"), "-o", str(dumped),
                    "-f", "ocd2", "-t", "text"], check=True, capture_output=True,
                   env={"LD_LIBRARY_PATH": str(clib / "lib64")})
    lines = dumped.read_text(encoding="utf-8").splitlines()
    changed = set()
    for line in lines:
        key, value = line.split("\t")[0], line.split("\t")[1].split(" ")[0]
        if value == key or any(char in own for char in key):
            continue
        changed |= set(key) if len(key) != len(value) else {a for a, b in zip(key, value, strict=True) if a != b}
    assert changed <= set(phrases)
