"""An office's own rule, installed as its own package: an account whose filed name lacks the
word the office requires (`needle`, default 发布) gets a warning. A report format `csv` with the
不合格 list rides along."""

from tracker.reports import ReportFormat
from tracker.rules.catalogue import rule


@rule("local_title", name_zh="名称不规范", name_en="non-standard name", source="本单位规定：账号名称须含“发布”",
      family="local", order=900, defaults={"enabled": True, "severity": "warning", "needle": "发布"})
def local_title(ctx):
    needle = ctx.config("local_title")["needle"]
    for key, state in ctx.checked.items():
        if needle not in state.account_name:
            yield key, {"account_name": state.account_name, "needle": needle}


CSV_FORMAT = ReportFormat("csv", "govmedia_local_rule.csvformat", binary=False, suffix=".csv")
