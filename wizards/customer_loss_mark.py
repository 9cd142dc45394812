from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.notification import notify_and_close


class CustomerLossMark(models.TransientModel):
    _name = "customer.loss.mark"
    _description = "Mark Customers as Lost"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    reason_id = fields.Many2one("customer.loss.reason", string="Loss Reason", required=True)
    note = fields.Text(help="What happened, and whether the customer could be won back.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            partners = self.env["res.partner"].browse(self.env.context.get("active_ids", []))
            values["partner_ids"] = [fields.Command.set(partners.commercial_partner_id.ids)]
        return values

    def action_apply(self):
        self.ensure_one()
        customers = self.partner_ids.commercial_partner_id
        if not customers:
            raise UserError(self.env._("Choose the customers that were lost."))
        company = self.env.company
        lost_values = self._lost_values(customers, company)
        keeping_costs = self._keeping_costs(customers, company)
        # read before the loop: each write below invalidates the customers' figures
        lost_margins = {
            customer.id: self._lost_margin(customer, lost_values.get(customer.id, 0.0)) for customer in customers
        }
        today = fields.Date.context_today(self)
        for customer in customers:
            # The account fields change only through the addon's actions, in sudo (README, "Access");
            # this wizard is for managers only (its access rights).
            customer.sudo().write(
                {
                    "loss_reason_id": self.reason_id.id,
                    "loss_date": today,
                    "loss_note": self.note,
                    "lost_value": lost_values.get(customer.id, 0.0),
                    "lost_margin": lost_margins[customer.id],
                    "keeping_cost": keeping_costs.get(customer.id, 0.0),
                }
            )
        # Lost until it orders again: the recomputation keeps it so (README, "Design"); in sudo
        # as the loss above.
        accounts = self.env["customer.account"].sudo()._for_partners(customers, company)
        self.env["customer.account"].sudo().concat(*accounts.values()).write({"lifecycle": "lost"})
        self.env["customer.care.action"]._resolve_for("lost", customers)  # README, "Care rules"
        customers._message_log_batch(
            {
                customer.id: self.env._(
                    "Marked as lost for %(company)s: %(reason)s. %(note)s",
                    company=company.name,
                    reason=self.reason_id.name,
                    note=self.note or "",
                )
                for customer in customers
            }
        )
        return notify_and_close(
            self.env._(
                "Marked as lost: %(customers)s (%(reason)s).",
                customers=", ".join(customers.mapped("display_name")),
                reason=self.reason_id.name,
            )
        )

    @api.model
    def _lost_values(self, customers, company):
        """Per customer, its orders (in the company's value basis, in company currency) over the
        value window before its last order: what a year (by default) of the customer was worth."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT orders.partner_id, SUM(orders.amount)
                     FROM (%(orders)s) orders
                     JOIN customer_account account
                       ON account.partner_id = orders.partner_id AND account.company_id = %(company)s
                    WHERE orders.partner_id = ANY(%(customers)s)
                      AND orders.order_date >= account.last_order_date - %(window)s::interval
                 GROUP BY orders.partner_id""",
                orders=company._customer_value_orders(fields.Date.context_today(self)),
                customers=customers.ids,
                company=company.id,
                window=f"{company.customer_value_window_months} months",
            )
        )
        return dict(rows)

    @api.model
    def _lost_margin(self, customer, lost_value):
        """The margin the customer was expected to bring over the prediction horizon (README, "Who
        will buy again"); without a fitted model, the value lost at the customer's margin rate."""
        if customer.customer_prediction_fitted:
            return customer.customer_predicted_margin
        if customer.customer_margin_known:
            return lost_value * customer.customer_margin_rate / 100
        return 0.0

    @api.model
    def _keeping_costs(self, customers, company):
        """Per customer, what serving it cost over the prediction horizon up to today: its visits
        done (hours at the company's cost of a visit hour) and its care actions done."""
        self.env.flush_all()
        since = fields.Date.context_today(self) - timedelta(days=company.customer_prediction_horizon_days)
        rows = self.env.execute_query(
            SQL(
                """SELECT partner_id, SUM(cost) FROM (
                       SELECT visit.partner_id, visit.duration * %(hour_cost)s AS cost
                         FROM customer_visit visit
                        WHERE visit.partner_id = ANY(%(customers)s) AND visit.company_id = %(company)s
                          AND visit.state = 'done' AND visit.done_date >= %(since)s
                    UNION ALL
                       SELECT action.partner_id, %(action_cost)s
                         FROM customer_care_action action
                        WHERE action.partner_id = ANY(%(customers)s) AND action.company_id = %(company)s
                          AND action.state = 'done' AND action.executed_date >= %(since)s
                   ) costs
                 GROUP BY partner_id""",
                customers=customers.ids,
                company=company.id,
                since=since,
                hour_cost=company.customer_keeping_hour_cost or 0.0,
                action_cost=company.customer_care_action_cost or 0.0,
            )
        )
        return {partner: float(cost) for partner, cost in rows}
