"""The one colour-blind-safe look of every chart (Okabe-Ito palette), in one place."""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Black is kept for reference lines, not series.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (last: weak on white)
    "#000000",
]
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, BLACK = OKABE_ITO
GREY = "#7F7F7F"
SUPPRESSED = "#BBBBBB"  # cells hidden in public mode
FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"

# Fixed colours per category, so a channel or role looks the same on every page.
CHANNEL_COLOURS = {
    "ecommerce": BLUE, "campaign": ORANGE, "editorial": GREEN, "lookbook": PURPLE,
    "social": SKY, "other": GREY,
}
SERIES = {
    "actual": BLUE, "did": ORANGE, "upper": VERMILLION, "shoot": BLUE, "twin": ORANGE,
    "licensed": GREEN, "unlicensed": VERMILLION, "watermarked": BLUE, "disclosed": ORANGE,
    "all": BLACK, "twin_holders": ORANGE, "no_twin": BLUE,
}


def colour_for(name: str, i: int) -> str:
    """A stable colour for a category: the named one, else the palette in order."""
    return CHANNEL_COLOURS.get(name) or SERIES.get(name) or OKABE_ITO[i % (len(OKABE_ITO) - 2)]


def layout(fig: go.Figure, title: str, *, y_title: str = "", x_title: str = "",
           height: int = 380, percent: bool = False) -> go.Figure:
    """Apply the house layout: a title that says what is shown, quiet grid, legend on top."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13, "color": "#222222"},
        colorway=OKABE_ITO,
        template="plotly_white",
        height=height,
        # room above the plot for industry-event labels; the legend sits under the x axis
        margin={"l": 60, "r": 20, "t": 78, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0,
                "title": None},
        hovermode="x unified",
    )
    if x_title:  # keep the legend clear of the x-axis title
        fig.update_layout(legend={"y": -0.22}, margin={"b": 60})
    fig.update_xaxes(title=x_title or None, showgrid=False, linecolor="#999999")
    fig.update_yaxes(title=y_title or None, gridcolor="#E5E5E5", zerolinecolor="#999999",
                     rangemode="tozero")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig
