from datetime import timedelta

import numpy as np
from scipy import stats

from odoo import api, fields, models
from odoo.tools import SQL

from .customer_account import LIFECYCLES
from .customer_tier import COMPUTED_TABLE

CHECK_STATES = [("done", "Done"), ("too_little_data", "Too Little Data")]
LINE_KINDS = [("decile", "Decile of Expected Orders"), ("lifecycle", "Lifecycle")]
DECILES = 10


# Fewer customers on either side (who ordered again, who did not) and the AUC is not shown.
AUC_MIN_CUSTOMERS = 10


class CustomerPredictionCheck(models.Model):
    """A back-test of the repeat-buying model on the company's own orders (README, "Prediction
    check"): cut the history at today - horizon, fit and label on what came before, and compare
    with what the customers did over the horizon."""

    _name = "customer.prediction.check"
    _description = "Prediction Check"
    _order = "date desc, id desc"
    _rec_name = "date"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    date = fields.Date(string="Checked On", required=True, readonly=True, default=fields.Date.context_today)
    cut_date = fields.Date(string="Predicted From", readonly=True)
    horizon_days = fields.Integer(readonly=True)
    state = fields.Selection(CHECK_STATES, readonly=True)
    # Why the model was not fitted at the cut, as the fit said it (the model's own reason).
    fit_reason = fields.Text(readonly=True)
    # What the check could not tell, in the reader's language (the check may have been run by
    # someone reading another language).
    reason = fields.Text(compute="_compute_reason")
    customer_count = fields.Integer(string="Customers", readonly=True, help="Customers with an order before the cut.")
    returning_count = fields.Integer(string="Ordered Again", readonly=True)
    auc = fields.Float(
        string="AUC",
        readonly=True,
        digits=(4, 3),
        help="Chance that a customer who ordered again over the horizon had more expected orders than one who "
        "did not: 0.5 is a coin toss, 1 a perfect ranking.",
    )
    predicted_orders = fields.Float(readonly=True, digits=(16, 1))
    actual_orders = fields.Integer(readonly=True)
    predicted_ratio = fields.Float(
        string="Predicted / Actual", readonly=True, digits=(6, 2), help="1.00: as many orders as predicted."
    )
    line_ids = fields.One2many("customer.prediction.check.line", "check_id", readonly=True)
    decile_line_ids = fields.One2many(
        "customer.prediction.check.line", "check_id", domain=[("kind", "=", "decile")], readonly=True
    )
    lifecycle_line_ids = fields.One2many(
        "customer.prediction.check.line", "check_id", domain=[("kind", "=", "lifecycle")], readonly=True
    )

    @api.model
    def action_open_latest(self):
        """Reporting > Prediction Check: the company's latest check, run now if there is none."""
        check = self.search([("company_id", "=", self.env.company.id)], limit=1) or self._run(self.env.company)
        return check._form_action()

    def action_run_again(self):
        self.ensure_one()
        return self._run(self.company_id)._form_action()

    def action_open_graph(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_relationship.customer_prediction_check_series_action"
        )
        action["domain"] = [("check_id", "=", self.id)]
        return action

    def _form_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_prediction_check_action")
        action.update(res_id=self.id, view_mode="form", views=[(False, "form")])
        return action

    @api.model
    def _run(self, company, today=None):
        """Back-test the model of ``company`` and store the result (a new check)."""
        today = today or fields.Date.context_today(self)
        horizon = company.customer_prediction_horizon_days
        cut = today - timedelta(days=horizon)
        tiers = self.env["customer.tier"]
        table = SQL.identifier(COMPUTED_TABLE)
        # The customers as the recomputation saw them at the cut, with the model fitted then.
        tiers._build_computed_table(company, cut)
        fit = self.env["customer.prediction.model"]._predict_computed_table(company, cut, store=False)
        before = self.env.execute_query(
            SQL(
                """SELECT partner_id, COALESCE(order_days, 0), COALESCE(expected_orders, 0), lifecycle
                     FROM %s WHERE first_order_date IS NOT NULL ORDER BY partner_id""",
                table,
            )
        )
        self.env.cr.execute(SQL("DROP TABLE %s", table))
        # ... and what they did since: their order days today minus those at the cut.
        tiers._build_computed_table(company, today)
        now = dict(
            self.env.execute_query(
                SQL(
                    "SELECT partner_id, COALESCE(order_days, 0) FROM %s WHERE partner_id = ANY(%s)",
                    table,
                    [row[0] for row in before],
                )
            )
        )
        self.env.cr.execute(SQL("DROP TABLE %s", table))
        values = {"company_id": company.id, "date": today, "cut_date": cut, "horizon_days": horizon}
        if fit["state"] != "fitted":
            values.update(state="too_little_data", fit_reason=fit["reason"] or False)
        actual = np.array([now.get(partner, days) - days for partner, days, _e, _l in before], dtype=float)
        expected = np.array([row[2] for row in before], dtype=float)
        lifecycles = [row[3] for row in before]
        values.update(self._compare(expected, actual, fitted=fit["state"] == "fitted"))
        values["line_ids"] = [fields.Command.create(line) for line in self._lines(expected, actual, lifecycles, fit)]
        return self.create(values)

    @api.model
    def _compare(self, expected, actual, fitted):
        returned = actual > 0
        values = {
            "customer_count": len(actual),
            "returning_count": int(returned.sum()),
            "actual_orders": int(actual.sum()),
        }
        if not fitted:
            return values
        values.update(state="done", predicted_orders=float(expected.sum()))
        values["predicted_ratio"] = expected.sum() / actual.sum() if actual.sum() else 0.0
        positives, negatives = int(returned.sum()), int((~returned).sum())
        # With a handful on one side, the AUC says more about those few than about the model
        # (no AUC then: _compute_reason says why).
        if min(positives, negatives) >= AUC_MIN_CUSTOMERS:
            ranks = stats.rankdata(expected)
            values["auc"] = (ranks[returned].sum() - positives * (positives + 1) / 2) / (positives * negatives)
        return values

    @api.depends("state", "fit_reason", "auc", "customer_count", "returning_count")
    @api.depends_context("lang")
    def _compute_reason(self):
        for check in self:
            gone = check.customer_count - check.returning_count
            if check.state == "done" and min(check.returning_count, gone) < AUC_MIN_CUSTOMERS:
                check.reason = self.env._(
                    "The ranking (AUC) needs at least %(minimum)s customers who ordered again and %(minimum)s who "
                    "did not: %(returned)s did, %(gone)s did not.",
                    minimum=AUC_MIN_CUSTOMERS,
                    returned=check.returning_count,
                    gone=gone,
                )
            else:
                check.reason = check.fit_reason

    @api.model
    def _lines(self, expected, actual, lifecycles, fit):
        lines = []
        if fit["state"] == "fitted" and len(expected) >= DECILES:
            order = np.argsort(-expected, kind="stable")
            for index, group in enumerate(np.array_split(order, DECILES), start=1):
                lines.append(
                    {
                        "kind": "decile",
                        "sequence": index,
                        "decile": index,
                        **self._line_figures(expected[group], actual[group]),
                    }
                )
        lifecycles = np.array(lifecycles, dtype=object)
        for index, (key, _label) in enumerate(LIFECYCLES):
            members = lifecycles == key
            if members.any():
                lines.append(
                    {
                        "kind": "lifecycle",
                        "sequence": index,
                        "lifecycle": key,
                        **self._line_figures(expected[members], actual[members]),
                    }
                )
        return lines

    @api.model
    def _line_figures(self, expected, actual):
        return {
            "customer_count": len(actual),
            "predicted_orders": float(expected.sum()),
            "actual_orders": int(actual.sum()),
            "return_rate": 100 * float(np.mean(actual > 0)) if len(actual) else 0.0,
        }


class CustomerPredictionCheckLine(models.Model):
    _name = "customer.prediction.check.line"
    _description = "Prediction Check Line"
    _order = "check_id, kind, sequence"

    check_id = fields.Many2one("customer.prediction.check", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="check_id.company_id", store=True)
    kind = fields.Selection(LINE_KINDS, required=True)
    sequence = fields.Integer()
    # The label is made on read, in the reader's language (a check run in English reads in Chinese).
    name = fields.Char(string="Group", compute="_compute_name")
    decile = fields.Integer(help="1: the customers the model expected to order most.")
    lifecycle = fields.Selection(LIFECYCLES)
    customer_count = fields.Integer(string="Customers", aggregator="sum")
    predicted_orders = fields.Float(digits=(16, 1), aggregator="sum")
    actual_orders = fields.Integer(aggregator="sum")
    return_rate = fields.Float(
        string="Ordered Again (%)", digits=(5, 1), aggregator="avg", help="Customers who ordered over the horizon."
    )

    @api.depends("decile", "lifecycle")
    @api.depends_context("lang")
    def _compute_name(self):
        lifecycles = dict(self._fields["lifecycle"]._description_selection(self.env))
        for line in self:
            line.name = (
                self.env._("Decile %(decile)s", decile=f"{line.decile:02d}")
                if line.kind == "decile"
                else lifecycles.get(line.lifecycle, "")
            )


class CustomerPredictionCheckSeries(models.Model):
    """The decile lines of the checks as two series, predicted and actual orders, side by side in
    the check's graph: Odoo's graph view draws one measure at a time, and a series per decile."""

    _name = "customer.prediction.check.series"
    _description = "Prediction Check Series"
    _auto = False
    _order = "check_id, decile, series desc"
    _depends = {
        "customer.prediction.check.line": [
            "check_id",
            "company_id",
            "kind",
            "decile",
            "predicted_orders",
            "actual_orders",
        ]
    }

    check_id = fields.Many2one("customer.prediction.check", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    decile = fields.Integer(readonly=True, help="1: the customers the model expected to order most.")
    series = fields.Selection([("predicted", "Predicted Orders"), ("actual", "Actual Orders")], readonly=True)
    orders = fields.Float(readonly=True, digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """SELECT line.id * 2 AS id, line.check_id, line.company_id, line.decile,
                      'predicted' AS series, line.predicted_orders AS orders
                 FROM customer_prediction_check_line line WHERE line.kind = 'decile'
            UNION ALL
               SELECT line.id * 2 + 1, line.check_id, line.company_id, line.decile,
                      'actual', line.actual_orders
                 FROM customer_prediction_check_line line WHERE line.kind = 'decile'"""
        )
