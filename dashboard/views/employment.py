"""Employment: people and earnings per role over every survey period, next to when twins
arrived; then the BLS figures with their caveats."""

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, trends, ui

# The series shown (source, granularity, area level, view, earnings area) is chosen on this
# page; it lives in the URL beside the shared filters, read before ui.setup rewrites the URL.
PAGE_KEYS = ("source", "every", "level", "view", "area")
asked = {k: st.query_params.get(k) for k in PAGE_KEYS}

ctx = ui.setup("Employment: who works in each role, and what they earn, over time",
               uses=("role", "region"))
f = ctx.f
# this page has no brand or channel filter: the twin-share context covers every brand
# based in the chosen regions, every channel
ctx_f = replace(f, brand=(), channel=())
families, arrival_row, share_rows, bls = data.fetch(
    ("employment_sources", f), ("twin_arrival", ctx_f), ("twin_share_by_channel", ctx_f),
    ("employment_bls", f))


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

rows = data.fetch(("employment_series", f, source, every, level))[0]
arrival_row = arrival_row.iloc[0]
arrival, where = arrival_row["first_use"], ("by a brand based in the chosen regions"
                                            if f.region else "by any brand")
if arrival is None or arrival != arrival:  # no adopting brand in these regions
    arrival, where = arrival_row["first_use_any"], "by any brand (none in these regions)"
arrival = None if arrival is None or arrival != arrival else arrival.date()
share = trends.twin_share_by_period(share_rows, every)

employed = trends.employed_by_role(rows)
now = trends.latest(employed)
c1, c2, c3 = st.columns(3)
period = now["period"].iloc[0] if not now.empty else "–"
c1.metric(f"People in the survey, {period}", f"{now['employed'].sum(min_count=1):,.0f}")
c2.metric("Roles", f"{employed['role'].nunique()}")
c3.metric("Areas covered", f"{rows['area'].nunique()}")
areas = ", ".join(sorted(rows["area"].unique()))
series_words = (f"{source}, {trends.GRANULARITY_WORDS[every]}, "
                f"{trends.LEVEL_WORDS[level].split(' (')[0]}")
twins = (f"Twins arrived: first twin use {where}, {arrival:%Y-%m}." if arrival else
         "No brand has used a twin in the data.")
st.caption(f"One series per role: **{ui.plain(series_words)}** — never added up across "
           f"sources, period lengths or nested areas. People are summed over "
           f"{ui.plain(areas)}; earnings stay per area in their published currency and basis. "
           f"{ui.plain(twins)} " + ui.METHODOLOGY_LINK)

meta = {"source": source, "granularity": every, "area_level": level}
sources_line = f"{source} (marts.employment)"
hidden_note = ("areas with fewer than k people are left out of the sums"
               if ctx.k is not None and employed["areas_hidden"].sum() else "")
if view == "index":
    ix = trends.indexed(employed, "employed", ["role"], every, arrival)
    base = ix["base_year"].dropna().unique()
    if ix["index"].isna().all():
        ui.empty_state("No role has a full survey year before twins arrived, so there is no "
                       "base year for an index: choose 'people and earnings as published'.")
    else:
        title = (f"People employed per role, index: first full pre-twin year "
                 f"({', '.join(str(int(b)) for b in base)}) = 100")
        ui.chart(ctx, charts.employment_trend(ix, "index", title, "index (base year = 100)",
                                              arrival=arrival, share=share, meta=meta), ix,
                 sources=sources_line, key="employment-survey", note=hidden_note)
else:
    title = f"People employed per role ({trends.GRANULARITY_WORDS[every]}, {areas})"
    ui.chart(ctx, charts.employment_trend(employed, "employed", title, "people",
                                          arrival=arrival, share=share, meta=meta),
             employed, sources=sources_line, key="employment-survey", note=hidden_note)

with_earnings = rows[rows["median_earnings"].notna()]
if not with_earnings.empty:
    area_opts = with_earnings["area"].value_counts().sort_index().sort_values(
        ascending=False, kind="stable").index.tolist()
    area = choose("area", "Area for earnings", area_opts)
    earn = trends.earnings_by_role(rows, area)
    # one currency and basis per chart: the area's most common; any other is named
    basis_cur = earn.groupby(["earnings_basis", "currency"]).size().idxmax()
    other = earn[(earn["earnings_basis"] != basis_cur[0]) | (earn["currency"] != basis_cur[1])]
    earn = earn[(earn["earnings_basis"] == basis_cur[0]) & (earn["currency"] == basis_cur[1])]
    unit = f"{basis_cur[1]} per {basis_cur[0]}, as published"
    note = "earnings as published: never converted or summed across areas"
    if not other.empty:
        note += f"; {len(other)} rows on another basis or currency are not drawn"
    if view == "index":
        earn = trends.indexed(earn, "median_earnings", ["role"], every, arrival)
        ui.chart(ctx, charts.employment_trend(
            earn, "index", f"Median earnings per role in {area}, index (base year = 100; "
                           f"{unit})", "index (base year = 100)", arrival=arrival,
            meta={**meta, "area": area}), earn, sources=sources_line,
            key="employment-earnings", note=note)
    else:
        ui.chart(ctx, charts.employment_trend(
            earn, "median_earnings", f"Median earnings per role in {area} ({unit})", unit,
            arrival=arrival, meta={**meta, "area": area}), earn, sources=sources_line,
            key="employment-earnings", note=note)

with st.expander(f"Every row of this series ({len(rows):,}: period × area × role)"):
    ui.table(ctx, rows, sources=sources_line, key="employment-survey-rows")

# Where a source publishes employees and the self-employed apart (fetch-nomis: the APS),
# both series side by side: most models and crew are freelance, which OEWS and ASHE leave out.
pairs = trends.type_pairs(list(families["source"]))
if pairs:
    family = next((fam for fam, pair in pairs.items() if source in (*pair, f"{fam} (all in "
                                                                           "employment)")),
                  next(iter(pairs)))
    emp_rows, self_rows = data.fetch(("employment_series", f, pairs[family][0], every, level),
                                     ("employment_series", f, pairs[family][1], every, level))
    both = trends.employees_and_self_employed(emp_rows, self_rows)
    st.subheader("Employees and the self-employed")
    if both.empty:
        ui.empty_state(f"{ui.plain(family)} has no {trends.GRANULARITY_WORDS[every]} figures for both "
                       "employment types in this selection.")
    else:
        last = both[both["period_start"] == both["period_start"].max()]
        shown = last[["period", "role", "employees", "self_employed", "self_employed_share"]]
        ui.chart(ctx, charts.employment_by_type(
            last, f"Employees and self-employed per role, {last['period'].iloc[0]} "
                  f"({family})"), shown,
                 sources=f"{family} (employees) and (self-employed) (marts.employment)",
                 key="employment-types",
                 note="the self-employed are counted here, unlike in OEWS and ASHE; each "
                      "occupation code's caveat is in the rows' note")
        known = last.dropna(subset=["employees", "self_employed"])  # both shown
        total = known["employees"].sum() + known["self_employed"].sum()
        if total > 0:
            st.markdown(f"In {ui.plain(last['period'].iloc[0])}, "
                        f"**{known['self_employed'].sum() / total:.0%}** of the people in "
                        f"the occupations of {ui.plain(', '.join(known['role']))} "
                        f"({ui.plain(family)}) were self-employed.")

st.subheader("US Bureau of Labor Statistics (real published figures)")
st.warning(
    "**Read with care.** OEWS counts *employees* only, not the self-employed — and most "
    "models and shoot crew are freelance, so these figures undercount them. The Models "
    "estimate has a relative standard error of 21.2%. BLS changed occupation coding and "
    "method around 2021, so years on either side are not strictly comparable.",
    icon=":material/straighten:")
if bls.empty:
    ui.empty_state("No BLS figures are loaded. `twinimpact demo` loads the shipped reference "
                   "figures; `twinimpact fetch-bls` fetches more.")
else:
    ui.chart(ctx, charts.bls_employment(bls), bls,
             sources="US Bureau of Labor Statistics, Occupational Employment and Wage "
                     "Statistics (public domain), bls.gov/oes", key="employment-bls", real=True)
    st.dataframe(bls, hide_index=True)
