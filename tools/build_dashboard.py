#!/usr/bin/env python3
"""Writes data/files/customer_relationship_dashboard.json, the managers' spreadsheet dashboard
(Dashboards > Sales > Customer Relationship), in the format of spreadsheet_dashboard_sale's files.

Run it after changing a chart here: python3 tools/build_dashboard.py. Odoo extracts the chart
titles, filter labels and _t() texts of the file for translation (i18n, like any other term).
Charts read the addon's models through Odoo's own chart data sources (read_group), so each
follows the reader's record rules and the global filters (period, salesperson, tier, company).
"""

import json
import uuid
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "files" / "customer_relationship_dashboard.json"


def fid(name):
    # Stable ids: a rebuild changes nothing for identical charts.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"customer_relationship/{name}"))


FILTERS = {
    "period": {"id": fid("filter/period"), "type": "date", "label": "Period", "defaultValue": "last_12_months"},
    "user": {"id": fid("filter/user"), "type": "relation", "label": "Salesperson", "modelName": "res.users"},
    "tier": {"id": fid("filter/tier"), "type": "relation", "label": "Tier", "modelName": "customer.tier"},
    "company": {"id": fid("filter/company"), "type": "relation", "label": "Company", "modelName": "res.company"},
}
for global_filter in FILTERS.values():
    if global_filter["type"] == "relation":
        global_filter["defaultValueDisplayNames"] = []

# Per model, the field each global filter applies to (no period: the figures of today).
MATCHING = {
    "customer.account": {"user": ("user_id", "many2one"), "tier": ("tier_id", "many2one"),
                         "company": ("company_id", "many2one")},
    "customer.retention.report": {"period": ("month", "date"), "user": ("user_id", "many2one"),
                                  "tier": ("tier_id", "many2one"), "company": ("company_id", "many2one")},
    "customer.visit": {"period": ("done_date", "datetime"), "user": ("user_id", "many2one"),
                       "tier": ("customer_tier_id", "many2one"), "company": ("company_id", "many2one")},
    "customer.care.action": {"period": ("due_date", "date"), "user": ("user_id", "many2one"),
                             "tier": ("customer_tier_id", "many2one"), "company": ("company_id", "many2one")},
}  # fmt: skip


def field_matching(model):
    matching = {}
    for key, (chain, ftype) in MATCHING[model].items():
        matching[FILTERS[key]["id"]] = {"chain": chain, "type": ftype, **({"offset": 0} if key == "period" else {})}
    return matching


# Customers with money at risk: (1 - P(alive)) x predicted value, from the repeat-buying model.
AT_RISK = [["value_at_risk", ">", 0], ["loss_date", "=", False]]

CHARTS = [
    # name, title, model, chart type, group-bys, measure, domain, extra options
    ("customers_per_tier", "Customers per tier", "customer.account", "bar", ["tier_id"], "__count",
     [["tier_id", "!=", False]], {}),
    ("value_per_tier", "Value per tier", "customer.account", "bar", ["tier_id"], "value",
     [["tier_id", "!=", False]], {}),
    ("pareto", "Pareto curve: cumulative value by tier", "customer.account", "line", ["tier_id"], "value",
     [["tier_id", "!=", False]], {"cumulative": True, "fillArea": True}),
    ("churn", "Churn rate per month (%)", "customer.retention.report", "line", ["month:month"], "churn_rate",
     [], {}),
    ("retention", "Retention rate per month (%)", "customer.retention.report", "line", ["month:month"],
     "retention_rate", [], {}),
    ("risk", "Value at risk per tier and salesperson", "customer.account", "bar", ["tier_id", "user_id"],
     "value_at_risk", AT_RISK, {"stacked": True}),
    ("visits", "Done visits per week and salesperson", "customer.visit", "bar", ["done_date:week", "user_id"],
     "__count", [["state", "=", "done"]], {"stacked": True}),
    ("care", "Care actions per month: done, skipped, failed", "customer.care.action", "bar",
     ["due_date:month", "state"], "__count", [["state", "in", ["done", "skipped", "failed"]]], {"stacked": True}),
    ("pool", "Customers in the customer pools per tier", "customer.account", "bar", ["tier_id"], "__count",
     [["customer_pool_id", "!=", False]], {}),
    ("lifecycle_mix", "Lifecycle mix today", "customer.account", "pie", ["lifecycle"], "__count",
     [["lifecycle", "!=", False]], {}),
    ("below_target", "Relationships below their tier's target, per tier", "customer.account", "bar",
     ["tier_id"], "__count", [["partner_id.relationship_gap", "=", "below"]], {}),
    ("cadence", "Customers overdue for contact per salesperson (tier cadence)", "customer.account", "bar",
     ["user_id"], "__count", [["partner_id.visit_overdue", "=", True], ["user_id", "!=", False]], {}),
    ("levels", "Relationship levels per tier", "customer.account", "bar", ["tier_id", "relationship_level"],
     "__count", [["tier_id", "!=", False]], {"stacked": True}),
]  # fmt: skip

WIDTH, HEIGHT, GAP = 540, 300, 16


def odoo_chart(index, name, title, model, kind, group_by, measure, domain, options):
    chart_id = fid(f"chart/{name}")
    data = {
        "title": {"text": title, "bold": True, "color": "#434343"},
        "background": "#FFFFFF",
        "legendPosition": "top" if len(group_by) > 1 or kind == "pie" else "none",
        "metaData": {"groupBy": group_by, "measure": measure, "order": None, "resModel": model, "mode": kind},
        "searchParams": {"comparison": None, "context": {}, "domain": domain, "groupBy": group_by, "orderBy": []},
        "type": f"odoo_{kind}",
        "dataSets": [{}],
        "verticalAxisPosition": "left",
        "stacked": options.get("stacked", False),
        "chartId": chart_id,
        "fieldMatching": field_matching(model),
        **{key: value for key, value in options.items() if key != "stacked"},
    }
    if options.get("cumulative"):
        data["metaData"]["cumulated"] = True
    return chart_figure(index, data)


def chart_figure(index, data):
    """The figure of chart ``data``, two charts a row in the order of their index."""
    return {
        "id": data["chartId"],
        "width": WIDTH,
        "height": HEIGHT,
        "tag": "chart",
        "data": data,
        "offset": {"x": (index % 2) * (WIDTH + GAP), "y": 60 + (index // 2) * (HEIGHT + GAP)},
        "col": 0,
        "row": 0,
    }


def lifecycle_flows(index):
    """New, won back, retained and churned customers per month: a pivot on the Data sheet and a
    stacked bar chart of its cells (an Odoo chart shows one measure only)."""
    chart_id = fid("chart/lifecycle_flows")
    rows = 13
    data = {
        "type": "bar",
        "title": {"text": "Customers per month: new, won back, retained, churned", "bold": True, "color": "#434343"},
        "dataSetsHaveTitle": True,
        "dataSets": [{"dataRange": f"Data!{col}1:{col}{rows}", "yAxisId": "y"} for col in "BCDE"],
        "labelRange": f"Data!A2:A{rows}",
        "legendPosition": "top",
        "stacked": True,
        "aggregated": False,
        "horizontal": False,
        "background": "#FFFFFF",
        "chartId": chart_id,
    }
    figure = chart_figure(index, data)
    measures = [("new_count", "New"), ("reactivated_count", "Won back"), ("retained_count", "Retained"),
                ("churned_count", "Churned")]  # fmt: skip
    pivot = {
        "type": "ODOO",
        "id": "1",
        "formulaId": "1",
        "name": "Customers per month",
        "model": "customer.retention.report",
        "domain": [],
        "context": {},
        "measures": [{"id": f"{fname}:sum", "fieldName": fname, "aggregator": "sum"} for fname, _label in measures],
        "rows": [{"fieldName": "month", "granularity": "month", "order": "asc"}],
        "columns": [],
        "fieldMatching": field_matching("customer.retention.report"),
    }
    cells = {"A1": '=_t("Month")'}
    for col, (_fname, label) in zip("BCDE", measures, strict=True):
        cells[f"{col}1"] = f'=_t("{label}")'
    for row in range(2, rows + 1):
        position = row - 1
        cells[f"A{row}"] = f'=PIVOT.HEADER(1,"#month:month",{position})'
        for col, (fname, _label) in zip("BCDE", measures, strict=True):
            cells[f"{col}{row}"] = f'=PIVOT.VALUE(1,"{fname}:sum","#month:month",{position})'
    return figure, pivot, cells


def top_at_risk(first_row):
    """The ten most valuable customers at risk, as an Odoo list in the dashboard's cells."""
    columns = ["partner_id", "tier_id", "user_id", "lifecycle", "value_at_risk"]
    odoo_list = {
        "id": "1",
        "name": "Top customers at risk",
        "model": "customer.account",
        "columns": columns,
        "domain": AT_RISK,
        "context": {},
        "orderBy": [{"name": "value_at_risk", "asc": False}],
        "fieldMatching": field_matching("customer.account"),
    }
    cells = {f"A{first_row}": '=_t("Top 10 customers by value at risk")'}
    header = first_row + 1
    for col, fname in zip("ABCDE", columns, strict=True):
        cells[f"{col}{header}"] = f'=ODOO.LIST.HEADER(1,"{fname}")'
        for position in range(1, 11):
            cells[f"{col}{header + position}"] = f'=ODOO.LIST(1,{position},"{fname}")'
    return odoo_list, cells


def build():
    figures = [odoo_chart(index, *chart) for index, chart in enumerate(CHARTS)]
    flows_figure, pivot, data_cells = lifecycle_flows(len(figures))
    figures.append(flows_figure)
    chart_rows = (len(figures) + 1) // 2
    # Default row height 23 px: the list starts below the charts.
    first_row = 4 + (60 + chart_rows * (HEIGHT + GAP)) // 23
    odoo_list, list_cells = top_at_risk(first_row)
    dashboard_cells = {"A1": '=_t("Customer Relationship")', **list_cells}
    styles = {"1": {"bold": True, "fontSize": 16, "textColor": "#01666b"}, "2": {"bold": True, "fontSize": 11}}
    dashboard = {
        "id": "dashboard",
        "name": "Dashboard",
        "colNumber": 8,
        "rowNumber": first_row + 15,
        "rows": {},
        "cols": {"0": {"size": 300}, "1": {"size": 160}, "2": {"size": 200}, "3": {"size": 140}, "4": {"size": 140}},
        "merges": [],
        "cells": dashboard_cells,
        "styles": {"A1": 1, f"A{first_row}": 2},
        "formats": {},
        "borders": {},
        "conditionalFormats": [],
        "dataValidationRules": [],
        "figures": figures,
        "tables": [],
        "areGridLinesVisible": False,
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "comments": {},
    }
    data_sheet = {**dashboard, "id": "data", "name": "Data", "colNumber": 6, "rowNumber": 20, "cols": {},
                  "cells": data_cells, "styles": {}, "figures": [], "isVisible": False}  # fmt: skip
    spreadsheet = {
        "version": "18.5.10",
        "sheets": [dashboard, data_sheet],
        "styles": styles,
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": {"1": pivot},
        "pivotNextId": 2,
        "customTableStyles": {},
        "globalFilters": list(FILTERS.values()),
        "lists": {"1": odoo_list},
        "listNextId": 2,
        "chartOdooMenusReferences": {},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(spreadsheet, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    build()
