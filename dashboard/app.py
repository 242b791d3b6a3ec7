"""Twin Impact dashboard: page config and navigation only (pages live in views/)."""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/, not the project root, on sys.path; an
# editable install fixes that, a plain checkout needs this.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

st.set_page_config(page_title="Twin Impact", page_icon="🧵", layout="wide",
                   menu_items={"About": "Twin Impact: job displacement and income shifts "
                                        "from AI digital twins of fashion models."})

# Streamlit's faded caption grey (#828180), light accents and its code highlighting on a grey
# background (the embed snippet) fail WCAG AA contrast (4.5:1): darker shades, the same on
# every page (axe-core checks it in the tests).
st.html("""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] a,
[data-testid="stWidgetLabel"] p, [data-testid="stMetricDelta"] div,
[data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"],
[data-testid="stThumbValue"] { color: #4a4a4a !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] .stMarkdownColoredText { color: #8a4b00 !important; }
[data-testid="stCode"] pre, [data-testid="stCode"] pre .token { color: #1f2328 !important; }
a { color: #0b5cad; }
</style>""")

from dashboard import data, signin  # noqa: E402 — after the sys.path fix above

_VIEWS = Path(__file__).resolve().parent / "views"
pages = [
    st.Page(_VIEWS / "overview.py", title="Overview", url_path="overview", default=True),
    st.Page(_VIEWS / "displacement.py", title="Displacement", url_path="displacement"),
    st.Page(_VIEWS / "income.py", title="Income", url_path="income"),
    st.Page(_VIEWS / "consent.py", title="Consent and rights", url_path="consent"),
    st.Page(_VIEWS / "employment.py", title="Employment", url_path="employment"),
    st.Page(_VIEWS / "brand_report.py", title="Brand report", url_path="brand-report"),
    st.Page(_VIEWS / "data_sources.py", title="Data & method", url_path="data"),
    st.Page(_VIEWS / "check_image.py", title="Check an image", url_path="check-image"),
]
aud = data.audience()
if aud.can_upload:  # anonymous visitors and other roles do not have the page at all
    pages.append(st.Page(_VIEWS / "upload.py", title="Upload", url_path="upload"))
embed = st.Page(_VIEWS / "embed.py", title="Embedded chart", url_path="embed")
# /embed is for <iframe>s on other sites: it is served alone, without the page list
if urlsplit(st.context.url or "").path.rstrip("/").endswith("/embed"):
    # registered beside the others: a lone page would be the default, served only at /
    st.navigation([*pages, embed], position="hidden").run()
else:
    signin.sidebar(aud)
    st.navigation(pages).run()
