"""Make the pictures of docs/images from the demo, as a new user would see them.

    .venv/bin/python docs/images/render.py

Builds the demo province, writes the current quarter's 通报 as docx and xlsx with `tracker
report`, renders them with LibreOffice (soffice) and pdftoppm, and photographs `tracker serve`
in Debian's headless chromium through Playwright. Needs: libreoffice-writer, libreoffice-calc,
fonts-noto-cjk, poppler-utils, chromium (Debian packages). Nothing here is a test.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def tracker(db: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "tracker.cli.main", "--db", db, *args], check=True)


def to_pngs(document: Path, work: Path, stem: str, pages: tuple[int, int]) -> list[Path]:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(document)],
                   check=True, capture_output=True)
    pdf = work / f"{document.stem}.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(pages[0]), "-l", str(pages[1]), str(pdf), str(work / stem)],
                   check=True)
    made = sorted(work.glob(f"{stem}-*.png"))
    targets = []
    for index, path in enumerate(made, 1):
        target = HERE / f"{stem}-{index}.png"
        shutil.copy(path, target)
        targets.append(target)
    return targets


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def serve_screenshot(db: str, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "tracker.cli.main", "--db", db, "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 960})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_timeout(12000)  # the session starts, then the dashboard's counts arrive
            page.screenshot(path=str(target))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    from tracker.demo.flow import run_demo
    from tracker.domain.times import now_utc, quarter_of
    from tracker.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="govmedia-images-"))
    demo = run_demo(accounts=320, settings=load_settings(), summary=False, directory=work, out=sys.stderr)
    demo.server.stop()
    db = f"sqlite:///{work / 'demo.db'}"
    quarter = quarter_of(now_utc())
    tracker(db, "report", "--quarter", quarter, "--format", "docx", "-o", str(work / "report.docx"))
    tracker(db, "report", "--quarter", quarter, "--format", "xlsx", "-o", str(work / "report.xlsx"))
    print(*to_pngs(work / "report.docx", work, "report-docx", (1, 2)), sep="\n")
    xlsx_pdf = work / "report.pdf"
    to_pngs(work / "report.xlsx", work, "xlsx-all", (1, 1))  # converts; the chart sheet is the last page
    last = pdf_pages(xlsx_pdf)  # the chart sheet comes last: by region, then by platform
    for index, page in enumerate((last - 1, last), 1):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile",
                        str(xlsx_pdf), str(HERE / f"report-xlsx-chart-{index}")], check=True)
    (HERE / "xlsx-all-1.png").unlink(missing_ok=True)
    serve_screenshot(db, HERE / "serve.png")
    print(*sorted(HERE.glob("report-xlsx-chart-*.png")), HERE / "serve.png", sep="\n")


if __name__ == "__main__":
    main()
