import csv
import io


def render(report):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["account", "rules"])
    for entry in report["failed_accounts"]:
        writer.writerow([entry["account"], " ".join(entry["rules"])])
    return out.getvalue()
