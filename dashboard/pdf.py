"""HTML → A4 PDF through Debian's chromium (Playwright's page.pdf works in headless only)."""

from __future__ import annotations

from etl.errors import UserError

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
FOOTER = ('<div style="font-size:8px; width:100%; text-align:center; color:#444; '
          'font-family:Helvetica, Arial, sans-serif;"><span class="title"></span> · page '
          '<span class="pageNumber"></span> of <span class="totalPages"></span></div>')
# A4 at 96 dpi is 794 px wide; less 2 × 15 mm margins, the charts draw at the printed width.
PRINT_WIDTH = 680


def html_to_pdf(html: str, timeout_ms: int = 60_000) -> bytes:
    """The document printed to A4 with page numbers, once every plotly chart has drawn."""
    from pathlib import Path

    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        raise UserError(f"a PDF needs Debian's chromium at {CHROMIUM} (apt-get install "
                        "chromium); write .html instead")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 1000})
                # nothing leaves the machine: the report is self-contained
                page.route("**/*", lambda route: route.abort()
                           if not route.request.url.startswith(("data:", "about:"))
                           else route.continue_())
                page.set_content(html, wait_until="load", timeout=timeout_ms)
                page.emulate_media(media="print")
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.plotly-graph-div')].every("
                    "d => d.querySelector('.main-svg'))", timeout=timeout_ms)
                return page.pdf(format="A4", print_background=True,
                                display_header_footer=True, header_template="<span></span>",
                                footer_template=FOOTER,
                                margin={"top": "15mm", "bottom": "18mm", "left": "15mm",
                                        "right": "15mm"})
            finally:
                browser.close()
    except Error as exc:
        raise UserError(f"chromium could not print the report: {str(exc).splitlines()[0]}") \
            from exc
