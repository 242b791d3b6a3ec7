"""Employment: people and earnings per role over every survey period, next to when twins
arrived; then the BLS figures with their caveats."""

import streamlit as st

from dashboard import trends, ui

# The series shown (source, granularity, area level, view, earnings area) is chosen on this
# page; it lives in the URL beside the shared filters, read before ui.setup rewrites the URL.
PAGE_KEYS = ("source", "every", "level", "view", "area")
# the series' own counts (keynumbers.HEADLINES: counts of the series chosen)
HEADLINES = ("survey-people", "survey-roles", "survey-areas")
asked = {k: st.query_params.get(k) for k in PAGE_KEYS}

ctx = ui.setup("Employment: who works in each role, and what they earn, over time",
               uses=("role", "region"))
f = ctx.f
got = ui.fetch(ctx, ("employment_sources", f), showing=("employment-bls",))
(families,) = got.frames


def choose(key: str, label: str, options: list[str], words: dict | None = None) -> str:
    """A sidebar choice kept in the URL; an unknown URL value is named and ignored."""
    value = asked.get(key)
    if value is not None and value not in options:
        # the URL's value and the sources' names (from the data): text, never Markdown
        st.warning(ui.plain(f"Ignored {key}={value!r}: not one of {', '.join(options)}; "
                            f"showing {options[0]}."), icon=":material/warning:")
        value = None
    value = value or options[0]
    if len(options) > 1:
        value = st.sidebar.selectbox(label, options, index=options.index(value),
                                     format_func=lambda o: (words or {}).get(o, o))
    if value != options[0]:
        st.query_params[key] = value
    return value


st.subheader("Union and statistics-office surveys, over time")
if families.empty:
    ui.empty_state("No survey figures match these filters. Load a `crew-employment` file "
                   "(union or statistics-office survey) to fill this page.")
    st.stop()

source = choose("source", "Survey source", list(dict.fromkeys(families["source"])))
mine = families[families["source"] == source]
every = choose("every", "Survey periods", list(dict.fromkeys(mine["granularity"])),
               trends.GRANULARITY_WORDS)
level = choose("level", "Area level",
               list(dict.fromkeys(mine[mine["granularity"] == every]["area_level"])),
               trends.LEVEL_WORDS)
view = choose("view", "Show", ["people", "index"],
              {"people": "people and earnings as published",
               "index": "index (first full pre-twin year = 100)"})

series = {"source": source, "every": every, "level": level}
# the series, and what its charts and table need beside it, at once
shown = ui.fetch(ctx, ("employment_series", f, source, every, level),
                 showing=(("employment-survey", f, series),),
                 headlines=ui.headline_calls(ctx, HEADLINES, opts=series))
(rows,) = shown.frames

ui.headlines(ctx, HEADLINES, shown, opts=series)
# which series, its areas and when twins arrived: in the chart's caption (its declaration)
st.caption("One series per role, never added up across sources, period lengths or nested "
           "areas; earnings stay per area in their published currency and basis. "
           + ui.METHODOLOGY_LINK)

ui.figure(ctx, "employment-survey", shown, view=view, **series)

with_earnings = rows[rows["median_earnings"].notna()]
if not with_earnings.empty:
    area_opts = with_earnings["area"].value_counts().sort_index().sort_values(
        ascending=False, kind="stable").index.tolist()
    area = choose("area", "Area for earnings", area_opts)
    ui.figure(ctx, "employment-earnings", shown, area=area, view=view, **series)

with st.expander(f"Every row of this series ({len(rows):,}: period × area × role)"):
    ui.figure(ctx, "employment-survey-rows", shown, **series)

# Where a source publishes employees and the self-employed apart (fetch-nomis: the APS),
# both series side by side: most models and crew are freelance, which OEWS and ASHE leave out.
pairs = trends.type_pairs(list(families["source"]))
if pairs:
    family = next((fam for fam, pair in pairs.items() if source in (*pair, f"{fam} (all in "
                                                                           "employment)")),
                  next(iter(pairs)))
    st.subheader("Employees and the self-employed")
    ui.figure(ctx, "employment-types", family=family, every=every, level=level)

st.subheader("US Bureau of Labor Statistics (real published figures)")
st.warning(
    "**Read with care.** OEWS counts *employees* only, not the self-employed — and most "
    "models and shoot crew are freelance, so these figures undercount them. The Models "
    "estimate has a relative standard error of 21.2%. BLS changed occupation coding and "
    "method around 2021, so years on either side are not strictly comparable.",
    icon=":material/straighten:")
ui.figure(ctx, "employment-bls", got)
