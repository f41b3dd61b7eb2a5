"""The review page's HTML: plain server-rendered pages with inline CSS, no script and no
external asset, so it works offline in any browser. Every value is escaped."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from catalog_ml.review.queue import LISTING_COLUMNS

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.same { background: #e8f6e8; } .differs { background: #fbeaea; }
.pos { color: #176317; } .neg { color: #a31515; }
.note { color: #555; } .error { color: #a31515; font-weight: bold; }
.pending { background: #fff6d6; }
form.decision { border: 1px solid #ccc; padding: 0.8em; max-width: 60em; }
form.decision label { display: block; margin: 0.3em 0; }
button { margin-right: 0.6em; padding: 0.3em 0.9em; }
"""


def _text(value: object) -> str:
    if value is None:
        return "<span class='note'>(none)</span>"
    if isinstance(value, float):
        return escape(f"{value:.4g}")
    return escape(str(value))


def _money(value: object) -> str:
    return _text(value) if not isinstance(value, float) else escape(f"{value:.2f}")


def _document(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def _pending_text(override: dict | None) -> str:
    if override is None:
        return ""
    product = override.get("product_id") or ""
    who = escape(override.get("reviewer") or "")
    what = f"matches {escape(product)}" if product else "matches no product"
    return f"decided: {what} ({who}, {escape(override.get('created_at') or '')})"


def queue_page(
    rows: list[dict], total: int, pending: dict[str, dict], folder: str, message: str = ""
) -> str:
    """The queue in its order, with the decisions already recorded for the next build."""
    lines = []
    for row in rows:
        override = pending.get(row["offer_id"])
        link = f"/offers/{quote(row['offer_id'], safe='')}"
        lines.append(
            f"<tr class='{'pending' if override else ''}' data-offer-id='{escape(row['offer_id'])}'>"
            f"<td class='num'>{row['queue_rank']}</td>"
            f"<td><a href='{link}'>{escape(row['offer_id'])}</a></td>"
            f"<td>{_text(row['offer_title'])}</td>"
            f"<td class='num'>{_money(row['offer_price'])} {_text(row['offer_currency'])}</td>"
            f"<td class='num'>{_text(row['match_score'])}</td>"
            f"<td class='num'>{_text(row['expected_label_value'])}</td>"
            f"<td>{_text(row['candidate_1_title'])}</td>"
            f"<td>{_pending_text(override)}</td></tr>"
        )
    body = (
        "<h1>Match review queue</h1>"
        + (f"<p class='note' id='message'>{escape(message)}</p>" if message else "")
        + f"<p>{total} offers to review, in order of the expected value of a label"
        " (uncertainty x offer price x traffic of the proposed product), as the last build"
        f" ranked them. Decisions are appended to <code>{escape(folder)}</code> and change"
        " the next build. <a href='/queue.csv'>Export the queue (CSV)</a></p>"
        "<table id='queue'><tr><th>#</th><th>offer</th><th>title</th><th>price</th>"
        "<th>score</th><th>value of a label</th><th>proposed product</th><th>decision</th></tr>"
        + "".join(lines)
        + "</table>"
    )
    return _document("Match review queue", body)


def _listings_table(item: dict) -> str:
    offer = item["offer"]
    candidates = item["candidates"]
    head = "<tr><th></th><th>offer</th>" + "".join(
        f"<th>candidate {n}: {escape(c['product_id'])}</th>" for n, c in enumerate(candidates, 1)
    )
    rows = [head + "</tr>"]
    for column in LISTING_COLUMNS:
        shown = _money if column == "price" else _text
        cells = [f"<th>{column}</th><td>{shown(offer.get(column))}</td>"]
        for candidate in candidates:
            value = candidate["listing"].get(column)
            same = offer.get(column) is not None and value is not None
            kind = ("same" if str(value) == str(offer.get(column)) else "differs") if same else ""
            cells.append(f"<td class='{kind}'>{shown(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    scores = "".join(f"<td class='num'>{_text(c['match_score'])}</td>" for c in candidates)
    rows.append(f"<tr><th>match score</th><td></td>{scores}</tr>")
    return "<table id='listings'>" + "".join(rows) + "</table>"


def _features_table(candidates: list[dict]) -> str:
    if not candidates or not candidates[0].get("features"):
        return "<p class='note'>No matcher features for these pairs (no matcher registered).</p>"
    order = [f["name"] for f in candidates[0]["features"]]
    by_candidate = [{f["name"]: f for f in c.get("features", [])} for c in candidates]
    head = "<tr><th>feature</th>" + "".join(
        f"<th>candidate {n}: value</th><th>effect</th>" for n in range(1, len(candidates) + 1)
    )
    rows = [head + "</tr>"]
    for name in order:
        cells = [f"<td>{escape(name)}</td>"]
        for features in by_candidate:
            feature = features.get(name, {})
            effect = feature.get("contribution")
            kind = "" if not effect else ("pos" if effect > 0 else "neg")
            shown = "" if effect is None else f"{effect:+.3f}"
            cells.append(
                f"<td class='num'>{_text(feature.get('value'))}</td>"
                f"<td class='num {kind}'>{shown}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<p class='note'>Effect: what the feature added to the matcher's raw score, in log-odds"
        " (XGBoost SHAP contributions of the version that scored the pair); largest first for"
        " candidate 1.</p><table id='features'>" + "".join(rows) + "</table>"
    )


def _decision_form(item: dict, reviewer: str) -> str:
    offer_id = item["offer"]["offer_id"]
    candidates = item["candidates"]
    proposed = candidates[0]["product_id"] if candidates else ""
    choices = "".join(
        f"<label><input type='radio' name='pick_product_id' value='{escape(c['product_id'])}'"
        f"{' checked' if n == 2 else ''}> candidate {n}: {escape(c['product_id'])}"
        f" {_text(c['listing'].get('title'))}</label>"
        for n, c in enumerate(candidates, 1)
    )
    accept = (
        f"<button type='submit' name='action' value='accept' id='accept'>Accept candidate 1"
        f" ({escape(proposed)})</button>"
        if proposed
        else ""
    )
    return (
        f"<form class='decision' method='post' action='/offers/{quote(offer_id, safe='')}/decision'>"
        f"<input type='hidden' name='proposed_product_id' value='{escape(proposed)}'>"
        + "".join(
            f"<input type='hidden' name='shown_product_id' value='{escape(c['product_id'])}'>"
            for c in candidates
        )
        + "<label>Reviewer <input name='reviewer' id='reviewer' required maxlength='500'"
        f" value='{escape(reviewer)}'></label>"
        "<label>Reason <input name='reason' id='reason' size='60' maxlength='10000'></label>"
        f"<p>{accept}"
        "<button type='submit' name='action' value='reject' id='reject'>Reject: matches no"
        " product</button></p>"
        f"<fieldset><legend>Or pick another product</legend>{choices}"
        "<label>other product id <input name='other_product_id' id='other_product_id'></label>"
        "<button type='submit' name='action' value='pick' id='pick'>Pick this product</button>"
        "</fieldset></form>"
    )


def item_page(item: dict, pending: dict | None, reviewer: str, error: str = "") -> str:
    """One offer beside its candidates, the features behind their scores, and the form."""
    offer = item["offer"]
    queue = item["queue"]
    decision = item["decision"] or {}
    place = (
        f"queue rank {queue['queue_rank']}, value of a label {_text(queue['expected_label_value'])}"
        if queue
        else "not in the review queue of the last build"
    )
    body = (
        "<p><a href='/'>back to the queue</a></p>"
        f"<h1>Offer {escape(offer['offer_id'])}</h1>"
        + (f"<p class='error' id='error'>{escape(error)}</p>" if error else "")
        + f"<p>{place}. Last build's decision: <b id='build-decision'>"
        f"{_text(decision.get('decision'))}</b> ({_text(decision.get('decision_source'))},"
        f" product {_text(decision.get('product_id'))}).</p>"
        + (f"<p class='pending' id='pending'>{_pending_text(pending)}</p>" if pending else "")
        + _listings_table(item)
        + "<h2>Why the matcher scored them so</h2>"
        + _features_table(item["candidates"])
        + "<h2>Decision</h2>"
        + _decision_form(item, reviewer)
    )
    return _document(f"Review offer {offer['offer_id']}", body)


def error_page(title: str, message: str) -> str:
    body = (
        f"<p><a href='/'>back to the queue</a></p><h1>{escape(title)}</h1>"
        f"<p class='error' id='error'>{escape(message)}</p>"
    )
    return _document(title, body)
