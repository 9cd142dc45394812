import logging
import time

import numpy as np

from odoo import api, fields, models
from odoo.tools import SQL

from . import repeat_buying
from .customer_tier import COMPUTED_TABLE

_logger = logging.getLogger(__name__)

# Below these, the parameters say more about chance than about the customers: today's rules stay.
MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10
# An "expected next order" further than this says "not in sight", not a date.
MAX_NEXT_ORDER_DAYS = 3650
PREDICTION_STATES = [
    ("fitted", "Fitted"),
    ("too_little_data", "Too Little Data"),
    ("failed", "Failed"),
]
PREDICTION_VARIANTS = [
    (repeat_buying.BG_NBD, "BG/NBD (Fader, Hardie & Lee 2005)"),
    (repeat_buying.MBG_NBD, "MBG/NBD (Batislam et al. 2007)"),
]
# Columns the prediction adds to the recomputation's table, with their types.
PREDICTION_COLUMNS = {
    "probability_alive": "float8",
    "probability_return": "float8",
    "expected_orders": "numeric",
    "predicted_value": "numeric",
    "predicted_margin": "numeric",
    "value_at_risk": "numeric",
    "margin_at_risk": "numeric",
    "prediction_fitted": "boolean",
}


class CustomerPredictionModel(models.Model):
    _name = "customer.prediction.model"
    _description = "Repeat-Buying Model of a Company"
    _order = "company_id"
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade", readonly=True)
    state = fields.Selection(PREDICTION_STATES, required=True, default="too_little_data", readonly=True)
    variant = fields.Selection(PREDICTION_VARIANTS, string="Model", readonly=True)
    reason = fields.Text(readonly=True, help="Why the model could not be fitted.")
    fit_date = fields.Datetime(string="Fitted On", readonly=True)
    data_date = fields.Date(string="Orders Up To", readonly=True)
    horizon_days = fields.Integer(related="company_id.customer_prediction_horizon_days")
    customer_count = fields.Integer(string="Customers", readonly=True, help="Customers with at least one order.")
    repeat_customer_count = fields.Integer(
        string="Repeat Customers", readonly=True, help="Customers who ordered on more than one day."
    )
    log_likelihood = fields.Float(readonly=True, digits=(16, 2))
    fit_seconds = fields.Float(string="Fit Time (s)", readonly=True, digits=(8, 3))
    # BG/NBD or MBG/NBD (README, "Who will buy again"): purchase rate ~ Gamma(r, alpha) per day,
    # probability of leaving after a purchase ~ Beta(a, b).
    param_r = fields.Float(string="r", readonly=True, digits=(16, 4))
    param_alpha = fields.Float(string="alpha", readonly=True, digits=(16, 4))
    param_a = fields.Float(string="a", readonly=True, digits=(16, 4))
    param_b = fields.Float(string="b", readonly=True, digits=(16, 4))
    # Gamma-Gamma spend per order
    spend_fitted = fields.Boolean(readonly=True)
    spend_p = fields.Float(string="p", readonly=True, digits=(16, 4))
    spend_q = fields.Float(string="q", readonly=True, digits=(16, 4))
    spend_gamma = fields.Float(string="gamma", readonly=True, digits=(16, 4))
    average_order_value = fields.Float(readonly=True, digits="Product Price")
    currency_id = fields.Many2one(related="company_id.currency_id")

    _company_unique = models.UniqueIndex("(company_id)", "A company has one repeat-buying model.")

    # ------------------------------------------------------------------
    # Fit and figures (called by the tier recomputation)
    # ------------------------------------------------------------------

    @api.model
    def _predict_computed_table(self, company, today, store=True):
        """Fit the model on the customers of the recomputation's table and write each one's
        figures, and its lifecycle where the model decides it, into the table (one query in,
        one UPDATE out). Too little data or a failed fit leave the figures empty and today's
        rules in place. Returns the fit as a dict (see _fit_company)."""
        table = SQL.identifier(COMPUTED_TABLE)
        self.env.cr.execute(
            SQL(
                "ALTER TABLE %s %s",
                table,
                SQL(", ").join(
                    SQL("ADD COLUMN %s %s", SQL.identifier(name), SQL(kind))
                    for name, kind in PREDICTION_COLUMNS.items()
                ),
            )
        )
        data = self._read_inputs(today)
        fit = self._fit_company(company, data)
        if store:
            self._store_fit(company, today, fit)
        if fit["state"] != "fitted":
            return fit
        self.env.cr.execute(
            SQL(
                """UPDATE %(table)s c
                      SET prediction_fitted = TRUE,
                          probability_alive = u.probability_alive,
                          probability_return = u.probability_return,
                          expected_orders = u.expected_orders,
                          predicted_value = u.predicted_value,
                          predicted_margin = u.predicted_margin,
                          value_at_risk = ROUND(((1 - u.probability_alive) * u.predicted_value)::numeric, 2),
                          margin_at_risk = ROUND(((1 - u.probability_alive) * u.predicted_margin)::numeric, 2),
                          expected_next_order_date = c.last_order_date + u.next_order_days,
                          lifecycle = CASE WHEN c.lifecycle NOT IN ('active', 'at_risk', 'dormant') THEN c.lifecycle
                                           WHEN u.probability_return < %(dormant)s THEN 'dormant'
                                           WHEN u.probability_return < %(at_risk)s THEN 'at_risk'
                                           ELSE 'active' END
                     FROM unnest(%(ids)s::int[], %(alive)s::float8[], %(returning)s::float8[], %(orders)s::numeric[],
                                 %(value)s::numeric[], %(margin)s::numeric[], %(next)s::int[])
                          AS u(partner_id, probability_alive, probability_return, expected_orders, predicted_value,
                               predicted_margin, next_order_days)
                    WHERE c.partner_id = u.partner_id""",
                table=table,
                dormant=company.customer_dormant_probability,
                at_risk=company.customer_at_risk_probability,
                ids=data[:, 0].astype(int).tolist(),
                alive=fit["probability_alive"].tolist(),
                returning=fit["probability_return"].tolist(),
                orders=fit["expected_orders"].tolist(),
                value=fit["predicted_value"].tolist(),
                margin=[None if np.isnan(v) else v for v in fit["predicted_margin"].tolist()],
                next=fit["next_order_days"].tolist(),
            )
        )
        return fit

    @api.model
    def _read_inputs(self, today):
        """The model's inputs from the recomputation's table, one row per customer with an order
        (see _fit_company), in partner order."""
        rows = self.env.execute_query(
            SQL(
                """SELECT partner_id, GREATEST(COALESCE(order_days, 0) - 1, 0),
                          -- a credit note alone makes no repeat purchase
                          CASE WHEN order_days > 1 THEN last_order_date - first_order_date ELSE 0 END,
                          %(today)s - first_order_date,
                          COALESCE(order_days, 0),
                          COALESCE(lifetime_value / NULLIF(order_days, 0), 'NaN')::float8,
                          COALESCE(margin_rate, 'NaN')::float8
                     FROM %(table)s
                    WHERE first_order_date IS NOT NULL
                 ORDER BY partner_id""",
                today=today,
                table=SQL.identifier(COMPUTED_TABLE),
            )
        )
        return np.array(rows, dtype=float).reshape(-1, 7)

    @api.model
    def _fit_company(self, company, data):
        """``data``: one row per customer with an order: partner id, repeat order days x, t_x, T
        (days), order days, average order value, margin rate (NaN: unknown). Returns the fit's
        state, reason, parameters and, when fitted, the per-customer figures as arrays."""
        _ids, x, t_x, age, order_days, average_value, margin_rate = data.T
        fit = {
            "state": "too_little_data",
            "reason": False,
            "customer_count": len(x),
            "repeat_customer_count": int(np.sum(x > 0)),
        }
        if fit["customer_count"] < MIN_CUSTOMERS or fit["repeat_customer_count"] < MIN_REPEAT_CUSTOMERS:
            fit["reason"] = self.env._(
                "%(customers)s customers with an order, %(repeat)s of them ordered again: the model needs at "
                "least %(min_customers)s and %(min_repeat)s. Lifecycles follow the day rules until then.",
                customers=fit["customer_count"],
                repeat=fit["repeat_customer_count"],
                min_customers=MIN_CUSTOMERS,
                min_repeat=MIN_REPEAT_CUSTOMERS,
            )
            return fit
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):
                fit.update(self._fit_figures(company, x, t_x, age, order_days, average_value, margin_rate))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
            _logger.warning("Repeat-buying model of %s not fitted: %s", company.name, error)
            fit.update(state="failed", reason=str(error))
            return fit
        fit["fit_seconds"] = time.perf_counter() - start
        return fit

    @api.model
    def _fit_figures(self, company, x, t_x, age, order_days, average_value, margin_rate):
        variant = company.customer_prediction_variant
        params, log_likelihood = repeat_buying.fit_nbd(x, t_x, age, variant)
        horizon = company.customer_prediction_horizon_days
        alive = repeat_buying.probability_alive(params, x, t_x, age, variant)
        returning = repeat_buying.probability_purchase_within(params, horizon, x, t_x, age, variant)
        orders = repeat_buying.expected_purchases(params, horizon, x, t_x, age, variant)
        rate = repeat_buying.expected_rate_if_alive(params, x, age)
        if not (np.all(np.isfinite(alive)) and np.all(np.isfinite(orders))):
            raise ValueError(self.env._("The fitted model gives no finite prediction for some customers."))
        known = np.isfinite(average_value) & (average_value > 0)
        repeat = known & (order_days >= 2)
        spend = {"spend_fitted": False}
        if np.sum(repeat) >= MIN_REPEAT_CUSTOMERS:
            try:
                (p, q, gamma), _ll = repeat_buying.fit_gamma_gamma(order_days[repeat], average_value[repeat])
                if q > 1:
                    spend = {"spend_fitted": True, "spend_p": p, "spend_q": q, "spend_gamma": gamma}
            except (ValueError, ArithmeticError):
                _logger.info("Spend model of %s not fitted: own averages used", company.name)
        if spend["spend_fitted"]:
            params_spend = (spend["spend_p"], spend["spend_q"], spend["spend_gamma"])
            value_per_order = repeat_buying.expected_spend(params_spend, np.where(known, order_days, 0), average_value)
            population = spend["spend_p"] * spend["spend_gamma"] / (spend["spend_q"] - 1)
        else:
            population = float(np.mean(average_value[known])) if known.any() else 0.0
            value_per_order = np.where(known, average_value, population)
        value = np.round(orders * value_per_order, 2)
        return {
            "state": "fitted",
            "params": params,
            "log_likelihood": log_likelihood,
            "average_order_value": population,
            **spend,
            "variant": variant,
            "probability_alive": np.round(alive, 4),
            "probability_return": np.round(returning, 4),
            "expected_orders": np.round(orders, 2),
            "predicted_value": value,
            "predicted_margin": np.round(value * margin_rate / 100, 2),
            "next_order_days": np.minimum(np.round(1 / rate), MAX_NEXT_ORDER_DAYS).astype(int),
        }

    @api.model
    def _store_fit(self, company, today, fit):
        # The fit is the company's, whoever ran the recomputation: nobody writes it by hand.
        record = self.sudo().search([("company_id", "=", company.id)])
        r, alpha, a, b = fit.get("params", (0.0, 0.0, 0.0, 0.0))
        values = {
            "state": fit["state"],
            "reason": fit["reason"],
            "fit_date": fields.Datetime.now(),
            "data_date": today,
            "customer_count": fit["customer_count"],
            "repeat_customer_count": fit["repeat_customer_count"],
            "variant": fit.get("variant", company.customer_prediction_variant),
            "log_likelihood": fit.get("log_likelihood", 0.0),
            "fit_seconds": fit.get("fit_seconds", 0.0),
            "param_r": r,
            "param_alpha": alpha,
            "param_a": a,
            "param_b": b,
            "spend_fitted": fit.get("spend_fitted", False),
            "spend_p": fit.get("spend_p", 0.0),
            "spend_q": fit.get("spend_q", 0.0),
            "spend_gamma": fit.get("spend_gamma", 0.0),
            "average_order_value": fit.get("average_order_value", 0.0),
        }
        if record:
            record.write(values)
        else:
            self.sudo().create({"company_id": company.id, **values})
